"""Commitments and their monitoring: each party's status updates and indicators, the periods, the report
(page, PDF, spreadsheet)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.accounts.stepup import require_recent_password
from patto.core.exceptions import TransitionError
from patto.core.exportjobs import queue_export
from patto.core.exports import fits_in_request, pdf_response, xlsx_download
from patto.core.forms import add_service_errors
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for

from . import forms, queries, reports, services
from .models import MonitoringPeriod
from .queries import attach_indicators, commitments_with_status
from .views import _fetch, _pact


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
        # What the rows repeat, worked out once: the text that names a commitment's links for screen readers.
        commitment.short_text = Truncator(commitment.text).chars(40)
    return render(
        request,
        "governance/commitments.html",
        {
            "pact": pact,
            "in_force": in_force,
            "period": period,
            "commitments": commitments,
            "can_add_indicators": request.user.has_perm("governance.change_pact"),
        },
    )


def _commitment_in_force(request, commitment_pk, perm):
    return get_object_for(
        request.user,
        perm,
        queries.commitments_in_force_visible_to(request.user).select_related("institution", "pact_version__pact"),
        pk=commitment_pk,
    )


def commitment_status(request, commitment_pk):
    commitment = _commitment_in_force(request, commitment_pk, "governance.update_commitment_status")
    period = _open_period(commitment.pact_version.pact)
    form = forms.StatusForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            if period is None:
                raise ValidationError(_("No monitoring period is open: ask the pact coordinator to open one."))
            services.update_commitment_status(
                actor=request.user, commitment=commitment, period=period, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Status updated."))
            return redirect("governance:commitments")
    with transaction.atomic():
        history = queries.read_commitment_history(actor=request.user, commitment=commitment)
        return render(
            request,
            "governance/commitment_status.html",
            {"commitment": commitment, "period": period, "form": form, "history": history},
        )


def period_list(request):
    pact = _pact(request, "governance.view_governance")
    return render(
        request,
        "governance/periods.html",
        {
            "pact": pact,
            "periods": pact.periods.all(),
            "open_period": _open_period(pact),
            "can_change": request.user.has_perm("governance.change_pact"),
            "form": forms.PeriodForm(),
        },
    )


@require_POST
@once_per_form
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
    return render(
        request,
        "governance/periods.html",
        {
            "pact": pact,
            "periods": pact.periods.all(),
            "open_period": _open_period(pact),
            "can_change": True,
            "form": form,
        },
    )


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
        context = reports.read_report(actor=request.user, period=period, action="governance.report.viewed")
        return render(request, "governance/report.html", context)


def period_report_pdf(request, period_pk):
    """The report as a PDF (staff names leave Patto): authorised first, then step-up."""
    return _period_report_pdf(request, _period(request, period_pk))


def _in_background(request, period, kind):
    """A report too big for the request is built by the worker; the user waits on the export's page."""
    if fits_in_request(reports.size(period)):
        return None
    back = reverse("governance:period_report", kwargs={"period_pk": period.pk})
    return queue_export(request, kind, {"period": period.pk}, back_url=back)


@require_recent_password
def report_download_check(request, params):
    """A background report's download repeats the report's checks: the period visible, governance, step-up."""
    _period(request, params["period"])


@require_recent_password
def _period_report_pdf(request, period):
    if queued := _in_background(request, period, "governance.report_pdf"):
        return queued
    with transaction.atomic():
        context = reports.read_report(actor=request.user, period=period, action="governance.report.pdf")
        return pdf_response(request, "governance/report_document.html", context, f"monitoraggio-{period.pk}.pdf")


def period_report_xlsx(request, period_pk):
    """The report as a spreadsheet (staff names leave Patto): authorised first, then step-up."""
    return _period_report_xlsx(request, _period(request, period_pk))


@require_recent_password
def _period_report_xlsx(request, period):
    if queued := _in_background(request, period, "governance.report_xlsx"):
        return queued
    with transaction.atomic():
        context = reports.read_report(actor=request.user, period=period, action="governance.report.xlsx")
        return xlsx_download(reports.xlsx_sheets(context), f"monitoraggio-{period.pk}.xlsx")


@once_per_form
def indicator_add(request, commitment_pk):
    commitment = _commitment_in_force(request, commitment_pk, "governance.change_pact")
    form = forms.IndicatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.add_indicator(actor=request.user, commitment=commitment, **form.cleaned_data)
        messages.success(request, _("Indicator added."))
        return redirect("governance:commitments")
    return render(request, "governance/indicator_form.html", {"commitment": commitment, "form": form})


def indicator_value(request, indicator_pk):
    indicator = get_object_for(
        request.user,
        "governance.value_indicator",
        queries.indicators_in_force_visible_to(request.user).select_related(
            "commitment__institution", "commitment__pact_version__pact"
        ),
        pk=indicator_pk,
    )
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
