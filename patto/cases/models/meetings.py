"""The team's meetings and tasks."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .path import Path, Person


class Meeting(models.Model):
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="meetings")
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place or link"), max_length=200, blank=True)
    with_family = models.BooleanField(_("with the family"), default=True)
    agenda = models.TextField(_("agenda"), max_length=4000)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("professionals"))
    family_participants = models.ManyToManyField(Person, related_name="+", blank=True, verbose_name=_("family members"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("team meeting")
        verbose_name_plural = _("team meetings")
        ordering = ["-held_at"]

    @property
    def can_be_rescheduled(self):
        """Only a meeting still to be held, with no minutes, moves to another date or place."""
        return not self.minutes and self.held_at > timezone.now()


class Task(models.Model):
    """A next step decided in a meeting: who does it, by when."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="tasks")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    description = models.CharField(_("what"), max_length=300)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_tasks", verbose_name=_("who")
    )
    due_on = models.DateField(_("by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["done_on", "due_on"]
        indexes = [models.Index(fields=["assignee", "done_on", "due_on"])]
