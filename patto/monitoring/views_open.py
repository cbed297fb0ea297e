"""Open data: the coordinator publishes tables of the needs-analysis report for a year (a snapshot, as the
report shows them), and anyone reads them without signing in, as a page and a CSV, under CC BY 4.0.

The figures are stored at publication, not recomputed: what was published stays what it was (a correction
in the data reaches open data only when the coordinator publishes again, which replaces the year's dataset
and is audited)."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patto.accounts.middleware import mfa_exempt
from patto.accounts.models import District
from patto.core.exports import safe_cell
from patto.core.forms import add_service_errors
from patto.core.idempotency import once_per_form

from . import needs, services_needs
from .forms_needs import PublishForm
from .models import OpenDataset
from .views import district_for
from .views_needs import _year

# The report's tables that may be published: the needs analysis by comune and year (not the outcomes).
PUBLISHABLE = ("comuni", "graduatoria", "eta", "fonti", "scuole", "anni", "coorti")


def _publishable(district, year):
    return [table for table in needs.figures(district, year) if table.key in PUBLISHABLE]


@once_per_form
def open_data(request):
    """The coordinator's page: the datasets published (online or withdrawn) and the form to publish."""
    district = district_for(request, "monitoring.publish")
    year_form, year = _year(request)
    if request.method == "POST":
        year = needs.Year(_posted_year(request) or year.year)
    tables = _publishable(district, year)
    form = PublishForm(request.POST if request.method == "POST" else None, tables=tables, year=year.year)
    if request.method == "POST" and form.is_valid():
        chosen = [table for table in tables if table.key in form.cleaned_data["tables"]]
        try:
            services_needs.publish_open_data(actor=request.user, year=year.year, tables=chosen)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The figures for %(year)s are online as open data.") % {"year": year.year})
            return redirect("monitoring:open_data")
    with transaction.atomic():
        datasets = OpenDataset.objects.filter(district=district).select_related("published_by", "withdrawn_by")
        return render(
            request,
            "monitoring/open_data.html",
            {
                "district": district,
                "year": year.year,
                "year_form": year_form,
                "form": form,
                "datasets": datasets,
                "public_url": request.build_absolute_uri(reverse("open_data_public", args=[district.pk])),
            },
            status=400 if form.is_bound and form.errors else 200,
        )


def _posted_year(request):
    try:
        year = int(request.POST.get("anno", ""))
    except ValueError:
        return None
    return year if 2000 <= year <= needs.default_year() + 1 else None


@require_POST
def open_data_withdraw(request, dataset_pk):
    district = district_for(request, "monitoring.publish")
    dataset = get_object_or_404(OpenDataset, pk=dataset_pk, district=district)
    services_needs.withdraw_open_data(actor=request.user, dataset=dataset)
    messages.success(request, _("The figures for %(year)s are offline.") % {"year": dataset.year})
    return redirect("monitoring:open_data")


def _online(district_pk):
    district = get_object_or_404(District, pk=district_pk)
    datasets = list(OpenDataset.objects.filter(district=district, withdrawn_at=None).order_by("-year"))
    if not datasets:
        raise Http404
    return district, datasets


@login_not_required
@mfa_exempt
@require_GET
def open_data_public(request, district_pk):
    """The district's open data: every year online, each table as published, the licence and the date."""
    district, datasets = _online(district_pk)
    return render(
        request,
        "monitoring/open_data_public.html",
        {"district": district, "datasets": datasets, "licence_url": OpenDataset.LICENCE_URL},
    )


@login_not_required
@mfa_exempt
@require_GET
def open_data_csv(request, district_pk, dataset_pk):
    """One year's dataset as CSV, one figure per line (table, row, column, value): what the page shows."""
    _district, datasets = _online(district_pk)
    dataset = next((d for d in datasets if d.pk == dataset_pk), None)
    if dataset is None:
        raise Http404
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["anno", "tabella", "titolo", "riga", "colonna", "valore", "licenza", "pubblicato_il"])
    for table in dataset.tables:
        for row in table["rows"]:
            for column, (_text, value, _hidden) in zip(table["header"][1:], row["cells"]):
                writer.writerow(
                    [
                        dataset.year,
                        table["key"],
                        safe_cell(table["title"]),
                        safe_cell(row["label"]),
                        safe_cell(column),
                        "" if value is None else safe_cell(value),
                        dataset.licence,
                        dataset.published_at.date().isoformat(),
                    ]
                )
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="dati-aperti-{dataset.year}.csv"'
    return response
