"""The case manager walks a family's path in the browser; the school and the psychologist see their part."""

from datetime import date, timedelta
from pathlib import Path as Path_

import pytest
from playwright.sync_api import expect

from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.cases.models import Cohort, Path
from patto.documents.tests import samples
from patto.governance.models import Adhesion, Pact

pytestmark = pytest.mark.browser


@pytest.fixture
def district(rimini):
    district, comune, school, ausl = rimini.district, rimini.comune, rimini.school, rimini.ausl
    Cohort.objects.create(district=district, name="PIPPI 13 — Rimini", start_date="2025-09-15")
    pact = Pact.objects.create(district=district, title="Patto territoriale PIPPI", valid_from="2024-03-01")
    for institution in (comune, school, ausl):  # standing: the three institutions signed the pact
        Adhesion.objects.create(
            pact=pact,
            institution=institution,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on="2024-03-01",
            method="digital",
        )
    MembershipFactory(user=UserFactory(username="assistente"), institution=comune, role=Role.SOCIAL_WORKER)
    MembershipFactory(
        user=UserFactory(username="docente", first_name="Sara", last_name="Valli"),
        institution=school,
        role=Role.SCHOOL_REFERENT,
    )
    MembershipFactory(
        user=UserFactory(username="psicologa", first_name="Anna", last_name="Bianchi"),
        institution=ausl,
        role=Role.PSYCHOLOGIST,
    )
    return {"school": school, "ausl": ausl}


def test_case_manager_walks_the_path_and_each_member_sees_their_part(visit, district, antivirus, tmp_path):
    cm = visit()
    cm.sign_in("assistente")
    cm.open("/percorsi/nuovo/")
    cm.page.select_option("#id_signal-cohort", label="PIPPI 13 — Rimini")
    cm.page.select_option("#id_signal-signal_source", label="IC Rimini Marina")
    cm.page.fill("#id_signal-signal_summary", "SEGNALAZIONE-RISERVATA: assenze frequenti.")
    cm.page.fill("#id_child-first_name", "Tommaso")
    cm.page.fill("#id_child-last_name", "Righetti")
    cm.page.fill("#id_child-birth_date", "2016-05-20")
    cm.page.select_option("#id_child-sex", "M")
    cm.page.select_option("#id_child-school", label="IC Rimini Marina")
    cm.submit()
    assert "Ne sei il case manager" in cm.page.inner_text("main")
    path_url = cm.page.url

    cm.page.click("main >> text=Fase successiva")
    cm.check()
    cm.submit()
    assert "Pre-valutazione" in cm.page.inner_text("main")
    cm.page.click("main >> text=Registra l'adesione della famiglia")
    cm.check()
    cm.page.fill("#id_signed_on", "2025-10-02")
    cm.page.fill("#id_signed_by", "Laura Righetti")
    cm.page.click("main .form-check label:has-text('IC Rimini Marina')")  # the family agrees to share with it
    cm.page.fill("#id_school_sharing_scope", "Frequenza e compiti")
    cm.submit()
    # The signed agreement comes back from the family: the case manager attaches the scan.
    scan = tmp_path / "accordo firmato.pdf"
    scan.write_bytes(samples.pdf(text=b"Accordo di partecipazione"))
    cm.page.set_input_files("#agreement_signed_document", str(scan))
    cm.page.click("main form[action$='/adesione/documento/'] button[type=submit]")
    cm.check()
    assert "Accordo firmato allegato." in cm.page.inner_text("body")
    with cm.page.expect_download() as download:
        cm.page.click("main a:has-text('Accordo firmato')")
    assert Path_(download.value.path()).read_bytes() == scan.read_bytes()

    for username, role, institution in (
        ("Valli Sara", "teacher", "IC Rimini Marina"),
        ("Bianchi Anna", "psychologist", "AUSL Romagna"),
    ):
        cm.page.click("main >> text=Aggiungi all'équipe")
        cm.check()
        # Choosing the role in the team narrows the people offered (htmx): here to the one who fits.
        cm.page.select_option("#id_team_role", role)
        # A locator's wait, not wait_for_function: that one may eval() its source in the page, which the CSP refuses.
        expect(cm.page.locator("#id_membership option")).to_have_count(2)
        offered = cm.page.locator("#id_membership option").nth(1).inner_text()
        assert offered.startswith(f"{username} — {institution} (")  # the person, their institution and role
        cm.page.select_option("#id_membership", index=1)
        cm.submit()
    assert "Docente" in cm.page.inner_text("main") and "(manca)" in cm.page.inner_text("main")  # no educator yet

    cm.page.select_option("#id_audience", "school")
    cm.page.fill("#id_text", "NOTA-PER-LA-SCUOLA: concordato il diario dei compiti.")
    cm.page.click("main form[action$='/note/'] button[type=submit]")
    cm.check()
    cm.page.select_option("#id_audience", "team")
    cm.page.fill("#id_text", "NOTA-DI-EQUIPE: madre molto stanca.")
    cm.page.click("main form[action$='/note/'] button[type=submit]")
    cm.check()
    for _step in ("assessment", "intervention"):
        cm.page.click("main >> text=Fase successiva")
        cm.check()
        cm.submit()
    assert Path.objects.get().state == Path.State.INTERVENTION

    for rater, value in (("team", "2"), ("family", "4")):
        cm.page.click(f"main a[href$='/T0/{rater}/']")
        cm.check()
        for select in cm.page.locator("select[name^=sub_]").all():
            select.select_option(value)
        cm.page.fill("#id_family_says", "Vogliamo che Tommaso vada a scuola sereno.")
        cm.submit()
        assert "Il mondo di Tommaso nel tempo" in cm.page.inner_text("h1")
        cm.page.goto(path_url)
    # Micro-progettazione: a micro-project with who does what.
    cm.page.click("main >> text=Il progetto della famiglia (micro-progettazione)")
    cm.check()
    cm.page.select_option("#id_subdimension", label="Famiglia · Cura di base, sicurezza e protezione")
    cm.page.fill("#id_expected_result", "Tommaso arriva a scuola in orario")
    cm.submit()
    cm.page.click("main >> text=Aggiungi un'azione")
    cm.check()
    cm.page.fill("#id_description", "Merenda e diario controllati in classe")
    cm.page.select_option("#id_area", "educational")
    cm.page.select_option("#id_institution", label="IC Rimini Marina")
    cm.page.fill("#id_deadline", "2026-01-31")
    cm.submit()
    assert "Merenda e diario" in cm.page.inner_text("main")
    cm.open("/percorsi/" + path_url.rstrip("/").rsplit("/", 1)[1] + "/progetto/stampa/")
    assert "Il nostro progetto" in cm.page.inner_text("h1")
    # Removing an action asks for confirmation and a reason, and the plan keeps it in its history.
    cm.page.go_back()
    cm.page.click("main a[href$='/elimina/']")
    cm.check()
    cm.page.fill("#id_reason", "La scuola lo fa già")
    cm.submit()
    assert "Azioni tolte dal progetto" in cm.page.inner_text("main")
    assert "La scuola lo fa già" in cm.page.inner_text("main")
    cm.page.goto(path_url)

    # A dispositivo: home education by hours per week.
    cm.page.click("main >> text=Attiva un dispositivo")
    cm.check()
    cm.page.select_option("#id_device_type", label="Educativa domiciliare e territoriale")
    cm.page.select_option("#id_provider", label="Comune di Rimini")
    cm.page.fill("#id_hours_per_week", "4")
    cm.submit()
    assert "4 ore a settimana" in cm.page.inner_text("main") or "4,0 ore a settimana" in cm.page.inner_text("main")

    # A team meeting with the family, minutes and a next step.
    cm.page.click("main >> text=Programma un incontro d'équipe")
    cm.check()
    # Browser tests run on the real clock: the meeting is still to come, so it can be moved.
    soon = date.today() + timedelta(days=10)
    cm.page.fill("#id_held_at", f"{soon:%Y-%m-%d}T15:00")
    cm.page.fill("#id_agenda", "Avvio del progetto con la famiglia")
    for box in cm.page.locator("input[name=participants]").all():
        cm.page.click(f"label[for={box.get_attribute('id')}]")
    cm.submit()
    cm.page.click("main >> text=Modifica data o luogo")
    cm.check()
    cm.page.fill("#id_held_at", f"{soon + timedelta(days=1):%Y-%m-%d}T16:30")
    cm.page.fill("#id_place", "Servizi sociali, via Ducale")
    cm.submit()
    assert "Servizi sociali, via Ducale" in cm.page.inner_text("main")
    cm.page.fill("#id_minutes", "La famiglia è d'accordo con il progetto.")
    cm.page.fill("#id_step_1_description", "Chiamare la scuola")
    cm.page.select_option("#id_step_1_assignee", index=1)
    cm.page.fill("#id_step_1_due_on", "2025-11-20")
    cm.submit()
    assert "Chiamare la scuola" in cm.page.inner_text("main")
    cm.page.goto(path_url)

    # T1 and T2 by the team, then the comparison across the three time points.
    for time_point, value in (("T1", "3"), ("T2", "5")):
        cm.page.click(f"main a[href$='/{time_point}/team/']")
        cm.check()
        for select in cm.page.locator("select[name^=sub_]").all():
            select.select_option(value)
        cm.submit()
        cm.page.goto(path_url)
    cm.page.click("main >> text=Confronta le valutazioni di Tommaso")
    cm.check()
    table = cm.page.inner_text("table")
    assert "Bambino: media" in table and "2,0" in table and "5,0" in table  # Italian decimal comma
    assert "▲ +3" in table  # from 2 at T0 to 5 at T2
    assert cm.page.locator("canvas#mdb-chart").count() == 1
    cm.page.goto(path_url)

    school = visit()
    school.sign_in("docente")
    school.open(path_url.removeprefix(school.base_url))
    text = school.page.inner_text("main")
    assert "NOTA-PER-LA-SCUOLA" in text
    assert "NOTA-DI-EQUIPE" not in text and "SEGNALAZIONE-RISERVATA" not in text

    psychologist = visit()
    psychologist.sign_in("psicologa")
    psychologist.open(path_url.removeprefix(psychologist.base_url))
    psychologist.page.select_option("#id_audience", "clinical")
    psychologist.page.fill("#id_text", "NOTA-CLINICA: avviata valutazione.")
    psychologist.page.click("main form[action$='/note/'] button[type=submit]")
    psychologist.check()
    assert "NOTA-CLINICA" in psychologist.page.inner_text("main")
    school.open(path_url.removeprefix(school.base_url))
    assert "NOTA-CLINICA" not in school.page.inner_text("main")
    cm.open(path_url.removeprefix(cm.base_url))
    assert "NOTA-CLINICA" not in cm.page.inner_text("main")

    cm.page.click("main >> text=Chiudi il percorso")
    cm.check()
    cm.page.select_option("#id_outcome", label="Percorso concluso per miglioramento")
    cm.page.fill("#id_reason", "Obiettivi raggiunti.")
    cm.submit()
    assert Path.objects.get().state == Path.State.CLOSED
    cm.open("/percorsi/")
    assert "Concluso" in cm.page.inner_text("main")


def test_school_member_and_psychologist_see_their_part(visit, district):
    """The path is built through the services; the school and the psychologist open it in the browser."""
    from datetime import date

    from patto.accounts.models import User
    from patto.cases import services
    from patto.cases.models import SubDimension

    cm = User.objects.get(username="assistente")
    teacher, psychologist = User.objects.get(username="docente"), User.objects.get(username="psicologa")
    path = services.open_path(
        actor=cm,
        cohort=Cohort.objects.get(),
        signal_source=district["school"],
        signal_date=date(2025, 9, 1),
        signal_summary="SEGNALAZIONE-RISERVATA",
        legal_basis="public_interest",
        child={
            "first_name": "Nina",
            "last_name": "Sarti",
            "birth_date": date(2017, 3, 3),
            "sex": "F",
            "fiscal_code": "",
            "town": "Rimini",
            "school": district["school"],
            "school_site": None,
        },
    )
    services.give_consent(
        actor=cm,
        path=path,
        institution=district["school"],
        scope="Frequenza",
        given_on=date(2025, 9, 1),
        given_by="I genitori",
    )
    for user, institution, role in (
        (teacher, district["school"], "teacher"),
        (psychologist, district["ausl"], "psychologist"),
    ):
        services.add_team_member(
            actor=cm, path=path, user=user, institution=institution, team_role=role, valid_from=date(2025, 9, 1)
        )
    services.add_note(actor=cm, path=path, audience="school", text="NOTA-SCUOLA")
    services.add_note(actor=cm, path=path, audience="team", text="NOTA-EQUIPE")
    services.add_note(actor=psychologist, path=path, audience="clinical", text="NOTA-CLINICA")
    goal = services.add_goal(
        actor=cm,
        path=path,
        expected_result="OBIETTIVO",
        subdimension=SubDimension.objects.filter(side__framework__is_current=True).first(),
    )
    services.add_action(
        actor=cm,
        goal=goal,
        description="AZIONE-SCUOLA",
        area="educational",
        deadline=date(2026, 1, 1),
        institution=district["school"],
    )

    school = visit()
    school.sign_in("docente")
    school.open(f"/percorsi/{path.pk}/")
    text = school.page.inner_text("main")
    assert "NOTA-SCUOLA" in text and "AZIONE-SCUOLA" in text
    for hidden in ("NOTA-EQUIPE", "NOTA-CLINICA", "SEGNALAZIONE-RISERVATA", "Il Mondo del Bambino", "OBIETTIVO"):
        assert hidden not in text, hidden
    assert school.open(f"/percorsi/{path.pk}/progetto/").status == 403

    psy = visit()
    psy.sign_in("psicologa")
    psy.open(f"/percorsi/{path.pk}/")
    text = psy.page.inner_text("main")
    for shown in ("NOTA-SCUOLA", "NOTA-EQUIPE", "NOTA-CLINICA", "SEGNALAZIONE-RISERVATA", "Il Mondo del Bambino"):
        assert shown in text, shown
    assert psy.open(f"/percorsi/{path.pk}/progetto/").status == 200
    assert psy.open(f"/percorsi/{path.pk}/avanza/").status == 403  # only the case manager moves the path
