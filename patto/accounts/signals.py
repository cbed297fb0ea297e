"""Sign-in events go to the audit trail. Django and axes announce them as signals; there is no
domain flow here, only recording."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from patto.core.audit import record_event

from .services import has_mfa
from .stepup import mark_recent_password


@receiver(user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    now = int(timezone.now().timestamp())
    request.session["auth_time"] = now
    request.session["last_seen"] = now
    request.session["has_mfa"] = has_mfa(user)
    mark_recent_password(request.session)  # just typed: a step-up in the next minutes needs no retyping
    record_event(actor=user, action="accounts.login.succeeded", subjects=[user])


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    record_event(actor=None, action="accounts.login.failed", actor_label=str(credentials.get("username", ""))[:150])


@receiver(user_logged_out)
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        record_event(actor=user, action="accounts.logout", subjects=[user])


@receiver(user_locked_out)
def on_locked_out(sender, request, username, ip_address, **kwargs):
    record_event(actor=None, action="accounts.login.locked_out", actor_label=str(username or "")[:150])
