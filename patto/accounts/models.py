import uuid
from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.core.frozen import FrozenQuery

from .memo import memo
from .roles import Role, roles_for_institution_kind

codice_meccanografico_validator = RegexValidator(
    r"^[A-Z]{2}[A-Z0-9]{2}[0-9A-Z]{6}$",
    _("A codice meccanografico has 10 characters: province, school type and code (e.g. RNIC80000X)."),
)
istat_code_validator = RegexValidator(r"^[0-9]{6}$", _("The ISTAT code of a comune has 6 digits (e.g. 099014)."))
patron_day_validator = RegexValidator(
    r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", _("Month and day as MM-DD, e.g. 10-14 for 14 October.")
)
reference_prefix_validator = RegexValidator(
    r"^[A-Z][A-Z0-9]{1,5}$", _("Two to six capital letters or digits, starting with a letter (e.g. RN).")
)


class District(models.Model):
    """A distretto / ambito territoriale sociale: the territory that signs one pact."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    ats_code = models.CharField(_("ATS code"), max_length=20, blank=True)
    region = models.CharField(_("region"), max_length=100, default="Emilia-Romagna")
    # Unique, so that family references (unique across the database) never collide between districts.
    reference_prefix = models.CharField(
        _("family reference prefix"),
        max_length=6,
        unique=True,
        validators=[reference_prefix_validator],
        help_text=_("The letters that open the district's family references, e.g. RN for RN-2026-0001."),
    )

    class Meta:
        verbose_name = _("district")
        verbose_name_plural = _("districts")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Institution(models.Model):
    class Kind(models.TextChoices):
        COMUNE = "comune", _("Comune")
        AUSL = "ausl", _("Health authority (AUSL)")
        SCHOOL = "school", _("School (istituto scolastico)")
        EDUCATIONAL_SERVICE = "educational_service", _("Educational service")
        THIRD_SECTOR = "third_sector", _("Third-sector body")
        DISTRICT_OFFICE = "district_office", _("Ufficio di piano / district office")

    class ServiceType(models.TextChoices):
        NIDO = "nido", _("Nido d'infanzia")
        FAMILY_CENTRE = "family_centre", _("Centro per le famiglie")
        PRESCHOOL = "preschool", _("Scuola dell'infanzia")
        OTHER = "other", _("Other educational service")

    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("district")
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    codice_meccanografico = models.CharField(
        _("codice meccanografico"), max_length=10, blank=True, validators=[codice_meccanografico_validator]
    )
    istat_code = models.CharField(_("ISTAT code"), max_length=6, blank=True, validators=[istat_code_validator])
    service_type = models.CharField(_("service type"), max_length=20, choices=ServiceType.choices, blank=True)
    tax_code = models.CharField(_("tax code of the body"), max_length=16, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    town = models.CharField(_("town"), max_length=100, blank=True)
    patron_day = models.CharField(
        _("patron saint's day"),
        max_length=5,
        blank=True,
        validators=[patron_day_validator],
        help_text=_(
            "Month and day (MM-DD, e.g. 10-14) of the local holiday: response times in working days skip it. "
            "Empty: the day of the comune of the same town."
        ),
    )
    email = models.EmailField(_("institutional email"), blank=True)
    pec = models.EmailField(_("PEC"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["district", "name"], name="institution_unique_name_per_district"),
            models.UniqueConstraint(
                fields=["codice_meccanografico"],
                condition=~Q(codice_meccanografico=""),
                name="institution_unique_codice_meccanografico",
            ),
        ]

    def __str__(self):
        # Always the full name ("Comune di Rimini", never "Rimini" on one page and the full name on another).
        return self.name

    def clean(self):
        errors = {}
        if self.kind == self.Kind.SCHOOL and not self.codice_meccanografico:
            errors["codice_meccanografico"] = _("A school needs its codice meccanografico.")
        if self.kind == self.Kind.COMUNE and not self.istat_code:
            errors["istat_code"] = _("A comune needs its ISTAT code.")
        if self.kind == self.Kind.EDUCATIONAL_SERVICE and not self.service_type:
            errors["service_type"] = _("Say which kind of educational service this is.")
        if errors:
            raise ValidationError(errors)


class SchoolSite(models.Model):
    """A plesso: one building / school of an istituto scolastico."""

    class Level(models.TextChoices):
        PRESCHOOL = "infanzia", _("Scuola dell'infanzia")
        PRIMARY = "primaria", _("Scuola primaria")
        LOWER_SECONDARY = "secondaria_1", _("Secondaria di primo grado")
        UPPER_SECONDARY = "secondaria_2", _("Secondaria di secondo grado")

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="sites", verbose_name=_("institution")
    )
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)
    codice_meccanografico = models.CharField(
        _("codice meccanografico"), max_length=10, blank=True, validators=[codice_meccanografico_validator]
    )
    town = models.CharField(_("town"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("school site (plesso)")
        verbose_name_plural = _("school sites (plessi)")
        ordering = ["name"]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who signs in to Patto. Identified in URLs only by the opaque UUID."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    fiscal_code = models.CharField(
        _("codice fiscale"), max_length=16, blank=True, help_text=_("Used to link a SPID/CIE sign-in to this account.")
    )
    phone = models.CharField(_("work phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), condition=~Q(email=""), name="user_unique_email_ci"),
            models.UniqueConstraint(
                fields=["fiscal_code"], condition=~Q(fiscal_code=""), name="user_unique_fiscal_code"
            ),
        ]

    def __str__(self):
        return self.name_shown(self.first_name, self.last_name, self.username)

    @staticmethod
    def name_shown(first_name, last_name, username):
        """How a user is named on screen: the full name, or the username when there is none (also for users read
        as plain values, without their model)."""
        return f"{first_name} {last_name}".strip() or username

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    @cached_property
    def current_memberships(self):
        """The memberships valid now, read once per request (a new User object every request), by a statement
        compiled once a day (``core.frozen``)."""
        memberships = _CURRENT_MEMBERSHIPS.rows(user_id=self.pk)
        # What they carry (``annotate_current_memberships``) was read with them: true until the memo is forgotten.
        memo(self)["memberships_annotated"] = True
        return memberships

    @property
    def acting_membership(self):
        """The membership the user is acting under: chosen with the switcher, else the first."""
        chosen = getattr(self, "_acting_membership_id", None)
        for membership in self.current_memberships:
            if membership.pk == chosen:
                return membership
        return self.current_memberships[0] if self.current_memberships else None

    def act_as(self, membership_id):
        self._acting_membership_id = membership_id
        self.__dict__.pop("_patto_memo", None)  # what this request learnt under another membership (accounts.memo)

    def audit_as(self, membership):
        """The membership the audit trail records for what this request does from now on: the seat's, when
        the request acts on a family's path (the seat decides, not the role chosen in the header)."""
        self._audit_membership = membership

    @property
    def audit_membership(self):
        return getattr(self, "_audit_membership", None) or self.acting_membership

    @property
    def acting_role(self):
        membership = self.acting_membership
        return membership.role if membership else None

    @property
    def acting_institution(self):
        membership = self.acting_membership
        return membership.institution if membership else None


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        """Valid on the given date (today by default) and not ended by hand."""
        day = on or timezone.localdate()
        return self.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            valid_from__lte=day,
            ended_at__isnull=True,
            user__is_active=True,
        )


# What the apps above read of every current membership on every page, asked in the memberships' own statement
# instead of one more query each: {name: function (day) -> expression}, registered in AppConfig.ready()
# (governance: whether the institution is in standing).
_membership_annotations = {}


def annotate_current_memberships(name, expression):
    """``user.current_memberships`` carry ``name``, the value of ``expression(day)`` for each membership."""
    _membership_annotations[name] = expression


def _current_memberships(day, user_id):
    return (
        Membership.objects.current(day)
        .filter(user_id=user_id)
        .annotate(**{name: expression(day) for name, expression in _membership_annotations.items()})
        .select_related("institution__district")
        .order_by("institution__name", "role")
    )


_CURRENT_MEMBERSHIPS = FrozenQuery("accounts.current_memberships", _current_memberships, {"user_id": uuid.UUID})


class Membership(models.Model):
    """A person working for an institution in a role, for a period. Grants nothing outside it."""

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person"))
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("institution")
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    valid_to = models.DateField(
        _("valid to"), null=True, blank=True, help_text=_("Last day of validity. Leave empty if open-ended.")
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, editable=False)
    end_reason = models.CharField(_("reason for ending"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["institution__name", "user__last_name", "user__first_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="membership_valid_period",
            ),
        ]
        indexes = [models.Index(fields=["user", "valid_from"]), models.Index(fields=["institution", "role"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.institution}"

    @property
    def is_current(self):
        today = timezone.localdate()
        return self.ended_at is None and self.valid_from <= today and (self.valid_to is None or self.valid_to >= today)

    def clean(self):
        if self.valid_to and self.valid_from and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date cannot be before the start date.")})
        if self.institution_id and self.role and self.role not in roles_for_institution_kind(self.institution.kind):
            raise ValidationError({"role": _("This role does not exist in an institution of this kind.")})
