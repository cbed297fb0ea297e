"""The PIPPI path of a family: the family and its people, the cohort, the path and its states, the
family's agreement, the équipe multidisciplinare, notes with an audience, and the timeline."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from patto.accounts.models import District, Institution, SchoolSite
from patto.accounts.roles import Role

from .fiscal_code import validate_fiscal_code


class Cohort(models.Model):
    """An implementation of PIPPI in the district (e.g. "PIPPI 12 — Rimini"), with its time points."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="cohorts", verbose_name=_("district"))
    name = models.CharField(_("name"), max_length=120)
    start_date = models.DateField(_("start date"))
    t1_months = models.PositiveSmallIntegerField(_("T1 after (months)"), default=9)
    t2_months = models.PositiveSmallIntegerField(_("T2 after (months)"), default=18)
    is_active = models.BooleanField(_("active"), default=True,
                                    help_text=_("New paths can be opened only in active cohorts."))
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
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="families", verbose_name=_("district"))
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
    town = models.CharField(_("comune of residence"), max_length=100, blank=True)
    school = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="pupils",
                               verbose_name=_("school or educational service"),
                               limit_choices_to={"kind__in": ["school", "educational_service"]})
    school_site = models.ForeignKey(SchoolSite, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="pupils", verbose_name=_("school site (plesso)"))

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["kind", "birth_date"]
        constraints = [
            models.UniqueConstraint(fields=["district", "fiscal_code"], condition=~Q(fiscal_code=""),
                                    name="person_unique_fiscal_code_in_district"),
        ]
        indexes = [models.Index(fields=["last_name", "first_name", "birth_date"])]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def age(self):
        today = timezone.localdate()
        return today.year - self.birth_date.year - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))

    def clean(self):
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": _("The date of birth cannot be in the future.")})
        if self.kind == self.Kind.CHILD and self.birth_date and self.age >= 18:
            raise ValidationError({"birth_date": _("A child in a PIPPI path is under 18.")})
        if self.school_id and self.kind != self.Kind.CHILD:
            raise ValidationError({"school": _("Only children attend a school or educational service here.")})
        if self.school_site_id and self.school_site.institution_id != self.school_id:
            raise ValidationError({"school_site": _("This school site (plesso) is not one of the chosen school's: "
                                                    "choose the school first, then one of its sites.")})


class Path(models.Model):
    """The percorso of one family in PIPPI, from the first signal to closure."""

    class State(models.TextChoices):
        SIGNAL = "signal", _("Signal received")
        PRE_ASSESSMENT = "pre_assessment", _("Pre-assessment")
        AGREEMENT = "agreement", _("Family's agreement")
        ASSESSMENT = "assessment", _("Assessment and planning")
        INTERVENTION = "intervention", _("Intervention")
        CLOSED = "closed", _("Closed")

    class LegalBasis(models.TextChoices):
        PUBLIC_INTEREST = "public_interest", _(
            "Public interest: protection of minors (GDPR art. 6.1.e, 9.2.g; Codice privacy art. 2-sexies)")
        COURT_ORDER = "court_order", _("Order of the juvenile court")
        OTHER = "other", _("Other legal basis (described in the note)")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="paths", verbose_name=_("family"))
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="paths", verbose_name=_("cohort"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.SIGNAL, db_index=True)
    state_before_closure = models.CharField(max_length=20, choices=State.choices, blank=True, editable=False)
    legal_basis = models.CharField(_("legal basis of the processing"), max_length=20, choices=LegalBasis.choices,
                                   default=LegalBasis.PUBLIC_INTEREST)
    legal_basis_note = models.CharField(_("legal basis: details"), max_length=300, blank=True)
    signal_source = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="signalled_paths",
                                      verbose_name=_("who sent the signal"))
    signal_date = models.DateField(_("date of the signal"), default=timezone.localdate)
    signal_summary = models.TextField(_("what the signal says"), max_length=4000)
    intervention_started_on = models.DateField(_("intervention started on"), null=True, blank=True, editable=False)
    closed_on = models.DateField(_("closed on"), null=True, blank=True, editable=False)
    outcome = models.ForeignKey("ClosureOutcome", on_delete=models.PROTECT, null=True, blank=True,
                                verbose_name=_("outcome"))
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
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    label_en = models.CharField(_("label in English"), max_length=120, blank=True)
    italian_field = "label"
    class Meta:
        verbose_name = _("closure outcome")
        verbose_name_plural = _("closure outcomes")
        ordering = ["order", "label"]


class Agreement(models.Model):
    """The family's agreement to take part (adesione): a programme agreement, not the legal basis."""

    path = models.OneToOneField(Path, on_delete=models.PROTECT, related_name="agreement", verbose_name=_("path"))
    signed_on = models.DateField(_("signed on"))
    signed_by = models.CharField(_("signed by"), max_length=200, help_text=_("The parents or guardians who signed."))
    document_reference = models.CharField(_("document reference"), max_length=100, blank=True,
                                          help_text=_("Protocol number or where the signed document is filed."))
    signed_document = models.ForeignKey("documents.Attachment", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", verbose_name=_("signed agreement (file)"))
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family's agreement")
        verbose_name_plural = _("families' agreements")


# Where a seat is "on the school's side": it sees only what the family agreed to share with that institution.
SCHOOL_KINDS = (Institution.Kind.SCHOOL, Institution.Kind.EDUCATIONAL_SERVICE)


class ConsentItemQuerySet(models.QuerySet):
    def in_force(self, on=None):
        """Given by ``on`` (today) and not withdrawn by then: a withdrawal counts from its date."""
        day = on or timezone.localdate()
        return self.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day), given_on__lte=day)


class ConsentItem(models.Model):
    """One thing the family agreed to share, with one institution: given and withdrawn as data, read by
    the visibility queries. Separate from the legal basis of the processing (domain.md §5)."""

    class Kind(models.TextChoices):
        SCHOOL_SHARING = "school_sharing", _("Sharing with the school or educational service")

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="consents", verbose_name=_("path"))
    kind = models.CharField(_("what"), max_length=30, choices=Kind.choices, default=Kind.SCHOOL_SHARING)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("school or educational service"),
                                    limit_choices_to={"kind__in": SCHOOL_KINDS})
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
        constraints = [models.UniqueConstraint(fields=["path", "kind", "institution"],
                                               condition=Q(withdrawn_on__isnull=True),
                                               name="consent_one_open_per_institution")]
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
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="team_memberships",
                             verbose_name=_("person"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("institution"))
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
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                                   name="team_member_valid_period"),
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
    school = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("shared with"))
    text = models.TextField(_("note"), max_length=8000)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]


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


# --- "Il Mondo del Bambino": the assessment framework (data, versioned) and the ratings -------------

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

    class Meta:
        ordering = ["value"]
        constraints = [models.UniqueConstraint(fields=["framework", "value"], name="scale_unique_value")]
    label_en = models.CharField(max_length=80, blank=True)
    italian_field = "label"


class Side(Bilingual, models.Model):
    """A side of the triangle: Bambino, Famiglia, Ambiente."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="sides")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order"]
    name_en = models.CharField(max_length=80, blank=True)


class SubDimension(Bilingual, models.Model):
    side = models.ForeignKey(Side, on_delete=models.CASCADE, related_name="subdimensions")
    code = models.SlugField(max_length=40)
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["side__order", "order"]
    name_en = models.CharField(max_length=120, blank=True)


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
        constraints = [models.UniqueConstraint(fields=["path", "child", "time_point", "rater"],
                                               name="assessment_one_per_rater")]


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
    time_point = models.CharField(_("time point"), max_length=2, choices=[(TimePoint.T0, TimePoint.T0.label),
                                                                           (TimePoint.T2, TimePoint.T2.label)])
    side = models.ForeignKey(Side, on_delete=models.PROTECT, related_name="+")
    risk_factors = models.TextField(_("risk factors"), blank=True)
    protective_factors = models.TextField(_("protective factors"), blank=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["path", "time_point", "side"], name="prepost_unique")]


# --- Micro-progettazione: the family's plan -------------------------------------------------------

class CheckResult(models.TextChoices):
    ACHIEVED = "achieved", _("Achieved")
    PARTLY = "partly", _("Partly achieved")
    NOT_ACHIEVED = "not_achieved", _("Not achieved")


class PlanGoal(models.Model):
    """One micro-project: a sub-dimension the team and the family chose to work on, with the expected
    result in plain words and its checks at T1 and T2."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="goals")
    subdimension = models.ForeignKey(SubDimension, on_delete=models.PROTECT, related_name="+",
                                     verbose_name=_("sub-dimension"))
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
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("family member who does it"))
    professional = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("professional who does it"))
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("institution"))
    deadline = models.DateField(_("by"))
    created_at = models.DateTimeField(auto_now_add=True)
    removed_at = models.DateTimeField(_("removed on"), null=True, blank=True, editable=False)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+", editable=False, verbose_name=_("removed by"))
    removal_reason = models.CharField(_("why it was removed"), max_length=300, blank=True, editable=False)

    objects = CurrentActionManager()
    with_removed = models.Manager()

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(person__isnull=False) | Q(institution__isnull=False),
                                   name="action_has_someone"),
        ]

    @property
    def for_school(self):
        """Assigned to a school or educational service: shared with it (its consent is required)."""
        return self.institution is not None and self.institution.kind in SCHOOL_KINDS


# --- Dispositivi: the intervention devices ------------------------------------------------------------

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
    measure = models.CharField(_("what it measures"), max_length=30, choices=Measure.choices)
    pippi_core = models.BooleanField(_("one of PIPPI's four devices"), default=False)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    name_en = models.CharField(_("name in English"), max_length=120, blank=True)
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
    predisposition = models.TextField(_("what they can offer"), blank=True,
                                      help_text=_("Time, tasks, ages of children: used for the matching."))
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
DEVICE_RESPONSIBLE_ROLES = frozenset({Role.SOCIAL_WORKER, Role.PSYCHOLOGIST, Role.CHILD_NEUROPSYCHIATRIST,
                                      Role.HEALTH_PROFESSIONAL, Role.EDUCATOR, Role.SCHOOL_HEAD,
                                      Role.SCHOOL_REFERENT, Role.EDUCATIONAL_STAFF})


class DeviceActivation(models.Model):
    """A dispositivo activated for a family: who provides it, who is responsible, from when to when,
    and what it measures."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="devices")
    device_type = models.ForeignKey(DeviceType, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("dispositivo"))
    provider = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("provider"))
    responsible = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("responsible person"))
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"), null=True, blank=True)
    hours_per_week = models.DecimalField(_("hours per week"), max_digits=4, decimal_places=1, null=True, blank=True)
    sessions_planned = models.PositiveSmallIntegerField(_("sessions planned"), null=True, blank=True)
    school = models.ForeignKey(Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                               verbose_name=_("school"), limit_choices_to={"kind": "school"})
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="activations", verbose_name=_("matched volunteer"))
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("activated device")
        verbose_name_plural = _("activated devices")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="device_valid_period"),
        ]


class DeviceSession(models.Model):
    """A group session or a partnership meeting of an activated device, with attendance."""

    activation = models.ForeignKey(DeviceActivation, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField(_("date"))
    attended = models.BooleanField(_("the family attended"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["held_on"]


# --- EM meetings and the tasks they produce ----------------------------------------------------------

class Meeting(models.Model):
    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="meetings")
    held_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place or link"), max_length=200, blank=True)
    with_family = models.BooleanField(_("with the family"), default=True)
    agenda = models.TextField(_("agenda"), max_length=4000)
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    participants = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("professionals"))
    family_participants = models.ManyToManyField(Person, related_name="+", blank=True,
                                                 verbose_name=_("family members"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("team meeting")
        verbose_name_plural = _("team meetings")
        ordering = ["-held_at"]


class Task(models.Model):
    """A next step decided in a meeting: who does it, by when."""

    path = models.ForeignKey(Path, on_delete=models.PROTECT, related_name="tasks")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    description = models.CharField(_("what"), max_length=300)
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cases_tasks",
                                 verbose_name=_("who"))
    due_on = models.DateField(_("by"))
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["done_on", "due_on"]
        indexes = [models.Index(fields=["assignee", "done_on", "due_on"])]
