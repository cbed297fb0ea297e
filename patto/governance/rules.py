"""Actions on the pact. Visibility (the institution signed the pact) is checked first."""

import rules

from patto.accounts.roles import GOVERNANCE_ROLES, Role


@rules.predicate
def is_pact_coordinator(user):
    return user.is_authenticated and user.acting_role == Role.PACT_COORDINATOR


@rules.predicate
def has_governance_role(user):
    return user.is_authenticated and user.acting_role in GOVERNANCE_ROLES


def _governance_member_of(user, institution_id):
    """A governance-role member of that institution (its referent for the pact)."""
    return (user.is_authenticated and user.acting_role in GOVERNANCE_ROLES
            and user.acting_membership.institution_id == institution_id)


@rules.predicate
def owns_commitment(user, commitment):
    return commitment is not None and _governance_member_of(user, commitment.institution_id)


rules.add_perm("governance.view_pact", rules.is_authenticated)
rules.add_perm("governance.view_governance", has_governance_role)
rules.add_perm("governance.change_pact", is_pact_coordinator)
rules.add_perm("governance.update_commitment_status", owns_commitment | is_pact_coordinator)


@rules.predicate
def owns_procedure(user, procedure):
    return procedure is not None and _governance_member_of(user, procedure.owner_id)


rules.add_perm("governance.change_procedure", owns_procedure | is_pact_coordinator)
