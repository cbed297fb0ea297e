import sys

from django.contrib.auth.decorators import login_not_required
from django.db import transaction
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .audit import reads_logged_together
from .dbguard import DATABASE_ERRORS, unavailable_response
from .exceptions import AuditUnavailable
from .health import DOWN, run_checks
from .home import panels_for


def home(request):
    """The panels each app registers. Each panel logs its own read; the rows are written together, once the
    panels are made and the page rendered, in the page's transaction (``audit.services.reads_logged_together``:
    if they cannot be written the page is not shown)."""
    with transaction.atomic(), reads_logged_together():
        return render(request, "core/home.html", {"panels": panels_for(request)})


@login_not_required
@never_cache
@require_GET
def health(request):
    """For the load balancer and the operator: 503 when a part Patto needs is down, and which part. No
    version, no error text."""
    checks = run_checks()
    down = DOWN in checks.values()
    return JsonResponse({"status": "unavailable" if down else "ok", "checks": checks}, status=503 if down else 200)


def _error_page(template, status):
    def view(request, exception=None):
        return render(request, template, {"request_id": getattr(request, "request_id", "")}, status=status)

    return view


permission_denied = _error_page("403.html", 403)
page_not_found = _error_page("404.html", 404)


def bad_request(request, exception=None):
    body = render_to_string("400.html", {"request_id": getattr(request, "request_id", "")})
    return HttpResponse(body, status=400)


def server_error(request):
    # A database that failed in a middleware (the session, the session lifetime check...) arrives here as
    # an unhandled error: it is a 503 like any other database failure, not a 500.
    error = sys.exc_info()[1]
    if isinstance(error, (*DATABASE_ERRORS, AuditUnavailable)):
        return unavailable_response(request, "audit" if isinstance(error, AuditUnavailable) else "database")
    body = render_to_string("500.html", {"request_id": getattr(request, "request_id", "")})
    return HttpResponse(body, status=500)
