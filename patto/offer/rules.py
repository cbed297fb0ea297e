"""Actions on the offer, the waiting lists and the co-design processes. Visibility comes first
(``queries``: not visible → 404); these decide what a visible user may do (→ 403)."""

import rules

from patto.accounts.roles import Role
from patto.cases.rules import is_case_manager, path_is_open

from .queries import codesign_district, offer_district


@rules.predicate
def reads_offer(user):
    return offer_district(user) is not None


@rules.predicate
def reads_codesign(user):
    return codesign_district(user) is not None


@rules.predicate
def is_coordinator(user):
    return user.is_authenticated and user.acting_role == Role.PACT_COORDINATOR


@rules.predicate
def manages_entry_path(user, entry):
    return entry is not None and entry.is_open and is_case_manager(user, entry.path) and path_is_open(user, entry.path)


rules.add_perm("offer.view_offer", reads_offer)
rules.add_perm("offer.change_offer", reads_offer & is_coordinator)
rules.add_perm("offer.view_codesign", reads_codesign)
rules.add_perm("offer.change_codesign", reads_codesign & is_coordinator)
# The case manager of the family's open path puts it on a waiting list and ends the entry.
rules.add_perm("offer.end_waiting", manages_entry_path)
