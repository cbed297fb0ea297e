"""The district's comuni as data (ISTAT codes), their resident population aged 0-17 and schools' enrolment."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import District, Institution, istat_code_validator

from .bands import AgeBand

province_validator = RegexValidator(r"^[A-Z]{2}$", _("The province's two capital letters, e.g. RN."))
SCHOOL_KINDS = (Institution.Kind.SCHOOL, Institution.Kind.EDUCATIONAL_SERVICE)


class Comune(models.Model):
    """A comune of the district, known by its ISTAT code: where people live, what the population figures and the
    rates are about. Not an institution: a comune may be in the district without having signed the pact."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="comuni", verbose_name=_("district"))
    istat_code = models.CharField(_("ISTAT code"), max_length=6, unique=True, validators=[istat_code_validator])
    name = models.CharField(_("name"), max_length=100)
    province = models.CharField(_("province"), max_length=2, blank=True, validators=[province_validator])
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("comune")
        verbose_name_plural = _("comuni")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ResidentPopulation(models.Model):
    """Residents of a comune in an age band on 1 January of ``year`` (ISTAT), loaded by ``load_population``."""

    comune = models.ForeignKey(Comune, on_delete=models.CASCADE, related_name="population", verbose_name=_("comune"))
    year = models.PositiveSmallIntegerField(_("year (population on 1 January)"))
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    count = models.PositiveIntegerField(_("residents"))
    approximate = models.BooleanField(_("approximate"), default=False)
    source = models.CharField(_("source"), max_length=300, blank=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("resident population")
        verbose_name_plural = _("resident population")
        ordering = ["comune__name", "year", "age_band"]
        constraints = [
            models.UniqueConstraint(fields=["comune", "year", "age_band"], name="population_unique_band"),
            models.CheckConstraint(condition=Q(count__gte=0), name="population_count_not_negative"),
        ]

    def __str__(self):
        return f"{self.comune} {self.year} {self.get_age_band_display()}: {self.count}"


def school_year_label(year):
    """2025 → "2025/26": a school year is named by the year it starts in."""
    return f"{year}/{(year + 1) % 100:02d}"


class SchoolEnrolment(models.Model):
    """How many pupils a school or educational service has in a school year (starting year), entered by the
    school or loaded from a CSV: the denominator of signals per 1,000 pupils."""

    school = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="enrolments",
        verbose_name=_("school or educational service"),
        limit_choices_to={"kind__in": SCHOOL_KINDS},
    )
    school_year = models.PositiveSmallIntegerField(
        _("school year"), help_text=_("The year it starts in: 2025 for 2025/26.")
    )
    pupils = models.PositiveIntegerField(_("pupils"), validators=[MinValueValidator(0)])
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("school enrolment")
        verbose_name_plural = _("school enrolments")
        ordering = ["school__name", "-school_year"]
        constraints = [
            models.UniqueConstraint(fields=["school", "school_year"], name="enrolment_unique_school_year"),
        ]

    def __str__(self):
        return f"{self.school} {self.school_year_label}: {self.pupils}"

    @property
    def school_year_label(self):
        return school_year_label(self.school_year)

    def clean(self):
        if self.school_id and self.school.kind not in SCHOOL_KINDS:
            raise ValidationError({"school": _("Only a school or an educational service has pupils enrolled.")})
