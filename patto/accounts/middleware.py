import time
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponse
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _

from patto.core.shortcuts import is_htmx

# What the user had typed in a form sent after the session expired (server side, never in the browser's
# storage nor in a URL): given back to the same account on the page the form was on, once.
TYPED_KEY = "typed_before_expiry"
TYPED_MAX_CHARS = 50_000
UNKEPT_FIELDS = ("csrfmiddlewaretoken", "password", "token", "next")


def session_remaining(request):
    """Seconds before the idle timeout and before the absolute lifetime, as the server counts them now."""
    now = int(time.time())
    idle = settings.PATTO_SESSION_IDLE_MINUTES * 60 - (now - request.session.get("last_seen", now))
    absolute = settings.PATTO_SESSION_ABSOLUTE_HOURS * 3600 - (now - request.session.get("auth_time", now))
    return max(idle, 0), max(absolute, 0)


def keep_alive(session):
    session["last_seen"] = int(time.time())


class SessionLifetimeMiddleware:
    """Idle timeout and absolute lifetime, enforced on the server: past either, the session is flushed.

    WCAG 2.2.1: pages warn before the idle timeout (``static/patto/session.js`` and the keep-alive view).
    A form sent after expiry cannot be replayed after signing in again (and its URL may answer POST only):
    the user is sent to sign in with ``next`` set to the page the form was on (same-origin Referer), and
    what they typed waits in the new session for the same account to come back to that page."""

    TOUCH_EVERY_SECONDS = 30  # avoid a session write on every request

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.session_expired_for = None
        request.typed_before_expiry = None
        if request.user.is_authenticated:
            now = int(time.time())
            auth_time = request.session.get("auth_time", now)
            last_seen = request.session.get("last_seen", now)
            idle = settings.PATTO_SESSION_IDLE_MINUTES * 60
            absolute = settings.PATTO_SESSION_ABSOLUTE_HOURS * 3600
            if now - last_seen > idle or now - auth_time > absolute:
                request.session_expired_for = request.user.pk
                logout(request)
                messages.info(request, _("Your session has expired. Please sign in again."))
            elif now - last_seen > self.TOUCH_EVERY_SECONDS:
                request.session["last_seen"] = now
            if request.user.is_authenticated and request.method == "GET":
                request.typed_before_expiry = _typed_for(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.session_expired_for is None or request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public views (the language switch) work signed out too
        from .stepup import return_to

        page = return_to(request)
        _keep_typed(request, page)
        url = f"{resolve_url(settings.LOGIN_URL)}?{urlencode({'next': page})}"
        if is_htmx(request):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = url
            return response
        return redirect(url)


def _keep_typed(request, page):
    fields = {
        name: values for name, values in request.POST.lists() if not any(word in name.lower() for word in UNKEPT_FIELDS)
    }
    if fields and sum(len(value) for values in fields.values() for value in values) <= TYPED_MAX_CHARS:
        request.session[TYPED_KEY] = {
            "user": str(request.session_expired_for),
            "page": urlsplit(page).path,
            "action": request.path,
            "fields": fields,
            "at": int(time.time()),
        }


def _typed_for(request):
    """What this user typed before the session expired, once they are back on the page it was typed on
    (given once). Another account signing in on the same browser, or coming back too late, drops it unread."""
    kept = request.session.get(TYPED_KEY)
    if not kept:
        return None
    fresh = time.time() - kept.get("at", 0) <= settings.PATTO_SESSION_IDLE_MINUTES * 60
    mine = kept.get("user") == str(request.user.pk) and fresh
    if mine and kept.get("page") != request.path:
        return None  # not there yet (the second factor, say)
    del request.session[TYPED_KEY]
    return {"action": kept["action"], "fields": kept["fields"]} if mine else None


class ActingMembershipMiddleware:
    """Applies the institution chosen with the switcher; memberships are re-read on every request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            request.user.act_as(request.session.get("acting_membership_id"))
        return self.get_response(request)


def mfa_exempt(view):
    """Views reachable between password and second factor (verification, enrolment, sign-out)."""
    view.mfa_exempt = True
    return view


def second_factor_pending(request):
    """Signed in with the password, but not yet with the second factor the account has or must have."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.is_verified():
        return False
    return bool(request.session.get("has_mfa")) or settings.PATTO_REQUIRE_MFA


class MfaRequiredMiddleware:
    """A signed-in user with a second factor must verify it; with PATTO_REQUIRE_MFA, must enrol one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or getattr(view_func, "mfa_exempt", False):
            return None
        if not getattr(view_func, "login_required", True):
            return None
        if user.is_verified():
            return None
        if request.session.get("has_mfa"):
            # Back to the page asked for after the second factor (after an expired session, the form's page).
            url = resolve_url("accounts:mfa_verify")
            if request.method == "GET" and request.path != resolve_url(settings.LOGIN_REDIRECT_URL):
                url += "?" + urlencode({"next": request.get_full_path()})
            return redirect(url)
        if settings.PATTO_REQUIRE_MFA:
            return redirect("accounts:mfa_enrol")
        return None
