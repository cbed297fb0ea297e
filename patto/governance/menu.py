"""The pact's entry in the main menu (``core.menu``)."""

from django.utils.functional import LazyObject

from .queries import in_standing


def sees_pact(request):
    """The pact's pages answer 404 unless the acting institution is in standing. Remembered on the request's
    user object under the same key as ``cases.queries.acting_in_standing``, so whichever menu entry asks
    first, standing costs one query per request."""
    membership = request.user.acting_membership
    if membership is None:
        return False
    # The User itself, not the lazy wrappers around it (auth's, then django-otp's): the memo lives in the
    # User's __dict__, where the permission predicates (which receive the User) find it.
    user = request.user
    while isinstance(user, LazyObject):
        user = user._wrapped
    cache = user.__dict__.setdefault("_standing_by_institution", {})
    if membership.institution_id not in cache:
        cache[membership.institution_id] = in_standing(membership.institution)
    return cache[membership.institution_id]
