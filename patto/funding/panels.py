"""The funding app's parts of other pages: the calls' deadlines on the coordinator's home, the menu's entry."""

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from patto.accounts.roles import GOVERNANCE_ROLES, Role
from patto.core.home import CARD_TEMPLATE

CARD = CARD_TEMPLATE  # the common card (core.home: written in Python on the home page)


def shows_menu(request):
    """For the governance roles of an institution in standing (the standing asked once per request)."""
    from patto.governance.menu import sees_pact

    return request.user.acting_role in GOVERNANCE_ROLES and sees_pact(request)


def deadlines_panel(request):
    """The coordinator's card: the calls still open, nearest deadline first (one query)."""
    from patto.governance.menu import sees_pact

    from .queries import upcoming_deadlines

    if request.user.acting_role != Role.PACT_COORDINATOR or not sees_pact(request):
        return None
    calls = list(upcoming_deadlines(request.user.acting_membership.institution.district_id))
    links = [
        (
            _("%(date)s · %(title)s") % {"date": date_format(call.deadline, "SHORT_DATE_FORMAT"), "title": call.title},
            reverse("funding:call", args=[call.pk]),
        )
        for call in calls
    ]
    return {
        "template": CARD,
        "title": _("Deadlines of the calls"),
        "text": _("The calls the district may still answer, nearest deadline first.")
        if calls
        else _("No call open at the moment."),
        "links": links,
        "more": (_("All the calls"), reverse("funding:calls")),
    }
