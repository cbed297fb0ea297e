from datetime import datetime

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patto.governance import services


def test_public_page_only_once_published(pact, login):
    url = reverse("public_pact", kwargs={"public_id": pact.public_id})
    anonymous = Client()
    assert anonymous.get(url).status_code == 404
    assert login("institution_admin").post(reverse("governance:publication"), {"publish": "1"}).status_code == 403
    assert login("coordinator").post(reverse("governance:publication"), {"publish": "1"}).status_code == 302
    page = anonymous.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Presidiare il sistema di governance integrata." in body and "Coop Orizzonti" in body
    assert "Firmatario" not in body  # signers' names stay inside Patto
    login("coordinator").post(reverse("governance:publication"), {"publish": "0"})
    assert anonymous.get(url).status_code == 404


def test_approval_recorded_in_a_gt_meeting(pact, personas, login):
    client = login("coordinator")
    meeting = services.schedule_body_meeting(
        actor=personas["coordinator"].user,
        body=pact.bodies.get(),
        starts_at=timezone.make_aware(datetime(2026, 3, 12, 15)),
        duration_minutes=120,
        place="Sala Giunta",
        agenda="Approvazione v2",
    )
    draft = pact.versions.get(number=2)
    url = reverse("governance:version_approve", kwargs={"number": 2})
    wrong_day = client.post(
        url,
        {
            "version": draft.version,
            "approved_in": meeting.pk,
            "approved_on": "2026-03-13",
            "approval_reference": "Decisione n. 4",
            "effective_from": "2026-04-01",
        },
    )
    assert wrong_day.status_code == 200 and "approved_in" in wrong_day.context["form"].errors
    ok = client.post(
        url,
        {
            "version": draft.version,
            "approved_in": meeting.pk,
            "approved_on": "2026-03-12",
            "approval_reference": "Decisione n. 4",
            "effective_from": "2026-04-01",
        },
    )
    assert ok.status_code == 302
    draft.refresh_from_db()
    assert draft.approved_in == meeting
