"""Storing an uploaded file: checked, scanned, within the quota, written, recorded and audited."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from patto.audit.services import record_event

from . import antivirus
from .inspection import CheckedUpload, inspect_upload
from .models import Attachment
from .storage import upload_storage


def check_upload(upload, name=None):
    """Content checks and antivirus scan, before anything is written (forms call it in ``clean``).
    Returns a CheckedUpload carrying the antivirus engine that passed it; raises ValidationError."""
    checked = upload if isinstance(upload, CheckedUpload) else inspect_upload(upload, name)
    if checked.scanned_by is not None:
        return checked
    try:
        verdict = antivirus.scan(checked.data)
    except antivirus.AntivirusUnavailable:
        raise ValidationError(
            _(
                "The antivirus cannot check the file right now, so it has not been accepted: "
                "try again in a few minutes."
            ),
            code="antivirus_unavailable",
        )
    if not verdict.clean:
        raise ValidationError(
            _("The antivirus found a threat in the file (%(signature)s): it has not been accepted.")
            % {"signature": verdict.signature},
            code="infected",
        )
    return checked.scanned(verdict.engine)


def _check_quota(scope, size):
    quota = settings.PATTO_UPLOAD_QUOTA_MB * 1024 * 1024
    used = Attachment.objects.filter(scope=scope).aggregate(total=Sum("size"))["total"] or 0
    if used + size > quota:
        raise ValidationError(
            _("There is no room for this file: the documents here already take %(used)s of %(quota)s.")
            % {"used": filesizeformat(used), "quota": filesizeformat(quota)},
            code="quota",
        )


@transaction.atomic
def store_attachment(*, actor, upload, scope):
    """Stores an upload (an UploadedFile, or a CheckedUpload from a form) for the record that ``scope``
    names, and returns its Attachment. The caller links it to its record in the same transaction.

    The file is written before the row: if the transaction then fails, the file is an orphan that
    ``purge_orphan_uploads`` removes; a row never points to a missing file."""
    checked = check_upload(upload)
    _check_quota(scope, checked.size)
    storage = upload_storage()
    file_id = uuid.uuid4()
    storage_name = storage.save(f"{file_id.hex[:2]}/{file_id.hex}", ContentFile(checked.data))
    attachment = Attachment.objects.create(
        id=file_id,
        storage_name=storage_name,
        original_name=checked.original_name,
        kind=checked.kind,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        scope=scope,
        scanned_by=checked.scanned_by,
        uploaded_by=actor,
    )
    record_event(
        actor=actor,
        action="documents.attachment.stored",
        obj=attachment,
        changes={"kind": [None, checked.kind], "size": [None, checked.size], "scope": [None, scope]},
    )
    return attachment
