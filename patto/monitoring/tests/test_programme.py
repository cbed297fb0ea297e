"""Programme monitoring: the aggregates against hand-counted data, the DB helpers on both backends, the page
(filters, bad values, downloads, who may) and its query count with 1 and 3 paths."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F, Value
from django.utils import translation

from patto.cases.models import (
    Agreement,
    Assessment,
    ClosureOutcome,
    Cohort,
    DeviceActivation,
    DeviceSession,
    DeviceType,
    Family,
    Path,
    Person,
    TeamMember,
)
from patto.cases.reference_data import ensure_reference_data
from patto.cases.services import current_framework
from patto.monitoring import programme
from patto.monitoring.aggregates import AddMonths, days_between, month_start, percentiles
from patto.territory.models import Comune

ROME = ZoneInfo("Europe/Rome")
_numbers = count(1)


class Builder:
    """Paths written straight to the tables (the services are tested elsewhere; the figures read tables)."""

    def __init__(self, world, personas):
        self.world, self.personas = world, personas
        self.user = personas["case_manager"].user
        self.comune = Comune.objects.create(district=world.district, istat_code="099014", name="Rimini")
        self.comune_b = Comune.objects.create(district=world.district, istat_code="099018", name="Santarcangelo")
        ensure_reference_data()  # loaded by the data migrations (and again here, for a run without them)
        self.framework = current_framework()

    def cohort(self, name="PIPPI 12", start=date(2025, 1, 13), **extra):
        return Cohort.objects.create(district=self.world.district, name=name, start_date=start, **extra)

    def path(
        self,
        cohort,
        *,
        state=Path.State.SIGNAL,
        signal=date(2024, 12, 2),
        agreement=None,
        started=None,
        closed=None,
        outcome=None,
        children=1,
        comune=None,
    ):
        number = next(_numbers)
        family = Family.objects.create(district=self.world.district, reference=f"T-{number:05d}")
        kids = [
            Person.objects.create(
                family=family,
                district=self.world.district,
                kind=Person.Kind.CHILD,
                first_name=f"Bimbo{number}-{i}",
                last_name="Prova",
                birth_date=date(2016, 1, 1),
                sex="F",
                comune=comune or self.comune,
            )
            for i in range(children)
        ]
        Person.objects.create(
            family=family,
            district=self.world.district,
            kind=Person.Kind.PARENT,
            first_name=f"Genitore{number}",
            last_name="Prova",
            birth_date=date(1985, 1, 1),
            sex="M",
        )
        path = Path.objects.create(
            family=family,
            cohort=cohort,
            state=state,
            signal_source=self.world.school,
            signal_date=signal,
            signal_summary="Sintetico.",
            intervention_started_on=started,
            closed_on=closed,
            outcome=ClosureOutcome.objects.get(code=outcome) if outcome else None,
        )
        if agreement:
            Agreement.objects.create(path=path, signed_on=agreement, signed_by="Genitore")
        path.kids = kids
        return path

    def assess(self, path, time_point, on, children=None, rater="team", complete=True):
        for child in children if children is not None else path.kids:
            assessment = Assessment.objects.create(
                path=path,
                child=child,
                framework=self.framework,
                time_point=time_point,
                rater=rater,
                updated_by=self.user,
                is_complete=complete,
            )
            # updated_at is auto_now: set the day it was saved complete afterwards.
            Assessment.objects.filter(pk=assessment.pk).update(
                updated_at=datetime(on.year, on.month, on.day, 10, tzinfo=ROME)
            )

    def team(self, path, *roles, valid_to=None):
        for role in roles:
            TeamMember.objects.create(
                path=path,
                user=self.user,
                institution=self.world.comune,
                team_role=role,
                valid_from=date(2025, 1, 1),
                valid_to=valid_to,
            )

    def device(self, path, code, *, hours=None, sessions=()):
        activation = DeviceActivation.objects.create(
            path=path,
            device_type=DeviceType.objects.get(code=code),
            provider=self.world.coop,
            starts_on=date(2025, 3, 1),
            hours_per_week=hours,
        )
        for day, attended in sessions:
            DeviceSession.objects.create(activation=activation, held_on=day, attended=attended)
        return activation


@pytest.fixture
def english():
    """The figures' labels in English (the interface's second language), for readable assertions."""
    with translation.override("en"):
        yield


@pytest.fixture
def build(world, personas):
    return Builder(world, personas)


def _selection(build, cohort, starts_on=date(2024, 12, 1), ends_on=date(2025, 12, 31)):
    return programme.Selection(build.world.district, cohort, starts_on, ends_on)


def _cells(table):
    """{row label: [published value of each cell]} (what the files carry)."""
    return {str(label): [cell.value for cell in row] for label, row in table.cells}


# --- The database helpers ----------------------------------------------------------------------------------


def test_add_months_clamps_to_the_month_end_and_days_between_counts_days(build):
    cohort = build.cohort(t1_months=1)
    path = build.path(cohort, started=date(2025, 1, 31), agreement=date(2025, 1, 20))
    row = (
        Path.objects.filter(pk=path.pk)
        .annotate(
            one=AddMonths(F("intervention_started_on"), F("cohort__t1_months")),
            thirteen=AddMonths(F("intervention_started_on"), Value(13), days=30),
            same=AddMonths(F("intervention_started_on"), Value(0)),
            wait=days_between(F("signal_date"), F("agreement__signed_on")),
            month=month_start("agreement__signed_on"),
        )
        .values("one", "thirteen", "same", "wait", "month")
        .get()
    )
    assert row == {
        "one": date(2025, 2, 28),
        "thirteen": date(2026, 2, 28) + timedelta(days=30),
        "same": date(2025, 1, 31),
        "wait": (date(2025, 1, 20) - date(2024, 12, 2)).days,
        "month": date(2025, 1, 1),
    }


@pytest.mark.parametrize(
    "values, median, p90",
    [
        ([7], 7, 7),
        ([4, 1, 3, 2], 2.5, 4),
        ([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110], 60, 100),
    ],
)
def test_percentiles_are_picked_by_rank_in_the_database(build, values, median, p90, django_assert_num_queries):
    cohort = build.cohort()
    for days in values:
        build.path(cohort, signal=date(2025, 1, 1), agreement=date(2025, 1, 1) + timedelta(days=days))
    build.path(cohort)  # no agreement: left out
    with django_assert_num_queries(1):
        result = percentiles(
            Path.objects.filter(cohort=cohort), days_between(F("signal_date"), F("agreement__signed_on"))
        )
    assert result == (median, p90, len(values))
    assert percentiles(Path.objects.none(), days_between(F("signal_date"), F("agreement__signed_on"))) == (
        None,
        None,
        0,
    )


# --- The figures, against a hand-counted district -------------------------------------------------------------


@pytest.fixture
def district(build):
    """PIPPI 12 (from 13 January 2025, T1 at 9 months, T2 at 18) with six paths, PIPPI 11 with two. Today is
    16 November 2026 (the tests' clock)."""
    R = TeamMember.TeamRole
    p12 = build.cohort("PIPPI 12", date(2025, 1, 13))
    p11 = build.cohort("PIPPI 11", date(2023, 1, 9))
    a = build.path(p12, state="intervention", agreement=date(2025, 1, 10), started=date(2025, 2, 3), children=2)
    b = build.path(p12, state="intervention", agreement=date(2025, 1, 20), started=date(2025, 2, 10))
    c = build.path(
        p12,
        state="closed",
        agreement=date(2025, 2, 5),
        started=date(2025, 3, 3),
        closed=date(2025, 6, 15),
        outcome="improved",
    )
    d = build.path(p12, state="assessment", agreement=date(2025, 2, 20))
    e = build.path(p12, state="signal", signal=date(2025, 1, 5))
    build.path(p12, state="pre_assessment", signal=date(2025, 2, 10))
    build.path(
        p11,
        state="closed",
        signal=date(2022, 11, 1),
        agreement=date(2023, 1, 15),
        started=date(2023, 2, 1),
        closed=date(2024, 7, 1),
        outcome="lighter",
    )
    build.path(
        p11,
        state="intervention",
        signal=date(2022, 12, 1),
        agreement=date(2023, 2, 1),
        started=date(2023, 3, 1),
        comune=build.comune_b,
    )
    # T0: a, c on time (by the start + 30 days), b late; T1 (due 3 and 10 November 2025): a on time, b late;
    # T2 (due August 2026): a has one child of two rated (not done), b none: both missing; c closed before.
    build.assess(a, "T0", date(2025, 2, 1))
    build.assess(b, "T0", date(2025, 4, 1))
    build.assess(c, "T0", date(2025, 3, 1))
    build.assess(a, "T1", date(2025, 11, 20))
    build.assess(b, "T1", date(2026, 1, 15))
    build.assess(a, "T2", date(2026, 8, 1), children=a.kids[:1])
    build.assess(b, "T2", date(2026, 8, 1), rater="family")  # the family's rating does not make it done
    build.assess(d, "T0", date(2025, 3, 1), complete=False)  # a draft neither
    build.team(a, R.CASE_MANAGER, R.EDUCATOR, R.PSYCHOLOGIST, R.TEACHER)
    build.team(b, R.CASE_MANAGER, R.EDUCATOR)
    build.team(d, R.CASE_MANAGER)
    build.team(e, R.PSYCHOLOGIST, valid_to=date(2025, 6, 30))  # ended: not the team in force
    build.device(a, "educativa-domiciliare", hours=Decimal("4"))
    build.device(a, "gruppi", sessions=[(date(2025, 4, 1), True), (date(2025, 4, 8), True), (date(2025, 4, 15), False)])
    build.device(b, "educativa-domiciliare", hours=Decimal("6"))
    build.device(c, "educativa-domiciliare")
    return p12, p11


def _raw(table):
    return {str(label): values for label, values in table.rows}


def test_the_figures_count_what_they_say(english, build, district, django_assert_num_queries):
    p12, p11 = district
    with django_assert_num_queries(18):
        stages, children, comuni, months, waiting, time_points, team, devices, outcomes = programme.figures(
            _selection(build, p12)
        )

    # A column per cohort (the oldest first) and the district's total: the same tables whatever cohort is chosen.
    old, new = f"cohort_{p11.pk}", f"cohort_{p12.pk}"
    assert stages.header == ["Stage", "PIPPI 11", "PIPPI 12", "District"]
    assert {k: [v[old], v[new]] for k, v in _raw(stages).items()} == {
        "Signal received": [0, 1],
        "Pre-assessment": [0, 1],
        "Family's agreement": [0, 0],
        "Assessment and planning": [0, 1],
        "Intervention": [1, 2],
        "Closed": [1, 1],
    }
    assert {k: [v[old], v[new]] for k, v in _raw(children).items()}["Intervention"] == [1, 3]
    # Published: the small counts hidden; the district's 8 families shown.
    assert all(cell.hidden for cell in dict(stages.cells)["Intervention"][:2])
    assert _cells(stages)["District"][2] == 8
    assert programme.figures(_selection(build, p11))[0].cells == stages.cells

    # By comune: Rimini's seven families, Santarcangelo's one (PIPPI 11, in intervention).
    assert {k: {s: n for s, n in v.items() if n} for k, v in _raw(comuni).items()} == {
        "Rimini": {"signal": 1, "pre_assessment": 1, "assessment": 1, "intervention": 2, "closed": 2},
        "Santarcangelo": {"intervention": 1},
        "No comune of the district": {},
    }
    assert _cells(comuni)["District"][-1] == 8

    by_month = _raw(months)
    assert by_month["January 2025"] == {"entering": 2, "leaving": 0, "signals": 1}
    assert by_month["February 2025"]["entering"] == 2
    assert by_month["June 2025"]["leaving"] == 1
    assert by_month["December 2024"]["signals"] == 4  # the cohort's only: PIPPI 11's are not counted
    assert len(by_month) == 13 and not months.column_totals
    assert [label for label, _row in months.cells][0] == "December 2024"

    # Signal → agreement: 39, 49, 65, 80 days in the cohort; + 62 and 75 in PIPPI 11.
    # Agreement → first complete T0: 22, 71, 24 days.
    rows = list(_raw(waiting).values())
    # The 90th percentile only from 20 paths on (on 6 its nearest rank is the slowest family's own 80 days).
    assert [(m.value, m.n) for m in rows[0].values()] == [(57, 4), (80, 4), (63.5, 6), (None, 6)]
    assert [(m.value, m.n) for m in rows[1].values()][:2] == [(24, 3), (71, 3)]
    assert _cells(waiting)[str(waiting.rows[0][0])] == ["n < 5", "n < 5", Decimal("63.5"), None]

    assert {k: list(v.values()) for k, v in _raw(time_points).items()} == {
        "T0 (start)": [2, 1, 0, 3],
        "T1 (midway)": [1, 1, 0, 4],
        "T2 (end)": [0, 0, 2, 4],
    }

    assert {k: (v["with"], v["without"], v["share"]) for k, v in _raw(team).items()} == {
        "Social worker": (3, 2, 60),
        "Home educator": (2, 3, 40),
        "Psychologist": (1, 4, 20),
        "Teacher": (1, 4, 20),
        "All four": (1, 4, 20),
    }
    assert _cells(team)["Social worker"][2] == "n.a."  # the share would give the hidden count back

    by_device = _raw(devices)
    home = by_device["Home and community education"]
    assert (home["families"], home["activations"], home["hours"]) == (3, 3, programme.Measure(5, 2))
    groups = by_device["Groups with parents and with children"]
    assert (groups["families"], groups["sessions"], groups["hours"]) == (1, programme.Measure(2, 1), None)

    assert _raw(outcomes)["Path closed: the family's situation improved"] == {
        f"cohort_{p11.pk}": 0,
        f"cohort_{p12.pk}": 1,
    }
    assert _raw(outcomes)["Continues with lighter support"][f"cohort_{p11.pk}"] == 1


def test_a_familys_comune_is_its_eldest_childs_and_others_are_apart(english, build, world):
    from patto.territory.models import Comune

    cohort = build.cohort()
    elsewhere = Comune.objects.create(district=world.foreign_district, istat_code="040012", name="Forlì")
    two = build.path(cohort, state="intervention", children=2)
    Person.objects.filter(pk=two.kids[0].pk).update(birth_date=date(2014, 1, 1), comune=build.comune_b)
    build.path(cohort, state="intervention", comune=elsewhere)
    build.path(cohort, state="closed", children=0)
    comuni = programme.stages_by_comune(world.district, programme.district_paths(_selection(build, cohort)))()
    assert {k: {s: n for s, n in v.items() if n} for k, v in _raw(comuni).items()} == {
        "Rimini": {},
        "Santarcangelo": {"intervention": 1},
        "No comune of the district": {"intervention": 1, "closed": 1},
    }


# --- The page ----------------------------------------------------------------------------------------------


URL = "/monitoraggio/programma/"


def test_the_coordinator_reads_the_page_of_the_latest_cohort_and_downloads_exactly_what_is_shown(
    build, district, login
):
    from patto.audit.models import AuditEvent

    p12, _p11 = district
    client = login("coordinator")
    before = AuditEvent.objects.count()
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["selection"].cohort == p12  # the most recent by default
    assert [t.key for t in response.context["figures"]] == [
        "stages",
        "stages_children",
        "comuni",
        "months",
        "waiting",
        "time_points",
        "team",
        "devices",
        "outcomes",
    ]
    html = response.content.decode()
    assert 'id="chart-stages"' in html and 'id="chart-data-months"' in html
    assert 'name="comune"' not in html  # no comune filter: the comuni are a table
    assert "&lt;5" in html and "Prova" not in html and "T-0" not in html  # no name, no family reference
    assert AuditEvent.objects.count() == before  # figures, not personal data: no access row

    csv = client.get(URL, {"coorte": p12.pk, "tabella": "stages", "formato": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 8 and lines[-1].endswith(",8")
    assert not any(value.isdigit() for value in lines[5].split(",")[1:3])  # PIPPI 11 and 12 in intervention: 1, 2
    event = AuditEvent.objects.latest("pk")
    assert event.action == "monitoring.figures.downloaded" and event.object_id == "programme"

    xlsx = client.get(URL, {"tabella": "time_points", "formato": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_bad_filters_are_explained_keep_what_was_typed_and_use_the_defaults(build, district, login):
    p12, _p11 = district
    client = login("coordinator")
    response = client.get(URL, {"coorte": "999999", "comune": "abc", "dal": "2025-02-30", "al": ""})
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"coorte", "dal"}  # ?comune= is no filter any more
    html = response.content.decode()
    assert "data-error-summary" in html and 'value="2025-02-30"' in html
    selection = response.context["selection"]
    assert selection.cohort == p12
    assert selection.starts_on == date(2024, 7, 1)  # the default: six months before the cohort's start

    backwards = client.get(URL, {"coorte": p12.pk, "dal": "2025-06-01", "al": "2025-01-01"})
    assert "al" in backwards.context["form"].errors
    selection = backwards.context["selection"]  # the start kept, the end by default (this month, before T2 + 6)
    assert (selection.starts_on, selection.ends_on) == (date(2025, 6, 1), date(2026, 11, 30))

    # Whole months: the days typed are taken to the first and the last day of their months, and said so.
    chosen = client.get(URL, {"coorte": p12.pk, "dal": "2025-01-17", "al": "2025-03-02"})
    assert not chosen.context["form"].errors
    assert (chosen.context["selection"].starts_on, chosen.context["selection"].ends_on) == (
        date(2025, 1, 1),
        date(2025, 3, 31),
    )
    assert len(chosen.context["figures"][3].rows) == 3
    assert 'value="2025-01-17"' in chosen.content.decode()  # what was typed stays in the field


def test_who_may_read_the_page(build, login, personas):
    assert login("case_manager").get(URL).status_code == 403
    assert login("coordinator").get(URL).status_code == 200  # a district without cohorts: the page still answers


@pytest.mark.parametrize("paths", [1, 3])
def test_the_page_costs_the_same_queries_with_more_paths(build, login, paths, django_assert_num_queries):
    R = TeamMember.TeamRole
    cohort = build.cohort()
    for index in range(paths):
        path = build.path(
            cohort,
            state="closed" if index == 2 else "intervention",
            agreement=date(2025, 1, 10),
            started=date(2025, 2, 3),
            closed=date(2025, 6, 1) if index == 2 else None,
            outcome="improved" if index == 2 else None,
            children=index + 1,
        )
        build.assess(path, "T0", date(2025, 2, 1))
        build.team(path, R.CASE_MANAGER, R.EDUCATOR)
        build.device(path, "gruppi", sessions=[(date(2025, 4, 1), True)])
    client = login("coordinator")
    client.get(URL)  # the session and the memberships' first reads
    # with the outcomes section (monitoring.outcomes: the sums, the labels); the select of cohorts read once, its
    # other questions (is it empty?) answered from that read (core.forms.ListedModelChoiceIterator)
    with django_assert_num_queries(26):
        assert client.get(URL).status_code == 200
