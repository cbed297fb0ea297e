"""Permission names of the help desk, asked with ``user.has_perm(name, obj)``; who sees a question, an FAQ or
a template at all is ``queries.*_visible_to``."""

import rules

from .models import OPEN, Question
from .queries import (
    is_head,
    is_legal_office,
    manager_districts,
    may_ask,
    memberships_in_standing,
    office_districts,
    reader_districts,
    side_of,
)


@rules.predicate
def may_ask_now(user):
    """A school's head or referent, an educational service's staff or head, acting for that institution in
    standing, asks."""
    membership = user.acting_membership if user.is_authenticated else None
    return (
        membership is not None
        and may_ask(membership)
        and any(m.pk == membership.pk for m in memberships_in_standing(user))
    )


@rules.predicate
def has_questions(user):
    return any(may_ask(m) or is_head(m) or is_legal_office(m) for m in memberships_in_standing(user))


@rules.predicate
def is_office(user):
    return bool(office_districts(user))


@rules.predicate
def reads_library(user):
    return bool(reader_districts(user))


@rules.predicate
def manages_library(user):
    return bool(manager_districts(user))


@rules.predicate
def on_asking_side(user, question):
    return question is not None and side_of(user, question)[0]


@rules.predicate
def at_office(user, question):
    return question is not None and side_of(user, question)[1]


@rules.predicate
def is_open(user, question):
    return question is not None and question.status in OPEN


@rules.predicate
def is_running(user, question):
    return question is not None and question.status in (Question.Status.SENT, Question.Status.ASSIGNED)


@rules.predicate
def is_waiting(user, question):
    return question is not None and question.status == Question.Status.WAITING


@rules.predicate
def is_answered(user, question):
    return question is not None and question.status == Question.Status.ANSWERED


@rules.predicate
def publishable(user, question):
    return (
        question is not None
        and question.status in (Question.Status.ANSWERED, Question.Status.CLOSED)
        and not Question.objects.filter(pk=question.pk, faq__isnull=False).exists()
    )


@rules.predicate
def office_of_district(user, obj):
    return obj is not None and obj.district_id in office_districts(user)


@rules.predicate
def manager_of_district(user, obj):
    return obj is not None and obj.district_id in manager_districts(user)


rules.add_perm("helpdesk.ask_question", may_ask_now)
rules.add_perm("helpdesk.view_questions", has_questions)
rules.add_perm("helpdesk.view_question", on_asking_side | at_office)
rules.add_perm("helpdesk.assign_question", at_office & is_running)
rules.add_perm("helpdesk.handle_question", at_office & is_running)
rules.add_perm("helpdesk.clarify_question", on_asking_side & is_waiting)
rules.add_perm("helpdesk.close_question", (on_asking_side | at_office) & is_answered)
rules.add_perm("helpdesk.publish_faq", at_office & publishable)
rules.add_perm("helpdesk.view_faqs", reads_library)
rules.add_perm("helpdesk.change_faq", office_of_district)
rules.add_perm("helpdesk.view_templates", reads_library)
rules.add_perm("helpdesk.add_template", manages_library)
rules.add_perm("helpdesk.change_template", manager_of_district)
