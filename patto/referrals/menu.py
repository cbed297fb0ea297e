"""The requests' entries in the main menu (``core.menu``): shown for the role acted in now, at an institution
in standing (the standing memo the pact's entry shares, so the menu costs no more queries)."""

from patto.accounts.roles import Role
from patto.governance.menu import sees_pact

from .queries import HEAD_ROLES, SENDER_ROLES


def _acting_role_in(request, roles):
    membership = request.user.acting_membership
    return membership is not None and membership.role in roles and sees_pact(request)


def shows_inbox(request):
    return _acting_role_in(request, HEAD_ROLES | {Role.SOCIAL_WORKER})


def shows_sent(request):
    return _acting_role_in(request, SENDER_ROLES)
