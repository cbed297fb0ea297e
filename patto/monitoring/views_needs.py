"""The needs analysis of the territory: its page (figures with charts, tables and downloads), the report (a
page and a PDF for a year) and the report attached as evidence to a commitment of the pact.

The PDF is rendered in the request: it holds aggregates only, bounded by the comuni, the bands, the sources,
the schools and the cohorts, never by the number of families, so it does not grow with the data."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patto.core.exports import pdf_response, render_pdf
from patto.core.forms import add_service_errors
from patto.core.idempotency import once_per_form
from patto.governance.models import MonitoringPeriod
from patto.governance.queries import commitments_in_force_visible_to

from . import needs, services, services_needs
from .forms_needs import AttachForm, YearForm
from .views import district_for, figures_response


def _year(request):
    """The year asked for (``?anno=``), or last year; a bad one is explained and the default used."""
    form = YearForm(request.GET if "anno" in request.GET else None, initial={"anno": needs.default_year()})
    year = form.cleaned_data["anno"] if form.is_bound and form.is_valid() else needs.default_year()
    return form, needs.Year(year)


@require_GET
def needs_page(request):
    district = district_for(request)
    form, year = _year(request)
    figures = needs.figures(district, year)
    download = figures_response(request, "needs", figures, f"analisi-bisogni-{year.year}")
    if download is not None:
        return download
    return render(
        request,
        "monitoring/needs.html",
        {
            "district": district,
            "form": form,
            "year": year.year,
            "figures": figures,
            "population": needs.population_sources(district, year),
            "can_publish": request.user.has_perm("monitoring.publish"),
        },
    )


def report_context(district, year):
    figures = needs.figures(district, year)
    cohort, outcomes = needs.last_closed_cohort_outcomes(district)
    return {
        "district": district,
        "year": year.year,
        "figures": figures,
        "by_key": {table.key: table for table in figures},
        "summary": needs.summary(figures),
        "population": needs.population_sources(district, year),
        "cohort": cohort,
        "outcomes": outcomes,
        "small_cell": needs.threshold(),
        "generated_on": timezone.localdate(),
    }


def _commitments(request):
    return (
        commitments_in_force_visible_to(request.user)
        .select_related("institution")
        .order_by("institution__name", "order")
    )


@require_GET
def report_page(request):
    district = district_for(request)
    form, year = _year(request)
    context = report_context(district, year)
    download = figures_response(request, "needs_report", context["figures"], f"relazione-bisogni-{year.year}")
    if download is not None:
        return download
    attach = None
    if request.user.has_perm("monitoring.publish"):
        attach = AttachForm(commitments=_commitments(request), year=year.year)
    return render(request, "monitoring/report.html", {**context, "form": form, "attach_form": attach})


@require_GET
def report_pdf(request):
    district = district_for(request)
    _form, year = _year(request)
    with transaction.atomic():
        services.record_download(actor=request.user, page="needs_report", table="report", fmt="pdf")
        return pdf_response(request, "monitoring/report_document.html", report_context(district, year), _pdf_name(year))


def _pdf_name(year):
    return f"analisi-dei-bisogni-{year.year}.pdf"


def _open_period(commitment):
    return MonitoringPeriod.objects.filter(
        pact_id=commitment.pact_version.pact_id, opened_at__isnull=False, closed_at__isnull=True
    ).first()


@require_POST
@once_per_form
def report_attach(request):
    """One click: the report's PDF for the year, rendered now, as the evidence of the chosen commitment."""
    district = district_for(request, "monitoring.publish")
    form = AttachForm(request.POST, commitments=_commitments(request), year=needs.default_year())
    if form.is_valid():
        year = needs.Year(form.cleaned_data["anno"])
        commitment = form.cleaned_data["commitment"]
        period = _open_period(commitment)
        try:
            if period is None:
                raise ValidationError(_("No monitoring period is open: open one on the pact's monitoring page."))
            html = _render_document(request, district, year)
            services_needs.attach_report(
                actor=request.user,
                year=year.year,
                pdf=render_pdf(html, origin=request.build_absolute_uri("/")),
                commitment=commitment,
                period=period,
                status=form.cleaned_data["status"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("The report for %(year)s is attached to the commitment “%(commitment)s”.")
                % {"year": year.year, "commitment": commitment},
            )
            return redirect(f"{reverse('monitoring:needs_report')}?anno={year.year}")
    year = needs.Year(form.cleaned_data.get("anno") or needs.default_year())
    context = report_context(district, year)
    return render(
        request,
        "monitoring/report.html",
        {**context, "form": YearForm(initial={"anno": year.year}), "attach_form": form},
        status=400,
    )


def _render_document(request, district, year):
    return render_to_string(
        "monitoring/report_document.html", {**report_context(district, year), "pdf": True}, request=request
    )
