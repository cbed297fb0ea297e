from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.accounts.middleware import mfa_exempt
from patto.accounts.models import Institution
from patto.accounts.stepup import require_recent_password
from patto.core.exceptions import TransitionError
from patto.core.exports import pdf_response, xlsx_response
from patto.core.forms import run_service, add_service_errors
from patto.core.shortcuts import get_object_for
from patto.documents.responses import attachment_response

from . import forms, queries, services
from .diff import compare
from .models import (Adhesion, BodyMeeting, Commitment, CommitmentUpdate, MonitoringPeriod, Pact, PactVersion,
                     Section)
from .queries import (acting_district_id, active_adhesions, attach_indicators, commitments_with_status, document_owner,
                      pacts_visible_to, visible_to)


def _pact(request, perm="governance.view_pact"):
    """The pact of the user's district, fetched and authorised like every record: no standing → 404, not
    allowed → 403, each refusal audited (the pact is looked up by the district, so it is named even when
    the user's institution has lost its standing)."""
    return get_object_for(request.user, perm, pacts_visible_to(request.user),
                          district_id=acting_district_id(request.user))


def _fetch(request, perm, model, related=(), **lookup):
    """A record of the pact visible to the user (404, audited when it exists), ``perm`` on it (403, audited)."""
    return get_object_for(request.user, perm, visible_to(request.user, model).select_related(*related), **lookup)


def _version(request, number, perm=None):
    pact = _pact(request, "governance.view_governance")
    return get_object_for(request.user, perm, visible_to(request.user, PactVersion).select_related("pact"),
                          pact=pact, number=number)


def _institutions(pact):
    return Institution.objects.filter(district_id=pact.district_id, is_active=True).order_by("name")


def pact(request):
    pact = _pact(request)
    in_force = pact.version_in_force()
    return render(request, "governance/pact.html", {
        "pact": pact, "in_force": in_force,
        "sections": in_force.sections.all() if in_force else [],
        "commitments": in_force.commitments.select_related("institution") if in_force else [],
        "signatory_count": active_adhesions(pact).count(),
        "governance": request.user.has_perm("governance.view_governance"),
        "can_publish": request.user.has_perm("governance.change_pact"),
        "public_url": request.build_absolute_uri(reverse("public_pact", kwargs={"public_id": pact.public_id}))})


def governance_dashboard(request):
    """The coordinator's home for the pact (readable by every governance role)."""
    pact = _pact(request, "governance.view_governance")
    with transaction.atomic():
        data = queries.read_dashboard(actor=request.user, pact=pact)
        return render(request, "governance/dashboard.html", {"pact": pact, **data})


@require_POST
def publication(request):
    pact = _pact(request, "governance.change_pact")
    services.set_publication(actor=request.user, pact=pact, is_public=request.POST.get("publish") == "1")
    messages.success(request, _("The public page is online.") if pact.is_public else _("The public page is offline."))
    return redirect("governance:pact")


@login_not_required
@mfa_exempt
def public_pact(request, public_id):
    """The pact as a signatory can share it: the text in force and the signatories (institutions and dates,
    no signers' names), readable without signing in once the coordinator publishes it."""
    pact = Pact.objects.filter(public_id=public_id, is_public=True).first()
    in_force = pact.version_in_force() if pact else None
    if in_force is None:
        raise Http404
    return render(request, "governance/public_pact.html", {
        "pact": pact, "in_force": in_force, "sections": in_force.sections.all(),
        "commitments": in_force.commitments.select_related("institution"),
        "signatories": active_adhesions(pact).select_related("institution").order_by("institution__name")})


def versions(request):
    pact = _pact(request, "governance.view_governance")
    in_force = pact.version_in_force()
    return render(request, "governance/versions.html", {
        "pact": pact, "versions": pact.versions.select_related("approved_in__body"), "in_force": in_force,
        "can_change": request.user.has_perm("governance.change_pact"), "draft_form": forms.DraftForm()})


@require_POST
def version_draft(request):
    pact = _pact(request, "governance.change_pact")
    form = forms.DraftForm(request.POST)
    if form.is_valid():
        try:
            draft = services.draft_version(actor=request.user, pact=pact, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Draft created from the version in force."))
            return redirect("governance:version_detail", number=draft.number)
    return redirect("governance:versions")


def version_detail(request, number):
    version = _version(request, number)
    return render(request, "governance/version_detail.html", {
        "pact": version.pact, "pact_version": version, "sections": version.sections.all(),
        "commitments": version.commitments.select_related("institution"),
        "in_force": version.pact.version_in_force(),
        "can_edit": request.user.has_perm("governance.change_version", version)})


def section_edit(request, number, key):
    version = _version(request, number, "governance.change_version")
    section = get_object_for(request.user, None, Section.objects.all(), pact_version=version, key=key)
    form = forms.SectionForm(request.POST or None, initial={"text": section.text, "version": section.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(form, lambda: services.update_section(
            actor=request.user, section=section, **form.cleaned_data))
        if saved:
            messages.success(request, _("Section saved."))
            return redirect("governance:version_detail", number=number)
    return render(request, "governance/section_form.html", {"pact_version": version, "section": section,
                                                            "form": form, "conflict": conflict},
                  status=409 if conflict else 200)


def commitment_edit(request, number, commitment_pk=None):
    version = _version(request, number, "governance.change_version")
    commitment = None
    if commitment_pk is not None:
        commitment = get_object_for(request.user, None,
                                    visible_to(request.user, Commitment).filter(pact_version=version), pk=commitment_pk)
    initial = ({"institution": commitment.institution_id, "text": commitment.text, "order": commitment.order,
                "version": commitment.version} if commitment else {})
    form = forms.CommitmentForm(request.POST or None, initial=initial, institutions=_institutions(version.pact))
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(form, lambda: services.save_commitment(
            actor=request.user, pact_version=version, commitment=commitment, **form.cleaned_data))
        if saved:
            messages.success(request, _("Commitment saved."))
            return redirect("governance:version_detail", number=number)
    return render(request, "governance/commitment_form.html", {"pact_version": version, "commitment": commitment,
                                                               "form": form, "conflict": conflict},
                  status=409 if conflict else 200)


def version_approve(request, number):
    version = _version(request, number, "governance.change_version")
    meetings = BodyMeeting.objects.filter(body__pact=version.pact).select_related("body").order_by("-starts_at")
    form = forms.ApproveForm(request.POST or None, initial={"version": version.version}, meetings=meetings)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(form, lambda: services.approve_version(
            actor=request.user, pact_version=version, **form.cleaned_data))
        if saved:
            messages.success(request, _("Version approved."))
            return redirect("governance:version_detail", number=number)
    return render(request, "governance/version_approve.html", {"pact_version": version, "form": form,
                                                               "conflict": conflict}, status=409 if conflict else 200)


def version_compare(request):
    pact = _pact(request, "governance.view_governance")
    numbers = sorted(pact.versions.values_list("number", flat=True))
    try:
        old_number = int(request.GET.get("da", numbers[-2] if len(numbers) > 1 else numbers[0]))
        new_number = int(request.GET.get("a", numbers[-1]))
    except (ValueError, IndexError):
        raise Http404 from None
    versions = visible_to(request.user, PactVersion)
    old = get_object_for(request.user, None, versions, pact=pact, number=old_number)
    new = get_object_for(request.user, None, versions, pact=pact, number=new_number)
    return render(request, "governance/compare.html", {"old": old, "new": new, "numbers": numbers,
                                                       "diff": compare(old, new)})


# --- Signatories ----------------------------------------------------------------------------------------

def signatory_list(request):
    pact = _pact(request)
    with transaction.atomic():
        adhesions = queries.read_signatories(actor=request.user, pact=pact)
        return render(request, "governance/signatories.html", {
            "pact": pact, "adhesions": adhesions, "can_change": request.user.has_perm("governance.change_pact"),
            "can_see_documents": request.user.has_perm("governance.view_governance")})


def adhesion_add(request):
    pact = _pact(request, "governance.change_pact")
    form = forms.AdhesionForm(request.POST or None, request.FILES or None, institutions=_institutions(pact))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_adhesion(actor=request.user, pact=pact, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Adhesion recorded."))
            return redirect("governance:signatories")
    return render(request, "governance/adhesion_form.html", {"form": form})


def _adhesion(request, adhesion_pk):
    return _fetch(request, "governance.change_pact", Adhesion, related=("institution", "pact"), pk=adhesion_pk)


def adhesion_attach(request, adhesion_pk):
    """The coordinator attaches the signed adhesion when it arrives (or replaces a wrong file)."""
    adhesion = _adhesion(request, adhesion_pk)
    form = forms.SignedDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attach_signed_document(actor=request.user, adhesion=adhesion,
                                            upload=form.cleaned_data["signed_document"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Signed document attached."))
            return redirect("governance:signatories")
    return render(request, "governance/adhesion_attach.html", {"form": form, "adhesion": adhesion})


def document(request, attachment_id):
    """A document of the pact (a signed adhesion, the evidence of an update or of an indicator's value),
    for the members with a governance role; served as a download with a name made by the server."""
    attachment = get_object_for(request.user, "governance.view_governance",
                                queries.documents_visible_to(request.user), pk=attachment_id)
    owner, filename = document_owner(attachment, pacts_visible_to(request.user))
    return attachment_response(request, attachment, filename=filename, action="governance.document.downloaded",
                               obj=owner)


def adhesion_withdraw(request, adhesion_pk):
    adhesion = _adhesion(request, adhesion_pk)
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_adhesion(actor=request.user, adhesion=adhesion, **form.cleaned_data)
        except TransitionError:
            messages.error(request, _("This institution has already withdrawn."))
            return redirect("governance:signatories")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Withdrawal recorded."))
            return redirect("governance:signatories")
    return render(request, "governance/withdraw_form.html", {"form": form, "adhesion": adhesion})


# --- Commitments and monitoring ----------------------------------------------------------------------------

def _open_period(pact):
    return pact.periods.filter(opened_at__isnull=False, closed_at__isnull=True).first()


def commitment_list(request):
    pact = _pact(request, "governance.view_governance")
    in_force = pact.version_in_force()
    period = _open_period(pact) or pact.periods.first()
    commitments = commitments_with_status(in_force, period) if in_force else []
    attach_indicators(commitments, period)
    for commitment in commitments:
        commitment.can_update = request.user.has_perm("governance.update_commitment_status", commitment)
    return render(request, "governance/commitments.html", {"pact": pact, "in_force": in_force, "period": period,
                                                           "commitments": commitments})


def _commitment_in_force(request, commitment_pk, perm):
    return get_object_for(request.user, perm, queries.commitments_in_force_visible_to(request.user)
                          .select_related("institution", "pact_version__pact"), pk=commitment_pk)


def commitment_status(request, commitment_pk):
    commitment = _commitment_in_force(request, commitment_pk, "governance.update_commitment_status")
    period = _open_period(commitment.pact_version.pact)
    form = forms.StatusForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            if period is None:
                raise ValidationError(_("No monitoring period is open: ask the pact coordinator to open one."))
            services.update_commitment_status(actor=request.user, commitment=commitment, period=period,
                                              **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Status updated."))
            return redirect("governance:commitments")
    with transaction.atomic():
        history = queries.read_commitment_history(actor=request.user, commitment=commitment)
        return render(request, "governance/commitment_status.html", {
            "commitment": commitment, "period": period, "form": form, "history": history})


def period_list(request):
    pact = _pact(request, "governance.view_governance")
    return render(request, "governance/periods.html", {
        "pact": pact, "periods": pact.periods.all(), "open_period": _open_period(pact),
        "can_change": request.user.has_perm("governance.change_pact"), "form": forms.PeriodForm()})


@require_POST
def period_open(request):
    pact = _pact(request, "governance.change_pact")
    form = forms.PeriodForm(request.POST)
    if form.is_valid():
        try:
            services.open_period(actor=request.user, pact=pact, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Monitoring period opened: each party can now update its commitments."))
            return redirect("governance:periods")
    return render(request, "governance/periods.html", {
        "pact": pact, "periods": pact.periods.all(), "open_period": _open_period(pact), "can_change": True,
        "form": form})


@require_POST
def period_close(request, period_pk):
    period = _fetch(request, "governance.change_pact", MonitoringPeriod, pk=period_pk)
    try:
        services.close_period(actor=request.user, period=period)
    except TransitionError:
        messages.error(request, _("This period is not open."))
    else:
        messages.success(request, _("Monitoring period closed."))
    return redirect("governance:periods")


def _period(request, period_pk):
    return _fetch(request, "governance.view_governance", MonitoringPeriod, related=("pact",), pk=period_pk)


def period_report(request, period_pk):
    """The monitoring report: every commitment with its status and evidence, and what changed since the
    previous period. Also as PDF and XLSX, for the cabina di regia and the Giunta; each read is logged."""
    period = _period(request, period_pk)
    with transaction.atomic():
        context = queries.read_report(actor=request.user, period=period, action="governance.report.viewed")
        return render(request, "governance/report.html", context)


def period_report_pdf(request, period_pk):
    """The report as a PDF (staff names leave Patto): authorised first, then step-up."""
    return _period_report_pdf(request, _period(request, period_pk))


@require_recent_password
def _period_report_pdf(request, period):
    with transaction.atomic():
        context = queries.read_report(actor=request.user, period=period, action="governance.report.pdf")
        return pdf_response(request, "governance/report_document.html", context, f"monitoraggio-{period.pk}.pdf")


def period_report_xlsx(request, period_pk):
    """The report as a spreadsheet (staff names leave Patto): authorised first, then step-up."""
    return _period_report_xlsx(request, _period(request, period_pk))


@require_recent_password
def _period_report_xlsx(request, period):
    header = [_("Party"), _("Commitment"), _("Status"), _("Previous period"), _("Evidence"), _("Attached document"),
              _("Updated by"), _("Updated on")]
    with transaction.atomic():
        context = queries.read_report(actor=request.user, period=period, action="governance.report.xlsx")
        rows = [[str(c.institution), c.text,
                 str(c.latest.get_status_display()) if c.latest else str(CommitmentUpdate.Status.NOT_STARTED.label),
                 str(c.previous.get_status_display()) if c.previous else "", c.latest.evidence if c.latest else "",
                 c.latest.evidence_file.original_name if c.latest and c.latest.evidence_file else "",
                 str(c.latest.author_institution) if c.latest else "",
                 timezone.localtime(c.latest.created_at).strftime("%d/%m/%Y") if c.latest else ""]
                for c in context["commitments"]]
        return xlsx_response(period.name, header, rows, f"monitoraggio-{period.pk}.xlsx")


def pact_pdf(request):
    """The text in force with its signatories (their signers' names: the read is logged)."""
    pact = _pact(request)
    with transaction.atomic():
        context = queries.read_pact_document(actor=request.user, pact=pact)
        if context is None:
            raise Http404
        return pdf_response(request, "governance/pact_document.html", context,
                            f"patto-versione-{context['in_force'].number}.pdf")


def indicator_add(request, commitment_pk):
    commitment = _commitment_in_force(request, commitment_pk, "governance.change_pact")
    form = forms.IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_indicator(actor=request.user, commitment=commitment, **form.cleaned_data)
        messages.success(request, _("Indicator added."))
        return redirect("governance:commitments")
    return render(request, "governance/indicator_form.html", {"commitment": commitment, "form": form})


def indicator_value(request, indicator_pk):
    indicator = get_object_for(request.user, "governance.value_indicator", queries.indicators_in_force_visible_to(
        request.user).select_related("commitment__institution", "commitment__pact_version__pact"), pk=indicator_pk)
    period = _open_period(indicator.commitment.pact_version.pact)
    form = forms.IndicatorValueForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            if period is None:
                raise ValidationError(_("No monitoring period is open: ask the pact coordinator to open one."))
            services.record_indicator_value(actor=request.user, indicator=indicator, period=period, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Value recorded."))
            return redirect("governance:commitments")
    return render(request, "governance/indicator_value.html", {"indicator": indicator, "period": period, "form": form})
