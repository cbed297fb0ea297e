"""The coordinator reads the programme page for a cohort: the charts are drawn (Chart.js under the strict CSP),
axe-core finds nothing, and the XLSX of a table carries the numbers the page shows."""

import io
from datetime import date

import pytest

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.cases.models import Agreement, Cohort, Family, Path, Person
from patto.governance.models import Adhesion, Pact

pytestmark = pytest.mark.browser


@pytest.fixture
def programme_world(rimini):
    district = rimini.district
    MembershipFactory(user=UserFactory(username="coordinatrice"), institution=rimini.comune, role=Role.PACT_COORDINATOR)
    pact = Pact.objects.create(district=district, title="Patto territoriale PIPPI", valid_from=date(2024, 3, 1))
    Adhesion.objects.create(
        pact=pact,
        institution=rimini.comune,
        signer_name="Firmatario",
        signer_role="Sindaco",
        signed_on=date(2024, 3, 1),
        method="digital",
    )
    Cohort.objects.create(district=district, name="PIPPI 13", start_date=date(2026, 1, 12))
    cohort = Cohort.objects.create(district=district, name="PIPPI 12", start_date=date(2025, 1, 13))
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
        )
        path = Path.objects.create(
            family=family,
            cohort=cohort,
            state=Path.State.INTERVENTION if number < 5 else Path.State.ASSESSMENT,
            signal_source=rimini.school,
            signal_date=date(2024, 12, 2),
            signal_summary="Sintetico.",
            intervention_started_on=date(2025, 2, 3) if number < 5 else None,
        )
        Agreement.objects.create(path=path, signed_on=date(2025, 1, 10 + number), signed_by="Genitore")
    return cohort


def test_the_coordinator_reads_a_cohort_with_its_charts_and_downloads_the_xlsx(visit, programme_world):
    from openpyxl import load_workbook

    coordinator = visit()
    coordinator.sign_in("coordinatrice")
    coordinator.open("/monitoraggio/")
    coordinator.page.click("main a[href='/monitoraggio/programma/']")
    coordinator.check()
    coordinator.page.select_option("#id_coorte", label="PIPPI 12")
    coordinator.submit("main form[method=get] button[type=submit]")
    assert "PIPPI 12" in coordinator.page.inner_text("main h1 + p")
    drawn = coordinator.page.evaluate(
        "[...document.querySelectorAll('canvas.monitoring-chart')].map(c => Boolean(Chart.getChart(c)) && c.width > 0)"
    )
    assert len(drawn) >= 5 and all(drawn)

    shown = coordinator.page.evaluate(
        "[...document.querySelectorAll('#fig-stages ~ div table tbody tr')].map(r => [...r.cells].map(c => c.innerText.trim()))"
    )
    with coordinator.page.expect_download() as download:
        coordinator.page.click("main a[href*='tabella=stages'][href*='formato=xlsx']")
    sheet = load_workbook(io.BytesIO(download.value.path().read_bytes())).active
    rows = [[("" if v is None else str(v)) for v in row] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert rows == shown
    # A column per cohort and the district's. Two paths at the assessment: hidden, and the five in intervention
    # hidden too, or 7 − 5 would give them back.
    assert [row[0] for row in rows][3:5] == ["Valutazione e progettazione", "Intervento"]
    assert not any(row[i].isdigit() for row in rows[3:5] for i in (1, 3))  # PIPPI 12's and the district's
    assert rows[-1][0] == "Distretto" and rows[-1][2:] == ["0", "7"]  # PIPPI 13 has none; the district 7
