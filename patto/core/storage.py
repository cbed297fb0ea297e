"""Private file storage: a directory outside the web root, random names, files mode 0600, no URL. Apps
subclass it for their own root (uploads, exports); files are served only by the view of their record."""

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    served_by = "their record's view"

    def __init__(self, location):
        super().__init__(
            location=location, base_url=None, file_permissions_mode=0o600, directory_permissions_mode=0o700
        )

    def url(self, name):
        raise NotImplementedError(f"These files have no URL: they are served by {self.served_by}.")
