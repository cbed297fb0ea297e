"""The help desk's services: the clock (working days from the procedure, paused by a clarification), the
refusal of a codice fiscale, answering, publishing an FAQ, the templates library; each audited."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from patto.accounts.roles import Role
from patto.audit.models import AuditEvent
from patto.documents.tests import samples
from patto.governance.models import Pact, Procedure
from patto.helpdesk import services
from patto.helpdesk.models import Faq, Question, Template
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
    [
        "Il codice è RSSMRA85M01H501Z.",
        "cf rssmra85m01h501z",
        "RSS MRA 85M01 H501Z",
        "RSS-MRA-85M01-H501Z",
        "RSS/MRA/85M01/H501Z",
        "RSS_MRA_85M01_H501Z",
        "R,S,S,M,R,A,8,5,M,0,1,H,5,0,1,Z",
        "RSS\u200bMRA85M01\u200dH501Z",  # zero-width space and joiner
        "RSS\u00adMRA\u2060 85M01H501Z",  # soft hyphen, word joiner
        "ＲＳＳＭＲＡ８５Ｍ０１Ｈ５０１Ｚ",  # full-width
        "CFRSSMRA85M01H501Z",  # a prefix glued to it
        "cf:rssmra85m01h501z",
        "Alunno RSS\u041cR\u041080\u041001\u041d501U, come procedere?",  # Cyrillic М, А, Н: they look Latin
        "Alunno RSS\u039cR\u039180\u039101\u0397501U, come procedere?",  # Greek Μ, Α, Η
        "Alunno RSSMRA80A01H501, come procedere?",  # no check letter: it is computed from the other fifteen
        "Alunno RSSMRA8OA01H5O1U, come procedere?",  # the letter O for zero
        "Alunno RSSMRA8OAO1H5OIU, come procedere?",  # O for zero and I for one
        "Alunno R\u0301SSMRA80A01H501U, come procedere?",  # a combining accent (NFKC alone makes it Ŕ)
        "Il fascicolo di RSSMRA80 è completo.",  # half a code: surname, name and year of birth
        "Nato A01H501U, frequenta la 2A.",  # the other half: month, day and place of birth, check letter
    ],
)
def test_text_that_looks_like_a_codice_fiscale_is_refused_saying_why(desk, text):
    with pytest.raises(ValidationError) as refused:
        ask(desk, text=text)
    assert "codice fiscale" in str(refused.value.message_dict["text"])
    assert not Question.objects.exists()


def test_a_code_split_between_subject_and_text_is_refused_on_both(desk):
    for subject, text in (
        ("Alunno RSSMRA80", "seguito: A01H501U. Possiamo inviare la relazione?"),
        ("Alunno RSS MRA 80A", "01H 501U: possiamo inviare la relazione?"),
    ):
        with pytest.raises(ValidationError) as refused:
            ask(desk, subject=subject, text=text)
        assert set(refused.value.message_dict) == {"subject", "text"} or "codice fiscale" in str(refused.value)
    assert not Question.objects.exists()


def test_ordinary_text_and_numbers_are_not_taken_for_a_codice_fiscale():
    for text in (
        "Con l'affidamento condiviso (art. 337-ter c.c.) le comunicazioni vanno a entrambi i genitori.",
        "nostra mamma stretta stress tutti, protocollo 2026/123456, classe 3B",
        "Buongiorno, vorremmo sapere se possiamo trasmettere al servizio sociale del Comune la relazione sulle "
        "assenze dell'alunno della classe 2A, registrate dal 12/10/2026 al 30/10/2026 (15 giorni su 20), senza il "
        "consenso dei genitori, in base all'art. 403 c.c. e alla circolare n. 1/2025.",
        "La madre chiede copia del registro elettronico e delle verifiche del 1° quadrimestre; il padre, con "
        "provvedimento del Tribunale per i minorenni di Bologna n. 1234/2025 R.G., ha l'affidamento esclusivo. "
        "Possiamo rispondere entro 30 giorni ai sensi della L. 241/1990, artt. 22-25?",
        "Per la segnalazione ex art. 9 L. 184/1983 servono il modulo A3, la scheda di osservazione del 3 marzo "
        "2026 e il verbale del consiglio di classe n. 7, prot. 4521/B12 del 15/11/2026.",
        "Strutture scolastiche: spettano al DS, D.Lgs. 165/2001 art. 25 c. 2, e al DSGA; vedi PTOF 2025/2028 "
        "p. 14, nota prot. n. 3318 del 7/9/2026 (USR ER).",
        "Stress post-traumatico, DSA e BES: PDP entro il 30 novembre 2026, GLO del 12 dicembre, PEI 2026/27.",
        "Perché è così? L'alunna, già seguita, è tornata: però il Comune ha già scritto all'ASL. Più o meno così.",
        "Circolare MIUR prot. AOODGOSV 12345 del 2026, nota USR ER n. 1101, classi 1A, 2B, 3C e 4D; D.M. 80/2020.",
        "Ricorso TAR Emilia-Romagna n. 123/2026, sezione I; udienza del 14 gennaio, ore 10:30, aula B2.",
        "La famiglia abita in Via Filippini, 266, poi in Via Napoleone, 126 e in Corso Missoni, 851 (Rimini, RN).",
        "Incrocio Lisa, 740; Viale Fiorino, 142; Piazza Pio, 101; Via Filippo Corridoni, 111 (Riccione).",
    ):
        assert not services.looks_like_fiscal_code(text)


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_OMOCODIA = "LMNPQRSTUV"  # the letters that may stand for a digit
_SEPARATORS = [" ", ".", "-", "/", "_", ",", "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\u2060", " - ", ".\n"]
_DIGIT_AT = {6, 7, 9, 10, 12, 13, 14}


_LOOKALIKE = {
    "A": "\u0410",
    "B": "\u0392",
    "E": "\u0415",
    "H": "\u041d",
    "K": "\u039a",
    "M": "\u041c",
    "O": "\u041e",
    "P": "\u0420",
    "C": "\u0421",
    "T": "\u03a4",
    "X": "\u0425",
}  # Cyrillic and Greek capitals
_DIGIT_LOOKALIKE = {"0": "O", "1": "I"}


def real_left(chars, kept):
    """How many real digits the code will still have, counting those not drawn yet as real."""
    drawn = [c for i, c in enumerate(chars) if i in kept]
    return sum(c[0].isdigit() or "\uff10" <= c[0] <= "\uff19" for c in drawn) + len(kept) - len(drawn)


@st.composite
def disguised_fiscal_codes(draw):
    """A valid-shaped codice fiscale (some digits possibly omocodia letters, one real digit at least), each
    character possibly full-width, in small letters, a Cyrillic or Greek look-alike or with an accent, random
    separators and invisible characters between, maybe a letter prefix glued in front, inside a sentence. Or read
    with a licence: as one word with O or I for some digits (six of the seven shown, three real) and maybe no check
    letter; or spaced out, every digit real, without its check letter."""
    licence = draw(st.sampled_from(["", "one word", "spaced"]))
    digit_places = sorted(_DIGIT_AT)
    least = {"": 1, "one word": 6, "spaced": 7}[licence]
    kept = draw(st.sets(st.sampled_from(digit_places), min_size=least))  # real digits; the others omocodia
    chars = []
    for position in range(16):
        if position in _DIGIT_AT:
            alphabet = "0123456789" if position in kept else _OMOCODIA
        else:
            alphabet = _LETTERS
        char = draw(st.sampled_from(alphabet))
        disguise = draw(st.sampled_from(["", "lower", "wide", "lookalike", "accent"]))
        if disguise == "lower":
            char = char.lower()
        elif disguise == "wide":
            char = chr(ord(char) + 0xFEE0)  # the full-width form
        elif disguise == "lookalike" and position in kept and char in _DIGIT_LOOKALIKE:
            if licence == "one word" and real_left(chars, kept) > 3:
                char = _DIGIT_LOOKALIKE[char]
        elif disguise == "lookalike" and char in _LOOKALIKE:
            char = _LOOKALIKE[char]
        elif disguise == "accent" and char.isalpha():
            char += "\u0301"
        chars.append(char)
    if licence == "spaced" or (licence and draw(st.booleans())):
        chars.pop()  # the check letter left out
    if licence == "one word":
        separators = [[draw(st.sampled_from(["", "\u200b", "\u00ad"]))] for _ in chars[1:]]  # invisible only
    else:
        separators = draw(st.lists(st.lists(st.sampled_from(_SEPARATORS), max_size=2), min_size=15, max_size=15))
    code = chars[0] + "".join("".join(sep) + char for sep, char in zip(separators, chars[1:], strict=False))
    prefix = draw(st.sampled_from(["", "CF", "cf:", "c.f. ", "codice"]))
    return f"Il bambino, {prefix}{code}, è assente da un mese."


@hypothesis_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(disguised_fiscal_codes())
def test_a_disguised_codice_fiscale_is_still_refused(text):
    assert services.looks_like_fiscal_code(text), repr(text)
    with pytest.raises(ValidationError):
        services.check_no_personal_data(text=text)


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
    from patto.governance.indicators import computed
    from patto.governance.models import MonitoringPeriod

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
    assert computed("helpdesk_answered", pact, period) == 3
    assert computed("helpdesk_response_median", pact, period) == 4
    assert computed("helpdesk_response_p90", pact, period) == 9
    assert computed("faqs_published", pact, period) == 1
    Faq.objects.filter(pk=faq.pk).update(published_at=timezone.make_aware(timezone.datetime(2025, 6, 1)))
    assert computed("faqs_published", pact, period) == 0
    from patto.governance.indicators import DEFINITIONS, _computed

    for source in ("helpdesk_answered", "helpdesk_response_median", "helpdesk_response_p90", "faqs_published"):
        assert source in _computed and source in DEFINITIONS


def _second_office(desk, name="Comune di Riccione"):
    from patto.accounts.models import Institution

    from .conftest import member, sign

    comune = Institution.objects.create(district=desk.district, kind=Institution.Kind.COMUNE, name=name, town=name)
    sign(comune)
    return comune, member("avvocato2", comune, Role.LEGAL_OFFICE, "Marco", "Mori")


def test_with_several_legal_offices_the_school_chooses_and_with_one_it_is_the_default(desk):
    assert ask(desk).office == desk.comune  # one office: no choice to make
    riccione, lawyer2 = _second_office(desk)
    with pytest.raises(ValidationError) as refused:
        ask(desk)
    assert "office" in refused.value.message_dict
    question = ask(desk, office=riccione)
    assert question.office == riccione
    assert Notification.objects.filter(recipient=lawyer2, reference=question.number).exists()
    assert not Notification.objects.filter(recipient=desk.lawyer, reference=question.number).exists()
    assert questions_visible_to(fresh(lawyer2)).filter(pk=question.pk).exists()
    assert not questions_visible_to(fresh(desk.lawyer)).filter(pk=question.pk).exists()
    with pytest.raises(ValidationError) as refused:  # not a legal office of the district
        ask(desk, office=desk.school2)
    assert "office" in refused.value.message_dict


def test_the_help_desks_notifications_are_its_own_kinds(desk):
    """The e-mails say "question" and "legal office", never "request"."""
    from patto.notifications.emails import build_message
    from patto.notifications.kinds import Kind
    from patto.notifications.models import EmailDelivery

    question = ask(desk)
    lawyer = fresh(desk.lawyer)
    services.ask_clarification(actor=lawyer, question=question, version=question.version, text="Quale classe?")
    question.refresh_from_db()
    services.give_clarification(actor=fresh(desk.teacher), question=question, version=question.version, text="3B.")
    question.refresh_from_db()
    services.answer_question(actor=fresh(desk.lawyer), question=question, version=question.version, answer="Sì.")
    kinds = list(Notification.objects.filter(reference=question.number).order_by("pk").values_list("kind", flat=True))
    assert kinds == [
        Kind.QUESTION_RECEIVED,
        Kind.QUESTION_CLARIFICATION,
        Kind.QUESTION_CLARIFIED,
        Kind.QUESTION_ANSWERED,
    ]
    question.refresh_from_db()
    assert services.overdue_reminders(question.due_on + timedelta(days=30)) == 0  # answered: no reminder
    notice = Notification.objects.get(recipient=desk.teacher, kind=Kind.QUESTION_ANSWERED)
    message = build_message(EmailDelivery(recipient=desk.teacher), [notice])
    assert "L'ufficio legale ha risposto al tuo quesito" in message.subject
    assert "richiesta" not in message.subject.lower() and "richiesta" not in message.body.lower()


def test_a_template_past_its_review_date_reminds_its_owner_once_a_week(desk):
    from patto.notifications.kinds import Kind

    template = _template(desk)  # review by 1 September 2026: past on the fixed clock (16 November 2026)
    today = timezone.localdate()
    assert today == date(2026, 11, 16)
    # The Comune owns it: its legal office and the pact's coordinator who work there.
    assert services.template_review_reminders(today) == 2
    notices = Notification.objects.filter(kind=Kind.TEMPLATE_REVIEW_DUE)
    assert {n.recipient_id for n in notices} == {desk.lawyer.pk, desk.coordinator.pk}
    assert notices.first().url == reverse("helpdesk:template", args=[template.pk])
    assert services.template_review_reminders(today + timedelta(days=2)) == 0  # the same week: once
    assert services.template_review_reminders(today + timedelta(days=7)) == 2  # the next week: again
    reviewed = Template.objects.get(pk=template.pk)
    services.revise_template(
        actor=fresh(desk.lawyer), template=reviewed, version=reviewed.version, review_on=date(2027, 9, 1)
    )
    assert services.template_review_reminders(today + timedelta(days=14)) == 0  # reviewed: nothing more
    # The daily job runs it.
    from patto.notifications.reminders import sources

    assert sources()["helpdesk.templates_review_due"] == services.template_review_reminders


def test_a_template_owned_by_a_school_reminds_the_districts_library_keepers(desk):
    template = _template(desk)
    Template.objects.filter(pk=template.pk).update(owner=desk.school2)
    assert services.template_review_reminders(date(2026, 11, 16)) == 2
    assert set(Notification.objects.values_list("recipient", flat=True)) == {desk.lawyer.pk, desk.coordinator.pk}
