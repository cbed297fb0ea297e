"""Moving a team meeting still to be held: who may, what it refuses (a meeting held or with minutes, a date
gone by, a stale form), what the trail and the timeline keep, and whom it tells: the professionals taking
part who still hold a seat, never the actor, with an .ics that replaces the event (same UID, higher
SEQUENCE) and names nobody."""

from datetime import datetime

import icalendar
import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patto.audit.models import AuditEvent
from patto.cases import services
from patto.cases.models import Meeting, PathEvent, Person, TeamMember
from patto.notifications.kinds import Kind
from patto.notifications.models import Notification


def _at(*args):
    return timezone.make_aware(datetime(*args))


def _meeting(family_path, personas, when=None):
    """A meeting on 20 November (the tests' clock says 16 November) with the case manager, the psychologist,
    the teacher, the educator and the mother."""
    return services.schedule_meeting(
        actor=personas["case_manager"].user,
        path=family_path,
        held_at=when or _at(2026, 11, 20, 10),
        place="Servizi sociali, via Ducale",
        agenda="Verifica del progetto",
        participants=[
            personas[name].user for name in ("case_manager", "health_professional", "school_referent", "team_member")
        ],
        family_participants=[family_path.family.members.get(kind=Person.Kind.PARENT)],
    )


def _event(ics):
    return icalendar.Calendar.from_ical(bytes(ics)).walk("VEVENT")[0]


def test_the_case_manager_moves_a_meeting_and_the_participants_get_an_ics_that_replaces_it(
    family_path, personas, login
):
    meeting = _meeting(family_path, personas)
    convened = _event(Notification.objects.filter(kind=Kind.MEETING_CONVENED).first().attachment_ics)
    # The psychologist has left the team since: she cannot open the meeting any longer, so nobody tells her.
    TeamMember.objects.filter(path=family_path, user=personas["health_professional"].user).update(
        ended_at=timezone.now()
    )
    client = login("case_manager")
    detail = reverse("cases:meeting_detail", kwargs={"pk": family_path.pk, "meeting_pk": meeting.pk})
    url = reverse("cases:meeting_change", kwargs={"pk": family_path.pk, "meeting_pk": meeting.pk})
    assert url in client.get(detail).content.decode()  # the link "Change date or place"
    page = client.get(url)
    assert page.status_code == 200 and "2026-11-20T10:00" in page.content.decode()

    # A date gone by is refused on its field, keeping what was typed; nothing is saved.
    typed = {"version": 1, "held_at": "2026-11-02T10:00", "place": "Scuola Marina, aula 3", "agenda": "Nuovo ordine"}
    refused = client.post(url, typed)
    assert refused.status_code == 200 and "held_at" in refused.context["form"].errors
    assert "Scuola Marina, aula 3" in refused.content.decode()
    meeting.refresh_from_db()
    assert (meeting.version, meeting.place) == (1, "Servizi sociali, via Ducale")

    done = client.post(url, {**typed, "held_at": "2026-11-24T15:30"})
    assert done.status_code == 302 and done["Location"] == detail
    meeting.refresh_from_db()
    assert (meeting.held_at, meeting.place, meeting.agenda, meeting.version) == (
        _at(2026, 11, 24, 15, 30),
        "Scuola Marina, aula 3",
        "Nuovo ordine",
        2,
    )
    audit = AuditEvent.objects.get(action="cases.meeting.changed")
    assert audit.changes["agenda"] == ["…", "…"]  # the trail says the agenda changed, not what it says
    assert audit.changes["place"] == ["Servizi sociali, via Ducale", "Scuola Marina, aula 3"]
    assert PathEvent.objects.filter(path=family_path, kind="meeting.changed").count() == 1

    changed = Notification.objects.filter(kind=Kind.MEETING_CHANGED).select_related("recipient")
    assert {n.recipient.username for n in changed} == {"school_referent", "team_member"}
    assert {(n.url, n.reference) for n in changed} == {(detail, family_path.family.reference)}
    event = _event(changed[0].attachment_ics)
    assert str(event["uid"]) == str(convened["uid"]) == f"cases-meeting-{meeting.pk}@patto"
    assert int(event["sequence"]) > int(convened["sequence"]) == 0
    assert event["dtstart"].dt == _at(2026, 11, 24, 15, 30) and "Scuola Marina" not in str(event["location"])
    ics = bytes(changed[0].attachment_ics).decode()
    names = [person.first_name for person in family_path.family.members.all()] + ["Canestrari", "Nuovo ordine"]
    names += [personas[name].user.last_name for name in ("case_manager", "school_referent", "team_member")]
    assert not [name for name in names if name and name in ics]  # no names, no agenda

    # The page's own .ics is the same event at the same revision.
    download = _event(
        client.get(reverse("cases:meeting_ics", kwargs={"pk": family_path.pk, "meeting_pk": meeting.pk})).content
    )
    assert (str(download["uid"]), int(download["sequence"])) == (str(event["uid"]), int(event["sequence"]))

    # A form loaded before that change (version 1) is stale: 409, what was typed kept, nothing saved.
    stale = client.post(url, {**typed, "held_at": "2026-11-25T09:00", "place": "Biblioteca Gambalunga"})
    assert stale.status_code == 409 and "Biblioteca Gambalunga" in stale.content.decode()
    meeting.refresh_from_db()
    assert (meeting.version, meeting.place) == (2, "Scuola Marina, aula 3")
    assert Notification.objects.filter(kind=Kind.MEETING_CHANGED).count() == 2


def test_who_may_move_a_meeting(family_path, personas, login):
    meeting = _meeting(family_path, personas)
    url = reverse("cases:meeting_change", kwargs={"pk": family_path.pk, "meeting_pk": meeting.pk})
    detail = reverse("cases:meeting_detail", kwargs={"pk": family_path.pk, "meeting_pk": meeting.pk})
    assert login("team_member").get(url).status_code == 200  # whoever may schedule the path's meetings
    teacher = login("school_referent")  # attends it, sees it, does not convene the team
    assert url not in teacher.get(detail).content.decode()
    assert teacher.get(url).status_code == 403
    assert teacher.post(url, {"version": 1, "held_at": "2026-11-24T15:30", "agenda": "x"}).status_code == 403
    assert login("outsider").get(url).status_code == 404
    assert login("coordinator").get(url).status_code == 404
    meeting.refresh_from_db()
    assert meeting.version == 1 and not AuditEvent.objects.filter(action="cases.meeting.changed").exists()


def test_a_meeting_held_or_with_minutes_stays_as_it_was(family_path, personas, login):
    case_manager = personas["case_manager"].user
    held = _meeting(family_path, personas, when=_at(2026, 11, 2, 10))
    minuted = _meeting(family_path, personas)
    services.record_minutes(actor=case_manager, meeting=minuted, version=1, minutes="Verbale", decisions="")
    minuted.refresh_from_db()
    for meeting in (held, minuted):
        assert not meeting.can_be_rescheduled
        with pytest.raises(ValidationError):
            services.reschedule_meeting(
                actor=case_manager,
                meeting=meeting,
                version=meeting.version,
                held_at=_at(2026, 11, 30, 10),
                place="",
                agenda="x",
            )
        client = login("case_manager")
        url = reverse("cases:meeting_change", kwargs={"pk": family_path.pk, "meeting_pk": meeting.pk})
        detail = reverse("cases:meeting_detail", kwargs={"pk": family_path.pk, "meeting_pk": meeting.pk})
        assert url not in client.get(detail).content.decode()
        response = client.post(url, {"version": meeting.version, "held_at": "2026-11-30T10:00", "agenda": "x"})
        assert response.status_code == 302 and response["Location"] == detail
        assert [m.level for m in get_messages(response.wsgi_request)] == [messages.ERROR]  # says why
    assert set(Meeting.objects.values_list("held_at", flat=True)) == {_at(2026, 11, 2, 10), _at(2026, 11, 20, 10)}
    assert not Notification.objects.filter(kind=Kind.MEETING_CHANGED).exists()
