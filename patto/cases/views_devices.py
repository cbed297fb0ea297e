"""Dispositivi activated for a family, their sessions, and the register of volunteers."""

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from patto.audit.services import render_with_access
from patto.core.forms import add_service_errors, run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for, is_htmx

from . import forms, services
from .queries import volunteers_visible_to
from .views import _path_for


@once_per_form
def device_add(request, pk):
    path = _path_for(request, pk, "cases.activate_device")
    if is_htmx(request) and request.method == "GET":  # the staff of the provider chosen
        form = forms.DeviceForm(path=path, initial={"provider": request.GET.get("provider")})
        return render(request, "cases/_options.html", {"field": form["responsible"]})
    form = forms.DeviceForm(request.POST or None, path=path)
    if request.method == "POST" and form.is_valid():
        try:
            services.activate_device(actor=request.user, path=path, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Intervention device activated."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(request, "cases/device_form.html", {"path": path, "form": form})


def _activation(request, path, activation_pk):
    return get_object_for(request.user, None, path.devices.select_related("device_type"), pk=activation_pk)


def device_edit(request, pk, activation_pk):
    path = _path_for(request, pk, "cases.activate_device")
    activation = _activation(request, path, activation_pk)
    initial = {
        name: getattr(activation, name)
        for name in ("ends_on", "hours_per_week", "sessions_planned", "notes", "version")
    }
    form = forms.DeviceEditForm(request.POST or None, initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        saved, conflict = run_service(
            form, lambda: services.update_device(actor=request.user, activation=activation, **form.cleaned_data)
        )
        if saved:
            messages.success(request, _("Intervention device saved."))
            return redirect("cases:path_detail", pk=path.pk)
    return render(
        request,
        "cases/device_form.html",
        {"path": path, "form": form, "activation": activation, "conflict": conflict},
        status=409 if conflict else 200,
    )


@require_POST
@once_per_form
def session_add(request, pk, activation_pk):
    path = _path_for(request, pk, "cases.record_session")
    activation = _activation(request, path, activation_pk)
    form = forms.DeviceSessionForm(request.POST)
    if form.is_valid():
        services.record_device_session(actor=request.user, activation=activation, **form.cleaned_data)
        messages.success(request, _("Session recorded."))
        return redirect("cases:path_detail", pk=path.pk)
    return render(request, "cases/session_form.html", {"path": path, "activation": activation, "form": form})


def volunteer_list(request):
    if not request.user.has_perm("cases.view_volunteers"):
        raise PermissionDenied
    volunteers = volunteers_visible_to(request.user).order_by("screening", "last_name", "first_name")
    page = Paginator(volunteers, settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    return render_with_access(
        request, "cases/volunteer_list.html", {"page": page}, action="cases.volunteer.listed", subjects=list(page)
    )


@once_per_form
def volunteer_add(request):
    if not request.user.has_perm("cases.change_volunteer"):
        raise PermissionDenied
    form = forms.VolunteerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.VOLUNTEER_FIELDS}
        services.add_volunteer(actor=request.user, district=request.user.acting_institution.district, **fields)
        messages.success(request, _("Volunteer added to the register."))
        return redirect("cases:volunteer_list")
    return render(request, "cases/volunteer_form.html", {"form": form})


def volunteer_edit(request, volunteer_pk):
    volunteer = get_object_for(
        request.user, "cases.change_volunteer", volunteers_visible_to(request.user), pk=volunteer_pk
    )
    initial = {"version": volunteer.version}
    form = forms.VolunteerForm(request.POST or None, instance=copy.copy(volunteer), initial=initial)
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.VOLUNTEER_FIELDS}
        saved, conflict = run_service(
            form,
            lambda: services.update_volunteer(
                actor=request.user, volunteer=volunteer, version=form.cleaned_data["version"] or 0, **fields
            ),
        )
        if saved:
            messages.success(request, _("Volunteer saved."))
            return redirect("cases:volunteer_list")
    return render_with_access(
        request,
        "cases/volunteer_form.html",
        {"form": form, "volunteer": volunteer, "conflict": conflict},
        action="cases.volunteer.viewed",
        obj=volunteer,
        subjects=[volunteer],
        status=409 if conflict else 200,
    )
