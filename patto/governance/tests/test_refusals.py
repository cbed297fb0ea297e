"""Issue 8, finding 7 (governance part): one fetch-and-authorise idiom for every record of the pact, and
every refusal of an existing record audited. Before, a governance 403/404 wrote no row."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.documents.tests import samples
from patto.governance import services
from patto.governance.models import ActionItem


@pytest.fixture
def records(pact, personas, world):
    coordinator = personas["coordinator"].user
    version = pact.version_in_force()
    comune_commitment = version.commitments.get(institution=world.comune)
    meeting = pact.bodies.get().meetings.get()
    item = ActionItem.objects.create(
        meeting=meeting,
        description="Convocare le scuole",
        owner=coordinator,
        institution=world.comune,
        due_on=date(2026, 4, 1),
    )
    adhesion = services.attach_signed_document(
        actor=coordinator,
        adhesion=pact.adhesions.get(institution=world.coop),
        upload=SimpleUploadedFile("adesione.pdf", samples.pdf()),
    )
    return {
        "pact": pact.pk,
        "commitment": comune_commitment.pk,
        "draft": pact.versions.get(number=2).pk,
        "approved": version.pk,
        "indicator": comune_commitment.indicators.get().pk,
        "adhesion": adhesion.pk,
        "document": adhesion.signed_document_id,
        "period": pact.periods.get().pk,
        "body": pact.bodies.get().pk,
        "meeting": meeting.pk,
        "item": item.pk,
        "procedure": pact.procedures.get().pk,
    }


# (persona, method, url name, kwargs from the records, expected status, the refused record's type and key)
REFUSALS = [
    # The second comune never signed: it has no standing, so the pact is hidden, yet the refusal is recorded.
    ("outsider", "get", "governance:pact", {}, 404, "governance.pact", "pact"),
    ("outsider", "get", "governance:pact_pdf", {}, 404, "governance.pact", "pact"),
    ("outsider", "get", "governance:version_detail", {"number": 1}, 404, "governance.pact", "pact"),
    ("outsider", "get", "governance:calendar_settings", {}, 404, "governance.pact", "pact"),
    # Another district's people: every record of this pact is as if missing, and recorded.
    ("foreigner", "get", "governance:body_detail", {"body_pk": "body"}, 404, "governance.body", "body"),
    (
        "foreigner",
        "get",
        "governance:body_meeting",
        {"meeting_pk": "meeting"},
        404,
        "governance.bodymeeting",
        "meeting",
    ),
    ("foreigner", "get", "governance:minutes_pdf", {"meeting_pk": "meeting"}, 404, "governance.bodymeeting", "meeting"),
    (
        "foreigner",
        "get",
        "governance:period_report",
        {"period_pk": "period"},
        404,
        "governance.monitoringperiod",
        "period",
    ),
    (
        "foreigner",
        "get",
        "governance:period_report_xlsx",
        {"period_pk": "period"},
        404,
        "governance.monitoringperiod",
        "period",
    ),
    (
        "foreigner",
        "get",
        "governance:adhesion_withdraw",
        {"adhesion_pk": "adhesion"},
        404,
        "governance.adhesion",
        "adhesion",
    ),
    ("foreigner", "get", "governance:document", {"attachment_id": "document"}, 404, "documents.attachment", "document"),
    (
        "foreigner",
        "get",
        "governance:commitment_status",
        {"commitment_pk": "commitment"},
        404,
        "governance.commitment",
        "commitment",
    ),
    (
        "foreigner",
        "get",
        "governance:indicator_value",
        {"indicator_pk": "indicator"},
        404,
        "governance.indicator",
        "indicator",
    ),
    (
        "foreigner",
        "get",
        "governance:procedure",
        {"procedure_pk": "procedure"},
        404,
        "governance.procedure",
        "procedure",
    ),
    ("foreigner", "post", "governance:action_item_status", {"item_pk": "item"}, 404, "governance.actionitem", "item"),
    # Visible, not allowed: 403, recorded on the record itself.
    ("health_professional", "get", "governance:versions", {}, 403, "governance.pact", "pact"),
    ("health_professional", "get", "governance:dashboard", {}, 403, "governance.pact", "pact"),
    (
        "school_referent",
        "get",
        "governance:commitment_status",
        {"commitment_pk": "commitment"},
        403,
        "governance.commitment",
        "commitment",
    ),
    (
        "school_referent",
        "get",
        "governance:indicator_value",
        {"indicator_pk": "indicator"},
        403,
        "governance.indicator",
        "indicator",
    ),
    (
        "school_referent",
        "get",
        "governance:adhesion_attach",
        {"adhesion_pk": "adhesion"},
        403,
        "governance.adhesion",
        "adhesion",
    ),
    (
        "school_referent",
        "get",
        "governance:section_edit",
        {"number": 2, "key": "premesse"},
        403,
        "governance.pactversion",
        "draft",
    ),
    ("coordinator", "get", "governance:version_approve", {"number": 1}, 403, "governance.pactversion", "approved"),
    ("school_referent", "get", "governance:body_meeting_add", {"body_pk": "body"}, 403, "governance.body", "body"),
    (
        "school_referent",
        "post",
        "governance:body_meeting",
        {"meeting_pk": "meeting"},
        403,
        "governance.bodymeeting",
        "meeting",
    ),
    ("school_referent", "post", "governance:body_detail", {"body_pk": "body"}, 403, "governance.body", "body"),
    ("other_admin", "post", "governance:action_item_status", {"item_pk": "item"}, 403, "governance.actionitem", "item"),
    (
        "school_referent",
        "post",
        "governance:procedure",
        {"procedure_pk": "procedure"},
        403,
        "governance.procedure",
        "procedure",
    ),
    (
        "health_professional",
        "post",
        "governance:period_close",
        {"period_pk": "period"},
        403,
        "governance.monitoringperiod",
        "period",
    ),
    (
        "health_professional",
        "get",
        "governance:document",
        {"attachment_id": "document"},
        403,
        "documents.attachment",
        "document",
    ),
]


@pytest.mark.parametrize(
    "persona,method,name,kwargs,status,object_type,key", REFUSALS, ids=[f"{r[0]}-{r[2]}" for r in REFUSALS]
)
def test_a_refused_request_writes_exactly_one_row(
    persona, method, name, kwargs, status, object_type, key, records, login
):
    url = reverse(name, kwargs={k: records[v] if isinstance(v, str) and v in records else v for k, v in kwargs.items()})
    before = AuditEvent.objects.filter(action="security.access_denied").count()
    response = getattr(login(persona), method)(url, {"status": "done"} if method == "post" else None)
    assert response.status_code == status
    refusals = AuditEvent.objects.filter(action="security.access_denied").order_by("-pk")
    assert refusals.count() == before + 1
    row = refusals.first()
    assert (row.object_type, row.object_id, row.actor.username) == (object_type, str(records[key]), persona)
    assert row.request_id == response["X-Request-ID"]


def test_a_missing_record_is_a_plain_404_with_no_row(records, login):
    client = login("coordinator")
    for name, kwargs in (
        ("governance:body_detail", {"body_pk": 999999}),
        ("governance:version_detail", {"number": 99}),
        ("governance:section_edit", {"number": 2, "key": "nessuna"}),
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    assert not AuditEvent.objects.filter(action="security.access_denied").exists()


def test_allowed_requests_write_no_refusal(records, login):
    client = login("coordinator")
    for name, kwargs in (
        ("governance:pact", {}),
        ("governance:version_detail", {"number": 2}),
        ("governance:body_meeting", {"meeting_pk": records["meeting"]}),
        ("governance:procedure", {"procedure_pk": records["procedure"]}),
    ):
        assert client.get(reverse(name, kwargs=kwargs)).status_code == 200
    assert not AuditEvent.objects.filter(action="security.access_denied").exists()
