"""Who sees what of the help desk, decided in the database.

- A **question**: the person who asked it, while they still hold a membership at the asking institution; the
  head of the asking institution (the school head, the educational service's head of service); the legal office
  it was addressed to (its members with the legal-office role). Nobody else: not the coordinator, not another
  school, not the social service (404, as if it did not exist). Only institutions in standing.
- **FAQs** (published) and **templates**: every school's and educational service's staff of the district, the
  legal office and the pact coordinator, at institutions in standing. The legal office also reads the FAQs it
  withdrew. Templates are managed by the legal office and the coordinator."""

from django.db.models import Q
from django.utils import timezone

from patto.accounts.roles import Role
from patto.governance.queries import institutions_in_standing_of

from .models import OPEN, PUBLISHED, RUNNING, Faq, Question, QuestionMessage, Template

SCHOOL, EDUCATIONAL_SERVICE = "school", "educational_service"
# Who asks, by the kind of their institution; the heads of the asking institution see all its questions.
ASKER_ROLES = {
    SCHOOL: frozenset({Role.SCHOOL_HEAD, Role.SCHOOL_REFERENT}),
    EDUCATIONAL_SERVICE: frozenset({Role.EDUCATIONAL_STAFF, Role.SERVICE_HEAD}),
}
HEAD_ROLES = {SCHOOL: frozenset({Role.SCHOOL_HEAD}), EDUCATIONAL_SERVICE: frozenset({Role.SERVICE_HEAD})}
# FAQs and templates are for every school's and educational service's staff.
STAFF_ROLES = {
    SCHOOL: frozenset({Role.SCHOOL_HEAD, Role.SCHOOL_REFERENT}),
    EDUCATIONAL_SERVICE: frozenset({Role.EDUCATIONAL_STAFF, Role.SERVICE_HEAD, Role.EDUCATOR}),
}
# The legal office that answers: the legal-office role at a comune or at the district's office.
OFFICE_KINDS = frozenset({"comune", "district_office"})


def memberships_in_standing(user):
    if not user.is_authenticated:
        return []
    standing = institutions_in_standing_of(user)  # one query per request, shared with the menu
    return [m for m in user.current_memberships if m.institution_id in standing]


def _kind(membership):
    return membership.institution.kind


def may_ask(membership):
    return membership.role in ASKER_ROLES.get(_kind(membership), ())


def is_head(membership):
    return membership.role in HEAD_ROLES.get(_kind(membership), ())


def is_legal_office(membership):
    return membership.role == Role.LEGAL_OFFICE and _kind(membership) in OFFICE_KINDS


def is_reader(membership):
    return (
        membership.role in STAFF_ROLES.get(_kind(membership), ())
        or is_legal_office(membership)
        or membership.role == Role.PACT_COORDINATOR
    )


def manages_templates(membership):
    return is_legal_office(membership) or membership.role == Role.PACT_COORDINATOR


def offices_of(user):
    """The legal offices (institutions) where the user works in that role, in standing."""
    return {m.institution_id for m in memberships_in_standing(user) if is_legal_office(m)}


def reader_districts(user):
    return {m.institution.district_id for m in memberships_in_standing(user) if is_reader(m)}


def manager_districts(user):
    return {m.institution.district_id for m in memberships_in_standing(user) if manages_templates(m)}


def office_districts(user):
    return {m.institution.district_id for m in memberships_in_standing(user) if is_legal_office(m)}


# --- questions ------------------------------------------------------------------------------------------


def questions_visible_to(user):
    memberships = memberships_in_standing(user)
    if not memberships:
        return Question.objects.none()
    institutions = {m.institution_id for m in memberships}
    heads = {m.institution_id for m in memberships if is_head(m)}
    offices = {m.institution_id for m in memberships if is_legal_office(m)}
    condition = Q(asker=user, institution_id__in=institutions)
    if heads:
        condition |= Q(institution_id__in=heads)
    if offices:
        condition |= Q(office_id__in=offices)
    return Question.objects.filter(condition)


def side_of(user, question):
    """(asking side, legal office side) of the user towards one question."""
    memberships = memberships_in_standing(user)
    asking = (
        question.asker_id == user.pk and any(m.institution_id == question.institution_id for m in memberships)
    ) or any(m.institution_id == question.institution_id and is_head(m) for m in memberships)
    office = any(m.institution_id == question.office_id and is_legal_office(m) for m in memberships)
    return asking, office


def questions_for_list(user, *, answered=False):
    """The list: open questions by due date (the overdue first), or the answered and closed ones, latest first."""
    questions = questions_visible_to(user).select_related("institution", "asker", "assignee", "office")
    if answered:
        return questions.exclude(status__in=OPEN).order_by("-answered_at", "-pk")
    return questions.filter(status__in=OPEN).order_by("due_on", "sent_at", "pk")


def overdue(district_id=None, today=None):
    """Questions past their response time (the clock running), for the legal office and the dashboard."""
    today = today or timezone.localdate()
    questions = Question.objects.filter(status__in=RUNNING, due_on__lt=today)
    if district_id is not None:
        questions = questions.filter(district_id=district_id)
    return questions


def office_counts(user, today=None):
    """Open questions of the user's legal offices, and those past their date: one query."""
    from django.db.models import Count

    today = today or timezone.localdate()
    offices = offices_of(user)
    return Question.objects.filter(office_id__in=offices, status__in=OPEN).aggregate(
        open=Count("pk"),
        waiting=Count("pk", filter=Q(status=Question.Status.WAITING)),
        overdue=Count("pk", filter=Q(status__in=RUNNING, due_on__lt=today)),
    )


def office_people(question):
    """Who may be given a question to answer: current legal-office members of its office."""
    from patto.accounts.models import Membership

    return (
        Membership.objects.current()
        .filter(institution_id=question.office_id, role=Role.LEGAL_OFFICE)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def fetch_question(user, pk, perm="helpdesk.view_question", *, log=True):
    """From ``questions_visible_to`` (404), then ``perm`` (403), both refusals audited; with ``log`` the read
    recorded before anything is returned."""
    from patto.core.shortcuts import get_object_for

    queryset = questions_visible_to(user).select_related(
        "institution", "asker", "assignee", "office", "procedure", "district"
    )
    question = get_object_for(user, perm, queryset, pk=pk)
    if log:
        log_question_read(user, question)
    return question


def log_question_read(user, question):
    from patto.audit.services import record_access

    record_access(actor=user, action="helpdesk.question.viewed", obj=question)


def thread_of(question):
    return QuestionMessage.objects.filter(question=question).select_related("author", "author_institution")


# --- the indicators' figures ----------------------------------------------------------------------------


def response_times(district_id, start, end):
    """Working days to the answer of the questions answered in [start, end] (pauses left out), shortest first
    (a flat ``values_list``)."""
    return (
        Question.objects.filter(
            district_id=district_id,
            response_working_days__isnull=False,
            answered_at__date__gte=start,
            answered_at__date__lte=end,
        )
        .order_by("response_working_days")
        .values_list("response_working_days", flat=True)
    )


# --- FAQs and templates ---------------------------------------------------------------------------------


def faqs_visible_to(user):
    """Published FAQs of the districts where the user reads them; the legal office also its withdrawn ones."""
    districts = reader_districts(user)
    if not districts:
        return Faq.objects.none()
    condition = Q(district_id__in=districts) & PUBLISHED
    offices = office_districts(user)
    if offices:
        condition |= Q(district_id__in=offices)
    return Faq.objects.filter(condition)


def search_faqs(faqs, words="", category=""):
    """By words (every word in the question or the answer, any case) and by category."""
    if category:
        faqs = faqs.filter(category=category)
    for word in words.split()[:10]:
        faqs = faqs.filter(Q(question__icontains=word) | Q(answer__icontains=word))
    return faqs


def templates_visible_to(user):
    districts = reader_districts(user)
    if not districts:
        return Template.objects.none()
    return Template.objects.filter(district_id__in=districts)
