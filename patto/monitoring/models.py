"""Who may read the district's aggregates besides the pact coordinator: a grant to a membership, separate
from any seat on a path (a seat lets a person read one family; a grant lets them read only figures)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import District, Membership


class AggregateGrant(models.Model):
    """The Referente territoriale's group, the Comune's management, the AUSL's district manager: named
    memberships the coordinator lets read the monitoring and the needs analysis, until an end date."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    membership = models.ForeignKey(
        Membership, on_delete=models.PROTECT, related_name="aggregate_grants", verbose_name=_("person and role")
    )
    reason = models.CharField(
        _("why"), max_length=300, help_text=_("E.g. member of the Referente territoriale's group.")
    )
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("permission to read aggregates")
        verbose_name_plural = _("permissions to read aggregates")
        ordering = ["-starts_on"]
        indexes = [models.Index(fields=["membership", "revoked_at"], name="aggregate_grant_member_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="aggregate_grant_valid_period",
            )
        ]

    def __str__(self):
        return str(self.membership)


class OpenDataset(models.Model):
    """Figures of the needs analysis the coordinator published as open data: a snapshot of tables of the
    report for one year, as they were shown (suppressed cells stay suppressed), stored at publication so
    that a later change in the data does not silently change what was published. Withdrawn at will."""

    LICENCE = "CC BY 4.0"
    LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.it"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    # [{"key", "title", "note", "header": [...], "rows": [[label, value, ...], ...]}]: what the page showed.
    tables = models.JSONField(default=list)
    licence = models.CharField(_("licence"), max_length=40, default=LICENCE, editable=False)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(_("published on"))
    withdrawn_at = models.DateTimeField(_("withdrawn on"), null=True, blank=True, editable=False)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("open dataset")
        verbose_name_plural = _("open datasets")
        ordering = ["-year", "-published_at"]
        indexes = [models.Index(fields=["district", "withdrawn_at"], name="open_dataset_district_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["district", "year"], condition=Q(withdrawn_at__isnull=True), name="open_dataset_one_per_year"
            )
        ]

    def __str__(self):
        return f"{self.district} {self.year}"

    @property
    def is_online(self):
        return self.withdrawn_at is None
