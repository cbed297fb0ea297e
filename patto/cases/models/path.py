"""A family's path: the cohort, the family and its people, the path and its steps, the agreement, the timeline, archive access."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import District, Institution, SchoolSite
from patto.territory.models import Comune

from ..fiscal_code import validate_fiscal_code


class Cohort(models.Model):
    """An implementation of PIPPI in the district (e.g. "PIPPI 12 — Rimini"), with its time points."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("district"))
    name = models.CharField(_("name"), max_length=120)
    start_date = models.DateField(_("start date"))
    t1_months = models.PositiveSmallIntegerField(_("T1 after (months)"), default=9)
    t2_months = models.PositiveSmallIntegerField(_("T2 after (months)"), default=18)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("New paths can be opened only in active cohorts.")
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("cohort")
        verbose_name_plural = _("cohorts")
        ordering = ["-start_date"]
        constraints = [models.UniqueConstraint(fields=["district", "name"], name="cohort_unique_name")]

    def __str__(self):
        return self.name

    def clean(self):
        if self.t1_months is not None and self.t2_months is not None and not 0 < self.t1_months < self.t2_months:
            raise ValidationError({"t2_months": _("T1 comes after the start and before T2.")})


class Family(models.Model):
    """A nucleo familiare. Shown by its reference code outside the team's pages."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="families", verbose_name=_("district")
    )
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family")
        verbose_name_plural = _("families")

    def __str__(self):
        return self.reference


class Person(models.Model):
    class Kind(models.TextChoices):
        CHILD = "child", _("Child")
        PARENT = "parent", _("Parent")
        GUARDIAN = "guardian", _("Guardian")
        HOUSEHOLD = "household", _("Other household member")
        SUPPORT = "support", _("Support person")

    class Sex(models.TextChoices):
        FEMALE = "F", _("Female")
        MALE = "M", _("Male")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="members", verbose_name=_("family"))
    # The family's district, copied so that "never entered twice" is a constraint within the district:
    # whether a person is known to another district's services is not this district's business.
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+", editable=False)
    kind = models.CharField(_("role in the family"), max_length=20, choices=Kind.choices)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    fiscal_code = models.CharField(_("codice fiscale"), max_length=16, blank=True, validators=[validate_fiscal_code])
    comune = models.ForeignKey(
        Comune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="residents",
        verbose_name=_("comune of residence"),
    )
    # Only a comune outside the district (or one not yet mapped: the coordinator maps them on the comuni page).
    town = models.CharField(_("comune of residence outside the district"), max_length=100, blank=True)
    school = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pupils",
        verbose_name=_("school or educational service"),
        limit_choices_to={"kind__in": ["school", "educational_service"]},
    )
    school_site = models.ForeignKey(
        SchoolSite,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pupils",
        verbose_name=_("school site (plesso)"),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["kind", "birth_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "fiscal_code"],
                condition=~Q(fiscal_code=""),
                name="person_unique_fiscal_code_in_district",
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name", "birth_date"])]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def age(self):
        today = timezone.localdate()
        return (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )

    def clean(self):
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": _("The date of birth cannot be in the future.")})
        if self.kind == self.Kind.CHILD and self.birth_date and self.age >= 18:
            raise ValidationError({"birth_date": _("A child in a PIPPI path is under 18.")})
        if self.comune_id and self.district_id and self.comune.district_id != self.district_id:
            raise ValidationError({"comune": _("Choose a comune of the family's district.")})
        if self.comune_id and self.town:
            raise ValidationError(
                {"town": _("Choose the comune in the list, or write one outside the district: not both.")}
            )
        if self.school_id and self.kind != self.Kind.CHILD:
            raise ValidationError({"school": _("Only children attend a school or educational service here.")})
        if self.school_site_id and self.school_site.institution_id != self.school_id:
            raise ValidationError(
                {
                    "school_site": _(
                        "This school site (plesso) is not one of the chosen school's: "
                        "choose the school first, then one of its sites."
                    )
                }
            )


class SignalChannel(models.TextChoices):
    """Who signalled the family, as the national PIPPI monitoring asks (not which institution's account sent it)."""

    SCHOOL = "school", _("School")
    EDUCATIONAL_SERVICE = "educational_service", _("Educational service (nido, scuola dell'infanzia)")
    AUSL = "ausl", _("Health services (AUSL)")
    PAEDIATRICIAN = "paediatrician", _("Family paediatrician (pediatra di libera scelta)")
    FAMILY = "family", _("The family itself")
    COURT = "court", _("Juvenile court or public prosecutor")
    SOCIAL_SERVICE = "social_service", _("Social service")
    OTHER = "other", _("Other")


# The channel a signal from an institution of each kind counts under when nobody says otherwise. A signal
# sent from the AUSL counts as the AUSL's: a paediatrician (or the court, or the family) is chosen by hand.
CHANNEL_OF_KIND = {
    "school": SignalChannel.SCHOOL,
    "educational_service": SignalChannel.EDUCATIONAL_SERVICE,
    "ausl": SignalChannel.AUSL,
    "comune": SignalChannel.SOCIAL_SERVICE,
    "district_office": SignalChannel.SOCIAL_SERVICE,
    "third_sector": SignalChannel.OTHER,
}


def channel_of(institution):
    """The signal channel an institution stands for by its kind (``CHANNEL_OF_KIND``)."""
    return CHANNEL_OF_KIND.get(getattr(institution, "kind", None), SignalChannel.OTHER)


class Path(models.Model):
    """The percorso of one family in PIPPI, from the first signal to closure."""

    SignalChannel = SignalChannel

    class State(models.TextChoices):
        SIGNAL = "signal", _("Signal received")
        PRE_ASSESSMENT = "pre_assessment", _("Pre-assessment")
        AGREEMENT = "agreement", _("Family's agreement")
        ASSESSMENT = "assessment", _("Assessment and planning")
        INTERVENTION = "intervention", _("Intervention")
        CLOSED = "closed", _("Closed")

    class LegalBasis(models.TextChoices):
        PUBLIC_INTEREST = (
            "public_interest",
            _("Public interest: protection of minors (GDPR art. 6.1.e, 9.2.g; Codice privacy art. 2-sexies)"),
        )
        COURT_ORDER = "court_order", _("Order of the juvenile court")
        OTHER = "other", _("Other legal basis (described in the note)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="paths", verbose_name=_("family"))
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="paths", verbose_name=_("cohort"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SIGNAL, db_index=True)
    state_before_closure = models.CharField(max_length=20, choices=State.choices, blank=True, editable=False)
    legal_basis = models.CharField(
        _("legal basis of the processing"),
        max_length=20,
        choices=LegalBasis.choices,
        default=LegalBasis.PUBLIC_INTEREST,
    )
    legal_basis_note = models.CharField(_("legal basis: details"), max_length=300, blank=True)
    signal_source = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="signalled_paths", verbose_name=_("who sent the signal")
    )
    signal_channel = models.CharField(
        _("who signalled"),
        max_length=20,
        choices=SignalChannel.choices,
        default=SignalChannel.OTHER,
        db_index=True,
        help_text=_("As the national PIPPI monitoring asks: the school, the paediatrician, the family itself…"),
    )
    signal_date = models.DateField(_("date of the signal"), default=timezone.localdate)
    signal_summary = models.TextField(_("what the signal says"), max_length=4000)
    intervention_started_on = models.DateField(_("intervention started on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    outcome = models.ForeignKey(
        "ClosureOutcome", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("outcome")
    )
    outcome_reason = models.TextField(_("reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("path")
        verbose_name_plural = _("paths")
        ordering = ["-updated_at"]
        indexes = [models.Index(fields=["cohort", "state"])]

    def __str__(self):
        return f"{self.family.reference} — {self.cohort}"

    @property
    def is_open(self):
        return self.state != self.State.CLOSED


# The order of the path: each state may only move to the next one (closure from any open state).
NEXT_STATE = {
    Path.State.SIGNAL: Path.State.PRE_ASSESSMENT,
    Path.State.PRE_ASSESSMENT: Path.State.AGREEMENT,
    Path.State.AGREEMENT: Path.State.ASSESSMENT,
    Path.State.ASSESSMENT: Path.State.INTERVENTION,
}


class Bilingual:
    """Reference data (the framework, the catalogues) are named in Italian, the programme's words, and carry
    an English label (``<field>_en``): the English interface shows it when there is one. ``language`` is the
    language of the words shown, for a ``lang`` attribute."""

    italian_field = "name"

    def __str__(self):
        return self._english() or getattr(self, self.italian_field)

    @property
    def language(self):
        return "en" if self._english() else "it"

    def _english(self):
        english = getattr(self, f"{self.italian_field}_en")
        return english if english and (translation.get_language() or "").startswith("en") else ""


class ClosureOutcome(Bilingual, models.Model):
    """The closure categories, configurable per district (seeded with the national report's five)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    label = models.CharField(_("label"), max_length=120)
    label_en = models.CharField(_("label in English"), max_length=120, blank=True)
    italian_field = "label"
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("closure outcome")
        verbose_name_plural = _("closure outcomes")
        ordering = ["order", "label"]


class Agreement(models.Model):
    """The family's agreement to take part (adesione): a programme agreement, not the legal basis."""

    path = models.OneToOneField(Path, on_delete=models.PROTECT, related_name="agreement", verbose_name=_("path"))
    signed_on = models.DateField(_("signed on"))
    signed_by = models.CharField(_("signed by"), max_length=200, help_text=_("The parents or guardians who signed."))
    document_reference = models.CharField(
        _("document reference"),
        max_length=100,
        blank=True,
        help_text=_("Protocol number or where the signed document is filed."),
    )
    signed_document = models.ForeignKey(
        "documents.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed agreement (file)"),
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family's agreement")
        verbose_name_plural = _("families' agreements")


class ArchiveAccess(models.Model):
    """A reasoned read of a closed path by the Comune's social service, after the team's seats ended.
    Valid for a few hours; every grant is audited with its reason and shown to the DPO."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="archive_accesses")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=500)
    granted_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["user", "expires_at"], name="archive_access_user_idx")]
