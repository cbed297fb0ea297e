"""Files for the upload tests, made on the fly: good ones of each accepted type, and the malicious corpus
of the security checklist (E7)."""

import io
import zipfile

from PIL import Image

from .clamd import EICAR

DOCX_TYPES = (b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
              b'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>')
DOCX_BODY = (b'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
             b'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Verbale</w:t></w:r></w:p></w:body></w:document>')


def pdf(body=b"", text=b"Patto territoriale"):
    """A small well-formed PDF (one page); ``body`` is inserted as an extra object."""
    content = b"BT /F1 12 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >>",
               b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream"]
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


def odt():
    return office([("content.xml", b'<?xml version="1.0"?><office:document-content><office:body/>'
                                   b'</office:document-content>'),
                   ("META-INF/manifest.xml", b'<?xml version="1.0"?><manifest:manifest/>')],
                  first=("mimetype", b"application/vnd.oasis.opendocument.text"))


def good_files():
    return [("relazione.pdf", pdf()), ("foto.jpg", image("JPEG")), ("foto.jpeg", image("JPEG")),
            ("schema.png", image()), ("verbale.docx", docx()), ("verbale.odt", odt()),
            ("VERBALE FIRMATO.PDF", pdf())]


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
SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
       b'<script>alert(document.domain)</script></svg>')


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
        ("docx without its document", "verbale.docx", office([("[Content_Types].xml", DOCX_TYPES),
                                                               ("word/styles.xml", b"<w:styles/>")])),
        ("executable", "programma.exe", b"MZ\x90\x00" + b"\0" * 200),
        ("eicar as text", "eicar.pdf", EICAR),
        ("eicar inside a pdf", "relazione.pdf", pdf() + EICAR + b"\n%%EOF\n"),
        ("eicar inside a docx", "verbale.docx", docx(extra=[("word/media/eicar.com", EICAR)])),
        ("empty", "vuoto.pdf", b""),
    ]
