"""Requests addressed to an institution's service: one mechanism used four ways.

- an anonymous consultation (a school, a nido, a paediatrician asks the social service about a situation,
  before any child is named: no name, no codice fiscale, no date of birth);
- a signal (segnalazione) of a named child to the social service of the child's comune of residence;
- a request for a professional or a service from a family's team (the AUSL's psychologist, the
  cooperative's home educator, a school for the partnership);
- the transfer of a path to another comune's service (the family moved) or another case manager.

The receiving service has an inbox and a response clock in working days (``core.workdays``), paused
while it waits for the sender; the sender follows a minimal status and reads only what the service
writes back (``RequestMessage`` with ``to_sender``), never the family's path."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import District, Institution, SchoolSite
from patto.cases.models import Cohort, Path, TeamMember
from patto.documents.models import Attachment
from patto.governance.models import Procedure

_P = Procedure.RequestKind


class Kind(models.TextChoices):
    """The kinds of request sent through Patto: each governed by the pact's procedure of the same
    ``request_kind`` (the procedures also govern the help desk's questions, which are not requests)."""

    CONSULTATION = _P.CONSULTATION.value, _P.CONSULTATION.label
    SIGNAL = _P.SIGNAL.value, _P.SIGNAL.label
    PROFESSIONAL = _P.PROFESSIONAL.value, _P.PROFESSIONAL.label
    TRANSFER = _P.TRANSFER.value, _P.TRANSFER.label


class Request(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Received, to be assigned")
        ASSIGNED = "assigned", _("Being handled")
        WAITING_SENDER = "waiting_sender", _("Waiting for more information from the sender")
        CLOSED = "closed", _("Answered")
        WITHDRAWN = "withdrawn", _("Withdrawn by the sender")

    class Outcome(models.TextChoices):
        # anonymous consultations
        ADVICE = "advice", _("Advice given")
        JOINT_MEETING = "joint_meeting", _("Invitation to a joint meeting")
        BECOME_SIGNAL = "become_signal", _("This should become a signal")
        # signals
        TAKEN_IN_CHARGE = "taken_in_charge", _("Taken in charge")
        SENT_ON = "sent_on", _("Sent to another service")
        NO_INTERVENTION = "no_intervention", _("No intervention needed")
        # requests for a professional, transfers
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")

    class AgeBand(models.TextChoices):
        B0_2 = "0-2", _("0–2 years")
        B3_5 = "3-5", _("3–5 years")
        B6_10 = "6-10", _("6–10 years")
        B11_13 = "11-13", _("11–13 years")
        B14_17 = "14-17", _("14–17 years")

    class FamilyInformed(models.TextChoices):
        YES = "yes", _("Yes, the family has been spoken to")
        NO = "no", _("No, not yet")
        PARTLY = "partly", _("In part")

    class Urgency(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary")
        URGENT = "urgent", _("Urgent (but not immediate danger)")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    number = models.CharField(_("number"), max_length=24, unique=True)  # e.g. RN-SEG-2026-0007
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SENT)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)

    sender = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sender_institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    sender_role = models.CharField(max_length=40)
    receiver = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="requests_received", verbose_name=_("to the service of")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)

    # The clock: due on a date counted in the receiver's working days, moved on by every pause.
    procedure = models.ForeignKey(Procedure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    working_days = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("answer due by"))
    paused_since = models.DateField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Working days from sending to the answer, pauses left out: the figure the pact's indicators use.
    response_working_days = models.PositiveSmallIntegerField(null=True, blank=True)

    # What the sender wrote. Consultation: no name, no codice fiscale, no date of birth.
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices, blank=True)
    observed = models.TextField(_("what has been observed"), max_length=4000, blank=True)
    observed_since = models.CharField(_("since when"), max_length=200, blank=True)
    tried = models.TextField(_("what has been tried"), max_length=4000, blank=True)
    family_informed = models.CharField(
        _("has the family been spoken to?"), max_length=10, choices=FamilyInformed.choices, blank=True
    )
    # Signal: the child and family as known to the sender.
    child_first_name = models.CharField(_("child's first name"), max_length=100, blank=True)
    child_last_name = models.CharField(_("child's last name"), max_length=100, blank=True)
    child_birth_date = models.DateField(_("child's date of birth"), null=True, blank=True)
    child_sex = models.CharField(_("sex"), max_length=1, choices=[("F", _("Female")), ("M", _("Male"))], blank=True)
    comune = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("comune of residence"),
        limit_choices_to={"kind": "comune"},
    )
    school = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school or educational service"),
    )
    school_site = models.ForeignKey(
        SchoolSite, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("school site")
    )
    school_class = models.CharField(_("class or section"), max_length=40, blank=True)
    parents = models.TextField(_("parents or guardians and their contacts, if known"), max_length=2000, blank=True)
    concerns = models.JSONField(_('concerns by area of "Il Mondo del Bambino"'), default=list, blank=True)
    family_knows = models.TextField(_("what the family knows and has been told"), max_length=2000, blank=True)
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    # Request for a professional, transfer: the family's path and what is asked.
    path = models.ForeignKey(Path, on_delete=models.PROTECT, null=True, blank=True, related_name="requests")
    team_role = models.CharField(_("role in the team"), max_length=30, choices=TeamMember.TeamRole.choices, blank=True)
    text = models.TextField(_("request"), max_length=4000, blank=True)
    # Taking in charge: the cohort the new path opens in.
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    from_request = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="followed_by"
    )  # the consultation a signal continues, or the signal a forwarded request continues
    attachments = models.ManyToManyField(Attachment, blank=True, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("request")
        verbose_name_plural = _("requests")
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["receiver", "status", "due_on"], name="request_inbox_idx"),
            models.Index(fields=["sender_institution", "-sent_at"], name="request_sender_idx"),
            models.Index(fields=["assignee", "status"], name="request_assignee_idx"),
            models.Index(fields=["district", "status", "due_on"], name="request_district_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="consultation") | (Q(child_first_name="") & Q(child_last_name="")),
                name="consultation_names_nobody",
            ),
            models.CheckConstraint(
                condition=~Q(kind="consultation") | Q(child_birth_date__isnull=True),
                name="consultation_no_birth_date",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.status in (self.Status.SENT, self.Status.ASSIGNED, self.Status.WAITING_SENDER)

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.status in (self.Status.SENT, self.Status.ASSIGNED) and self.due_on < today


class RequestMessage(models.Model):
    """The thread: what the service writes back to the sender (``to_sender``), what the sender adds, and
    the service's internal notes, which the sender never reads."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    from_sender = models.BooleanField(default=False)
    to_sender = models.BooleanField(default=False)
    text = models.TextField(_("message"), max_length=4000)
    event = models.CharField(max_length=30, blank=True)  # the state change it went with, if any
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class RequestPause(models.Model):
    """A stretch of time the clock stood still, waiting for the sender."""

    request = models.ForeignKey(Request, on_delete=models.PROTECT, related_name="pauses")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]
