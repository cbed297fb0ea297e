"""The coordinator amends a commitment in version 2, the GT approves it, the diff shows the change; a
school referent updates the school's commitment with evidence (a note and a file); the monitoring report shows both;
the coordinator attaches a signed adhesion and downloads it."""

from datetime import date
from pathlib import Path

import pytest

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.documents.tests import samples
from patto.governance import services
from patto.governance.models import Pact

pytestmark = pytest.mark.browser


@pytest.fixture
def district_pact(rimini):
    district, comune, school = rimini.district, rimini.comune, rimini.school
    coordinator = MembershipFactory(
        user=UserFactory(username="coordinatrice"), institution=comune, role=Role.PACT_COORDINATOR
    ).user
    MembershipFactory(user=UserFactory(username="dirigente"), institution=school, role=Role.SCHOOL_HEAD)
    MembershipFactory(user=UserFactory(username="referente"), institution=school, role=Role.SCHOOL_REFERENT)
    pact = Pact.objects.create(district=district, title="Patto territoriale PIPPI", valid_from=date(2024, 3, 1))
    first = services.draft_version(actor=coordinator, pact=pact, summary="Prima versione")
    services.save_commitment(
        actor=coordinator, pact_version=first, institution=comune, text="Presidiare il sistema di governance integrata."
    )
    services.save_commitment(
        actor=coordinator, pact_version=first, institution=school, text="Nominare un referente scolastico PIPPI."
    )
    first.refresh_from_db()
    services.approve_version(
        actor=coordinator,
        pact_version=first,
        version=first.version,
        approved_on=date(2024, 2, 13),
        approval_reference="Giunta",
        effective_from=date(2024, 3, 1),
    )
    for institution in (comune, school):
        services.record_adhesion(
            actor=coordinator,
            pact=pact,
            institution=institution,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on=date(2024, 3, 1),
            method="digital",
        )
    services.open_period(
        actor=coordinator,
        pact=pact,
        name="Secondo semestre 2026",
        starts_on=date(2026, 7, 1),
        ends_on=date(2026, 12, 31),
    )
    return pact


def test_amend_approve_compare_update_and_report(visit, district_pact, antivirus, tmp_path):
    coordinator = visit()
    coordinator.sign_in("coordinatrice")
    coordinator.open("/patto/")
    assert "Presidiare il sistema di governance integrata." in coordinator.page.inner_text("main")
    coordinator.open("/patto/versioni/")
    coordinator.page.fill("#id_summary", "Aggiornamento degli impegni del Comune")
    coordinator.page.click("main form[action$='/nuova/'] button[type=submit]")
    coordinator.check()
    coordinator.page.click("main li:has-text('Presidiare') a")
    coordinator.check()
    coordinator.page.fill("#id_text", "Presidiare e coordinare il sistema di governance integrata.")
    coordinator.submit()
    # Put to the GT's approval (a confirmation page): the draft is read-only until approved or withdrawn.
    coordinator.page.click("main >> text=Sottoponi all'approvazione")
    coordinator.check()
    coordinator.submit()
    assert "Sottoposta all'approvazione il" in coordinator.page.inner_text("main")
    assert coordinator.page.locator("main li:has-text('Presidiare') a").count() == 0
    coordinator.page.click("main >> text=Registra l'approvazione")
    coordinator.check()
    coordinator.page.fill("#id_approved_on", "2026-03-12")
    coordinator.page.fill("#id_approval_reference", "GT del 12/03/2026, decisione n. 4")
    coordinator.page.fill("#id_effective_from", "2026-04-01")
    coordinator.submit()
    coordinator.open("/patto/versioni/confronto/?da=1&a=2")
    assert coordinator.page.locator("main ins", has_text="e coordinare").count() == 1
    heading = coordinator.page.locator("main h1").bounding_box()
    for label in coordinator.page.locator("main form label").all():  # drawn below the heading, not over it
        assert label.bounding_box()["y"] >= heading["y"] + heading["height"]

    head = visit()  # the school's referent for the pact
    head.sign_in("referente")
    head.open("/patto/impegni/")
    head.page.click("main a:has-text('Aggiorna')")
    head.check()
    head.page.select_option("#id_status", "done")
    head.page.fill("#id_evidence", "Referente nominato con delibera del collegio docenti")
    page_with_script = tmp_path / "delibera.pdf"
    page_with_script.write_bytes(samples.HTML)
    head.page.set_input_files("#id_evidence_file", str(page_with_script))
    head.submit()  # refused: the form says why and keeps the note
    assert "Questo tipo di file non è accettato" in head.page.inner_text("main")
    assert head.page.input_value("#id_evidence") == "Referente nominato con delibera del collegio docenti"
    resolution = tmp_path / "delibera collegio docenti.pdf"
    resolution.write_bytes(samples.pdf(text=b"Delibera n. 12"))
    head.page.set_input_files("#id_evidence_file", str(resolution))
    head.submit()

    coordinator.open("/patto/monitoraggio/")
    coordinator.page.click("main a:has-text('Secondo semestre 2026')")
    coordinator.check()
    report = coordinator.page.inner_text("main")
    assert "Referente nominato con delibera" in report and "Presidiare e coordinare" in report
    with coordinator.page.expect_download() as evidence:
        coordinator.page.click("main a:has-text('delibera collegio docenti.pdf')")
    assert evidence.value.suggested_filename.startswith("evidenza-impegno-")
    assert Path(evidence.value.path()).read_bytes() == resolution.read_bytes()

    # The school's signed adhesion arrives: the coordinator attaches it to the signatory.
    coordinator.open("/patto/firmatari/")
    coordinator.page.click("main a:has-text('Allega il documento firmato'):has-text('IC Rimini Marina')")
    coordinator.check()
    signed = tmp_path / "adesione IC Rimini Marina.pdf"
    signed.write_bytes(samples.pdf(text=b"Adesione"))
    coordinator.page.set_input_files("#id_signed_document", str(signed))
    coordinator.submit()
    assert "adesione IC Rimini Marina.pdf" in coordinator.page.inner_text("main")

    # A meeting of the Gruppo Territoriale, its agenda started from what needs attention.
    coordinator.open("/patto/organismi/")
    coordinator.page.fill("#id_name", "Cabina di regia")
    coordinator.page.click("main form[action$='/nuovo/'] button[type=submit]")
    coordinator.check()
    coordinator.page.click("main >> text=Programma una riunione")
    coordinator.check()
    assert "Varie ed eventuali" in coordinator.page.input_value("#id_agenda")
    coordinator.page.fill("#id_starts_at", "2026-12-10T15:00")
    coordinator.page.fill("#id_place", "Sala Giunta")
    coordinator.submit()
    assert "Aggiungi al calendario" in coordinator.page.inner_text("main")


def test_public_page_is_accessible_without_signing_in(visit, district_pact):
    from patto.accounts.models import User

    services.set_publication(actor=User.objects.get(username="coordinatrice"), pact=district_pact, is_public=True)
    tab = visit()
    response = tab.open(f"/pubblico/patto/{district_pact.public_id}/")
    assert response.status == 200
    assert "Nominare un referente scolastico PIPPI." in tab.page.inner_text("main")
