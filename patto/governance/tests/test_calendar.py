import icalendar
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from patto.accounts.models import Membership
from patto.governance.models import CalendarFeed


def _feed_url(response):
    return response.context["link"].replace("http://testserver", "")


def test_personal_feed_works_without_sign_in_until_revoked(pact, personas, login):
    from datetime import timedelta

    from patto.governance import services

    services.schedule_body_meeting(actor=personas["coordinator"].user, body=pact.bodies.get(),
                                   starts_at=timezone.now() + timedelta(days=20), duration_minutes=90,
                                   place="Sala Giunta", agenda="1. Monitoraggio")
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
