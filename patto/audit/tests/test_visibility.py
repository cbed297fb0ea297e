"""Which events each reader of the trail sees (issue 8, finding 13: events without an institution,
failed sign-ins with the usernames typed, were shown to every district's auditor)."""

from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.audit.queries import events_visible_to
from patto.audit.services import record_event


def _failed_sign_in(client):
    client.post(reverse("accounts:login"), {"username": "mario.rossi@typo", "password": "sbagliata"})
    return AuditEvent.objects.get(action="accounts.login.failed", actor_label="mario.rossi@typo")


def test_a_district_auditor_sees_neither_platform_events_nor_another_districts(client, login, personas):
    """Finding 13: the auditor of district A does not see a failed sign-in (no institution) nor the
    events of district B; they see their own district's."""
    failed = _failed_sign_in(client)
    assert failed.actor_institution is None
    foreign = record_event(
        actor=personas["foreigner"].user, action="accounts.person.viewed", subjects=[personas["foreigner"].user]
    )
    own = record_event(
        actor=personas["institution_admin"].user,
        action="accounts.person.viewed",
        subjects=[personas["case_manager"].user],
    )
    response = login("auditor").get(reverse("audit:trail"))
    shown = {event.pk for event in response.context["page"].object_list}
    assert own.pk in shown
    assert failed.pk not in shown and foreign.pk not in shown
    assert b"mario.rossi@typo" not in response.content


def test_the_technical_admin_sees_only_the_platform_events(client, login, personas):
    failed = _failed_sign_in(client)
    own = record_event(
        actor=personas["institution_admin"].user,
        action="accounts.person.viewed",
        subjects=[personas["case_manager"].user],
    )
    response = login("admin").get(reverse("audit:trail"))
    assert response.status_code == 200
    shown = {event.pk for event in response.context["page"].object_list}
    assert failed.pk in shown and own.pk not in shown
    assert b"mario.rossi@typo" in response.content


def test_nobody_else_reads_the_trail(personas):
    record_event(actor=None, action="accounts.login.failed", actor_label="x")
    for name in ("case_manager", "coordinator", "institution_admin", "foreigner"):
        assert not events_visible_to(personas[name].user).exists()


def test_the_trail_shows_actions_in_words(login, personas):
    record_event(
        actor=personas["institution_admin"].user,
        action="accounts.person.viewed",
        subjects=[personas["case_manager"].user],
    )
    client = login("auditor")
    client.cookies["django_language"] = "en"
    html = client.get(reverse("audit:trail")).content.decode()
    assert "Opened a staff member&#x27;s profile" in html


def test_the_technical_admins_home_panel_opens_the_platform_events(login, personas):
    response = login("admin").get(reverse("core:home"))
    html = response.content.decode()
    assert reverse("audit:trail") in html and reverse("audit:access_search") not in html
