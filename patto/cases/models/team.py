"""The équipe: consent items for sharing with schools, the seats of the team, notes and the path's timeline."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution

from .path import Path

# Where a seat is "on the school's side": it sees only what the family agreed to share with that institution.
SCHOOL_KINDS = (Institution.Kind.SCHOOL, Institution.Kind.EDUCATIONAL_SERVICE)


class ConsentItemQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Given by ``on`` (today) and not withdrawn by then: a withdrawal counts from its date."""
        day = on or timezone.localdate()
        return self.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day), given_on__lte=day)


class ConsentItem(models.Model):
    """One thing the family agreed to share, with one institution: given and withdrawn as data, read by
    the visibility queries. Separate from the legal basis of the processing (public interest under art. 2-sexies of the privacy code and GDPR art. 6.1.e / 9.2.g–h, not consent; this agreement decides only what is shared with a school)."""

    class Kind(models.TextChoices):
        SCHOOL_SHARING = "school_sharing", _("Sharing with the school or educational service")

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="consents", verbose_name=_("path"))
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices, default=Kind.SCHOOL_SHARING)
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("school or educational service"),
        limit_choices_to={"kind__in": SCHOOL_KINDS},
    )
    scope = models.TextField(_("what may be shared"), max_length=2000)
    given_on = models.DateField(_("given on"))
    given_by = models.CharField(_("given by"), max_length=200, help_text=_("The parents or guardians."))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ConsentItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("consent item")
        verbose_name_plural = _("consent items")
        ordering = ["given_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["path", "kind", "institution"],
                condition=Q(withdrawn_on__isnull=True),
                name="consent_one_open_per_institution",
            )
        ]
        indexes = [models.Index(fields=["path", "institution"], name="consent_path_idx")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.institution}"

    @property
    def in_force(self):
        today = timezone.localdate()
        return self.given_on <= today and (self.withdrawn_on is None or self.withdrawn_on > today)


class TeamMember(models.Model):
    """A professional in the équipe multidisciplinare of one path, for a period. The family's members
    take part as participants through the Person records, not as users."""

    class TeamRole(models.TextChoices):
        CASE_MANAGER = "case_manager", _("Case manager")
        SOCIAL_WORKER = "social_worker", _("Social worker")
        PSYCHOLOGIST = "psychologist", _("Psychologist")
        CHILD_NEUROPSYCHIATRIST = "child_neuropsychiatrist", _("Child neuropsychiatrist")
        EDUCATOR = "educator", _("Home educator")
        TEACHER = "teacher", _("Teacher")
        EDUCATIONAL_STAFF = "educational_staff", _("Educational-service staff")
        PEDIATRICIAN = "pediatrician", _("Pediatrician")
        COACH = "coach", _("PIPPI coach")
        OTHER = "other", _("Other")

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="team", verbose_name=_("path"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    team_role = models.CharField(_("role in the team"), max_length=30, choices=TeamRole.choices)
    valid_from = models.DateField(_("from"), default=timezone.localdate)
    valid_to = models.DateField(_("to (last day)"), null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set when the path's closure shortened the seat to the grace period; a reopening gives it back.
    ended_by_closure = models.BooleanField(default=False, editable=False)
    valid_to_before_closure = models.DateField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team_role", "valid_from"]
        # (user, institution, path): the visibility query starts from the user's own team memberships.
        indexes = [models.Index(fields=["user", "institution", "path"], name="team_member_user_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="team_member_valid_period",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_team_role_display()}"

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.ended_at is None and self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)


class Note(models.Model):
    class Audience(models.TextChoices):
        TEAM = "team", _("The team")
        INSTITUTION = "institution", _("My institution's members of the team")
        SCHOOL = "school", _("Shared with the school")
        CLINICAL = "clinical", _("Clinical (health roles only)")

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="notes", verbose_name=_("path"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(_("who may read it"), max_length=20, choices=Audience.choices, default=Audience.TEAM)
    # For a note shared with the school: which one (the family agrees to share with a named institution).
    school = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("shared with")
    )
    text = models.TextField(_("note"), max_length=8000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]


class PathEvent(models.Model):
    """One entry of the path's timeline, with the same audience rules as notes."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="events")
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    kind = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    audience = models.CharField(max_length=20, choices=Note.Audience.choices, default=Note.Audience.TEAM)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-id"]
