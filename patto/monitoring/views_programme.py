"""Programme monitoring: the district's PIPPI paths as figures, for a cohort and the district.
Aggregates only (no access row: no family is read), guarded by ``district_for``."""

from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from . import programme
from .forms_programme import MAX_MONTHS, ProgrammeForm, month_end
from .outcomes import outcome_tables
from .programme import Selection, add_months, default_period
from .views import district_for, figures_response

FIELDS = ("coorte", "dal", "al")


def selection_from(form, district):
    """What the filters ask for, in whole months; a bad value (the form says which) gives way to its default."""
    valid = form.is_valid() if form.is_bound else False
    data = form.cleaned_data if form.is_bound else {}
    cohort = data.get("coorte") or form.fields["coorte"].queryset.first()
    start, end = default_period(cohort)
    start, end = data.get("dal") or start, data.get("al") or end
    if not valid and (end < start or add_months(start.replace(day=1), MAX_MONTHS) <= end):
        start, end = default_period(cohort)
    return Selection(district, cohort, start.replace(day=1), month_end(end))


@require_GET
def programme_page(request):
    district = district_for(request)
    bound = any(name in request.GET for name in FIELDS)
    form = ProgrammeForm(request.GET if bound else None, district=district)
    selection = selection_from(form, district)
    figures = programme.figures(selection)
    outcomes = outcome_tables(district, selection.cohort)  # T0→T2, its own section
    name = f"programma-{slugify(selection.cohort.name) if selection.cohort else 'distretto'}"
    download = figures_response(request, "programme", figures + outcomes, name)
    if download is not None:
        return download
    if not bound:
        form = ProgrammeForm(
            initial={"coorte": selection.cohort, "dal": selection.starts_on, "al": selection.ends_on},
            district=district,
        )
    return render(
        request,
        "monitoring/programme.html",
        {
            "district": district,
            "form": form,
            "selection": selection,
            "figures": figures,
            "outcomes": outcomes,
            "tolerance": programme.TOLERANCE_DAYS,
            "p90_min_n": programme.P90_MIN_N,
        },
    )
