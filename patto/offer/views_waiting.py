"""Waiting lists: entered from the family's path by its case manager, ended by activating the dispositivo or
withdrawing the entry; the path page shows the path's entries and the availability (registered with
``cases.sections``: cases imports nothing of this app)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from patto.audit.services import render_with_access
from patto.cases.models import Person
from patto.cases.queries import fetch_path
from patto.core.forms import run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for

from . import services
from .forms import ActivateForm, WaitingForm, WithdrawForm
from .menu import shows_waiting
from .queries import availability_for, waiting_of_path, waiting_visible_to

MANAGE = "cases.manage_team"  # the case manager of an open path


@require_GET
def waiting_list(request):
    """The waiting entries of the families whose path the user sees in full (may be none), open ones first;
    for the team roles of an institution in standing (those the menu shows it to), 403 for any other."""
    if not shows_waiting(request):
        raise PermissionDenied
    state = request.GET.get("stato", "open")
    entries = waiting_visible_to(request.user).select_related("offer__device_type", "offer__provider", "path__family")
    if state != "all":
        entries = entries.filter(ended_on__isnull=True)
    page = Paginator(entries.order_by("ended_on", "since", "pk"), settings.PATTO_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    family_ids = {entry.path.family_id for entry in page}
    subjects = list(Person.objects.filter(family_id__in=family_ids)) if family_ids else []
    today = timezone.localdate()
    rows = [(entry, entry.days_waiting(today)) for entry in page]
    return render_with_access(
        request,
        "offer/waiting_list.html",
        {"page": page, "rows": rows, "state": state},
        action="offer.waiting.listed",
        subjects=subjects,
    )


@once_per_form
def waiting_add(request, path_id):
    path = fetch_path(request.user, path_id, MANAGE)
    district = path.family.district
    form = WaitingForm(request.POST or None, district=district, initial={"since": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        saved, _conflict = run_service(
            form, lambda: services.put_on_waiting_list(actor=request.user, path=path, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("The family is on the waiting list."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(
        request, "offer/waiting_form.html", {"path": path, "form": form, "availability": availability_for(district.pk)}
    )


def _entry(request, pk, perm):
    """The entry (404 unless its family's path is seen in full), its path fetched and the read logged as the
    path's pages are (403 unless its case manager), then ``perm`` (403: an entry already ended)."""
    entry = get_object_for(
        request.user,
        None,
        waiting_visible_to(request.user).select_related("offer__device_type", "offer__provider"),
        pk=pk,
    )
    entry.path = fetch_path(request.user, entry.path_id, MANAGE)
    if not request.user.has_perm(perm, entry):
        raise PermissionDenied  # reported to the trail by the middleware, as every unaudited refusal
    return entry


def waiting_withdraw(request, pk):
    entry = _entry(request, pk, "offer.end_waiting")
    form = WithdrawForm(request.POST or None, initial={"version": entry.version, "ended_on": timezone.localdate()})
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.withdraw_waiting(actor=request.user, entry=entry, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("The family has left the waiting list."))
            return redirect("cases:path_detail", pk=entry.path.pk)
    return render(
        request,
        "offer/waiting_withdraw.html",
        {"path": entry.path, "entry": entry, "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )


@once_per_form
def waiting_activate(request, pk):
    entry = _entry(request, pk, "offer.end_waiting")
    path = entry.path
    form = ActivateForm(request.POST or None, path=path, entry=entry)
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("device_type", "provider")}
        saved, conflict = run_service(
            form, lambda: services.activate_from_waiting(actor=request.user, entry=entry, **data)
        )
        if saved:
            messages.success(request, _("Intervention device activated: the family has left the waiting list."))
            return redirect("cases:path_detail", pk=path.pk)
    availability = [row for row in availability_for(path.family.district_id) if row[0].pk == entry.offer_id]
    return render(
        request,
        "offer/waiting_activate.html",
        {"path": path, "entry": entry, "form": form, "conflict": conflict, "availability": availability},
        status=409 if conflict else 200,
    )


# --- on the path page ------------------------------------------------------------------------------------


def path_waiting_section(request, path, access):
    """The path's waiting entries and, for its case manager, the availability of the district's offer: for
    the équipe's view only. Two queries (the entries; the offers with their figures) whatever their number."""
    if not access.team_view:
        return None
    entries = list(waiting_of_path(path))
    manages = request.user.has_perm(MANAGE, path)
    if not entries and not manages:
        return None
    today = timezone.localdate()
    return {
        "template": "offer/_path_section.html",
        "rows": [(entry, entry.days_waiting(today)) for entry in entries],
        "manages": manages,
        "availability": availability_for(path.family.district_id) if manages else [],
    }


def path_team_actions(request, path, access):
    if not request.user.has_perm(MANAGE, path):
        return None
    return [(_("Put on a waiting list"), reverse("offer:waiting_add", kwargs={"path_id": path.pk}))]
