"""Uploaded files. A file is stored under a random name outside the web root and only ever served by the
view of the record it belongs to (a signed adhesion, the evidence of a commitment update), which decides
who may read it and writes the access row."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Attachment(models.Model):
    class Kind(models.TextChoices):
        PDF = "pdf", "PDF"
        JPEG = "jpg", "JPEG"
        PNG = "png", "PNG"
        DOCX = "docx", "Word (DOCX)"
        ODT = "odt", "OpenDocument (ODT)"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    storage_name = models.CharField(max_length=80, unique=True, editable=False)
    original_name = models.CharField(
        _("file name"),
        max_length=150,
        help_text=_("As uploaded; shown to readers, never used to store or serve the file."),
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    # What the quota is counted on, e.g. "governance.pact:3": the upload quota is per pact or per path.
    scope = models.CharField(max_length=80)
    scanned_by = models.CharField(
        max_length=120, blank=True, help_text=_("The antivirus engine and signature version that found it clean.")
    )
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["scope"])]

    def __str__(self):
        return self.original_name
