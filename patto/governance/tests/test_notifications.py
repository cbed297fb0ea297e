"""Who the pact's governance tells, and about what: a person added to a body, the body's members when a
meeting is convened (with its .ics) or minutes wait for their approval, the parties' referents when a
monitoring period opens and when their commitment updates are due. Never the actor, never someone who
cannot open the link (a seat on a body reaches its pages only with a governance role)."""

from datetime import date, datetime, timedelta

import icalendar
from django.urls import reverse
from django.utils import timezone

from patto.governance import reminders, services
from patto.governance.models import Body, BodyMeeting
from patto.notifications.kinds import Kind
from patto.notifications.models import Notification
from patto.notifications.reminders import sources

TODAY = date(2026, 11, 16)  # the tests' clock (root conftest)


def _sent(kind):
    """{username: (url, reference)} of the notifications of ``kind``."""
    return {
        n.recipient.username: (n.url, n.reference)
        for n in Notification.objects.filter(kind=kind).select_related("recipient")
    }


def test_opening_a_period_tells_the_referents_of_the_parties_with_commitments(pact):
    # The fixture's coordinator opened "Secondo semestre 2026"; the version in force binds the Comune and
    # the school. Their governance-role members are told; not the coordinator (the actor), not the social
    # worker of the Comune, not the cooperative (no commitment), not Forlì.
    url = reverse("governance:commitments")
    assert _sent(Kind.MONITORING_PERIOD_OPENED) == {
        "institution_admin": (url, "Secondo semestre 2026"),
        "other_admin": (url, "Secondo semestre 2026"),
        "school_referent": (url, "Secondo semestre 2026"),
    }


def test_body_members_are_told_when_added_convened_with_an_ics_and_when_minutes_await_approval(pact, personas, world):
    coordinator = personas["coordinator"].user
    gt = Body.objects.get(pact=pact, name="Gruppo Territoriale")
    # Added by the fixture: the coordinator herself (nobody to tell) and the school's administrator.
    assert _sent(Kind.BODY_ADDED) == {
        "other_admin": (reverse("governance:body_detail", kwargs={"body_pk": gt.pk}), "Gruppo Territoriale")
    }
    # A social worker on the body holds no governance role: its pages answer 403 to her, so nobody tells her.
    services.add_body_member(
        actor=coordinator, body=gt, user=personas["case_manager"].user, institution=world.comune, valid_from=TODAY
    )
    assert Notification.objects.filter(kind=Kind.BODY_ADDED).count() == 1
    # The fixture's meeting of March was recorded after it was held: it convened nobody.
    assert not Notification.objects.filter(kind=Kind.MEETING_CONVENED).exists()

    meeting = services.schedule_body_meeting(
        actor=coordinator,
        body=gt,
        starts_at=timezone.make_aware(datetime(2026, 12, 3, 15)),
        duration_minutes=90,
        place="Sala Giunta",
        agenda="1. Approvazione del verbale",
    )
    url = reverse("governance:body_meeting", kwargs={"meeting_pk": meeting.pk})
    assert _sent(Kind.MEETING_CONVENED) == {"other_admin": (url, "Gruppo Territoriale — 03/12/2026")}
    ics = bytes(Notification.objects.get(kind=Kind.MEETING_CONVENED).attachment_ics)
    event = icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]
    assert str(event["summary"]) == "Gruppo Territoriale" and event["dtstart"].dt == meeting.starts_at
    assert str(event["uid"]) == f"{meeting.uid}@patto"

    held = BodyMeeting.objects.get(body=gt, starts_at__lt=timezone.now())
    for minutes in ("Verbale della riunione di marzo", "Verbale corretto"):  # told once, not at every edit
        held.refresh_from_db()
        services.record_body_minutes(
            actor=coordinator, meeting=held, version=held.version, minutes=minutes, decisions="", attendance={}
        )
    url = reverse("governance:body_meeting", kwargs={"meeting_pk": held.pk})
    assert _sent(Kind.MINUTES_TO_APPROVE) == {"other_admin": (url, "Gruppo Territoriale — 12/03/2026")}
    assert Notification.objects.filter(kind=Kind.MINUTES_TO_APPROVE).count() == 1


def test_commitment_updates_due_remind_the_parties_that_have_not_updated_once(pact, personas):
    assert "governance.commitment_updates_due" in sources()
    assert reminders.commitment_updates_due(TODAY) == 0  # the period ends on 31 December: not yet
    school_commitment = pact.version_in_force().commitments.get(institution__name="IC Rimini Marina")
    services.update_commitment_status(
        actor=personas["school_referent"].user,
        commitment=school_commitment,
        period=pact.periods.get(),
        status="on_track",
        evidence="Referente nominato",
    )
    near_the_end = date(2026, 12, 20)
    assert reminders.commitment_updates_due(near_the_end) == 2
    assert reminders.commitment_updates_due(near_the_end) == 0
    assert reminders.commitment_updates_due(near_the_end + timedelta(days=15)) == 0  # past its end, told already
    url = reverse("governance:commitments")
    assert _sent(Kind.COMMITMENT_UPDATE_DUE) == {
        "coordinator": (url, "Secondo semestre 2026"),
        "institution_admin": (url, "Secondo semestre 2026"),
    }
    period = pact.periods.get()
    services.close_period(actor=personas["coordinator"].user, period=period)
    Notification.objects.filter(kind=Kind.COMMITMENT_UPDATE_DUE).delete()
    assert reminders.commitment_updates_due(near_the_end) == 0  # a closed period asks nothing
