"""WeasyPrint's URL fetcher: Patto's PDFs load Patto's own static files and nothing else (issue 8)."""

import io
import socket
import urllib.request

import pypdf
import pytest

from patto.core.exports import PDF_ORIGIN, StaticFilesFetcher, pdf_response, render_pdf

HOSTILE = (
    '<html lang="it"><head><link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head><body>'
    '<h1>Piano</h1><img src="file:///etc/passwd" alt=""><img src="/static/../../patto/settings.py" alt="">'
    '<img src="data:image/png;base64,iVBORw0KGgo=" alt=""><a rel="attachment" href="file:///etc/hostname">a</a>'
    "</body></html>"
)


@pytest.fixture
def no_network_no_files(monkeypatch):
    """Any attempt at the network or at urllib's file handler fails the test."""

    def refuse(*args, **kwargs):
        pytest.fail(f"fetched: {args[1:2]}")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_a_pdf_fetches_nothing_outside_the_static_files_and_the_stylesheet_still_applies(no_network_no_files, caplog):
    """Issue 8 (smaller items): file:, http(s) to the network, data: and a path climbing out of /static/ are
    refused by the fetcher before any I/O; the PDF renders, with plan.css (fetched through the same fetcher)
    applied: its page counter is on the page."""
    pdf = render_pdf(HOSTILE)
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    text = reader.pages[0].extract_text()
    assert "Piano" in text and "1 / 1" in text
    assert "root:" not in text and not reader.attachments
    refused = " ".join(record.getMessage() for record in caplog.records)
    for url in ("http://127.0.0.1:9/x.css", "file:///etc/passwd", "data:image/png", "file:///etc/hostname"):
        assert url in refused


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://patto.invalid.example.org/static/patto/plan.css",
        "https://altro.example/static/patto/plan.css",
        "data:text/css,body{}",
        "ftp://127.0.0.1/x",
        f"{PDF_ORIGIN}static/../patto/settings.py",
        f"{PDF_ORIGIN}static/patto/%2e%2e/%2e%2e/settings.py",
        f"{PDF_ORIGIN}static/%2fetc/passwd",
        f"{PDF_ORIGIN}static/patto//plan.css",
        f"{PDF_ORIGIN}patto/plan.css",
        f"{PDF_ORIGIN}static/patto/missing.css",
        f"{PDF_ORIGIN}static/",
        f"{PDF_ORIGIN}static/patto/..%5c..%5csettings.py",
    ],
)
def test_the_fetcher_refuses_everything_but_static_files(no_network_no_files, url):
    with pytest.raises(ValueError):
        StaticFilesFetcher().fetch(url)


def test_the_fetcher_serves_a_static_file_at_the_requests_origin(no_network_no_files):
    fetcher = StaticFilesFetcher("http://testserver/")
    response = fetcher.fetch("http://testserver/static/patto/plan.css")
    assert b"@page" in response.read() and response.content_type == "text/css"
    with pytest.raises(ValueError):
        fetcher.fetch(f"{PDF_ORIGIN}static/patto/plan.css")  # another origin


def test_pdf_response_renders_with_the_restricted_fetcher(no_network_no_files, rf, monkeypatch):
    monkeypatch.setattr("patto.core.exports.render_to_string", lambda *args, **kwargs: HOSTILE)
    response = pdf_response(rf.get("/"), "unused.html", {}, "piano.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "1 / 1" in pypdf.PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
