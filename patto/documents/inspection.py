"""What an upload really is, read from its content: the type from its magic bytes (libmagic), checked
against an allowlist and against the file's extension; no active content (HTML or script hidden in a
PDF or an image; in a PDF, read object by object with qpdf, no JavaScript, no action that starts a
program, opens another file or runs on its own, no attached files); images that decode within a pixel
limit; office files that are well-formed archives, without macros, not zip bombs and loading nothing
from outside themselves (templates, objects, images). Antivirus scanning is in ``antivirus``.

Every refusal is a ValidationError with a message for the person who uploaded the file."""

import hashlib
import io
import logging
import re
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from xml.parsers import expat

import magic
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from . import pdfcheck
from .models import Attachment

logger = logging.getLogger(__name__)
PDFCHECK = pdfcheck.__file__

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

# Office documents. Links are accepted to web and e-mail addresses; anything else a document names outside
# itself (a template, an OLE object, a frame, a sub-document, a linked image) is refused: the word processor
# would fetch it on opening, from the web or a network share (and hand it the user's Windows credentials).
LINK_SCHEMES = ("http:", "https:", "mailto:")
URI_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
OPC_RELATIONSHIP = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"
XLINK_HREF = "http://www.w3.org/1999/xlink href"
ODF_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
ODF_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
ODF_SCRIPT = "urn:oasis:names:tc:opendocument:xmlns:script:1.0"
ODF_LINKS = frozenset({f"{ODF_TEXT} a", f"{ODF_DRAW} a"})
ODF_SCRIPTS = frozenset({f"{ODF_SCRIPT} event-listener", f"{ODF_TEXT} script"})

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
        reject(
            _("The file is too large (%(size)s): the limit is %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
            "too_large",
        )
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
                reject(
                    _("The image is too large (%(pixels)s megapixels).") % {"pixels": width * height // 1_000_000},
                    "image_pixels",
                )
            image.verify()
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        reject(_("The image is damaged or is not what its type says."), "damaged")


def _pdf_verdict(data):
    """``pdfcheck``'s verdict, from a child process with CPU and memory limits; a child that is stopped or
    overruns the wall-clock limit means a PDF too complex to check."""
    try:
        child = subprocess.run(
            [sys.executable, "-I", PDFCHECK],
            input=data,
            capture_output=True,
            check=False,
            timeout=pdfcheck.CPU_SECONDS * 2,
        )
    except subprocess.TimeoutExpired:
        return "too_complex"
    except OSError:
        logger.exception("The PDF check could not start")
        return "damaged"
    if child.returncode < 0:  # stopped by a signal: the CPU or memory limit
        return "too_complex"
    verdict = child.stdout.decode("ascii", "replace").strip()
    if child.returncode or verdict not in pdfcheck.VERDICTS:
        logger.error(
            "The PDF check failed (exit %s): %s", child.returncode, child.stderr.decode(errors="replace")[-2000:]
        )
        return "damaged"
    return verdict


def _check_pdf(data):
    if b"%%EOF" not in data[-2048:]:
        reject(_("The PDF is damaged or incomplete."), "damaged")
    # The document parsed by qpdf, compressed object streams included. (A search of the bytes outside the
    # streams, as before, missed those, and its stream pattern took quadratic time on crafted files.)
    problem = _pdf_verdict(data)
    if problem == "encrypted":
        reject(_("The PDF is protected by a password: save it again without protection."), "encrypted")
    if problem == "damaged":
        reject(_("The PDF is damaged and cannot be read: save it again or export it again as PDF."), "damaged")
    if problem == "active":
        reject(
            _(
                "The PDF contains scripts or actions that start programs, open other files or run on their own: "
                "save it again as plain PDF (PDF/A)."
            ),
            "active_content",
        )
    if problem == "too_complex":
        reject(
            _(
                "The PDF is too complex to be checked (too many objects, or parts that expand to too much data): "
                "print it again as PDF or split it into smaller files."
            ),
            "too_complex",
        )
    if problem == "attached":
        reject(
            _("The PDF contains attached files: remove them from the PDF and upload each file on its own."),
            "attached_files",
        )


def _is_link(target):
    return target.strip().lower().startswith(LINK_SCHEMES)


def _is_inside_package(target):
    """A reference to another part of the same document (relative, without a scheme, not climbing out)."""
    target = target.strip().replace("\\", "/")
    return not (URI_SCHEME.match(target) or target.startswith("/") or ".." in target.split("/"))


def _external_content():
    reject(
        _(
            "The document loads content from outside itself (a template, an object, a frame or an image linked "
            "from the web or a network folder): save it again with everything embedded."
        ),
        "external_content",
    )


def _refused_link():
    reject(
        _(
            "The document contains links to files, network folders or programs: only links to web pages and "
            "e-mail addresses are accepted. Remove them and save the document again."
        ),
        "external_content",
    )


def _xml_watcher(name):
    """An expat parser for one XML part of an office document that refuses, as it reads: DTDs (the way to
    entity expansion; only OpenOffice 2's bare DOCTYPE in the manifest is let through), DOCX relationships to
    anything outside the package except web and e-mail links, ODT references to outside resources and ODT
    scripts."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def doctype(_name, _system_id, _public_id, has_internal_subset):
        if has_internal_subset or name != "META-INF/manifest.xml":
            reject(
                _(
                    "The document's structure is not valid (it was altered or is damaged): save it again from "
                    "your word processor."
                ),
                "damaged",
            )

    def entity(*_args):
        doctype(None, None, None, True)

    def element(tag, attributes):
        if tag == OPC_RELATIONSHIP:
            target = attributes.get("Target", "")
            external = attributes.get("TargetMode", "").strip().lower() == "external"
            if attributes.get("Type", "").endswith("/hyperlink"):
                if external and not _is_link(target):
                    _refused_link()
            elif external or not _is_inside_package(target):
                _external_content()
        elif tag in ODF_SCRIPTS:
            reject(_("The document contains macros: save it again without them."), "macros")
        elif XLINK_HREF in attributes:
            target = attributes[XLINK_HREF]
            if tag in ODF_LINKS:
                if target.strip()[:1] not in ("", "#") and not _is_link(target):  # empty, or inside the document
                    _refused_link()
            elif not _is_inside_package(target):
                _external_content()

    parser.StartDoctypeDeclHandler = doctype
    parser.EntityDeclHandler = entity
    parser.UnparsedEntityDeclHandler = entity
    parser.StartElementHandler = element
    return parser


def _member_size(archive, info, budget):
    """Decompresses one entry, counting: declared sizes can lie, so the real ones are measured. XML parts
    are parsed on the way (see ``_xml_watcher``)."""
    total = 0
    parser = _xml_watcher(info.filename) if info.filename.lower().endswith((".xml", ".rels")) else None
    with archive.open(info) as member:
        while chunk := member.read(1024 * 1024):
            total += len(chunk)
            if total > budget:
                reject(_("The document expands to too much data when opened (a “zip bomb”)."), "zip_bomb")
            if parser:
                parser.Parse(chunk, False)
    if parser and total:
        parser.Parse(b"", True)
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
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        RuntimeError,
        EOFError,
        ValueError,
        expat.ExpatError,
    ):
        reject(_("The document is damaged or protected by a password."), "damaged")
    return None


def _detect(data, extension):
    content_type = magic.from_buffer(data[: 1024 * 1024], mime=True)
    if content_type in ZIP_TYPES and data[:4] == b"PK\x03\x04" and extension in {"docx", "odt"}:
        # Only a well-formed document counts as one, whatever its first bytes made libmagic think.
        content_type = _office_kind(data) or "application/zip"
    if content_type not in ALLOWED:
        reject(
            _("This type of file is not accepted: upload a PDF, a JPEG or PNG image, or a DOCX or ODT document."),
            "type",
        )
    kind, extensions = ALLOWED[content_type]
    if not extension:
        reject(
            _("The file's name has no extension: rename it so that it ends in .%(ext)s.")
            % {"ext": sorted(extensions)[0]},
            "extension",
        )
    if extension not in extensions:
        reject(
            _("The file's name (.%(ext)s) does not match its content (%(kind)s).")
            % {"ext": extension or "—", "kind": kind.label},
            "extension",
        )
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
    return CheckedUpload(
        data=data,
        original_name=original_name,
        kind=kind,
        content_type=content_type,
        sha256=hashlib.sha256(data).hexdigest(),
    )
