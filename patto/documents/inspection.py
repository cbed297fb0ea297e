"""What an upload really is, read from its content: the type from its magic bytes (libmagic), checked
against an allowlist and against the file's extension; no active content (HTML or script hidden in a
PDF or an image; in a PDF, read object by object with qpdf, no JavaScript, no action that starts a
program, opens another file or runs on its own, no attached files); images that decode within a pixel
limit; office files that are well-formed archives, without macros, not zip bombs and loading nothing
from outside themselves (templates, objects, images). Antivirus scanning is in ``antivirus``.

Every refusal is a ValidationError with a message for the person who uploaded the file."""

import hashlib
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, replace
from xml.parsers import expat

import magic
import pikepdf
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
# Names refused wherever they stand in a parsed PDF, as a key or as a value: scripts and the actions that
# start programs, submit or import data, open other files or rich media; the XFA forms that carry scripts.
PDF_REFUSED = frozenset({"/JavaScript", "/JS", "/Launch", "/RichMedia", "/RichMediaExecute", "/XFA", "/SubmitForm",
                         "/ImportData", "/GoToR", "/GoToE"})
# Files carried inside the PDF: the document's attachments and file-attachment annotations.
PDF_ATTACHED = frozenset({"/EmbeddedFiles", "/EmbeddedFile", "/EF", "/FileAttachment"})
# Keys whose action runs without a click: it may only go to a place in the document.
PDF_AUTOMATIC = frozenset({"/OpenAction", "/AA"})
# Link schemes that run code or open local files (a browser ignores controls and spaces inside a scheme).
PDF_URI_REFUSED = ("javascript:", "vbscript:", "data:", "file:")
URI_IGNORED = re.compile(r"[\x00-\x20]")

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


def _uri_refused(value):
    return URI_IGNORED.sub("", value).lower().startswith(PDF_URI_REFUSED)


def _navigation_only(action, depth=0):
    """True when an action that runs by itself (OpenAction, AA) only goes to a place in this document:
    a destination, or GoTo actions (with their /Next chain)."""
    if depth > 32:
        return False  # a /Next chain that loops
    if not isinstance(action, pikepdf.Object) or action._type_code != pikepdf.ObjectType.dictionary:
        return True  # a destination (an array or a name), or nothing
    if action.get("/S") != pikepdf.Name.GoTo:
        return False
    following = action.get("/Next")
    if isinstance(following, pikepdf.Object) and following._type_code == pikepdf.ObjectType.array:
        return all(isinstance(a, pikepdf.Object) and a._type_code == pikepdf.ObjectType.dictionary
                   and _navigation_only(a, depth + 1) for a in following)
    return _navigation_only(following, depth + 1)


def _pdf_problem(document):
    """What is wrong with a parsed PDF: "active", "attached" or None. Every object in the cross-reference
    table is read (qpdf unpacks compressed object streams and normalises escaped names and hex strings),
    reachable or not, with the direct objects nested in it."""
    dictionary, array, stream, name, string = (pikepdf.ObjectType.dictionary, pikepdf.ObjectType.array,
                                               pikepdf.ObjectType.stream, pikepdf.ObjectType.name_,
                                               pikepdf.ObjectType.string)
    pending = [document.trailer, *document.objects]
    while pending:
        obj = pending.pop()
        code = obj._type_code
        if code == stream:
            obj, code = obj.stream_dict, dictionary
        if code == array:
            pending.extend(item for item in obj if isinstance(item, pikepdf.Object) and not item.is_indirect
                           and item._type_code in (dictionary, array))
            continue
        if code != dictionary:
            continue
        for key, value in obj.items():
            if key in PDF_REFUSED:
                return "active"
            if key in PDF_ATTACHED:
                return "attached"
            if not isinstance(value, pikepdf.Object):
                continue
            kind = value._type_code
            if kind == name:
                value = str(value)
                if value in PDF_REFUSED:
                    return "active"
                if value in PDF_ATTACHED:
                    return "attached"
            elif key == "/URI" and kind == string and _uri_refused(str(value)):
                return "active"
            if key == "/OpenAction" and not _navigation_only(value):
                return "active"
            if key == "/AA" and kind == dictionary and not all(_navigation_only(action) for action in value.values()):
                return "active"
            if kind in (dictionary, array) and not value.is_indirect:
                pending.append(value)
    return None


def _check_pdf(data):
    if b"%%EOF" not in data[-2048:]:
        reject(_("The PDF is damaged or incomplete."), "damaged")
    # A cheap first pass over the PDF's own syntax, escaped names unescaped: it also sees objects that are
    # in the file but not in its cross-reference table. Stream contents are compressed binary where any
    # short name would turn up by chance, so they are left to the parser below (and to the antivirus).
    syntax = PDF_STREAM.sub(b"stream endstream", data)
    unescaped = PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), syntax)
    if PDF_ACTIVE.search(unescaped):
        reject(_("The PDF contains scripts or actions that start programs: save it again as plain PDF (PDF/A)."),
               "active_content")
    # The decision: the document parsed by qpdf, compressed object streams included.
    try:
        with pikepdf.open(io.BytesIO(data)) as document:
            problem = _pdf_problem(document)
    except pikepdf.PasswordError:
        reject(_("The PDF is protected by a password: save it again without protection."), "encrypted")
    except (pikepdf.PdfError, ValueError, TypeError, RuntimeError, OverflowError):  # RecursionError included
        reject(_("The PDF is damaged and cannot be read: save it again or export it again as PDF."), "damaged")
    if problem == "active":
        reject(_("The PDF contains scripts or actions that start programs, open other files or run on their own: "
                 "save it again as plain PDF (PDF/A)."), "active_content")
    if problem == "attached":
        reject(_("The PDF contains attached files: remove them from the PDF and upload each file on its own."),
               "attached_files")


def _is_link(target):
    return target.strip().lower().startswith(LINK_SCHEMES)


def _is_inside_package(target):
    """A reference to another part of the same document (relative, without a scheme, not climbing out)."""
    target = target.strip().replace("\\", "/")
    return not (URI_SCHEME.match(target) or target.startswith("/") or ".." in target.split("/"))


def _external_content():
    reject(_("The document loads content from outside itself (a template, an object, a frame or an image linked "
             "from the web or a network folder): save it again with everything embedded."), "external_content")


def _refused_link():
    reject(_("The document contains links to files, network folders or programs: only links to web pages and "
             "e-mail addresses are accepted. Remove them and save the document again."), "external_content")


def _xml_watcher(name):
    """An expat parser for one XML part of an office document that refuses, as it reads: DTDs (the way to
    entity expansion; only OpenOffice 2's bare DOCTYPE in the manifest is let through), DOCX relationships to
    anything outside the package except web and e-mail links, ODT references to outside resources and ODT
    scripts."""
    parser = expat.ParserCreate(namespace_separator=" ")

    def doctype(_name, _system_id, _public_id, has_internal_subset):
        if has_internal_subset or name != "META-INF/manifest.xml":
            reject(_("The document's structure is not valid (it was altered or is damaged): save it again from "
                     "your word processor."), "damaged")

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
                if not (target.strip().startswith("#") or _is_link(target)):
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
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, ValueError,
            expat.ExpatError):
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
