"""Cohorts: the implementations of PIPPI in the district and their time-point schedule."""

import copy

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from patto.core.forms import add_service_errors, run_service
from patto.core.idempotency import once_per_form
from patto.core.shortcuts import get_object_for

from . import forms, services
from .queries import cohorts_visible_to


def cohort_list(request):
    if not request.user.has_perm("cases.view_cohorts"):
        raise PermissionDenied
    page = Paginator(cohorts_visible_to(request.user), settings.PATTO_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "cases/cohort_list.html", {"page": page, "can_change": request.user.has_perm("cases.change_cohort")}
    )


@once_per_form
def cohort_add(request):
    if not request.user.has_perm("cases.change_cohort"):
        raise PermissionDenied
    form = forms.CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.COHORT_FIELDS}
        try:
            services.create_cohort(actor=request.user, district=request.user.acting_institution.district, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Cohort created."))
            return redirect("cases:cohort_list")
    return render(request, "cases/cohort_form.html", {"form": form})


def cohort_edit(request, cohort_pk):
    cohort = get_object_for(request.user, "cases.change_cohort", cohorts_visible_to(request.user), pk=cohort_pk)
    form = forms.CohortForm(request.POST or None, instance=copy.copy(cohort), initial={"version": cohort.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.COHORT_FIELDS}
        saved, conflict = run_service(
            form,
            lambda: services.update_cohort(
                actor=request.user, cohort=cohort, version=form.cleaned_data["version"] or 0, **fields
            ),
        )
        if saved:
            messages.success(request, _("Cohort saved."))
            return redirect("cases:cohort_list")
    return render(
        request,
        "cases/cohort_form.html",
        {"form": form, "cohort": cohort, "conflict": conflict},
        status=409 if conflict else 200,
    )
