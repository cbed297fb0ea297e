"""Calls, partnership proposals and projects. Each view: fetch and authorise (not visible → 404, visible but
not allowed → 403, both audited), validate a form, call one service, respond."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from patto.accounts.models import Institution
from patto.audit.services import record_access, render_with_access
from patto.core.forms import add_service_errors, run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for
from patto.documents.responses import attachment_response
from patto.governance.queries import acting_district_id, institutions_in_standing, pacts_visible_to

from . import forms, queries, services
from .models import Call, Milestone, Proposal
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
    if agreement_form is None and can_move:
        agreement_form = forms.AgreementForm()
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
    services.confirm_participation(actor=request.user, partner=partner)
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
    proposal = _proposal(request, pk, "funding.change_proposal_status")
    form = forms.AgreementForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attach_agreement(actor=request.user, proposal=proposal, upload=form.cleaned_data["agreement"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Document attached."))
            return redirect("funding:proposal", pk=proposal.pk)
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
        .annotate(spent=queries.money_sum("expenditures__amount"))
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
        "expenditure_count": project.expenditures.count(),
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
    if form.is_valid():
        services.set_milestone_reached(actor=request.user, milestone=milestone, reached=form.cleaned_data["reached"])
        messages.success(request, _("Value reached saved."))
    else:
        messages.error(request, _("The value reached is a whole number, zero or more."))
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
