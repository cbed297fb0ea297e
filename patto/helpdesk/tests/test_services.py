"""The help desk's services: the clock (working days from the procedure, paused by a clarification), the
refusal of a codice fiscale, answering, publishing an FAQ, the templates library; each audited."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from patto.audit.models import AuditEvent
from patto.documents.tests import samples
from patto.governance.models import Pact, Procedure
from patto.helpdesk import services
from patto.helpdesk.models import Faq, Question
from patto.helpdesk.queries import faqs_visible_to, questions_visible_to, templates_visible_to
from patto.notifications.models import Notification

from .conftest import ask, fresh

pytestmark = pytest.mark.django_db


def _procedure(desk, days=5):
    return Procedure.objects.create(
        pact=Pact.objects.get(district=desk.district),
        title="Sportello legale",
        owner=desk.comune,
        text="Risposta entro 5 giorni lavorativi.",
        request_kind=Procedure.RequestKind.LEGAL_QUESTION,
        response_working_days=days,
        approved_on=date(2024, 4, 15),
        review_on=date(2030, 4, 15),
    )


def test_a_question_goes_to_the_legal_office_with_the_procedures_working_days(desk):
    procedure = _procedure(desk)
    question = ask(desk)  # Monday 16 November 2026
    assert question.office == desk.comune
    assert question.procedure == procedure and question.working_days == 5
    assert question.due_on == date(2026, 11, 23)  # five working days on: the weekend skipped
    assert question.number.endswith("-QUE-2026-0001")
    assert AuditEvent.objects.filter(action="helpdesk.question.sent", object_id=str(question.pk)).exists()
    assert Notification.objects.filter(recipient=desk.lawyer, reference=question.number).exists()


def test_without_a_procedure_the_default_working_days_apply(desk, settings):
    settings.PATTO_DEFAULT_RESPONSE_WORKING_DAYS = 10
    question = ask(desk)
    assert question.procedure is None and question.working_days == 10
    assert question.due_on == date(2026, 11, 30)


def test_a_clarification_pauses_the_clock_and_the_response_time_leaves_the_pause_out(desk):
    _procedure(desk)
    question = ask(desk)  # Monday 16 November, due Monday 23
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 17, 10)), tick=False):
        services.ask_clarification(
            actor=fresh(desk.lawyer), question=question, version=question.version, text="È in un percorso PIPPI?"
        )
    question.refresh_from_db()
    assert question.status == Question.Status.WAITING and question.paused_since == date(2026, 11, 17)
    assert not question.is_overdue(date(2026, 11, 25))  # paused: not overdue
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 20, 10)), tick=False):
        services.give_clarification(actor=fresh(desk.teacher), question=question, version=question.version, text="Sì.")
    question.refresh_from_db()
    assert question.status == Question.Status.ASSIGNED  # the lawyer who asked has it
    assert question.due_on == date(2026, 11, 26)  # moved on by the three working days of the pause
    with time_machine.travel(timezone.make_aware(timezone.datetime(2026, 11, 24, 16)), tick=False):
        services.answer_question(actor=fresh(desk.lawyer), question=question, version=question.version, answer="Sì.")
    question.refresh_from_db()
    # From Monday 16 to Tuesday 24: six working days, three of them paused.
    assert question.status == Question.Status.ANSWERED and question.response_working_days == 3
    assert Notification.objects.filter(recipient=desk.teacher, reference=question.number).count() == 2


@pytest.mark.parametrize(
    "text",
    ["Il codice è RSSMRA85M01H501Z.", "cf rssmra85m01h501z", "RSS MRA 85M01 H501Z", "RSS-MRA-85M01-H501Z"],
)
def test_text_that_looks_like_a_codice_fiscale_is_refused_saying_why(desk, text):
    with pytest.raises(ValidationError) as refused:
        ask(desk, text=text)
    assert "codice fiscale" in str(refused.value.message_dict["text"])
    assert not Question.objects.exists()


def test_ordinary_text_and_numbers_are_not_taken_for_a_codice_fiscale():
    for text in (
        "Con l'affidamento condiviso (art. 337-ter c.c.) le comunicazioni vanno a entrambi i genitori.",
        "nostra mamma stretta stress tutti, protocollo 2026/123456, classe 3B",
    ):
        assert not services.looks_like_fiscal_code(text)


def test_only_schools_and_educational_services_ask(desk):
    assert ask(desk, user=desk.nido_staff).institution == desk.nido
    assert ask(desk, user=desk.head).institution == desk.school
    for user in (desk.coordinator, desk.social_worker, desk.lawyer):
        with pytest.raises(PermissionDenied):
            ask(desk, user=user)


def test_a_district_without_a_legal_office_is_told_so(desk):
    from patto.accounts.models import Membership

    Membership.objects.filter(user=desk.lawyer).update(ended_at=timezone.now())
    with pytest.raises(ValidationError, match="ufficio legale"):
        ask(desk)


def test_who_sees_a_question(desk):
    question = ask(desk)
    sees = {user.username for user in (desk.teacher, desk.head, desk.lawyer) if _sees(user, question)}
    assert sees == {"school_referent", "dirigente", "avvocata"}
    for user in (desk.teacher2, desk.nido_staff, desk.coordinator, desk.social_worker):
        assert not _sees(user, question), user.username


def _sees(user, question):
    return questions_visible_to(fresh(user)).filter(pk=question.pk).exists()


def test_only_the_legal_office_answers_and_the_school_closes(desk):
    question = ask(desk)
    with pytest.raises(PermissionDenied):
        services.answer_question(actor=fresh(desk.teacher), question=question, version=question.version, answer="x")
    with pytest.raises(ValidationError, match="codice fiscale"):
        services.ask_clarification(
            actor=fresh(desk.lawyer), question=question, version=question.version, text="RSSMRA85M01H501Z"
        )
    services.answer_question(actor=fresh(desk.lawyer), question=question, version=question.version, answer="Sì.")
    question.refresh_from_db()
    assert question.assignee == desk.lawyer
    services.close_question(actor=fresh(desk.teacher), question=question, version=question.version)
    question.refresh_from_db()
    assert question.status == Question.Status.CLOSED


def _answered(desk):
    question = ask(desk)
    services.answer_question(actor=fresh(desk.lawyer), question=question, version=question.version, answer="Sì.")
    question.refresh_from_db()
    return question


def test_publishing_an_faq_edited_for_every_school_of_the_district(desk):
    question = _answered(desk)
    with pytest.raises(PermissionDenied):
        services.publish_faq(
            actor=fresh(desk.teacher), source_question=question, category="privacy", question="D?", answer="R."
        )
    with pytest.raises(ValidationError, match="codice fiscale"):
        services.publish_faq(
            actor=fresh(desk.lawyer),
            source_question=question,
            category="privacy",
            question="D?",
            answer="Per RSSMRA85M01H501Z sì.",
        )
    faq = services.publish_faq(
        actor=fresh(desk.lawyer),
        source_question=question,
        category="privacy",
        question="Si può inviare una relazione al servizio sociale?",
        answer="Sì, nei limiti del consenso.",
    )
    assert faq.is_published and faq.published_by == desk.lawyer
    for user in (desk.teacher, desk.teacher2, desk.nido_staff, desk.head, desk.coordinator, desk.lawyer):
        assert faqs_visible_to(fresh(user)).filter(pk=faq.pk).exists(), user.username
    assert not faqs_visible_to(fresh(desk.social_worker)).exists()
    with pytest.raises(ValidationError, match="già pubblicato"):
        services.publish_faq(
            actor=fresh(desk.lawyer), source_question=question, category="privacy", question="D?", answer="R."
        )
    services.set_faq_published(actor=fresh(desk.lawyer), faq=faq, version=faq.version, published=False)
    assert not faqs_visible_to(fresh(desk.teacher)).exists()
    assert faqs_visible_to(fresh(desk.lawyer)).filter(pk=faq.pk).exists()  # the office still reads it
    faq.refresh_from_db()
    services.set_faq_published(actor=fresh(desk.lawyer), faq=faq, version=faq.version, published=True)
    assert faqs_visible_to(fresh(desk.teacher)).filter(pk=faq.pk).exists()
    assert set(AuditEvent.objects.filter(object_id=str(faq.pk)).values_list("action", flat=True)) >= {
        "helpdesk.faq.published",
        "helpdesk.faq.withdrawn",
        "helpdesk.faq.republished",
    }


def _template(desk, actor=None):
    return services.add_template(
        actor=fresh(actor or desk.coordinator),
        district=desk.district,
        title="Informativa privacy per le famiglie",
        kind="privacy_notice",
        description="Da consegnare all'adesione.",
        owner=desk.comune,
        upload=SimpleUploadedFile("informativa.pdf", samples.pdf()),
        approved_on=date(2025, 9, 1),
        review_on=date(2026, 9, 1),
    )


def test_templates_are_versioned_and_managed_by_the_legal_office_and_the_coordinator(desk):
    template = _template(desk)
    assert template.review_overdue and template.revision == 1
    first_file = template.file_id
    with pytest.raises(PermissionDenied):
        _template(desk, actor=desk.teacher)
    services.revise_template(
        actor=fresh(desk.lawyer),
        template=template,
        version=template.version,
        upload=SimpleUploadedFile("informativa-2.pdf", samples.pdf(text=b"Revisione 2")),
        approved_on=date(2026, 11, 1),
        review_on=date(2027, 11, 1),
    )
    template.refresh_from_db()
    assert template.revision == 2 and template.file_id != first_file and not template.review_overdue
    (revision,) = template.revisions.all()
    assert (revision.revision, revision.file_id, revision.approved_on) == (1, first_file, date(2025, 9, 1))
    with pytest.raises(ValidationError):
        services.revise_template(
            actor=fresh(desk.lawyer), template=template, version=template.version, review_on=date(2020, 1, 1)
        )
    for user in (desk.teacher, desk.nido_staff, desk.lawyer, desk.coordinator):
        assert templates_visible_to(fresh(user)).filter(pk=template.pk).exists()
    assert not templates_visible_to(fresh(desk.social_worker)).exists()


def test_overdue_questions_remind_the_office_once_a_day(desk):
    question = ask(desk)
    today = question.due_on + timedelta(days=1)
    assert services.overdue_reminders(today) == 1
    assert services.overdue_reminders(today) == 0


def test_the_indicators_count_answers_response_times_and_faqs(desk):
    from patto.governance.models import MonitoringPeriod
    from patto.helpdesk import indicators

    pact = Pact.objects.get(district=desk.district)
    period = MonitoringPeriod(pact=pact, starts_on=date(2026, 1, 1), ends_on=date(2026, 12, 31))
    for days in (2, 4, 9):
        question = ask(desk)
        Question.objects.filter(pk=question.pk).update(sent_at=timezone.now() - timedelta(days=20))
        question.refresh_from_db()
        services.answer_question(actor=fresh(desk.lawyer), question=question, version=question.version, answer="Sì.")
        Question.objects.filter(pk=question.pk).update(response_working_days=days)
    ask(desk)  # not answered
    old = _answered(desk)
    Question.objects.filter(pk=old.pk).update(answered_at=timezone.make_aware(timezone.datetime(2025, 12, 30, 10)))
    faq = services.publish_faq(
        actor=fresh(desk.lawyer), source_question=question, category="privacy", question="D?", answer="R."
    )
    assert indicators.answered(pact, period) == 3
    assert indicators.response_median(pact, period) == 4
    assert indicators.response_p90(pact, period) == 9
    assert indicators.faqs_published(pact, period) == 1
    Faq.objects.filter(pk=faq.pk).update(published_at=timezone.make_aware(timezone.datetime(2025, 6, 1)))
    assert indicators.faqs_published(pact, period) == 0
    from patto.governance.indicators import DEFINITIONS, _computed

    for source in ("helpdesk_answered", "helpdesk_response_median", "helpdesk_response_p90", "faqs_published"):
        assert source in _computed and source in DEFINITIONS
