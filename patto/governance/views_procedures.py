"""The library of the pact's collaboration procedures, with their revisions and review dates."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from patto.core.forms import run_service, add_service_errors

from . import forms, services
from .views import _institutions, _pact


def procedure_list(request):
    pact = _pact(request, "governance.view_pact")
    procedures = pact.procedures.select_related("owner")
    return render(request, "governance/procedures.html", {
        "procedures": procedures, "overdue": [p for p in procedures if p.review_overdue],
        "can_add": request.user.has_perm("governance.change_pact")})


def procedure_add(request):
    pact = _pact(request, "governance.change_pact")
    form = forms.ProcedureForm(request.POST or None, institutions=_institutions(pact))
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in services.PROCEDURE_FIELDS}
        try:
            procedure = services.create_procedure(actor=request.user, pact=pact, **fields)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Procedure added to the library."))
            return redirect("governance:procedure", procedure_pk=procedure.pk)
    return render(request, "governance/procedure_form.html", {"form": form})


def procedure(request, procedure_pk):
    pact = _pact(request, "governance.view_pact")
    procedure = pact.procedures.select_related("owner").filter(pk=procedure_pk).first()
    if procedure is None:
        raise Http404
    can_change = request.user.has_perm("governance.change_procedure", procedure)
    form = None
    conflict = None
    if can_change:
        form = forms.ProcedureForm(request.POST or None, instance=copy.copy(procedure),
                                   initial={"version": procedure.version}, institutions=_institutions(pact))
        if request.method == "POST" and form.is_valid():
            fields = {name: form.cleaned_data[name] for name in services.PROCEDURE_FIELDS}
            saved, conflict = run_service(form, lambda: services.revise_procedure(
                actor=request.user, procedure=procedure, version=form.cleaned_data["version"] or 0, **fields))
            if saved:
                messages.success(request, _("Procedure saved."))
                return redirect("governance:procedure", procedure_pk=procedure.pk)
    elif request.method == "POST":
        raise PermissionDenied
    return render(request, "governance/procedure.html", {
        "procedure": procedure, "revisions": procedure.revisions.select_related("replaced_by"), "form": form,
        "conflict": conflict}, status=409 if conflict else 200)
