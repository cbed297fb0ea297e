import logging

from django.db import DatabaseError
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from django.core.exceptions import PermissionDenied

from . import context
from .exceptions import AuditUnavailable
from .signals import access_denied

logger = logging.getLogger("patto")


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
    """Audit or database failures become a generic 503 page: no data, no stack trace. Every other refusal
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
                access_denied.send(sender=None, user=user, perm="", object_type="view",
                                   object_id=match.view_name if match else request.path[:100], reason="forbidden")
            return None
        if isinstance(exception, (AuditUnavailable, DatabaseError)):
            logger.error("service unavailable: %s", type(exception).__name__)
            # Rendered without the request: the context processors would touch the database again.
            body = render_to_string("503.html", {"request_id": getattr(request, "request_id", "")})
            return HttpResponse(body, status=503)
        return None


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
