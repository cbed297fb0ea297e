"""The home page's card for those given the aggregates (the coordinator has the menu's entry)."""

from django.urls import reverse
from django.utils.translation import gettext as _

from patto.core.home import CARD_TEMPLATE

from .queries import GRANTABLE_ROLES, aggregate_district

CARD = CARD_TEMPLATE  # the common card (core.home: written in Python on the home page)


def figures_panel(request):
    membership = request.user.acting_membership
    if membership is None or membership.role not in GRANTABLE_ROLES or aggregate_district(request.user) is None:
        return None
    return {
        "template": CARD,
        "title": _("Monitoring and needs analysis"),
        "text": _("You may read the district's figures: the PIPPI programme and the needs of the territory."),
        "links": [],
        "more": (_("Open the figures"), reverse("monitoring:index")),
    }


def shows_menu(request):
    """The menu's entry for the pact coordinator (asked on every page: no query beyond the menu's own)."""
    from patto.accounts.roles import Role
    from patto.governance.menu import sees_pact

    return request.user.acting_role == Role.PACT_COORDINATOR and sees_pact(request)
