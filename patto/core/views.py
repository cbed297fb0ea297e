from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .home import panels_for


def home(request):
    return render(request, "core/home.html", {"panels": panels_for(request)})


@login_not_required
@never_cache
@require_GET
def health(request):
    """Liveness and database reachability, for the load balancer. No version, no details."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


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
    body = render_to_string("500.html", {"request_id": getattr(request, "request_id", "")})
    return HttpResponse(body, status=500)
