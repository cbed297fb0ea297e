import re
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution
from patto.core.forms import CheckboxList, DateInput, StyledFormMixin, VersionedForm
from patto.documents.forms import AttachmentField

from .models import MONEY, BudgetLine, Call, Funder, Milestone, Partner, validate_cig, validate_cup
from .services import TRANSITIONS

ITALIAN_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")


class MoneyField(forms.DecimalField):
    """An amount in euro typed the Italian way (1.234,56, with or without € and thousands' dots) or with a
    decimal point (1234.56); cleaned to a two-place Decimal."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal("0"))
        super().__init__(max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"], **kwargs)
        self.widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})

    def to_python(self, value):
        if isinstance(value, str):
            text = value.replace("€", "").replace("\u00a0", "").replace(" ", "").strip()
            if "," in text:
                text = text.replace(".", "").replace(",", ".")
            elif ITALIAN_THOUSANDS.match(text):
                text = text.replace(".", "")
            value = text
        return super().to_python(value)

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:.2f}".replace(".", ",")
        return value

    def widget_attrs(self, widget):
        return {}


class CallForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    amount = MoneyField(label=_("Amount available (€)"))
    document = AttachmentField(label=_("Add a document of the call"), required=False)

    class Meta:
        model = Call
        fields = ["funder", "title", "reference", "deadline", "amount", "eligible_partners"]
        widgets = {"deadline": DateInput, "eligible_partners": forms.Textarea(attrs={"rows": 3})}

    def changes(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ProposalForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title of the proposal"), max_length=250)
    lead = forms.ModelChoiceField(label=_("Lead institution"), queryset=Institution.objects.none())
    lead_role = forms.CharField(label=_("Role of the lead"), max_length=250, initial=_("Lead partner"))
    agreement = AttachmentField(label=_("Letter of intent or agreement"), required=False)

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = institutions


class PartnerForm(StyledFormMixin, forms.Form):
    institution = forms.ModelChoiceField(label=_("Partner"), queryset=Institution.objects.none())
    role = forms.CharField(label=_("Role in the project"), max_length=250)
    amount = MoneyField(label=_("Share of the funding (€)"))
    cofinancing = MoneyField(label=_("Co-financing (€)"), initial=Decimal("0.00"))

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions


class ProposalStatusForm(VersionedForm):
    status = forms.ChoiceField(label=_("Move the proposal to"))

    def __init__(self, *args, proposal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [(s.value, s.label) for s in TRANSITIONS[proposal.status]]


class AgreementForm(VersionedForm):
    agreement = AttachmentField(label=_("Letter of intent or agreement"))


class ProjectForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    cup = forms.CharField(
        label=_("CUP"),
        max_length=15,
        min_length=15,
        help_text=_("The Codice Unico di Progetto: 15 characters, e.g. F79J22001380004."),
    )
    funding_source = forms.ChoiceField(label=_("Funding source"), choices=Funder.choices)
    measure = forms.CharField(label=_("Measure"), max_length=120, required=False, help_text=_("E.g. PNRR M5C2 1.1.1."))
    total = MoneyField(label=_("Total funding (€)"))
    starts_on = forms.DateField(label=_("Start"), widget=DateInput)
    ends_on = forms.DateField(label=_("End"), widget=DateInput)
    cohorts = forms.ModelMultipleChoiceField(
        label=_("PIPPI cohorts of the project"), queryset=None, required=False, widget=CheckboxList
    )

    def __init__(self, *args, cohorts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohorts"].queryset = cohorts

    def clean_cup(self):
        cup = self.cleaned_data["cup"].strip().upper()
        validate_cup(cup)
        return cup


class BudgetLineForm(StyledFormMixin, forms.ModelForm):
    amount = MoneyField(label=_("Budget (€)"))

    class Meta:
        model = BudgetLine
        fields = ["category", "description", "amount"]


class MilestoneForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "target", "source", "reached"]
        widgets = {"due_on": DateInput}


class ExpenditureForm(StyledFormMixin, forms.Form):
    spent_on = forms.DateField(label=_("Date"), widget=DateInput)
    budget_line = forms.ModelChoiceField(label=_("Budget line"), queryset=None)
    partner = forms.ModelChoiceField(label=_("Partner"), queryset=None)
    amount = MoneyField(label=_("Amount (€)"), min_value=Decimal("0.01"))
    supplier = forms.CharField(label=_("Supplier"), max_length=250)
    cig = forms.CharField(
        label=_("CIG"), max_length=10, required=False, help_text=_("The tender's code (ANAC): 10 characters.")
    )
    description = forms.CharField(label=_("Description"), max_length=250, required=False)
    document = AttachmentField(label=_("Supporting document"), required=False)
    override_reason = forms.CharField(
        label=_("Reason for exceeding the budget line"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Only if the expenditure takes its line past the budget: it is recorded with this reason."),
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["budget_line"].queryset = project.budget_lines.all()
        self.fields["partner"].queryset = Partner.objects.filter(proposal_id=project.proposal_id).select_related(
            "institution"
        )

    def clean_cig(self):
        cig = self.cleaned_data["cig"].strip().upper()
        validate_cig(cig)
        return cig


class MilestoneReachedForm(StyledFormMixin, forms.Form):
    reached = forms.IntegerField(min_value=0, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, milestone, **kwargs):
        super().__init__(*args, prefix=f"m{milestone.pk}", **kwargs)
        self.fields["reached"].label = _("Value reached: %(title)s") % {"title": milestone.title}
        self.fields["reached"].initial = milestone.reached
        self.fields["version"].initial = milestone.version


# --- Edits and removals (each carries the version it was loaded with: 409 on a stale one) -----------------


class PartnerShareForm(VersionedForm):
    role = forms.CharField(label=_("Role in the project"), max_length=250)
    amount = MoneyField(label=_("Share of the funding (€)"))
    cofinancing = MoneyField(label=_("Co-financing (€)"))


class BudgetLineEditForm(BudgetLineForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class MilestoneEditForm(MilestoneForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ExpenditureEditForm(ExpenditureForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].label = _("Replace the supporting document")


class CancelExpenditureForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason for the cancellation"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The expenditure stays listed as cancelled, with this reason; no total counts it any more."),
    )


class RemoveForm(VersionedForm):
    """A removal: the POST with the version that was shown is the act."""
