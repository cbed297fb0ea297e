"""Every change of the help desk: asking, assigning, asking and giving clarification, answering, closing,
publishing an FAQ, the templates library. Each one audited, each one telling the people concerned
(notifications name nobody: a question's number)."""

import re
import unicodedata

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.accounts.models import Membership
from patto.accounts.roles import Role
from patto.audit.services import record_event
from patto.core import workdays
from patto.core.versioning import update_versioned
from patto.core.workdays import add_working_days, working_days_between
from patto.documents.services import store_attachment
from patto.governance.models import Procedure
from patto.governance.queries import institutions_in_standing
from patto.notifications.kinds import Kind as Notice
from patto.notifications.services import notify
from patto.referrals.services import patron_day_of, procedure_for

from .models import (
    RUNNING,
    Category,
    Faq,
    FaqRevision,
    Question,
    QuestionMessage,
    QuestionPause,
    Template,
    TemplateRevision,
)
from .queries import (
    OFFICE_KINDS,
    manager_districts,
    may_ask,
    memberships_in_standing,
    office_districts,
    side_of,
)

S = Question.Status
E = QuestionMessage.Event
LEGAL_QUESTION = Procedure.RequestKind.LEGAL_QUESTION


# --- no child's personal data ---------------------------------------------------------------------------


_LETTER, _DIGIT = "[A-Z]", "[0-9LMNPQRSTUVOI]"  # a digit, its omocodia letter, or O and I written for 0 and 1
_SHAPE = [_LETTER] * 6 + [_DIGIT] * 2 + [_LETTER] + [_DIGIT] * 2 + [_LETTER] + [_DIGIT] * 3
# Its 16 characters (the last, the check letter, may be left out: it is computed from the other fifteen) possibly
# spaced out by any run of characters that are neither letters nor digits (spaces, dots, dashes, slashes,
# underscores, commas...), ending where a word ends; it may start glued to a prefix ("CF:RSS...", "cfRSS...").
# Found at every start (a lookahead), so that a near miss does not hide a code right after it. The separators
# never overlap the letters and digits, so the pattern does not backtrack.
FISCAL_CODE = re.compile(r"(?=(" + r"[\W_]*".join(_SHAPE) + r"(?:[\W_]*" + _LETTER + r")?)(?![A-Z0-9]))", re.IGNORECASE)
# Half a code written as one word is personal data too, and is what is left when a code is split in two (one half
# in the subject, the other in the text): the surname, name and year of birth ("RSSMRA80"), or the month, day and
# place of birth with the check letter ("A01H501U").
FISCAL_CODE_HALF = re.compile(
    r"(?<![A-Z0-9])(?:[A-Z]{6}[0-9]{2}|[ABCDEHLMPRST][0-7][0-9][A-Z][0-9]{3}[A-Z]?)(?![A-Z0-9])", re.IGNORECASE
)
# Letters of other alphabets that look like Latin ones (Cyrillic and Greek), read as the Latin letter a reader sees.
_LOOKALIKES = str.maketrans(
    "АВЕЁЅІЇЈКМНОРСТУХаеёѕіїјкорсуххԁԛԜ" + "ΑΒΕΖΗΙΚΜΝΟΡΤΥΧαικνορτυχ",
    "ABEESIIJKMHOPCTYXaeesiijkopcyxxdqW" + "ABEZHIKMNOPTYXaikvoptux",
)


def _normalised(value):
    """What the reader sees: accents and other combining marks dropped ("Ŕ" is "R"), full-width and other
    compatibility forms folded (NFKC: "ＲＳＳ１" is "RSS1"), Cyrillic and Greek look-alikes read as Latin letters,
    invisible format characters (zero-width spaces and joiners, soft hyphens, direction marks: category Cf)
    dropped."""
    decomposed = unicodedata.normalize("NFKD", value or "")
    bare = "".join(c for c in decomposed if not unicodedata.combining(c) and unicodedata.category(c) != "Cf")
    return unicodedata.normalize("NFKC", bare).translate(_LOOKALIKES)


_DIGIT_PLACES = (6, 7, 9, 10, 12, 13, 14)


def _plausible(candidate):
    """A candidate must have a digit (every code has seven, unless all were replaced by omocodia, which is
    vanishingly rare): so that ordinary words run together are not taken for one. One that needs a licence to be
    read as a code must show almost all its digits (omocodia replaces them from the right, one or two at most in
    practice): written as one word with O or I for a digit or without its check letter, six of the seven, real or
    written as O and I, three of them real; spaced out without its check letter, all seven real. So that an
    address ("Via Filippini, 266", "Incrocio Lisa, 740") is not taken for one."""
    chars = [c.upper() for c in candidate if c.isalnum()]
    digits = [chars[i] for i in _DIGIT_PLACES]
    real = sum(c.isdigit() for c in digits)
    written = sum(c in "OI" for c in digits)
    if not (written or len(chars) == 15):
        return real >= 1
    if len(chars) == len(candidate):  # one word
        return real >= 3 and real + written >= 6
    if len(chars) == 16:  # what was read as its check letter may be the next word: read the code without it
        return _plausible(candidate[:-1].rstrip("".join(c for c in candidate if not c.isalnum())))
    return not written and real == 7


def looks_like_fiscal_code(value):
    """A codice fiscale, in capitals or not, written together or with separators inside, in full-width
    characters, other alphabets' look-alikes or with invisible ones between, with or without its check letter,
    or half of one written as a word."""
    text = _normalised(value)
    if any(_plausible(match.group(1)) for match in FISCAL_CODE.finditer(text)):
        return True
    return any(sum(c.isdigit() for c in match.group(0)) >= 2 for match in FISCAL_CODE_HALF.finditer(text))


def check_no_personal_data(**fields):
    """Refuse, on the field that carries it and saying why, text that looks like a codice fiscale; and a code
    split between two fields (read one after the other, as the reader does), on both."""
    message = _(
        "This looks like a codice fiscale. The help desk must not receive a child's personal data: remove it "
        "and describe the situation without identifying anyone."
    )
    errors = {name: message for name, value in fields.items() if looks_like_fiscal_code(value)}
    if not errors and len(fields) > 1 and looks_like_fiscal_code(" ".join(v or "" for v in fields.values())):
        errors = dict.fromkeys(fields, message)
    if errors:
        raise ValidationError(errors)


def _required(field, value, message):
    if not (value or "").strip():
        raise ValidationError({field: message})


# --- the clock ------------------------------------------------------------------------------------------


def legal_offices_for(district):
    """The district's legal offices: the comuni (or the district's office) in standing with a person in the
    legal-office role now; the comuni first, then by name."""
    people = Membership.objects.current().filter(role=Role.LEGAL_OFFICE).values("institution")
    return (
        institutions_in_standing()
        .filter(district=district, kind__in=OFFICE_KINDS, pk__in=people)
        .order_by("kind", "name", "pk")
    )


def choose_office(district, office=None):
    """The legal office a question goes to. One in the district: that one. Several: the asking school chooses
    (a question is about the school's own case, and the school knows which Comune it deals with); no choice, or
    an office that is not one of them, is refused on the field. None: the district is told it has none."""
    offices = list(legal_offices_for(district))
    if not offices:
        raise ValidationError(
            _("The district has no legal office in Patto yet: ask the pact's coordinator who answers these questions.")
        )
    if office is None:
        if len(offices) == 1:
            return offices[0]
        raise ValidationError({"office": _("Choose the legal office that should answer.")})
    chosen = next((candidate for candidate in offices if candidate.pk == getattr(office, "pk", office)), None)
    if chosen is None:
        raise ValidationError({"office": _("Choose one of the district's legal offices.")})
    return chosen


def _start_clock(question):
    procedure = procedure_for(question.district, LEGAL_QUESTION)
    question.procedure = procedure
    question.working_days = (
        procedure.response_working_days if procedure else settings.PATTO_DEFAULT_RESPONSE_WORKING_DAYS
    )
    question.due_on = add_working_days(
        timezone.localdate(question.sent_at), question.working_days, patron_day_of(question.office)
    )


def response_working_days(question, today=None):
    """Working days from sending to ``today`` (the answer), the pauses for clarification left out."""
    return workdays.response_working_days(
        timezone.localdate(question.sent_at),
        today or timezone.localdate(),
        question.pauses.all(),
        patron_day_of(question.office),
    )


# --- helpers --------------------------------------------------------------------------------------------


def _number(district):
    start = f"{district.reference_prefix}-QUE-{timezone.localdate().year}-"
    last = (
        Question.objects.filter(number__startswith=start).order_by("-number").values_list("number", flat=True).first()
    )
    return f"{start}{int(last.removeprefix(start)) + 1 if last else 1:04d}"


def _url(question):
    return reverse("helpdesk:question", args=[question.pk])


def _office_people(question):
    from django.contrib.auth import get_user_model

    members = Membership.objects.current().filter(institution_id=question.office_id, role=Role.LEGAL_OFFICE)
    return list(get_user_model().objects.filter(pk__in=members.values("user")))


def _handler_or_office(question):
    if (
        question.assignee_id
        and Membership.objects.current()
        .filter(user_id=question.assignee_id, institution_id=question.office_id, role=Role.LEGAL_OFFICE)
        .exists()
    ):
        return [question.assignee]
    return _office_people(question)


def _message(question, actor, institution, event, text=""):
    return QuestionMessage.objects.create(
        question=question, author=actor, author_institution=institution, event=event, text=text
    )


def _audit(actor, obj, action, changes=None):
    record_event(actor=actor, action=action, obj=obj, changes=changes)


def _require_office(actor, question):
    if not side_of(actor, question)[1]:
        raise PermissionDenied


def _require_status(question, *statuses):
    if question.status not in statuses:
        raise ValidationError(_("This question is no longer open for this: someone acted on it meanwhile."))


# --- asking ---------------------------------------------------------------------------------------------


@transaction.atomic
def ask_question(*, actor, category, subject, text, office=None):
    """A school or educational service asks the district's legal office, acting for its institution (the
    office it chooses when the district has several: ``choose_office``)."""
    membership = actor.acting_membership
    if membership is None or not may_ask(membership) or membership not in memberships_in_standing(actor):
        raise PermissionDenied
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    _required("subject", subject, _("Write the subject of the question."))
    _required("text", text, _("Write the question."))
    check_no_personal_data(subject=subject, text=text)
    district = membership.institution.district
    office = choose_office(district, office)
    question = Question(
        district=district,
        institution=membership.institution,
        asker=actor,
        asker_role=membership.role,
        office=office,
        category=category,
        subject=subject.strip(),
        text=text.strip(),
        sent_at=timezone.now(),
    )
    _start_clock(question)
    question.full_clean(exclude=["number"])
    for _attempt in range(5):  # two questions in the same second: the number is unique, take the next
        question.number = _number(district)
        try:
            with transaction.atomic():
                question.save()
            break
        except IntegrityError:
            continue
    else:
        raise ValidationError(_("Could not give the question a number. Try again."))
    _audit(
        actor,
        question,
        "helpdesk.question.sent",
        {
            "category": [None, category],
            "due_on": [None, question.due_on],
            "working_days": [None, question.working_days],
        },
    )
    notify(
        recipients=_office_people(question),
        kind=Notice.QUESTION_RECEIVED,
        url=_url(question),
        reference=question.number,
    )
    return question


# --- the legal office -----------------------------------------------------------------------------------


@transaction.atomic
def assign_question(*, actor, question, version, assignee):
    """A member of the legal office names who answers (themselves or a colleague of the office)."""
    _require_office(actor, question)
    _require_status(question, *RUNNING)
    if (
        not Membership.objects.current()
        .filter(user=assignee, institution_id=question.office_id, role=Role.LEGAL_OFFICE)
        .exists()
    ):
        raise ValidationError({"assignee": _("Choose a person of the legal office.")})
    changes = update_versioned(question, version, {"assignee": assignee, "status": S.ASSIGNED})
    _message(question, actor, question.office, E.ASSIGNED, assignee.get_full_name())
    _audit(actor, question, "helpdesk.question.assigned", changes)
    if assignee != actor:
        notify(recipients=[assignee], kind=Notice.QUESTION_ASSIGNED, url=_url(question), reference=question.number)
    return question


@transaction.atomic
def ask_clarification(*, actor, question, version, text):
    """Back to the school with a question: the clock stops until the school answers."""
    _require_office(actor, question)
    _require_status(question, *RUNNING)
    _required("text", text, _("Write what the legal office needs to know."))
    check_no_personal_data(text=text)
    today = timezone.localdate()
    fields = {"status": S.WAITING, "paused_since": today}
    if question.assignee_id is None:
        fields["assignee"] = actor
    changes = update_versioned(question, version, fields)
    QuestionPause.objects.create(question=question, started_on=today)
    _message(question, actor, question.office, E.CLARIFICATION_ASKED, text.strip())
    _audit(actor, question, "helpdesk.question.clarification_asked", changes)
    notify(
        recipients=[question.asker], kind=Notice.QUESTION_CLARIFICATION, url=_url(question), reference=question.number
    )
    return question


@transaction.atomic
def give_clarification(*, actor, question, version, text):
    """The school answers: the clock runs again, the due date moved on by the working days of the pause."""
    if not side_of(actor, question)[0]:
        raise PermissionDenied
    _require_status(question, S.WAITING)
    _required("text", text, _("Write the clarification."))
    check_no_personal_data(text=text)
    today = timezone.localdate()
    patron = patron_day_of(question.office)
    pause = question.pauses.filter(ended_on=None).first()
    paused = working_days_between(pause.started_on, today, patron) if pause else 0
    if pause:
        pause.ended_on = today
        pause.save(update_fields=["ended_on"])
    changes = update_versioned(
        question,
        version,
        {
            "status": S.ASSIGNED if question.assignee_id else S.SENT,
            "paused_since": None,
            "due_on": add_working_days(question.due_on, paused, patron),
        },
    )
    membership = next(m for m in memberships_in_standing(actor) if m.institution_id == question.institution_id)
    _message(question, actor, membership.institution, E.CLARIFICATION_GIVEN, text.strip())
    _audit(actor, question, "helpdesk.question.clarification_given", changes)
    notify(
        recipients=_handler_or_office(question),
        kind=Notice.QUESTION_CLARIFIED,
        url=_url(question),
        reference=question.number,
    )
    return question


@transaction.atomic
def answer_question(*, actor, question, version, answer):
    """The legal office's answer: the response time recorded in working days, the pauses left out."""
    _require_office(actor, question)
    _require_status(question, *RUNNING)
    _required("answer", answer, _("Write the answer."))
    check_no_personal_data(answer=answer)
    fields = {
        "status": S.ANSWERED,
        "answer": answer.strip(),
        "answered_at": timezone.now(),
        "response_working_days": response_working_days(question),
    }
    if question.assignee_id is None:
        fields["assignee"] = actor
    changes = update_versioned(question, version, fields)
    _message(question, actor, question.office, E.ANSWER, answer.strip())
    _audit(
        actor,
        question,
        "helpdesk.question.answered",
        {k: v for k, v in changes.items() if k in ("status", "response_working_days")},
    )
    notify(
        recipients=[question.asker],
        kind=Notice.QUESTION_ANSWERED,
        url=_url(question),
        reference=question.number,
        exclude=actor,
    )
    return question


@transaction.atomic
def close_question(*, actor, question, version):
    """The school (or the legal office) closes an answered question: nothing more to add."""
    asking, office = side_of(actor, question)
    if not (asking or office):
        raise PermissionDenied
    _require_status(question, S.ANSWERED)
    changes = update_versioned(question, version, {"status": S.CLOSED, "closed_at": timezone.now()})
    institution = question.office if office else question.institution
    _message(question, actor, institution, E.CLOSED)
    _audit(actor, question, "helpdesk.question.closed", {"status": changes["status"]})
    return question


# --- FAQs -----------------------------------------------------------------------------------------------


def _check_faq(category, question, answer):
    if category not in Category.values:
        raise ValidationError({"category": _("Choose a category.")})
    _required("question", question, _("Write the question as the schools will read it."))
    _required("answer", answer, _("Write the answer as the schools will read it."))
    check_no_personal_data(question=question, answer=answer)


@transaction.atomic
def publish_faq(*, actor, source_question, category, question, answer):
    """The answer to a question, edited (nothing that identifies the school or anyone), published for every
    school and educational service of the district."""
    _require_office(actor, source_question)
    _require_status(source_question, S.ANSWERED, S.CLOSED)
    if Faq.objects.filter(source_question=source_question).exists():
        raise ValidationError(_("This question is already published as an FAQ."))
    _check_faq(category, question, answer)
    faq = Faq.objects.create(
        district_id=source_question.district_id,
        category=category,
        question=question.strip(),
        answer=answer.strip(),
        source_question=source_question,
        published_at=timezone.now(),
        published_by=actor,
    )
    _revision(faq, actor, FaqRevision.Event.PUBLISHED)
    _audit(actor, faq, "helpdesk.faq.published", {"source_question": [None, source_question.number]})
    return faq


def _revision(faq, actor, event):
    """The FAQ as it stands now, in its history (the number after the last: the version check before it
    serialises the changes of one FAQ)."""
    last = faq.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return FaqRevision.objects.create(
        faq=faq,
        number=last + 1,
        event=event,
        category=faq.category,
        question=faq.question,
        answer=faq.answer,
        author=actor,
        created_at=timezone.now(),
    )


@transaction.atomic
def update_faq(*, actor, faq, version, category, question, answer):
    if faq.district_id not in office_districts(actor):
        raise PermissionDenied
    _check_faq(category, question, answer)
    changes = update_versioned(
        faq, version, {"category": category, "question": question.strip(), "answer": answer.strip()}
    )
    if changes:
        _revision(faq, actor, FaqRevision.Event.EDITED)
    _audit(actor, faq, "helpdesk.faq.updated", {k: v for k, v in changes.items() if k == "category"} or None)
    return faq


@transaction.atomic
def set_faq_published(*, actor, faq, version, published):
    """Withdraw an FAQ (the schools no longer read it) or publish it again."""
    if faq.district_id not in office_districts(actor):
        raise PermissionDenied
    now = timezone.now()
    if published:
        fields = {"unpublished_at": None, "published_at": faq.published_at or now}
        action, event = "helpdesk.faq.republished", FaqRevision.Event.REPUBLISHED
    else:
        fields = {"unpublished_at": now}
        action, event = "helpdesk.faq.withdrawn", FaqRevision.Event.WITHDRAWN
    was_published = faq.is_published
    update_versioned(faq, version, fields)
    if was_published != published:
        _revision(faq, actor, event)
    _audit(actor, faq, action)
    return faq


# --- templates ------------------------------------------------------------------------------------------


def _scope(district_id):
    return f"helpdesk.district:{district_id}"


def _check_template(district_id, owner, approved_on, review_on):
    if owner.district_id != district_id:
        raise ValidationError({"owner": _("Choose an institution of the district.")})
    if review_on <= approved_on:
        raise ValidationError({"review_on": _("The review date must come after the approval.")})


@transaction.atomic
def add_template(*, actor, district, title, kind, description, owner, upload, approved_on, review_on):
    if district.pk not in manager_districts(actor):
        raise PermissionDenied
    _check_template(district.pk, owner, approved_on, review_on)
    check_no_personal_data(title=title, description=description)
    attachment = store_attachment(actor=actor, upload=upload, scope=_scope(district.pk))
    template = Template(
        district=district,
        title=title.strip(),
        kind=kind,
        description=description.strip(),
        owner=owner,
        file=attachment,
        approved_on=approved_on,
        review_on=review_on,
    )
    template.full_clean()
    template.save()
    _audit(actor, template, "helpdesk.template.created", {"kind": [None, kind]})
    return template


@transaction.atomic
def revise_template(*, actor, template, version, upload=None, **fields):
    """New details, or a new file: the previous file is kept as a revision (as the procedures library keeps
    its earlier texts), the revision number goes up."""
    if template.district_id not in manager_districts(actor):
        raise PermissionDenied
    allowed = {"title", "kind", "description", "owner", "approved_on", "review_on"}
    if set(fields) - allowed:
        raise PermissionDenied
    _check_template(
        template.district_id,
        fields.get("owner", template.owner),
        fields.get("approved_on", template.approved_on),
        fields.get("review_on", template.review_on),
    )
    check_no_personal_data(title=fields.get("title", ""), description=fields.get("description", ""))
    previous = (template.file_id, template.approved_on, template.revision)
    if upload is not None:
        fields["file"] = store_attachment(actor=actor, upload=upload, scope=_scope(template.district_id))
        fields["revision"] = template.revision + 1
    changes = update_versioned(template, version, fields)
    if upload is not None:
        TemplateRevision.objects.create(
            template=template,
            revision=previous[2],
            file_id=previous[0],
            approved_on=previous[1],
            replaced_by=actor,
        )
    _audit(
        actor,
        template,
        "helpdesk.template.revised",
        {k: v for k, v in changes.items() if k not in ("file", "description")},
    )
    return template


# --- reminders ------------------------------------------------------------------------------------------


def overdue_reminders(today):
    """Once a day per overdue question: its handler, or the legal office when nobody has it."""
    from .queries import overdue

    created = 0
    for question in overdue(today=today).select_related("assignee"):
        created += len(
            notify(
                recipients=_handler_or_office(question),
                kind=Notice.QUESTION_OVERDUE,
                url=_url(question),
                reference=question.number,
                dedupe_key=f"question:{question.pk}:overdue:{today.isoformat()}",
            )
        )
    return created


def _template_keepers(template):
    """Who is told that a template is past its review date: at its owner, the people who revise the library
    (the legal office, the pact's coordinator); when the owner has none (a school owns the consent form), the
    legal offices and coordinators of the district."""
    from django.contrib.auth import get_user_model

    roles = (Role.LEGAL_OFFICE, Role.PACT_COORDINATOR)
    current = Membership.objects.current().filter(role__in=roles)
    people = current.filter(institution_id=template.owner_id)
    if not people.exists():
        people = current.filter(institution__district_id=template.district_id).filter(
            Q(role=Role.PACT_COORDINATOR) | Q(institution__kind__in=OFFICE_KINDS)
        )
    return list(get_user_model().objects.filter(pk__in=people.values("user")))


def template_review_reminders(today):
    """Templates past their review date: their owner is reminded once a week (the week's first run of the
    daily job), until the template is reviewed (a new review date)."""
    year, week, _day = today.isocalendar()
    created = 0
    for template in Template.objects.filter(review_on__lt=today).order_by("pk"):
        created += len(
            notify(
                recipients=_template_keepers(template),
                kind=Notice.TEMPLATE_REVIEW_DUE,
                url=reverse("helpdesk:template", args=[template.pk]),
                reference=template.title[:100],
                dedupe_key=f"template:{template.pk}:review:{template.review_on.isoformat()}:{year}-W{week:02d}",
            )
        )
    return created
