"""Il Mondo del Bambino: the framework, its sides, sub-dimensions and scale; assessments and ratings; the pre/post questionnaires."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .path import Bilingual, Path, Person


class Framework(models.Model):
    """A version of the assessment framework, loaded from a file (cases/frameworks/*.json)."""

    code = models.SlugField(_("code"), max_length=60)
    version = models.CharField(_("version"), max_length=40)
    name = models.CharField(_("name"), max_length=120)
    provisional = models.BooleanField(_("provisional"), default=False)
    note = models.TextField(_("note"), blank=True)
    is_current = models.BooleanField(_("in use for new assessments"), default=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("assessment framework")
        verbose_name_plural = _("assessment frameworks")
        constraints = [models.UniqueConstraint(fields=["code", "version"], name="framework_unique_version")]

    def __str__(self):
        return f"{self.name} ({self.version})"


class ScaleLevel(Bilingual, models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="scale")
    value = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=80)
    label_en = models.CharField(max_length=80, blank=True)
    italian_field = "label"

    class Meta:
        ordering = ["value"]
        constraints = [models.UniqueConstraint(fields=["framework", "value"], name="scale_unique_value")]


class Side(Bilingual, models.Model):
    """A side of the triangle: Bambino, Famiglia, Ambiente."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sides")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]


class SubDimension(Bilingual, models.Model):
    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="subdimensions")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["side__order", "order"]


class TimePoint(models.TextChoices):
    T0 = "T0", _("T0 (start)")
    T1 = "T1", _("T1 (midway)")
    T2 = "T2", _("T2 (end)")


class Assessment(models.Model):
    """One rating of one child's world at one time point, by the équipe or by the family."""

    class Rater(models.TextChoices):
        TEAM = "team", _("The team (EM)")
        FAMILY = "family", _("The family")

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="assessments")
    child = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="assessments")
    framework = models.ForeignKey(Framework, on_delete=models.PROTECT, related_name="+")
    time_point = models.CharField(_("time point"), max_length=2, choices=TimePoint.choices)
    rater = models.CharField(_("rated by"), max_length=10, choices=Rater.choices)
    child_says = models.TextField(_("what the child says"), blank=True)
    family_says = models.TextField(_("what the family says"), blank=True)
    # A draft (saved with sub-dimensions still to rate) is kept out of the comparison, the time points
    # done and anything that adds ratings up, until it is completed.
    is_complete = models.BooleanField(_("complete"), default=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["path", "child", "time_point", "rater"], name="assessment_one_per_rater")
        ]


class Rating(models.Model):
    """A sub-dimension's value; empty means "not assessable"."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    subdimension = models.ForeignKey(SubDimension, on_delete=models.PROTECT, related_name="+")
    value = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "subdimension"], name="rating_unique")]


class PrePostAssessment(models.Model):
    """Risk and protective factors per side, at T0 and at T2."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="prepost")
    time_point = models.CharField(
        _("time point"), max_length=2, choices=[(TimePoint.T0, TimePoint.T0.label), (TimePoint.T2, TimePoint.T2.label)]
    )
    side = models.ForeignKey(Side, on_delete=models.PROTECT, related_name="+")
    risk_factors = models.TextField(_("risk factors"), blank=True)
    protective_factors = models.TextField(_("protective factors"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["path", "time_point", "side"], name="prepost_unique")]


class CheckResult(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")
