"""The inbox, the bell, the choices page and the technical administrator's e-mails not sent: each person
sees only their own notifications (anyone else's answers 404), opening one marks it read and goes only to a
page inside Patto, every change is audited, and the pages' queries do not grow with the notifications."""

import pytest
from django.urls import reverse

from patto.audit.models import AuditEvent
from patto.notifications import services
from patto.notifications.kinds import RULES, Delivery, Kind
from patto.notifications.models import EmailDelivery, Notification, NotificationPreference


def _notify(user, count=1, url="/percorsi/", kind=Kind.TEAM_ADDED):
    return [
        n
        for i in range(count)
        for n in services.notify(recipients=[user], kind=kind, url=url, reference=f"RN-2026-{i:04d}")
    ]


def test_the_inbox_lists_only_ones_own_and_opening_marks_read_and_redirects_inside_patto(login, personas):
    alice, bob = personas["case_manager"].user, personas["team_member"].user
    (mine,) = _notify(alice, url="/percorsi/?pagina=2")
    (theirs,) = _notify(bob)
    (evil,) = _notify(alice, url="//evil.example.org/")
    client = login("case_manager")
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert reverse("notifications:open", args=[mine.pk]) in page
    assert reverse("notifications:open", args=[theirs.pk]) not in page
    assert "2 notifiche non lette" in page  # the bell, in words for screen readers

    assert client.get(reverse("notifications:open", args=[theirs.pk])).status_code == 404
    response = client.get(reverse("notifications:open", args=[mine.pk]))
    assert response.status_code == 302 and response["Location"] == "/percorsi/?pagina=2"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert AuditEvent.objects.filter(action="notifications.notification.read", object_id=str(mine.pk)).exists()
    # A stored link that leaves Patto is never followed.
    assert client.get(reverse("notifications:open", args=[evil.pk]))["Location"] == reverse("notifications:inbox")


def test_mark_all_as_read_is_a_post_and_audited(login, personas):
    alice = personas["case_manager"].user
    _notify(alice, count=3)
    (bobs,) = _notify(personas["team_member"].user)
    client = login("case_manager")
    assert client.get(reverse("notifications:read_all")).status_code == 405
    response = client.post(reverse("notifications:read_all"), follow=True)
    assert "3 notifiche segnate come lette" in response.content.decode()
    assert not Notification.objects.filter(recipient=alice, read_at__isnull=True).exists()
    bobs.refresh_from_db()
    assert bobs.read_at is None
    event = AuditEvent.objects.get(action="notifications.read_all")
    assert event.changes == {"unread": [3, 0]}


def test_preferences_offer_no_off_for_mandatory_kinds_and_keep_what_was_chosen(login, personas):
    client = login("case_manager")
    page = client.get(reverse("notifications:preferences")).content.decode()
    for kind, rule in RULES.items():
        off = f'name="{kind.value}" value="off"'
        assert (off in page) is (not rule.mandatory), kind
    choices = {kind.value: rule.default for kind, rule in RULES.items()}
    choices[Kind.MEETING_CHANGED] = Delivery.OFF
    choices[Kind.REQUEST_RECEIVED] = Delivery.DIGEST
    response = client.post(reverse("notifications:preferences"), choices)
    assert response.status_code == 302
    assert dict(NotificationPreference.objects.values_list("kind", "delivery")) == {
        "meeting_changed": "off",
        "request_received": "digest",
    }
    # "off" for a mandatory kind, sent by hand: refused with the reason, nothing saved, the other choices
    # kept on the page as typed.
    choices[Kind.REQUEST_RECEIVED] = Delivery.OFF
    choices[Kind.TEAM_ADDED] = Delivery.DIGEST
    response = client.post(reverse("notifications:preferences"), choices)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Non si può disattivare: le chiede di intervenire entro un tempo stabilito." in page
    assert 'name="team_added" value="digest" class="form-check-input" required id="id_team_added_1" checked' in page
    assert NotificationPreference.objects.count() == 2
    assert AuditEvent.objects.filter(action="notifications.preference.changed").count() == 1


@pytest.fixture
def failed_email(personas, settings, django_capture_on_commit_callbacks):
    (notification,) = services.notify(
        recipients=[personas["team_member"].user], kind=Kind.TASK_ASSIGNED, url="/", reference="RN-2026-0001"
    )
    EmailDelivery.objects.filter(pk=notification.email_id).update(
        status=EmailDelivery.Status.FAILED, attempts=8, last_error="SMTPRecipientsRefused [550]"
    )
    return notification.email


def test_the_technical_administrator_sees_failed_emails_and_retries_them(login, personas, failed_email, committed):
    from django.core import mail

    for persona in ("case_manager", "auditor", "institution_admin"):
        client = login(persona)
        assert client.get(reverse("notifications:emails")).status_code == 403
        assert client.post(reverse("notifications:email_retry", args=[failed_email.pk])).status_code == 403
    client = login("admin")
    page = client.get(reverse("notifications:emails")).content.decode()
    assert "team_member" in page and "SMTPRecipientsRefused [550]" in page
    assert personas["team_member"].user.last_name not in page
    assert AuditEvent.objects.filter(action="notifications.emails.viewed").exists()
    with committed():
        response = client.post(reverse("notifications:email_retry", args=[failed_email.pk]))
    assert response.status_code == 302
    failed_email.refresh_from_db()
    assert failed_email.status == EmailDelivery.Status.SENT and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="notifications.email.retried").exists()
    # A sent e-mail is no longer listed, nor can be retried.
    assert client.post(reverse("notifications:email_retry", args=[failed_email.pk])).status_code == 404


def test_the_foreign_technical_administrator_does_not_see_the_districts_emails(login, personas, failed_email):
    from patto.accounts.roles import Role
    from patto.accounts.tests.factories import MembershipFactory, UserFactory

    MembershipFactory(
        user=UserFactory(username="tecnico_forli"),
        institution=personas["foreigner"].institution,
        role=Role.TECHNICAL_ADMIN,
    )
    client = login("tecnico_forli")
    assert "team_member" not in client.get(reverse("notifications:emails")).content.decode()
    assert client.post(reverse("notifications:email_retry", args=[failed_email.pk])).status_code == 404


@pytest.mark.parametrize("count", [1, 3])
def test_inbox_query_count(count, login, personas, django_assert_num_queries):
    _notify(personas["case_manager"].user, count=count)
    client = login("case_manager")
    client.get(reverse("notifications:inbox"))  # warm the session
    with django_assert_num_queries(6):
        response = client.get(reverse("notifications:inbox"))
    assert response.content.decode().count("/apri/") == count


@pytest.mark.parametrize("count", [1, 3])
def test_the_bell_costs_one_query_whatever_the_count(count, login, personas, django_assert_num_queries):
    _notify(personas["case_manager"].user, count=count)
    client = login("case_manager")
    client.get(reverse("accounts:profile"))
    with django_assert_num_queries(9) as captured:
        response = client.get(reverse("accounts:profile"))
    bell = [q["sql"] for q in captured.captured_queries if "notifications_notification" in q["sql"]]
    assert len(bell) == 1 and "COUNT(" in bell[0]
    text = "1 notifica non letta" if count == 1 else "3 notifiche non lette"
    assert text in response.content.decode()
