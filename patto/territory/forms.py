from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.core.forms import StyledFormMixin

from .models import Comune, school_year_label

YEARS_OFFERED = 6


def current_school_year(day=None):
    """The school year under way: from September, the one starting that year."""
    day = day or timezone.localdate()
    return day.year if day.month >= 9 else day.year - 1


class MapResidenceForm(StyledFormMixin, forms.Form):
    """The comune for every person of the district whose comune of residence was written as the text listed
    under ``key`` (``residence.residence_key``)."""

    key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    comune = forms.ModelChoiceField(label=_("Comune"), queryset=Comune.objects.none())

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comune"].queryset = Comune.objects.filter(district=district, is_active=True)


class EnrolmentForm(StyledFormMixin, forms.Form):
    school_year = forms.TypedChoiceField(label=_("School year"), coerce=int)
    pupils = forms.IntegerField(
        label=_("Pupils enrolled"),
        min_value=0,
        max_value=100000,
        help_text=_("All the pupils of the school (every site), as at the start of the school year."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest = current_school_year()
        self.fields["school_year"].choices = [
            (year, school_year_label(year)) for year in range(latest, latest - YEARS_OFFERED, -1)
        ]
