"""When each time point of a path falls due: T0 at the start of the intervention, T1 and T2 after the
cohort's offsets (9 and 18 months by default)."""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Path, TimePoint

DUE_SOON_DAYS = 30
STATUS_LABELS = {
    "done": _("done"),
    "overdue": _("overdue"),
    "due": _("due soon"),
    "scheduled": _("scheduled"),
    "waiting": _("not yet scheduled"),
}


def add_months(day, months):
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Due:
    time_point: str
    due_on: date | None
    done: bool
    status: str  # done | overdue | due | scheduled | waiting

    @property
    def label(self):
        return TimePoint(self.time_point).label

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]


def due_dates(path):
    """{time point: due date}; before the intervention starts only T0 is due, and it is due now."""
    start = path.intervention_started_on
    if start is None:
        return {
            TimePoint.T0: timezone.localdate() if path.state == Path.State.ASSESSMENT else None,
            TimePoint.T1: None,
            TimePoint.T2: None,
        }
    return {
        TimePoint.T0: start,
        TimePoint.T1: add_months(start, path.cohort.t1_months),
        TimePoint.T2: add_months(start, path.cohort.t2_months),
    }


def time_points(path, done_time_points, today=None):
    """The schedule of a path with the status of each time point, given which ones are done
    (the équipe has rated every child)."""
    today = today or timezone.localdate()
    result = []
    for time_point, due_on in due_dates(path).items():
        done = time_point in done_time_points
        if done:
            status = "done"
        elif due_on is None or not path.is_open:
            status = "waiting"
        elif due_on < today:
            status = "overdue"
        elif due_on <= today + timedelta(days=DUE_SOON_DAYS):
            status = "due"
        else:
            status = "scheduled"
        result.append(Due(time_point, due_on, done, status))
    return result
