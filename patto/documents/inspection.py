"""What an upload really is, read from its content: the type from its magic bytes (libmagic), checked
against an allowlist and against the file's extension; no active content (HTML or script hidden in a
PDF or an image, JavaScript in a PDF); images that decode within a pixel limit; office files that are
well-formed archives, without macros and not zip bombs. Antivirus scanning is in ``antivirus``.

Every refusal is a ValidationError with a message for the person who uploaded the file."""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, replace

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .models import Attachment

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"

# Detected type → (kind, the extensions a file of that type may carry).
ALLOWED = {
    "application/pdf": (Attachment.Kind.PDF, {"pdf"}),
    "image/jpeg": (Attachment.Kind.JPEG, {"jpg", "jpeg"}),
    "image/png": (Attachment.Kind.PNG, {"png"}),
    DOCX: (Attachment.Kind.DOCX, {"docx"}),
    ODT: (Attachment.Kind.ODT, {"odt"}),
}
ACCEPT = ",".join(sorted(f".{ext}" for _kind, exts in ALLOWED.values() for ext in exts))
ZIP_TYPES = {"application/zip", "application/octet-stream", DOCX, ODT}

# Markers of a document a browser would run: a file carrying them is a polyglot, whatever its type.
# Searched in a lower-cased copy: a pattern starting with a literal is many times faster than IGNORECASE.
ACTIVE_MARKERS = re.compile(rb"<\s*(?:script|html|!doctype\s+html|svg|iframe|object|embed|body)[\s>/]")
# PDF actions that run code or programs. Names may be hex-escaped (/J#61vaScript), so they are unescaped first.
PDF_ACTIVE = re.compile(rb"/(JavaScript|JS|Launch|RichMedia|XFA)(?![A-Za-z0-9])")
PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
PDF_STREAM = re.compile(rb"(?<!end)stream\r?\n.*?endstream", re.DOTALL)

MAX_PIXELS = 50_000_000
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 100 * 1024 * 1024
ZIP_MAX_RATIO = 100


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed every content check (antivirus excepted): what the service stores."""

    data: bytes
    original_name: str
    kind: str
    content_type: str
    sha256: str
    scanned_by: str | None = None  # None: not scanned yet; "": no antivirus configured (development only)

    @property
    def size(self):
        return len(self.data)

    def scanned(self, engine):
        return replace(self, scanned_by=engine)


def reject(message, code):
    raise ValidationError(message, code=code)


def clean_name(name):
    """The uploaded name, for display only: its last path component, printable, at most 150 characters."""
    name = unicodedata.normalize("NFC", str(name or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip(" .")
    if len(name) > 150:
        stem, _dot, ext = name.rpartition(".")
        name = f"{stem[:140]}.{ext[:8]}" if stem else name[:150]
    return name or "documento"


def max_bytes():
    return settings.PATTO_UPLOAD_MAX_MB * 1024 * 1024


def _size_of(upload):
    size = getattr(upload, "size", None)
    if size is None:  # a plain file object: its size without reading it
        position = upload.tell()
        size = upload.seek(0, io.SEEK_END)
        upload.seek(position)
    return size


def _read(upload):
    """The content, refused before reading when it is empty or over the limit."""
    limit = max_bytes()
    size = _size_of(upload)
    if getattr(upload, "oversized", False) or size > limit:
        reject(_("The file is too large (%(size)s): the limit is %(limit)s.")
               % {"size": filesizeformat(size), "limit": filesizeformat(limit)}, "too_large")
    if size == 0:
        reject(_("The file is empty."), "empty")
    upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        reject(_("The file is too large: the limit is %(limit)s.") % {"limit": filesizeformat(limit)}, "too_large")
    return data


def _extension(name):
    stem, dot, ext = name.rpartition(".")
    return ext.lower() if dot and stem else ""


def _check_images(data, kind):
    try:
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                reject(_("The image is too large (%(pixels)s megapixels).") % {"pixels": width * height // 1_000_000},
                       "image_pixels")
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        reject(_("The image is damaged or is not what its type says."), "damaged")


def _check_pdf(data):
    if b"%%EOF" not in data[-2048:]:
        reject(_("The PDF is damaged or incomplete."), "damaged")
    # Only the PDF's own syntax is searched: stream contents are compressed binary where any short name
    # would turn up by chance (the antivirus looks inside them).
    syntax = PDF_STREAM.sub(b"stream endstream", data)
    unescaped = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), syntax)
    if PDF_ACTIVE.search(unescaped):
        reject(_("The PDF contains scripts or actions that start programs: save it again as plain PDF (PDF/A)."),
               "active_content")


def _member_size(archive, info, budget):
    """Decompresses one entry, counting: declared sizes can lie, so the real ones are measured."""
    total = 0
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            total += len(chunk)
            if total > budget:
                reject(_("The document expands to too much data when opened (a “zip bomb”)."), "zip_bomb")
    return total


def _office_kind(data):
    """Which office document a zip is (DOCX, ODT), after checking it is safe to open."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > ZIP_MAX_ENTRIES or sum(i.file_size for i in infos) > ZIP_MAX_UNCOMPRESSED:
                reject(_("The document expands to too much data when opened (a “zip bomb”)."), "zip_bomb")
            budget = ZIP_MAX_UNCOMPRESSED
            for info in infos:
                name = info.filename
                if name.startswith("/") or ".." in name.split("/") or info.flag_bits & 0x1:
                    reject(_("The document is damaged or protected by a password."), "damaged")
                if info.file_size > 1024 * 1024 and info.file_size > ZIP_MAX_RATIO * max(info.compress_size, 1):
                    reject(_("The document expands to too much data when opened (a “zip bomb”)."), "zip_bomb")
                if name.lower().endswith("vbaproject.bin") or name.lower().startswith(("basic/", "scripts/")):
                    reject(_("The document contains macros: save it again without them."), "macros")
                budget -= _member_size(archive, info, budget)
            names = set(archive.namelist())
            if "[Content_Types].xml" in names and "word/document.xml" in names:
                return DOCX
            if "content.xml" in names and "mimetype" in names and archive.read("mimetype").strip() == ODT.encode():
                return ODT
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, ValueError):
        reject(_("The document is damaged or protected by a password."), "damaged")
    return None


def _detect(data, extension):
    content_type = magic.from_buffer(data[:1024 * 1024], mime=True)
    if content_type in ZIP_TYPES and data[:4] == b"PK\x03\x04" and extension in {"docx", "odt"}:
        # Only a well-formed document counts as one, whatever its first bytes made libmagic think.
        content_type = _office_kind(data) or "application/zip"
    if content_type not in ALLOWED:
        reject(_("This type of file is not accepted: upload a PDF, a JPEG or PNG image, or a DOCX or ODT "
                 "document."), "type")
    kind, extensions = ALLOWED[content_type]
    if not extension:
        reject(_("The file's name has no extension: rename it so that it ends in .%(ext)s.")
               % {"ext": sorted(extensions)[0]}, "extension")
    if extension not in extensions:
        reject(_("The file's name (.%(ext)s) does not match its content (%(kind)s).")
               % {"ext": extension or "—", "kind": kind.label}, "extension")
    return kind, content_type


def inspect_upload(upload, name=None):
    """Checks an uploaded file (a Django UploadedFile, or any binary file object with ``name``) and returns
    a CheckedUpload; raises ValidationError saying why the file is refused."""
    original_name = clean_name(name or getattr(upload, "name", ""))
    data = _read(upload)
    kind, content_type = _detect(data, _extension(original_name))
    lowered = data.lower()
    if ACTIVE_MARKERS.search(lowered) or b"javascript:" in lowered:
        reject(_("The file contains web page code (HTML or script) and cannot be accepted."), "active_content")
    if kind == Attachment.Kind.PDF:
        _check_pdf(data)
    elif kind in (Attachment.Kind.JPEG, Attachment.Kind.PNG):
        _check_images(data, kind)
    return CheckedUpload(data=data, original_name=original_name, kind=kind, content_type=content_type,
                         sha256=hashlib.sha256(data).hexdigest())
