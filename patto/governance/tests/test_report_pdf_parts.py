"""A long monitoring report's PDF is rendered in parts (reports.PDF_PART commitments each) joined into one file
(core.exports.render_pdf_parts), so that its memory does not grow with the number of commitments: the joined
file is still one tagged (PDF/UA-1), PDF/A-3u document with the same text, its pages numbered on."""

import io
import re
from pathlib import Path

import pikepdf
from pypdf import PdfReader

from patto.core.tests.test_exports import _archival
from patto.governance import reports
from patto.governance.models import Commitment


def _structure(content):
    """(pages' StructParents, parent-tree keys, Document's kids, elements' IDs, table cells' header targets,
    elements on a page outside the file), after qpdf's own check."""
    with pikepdf.open(io.BytesIO(content)) as pdf:
        assert pdf.check_pdf_syntax() == []
        pages = {page.obj.objgen for page in pdf.pages}
        parents = [int(page.obj.StructParents) for page in pdf.pages]
        tree = pdf.Root.StructTreeRoot
        nums = tree.ParentTree.Nums
        keys = [int(nums[index]) for index in range(0, len(nums), 2)]
        assert int(tree.ParentTreeNextKey) == max(keys) + 1
        (document,) = list(tree.K)
        assert document.S == "/Document" and document.P.objgen == tree.objgen
        kids = list(document.K)
        assert all(kid.P.objgen == document.objgen for kid in kids)
        ids, headers, stray, stack = [], [], 0, [document]
        while stack:
            element = stack.pop()
            if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
                continue
            stray += "/Pg" in element and element.Pg.objgen not in pages
            ids += [str(element.ID)] if "/ID" in element else []
            attributes = element.get("/A")
            for attribute in attributes if isinstance(attributes, pikepdf.Array) else [attributes]:
                if isinstance(attribute, pikepdf.Dictionary) and "/Headers" in attribute:
                    headers += [str(target) for target in attribute.Headers]
            kid = element.get("/K")
            stack += list(kid) if isinstance(kid, pikepdf.Array) else [kid] if kid is not None else []
        return parents, keys, [str(kid.S) for kid in kids], ids, headers, stray


def _pages_text(content):
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages]


def test_a_report_in_parts_is_one_accessible_pdf_with_the_same_text(pact, world, personas, monkeypatch):
    version = pact.version_in_force()
    for order in range(3):
        Commitment.objects.create(
            pact_version=version, institution=world.school, order=10 + order, text=f"Impegno aggiunto numero {order}."
        )
    coordinator, period = personas["coordinator"].user, pact.periods.get()
    whole = reports.build_report_pdf({"period": period.pk}, coordinator)  # five commitments: one document
    assert isinstance(whole.content, bytes)
    monkeypatch.setattr(reports, "PDF_PART", 2)
    export = reports.build_report_pdf({"period": period.pk}, coordinator)  # parts of 2, 2 and 1 commitments
    path = Path(export.content)
    content = path.read_bytes()
    path.unlink()
    assert export.filename == whole.filename and export.content_type == "application/pdf"

    assert _archival(content).startswith("Report di monitoraggio")  # title, language, PDF/A-3u and PDF/UA-1
    parents, keys, kids, ids, headers, stray = _structure(content)
    pages = _pages_text(content)
    assert len(pages) >= 3 and parents == keys == list(range(len(pages)))  # each page's key, shifted per part
    assert kids == ["/Part"] * len(pages)  # one element per page, in the page order
    assert len(ids) == len(set(ids)) and set(headers) <= set(ids) and stray == 0

    footers = [int(re.search(r"(\d+)$", page).group(1)) for page in pages]
    assert footers == list(range(1, len(pages) + 1))  # numbered on across the parts
    text, one = " ".join(pages), " ".join(_pages_text(whole.content))
    commitments = [c.text for c in reports.report(period)["commitments"]]
    assert len(commitments) == 5
    assert [text.index(t) for t in commitments] == sorted(text.index(t) for t in commitments)  # all, in order
    for sentence in ["Report di monitoraggio", "Impegni per stato", "Ogni impegno con il suo stato"]:
        assert text.count(sentence) == one.count(sentence) == 1
