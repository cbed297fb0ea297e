"""Every change to calls, proposals and projects: one atomic function each, checking the policy itself
(whatever the view checked) and writing its audit row in the same transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.audit.services import record_event
from patto.core.versioning import update_versioned
from patto.documents.services import store_attachment
from patto.governance.queries import institutions_in_standing, pacts_visible_to

from .models import BudgetLine, Call, Expenditure, Milestone, Partner, Project, Proposal, validate_cig, validate_cup
from .money import cents, format_euro
from .queries import calls_visible_to, line_spent, partners_visible_to, projects_visible_to, proposals_visible_to

CALL_FIELDS = ("funder", "title", "reference", "deadline", "amount", "eligible_partners")


def _authorise(actor, perm, obj, visible):
    """The record is visible to the actor (its institution in standing in the district) and ``perm`` holds."""
    if not (actor.has_perm(perm, obj) and visible(actor).filter(pk=obj.pk).exists()):
        raise PermissionDenied


def _scope(district_id):
    return f"funding.district:{district_id}"


def _money(fields):
    return {
        name: cents(value) if name in ("amount", "cofinancing", "total") else value for name, value in fields.items()
    }


# --- Calls -------------------------------------------------------------------------------------------------


@transaction.atomic
def create_call(*, actor, district, documents=(), **fields):
    """A call of the actor's district (the coordinator's, at an institution in standing)."""
    if not (actor.has_perm("funding.manage") and pacts_visible_to(actor).filter(district=district).exists()):
        raise PermissionDenied
    call = Call.objects.create(district=district, **_money(fields))
    _attach_documents(actor, call, documents)
    record_event(actor=actor, action="funding.call.created", obj=call, changes={"title": [None, call.title]})
    return call


@transaction.atomic
def update_call(*, actor, call, version, documents=(), **fields):
    _authorise(actor, "funding.manage", call, calls_visible_to)
    if set(fields) - set(CALL_FIELDS):
        raise PermissionDenied
    changes = update_versioned(call, version, _money(fields))
    _attach_documents(actor, call, documents)
    record_event(actor=actor, action="funding.call.changed", obj=call, changes=changes)
    return call


def _attach_documents(actor, call, documents):
    for upload in documents:
        if upload:
            call.documents.add(store_attachment(actor=actor, upload=upload, scope=_scope(call.district_id)))


# --- Partnership proposals ---------------------------------------------------------------------------------


def _check_partner_institution(institution, district_id):
    """Partners are signatories of the pact in standing or third-sector bodies of the district."""
    if institution.district_id != district_id or not institution.is_active:
        raise ValidationError({"institution": _("Partners are institutions of the district.")})
    third_sector = institution.kind == "third_sector"
    if not third_sector and not institutions_in_standing().filter(pk=institution.pk).exists():
        raise ValidationError(
            {"institution": _("Partners are signatories of the pact in force or third-sector bodies.")}
        )


@transaction.atomic
def create_proposal(*, actor, call, lead, title, lead_role, agreement=None):
    """A draft proposal for ``call``; the lead institution is its first partner (it confirms too)."""
    _authorise(actor, "funding.manage", call, calls_visible_to)
    _check_partner_institution(lead, call.district_id)
    proposal = Proposal.objects.create(call=call, lead=lead, title=title)
    if agreement:
        proposal.agreement = store_attachment(actor=actor, upload=agreement, scope=_scope(call.district_id))
        proposal.save(update_fields=["agreement"])
    Partner.objects.create(proposal=proposal, institution=lead, role=lead_role)
    record_event(actor=actor, action="funding.proposal.created", obj=proposal, changes={"lead": [None, str(lead)]})
    return proposal


@transaction.atomic
def add_partner(*, actor, proposal, institution, role, amount, cofinancing):
    _authorise(actor, "funding.change_partners", proposal, proposals_visible_to)
    _check_partner_institution(institution, proposal.call.district_id)
    if proposal.partners.filter(institution=institution).exists():
        raise ValidationError({"institution": _("This institution is already a partner.")})
    partner = Partner.objects.create(
        proposal=proposal, institution=institution, role=role, amount=cents(amount), cofinancing=cents(cofinancing)
    )
    record_event(
        actor=actor,
        action="funding.partner.added",
        obj=proposal,
        changes={
            "partner": [None, str(institution)],
            "amount": [None, partner.amount],
            "cofinancing": [None, partner.cofinancing],
        },
    )
    return partner


@transaction.atomic
def set_partner_share(*, actor, partner, role, amount, cofinancing):
    _authorise(actor, "funding.change_partners", partner.proposal, proposals_visible_to)
    old = {"role": partner.role, "amount": partner.amount, "cofinancing": partner.cofinancing}
    partner.role, partner.amount, partner.cofinancing = role, cents(amount), cents(cofinancing)
    partner.save(update_fields=["role", "amount", "cofinancing"])
    changes = {k: [v, getattr(partner, k)] for k, v in old.items() if v != getattr(partner, k)}
    record_event(actor=actor, action="funding.partner.changed", obj=partner.proposal, changes=changes)
    return partner


@transaction.atomic
def attach_agreement(*, actor, proposal, upload):
    _authorise(actor, "funding.change_proposal_status", proposal, proposals_visible_to)
    proposal.agreement = store_attachment(actor=actor, upload=upload, scope=_scope(proposal.call.district_id))
    proposal.save(update_fields=["agreement", "updated_at"])
    record_event(actor=actor, action="funding.proposal.agreement_attached", obj=proposal)
    return proposal


@transaction.atomic
def confirm_participation(*, actor, partner):
    """The partner's referent (a governance role at the partner institution, acting for it) confirms their
    institution's participation on the proposal's terms. When the last partner confirms, the proposal is
    signed by all: a fact derived from these rows, never set by hand."""
    partner = Partner.objects.select_for_update().select_related("proposal").get(pk=partner.pk)
    _authorise(actor, "funding.confirm_partner", partner, partners_visible_to)
    partner.confirmed_at = timezone.now()
    partner.confirmed_by = actor
    partner.save(update_fields=["confirmed_at", "confirmed_by"])
    record_event(
        actor=actor,
        action="funding.partner.confirmed",
        obj=partner.proposal,
        changes={"partner": [None, str(partner.institution)], "amount": [None, partner.amount]},
    )
    return partner


def is_signed_by_all(proposal):
    partners = list(proposal.partners.values_list("confirmed_at", flat=True))
    return bool(partners) and all(partners)


# Where a proposal may go from each status.
TRANSITIONS = {
    Proposal.Status.DRAFT: (Proposal.Status.PROPOSED,),
    Proposal.Status.PROPOSED: (Proposal.Status.DRAFT, Proposal.Status.SUBMITTED),
    Proposal.Status.SUBMITTED: (Proposal.Status.FUNDED, Proposal.Status.NOT_FUNDED),
    Proposal.Status.FUNDED: (),
    Proposal.Status.NOT_FUNDED: (),
}


@transaction.atomic
def move_proposal(*, actor, proposal, version, status):
    """draft → proposed (to the partners, who then confirm) → submitted (only once signed by all) → funded or
    not funded. Back to draft from proposed (to change the terms): every confirmation is withdrawn with it."""
    _authorise(actor, "funding.change_proposal_status", proposal, proposals_visible_to)
    if status not in TRANSITIONS[proposal.status]:
        raise ValidationError(
            _("A proposal cannot go from “%(old)s” to “%(new)s”.")
            % {"old": proposal.get_status_display(), "new": Proposal.Status(status).label}
        )
    if status == Proposal.Status.PROPOSED and not proposal.partners.exclude(institution=proposal.lead).exists():
        raise ValidationError(_("Add at least one partner besides the lead before proposing the partnership."))
    if status == Proposal.Status.SUBMITTED and not is_signed_by_all(proposal):
        raise ValidationError(_("The proposal can be submitted only once every partner has confirmed in Patto."))
    changes = update_versioned(proposal, version, {"status": status})
    if status == Proposal.Status.DRAFT:
        withdrawn = proposal.partners.filter(confirmed_at__isnull=False).update(confirmed_at=None, confirmed_by=None)
        changes["confirmations_withdrawn"] = [withdrawn, 0]
    record_event(actor=actor, action="funding.proposal.status_changed", obj=proposal, changes=changes)
    return proposal


# --- Projects ----------------------------------------------------------------------------------------------


@transaction.atomic
def create_project(*, actor, proposal, cup, cohorts=(), **fields):
    """The project of a funded proposal, with its CUP (checked)."""
    _authorise(actor, "funding.manage", proposal, proposals_visible_to)
    if proposal.status != Proposal.Status.FUNDED:
        raise ValidationError(_("Only a funded proposal becomes a project."))
    if Project.objects.filter(proposal=proposal).exists():
        raise ValidationError(_("This proposal already has its project."))
    cup = (cup or "").strip().upper()
    try:
        validate_cup(cup)
    except ValidationError as error:
        raise ValidationError({"cup": error.messages}) from None
    if Project.objects.filter(cup=cup).exists():
        raise ValidationError({"cup": _("Another project already has this CUP.")})
    if fields["ends_on"] < fields["starts_on"]:
        raise ValidationError({"ends_on": _("The end comes after the start.")})
    project = Project.objects.create(proposal=proposal, cup=cup, **_money(fields))
    project.cohorts.set(cohorts)
    record_event(actor=actor, action="funding.project.created", obj=project, changes={"cup": [None, cup]})
    return project


@transaction.atomic
def add_budget_line(*, actor, project, category, description, amount):
    _authorise(actor, "funding.manage_project", project, projects_visible_to)
    line = BudgetLine.objects.create(project=project, category=category, description=description, amount=cents(amount))
    record_event(
        actor=actor,
        action="funding.budget_line.added",
        obj=project,
        changes={"line": [None, str(line)], "amount": [None, line.amount]},
    )
    return line


@transaction.atomic
def add_milestone(*, actor, project, title, due_on, target=None, source=Milestone.Source.MANUAL, reached=None):
    _authorise(actor, "funding.manage_project", project, projects_visible_to)
    milestone = Milestone.objects.create(
        project=project, title=title, due_on=due_on, target=target, source=source, reached=reached
    )
    record_event(actor=actor, action="funding.milestone.added", obj=project, changes={"milestone": [None, title]})
    return milestone


@transaction.atomic
def set_milestone_reached(*, actor, milestone, reached):
    """The value reached by a milestone entered by hand (a live one is counted, never entered)."""
    _authorise(actor, "funding.manage_project", milestone.project, projects_visible_to)
    if milestone.source != Milestone.Source.MANUAL:
        raise ValidationError(_("This target is counted from Patto's data: its value is not entered by hand."))
    old = milestone.reached
    milestone.reached = reached
    milestone.save(update_fields=["reached"])
    record_event(
        actor=actor,
        action="funding.milestone.reached",
        obj=milestone.project,
        changes={"milestone": [None, milestone.title], "reached": [old, reached]},
    )
    return milestone


def over_budget_message(line, spent, amount):
    after = spent + amount
    return _(
        "This expenditure of %(amount)s would bring “%(line)s” to %(after)s, over its budget of %(budget)s by "
        "%(over)s (already spent: %(spent)s). Correct the amount, or record it with a reason for exceeding the "
        "budget line."
    ) % {
        "amount": format_euro(amount),
        "line": line,
        "after": format_euro(after),
        "budget": format_euro(line.amount),
        "over": format_euro(after - line.amount),
        "spent": format_euro(spent),
    }


@transaction.atomic
def record_expenditure(
    *,
    actor,
    project,
    budget_line,
    partner,
    spent_on,
    amount,
    supplier,
    cig="",
    description="",
    document=None,
    override_reason="",
):
    """An expenditure on a budget line of the project, by one of its partners. One that would take the line past
    its budget is refused with the amounts, unless recorded with an explicit reason (audited as such)."""
    _authorise(actor, "funding.manage_project", project, projects_visible_to)
    # The line is locked first, so that two expenditures recorded at once cannot both fit the same remainder.
    line = BudgetLine.objects.select_for_update().get(pk=budget_line.pk)
    if line.project_id != project.pk:
        raise ValidationError({"budget_line": _("Choose a budget line of this project.")})
    if partner.proposal_id != project.proposal_id:
        raise ValidationError({"partner": _("Choose a partner of this project.")})
    amount = cents(amount)
    if amount <= 0:
        raise ValidationError({"amount": _("The amount is more than zero.")})
    cig = (cig or "").strip().upper()
    try:
        validate_cig(cig)
    except ValidationError as error:
        raise ValidationError({"cig": error.messages}) from None
    spent = line_spent(line)
    over = spent + amount > line.amount
    override_reason = (override_reason or "").strip()
    if over and not override_reason:
        raise ValidationError({"amount": over_budget_message(line, spent, amount)}, code="over_budget")
    stored = None
    if document:
        stored = store_attachment(actor=actor, upload=document, scope=_scope(project.proposal.call.district_id))
    expenditure = Expenditure.objects.create(
        project=project,
        budget_line=line,
        partner=partner,
        spent_on=spent_on,
        amount=amount,
        supplier=supplier,
        cig=cig,
        description=description,
        document=stored,
        override_reason=override_reason if over else "",
        recorded_by=actor,
    )
    changes = {"amount": [None, amount], "line": [None, str(line)], "partner": [None, str(partner.institution)]}
    if over:
        changes.update(
            {
                "override_reason": [None, override_reason],
                "line_budget": [None, line.amount],
                "line_spent": [spent, spent + amount],
            }
        )
    record_event(
        actor=actor,
        action="funding.expenditure.over_budget" if over else "funding.expenditure.recorded",
        obj=project,
        changes=changes,
    )
    return expenditure
