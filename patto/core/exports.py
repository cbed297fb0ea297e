"""Shared export helpers: PDF from a template, XLSX with spreadsheet formulas neutralised."""

import io
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpResponse
from django.template.loader import render_to_string
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
        relative = unquote(urlsplit(url[len(self.static_prefix):]).path)
        if not relative or "\0" in relative or "\\" in relative or relative.startswith("/") \
                or any(part in ("", ".", "..") for part in relative.split("/")):
            return None
        try:
            found = finders.find(relative)
        except SuspiciousFileOperation:
            return None
        if not found:
            return None
        path = Path(found).resolve()
        roots = [Path(storage.location).resolve() for finder in finders.get_finders()
                 for storage in getattr(finder, "storages", {}).values()]
        if not path.is_file() or not any(path.is_relative_to(root) for root in roots):
            return None  # a symbolic link out of the static folders
        return path

    def fetch(self, url, headers=None):
        path = self.static_file(url)
        if path is None:
            raise ValueError(f"Patto's PDFs load only Patto's static files, not {url[:200]}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})


def render_pdf(html, origin=PDF_ORIGIN):
    """The PDF of an HTML page, with the print stylesheet; nothing is fetched but Patto's static files."""
    fetcher = StaticFilesFetcher(origin)
    stylesheet = weasyprint.CSS(url=fetcher.static_url(PDF_STYLESHEET), url_fetcher=fetcher)
    return weasyprint.HTML(string=html, base_url=origin, url_fetcher=fetcher).write_pdf(stylesheets=[stylesheet])


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


def xlsx_response(title, header, rows, filename):
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append([safe_cell(value) for value in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
