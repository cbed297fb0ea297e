"""Indicator values computed from Patto's own data, per source. Apps below governance (cases) register
their sources here in AppConfig.ready(), so governance imports none of them.

A page that shows indicators (the commitments, the report) reads every computed source it shows in one
statement: each source gives a subquery, and the statement, compiled once per pact, period and day
(``core.frozen``), is run afresh at every request. Values are never kept: a fact recorded counts at once."""

from datetime import date
from typing import NamedTuple

from django.db.models import F, Func, IntegerField, Subquery
from django.utils.translation import gettext_lazy as _

from patto.core.frozen import FrozenQuery

_computed = {}

# What each computed source counts, in words: shown with its value on the commitments page and in the report.
# Every one counts by the dates of the facts (an agreement signed, a meeting held, an answer given), never by
# when a record was entered.
DEFINITIONS = {
    "school_referents": _(
        "Schools that signed the pact with a PIPPI school referent in office on the last day of the period "
        "(or today, if earlier)."
    ),
    "meetings_held": _("Meetings of the pact's governance bodies held in the period (by their date) with minutes."),
    "families_in_path": _(
        "Families with their agreement to PIPPI in force at some time in the period: signed by its last day and "
        "the path not closed before its first day. Families still at the signal or the pre-assessment are not "
        "counted. From 1 to 4: shown as “<5”."
    ),
    "request_response_median": _(
        "Median of the working days from a signal or request to its answer, over those answered in the period "
        "(the pauses waiting for the sender left out)."
    ),
    "request_response_p90": _(
        "90th percentile (nearest rank) of the working days from a signal or request to its answer, over those "
        "answered in the period."
    ),
    "requests_overdue": _(
        "Signals and requests sent by the last day of the period (or today, if earlier), due before then and not "
        "answered by then."
    ),
    "helpdesk_answered": _(
        "Questions of the schools and educational services to the legal help desk answered in the period (by the "
        "date of the answer)."
    ),
    "helpdesk_response_median": _(
        "Median of the working days from a question to the legal help desk to its answer, over those answered in "
        "the period (the pauses waiting for the school's clarification left out)."
    ),
    "helpdesk_response_p90": _(
        "90th percentile (nearest rank) of the working days from a question to the legal help desk to its "
        "answer, over those answered in the period."
    ),
    "faqs_published": _(
        "Answers of the legal help desk published as FAQs for the district's schools in the period (by the date "
        "first published)."
    ),
    "codesign_in_progress": _(
        "Co-design processes (art. 55 of the Third-Sector Code) under way on the last day of the period (or today, "
        "if earlier): the public notice published by then and the agreement not yet signed."
    ),
    "codesign_concluded": _("Co-design processes whose agreement was signed in the period (by the date of signing)."),
    "places_added": _(
        "Places added to the offer of the dispositivi by the co-design agreements signed in the period (the places "
        "each agreement creates, per dispositivo and provider)."
    ),
    "partnerships_signed": _(
        "Partnership proposals for a call signed by all their partners, the last partner's confirmation in Patto "
        "given in the period (by its date)."
    ),
    "projects_funded": _(
        "Funded projects of the district running at some time in the period: started by its last day and not "
        "ended before its first day."
    ),
    "project_spending": _(
        "Euro of expenditure recorded on the district's funded projects, dated within the period (two decimal "
        "places, summed exactly)."
    ),
}


class Scope(NamedTuple):
    """What a computed source counts over: the pact and its district, the period's first and last day, and
    today (a period that runs past today is counted up to today where its definition says so)."""

    pact_id: int
    district_id: int
    starts_on: date
    ends_on: date
    today: date

    @property
    def last_day(self):
        """The period's last day, or today if earlier."""
        return min(self.ends_on, self.today)


class _Source(NamedTuple):
    scalar: object  # (scope) -> an expression giving one value, or None
    rows: object  # (scope) -> a flat values_list queryset, or None
    reduce: object  # (value or rows) -> what is shown


def register(source, scalar=None, *, rows=None, reduce=None):
    """A computed source, registered by the app that holds its data (in ``AppConfig.ready()``). Either
    ``scalar(scope)``: an expression giving one value (``count_of``, ``sum_of``), read with every other scalar
    source of the page in one statement; or ``rows(scope)``: a flat ``values_list`` queryset read as a statement of
    its own, once for all the sources that register the same function (a median and a percentile of the same
    times). ``reduce`` turns what the database answered into the value shown; counts about families must
    suppress small cells there. The statements are compiled once per pact, period and day (``core.frozen``): only
    the compilation is kept, every request reads the data afresh."""
    if (scalar is None) == (rows is None):
        raise ValueError(f"{source}: give either scalar or rows")
    _computed[source] = _Source(scalar, rows, reduce or _as_is)
    if rows is not None and rows not in _row_statements:
        _row_statements[rows] = FrozenQuery(
            f"governance.indicators.{source}", _rows_statement(rows), {"district_id": int}
        )


_row_statements = {}


def _as_is(value):
    return value


def _rows_statement(rows):
    def build(day, dates, district_id):  # a list of the district's own facts: the pact does not enter it
        return rows(Scope(None, district_id, *dates, day))

    return build


def count_of(queryset, field="pk", distinct=False):
    """How many rows of ``queryset`` (how many distinct values of ``field``), as a subquery giving one number."""
    template = "COUNT(DISTINCT %(expressions)s)" if distinct else "COUNT(%(expressions)s)"
    return _scalar(queryset, Func(F(field), template=template, output_field=IntegerField()))


def sum_of(queryset, field, output_field):
    """The sum of ``field`` over ``queryset`` (None over no row), as a subquery giving one value."""
    return _scalar(queryset, Func(F(field), function="SUM", output_field=output_field))


def _scalar(queryset, aggregate):
    # A plain function, not an aggregate: no GROUP BY, so one row whatever the queryset holds. A queryset that is
    # distinct, sliced or grouped would be counted wrong without an error: refused.
    query = queryset.query
    if query.distinct or query.is_sliced or query.group_by is not None:
        raise ValueError("count_of/sum_of take plain filtered querysets (no distinct, slice or grouping)")
    return Subquery(queryset.order_by().values_list(aggregate), output_field=aggregate.output_field)


def _scalars_statement(day, variant, pact_id, district_id):
    """One row: the value of each source in ``variant`` (the sources and the period's days), for the pact and
    district whose ids the statement takes as parameters (one statement for every pact), today being ``day``."""
    from .models import Pact

    sources, starts_on, ends_on = variant
    scope = Scope(pact_id, district_id, starts_on, ends_on, day)
    names = [f"value_{index}" for index in range(len(sources))]
    expressions = {name: _computed[source].scalar(scope) for name, source in zip(names, sources)}
    return Pact.objects.filter(pk=pact_id, district_id=district_id).annotate(**expressions).values_list(*names)


_SCALARS = FrozenQuery("governance.indicators", _scalars_statement, {"pact_id": int, "district_id": int})


def scope_of(pact, period, today=None):
    return Scope(pact.pk, pact.district_id, period.starts_on, period.ends_on, today or _today())


def computed_values(sources, scope):
    """{source: value} for the registered ``sources`` over ``scope``: the scalar ones in one statement, each
    distinct rows function in one more."""
    sources = sorted(source for source in set(sources) if source in _computed)
    answered = {}
    scalars = tuple(source for source in sources if _computed[source].scalar is not None)
    if scalars:
        rows = _SCALARS.rows(
            day=scope.today,
            variant=(scalars, scope.starts_on, scope.ends_on),
            pact_id=scope.pact_id,
            district_id=scope.district_id,
        )
        answered.update(zip(scalars, rows[0] if rows else [None] * len(scalars)))
    read = {}
    for source in sources:
        rows = _computed[source].rows
        if rows is not None:
            if rows not in read:
                read[rows] = _row_statements[rows].rows(
                    day=scope.today, variant=(scope.starts_on, scope.ends_on), district_id=scope.district_id
                )
            answered[source] = read[rows]
    return {source: _computed[source].reduce(answered[source]) for source in sources}


def computed(source, pact, period, today=None):
    """One computed source's value in the period (``values_for`` reads them all at once)."""
    return computed_values([source], scope_of(pact, period, today))[source]


def school_referents(scope):
    from patto.accounts.models import Membership
    from patto.accounts.roles import Role

    from .queries import active_adhesions

    schools = active_adhesions(scope.pact_id, scope.ends_on).filter(institution__kind="school").values("institution")
    referents = Membership.objects.current(on=scope.last_day).filter(institution__in=schools, role=Role.SCHOOL_REFERENT)
    return count_of(referents, "institution", distinct=True)


def meetings_held(scope):
    from .models import BodyMeeting

    meetings = BodyMeeting.objects.filter(
        body__pact_id=scope.pact_id, starts_at__date__gte=scope.starts_on, starts_at__date__lte=scope.ends_on
    ).exclude(minutes="")
    return count_of(meetings)


def _today():
    from django.utils import timezone

    return timezone.localdate()


register("school_referents", school_referents)
register("meetings_held", meetings_held)


def _manual_values(day, indicator_ids, period_id):
    from .models import IndicatorValue

    return (
        IndicatorValue.objects.filter(indicator_id__in=indicator_ids, period_id=period_id)
        .select_related("evidence_file")
        .order_by("created_at", "id")
    )


# The values entered by hand for the page's indicators in the period, every entry oldest first.
_MANUAL_VALUES = FrozenQuery("governance.manual_values", _manual_values, {"indicator_ids": [int], "period_id": int})


def values_for(indicators, period):
    """{indicator id: value} for the period: the computed sources read at once (``computed_values``), manual
    values from the latest entry. A fixed number of queries whatever the number of indicators."""
    if period is None:
        return {}
    computed = computed_values({i.source for i in indicators if i.source != "manual"}, scope_of(period.pact, period))
    manual_ids = [i.pk for i in indicators if i.source == "manual"]
    latest = {}
    for entry in _MANUAL_VALUES.rows(indicator_ids=manual_ids, period_id=period.pk):  # oldest first
        latest[entry.indicator_id] = entry
    result = {}
    for indicator in indicators:
        if indicator.source == "manual":
            entry = latest.get(indicator.pk)
            result[indicator.pk] = {
                "value": entry.value if entry else None,
                "evidence": entry.evidence if entry else "",
                "file": entry.evidence_file if entry else None,
            }
        else:
            result[indicator.pk] = {
                "value": computed.get(indicator.source),
                "evidence": "",
                "computed": True,
                "definition": DEFINITIONS.get(indicator.source, ""),
            }
    return result
