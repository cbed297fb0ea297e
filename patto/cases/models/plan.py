"""The micro-progettazione: goals and actions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution

from .assessment import CheckResult, SubDimension
from .path import Path, Person
from .team import SCHOOL_KINDS


class PlanGoal(models.Model):
    """One micro-project: a sub-dimension the team and the family chose to work on, with the expected
    result in plain words and its checks at T1 and T2."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="goals")
    subdimension = models.ForeignKey(
        SubDimension, on_delete=models.PROTECT, related_name="+", verbose_name=_("sub-dimension")
    )
    expected_result = models.TextField(_("expected result, in plain words"), max_length=2000)
    check_t1 = models.CharField(_("check at T1"), max_length=20, choices=CheckResult.choices, blank=True)
    check_t1_note = models.TextField(_("note on the T1 check"), blank=True)
    check_t2 = models.CharField(_("check at T2"), max_length=20, choices=CheckResult.choices, blank=True)
    check_t2_note = models.TextField(_("note on the T2 check"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("micro-project")
        verbose_name_plural = _("micro-projects")
        ordering = ["subdimension__side__order", "subdimension__order", "created_at"]


class CurrentActionManager(models.Manager):
    """The actions in the plan now: a removed action stays in the database, for the plan's history."""

    def get_queryset(self):
        return super().get_queryset().filter(removed_at__isnull=True)


class PlanAction(models.Model):
    """Who does what by when: a parent, the child, or a professional of an institution.

    Removing an action from the plan keeps it (who removed it, when, why): ``objects`` and the goal's
    ``actions`` are the current plan, ``with_removed`` the history. The default manager filters on
    purpose, so every list, PDF and school view built on it leaves removed actions out; the audit's
    finder uses the base manager and still finds them."""

    class Area(models.TextChoices):
        PSYCHOLOGICAL = "psychological", _("Psychological")
        EDUCATIONAL = "educational", _("Educational")
        SOCIAL = "social", _("Social")
        OTHER = "other", _("Other")

    goal = models.ForeignKey(PlanGoal, on_delete=models.CASCADE, related_name="actions")
    description = models.TextField(_("what will be done"), max_length=2000)
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    person = models.ForeignKey(
        Person,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("family member who does it"),
    )
    professional = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("professional who does it"),
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("institution")
    )
    deadline = models.DateField(_("by"))
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("removed on"), null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("removed by"),
    )
    removal_reason = models.CharField(_("why it was removed"), max_length=300, blank=True, editable=False)

    objects = CurrentActionManager()
    with_removed = models.Manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(institution__isnull=False), name="action_has_someone"
            ),
        ]

    @property
    def for_school(self):
        """Assigned to a school or educational service: shared with it (its consent is required)."""
        return self.institution is not None and self.institution.kind in SCHOOL_KINDS
