import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _


class SessionLifetimeMiddleware:
    """Idle timeout and absolute lifetime, enforced on the server: past either, the session is flushed."""

    TOUCH_EVERY_SECONDS = 30  # avoid a session write on every request

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            auth_time = request.session.get("auth_time", now)
            last_seen = request.session.get("last_seen", now)
            idle = settings.PATTO_SESSION_IDLE_MINUTES * 60
            absolute = settings.PATTO_SESSION_ABSOLUTE_HOURS * 3600
            if now - last_seen > idle or now - auth_time > absolute:
                logout(request)
                messages.info(request, _("Your session has expired. Please sign in again."))
            elif now - last_seen > self.TOUCH_EVERY_SECONDS:
                request.session["last_seen"] = now
        return self.get_response(request)


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
            return redirect("accounts:mfa_verify")
        if settings.PATTO_REQUIRE_MFA:
            return redirect("accounts:mfa_enrol")
        return None
