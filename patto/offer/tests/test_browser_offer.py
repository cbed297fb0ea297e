"""Issue 12's journey (2) in the browser, axe-core 0 violations on every page and the CSP holding: the case
manager sees the availability, puts a family on a waiting list from its path, and the map of the offer shows
it (as a count); the coordinator adds to the offer and records a co-design process at the tables' phase."""

from datetime import date

import pytest

from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.cases.models import Cohort, DeviceType, Path
from patto.governance.models import Adhesion, Pact
from patto.offer.models import CodesignProcess, Offer, WaitingEntry
from patto.territory.models import Comune

pytestmark = pytest.mark.browser


@pytest.fixture
def district(rimini):
    coop = Institution.objects.create(
        district=rimini.district, kind=Institution.Kind.THIRD_SECTOR, name="Cooperativa Orizzonti", town="Rimini"
    )
    pact = Pact.objects.create(district=rimini.district, title="Patto territoriale PIPPI", valid_from="2024-03-01")
    for institution in (rimini.comune, rimini.school, rimini.ausl, coop):
        Adhesion.objects.create(
            pact=pact,
            institution=institution,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on="2024-03-01",
            method="digital",
        )
    for code, name in (("099014", "Rimini"), ("099018", "Santarcangelo di Romagna")):
        Comune.objects.get_or_create(district=rimini.district, istat_code=code, defaults={"name": name})
    cohort = Cohort.objects.create(district=rimini.district, name="PIPPI 13 — Rimini", start_date="2025-09-15")
    people = {
        "assistente": (rimini.comune, Role.SOCIAL_WORKER, "Marta", "Casadei"),
        "coordinatore": (rimini.comune, Role.PACT_COORDINATOR, "Elena", "Gori"),
    }
    users = {}
    for username, (institution, role, first, last) in people.items():
        users[username] = MembershipFactory(
            user=UserFactory(username=username, first_name=first, last_name=last), institution=institution, role=role
        ).user
    from patto.cases import services

    path = services.open_path(
        actor=users["assistente"],
        cohort=cohort,
        signal_source=rimini.school,
        signal_date=date(2025, 9, 1),
        signal_summary="Assenze frequenti.",
        legal_basis=Path.LegalBasis.PUBLIC_INTEREST,
        child={
            "first_name": "Aurora",
            "last_name": "Canestrari",
            "birth_date": date(2017, 4, 12),
            "sex": "F",
            "fiscal_code": "",
            "town": "Rimini",
            "school": None,
            "school_site": None,
        },
    )
    rimini.coop, rimini.pact, rimini.path = coop, pact, path
    return rimini


def test_the_case_manager_puts_a_family_on_a_waiting_list_and_the_map_shows_it(visit, district):
    # The coordinator puts the cooperative's home education on the map.
    coordinator = visit()
    coordinator.sign_in("coordinatore")
    coordinator.open("/offerta/")
    coordinator.page.click("main a:has-text('Aggiungi all')")
    coordinator.check()
    coordinator.page.select_option("#id_device_type", label="Educativa domiciliare e territoriale")
    coordinator.page.select_option("#id_provider", label="Cooperativa Orizzonti")
    coordinator.page.click("main label:has-text('Rimini')")
    coordinator.page.click("main label:has-text('6–10')")
    coordinator.page.fill("#id_places", "4")
    coordinator.page.fill("#id_hours_per_week", "20")
    coordinator.submit()
    offer = Offer.objects.get()
    assert offer.places == 4 and offer.band_list == ["6-10"]

    # The case manager sees the availability on the family's path and puts the family on the waiting list.
    worker = visit()
    worker.sign_in("assistente")
    worker.open(f"/percorsi/{district.path.pk}/")
    worker.page.click("main summary:has-text('Disponibilità')")
    assert "Cooperativa Orizzonti" in worker.page.inner_text("main")
    worker.page.locator("main a:has-text('Metti in lista d')").first.click()
    worker.check()
    worker.page.select_option("#id_offer", index=1)
    worker.page.fill("#id_need", "Educativa domiciliare, 4 ore a settimana")
    worker.submit()
    entry = WaitingEntry.objects.get()
    assert entry.path == district.path and entry.is_open
    assert "Educativa domiciliare, 4 ore a settimana" in worker.page.inner_text("main")

    worker.open("/offerta/attesa/")
    assert district.path.family.reference in worker.page.inner_text("main")

    # The map shows the family as a count, never who it is.
    worker.open("/offerta/")
    text = worker.page.inner_text("main")
    assert "<5" in text and district.path.family.reference not in text and "Canestrari" not in text

    # The coordinator records a co-design process and takes it to the co-design tables.
    coordinator.open("/offerta/coprogettazione/")
    coordinator.page.click("main a:has-text('Registra')")
    coordinator.check()
    coordinator.page.fill("#id_title", "Co-progettazione educativa 2027")
    coordinator.page.click("main label:has-text('Cooperativa Orizzonti')")
    coordinator.submit()
    process = CodesignProcess.objects.get()
    for _phase in range(2):
        coordinator.submit("main form[action$='/fase/'] button[type=submit]")
    process.refresh_from_db()
    assert process.phase == CodesignProcess.Phase.TABLES
    assert DeviceType.objects.filter(code="educativa-domiciliare").exists()
