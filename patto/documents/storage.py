"""Where uploaded files live: a directory outside the web root (PATTO_UPLOAD_ROOT), with random names,
no extensions and no URL. Files are read only through ``responses.attachment_response``."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class UploadStorage(FileSystemStorage):
    def __init__(self):
        super().__init__(
            location=settings.PATTO_UPLOAD_ROOT,
            base_url=None,
            file_permissions_mode=0o600,
            directory_permissions_mode=0o700,
        )

    def url(self, name):
        raise NotImplementedError("Uploaded files have no URL: serve them through their record's view.")


def upload_storage():
    """Built on each use (it is cheap), so the setting is read when the file is written."""
    return UploadStorage()
