"""The monitoring's front page and who may read it. Every page starts from ``queries.aggregate_district``
(no permission → 403: the pages exist for everyone, they show no record of anyone)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from patto.core.forms import add_service_errors
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import audited
from patto.core.signals import access_denied

from . import services, tables
from .forms import GrantForm
from .models import AggregateGrant
from .queries import aggregate_district, grants_of


def district_for(request, perm="monitoring.view_aggregates"):
    """The district whose figures the user reads; 403 (audited) when they may not."""
    district = aggregate_district(request.user)
    if district is None or not request.user.has_perm(perm):
        access_denied.send(
            sender=AggregateGrant,
            user=request.user,
            perm=perm,
            object_type="monitoring.page",
            object_id=request.resolver_match.url_name if request.resolver_match else "",
            reason="not_allowed",
        )
        raise audited(PermissionDenied())
    return district


def figures_response(request, page, figures, filename):
    """The download a page's ``?tabella=&formato=`` asks for (exactly the table shown), audited; or None."""
    response = tables.download(request, figures, filename)
    if response is not None:
        services.record_download(
            actor=request.user, page=page, table=request.GET["tabella"], fmt=request.GET["formato"]
        )
    return response


@require_GET
def index(request):
    district = district_for(request)
    return render(
        request,
        "monitoring/index.html",
        {"district": district, "can_manage": request.user.has_perm("monitoring.manage_grants")},
    )


@once_per_form
def grants(request):
    district = district_for(request, "monitoring.manage_grants")
    form = GrantForm(request.POST or None, district=district)
    if request.method == "POST" and form.is_valid():
        try:
            services.grant_aggregate_access(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Permission given."))
            return redirect("monitoring:grants")
    with transaction.atomic():
        return render(request, "monitoring/grants.html", {"form": form, "grants": grants_of(district)})


@require_POST
def grant_revoke(request, grant_pk):
    district = district_for(request, "monitoring.manage_grants")
    grant = get_object_or_404(AggregateGrant, pk=grant_pk, district=district)
    services.revoke_aggregate_access(actor=request.user, grant=grant)
    messages.success(request, _("Permission revoked."))
    return redirect("monitoring:grants")
