"""Who may know which institutions, memberships and people exist. Views, exports and counters
start from these querysets; anything outside them answers 404."""

from django.db.models import Exists, OuterRef

from .models import Institution, Membership, User
from .roles import Role


def _acting(user):
    return user.acting_membership if user.is_authenticated else None


def institutions_visible_to(user):
    """The institutions of the acting membership's district (the pact's directory is not personal)."""
    membership = _acting(user)
    if membership is None:
        return Institution.objects.none()
    return Institution.objects.filter(district_id=membership.institution.district_id)


def memberships_visible_to(user):
    """Colleagues of the acting institution; the technical administrator sees the whole district.

    Never another institution's people: an institution administrator of X cannot list Y's staff."""
    membership = _acting(user)
    if membership is None:
        return Membership.objects.none()
    if membership.role == Role.TECHNICAL_ADMIN:
        return Membership.objects.filter(institution__district_id=membership.institution.district_id)
    return Membership.objects.filter(institution_id=membership.institution_id)


def users_visible_to(user):
    """People with at least one membership the user may see."""
    visible = memberships_visible_to(user).filter(user_id=OuterRef("pk"))
    return User.objects.filter(Exists(visible))


def people_of(institution, viewer):
    """The memberships of one institution as the viewer may see them, current first, for the people screen."""
    return (
        memberships_visible_to(viewer)
        .filter(institution=institution)
        .select_related("user")
        .order_by("ended_at", "user__last_name", "user__first_name", "role")
    )
