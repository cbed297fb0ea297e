"""Funds and partnerships (commitment 7 of the pact): the calls the district may answer, the partnership
proposals built for them, and the projects once funded, with their budget, milestones and expenditure.

Money is ``Decimal`` with two places everywhere (``MONEY``): model fields, forms, sums in the database."""

import re
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import District, Institution
from patto.cases.models import Cohort
from patto.documents.models import Attachment

from .money import CENT

MONEY = {"max_digits": 14, "decimal_places": 2}

# The CUP (Codice Unico di Progetto, DIPE): 15 characters, as the CUP system issues them: a letter (the
# issuing body's code), two digits, a letter (the nature of the project), two digits (the year of issue)
# and nine digits of progressive number and check (e.g. F79J22001380004).
CUP_PATTERN = re.compile(r"^[A-Z]\d{2}[A-Z]\d{2}\d{9}$")
# The CIG (Codice Identificativo Gara, ANAC): 10 characters, digits and capital letters.
CIG_PATTERN = re.compile(r"^[0-9A-Z]{10}$")


def validate_cup(value):
    if not CUP_PATTERN.match(value or ""):
        raise ValidationError(
            _(
                "A CUP has 15 characters: a letter, two digits, a letter, two digits for the year and nine digits "
                "(e.g. F79J22001380004). “%(value)s” is not one."
            ),
            code="cup",
            params={"value": value},
        )


def validate_cig(value):
    if value and not CIG_PATTERN.match(value):
        raise ValidationError(
            _("A CIG has 10 characters, digits and capital letters (e.g. 9876543A1B). “%(value)s” is not one."),
            code="cig",
            params={"value": value},
        )


class Funder(models.TextChoices):
    PNRR = "pnrr", _("PNRR")
    REGION = "region", _("Regione Emilia-Romagna")
    MINISTRY = "ministry", _("Ministry")
    FOUNDATION = "foundation", _("Foundation")
    OTHER = "other", _("Other")


class Call(models.Model):
    """A call (bando, avviso) the district may answer."""

    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="funding_calls")
    funder = models.CharField(_("funder"), max_length=20, choices=Funder.choices)
    title = models.CharField(_("title"), max_length=250)
    reference = models.CharField(_("reference"), max_length=120, blank=True, help_text=_("E.g. Avviso 1/2022."))
    deadline = models.DateField(_("deadline"))
    amount = models.DecimalField(_("amount available"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    eligible_partners = models.TextField(_("eligible partners"), blank=True)
    documents = models.ManyToManyField(Attachment, blank=True, related_name="+", verbose_name=_("documents"))
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.title


class Proposal(models.Model):
    """A partnership proposal for a call. "Signed by all" is not stored: it is the fact that every partner's
    referent confirmed their participation (``Partner.confirmed_at``)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PROPOSED = "proposed", _("Proposed to the partners")
        SUBMITTED = "submitted", _("Submitted")
        FUNDED = "funded", _("Funded")
        NOT_FUNDED = "not_funded", _("Not funded")

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("call"))
    lead = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+", verbose_name=_("lead"))
    title = models.CharField(_("title"), max_length=250)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    agreement = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("letter of intent or agreement"),
    )
    # The agreements replaced by a newer one: kept and listed, never deleted.
    previous_agreements = models.ManyToManyField(
        Attachment, blank=True, related_name="+", verbose_name=_("previous versions of the agreement")
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("partnership proposal")
        verbose_name_plural = _("partnership proposals")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.title


class Partner(models.Model):
    """A partner of a proposal, with its role and share; its referent confirms in Patto."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="partners")
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="funding_partnerships", verbose_name=_("partner")
    )
    role = models.CharField(_("role in the project"), max_length=250)
    amount = models.DecimalField(
        _("share of the funding"), **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    cofinancing = models.DecimalField(
        _("co-financing"), **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(Decimal("0"))]
    )
    confirmed_at = models.DateTimeField(_("confirmed on"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        ordering = ["institution__name", "pk"]
        constraints = [models.UniqueConstraint(fields=["proposal", "institution"], name="funding_partner_once")]

    def __str__(self):
        return str(self.institution)


class Project(models.Model):
    """A funded project: born from a funded proposal, with its CUP."""

    proposal = models.OneToOneField(Proposal, on_delete=models.PROTECT, related_name="project")
    title = models.CharField(_("title"), max_length=250)
    cup = models.CharField(_("CUP"), max_length=15, unique=True, validators=[validate_cup])
    funding_source = models.CharField(_("funding source"), max_length=20, choices=Funder.choices)
    measure = models.CharField(_("measure"), max_length=120, blank=True, help_text=_("E.g. PNRR M5C2 1.1.1."))
    total = models.DecimalField(_("total funding"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    starts_on = models.DateField(_("start"))
    ends_on = models.DateField(_("end"))
    cohorts = models.ManyToManyField(
        Cohort,
        blank=True,
        related_name="+",
        verbose_name=_("PIPPI cohorts of the project"),
        help_text=_("The families in a path of these cohorts count towards the project's targets."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["-starts_on", "-pk"]

    def __str__(self):
        return f"{self.title} (CUP {self.cup})"


class BudgetLine(models.Model):
    class Category(models.TextChoices):
        STAFF = "staff", _("Staff")
        SERVICES = "services", _("Services")
        GOODS = "goods", _("Goods and equipment")
        TRAINING = "training", _("Training")
        TRAVEL = "travel", _("Travel")
        OTHER = "other", _("Other costs")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    description = models.CharField(_("description"), max_length=250)
    amount = models.DecimalField(_("budget"), **MONEY, validators=[MinValueValidator(Decimal("0"))])
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_category_display()}: {self.description}"


class Milestone(models.Model):
    """A milestone or target of the project's timetable. A target counted live reads Patto's own data."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        FAMILIES_IN_PATH = "families_in_path", _("Families in a path of the project's cohorts (live)")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone or target"), max_length=250)
    due_on = models.DateField(_("due on"))
    target = models.PositiveIntegerField(_("target value"), null=True, blank=True)
    source = models.CharField(_("value from"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    reached = models.PositiveIntegerField(_("value reached"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title


class ExpenditureQuerySet(models.QuerySet):
    def in_force(self):
        """The expenditures that count: not cancelled."""
        return self.filter(cancelled_at__isnull=True)


class Expenditure(models.Model):
    """A cost incurred by a partner on a budget line. Recorded past the line's budget only with a reason."""

    objects = ExpenditureQuerySet.as_manager()

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="expenditures")
    budget_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("budget line")
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="expenditures", verbose_name=_("partner")
    )
    spent_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), **MONEY, validators=[MinValueValidator(CENT)])
    supplier = models.CharField(_("supplier"), max_length=250)
    cig = models.CharField(_("CIG"), max_length=10, blank=True, validators=[validate_cig])
    description = models.CharField(_("description"), max_length=250, blank=True)
    document = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supporting document"),
    )
    override_reason = models.TextField(_("reason for exceeding the budget line"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # A money record is never deleted: a wrong one is cancelled with a reason, stays listed, and no sum counts it.
    cancelled_at = models.DateTimeField(_("cancelled on"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    cancellation_reason = models.TextField(_("reason for the cancellation"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("expenditure")
        verbose_name_plural = _("expenditures")
        ordering = ["-spent_on", "-pk"]
        indexes = [models.Index(fields=["project", "spent_on"])]

    def __str__(self):
        return f"{self.spent_on} {self.supplier}"
