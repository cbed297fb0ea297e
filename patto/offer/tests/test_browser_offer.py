"""Issue 12's journey (2) in the browser, axe-core 0 violations on every page and the CSP holding: the case
manager sees the availability, puts a family on a waiting list from its path, and the map of the offer shows
it (as a count); a dispositivo activated from the path's own form ends the entry, and the map then cannot say
whether the offer is full (1 of 4 places in use would tell); the coordinator adds to the offer, records a co-design
process at the tables' phase and puts its table's meeting under that phase."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from patto.accounts.models import Institution, User
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

    # The case manager activates the dispositivo from the path's own form: the family leaves the waiting list.
    worker.open(f"/percorsi/{district.path.pk}/dispositivi/nuovo/")
    worker.page.select_option("#id_device_type", label="Educativa domiciliare e territoriale")
    worker.page.select_option("#id_provider", label="Cooperativa Orizzonti")
    worker.page.fill("#id_starts_on", timezone.localdate().isoformat())
    worker.page.fill("#id_hours_per_week", "4")
    worker.submit()
    entry.refresh_from_db()
    assert entry.outcome == WaitingEntry.Outcome.ACTIVATED and entry.activation is not None

    # 1 of 4 places in use: "<5", and neither "full" nor not: that would tell how many.
    coordinator.open("/offerta/")
    text = coordinator.page.inner_text("main")
    assert "<5" in text and "disponibilità non determinabile" in text and "completo" not in text

    # The coordinator records a co-design process with its table and takes it to the co-design tables.
    from patto.governance import services as governance

    table = governance.create_body(
        actor=User.objects.get(username="coordinatore"), pact=district.pact, kind="working_group", name="Tavolo 2027"
    )
    meeting = governance.schedule_body_meeting(
        actor=User.objects.get(username="coordinatore"),
        body=table,
        starts_at=timezone.now() - timedelta(days=1),
        duration_minutes=90,
        place="Sala del tavolo",
        agenda="Primo tavolo",
    )
    coordinator.open("/offerta/coprogettazione/")
    coordinator.page.click("main a:has-text('Registra')")
    coordinator.check()
    coordinator.page.fill("#id_title", "Co-progettazione educativa 2027")
    coordinator.page.click("main label:has-text('Cooperativa Orizzonti')")
    coordinator.page.select_option("#id_body", value=str(table.pk))
    coordinator.submit()
    process = CodesignProcess.objects.get()
    for _phase in range(2):
        coordinator.submit("main form[action$='/fase/']:not([action*='/incontri/']) button[type=submit]")
    process.refresh_from_db()
    assert process.phase == CodesignProcess.Phase.TABLES
    coordinator.page.select_option(f"#id_incontro-{meeting.pk}-phase", value="tables")
    coordinator.submit("main form[action*='/incontri/'] button[type=submit]")
    assert process.meeting_phases.get().phase == "tables"
    phases = coordinator.page.inner_text("#phases-heading ~ ol")
    assert "Sala del tavolo" in phases
    assert DeviceType.objects.filter(code="educativa-domiciliare").exists()
