"""Calls, partnership proposals and projects. Each view: fetch and authorise (not visible → 404, visible but
not allowed → 403, both audited), validate a form, call one service, respond."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from patto.accounts.models import Institution
from patto.audit.services import record_access, render_with_access
from patto.core.exceptions import ConflictError
from patto.core.forms import add_service_errors, run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for
from patto.documents.responses import attachment_response
from patto.governance.queries import acting_district_id, institutions_in_standing, pacts_visible_to

from . import forms, queries, services
from .models import BudgetLine, Call, Milestone, Proposal
from .reports import build_report, milestone_values, period_of


def _pact(request, perm="funding.view"):
    """The pact of the user's district: calls and projects are reached through it (no standing → 404)."""
    return get_object_for(
        request.user, perm, pacts_visible_to(request.user), district_id=acting_district_id(request.user)
    )


def _call(request, pk, perm="funding.view"):
    return get_object_for(request.user, perm, queries.calls_visible_to(request.user), pk=pk)


def _proposal(request, pk, perm="funding.view"):
    return get_object_for(
        request.user, perm, queries.proposals_visible_to(request.user).select_related("call", "lead"), pk=pk
    )


def _project(request, pk, perm="funding.view"):
    return get_object_for(
        request.user,
        perm,
        queries.projects_visible_to(request.user).select_related("proposal__call", "proposal__lead"),
        pk=pk,
    )


def _partner_institutions(district_id):
    """Who may be a partner: the district's active institutions in standing, and its third-sector bodies."""
    return (
        Institution.objects.filter(district_id=district_id, is_active=True)
        .filter(Q(pk__in=institutions_in_standing().values("pk")) | Q(kind=Institution.Kind.THIRD_SECTOR))
        .order_by("name")
    )


# --- Calls -------------------------------------------------------------------------------------------------


@require_safe
def calls(request):
    pact = _pact(request)
    rows = queries.calls_visible_to(request.user).filter(district_id=pact.district_id)
    page = Paginator(rows.order_by("-deadline", "-pk"), settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "funding/calls.html",
        {"page": page, "can_add": request.user.has_perm("funding.manage"), "tab": "calls"},
    )


@once_per_form
def call_add(request):
    pact = _pact(request, "funding.manage")
    form = forms.CallForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        try:
            call = services.create_call(
                actor=request.user, district=pact.district, documents=[document], **form.changes()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Call recorded."))
            return redirect("funding:call", pk=call.pk)
    return render(request, "funding/call_form.html", {"form": form})


def call(request, pk):
    """A call, its documents and its proposals; the coordinator edits it (optimistic locking: 409 if stale)."""
    call = _call(request, pk, "funding.manage" if request.method == "POST" else "funding.view")
    form = conflict = None
    if request.user.has_perm("funding.manage"):
        form = forms.CallForm(
            request.POST or None,
            request.FILES or None,
            instance=Call(pk=call.pk, **_call_values(call)),
            initial={"version": call.version},
        )
        if request.method == "POST" and form.is_valid():
            saved, conflict = run_service(
                form,
                lambda: services.update_call(
                    actor=request.user,
                    call=call,
                    version=form.cleaned_data["version"] or 0,
                    documents=[form.cleaned_data["document"]],
                    **form.changes(),
                ),
            )
            if saved:
                messages.success(request, _("Call saved."))
                return redirect("funding:call", pk=call.pk)
    proposals = queries.with_confirmations(call.proposals.select_related("lead")).order_by("-created_at", "-pk")
    context = {
        "call": call,
        "documents": call.documents.all(),
        "proposals": proposals,
        "form": form,
        "conflict": conflict,
        "can_manage": request.user.has_perm("funding.manage"),
    }
    return render(request, "funding/call.html", context, status=409 if conflict else 200)


def _call_values(call):
    return {name: getattr(call, name) for name in services.CALL_FIELDS} | {"district_id": call.district_id}


# --- Proposals ---------------------------------------------------------------------------------------------


@once_per_form
def proposal_add(request, pk):
    call = _call(request, pk, "funding.manage")
    form = forms.ProposalForm(
        request.POST or None, request.FILES or None, institutions=_partner_institutions(call.district_id)
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = services.create_proposal(actor=request.user, call=call, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Proposal created: add the partners, then propose it to them."))
            return redirect("funding:proposal", pk=proposal.pk)
    return render(request, "funding/proposal_form.html", {"form": form, "call": call})


@require_safe
def proposal(request, pk):
    proposal = _proposal(request, pk)
    return _proposal_page(request, proposal)


def _proposal_page(request, proposal, *, partner_form=None, status_form=None, agreement_form=None, status=200):
    user = request.user
    partners = list(proposal.partners.select_related("institution", "confirmed_by"))
    signed = bool(partners) and all(p.confirmed_at for p in partners)
    for partner in partners:
        partner.can_confirm = user.has_perm("funding.confirm_partner", partner)
    if partner_form is None and user.has_perm("funding.change_partners", proposal):
        partner_form = forms.PartnerForm(institutions=_partner_institutions(proposal.call.district_id))
    can_move = user.has_perm("funding.change_proposal_status", proposal)
    if status_form is None and can_move and services.TRANSITIONS[proposal.status]:
        status_form = forms.ProposalStatusForm(proposal=proposal, initial={"version": proposal.version})
    if agreement_form is None and can_move and proposal.status in services.AGREEMENT_OPEN:
        agreement_form = forms.AgreementForm(initial={"version": proposal.version})
    context = {
        "proposal": proposal,
        "call": proposal.call,
        "partners": partners,
        "signed_by_all": signed,
        "totals": proposal.partners.aggregate(
            amount=queries.money_sum("amount"), cofinancing=queries.money_sum("cofinancing")
        ),
        "partner_form": partner_form,
        "status_form": status_form,
        "agreement_form": agreement_form,
        "previous_agreements": proposal.previous_agreements.order_by("-uploaded_at"),
        "can_edit_partners": user.has_perm("funding.change_partners", proposal),
        "project": getattr(proposal, "project", None) if proposal.status == Proposal.Status.FUNDED else None,
        "can_add_project": user.has_perm("funding.manage") and proposal.status == Proposal.Status.FUNDED,
    }
    # The page names the referents who confirmed: a read of staff data, logged with the page.
    return render_with_access(
        request, "funding/proposal.html", context, action="funding.proposal.viewed", obj=proposal, status=status
    )


@require_POST
def partner_add(request, pk):
    proposal = _proposal(request, pk, "funding.change_partners")
    form = forms.PartnerForm(request.POST, institutions=_partner_institutions(proposal.call.district_id))
    if form.is_valid():
        try:
            services.add_partner(actor=request.user, proposal=proposal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Partner added."))
            return redirect("funding:proposal", pk=proposal.pk)
    return _proposal_page(request, proposal, partner_form=form)


@require_POST
def partner_confirm(request, pk):
    """The partner's referent confirms their institution's participation (audited)."""
    partner = get_object_for(
        request.user,
        "funding.confirm_partner",
        queries.partners_visible_to(request.user).select_related("proposal", "institution"),
        pk=pk,
    )
    # The agreement the page showed: a confirmation is given to the document read, not to whatever is there now.
    try:
        services.confirm_participation(
            actor=request.user, partner=partner, agreement=request.POST.get("agreement", "").strip() or None
        )
    except ConflictError:
        messages.warning(
            request,
            _(
                "The letter of intent or agreement was replaced while you were reading it: read the new one, "
                "then confirm again."
            ),
        )
        return _proposal_page(request, _proposal(request, partner.proposal_id), status=409)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return _proposal_page(request, _proposal(request, partner.proposal_id), status=400)
    messages.success(request, _("Participation of %(partner)s confirmed.") % {"partner": partner.institution})
    return redirect("funding:proposal", pk=partner.proposal_id)


@require_POST
def proposal_status(request, pk):
    proposal = _proposal(request, pk, "funding.change_proposal_status")
    form = forms.ProposalStatusForm(request.POST, proposal=proposal)
    conflict = None
    if form.is_valid():
        saved, conflict = run_service(
            form,
            lambda: services.move_proposal(
                actor=request.user,
                proposal=proposal,
                version=form.cleaned_data["version"],
                status=form.cleaned_data["status"],
            ),
        )
        if saved:
            messages.success(
                request, _("The proposal is now “%(status)s”.") % {"status": proposal.get_status_display()}
            )
            return redirect("funding:proposal", pk=proposal.pk)
    if conflict is not None:
        proposal = _proposal(request, pk)
        form = forms.ProposalStatusForm(proposal=proposal, initial={"version": proposal.version})
        messages.warning(
            request,
            _("Someone else changed this proposal while you were looking at it: check its status and try again."),
        )
        return _proposal_page(request, proposal, status_form=form, status=409)
    return _proposal_page(request, proposal, status_form=form)


@require_POST
def proposal_agreement(request, pk):
    """Attach or replace the agreement (draft or proposed only; replacing withdraws the confirmations)."""
    proposal = _proposal(request, pk, "funding.change_proposal_status")
    form = forms.AgreementForm(request.POST, request.FILES)
    if form.is_valid():
        saved, conflict = run_service(
            form,
            lambda: services.attach_agreement(
                actor=request.user,
                proposal=proposal,
                upload=form.cleaned_data["agreement"],
                version=form.cleaned_data["version"],
            ),
        )
        if saved:
            messages.success(request, _("Document attached."))
            return redirect("funding:proposal", pk=proposal.pk)
        if conflict is not None:
            proposal = _proposal(request, pk)
            messages.warning(
                request,
                _(
                    "Someone else changed this proposal while you were looking at it: check it and attach the file again."
                ),
            )
            return _proposal_page(
                request, proposal, agreement_form=forms.AgreementForm(initial={"version": proposal.version}), status=409
            )
    return _proposal_page(request, proposal, agreement_form=form)


@require_safe
def document(request, attachment_id):
    """A document of a call, a proposal or an expenditure, as a download (governance roles only)."""
    attachment = get_object_for(
        request.user, "funding.view", queries.documents_visible_to(request.user), pk=attachment_id
    )
    return attachment_response(
        request,
        attachment,
        filename=f"documento-finanziamenti-{str(attachment.pk)[:8]}",
        action="funding.document.downloaded",
        obj=attachment,
    )


# --- Projects ----------------------------------------------------------------------------------------------


@require_safe
def projects(request):
    pact = _pact(request)
    rows = (
        queries.projects_visible_to(request.user)
        .filter(proposal__call__district_id=pact.district_id)
        .select_related("proposal__lead")
        .annotate(spent=queries.project_spent())
        .order_by("-starts_on", "-pk")
    )
    page = Paginator(rows, settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "funding/projects.html", {"page": page, "tab": "projects"})


@once_per_form
def project_add(request, pk):
    proposal = _proposal(request, pk, "funding.manage")
    from patto.cases.models import Cohort

    form = forms.ProjectForm(
        request.POST or None,
        cohorts=Cohort.objects.filter(district_id=proposal.call.district_id).order_by("-start_date"),
        initial={
            "title": proposal.title,
            "funding_source": proposal.call.funder,
            "total": proposal.partners.aggregate(total=queries.money_sum("amount"))["total"],
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            project = services.create_project(actor=request.user, proposal=proposal, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Project recorded: add its budget lines and milestones."))
            return redirect("funding:project", pk=project.pk)
    return render(request, "funding/project_form.html", {"form": form, "proposal": proposal})


@require_safe
def project(request, pk):
    return _project_page(request, _project(request, pk))


def _project_page(request, project, *, line_form=None, milestone_form=None, status=200):
    can_manage = request.user.has_perm("funding.manage_project", project)
    if can_manage:
        line_form = line_form or forms.BudgetLineForm(prefix="line")
        milestone_form = milestone_form or forms.MilestoneForm(prefix="milestone")
    lines = list(queries.lines_progress(project))
    partners = list(queries.partners_progress(project))
    context_milestones = milestone_values(project)
    context = {
        "project": project,
        "lines": lines,
        "partners": partners,
        "budget": sum((line.amount for line in lines), start=queries.ZERO.value),
        "spent": sum((line.spent for line in lines), start=queries.ZERO.value),
        "milestones": context_milestones,
        "expenditures": project.expenditures.select_related("budget_line", "partner__institution")[:10],
        "expenditure_count": project.expenditures.in_force().count(),
        "cohorts": project.cohorts.all(),
        "can_manage": can_manage,
        "line_form": line_form,
        "milestone_form": milestone_form,
        "reached_forms": [
            (m, forms.MilestoneReachedForm(milestone=m))
            for m in context_milestones
            if m.source == Milestone.Source.MANUAL
        ]
        if can_manage
        else [],
    }
    return render_with_access(
        request, "funding/project.html", context, action="funding.project.viewed", obj=project, status=status
    )


@require_POST
def budget_line_add(request, pk):
    project = _project(request, pk, "funding.manage_project")
    form = forms.BudgetLineForm(request.POST, prefix="line")
    if form.is_valid():
        services.add_budget_line(actor=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("Budget line added."))
        return redirect("funding:project", pk=project.pk)
    return _project_page(request, project, line_form=form)


@require_POST
def milestone_add(request, pk):
    project = _project(request, pk, "funding.manage_project")
    form = forms.MilestoneForm(request.POST, prefix="milestone")
    if form.is_valid():
        services.add_milestone(actor=request.user, project=project, **form.cleaned_data)
        messages.success(request, _("Milestone added."))
        return redirect("funding:project", pk=project.pk)
    return _project_page(request, project, milestone_form=form)


@require_POST
def milestone_reached(request, pk, milestone_pk):
    project = _project(request, pk, "funding.manage_project")
    milestone = get_object_or_404(project.milestones.filter(source=Milestone.Source.MANUAL), pk=milestone_pk)
    form = forms.MilestoneReachedForm(request.POST, milestone=milestone)
    if not form.is_valid():
        messages.error(request, _("The value reached is a whole number, zero or more."))
        return redirect("funding:project", pk=project.pk)
    try:
        services.set_milestone_reached(
            actor=request.user,
            milestone=milestone,
            reached=form.cleaned_data["reached"],
            version=form.cleaned_data["version"],
        )
    except ConflictError:
        messages.warning(
            request,
            _(
                "Someone else saved the value of “%(title)s” while you were looking at it: nothing was saved. "
                "Check the value now saved and enter yours again if it is still right."
            )
            % {"title": milestone.title},
        )
        return _project_page(request, project, status=409)
    messages.success(request, _("Value reached saved."))
    return redirect("funding:project", pk=project.pk)


@once_per_form
def expenditure_add(request, pk):
    project = _project(request, pk, "funding.manage_project")
    form = forms.ExpenditureForm(request.POST or None, request.FILES or None, project=project)
    if request.method == "POST" and form.is_valid():
        try:
            expenditure = services.record_expenditure(actor=request.user, project=project, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if expenditure.override_reason:
                messages.warning(request, _("Expenditure recorded over the budget line, with the reason given."))
            else:
                messages.success(request, _("Expenditure recorded."))
            return redirect("funding:project", pk=project.pk)
    return render(request, "funding/expenditure_form.html", {"form": form, "project": project})


# --- The report --------------------------------------------------------------------------------------------


def _report(request, pk):
    project = _project(request, pk)
    start, end = period_of(project, request.GET)
    return project, build_report(project, start, end)


@require_safe
def report(request, pk):
    project, data = _report(request, pk)
    return render_with_access(
        request,
        "funding/report.html",
        {"project": project, "report": data},
        action="funding.report.viewed",
        obj=project,
    )


@require_safe
def report_pdf(request, pk):
    from patto.core.exports import pdf_response

    project, data = _report(request, pk)
    with transaction.atomic():
        record_access(actor=request.user, action="funding.report.exported", obj=project)
        return pdf_response(
            request,
            "funding/report_pdf.html",
            {"project": project, "report": data},
            f"progetto-{project.cup}-{data.start:%Y%m%d}-{data.end:%Y%m%d}.pdf",
        )


@require_safe
def report_xlsx(request, pk):
    from patto.core.exports import xlsx_download

    from .reports import sheets

    project, data = _report(request, pk)
    with transaction.atomic():
        record_access(actor=request.user, action="funding.report.exported", obj=project)
        return xlsx_download(sheets(data), f"progetto-{project.cup}-{data.start:%Y%m%d}-{data.end:%Y%m%d}.xlsx")


# --- Edits and removals --------------------------------------------------------------------------------------


def _edit_page(request, context, *, conflict=None, status=200):
    """One page for an edit form and, below it, its removal (or cancellation) form."""
    return render(request, "funding/edit.html", context, status=409 if conflict is not None else status)


def _edit(request, form, service, *, success, back_url, context):
    """Run ``service`` for a valid POSTed form; on a stale version the form keeps the input and the page is 409."""
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(form, service)
        if saved:
            messages.success(request, success)
            return redirect(back_url)
    return _edit_page(request, {**context, "form": form, "conflict": conflict, "back_url": back_url}, conflict=conflict)


def _remove(request, form, service, *, success, done_url, edit_url):
    """A removal: done → back to the record's page; refused or stale → back to the edit page with the reason."""
    if not form.is_valid():
        messages.error(request, _("The page was out of date: look at the record again before removing it."))
        return redirect(edit_url)
    try:
        service()
    except ConflictError:
        messages.warning(
            request, _("Someone else changed this record while you were looking at it: nothing was removed.")
        )
        return redirect(edit_url)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(edit_url)
    messages.success(request, success)
    return redirect(done_url)


def _partner(request, pk, perm):
    partner = get_object_for(
        request.user,
        "funding.view",
        queries.partners_visible_to(request.user).select_related("proposal__call", "proposal__lead", "institution"),
        pk=pk,
    )
    if not request.user.has_perm(perm, partner.proposal):
        raise PermissionDenied
    return partner


def partner_edit(request, pk):
    """A partner's role and share, while the proposal is a draft."""
    partner = _partner(request, pk, "funding.change_partners")
    form = forms.PartnerShareForm(
        request.POST or None,
        initial={
            "role": partner.role,
            "amount": partner.amount,
            "cofinancing": partner.cofinancing,
            "version": partner.version,
        },
    )
    back = reverse("funding:proposal", args=[partner.proposal_id])
    return _edit(
        request,
        form,
        lambda: services.set_partner_share(actor=request.user, partner=partner, **form.cleaned_data),
        success=_("Partner's share saved."),
        back_url=back,
        context={
            "heading": _("Partner: %(name)s") % {"name": partner.institution},
            "remove_form": None
            if partner.institution_id == partner.proposal.lead_id
            else forms.RemoveForm(initial={"version": partner.version}),
            "remove_url": reverse("funding:partner_remove", args=[partner.pk]),
            "remove_label": _("Remove the partner"),
            "parent_label": partner.proposal.title,
        },
    )


@require_POST
def partner_remove(request, pk):
    partner = _partner(request, pk, "funding.change_partners")
    form = forms.RemoveForm(request.POST)
    return _remove(
        request,
        form,
        lambda: services.remove_partner(actor=request.user, partner=partner, version=form.cleaned_data["version"]),
        success=_("Partner removed."),
        done_url=reverse("funding:proposal", args=[partner.proposal_id]),
        edit_url=reverse("funding:partner_edit", args=[partner.pk]),
    )


def _line(request, pk, line_pk):
    project = _project(request, pk, "funding.manage_project")
    line = get_object_or_404(project.budget_lines.all(), pk=line_pk)
    line.project = project
    return project, line


def budget_line_edit(request, pk, line_pk):
    project, line = _line(request, pk, line_pk)
    form = forms.BudgetLineEditForm(
        request.POST or None,
        instance=BudgetLine(
            pk=line.pk, project=project, category=line.category, description=line.description, amount=line.amount
        ),
        initial={"version": line.version},
    )
    return _edit(
        request,
        form,
        lambda: services.update_budget_line(
            actor=request.user,
            line=line,
            version=form.cleaned_data["version"],
            **{name: form.cleaned_data[name] for name in ("category", "description", "amount")},
        ),
        success=_("Budget line saved."),
        back_url=reverse("funding:project", args=[project.pk]),
        context={
            "heading": _("Budget line: %(line)s") % {"line": line},
            "remove_form": forms.RemoveForm(initial={"version": line.version}),
            "remove_url": reverse("funding:budget_line_remove", args=[project.pk, line.pk]),
            "remove_label": _("Remove the budget line"),
            "remove_help": _("Only a budget line with no expenditure recorded on it can be removed."),
            "parent_label": project.title,
        },
    )


@require_POST
def budget_line_remove(request, pk, line_pk):
    project, line = _line(request, pk, line_pk)
    form = forms.RemoveForm(request.POST)
    return _remove(
        request,
        form,
        lambda: services.remove_budget_line(actor=request.user, line=line, version=form.cleaned_data["version"]),
        success=_("Budget line removed."),
        done_url=reverse("funding:project", args=[project.pk]),
        edit_url=reverse("funding:budget_line_edit", args=[project.pk, line.pk]),
    )


def _milestone(request, pk, milestone_pk):
    project = _project(request, pk, "funding.manage_project")
    milestone = get_object_or_404(project.milestones.all(), pk=milestone_pk)
    milestone.project = project
    return project, milestone


def milestone_edit(request, pk, milestone_pk):
    project, milestone = _milestone(request, pk, milestone_pk)
    form = forms.MilestoneEditForm(
        request.POST or None,
        instance=Milestone(
            pk=milestone.pk, project=project, **{n: getattr(milestone, n) for n in services.MILESTONE_FIELDS}
        ),
        initial={"version": milestone.version},
    )
    return _edit(
        request,
        form,
        lambda: services.update_milestone(
            actor=request.user,
            milestone=milestone,
            version=form.cleaned_data["version"],
            **{name: form.cleaned_data[name] for name in services.MILESTONE_FIELDS},
        ),
        success=_("Milestone saved."),
        back_url=reverse("funding:project", args=[project.pk]),
        context={
            "heading": _("Milestone: %(title)s") % {"title": milestone.title},
            "remove_form": forms.RemoveForm(initial={"version": milestone.version}),
            "remove_url": reverse("funding:milestone_remove", args=[project.pk, milestone.pk]),
            "remove_label": _("Remove the milestone"),
            "parent_label": project.title,
        },
    )


@require_POST
def milestone_remove(request, pk, milestone_pk):
    project, milestone = _milestone(request, pk, milestone_pk)
    form = forms.RemoveForm(request.POST)
    return _remove(
        request,
        form,
        lambda: services.remove_milestone(
            actor=request.user, milestone=milestone, version=form.cleaned_data["version"]
        ),
        success=_("Milestone removed."),
        done_url=reverse("funding:project", args=[project.pk]),
        edit_url=reverse("funding:milestone_edit", args=[project.pk, milestone.pk]),
    )


def _expenditure(request, pk, expenditure_pk):
    project = _project(request, pk, "funding.manage_project")
    expenditure = get_object_or_404(
        project.expenditures.select_related("budget_line", "partner__institution"), pk=expenditure_pk
    )
    expenditure.project = project
    return project, expenditure


def expenditure_edit(request, pk, expenditure_pk):
    """Correct an expenditure (the same checks as recording it); a cancelled one is shown, not edited."""
    project, expenditure = _expenditure(request, pk, expenditure_pk)
    back = reverse("funding:project", args=[project.pk])
    context = {
        "heading": _("Expenditure: %(expenditure)s") % {"expenditure": expenditure},
        "expenditure": expenditure,
        "parent_label": project.title,
    }
    if expenditure.cancelled_at is not None:
        if request.method == "POST":
            messages.error(request, _("A cancelled expenditure cannot be changed."))
            return redirect(back)
        return _edit_page(request, {**context, "form": None, "back_url": back})
    form = forms.ExpenditureEditForm(
        request.POST or None,
        request.FILES or None,
        project=project,
        initial={
            **{name: getattr(expenditure, name) for name in services.EXPENDITURE_FIELDS},
            "override_reason": expenditure.override_reason,
            "version": expenditure.version,
        },
    )
    context.update(
        {
            "remove_form": forms.CancelExpenditureForm(initial={"version": expenditure.version}, prefix="cancel"),
            "remove_url": reverse("funding:expenditure_cancel", args=[project.pk, expenditure.pk]),
            "remove_label": _("Cancel the expenditure"),
            "remove_heading": _("Cancel the expenditure"),
            "remove_help": _(
                "An expenditure is never deleted: cancelled, it stays listed with who cancelled it, when and why, "
                "and no total or report counts it."
            ),
        }
    )
    return _edit(
        request,
        form,
        lambda: services.update_expenditure(
            actor=request.user,
            expenditure=expenditure,
            version=form.cleaned_data["version"],
            document=form.cleaned_data["document"],
            override_reason=form.cleaned_data["override_reason"],
            **{name: form.cleaned_data[name] for name in services.EXPENDITURE_FIELDS},
        ),
        success=_("Expenditure saved."),
        back_url=back,
        context=context,
    )


@require_POST
def expenditure_cancel(request, pk, expenditure_pk):
    """Cancel an expenditure with a reason (kept, listed as cancelled, excluded from every sum)."""
    project, expenditure = _expenditure(request, pk, expenditure_pk)
    form = forms.CancelExpenditureForm(request.POST, prefix="cancel")
    back = reverse("funding:project", args=[project.pk])
    conflict = None
    if form.is_valid():
        saved, conflict = run_service(
            form,
            lambda: services.cancel_expenditure(
                actor=request.user,
                expenditure=expenditure,
                version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if saved:
            messages.success(request, _("Expenditure cancelled: it stays listed, and no total counts it."))
            return redirect(back)
    if conflict is not None:
        form.data = form.data.copy()
        form.data["cancel-version"] = conflict.version
    context = {
        "heading": _("Expenditure: %(expenditure)s") % {"expenditure": expenditure},
        "expenditure": expenditure,
        "parent_label": project.title,
        "form": None,
        "conflict": conflict,
        "back_url": back,
        "remove_form": form,
        "remove_url": reverse("funding:expenditure_cancel", args=[project.pk, expenditure.pk]),
        "remove_label": _("Cancel the expenditure"),
        "remove_heading": _("Cancel the expenditure"),
    }
    return _edit_page(request, context, conflict=conflict)
