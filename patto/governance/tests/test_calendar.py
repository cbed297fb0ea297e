"""The personal calendar feed: a secret, revocable link to the meetings of the user's bodies."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patto.accounts.models import Institution, Membership, User
from patto.accounts.roles import Role
from patto.accounts.tests.factories import MembershipFactory
from patto.governance import services
from patto.governance.models import BodyMember, CalendarFeed

TODAY = datetime(2026, 10, 15, 10, 0, tzinfo=ZoneInfo("Europe/Rome"))


@pytest.fixture(autouse=True)
def clock():
    """A fixed day, set before the personas and the pact are made."""
    with time_machine.travel(TODAY, tick=False):
        yield


def _feed_url(response):
    return response.context["link"].replace("http://testserver", "")


def test_personal_feed_works_without_sign_in_until_revoked(pact, personas, login):
    services.schedule_body_meeting(
        actor=personas["coordinator"].user,
        body=pact.bodies.get(),
        starts_at=timezone.now() + timedelta(days=20),
        duration_minutes=90,
        place="Sala Giunta",
        agenda="1. Monitoraggio",
    )
    client = login("other_admin")  # a member of the Gruppo Territoriale
    response = client.post(reverse("governance:calendar_settings"))
    url = _feed_url(response)
    assert CalendarFeed.objects.get().token_hash not in url  # only the hash is stored
    anonymous = Client()
    feed = anonymous.get(url)
    assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["summary"]) for e in events] == ["Gruppo Territoriale"]
    client.post(reverse("governance:calendar_settings"), {"action": "revoke"})
    assert anonymous.get(url).status_code == 404


def test_feed_stops_when_the_governance_role_ends(pact, personas, login):
    url = _feed_url(login("other_admin").post(reverse("governance:calendar_settings")))
    Membership.objects.filter(pk=personas["other_admin"].pk).update(ended_at=timezone.now())
    assert Client().get(url).status_code == 404


def test_a_new_link_replaces_the_old_one(pact, login):
    client = login("other_admin")
    first = _feed_url(client.post(reverse("governance:calendar_settings")))
    second = _feed_url(client.post(reverse("governance:calendar_settings")))
    assert Client().get(first).status_code == 404 and Client().get(second).status_code == 200


# --- Issue 8, finding 8: the feed served a body's meetings after the seat ended or the institution withdrew ---


@pytest.fixture
def feed(pact, personas, login):
    """The school head's feed (a member of the Gruppo Territoriale for the school), with a meeting in three
    weeks."""
    services.schedule_body_meeting(
        actor=personas["coordinator"].user,
        body=pact.bodies.get(),
        starts_at=TODAY + timedelta(days=21),
        duration_minutes=90,
        place="Sala Giunta",
        agenda="1. Monitoraggio",
    )
    return _feed_url(login("other_admin").post(reverse("governance:calendar_settings")))


def _summaries(url):
    response = Client().get(url)
    if response.status_code != 200:
        return response.status_code
    return [str(event["summary"]) for event in icalendar.Calendar.from_ical(response.content).walk("VEVENT")]


def _second_role(personas, world):
    """The head also holds a governance role at the Comune (in standing): the feed itself stays alive, so
    what is tested is which meetings it serves."""
    MembershipFactory(
        user=personas["other_admin"].user,
        institution=world.comune,
        role=Role.INSTITUTION_ADMIN,
        valid_from=date(2024, 1, 1),
    )


def test_the_feed_serves_the_meetings_of_a_current_seat(feed):
    assert _summaries(feed) == ["Gruppo Territoriale"]


def test_the_feed_drops_a_body_whose_seat_has_ended(feed, pact, personas):
    BodyMember.objects.filter(body=pact.bodies.get(), user=personas["other_admin"].user).update(
        valid_to=date(2026, 10, 14)
    )
    assert _summaries(feed) == []


@pytest.mark.parametrize("withdrawn_on", [date(2026, 10, 15), date(2026, 9, 1)])
def test_the_feed_stops_when_the_seats_institution_withdraws(withdrawn_on, feed, pact, personas, world):
    pact.adhesions.filter(institution=world.school).update(withdrawn_on=withdrawn_on, withdrawal_reason="Recesso")
    assert _summaries(feed) == 404  # no governance role left in an institution in standing
    _second_role(personas, world)
    assert _summaries(feed) == []  # alive through the Comune, but the seat is the school's


def test_a_withdrawal_dated_later_does_not_stop_the_feed_yet(feed, pact, world):
    pact.adhesions.filter(institution=world.school).update(withdrawn_on=date(2026, 10, 16))
    assert _summaries(feed) == ["Gruppo Territoriale"]


def test_the_feed_stops_when_the_seats_institution_is_inactive(feed, personas, world):
    Institution.objects.filter(pk=world.school.pk).update(is_active=False)
    assert _summaries(feed) == 404
    _second_role(personas, world)
    assert _summaries(feed) == []


def test_the_feed_drops_a_seat_whose_institution_membership_ended(feed, personas, world):
    _second_role(personas, world)
    Membership.objects.filter(pk=personas["other_admin"].pk).update(valid_to=date(2026, 10, 1))
    assert _summaries(feed) == []


def test_the_feed_stops_for_an_inactive_user(feed, personas):
    User.objects.filter(pk=personas["other_admin"].user_id).update(is_active=False)
    assert _summaries(feed) == 404
