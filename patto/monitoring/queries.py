"""Who reads the district's aggregates, and for which district. Asked once per request."""

from django.db.models import Q
from django.utils import timezone

from patto.accounts.memo import memo
from patto.accounts.roles import Role
from patto.governance.queries import institutions_in_standing_of

from .models import AggregateGrant

# Who may be given the permission: the people who run the institutions and their services (the Comune's
# management, the AUSL's district manager, the heads who sit in the Referente territoriale's group); not the
# platform's own roles (the auditor reads the trail, not the figures). The pact coordinator has it by role.
GRANTABLE_ROLES = frozenset({Role.SERVICE_HEAD, Role.INSTITUTION_ADMIN, Role.SCHOOL_HEAD})


def grants_in_force(on=None):
    on = on or timezone.localdate()
    return AggregateGrant.objects.filter(revoked_at__isnull=True, starts_on__lte=on).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=on)
    )


def aggregate_district(user):
    """The district whose aggregates the user reads, acting under their current membership: the pact
    coordinator's, or one granted to that membership; its institution in standing. None otherwise.
    Asked once per request (``accounts.memo``: forgotten when the acting membership changes)."""
    if not user.is_authenticated:
        return None
    membership = user.acting_membership
    if membership is None:
        return None
    cache = memo(user)
    if "aggregate_district" not in cache:
        allowed = membership.institution_id in institutions_in_standing_of(user) and (
            membership.role == Role.PACT_COORDINATOR
            or grants_in_force().filter(membership=membership, district_id=membership.institution.district_id).exists()
        )
        cache["aggregate_district"] = membership.institution.district if allowed else None
    return cache["aggregate_district"]


def grants_of(district):
    return (
        AggregateGrant.objects.filter(district=district)
        .select_related("membership__user", "membership__institution", "granted_by", "revoked_by")
        .order_by("revoked_at", "-starts_on")
    )
