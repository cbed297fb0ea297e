"""Database helpers for the aggregates, the same on SQLite and PostgreSQL: the first day of a date's month,
a date some months and days later (months clamped to the month's end, as ``cases.schedule.add_months``), the
days between two dates, and percentiles picked by rank with window functions. Rows never come into Python:
only the few rows at the wanted ranks do."""

from django.db.models import Count, DateField, F, Func, IntegerField, Q, Window
from django.db.models.functions import RowNumber, TruncMonth


def month_start(field):
    """The first day of the month of a date field (GROUP BY it for figures per month)."""
    return TruncMonth(field, output_field=DateField())


class AddMonths(Func):
    """``date`` + ``months`` (an expression: a column or a value) + ``days``, the months clamped to the end of
    the month (31 January + 1 month = 28 February), like ``cases.schedule.add_months``."""

    output_field = DateField()

    def __init__(self, date, months, days=0, **extra):
        super().__init__(date, months, **extra)
        self.days = int(days)

    def as_sqlite(self, compiler, connection, **extra):
        date, months = (compiler.compile(e) for e in self.get_source_expressions())
        (date_sql, date_params), (months_sql, months_params) = date, months
        # date(d, '+N months') overflows into the next month (31 Jan + 1 → 3 Mar): take the smaller of it and
        # the last day of the target month.
        shift = f"'+' || ({months_sql}) || ' months'"
        clamped = f"min(date({date_sql}, {shift}), date({date_sql}, 'start of month', {shift}, '+1 month', '-1 day'))"
        params = (*date_params, *months_params) * 2
        return f"date({clamped}, '+{self.days} days')", params

    def as_postgresql(self, compiler, connection, **extra):
        (date_sql, date_params), (months_sql, months_params) = (
            compiler.compile(e) for e in self.get_source_expressions()
        )
        sql = f"(({date_sql})::date + make_interval(months => ({months_sql})::int))::date + {self.days}"
        return sql, (*date_params, *months_params)


class DaysBetween(Func):
    """Whole days from ``start`` to ``end`` (two dates; negative when ``end`` comes first)."""

    output_field = IntegerField()

    def as_sqlite(self, compiler, connection, **extra):
        (end, end_params), (start, start_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"CAST(julianday({end}) - julianday({start}) AS INTEGER)", (*end_params, *start_params)

    def as_postgresql(self, compiler, connection, **extra):
        (end, end_params), (start, start_params) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"(({end})::date - ({start})::date)", (*end_params, *start_params)


def days_between(start, end):
    return DaysBetween(end, start)


# --- Percentiles by rank -------------------------------------------------------------------------------------


def percentiles(queryset, value):
    """(median, 90th percentile, n) of ``value`` (an expression giving a number) over ``queryset``'s rows where
    it is not null, in one query: each row is ranked in the database (``ROW_NUMBER() OVER (ORDER BY value)``
    beside ``COUNT(*) OVER ()``) and only the rows at the wanted ranks come back: the median's one or two
    middle ranks (their mean), and the 90th percentile's nearest rank, ⌈0.9 n⌉. (None, None, 0) without rows."""
    ranked = (
        queryset.annotate(_value=value)
        .filter(_value__isnull=False)
        .annotate(
            _rank=Window(RowNumber(), order_by=[F("_value").asc(), F("pk").asc()]),
            _n=Window(Count("pk")),
        )
    )
    low, high, p90 = (F("_n") + 1) / 2, (F("_n") + 2) / 2, (F("_n") * 9 + 9) / 10  # integer division
    rows = list(ranked.filter(Q(_rank=low) | Q(_rank=high) | Q(_rank=p90)).values_list("_rank", "_value", "_n"))
    if not rows:
        return None, None, 0
    n = rows[0][2]
    at = {rank: value for rank, value, _n in rows}
    median = (at[(n + 1) // 2] + at[(n + 2) // 2]) / 2
    return median, at[(9 * n + 9) // 10], n
