from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution
from patto.core.forms import DateInput, StyledFormMixin

from .models import Adhesion, CommitmentUpdate


class VersionedForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class DraftForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(label=_("What this version changes"), widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=2000)


class SectionForm(VersionedForm):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20000,
                           required=False)


class CommitmentForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    institution = forms.ModelChoiceField(label=_("Party"), queryset=Institution.objects.none())
    text = forms.CharField(label=_("Commitment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions


class ApproveForm(VersionedForm):
    approved_on = forms.DateField(label=_("Approved on"), widget=DateInput, initial=timezone.localdate)
    approval_reference = forms.CharField(label=_("Approval decision"), max_length=300, help_text=_(
        "The Gruppo Territoriale meeting that approved it, e.g. “GT del 12/03/2026, decisione n. 4”."))
    effective_from = forms.DateField(label=_("In force from"), widget=DateInput, initial=timezone.localdate)


class AdhesionForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Adhesion
        fields = ["institution", "signer_name", "signer_role", "signed_on", "method", "document_reference"]
        widgets = {"signed_on": DateInput}

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions

    def validate_unique(self):
        """The service refuses a second active adhesion with a clear message."""


class WithdrawForm(StyledFormMixin, forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=300)


class PeriodForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. “Primo semestre 2026”."))
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("To"), widget=DateInput)


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CommitmentUpdate.Status.choices)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000,
                               help_text=_("What was done, with references to documents or meetings."))
