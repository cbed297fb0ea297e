"""A project's report for a period, built once for its page, PDF and spreadsheet, under the headings of the
national PNRR monitoring system (ReGiS): project registry, expenditure, indicators and targets, procedures.
Every amount is a sum computed in the database from the expenditure records of the period."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Expenditure, Milestone
from .money import cents
from .queries import families_in_project_cohorts, lines_progress, money_sum, partners_progress


@dataclass
class Report:
    project: object
    start: date
    end: date
    partners: list
    lines: list
    expenditures: list
    total_in_period: object
    total_to_date: object
    milestones: list
    procedures: list
    counted_on: object = None  # the day the live targets are counted on (None: not counted in this period)
    periods: tuple = ()


QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))


def quarters(project, today=None):
    """The reporting periods the report offers: the quarters of the project's dates begun by today, each cut
    to the project's start and end, the current one to today. A list of (start, end, whole)."""
    today = today or timezone.localdate()
    last = min(project.ends_on, today)
    periods, start = [], project.starts_on
    while start <= last:
        month, day = next((m, d) for m, d in QUARTER_ENDS if (m, d) >= (start.month, start.day))
        quarter_end = date(start.year, month, day)
        end = min(quarter_end, project.ends_on)
        periods.append((start, min(end, today), end <= today))
        start = date(start.year + 1, 1, 1) if month == 12 else date(start.year, month + 1, 1)
    return periods


def count_points(project, today=None):
    """The only days a live target is counted on: the calendar quarter ends within the project, and today while
    the project runs. Counting on any day asked would let two reports a day apart tell one family's date by
    difference; fixed points a quarter apart, the same for every project (not its end date, which whoever records
    the project chooses), do not."""
    today = today or timezone.localdate()
    last = min(project.ends_on, today)
    points = []
    for year in range(project.starts_on.year, last.year + 1):
        points += [date(year, month, day) for month, day in QUARTER_ENDS]
    points = [point for point in points if project.starts_on <= point <= last]
    if project.starts_on <= today <= project.ends_on:
        points.append(today)
    return sorted(set(points))


def count_day(project, day, today=None):
    """The fixed point a live target is counted on for a report ending on ``day``: the latest one not after it
    (None when the day comes before the first)."""
    eligible = [point for point in count_points(project, today) if point <= day]
    return eligible[-1] if eligible else None


def period_of(project, params):
    """The period asked for (``dal``, ``al`` as ISO dates), within the project; by default from its start to
    today (or its end). Anything unreadable falls back to the default."""
    default_end = min(project.ends_on, timezone.localdate())

    def read(name, default):
        try:
            return date.fromisoformat(params.get(name, ""))
        except ValueError:
            return default

    start, end = read("dal", project.starts_on), read("al", default_end)
    if end < start:
        start, end = project.starts_on, default_end
    return start, end


def build_report(project, start, end):
    expenditures = Expenditure.objects.in_force().filter(project=project, spent_on__gte=start, spent_on__lte=end)
    rows = list(expenditures.select_related("budget_line", "partner__institution").order_by("spent_on", "pk"))
    total_in_period = cents(expenditures.aggregate(total=money_sum("amount"))["total"])
    total_to_date = cents(
        Expenditure.objects.in_force()
        .filter(project=project, spent_on__lte=end)
        .aggregate(total=money_sum("amount"))["total"]
    )
    procedures = list(
        expenditures.exclude(cig="")
        .values("cig", "supplier")
        .annotate(total=money_sum("amount"), count=Count("pk"), first=Min("spent_on"))
        .order_by("cig", "supplier")
    )
    return Report(
        project=project,
        start=start,
        end=end,
        partners=list(partners_progress(project, start, end)),
        lines=list(lines_progress(project, start, end)),
        expenditures=rows,
        total_in_period=total_in_period,
        total_to_date=total_to_date,
        milestones=milestone_values(project, end),
        procedures=procedures,
        counted_on=count_day(project, end),
        periods=tuple((start, end) for start, end, _whole in quarters(project)),
    )


def milestone_values(project, on=None):
    """The milestones with their value: counted live from Patto's data where the source says so, on today or on
    the fixed point ``count_day`` gives for ``on`` (never on any day asked)."""
    milestones = list(project.milestones.all())
    counted = any(m.source == Milestone.Source.FAMILIES_IN_PATH for m in milestones)
    day = count_day(project, on or timezone.localdate())
    families = families_in_project_cohorts(project, day) if counted and day is not None else None
    for milestone in milestones:
        milestone.counted_on = None
        if milestone.source == Milestone.Source.FAMILIES_IN_PATH:
            milestone.value, milestone.live, milestone.counted_on = families, True, day
        else:
            milestone.value, milestone.live = milestone.reached, False
        milestone.met = (
            milestone.value is not None and milestone.target is not None and milestone.value >= milestone.target
        )
    return milestones


def _live_value(milestone):
    if milestone.counted_on is None:
        return _("not counted in this period")
    return "<5" if milestone.value is None else milestone.value


def sheets(report):
    """The report as spreadsheet sheets (``core.exports.Sheet``), one per heading."""
    from patto.core.exports import Sheet

    project = report.project
    registry = [
        (_("CUP"), project.cup),
        (_("Title"), project.title),
        (_("Funding source"), project.get_funding_source_display()),
        (_("Measure"), project.measure),
        (_("Total funding"), project.total),
        (_("Start"), project.starts_on),
        (_("End"), project.ends_on),
        (_("Lead"), str(project.proposal.lead)),
        (_("Period from"), report.start),
        (_("Period to"), report.end),
        (_("Live targets counted on"), report.counted_on or _("not counted in this period")),
    ]
    partners = [
        (str(p.institution), p.role, p.amount, p.cofinancing, p.spent_in_period, p.spent) for p in report.partners
    ]
    lines = [
        (
            line.get_category_display(),
            line.description,
            line.amount,
            line.spent_in_period,
            line.spent,
            line.amount - line.spent,
        )
        for line in report.lines
    ]
    expenditures = [
        (
            e.spent_on,
            str(e.budget_line),
            str(e.partner.institution),
            e.supplier,
            e.cig,
            e.description,
            e.amount,
            e.override_reason,
        )
        for e in report.expenditures
    ]
    expenditures.append((None, _("Total"), "", "", "", "", report.total_in_period, ""))
    milestones = [
        (m.title, m.due_on, m.target, _live_value(m) if m.live else m.value, m.get_source_display())
        for m in report.milestones
    ]
    procedures = [(p["cig"], p["supplier"], p["count"], p["first"], p["total"]) for p in report.procedures]
    return [
        Sheet(_("Project registry"), [_("Field"), _("Value")], registry),
        Sheet(
            _("Partners"),
            [_("Partner"), _("Role"), _("Share"), _("Co-financing"), _("Spent in the period"), _("Spent to date")],
            partners,
        ),
        Sheet(
            _("Budget lines"),
            [
                _("Category"),
                _("Description"),
                _("Budget"),
                _("Spent in the period"),
                _("Spent to date"),
                _("Remaining"),
            ],
            lines,
        ),
        Sheet(
            _("Expenditure"),
            [
                _("Date"),
                _("Budget line"),
                _("Partner"),
                _("Supplier"),
                _("CIG"),
                _("Description"),
                _("Amount"),
                _("Reason for exceeding the budget"),
            ],
            expenditures,
        ),
        Sheet(
            _("Indicators and targets"),
            [_("Milestone or target"), _("Due on"), _("Target"), _("Value"), _("Source")],
            milestones,
        ),
        Sheet(_("Procedures"), [_("CIG"), _("Supplier"), _("Expenditures"), _("First"), _("Amount")], procedures),
    ]
