"""Issue 10's journeys in the browser (axe-core finds 0 violations on every page, the CSP holds):

1. the nido's educator asks an anonymous consultation, the social service answers "this should become a
   signal", the educator completes it as a signal without retyping, the social worker takes it in charge
   (a path opens in pre-assessment), the educator reads "presa in carico" and nothing of the case;
2. a school's signal answered "no intervention needed" with advice;
3. the case manager asks the AUSL for a psychologist, the AUSL's head of service assigns one, she
   accepts and the family's path opens for her;
4. an overdue signal on the coordinator's dashboard and in the pact's indicator."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.cases.models import Cohort, Path, TeamMember
from patto.governance.models import Adhesion, Commitment, Indicator, MonitoringPeriod, Pact, PactVersion, Procedure
from patto.referrals.models import Request

pytestmark = pytest.mark.browser


@pytest.fixture
def district(rimini):
    nido = Institution.objects.create(
        district=rimini.district, kind=Institution.Kind.EDUCATIONAL_SERVICE, name="Nido Il Girasole", town="Rimini"
    )
    Cohort.objects.create(district=rimini.district, name="PIPPI 13 — Rimini", start_date="2025-09-15")
    pact = Pact.objects.create(district=rimini.district, title="Patto territoriale PIPPI", valid_from="2024-03-01")
    for institution in (rimini.comune, rimini.school, rimini.ausl, nido):
        Adhesion.objects.create(
            pact=pact,
            institution=institution,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on="2024-03-01",
            method="digital",
        )
    Procedure.objects.create(
        pact=pact,
        title="Segnalazioni al servizio sociale",
        owner=rimini.comune,
        text="Il servizio sociale risponde entro 5 giorni lavorativi.",
        request_kind="signal",
        response_working_days=5,
        approved_on=date(2024, 4, 15),
        review_on=date(2030, 4, 15),
    )
    people = {
        "educatrice": (nido, Role.EDUCATIONAL_STAFF, "Giulia", "Neri"),
        "assistente": (rimini.comune, Role.SOCIAL_WORKER, "Marta", "Casadei"),
        "responsabile": (rimini.comune, Role.SERVICE_HEAD, "Paolo", "Fabbri"),
        "docente": (rimini.school, Role.SCHOOL_REFERENT, "Sara", "Valli"),
        "coordinatore": (rimini.comune, Role.PACT_COORDINATOR, "Elena", "Gori"),
        "responsabile.ausl": (rimini.ausl, Role.SERVICE_HEAD, "Luca", "Pari"),
        "psicologa": (rimini.ausl, Role.PSYCHOLOGIST, "Anna", "Bianchi"),
    }
    for username, (institution, role, first, last) in people.items():
        MembershipFactory(
            user=UserFactory(username=username, first_name=first, last_name=last), institution=institution, role=role
        )
    rimini.nido, rimini.pact = nido, pact
    return rimini


def _fill_signal(page, first="Tommaso", last="Righetti"):
    page.fill("#id_child_first_name", first)
    page.fill("#id_child_last_name", last)
    page.fill("#id_child_birth_date", "2023-05-20")
    page.select_option("#id_child_sex", "M")
    page.select_option("#id_comune", label="Comune di Rimini")


def test_a_consultation_becomes_a_signal_then_a_path_and_a_school_signal_needs_no_intervention(visit, district):
    # 1. The nido asks, naming nobody: a codice fiscale is refused on its field, keeping the text.
    nido = visit()
    nido.sign_in("educatrice")
    nido.open("/richieste/consultazione/nuova/")
    nido.page.select_option("#id_receiver", label="Comune di Rimini")
    nido.page.select_option("#id_age_band", "0-2")
    nido.page.fill("#id_observed", "Arriva spesso senza cambio, RSSMRA15C12H294X.")
    nido.page.fill("#id_observed_since", "da ottobre")
    nido.submit()
    assert "codice fiscale" in nido.page.inner_text("main")
    assert nido.page.input_value("#id_observed_since") == "da ottobre"
    nido.page.fill("#id_observed", "Arriva spesso senza cambio e molto stanca; la madre appare in difficoltà.")
    nido.submit()
    consultation = Request.objects.get(kind="consultation")
    assert consultation.number in nido.page.inner_text("main")

    worker = visit()
    worker.sign_in("assistente")
    worker.open("/richieste/")
    worker.page.click(f"main a:has-text('{consultation.number}')")
    worker.check()
    worker.submit("main form[action$='/assegna/'] button[type=submit]")  # takes it
    worker.page.click("main label:has-text('Da trasformare in segnalazione')")
    worker.page.fill("#id_answer-text", "Vi chiediamo di completare la segnalazione.")
    worker.submit("main form[action$='/risposta/'] button[type=submit]")
    assert Request.objects.get(pk=consultation.pk).outcome == Request.Outcome.BECOME_SIGNAL

    nido.open(f"/richieste/{consultation.pk}/")
    assert "Vi chiediamo di completare la segnalazione." in nido.page.inner_text("main")
    nido.page.click("main a:has-text('Completa come segnalazione')")
    nido.check()
    assert "molto stanca" in nido.page.input_value("#id_observed")  # not retyped
    _fill_signal(nido.page)
    nido.submit()
    signal = Request.objects.get(kind="signal")
    assert signal.from_request_id == consultation.pk

    worker.open(f"/richieste/{signal.pk}/")
    worker.submit("main form[action$='/assegna/'] button[type=submit]")
    worker.page.select_option("#id_take_in_charge-cohort", label="PIPPI 13 — Rimini")
    worker.submit("main form[action$='/presa-in-carico/'] button[type=submit]")
    path = Path.objects.get()
    assert path.state == Path.State.PRE_ASSESSMENT
    assert TeamMember.objects.get(path=path).user.username == "assistente"

    nido.open(f"/richieste/{signal.pk}/")
    text = nido.page.inner_text("main")
    assert "Presa in carico il" in text and "Marta Casadei" in text
    assert path.family.reference not in text and f"/percorsi/{path.pk}/" not in nido.page.content()
    assert nido.page.goto(nido.base_url + f"/percorsi/{path.pk}/").status == 404

    # 2. The school signals a child; the head of service assigns it; closed with advice, which the school reads.
    school = visit()
    school.sign_in("docente")
    school.open("/richieste/segnalazione/nuova/")
    assert "112" in school.page.inner_text("main")  # immediate danger does not go through Patto
    _fill_signal(school.page, "Viola", "Semprini")
    school.page.fill("#id_observed", "Assenze ripetute il lunedì, compiti non svolti.")
    school.submit()
    second = Request.objects.get(kind="signal", child_first_name="Viola")

    head = visit()
    head.sign_in("responsabile")
    head.open(f"/richieste/{second.pk}/")
    head.page.select_option("#id_assign-assignee", label="Marta Casadei")
    head.submit("main form[action$='/assegna/'] button[type=submit]")
    worker.open(f"/richieste/{second.pk}/")
    worker.page.fill(
        "#id_no_intervention-text", "Nessun intervento: proponete alla famiglia il centro per le famiglie."
    )
    worker.submit("main form[action$='/nessun-intervento/'] button[type=submit]")
    school.open("/richieste/inviate/")
    school.page.click(f"main a:has-text('{second.number}')")
    school.check()
    text = school.page.inner_text("main")
    assert "Nessun intervento necessario" in text and "centro per le famiglie" in text


def test_a_psychologist_from_the_ausl_and_an_overdue_signal(visit, district):
    # A family's path whose case manager is the comune's social worker.
    from patto.accounts.models import User
    from patto.cases import services as cases
    from patto.referrals import services

    cm = User.objects.get(username="assistente")
    path = cases.open_path(
        actor=cm,
        child={"first_name": "Nicolò", "last_name": "Ugolini", "birth_date": date(2016, 1, 8), "sex": "M"},
        cohort=Cohort.objects.get(),
        signal_source=district.school,
        signal_date=timezone.localdate(),
        signal_summary="Segnalazione della scuola.",
        legal_basis=Path.LegalBasis.PUBLIC_INTEREST,
    )
    # 3. The case manager asks the AUSL for a psychologist from the path's page.
    manager = visit()
    manager.sign_in("assistente")
    manager.open(f"/percorsi/{path.pk}/")
    manager.page.click("main a:has-text('Richiedi un professionista')")
    manager.check()
    manager.page.select_option("#id_receiver", str(district.ausl.pk))
    manager.page.select_option("#id_team_role", "psychologist")
    manager.page.fill("#id_text", "Valutazione psicologica della madre e del bambino.")
    manager.submit()
    request = Request.objects.get(kind="professional")

    psychologist = visit()
    psychologist.sign_in("psicologa")
    assert psychologist.page.goto(psychologist.base_url + f"/percorsi/{path.pk}/").status == 404

    ausl = visit()
    ausl.sign_in("responsabile.ausl")
    ausl.open("/richieste/")
    ausl.page.click(f"main a:has-text('{request.number}')")
    ausl.check()
    ausl.page.select_option("#id_assign-assignee", label="Anna Bianchi")
    ausl.submit("main form[action$='/assegna/'] button[type=submit]")

    psychologist.open(f"/richieste/{request.pk}/")
    psychologist.submit("main form[action$='/accetta/'] button[type=submit]")
    psychologist.open(f"/percorsi/{path.pk}/")
    assert path.family.reference in psychologist.page.inner_text("main")

    # 4. A signal past its response time: on the coordinator's dashboard and in the pact's indicator.
    late = services.send_signal(
        actor=User.objects.get(username="docente"),
        data={
            "child_first_name": "Irene",
            "child_last_name": "Mancini",
            "child_birth_date": date(2015, 9, 1),
            "child_sex": "F",
            "comune": district.comune,
            "observed": "Segni di trascuratezza.",
        },
    )
    Request.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=3))
    version = PactVersion.objects.create(
        pact=district.pact,
        number=1,
        status=PactVersion.Status.APPROVED,
        approved_on=date(2024, 3, 1),
        effective_from=date(2024, 3, 1),
    )
    commitment = Commitment.objects.create(
        pact_version=version, institution=district.comune, text="Rispondere alle segnalazioni nei tempi previsti."
    )
    Indicator.objects.create(
        commitment=commitment, name="Segnalazioni oltre i tempi", unit="n.", target=0, source="requests_overdue"
    )
    today = timezone.localdate()
    MonitoringPeriod.objects.create(
        pact=district.pact,
        name="Anno in corso",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        opened_at=timezone.now(),
    )
    coordinator = visit()
    coordinator.sign_in("coordinatore")
    coordinator.open("/patto/cruscotto/")
    section = coordinator.page.inner_text("#requests-heading >> xpath=..")
    assert late.number in section and "Comune di Rimini" in section
    coordinator.open("/patto/impegni/")
    row = coordinator.page.inner_text(
        "main li:has-text('Segnalazioni oltre i tempi'), main tr:has-text('Segnalazioni oltre i tempi')"
    )
    assert "1" in row
