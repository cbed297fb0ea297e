import logging

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme

from . import context
from .dbguard import DATABASE_ERRORS, check_database, guarded_queries, unavailable_response
from .exceptions import AuditUnavailable
from .signals import access_denied

logger = logging.getLogger("patto")


class DatabaseGuardMiddleware:
    """First in MIDDLEWARE: no database, no page (a 503 in seconds). Static files and the health endpoint,
    which reports each part itself, pass through."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.exempt = None

    def __call__(self, request):
        if self.exempt is None:
            from django.conf import settings
            from django.urls import reverse

            self.exempt = (settings.STATIC_URL, reverse("core:health"))
        if request.path_info.startswith(self.exempt):
            return self.get_response(request)
        try:
            check_database()
        except DATABASE_ERRORS:
            logger.error("service unavailable: database unreachable")
            return unavailable_response(request)
        with guarded_queries():
            return self.get_response(request)


class RequestContextMiddleware:
    """Gives every request an id (response header X-Request-ID, logs, audit rows)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = context.start(request)
        request.request_id = context.current().request_id
        try:
            response = self.get_response(request)
        finally:
            context.finish(token)
        response["X-Request-ID"] = request.request_id
        return response


class SecurityHeadersMiddleware:
    """no-store on every signed-in page, and a Permissions-Policy that turns off what we never use."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=()"
        )
        return response


class ServiceUnavailableMiddleware:
    """Audit or database failures in a view become a generic 503 page: no data, no stack trace (a database
    down before the view is DatabaseGuardMiddleware's); a uniqueness conflict becomes the 409 page. Every other refusal
    (a 403 raised by a view's own permission check rather than by get_object_for) is reported through
    ``access_denied``, so no refusal goes unaudited."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied) and not getattr(exception, "audited", False):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                match = getattr(request, "resolver_match", None)
                access_denied.send(
                    sender=None,
                    user=user,
                    perm="",
                    object_type="view",
                    object_id=match.view_name if match else request.path[:100],
                    reason="forbidden",
                )
            return None
        if isinstance(exception, IntegrityError):
            # A uniqueness rule refused a second copy (a double click, two people at once): nothing was saved
            # twice, and the user is told so, as in any other conflict.
            logger.warning("conflict: %s", type(exception).__name__)  # never the message: it quotes values
            return conflict_response(request)
        if isinstance(exception, (AuditUnavailable, DatabaseError)):
            logger.error("service unavailable: %s", type(exception).__name__)
            return unavailable_response(request, "audit" if isinstance(exception, AuditUnavailable) else "database")
        return None


def conflict_response(request):
    """409: what the user sent collides with what is saved now. A link back to the page they came from."""
    back = request.META.get("HTTP_REFERER", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    return render(request, "409.html", {"request_id": getattr(request, "request_id", ""), "back": back}, status=409)


class LanguageMiddleware:
    """Italian unless the user chose otherwise with the language switch (cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; a product of the Italian
    public administration speaks Italian by default, whatever the browser's settings."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.conf import settings
        from django.utils import translation

        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response
