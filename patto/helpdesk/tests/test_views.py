"""The help desk's screens: asking (a codice fiscale refused on its field, in Italian, keeping what was typed),
the legal office's list with the overdue highlighted, answering and publishing from the question's page, the
FAQs searched by words and category, the templates library; query counts the same with one or three items."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.documents.tests import samples
from patto.helpdesk import services
from patto.helpdesk.models import Faq, Question, Template

from .conftest import ask, client_for, fresh

pytestmark = pytest.mark.django_db


def test_asking_refuses_a_codice_fiscale_in_italian_keeping_what_was_typed(desk):
    client = client_for(desk.teacher)
    page = client.get(reverse("helpdesk:ask")).content.decode()
    assert "Nessun dato personale del bambino" in page
    response = client.post(
        reverse("helpdesk:ask"),
        {"category": "schooling", "subject": "Assenze ripetute", "text": "L'alunno RSSMRA15C12H294X manca spesso."},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "codice fiscale" in body and "Assenze ripetute" in body
    assert "Sembra un codice fiscale" in body
    assert not Question.objects.exists()
    response = client.post(
        reverse("helpdesk:ask"),
        {"category": "schooling", "subject": "Assenze ripetute", "text": "Quando si segnala l'inadempienza?"},
    )
    question = Question.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("helpdesk:question", args=[question.pk])


def test_the_legal_office_answers_and_publishes_from_the_question_page(desk):
    question = ask(desk)
    lawyer = client_for(desk.lawyer)
    page = lawyer.get(reverse("helpdesk:question", args=[question.pk])).content.decode()
    assert "Rispondi al quesito" in page and "Chiedi un chiarimento alla scuola" in page
    response = lawyer.post(
        reverse("helpdesk:answer", args=[question.pk]),
        {"answer-version": question.version, "answer-answer": "Sì, nei limiti del consenso della famiglia."},
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.status == Question.Status.ANSWERED
    publish = reverse("helpdesk:publish", args=[question.pk])
    assert "nei limiti del consenso" in lawyer.get(publish).content.decode()  # the answer, to edit
    response = lawyer.post(
        publish, {"category": "privacy", "question": "Si può inviare una relazione?", "answer": "Sì, con il consenso."}
    )
    faq = Faq.objects.get()
    assert response.status_code == 302 and faq.source_question == question
    assert client_for(desk.teacher2).get(reverse("helpdesk:faq", args=[faq.pk])).status_code == 200
    # The other school reads the FAQ, never the question.
    assert client_for(desk.teacher2).get(reverse("helpdesk:question", args=[question.pk])).status_code == 404


def test_the_legal_office_list_highlights_the_overdue_questions(desk):
    late = ask(desk, subject="Quesito in ritardo")
    Question.objects.filter(pk=late.pk).update(due_on=date(2026, 11, 10))
    ask(desk, subject="Quesito nei tempi")
    page = client_for(desk.lawyer).get(reverse("helpdesk:questions")).content.decode()
    assert page.count('class="overdue ') == 1 and "in ritardo" in page
    assert page.index("Quesito in ritardo") < page.index("Quesito nei tempi")  # by due date
    assert AuditEvent.objects.filter(action="helpdesk.questions.viewed").exists()


def _faqs(desk, count):
    for n in range(count):
        question = ask(desk, subject=f"Quesito {n}")
        services.answer_question(actor=fresh(desk.lawyer), question=question, version=question.version, answer="Sì.")
        question.refresh_from_db()
        services.publish_faq(
            actor=fresh(desk.lawyer),
            source_question=question,
            category="privacy" if n % 2 == 0 else "records",
            question=f"DOMANDA-{n} sulla privacy" if n % 2 == 0 else f"DOMANDA-{n} sull'accesso agli atti",
            answer="Risposta.",
        )


def test_faqs_searched_by_words_and_category_grouped_by_category(desk):
    _faqs(desk, 3)
    client = client_for(desk.nido_staff)
    page = client.get(reverse("helpdesk:faqs")).content.decode()
    assert page.count("DOMANDA-") == 3
    assert "Privacy e condivisione delle informazioni" in page and "Accesso agli atti" in page
    assert client.get(reverse("helpdesk:faqs"), {"q": "ACCESSO atti"}).content.decode().count("DOMANDA-") == 1
    assert client.get(reverse("helpdesk:faqs"), {"categoria": "privacy"}).content.decode().count("DOMANDA-") == 2
    assert client.get(reverse("helpdesk:faqs"), {"q": "nulla"}).content.decode().count("DOMANDA-") == 0


def _templates(desk, count):
    for n in range(count):
        services.add_template(
            actor=fresh(desk.lawyer),
            district=desk.district,
            title=f"MODELLO-{n}",
            kind="letter",
            description="",
            owner=desk.comune,
            upload=SimpleUploadedFile("lettera.pdf", samples.pdf()),
            approved_on=date(2026, 1, 1),
            review_on=date(2027, 1, 1),
        )


def test_a_template_is_downloaded_with_its_earlier_revisions_logged(desk):
    _templates(desk, 1)
    template = Template.objects.get()
    services.revise_template(
        actor=fresh(desk.lawyer),
        template=template,
        version=template.version,
        upload=SimpleUploadedFile("lettera-2.pdf", samples.pdf(text=b"Revisione 2")),
    )
    client = client_for(desk.teacher)
    page = client.get(reverse("helpdesk:template", args=[template.pk])).content.decode()
    assert "Revisione 1" in page
    url = reverse("helpdesk:template_file", args=[template.pk])
    current = client.get(url)
    assert current.status_code == 200 and current["Content-Disposition"].startswith("attachment")
    assert client.get(url, {"revisione": "1"}).status_code == 200
    assert client.get(url, {"revisione": "7"}).status_code == 404
    assert AuditEvent.objects.filter(action="helpdesk.template.downloaded").count() == 2
    assert client_for(desk.social_worker).get(url).status_code == 404


def test_adding_a_template_through_the_form(desk):
    client = client_for(desk.lawyer)
    response = client.post(
        reverse("helpdesk:template_add"),
        {
            "title": "Consenso alla condivisione con la scuola",
            "kind": "consent",
            "description": "",
            "owner": desk.comune.pk,
            "approved_on": "2026-10-01",
            "review_on": "2027-10-01",
            "upload": SimpleUploadedFile("consenso.pdf", samples.pdf()),
        },
    )
    template = Template.objects.get()
    assert response.status_code == 302 and template.owner == desk.comune and template.district == desk.district


# --- query counts: the same with one or three items -----------------------------------------------------


def _questions(desk, count):
    for n in range(count):
        ask(desk, subject=f"QUESITO-{n}")


@pytest.mark.parametrize("count", [1, 3])
def test_list_query_counts(desk, count, django_assert_num_queries):
    _questions(desk, count)
    _faqs(desk, count)
    _templates(desk, count)
    _questions(desk, count)  # open ones too
    lawyer, teacher = client_for(desk.lawyer), client_for(desk.teacher)
    with django_assert_num_queries(OFFICE_LIST_QUERIES):
        assert lawyer.get(reverse("helpdesk:questions")).content.decode().count("QUESITO-") == 2 * count
    with django_assert_num_queries(ASKER_LIST_QUERIES):
        assert teacher.get(reverse("helpdesk:questions")).content.decode().count("QUESITO-") == 2 * count
    with django_assert_num_queries(ANSWERED_LIST_QUERIES):
        page = teacher.get(reverse("helpdesk:questions"), {"stato": "risposte"}).content.decode()
        assert page.count("Quesito ") == count
    with django_assert_num_queries(FAQ_LIST_QUERIES):
        assert teacher.get(reverse("helpdesk:faqs")).content.decode().count("DOMANDA-") == count
    with django_assert_num_queries(TEMPLATE_LIST_QUERIES):
        assert teacher.get(reverse("helpdesk:templates")).content.decode().count("MODELLO-") == 2 * count


@pytest.mark.parametrize("count", [1, 3])
def test_question_page_query_count(desk, count, django_assert_num_queries):
    question = ask(desk)
    for n in range(count):
        services.ask_clarification(
            actor=fresh(desk.lawyer), question=question, version=question.version, text=f"CHIARIMENTO-{n}"
        )
        question.refresh_from_db()
        services.give_clarification(actor=fresh(desk.teacher), question=question, version=question.version, text="Ok.")
        question.refresh_from_db()
    lawyer = client_for(desk.lawyer)
    with django_assert_num_queries(QUESTION_PAGE_QUERIES):
        page = lawyer.get(reverse("helpdesk:question", args=[question.pk])).content.decode()
        assert page.count("CHIARIMENTO-") == count


# session, user, memberships with their standing; count, page, the access row (savepoint, event); the office's
# counts; the bell.
OFFICE_LIST_QUERIES = 10
ASKER_LIST_QUERIES = 9
ANSWERED_LIST_QUERIES = 9
# session, user, memberships with their standing; count, page; the bell. FAQs and templates are not personal data.
FAQ_LIST_QUERIES = 6
TEMPLATE_LIST_QUERIES = 6
# session, user, memberships with their standing; the question, the access row; the FAQ, the thread, "already an FAQ?";
# the legal office's people (the assign form); the bell.
QUESTION_PAGE_QUERIES = 9


def test_home_card_of_the_legal_office_counts_open_and_overdue(desk):
    late = ask(desk)
    Question.objects.filter(pk=late.pk).update(due_on=date(2026, 11, 10))
    ask(desk)
    page = client_for(desk.lawyer).get("/").content.decode()
    assert "Sportello legale" in page and "1 in ritardo" in page
    assert "Chiedi all&#x27;ufficio legale" in client_for(desk.teacher).get("/").content.decode()


def test_the_coordinators_dashboard_shows_overdue_questions_and_response_times(desk, pact):
    late = ask(desk, subject="Segreto")
    Question.objects.filter(pk=late.pk).update(due_on=date(2026, 11, 10))
    answered = ask(desk)
    services.answer_question(actor=fresh(desk.lawyer), question=answered, version=answered.version, answer="Sì.")
    page = client_for(desk.coordinator).get(reverse("governance:dashboard")).content.decode()
    assert "Sportello giuridico-amministrativo per le scuole" in page
    assert late.number in page and "Privacy e condivisione delle informazioni" in page
    assert "1 quesito con risposta" in page
    assert "Segreto" not in page  # numbers and categories only, never the subject or the text
    assert "Risposta in ritardo" not in page  # answered in time
    Question.objects.filter(pk=answered.pk).update(due_on=date(2026, 11, 13))  # answered on the 16th: late
    page = client_for(desk.coordinator).get(reverse("governance:dashboard")).content.decode()
    assert "1 quesito con risposta oltre il tempo di risposta" in page and "Risposta in ritardo" in page
    assert answered.number in page and "risposta il 16/11/2026" in page


def _faq(desk):
    question = ask(desk)
    services.answer_question(actor=fresh(desk.lawyer), question=question, version=question.version, answer="Sì.")
    question.refresh_from_db()
    return services.publish_faq(
        actor=fresh(desk.lawyer),
        source_question=question,
        category="privacy",
        question="Si può inviare una relazione al servizio sociale?",
        answer="Sì, nei limiti del consenso.",
    )


@pytest.mark.parametrize("version", [None, "", "abc", "stale"])
def test_withdrawing_an_faq_without_the_version_seen_is_a_conflict(desk, version):
    """Review F5: a POST without the version the page showed (or with an older one) changes nothing (409), it
    never falls back on the current version."""
    faq = _faq(desk)
    data = {} if version is None else {"version": faq.version - 1 if version == "stale" else version}
    response = client_for(desk.lawyer).post(reverse("helpdesk:faq_publication", args=[faq.pk]), data)
    assert response.status_code == 409
    assert "Nessuna modifica" in response.content.decode()
    faq.refresh_from_db()
    assert faq.is_published and faq.revisions.count() == 1
    assert not AuditEvent.objects.filter(action="helpdesk.faq.withdrawn").exists()
    response = client_for(desk.lawyer).post(
        reverse("helpdesk:faq_publication", args=[faq.pk]), {"version": faq.version}
    )
    assert response.status_code == 302
    faq.refresh_from_db()
    assert not faq.is_published


def test_an_faqs_history_is_read_by_the_legal_office_and_the_schools_read_the_current_text(desk):
    faq = _faq(desk)
    lawyer = client_for(desk.lawyer)
    url = reverse("helpdesk:faq", args=[faq.pk])
    response = lawyer.post(
        url,
        {
            "category": "privacy",
            "question": "Si può inviare una relazione al servizio sociale?",
            "answer": "Sì, con il consenso scritto di entrambi i genitori.",
            "version": faq.version,
        },
    )
    assert response.status_code == 302
    faq.refresh_from_db()
    lawyer.post(reverse("helpdesk:faq_publication", args=[faq.pk]), {"version": faq.version})
    faq.refresh_from_db()
    lawyer.post(reverse("helpdesk:faq_publication", args=[faq.pk]), {"version": faq.version, "publish": "1"})
    revisions = list(faq.revisions.order_by("number").values_list("number", "event", "answer", "author"))
    assert revisions == [
        (1, "published", "Sì, nei limiti del consenso.", desk.lawyer.pk),
        (2, "edited", "Sì, con il consenso scritto di entrambi i genitori.", desk.lawyer.pk),
        (3, "withdrawn", "Sì, con il consenso scritto di entrambi i genitori.", desk.lawyer.pk),
        (4, "republished", "Sì, con il consenso scritto di entrambi i genitori.", desk.lawyer.pk),
    ]
    page = lawyer.get(url).content.decode()
    assert "Storico" in page and "Revisione 2: Modificata da Laura Legali" in page
    assert "nei limiti del consenso" in page  # the first text, in the history
    school = client_for(desk.teacher2).get(url).content.decode()
    assert "entrambi i genitori" in school
    assert "Storico" not in school and "nei limiti del consenso" not in school


def test_the_school_chooses_the_legal_office_only_when_the_district_has_several(desk):
    from patto.accounts.models import Institution
    from patto.accounts.roles import Role

    from .conftest import member, sign

    client = client_for(desk.teacher)
    assert "id_office" not in client.get(reverse("helpdesk:ask")).content.decode()  # one office: no choice
    riccione = Institution.objects.create(
        district=desk.district, kind=Institution.Kind.COMUNE, name="Comune di Riccione", town="Riccione"
    )
    sign(riccione)
    member("avvocato2", riccione, Role.LEGAL_OFFICE, "Marco", "Mori")
    page = client.get(reverse("helpdesk:ask")).content.decode()
    assert 'for="id_office"' in page and "Ufficio legale" in page and "Comune di Riccione" in page
    assert desk.school2.name not in page  # only the legal offices are offered
    data = {"category": "schooling", "subject": "Assenze", "text": "Quando si segnala l'inadempienza?"}
    response = client.post(reverse("helpdesk:ask"), data)
    assert response.status_code == 200 and not Question.objects.exists()  # the choice is required
    response = client.post(reverse("helpdesk:ask"), {**data, "office": riccione.pk})
    assert response.status_code == 302 and Question.objects.get().office == riccione


@pytest.mark.parametrize("count", [1, 3])
def test_faq_page_query_count_with_its_history(desk, count, django_assert_num_queries):
    """The FAQ's page costs the same with one revision or three (the history in one query, its authors joined)."""
    faq = _faq(desk)
    for n in range(1, count):
        services.update_faq(
            actor=fresh(desk.lawyer),
            faq=faq,
            version=faq.version,
            category="privacy",
            question="Si può inviare una relazione al servizio sociale?",
            answer=f"RISPOSTA-{n}",
        )
    lawyer = client_for(desk.lawyer)
    with django_assert_num_queries(FAQ_PAGE_QUERIES):
        page = lawyer.get(reverse("helpdesk:faq", args=[faq.pk])).content.decode()
    assert page.count("Revisione ") == count


# session, user, memberships with their standing; the FAQ with its source question; the history; the bell.
FAQ_PAGE_QUERIES = 6
