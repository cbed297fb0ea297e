"""The Pact: its versions with structured sections, the signatories, each party's commitments, and the
monitoring periods with the status updates of each commitment."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import District, Institution
from patto.core.frozen import FrozenQuery


class Pact(models.Model):
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="pacts", verbose_name=_("district"))
    title = models.CharField(_("title"), max_length=250)
    legal_references = models.TextField(_("legal references"), blank=True)
    purpose = models.TextField(_("purpose"), blank=True)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    public_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    is_public = models.BooleanField(
        _("published"),
        default=False,
        help_text=_("The text in force and the signatories can be read without signing in."),
    )

    class Meta:
        verbose_name = _("pact")
        verbose_name_plural = _("pacts")

    def __str__(self):
        return self.title

    def version_in_force(self, on=None):
        """The approved version whose effective date is the latest one not after ``on`` (today): asked by most
        pages of the pact, by a statement compiled once a day (``core.frozen``)."""
        if self.pk is None:
            return None
        rows = _VERSION_IN_FORCE.rows(day=on or timezone.localdate(), pact_id=self.pk)
        if rows:
            rows[0].pact = self
        return rows[0] if rows else None


class PactVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("number"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(_("what this version changes"), blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approval_reference = models.CharField(
        _("approval decision"),
        max_length=300,
        blank=True,
        help_text=_("E.g. the Gruppo Territoriale meeting and decision number."),
    )
    approved_in = models.ForeignKey(
        "BodyMeeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_versions",
        verbose_name=_("approved in the meeting"),
    )
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    # A draft put to the Gruppo Territoriale's approval is read-only until it is approved or withdrawn.
    submitted_at = models.DateTimeField(_("submitted for approval on"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("pact version")
        verbose_name_plural = _("pact versions")
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["pact", "number"], name="pact_version_unique_number")]

    def __str__(self):
        return _("Version %(number)s") % {"number": self.number}

    @property
    def is_awaiting_approval(self):
        """A draft submitted for approval: read-only until it is approved or withdrawn from approval."""
        return self.status == self.Status.DRAFT and self.submitted_at is not None


class Section(models.Model):
    class Key(models.TextChoices):
        PREMISES = "premesse", _("Premesse")
        PURPOSE = "oggetto", _("Oggetto e finalità")
        COMMITMENTS = "impegni", _("Impegni delle parti")
        GOVERNANCE = "governance", _("Governance")
        DURATION = "durata", _("Durata")
        DATA = "dati", _("Trattamento dei dati")
        FINAL = "norme-finali", _("Norme finali")

    pact_version = models.ForeignKey(PactVersion, on_delete=models.CASCADE, related_name="sections")
    key = models.CharField(max_length=20, choices=Key.choices)
    text = models.TextField(_("text"), blank=True)
    order = models.PositiveSmallIntegerField(default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["pact_version", "key"], name="section_unique_key")]


class Commitment(models.Model):
    """One party's impegno in one version; ``lineage`` follows the same commitment across versions."""

    pact_version = models.ForeignKey(PactVersion, on_delete=models.CASCADE, related_name="commitments")
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="commitments", verbose_name=_("party")
    )
    text = models.TextField(_("commitment"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["institution__name", "order"]
        constraints = [models.UniqueConstraint(fields=["pact_version", "lineage"], name="commitment_unique_lineage")]

    def __str__(self):
        return self.text[:80]


class Adhesion(models.Model):
    """An institution's signature of the pact; institutions can join later or withdraw."""

    class Method(models.TextChoices):
        DIGITAL = "digital", _("Firma digitale")
        HANDWRITTEN = "handwritten", _("Firma olografa")

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="adhesions")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="adhesions", verbose_name=_("institution")
    )
    signer_name = models.CharField(_("signed by"), max_length=150)
    signer_role = models.CharField(_("signer's role"), max_length=150)
    signed_on = models.DateField(_("signed on"))
    method = models.CharField(_("how it was signed"), max_length=20, choices=Method.choices)
    document_reference = models.CharField(
        _("protocol number"), max_length=150, blank=True, help_text=_("Protocol number of the signed document.")
    )
    signed_document = models.ForeignKey(
        "documents.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed document (file)"),
    )
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    withdrawal_reason = models.CharField(_("reason for withdrawing"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("adhesion")
        verbose_name_plural = _("adhesions")
        ordering = ["signed_on", "institution__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pact", "institution"],
                condition=Q(withdrawn_on__isnull=True),
                name="adhesion_one_active_per_institution",
            )
        ]


class MonitoringPeriod(models.Model):
    """A period of monitoring (e.g. a semester): opened by the coordinator, updated by each party, closed."""

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="periods")
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("monitoring period")
        verbose_name_plural = _("monitoring periods")
        ordering = ["-starts_on"]

    def __str__(self):
        return self.name

    @property
    def is_open(self):
        return self.opened_at is not None and self.closed_at is None


class CommitmentUpdate(models.Model):
    """The status of a commitment in a period, with its evidence. Append-only: the history is kept."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", _("Not started")
        ON_TRACK = "on_track", _("On track")
        AT_RISK = "at_risk", _("At risk")
        LATE = "late", _("Late")
        DONE = "done", _("Done")

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="updates")
    period = models.ForeignKey(MonitoringPeriod, on_delete=models.PROTECT, related_name="updates")
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    evidence = models.TextField(_("evidence"), max_length=4000)
    evidence_file = models.ForeignKey(
        "documents.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence attached"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["period", "commitment", "created_at"])]


# --- Governance bodies and their meetings -------------------------------------------------------------


class Body(models.Model):
    """A governance body of the pact: the Gruppo Territoriale (or cabina di regia), the referente
    territoriale, the coaches, working groups. The name is the district's own."""

    class Kind(models.TextChoices):
        GT = "gt", _("Gruppo Territoriale / cabina di regia")
        RT = "rt", _("Referente territoriale")
        COACHES = "coaches", _("Coaches")
        WORKING_GROUP = "working_group", _("Working group")

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="bodies")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=150)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("governance body")
        verbose_name_plural = _("governance bodies")
        ordering = ["kind", "name"]

    def __str__(self):
        return self.name


class BodyMember(models.Model):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("person")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    role_in_body = models.CharField(_("role in the body"), max_length=100, blank=True)
    valid_from = models.DateField(_("from"))
    valid_to = models.DateField(_("to"), null=True, blank=True)

    class Meta:
        ordering = ["institution__name", "user__last_name"]


class BodyMeeting(models.Model):
    body = models.ForeignKey(Body, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"), default=120)
    place = models.CharField(_("place or link"), max_length=300)
    agenda = models.TextField(_("agenda"))
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    minutes_approved_in = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="approved_minutes",
        verbose_name=_("minutes approved in"),
    )
    uid = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("meeting of a body")
        verbose_name_plural = _("meetings of bodies")
        ordering = ["-starts_at"]

    def __str__(self):
        return f"{self.body} — {timezone.localtime(self.starts_at):%d/%m/%Y}"

    @property
    def can_be_rescheduled(self):
        """Only a meeting still to be held, with no minutes, moves to another date or place."""
        return not self.minutes and self.starts_at > timezone.now()


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", _("Present")
        APOLOGIES = "apologies", _("Apologies")
        ABSENT = "absent", _("Absent")

    meeting = models.ForeignKey(BodyMeeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(BodyMember, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="attendance_unique")]


class ActionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    meeting = models.ForeignKey(BodyMeeting, on_delete=models.PROTECT, related_name="action_items")
    description = models.CharField(_("action"), max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("institution")
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["due_on"]


# --- Procedures and good practices -------------------------------------------------------------------------


class Procedure(models.Model):
    """A stable collaboration procedure the pact calls for (e.g. how a school signals a concern)."""

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="procedures")
    title = models.CharField(_("title"), max_length=200)
    owner = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    text = models.TextField(_("text"))

    class RequestKind(models.TextChoices):
        CONSULTATION = "consultation", _("Anonymous consultation")
        SIGNAL = "signal", _("Signal of a child")
        PROFESSIONAL = "professional", _("Request for a professional or a service")
        TRANSFER = "transfer", _("Transfer of a path")
        LEGAL_QUESTION = "legal_question", _("Question of a school to the legal help desk")

    request_kind = models.CharField(
        _("requests it governs"),
        max_length=20,
        choices=RequestKind.choices,
        blank=True,
        help_text=_("Patto counts the response time of these requests against this procedure's working days."),
    )
    response_working_days = models.PositiveSmallIntegerField(
        _("response time (working days)"),
        null=True,
        blank=True,
        help_text=_("The time to answer the requests it governs, in working days (e.g. 5)."),
    )
    approved_on = models.DateField(_("approved on"))
    review_on = models.DateField(_("review by"))
    revision = models.PositiveSmallIntegerField(default=1, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["title"]

    def __str__(self):
        return self.title

    @property
    def review_overdue(self):
        return self.review_on < timezone.localdate()


class ProcedureRevision(models.Model):
    """An earlier text of a procedure, kept when it is revised."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveSmallIntegerField()
    text = models.TextField()
    approved_on = models.DateField()
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-revision"]


class CalendarFeed(models.Model):
    """A user's secret, revocable calendar link. Only a hash of the token is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)


class Indicator(models.Model):
    """How a commitment is measured: a target in a unit, valued in each monitoring period either from
    Patto's own data (computed) or by the party with evidence."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by the party, with evidence")
        SCHOOL_REFERENTS = "school_referents", _("Schools with a named PIPPI referent (computed)")
        MEETINGS_HELD = "meetings_held", _("Meetings of the governance bodies held in the period (computed)")
        FAMILIES_IN_PATH = "families_in_path", _("Families in a PIPPI path (computed)")
        REQUEST_RESPONSE_MEDIAN = (
            "request_response_median",
            _("Signals and requests: median response time in working days (computed)"),
        )
        REQUEST_RESPONSE_P90 = (
            "request_response_p90",
            _("Signals and requests: 90th percentile of the response time in working days (computed)"),
        )
        REQUESTS_OVERDUE = "requests_overdue", _("Signals and requests past their response time (computed)")
        # Commitment 7: partnerships for public funds (the funding app).
        PARTNERSHIPS_SIGNED = "partnerships_signed", _("Partnership proposals signed by all partners (computed)")
        PROJECTS_FUNDED = "projects_funded", _("Projects funded (computed)")
        PROJECT_SPENDING = "project_spending", _("Funded projects: expenditure recorded, in euro (computed)")
        # Commitment 6: co-design of services (the offer and co-design app).
        CODESIGN_IN_PROGRESS = "codesign_in_progress", _("Co-design processes in progress (computed)")
        CODESIGN_CONCLUDED = "codesign_concluded", _("Co-design processes concluded (computed)")
        PLACES_ADDED = "places_added", _("Places added by co-design agreements (computed)")
        # Commitment 8: legal-administrative help desk for schools (the helpdesk app).
        HELPDESK_ANSWERED = "helpdesk_answered", _("Help desk: questions answered (computed)")
        HELPDESK_RESPONSE_MEDIAN = (
            "helpdesk_response_median",
            _("Help desk: median response time in working days (computed)"),
        )
        HELPDESK_RESPONSE_P90 = (
            "helpdesk_response_p90",
            _("Help desk: 90th percentile of the response time in working days (computed)"),
        )
        FAQS_PUBLISHED = "faqs_published", _("Help desk: answers published as FAQ (computed)")

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="indicators")
    name = models.CharField(_("indicator"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, default="n.")
    target = models.DecimalField(_("target"), max_digits=10, decimal_places=2)
    source = models.CharField(_("value from"), max_length=30, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["pk"]


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    period = models.ForeignKey(MonitoringPeriod, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2)
    evidence = models.TextField(_("evidence"), max_length=4000)
    evidence_file = models.ForeignKey(
        "documents.Attachment",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("evidence attached"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]


def _version_in_force(day, pact_id):
    return PactVersion.objects.filter(
        pact_id=pact_id, status=PactVersion.Status.APPROVED, effective_from__lte=day
    ).order_by("-effective_from", "-number")[:1]


_VERSION_IN_FORCE = FrozenQuery("governance.version_in_force", _version_in_force, {"pact_id": int})
