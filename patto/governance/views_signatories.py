"""The pact's signatories: adhesions, the signed documents, withdrawals."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from patto.core.exceptions import TransitionError
from patto.core.forms import add_service_errors
from patto.core.idempotency import once_per_form

from . import forms, queries, services
from .models import Adhesion
from .views import _fetch, _institutions, _pact


def signatory_list(request):
    pact = _pact(request)
    with transaction.atomic():
        adhesions = queries.read_signatories(actor=request.user, pact=pact)
        return render(
            request,
            "governance/signatories.html",
            {
                "pact": pact,
                "adhesions": adhesions,
                "can_change": request.user.has_perm("governance.change_pact"),
                "can_see_documents": request.user.has_perm("governance.view_governance"),
            },
        )


@once_per_form
def adhesion_add(request):
    pact = _pact(request, "governance.change_pact")
    form = forms.AdhesionForm(request.POST or None, request.FILES or None, institutions=_institutions(pact))
    if request.method == "POST" and form.is_valid():
        try:
            services.record_adhesion(actor=request.user, pact=pact, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Adhesion recorded."))
            return redirect("governance:signatories")
    return render(request, "governance/adhesion_form.html", {"form": form})


def _adhesion(request, adhesion_pk):
    return _fetch(request, "governance.change_pact", Adhesion, related=("institution", "pact"), pk=adhesion_pk)


def adhesion_attach(request, adhesion_pk):
    """The coordinator attaches the signed adhesion when it arrives (or replaces a wrong file)."""
    adhesion = _adhesion(request, adhesion_pk)
    form = forms.SignedDocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attach_signed_document(
                actor=request.user, adhesion=adhesion, upload=form.cleaned_data["signed_document"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Signed document attached."))
            return redirect("governance:signatories")
    return render(request, "governance/adhesion_attach.html", {"form": form, "adhesion": adhesion})


def adhesion_withdraw(request, adhesion_pk):
    adhesion = _adhesion(request, adhesion_pk)
    form = forms.WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.withdraw_adhesion(actor=request.user, adhesion=adhesion, **form.cleaned_data)
        except TransitionError:
            messages.error(request, _("This institution has already withdrawn."))
            return redirect("governance:signatories")
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Withdrawal recorded."))
            return redirect("governance:signatories")
    return render(request, "governance/withdraw_form.html", {"form": form, "adhesion": adhesion})
