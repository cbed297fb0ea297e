"""The programme page after the security review's differencing attacks (F2-F6, F8): what a reader could work out
by comparing two views of the page (another cohort, a comune against the district, two windows of days) now
reads the same in every view, or is not published."""

import csv
import inspect
import io
from datetime import date, timedelta

import pytest
from django.utils import translation

from patto.cases.models import Path
from patto.monitoring import programme
from patto.monitoring.outcomes import outcome_tables
from patto.monitoring.tests.test_programme import Builder

PROG = "/monitoraggio/programma/"


@pytest.fixture
def build(world, personas):
    return Builder(world, personas)


@pytest.fixture
def en():
    with translation.override("en"):
        yield


def csv_rows(response):
    assert response.status_code == 200, response.status_code
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def row_of(rows, label):
    return next(r for r in rows if r[0] == label)


def shown(value):
    return value.isdigit()


# F2: a cohort's column beside the district's, switching ?coorte=, gave a hidden cohort count back.
def test_f2_the_stages_read_the_same_whatever_cohort_and_hide_the_small_cohort(build, login, en):
    a = build.cohort("PIPPI 11", start=date(2024, 1, 15))
    b = build.cohort("PIPPI 12", start=date(2025, 1, 13))
    for _ in range(3):
        build.path(a, state=Path.State.INTERVENTION, agreement=date(2024, 3, 1))
    for _ in range(6):
        build.path(b, state=Path.State.INTERVENTION, agreement=date(2025, 3, 1))
    client = login("coordinator")
    for key in ("stages", "stages_children"):
        page_a = csv_rows(client.get(PROG, {"coorte": a.pk, "tabella": key, "formato": "csv"}))
        page_b = csv_rows(client.get(PROG, {"coorte": b.pk, "tabella": key, "formato": "csv"}))
        assert page_a == page_b  # one table for the district, whatever cohort is chosen
        assert page_a[0] == ["Fase", "PIPPI 11", "PIPPI 12", "Distretto"]
        cohort_a, cohort_b, district = row_of(page_a, "Intervento")[1:]
        assert not shown(cohort_a)  # 3
        assert not (shown(cohort_b) and shown(district))  # else 3 = district − PIPPI 12


# F3: the comune filter against the whole district gave a comune's hidden counts back.
def test_f3_no_comune_filter_and_the_comuni_are_one_protected_table(build, login, en):
    c = build.cohort()
    for _ in range(6):
        build.path(c, state=Path.State.INTERVENTION, agreement=date(2025, 3, 1), comune=build.comune)
    build.path(c, state=Path.State.INTERVENTION, agreement=date(2025, 3, 1), comune=build.comune_b)
    client = login("coordinator")
    q = {"coorte": c.pk, "tabella": "stages", "formato": "csv"}
    whole = csv_rows(client.get(PROG, q))
    assert csv_rows(client.get(PROG, {**q, "comune": build.comune.pk})) == whole  # ?comune= does nothing
    assert csv_rows(client.get(PROG, {**q, "comune": build.comune_b.pk})) == whole

    comuni = csv_rows(client.get(PROG, {"coorte": c.pk, "tabella": "comuni", "formato": "csv"}))
    assert [r[0] for r in comuni] == ["Comune", "Rimini", "Santarcangelo", "Nessun comune del distretto", "Distretto"]
    column = comuni[0].index("Intervento")
    rimini, santarcangelo, nowhere, district = (r[column] for r in comuni[1:])
    assert not shown(santarcangelo)
    assert sum(not shown(v) for v in (rimini, nowhere, district)) >= 1  # else 1 = 7 − 6 − 0
    page = client.get(PROG, {"coorte": c.pk}).content.decode()
    assert 'name="comune"' not in page


# F4: windows to the day gave one family's agreement day (and, with the comune, where it lives).
def test_f4_whole_months_without_totals_the_same_in_every_window(build, login, en):
    c = build.cohort()
    for _ in range(6):
        build.path(c, state=Path.State.INTERVENTION, agreement=date(2025, 3, 3))
    build.path(c, state=Path.State.INTERVENTION, agreement=date(2025, 3, 15), comune=build.comune_b)
    other = build.cohort("PIPPI 13", start=date(2025, 9, 1))
    build.path(other, state=Path.State.INTERVENTION, agreement=date(2025, 3, 20))
    client = login("coordinator")

    def months(dal, al):
        return csv_rows(client.get(PROG, {"coorte": c.pk, "dal": dal, "al": al, "tabella": "months", "formato": "csv"}))

    march = months("2025-03-01", "2025-03-14")
    assert march == months("2025-03-01", "2025-03-15") == months("2025-03-10", "2025-03-31")
    assert march == [
        ["Mese", "In entrata", "In uscita", "Segnalazioni"],
        ["marzo 2025", "7", "0", "0"],
    ]  # the cohort only
    assert [r[0] for r in months("2025-02-11", "2025-04-02")] == ["Mese", "febbraio 2025", "marzo 2025", "aprile 2025"]


def test_f4_a_month_is_hidden_as_among_all_the_cohorts_months(build, login, en):
    """The signals of all the months add up to the cohort's families (shown in the stages table): a window
    over every month, without totals, would give a lone hidden month back. Hidden as among all the months, a
    month reads the same in every window, and never alone."""
    c = build.cohort()
    for day, n in ((date(2024, 11, 4), 10), (date(2024, 12, 2), 3), (date(2025, 1, 7), 8)):
        for _ in range(n):
            build.path(c, signal=day)
    client = login("coordinator")

    def months(dal, al):
        rows = csv_rows(client.get(PROG, {"coorte": c.pk, "dal": dal, "al": al, "tabella": "months", "formato": "csv"}))
        return {r[0]: r[3] for r in rows[1:]}  # month: signals

    stages = csv_rows(client.get(PROG, {"coorte": c.pk, "tabella": "stages", "formato": "csv"}))
    assert row_of(stages, "Distretto")[-1] == "21"
    every = months("2024-10-01", "2025-02-28")
    assert not shown(every["dicembre 2024"])
    assert sum(not shown(v) for v in every.values()) >= 2  # else 21 − the others
    for dal, al in (("2024-12-01", "2024-12-31"), ("2024-11-01", "2024-12-31"), ("2025-01-01", "2025-03-31")):
        assert all(every.get(month, value) == value for month, value in months(dal, al).items())


# F5: the outcome means of a comune against the district's gave one child's ratings.
def test_f5_the_outcomes_have_no_comune(build, login):
    assert list(inspect.signature(outcome_tables).parameters) == ["district", "cohort"]
    c = build.cohort()
    client = login("coordinator")
    q = {"coorte": c.pk, "tabella": "esiti-equipe-lati", "formato": "csv"}
    assert csv_rows(client.get(PROG, {**q, "comune": build.comune.pk})) == csv_rows(client.get(PROG, q))


# F6: the nearest-rank 90th percentile of 5-9 values is the largest: one family's own delay.
def test_f6_the_90th_percentile_only_from_20_paths(build, en):
    c = build.cohort()
    for days in (10, 11, 12, 13):
        build.path(
            c, state=Path.State.INTERVENTION, signal=date(2025, 1, 1), agreement=date(2025, 1, 1) + timedelta(days)
        )
    build.path(c, state=Path.State.INTERVENTION, signal=date(2025, 1, 1), agreement=date(2025, 1, 1) + timedelta(187))
    sel = programme.Selection(build.world.district, c, date(2024, 12, 1), date(2025, 12, 31))

    def first_row():
        table = next(t for t in programme.figures(sel) if t.key == "waiting")
        return table.cells[0][1]

    median, p90 = first_row()[:2]
    assert median.value == 12 and p90.value is None and p90.text == "—"
    for days in range(14, 29):  # 20 paths: the 90th percentile is the 18th (27 days), not the largest
        build.path(
            c, state=Path.State.INTERVENTION, signal=date(2025, 1, 1), agreement=date(2025, 1, 1) + timedelta(days)
        )
    assert first_row()[1].value == 27


# F8: a date out of range gave a 500 (add_months past the year 9999).
@pytest.mark.parametrize(
    "query, bad",
    [
        ({"dal": "9999-01-01", "al": "9999-02-01"}, {"dal", "al"}),
        ({"dal": "9999-12-01", "al": "9999-12-31"}, {"dal", "al"}),
        ({"dal": "9999-12-01"}, {"dal"}),
        ({"al": "0001-01-31", "dal": "0001-01-01"}, {"dal", "al"}),
        ({"dal": "1999-12-31", "al": "2027-11-17"}, {"dal", "al"}),
    ],
)
def test_f8_dates_out_of_range_are_explained_and_the_defaults_used(build, login, query, bad):
    c = build.cohort()
    client = login("coordinator")
    client.raise_request_exception = False
    response = client.get(PROG, {"coorte": c.pk, **query})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == bad
    assert form.errors[next(iter(bad))] == ["Scegli una data dal 1 gennaio 2000 al 16 novembre 2027."]
    selection = response.context["selection"]
    assert (selection.starts_on, selection.ends_on) == (date(2024, 7, 1), date(2026, 11, 30))  # the defaults
    html = response.content.decode()
    assert all(f'value="{value}"' in html for value in query.values())  # what was typed stays


def test_f8_the_last_day_allowed(build, login):
    build.cohort()
    client = login("coordinator")
    response = client.get(PROG, {"dal": "2000-01-01", "al": "2027-11-16"})
    assert response.status_code == 200 and "dal" not in response.context["form"].errors
    assert response.context["form"].errors["al"]  # more than 60 months: the default period, no crash
