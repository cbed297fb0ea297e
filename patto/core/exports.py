"""Shared export helpers, the only way Patto writes a PDF or a spreadsheet: PDFs tagged for screen readers
(PDF/UA-1) and fit for long-term conservation (PDF/A-3u); XLSX with typed cells and formulas neutralised."""

import io
import itertools
import mimetypes
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, NamedTuple
from urllib.parse import unquote, urljoin, urlsplit
from xml.etree import ElementTree

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext
from weasyprint.urls import URLFetcher, URLFetcherResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The base of relative URLs in a PDF rendered without a request: a name that never resolves (RFC 2606).
PDF_ORIGIN = "https://patto.invalid/"
PDF_STYLESHEET = "patto/plan.css"


class StaticFilesFetcher(URLFetcher):
    """WeasyPrint's only way to the outside: Patto's own static files (found by the staticfiles finders, for
    URLs under STATIC_URL at the document's origin), read from disk. Everything else is refused before any
    I/O: other hosts, http(s) to the network, file:, data:, ftp:. WeasyPrint logs a refusal and renders on
    without the resource. data: URLs are refused too: no Patto template needs one."""

    def __init__(self, origin=PDF_ORIGIN):
        super().__init__(allowed_protocols=())  # the inherited network fetch refuses every protocol anyway
        self.static_prefix = urljoin(origin, settings.STATIC_URL)

    def static_url(self, path):
        return self.static_prefix + path

    def static_file(self, url):
        """The file a URL names among the static files, or None."""
        if not url.startswith(self.static_prefix):
            return None
        relative = unquote(urlsplit(url[len(self.static_prefix) :]).path)
        if (
            not relative
            or "\0" in relative
            or "\\" in relative
            or relative.startswith("/")
            or any(part in ("", ".", "..") for part in relative.split("/"))
        ):
            return None
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:
            return None
        if not found:
            return None
        path = Path(found).resolve()
        roots = [
            Path(storage.location).resolve()
            for finder in finders.get_finders()
            for storage in getattr(finder, "storages", {}).values()
        ]
        if not path.is_file() or not any(path.is_relative_to(root) for root in roots):
            return None  # a symbolic link out of the static folders
        return path

    def fetch(self, url, headers=None):
        path = self.static_file(url)
        if path is None:
            raise ValueError(f"Patto's PDFs load only Patto's static files, not {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


# PDF/A-3u: the archival profile the Comune's document management and conservation accept (Unicode text, fonts
# embedded, sRGB output intent), tagged (pdf_tags) for PDF/UA-1. WeasyPrint writes one variant at a time: the
# PDF/UA-1 identification and DisplayDocTitle, which PDF/UA-1 requires and WeasyPrint leaves out, are added by
# _accessible below. PDF/A-3a ("accessible" conformance) would claim more of WeasyPrint's tagging than it
# promises: PDF/A-3u with the structure tree and the PDF/UA claim is the honest pair.
PDF_VARIANT = "pdf/a-3u"
XMP_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XMP_PDFAID_PART = "{http://www.aiim.org/pdfa/ns/id/}part"
XMP_PDFUAID_PART = "{http://www.aiim.org/pdfua/ns/id/}part"


def _accessible(document, pdf):
    """WeasyPrint's finisher: the viewer shows the document's title (not the file name), and the XMP metadata
    declare PDF/UA-1 beside PDF/A-3u (one rdf:Description carries both identifications)."""
    import pydyf

    pdf.catalog["ViewerPreferences"] = pydyf.Dictionary({"DisplayDocTitle": "true"})
    metadata = pdf.objects[int(pdf.catalog["Metadata"].split()[0])]
    packet = b"".join(metadata.stream)
    start, end = packet.index(b"<rdf:RDF"), packet.index(b"</rdf:RDF>") + len(b"</rdf:RDF>")
    ElementTree.register_namespace("pdfuaid", XMP_PDFUAID_PART[1 : XMP_PDFUAID_PART.index("}")])
    rdf = ElementTree.fromstring(packet[start:end])
    for description in rdf.iter(f"{XMP_RDF}Description"):
        if XMP_PDFAID_PART in description.attrib:
            description.set(XMP_PDFUAID_PART, "1")
    metadata.stream = [
        packet[:start] + ElementTree.tostring(rdf, encoding="utf-8", xml_declaration=False) + packet[end:]
    ]


def render_pdf(html, origin=PDF_ORIGIN):
    """The PDF of an HTML page, with the print stylesheet; nothing is fetched but Patto's static files. Tagged
    (PDF/UA-1) and PDF/A-3u: the page must have ``<html lang>`` and a ``<title>`` (the PDF's language and the
    title a viewer shows)."""
    fetcher = StaticFilesFetcher(origin)
    stylesheet = weasyprint.CSS(url=fetcher.static_url(PDF_STYLESHEET), url_fetcher=fetcher)
    return weasyprint.HTML(string=html, base_url=origin, url_fetcher=fetcher).write_pdf(
        stylesheets=[stylesheet], pdf_variant=PDF_VARIANT, pdf_tags=True, finisher=_accessible
    )


# A long document is rendered in parts, each a WeasyPrint document of its own whose boxes are freed before the
# next is laid out, and the parts' PDFs are written one after the other into one file (render_pdf_parts), each
# part's objects renumbered and copied as they are, then let go: memory stays that of one part whatever the
# length. The pages of a part number on from the previous part's; the total ("3 / 250") is not known while the
# first parts are laid out, so a document in parts shows the page number alone.
PART_PAGE_NUMBERS = "@page {{ @bottom-right {{ content: counter(page); }} }} @page :first {{ counter-reset: page {} }}"
# The joined file's own objects: its catalog, page tree, structure tree root, Document element, parent tree.
_CATALOG, _PAGES, _TREE, _DOCUMENT, _PARENT_TREE = 1, 2, 3, 4, 5


def render_pdf_parts(parts, target, origin=PDF_ORIGIN):
    """One PDF, written to the path ``target``, of a document in parts: ``parts`` yields each part's HTML (a
    whole page with ``<html lang>`` and ``<title>``, rendered only when asked for, so a generator keeps one
    part in memory at a time). The first part gives the document its title, language, metadata and bookmarks;
    a later part should not carry headings (its bookmarks are not kept). Like ``render_pdf``: tagged (PDF/UA-1)
    and PDF/A-3u. WeasyPrint tags each page as one ``Part`` element of the ``Document``: the joined Document
    holds every part's page elements in order, with the parent-tree keys of a later part shifted past the
    previous parts' and its element IDs (the table headers' targets) made unique."""
    import gc

    from weasyprint.text.fonts import FontConfiguration

    fetcher = StaticFilesFetcher(origin)
    # One font configuration for every part (the fonts are loaded once).
    fonts = FontConfiguration()
    stylesheet = weasyprint.CSS(url=fetcher.static_url(PDF_STYLESHEET), url_fetcher=fetcher, font_config=fonts)
    with open(target, "wb") as output:
        writer = _PartsWriter(output)
        for number, html in enumerate(parts):
            numbering = weasyprint.CSS(string=PART_PAGE_NUMBERS.format(len(writer.pages) + 1))
            content = weasyprint.HTML(string=html, base_url=origin, url_fetcher=fetcher).write_pdf(
                stylesheets=[stylesheet, numbering],
                font_config=fonts,
                pdf_variant=PDF_VARIANT,
                pdf_tags=True,
                finisher=_accessible,
            )
            del html
            gc.collect()  # the part's boxes go before the next part is laid out (they hold reference cycles)
            writer.add(content, f"p{number}-" if number else "")
            del content
        writer.finish()


class _PartsWriter:
    """Writes the PDFs of a document's parts into one file, a part at a time (render_pdf_parts): what stays in
    memory is each object's offset, the pages' and the Document's references and the parent tree's keys."""

    def __init__(self, output):
        self.output = output
        self.offsets = {}
        self.pages, self.elements, self.parent_tree = [], [], []
        self.base = _PARENT_TREE  # a part's object n is written as base + n
        self.next_key = 0
        self.head = None  # the first part's catalog entries, tree root entries, Info and ID

    def add(self, content, id_prefix):
        import pikepdf

        with pikepdf.open(io.BytesIO(content)) as part:
            if self.head is None:
                self.output.write(b"%PDF-" + part.pdf_version.encode() + b"\n%\xe2\xe3\xcf\xd3\n")
            root, tree = part.Root, part.Root.StructTreeRoot
            (document,) = _kids(tree)
            own = {
                root.objgen: _CATALOG,
                root.Pages.objgen: _PAGES,
                tree.objgen: _TREE,
                document.objgen: _DOCUMENT,
                tree.ParentTree.objgen: _PARENT_TREE,
            }
            self.own, self.keys = own, {}
            shift = self.next_key
            nums = tree.ParentTree.Nums
            for index in range(0, len(nums), 2):
                self.parent_tree.append((int(nums[index]) + shift, self._value(nums[index + 1])))
                self.next_key = max(self.next_key, int(nums[index]) + shift + 1)
            for page in part.pages:
                if "/StructParents" in page.obj:
                    page.obj.StructParents = int(page.obj.StructParents) + shift
                for annotation in page.obj.get("/Annots", []):
                    if "/StructParent" in annotation:
                        annotation.StructParent = int(annotation.StructParent) + shift
                self.pages.append(self._value(page.obj))
            for element in _kids(document):
                if id_prefix:
                    _unique_ids(element, id_prefix)
                self.elements.append(self._value(element))
            if self.head is None:
                skip = ("/Type", "/Pages", "/StructTreeRoot")
                self.head = {
                    "catalog": b"".join(self._entry(key, value) for key, value in root.items() if key not in skip),
                    "tree": b"".join(
                        self._entry(key, value)
                        for key, value in tree.items()
                        if key not in ("/Type", "/K", "/ParentTree", "/ParentTreeNextKey")
                    ),
                    "trailer": b"".join(
                        self._entry(key, part.trailer[key]) for key in ("/Info", "/ID") if key in part.trailer
                    ),
                }
            last = self.base
            for obj in part.objects:
                if not getattr(obj, "is_indirect", False) or obj.objgen in own:
                    continue
                if isinstance(obj, pikepdf.Stream) and obj.stream_dict.get("/Type") in ("/ObjStm", "/XRef"):
                    continue
                number = self.base + obj.objgen[0]
                self._write(number, self._stream(obj) if isinstance(obj, pikepdf.Stream) else self._value(obj, True))
                last = max(last, number)
            self.base = last

    def _write(self, number, body):
        self.offsets[number] = self.output.tell()
        self.output.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def _stream(self, stream):
        raw = stream.read_raw_bytes()
        entries = b"".join(self._entry(k, v) for k, v in stream.stream_dict.items() if k != "/Length")
        return b"<<%s/Length %d>>\nstream\n%s\nendstream" % (entries, len(raw), raw)

    def _entry(self, key, value):
        name = self.keys.get(key)
        if name is None:
            import pikepdf

            name = self.keys[key] = pikepdf.Name(key).unparse()
        return name + b" " + self._value(value) + b"\n"

    def _value(self, value, body=False):
        """The bytes of ``value``, a reference for an indirect object (unless it is the object written)."""
        import pikepdf

        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if value is None:
            return b"null"
        if not isinstance(value, pikepdf.Object):
            return format(value, "f").encode()  # a real number (Decimal): never in exponent notation
        if not body and value.is_indirect:
            return b"%d 0 R" % self.own.get(value.objgen, self.base + value.objgen[0])
        if isinstance(value, pikepdf.Dictionary):
            return b"<<" + b"".join(self._entry(k, v) for k, v in value.items()) + b">>"
        if isinstance(value, pikepdf.Array):
            return b"[" + b" ".join(self._value(item) for item in value) + b"]"
        return value.unparse()

    def finish(self):
        write, head = self._write, self.head
        nums = b" ".join(b"%d %s" % (key, value) for key, value in self.parent_tree)
        write(
            _CATALOG,
            b"<</Type /Catalog\n/Pages %d 0 R\n/StructTreeRoot %d 0 R\n%s>>" % (_PAGES, _TREE, head["catalog"]),
        )
        write(_PAGES, b"<</Type /Pages /Count %d /Kids [%s]>>" % (len(self.pages), b" ".join(self.pages)))
        write(
            _TREE,
            b"<</Type /StructTreeRoot /K [%d 0 R] /ParentTree %d 0 R /ParentTreeNextKey %d\n%s>>"
            % (_DOCUMENT, _PARENT_TREE, self.next_key, head["tree"]),
        )
        write(
            _DOCUMENT,
            b"<</Type /StructElem /S /Document /P %d 0 R /K [%s]>>" % (_TREE, b" ".join(self.elements)),
        )
        write(_PARENT_TREE, b"<</Nums [%s]>>" % nums)
        size = max(self.offsets) + 1
        start = self.output.tell()
        self.output.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
        for number in range(1, size):
            offset = self.offsets.get(number)
            self.output.write(b"%010d 00000 n \n" % offset if offset is not None else b"0000000000 00000 f \n")
        self.output.write(
            b"trailer\n<</Size %d /Root %d 0 R\n%s>>\nstartxref\n%d\n%%%%EOF\n"
            % (size, _CATALOG, head["trailer"], start)
        )


def _kids(element):
    """A structure element's kids as a list (``/K`` is one kid or an array of them)."""
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _unique_ids(element, prefix):
    """Prefix the structure element IDs below ``element`` and the table cells' references to them."""
    import pikepdf

    stack = [element]
    while stack:
        element = stack.pop()
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue  # marked-content references and integers (MCIDs)
        if "/ID" in element:
            element.ID = pikepdf.String(prefix + str(element.ID))
        attributes = element.get("/A")
        for attribute in (
            [] if attributes is None else attributes if isinstance(attributes, pikepdf.Array) else [attributes]
        ):
            if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                attribute.Headers = pikepdf.Array([pikepdf.String(prefix + str(h)) for h in attribute.Headers])
        stack.extend(_kids(element))


def pdf_response(request, template, context, filename):
    """Render ``template`` to PDF with the print stylesheet; the caller logs the access."""
    html = render_to_string(template, {**context, "pdf": True}, request=request)
    response = HttpResponse(render_pdf(html, origin=request.build_absolute_uri("/")), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def safe_cell(value):
    """A value that a spreadsheet will show as text, never run as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


# Excel's rules for a sheet's name: at most 31 characters, none of these, not starting or ending with '.
SHEET_TITLE_FORBIDDEN = re.compile(r"[/\\?*\[\]:]")
# Characters XML 1.0 cannot carry (openpyxl refuses them): control characters but tab, line feed, return.
XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# The built-in formats 14 and 22 are the reader's own short date (and time): a spreadsheet in Italian shows
# 01/12/2026, one in English its own, and the cell stays a date to sort and filter by.
DATE_FORMAT = "mm-dd-yy"
DATETIME_FORMAT = "m/d/yy h:mm"
MAX_WIDTH = 60
WIDTH_SAMPLE = 200  # rows looked at to size the columns (the rest stream through)


def sheet_title(name):
    """A name any spreadsheet accepts as a sheet's title, from a name people typed (a period's, say)."""
    title = SHEET_TITLE_FORBIDDEN.sub("-", XML_ILLEGAL.sub("", str(name))).strip()[:31].strip("' ")
    return title or gettext("Sheet")


def _typed(value):
    """(the value as the spreadsheet keeps it, its number format or None)."""
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.replace(tzinfo=None), DATETIME_FORMAT
    if isinstance(value, date):
        return value, DATE_FORMAT
    if value is None or isinstance(value, (bool, int, float, Decimal)):
        return value, None
    return safe_cell(XML_ILLEGAL.sub("", str(value))), None


def _width(value):
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 11
    return max((len(line) for line in str(value).splitlines()), default=0) if value is not None else 0


class Sheet(NamedTuple):
    """A sheet of a spreadsheet: ``rows`` may be a generator; ``widths`` (characters) default to a fit of
    the header and the first rows."""

    title: str
    header: list
    rows: Iterable
    widths: list | None = None


def write_xlsx(target, sheets):
    """A workbook with one sheet per ``Sheet``: a bold header row, frozen and filtered; dates and numbers
    typed (a date is a date, a count a number); text never runs as a formula. Written in openpyxl's
    write-only mode, so memory stays flat whatever the number of rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    titles = set()
    for sheet in sheets:
        title = sheet_title(sheet.title)
        while title.casefold() in titles:  # Excel's names are unique regardless of case
            title = f"{title[:28]} {len(titles) + 1}"
        titles.add(title.casefold())
        _write_sheet(workbook.create_sheet(title), sheet)
    workbook.save(target)


def _write_sheet(sheet, spec):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    rows = iter(spec.rows)
    sample = list(itertools.islice(rows, WIDTH_SAMPLE))
    widths = spec.widths or [
        min(max([len(str(label))] + [_width(row[index]) for row in sample]) + 2, MAX_WIDTH)
        for index, label in enumerate(spec.header)
    ]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold, wrap = Font(bold=True), Alignment(wrap_text=True, vertical="top")

    def cell(value, font=None):
        value, number_format = _typed(value)
        written = WriteOnlyCell(sheet, value=value)
        if number_format:
            written.number_format = number_format
        if font:
            written.font = font
        elif isinstance(value, str) and len(value) > MAX_WIDTH:
            written.alignment = wrap
        return written

    sheet.append([cell(str(label), bold) for label in spec.header])
    count = 0
    for row in itertools.chain(sample, rows):
        sheet.append([cell(value) for value in row])
        count += 1
    sheet.auto_filter.ref = f"A1:{get_column_letter(max(len(spec.header), 1))}{count + 1}"


def xlsx_download(sheets, filename):
    """A workbook of ``Sheet``s (``write_xlsx``) as a download."""
    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def xlsx_response(title, header, rows, filename, widths=None):
    """A spreadsheet of one sheet as a download."""
    return xlsx_download([Sheet(title, header, rows, widths)], filename)


# --- Exports that can grow: built in the background ---------------------------------------------------------
#
# An app registers each export that can grow, once, in its AppConfig.ready():
#
#     register_export("governance.report_pdf", build=build_report_pdf, check=report_check,
#                     title=gettext_lazy("Monitoring report (PDF)"))
#
# - ``build(params, actor)`` runs in the worker (in a process of its own) with the requester as ``actor``, acting
#   under the membership they acted under when they asked. It fetches and authorises like a view (a refusal,
#   Http404 or PermissionDenied, fails the job with a plain message), writes the access row like the view
#   would, keeps no transaction open while it renders, and returns an ``Export``: the content as bytes, or
#   the path of a file it wrote in chunks (moved into the exports' storage, then removed).
# - ``check(request, params)`` repeats the original view's access check when the file is downloaded: it raises
#   Http404 / PermissionDenied, or returns a response to send instead (a step-up redirect), or None.
# - ``params`` is JSON that names what to export (ids), never personal data.
#
# In the view: ``if fits_in_request(size)`` render it directly as before, otherwise
# ``return exportjobs.queue_export(request, kind, params)`` (a redirect to the "being prepared" page).


class Export(NamedTuple):
    """What an export builder returns: the name the download gets, its type, and ``content``: bytes, or the
    path (str or Path) of a file the builder wrote."""

    filename: str
    content_type: str
    content: "bytes | str | Path"


class ExportKind(NamedTuple):
    build: Callable
    check: Callable
    title: str


_export_kinds = {}


def register_export(kind, *, build, check, title):
    """Register an export that may be built in the background (see the comment above)."""
    _export_kinds[kind] = ExportKind(build, check, title)


def export_kind(kind):
    """The registered ``ExportKind`` of ``kind`` (KeyError if none)."""
    return _export_kinds[kind]


def fits_in_request(size):
    """Whether an export of ``size`` rows (commitments, families…) is still built inside the request."""
    return size <= settings.PATTO_EXPORT_DIRECT_MAX
