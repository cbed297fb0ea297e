"""Signed adhesions and evidence as files: uploaded through the checks of the upload pipeline, read only
by the governance roles of the signatories, served as downloads with a name made by the server."""

import io
import uuid
from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from patto.audit.models import AuditEvent
from patto.documents.models import Attachment
from patto.documents.tests import samples
from patto.governance import services
from patto.governance.models import Adhesion

ADHESION = {
    "signer_name": "Sindaca (demo)",
    "signer_role": "Sindaca",
    "signed_on": "2025-09-01",
    "method": "digital",
    "document_reference": "Prot. 123",
}


def _download(client, attachment_id):
    return client.get(reverse("governance:document", kwargs={"attachment_id": attachment_id}))


def test_the_coordinator_records_an_adhesion_with_its_signed_document(antivirus, pact, world, login):
    client = login("coordinator")
    content = samples.pdf(text=b"Adesione al patto")
    response = client.post(
        reverse("governance:adhesion_add"),
        {
            **ADHESION,
            "institution": world.comune_b.pk,
            "signed_document": SimpleUploadedFile("Adesione firmata.pdf", content),
        },
    )
    assert response.status_code == 302
    adhesion = pact.adhesions.get(institution=world.comune_b)
    document = adhesion.signed_document
    assert document.original_name == "Adesione firmata.pdf" and document.scanned_by.startswith("ClamAV")
    page = client.get(reverse("governance:signatories")).content.decode()
    assert reverse("governance:document", kwargs={"attachment_id": document.pk}) in page
    download = _download(client, document.pk)
    assert download.status_code == 200 and b"".join(download.streaming_content) == content
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == f'attachment; filename="adesione-{adhesion.pk}.pdf"'
    assert download["X-Content-Type-Options"] == "nosniff" and "sandbox" in download["Content-Security-Policy"]
    assert "no-store" in download["Cache-Control"]
    assert AuditEvent.objects.filter(action="governance.document.downloaded", object_id=str(adhesion.pk)).count() == 1
    assert AuditEvent.objects.filter(action="documents.attachment.stored", object_id=str(document.pk)).exists()


def test_documents_are_for_the_governance_roles_of_signatories(pact, world, personas, login):
    adhesion = services.attach_signed_document(
        actor=personas["coordinator"].user,
        adhesion=pact.adhesions.get(institution=world.school),
        upload=SimpleUploadedFile("adesione.pdf", samples.pdf()),
    )
    document_id = adhesion.signed_document_id
    assert _download(login("school_referent"), document_id).status_code == 200
    psychologist = login("health_professional")  # a signatory's user without a governance role
    assert str(document_id) not in psychologist.get(reverse("governance:signatories")).content.decode()
    assert _download(psychologist, document_id).status_code == 403
    assert _download(login("outsider"), document_id).status_code == 404  # the second comune has not signed
    assert _download(login("coordinator"), uuid.uuid4()).status_code == 404
    loose = Attachment.objects.create(
        storage_name="x/loose",
        original_name="a.pdf",
        kind="pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        scope="other",
        uploaded_by=personas["coordinator"].user,
    )
    assert _download(login("coordinator"), loose.pk).status_code == 404  # not a record of this pact


def test_a_refused_file_keeps_what_was_typed_and_changes_nothing(antivirus, pact, world, login):
    client = login("coordinator")
    response = client.post(
        reverse("governance:adhesion_add"),
        {
            **ADHESION,
            "institution": world.comune_b.pk,
            "signed_document": SimpleUploadedFile("adesione.pdf", samples.pdf() + samples.EICAR + b"\n%%EOF\n"),
        },
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "L&#x27;antivirus ha trovato una minaccia nel file" in body
    assert 'value="Sindaca (demo)"' in body and "Prot. 123" in body
    assert "Il file che avevi scelto non è stato salvato: sceglilo di nuovo prima di salvare." in body
    assert not pact.adhesions.filter(institution=world.comune_b).exists()
    assert not Attachment.objects.exists()


def test_a_file_over_the_limit_is_refused_without_being_kept(antivirus, pact, world, login, settings):
    settings.PATTO_UPLOAD_MAX_MB = 1
    commitment = pact.version_in_force().commitments.get(institution=world.school)
    url = reverse("governance:commitment_status", kwargs={"commitment_pk": commitment.pk})
    big = samples.pdf(body=b"<< /Filler (" + b"x" * (1024 * 1024 + 10) + b") >>")
    response = login("school_referent").post(
        url,
        {
            "status": "on_track",
            "evidence": "Referente nominato",
            "evidence_file": SimpleUploadedFile("grande.pdf", big),
        },
    )
    assert response.status_code == 200
    assert "Il file è troppo grande" in response.content.decode()
    assert not commitment.updates.exists() and not Attachment.objects.exists()


def test_english_readers_get_the_refusal_in_english(antivirus, pact, world, login):
    client = login("coordinator")
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("governance:adhesion_add"),
        {**ADHESION, "institution": world.comune_b.pk, "signed_document": SimpleUploadedFile("logo.svg", samples.SVG)},
    )
    assert "This type of file is not accepted" in response.content.decode()


def test_a_school_updates_its_commitment_with_evidence_and_the_report_links_it(antivirus, pact, world, login):
    commitment = pact.version_in_force().commitments.get(institution=world.school)
    url = reverse("governance:commitment_status", kwargs={"commitment_pk": commitment.pk})
    docx = samples.docx()
    response = login("school_referent").post(
        url,
        {
            "status": "done",
            "evidence": "Delibera del collegio docenti",
            "evidence_file": SimpleUploadedFile("delibera collegio.docx", docx),
        },
    )
    assert response.status_code == 302
    update = commitment.updates.get()
    assert update.evidence_file.kind == "docx"
    coordinator = login("coordinator")
    period = pact.periods.get()
    report = coordinator.get(reverse("governance:period_report", kwargs={"period_pk": period.pk})).content.decode()
    link = reverse("governance:document", kwargs={"attachment_id": update.evidence_file_id})
    assert link in report and "delibera collegio.docx" in report
    download = _download(coordinator, update.evidence_file_id)
    assert download["Content-Disposition"] == f'attachment; filename="evidenza-impegno-{update.pk}.docx"'
    assert b"".join(download.streaming_content) == docx
    sheet = load_workbook(
        io.BytesIO(coordinator.get(reverse("governance:period_report_xlsx", kwargs={"period_pk": period.pk})).content)
    ).active
    assert "delibera collegio.docx" in [cell.value for row in sheet.iter_rows() for cell in row]
    pdf = coordinator.get(reverse("governance:period_report_pdf", kwargs={"period_pk": period.pk}))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Allegato: delibera collegio.docx" in " ".join(text.split())


def test_an_indicator_value_carries_its_evidence_file(antivirus, pact, world, personas, login):
    indicator = pact.version_in_force().commitments.get(institution=world.comune).indicators.get()
    indicator.source = "manual"
    indicator.save()
    response = login("coordinator").post(
        reverse("governance:indicator_value", kwargs={"indicator_pk": indicator.pk}),
        {
            "value": "4",
            "evidence": "Registro presenze",
            "evidence_file": SimpleUploadedFile("registro.png", samples.image()),
        },
    )
    assert response.status_code == 302
    entry = indicator.values.get()
    assert entry.evidence_file.kind == "png"
    assert _download(login("institution_admin"), entry.evidence_file_id).status_code == 200


def test_the_signed_document_can_be_attached_later_and_replaced(antivirus, pact, world, login):
    adhesion = pact.adhesions.get(institution=world.ausl)
    url = reverse("governance:adhesion_attach", kwargs={"adhesion_pk": adhesion.pk})
    client = login("coordinator")
    assert client.post(url, {}).status_code == 200  # a file is required here
    for name in ("adesione.pdf", "adesione-corretta.pdf"):
        assert client.post(url, {"signed_document": SimpleUploadedFile(name, samples.pdf())}).status_code == 302
    adhesion.refresh_from_db()
    assert adhesion.signed_document.original_name == "adesione-corretta.pdf"
    assert Attachment.objects.count() == 2  # the replaced file stays, for the record
    assert AuditEvent.objects.filter(action="governance.adhesion.document_attached").count() == 2
    assert (
        login("school_referent").post(url, {"signed_document": SimpleUploadedFile("x.pdf", samples.pdf())}).status_code
        == 403
    )


def test_withdrawn_adhesions_keep_their_signed_document(pact, world, personas):
    adhesion = services.record_adhesion(
        actor=personas["coordinator"].user,
        pact=pact,
        institution=world.comune_b,
        signer_name="x",
        signer_role="x",
        signed_on=date(2025, 1, 1),
        method="digital",
        signed_document=SimpleUploadedFile("a.pdf", samples.pdf()),
    )
    services.withdraw_adhesion(
        actor=personas["coordinator"].user, adhesion=adhesion, withdrawn_on=date(2026, 1, 1), reason="Fine"
    )
    assert Adhesion.objects.get(pk=adhesion.pk).signed_document.original_name == "a.pdf"


def test_reading_an_updates_history_is_recorded(pact, world, login, personas):
    commitment = pact.version_in_force().commitments.get(institution=world.school)
    response = login("school_referent").get(
        reverse("governance:commitment_status", kwargs={"commitment_pk": commitment.pk})
    )
    assert response.status_code == 200
    assert (
        AuditEvent.objects.filter(
            action="governance.commitment.history_viewed",
            object_id=str(commitment.pk),
            actor=personas["school_referent"].user,
        ).count()
        == 1
    )
