from django.conf import settings
from django.utils.functional import SimpleLazyObject

from .menu import menu_for


def patto(request):
    """The header's data: the district's name, the acting membership, the switcher's choices and the menu
    (the entries the apps registered that this user may open: ``core.menu``), worked out only when a template
    shows it: a fragment loaded by htmx, which has no header, asks no permission for it."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    acting = user.acting_membership if signed_in else None
    district = acting.institution.district.name if acting else settings.PATTO_DEFAULT_DISTRICT_NAME
    return {
        "district_name": district,
        "acting_membership": acting,
        "switchable_memberships": user.current_memberships if acting else [],
        "nav": SimpleLazyObject(lambda: menu_for(request)) if signed_in else [],
    }
