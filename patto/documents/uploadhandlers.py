"""The first upload handler: counts each file's bytes as they arrive and, past the size limit, stops
handing them on, so an oversized file is never kept in memory or on disk; the form then receives a
marker and says the file is too large. (The reverse proxy should refuse such bodies even earlier.)"""

from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler

from .inspection import max_bytes


class OversizedUpload(UploadedFile):
    oversized = True

    def __init__(self, name, size):
        import io

        super().__init__(file=io.BytesIO(), name=name, content_type="application/octet-stream", size=size)


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        return None if self.received > max_bytes() else raw_data

    def file_complete(self, file_size):
        return OversizedUpload(self.file_name, self.received) if self.received > max_bytes() else None
