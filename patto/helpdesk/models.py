"""The legal-administrative help desk for schools (issue 12, section 3; the pact's commitment 8).

- A **question** from a school (head or referent) or an educational service (its staff or head) to the
  district's legal office, by category. It never carries a child's personal data: the form warns, and the
  service refuses text that looks like a codice fiscale. A response clock in working days (``core.workdays``,
  the same as the requests'): the pact's procedure governing ``legal_question`` sets the days, otherwise
  ``PATTO_DEFAULT_RESPONSE_WORKING_DAYS``; asking for clarification pauses it, and the response time recorded
  at the answer leaves the pauses out.
- An **FAQ**: an answer the legal office publishes, edited, for every school and educational service of the
  district; searchable and grouped by category.
- A **template** (modello): a versioned document of the library (the signal form, the privacy notice, the
  consent to share with the school, model letters) with its owner and review date; the file goes through the
  upload pipeline (``documents``), earlier revisions are kept like the procedures library's."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from patto.accounts.models import District, Institution
from patto.documents.models import Attachment
from patto.governance.models import Procedure


class Category(models.TextChoices):
    PRIVACY = "privacy", _("Privacy and sharing of information")
    SCHOOLING = "schooling", _("Compulsory schooling and absences")
    SEPARATED_PARENTS = "separated_parents", _("Communications with separated parents")
    COURTS = "courts", _("Relations with the courts and the social services")
    RECORDS = "records", _("Access to records")
    SIGNALS = "signals", _("Signals")
    OTHER = "other", _("Other")


class Question(models.Model):
    class Status(models.TextChoices):
        SENT = "sent", _("Sent, to be assigned")
        ASSIGNED = "assigned", _("Being answered")
        WAITING = "waiting", _("Waiting for clarification")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", pgettext_lazy("question", "Closed")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("number"), max_length=24, unique=True)  # e.g. RN-QUE-2026-0003
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("asking institution")
    )
    asker = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asker_role = models.CharField(max_length=40)
    office = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("legal office of")
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    subject = models.CharField(_("subject"), max_length=200)
    text = models.TextField(_("question"), max_length=6000)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SENT)

    # The clock: working days from the procedure (or the default), moved on by every pause.
    procedure = models.ForeignKey(Procedure, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    working_days = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField(_("answer due by"))
    paused_since = models.DateField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    response_working_days = models.PositiveSmallIntegerField(null=True, blank=True)
    answer = models.TextField(_("answer"), max_length=12000, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("question to the legal office")
        verbose_name_plural = _("questions to the legal office")
        ordering = ["-sent_at"]
        indexes = [
            models.Index(fields=["office", "status", "due_on"], name="question_office_idx"),
            models.Index(fields=["institution", "-sent_at"], name="question_institution_idx"),
            models.Index(fields=["district", "answered_at"], name="question_answered_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self):
        return self.status in OPEN

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return self.status in RUNNING and self.due_on < today


OPEN = (Question.Status.SENT, Question.Status.ASSIGNED, Question.Status.WAITING)
RUNNING = (Question.Status.SENT, Question.Status.ASSIGNED)  # the clock runs (not waiting for the school)


class QuestionMessage(models.Model):
    """The thread: clarification asked by the legal office, given by the school, and the answer."""

    class Event(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned")
        CLARIFICATION_ASKED = "clarification_asked", _("Clarification asked")
        CLARIFICATION_GIVEN = "clarification_given", _("Clarification given")
        ANSWER = "answer", _("Answer")
        CLOSED = "closed", pgettext_lazy("question", "Closed")

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    author_institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    event = models.CharField(max_length=30, choices=Event.choices)
    text = models.TextField(max_length=12000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]


class QuestionPause(models.Model):
    """A stretch of time the clock stood still, waiting for the school's clarification."""

    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="pauses")
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["started_on", "pk"]


class Faq(models.Model):
    """An answer of the legal office published, edited, for the district's schools and educational services.
    Withdrawn (``unpublished_at``) it is read by the legal office only; published again, it is back."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    question = models.TextField(_("question"), max_length=4000)
    answer = models.TextField(_("answer"), max_length=12000)
    source_question = models.OneToOneField(
        Question, on_delete=models.PROTECT, null=True, blank=True, related_name="faq"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    unpublished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("FAQ")
        verbose_name_plural = _("FAQs")
        ordering = ["category", "-published_at", "pk"]
        indexes = [models.Index(fields=["district", "category"], name="faq_district_idx")]

    def __str__(self):
        return self.question[:80]

    @property
    def is_published(self):
        return self.published_at is not None and self.unpublished_at is None


PUBLISHED = Q(published_at__isnull=False, unpublished_at__isnull=True)


class FaqRevision(models.Model):
    """The FAQ's history, like the procedures library's: every publication, edit, withdrawal and publication
    again, with who and when and the text as it then stood. The legal office reads it; the schools read the
    current text only."""

    class Event(models.TextChoices):
        PUBLISHED = "published", pgettext_lazy("faq", "Published")
        EDITED = "edited", pgettext_lazy("faq", "Edited")
        WITHDRAWN = "withdrawn", pgettext_lazy("faq", "Withdrawn")
        REPUBLISHED = "republished", pgettext_lazy("faq", "Published again")

    faq = models.ForeignKey(Faq, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    event = models.CharField(max_length=12, choices=Event.choices)
    category = models.CharField(max_length=20, choices=Category.choices)
    question = models.TextField(max_length=4000)
    answer = models.TextField(max_length=12000)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["faq", "number"], name="faq_revision_once")]


class Template(models.Model):
    """A document of the library (modello), with its current file; earlier revisions are kept."""

    class Kind(models.TextChoices):
        SIGNAL_FORM = "signal_form", _("Signal form")
        PRIVACY_NOTICE = "privacy_notice", _("Privacy notice for families")
        CONSENT = "consent", _("Consent to share with the school")
        LETTER = "letter", _("Model letter")
        OTHER = "other", _("Other")

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind of document"), max_length=20, choices=Kind.choices)
    description = models.TextField(_("what it is for"), max_length=2000, blank=True)
    owner = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    file = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField(_("approved on"))
    review_on = models.DateField(_("review by"))
    revision = models.PositiveSmallIntegerField(default=1, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("template")
        verbose_name_plural = _("templates")
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title

    @property
    def review_overdue(self):
        return self.review_on < timezone.localdate()


class TemplateRevision(models.Model):
    """An earlier file of a template, kept when a new one replaces it."""

    template = models.ForeignKey(Template, on_delete=models.CASCADE, related_name="revisions")
    revision = models.PositiveSmallIntegerField()
    file = models.ForeignKey(Attachment, on_delete=models.PROTECT, related_name="+")
    approved_on = models.DateField()
    replaced_at = models.DateTimeField(auto_now_add=True)
    replaced_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-revision"]
        constraints = [models.UniqueConstraint(fields=["template", "revision"], name="template_revision_once")]
