"""Putting a draft of the pact to approval: the coordinator submits it (audited), the draft is then read-only
until it is approved or withdrawn from approval (audited, editable again); the people who approve it are told
(the Gruppo Territoriale's members reached, or the parties' governance referents without one), never the
actor. A stale form answers 409 and changes nothing."""

from datetime import date

import pytest
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.core.exceptions import TransitionError
from patto.governance import services
from patto.governance.models import Body, PactVersion
from patto.notifications.kinds import Kind
from patto.notifications.models import Notification


def _told():
    return {
        n.recipient.username: (n.url, n.reference)
        for n in Notification.objects.filter(kind=Kind.VERSION_TO_APPROVE).select_related("recipient")
    }


def test_submit_withdraw_and_approve_the_draft(pact, personas, login):
    coordinator = personas["coordinator"].user
    client = login("coordinator")
    draft = pact.versions.get(number=2)
    detail = reverse("governance:version_detail", kwargs={"number": 2})
    submit = reverse("governance:version_submit", kwargs={"number": 2})
    withdraw = reverse("governance:version_withdraw", kwargs={"number": 2})
    section = reverse("governance:section_edit", kwargs={"number": 2, "key": "premesse"})
    page = client.get(detail).content.decode()
    assert submit in page and section in page and withdraw not in page
    assert client.get(submit).status_code == 200

    assert client.post(submit, {"version": draft.version}).status_code == 302
    draft.refresh_from_db()
    assert draft.is_awaiting_approval and draft.submitted_by == coordinator and draft.version == 2
    assert AuditEvent.objects.filter(action="governance.version.submitted", object_id=str(draft.pk)).count() == 1
    # The Gruppo Territoriale's members, but the coordinator who submitted it.
    assert _told() == {"other_admin": (detail, "Versione 2")}

    # Read-only now: no edit links, the edit pages answer 403, the services refuse.
    page = client.get(detail).content.decode()
    assert section not in page and submit not in page and withdraw in page
    assert client.get(section).status_code == 403
    assert client.get(reverse("governance:commitment_add", kwargs={"number": 2})).status_code == 403
    with pytest.raises(TransitionError):
        services.update_section(actor=coordinator, section=draft.sections.first(), version=1, text="Altro")
    with pytest.raises(TransitionError):
        services.save_commitment(
            actor=coordinator, pact_version=draft, institution=pact.district.institutions.first(), text="x"
        )
    with pytest.raises(TransitionError):
        services.submit_version(actor=coordinator, pact_version=draft, version=draft.version)

    # A withdrawal from a page loaded before the submission (version 1) is stale: 409, nothing changes.
    assert client.post(withdraw, {"version": 1}).status_code == 409
    draft.refresh_from_db()
    assert draft.is_awaiting_approval
    assert client.post(withdraw, {"version": draft.version}).status_code == 302
    draft.refresh_from_db()
    assert not draft.is_awaiting_approval and (draft.submitted_by, draft.version) == (None, 3)
    assert AuditEvent.objects.filter(action="governance.version.withdrawn_from_approval").count() == 1
    assert client.get(section).status_code == 200  # editable again
    assert client.get(withdraw).status_code == 403

    # Submitted again (told again), then approved as it stands.
    services.submit_version(actor=coordinator, pact_version=draft, version=draft.version)
    assert Notification.objects.filter(kind=Kind.VERSION_TO_APPROVE).count() == 2
    approve = reverse("governance:version_approve", kwargs={"number": 2})
    draft.refresh_from_db()
    response = client.post(
        approve,
        {
            "version": draft.version,
            "approved_on": "2026-11-16",
            "approval_reference": "GT del 16/11/2026, decisione n. 2",
            "effective_from": "2027-01-01",
        },
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.effective_from) == (PactVersion.Status.APPROVED, date(2027, 1, 1))
    assert client.get(withdraw).status_code == 403 and client.get(submit).status_code == 403


def test_a_stale_submission_is_refused(pact, personas, login):
    client = login("coordinator")
    draft = pact.versions.get(number=2)
    services.submit_version(actor=personas["coordinator"].user, pact_version=draft, version=1)
    draft.refresh_from_db()
    services.withdraw_from_approval(actor=personas["coordinator"].user, pact_version=draft, version=2)
    # A confirmation page loaded at version 1, sent after someone else submitted and withdrew it.
    response = client.post(reverse("governance:version_submit", kwargs={"number": 2}), {"version": 1})
    assert response.status_code == 409 and response.context["conflict"].version == 3
    draft.refresh_from_db()
    assert not draft.is_awaiting_approval and draft.version == 3
    assert Notification.objects.filter(kind=Kind.VERSION_TO_APPROVE).count() == 1


def test_only_the_coordinator_submits_or_withdraws(pact, personas, login):
    submit = reverse("governance:version_submit", kwargs={"number": 2})
    withdraw = reverse("governance:version_withdraw", kwargs={"number": 2})
    for persona, status in (("institution_admin", 403), ("other_admin", 403), ("case_manager", 403)):
        client = login(persona)
        assert client.get(submit).status_code == status, persona
        assert client.post(submit, {"version": 1}).status_code == status, persona
    assert login("outsider").get(submit).status_code == 404
    assert login("foreigner").post(submit, {"version": 1}).status_code == 404
    assert login("coordinator").get(withdraw).status_code == 403  # not submitted
    assert login("coordinator").get(reverse("governance:version_submit", kwargs={"number": 1})).status_code == 403
    assert not pact.versions.get(number=2).is_awaiting_approval and not _told()


def test_without_a_gruppo_territoriale_the_parties_referents_are_told(pact, personas):
    # The pact's only body is a working group: the governance-role members of the parties in standing (the
    # Comune, the school, the AUSL, the cooperative) approve; the coordinator submits.
    Body.objects.filter(pact=pact).update(kind=Body.Kind.WORKING_GROUP)
    services.submit_version(actor=personas["coordinator"].user, pact_version=pact.versions.get(number=2), version=1)
    url = reverse("governance:version_detail", kwargs={"number": 2})
    assert _told() == {
        "institution_admin": (url, "Versione 2"),
        "other_admin": (url, "Versione 2"),
        "school_referent": (url, "Versione 2"),
    }
