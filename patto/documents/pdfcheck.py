"""The PDF check: the document parsed by qpdf (through pikepdf), compressed object streams unpacked, escaped
names and hex strings normalised, every object of the cross-reference table read, reachable or not. Refused:
JavaScript anywhere, actions that start programs, submit or import data, open other files or rich media;
actions that run without a click (OpenAction, AA) unless they only go to a place in the document; links
with javascript:, vbscript:, data: or file:; attached files; XFA forms.

A hostile PDF can make any parser work hard (millions of objects, object streams that inflate to gigabytes),
so ``inspection`` runs this file in a child process with CPU time and memory limits, and reads its verdict
from standard output: ok, active, attached, encrypted, damaged or too_complex. It imports nothing from
Django or Patto."""

import io
import re
import resource
import sys

import pikepdf

# Names refused wherever they stand, as a key or as a value: scripts and the actions that start programs,
# submit or import data, open other files or rich media; the XFA forms that carry scripts.
PDF_REFUSED = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/Launch",
        "/RichMedia",
        "/RichMediaExecute",
        "/XFA",
        "/SubmitForm",
        "/ImportData",
        "/GoToR",
        "/GoToE",
    }
)
# Files carried inside the PDF: the document's attachments and file-attachment annotations.
PDF_ATTACHED = frozenset({"/EmbeddedFiles", "/EmbeddedFile", "/EF", "/FileAttachment"})
# Any of the names above, or a key whose value needs a closer look (automatic actions, links), in qpdf's
# serialisation of an object: a name ends at a delimiter or a space.
PDF_WATCHED = re.compile(
    rb"/(JavaScript|JS|Launch|RichMedia|RichMediaExecute|XFA|SubmitForm|ImportData|GoToR|GoToE"
    rb"|EmbeddedFiles|EmbeddedFile|EF|FileAttachment|OpenAction|AA|URI)(?![^\x00\t\n\x0c\r ()<>\[\]{}/%])"
)
# A link's address in qpdf's serialisation: a literal string (qpdf escapes every parenthesis), a hex string, or a
# reference to a string object.
URI_VALUE = re.compile(rb"/URI\s*(\((?:\\.|[^\\)])*\)|<[0-9A-Fa-f\s]*>|(\d+) (\d+) R)", re.DOTALL)
LITERAL_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f", b"\n": b"", b"\r": b""}
# Link schemes that run code or open local files (a browser ignores controls and spaces inside a scheme).
PDF_URI_REFUSED = ("javascript:", "vbscript:", "data:", "file:")
URI_IGNORED = re.compile(r"[\x00-\x20]")

# Ordinary documents have a few thousand objects (a 376-page report with 6,000 links: 6,900); each costs
# parsing time, so past this a PDF is refused, counted from the cross-reference table before any is parsed.
MAX_OBJECTS = 100_000
# The child's limits. One stream (object stream, cross-reference stream) may not inflate past FLATE_MAX_BYTES
# (a legitimate one is a few megabytes at most); past CPU_SECONDS or MEMORY_BYTES the child is stopped.
FLATE_MAX_BYTES = 64 * 1024 * 1024
CPU_SECONDS = 15
MEMORY_BYTES = 1536 * 1024 * 1024
VERDICTS = frozenset({"ok", "active", "attached", "encrypted", "damaged", "too_complex"})


def _uri_refused(value):
    return URI_IGNORED.sub("", value).lower().startswith(PDF_URI_REFUSED)


def _string_bytes(token):
    """The bytes of a string token as qpdf writes it: (literal, escaped) or <hex>."""
    if token.startswith(b"<"):
        digits = re.sub(rb"\s", b"", token[1:-1])
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode())
    return LITERAL_ESCAPE.sub(
        lambda m: bytes([int(m[1], 8) & 0xFF]) if m[1][:1].isdigit() else ESCAPED.get(m[1], m[1]), token[1:-1]
    )


def _uris_problem(document, serialised):
    """An object whose only watched name is /URI: its addresses, read from qpdf's serialisation (many times
    faster than walking the object, and a document can have tens of thousands of links)."""
    for match in URI_VALUE.finditer(serialised):
        if match[2]:
            target = document.get_object(int(match[2]), int(match[3]))
            if (
                isinstance(target, pikepdf.Object)
                and target._type_code == pikepdf.ObjectType.string
                and _uri_refused(str(target))
            ):
                return "active"
            continue
        raw = _string_bytes(match[1])
        if raw.startswith((b"\xfe\xff", b"\xff\xfe")):
            raw = raw[2:].decode("utf-16-be" if raw[0] == 0xFE else "utf-16-le", "ignore").encode("latin-1", "ignore")
        if _uri_refused(raw.decode("latin-1")):
            return "active"
    return None


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
        return all(
            isinstance(a, pikepdf.Object)
            and a._type_code == pikepdf.ObjectType.dictionary
            and _navigation_only(a, depth + 1)
            for a in following
        )
    return _navigation_only(following, depth + 1)


def _object_problem(top):
    """What is wrong with one object and the direct objects nested in it: "active", "attached" or None."""
    dictionary, array, name, string = (
        pikepdf.ObjectType.dictionary,
        pikepdf.ObjectType.array,
        pikepdf.ObjectType.name_,
        pikepdf.ObjectType.string,
    )
    pending = [top]
    while pending:
        obj = pending.pop()
        if obj._type_code == array:
            pending.extend(
                item
                for item in obj
                if isinstance(item, pikepdf.Object) and not item.is_indirect and item._type_code in (dictionary, array)
            )
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


def _watched_problem(document, obj):
    """What is wrong with one indirect object (or the trailer), read key by key only when qpdf's serialisation
    of it names something watched: most objects are passed at C++ speed."""
    code = obj._type_code
    if code == pikepdf.ObjectType.stream:
        obj = obj.stream_dict
    elif code not in (pikepdf.ObjectType.dictionary, pikepdf.ObjectType.array):
        return None
    serialised = obj.unparse(resolved=True)
    watched = set(PDF_WATCHED.findall(serialised))
    if not watched:
        return None
    # Links are common (tens of thousands in a long report): their addresses are read from the serialisation.
    # Anything else is walked (a watched name may also be mere text inside a string).
    return _uris_problem(document, serialised) if watched == {b"URI"} else _object_problem(obj)


def _pdf_problem(document):
    """What is wrong with a parsed PDF: "active", "attached", "too_complex" or None. Every object in the
    cross-reference table is read, reachable or not: qpdf unpacks compressed object streams and normalises
    escaped names and hex strings."""
    size = document.trailer.get("/Size")
    if isinstance(size, int) and size > MAX_OBJECTS + 1:  # refused at once when the trailer says so
        return "too_complex"
    table = document.get_xref_table()  # and counted, for the trailer can lie (qpdf reads the table anyway)
    if len(table) > MAX_OBJECTS:
        return "too_complex"
    if problem := _watched_problem(document, document.trailer):
        return problem
    unread_streams = set()
    for (number, generation), entry in table.items():
        if entry.type == 0:
            continue  # a free entry
        obj = document.get_object(number, generation)
        if not isinstance(obj, pikepdf.Object):  # null, or an object qpdf could not read
            if entry.type == 2:
                unread_streams.add(entry.obj_stream_number)
        elif problem := _watched_problem(document, obj):
            return problem
    # An object in an object stream that qpdf could not unpack (past FLATE_MAX_BYTES, say) reads as null here,
    # but a viewer without that limit would read it.
    for number in unread_streams:
        try:
            document.get_object(number, 0).read_bytes()
        except pikepdf.PdfError:
            return "too_complex"
    return None


def verdict(data):
    """The verdict on a PDF's bytes (in this process: ``main`` is the sandboxed way)."""
    limits_hit = pikepdf.settings.qpdf_limit_errors()
    try:
        with pikepdf.open(io.BytesIO(data)) as document:
            problem = _pdf_problem(document)
    except pikepdf.PasswordError:
        return "encrypted"
    except (pikepdf.PdfError, ValueError, TypeError, RuntimeError, OverflowError):  # RecursionError included
        return "damaged"
    if problem:
        return problem
    # An object qpdf's parser gave up on (past one of its limits) reads as null here but not in a viewer.
    return "too_complex" if pikepdf.settings.qpdf_limit_errors() > limits_hit else "ok"


def main():
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS + 1))
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    pikepdf.settings.set_qpdf_limits(flate_max_memory=FLATE_MAX_BYTES, doc_max_warnings=1000)
    try:
        result = verdict(sys.stdin.buffer.read())
    except MemoryError:
        result = "too_complex"
    sys.stdout.write(result)


if __name__ == "__main__":
    main()
