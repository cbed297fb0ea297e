"""Programme monitoring: the district's PIPPI paths as figures, for a cohort and for the whole district.

Every figure is a ``tables.Table`` (protected once, shown as HTML, chart, CSV and XLSX) computed in the
database (GROUP BY, COUNT with a filter, window functions for the percentiles): a fixed number of queries
whatever the number of paths, and no row of a family comes into Python. What each figure counts:

- *stage*: a path's state now; families and their children (all the family's children, or those resident
  in the chosen comune);
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
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count, Exists, F, IntegerField, Max, Min, OuterRef, Q, Subquery, Value
from django.db.models import Case as SqlCase
from django.db.models import When as SqlWhen
from django.db.models.functions import TruncDate
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

from .aggregates import AddMonths, days_between, month_start, percentiles
from .tables import MEASURE, RATE, Chart, Column, Measure, Table

TOLERANCE_DAYS = 30  # a time point done within 30 days after its due date is on time (stated on the page)
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
    """What the page is about: the district, a cohort (or None when the district has none), a comune (or
    None: all), and the months shown per month (first days of months, inclusive)."""

    district: object
    cohort: object
    comune: object
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
    """The district's paths, narrowed to the families with a child resident in the chosen comune."""
    paths = Path.objects.filter(cohort__district=selection.district)
    if selection.comune is not None:
        resident = Person.objects.filter(family=OuterRef("family"), kind=CHILD, comune=selection.comune)
        paths = paths.filter(Exists(resident))
    return paths.order_by()


def _children(selection):
    children = Q(family__members__kind=CHILD)
    if selection.comune is not None:
        children &= Q(family__members__comune=selection.comune)
    return children


def figures(selection):
    """The page's tables, in the order shown."""
    paths = district_paths(selection)
    cohort_paths = paths.filter(cohort=selection.cohort)
    return [
        stages(selection, paths),
        per_month(selection, paths),
        waiting_times(paths, cohort_paths),
        time_points(cohort_paths),
        team_completeness(cohort_paths),
        devices(cohort_paths),
        closure_outcomes(selection, paths),
    ]


# --- The families and their path ---------------------------------------------------------------------------


def stages(selection, paths):
    """Families and children at each stage, for the cohort and for the district (one query)."""
    in_cohort = Q(cohort=selection.cohort)
    children = _children(selection)
    counts = {
        row.pop("state"): row
        for row in paths.values("state").annotate(
            families_cohort=Count("family", distinct=True, filter=in_cohort),
            children_cohort=Count("family__members", distinct=True, filter=children & in_cohort),
            families=Count("family", distinct=True),
            children=Count("family__members", distinct=True, filter=children),
        )
    }
    return Table(
        key="stages",
        title=_("Families and children at each stage of the path"),
        row_header=_("Stage"),
        columns=[
            Column("families_cohort", _("Families (cohort)")),
            Column("children_cohort", _("Children (cohort)")),
            Column("families", _("Families (district)"), charted=False),
            Column("children", _("Children (district)"), charted=False),
        ],
        rows=[(label, counts.get(state, {})) for state, label in Path.State.choices],
        column_totals=True,
        note=_("The stage each path is at now. The district's columns count every cohort."),
        chart=Chart("bar"),
    )


def months_between(start, end):
    month, result = start.replace(day=1), []
    while month <= end:
        result.append(month)
        month = add_months(month, 1)
    return result


def _by_month(paths, field, selection):
    return {
        row["month"]: row
        for row in paths.filter(**{f"{field}__gte": selection.starts_on, f"{field}__lte": selection.ends_on})
        .annotate(month=month_start(field))
        .values("month")
        .annotate(cohort=Count("pk", filter=Q(cohort=selection.cohort)), district=Count("pk"))
    }


def per_month(selection, paths):
    """Families entering (agreement signed), leaving (path closed) and signals, per month (three queries)."""
    counts = {
        kind: _by_month(paths, field, selection)
        for kind, field in (("entering", "agreement__signed_on"), ("leaving", "closed_on"), ("signals", "signal_date"))
    }
    rows = []
    for month in months_between(selection.starts_on, selection.ends_on):
        values = {}
        for kind, by_month in counts.items():
            row = by_month.get(month, {})
            values[f"{kind}_cohort"], values[kind] = row.get("cohort", 0), row.get("district", 0)
        rows.append((date_format(month, "YEAR_MONTH_FORMAT"), values))
    return Table(
        key="months",
        title=_("Families entering and leaving, and signals, per month"),
        row_header=_("Month"),
        columns=[
            Column("entering_cohort", _("Entering (cohort)")),
            Column("leaving_cohort", _("Leaving (cohort)")),
            Column("signals_cohort", _("Signals (cohort)")),
            Column("entering", _("Entering (district)"), charted=False),
            Column("leaving", _("Leaving (district)"), charted=False),
            Column("signals", _("Signals (district)"), charted=False),
        ],
        rows=rows,
        column_totals=True,
        note=_(
            "Entering: the family's agreement signed in the month. Leaving: the path closed in the month. "
            "Signals: the date of the signal that opened the path. Dates from %(start)s to %(end)s."
        )
        % {
            "start": date_format(selection.starts_on, "SHORT_DATE_FORMAT"),
            "end": date_format(selection.ends_on, "SHORT_DATE_FORMAT"),
        },
        chart=Chart("line"),
    )


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
            "Computed on the paths with both dates; not shown on fewer than 5 paths. The 90th percentile is the "
            "nearest rank. The T0 assessment's day is the day it was saved complete."
        ),
    )


# --- Time points and teams ---------------------------------------------------------------------------------

ON_TIME, LATE, MISSING, NOT_DUE = "on_time", "late", "missing", "not_due"


def _time_point_status(time_point, months):
    """A CASE giving the status of one time point of each path (see the module's docstring)."""
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
    is_done = Q(children__gt=0, **{f"{key}_rated__gte": F("children")})
    status = SqlCase(
        SqlWhen(
            is_done & (Q(**{f"{key}_limit__isnull": True}) | Q(**{f"{key}_done_on__lte": F(f"{key}_limit")})),
            then=Value(ON_TIME),
        ),
        SqlWhen(is_done, then=Value(LATE)),
        SqlWhen(
            Q(**{f"{key}_limit__lt": timezone.localdate()})
            & (Q(closed_on__isnull=True) | Q(closed_on__gte=F(f"{key}_due"))),
            then=Value(MISSING),
        ),
        default=Value(NOT_DUE),
    )
    return annotations, status


def time_points(cohort_paths):
    """T0, T1, T2 on time / late / missing / not yet due, over the cohort's paths (one query)."""
    children = Subquery(
        Person.objects.filter(family=OuterRef("family"), kind=CHILD)
        .order_by()
        .values("family")
        .annotate(n=Count("pk"))
        .values("n")[:1],
        output_field=IntegerField(),
    )
    queryset = cohort_paths.annotate(children=children)
    aggregates = {}
    for time_point, months in (
        (TimePoint.T0, Value(0)),
        (TimePoint.T1, F("cohort__t1_months")),
        (TimePoint.T2, F("cohort__t2_months")),
    ):
        annotations, status = _time_point_status(time_point, months)
        key = time_point.lower()
        queryset = queryset.annotate(**annotations, **{f"{key}_status": status})
        for value in (ON_TIME, LATE, MISSING, NOT_DUE):
            aggregates[f"{key}_{value}"] = Count("pk", filter=Q(**{f"{key}_status": value}))
    counts = queryset.aggregate(**aggregates)
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


def closure_outcomes(selection, paths):
    """Closed paths by outcome and cohort (one query, with the district's outcomes and cohorts)."""
    counts = {
        (row["outcome"], row["cohort"]): row["n"]
        for row in paths.filter(state=Path.State.CLOSED).values("outcome", "cohort").annotate(n=Count("pk"))
    }
    cohorts = list(selection.district.cohorts.order_by("start_date"))
    outcomes = [(o.pk, o) for o in ClosureOutcome.objects.all()]
    if any(outcome is None for outcome, _cohort in counts):
        outcomes.append((None, _("Not recorded")))
    return Table(
        key="outcomes",
        title=_("Closure outcomes per cohort"),
        row_header=_("Outcome"),
        columns=[Column(f"cohort_{c.pk}", str(c)) for c in cohorts],
        rows=[(label, {f"cohort_{c.pk}": counts.get((pk, c.pk), 0) for c in cohorts}) for pk, label in outcomes],
        column_totals=True,
        row_totals=True,
        note=_("Closed paths, by the outcome recorded at closure."),
        chart=Chart("bar", stacked=True),
    )
