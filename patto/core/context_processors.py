from django.conf import settings

from .menu import menu_for


def patto(request):
    """The header's data: the district's name, the acting membership, the switcher's choices and the menu
    (the entries the apps registered that this user may open: ``core.menu``)."""
    user = getattr(request, "user", None)
    signed_in = user is not None and user.is_authenticated
    acting = user.acting_membership if signed_in else None
    district = acting.institution.district.name if acting else settings.PATTO_DEFAULT_DISTRICT_NAME
    return {
        "district_name": district,
        "acting_membership": acting,
        "switchable_memberships": user.current_memberships if acting else [],
        "nav": menu_for(request) if signed_in else [],
    }
