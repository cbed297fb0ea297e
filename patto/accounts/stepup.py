"""Step-up: ask for the password again before an action that a stolen session must not be able to do.

Use ``require_recent_password`` on a view (after any fetch-and-authorise it needs, it runs first):

    from patto.accounts.stepup import require_recent_password

    @require_recent_password
    def export_families(request): ...

Unless the user typed their password (at sign-in or on the "confirm your password" page) in the last
``PATTO_STEP_UP_MINUTES`` minutes (default 10), the view does not run: the user is sent to
``accounts:confirm_password`` and back afterwards. A GET comes back to the same URL; a POST cannot be
replayed, so it comes back to the page it was sent from (same-origin Referer) to be submitted again.
htmx requests get an ``HX-Redirect`` header instead of a redirect. Confirmations and failures are
audited; failures count towards the sign-in lockout (django-axes, per username and client IP), and
reaching it signs the session out.
"""

import time
from functools import wraps
from urllib.parse import urlencode, urlsplit

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from patto.core.audit import record_event
from patto.core.shortcuts import is_htmx

SESSION_KEY = "reauth_at"

CONFIRMED, WRONG, LOCKED = "confirmed", "wrong", "locked"


def mark_recent_password(session):
    """Record that the password was just typed (the confirmation page; sign-in does it too)."""
    session[SESSION_KEY] = int(time.time())


def has_recent_password(request):
    confirmed_at = request.session.get(SESSION_KEY)
    if not isinstance(confirmed_at, int):
        return False
    age = time.time() - confirmed_at
    return 0 <= age <= settings.PATTO_STEP_UP_MINUTES * 60


def require_recent_password(view):
    """Decorator: run the view only with a password confirmed in the last PATTO_STEP_UP_MINUTES minutes,
    otherwise send the user to confirm it (see the module's docstring)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if has_recent_password(request):
            return view(request, *args, **kwargs)
        url = f"{reverse('accounts:confirm_password')}?{urlencode({'next': return_to(request)})}"
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)

    return wrapper


def return_to(request):
    """Where to come back to: the URL itself for a GET; for a POST, the page it was sent from."""
    if request.method in ("GET", "HEAD"):
        return request.get_full_path()
    referer = request.headers.get("Referer", "")
    parts = urlsplit(referer)
    if referer and parts.netloc == request.get_host():
        return safe_next(request, parts.path + (f"?{parts.query}" if parts.query else ""))
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def safe_next(request, candidate):
    """``candidate`` if it is a path on this site, else the home page: never another origin."""
    if (
        candidate
        and candidate.startswith("/")
        and not candidate.startswith("//")
        and "\\" not in candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def confirm_password(*, request, password):
    """Check the signed-in user's password for a step-up. Returns CONFIRMED (recorded in the session and
    the audit trail), WRONG (audited, counted by the lockout) or LOCKED (the lockout is reached: the caller
    signs the session out)."""
    user = request.user
    credentials = {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        record_event(actor=user, action="accounts.stepup.locked_out", subjects=[user])
        return LOCKED
    if user.check_password(password):
        mark_recent_password(request.session)
        record_event(actor=user, action="accounts.stepup.confirmed", subjects=[user])
        return CONFIRMED
    record_event(actor=user, action="accounts.stepup.failed", subjects=[user])
    # Counted like a failed sign-in (same username + client IP), without Django's user_login_failed
    # signal: that would add an anonymous "sign-in failed" row for what is a signed-in user's failure.
    AxesProxyHandler.user_login_failed(sender=confirm_password, credentials=credentials, request=request)
    if getattr(request, "axes_locked_out", False):
        record_event(actor=user, action="accounts.stepup.locked_out", subjects=[user])
        return LOCKED
    return WRONG
