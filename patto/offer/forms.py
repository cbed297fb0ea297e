from django import forms
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution
from patto.cases.forms import DeviceForm
from patto.cases.models import DeviceType
from patto.core.forms import CheckboxList, DateInput, StyledFormMixin, VersionedForm
from patto.documents.forms import AttachmentField
from patto.governance.models import Body
from patto.territory.bands import AgeBand
from patto.territory.models import Comune

from .models import CodesignProcess, Offer


def _providers(district):
    return Institution.objects.filter(district=district, is_active=True).order_by("name")


class OfferFilterForm(StyledFormMixin, forms.Form):
    """The map's filters (GET): a bad value is ignored, never an error page."""

    dispositivo = forms.ModelChoiceField(
        label=_("Dispositivo"), queryset=DeviceType.objects.filter(is_active=True), required=False
    )
    ente = forms.ModelChoiceField(label=_("Provider"), queryset=Institution.objects.none(), required=False)
    comune = forms.ModelChoiceField(label=_("Comune"), queryset=Comune.objects.none(), required=False)
    fascia = forms.ChoiceField(label=_("Age band"), choices=[("", "---------"), *AgeBand.choices], required=False)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ente"].queryset = _providers(district)
        self.fields["comune"].queryset = Comune.objects.filter(district=district, is_active=True)

    def filters(self):
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "device_type": data["dispositivo"],
            "provider": data["ente"],
            "comune": data["comune"],
            "age_band": data["fascia"],
        }


class OfferForm(StyledFormMixin, forms.Form):
    device_type = forms.ModelChoiceField(label=_("Dispositivo"), queryset=DeviceType.objects.filter(is_active=True))
    provider = forms.ModelChoiceField(
        label=_("Provider"),
        queryset=Institution.objects.none(),
        help_text=_("A signatory of the pact or a third-sector body of the district."),
    )
    comuni = forms.ModelMultipleChoiceField(
        label=_("Comuni where it runs"), queryset=Comune.objects.none(), widget=CheckboxList
    )
    age_bands = forms.MultipleChoiceField(label=_("For children aged"), choices=AgeBand.choices, widget=CheckboxList)
    places = forms.IntegerField(
        label=_("Places"), min_value=0, max_value=10000, help_text=_("Families that can be followed at the same time.")
    )
    hours_per_week = forms.DecimalField(
        label=_("Hours per week (in all)"), max_digits=6, decimal_places=1, min_value=0, required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].queryset = _providers(district)
        self.fields["comuni"].queryset = Comune.objects.filter(district=district, is_active=True)


class OfferEditForm(OfferForm, VersionedForm):
    is_active = forms.BooleanField(label=_("Offered now"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["device_type"]
        del self.fields["provider"]


class WaitingForm(StyledFormMixin, forms.Form):
    offer = forms.ModelChoiceField(label=_("Dispositivo and provider"), queryset=Offer.objects.none())
    need = forms.CharField(
        label=_("What the family needs"),
        max_length=300,
        help_text=_("In a few words, no names: e.g. “home education, 4 hours a week, afternoons”."),
    )
    since = forms.DateField(label=_("Waiting since"), widget=DateInput)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        offers = Offer.objects.filter(district=district, is_active=True).select_related("device_type", "provider")
        self.fields["offer"].queryset = offers


class WithdrawForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)
    ended_on = forms.DateField(label=_("Ended on"), widget=DateInput)


class ProcessForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    reference = forms.CharField(label=_("Reference of the notice"), max_length=100, required=False)
    description = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    started_on = forms.DateField(label=_("Notice published on"), widget=DateInput)
    participants = forms.ModelMultipleChoiceField(
        label=_("Participants"), queryset=Institution.objects.none(), required=False, widget=CheckboxList
    )
    body = forms.ModelChoiceField(
        label=_("The co-design table (a governance body)"),
        queryset=Body.objects.none(),
        required=False,
        help_text=_("Its meetings and minutes are kept with the pact's bodies."),
    )
    needs_year = forms.IntegerField(
        label=_("Needs analysis used as evidence (year)"), min_value=2000, max_value=2100, required=False
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = _providers(district)
        self.fields["body"].queryset = Body.objects.filter(pact__district=district)


class ProcessEditForm(ProcessForm, VersionedForm):
    pass


class AdvanceForm(VersionedForm):
    on = forms.DateField(label=_("From"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class MeetingPhaseForm(StyledFormMixin, forms.Form):
    """The phase of one meeting of the process's table (one form per meeting on the process's page)."""

    phase = forms.ChoiceField(label=_("Phase"))

    def __init__(self, *args, meeting, **kwargs):
        from django.utils import timezone
        from django.utils.formats import date_format

        from .services import NO_PHASE

        kwargs.setdefault("prefix", f"incontro-{meeting.pk}")
        super().__init__(*args, **kwargs)
        self.fields["phase"].choices = [(NO_PHASE, _("No phase")), *CodesignProcess.Phase.choices]
        day = date_format(timezone.localtime(meeting.starts_at), "SHORT_DATE_FORMAT")
        self.fields["phase"].label = _("Phase of the meeting of %(day)s") % {"day": day}


class CapacityForm(StyledFormMixin, forms.Form):
    offer = forms.ModelChoiceField(label=_("Dispositivo and provider"), queryset=Offer.objects.none())
    places_added = forms.IntegerField(label=_("Places added"), min_value=1, max_value=10000)
    hours_added = forms.DecimalField(
        label=_("Hours per week added"), max_digits=6, decimal_places=1, min_value=0, required=False
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = Offer.objects.filter(district=district).select_related(
            "device_type", "provider"
        )


class DocumentForm(StyledFormMixin, forms.Form):
    phase = forms.ChoiceField(label=_("Phase"), choices=CodesignProcess.Phase.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    file = AttachmentField(label=_("File"))


class ActivateForm(DeviceForm):
    """The dispositivo the family was waiting for, activated: the cases form with its dispositivo and provider
    fixed to the entry's (set by the server, not by what is sent)."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, data=None, *, path, entry, **kwargs):
        fixed = {"device_type": entry.offer.device_type_id, "provider": entry.offer.provider_id}
        if data is not None:
            data = data.copy()
            for name, value in fixed.items():
                data[name] = str(value)
        initial = {**kwargs.pop("initial", {}), **fixed, "version": entry.version}
        super().__init__(data, path=path, initial=initial, **kwargs)
        for name in fixed:
            self.fields[name].widget = forms.HiddenInput()
        self.fields["provider"].widget.attrs.clear()
