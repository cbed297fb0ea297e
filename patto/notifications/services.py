"""Telling people: ``notify`` is called by the services of the apps above this one, inside their own
transaction, so a notification exists exactly when the thing it announces happened."""

from django.db import IntegrityError, transaction

from .kinds import RULES, Delivery
from .models import Notification, NotificationPreference


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
                with transaction.atomic():
                    notification.save()
            except IntegrityError:
                continue
        else:
            notification.save()
        created.append(notification)
    return created
