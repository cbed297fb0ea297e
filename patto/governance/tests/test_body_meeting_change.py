"""Moving a meeting of a governance body still to be held: only the coordinator; a meeting held or with
minutes stays as it was; a date gone by or a stale form is refused keeping what was typed; the body's members
are told (never the actor) with an .ics that replaces the event (same UID, higher SEQUENCE)."""

from datetime import datetime

import icalendar
import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from patto.audit.models import AuditEvent
from patto.governance import services
from patto.governance.models import Body, BodyMeeting
from patto.notifications.kinds import Kind
from patto.notifications.models import Notification


def _at(*args):
    return timezone.make_aware(datetime(*args))


def _convene(pact, personas):
    return services.schedule_body_meeting(
        actor=personas["coordinator"].user,
        body=Body.objects.get(pact=pact, kind=Body.Kind.GT),
        starts_at=_at(2026, 12, 3, 15),
        duration_minutes=90,
        place="Sala Giunta",
        agenda="1. Approvazione del verbale",
    )


def _event(ics):
    return icalendar.Calendar.from_ical(bytes(ics)).walk("VEVENT")[0]


def test_the_coordinator_moves_a_meeting_and_the_members_get_an_ics_that_replaces_it(pact, personas, login):
    meeting = _convene(pact, personas)
    convened = _event(Notification.objects.get(kind=Kind.MEETING_CONVENED).attachment_ics)
    client = login("coordinator")
    page_url = reverse("governance:body_meeting", kwargs={"meeting_pk": meeting.pk})
    url = reverse("governance:body_meeting_change", kwargs={"meeting_pk": meeting.pk})
    assert url in client.get(page_url).content.decode()  # the link "Change date or place"
    assert client.get(url).status_code == 200

    typed = {"version": 1, "starts_at": "2026-11-02T15:00", "duration_minutes": 60, "place": "Sala del Consiglio"}
    typed["agenda"] = "1. Approvazione del verbale\n2. Patto 2027"
    refused = client.post(url, typed)
    assert refused.status_code == 200 and "starts_at" in refused.context["form"].errors
    assert "Sala del Consiglio" in refused.content.decode()

    assert client.post(url, {**typed, "starts_at": "2026-12-10T16:00"}).status_code == 302
    meeting.refresh_from_db()
    assert (meeting.starts_at, meeting.duration_minutes, meeting.place, meeting.version) == (
        _at(2026, 12, 10, 16),
        60,
        "Sala del Consiglio",
        2,
    )
    audit = AuditEvent.objects.get(action="governance.meeting.changed")
    assert audit.changes["place"] == ["Sala Giunta", "Sala del Consiglio"]

    (changed,) = Notification.objects.filter(kind=Kind.MEETING_CHANGED).select_related("recipient")
    assert (changed.recipient.username, changed.url, changed.reference) == (
        "other_admin",  # the coordinator, the other member, changed it herself
        page_url,
        "Gruppo Territoriale — 10/12/2026",
    )
    event = _event(changed.attachment_ics)
    assert str(event["uid"]) == str(convened["uid"]) == f"{meeting.uid}@patto"
    assert int(event["sequence"]) > int(convened["sequence"]) == 0
    assert event["dtstart"].dt == _at(2026, 12, 10, 16) and str(event["location"]) == "Sala del Consiglio"
    ics = bytes(changed.attachment_ics).decode()
    assert not [p.user.last_name for p in personas.values() if p.user.last_name and p.user.last_name in ics]
    download = _event(client.get(reverse("governance:meeting_ics", kwargs={"meeting_pk": meeting.pk})).content)
    assert (str(download["uid"]), int(download["sequence"])) == (str(event["uid"]), int(event["sequence"]))

    stale = client.post(url, {**typed, "starts_at": "2026-12-11T16:00", "place": "Biblioteca Gambalunga"})
    assert stale.status_code == 409 and "Biblioteca Gambalunga" in stale.content.decode()
    meeting.refresh_from_db()
    assert (meeting.version, meeting.place) == (2, "Sala del Consiglio")
    assert Notification.objects.filter(kind=Kind.MEETING_CHANGED).count() == 1


def test_only_the_coordinator_moves_a_meeting(pact, personas, login):
    meeting = _convene(pact, personas)
    url = reverse("governance:body_meeting_change", kwargs={"meeting_pk": meeting.pk})
    page_url = reverse("governance:body_meeting", kwargs={"meeting_pk": meeting.pk})
    member = login("other_admin")  # sits on the body, does not convene it
    assert url not in member.get(page_url).content.decode()
    assert member.get(url).status_code == 403
    assert member.post(url, {"version": 1, "starts_at": "2026-12-10T16:00"}).status_code == 403
    assert login("case_manager").get(url).status_code == 403
    assert login("outsider").get(url).status_code == 404
    assert login("foreigner").get(url).status_code == 404
    meeting.refresh_from_db()
    assert meeting.version == 1 and not AuditEvent.objects.filter(action="governance.meeting.changed").exists()


def test_a_meeting_held_or_with_minutes_stays_as_it_was(pact, personas, login):
    coordinator = personas["coordinator"].user
    held = BodyMeeting.objects.get(body__pact=pact, starts_at__lt=timezone.now())  # the fixture's, in March
    minuted = _convene(pact, personas)
    services.record_body_minutes(
        actor=coordinator, meeting=minuted, version=1, minutes="Verbale", decisions="", attendance={}
    )
    minuted.refresh_from_db()
    client = login("coordinator")
    for meeting in (held, minuted):
        assert not meeting.can_be_rescheduled
        with pytest.raises(ValidationError):
            services.reschedule_body_meeting(
                actor=coordinator,
                meeting=meeting,
                version=meeting.version,
                starts_at=_at(2026, 12, 20, 10),
                duration_minutes=60,
                place="Sala Giunta",
                agenda="x",
            )
        url = reverse("governance:body_meeting_change", kwargs={"meeting_pk": meeting.pk})
        page_url = reverse("governance:body_meeting", kwargs={"meeting_pk": meeting.pk})
        assert url not in client.get(page_url).content.decode()
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == page_url
        assert [m.level for m in get_messages(response.wsgi_request)] == [messages.ERROR]  # says why
    assert not BodyMeeting.objects.filter(starts_at=_at(2026, 12, 20, 10)).exists()
    assert not Notification.objects.filter(kind=Kind.MEETING_CHANGED).exists()
