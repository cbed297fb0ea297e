"""The library of the pact's collaboration procedures, with their revisions and review dates."""

import copy

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from patto.core.forms import add_service_errors, run_service
from patto.core.idempotency import once_per_form

from . import forms, services
from .models import Procedure
from .rules import procedure_fields
from .views import _fetch, _institutions, _pact


def procedure_list(request):
    pact = _pact(request)
    procedures = pact.procedures.select_related("owner")
    return render(
        request,
        "governance/procedures.html",
        {
            "procedures": procedures,
            "overdue": [p for p in procedures if p.review_overdue],
            "can_add": request.user.has_perm("governance.change_pact"),
        },
    )


@once_per_form
def procedure_add(request):
    pact = _pact(request, "governance.approve_procedure")
    form = forms.ProcedureForm(
        request.POST or None, institutions=_institutions(pact), allowed=procedure_fields(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            procedure = services.create_procedure(actor=request.user, pact=pact, **form.changes())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Procedure added to the library."))
            return redirect("governance:procedure", procedure_pk=procedure.pk)
    return render(request, "governance/procedure_form.html", {"form": form})


def procedure(request, procedure_pk):
    """A procedure and its earlier revisions; its owner edits the content, the coordinator everything."""
    procedure = _fetch(
        request,
        "governance.change_procedure" if request.method == "POST" else "governance.view_pact",
        Procedure,
        related=("owner", "pact"),
        pk=procedure_pk,
    )
    allowed = procedure_fields(request.user, procedure)
    form = None
    conflict = None
    if allowed:
        form = forms.ProcedureForm(
            request.POST or None,
            instance=copy.copy(procedure),
            allowed=allowed,
            initial={"version": procedure.version},
            institutions=_institutions(procedure.pact),
        )
        if request.method == "POST" and form.is_valid():
            saved, conflict = run_service(
                form,
                lambda: services.revise_procedure(
                    actor=request.user, procedure=procedure, version=form.cleaned_data["version"] or 0, **form.changes()
                ),
            )
            if saved:
                messages.success(request, _("Procedure saved."))
                return redirect("governance:procedure", procedure_pk=procedure.pk)
    return render(
        request,
        "governance/procedure.html",
        {"procedure": procedure, "revisions": procedure.revisions.all(), "form": form, "conflict": conflict},
        status=409 if conflict else 200,
    )
