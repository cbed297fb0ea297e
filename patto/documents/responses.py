"""Serving a stored file: only from the view of the record it belongs to, after that view has decided
the reader may see it. The read is logged in the same transaction before a byte leaves (fail closed)."""

from django.db import transaction
from django.http import FileResponse, Http404

from patto.audit.services import record_access

from .storage import upload_storage


def attachment_response(request, attachment, *, filename, action, obj, subjects=()):
    """The file as a download: ``Content-Disposition: attachment`` with a name made by the server
    (``filename`` without extension; the extension comes from the detected type), the detected content
    type, no sniffing, and a sandbox policy in case a browser renders it anyway."""
    storage = upload_storage()
    with transaction.atomic():
        record_access(actor=request.user, action=action, obj=obj, subjects=subjects)
        try:
            handle = storage.open(attachment.storage_name, "rb")
        except FileNotFoundError:
            raise Http404
    response = FileResponse(
        handle, as_attachment=True, filename=f"{filename}.{attachment.kind}", content_type=attachment.content_type
    )
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["X-Content-Type-Options"] = "nosniff"
    return response
