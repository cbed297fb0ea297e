"""Every change to calls, proposals and projects: one atomic function each, checking the policy itself
(whatever the view checked) and writing its audit row in the same transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.audit.services import record_event
from patto.core.exceptions import ConflictError
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


def _locked(model, obj):
    """The row again, locked for the rest of the transaction (what the checks below read is what is saved)."""
    return model.objects.select_for_update().get(pk=obj.pk)


def _versioned_changes(instance, version, fields):
    """``update_versioned`` with the money fields as two-place Decimals."""
    return update_versioned(instance, version, _money(fields))


@transaction.atomic
def set_partner_share(*, actor, partner, role, amount, cofinancing, version=None):
    """A partner's role and share, while the proposal is a draft (a confirmation is given to fixed terms).
    ``version`` guards against a stale form (ConflictError); None only from code that just read the row."""
    _authorise(actor, "funding.change_partners", partner.proposal, proposals_visible_to)
    current = _locked(Partner, partner)
    fields = {"role": role, "amount": cents(amount), "cofinancing": cents(cofinancing)}
    changes = _versioned_changes(partner, current.version if version is None else version, fields)
    record_event(
        actor=actor,
        action="funding.partner.changed",
        obj=partner.proposal,
        changes={"partner": [str(partner.institution), str(partner.institution)], **changes},
    )
    return partner


@transaction.atomic
def remove_partner(*, actor, partner, version):
    """A partner taken off a draft proposal: never the lead, never one with expenditure recorded."""
    _authorise(actor, "funding.change_partners", partner.proposal, proposals_visible_to)
    current = _locked(Partner, partner)
    if current.version != version:
        raise ConflictError(current=current)
    if current.institution_id == partner.proposal.lead_id:
        raise ValidationError(_("The lead institution is a partner of its own proposal: it cannot be removed."))
    if current.expenditures.exists():
        raise ValidationError(_("This partner has expenditure recorded: it cannot be removed."))
    record_event(
        actor=actor,
        action="funding.partner.removed",
        obj=partner.proposal,
        changes={
            "partner": [str(current.institution), None],
            "amount": [current.amount, None],
            "cofinancing": [current.cofinancing, None],
        },
    )
    current.delete()


# The agreement may be replaced only while the terms are still open: once submitted, it is what was submitted.
AGREEMENT_OPEN = (Proposal.Status.DRAFT, Proposal.Status.PROPOSED)


@transaction.atomic
def attach_agreement(*, actor, proposal, upload, version):
    """Attach (or replace) the letter of intent or agreement, while the proposal is a draft or proposed. The
    previous file stays listed as an earlier version; attaching one withdraws every partner's confirmation, since
    each confirmed the terms of the document they read. ``version``: ConflictError if the proposal changed."""
    _authorise(actor, "funding.change_proposal_status", proposal, proposals_visible_to)
    current = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if current.version != version:
        raise ConflictError(current=current)
    if current.status not in AGREEMENT_OPEN:
        raise ValidationError(
            _("The agreement of a proposal “%(status)s” cannot be replaced: it is the one submitted.")
            % {"status": current.get_status_display()}
        )
    previous = current.agreement
    stored = store_attachment(actor=actor, upload=upload, scope=_scope(proposal.call.district_id))
    update_versioned(proposal, version, {"agreement": stored})
    changes = {"agreement": [previous.original_name if previous else None, stored.original_name]}
    if previous is not None:
        proposal.previous_agreements.add(previous)
    # A confirmation is given to the document its partner read: a new one (the first one too) withdraws them all.
    withdrawn = [
        str(partner.institution)
        for partner in proposal.partners.filter(confirmed_at__isnull=False).select_related("institution")
    ]
    if withdrawn:
        proposal.partners.filter(confirmed_at__isnull=False).update(confirmed_at=None, confirmed_by=None)
        changes["confirmations_withdrawn"] = [withdrawn, []]
    record_event(
        actor=actor,
        action="funding.proposal.agreement_replaced" if previous else "funding.proposal.agreement_attached",
        obj=proposal,
        changes=changes,
    )
    return proposal


@transaction.atomic
def confirm_participation(*, actor, partner, agreement):
    """The partner's referent (a governance role at the partner institution, acting for it) confirms their
    institution's participation on the proposal's terms: ``agreement``, the id of the letter of intent or
    agreement they read (ConflictError if another has been attached since: they confirm that one after reading
    it). When the last partner confirms, the proposal is signed by all: a fact derived from these rows, never set
    by hand."""
    Proposal.objects.select_for_update().filter(pk=partner.proposal_id).first()  # the agreement does not move
    partner = Partner.objects.select_for_update().select_related("proposal").get(pk=partner.pk)
    _authorise(actor, "funding.confirm_partner", partner, partners_visible_to)
    if partner.proposal.agreement_id is None:
        raise ValidationError(_("There is no letter of intent or agreement to confirm yet."))
    if str(partner.proposal.agreement_id) != str(agreement):
        raise ConflictError(current=partner.proposal)
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
    if status == Proposal.Status.PROPOSED and proposal.agreement_id is None:
        raise ValidationError(
            _(
                "Attach the letter of intent or agreement before proposing the partnership: the partners confirm its terms."
            )
        )
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
    district_id = proposal.call.district_id
    if any(cohort.district_id != district_id for cohort in cohorts):
        raise ValidationError({"cohorts": _("Only the implementations of PIPPI of the call's district can be linked.")})
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
def set_milestone_reached(*, actor, milestone, reached, version):
    """The value reached by a milestone entered by hand (a live one is counted, never entered); ``version``
    guards against a stale form (ConflictError)."""
    _authorise(actor, "funding.manage_project", milestone.project, projects_visible_to)
    if milestone.source != Milestone.Source.MANUAL:
        raise ValidationError(_("This target is counted from Patto's data: its value is not entered by hand."))
    changes = update_versioned(milestone, version, {"reached": reached})
    record_event(
        actor=actor,
        action="funding.milestone.reached",
        obj=milestone.project,
        changes={"milestone": [milestone.title, milestone.title], **changes},
    )
    return milestone


MILESTONE_FIELDS = ("title", "due_on", "target", "source", "reached")


@transaction.atomic
def update_milestone(*, actor, milestone, version, **fields):
    _authorise(actor, "funding.manage_project", milestone.project, projects_visible_to)
    if set(fields) - set(MILESTONE_FIELDS):
        raise PermissionDenied
    if fields.get("source", milestone.source) != Milestone.Source.MANUAL:
        fields["reached"] = None  # a live target's value is counted, never entered
    changes = update_versioned(milestone, version, fields)
    record_event(
        actor=actor,
        action="funding.milestone.changed",
        obj=milestone.project,
        changes={"milestone": [milestone.title, milestone.title], **changes},
    )
    return milestone


@transaction.atomic
def remove_milestone(*, actor, milestone, version):
    """A milestone taken off the timetable (nothing is recorded against a milestone but its own value)."""
    _authorise(actor, "funding.manage_project", milestone.project, projects_visible_to)
    current = _locked(Milestone, milestone)
    if current.version != version:
        raise ConflictError(current=current)
    record_event(
        actor=actor,
        action="funding.milestone.removed",
        obj=milestone.project,
        changes={
            "milestone": [current.title, None],
            "due_on": [current.due_on, None],
            "target": [current.target, None],
            "reached": [current.reached, None],
        },
    )
    current.delete()


# --- Budget lines ------------------------------------------------------------------------------------------


@transaction.atomic
def update_budget_line(*, actor, line, version, category, description, amount):
    """A budget line's category, description and budget. A budget below what is already spent on the line is
    refused with the amounts."""
    _authorise(actor, "funding.manage_project", line.project, projects_visible_to)
    current = _locked(BudgetLine, line)
    if current.version != version:
        raise ConflictError(current=current)
    amount = cents(amount)
    spent = line_spent(line)
    if amount < spent:
        raise ValidationError(
            {
                "amount": _(
                    "The budget of %(amount)s is below what is already spent on this line (%(spent)s): the "
                    "expenditure would be over budget. Cancel or move the expenditure first."
                )
                % {"amount": format_euro(amount), "spent": format_euro(spent)}
            }
        )
    changes = update_versioned(line, version, {"category": category, "description": description, "amount": amount})
    record_event(
        actor=actor,
        action="funding.budget_line.changed",
        obj=line.project,
        changes={"line": [str(line), str(line)], **changes},
    )
    return line


@transaction.atomic
def remove_budget_line(*, actor, line, version):
    """A budget line removed, only while no expenditure (not even a cancelled one) refers to it."""
    _authorise(actor, "funding.manage_project", line.project, projects_visible_to)
    current = _locked(BudgetLine, line)
    if current.version != version:
        raise ConflictError(current=current)
    if current.expenditures.exists():
        raise ValidationError(
            _("This budget line has expenditure recorded (cancelled ones included): it cannot be removed.")
        )
    record_event(
        actor=actor,
        action="funding.budget_line.removed",
        obj=line.project,
        changes={"line": [str(current), None], "amount": [current.amount, None]},
    )
    current.delete()


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


EXPENDITURE_FIELDS = ("budget_line", "partner", "spent_on", "amount", "supplier", "cig", "description")


@transaction.atomic
def update_expenditure(*, actor, expenditure, version, document=None, override_reason="", **fields):
    """Correct an expenditure (not a cancelled one): the same checks as recording it, the line's budget
    counted without this record's old amount. Every changed field is audited with its old value."""
    project = expenditure.project
    _authorise(actor, "funding.manage_project", project, projects_visible_to)
    if set(fields) - set(EXPENDITURE_FIELDS):
        raise PermissionDenied
    current = _locked(Expenditure, expenditure)
    if current.version != version:
        raise ConflictError(current=current)
    if current.cancelled_at is not None:
        raise ValidationError(_("A cancelled expenditure cannot be changed."))
    line = BudgetLine.objects.select_for_update().get(pk=fields["budget_line"].pk)
    if line.project_id != project.pk:
        raise ValidationError({"budget_line": _("Choose a budget line of this project.")})
    if fields["partner"].proposal_id != project.proposal_id:
        raise ValidationError({"partner": _("Choose a partner of this project.")})
    amount = cents(fields["amount"])
    if amount <= 0:
        raise ValidationError({"amount": _("The amount is more than zero.")})
    cig = (fields.get("cig") or "").strip().upper()
    try:
        validate_cig(cig)
    except ValidationError as error:
        raise ValidationError({"cig": error.messages}) from None
    spent = line_spent(line, exclude=expenditure.pk)
    over = spent + amount > line.amount
    override_reason = (override_reason or "").strip()
    if over and not override_reason:
        raise ValidationError({"amount": over_budget_message(line, spent, amount)}, code="over_budget")
    values = {**fields, "budget_line": line, "amount": amount, "cig": cig}
    values["override_reason"] = override_reason if over else ""
    if document:
        values["document"] = store_attachment(
            actor=actor, upload=document, scope=_scope(project.proposal.call.district_id)
        )
    changes = update_versioned(expenditure, version, values)
    for name in ("budget_line", "partner", "document"):
        if name in changes:
            changes[name] = [str(value) if value is not None else None for value in changes[name]]
    if over:
        changes["line_budget"] = [line.amount, line.amount]
        changes["line_spent"] = [spent, spent + amount]
    record_event(
        actor=actor,
        action="funding.expenditure.changed_over_budget" if over else "funding.expenditure.changed",
        obj=project,
        changes={"expenditure": [str(expenditure), str(expenditure)], **changes},
    )
    return expenditure


@transaction.atomic
def cancel_expenditure(*, actor, expenditure, version, reason):
    """An expenditure cancelled with a reason: a money record is never deleted; the row stays listed as
    cancelled (who, when, why) and no sum or report counts it any more."""
    _authorise(actor, "funding.manage_project", expenditure.project, projects_visible_to)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the cancellation.")})
    current = _locked(Expenditure, expenditure)
    if current.cancelled_at is not None:
        raise ValidationError(_("This expenditure is already cancelled."))
    changes = update_versioned(
        expenditure,
        version,
        {"cancelled_at": timezone.now(), "cancelled_by": actor, "cancellation_reason": reason},
    )
    changes.pop("cancelled_by", None)
    record_event(
        actor=actor,
        action="funding.expenditure.cancelled",
        obj=expenditure.project,
        changes={
            "expenditure": [str(expenditure), str(expenditure)],
            "amount": [expenditure.amount, expenditure.amount],
            "line": [str(expenditure.budget_line), str(expenditure.budget_line)],
            **changes,
        },
    )
    return expenditure
