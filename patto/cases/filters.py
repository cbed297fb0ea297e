"""The path list's filters: a GET form (no personal data: phases, cohorts, the family's reference)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patto.core.forms import StyledFormMixin

from .models import Cohort, Path


class PathFilterForm(StyledFormMixin, forms.Form):
    reference = forms.CharField(
        label=_("Family reference"),
        max_length=20,
        required=False,
        help_text=_("All or part of it, for example 2026-0012."),
    )
    state = forms.ChoiceField(label=_("Phase"), required=False, choices=[("", _("All phases"))] + Path.State.choices)
    status = forms.ChoiceField(
        label=_("Open or closed"),
        required=False,
        choices=[("", _("Open and closed")), ("open", _("Open only")), ("closed", _("Closed only"))],
    )
    cohort = forms.ModelChoiceField(
        label=_("Cohort"), queryset=Cohort.objects.none(), required=False, empty_label=_("All cohorts")
    )
    mine = forms.ChoiceField(
        label=_("My part"),
        required=False,
        choices=[
            ("", _("Every path I may see")),
            ("case_manager", _("I am the case manager")),
            ("team", _("I am in the team")),
        ],
    )

    def __init__(self, *args, cohorts, cohort_choices=None, **kwargs):
        """``cohorts``: the queryset a chosen cohort must be in; ``cohort_choices``, when the caller has them
        already as (id, name) in order (``PathListing``), the options shown, without reading them again."""
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = cohorts
        if cohort_choices is not None:
            self.fields["cohort"].widget.choices = [("", self.fields["cohort"].empty_label), *cohort_choices]

    def filters(self):
        """The valid filters only: a bad value is reported on its field and the others still apply."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value not in ("", None)}
