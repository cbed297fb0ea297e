"""The demo district's legal help desk (issue 12, section 3): six questions of the schools and the nido to
the Comune di Rimini's legal office (``demo.legale``) — three answered and published as FAQs (one of them after
a clarification, one late), two past their response time, one waiting for clarification — and the templates
library (the signal form, the privacy notice for families, the consent to share with the school, two model
letters). Fictional, and idempotent: a district that has them is left alone.

Everything goes through the helpdesk services (so the demo obeys the real rules: who may ask, what is refused);
the services date everything now, and the demo then gives each step the date its story tells, counting working
days as ``core.workdays`` does, so that due dates, pauses and response times are what the clock would have given."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from patto.accounts.models import Institution, User
from patto.core.workdays import add_working_days, is_working_day, working_days_between
from patto.governance import services as governance
from patto.governance.models import Pact, Procedure
from patto.helpdesk import services
from patto.helpdesk.models import Question, QuestionMessage, QuestionPause, Template
from patto.referrals.services import patron_day_of

from .pact import _document, commitment_indicators

RIMINI = "Comune di Rimini"
PROCEDURE_TITLE = "Sportello giuridico-amministrativo per le scuole"
PROCEDURE_TEXT = (
    "1. Il dirigente o il referente della scuola, o il personale del nido, pone il quesito in Patto scegliendo "
    "la categoria, senza dati personali dei bambini.\n"
    "2. L'ufficio legale del Comune di Rimini risponde entro 10 giorni lavorativi; se chiede un chiarimento il "
    "termine è sospeso fino alla risposta della scuola.\n"
    "3. Le risposte di interesse generale sono pubblicate, rielaborate, tra le domande frequenti."
)
WORKING_DAYS = 10

# (username of the asker, category, subject, text, story)
QUESTIONS = [
    (
        "demo.referente",
        "separated_parents",
        "Comunicazioni al genitore non collocatario",
        "I genitori di un alunno sono separati e il figlio vive con la madre. Il padre chiede di ricevere le "
        "comunicazioni della scuola e le valutazioni. Possiamo inviargliele senza il consenso della madre?",
        {"ago": 25, "answer_after": 6, "faq": True},
    ),
    (
        "demo.referente2",
        "privacy",
        "Condivisione di informazioni con il servizio sociale",
        "Il servizio sociale ci chiede una relazione sull'andamento scolastico di un alunno già seguito. Serve "
        "il consenso della famiglia o possiamo trasmetterla?",
        {"ago": 20, "clarify_after": 2, "clarified_after": 3, "answer_after": 9, "faq": True},
    ),
    (
        "demo.nido",
        "records",
        "Accesso agli atti da parte di un genitore",
        "Un genitore chiede copia delle osservazioni scritte dalle educatrici sul proprio figlio. Come dobbiamo "
        "rispondere e in quali tempi?",
        {"ago": 15, "answer_after": 12, "faq": True},
    ),
    (
        "demo.dirigente",
        "schooling",
        "Assenze ripetute e obbligo scolastico",
        "Un alunno della primaria ha superato un quarto delle ore di assenza, in parte giustificate. Quando la "
        "scuola deve segnalare l'inadempienza all'obbligo scolastico e a chi?",
        {"ago": 14, "assign": True},
    ),
    (
        "demo.referente2",
        "courts",
        "Richiesta di informazioni dal Tribunale per i minorenni",
        "Abbiamo ricevuto una richiesta di informazioni dal Tribunale per i minorenni su un alunno. Chi firma la "
        "risposta e possiamo informarne la famiglia?",
        {"ago": 12},
    ),
    (
        "demo.referente",
        "signals",
        "Segnalazione e informazione alla famiglia",
        "Prima di inviare una segnalazione al servizio sociale dobbiamo sempre parlarne con la famiglia?",
        {"ago": 2, "clarify_after": 1},
    ),
]
ANSWERS = {
    "Comunicazioni al genitore non collocatario": (
        "Sì. Con l'affidamento condiviso la responsabilità genitoriale è esercitata da entrambi i genitori "
        "(art. 337-ter c.c.): la scuola invia le comunicazioni e le valutazioni a entrambi, salvo un "
        "provvedimento del giudice che disponga diversamente, di cui la scuola deve avere copia."
    ),
    "Condivisione di informazioni con il servizio sociale": (
        "Se l'alunno è seguito dal servizio sociale nell'ambito di un percorso con l'adesione della famiglia, la "
        "relazione si trasmette nei limiti di quanto la famiglia ha acconsentito a condividere con la scuola; "
        "fuori da un percorso, serve il consenso o un obbligo di legge (ad esempio una richiesta dell'autorità "
        "giudiziaria). Trasmettete solo le informazioni necessarie."
    ),
    "Accesso agli atti da parte di un genitore": (
        "Il genitore esercente la responsabilità genitoriale ha diritto di accesso ai documenti che riguardano "
        "il figlio (L. 241/1990 e art. 15 GDPR). Il nido risponde entro 30 giorni; le osservazioni che "
        "riguardano altri bambini vanno oscurate."
    ),
}
FAQS = {
    "Comunicazioni al genitore non collocatario": (
        "La scuola deve inviare le comunicazioni e le valutazioni anche al genitore con cui il figlio non vive?",
        "Sì, in caso di affidamento condiviso le comunicazioni vanno a entrambi i genitori, salvo un "
        "provvedimento del giudice che disponga diversamente (la scuola ne conserva copia).",
    ),
    "Condivisione di informazioni con il servizio sociale": (
        "La scuola può trasmettere al servizio sociale informazioni su un alunno?",
        "Sì, nei limiti del consenso della famiglia registrato nel percorso PIPPI o di un obbligo di legge; "
        "vanno trasmesse solo le informazioni necessarie.",
    ),
    "Accesso agli atti da parte di un genitore": (
        "Un genitore può avere copia delle osservazioni scritte dalle educatrici sul figlio?",
        "Sì, è un diritto di accesso: si risponde entro 30 giorni, oscurando ciò che riguarda altri bambini.",
    ),
}
CLARIFICATIONS = {
    "Condivisione di informazioni con il servizio sociale": (
        "L'alunno è in un percorso PIPPI con l'adesione della famiglia?",
        "Sì, la famiglia ha aderito e ha acconsentito alla condivisione con la scuola.",
    ),
    "Segnalazione e informazione alla famiglia": ("Si tratta di una situazione di pericolo immediato?", None),
}
TEMPLATES = [
    (
        "Modulo di segnalazione al servizio sociale",
        "signal_form",
        "Il modulo che la scuola compila per segnalare una preoccupazione (da usare anche in Patto).",
    ),
    (
        "Informativa privacy per le famiglie (PIPPI)",
        "privacy_notice",
        "L'informativa ai sensi degli artt. 13-14 GDPR da consegnare alla famiglia all'adesione.",
    ),
    (
        "Consenso alla condivisione di informazioni con la scuola",
        "consent",
        "Che cosa la famiglia acconsente a condividere con la scuola, e come revocarlo.",
    ),
    (
        "Lettera al genitore non collocatario",
        "letter",
        "Modello di lettera per le comunicazioni della scuola a entrambi i genitori separati.",
    ),
    (
        "Lettera di convocazione per assenze ripetute",
        "letter",
        "Modello di lettera alla famiglia per le assenze che mettono a rischio l'obbligo scolastico.",
    ),
]


def build_helpdesk(district):
    office = Institution.objects.get(district=district, name=RIMINI)
    lawyer = User.objects.get(username="demo.legale")
    coordinator = User.objects.get(username="demo.coordinatore")
    for user in (lawyer, coordinator):
        user.act_as(None)
    _ensure_procedure(district, coordinator, office)
    _indicators(district, coordinator)
    if not Question.objects.filter(district=district).exists():
        for spec in QUESTIONS:
            _question(spec, lawyer, patron_day_of(office))
    if not Template.objects.filter(district=district).exists():
        _templates(district, coordinator, office)


def _ensure_procedure(district, coordinator, office):
    pact = Pact.objects.get(district=district)
    if Procedure.objects.filter(pact=pact, request_kind=Procedure.RequestKind.LEGAL_QUESTION).exists():
        return
    governance.create_procedure(
        actor=coordinator,
        pact=pact,
        title=PROCEDURE_TITLE,
        owner=office,
        text=PROCEDURE_TEXT,
        response_working_days=WORKING_DAYS,
        request_kind=Procedure.RequestKind.LEGAL_QUESTION,
        approved_on=date(2024, 4, 15),
        review_on=date(2027, 4, 15),
    )


def _working_days_ago(today, count, patron):
    day = today
    while count > 0:
        day -= timedelta(days=1)
        if is_working_day(day, patron):
            count -= 1
    return day


def _at(day, hour=10):
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _question(spec, lawyer, patron):
    username, category, subject, text, story = spec
    asker = User.objects.get(username=username)
    asker.act_as(None)
    today = timezone.localdate()
    question = services.ask_question(actor=asker, category=category, subject=subject, text=text)
    sent = _working_days_ago(today, story["ago"], patron)
    Question.objects.filter(pk=question.pk).update(
        sent_at=_at(sent), due_on=add_working_days(sent, question.working_days, patron)
    )
    QuestionMessage.objects.filter(question=question).update(created_at=_at(sent))
    question.refresh_from_db()
    if story.get("assign"):
        services.assign_question(actor=lawyer, question=question, version=question.version, assignee=lawyer)
        QuestionMessage.objects.filter(question=question, event="assigned").update(
            created_at=_at(add_working_days(sent, 1, patron), 11)
        )
    paused = 0
    if "clarify_after" in story:
        asked_on = add_working_days(sent, story["clarify_after"], patron)
        asked_on = min(asked_on, today)
        ask, reply = CLARIFICATIONS[subject]
        question.refresh_from_db()
        services.ask_clarification(actor=lawyer, question=question, version=question.version, text=ask)
        QuestionPause.objects.filter(question=question).update(started_on=asked_on)
        Question.objects.filter(pk=question.pk).update(paused_since=asked_on)
        QuestionMessage.objects.filter(question=question, event="clarification_asked").update(
            created_at=_at(asked_on, 12)
        )
        if reply:
            given_on = add_working_days(asked_on, story["clarified_after"], patron)
            question.refresh_from_db()
            services.give_clarification(actor=asker, question=question, version=question.version, text=reply)
            paused = working_days_between(asked_on, given_on, patron)
            QuestionPause.objects.filter(question=question).update(ended_on=given_on)
            Question.objects.filter(pk=question.pk).update(
                due_on=add_working_days(add_working_days(sent, question.working_days, patron), paused, patron)
            )
            QuestionMessage.objects.filter(question=question, event="clarification_given").update(
                created_at=_at(given_on, 9)
            )
    if "answer_after" in story:
        answered_on = add_working_days(sent, story["answer_after"], patron)
        question.refresh_from_db()
        services.answer_question(actor=lawyer, question=question, version=question.version, answer=ANSWERS[subject])
        Question.objects.filter(pk=question.pk).update(
            answered_at=_at(answered_on, 15),
            response_working_days=working_days_between(sent, answered_on, patron) - paused,
        )
        QuestionMessage.objects.filter(question=question, event="answer").update(created_at=_at(answered_on, 15))
        if story.get("faq"):
            question.refresh_from_db()
            faq_question, faq_answer = FAQS[subject]
            faq = services.publish_faq(
                actor=lawyer, source_question=question, category=category, question=faq_question, answer=faq_answer
            )
            published_at = _at(add_working_days(answered_on, 1, patron), 9)
            type(faq).objects.filter(pk=faq.pk).update(published_at=published_at)
            faq.revisions.update(created_at=published_at)  # its history starts on the day it was published


def _templates(district, coordinator, office):
    today = timezone.localdate()
    for index, (title, kind, description) in enumerate(TEMPLATES):
        template = services.add_template(
            actor=coordinator,
            district=district,
            title=title,
            kind=kind,
            description=description,
            owner=office,
            upload=_document(f"modello-{index + 1}.pdf", title, [description]),
            approved_on=date(2024, 9, 1),
            review_on=date(today.year + 1, 9, 1) if index != 3 else today - timedelta(days=10),
        )
        if index == 0:  # the signal form was revised once: its first revision is in the history
            services.revise_template(
                actor=coordinator,
                template=template,
                version=template.version,
                upload=_document("modello-1-rev2.pdf", title, [description, "Revisione 2: aggiunto il campo urgenza."]),
                approved_on=date(2025, 9, 1),
            )


def _indicators(district, coordinator):
    """The indicators of the Comune's commitment to support the schools on legal matters (commitment 8)."""
    commitment_indicators(
        district,
        coordinator,
        "Rendersi disponibile per un supporto giuridico",
        (
            ("Quesiti delle scuole con risposta", "quesiti", 10, "helpdesk_answered"),
            ("Tempo di risposta, mediana", "giorni lavorativi", 10, "helpdesk_response_median"),
            ("Tempo di risposta, 90° percentile", "giorni lavorativi", 10, "helpdesk_response_p90"),
            ("Risposte pubblicate come FAQ", "FAQ", 3, "faqs_published"),
        ),
    )
