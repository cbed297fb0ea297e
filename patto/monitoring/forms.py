from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Membership
from patto.core.forms import DateInput, StyledFormMixin

from .queries import GRANTABLE_ROLES


class GrantForm(StyledFormMixin, forms.Form):
    membership = forms.ModelChoiceField(
        label=_("Person and role"), queryset=Membership.objects.none(), empty_label=_("Choose…")
    )
    reason = forms.CharField(
        label=_("Why"), max_length=300, help_text=_("E.g. member of the Referente territoriale's group.")
    )
    starts_on = forms.DateField(label=_("From"), widget=DateInput())
    ends_on = forms.DateField(
        label=_("Until"), required=False, widget=DateInput(), help_text=_("Empty: until revoked.")
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate()
        self.fields["membership"].queryset = (
            Membership.objects.current()
            .filter(institution__district=district, role__in=GRANTABLE_ROLES)
            .select_related("user", "institution")
            .order_by("institution__name", "user__last_name", "user__first_name")
        )
        self.fields["membership"].label_from_instance = lambda m: (
            f"{m.user.get_full_name()} — {m.get_role_display()}, {m.institution}"
        )

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end comes after the start."))
        return data
