"""The app's entries in the main menu: asked on every page, from the standing memo the pact's entry shares (no
query beyond the menu's own)."""

from patto.accounts.roles import GOVERNANCE_ROLES
from patto.governance.menu import sees_pact

from .queries import OFFER_READERS, TEAM_ROLES


def shows_offer(request):
    return request.user.acting_role in OFFER_READERS and sees_pact(request)


def shows_codesign(request):
    return request.user.acting_role in GOVERNANCE_ROLES and sees_pact(request)


def shows_waiting(request):
    return request.user.acting_role in TEAM_ROLES and sees_pact(request)
