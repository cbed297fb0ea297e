from django.conf import settings

WARN_SECONDS = 120  # the expiry warning comes this long before the idle timeout (WCAG 2.2.1: at least 20 s)


def identity(request):
    """Whether the page may show who is signed in (name, role, institution, the switcher): not between
    the password and the second factor, when whoever holds the password alone must learn nothing.
    For a signed-in page, also the session's timing (the expiry warning) and what the user typed before
    their session expired, if this is the page they typed it on."""
    from .middleware import second_factor_pending, session_remaining

    user = getattr(request, "user", None)
    shown = user is not None and user.is_authenticated and not second_factor_pending(request)
    context = {"identity_shown": shown}
    if shown and hasattr(request, "session"):
        idle, absolute = session_remaining(request)
        context["session_timing"] = {
            "idle": idle,
            "absolute": absolute,
            "warn": WARN_SECONDS,
            "warn_minutes": WARN_SECONDS // 60,
            "idle_full": settings.PATTO_SESSION_IDLE_MINUTES * 60,
            "absolute_hours": settings.PATTO_SESSION_ABSOLUTE_HOURS,
        }
        context["typed_before_expiry"] = getattr(request, "typed_before_expiry", None)
    return context
