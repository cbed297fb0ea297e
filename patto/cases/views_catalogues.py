"""The configurable catalogues of the district: closure outcomes and dispositivi (no personal data)."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from patto.core.forms import run_service
from patto.core.idempotency import once_per_form

from . import forms, services
from .models import ClosureOutcome, DeviceType

FORMS = {"outcome": forms.OutcomeForm, "device": forms.DeviceTypeForm}


def catalogues(request):
    if not request.user.has_perm("cases.view_cohorts"):
        raise PermissionDenied
    return render(
        request,
        "cases/catalogues.html",
        {
            "outcomes": ClosureOutcome.objects.all(),
            "devices": DeviceType.objects.all(),
            "can_change": request.user.has_perm("cases.change_catalogue"),
        },
    )


@once_per_form
def catalogue_entry(request, kind, entry_pk=None):
    if kind not in FORMS:
        raise Http404
    if not request.user.has_perm("cases.change_catalogue"):
        raise PermissionDenied
    model, names = services.CATALOGUES[kind]
    entry = None
    if entry_pk is not None:
        entry = model.objects.filter(pk=entry_pk).first()
        if entry is None:
            raise Http404
    form = FORMS[kind](
        request.POST or None,
        instance=copy.copy(entry) if entry else None,
        initial={"version": entry.version if entry else None},
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in names}
        saved, conflict = run_service(
            form,
            lambda: services.save_catalogue_entry(
                actor=request.user, kind=kind, entry=entry, version=form.cleaned_data["version"], **fields
            ),
        )
        if saved:
            messages.success(request, _("Catalogue saved."))
            return redirect("cases:catalogues")
    return render(
        request,
        "cases/catalogue_form.html",
        {"form": form, "entry": entry, "kind": kind, "conflict": conflict},
        status=409 if conflict else 200,
    )
