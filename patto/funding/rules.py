"""Who may do what with calls, proposals and projects. Visibility (the acting institution is in standing in
the district) is decided first by ``queries``; these rules decide what a visible user may do."""

import rules

from patto.accounts.roles import GOVERNANCE_ROLES, Role

from .models import Proposal


@rules.predicate
def is_pact_coordinator(user):
    return user.is_authenticated and user.acting_role == Role.PACT_COORDINATOR


@rules.predicate
def has_governance_role(user):
    return user.is_authenticated and user.acting_role in GOVERNANCE_ROLES


def _referent_of(user, institution_id):
    """A governance-role member of that institution, acting for it (its referent for the pact)."""
    return (
        user.is_authenticated
        and user.acting_role in GOVERNANCE_ROLES
        and user.acting_membership.institution_id == institution_id
    )


@rules.predicate
def is_lead_referent(user, obj):
    """The referent of the proposal's (or the project's proposal's) lead institution."""
    proposal = getattr(obj, "proposal", obj)
    return proposal is not None and _referent_of(user, proposal.lead_id)


@rules.predicate
def is_partner_referent(user, partner):
    return partner is not None and _referent_of(user, partner.institution_id)


@rules.predicate
def awaits_confirmation(user, partner):
    return partner is not None and partner.confirmed_at is None and partner.proposal.status == Proposal.Status.PROPOSED


@rules.predicate
def is_draft(user, proposal):
    return proposal is not None and proposal.status == Proposal.Status.DRAFT


rules.add_perm("funding.view", has_governance_role)
rules.add_perm("funding.manage", is_pact_coordinator)
# Partners are chosen, and their shares set, while the proposal is a draft: a confirmation is given to fixed terms.
rules.add_perm("funding.change_partners", is_pact_coordinator & is_draft)
# The lead (its referent) or the coordinator moves a proposal on; the service checks the transition.
rules.add_perm("funding.change_proposal_status", is_pact_coordinator | is_lead_referent)
# Each partner's referent confirms their own participation, once the proposal is proposed to them.
rules.add_perm("funding.confirm_partner", is_partner_referent & awaits_confirmation)
# The project's budget, timetable and expenditure: the coordinator and the lead's referent.
rules.add_perm("funding.manage_project", is_pact_coordinator | is_lead_referent)
