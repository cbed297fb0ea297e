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
