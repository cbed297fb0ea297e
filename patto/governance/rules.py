"""Actions on the pact and its records. Visibility (the acting institution is in standing, the record is
its district's pact's) is decided first, by ``queries.visible_to``; these rules decide what a visible
user may do. Views, templates and services ask them; no view checks a role itself."""

import rules

from patto.accounts.roles import GOVERNANCE_ROLES, Role

from .models import ActionItem, PactVersion


@rules.predicate
def is_pact_coordinator(user):
    return user.is_authenticated and user.acting_role == Role.PACT_COORDINATOR


@rules.predicate
def has_governance_role(user):
    return user.is_authenticated and user.acting_role in GOVERNANCE_ROLES


def _governance_member_of(user, institution_id):
    """A governance-role member of that institution (its referent for the pact)."""
    return (
        user.is_authenticated
        and user.acting_role in GOVERNANCE_ROLES
        and user.acting_membership.institution_id == institution_id
    )


@rules.predicate
def owns_commitment(user, commitment):
    return commitment is not None and _governance_member_of(user, commitment.institution_id)


@rules.predicate
def owns_indicator(user, indicator):
    return indicator is not None and _governance_member_of(user, indicator.commitment.institution_id)


@rules.predicate
def owns_procedure(user, procedure):
    return procedure is not None and _governance_member_of(user, procedure.owner_id)


@rules.predicate
def owns_action_item(user, item):
    return item is not None and user.is_authenticated and item.owner_id == user.pk


@rules.predicate
def is_draft(user, pact_version):
    return pact_version is not None and pact_version.status == PactVersion.Status.DRAFT


@rules.predicate
def is_awaiting_approval(user, pact_version):
    return pact_version is not None and pact_version.is_awaiting_approval


rules.add_perm("governance.view_pact", rules.is_authenticated)
rules.add_perm("governance.view_governance", has_governance_role)
rules.add_perm("governance.change_pact", is_pact_coordinator)
# A draft submitted for approval is read-only: it is approved as it is, or withdrawn and edited again.
rules.add_perm("governance.change_version", is_pact_coordinator & is_draft & ~is_awaiting_approval)
rules.add_perm("governance.submit_version", is_pact_coordinator & is_draft & ~is_awaiting_approval)
rules.add_perm("governance.withdraw_version", is_pact_coordinator & is_awaiting_approval)
rules.add_perm("governance.approve_version", is_pact_coordinator & is_draft)
rules.add_perm("governance.update_commitment_status", owns_commitment | is_pact_coordinator)
rules.add_perm("governance.value_indicator", owns_indicator | is_pact_coordinator)
# The owner of a procedure edits its content (a new revision); only the coordinator transfers it to another
# owner or records its approval and review dates.
rules.add_perm("governance.change_procedure", owns_procedure | is_pact_coordinator)
rules.add_perm("governance.approve_procedure", is_pact_coordinator)
rules.add_perm("governance.change_action_item", owns_action_item | is_pact_coordinator)

PROCEDURE_CONTENT = ("title", "text", "response_working_days")
PROCEDURE_APPROVAL = ("owner", "request_kind", "approved_on", "review_on")


def procedure_fields(user, procedure=None):
    """The fields of a procedure ``user`` may set (forms offer them, the service refuses any other)."""
    if user.has_perm("governance.approve_procedure", procedure):
        return PROCEDURE_CONTENT + PROCEDURE_APPROVAL
    if procedure is not None and user.has_perm("governance.change_procedure", procedure):
        return PROCEDURE_CONTENT
    return ()


def action_item_statuses(user, item):
    """What ``user`` may set an action item to: its owner marks it done; the coordinator also reopens or
    cancels it."""
    if user.has_perm("governance.change_pact"):
        return tuple(ActionItem.Status.values)
    if user.has_perm("governance.change_action_item", item):
        return (ActionItem.Status.DONE,)
    return ()
