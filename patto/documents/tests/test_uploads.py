import io
import os
import time
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from patto.audit.models import AuditEvent
from patto.core.exports import render_pdf
from patto.documents import antivirus as clamav
from patto.documents import inspection, pdfcheck
from patto.documents.inspection import clean_name, inspect_upload
from patto.documents.models import Attachment
from patto.documents.services import check_upload, store_attachment

from . import samples

CORPUS = samples.malicious_corpus()
# Why each is refused: the check that must catch it (a later check catching it would hide a hole).
EXPECTED = {
    "html with script": "type",
    "html named as pdf": "type",
    "svg with script": "type",
    "svg named as png": "type",
    "polyglot pdf/html": "active_content",
    "polyglot png/html in capitals": "active_content",
    "pdf with a javascript: link": "active_content",
    "pdf with javascript": "active_content",
    "pdf with hex-escaped javascript": "active_content",
    "pdf launching a program": "active_content",
    "double extension, html inside": "type",
    "double extension, pdf inside": "extension",
    "double extension, image inside": "extension",
    "no extension": "extension",
    "pdf named as image": "extension",
    "truncated pdf": "damaged",
    "damaged image": "damaged",
    "pixel bomb": "image_pixels",
    "zip bomb": "zip_bomb",
    "too many entries": "zip_bomb",
    "word macros": "macros",
    "plain zip named docx": "type",
    "docx without its document": "type",
    "pdf open action javascript in an object stream": "active_content",
    "pdf document javascript in an object stream": "active_content",
    "pdf launch link in an object stream": "active_content",
    "pdf javascript: link in an object stream": "active_content",
    "pdf javascript: link in a utf-16 string object": "active_content",
    "pdf link to a file on a network share": "active_content",
    "pdf page opening a web page by itself": "active_content",
    "pdf printing itself on opening": "active_content",
    "pdf with an embedded file": "attached_files",
    "pdf with a file attachment annotation": "attached_files",
    "pdf with a script in an object stream inflating to 80 mb": "too_complex",
    "pdf protected by a password": "encrypted",
    "pdf that cannot be parsed": "damaged",
    "docx with an external template": "external_content",
    "docx with an external ole object": "external_content",
    "docx with an image on a network share": "external_content",
    "docx with a frame from the web": "external_content",
    "docx with a sub-document outside": "external_content",
    "docx with an internal part pointing outside": "external_content",
    "docx with a link to a program": "external_content",
    "docx with entity expansion": "damaged",
    "odt with an image from the web": "external_content",
    "odt with an object on a network share": "external_content",
    "odt with a section from outside": "external_content",
    "odt with a script on an event": "macros",
    "executable": "type",
    "eicar as text": "type",
    "eicar inside a pdf": "infected",
    "eicar inside a docx": "infected",
    "empty": "empty",
}


@pytest.mark.parametrize("case,name,content", CORPUS, ids=[case for case, _n, _c in CORPUS])
def test_the_malicious_corpus_is_refused_and_nothing_is_stored(antivirus, personas, settings, case, name, content):
    with pytest.raises(ValidationError) as refused:
        store_attachment(actor=personas["coordinator"].user, upload=SimpleUploadedFile(name, content), scope="test:1")
    assert refused.value.code == EXPECTED[case]
    assert refused.value.messages and all(refused.value.messages)
    assert not Attachment.objects.exists()
    assert not Path(settings.PATTO_UPLOAD_ROOT).exists() or not any(Path(settings.PATTO_UPLOAD_ROOT).rglob("*.*"))


def test_pdf_active_content_in_compressed_object_streams_is_refused():
    """Issue 8, finding 12: scripts, Launch, automatic actions and attached files that sit inside compressed
    object streams are invisible to any search of the file's bytes; the parsed document refuses them."""
    hidden = [
        (case, content)
        for case, _name, content in CORPUS
        if case.startswith("pdf ") and EXPECTED[case] in ("active_content", "attached_files") and b"/ObjStm" in content
    ]
    assert len(hidden) == 10
    for case, content in hidden:
        lowered = content.lower()
        for name in (b"javascript", b"launch", b"/aa", b"openaction", b"fileattachment", b"gotor", b"/names"):
            assert name not in lowered, case  # invisible to the search of the bytes that was the check before
        with pytest.raises(ValidationError) as refused:
            inspect_upload(io.BytesIO(content), name="modulo.pdf")
        assert refused.value.code == EXPECTED[case], case


@pytest.mark.parametrize(
    "name,content",
    [
        ("weasyprint.pdf", samples.weasyprint_pdf()),
        ("compresso.pdf", samples.repacked()),
        ("navigazione.pdf", samples.repacked(samples._open_action_goto)),
        ("limitato.pdf", samples.repacked(encryption=pikepdf.Encryption(owner="proprietario", user=""))),
        ("piano.pdf", None),
    ],
)
def test_ordinary_pdfs_pass_the_parsed_check(name, content):
    """Issue 8, finding 12: the parsed check still lets through what ordinary producers write (WeasyPrint's
    links and bookmarks, object streams, an OpenAction or page action that only goes to a page, an owner
    password without a user password) and the PDFs Patto itself renders."""
    if content is None:
        content = render_pdf(
            '<html lang="it"><body><h1 id="a">Progetto</h1><table><tr><th>Obiettivo</th></tr>'
            '<tr><td><a href="#a">Scuola</a></td></tr></table></body></html>'
        )
    checked = inspect_upload(io.BytesIO(content), name=name)
    assert checked.kind == "pdf"


def test_crafted_pdfs_are_checked_in_bounded_time():
    """Issue 8, finding 12: the byte search the parser replaces took quadratic time on "stream" without
    "endstream" (75 s for 180 KB); a PDF with more objects than can be checked quickly is refused, counted
    before any is parsed."""
    started = time.perf_counter()
    with pytest.raises(ValidationError) as refused:
        inspect_upload(io.BytesIO(b"%PDF-1.4\n" + b"x stream\n" * 200_000 + b"%%EOF\n"), name="a.pdf")
    assert refused.value.code == "damaged"
    many = pikepdf.new()
    many.add_blank_page()
    many.Root.Filler = pikepdf.Array([many.make_indirect(pikepdf.Dictionary(N=n)) for n in range(pdfcheck.MAX_OBJECTS)])
    out = io.BytesIO()
    many.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate)
    with pytest.raises(ValidationError) as refused:
        inspect_upload(io.BytesIO(out.getvalue()), name="a.pdf")
    assert refused.value.code == "too_complex"
    assert time.perf_counter() - started < 10


def test_the_pdf_check_fails_closed(tmp_path, monkeypatch, caplog):
    """Issue 8, finding 12: the parse runs in a child process with CPU and memory limits; a child stopped by a
    limit means "too complex", one that answers nonsense means "damaged" (and is logged), never "accepted"."""
    samples_ok = samples.pdf()
    assert inspection._pdf_verdict(samples_ok) == "ok"
    assert pdfcheck.verdict(samples.inflating_object_stream(1)) == "active"  # below the limit it is read
    stopped = tmp_path / "stopped.py"
    stopped.write_text("import os, signal\nos.kill(os.getpid(), signal.SIGXCPU)\n")
    confused = tmp_path / "confused.py"
    confused.write_text("print('fine, probably')\n")
    monkeypatch.setattr(inspection, "PDFCHECK", str(stopped))
    assert inspection._pdf_verdict(samples_ok) == "too_complex"
    monkeypatch.setattr(inspection, "PDFCHECK", str(confused))
    with pytest.raises(ValidationError) as refused:
        inspect_upload(io.BytesIO(samples_ok), name="a.pdf")
    assert refused.value.code == "damaged" and "The PDF check failed" in caplog.text


def test_office_documents_that_load_outside_content_are_refused_but_links_are_not():
    """Issue 8, finding 12: a DOCX relationship with TargetMode="External" is refused unless it is a
    hyperlink to a web or e-mail address; an ODT may not load images, objects or sections from outside."""
    for case in (
        "docx with an external template",
        "docx with an external ole object",
        "docx with a frame from the web",
        "odt with an image from the web",
        "odt with a section from outside",
    ):
        content = next(content for c, _n, content in CORPUS if c == case)
        with pytest.raises(ValidationError) as refused:
            inspect_upload(io.BytesIO(content), name="verbale." + ("docx" if case.startswith("docx") else "odt"))
        assert refused.value.code == "external_content", case
    good = dict(samples.good_files())
    assert inspect_upload(io.BytesIO(good["collegamenti.docx"]), name="collegamenti.docx").kind == "docx"
    assert inspect_upload(io.BytesIO(good["collegamenti.odt"]), name="collegamenti.odt").kind == "odt"


def test_the_corpus_covers_the_checklist():
    cases = {case for case, _n, _c in CORPUS}
    for needed in (
        "svg with script",
        "html with script",
        "polyglot pdf/html",
        "double extension, html inside",
        "zip bomb",
        "eicar inside a docx",
        "eicar as text",
    ):
        assert needed in cases


def test_a_sparse_file_of_one_gigabyte_is_refused_without_being_read(tmp_path):
    path = tmp_path / "enorme.pdf"
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.4\n")
        handle.truncate(1024**3)
    assert os.stat(path).st_blocks * 512 < 1024 * 1024  # really sparse: nothing to read
    with open(path, "rb") as handle:
        with pytest.raises(ValidationError) as refused:
            inspect_upload(handle, name="enorme.pdf")
        assert handle.tell() == 0
    assert refused.value.code == "too_large"


@pytest.mark.parametrize("name,content", samples.good_files())
def test_good_files_of_every_accepted_type_are_stored_outside_the_web_root(
    antivirus, personas, settings, name, content
):
    coordinator = personas["coordinator"].user
    attachment = store_attachment(actor=coordinator, upload=SimpleUploadedFile(name, content), scope="test:1")
    stored = Path(settings.PATTO_UPLOAD_ROOT) / attachment.storage_name
    assert stored.read_bytes() == content
    assert stored.suffix == "" and attachment.storage_name.endswith(attachment.id.hex)  # no user-chosen name
    assert oct(stored.stat().st_mode & 0o777) == "0o600"
    assert attachment.original_name == name and attachment.size == len(content)
    assert attachment.scanned_by.startswith("ClamAV")
    assert AuditEvent.objects.filter(
        action="documents.attachment.stored", object_id=str(attachment.pk), actor=coordinator
    ).exists()


def test_the_upload_folder_is_not_under_any_static_folder():
    upload_root = Path(django_settings.PATTO_UPLOAD_ROOT).resolve()
    for folder in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        assert not upload_root.is_relative_to(Path(folder).resolve())


def test_no_url_serves_stored_files_directly(antivirus, personas, client, login):
    attachment = store_attachment(
        actor=personas["coordinator"].user, upload=SimpleUploadedFile("a.pdf", samples.pdf()), scope="test:1"
    )
    name = attachment.storage_name
    for url in (
        f"/media/{name}",
        f"/uploads/{name}",
        f"/var/uploads/{name}",
        f"/static/{name}",
        f"/static/../var/uploads/{name}",
    ):
        assert client.get(url).status_code == 404
        assert login("coordinator").get(url).status_code == 404


def test_the_quota_of_a_scope_is_enforced(antivirus, personas, settings):
    settings.PATTO_UPLOAD_QUOTA_MB = 1
    big = samples.pdf(body=b"<< /Filler (" + b"x" * 700_000 + b") >>")
    store_attachment(actor=personas["coordinator"].user, upload=SimpleUploadedFile("a.pdf", big), scope="pact:1")
    with pytest.raises(ValidationError) as refused:
        store_attachment(actor=personas["coordinator"].user, upload=SimpleUploadedFile("b.pdf", big), scope="pact:1")
    assert refused.value.code == "quota"
    store_attachment(actor=personas["coordinator"].user, upload=SimpleUploadedFile("c.pdf", big), scope="pact:2")
    assert Attachment.objects.count() == 2


def test_uploads_are_refused_when_the_antivirus_does_not_answer(settings, personas, tmp_path):
    settings.PATTO_CLAMD_SOCKET = str(tmp_path / "nobody-listens.sock")
    with pytest.raises(ValidationError) as refused:
        store_attachment(
            actor=personas["coordinator"].user, upload=SimpleUploadedFile("a.pdf", samples.pdf()), scope="test:1"
        )
    assert refused.value.code == "antivirus_unavailable"
    assert not Attachment.objects.exists()


def test_without_an_antivirus_in_development_files_are_marked_unscanned(personas):
    attachment = store_attachment(
        actor=personas["coordinator"].user, upload=SimpleUploadedFile("a.pdf", samples.pdf()), scope="test:1"
    )
    assert attachment.scanned_by == ""


def test_clamd_names_the_signature_it_found(antivirus):
    verdict = clamav.scan(samples.docx(extra=[("x/eicar.com", samples.EICAR)]))
    assert not verdict.clean and "EICAR" in verdict.signature
    assert clamav.scan(samples.pdf()).clean


def test_a_form_can_pass_a_checked_file_to_the_service_without_scanning_twice(antivirus, personas, monkeypatch):
    checked = check_upload(SimpleUploadedFile("a.pdf", samples.pdf()))
    monkeypatch.setattr(clamav, "scan", lambda data: pytest.fail("scanned twice"))
    attachment = store_attachment(actor=personas["coordinator"].user, upload=checked, scope="test:1")
    assert attachment.kind == "pdf"


@pytest.mark.parametrize(
    "raw,shown",
    [
        ("C:\\Users\\mario\\relazione.pdf", "relazione.pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("a\x00b\u202ec.pdf", "abc.pdf"),
        ("x" * 300 + ".pdf", "x" * 140 + ".pdf"),
        ("...", "documento"),
    ],
)
def test_uploaded_names_are_kept_for_display_only_and_cleaned(raw, shown):
    assert clean_name(raw) == shown


def test_orphan_files_are_purged_and_attached_ones_kept(antivirus, personas, settings):
    kept = store_attachment(
        actor=personas["coordinator"].user, upload=SimpleUploadedFile("a.pdf", samples.pdf()), scope="test:1"
    )
    orphan = Path(settings.PATTO_UPLOAD_ROOT) / "ab" / ("ab" + "0" * 30)
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"left over")
    os.utime(orphan, (1, 1))
    out = io.StringIO()
    call_command("purge_orphan_uploads", stdout=out)
    assert not orphan.exists()
    assert (Path(settings.PATTO_UPLOAD_ROOT) / kept.storage_name).exists()
    assert out.getvalue().startswith("1 orphan file(s) removed")


def test_the_upload_handler_stops_keeping_a_file_past_the_limit(settings):
    from patto.documents.uploadhandlers import SizeLimitUploadHandler

    settings.PATTO_UPLOAD_MAX_MB = 1
    handler = SizeLimitUploadHandler()
    handler.new_file("evidence_file", "grande.pdf", "application/pdf", None)
    chunk = b"x" * (256 * 1024)
    passed_on = [handler.receive_data_chunk(chunk, n * len(chunk)) for n in range(6)]
    assert passed_on[:4] == [chunk] * 4 and passed_on[4:] == [None, None]  # past 1 MB nothing is kept
    marker = handler.file_complete(6 * len(chunk))
    assert marker.oversized and marker.size == 6 * len(chunk) and marker.read() == b""
    with pytest.raises(ValidationError) as refused:
        inspect_upload(marker)
    assert refused.value.code == "too_large"
    small = SizeLimitUploadHandler()
    small.new_file("evidence_file", "piccolo.pdf", "application/pdf", None)
    assert small.receive_data_chunk(chunk, 0) == chunk and small.file_complete(len(chunk)) is None
