"""Working days the Italian way, for response clocks: Saturdays and Sundays, the national holidays
(from the ``holidays`` library, kept up to date by its maintainers: e.g. 4 October is a national holiday
again from 2026) and the local patron saint's day of the office that must answer.

``patron_day`` is "MM-DD" (e.g. "10-14" for San Gaudenzio in Rimini) or empty. A deadline of N working
days from a date counts the days after it: a request sent on Friday with 1 working day is due on Monday."""

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _national(year):
    return frozenset(holidays.country_holidays("IT", years=year).keys())


def _patron(year, patron_day):
    if not patron_day:
        return None
    month, day = (int(part) for part in patron_day.split("-"))
    try:
        return date(year, month, day)
    except ValueError:  # 29 February in a common year
        return None


def is_working_day(day, patron_day=""):
    return day.weekday() < 5 and day not in _national(day.year) and day != _patron(day.year, patron_day)


def add_working_days(start, days, patron_day=""):
    """The date that is ``days`` working days after ``start`` (``start`` itself not counted)."""
    day = start
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day, patron_day):
            remaining -= 1
    return day


def working_days_between(start, end, patron_day=""):
    """Working days in (start, end]: 0 when ``end`` is not after ``start``."""
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_working_day(day, patron_day):
            count += 1
    return count


def holiday_name(day, patron_day=""):
    """What makes ``day`` a holiday (the library's name in English), or "" for a working day or weekend."""
    if day == _patron(day.year, patron_day):
        return "patron saint"
    return holidays.country_holidays("IT", years=day.year).get(day, "")


def library_patron_day(province):
    """The patron saint's day the library knows for a province's capital (e.g. "RN" → "10-14"), or ""."""
    year = 2026
    national = _national(year)
    local = holidays.country_holidays("IT", subdiv=province, years=year)
    extra = sorted(day for day in local if day not in national)
    return f"{extra[0]:%m-%d}" if extra else ""


def response_working_days(sent_on, answered_on, pauses, patron_day=""):
    """Working days from ``sent_on`` to ``answered_on``, the ``pauses`` (objects with ``started_on`` and
    ``ended_on``, None while still running) left out: the response clock of requests and help-desk questions."""
    elapsed = working_days_between(sent_on, answered_on, patron_day)
    paused = sum(working_days_between(p.started_on, p.ended_on or answered_on, patron_day) for p in pauses)
    return max(0, elapsed - paused)
