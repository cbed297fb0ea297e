from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from patto.cases.models import Cohort
from patto.cases.schedule import add_months
from patto.core.forms import DateInput, StyledFormMixin

MAX_MONTHS = 60  # the figures per month: five years at most on one page
FIRST_DAY = date(2000, 1, 1)  # the earliest date the months may start from (PIPPI began in 2011)


def last_day():
    """The latest date the months may reach: a year from today."""
    return add_months(timezone.localdate(), 12)


def month_end(day):
    return add_months(day.replace(day=1), 1) - timedelta(days=1)


class ProgrammeForm(StyledFormMixin, forms.Form):
    """``?coorte=&dal=&al=``: the cohort (the most recent by default) and the months of the figures per month,
    whole months (the start taken to the first day of its month, the end to the last: a window to the day
    would give a family's agreement day by difference). A bad value is explained and its default used. There
    is no comune filter: the counts by comune are a table of their own (a filtered page against the whole
    district gave a comune's hidden counts back)."""

    coorte = forms.ModelChoiceField(
        label=_("Cohort"),
        queryset=Cohort.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of the district's cohorts.")},
    )
    dal = forms.DateField(
        label=_("Months from"),
        help_text=_("From the first day of this date's month."),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Write a date, e.g. 01/01/2025.")},
    )
    al = forms.DateField(
        label=_("Months until"),
        help_text=_("Until the last day of this date's month."),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("Write a date, e.g. 31/12/2025.")},
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coorte"].queryset = Cohort.objects.filter(district=district).order_by("-start_date", "name")

    def _in_range(self, day):
        if day is not None and not FIRST_DAY <= day <= last_day():
            raise forms.ValidationError(
                _("Choose a date from %(first)s to %(last)s.")
                % {"first": date_format(FIRST_DAY, "DATE_FORMAT"), "last": date_format(last_day(), "DATE_FORMAT")},
                code="out_of_range",
            )
        return day

    def clean_dal(self):
        day = self._in_range(self.cleaned_data.get("dal"))
        return day and day.replace(day=1)

    def clean_al(self):
        day = self._in_range(self.cleaned_data.get("al"))
        return day and month_end(day)

    def clean(self):
        data = super().clean()
        start, end = data.get("dal"), data.get("al")
        if start and end and end < start:
            self.add_error("al", _("The end of the period cannot be before its start."))
        elif start and end and add_months(start, MAX_MONTHS) <= end:
            self.add_error("al", _("Choose at most %(months)s months.") % {"months": MAX_MONTHS})
        return data
