"""Reads of the territory's data. Figures, not people: no access row is needed. Each helper returns a
queryset of values computed in the database (GROUP BY), for the monitoring app to join with its counts."""

from django.db.models import Count, Q, Sum

from .models import SCHOOL_KINDS, Comune, ResidentPopulation, SchoolEnrolment


def comuni_of(district, *, active_only=True):
    comuni = Comune.objects.filter(district=district)
    return comuni.filter(is_active=True) if active_only else comuni


def population_by_band(district, year):
    """[{"comune_id", "comune__istat_code", "comune__name", "age_band", "count", "approximate"}] for the
    district's comuni in ``year``: one row per comune and band."""
    return (
        ResidentPopulation.objects.filter(comune__district=district, year=year)
        .values("comune_id", "comune__istat_code", "comune__name", "age_band", "count", "approximate")
        .order_by("comune__name", "age_band")
    )


def population_by_comune(district, year):
    """Residents aged 0-17 per comune in ``year`` (GROUP BY comune): {"comune_id", …, "residents",
    "approximate_rows"} (the number of its bands that are approximate: 0 when none is)."""
    return (
        ResidentPopulation.objects.filter(comune__district=district, year=year)
        .values("comune_id", "comune__istat_code", "comune__name")
        .annotate(residents=Sum("count"), approximate_rows=Count("pk", filter=Q(approximate=True)))
        .order_by("comune__name")
    )


def population_by_age_band(district, year):
    """Residents of the district per band in ``year`` (GROUP BY band)."""
    return (
        ResidentPopulation.objects.filter(comune__district=district, year=year)
        .values("age_band")
        .annotate(residents=Sum("count"), approximate_rows=Count("pk", filter=Q(approximate=True)))
        .order_by("age_band")
    )


def population_years(district):
    """The years loaded for the district, with whether any figure of that year is approximate."""
    return (
        ResidentPopulation.objects.filter(comune__district=district)
        .values("year")
        .annotate(approximate_rows=Count("pk", filter=Q(approximate=True)), residents=Sum("count"))
        .order_by("-year")
    )


def comuni_with_population(district):
    """The district's comuni, each with the years loaded (``years``: the newest first) and whether any is
    approximate: one query for the comuni and one for the years (the rows of a comune are its years)."""
    comuni = list(comuni_of(district, active_only=False))
    years = (
        ResidentPopulation.objects.filter(comune__district=district)
        .values("comune_id", "year")
        .annotate(residents=Sum("count"), approximate_rows=Count("pk", filter=Q(approximate=True)))
        .order_by("comune_id", "-year")
    )
    by_comune = {}
    for row in years:  # rows per comune × year loaded, not per person: bounded by the comuni and the years
        by_comune.setdefault(row["comune_id"], []).append(row)
    for comune in comuni:
        comune.years = by_comune.get(comune.pk, [])
    return comuni


def enrolment_by_school(district, school_year=None):
    """[{"school_id", "school__name", "school__kind", "school_year", "pupils"}] for the district's schools."""
    rows = SchoolEnrolment.objects.filter(school__district=district, school__kind__in=SCHOOL_KINDS)
    if school_year is not None:
        rows = rows.filter(school_year=school_year)
    return rows.values("school_id", "school__name", "school__kind", "school_year", "pupils").order_by(
        "school__name", "-school_year"
    )


def enrolment_by_year(district):
    """Pupils of the district's schools per school year (GROUP BY year)."""
    return (
        SchoolEnrolment.objects.filter(school__district=district, school__kind__in=SCHOOL_KINDS)
        .values("school_year")
        .annotate(pupils=Sum("pupils"), schools=Count("school_id"))
        .order_by("-school_year")
    )
