"""The catalogue of things Patto tells people about. Each kind says what happened in words that name
nobody (the e-mail carries only these words, a family reference at most and a link), whether the person
may turn it off, and how it is delivered unless they choose otherwise."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    REQUEST_RECEIVED = "request_received", _("A request was addressed to your service")
    REQUEST_ASSIGNED = "request_assigned", _("A request was assigned to you")
    REQUEST_ANSWERED = "request_answered", _("A request of your institution was answered")
    REQUEST_OVERDUE = "request_overdue", _("A request is overdue")
    TEAM_ADDED = "team_added", _("You were added to a family's team")
    BODY_ADDED = "body_added", _("You were added to a body of the pact")
    MEETING_CONVENED = "meeting_convened", _("A meeting was convened")
    MEETING_CHANGED = "meeting_changed", _("A meeting was changed")
    TASK_ASSIGNED = "task_assigned", _("A task was assigned to you")
    TASK_OVERDUE = "task_overdue", _("A task of yours is overdue")
    TIME_POINT_DUE = "time_point_due", _("A T1/T2 time point is due")
    MONITORING_PERIOD_OPENED = "monitoring_period_opened", _("A monitoring period was opened")
    COMMITMENT_UPDATE_DUE = "commitment_update_due", _("A commitment update is due")
    MINUTES_TO_APPROVE = "minutes_to_approve", _("Minutes to approve")
    VERSION_TO_APPROVE = "version_to_approve", _("A version of the pact to approve")
    QUESTION_RECEIVED = "question_received", _("A school's question was addressed to your legal office")
    QUESTION_ASSIGNED = "question_assigned", _("A school's question to the legal office was assigned to you")
    QUESTION_CLARIFICATION = "question_clarification", _("The legal office asks a clarification on your question")
    QUESTION_CLARIFIED = "question_clarified", _("The school gave the clarification asked on its question")
    QUESTION_ANSWERED = "question_answered", _("The legal office answered your question")
    QUESTION_OVERDUE = "question_overdue", _("A school's question to the legal office is overdue")
    TEMPLATE_REVIEW_DUE = "template_review_due", _("A template of the help desk's library is past its review date")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Immediately")
    DIGEST = "digest", _("Daily digest")
    OFF = "off", _("Off (only in Patto)")


@dataclass(frozen=True)
class KindRule:
    mandatory: bool  # cannot be turned off: the e-mail always goes (immediately or in the digest)
    default: str


RULES = {
    Kind.REQUEST_RECEIVED: KindRule(True, Delivery.IMMEDIATE),
    Kind.REQUEST_ASSIGNED: KindRule(True, Delivery.IMMEDIATE),
    Kind.REQUEST_ANSWERED: KindRule(True, Delivery.IMMEDIATE),
    Kind.REQUEST_OVERDUE: KindRule(True, Delivery.IMMEDIATE),
    Kind.TEAM_ADDED: KindRule(False, Delivery.IMMEDIATE),
    Kind.BODY_ADDED: KindRule(False, Delivery.IMMEDIATE),
    Kind.MEETING_CONVENED: KindRule(False, Delivery.IMMEDIATE),
    Kind.MEETING_CHANGED: KindRule(False, Delivery.IMMEDIATE),
    Kind.TASK_ASSIGNED: KindRule(False, Delivery.IMMEDIATE),
    Kind.TASK_OVERDUE: KindRule(False, Delivery.DIGEST),
    Kind.TIME_POINT_DUE: KindRule(False, Delivery.DIGEST),
    Kind.MONITORING_PERIOD_OPENED: KindRule(False, Delivery.DIGEST),
    Kind.COMMITMENT_UPDATE_DUE: KindRule(False, Delivery.DIGEST),
    Kind.MINUTES_TO_APPROVE: KindRule(False, Delivery.IMMEDIATE),
    Kind.VERSION_TO_APPROVE: KindRule(False, Delivery.IMMEDIATE),
    Kind.QUESTION_RECEIVED: KindRule(True, Delivery.IMMEDIATE),
    Kind.QUESTION_ASSIGNED: KindRule(True, Delivery.IMMEDIATE),
    Kind.QUESTION_CLARIFICATION: KindRule(True, Delivery.IMMEDIATE),
    Kind.QUESTION_CLARIFIED: KindRule(True, Delivery.IMMEDIATE),
    Kind.QUESTION_ANSWERED: KindRule(True, Delivery.IMMEDIATE),
    Kind.QUESTION_OVERDUE: KindRule(True, Delivery.IMMEDIATE),
    Kind.TEMPLATE_REVIEW_DUE: KindRule(False, Delivery.DIGEST),
}


def delivery_choices(kind):
    """The choices a person has for ``kind``: a kind that cannot be turned off offers no "off"."""
    if RULES[kind].mandatory:
        return [(value, label) for value, label in Delivery.choices if value != Delivery.OFF]
    return list(Delivery.choices)
