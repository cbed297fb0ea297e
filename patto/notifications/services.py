"""Telling people: ``notify`` is called by the services of the apps above this one, inside their own
transaction, so a notification exists exactly when the thing it announces happened. The other writes here
are the person's own (reading, preferences), the technical administrator's (sending an e-mail again) and
the periodic jobs' (digests, retries)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.audit.services import record_event

from .emails import CannotSend, build_message, describe
from .kinds import RULES, Delivery, Kind
from .models import EmailDelivery, Notification, NotificationPreference

logger = logging.getLogger(__name__)

# A queued e-mail that has not run after this long is queued again by send_reminders (the worker was down,
# or the queue lost it); also how long a worker holds an e-mail it is sending.
QUEUE_GRACE = timedelta(minutes=15)
FIRST_RETRY = timedelta(minutes=10)  # then 20, 40, 80… minutes (send_reminders runs hourly)


def _deliveries(users, kind):
    chosen = dict(NotificationPreference.objects.filter(user__in=users, kind=kind).values_list("user_id", "delivery"))
    rule = RULES[kind]
    result = {}
    for user in users:
        delivery = chosen.get(user.pk, rule.default)
        if rule.mandatory and delivery == Delivery.OFF:
            delivery = rule.default
        result[user.pk] = delivery
    return result


def notify(*, recipients, kind, url, reference="", dedupe_key="", ics=None, exclude=None):
    """One notification per recipient (each user once; ``exclude``, usually the actor, left out).

    ``url`` is a path inside Patto with ids only; ``reference`` a family reference or a number, never a
    name. With ``dedupe_key``, a recipient who already had this key gets nothing new (reminders).
    A notification to be e-mailed at once gets its e-mail queued when the caller's transaction commits.
    Returns the notifications created."""
    users = {user.pk: user for user in recipients if user is not None and user.is_active}
    if exclude is not None:
        users.pop(exclude.pk, None)
    if not users:
        return []
    deliveries = _deliveries(list(users.values()), kind)
    created = []
    for user in users.values():
        notification = Notification(
            recipient=user,
            kind=kind,
            url=url,
            reference=reference[:100],
            dedupe_key=dedupe_key,
            delivery=deliveries[user.pk],
            attachment_ics=ics,
        )
        if dedupe_key:
            try:
                with transaction.atomic():  # a savepoint: a repeated key leaves nothing behind (nor its e-mail)
                    _save(notification)
            except IntegrityError:
                continue
        else:
            _save(notification)
        if notification.email is not None:
            _queue_on_commit(notification.email)
        created.append(notification)
    return created


def _save(notification):
    if notification.delivery == Delivery.IMMEDIATE:
        notification.email = EmailDelivery.objects.create(
            recipient=notification.recipient, kind=notification.kind, next_attempt_at=timezone.now() + QUEUE_GRACE
        )
    notification.save()


def _queue_on_commit(email):
    transaction.on_commit(lambda: _queue(email.pk), robust=True)


def _queue(email_id):
    """Queue the sending task. If the queue refuses, the e-mail stays pending and send_reminders retries."""
    from .tasks import send_email

    try:
        send_email.enqueue(email_id)
    except Exception:  # noqa: BLE001 — the row is there; the periodic job will queue it again
        logger.warning("Could not queue e-mail %s; send_reminders will retry it", email_id, exc_info=True)


# --- The person's own inbox and choices -----------------------------------------------------------


@transaction.atomic
def mark_read(*, actor, notification):
    """The person opened one of their notifications."""
    if notification.recipient_id != actor.pk:
        raise ValidationError(_("This notification is not yours."))
    if notification.read_at is not None:
        return notification
    notification.read_at = timezone.now()
    notification.save(update_fields=["read_at"])
    record_event(actor=actor, action="notifications.notification.read", obj=notification)
    return notification


@transaction.atomic
def mark_all_read(*, actor):
    """Every unread notification of the person marked as read; returns how many."""
    count = Notification.objects.filter(recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        record_event(
            actor=actor,
            action="notifications.read_all",
            object_type="accounts.user",
            object_id=str(actor.pk),
            changes={"unread": [count, 0]},
        )
    return count


def preferences_of(user):
    """{kind: delivery} for every kind: the person's choice, else the kind's default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, rule.default) for kind, rule in RULES.items()}


@transaction.atomic
def set_preferences(*, actor, choices):
    """How the person wants to be told of each kind (``{kind: delivery}``, kinds left out unchanged).

    A kind that cannot be turned off refuses "off", with the reason. Returns the kinds changed."""
    for kind, delivery in choices.items():
        if kind not in RULES or delivery not in Delivery.values:
            raise ValidationError(_("Choose how to be told of each kind of notification."))
        if delivery == Delivery.OFF and RULES[kind].mandatory:
            raise ValidationError(
                _("“%(kind)s” cannot be turned off: it asks you to act within a set time.") % {"kind": Kind(kind).label}
            )
    current = preferences_of(actor)
    changes = {kind: [current[kind], delivery] for kind, delivery in choices.items() if current[kind] != delivery}
    for kind, (_old, delivery) in changes.items():
        NotificationPreference.objects.update_or_create(user=actor, kind=kind, defaults={"delivery": delivery})
    if changes:
        record_event(
            actor=actor,
            action="notifications.preference.changed",
            object_type="accounts.user",
            object_id=str(actor.pk),
            changes=changes,
        )
    return list(changes)


# --- E-mails: digests, retries, the technical administrator's "send again" ------------------------------


@transaction.atomic
def prepare_digests():
    """One digest e-mail per person with notifications to be told "in the daily digest" and not yet in one;
    they are attached to it now, so running the job twice sends nothing twice. Returns the e-mails queued."""
    waiting = Notification.objects.filter(delivery=Delivery.DIGEST, email__isnull=True, recipient__is_active=True)
    emails = []
    for user_id in sorted(set(waiting.values_list("recipient_id", flat=True))):
        email = EmailDelivery.objects.create(
            recipient_id=user_id, digest=True, next_attempt_at=timezone.now() + QUEUE_GRACE
        )
        waiting.filter(recipient_id=user_id).update(email=email)
        _queue_on_commit(email)
        emails.append(email)
    return emails


def retry_delay(attempts):
    """How long after its ``attempts``-th failed attempt an e-mail is tried again: 10, 20, 40… minutes."""
    return FIRST_RETRY * 2 ** max(attempts - 1, 0)


@transaction.atomic
def requeue_due_emails(now=None):
    """Queue again the e-mails whose retry is due (or whose queued send never ran). Returns how many."""
    now = now or timezone.now()
    due = list(
        EmailDelivery.objects.filter(status=EmailDelivery.Status.PENDING, next_attempt_at__lte=now).values_list(
            "pk", flat=True
        )
    )
    EmailDelivery.objects.filter(pk__in=due).update(next_attempt_at=now + QUEUE_GRACE)
    for pk in due:
        transaction.on_commit(lambda pk=pk: _queue(pk), robust=True)
    return len(due)


@transaction.atomic
def retry_email(*, actor, email):
    """The technical administrator sends a failed or waiting e-mail again now: one more attempt (attempts
    keep counting; if it fails after the last allowed one, it is failed again at once)."""
    if email.status == EmailDelivery.Status.SENT:
        raise ValidationError(_("This e-mail has already been sent."))
    old = email.status
    email.status = EmailDelivery.Status.PENDING
    email.locked_until = None
    email.next_attempt_at = timezone.now() + QUEUE_GRACE
    email.save(update_fields=["status", "locked_until", "next_attempt_at"])
    record_event(actor=actor, action="notifications.email.retried", obj=email, changes={"status": [old, email.status]})
    _queue_on_commit(email)
    return email


def deliver_email(email_id):
    """Send one queued e-mail (the worker's task). Idempotent: an e-mail sent, failed or held by another
    worker is left alone. A failure is recorded by kind and code and tried again later with a growing
    delay, up to ``PATTO_EMAIL_MAX_ATTEMPTS``; a reason no attempt can cure fails it at once.
    Returns "sent", "retry", "failed" or "skipped"."""
    now = timezone.now()
    free = Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    pending = EmailDelivery.objects.filter(free, pk=email_id, status=EmailDelivery.Status.PENDING)
    if not pending.update(locked_until=now + QUEUE_GRACE):
        return "skipped"
    email = EmailDelivery.objects.select_related("recipient").get(pk=email_id)
    try:
        build_message(email, list(email.notifications.order_by("created_at", "pk"))).send()
    except Exception as exc:  # noqa: BLE001 — any failure is recorded and retried, never lost
        return _record_failure(email, exc)
    sent_at = timezone.now()
    with transaction.atomic():
        EmailDelivery.objects.filter(pk=email.pk).update(
            status=EmailDelivery.Status.SENT,
            sent_at=sent_at,
            attempts=F("attempts") + 1,
            last_attempt_at=sent_at,
            locked_until=None,
            next_attempt_at=None,
            last_error="",
        )
        email.notifications.update(emailed_at=sent_at)
    return "sent"


def _record_failure(email, exc):
    now = timezone.now()
    attempts = email.attempts + 1
    error = describe(exc)
    gave_up = isinstance(exc, CannotSend) or attempts >= settings.PATTO_EMAIL_MAX_ATTEMPTS
    EmailDelivery.objects.filter(pk=email.pk).update(
        status=EmailDelivery.Status.FAILED if gave_up else EmailDelivery.Status.PENDING,
        attempts=attempts,
        last_attempt_at=now,
        last_error=error,
        locked_until=None,
        next_attempt_at=None if gave_up else now + retry_delay(attempts),
    )
    # The id and the error's kind only: never the address, never the message.
    logger.warning("E-mail %s not sent (attempt %s): %s", email.pk, attempts, error)
    return "failed" if gave_up else "retry"
