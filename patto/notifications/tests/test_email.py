"""E-mails of notifications: queued when the notifying transaction commits (never before, never for one
rolled back), rendered in the recipient's language with the kind's words, the reference and links, the
meeting's .ics attached; failures retried with a growing delay, then marked as failed; choices of
delivery honoured (digest, off) except that a kind that cannot be turned off is always e-mailed."""

import smtplib
from datetime import timedelta
from email import message_from_bytes

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patto.audit.models import AuditEvent
from patto.core.calendar import CalendarEvent, calendar_bytes
from patto.notifications import services
from patto.notifications.kinds import Delivery, Kind
from patto.notifications.models import EmailDelivery, Notification, NotificationPreference
from patto.notifications.reminders import register_source


@pytest.fixture
def alice(personas):
    return personas["case_manager"].user


def _notify(user, kind=Kind.REQUEST_RECEIVED, **kwargs):
    kwargs.setdefault("url", "/percorsi/1/")
    kwargs.setdefault("reference", "RN-2026-0001")
    return services.notify(recipients=[user], kind=kind, **kwargs)


def test_an_immediate_notification_is_emailed_after_commit_with_links_and_no_name(alice, committed):
    with committed():
        (notification,) = _notify(alice)
        assert mail.outbox == []  # nothing leaves before the transaction commits
    (message,) = mail.outbox
    assert message.to == [alice.email]
    assert message.subject == "Patto: È stata indirizzata una richiesta al suo servizio (RN-2026-0001)"
    assert f"https://patto.example.org/notifiche/{notification.pk}/apri/" in message.body
    assert "https://patto.example.org/notifiche/preferenze/" in message.body
    assert alice.first_name not in message.body and alice.last_name not in message.body
    notification.refresh_from_db()
    assert notification.emailed_at is not None
    assert notification.email.status == EmailDelivery.Status.SENT and notification.email.attempts == 1


def test_a_rolled_back_notification_sends_nothing(alice, committed):
    with committed():
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _notify(alice)
                raise RuntimeError
    assert mail.outbox == [] and not EmailDelivery.objects.exists()


def test_a_meeting_carries_its_ics_as_text_calendar(alice, committed):
    start = timezone.now()
    event = CalendarEvent(uid="m1", starts_at=start, ends_at=start + timedelta(hours=1), summary="RN-2026-0001")
    with committed():
        _notify(alice, kind=Kind.MEETING_CONVENED, ics=calendar_bytes([event]))
    (message,) = mail.outbox
    parsed = message_from_bytes(message.message().as_bytes())
    (attachment,) = [part for part in parsed.walk() if part.get_filename()]
    assert attachment.get_content_type() == "text/calendar"
    assert b"BEGIN:VCALENDAR" in attachment.get_payload(decode=True)


class RefusingBackend:
    """An SMTP server that refuses the recipient (its message quotes the address, which must not be kept)."""

    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        address = messages[0].to[0]
        raise smtplib.SMTPRecipientsRefused({address: (550, f"<{address}> mailbox unavailable".encode())})


def test_a_failed_send_is_retried_with_a_growing_delay_then_marked_failed(
    alice, personas, committed, settings, fixed_clock
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    settings.PATTO_EMAIL_MAX_ATTEMPTS = 3
    with committed():
        (notification,) = _notify(alice)
    email = notification.email
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("pending", 1, "SMTPRecipientsRefused [550]")
    assert alice.email not in email.last_error
    assert timedelta(minutes=9) < email.next_attempt_at - email.last_attempt_at <= timedelta(minutes=10)

    with committed():
        assert services.requeue_due_emails() == 0  # not due yet
    fixed_clock.shift(timedelta(minutes=11))
    with committed():
        assert services.requeue_due_emails() == 1
    email.refresh_from_db()
    assert email.attempts == 2
    assert timedelta(minutes=19) < email.next_attempt_at - email.last_attempt_at <= timedelta(minutes=20)

    fixed_clock.shift(timedelta(minutes=21))
    with committed():
        services.requeue_due_emails()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.next_attempt_at) == ("failed", 3, None)

    # Once it works again, the technical administrator's "retry now" sends it (audited).
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with committed():
        services.retry_email(actor=personas["admin"].user, email=email)
    email.refresh_from_db()
    assert email.status == "sent" and len(mail.outbox) == 1
    assert AuditEvent.objects.filter(action="notifications.email.retried", object_id=str(email.pk)).exists()


def test_no_address_fails_at_once_and_a_sent_email_is_never_sent_twice(alice, committed):
    alice.email = ""
    alice.save(update_fields=["email"])
    with committed():
        (notification,) = _notify(alice)
    notification.email.refresh_from_db()
    assert (notification.email.status, notification.email.last_error) == ("failed", "no e-mail address")

    alice.email = "alice@example.org"
    alice.save(update_fields=["email"])
    with committed():
        (notification,) = _notify(alice, kind=Kind.REQUEST_ANSWERED)
    assert services.deliver_email(notification.email_id) == "skipped"  # already sent: a second copy does nothing
    assert len(mail.outbox) == 1


def test_choices_digest_and_off_and_a_mandatory_kind_always_emailed(alice, committed):
    services.set_preferences(actor=alice, choices={Kind.TEAM_ADDED: Delivery.OFF, Kind.BODY_ADDED: Delivery.DIGEST})
    # A mandatory kind set to "off" behind the service's back is still e-mailed.
    NotificationPreference.objects.create(user=alice, kind=Kind.REQUEST_ASSIGNED, delivery=Delivery.OFF)
    with committed():
        _notify(alice, kind=Kind.TEAM_ADDED)
        _notify(alice, kind=Kind.BODY_ADDED, reference="")
        _notify(alice, kind=Kind.TASK_OVERDUE, reference="RN-2026-0002")  # digest by default
        _notify(alice, kind=Kind.REQUEST_ASSIGNED)
    assert [m.subject for m in mail.outbox] == ["Patto: Le è stata assegnata una richiesta (RN-2026-0001)"]
    assert Notification.objects.filter(recipient=alice).count() == 4  # all four are in the inbox

    with committed():
        assert len(services.prepare_digests()) == 1
        assert services.prepare_digests() == []  # a second run the same day: nothing new
    digest = mail.outbox[1]
    assert digest.subject == "Patto: 2 notifiche del giorno"
    assert "RN-2026-0002" in digest.body and digest.body.count("/notifiche/") == 4  # 2 items, inbox, choices
    assert Notification.objects.filter(recipient=alice, emailed_at__isnull=False).count() == 3


def test_a_mandatory_kind_cannot_be_turned_off(alice):
    with pytest.raises(ValidationError):
        services.set_preferences(actor=alice, choices={Kind.REQUEST_RECEIVED: Delivery.OFF})
    assert not NotificationPreference.objects.exists()
    assert services.set_preferences(actor=alice, choices={Kind.REQUEST_RECEIVED: Delivery.DIGEST}) == [
        Kind.REQUEST_RECEIVED
    ]
    event = AuditEvent.objects.get(action="notifications.preference.changed")
    assert event.changes == {"request_received": ["immediate", "digest"]}


def test_a_repeated_reminder_creates_one_notification_and_one_email(alice, committed):
    with committed():
        assert len(_notify(alice, kind=Kind.REQUEST_OVERDUE, dedupe_key="request:1:overdue:2026-11-16")) == 1
        assert _notify(alice, kind=Kind.REQUEST_OVERDUE, dedupe_key="request:1:overdue:2026-11-16") == []
    assert EmailDelivery.objects.count() == 1 and len(mail.outbox) == 1


def test_send_reminders_runs_the_sources_and_queues_due_retries(alice, committed, monkeypatch):
    from io import StringIO

    from django.core.management import call_command

    from patto.notifications import reminders

    monkeypatch.setattr(reminders, "_sources", {})
    register_source("test.one", lambda today: len(_notify(alice, dedupe_key=f"x:{today}")))
    out = StringIO()
    with committed():
        call_command("send_reminders", stdout=out)
    assert "test.one: 1 notification(s)" in out.getvalue()
    assert "e-mails queued again: 0" in out.getvalue()
    assert len(mail.outbox) == 1
