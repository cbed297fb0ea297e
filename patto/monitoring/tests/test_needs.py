"""The needs analysis of the territory: its figures against hand-counted case data, small counts hidden with
their rates, a fixed number of queries, the page (year, bad input, downloads, who may), the report (page,
PDF) and its attachment to a commitment of the pact."""

from datetime import date, datetime
from decimal import Decimal
from itertools import count
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.translation import gettext

from patto.audit.models import AuditEvent
from patto.cases.models import Agreement, Cohort, Family, Path, Person, SignalChannel
from patto.governance.models import CommitmentUpdate
from patto.monitoring import needs
from patto.referrals.models import Request
from patto.territory.bands import AGE_BANDS
from patto.territory.models import Comune, ResidentPopulation, SchoolEnrolment

ROME = ZoneInfo("Europe/Rome")
YEAR = needs.Year(2025)
_numbers = count(1)


class Territory:
    """Comuni with their population, and families written straight to the tables (the services that open
    paths are tested in cases; the figures read the tables)."""

    def __init__(self, world, personas):
        self.world, self.user = world, personas["case_manager"].user
        self.rimini = Comune.objects.create(district=world.district, istat_code="099014", name="Rimini")
        self.santarcangelo = Comune.objects.create(district=world.district, istat_code="099018", name="Santarcangelo")
        # 1,000 residents per band in Rimini (5,000 aged 0-17), 200 per band in Santarcangelo (approximate).
        for comune, per_band, approximate in ((self.rimini, 1000, False), (self.santarcangelo, 200, True)):
            for year in (2024, 2025):
                for band, _first, _last in AGE_BANDS:
                    ResidentPopulation.objects.create(
                        comune=comune, year=year, age_band=band, count=per_band, approximate=approximate
                    )
        SchoolEnrolment.objects.create(school=world.school, school_year=2025, pupils=800)
        self.cohort = Cohort.objects.create(district=world.district, name="PIPPI 12", start_date=date(2024, 9, 1))

    def family(
        self,
        *,
        comune=None,
        signal=date(2025, 3, 3),
        agreement=None,
        closed=None,
        births=(date(2016, 1, 1),),
        channel=SignalChannel.SCHOOL,
        cohort=None,
    ):
        number = next(_numbers)
        family = Family.objects.create(district=self.world.district, reference=f"N-{number:05d}")
        for i, birth in enumerate(births):
            Person.objects.create(
                family=family,
                district=self.world.district,
                kind=Person.Kind.CHILD,
                first_name=f"Bimbo{number}-{i}",
                last_name="Prova",
                birth_date=birth,
                sex="F",
                comune=comune if comune is not None else self.rimini,
            )
        path = Path.objects.create(
            family=family,
            cohort=cohort or self.cohort,
            state=Path.State.CLOSED if closed else Path.State.INTERVENTION,
            signal_source=self.world.school,
            signal_channel=channel,
            signal_date=signal,
            signal_summary="Sintetico.",
            closed_on=closed,
        )
        if agreement:
            Agreement.objects.create(path=path, signed_on=agreement, signed_by="Genitore")
        return path

    def signal_request(self, *, sent=datetime(2025, 5, 5, 10, tzinfo=ROME), status=Request.Status.ASSIGNED, outcome=""):
        number = next(_numbers)
        return Request.objects.create(
            district=self.world.district,
            kind="signal",
            number=f"RN-SEG-2025-{number:04d}",
            status=status,
            outcome=outcome,
            sender=self.user,
            sender_institution=self.world.school,
            sender_role="school_referent",
            receiver=self.world.comune,
            working_days=5,
            sent_at=sent,
            due_on=date(2025, 5, 12),
            child_first_name="Tizio",
            child_last_name="Prova",
            child_birth_date=date(2019, 2, 2),
            comune=self.world.comune,  # the Comune di Rimini (ISTAT 099014)
        )


@pytest.fixture
def territory(world, personas):
    return Territory(world, personas)


def na():
    return gettext("n.a.")  # "n.d." in Italian


def cells(table):
    """{row label: {column key or "total": text shown}}."""
    keys = [column.key for column in table.columns] + (["total"] if table.row_totals else [])
    return {str(label): {key: cell.text for key, cell in zip(keys, row)} for label, row in table.cells}


def values(table):
    keys = [column.key for column in table.columns] + (["total"] if table.row_totals else [])
    return {str(label): {key: cell.value for key, cell in zip(keys, row)} for label, row in table.cells}


def populate(territory):
    """Rimini: 6 families in a path in 2025 (two with 2 children), signals of 2025, one closed in 2024 (not
    in force), one agreed in 2026 (not yet); Santarcangelo: 2 families (a small count); one child without a
    comune; two signals through Patto without a path, one sent on (not counted), one withdrawn (not counted)."""
    t = territory
    for i in range(6):
        t.family(
            agreement=date(2025, 4, 1), births=(date(2016, 1, 1), date(2022, 8, 1)) if i < 2 else (date(2012, 3, 3),)
        )
    t.family(signal=date(2023, 5, 5), agreement=date(2023, 6, 1), closed=date(2024, 12, 20))
    t.family(signal=date(2025, 11, 11), agreement=date(2026, 1, 15))
    t.family(comune=t.santarcangelo, agreement=date(2025, 6, 1), channel=SignalChannel.AUSL)
    t.family(comune=t.santarcangelo, agreement=date(2024, 6, 1), signal=date(2024, 5, 5), channel=SignalChannel.AUSL)
    orphan = t.family(agreement=date(2025, 2, 2), channel=SignalChannel.FAMILY)
    Person.objects.filter(family=orphan.family).update(comune=None, town="Bologna")
    t.signal_request()
    t.signal_request(status=Request.Status.CLOSED, outcome=Request.Outcome.NO_INTERVENTION)
    t.signal_request(status=Request.Status.CLOSED, outcome=Request.Outcome.SENT_ON)
    t.signal_request(status=Request.Status.WITHDRAWN)
    t.signal_request(sent=datetime(2024, 12, 31, 23, 30, tzinfo=ROME))  # 2024 in Rome


def test_the_comuni_figures_reconcile_with_the_case_data_and_small_counts_hide_their_rates(territory):
    populate(territory)
    table = needs.by_comune(territory.world.district, YEAR)
    shown, raw = cells(table), values(table)

    # Rimini: 6 + 1 (agreed in 2026, signalled in 2025) signals on paths, + 2 through Patto without a path:
    # 9, hidden as well: Santarcangelo's 1 and the outside family's 1 would be two "<5" adding up to 2 (both 1).
    # With a complement hidden, every hidden cell of the table reads "n.d." (suppression.py, "Bounds").
    assert shown["Rimini"]["signals"] == na() and shown["Rimini"]["signals_rate"] == na()
    assert raw["Rimini"]["families"] == 6 and raw["Rimini"]["children"] == 8
    assert raw["Rimini"]["residents"] == 5000
    assert shown["Rimini"]["children_rate"] == "1,6"
    # Santarcangelo: 1 signal, 2 families (one agreed in 2024 still in force), 2 children: hidden, rates too.
    assert shown["Santarcangelo"]["signals"] == na() and shown["Santarcangelo"]["signals_rate"] == na()
    assert shown["Santarcangelo"]["families"] == na() and shown["Santarcangelo"]["families_rate"] == na()
    assert raw["Santarcangelo"]["residents"] == 1000
    # The family living outside the district: counted apart, so that the district's totals are the case data's.
    outside = gettext("Comune not recorded or outside the district")
    assert shown[outside]["signals"] == na() and shown[outside]["signals_rate"] == na()
    signals_2025 = Path.objects.filter(signal_date__year=2025).count() + 2
    in_force = {
        p.family_id
        for p in Path.objects.select_related("agreement")
        if hasattr(p, "agreement")
        and p.agreement.signed_on <= YEAR.last
        and (p.closed_on is None or p.closed_on >= YEAR.first)
    }
    children = Person.objects.filter(family_id__in=in_force, kind=Person.Kind.CHILD).count()
    assert raw[gettext("District")]["signals"] == signals_2025 == 11
    assert raw[gettext("District")]["families"] == len(in_force) == 9
    assert raw[gettext("District")]["children"] == children == 11
    # Secondary suppression: with two small cells in a column, the total alone does not give either back.
    assert shown["Santarcangelo"]["children"] == na() and shown[outside]["children"] == na()
    assert raw[gettext("District")]["residents"] == 6000
    assert "approssimat" in table.note


def test_bands_sources_schools_and_trends(territory):
    populate(territory)
    district = territory.world.district
    bands = values(needs.by_age_band(district, YEAR))
    # Age on 1 July 2025: born 2016 → 9 (6-10), born 2022 → 2 (0-2), born 2012 → 13 (11-13), born 2019 → 6.
    assert bands[gettext("6–10 years")]["children"] == 5  # 2 + Santarcangelo's 2 + the family outside the district
    assert cells(needs.by_age_band(district, YEAR))[gettext("11–13 years")]["children"] == "<5"  # 4 children
    assert bands[gettext("0–2 years")]["residents"] == 1200
    sources = cells(needs.by_source(district, YEAR))
    school = sources[gettext("School")]
    # 7 paths and 2 signals without a path: the 2 is "<5", and the 7 is hidden too, or the row's total (9) gives
    # the 2 back; the district's total stays shown.
    assert school["requests"] == na() and school["paths"] == na()
    assert sources[gettext("Total")]["total"] == "11"
    schools = values(needs.by_school(district, YEAR))
    assert schools["IC Rimini Marina"] == {"pupils": 800, "signals": 11, "rate": Decimal("13.8")}  # 13.75
    years = values(needs.by_year(district, YEAR))
    assert list(years) == ["2021", "2022", "2023", "2024", "2025"]
    assert years["2025"]["signals"] == 11 and years["2025"]["families"] == 9 and years["2025"]["children"] == 11
    assert years["2024"]["residents"] == 6000 and years["2023"]["residents"] is None
    assert cells(needs.by_year(district, YEAR))["2024"]["signals"] == "<5"  # 1 path + 1 request in 2024
    cohorts = values(needs.by_cohort(district))
    assert cohorts["PIPPI 12"]["signals"] == 11 and cohorts["PIPPI 12"]["closed"] == "<5"  # 1


def test_the_ranking_leaves_out_comuni_whose_figures_are_hidden(territory):
    populate(territory)
    ranked = needs.ranking(needs.by_comune(territory.world.district, YEAR))
    # In this small district every comune's signals are hidden (Santarcangelo's 1, and Rimini's 9 with it):
    # a ranking of hidden figures would tell them, so it ranks none.
    assert [str(label) for label, _row in ranked.cells] == []


@pytest.mark.parametrize("families", [1, 3])
def test_the_figures_cost_the_same_queries_with_more_families(territory, families, django_assert_num_queries):
    for _ in range(families):
        territory.family(agreement=date(2025, 4, 1))
        territory.signal_request()
    with django_assert_num_queries(24):
        needs.figures(territory.world.district, YEAR)


def test_the_page_for_a_year_with_downloads_and_a_bad_year_explained(territory, login):
    populate(territory)
    client = login("coordinator")
    url = reverse("monitoring:needs")
    body = client.get(url, {"anno": 2025}).content.decode()
    assert "Analisi dei bisogni" in body or "Needs analysis" in body
    assert 'id="chart-data-comuni"' in body and "Santarcangelo" in body
    response = client.get(url, {"anno": "20x5"})
    assert response.status_code == 200
    assert 'value="20x5"' in response.content.decode()  # what was typed, kept, with the message
    assert "2025" in response.content.decode()
    xlsx = client.get(url, {"anno": 2025, "tabella": "comuni", "formato": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="monitoring.figures.downloaded").exists()
    csv = client.get(url, {"anno": 2025, "tabella": "comuni", "formato": "csv"}).content.decode()
    assert "Santarcangelo" in csv and na() in csv


def test_who_may_read_the_needs_analysis(territory, login):
    url = reverse("monitoring:needs")
    assert login("case_manager").get(url).status_code == 403
    assert login("coordinator").get(url).status_code == 200
    report = reverse("monitoring:needs_report")
    assert login("case_manager").get(report).status_code == 403


def test_the_report_page_and_pdf(territory, login):
    populate(territory)
    client = login("coordinator")
    body = client.get(reverse("monitoring:needs_report"), {"anno": 2025}).content.decode()
    for words in ("Rimini", "ISTAT", na(), "Santarcangelo"):
        assert words in body
    pdf = client.get(reverse("monitoring:needs_report_pdf"), {"anno": 2025})
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="monitoring.figures.downloaded", changes__format=[None, "pdf"]).exists()


def test_the_coordinator_attaches_the_report_to_the_needs_analysis_commitment(territory, pact, personas, login):
    from patto.governance import services as governance

    coordinator = personas["coordinator"].user
    draft = pact.versions.get(number=2)
    commitment = governance.save_commitment(
        actor=coordinator,
        pact_version=draft,
        institution=territory.world.comune,
        text="Condurre un'analisi dei bisogni del territorio.",
    )
    draft.refresh_from_db()
    governance.approve_version(
        actor=coordinator,
        pact_version=draft,
        version=draft.version,
        approved_on=date(2026, 11, 2),
        approval_reference="Giunta",
        effective_from=date(2026, 11, 2),
    )
    commitment = pact.version_in_force().commitments.get(text__icontains="analisi dei bisogni")
    client = login("coordinator")
    page = client.get(reverse("monitoring:needs_report"), {"anno": 2025}).content.decode()
    assert f'<option value="{commitment.pk}" selected>' in page
    response = client.post(
        reverse("monitoring:needs_report_attach"),
        {"anno": 2025, "commitment": commitment.pk, "status": "done", "evidence": "Relazione 2025."},
    )
    assert response.status_code == 302
    update = CommitmentUpdate.objects.get(commitment=commitment)
    assert update.status == "done" and update.evidence_file.content_type == "application/pdf"
    assert update.evidence_file.original_name == "analisi-dei-bisogni-2025.pdf"
    assert AuditEvent.objects.filter(action="monitoring.needs_report.attached", object_id=str(commitment.pk)).exists()
    # No open period: the form comes back with the message and what was typed.
    pact.periods.update(closed_at=datetime(2026, 11, 16, 9, tzinfo=ROME))
    refused = client.post(
        reverse("monitoring:needs_report_attach"),
        {"anno": 2025, "commitment": commitment.pk, "status": "on_track", "evidence": "Di nuovo."},
    )
    assert refused.status_code == 400 and "Di nuovo." in refused.content.decode()
    assert CommitmentUpdate.objects.filter(commitment=commitment).count() == 1
    # Someone who reads the figures but is not the coordinator may not attach.
    assert login("case_manager").post(reverse("monitoring:needs_report_attach"), {}).status_code == 403


def test_a_year_ahead_is_refused_with_a_message(territory, login):
    body = login("coordinator").get(reverse("monitoring:needs"), {"anno": date.today().year + 5}).content.decode()
    assert "invalid-feedback" in body
