"""Issue 12's help-desk journey in the browser (axe-core finds 0 violations on every page, the CSP holds): a
school referent asks the legal office (a codice fiscale refused first, what was typed kept), the question goes
past its response time and shows as overdue on the legal office's list, the lawyer answers it and publishes it,
edited, as an FAQ; a teacher of another school finds it by searching the FAQs; the coordinator's dashboard shows
the late answer and commitment 8's indicators count it (answered, median response time); the templates
library."""

from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.documents.tests import samples
from patto.governance.models import Adhesion, Commitment, Indicator, MonitoringPeriod, Pact, PactVersion
from patto.helpdesk.models import Faq, Question

pytestmark = pytest.mark.browser


@pytest.fixture
def district(rimini):
    school2 = Institution.objects.create(
        district=rimini.district, kind=Institution.Kind.SCHOOL, name="IC Rimini Borgo", town="Rimini"
    )
    pact = Pact.objects.create(district=rimini.district, title="Patto territoriale PIPPI", valid_from="2024-03-01")
    for institution in (rimini.comune, rimini.school, school2):
        Adhesion.objects.create(
            pact=pact,
            institution=institution,
            signer_name="Firmatario",
            signer_role="Dirigente",
            signed_on="2024-03-01",
            method="digital",
        )
    people = {
        "docente": (rimini.school, Role.SCHOOL_REFERENT, "Sara", "Valli"),
        "avvocata": (rimini.comune, Role.LEGAL_OFFICE, "Laura", "Legali"),
        "docente2": (school2, Role.SCHOOL_REFERENT, "Bruna", "Borghi"),
        "coordinatore": (rimini.comune, Role.PACT_COORDINATOR, "Elena", "Gori"),
    }
    for username, (institution, role, first, last) in people.items():
        MembershipFactory(
            user=UserFactory(username=username, first_name=first, last_name=last), institution=institution, role=role
        )
    rimini.school2 = school2
    rimini.pact = pact
    return rimini


def test_a_school_asks_the_legal_office_answers_late_publishes_an_faq_another_school_reads_it(visit, district):
    school = visit()
    school.sign_in("docente")
    school.open("/sportello-legale/")
    school.page.click("main a:has-text('Chiedi all')")
    school.check()
    assert "Nessun dato personale del bambino" in school.page.inner_text("main")
    school.page.select_option("#id_category", "separated_parents")
    school.page.fill("#id_subject", "Pagella al genitore non collocatario")
    school.page.fill("#id_text", "Il padre di RSSMRA15C12H294X chiede la pagella: possiamo dargliela?")
    school.submit()
    assert "codice fiscale" in school.page.inner_text("main")
    assert school.page.input_value("#id_subject") == "Pagella al genitore non collocatario"
    school.page.fill(
        "#id_text", "Un padre separato, non collocatario, chiede la pagella del figlio: possiamo dargliela?"
    )
    school.submit()
    question = Question.objects.get()
    assert question.number in school.page.inner_text("main")

    # Past its response time: sent on Monday 2 November, five working days to answer (by Monday 9); the legal
    # office's list shows it as overdue.
    Question.objects.filter(pk=question.pk).update(
        sent_at=timezone.make_aware(datetime(2026, 11, 2, 10)), due_on=date(2026, 11, 9)
    )
    lawyer = visit()
    lawyer.sign_in("avvocata")
    lawyer.open("/sportello-legale/")
    assert "in ritardo" in lawyer.page.inner_text("main table")
    lawyer.page.click(f"main a:has-text('{question.number}')")
    lawyer.check()
    lawyer.page.fill("#id_answer-answer", "Sì: con l'affidamento condiviso la pagella va a entrambi i genitori.")
    lawyer.submit("main form[action$='/risposta/'] button[type=submit]")
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED and question.response_working_days is not None
    lawyer.page.click("main a:has-text('Modifica e pubblica')")
    lawyer.check()
    lawyer.page.fill("#id_question", "La pagella va consegnata anche al genitore separato non collocatario?")
    lawyer.submit()
    faq = Faq.objects.get()
    assert faq.is_published and "genitore separato" in lawyer.page.inner_text("main")

    school.open(f"/sportello-legale/{question.pk}/")
    assert "va a entrambi i genitori" in school.page.inner_text("main")

    other = visit()
    other.sign_in("docente2")
    other.open("/sportello-legale/faq/?q=pagella")
    text = other.page.inner_text("main")
    assert "Comunicazioni con i genitori separati" in text and "non collocatario" in text
    other.page.click("main article a")
    other.check()
    assert "va a entrambi i genitori" in other.page.inner_text("main")
    assert other.page.goto(other.base_url + f"/sportello-legale/{question.pk}/").status == 404

    # The late answer on the coordinator's dashboard and in commitment 8's indicators (answered, response time).
    version = PactVersion.objects.create(
        pact=district.pact,
        number=1,
        status=PactVersion.Status.APPROVED,
        approved_on=date(2024, 3, 1),
        effective_from=date(2024, 3, 1),
    )
    commitment = Commitment.objects.create(
        pact_version=version,
        institution=district.comune,
        text="Rendersi disponibile per un supporto giuridico-amministrativo alle scuole.",
    )
    Indicator.objects.create(
        commitment=commitment, name="Quesiti con risposta", unit="n.", target=10, source="helpdesk_answered"
    )
    Indicator.objects.create(
        commitment=commitment,
        name="Tempo di risposta mediano",
        unit="giorni lavorativi",
        target=5,
        source="helpdesk_response_median",
    )
    today = timezone.localdate()
    MonitoringPeriod.objects.create(
        pact=district.pact,
        name="Anno in corso",
        starts_on=date(today.year, 1, 1),
        ends_on=date(today.year, 12, 31),
        opened_at=timezone.now(),
    )
    question.refresh_from_db()
    days = question.response_working_days  # from Monday 2 November to the answer (this server runs on today)
    assert days >= 6 and question.answered_at.date() > question.due_on
    coordinator = visit()
    coordinator.sign_in("coordinatore")
    coordinator.open("/patto/cruscotto/")  # axe and CSP checked on every page opened
    section = coordinator.page.inner_text("#helpdesk-heading >> xpath=..")
    assert "1 quesito con risposta" in section and f"mediano {days} giorni lavorativi" in section
    assert "Risposta in ritardo" in section and question.number in section
    assert "Pagella" not in section and "Valli" not in section  # numbers and categories only
    coordinator.open("/patto/impegni/")
    text = " ".join(coordinator.page.inner_text("main").split())
    assert "Quesiti con risposta: 1 / 10" in text
    assert f"Tempo di risposta mediano: {days} / 5 giorni lavorativi" in text


def test_the_templates_library(visit, district):
    from patto.accounts.models import User
    from patto.helpdesk import services

    services.add_template(
        actor=User.objects.get(username="avvocata"),
        district=district.district,
        title="Informativa privacy per le famiglie",
        kind="privacy_notice",
        description="Da consegnare all'adesione.",
        owner=district.comune,
        upload=SimpleUploadedFile("informativa.pdf", samples.pdf()),
        approved_on=date(2025, 9, 1),
        review_on=date(2026, 9, 1),
    )
    school = visit()
    school.sign_in("docente")
    school.open("/sportello-legale/modelli/")
    assert "revisione scaduta" in school.page.inner_text("main")
    school.page.click("main a:has-text('Informativa privacy')")
    school.check()
    lawyer = visit()
    lawyer.sign_in("avvocata")
    lawyer.open("/sportello-legale/modelli/nuovo/")
