"""The coordinator reads the needs analysis for 2025, downloads a table as XLSX, produces the report's PDF and
attaches it to the Comune's needs-analysis commitment; publishes the figures as open data, which an anonymous
visitor reads. axe-core and the CSP are checked on every page."""

from datetime import date

import pytest

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.cases.models import Agreement, Cohort, Family, Path, Person
from patto.governance import services
from patto.governance.models import CommitmentUpdate, Pact
from patto.monitoring.models import OpenDataset
from patto.territory.bands import AGE_BANDS
from patto.territory.models import Comune, ResidentPopulation

pytestmark = pytest.mark.browser


@pytest.fixture
def needs_world(rimini):
    district, comune = rimini.district, rimini.comune
    coordinator = MembershipFactory(
        user=UserFactory(username="coordinatrice"), institution=comune, role=Role.PACT_COORDINATOR
    ).user
    pact = Pact.objects.create(district=district, title="Patto territoriale PIPPI", valid_from=date(2024, 3, 1))
    first = services.draft_version(actor=coordinator, pact=pact, summary="Prima versione")
    for text in ("Presidiare il sistema di governance integrata.", "Condurre un'analisi dei bisogni del territorio."):
        services.save_commitment(actor=coordinator, pact_version=first, institution=comune, text=text)
    first.refresh_from_db()
    services.approve_version(
        actor=coordinator,
        pact_version=first,
        version=first.version,
        approved_on=date(2024, 2, 13),
        approval_reference="Giunta",
        effective_from=date(2024, 3, 1),
    )
    services.record_adhesion(
        actor=coordinator,
        pact=pact,
        institution=comune,
        signer_name="Firmatario",
        signer_role="Sindaco",
        signed_on=date(2024, 3, 1),
        method="digital",
    )
    services.open_period(
        actor=coordinator, pact=pact, name="Anno 2026", starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31)
    )
    rimini_comune = Comune.objects.create(district=district, istat_code="099014", name="Rimini")
    for band, _first, _last in AGE_BANDS:
        ResidentPopulation.objects.create(comune=rimini_comune, year=2025, age_band=band, count=4000)
    cohort = Cohort.objects.create(district=district, name="PIPPI 12", start_date=date(2024, 9, 1))
    for number in range(7):
        family = Family.objects.create(district=district, reference=f"RN-2025-{number:04d}")
        Person.objects.create(
            family=family,
            district=district,
            kind=Person.Kind.CHILD,
            first_name="Bimba",
            last_name=f"Prova{number}",
            birth_date=date(2015, 5, 5),
            sex="F",
            comune=rimini_comune,
        )
        path = Path.objects.create(
            family=family,
            cohort=cohort,
            state=Path.State.INTERVENTION,
            signal_source=rimini.school,
            signal_channel="school",
            signal_date=date(2025, 2, 3),
            signal_summary="Sintetico.",
        )
        Agreement.objects.create(path=path, signed_on=date(2025, 3, 1), signed_by="Genitore")
    return pact


def test_needs_analysis_report_evidence_and_open_data(visit, needs_world):
    coordinator = visit()
    coordinator.sign_in("coordinatrice")
    coordinator.open("/monitoraggio/")
    coordinator.page.click("main a[href='/monitoraggio/territorio/']")
    coordinator.check()
    coordinator.page.fill("#id_anno", "2025")
    coordinator.submit("main form[method=get] button[type=submit]")
    assert "Rimini" in coordinator.page.inner_text("main table")
    with coordinator.page.expect_download() as xlsx:
        coordinator.page.click("main a[href*='tabella=comuni'][href*='formato=xlsx']")
    assert xlsx.value.suggested_filename == "analisi-bisogni-2025-comuni.xlsx"

    coordinator.page.click("main a[href='/monitoraggio/territorio/relazione/?anno=2025']")
    coordinator.check()
    with coordinator.page.expect_download() as pdf:
        coordinator.page.click("main a[href='/monitoraggio/territorio/relazione/pdf/?anno=2025']")
    assert pdf.value.suggested_filename == "analisi-dei-bisogni-2025.pdf"
    chosen = coordinator.page.locator("#id_commitment option:checked").inner_text()
    assert "analisi dei bisogni" in chosen
    coordinator.submit("main form[action$='/allega/'] button[type=submit]")
    update = CommitmentUpdate.objects.get()
    assert update.commitment.text.startswith("Condurre un'analisi") and update.evidence_file is not None
    assert "2025" in coordinator.page.locator("main .alert, .alert").first.inner_text()

    coordinator.open("/monitoraggio/dati-aperti/?anno=2025")
    for key in ("comuni", "anni"):  # Bootstrap Italia draws the box on the label
        box = coordinator.page.locator(f"input[name=tables][value={key}]").get_attribute("id")
        coordinator.page.click(f"label[for={box}]")
    coordinator.submit("main form[method=post]:has(input[name=tables]) button[type=submit]")
    dataset = OpenDataset.objects.get()
    assert [table["key"] for table in dataset.tables] == ["comuni", "anni"]

    reader = visit()  # not signed in
    reader.open(f"/dati-aperti/{needs_world.district_id}/")
    text = reader.page.inner_text("main")
    assert "CC BY 4.0" in text and "Rimini" in text and "Prova" not in text
