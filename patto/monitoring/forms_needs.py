from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.core.forms import CheckboxList, StyledFormMixin
from patto.governance.models import CommitmentUpdate

FIRST_YEAR = 2000
NEEDS_COMMITMENT_WORDS = "analisi dei bisogni"


def year_field():
    return forms.IntegerField(
        label=_("Year"),
        min_value=FIRST_YEAR,
        error_messages={
            "invalid": _("Write the year with four digits, e.g. 2025."),
            "min_value": _("Choose a year from %(limit_value)s on."),
        },
    )


class YearForm(StyledFormMixin, forms.Form):
    """``?anno=``: the year of the figures (the population of its 1 January)."""

    anno = year_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anno"].widget.attrs.update({"max": timezone.localdate().year, "inputmode": "numeric"})

    def clean_anno(self):
        year = self.cleaned_data["anno"]
        if year > timezone.localdate().year:
            raise forms.ValidationError(
                _("Choose a year up to %(limit_value)s."), params={"limit_value": timezone.localdate().year}
            )
        return year


class AttachForm(StyledFormMixin, forms.Form):
    """The report as evidence: which commitment of the pact in force, its status, a note. The year (hidden)
    within the limits of ``YearForm``; out of them, one message for the whole form and nothing attached."""

    anno = forms.IntegerField(widget=forms.HiddenInput, min_value=FIRST_YEAR)
    commitment = forms.ModelChoiceField(label=_("Commitment"), queryset=None, empty_label=_("Choose…"))
    status = forms.ChoiceField(
        label=_("Status of the commitment"),
        choices=CommitmentUpdate.Status.choices,
        initial=CommitmentUpdate.Status.DONE,
    )
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)

    def __init__(self, *args, commitments, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = commitments
        self.fields["commitment"].label_from_instance = lambda c: f"{c.institution} — {c.text[:120]}"
        default = next((c for c in commitments if NEEDS_COMMITMENT_WORDS in c.text.lower()), None)
        if default is not None:
            self.fields["commitment"].initial = default.pk
        self.fields["anno"].initial = year
        self.fields["anno"].validators.append(MaxValueValidator(timezone.localdate().year))
        self.fields["evidence"].initial = _("Needs analysis of the territory for %(year)s: the report is attached.") % {
            "year": year
        }

    def clean(self):
        cleaned = super().clean()
        if "anno" in self.errors:
            del self.errors["anno"]
            self.add_error(
                None,
                _("The report's year must be from %(first)s to %(last)s: nothing was attached.")
                % {"first": FIRST_YEAR, "last": timezone.localdate().year},
            )
        return cleaned


class PublishForm(StyledFormMixin, forms.Form):
    """Which tables of the report for the year are published as open data."""

    anno = forms.IntegerField(widget=forms.HiddenInput)
    tables = forms.MultipleChoiceField(
        label=_("Tables to publish"),
        widget=CheckboxList,
        error_messages={"required": _("Choose at least one table.")},
    )

    def __init__(self, *args, tables, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tables"].choices = [(table.key, table.title) for table in tables]
        self.fields["anno"].initial = year
