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
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", verbose_name=_("user"), db_constraint=False)
    actor_label = models.CharField(_("user name at the time"), max_length=150, blank=True)
    actor_institution = models.ForeignKey("accounts.Institution", on_delete=models.PROTECT, null=True, blank=True,
                                          related_name="+", verbose_name=_("institution"), db_constraint=False)
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
            models.Index(fields=["object_type", "object_id"]),
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
    """A person concerned by an event (a user today; family members when cases arrive)."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects", db_constraint=False)
    kind = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=64)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["kind", "subject_id"])]

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("audit subjects cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit subjects cannot be deleted")
