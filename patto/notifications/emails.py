"""The e-mail of a notification, or of a day's digest, as the recipient reads it.

What goes in: the kind of thing that happened (the catalogue's words), the reference the notification
carries (a family's reference code at most), a link into Patto and how to change one's choices. Never a
name, never case content: the recipient's name is not used either (an e-mail can be forwarded or read
over a shoulder). Meetings carry their .ics, built by the caller through ``core.calendar`` with the same
rule."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext


class CannotSend(Exception):
    """A reason no attempt can cure (no address, account disabled): the e-mail fails at once."""


def language_of(user):
    """The recipient's language: their own choice when accounts records one, else Italian."""
    chosen = getattr(user, "language", "") or ""
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _link(name, *args):
    return settings.PATTO_BASE_URL + reverse(name, args=args)


def _item(notification):
    return {
        "what": str(notification.get_kind_display()),
        "reference": notification.reference,
        "link": _link("notifications:open", notification.pk),
    }


def build_message(email, notifications):
    """The ``EmailMessage`` for ``email`` (an ``EmailDelivery``) carrying ``notifications``."""
    user = email.recipient
    if not user.is_active:
        raise CannotSend("account not active")
    if not user.email:
        raise CannotSend("no e-mail address")
    if not notifications:
        raise CannotSend("nothing to send")
    with translation.override(language_of(user)):
        items = [_item(notification) for notification in notifications]
        context = {
            "items": items,
            "item": items[0],
            "inbox_link": _link("notifications:inbox"),
            "preferences_link": _link("notifications:preferences"),
        }
        if email.digest:
            subject = ngettext(
                "Patto: %(count)d notification of the day",
                "Patto: %(count)d notifications of the day",
                len(items),
            ) % {"count": len(items)}
            body = render_to_string("notifications/email/digest.txt", context)
        else:
            subject = gettext("Patto: %(what)s") % {"what": items[0]["what"]}
            if items[0]["reference"]:
                subject += f" ({items[0]['reference']})"
            body = render_to_string("notifications/email/notification.txt", context)
    message = EmailMessage(subject=" ".join(subject.split()), body=body, to=[user.email])
    for notification in notifications:
        if notification.attachment_ics:
            message.attach(f"patto-{notification.pk}.ics", bytes(notification.attachment_ics), "text/calendar")
    return message


def describe(exc):
    """The error in words that name nobody: its kind and code (an SMTP refusal quotes the address)."""
    name = type(exc).__name__
    if isinstance(exc, CannotSend):
        return str(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _message in exc.recipients.values()})
        return f"{name} {codes}"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"{name} {exc.smtp_code}"
    if isinstance(exc, OSError) and exc.strerror:
        return f"{name}: {exc.strerror}"[:200]
    return name
