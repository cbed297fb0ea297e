from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patto.audit.models import AuditEvent
from patto.cases import services
from patto.cases.models import Meeting, Task
from patto.cases.tests.pages import section


def _when():
    return timezone.make_aware(datetime(2025, 10, 20, 15, 30))


def test_schedule_a_meeting_with_the_family_and_write_minutes_with_next_steps(family_path, personas, login):
    client = login("case_manager")
    mother = family_path.family.members.get(kind="parent")
    response = client.post(
        reverse("cases:meeting_add", kwargs={"pk": family_path.pk}),
        {
            "held_at": "2025-10-20T15:30",
            "place": "Servizi sociali, via Ducale",
            "with_family": "on",
            "agenda": "Avvio del progetto",
            "participants": [personas["case_manager"].user_id, personas["team_member"].user_id],
            "family_participants": [mother.pk],
        },
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    url = reverse("cases:meeting_detail", kwargs={"pk": family_path.pk, "meeting_pk": meeting.pk})
    incomplete = client.post(
        url,
        {"version": 1, "minutes": "Concordati gli orari", "decisions": "", "step_1_description": "Chiamare la scuola"},
    )
    assert incomplete.status_code == 200 and incomplete.context["form"].errors
    assert "Chiamare la scuola" in incomplete.content.decode()
    ok = client.post(
        url,
        {
            "version": 1,
            "minutes": "Concordati gli orari",
            "decisions": "Si parte lunedì",
            "step_1_description": "Chiamare la scuola",
            "step_1_due_on": "2025-10-27",
            "step_1_assignee": personas["team_member"].user_id,
        },
    )
    assert ok.status_code == 302
    task = Task.objects.get()
    assert (task.assignee, task.meeting) == (personas["team_member"].user, meeting)
    assert client.post(url, {"version": 1, "minutes": "Altro", "decisions": ""}).status_code == 409
    assert AuditEvent.objects.filter(action="cases.meeting.minutes_recorded").count() == 1


def test_only_team_members_take_part_as_professionals(family_path, personas):
    with pytest.raises(ValidationError):
        services.schedule_meeting(
            actor=personas["case_manager"].user,
            path=family_path,
            held_at=_when(),
            agenda="x",
            participants=[personas["outsider"].user],
        )


def test_school_sees_only_the_meetings_it_attends(family_path, personas, login):
    cm = personas["case_manager"].user
    attended = services.schedule_meeting(
        actor=cm,
        path=family_path,
        held_at=_when(),
        agenda="Con la scuola",
        participants=[cm, personas["school_referent"].user],
    )
    other = services.schedule_meeting(
        actor=cm,
        path=family_path,
        held_at=_when(),
        agenda="Solo servizi",
        participants=[cm, personas["health_professional"].user],
    )
    client = login("school_referent")
    assert [m.pk for m in section(client, family_path, "incontri").context["meetings"]] == [attended.pk]
    assert (
        client.get(reverse("cases:meeting_detail", kwargs={"pk": family_path.pk, "meeting_pk": other.pk})).status_code
        == 404
    )
    page = client.get(reverse("cases:meeting_detail", kwargs={"pk": family_path.pk, "meeting_pk": attended.pk}))
    assert page.status_code == 200 and page.context["form"] is None
    assert (
        client.post(
            reverse("cases:meeting_detail", kwargs={"pk": family_path.pk, "meeting_pk": attended.pk}),
            {"version": 1, "minutes": "x"},
        ).status_code
        == 403
    )


def test_tasks_on_the_home_page_and_only_the_assignee_closes_them(family_path, personas, login):
    cm = personas["case_manager"].user
    meeting = services.schedule_meeting(actor=cm, path=family_path, held_at=_when(), agenda="x", participants=[cm])
    services.record_minutes(
        actor=cm,
        meeting=meeting,
        version=1,
        minutes="m",
        decisions="",
        next_steps=[
            {"description": "Visita domiciliare", "assignee": personas["team_member"].user, "due_on": date(2025, 11, 3)}
        ],
    )
    task = Task.objects.get()
    educator = login("team_member")
    assert "Visita domiciliare" in educator.get("/").content.decode()
    done_url = reverse("cases:task_done", kwargs={"pk": family_path.pk, "task_pk": task.pk})
    assert login("case_manager").post(done_url).status_code == 404
    assert login("team_member").post(done_url).status_code == 302
    task.refresh_from_db()
    assert task.done_on == timezone.localdate()


def test_a_team_meeting_as_ics_carries_no_child_name_nor_case_content(family_path, personas, login):
    """Issue 9: team meetings offer an .ics like governance meetings; it leaves Patto for a calendar app, so
    it says when and where, the family's reference and the page's address, nothing else."""
    import icalendar

    cm = personas["case_manager"].user
    meeting = services.schedule_meeting(
        actor=cm,
        path=family_path,
        held_at=_when(),
        place="Servizi sociali",
        agenda="AGENDA-RISERVATA: la frequenza di Aurora",
        participants=[cm, personas["school_referent"].user],
    )
    services.record_minutes(actor=cm, meeting=meeting, version=1, minutes="VERBALE-RISERVATO", decisions="")
    kwargs = {"pk": family_path.pk, "meeting_pk": meeting.pk}
    detail = login("case_manager").get(reverse("cases:meeting_detail", kwargs=kwargs)).content.decode()
    url = reverse("cases:meeting_ics", kwargs=kwargs)
    assert url in detail
    response = login("school_referent").get(url)  # the teacher attends: may open the meeting, gets the file
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"] == f'attachment; filename="incontro-{meeting.pk}.ics"'
    text = response.content.decode()
    for secret in ("Aurora", "Canestrari", "AGENDA-RISERVATA", "VERBALE-RISERVATO"):
        assert secret not in text
    event = icalendar.Calendar.from_ical(response.content).walk("VEVENT")[0]
    assert family_path.family.reference in str(event["summary"]) and str(event["location"]) == "Servizi sociali"
    assert event.decoded("dtstart") == _when() and str(event["uid"]) == f"cases-meeting-{meeting.pk}@patto"
    assert str(kwargs["pk"]) in str(event["description"])
    read = AuditEvent.objects.filter(action="cases.meeting.calendar").get()
    assert read.actor == personas["school_referent"].user
    # A meeting the teacher does not attend is not there for them; the outsider knows no path.
    other = services.schedule_meeting(
        actor=cm, path=family_path, held_at=_when(), agenda="Solo équipe", participants=[cm]
    )
    assert (
        login("school_referent")
        .get(reverse("cases:meeting_ics", kwargs={**kwargs, "meeting_pk": other.pk}))
        .status_code
        == 404
    )
    assert login("outsider").get(url).status_code == 404
