"""Where uploaded files live: a directory outside the web root (PATTO_UPLOAD_ROOT), with random names,
no extensions and no URL. Files are read only through ``responses.attachment_response``."""

from django.conf import settings

from patto.core.storage import PrivateStorage


class UploadStorage(PrivateStorage):
    served_by = "their record's view"

    def __init__(self):
        super().__init__(settings.PATTO_UPLOAD_ROOT)


def upload_storage():
    """Built on each use (it is cheap), so the setting is read when the file is written."""
    return UploadStorage()
