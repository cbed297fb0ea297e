"""Who sees which notifications and e-mails: a person only their own notifications; the technical
administrator the e-mails of the district's people that were not sent."""

import uuid

from django.db.models import Count

from patto.accounts.queries import users_visible_to
from patto.accounts.rules import is_technical_admin
from patto.core.frozen import FrozenQuery

from .models import EmailDelivery, Notification


def notifications_of(user):
    """The person's own notifications, newest first (anyone else's id answers 404)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def _unread(day, user_id):
    return (
        Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(unread=Count("pk"))
        .values_list("unread", flat=True)
    )


# Asked by the header of every page: compiled once a day (core.frozen).
_UNREAD = FrozenQuery("notifications.unread", _unread, {"user_id": uuid.UUID})


def unread_count(user):
    """The bell's number: one COUNT on the inbox index (no row when there is nothing unread)."""
    return next(iter(_UNREAD.rows(user_id=user.pk)), 0)


def unsent_emails_visible_to(user):
    """E-mails waiting or failed, for the technical administrator: those to people of their district."""
    if not is_technical_admin(user):
        return EmailDelivery.objects.none()
    return (
        EmailDelivery.objects.filter(recipient__in=users_visible_to(user))
        .exclude(status=EmailDelivery.Status.SENT)
        .select_related("recipient")
        .order_by("-created_at", "-pk")
    )
