import io
from datetime import date, datetime

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from patto.governance import services
from patto.governance.models import ActionItem, Attendance, CommitmentUpdate


def test_agenda_starts_from_what_needs_attention(pact, personas, login, world):
    coordinator = personas["coordinator"].user
    commitment = pact.version_in_force().commitments.get(institution=world.comune)
    services.update_commitment_status(
        actor=coordinator,
        commitment=commitment,
        period=pact.periods.get(),
        status=CommitmentUpdate.Status.LATE,
        evidence="Analisi dei bisogni in ritardo",
    )
    meeting = pact.bodies.get().meetings.get()
    ActionItem.objects.create(
        meeting=meeting,
        description="Inviare il questionario alle scuole",
        owner=coordinator,
        institution=world.comune,
        due_on=date(2026, 1, 15),
    )
    response = login("coordinator").get(
        reverse("governance:body_meeting_add", kwargs={"body_pk": pact.bodies.get().pk})
    )
    agenda = response.context["form"].initial["agenda"]
    assert "Approvazione della versione 2" in agenda
    assert "Presidiare il sistema di governance integrata. (In ritardo)" in agenda
    assert "Inviare il questionario alle scuole" in agenda


def test_minutes_attendance_actions_and_approval_at_the_next_meeting(pact, personas, login):
    client = login("coordinator")
    body = pact.bodies.get()
    first = body.meetings.get()
    members = {m.user.username: m for m in body.members.all()}
    url = reverse("governance:body_meeting", kwargs={"meeting_pk": first.pk})
    incomplete = client.post(
        url,
        {
            "version": 1,
            "minutes": "Discusso il monitoraggio",
            "decisions": "",
            "action_1_description": "Convocare le scuole",
        },
    )
    assert incomplete.status_code == 200 and incomplete.context["form"].errors
    ok = client.post(
        url,
        {
            "version": 1,
            "minutes": "Discusso il monitoraggio",
            "decisions": "Si approva",
            f"attendance_{members['coordinator'].pk}": "present",
            f"attendance_{members['other_admin'].pk}": "apologies",
            "action_1_description": "Convocare le scuole",
            "action_1_owner": members["coordinator"].user_id,
            "action_1_due_on": "2026-04-01",
        },
    )
    assert ok.status_code == 302
    assert dict(Attendance.objects.values_list("member__user__username", "status")) == {
        "coordinator": "present",
        "other_admin": "apologies",
    }
    assert ActionItem.objects.get().institution == members["coordinator"].institution
    second = services.schedule_body_meeting(
        actor=personas["coordinator"].user,
        body=body,
        starts_at=timezone.make_aware(datetime(2026, 6, 11, 15)),
        duration_minutes=90,
        place="Sala Giunta",
        agenda="1. Verbale",
    )
    assert (
        client.post(
            reverse("governance:minutes_approve", kwargs={"meeting_pk": second.pk, "previous_pk": first.pk})
        ).status_code
        == 302
    )
    first.refresh_from_db()
    assert first.minutes_approved_in == second


def test_meeting_ics_parses_and_minutes_pdf_has_the_content(pact, personas, login):
    meeting = pact.bodies.get().meetings.get()
    services.record_body_minutes(
        actor=personas["coordinator"].user,
        meeting=meeting,
        version=1,
        minutes="Il GT esamina il report del semestre.",
        decisions="Approvato.",
        attendance={},
    )
    client = login("other_admin")
    ics = client.get(reverse("governance:meeting_ics", kwargs={"meeting_pk": meeting.pk}))
    assert ics["Content-Type"].startswith("text/calendar")
    event = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")[0]
    assert str(event["summary"]) == "Gruppo Territoriale" and str(event["location"]) == "Sala Giunta"
    pdf = client.get(reverse("governance:minutes_pdf", kwargs={"meeting_pk": meeting.pk}))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Verbale" in text and "Il GT esamina il report del semestre." in text


def test_only_the_owner_or_the_coordinator_closes_an_action_item(pact, personas, login, world):
    meeting = pact.bodies.get().meetings.get()
    item = ActionItem.objects.create(
        meeting=meeting,
        description="x",
        owner=personas["other_admin"].user,
        institution=world.school,
        due_on=date(2026, 4, 1),
    )
    url = reverse("governance:action_item_status", kwargs={"item_pk": item.pk})
    assert login("institution_admin").post(url, {"status": "done"}).status_code == 403  # visible, not theirs
    assert login("other_admin").post(url, {"status": "done"}).status_code == 302
    item.refresh_from_db()
    assert item.status == "done"


def test_dashboard_shows_what_is_late_due_next_and_participation(pact, personas, login, world):
    from django.test import Client

    coordinator = personas["coordinator"].user
    commitment = pact.version_in_force().commitments.get(institution=world.school)
    services.update_commitment_status(
        actor=personas["other_admin"].user,
        commitment=commitment,
        period=pact.periods.get(),
        status="late",
        evidence="In ritardo",
    )
    response = login("coordinator").get(reverse("governance:dashboard"))
    assert [c.pk for c in response.context["late"]] == [commitment.pk]
    participation = {row["institution"].pk: row for row in response.context["participation"]}
    assert participation[world.school.pk]["updates_given"] == 1
    assert response.context["drafts"] and response.context["next_meeting"] is None  # the fixture meeting is past
    client = Client()
    client.force_login(coordinator)
    assert client.get(reverse("governance:dashboard")).status_code == 200


@pytest.mark.parametrize("count", [1, 3])
def test_dashboard_query_count(count, pact, personas, world, django_assert_num_queries):
    from django.test import Client

    meeting = pact.bodies.get().meetings.get()
    for index in range(count):
        ActionItem.objects.create(
            meeting=meeting,
            description=f"azione {index}",
            owner=personas["coordinator"].user,
            institution=world.comune,
            due_on=date(2026, 1, 1 + index),
        )
    # Commitments at risk in the open period, one or both of the version's two (the dashboard reads those
    # commitments alone, in one query).
    period = pact.periods.get(opened_at__isnull=False, closed_at__isnull=True)
    for commitment in list(pact.version_in_force().commitments.order_by("pk"))[:count]:
        services.update_commitment_status(
            actor=personas["coordinator"].user, commitment=commitment, period=period, status="at_risk", evidence="!"
        )
    assert pact.version_in_force().commitments.filter(updates__status="at_risk").count() == min(count, 2)
    client = Client()
    client.force_login(personas["coordinator"].user)
    # The read is logged (2 savepoints, the row, its people); the header bell; requests between institutions (3);
    # the legal help desk (2).
    with django_assert_num_queries(25):
        assert client.get(reverse("governance:dashboard")).status_code == 200
