"""Issue 12's help-desk journey in the browser (axe-core finds 0 violations on every page, the CSP holds): a
school referent asks the legal office (a codice fiscale refused first, what was typed kept), the question goes
past its response time and shows as overdue on the legal office's list, the lawyer answers it and publishes it,
edited, as an FAQ; a teacher of another school finds it by searching the FAQs; the templates library."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory, UserFactory
from patto.documents.tests import samples
from patto.governance.models import Adhesion, Pact
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
    }
    for username, (institution, role, first, last) in people.items():
        MembershipFactory(
            user=UserFactory(username=username, first_name=first, last_name=last), institution=institution, role=role
        )
    rimini.school2 = school2
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

    # Past its response time: the legal office's list shows it as overdue.
    Question.objects.filter(pk=question.pk).update(due_on=date(2026, 11, 10))
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
