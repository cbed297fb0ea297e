"""The family's signed agreement as a file: attached by the case manager, read by the team but not the
school, every download logged with the family as the people concerned."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patto.audit.models import AuditEvent, AuditSubject
from patto.cases import services
from patto.documents.models import Attachment
from patto.documents.tests import samples


def _agreement_step(family_path, personas):
    services.advance_path(actor=personas["case_manager"].user, path=family_path, version=family_path.version)
    family_path.refresh_from_db()
    return reverse("cases:path_agreement", kwargs={"pk": family_path.pk})


def test_the_agreement_is_recorded_with_its_signed_file_and_read_by_the_team_only(
    antivirus, login, family_path, personas
):
    url = _agreement_step(family_path, personas)
    scan = samples.pdf(text=b"Accordo di partecipazione")
    response = login("case_manager").post(
        url,
        {
            "version": family_path.version,
            "signed_on": "2025-10-02",
            "signed_by": "Elena Canestrari",
            "signed_document": SimpleUploadedFile("accordo firmato.pdf", scan),
        },
    )
    assert response.status_code == 302
    family_path.refresh_from_db()
    document = family_path.agreement.signed_document
    assert document.scope == f"cases.path:{family_path.pk}"
    download_url = reverse("cases:agreement_document", kwargs={"pk": family_path.pk})
    page = login("health_professional").get(reverse("cases:path_detail", kwargs={"pk": family_path.pk}))
    assert download_url in page.content.decode()
    download = login("health_professional").get(download_url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == scan
    assert download["Content-Disposition"] == f'attachment; filename="adesione-famiglia-{family_path.pk.hex[:8]}.pdf"'
    event = AuditEvent.objects.get(action="cases.agreement.downloaded")
    assert AuditSubject.objects.filter(event=event).count() == family_path.family.members.count()
    assert login("school_referent").get(download_url).status_code == 403  # the school is in the team
    assert login("outsider").get(download_url).status_code == 404


def test_the_case_manager_attaches_it_later_and_a_bad_file_changes_nothing(antivirus, login, family_path, personas):
    url = _agreement_step(family_path, personas)
    client = login("case_manager")
    assert (
        client.post(
            url, {"version": family_path.version, "signed_on": "2025-10-02", "signed_by": "Elena Canestrari"}
        ).status_code
        == 302
    )
    attach = reverse("cases:agreement_document", kwargs={"pk": family_path.pk})
    assert client.get(attach).status_code == 404  # nothing attached yet
    refused = client.post(
        attach,
        {
            "signed_document": SimpleUploadedFile(
                "accordo.docx", samples.docx(extra=[("word/vbaProject.bin", b"macro")])
            )
        },
    )
    assert refused.status_code == 200 and "Il documento contiene macro" in refused.content.decode()
    assert not Attachment.objects.exists()
    assert (
        client.post(attach, {"signed_document": SimpleUploadedFile("accordo.jpg", samples.image("JPEG"))}).status_code
        == 302
    )
    family_path.agreement.refresh_from_db()
    assert family_path.agreement.signed_document.kind == "jpg"
    assert (
        login("team_member").post(attach, {"signed_document": SimpleUploadedFile("x.pdf", samples.pdf())}).status_code
        == 403
    )  # the educator reads it but only the case manager attaches


def test_no_document_is_attached_to_a_closed_path(antivirus, login, family_path, personas):
    from patto.cases.models import ClosureOutcome

    url = _agreement_step(family_path, personas)
    client = login("case_manager")
    client.post(url, {"version": family_path.version, "signed_on": "2025-10-02", "signed_by": "Elena Canestrari"})
    family_path.refresh_from_db()
    services.close_path(
        actor=personas["case_manager"].user,
        path=family_path,
        version=family_path.version,
        outcome=ClosureOutcome.objects.first(),
        reason="Trasferimento",
    )
    attach = reverse("cases:agreement_document", kwargs={"pk": family_path.pk})
    assert client.post(attach, {"signed_document": SimpleUploadedFile("a.pdf", samples.pdf())}).status_code == 403
    assert not Attachment.objects.exists()
