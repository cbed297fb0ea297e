from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, SetPasswordForm
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.core.forms import DateInput, StyledFormMixin, VersionedForm

from .models import Institution
from .roles import grantable_roles


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("Username or password not recognised. Check them and try again."),
        "inactive": _("Username or password not recognised. Check them and try again."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocomplete"] = "username"


class StyledPasswordResetForm(StyledFormMixin, PasswordResetForm):
    pass


class StyledSetPasswordForm(StyledFormMixin, SetPasswordForm):
    pass


class MembershipPeriodMixin:
    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date cannot be before the start date."))
        return data


class MembershipAddForm(MembershipPeriodMixin, StyledFormMixin, forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    email = forms.EmailField(
        label=_("Work email"),
        help_text=_(
            "If the person already has a Patto account with this email, the role is added to it; "
            "otherwise they receive an invitation to choose a password."
        ),
    )
    role = forms.ChoiceField(label=_("Role"))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput, initial=timezone.localdate)
    valid_to = forms.DateField(
        label=_("Valid to (last day)"), widget=DateInput, required=False, help_text=_("Leave empty if open-ended.")
    )

    def __init__(self, *args, actor_membership, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in grantable_roles(actor_membership, institution)]


class MembershipChangeForm(MembershipPeriodMixin, VersionedForm):
    role = forms.ChoiceField(label=_("Role"))
    valid_from = forms.DateField(label=_("Valid from"), widget=DateInput)
    valid_to = forms.DateField(
        label=_("Valid to (last day)"), widget=DateInput, required=False, help_text=_("Leave empty if open-ended.")
    )

    def __init__(self, *args, actor_membership, institution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r.value, r.label) for r in grantable_roles(actor_membership, institution)]


class MembershipEndForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: transferred, contract ended, role no longer needed."),
    )


class InstitutionForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Institution
        fields = [
            "kind",
            "name",
            "short_name",
            "codice_meccanografico",
            "istat_code",
            "service_type",
            "tax_code",
            "address",
            "town",
            "email",
            "pec",
            "is_active",
        ]


class SwitchMembershipForm(forms.Form):
    membership = forms.IntegerField(widget=forms.HiddenInput)


class PasswordConfirmForm(StyledFormMixin, forms.Form):
    password = forms.CharField(
        label=_("Password"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class OtpTokenForm(StyledFormMixin, forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("The 6-digit code shown by your authenticator app, or one of your recovery codes."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "text"})

    def clean_token(self):
        return self.cleaned_data["token"].replace(" ", "").strip()
