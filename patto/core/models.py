import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class FormSubmission(models.Model):
    """A create form's one-time token, once it was used (see ``patto.core.idempotency``).

    A technical table, about requests, not about anyone's data. The user is kept as the
    key of the account that sent the form (core knows no app's models); the result is the URL the first
    submit was sent on to, an opaque path."""

    token = models.CharField(max_length=64, unique=True)
    user_key = models.CharField(max_length=64)
    result_url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.result_url


class ExportJob(models.Model):
    """An export built in the background (``patto.core.exportjobs``): what was asked, by whom, and the file
    once it is ready. Downloaded only by the person who asked, while it is kept (PATTO_EXPORT_KEEP_HOURS);
    the nightly maintenance removes the file and marks the job expired.

    ``params`` identify what to export (ids, a period's key) and never carry personal data. The requester is a
    foreign key to the swappable user model (as Django's admin log has), not an import of the accounts app;
    ``acting_membership_id`` is the membership they acted under, so the worker reads with the same seat."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=80)
    params = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    acting_membership_id = models.BigIntegerField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    title = models.CharField(max_length=200, blank=True)  # what the user asked for, in words (no personal data)
    language = models.CharField(max_length=10, blank=True)  # the requester's, for the file's words
    back_url = models.CharField(max_length=300, blank=True)  # the page the export was asked from (a path)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    storage_name = models.CharField(max_length=80, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)  # for the user: never a traceback
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["requested_by", "-created_at"])]

    def __str__(self):
        return self.title or self.kind

    @property
    def is_final(self):
        return self.status in (self.Status.READY, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def is_downloadable(self):
        return self.status == self.Status.READY and self.expires_at > timezone.now()
