"""Outcomes T0→T2 (``monitoring.outcomes``) and the t quantile behind their confidence interval
(``monitoring.stats``)."""

import math
from datetime import date
from decimal import Decimal

import pytest

from patto.cases.models import Assessment, Cohort, Family, Framework, Path, Person, Rating, SubDimension
from patto.monitoring.outcomes import outcome_tables
from patto.monitoring.stats import mean_interval, t_quantile
from patto.monitoring.suppression import PRIMARY

TEAM, FAMILY = Assessment.Rater.TEAM, Assessment.Rater.FAMILY

# --- the t quantile -----------------------------------------------------------------------------------------


def _t_cdf(t, n):
    """Student's t distribution function for an integer n, exactly (the finite sums of Student's formula)."""
    theta = math.atan(t / math.sqrt(n))
    c2 = math.cos(theta) ** 2
    if n % 2:
        term = math.cos(theta)
        total, k = (term if n > 1 else 0.0), 1
        while 2 * k + 1 < n:
            term *= c2 * (2 * k) / (2 * k + 1)
            total += term
            k += 1
        a = 2 / math.pi * (theta + math.sin(theta) * total)
    else:
        term = total = 1.0
        k = 1
        while 2 * k < n:
            term *= c2 * (2 * k - 1) / (2 * k)
            total += term
            k += 1
        a = math.sin(theta) * total
    return 0.5 + a / 2


def test_t_quantile_matches_the_tables_and_the_exact_distribution():
    # Published values (any statistics textbook's table), to 3 decimals.
    for df, expected in ((1, 12.706), (2, 4.303), (4, 2.776), (9, 2.262), (10, 2.228), (19, 2.093), (29, 2.045)):
        assert round(t_quantile(0.975, df), 3) == expected, df
    for df, expected in ((60, 2.000), (120, 1.980)):
        assert abs(t_quantile(0.975, df) - expected) < 1e-3, df
    assert round(t_quantile(0.95, 9), 3) == 1.833
    assert round(t_quantile(0.995, 9), 3) == 3.250
    assert round(t_quantile(0.025, 9), 3) == -2.262  # symmetric
    assert t_quantile(0.5, 7) == 0.0
    # Against the exact distribution function, every df the page can meet and then some.
    for df in range(1, 301):
        for p in (0.9, 0.95, 0.975, 0.99):
            assert abs(_t_cdf(t_quantile(p, df), df) - p) < 1e-5, (df, p)
    with pytest.raises(ValueError):
        t_quantile(1, 5)
    with pytest.raises(ValueError):
        t_quantile(0.9, 0)


def test_mean_interval_from_sums_hand_computed():
    # d = 2, 1, 0, 1, −1, 2, 1, 0, 3, 1: n = 10, Σd = 10, Σd² = 22; mean 1; s² = (22 − 10²/10) / 9 = 4/3,
    # s = 1.1547; s/√n = 0.36515; t(0.975, 9) = 2.26216; half-width 0.82602 → [0.174, 1.826].
    summary = mean_interval(10, 10, 22)
    assert summary.mean == 1
    assert round(summary.sd, 4) == 1.1547
    assert (round(summary.low, 3), round(summary.high, 3)) == (0.174, 1.826)
    assert mean_interval(9, 9, 20).low is None  # n < 10: no interval
    assert mean_interval(1, 3, 9).sd is None
    assert mean_interval(0, 0, 0).mean is None


# --- the tables ---------------------------------------------------------------------------------------------


@pytest.fixture
def outcomes_world(world, personas):
    cohort = Cohort.objects.create(district=world.district, name="PIPPI 12 — Rimini", start_date=date(2024, 1, 15))
    framework = Framework.objects.get(is_current=True)
    subs = list(SubDimension.objects.filter(side__framework=framework).select_related("side"))
    by_code = {sub.code: sub for sub in subs}
    return {
        "world": world,
        "cohort": cohort,
        "user": personas["case_manager"].user,
        "subs": subs,
        "by_code": by_code,
        "child_side": [s for s in subs if s.side.code == "bambino"],
        "counter": [0],
    }


def _child(ow, cohort=None):
    ow["counter"][0] += 1
    number = ow["counter"][0]
    world = ow["world"]
    family = Family.objects.create(district=world.district, reference=f"ESI-{number:05d}")
    child = Person.objects.create(
        family=family,
        district=world.district,
        kind=Person.Kind.CHILD,
        first_name="Bambino",
        last_name=f"N{number}",
        birth_date=date(2017, 3, 1),
        sex="F",
    )
    path = Path.objects.create(
        family=family, cohort=cohort or ow["cohort"], signal_source=world.school, signal_summary="Segnalazione."
    )
    return path, child


def _assess(ow, path, child, time_point, rater, values, complete=True):
    """``values``: {sub-dimension code: value or None}; the other sub-dimensions are not rated at all."""
    assessment = Assessment.objects.create(
        path=path,
        child=child,
        framework=Framework.objects.get(is_current=True),
        time_point=time_point,
        rater=rater,
        is_complete=complete,
        updated_by=ow["user"],
    )
    Rating.objects.bulk_create(
        Rating(assessment=assessment, subdimension=ow["by_code"][code], value=value) for code, value in values.items()
    )


def _table(tables, key):
    return next(t for t in tables if t.key == key)


def _row(table, label_part):
    return next((label, row) for label, row in table.cells if label_part in str(label))


def _cell(table, label_part, key):
    _label, row = _row(table, label_part)
    if key == "n":
        return row[-1]
    index = next(i for i, c in enumerate(table.columns) if c.key == key)
    return row[index]


def test_hand_computed_example_with_interval_and_suppressed_counts(outcomes_world):
    """Ten children rated by the team on "Salute e crescita": T0 all 2, T2 = 2 + d with
    d = 2, 1, 0, 1, −1, 2, 1, 0, 3, 1 → mean T0 2.00, T2 3.00, change 1.00, CI [0.17, 1.83] (see the test
    above: 0.174, 1.826); improved 7, unchanged 2, worse 1 (the last two "<5", their shares hidden)."""
    ow = outcomes_world
    differences = [2, 1, 0, 1, -1, 2, 1, 0, 3, 1]
    for d in differences:
        path, child = _child(ow)
        _assess(ow, path, child, "T0", TEAM, {"salute": 2, "autonomia": 3})
        _assess(ow, path, child, "T2", TEAM, {"salute": 2 + d, "autonomia": None})  # not assessable at T2
    tables = outcome_tables(ow["world"].district, ow["cohort"])
    assert [t.key for t in tables] == [
        "esiti-equipe-lati",
        "esiti-equipe-sottodimensioni",
        "esiti-famiglia-lati",
        "esiti-famiglia-sottodimensioni",
    ]
    subs = _table(tables, "esiti-equipe-sottodimensioni")
    values = {key: _cell(subs, "Salute e crescita", key).value for key in ("mean_t0", "mean_t2", "change")}
    assert values == {"mean_t0": Decimal("2.00"), "mean_t2": Decimal("3.00"), "change": Decimal("1.00")}
    assert _cell(subs, "Salute e crescita", "ci_low").value == Decimal("0.17")
    assert _cell(subs, "Salute e crescita", "ci_high").value == Decimal("1.83")
    assert _cell(subs, "Salute e crescita", "n").value == 10
    assert _cell(subs, "Salute e crescita", "improved").value == 7
    assert _cell(subs, "Salute e crescita", "improved_share").value == 70
    for key in ("unchanged", "worse"):
        assert _cell(subs, "Salute e crescita", key).hidden == PRIMARY
        assert _cell(subs, "Salute e crescita", f"{key}_share").hidden  # its count would come back from it
    # A sub-dimension rated at T0 and "not assessable" at T2 has no pair: n = 0, nothing computed.
    assert _cell(subs, "Autonomia", "n").value == 0
    assert _cell(subs, "Autonomia", "change").value is None
    # The side: the child's mean over the side's sub-dimensions rated at both times (only Salute here).
    sides = _table(tables, "esiti-equipe-lati")
    assert _cell(sides, "Bambino", "change").value == Decimal("1.00")
    assert _cell(sides, "Bambino", "ci_low").value == Decimal("0.17")
    assert _cell(sides, "Bambino", "n").value == 10
    assert _cell(sides, "Famiglia", "n").value == 0
    # The family rated nobody: its tables are empty, not the team's figures again.
    family = _table(tables, "esiti-famiglia-lati")
    assert all(_cell(family, side, "n").value == 0 for side in ("Bambino", "Famiglia", "Ambiente"))
    # The page and the files say the same.
    header = subs.header
    assert header[-1] == str(subs.total_label)
    rows = list(subs.file_rows())
    salute = next(r for r in rows if "Salute e crescita" in r[0])
    assert salute[header.index(str(subs.columns[5].label))] == 7


def test_side_means_small_n_drafts_only_t0_and_raters_apart(outcomes_world):
    ow = outcomes_world
    # Six children rated by the team on two sub-dimensions of the child's side: T0 (2, 4), T2 (3, 4)
    # → side means 3 → 3.5, change +0.5 each; sub-dimension "Salute" +1, "Autonomia" 0.
    for _i in range(6):
        path, child = _child(ow)
        _assess(ow, path, child, "T0", TEAM, {"salute": 2, "autonomia": 4})
        _assess(ow, path, child, "T2", TEAM, {"salute": 3, "autonomia": 4})
        # The family of the same children sees things worse: kept apart from the team's.
        _assess(ow, path, child, "T0", FAMILY, {"salute": 5})
        _assess(ow, path, child, "T2", FAMILY, {"salute": 4})
    # Left out: a draft at T2, a child with T0 only, a draft at T0.
    path, child = _child(ow)
    _assess(ow, path, child, "T0", TEAM, {"salute": 1, "autonomia": 1})
    _assess(ow, path, child, "T2", TEAM, {"salute": 6, "autonomia": 6}, complete=False)
    path, child = _child(ow)
    _assess(ow, path, child, "T0", TEAM, {"salute": 1, "autonomia": 1})
    path, child = _child(ow)
    _assess(ow, path, child, "T0", TEAM, {"salute": 1, "autonomia": 1}, complete=False)
    _assess(ow, path, child, "T2", TEAM, {"salute": 6, "autonomia": 6})
    # Three more children rated by the family only: n = 3 on the family's "Identità" → no mean.
    for _i in range(3):
        path, child = _child(ow)
        _assess(ow, path, child, "T0", FAMILY, {"identita": 3})
        _assess(ow, path, child, "T2", FAMILY, {"identita": 4})

    tables = outcome_tables(ow["world"].district)
    sides = _table(tables, "esiti-equipe-lati")
    assert _cell(sides, "Bambino", "n").value == 6
    assert _cell(sides, "Bambino", "mean_t0").value == Decimal("3.00")
    assert _cell(sides, "Bambino", "mean_t2").value == Decimal("3.50")
    assert _cell(sides, "Bambino", "change").value == Decimal("0.50")
    assert _cell(sides, "Bambino", "ci_low").value is None  # n < 10: no interval
    assert _cell(sides, "Bambino", "improved").value == 6
    assert _cell(sides, "Bambino", "improved_share").value == 100
    assert _cell(sides, "Bambino", "unchanged_share").value == 0
    subs = _table(tables, "esiti-equipe-sottodimensioni")
    assert _cell(subs, "Salute e crescita", "change").value == Decimal("1.00")
    assert _cell(subs, "Autonomia", "change").value == Decimal("0.00")
    assert _cell(subs, "Autonomia", "unchanged").value == 6

    family_subs = _table(tables, "esiti-famiglia-sottodimensioni")
    assert _cell(family_subs, "Salute e crescita", "n").value == 6
    assert _cell(family_subs, "Salute e crescita", "change").value == Decimal("-1.00")
    assert _cell(family_subs, "Salute e crescita", "worse").value == 6
    # n = 3: the count is "<5", the means and the interval are not computed on so few, no share.
    identity = {key: _cell(family_subs, "Identità", key) for key in ("n", "mean_t0", "change", "improved_share")}
    assert identity["n"].hidden == PRIMARY
    assert identity["mean_t0"].hidden == "measure" and identity["change"].hidden == "measure"
    assert identity["mean_t0"].value == identity["mean_t0"].text  # the file says what the page says
    assert identity["improved_share"].value is None or identity["improved_share"].hidden
    # The family's side: the nine children (six on Salute, three on Identità).
    family_sides = _table(tables, "esiti-famiglia-lati")
    assert _cell(family_sides, "Bambino", "n").value == 9
    assert _cell(family_sides, "Bambino", "change").value == Decimal(str(round((6 * -1 + 3 * 1) / 9, 2)))

    # Another cohort: no child.
    other = Cohort.objects.create(district=ow["world"].district, name="PIPPI 13", start_date=date(2025, 9, 1))
    empty = outcome_tables(ow["world"].district, other)
    assert _cell(_table(empty, "esiti-equipe-lati"), "Bambino", "n").value == 0
    assert not _table(empty, "esiti-equipe-lati").has_hidden


def test_another_districts_children_are_not_counted(outcomes_world):
    ow = outcomes_world
    world = ow["world"]
    foreign_cohort = Cohort.objects.create(
        district=world.foreign_district, name="PIPPI 12 — Forlì", start_date=date(2024, 1, 1)
    )
    for _i in range(5):
        path, child = _child(ow, foreign_cohort)
        _assess(ow, path, child, "T0", TEAM, {"salute": 2})
        _assess(ow, path, child, "T2", TEAM, {"salute": 4})
    tables = outcome_tables(world.district)
    assert _cell(_table(tables, "esiti-equipe-lati"), "Bambino", "n").value == 0
    assert _cell(_table(outcome_tables(world.foreign_district), "esiti-equipe-lati"), "Bambino", "n").value == 5


@pytest.mark.parametrize("children", [1, 3])
def test_query_count_does_not_grow(outcomes_world, django_assert_num_queries, children):
    ow = outcomes_world
    for _i in range(children):
        path, child = _child(ow)
        for rater in (TEAM, FAMILY):
            _assess(ow, path, child, "T0", rater, {sub.code: 2 for sub in ow["subs"]})
            _assess(ow, path, child, "T2", rater, {sub.code: 3 for sub in ow["subs"]})
    with django_assert_num_queries(2):  # the sums, the labels
        tables = outcome_tables(ow["world"].district, ow["cohort"])
        for table in tables:
            list(table.file_rows())
            table.chart_data()


def test_the_section_in_italian(outcomes_world, rf):
    """The section names the method in Italian, the CI columns too, and a table downloads as CSV with the same
    cells. (There is no comune filter: a comune's means against the district's gave one child's ratings.)"""
    import inspect

    from django.template.loader import render_to_string
    from django.utils import translation

    from patto.monitoring import tables as figures

    assert list(inspect.signature(outcome_tables).parameters) == ["district", "cohort"]
    ow = outcomes_world
    world = ow["world"]
    for i in range(10):
        path, child = _child(ow)
        _assess(ow, path, child, "T0", TEAM, {"salute": 3})
        _assess(ow, path, child, "T2", TEAM, {"salute": 3 + i % 2})
    with translation.override("it"):
        tables = outcome_tables(world.district, ow["cohort"])
        sides = _table(tables, "esiti-equipe-lati")
        assert _cell(sides, "Bambino", "n").value == 10
        assert _cell(sides, "Bambino", "change").value == Decimal("0.50")
        assert _cell(sides, "Bambino", "ci_low").value is not None  # n = 10: the interval is shown
        request = rf.get("/monitoraggio/programma/", {"coorte": "x"})
        html = render_to_string("monitoring/_outcomes.html", {"outcomes": tables, "request": request})
        response = figures.download(rf.get("/", {"tabella": "esiti-equipe-lati", "formato": "csv"}), tables, "esiti")
    assert (
        "intervallo di confidenza al 95% della media delle differenze appaiate, distribuzione t di Student con "
        "n−1 gradi di libertà" in html
    )
    assert "IC al 95%: limite inferiore" in html
    assert "Cambiamento T0→T2 per lato, valutazioni dell&#x27;équipe" in html
    for table in tables:
        assert f'id="fig-{table.key}"' in html
        assert f"tabella={table.key}" in html
    csv_text = response.content.decode("utf-8-sig")
    assert csv_text.splitlines()[0].startswith("Lato,Media a T0,Media a T2,Cambiamento medio,IC al 95%")
    assert csv_text.splitlines()[0].endswith("Bambini (n)")


def test_the_programme_page_shows_the_section_and_downloads_its_tables(outcomes_world, login):
    from django.urls import reverse

    from patto.audit.models import AuditEvent

    ow = outcomes_world
    for d in (1, 1, 0, 2, 1):
        path, child = _child(ow)
        _assess(ow, path, child, "T0", TEAM, {"salute": 2})
        _assess(ow, path, child, "T2", TEAM, {"salute": 2 + d})
    client = login("coordinator")
    url = reverse("monitoring:programme")
    page = client.get(url, {"coorte": ow["cohort"].pk}).content.decode()
    assert 'id="outcomes-heading"' in page
    for key in ("esiti-equipe-lati", "esiti-equipe-sottodimensioni", "esiti-famiglia-lati"):
        assert f'id="fig-{key}"' in page
    response = client.get(url, {"coorte": ow["cohort"].pk, "tabella": "esiti-equipe-lati", "formato": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    event = AuditEvent.objects.get(action="monitoring.figures.downloaded")
    assert event.changes["table"] == [None, "esiti-equipe-lati"]
