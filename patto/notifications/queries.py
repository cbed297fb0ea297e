"""Who sees which notifications and e-mails: a person only their own notifications; the technical
administrator the e-mails of the district's people that were not sent."""

from patto.accounts.queries import users_visible_to
from patto.accounts.rules import is_technical_admin

from .models import EmailDelivery, Notification


def notifications_of(user):
    """The person's own notifications, newest first (anyone else's id answers 404)."""
    if not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-pk")


def unread_count(user):
    """The bell's number: one COUNT on the inbox index."""
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


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
