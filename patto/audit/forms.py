from django import forms
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import User
from patto.core.forms import DateInput, StyledFormMixin


class TrailFilterForm(StyledFormMixin, forms.Form):
    person = forms.ModelChoiceField(label=_("Person concerned"), queryset=User.objects.none(), required=False)
    actor = forms.ModelChoiceField(label=_("User who acted"), queryset=User.objects.none(), required=False)
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=None, required=False)
    action = forms.CharField(
        label=_("Action code (starts with)"),
        max_length=80,
        required=False,
        help_text=_("For example: accounts.login or accounts.membership"),
    )
    date_from = forms.DateField(label=_("From"), widget=DateInput, required=False)
    date_to = forms.DateField(label=_("To"), widget=DateInput, required=False)

    def __init__(self, *args, people, institutions, directory, **kwargs):
        """``people`` and ``institutions``: what the selects accept (a choice must be among them); ``directory``:
        what they offer, read once as names (``audit.queries.trail_directory``): (pk, first name, last name,
        username) of the people, in the order of ``people``, and (pk, name) of the institutions."""
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["actor"].queryset = people
        self.fields["institution"].queryset = institutions
        people_names, institution_names = directory
        names = [(pk, User.name_shown(*name)) for pk, *name in people_names]
        for name in ("person", "actor"):
            self.fields[name].widget.choices = [("", self.fields[name].empty_label), *names]
        self.fields["institution"].widget.choices = [
            ("", self.fields["institution"].empty_label),
            *institution_names,
        ]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The end of the period cannot be before its start."))
        return data


class AccessSearchForm(StyledFormMixin, forms.Form):
    query = forms.CharField(
        label=_("Family reference, name or codice fiscale"),
        min_length=2,
        max_length=100,
        help_text=_("For example RN-2026-0015, or a child's or parent's name and surname."),
    )
