from django import forms
from django.utils.translation import gettext_lazy as _

from patto.cases.models import Cohort
from patto.cases.schedule import add_months
from patto.core.forms import DateInput, StyledFormMixin
from patto.territory.models import Comune

MAX_MONTHS = 60  # the figures per month: five years at most on one page


class ProgrammeForm(StyledFormMixin, forms.Form):
    """``?coorte=&comune=&dal=&al=``: the cohort (the most recent by default), the children's comune (all by
    default) and the months of the figures per month. A bad value is explained and its default used."""

    coorte = forms.ModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the district's cohorts.")},
    )
    comune = forms.ModelChoiceField(
        label=_("Children's comune of residence"),
        queryset=Comune.objects.none(),
        required=False,
        empty_label=_("All the comuni of the district"),
        error_messages={"invalid_choice": _("Choose one of the district's comuni.")},
    )
    dal = forms.DateField(
        label=_("Months from"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Write a date, e.g. 01/01/2025.")},
    )
    al = forms.DateField(
        label=_("Months until"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Write a date, e.g. 31/12/2025.")},
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coorte"].queryset = Cohort.objects.filter(district=district).order_by("-start_date", "name")
        self.fields["comune"].queryset = Comune.objects.filter(district=district).order_by("name")

    def clean(self):
        data = super().clean()
        start, end = data.get("dal"), data.get("al")
        if start and end and end < start:
            self.add_error("al", _("The end of the period cannot be before its start."))
        elif start and end and add_months(start.replace(day=1), MAX_MONTHS) <= end:
            self.add_error("al", _("Choose at most %(months)s months.") % {"months": MAX_MONTHS})
        return data
