from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.accounts.roles import Role


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events cannot be changed")

    def delete(self):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    """One action or one read of personal data. Append-only: the code never updates or deletes a row,
    and database triggers (migration 0002) refuse UPDATE and DELETE on both SQLite and PostgreSQL."""

    occurred_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
        db_constraint=False,
    )
    actor_label = models.CharField(_("user name at the time"), max_length=150, blank=True)
    actor_institution = models.ForeignKey(
        "accounts.Institution",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("institution"),
        db_constraint=False,
    )
    actor_role = models.CharField(_("role"), max_length=40, blank=True, choices=Role.choices)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=80, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    request_id = models.CharField(_("request id"), max_length=32, blank=True)
    ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=300, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "occurred_at"]),
            models.Index(fields=["actor_institution", "occurred_at"]),
            # A record's events newest first (the accesses pages' "about this record" branch): read in order.
            models.Index(fields=["object_type", "object_id", "occurred_at"], name="audit_object_time_idx"),
            # The trail filtered by an action code, newest first: walks only that action's rows.
            models.Index(fields=["action", "occurred_at"], name="audit_action_time_idx"),
        ]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events cannot be deleted")


class AuditSubject(models.Model):
    """A person concerned by an event (a user today; family members when cases arrive). ``occurred_at`` is
    the event's: on PostgreSQL both tables are partitioned by month on it (``partitions.py``), so an event
    and its people concerned live, and leave, in the same month."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects", db_constraint=False)
    occurred_at = models.DateTimeField(editable=False)
    kind = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = [
            # A person's events newest first (the trail's person filter, ``queries.person_window``), and the
            # events of some people (the accesses pages): one index, read from its first two columns.
            models.Index(fields=["kind", "subject_id", "occurred_at", "event"], name="audit_subject_person_idx"),
        ]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit subjects cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit subjects cannot be deleted")


class AuditArchive(models.Model):
    """One month of the trail past its retention, written to a compressed file before its rows were removed
    (``manage.py archive_audit``). The checksum proves later that the file is the one written then; the row
    is never changed, and its creation is itself an event of the trail."""

    created_at = models.DateTimeField(_("created"), default=timezone.now)
    period_start = models.DateTimeField(_("from"))
    period_end = models.DateTimeField(_("until (excluded)"))
    event_count = models.PositiveIntegerField(_("events"))
    subject_count = models.PositiveIntegerField(_("people concerned"))
    file_name = models.CharField(_("file"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit archive")
        verbose_name_plural = _("audit archives")
        ordering = ["period_start"]

    def __str__(self):
        return self.file_name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit archives cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit archives cannot be deleted")
