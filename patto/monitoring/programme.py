"""Programme monitoring: the district's PIPPI paths as figures, for a cohort and for the whole district.

Every figure is a ``tables.Table`` (protected once, shown as HTML, chart, CSV and XLSX) computed in the
database (GROUP BY, COUNT with a filter, window functions for the percentiles): a fixed number of queries
whatever the number of paths, and no row of a family comes into Python. What each figure counts:

- *stage*: a path's state now; the families (one path each per cohort) and their children, by cohort and by
  the family's comune of residence (its eldest child's with one recorded, as in ``needs``);
- *entering* in a month: the family's agreement signed in that month; *leaving*: the path closed in that
  month (the date of the closing meeting); *signals*: the date of the signal that opened the path;
- *waiting times*: from the signal to the agreement, and from the agreement to the day the team's first
  T0 assessment of a child was saved complete (the platform keeps no other date for it), in days;
- *time points*: due as on the path's schedule (``cases.schedule``: T0 at the start of the intervention,
  T1 and T2 the cohort's months later); *on time* when the team has completed the assessment of every child
  by the due date plus ``TOLERANCE_DAYS``, *late* when after, *missing* when not done and that day has passed
  (and the path was not closed before the due date), otherwise *not yet due*;
- *team*: the open paths whose team in force has each core profession (as ``cases.queries.team_completeness``);
- *dispositivi*: families with each kind activated, the mean home-education hours per week where recorded, the
  group sessions the family attended per family;
- *closure outcomes*: closed paths by outcome, per cohort.

No figure is computed on a set the reader chooses and could subtract from another view (the differencing of
the security review): the counts by stage are one table per count with a column per cohort of the district
and their total, and one with a row per comune, the same whatever cohort is chosen; the figures per month
are whole months of the chosen cohort, without totals, protected over all of the cohort's months with the
column totals taken as known (they are the cohort's families in the stages table), so a month reads the
same in every window; the 90th percentile of a waiting time needs ``P90_MIN_N`` paths (on fewer it is
one family's own value: the nearest rank of 5 to 9 values is the largest).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models import Case as SqlCase
from django.db.models import When as SqlWhen
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patto.cases.models import (
    Assessment,
    ClosureOutcome,
    DeviceActivation,
    DeviceSession,
    DeviceType,
    Path,
    Person,
    TeamMember,
    TimePoint,
)
from patto.cases.queries import current_team_members
from patto.cases.schedule import add_months
from patto.territory.models import Comune

from .aggregates import AddMonths, days_between, month_start, percentiles
from .suppression import threshold
from .tables import MEASURE, RATE, TOTAL, Chart, Column, Measure, Table, joint

TOLERANCE_DAYS = 30  # a time point done within 30 days after its due date is on time (stated on the page)
P90_MIN_N = 20  # the 90th percentile from 20 paths on: below, its nearest rank is one of the last two families
CHILD = Person.Kind.CHILD
R = TeamMember.TeamRole
# The core professions of the équipe, as ``cases.queries.team_completeness`` reads them.
PROFESSIONS = (
    ("social_worker", gettext_lazy("Social worker"), (R.CASE_MANAGER, R.SOCIAL_WORKER)),
    ("educator", gettext_lazy("Home educator"), (R.EDUCATOR,)),
    ("psychologist", gettext_lazy("Psychologist"), (R.PSYCHOLOGIST, R.CHILD_NEUROPSYCHIATRIST)),
    ("teacher", gettext_lazy("Teacher"), (R.TEACHER, R.EDUCATIONAL_STAFF)),
)


@dataclass(frozen=True)
class Selection:
    """What the page is about: the district, a cohort (or None when the district has none), and the months
    shown per month (whole months: the first day of the first, the last day of the last)."""

    district: object
    cohort: object
    starts_on: date
    ends_on: date


def default_period(cohort, today=None):
    """Six months before the cohort's start to six months after its T2 (not past this month)."""
    today = today or timezone.localdate()
    if cohort is None:
        return add_months(today.replace(day=1), -11), today
    start = add_months(cohort.start_date.replace(day=1), -6)
    end = min(add_months(cohort.start_date, cohort.t2_months + 6), today)
    return start, max(end, start)


def district_paths(selection):
    """The district's paths."""
    return Path.objects.filter(cohort__district=selection.district).order_by()


def figures(selection):
    """The page's tables, in the order shown."""
    paths = district_paths(selection)
    cohort_paths = paths.filter(cohort=selection.cohort)
    cohorts = list(selection.district.cohorts.order_by("start_date", "name"))
    return [
        *stages_and_comuni(selection.district, cohorts, paths),
        per_month(selection, cohort_paths),
        waiting_times(paths, cohort_paths),
        time_points(cohort_paths),
        team_completeness(cohort_paths),
        devices(cohort_paths),
        closure_outcomes(cohorts, paths),
    ]


# --- The families and their path ---------------------------------------------------------------------------


def _cohort_key(cohort):
    return f"cohort_{cohort.pk}"


def stages_and_comuni(district, cohorts, paths):
    """The families at each stage per cohort, the children likewise, and the families at each stage by
    comune. The families' two tables publish the same totals (the district's families at each stage, and in
    all): protected together (``tables.joint``), so that a total hidden in one is hidden in the other."""
    build_stages = stages(cohorts, paths)
    build_comuni = stages_by_comune(district, paths)
    states = [state for state, _label in Path.State.choices]
    links = [((0, row, TOTAL), (1, build_comuni.total_row, state)) for row, state in enumerate(states)]
    links.append(((0, len(states), TOTAL), (1, build_comuni.total_row, TOTAL)))

    def build(forced):
        return [build_stages("stages", forced.get(0, ())), build_comuni(forced.get(1, ()))]

    families, comuni = joint(build, links)
    return [families, build_stages("stages_children"), comuni]


def stages(cohorts, paths):
    """Families and children at each stage, a column per cohort of the district and their total (the
    district): two tables from one query, each protected as a whole and the same whatever cohort is chosen
    (a cohort's column beside the district's, chosen in turn, would give a hidden count back). Returns
    ``table(key, forced=())`` for "stages" (families) and "stages_children"."""
    counts = {
        (row["state"], row["cohort"]): row
        for row in paths.values("state", "cohort").annotate(
            families=Count("pk", distinct=True),  # distinct: the join on the members repeats the path
            children=Count("family__members", distinct=True, filter=Q(family__members__kind=CHILD)),
        )
    }
    columns = [Column(_cohort_key(c), str(c)) for c in cohorts]
    note = _("The stage each path is at now, per cohort; the total is the district's.")

    titles = {
        "stages": (_("Families at each stage of the path, per cohort"), "families"),
        "stages_children": (_("Children at each stage of the path, per cohort"), "children"),
    }

    def table(key, forced=()):
        title, measure = titles[key]
        return Table(
            key=key,
            title=title,
            forced=forced,
            row_header=_("Stage"),
            columns=columns,
            rows=[
                (label, {_cohort_key(c): counts.get((state, c.pk), {}).get(measure, 0) for c in cohorts})
                for state, label in Path.State.choices
            ],
            column_totals=True,
            row_totals=True,
            total_label=_("District"),
            note=note,
            chart=Chart("bar", stacked=True),
        )

    return table


def family_comune():
    """The comune of a path's family: its eldest child's with one recorded (as the needs analysis reads it)."""
    return Subquery(
        Person.objects.filter(family=OuterRef("family_id"), kind=CHILD, comune__isnull=False)
        .order_by("birth_date", "pk")
        .values("comune_id")[:1]
    )


def stages_by_comune(district, paths):
    """Families at each stage by their comune of residence, every cohort (one query and the comuni): a row per
    comune of the district, one for the families of no comune of the district, protected as a whole. It takes
    the place of a comune filter, which against the whole district gave a comune's hidden counts back.
    Returns ``table(forced=())`` (its ``total_row`` the index of the district's row)."""
    comuni = list(Comune.objects.filter(district=district).order_by("name"))
    known = {comune.pk for comune in comuni}
    counts = {}
    for row in paths.annotate(home=family_comune()).values("home", "state").annotate(n=Count("pk")):
        home = row["home"] if row["home"] in known else None
        counts.setdefault(home, {}).setdefault(row["state"], 0)
        counts[home][row["state"]] += row["n"]
    rows = [(comune.name, counts.get(comune.pk, {})) for comune in comuni]
    rows.append((_("No comune of the district"), counts.get(None, {})))

    def table(forced=()):
        return _comuni_table(rows, forced)

    table.total_row = len(rows)
    return table


def _comuni_table(rows, forced):
    return Table(
        forced=forced,
        key="comuni",
        title=_("Families at each stage of the path, by comune of residence"),
        row_header=_("Comune"),
        columns=[Column(state, label) for state, label in Path.State.choices],
        rows=rows,
        column_totals=True,
        row_totals=True,
        total_label=_("District"),
        note=_(
            "Every cohort. A family's comune is that of its eldest child with one recorded; families whose "
            "comune is not recorded, or is outside the district, are in the row “No comune of the district”."
        ),
        chart=Chart("bar", stacked=True, horizontal=True),
    )


def months_between(start, end):
    month, result = start.replace(day=1), []
    while month <= end:
        result.append(month)
        month = add_months(month, 1)
    return result


MONTH_KINDS = (
    ("entering", "agreement__signed_on", gettext_lazy("Entering")),
    ("leaving", "closed_on", gettext_lazy("Leaving")),
    ("signals", "signal_date", gettext_lazy("Signals")),
)


def per_month(selection, cohort_paths):
    """The cohort's families entering (agreement signed), leaving (path closed) and signals, per month (three
    queries). The counts of every month of the cohort are protected together, with their column totals as
    known (the signals add up to the cohort's families in the stages table); the chosen months are then
    shown as they read there, without totals: a month reads the same whatever months are chosen."""
    counts = {
        kind: dict(
            cohort_paths.filter(**{f"{field}__isnull": False})
            .annotate(month=month_start(field))
            .values("month")
            .annotate(n=Count("pk"))
            .values_list("month", "n")
        )
        for kind, field, _label in MONTH_KINDS
    }
    columns = [Column(kind, label) for kind, _field, label in MONTH_KINDS]

    def values(month):
        return {kind: counts[kind].get(month, 0) for kind, _field, _label in MONTH_KINDS}

    months_with_figures = sorted(set().union(*counts.values()))
    whole = Table(
        key="months",
        title="",
        row_header="",
        columns=columns,
        rows=[(month, values(month)) for month in months_with_figures],
        column_totals=True,
    )
    protected = {month: row for month, row in whole.cells[: len(whole.rows)]}
    shown = months_between(selection.starts_on, selection.ends_on)
    table = Table(
        key="months",
        title=_("Families of the cohort entering and leaving, and signals, per month"),
        row_header=_("Month"),
        columns=columns,
        rows=[(date_format(month, "YEAR_MONTH_FORMAT"), values(month)) for month in shown],
        note=_(
            "Entering: the family's agreement signed in the month. Leaving: the path closed in the month. "
            "Signals: the date of the signal that opened the path. Whole months, from %(start)s to %(end)s. "
            "No totals: a hidden month cannot be worked out from the others. Cells are hidden as in the table "
            "of all the cohort's months, the same whatever months are chosen."
        )
        % {
            "start": date_format(selection.starts_on, "YEAR_MONTH_FORMAT"),
            "end": date_format(selection.ends_on, "YEAR_MONTH_FORMAT"),
        },
        chart=Chart("line"),
    )
    # The cells as protected among all the cohort's months (a month without figures: its zeros, as shown).
    table.cells = [(label, protected.get(month, row)) for month, (label, row) in zip(shown, table.cells)]
    return table


def first_t0_on():
    """The day the team's first T0 assessment of a child of the path was saved complete (a subquery)."""
    done = Assessment.objects.filter(
        path=OuterRef("pk"), time_point=TimePoint.T0, rater=Assessment.Rater.TEAM, is_complete=True
    ).order_by()
    return Subquery(done.values("path").annotate(day=Min(TruncDate("updated_at"))).values("day")[:1])


def waiting_times(paths, cohort_paths):
    """Median and 90th percentile, in days, for the cohort and the district (four window queries)."""
    measures = [
        (
            "to_agreement",
            _("From the signal to the family's agreement"),
            days_between(F("signal_date"), F("agreement__signed_on")),
        ),
        (
            "to_t0",
            _("From the agreement to the team's first complete T0 assessment"),
            days_between(F("agreement__signed_on"), first_t0_on()),
        ),
    ]
    rows = []
    for _key, label, value in measures:
        values = {}
        for scope, queryset in (("cohort", cohort_paths), ("district", paths)):
            median, p90, n = percentiles(queryset.filter(agreement__isnull=False), value)
            if threshold() <= n < P90_MIN_N:  # "—": the nearest rank would be one of the last families' delay
                p90 = None  # (on fewer than the threshold the table says "n < 5" and shows nothing)
            values[f"median_{scope}"], values[f"p90_{scope}"] = Measure(median, n), Measure(p90, n)
        rows.append((label, values))
    return Table(
        key="waiting",
        title=_("Waiting times, in days"),
        row_header=_("From … to …"),
        columns=[
            Column("median_cohort", _("Median (cohort)"), MEASURE, decimals=1),
            Column("p90_cohort", _("90th percentile (cohort)"), MEASURE),
            Column("median_district", _("Median (district)"), MEASURE, decimals=1),
            Column("p90_district", _("90th percentile (district)"), MEASURE),
        ],
        rows=rows,
        note=_(
            "Computed on the paths with both dates. The median is not shown on fewer than 5 paths, the 90th "
            "percentile (the nearest rank) on fewer than %(p90)s: on fewer it would be the delay of one of the "
            "last families. The T0 assessment's day is the day it was saved complete."
        )
        % {"p90": P90_MIN_N},
    )


# --- Time points and teams ---------------------------------------------------------------------------------

ON_TIME, LATE, MISSING, NOT_DUE = "on_time", "late", "missing", "not_due"


def _time_point_status(time_point, months):
    """A CASE giving the status of one time point of each path (see the module's docstring). Nested so that
    the database looks each subquery up once per path: done or not first, then on time or late."""
    done = Assessment.objects.filter(
        path=OuterRef("pk"), time_point=time_point, rater=Assessment.Rater.TEAM, is_complete=True
    ).order_by()
    rated = Subquery(done.values("path").annotate(n=Count("child", distinct=True)).values("n")[:1])
    done_on = Subquery(done.values("path").annotate(day=Max(TruncDate("updated_at"))).values("day")[:1])
    start = F("intervention_started_on")
    due = AddMonths(start, months)
    limit = AddMonths(start, months, days=TOLERANCE_DAYS)
    key = time_point.lower()
    annotations = {f"{key}_rated": rated, f"{key}_done_on": done_on, f"{key}_due": due, f"{key}_limit": limit}
    # Every child rated (a family without children has none to rate: GREATEST(children, 1) is never reached).
    is_done = Q(**{f"{key}_rated__gte": Greatest(F("children"), Value(1))})
    status = SqlCase(
        SqlWhen(
            is_done,
            then=SqlCase(
                SqlWhen(
                    Q(**{f"{key}_limit__isnull": True}) | Q(**{f"{key}_done_on__lte": F(f"{key}_limit")}),
                    then=Value(ON_TIME),
                ),
                default=Value(LATE),
            ),
        ),
        SqlWhen(
            Q(**{f"{key}_limit__lt": timezone.localdate()})
            & (Q(closed_on__isnull=True) | Q(closed_on__gte=F(f"{key}_due"))),
            then=Value(MISSING),
        ),
        default=Value(NOT_DUE),
    )
    return annotations, status


def time_points(cohort_paths):
    """T0, T1, T2 on time / late / missing / not yet due, over the cohort's paths (one query, grouped by the
    three statuses: at most 4³ rows come back)."""
    children = Subquery(
        Person.objects.filter(family=OuterRef("family"), kind=CHILD)
        .order_by()
        .values("family")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    queryset = cohort_paths.annotate(children=children)
    keys = []
    for time_point, months in (
        (TimePoint.T0, Value(0)),
        (TimePoint.T1, F("cohort__t1_months")),
        (TimePoint.T2, F("cohort__t2_months")),
    ):
        annotations, status = _time_point_status(time_point, months)
        key = time_point.lower()
        queryset = queryset.annotate(**annotations, **{f"{key}_status": status})
        keys.append(f"{key}_status")
    counts = {f"{key[:2]}_{value}": 0 for key in keys for value in (ON_TIME, LATE, MISSING, NOT_DUE)}
    for row in queryset.values(*keys).order_by().annotate(n=Count("pk")):
        for key in keys:
            counts[f"{key[:2]}_{row[key]}"] += row["n"]
    rows = [
        (label, {value: counts[f"{time_point.lower()}_{value}"] for value in (ON_TIME, LATE, MISSING, NOT_DUE)})
        for time_point, label in TimePoint.choices
    ]
    return Table(
        key="time_points",
        title=_("Time points done on time, late or missing"),
        row_header=_("Time point"),
        columns=[
            Column(ON_TIME, _("On time")),
            Column(LATE, _("Late")),
            Column(MISSING, _("Missing")),
            Column(NOT_DUE, _("Not yet due")),
        ],
        rows=rows,
        row_totals=True,
        note=_(
            "Paths of the cohort. A time point is done when the team has completed the assessment of every child. "
            "It is due as on the path's schedule: T0 at the start of the intervention, T1 and T2 the cohort's "
            "months later. On time: done by the due date or within %(days)s days after it. Missing: not done "
            "%(days)s days after the due date (unless the path closed before that date)."
        )
        % {"days": TOLERANCE_DAYS},
        chart=Chart("bar", stacked=True),
    )


def team_completeness(cohort_paths):
    """Open paths whose team in force has each core profession, and all four (one query)."""
    in_force = current_team_members()
    has = {key: Exists(in_force.filter(path=OuterRef("pk"), team_role__in=roles)) for key, _label, roles in PROFESSIONS}
    queryset = cohort_paths.exclude(state=Path.State.CLOSED).annotate(**{f"has_{key}": e for key, e in has.items()})
    all_four = Q(**{f"has_{key}": True for key in has})
    counts = queryset.aggregate(
        open=Count("pk"),
        all=Count("pk", filter=all_four),
        **{key: Count("pk", filter=Q(**{f"has_{key}": True})) for key in has},
    )
    total = counts["open"]
    rows = [(label, counts[key]) for key, label, _roles in PROFESSIONS] + [(_("All four"), counts["all"])]
    return Table(
        key="team",
        title=_("Team completeness"),
        row_header=_("Profession in the team"),
        columns=[
            Column("with", _("Open paths with it")),
            Column("without", _("Open paths without it")),
            Column("share", _("Share with it (per cent)"), RATE, base="with"),
        ],
        rows=[
            (label, {"with": n, "without": total - n, "share": (100 * n / total) if total >= 5 else None})
            for label, n in rows
        ],
        row_totals=True,
        total_label=_("Open paths"),
        note=_(
            "Open paths of the cohort; the team in force today. Social worker: the case manager or a social worker; "
            "psychologist: a psychologist or a child neuropsychiatrist; teacher: a teacher or the staff of an "
            "educational service. Shares are not shown on fewer than 5 paths."
        ),
    )


def devices(cohort_paths):
    """Per kind of dispositivo: families with it, activations, mean hours per week where recorded, group
    sessions attended per family (three queries)."""
    activations = DeviceActivation.objects.filter(path__in=cohort_paths).order_by()
    by_type = {
        row.pop("device_type"): row
        for row in activations.values("device_type").annotate(
            families=Count("path", distinct=True),
            activations=Count("pk"),
            hours=Avg("hours_per_week"),
            hours_n=Count("path", distinct=True, filter=Q(hours_per_week__isnull=False)),
        )
    }
    attended = dict(
        DeviceSession.objects.filter(activation__in=activations, attended=True)
        .order_by()
        .values("activation__device_type")
        .annotate(n=Count("pk"))
        .values_list("activation__device_type", "n")
    )
    rows = []
    for device_type in DeviceType.objects.filter(Q(is_active=True) | Q(pk__in=list(by_type))).order_by("order", "name"):
        row = by_type.get(device_type.pk, {"families": 0, "activations": 0, "hours": None, "hours_n": 0})
        measured = device_type.measure
        rows.append(
            (
                device_type,
                {
                    "families": row["families"],
                    "activations": row["activations"],
                    "hours": Measure(row["hours"], row["hours_n"])
                    if measured == DeviceType.Measure.HOME_EDUCATION
                    else None,
                    "sessions": (
                        Measure(
                            attended.get(device_type.pk, 0) / row["families"] if row["families"] else None,
                            row["families"],
                        )
                        if measured == DeviceType.Measure.GROUPS
                        else None
                    ),
                },
            )
        )
    return Table(
        key="devices",
        title=_("Dispositivi activated"),
        row_header=_("Dispositivo"),
        columns=[
            Column("families", _("Families")),
            Column("activations", _("Activations"), charted=False),
            Column("hours", _("Hours per week (mean)"), MEASURE, decimals=1),
            Column("sessions", _("Group sessions attended per family (mean)"), MEASURE, decimals=1),
        ],
        rows=rows,
        note=_(
            "Paths of the cohort. Hours per week: the mean over the activations where they are recorded. "
            "Means are not shown on fewer than 5 families."
        ),
        chart=Chart("bar", horizontal=True),
    )


def closure_outcomes(cohorts, paths):
    """Closed paths by outcome and cohort (one query, with the outcomes)."""
    counts = {
        (row["outcome"], row["cohort"]): row["n"]
        for row in paths.filter(state=Path.State.CLOSED).values("outcome", "cohort").annotate(n=Count("pk"))
    }
    outcomes = [(o.pk, o) for o in ClosureOutcome.objects.all()]
    if any(outcome is None for outcome, _cohort in counts):
        outcomes.append((None, _("Not recorded")))
    return Table(
        key="outcomes",
        title=_("Closure outcomes per cohort"),
        row_header=_("Outcome"),
        columns=[Column(_cohort_key(c), str(c)) for c in cohorts],
        rows=[(label, {_cohort_key(c): counts.get((pk, c.pk), 0) for c in cohorts}) for pk, label in outcomes],
        column_totals=True,
        row_totals=True,
        note=_("Closed paths, by the outcome recorded at closure."),
        chart=Chart("bar", stacked=True),
    )
