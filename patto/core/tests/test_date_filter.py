"""The project's ``|date`` (formats read once, ``core/templatetags/patto_formats.py``) writes what Django's
filter writes: every format Patto names and every specifier, dates and datetimes (aware in Rome's time, around
the changes of summer time, and naive), other values, in Italian and in English; and it is the filter the
project's templates use."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.template.defaultfilters import date as django_date
from django.utils import timezone, translation
from hypothesis import given, settings
from hypothesis import strategies as st

from patto.core.templatetags import patto_formats

ROME = ZoneInfo("Europe/Rome")
FORMAT_NAMES = [
    None,
    "DATE_FORMAT",
    "SHORT_DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "MONTH_DAY_FORMAT",
    "YEAR_MONTH_FORMAT",
    "TIME_FORMAT",
]
EVERY_SPECIFIER = "aAbcdDeEfFgGhHiIjlLmMnNoOPrsStTUuwWyYzZ"
FORMATS = (
    FORMAT_NAMES
    + [
        "d/m/Y H:i:s",
        "l j F Y",
        "D d M y",
        "N E b",
        r"\d\a\y d, \Y Y",  # escaped specifiers are text
        "j \\de F",
        "Y-m-d\\TH:i",
        "W o",  # not written directly: goes to Django's filter
        "",
    ]
    + list(EVERY_SPECIFIER)
)


def _both(value, arg):
    return patto_formats.date(value, arg), django_date(value, arg)


@pytest.mark.parametrize("language", ["it", "en"])
@pytest.mark.parametrize("arg", FORMATS)
def test_every_format_and_specifier_as_django_writes_it(language, arg):
    values = [
        datetime.date(2026, 11, 16),
        datetime.date(2027, 1, 1),
        datetime.date(999, 12, 31),
        datetime.date(2024, 2, 29),
        datetime.datetime(2026, 11, 16, 9, 5, 7, tzinfo=ROME),
        datetime.datetime(2026, 3, 29, 2, 30),  # naive, in the hour summer time skips
        datetime.datetime(2026, 10, 25, 2, 30, tzinfo=ROME),  # the hour that happens twice
        datetime.datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=ROME),
        datetime.datetime(2026, 7, 1, 23, 59, 59, tzinfo=datetime.UTC),
        datetime.time(14, 30),
        None,
        "",
        "16/11/2026",
    ]
    with translation.override(language), timezone.override(ROME):
        for value in values:
            try:
                expected = django_date(value, arg)
            except (TypeError, AttributeError) as error:  # Django refuses a time part of a date: so do we
                with pytest.raises(type(error)):
                    patto_formats.date(value, arg)
                continue
            assert patto_formats.date(value, arg) == expected, (value, arg)


@settings(max_examples=300, deadline=None, database=None)
@given(
    moment=st.datetimes(
        min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 12, 31), timezones=st.just(ROME)
    ),
    arg=st.sampled_from(FORMAT_NAMES + ["l j F Y H:i:s", "D d M y G"]),
    language=st.sampled_from(["it", "en"]),
)
def test_any_moment_as_django_writes_it(moment, arg, language):
    with translation.override(language), timezone.override(ROME):
        assert _both(moment, arg)[0] == _both(moment, arg)[1]
        if arg is None or "TIME" not in arg and arg != "l j F Y H:i:s" and arg != "D d M y G":
            assert _both(moment.date(), arg)[0] == _both(moment.date(), arg)[1]


def test_the_project_s_templates_use_it_with_local_time():
    template = engines["django"].from_string('{{ when|date:"SHORT_DATETIME_FORMAT" }}|{{ day|date }}')
    filters = [
        node.filter_expression.filters[0][0]
        for node in template.template.nodelist
        if hasattr(node, "filter_expression")
    ]
    assert filters == [patto_formats.date, patto_formats.date]
    when = datetime.datetime(2026, 11, 16, 22, 45, tzinfo=datetime.UTC)  # 23:45 in Rome
    with translation.override("it"):
        assert template.render({"when": when, "day": datetime.date(2026, 12, 1)}) == "16/11/2026 23:45|1 dicembre 2026"
