"""Dispositivi: the catalogue, activations, sessions, the register of volunteers."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from patto.accounts.models import District, Institution
from patto.accounts.roles import Role

from .path import Bilingual, Path


class DeviceType(Bilingual, models.Model):
    """The catalogue of dispositivi, configurable per district; seeded with the 2017 guidelines' seven,
    PIPPI's four among them."""

    class Measure(models.TextChoices):
        HOME_EDUCATION = "home_education", _("Hours per week")
        GROUPS = "groups", _("Group sessions and attendance")
        SCHOOL_PARTNERSHIP = "school_partnership", _("School and partnership meetings")
        SOLIDARITY = "solidarity", _("Matched volunteer")
        NONE = "none", _("Dates only")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
    measure = models.CharField(_("what it measures"), max_length=30, choices=Measure.choices)
    pippi_core = models.BooleanField(_("one of PIPPI's four devices"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("device type")
        verbose_name_plural = _("device types")
        ordering = ["order", "name"]


class Volunteer(models.Model):
    """The register of vicinanza solidale: people or families who offer to help, and their screening."""

    class Screening(models.TextChoices):
        APPLIED = "applied", _("Applied")
        INTERVIEWED = "interviewed", _("Screening interview done")
        APPROVED = "approved", pgettext_lazy("volunteer screening", "Approved")  # "Idoneo", not a pact's "Approvata"
        NOT_SUITABLE = "not_suitable", _("Not suitable")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="volunteers")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    town = models.CharField(_("town"), max_length=100)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    predisposition = models.TextField(
        _("what they can offer"), blank=True, help_text=_("Time, tasks, ages of children: used for the matching.")
    )
    screening = models.CharField(_("screening"), max_length=20, choices=Screening.choices, default=Screening.APPLIED)
    screened_on = models.DateField(_("screening interview on"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


# Who may be the responsible person of a dispositivo: the provider's staff who work with families (not its
# administrators, auditors or legal office).
DEVICE_RESPONSIBLE_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.PSYCHOLOGIST,
        Role.CHILD_NEUROPSYCHIATRIST,
        Role.HEALTH_PROFESSIONAL,
        Role.EDUCATOR,
        Role.SCHOOL_HEAD,
        Role.SCHOOL_REFERENT,
        Role.EDUCATIONAL_STAFF,
    }
)


class DeviceActivation(models.Model):
    """A dispositivo activated for a family: who provides it, who is responsible, from when to when,
    and what it measures."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="devices")
    device_type = models.ForeignKey(
        DeviceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("dispositivo")
    )
    provider = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider"))
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("responsible person"),
    )
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1, null=True, blank=True)
    sessions_planned = models.PositiveSmallIntegerField(_("sessions planned"), null=True, blank=True)
    school = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        limit_choices_to={"kind": "school"},
    )
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activations",
        verbose_name=_("matched volunteer"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("activated device")
        verbose_name_plural = _("activated devices")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="device_valid_period"
            ),
        ]


class DeviceSession(models.Model):
    """A group session or a partnership meeting of an activated device, with attendance."""

    activation = models.ForeignKey(DeviceActivation, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    attended = models.BooleanField(_("the family attended"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["held_on"]
