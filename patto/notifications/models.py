"""What Patto told whom: the in-app inbox, each person's delivery choices, and the e-mails sent.

Nothing personal is stored here: a notification holds its kind, a link inside Patto and a reference
(a family's reference code, a request's number, a meeting's date), never a name or case content."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .kinds import Delivery, Kind


class EmailDelivery(models.Model):
    """One e-mail to one person: a notification sent at once, or a day's digest of several.

    Its row exists before the e-mail is queued (in the transaction of the notification), so a send lost
    with a worker or a full queue is found and sent again by ``send_reminders``. ``last_error`` names the
    error's kind and code only (an SMTP refusal quotes the address: never stored)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to be sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed (no more attempts)")

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.BooleanField(default=False)
    kind = models.CharField(max_length=40, choices=Kind.choices, blank=True)  # blank for a digest
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=200, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    # When send_reminders may queue it again (a retry after a failure, or a queued send that never ran).
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # A worker sending it now holds it until then (two queued copies never send twice).
    locked_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="email_delivery_due_idx")]

    def __str__(self):
        return f"{self.get_kind_display() if self.kind else 'digest'} #{self.pk}"


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("what"), max_length=40, choices=Kind.choices)
    url = models.CharField(max_length=300)  # a path inside Patto, carrying ids only
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # One reminder per thing and day (e.g. "request:12:overdue:2026-11-16"): periodic jobs may run twice.
    dedupe_key = models.CharField(max_length=120, blank=True)
    # The e-mail side: sent at once, gathered in tomorrow's digest, or not e-mailed.
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)
    emailed_at = models.DateTimeField(null=True, blank=True)
    # The e-mail that carries it (its own, or a digest's), set when that e-mail is prepared.
    email = models.ForeignKey(
        EmailDelivery, on_delete=models.SET_NULL, null=True, blank=True, related_name="notifications"
    )
    # An .ics calendar file to attach (meetings), built by core.calendar: no names, no agenda.
    attachment_ics = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], condition=~Q(dedupe_key=""), name="notification_once"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}".strip()


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=40, choices=Kind.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once")]
