"""The offer of dispositivi in the district (who provides which, where, for whom, how many places), the waiting
lists per dispositivo and provider, and the co-design processes (co-progettazione, art. 55 of the Third-Sector
Code, D.Lgs. 117/2017) whose agreements add places to the offer."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import District, Institution
from patto.cases.models import DeviceActivation, DeviceType, Path
from patto.territory.bands import AgeBand
from patto.territory.models import Comune


class Offer(models.Model):
    """One dispositivo offered by one provider in the district: the comuni it runs in, the age bands it is for
    and its capacity. What is in use and who is waiting are computed (``queries.offer_figures``), never stored."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="offers")
    device_type = models.ForeignKey(
        DeviceType, on_delete=models.PROTECT, related_name="+", verbose_name=_("dispositivo")
    )
    provider = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider"))
    comuni = models.ManyToManyField(Comune, related_name="+", verbose_name=_("comuni where it runs"))
    # The bands as ",0-2,3-5," (filtered with a LIKE on ",band,", on SQLite and PostgreSQL alike).
    age_bands = models.CharField(_("age bands"), max_length=40)
    places = models.PositiveIntegerField(_("places (families at the same time)"))
    hours_per_week = models.DecimalField(
        _("hours per week (in all)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    is_active = models.BooleanField(_("offered now"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("offer of a dispositivo")
        verbose_name_plural = _("offer of the dispositivi")
        ordering = ["device_type__order", "device_type__name", "provider__name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "device_type", "provider"], name="offer_one_per_provider"),
        ]

    def __str__(self):
        return f"{self.device_type} — {self.provider}"

    @property
    def band_list(self):
        return [band for band in self.age_bands.split(",") if band]

    @property
    def band_labels(self):
        labels = dict(AgeBand.choices)
        return [labels.get(band, band) for band in self.band_list]

    @staticmethod
    def join_bands(bands):
        ordered = [band for band in AgeBand.values if band in set(bands)]
        return "," + ",".join(ordered) + "," if ordered else ""


class WaitingEntry(models.Model):
    """A family waiting for a dispositivo of a provider, entered from its path by the case manager; ended when
    the dispositivo is activated or the entry withdrawn (with a reason)."""

    class Outcome(models.TextChoices):
        ACTIVATED = "activated", _("Dispositivo activated")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="waiting", verbose_name=_("dispositivo and provider")
    )
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="+")
    need = models.CharField(_("what the family needs"), max_length=300)
    since = models.DateField(_("waiting since"), default=timezone.localdate)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    activation = models.ForeignKey(DeviceActivation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("waiting-list entry")
        verbose_name_plural = _("waiting-list entries")
        ordering = ["since", "created_at"]
        indexes = [models.Index(fields=["offer", "ended_on"], name="offer_waiting_open")]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "path"], condition=Q(ended_on__isnull=True), name="offer_waiting_one_open"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, outcome="") | Q(ended_on__isnull=False) & ~Q(outcome=""),
                name="offer_waiting_ended_with_outcome",
            ),
        ]

    @property
    def is_open(self):
        return self.ended_on is None

    def days_waiting(self, today=None):
        end = self.ended_on or today or timezone.localdate()
        return (end - self.since).days


class CodesignProcess(models.Model):
    """A co-design process (co-progettazione, art. 55 D.Lgs. 117/2017) of the district with the third sector,
    through its phases to an agreement that adds places to the offer."""

    class Phase(models.TextChoices):
        NOTICE = "notice", _("Public notice")
        INTEREST = "interest", _("Expressions of interest")
        TABLES = "tables", _("Co-design tables")
        PROJECT = "project", _("Shared project")
        AGREEMENT = "agreement", _("Agreement signed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="codesign_processes")
    title = models.CharField(_("title"), max_length=200)
    reference = models.CharField(_("reference of the notice"), max_length=100, blank=True)
    description = models.TextField(_("purpose"), blank=True)
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.NOTICE)
    started_on = models.DateField(_("notice published on"))
    concluded_on = models.DateField(_("agreement signed on"), null=True, blank=True, editable=False)
    participants = models.ManyToManyField(Institution, related_name="+", blank=True, verbose_name=_("participants"))
    body = models.ForeignKey(
        "governance.Body",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the co-design table (a governance body)"),
        help_text=_("Its meetings and minutes are kept with the pact's bodies."),
    )
    needs_year = models.PositiveSmallIntegerField(_("needs analysis used as evidence (year)"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("co-design process")
        verbose_name_plural = _("co-design processes")
        ordering = ["-started_on", "title"]

    def __str__(self):
        return self.title

    @property
    def is_concluded(self):
        return self.phase == self.Phase.AGREEMENT

    @property
    def next_phase(self):
        phases = list(self.Phase)
        index = phases.index(self.Phase(self.phase))
        return phases[index + 1] if index + 1 < len(phases) else None


class PhaseChange(models.Model):
    """The history of a process's phases: when each began, who recorded it."""

    process = models.ForeignKey(CodesignProcess, on_delete=models.CASCADE, related_name="phase_changes")
    phase = models.CharField(max_length=20, choices=CodesignProcess.Phase.choices)
    on = models.DateField(_("date"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "created_at"]


class CodesignDocument(models.Model):
    """A document of a phase (the notice, an expression of interest, the shared project, the agreement)."""

    process = models.ForeignKey(CodesignProcess, on_delete=models.PROTECT, related_name="documents")
    phase = models.CharField(_("phase"), max_length=20, choices=CodesignProcess.Phase.choices)
    title = models.CharField(_("title"), max_length=200)
    attachment = models.OneToOneField("documents.Attachment", on_delete=models.PROTECT, related_name="+")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]


class CapacityLine(models.Model):
    """What the process's agreement creates: places (and hours) added to a dispositivo of a provider. Added to
    the offer when the agreement is signed."""

    process = models.ForeignKey(CodesignProcess, on_delete=models.PROTECT, related_name="capacities")
    offer = models.ForeignKey(
        Offer, on_delete=models.PROTECT, related_name="+", verbose_name=_("dispositivo and provider")
    )
    places_added = models.PositiveIntegerField(_("places added"))
    hours_added = models.DecimalField(_("hours per week added"), max_digits=6, decimal_places=1, null=True, blank=True)
    applied_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["process", "offer"], name="offer_capacity_once")]


class MeetingPhase(models.Model):
    """A meeting of the process's co-design table (a governance body's meeting, with its minutes) assigned to one
    of the process's phases: shown under that phase."""

    process = models.ForeignKey(CodesignProcess, on_delete=models.CASCADE, related_name="meeting_phases")
    meeting = models.ForeignKey("governance.BodyMeeting", on_delete=models.PROTECT, related_name="+")
    phase = models.CharField(_("phase"), max_length=20, choices=CodesignProcess.Phase.choices)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("meeting of a phase")
        verbose_name_plural = _("meetings of the phases")
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["process", "meeting"], name="offer_meeting_one_phase")]
