"""The needs analysis of the territory: rates per 1,000 residents aged 0-17, by comune, age band, source of
the signal and school, with their trends. Everything is counted in the database (GROUP BY, COUNT with a
filter): a fixed number of queries whatever the number of families, and no row of a person reaches Python.

What is counted, in words (the same words are on the page and in the report's method section):

- **A signal** is a report about a child to the social service, counted once, in the year it was made:
  every family's path counts one signal on its signal date (``Path.signal_date``), under the channel the
  team recorded (``Path.signal_channel``); a signal sent through Patto (a ``referrals`` request of the
  kind "signal") that did not become a path counts one more, on the day it was sent: still being handled,
  or closed with "no intervention needed". A signal taken in charge is the path's (not counted twice), a
  signal sent on to another service counts where it arrives, a signal withdrawn by its sender not at all.
- **A family in a path** in a year: its family's agreement was signed by 31 December and the path was
  not closed before 1 January (the domain's dates, never the records' creation).
- **A child in a path**: a child of such a family.
- **The comune** of a family is the comune of residence of its eldest child with one recorded; a child's
  is their own; a signal sent through Patto names the comune of the child's residence. Who lives outside
  the district, or whose comune is not recorded yet, is counted in the row "Comune not recorded or
  outside the district" (so totals reconcile with the case data), which has no rate.
- **Ages** are taken on 1 July of the year (the middle of the year the rate is about); the population is
  ISTAT's on 1 January of the year.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Case as SqlCase
from django.db.models import Count, OuterRef, Q, Subquery, Value
from django.db.models import When as SqlWhen
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patto.accounts.models import Institution
from patto.cases.models import CHANNEL_OF_KIND, Cohort, Path, Person, SignalChannel
from patto.referrals.models import Kind as RequestKind
from patto.referrals.models import Request
from patto.territory import queries as territory
from patto.territory.bands import AGE_BANDS, age_band_case
from patto.territory.models import SCHOOL_KINDS, Comune, school_year_label

from .outcomes import outcome_tables
from .tables import COUNT, RATE, VALUE, Chart, Column, Table

TREND_YEARS = 5
PER = 1000
UNKNOWN = "unknown"  # the row of those without a comune (or a band) of the district


@dataclass(frozen=True)
class Year:
    year: int

    @property
    def first(self):
        return date(self.year, 1, 1)

    @property
    def last(self):
        return date(self.year, 12, 31)

    @property
    def middle(self):
        return date(self.year, 7, 1)

    def moments(self):
        """The year's bounds as aware datetimes (for ``sent_at``): [1 January, next 1 January)."""
        zone = timezone.get_current_timezone()
        return (
            datetime.combine(self.first, time.min, tzinfo=zone),
            datetime.combine(date(self.year + 1, 1, 1), time.min, tzinfo=zone),
        )


# --- What is counted ----------------------------------------------------------------------------------------


def _family_comune():
    """The comune of a path's family: its eldest child's with one recorded (a correlated subquery)."""
    return Subquery(
        Person.objects.filter(family=OuterRef("family_id"), kind=Person.Kind.CHILD, comune__isnull=False)
        .order_by("birth_date", "pk")
        .values("comune_id")[:1]
    )


def paths_of(district):
    return Path.objects.filter(cohort__district=district)


def path_signals(district, year):
    return paths_of(district).filter(signal_date__range=(year.first, year.last))


def in_force_q(year, prefix=""):
    """A path with the family's agreement signed by the end of ``year`` and not closed before it started."""
    return Q(**{f"{prefix}agreement__signed_on__lte": year.last}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": year.first})
    )


def paths_in_force(district, year):
    return paths_of(district).filter(in_force_q(year))


def request_signals(district, year=None):
    """Signals sent through Patto that did not become a path (see the module's words)."""
    S = Request.Status
    requests = Request.objects.filter(district=district, kind=RequestKind.SIGNAL, path__isnull=True).filter(
        Q(status__in=(S.SENT, S.ASSIGNED, S.WAITING_SENDER)) | Q(outcome=Request.Outcome.NO_INTERVENTION)
    )
    if year is not None:
        start, end = year.moments()
        requests = requests.filter(sent_at__gte=start, sent_at__lt=end)
    return requests


def _request_comune(district):
    """The district's Comune of a request's comune of residence (an institution), by its ISTAT code."""
    return Subquery(
        Comune.objects.filter(district=district, istat_code=OuterRef("comune__istat_code")).values("pk")[:1]
    )


def _request_channel():
    """A request's channel from the kind of the institution that sent it (as a path taken from it records)."""
    whens = [
        SqlWhen(sender_institution__kind=kind, then=Value(channel.value)) for kind, channel in CHANNEL_OF_KIND.items()
    ]
    return SqlCase(*whens, default=Value(SignalChannel.OTHER.value))


def _children_of(paths):
    return Person.objects.filter(kind=Person.Kind.CHILD, family_id__in=paths.values("family_id"))


def _grouped(queryset, field, **counts):
    """{value of ``field``: {name: count}} from one GROUP BY query."""
    rows = queryset.values(field).order_by().annotate(**counts)
    return {row[field]: row for row in rows}


def _add(target, key, name, value):
    target.setdefault(key, {}).setdefault(name, 0)
    target[key][name] += value or 0


def _rate(count, population):
    return None if not population else count * PER / population


# --- The figures --------------------------------------------------------------------------------------------


def by_comune(district, year):
    """Signals, families and children in a path, and their rates per 1,000 residents aged 0-17, per comune."""
    comuni = list(territory.comuni_of(district))
    population = {row["comune_id"]: row for row in territory.population_by_comune(district, year.year)}
    counts = {}
    for key, row in _grouped(
        path_signals(district, year).annotate(home=_family_comune()), "home", n=Count("pk")
    ).items():
        _add(counts, key, "signals", row["n"])
    for key, row in _grouped(
        request_signals(district, year).annotate(home=_request_comune(district)), "home", n=Count("pk")
    ).items():
        _add(counts, key, "signals", row["n"])
    for key, row in _grouped(
        paths_in_force(district, year).annotate(home=_family_comune()), "home", n=Count("family_id", distinct=True)
    ).items():
        _add(counts, key, "families", row["n"])
    for key, row in _grouped(_children_of(paths_in_force(district, year)), "comune_id", n=Count("pk")).items():
        _add(counts, key, "children", row["n"])

    known = {comune.pk for comune in comuni}
    rows, approximate = [], False
    for comune in comuni:
        residents = population.get(comune.pk, {}).get("residents")
        approximate |= bool(population.get(comune.pk, {}).get("approximate_rows"))
        rows.append((comune.name, _rate_row(counts.get(comune.pk, {}), residents)))
    elsewhere = {}
    for key, values in counts.items():
        if key not in known:
            for name, value in values.items():
                _add(elsewhere, UNKNOWN, name, value)
    if elsewhere:
        rows.append((_("Comune not recorded or outside the district"), _rate_row(elsewhere[UNKNOWN], None)))
    total_residents = sum(row.get("residents") or 0 for row in population.values())
    totals = {
        name: sum(values.get(name, 0) for values in counts.values()) for name in ("signals", "families", "children")
    }
    district_rates = _rate_row(totals, total_residents or None)
    return Table(
        key="comuni",
        title=_("By comune: rates per 1,000 residents aged 0–17, %(year)s") % {"year": year.year},
        row_header=_("Comune"),
        columns=_rate_columns(),
        rows=rows,
        column_totals=True,
        total_row={
            k: v
            for k, v in district_rates.items()
            if k in ("residents", "signals_rate", "families_rate", "children_rate")
        },
        total_label=gettext_lazy("District"),
        note=_population_note(year, approximate),
        chart=Chart("bar"),
    )


def _rate_row(counts, residents):
    signals, families, children = (counts.get(name, 0) for name in ("signals", "families", "children"))
    return {
        "residents": residents,
        "signals": signals,
        "signals_rate": _rate(signals, residents),
        "families": families,
        "families_rate": _rate(families, residents),
        "children": children,
        "children_rate": _rate(children, residents),
    }


def _rate_columns(*, families=True):
    columns = [
        Column("residents", _("Residents aged 0–17"), VALUE),
        Column("signals", _("Signals"), COUNT, charted=False),
        Column("signals_rate", _("Signals per 1,000"), RATE, base="signals", decimals=1),
    ]
    if families:
        columns += [
            Column("families", _("Families in a path"), COUNT, charted=False),
            Column("families_rate", _("Families per 1,000"), RATE, base="families", decimals=1),
        ]
    columns += [
        Column("children", _("Children in a path"), COUNT, charted=False),
        Column("children_rate", _("Children per 1,000"), RATE, base="children", decimals=1),
    ]
    return columns


def _population_note(year, approximate):
    note = _("Population: ISTAT, residents aged 0–17 on 1 January %(year)s.") % {"year": year.year}
    if approximate:
        note += " " + _("Some population figures of this year are approximate: the rates that use them are too.")
    return note


def by_age_band(district, year):
    """Children signalled and children in a path per 1,000 residents of their age band (age on 1 July)."""
    population = {row["age_band"]: row for row in territory.population_by_age_band(district, year.year)}
    band = age_band_case("birth_date", year.middle)
    counts = {}
    for key, row in _grouped(
        _children_of(path_signals(district, year)).annotate(band=band), "band", n=Count("pk")
    ).items():
        _add(counts, key or UNKNOWN, "signals", row["n"])
    requests = request_signals(district, year).annotate(band=age_band_case("child_birth_date", year.middle))
    for key, row in _grouped(requests, "band", n=Count("pk")).items():
        _add(counts, key or UNKNOWN, "signals", row["n"])
    for key, row in _grouped(
        _children_of(paths_in_force(district, year)).annotate(band=band), "band", n=Count("pk")
    ).items():
        _add(counts, key or UNKNOWN, "children", row["n"])
    rows = []
    for age_band, _first, _last in AGE_BANDS:
        residents = population.get(age_band.value, {}).get("residents")
        rows.append((age_band.label, _rate_row(counts.get(age_band.value, {}), residents)))
    if UNKNOWN in counts:
        rows.append((_("Other ages or date of birth not known"), _rate_row(counts[UNKNOWN], None)))
    total_residents = sum(row.get("residents") or 0 for row in population.values())
    totals = {name: sum(v.get(name, 0) for v in counts.values()) for name in ("signals", "children")}
    approximate = any(row.get("approximate_rows") for row in population.values())
    district_rates = _rate_row(totals, total_residents or None)
    return Table(
        key="eta",
        title=_("By age band: children signalled and children in a path per 1,000 residents, %(year)s")
        % {"year": year.year},
        row_header=_("Age band"),
        columns=[
            Column("residents", _("Residents"), VALUE),
            Column("signals", _("Children signalled"), COUNT, charted=False),
            Column("signals_rate", _("Signalled per 1,000"), RATE, base="signals", decimals=1),
            Column("children", _("Children in a path"), COUNT, charted=False),
            Column("children_rate", _("Children per 1,000"), RATE, base="children", decimals=1),
        ],
        rows=rows,
        column_totals=True,
        total_row={k: district_rates[k] for k in ("residents", "signals_rate", "children_rate")},
        total_label=gettext_lazy("District"),
        note=_("Age on 1 July %(year)s.") % {"year": year.year} + " " + _population_note(year, approximate),
        chart=Chart("bar"),
    )


def by_source(district, year):
    """Signals by who made them: those that became a path and those that did not, each counted once."""
    from_paths = _grouped(path_signals(district, year), "signal_channel", n=Count("pk"))
    from_requests = _grouped(
        request_signals(district, year).annotate(channel=_request_channel()), "channel", n=Count("pk")
    )
    rows = [
        (
            channel.label,
            {
                "paths": from_paths.get(channel.value, {}).get("n", 0),
                "requests": from_requests.get(channel.value, {}).get("n", 0),
            },
        )
        for channel in SignalChannel
    ]
    return Table(
        key="fonti",
        title=_("Signals by source, %(year)s") % {"year": year.year},
        row_header=_("Who signalled"),
        columns=[
            Column("paths", _("Became a path")),
            Column("requests", _("Without a path (being handled or no intervention)")),
        ],
        rows=rows,
        row_totals=True,
        column_totals=True,
        note=_("Each signal is counted once: a signal taken in charge is counted with its path."),
        chart=Chart("bar", stacked=True, horizontal=True),
    )


def by_school(district, year):
    """Signals made by each school or educational service per 1,000 of its pupils (the school year that
    starts in the chosen year)."""
    pupils = {row["school_id"]: row for row in territory.enrolment_by_school(district, year.year)}
    from_paths = _grouped(
        path_signals(district, year).filter(signal_source__kind__in=SCHOOL_KINDS), "signal_source_id", n=Count("pk")
    )
    from_requests = _grouped(
        request_signals(district, year).filter(sender_institution__kind__in=SCHOOL_KINDS),
        "sender_institution_id",
        n=Count("pk"),
    )
    signalling = set(from_paths) | set(from_requests)
    schools = Institution.objects.filter(district=district, kind__in=SCHOOL_KINDS).values_list("pk", "name")
    rows = []
    for school_id, name in schools.order_by("name"):
        if school_id not in pupils and school_id not in signalling:
            continue
        count = from_paths.get(school_id, {}).get("n", 0) + from_requests.get(school_id, {}).get("n", 0)
        enrolled = pupils.get(school_id, {}).get("pupils")
        rows.append((name, {"pupils": enrolled, "signals": count, "rate": _rate(count, enrolled)}))
    return Table(
        key="scuole",
        title=_("Signals from schools per 1,000 pupils, %(year)s") % {"year": year.year},
        row_header=_("School or educational service"),
        columns=[
            Column("pupils", _("Pupils (school year %(label)s)") % {"label": school_year_label(year.year)}, VALUE),
            Column("signals", _("Signals"), COUNT, charted=False),
            Column("rate", _("Signals per 1,000 pupils"), RATE, base="signals", decimals=1),
        ],
        rows=rows,
        column_totals=True,
        note=_("Signals of the calendar year %(year)s made by the school, per 1,000 pupils enrolled in %(label)s.")
        % {"year": year.year, "label": school_year_label(year.year)},
        chart=Chart("bar", horizontal=True),
    )


def by_year(district, year):
    """The last five years up to the chosen one: counts and rates for the district."""
    years = [Year(y) for y in range(year.year - TREND_YEARS + 1, year.year + 1)]
    population = {row["year"]: row for row in territory.population_years(district)}
    first, last = years[0], years[-1]
    signals = paths_of(district).aggregate(
        **{f"y{y.year}": Count("pk", filter=Q(signal_date__range=(y.first, y.last))) for y in years}
    )
    start, _end = first.moments()
    _start, end = last.moments()
    requests = (
        request_signals(district)
        .filter(sent_at__gte=start, sent_at__lt=end)
        .aggregate(
            **{
                f"y{y.year}": Count("pk", filter=Q(sent_at__gte=y.moments()[0], sent_at__lt=y.moments()[1]))
                for y in years
            }
        )
    )
    families = paths_of(district).aggregate(
        **{f"y{y.year}": Count("family_id", distinct=True, filter=in_force_q(y)) for y in years}
    )
    children = Person.objects.filter(kind=Person.Kind.CHILD, family__district=district).aggregate(
        **{f"y{y.year}": Count("pk", distinct=True, filter=in_force_q(y, "family__paths__")) for y in years}
    )
    rows = []
    for y in years:
        key = f"y{y.year}"
        counts = {"signals": signals[key] + requests[key], "families": families[key], "children": children[key]}
        rows.append((str(y.year), _rate_row(counts, population.get(y.year, {}).get("residents"))))
    return Table(
        key="anni",
        title=_("Trend by year, %(first)s–%(last)s") % {"first": first.year, "last": last.year},
        row_header=_("Year"),
        columns=_rate_columns(),
        rows=rows,
        note=_("Each year with the population of its 1 January; no rate where the population is not loaded."),
        chart=Chart("line"),
    )


def by_cohort(district):
    """Each cohort of the district: signals (its paths), families with an agreement, children, paths closed."""
    cohorts = Cohort.objects.filter(district=district).order_by("start_date", "name")
    per_cohort = _grouped(
        paths_of(district),
        "cohort_id",
        signals=Count("pk"),
        families=Count("family_id", distinct=True, filter=Q(agreement__isnull=False)),
        closed=Count("pk", filter=Q(state=Path.State.CLOSED)),
    )
    children = _grouped(
        Person.objects.filter(
            kind=Person.Kind.CHILD, family__paths__cohort__district=district, family__paths__agreement__isnull=False
        ),
        "family__paths__cohort_id",
        n=Count("pk", distinct=True),
    )
    rows = [
        (
            cohort.name,
            {
                "signals": per_cohort.get(cohort.pk, {}).get("signals", 0),
                "families": per_cohort.get(cohort.pk, {}).get("families", 0),
                "children": children.get(cohort.pk, {}).get("n", 0),
                "closed": per_cohort.get(cohort.pk, {}).get("closed", 0),
            },
        )
        for cohort in cohorts
    ]
    return Table(
        key="coorti",
        title=_("Trend by cohort"),
        row_header=_("Cohort"),
        columns=[
            Column("signals", _("Paths opened")),
            Column("families", _("Families with an agreement")),
            Column("children", _("Children of those families")),
            Column("closed", _("Paths closed")),
        ],
        rows=rows,
        chart=Chart("bar"),
    )


def ranking(comuni_table, *, size=3):
    """The comuni with the highest and the lowest signals per 1,000, with the counts behind them: only
    comuni whose count and rate are shown in the comuni's table (a hidden one is not ranked: its place
    would tell what the table hides)."""
    keys = [column.key for column in comuni_table.columns]
    signals, rate, residents = keys.index("signals"), keys.index("signals_rate"), keys.index("residents")
    shown = []
    for label, row in comuni_table.cells[: len(comuni_table.rows)]:
        if row[signals].hidden or row[rate].hidden or row[rate].value is None:
            continue
        shown.append((label, row[residents].value, row[signals].value, row[rate].value))
    shown.sort(key=lambda item: (-item[3], str(item[0])))
    chosen = shown if len(shown) <= 2 * size else shown[:size] + shown[-size:]
    return Table(
        key="graduatoria",
        title=_("Comuni with the highest and lowest signal rates"),
        row_header=_("Comune"),
        columns=[
            Column("residents", _("Residents aged 0–17"), VALUE),
            Column("signals", _("Signals"), COUNT, charted=False),
            Column("rate", _("Signals per 1,000"), RATE, base="signals", decimals=1),
        ],
        rows=[(label, {"residents": res, "signals": n, "rate": r}) for label, res, n, r in chosen],
        note=_("From the highest rate to the lowest; comuni whose figures are hidden are not ranked."),
    )


def figures(district, year):
    """Every table of the needs analysis for ``year``, in the order of the page and the report."""
    comuni = by_comune(district, year)
    return [
        comuni,
        ranking(comuni),
        by_age_band(district, year),
        by_source(district, year),
        by_school(district, year),
        by_year(district, year),
        by_cohort(district),
    ]


def population_sources(district, year):
    """What the method section says about the population: the year loaded, whether approximate, the source."""
    rows = list(territory.population_years(district))
    this = next((row for row in rows if row["year"] == year.year), None)
    return {
        "loaded": this is not None,
        "approximate": bool(this and this["approximate_rows"]),
        "years": [row["year"] for row in rows],
    }


def default_year():
    return timezone.localdate().year - 1


def threshold():
    from .suppression import threshold as small_cell

    return small_cell()


def last_closed_cohort(district):
    """The most recent cohort closed to new paths (``Cohort.is_active`` off): the one whose outcomes the
    report shows."""
    return Cohort.objects.filter(district=district, is_active=False).order_by("-start_date").first()


def last_closed_cohort_outcomes(district):
    """(cohort, its outcome tables T0→T2) or (None, [])."""
    cohort = last_closed_cohort(district)
    if cohort is None:
        return None, []
    return cohort, outcome_tables(district, cohort)


def summary(tables):
    """The figures the report's sentences quote, as the tables show them (a hidden figure stays hidden)."""
    by_key = {table.key: table for table in tables}
    comuni = by_key["comuni"]
    keys = [column.key for column in comuni.columns]
    _label, district_row = comuni.cells[-1]
    shown = {key: district_row[index] for index, key in enumerate(keys)}
    ranked = by_key["graduatoria"].cells
    sources = by_key["fonti"]
    source_rows = [
        (label, row[-1]) for label, row in sources.cells[: len(sources.rows)] if not row[-1].hidden and row[-1].value
    ]
    source_rows.sort(key=lambda item: -item[1].value)
    return {
        "district": shown,
        "highest": ranked[0] if ranked else None,
        "lowest": ranked[-1] if len(ranked) > 1 else None,
        "main_source": source_rows[0] if source_rows else None,
    }
