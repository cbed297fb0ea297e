from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution, Membership, User
from patto.core.forms import DateInput, DateTimeInput, StyledFormMixin, VersionedForm
from patto.documents.forms import AttachmentField

from .models import ActionItem, Adhesion, Attendance, Body, CommitmentUpdate, Indicator, Procedure
from .queries import institutions_in_standing


class DraftForm(StyledFormMixin, forms.Form):
    summary = forms.CharField(
        label=_("What this version changes"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class SectionForm(VersionedForm):
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 12}), max_length=20000, required=False)


class CommitmentForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    institution = forms.ModelChoiceField(label=_("Party"), queryset=Institution.objects.none())
    text = forms.CharField(label=_("Commitment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    order = forms.IntegerField(label=_("Order"), min_value=0, initial=0)

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions


class VersionStepForm(VersionedForm):
    """Submitting a draft for approval, or withdrawing it: a confirmation that carries the version loaded."""


class ApproveForm(VersionedForm):
    approved_in = forms.ModelChoiceField(
        label=_("Approved in the meeting"),
        queryset=None,
        required=False,
        help_text=_("The meeting of the Gruppo Territoriale, if it is recorded in Patto."),
    )
    approved_on = forms.DateField(label=_("Approved on"), widget=DateInput, initial=timezone.localdate)
    approval_reference = forms.CharField(
        label=_("Approval decision"),
        max_length=300,
        help_text=_("The Gruppo Territoriale meeting that approved it, e.g. “GT del 12/03/2026, decisione n. 4”."),
    )
    effective_from = forms.DateField(label=_("In force from"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["approved_in"].queryset = meetings


class AdhesionForm(StyledFormMixin, forms.ModelForm):
    signed_document = AttachmentField(label=_("Signed document"), required=False)

    class Meta:
        model = Adhesion
        fields = ["institution", "signer_name", "signer_role", "signed_on", "method", "document_reference"]
        widgets = {"signed_on": DateInput}

    def __init__(self, *args, institutions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions

    def validate_unique(self):
        """The service refuses a second active adhesion with a clear message."""


class SignedDocumentForm(StyledFormMixin, forms.Form):
    signed_document = AttachmentField(label=_("Signed document"))


class WithdrawForm(StyledFormMixin, forms.Form):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason for withdrawing"), max_length=300)


class PeriodForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("E.g. “Primo semestre 2026”."))
    starts_on = forms.DateField(label=_("From"), widget=DateInput)
    ends_on = forms.DateField(label=_("To"), widget=DateInput)


class StatusForm(StyledFormMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=CommitmentUpdate.Status.choices)
    evidence = forms.CharField(
        label=_("Evidence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("What was done, with references to documents or meetings."),
    )
    evidence_file = AttachmentField(label=_("Evidence document"), required=False)


class BodyForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Body.Kind.choices)
    name = forms.CharField(
        label=_("Name"), max_length=150, help_text=_("The district's own name, e.g. “Cabina di regia”.")
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False)


class BodyMemberForm(StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.none())
    role_in_body = forms.CharField(label=_("Role in the body"), max_length=100, required=False)
    valid_from = forms.DateField(label=_("From"), widget=DateInput, initial=timezone.localdate)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        # Only people holding a role now at an institution of the district in standing are offered (and named).
        institutions = institutions_in_standing().filter(district=district)
        self.fields["institution"].queryset = institutions
        self.fields["user"].queryset = (
            User.objects.filter(memberships__in=Membership.objects.current().filter(institution__in=institutions))
            .distinct()
            .order_by("last_name")
        )
        self.fields["user"].label_from_instance = lambda u: f"{u.last_name} {u.first_name}"


class BodyMeetingForm(StyledFormMixin, forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), min_value=15, max_value=600, initial=120)
    place = forms.CharField(label=_("Place or link"), max_length=300)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 8}), max_length=8000)


class BodyMeetingChangeForm(BodyMeetingForm):
    """A meeting still to be held, moved or with another agenda (optimistic lock)."""

    version = forms.IntegerField(widget=forms.HiddenInput)


ACTION_ROWS = 3


class BodyMinutesForm(StyledFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 6}), max_length=20000)
    decisions = forms.CharField(
        label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=8000
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        choices = [("", "—")] + Attendance.Status.choices
        for member in members:
            self.fields[f"attendance_{member.pk}"] = forms.ChoiceField(
                label=f"{member.user.get_full_name()} ({member.institution})", choices=choices, required=False
            )
        users = User.objects.filter(pk__in=[m.user_id for m in members])
        for row in range(1, ACTION_ROWS + 1):
            self.fields[f"action_{row}_description"] = forms.CharField(
                label=_("Action %(row)s: what") % {"row": row}, max_length=300, required=False
            )
            self.fields[f"action_{row}_owner"] = forms.ModelChoiceField(
                label=_("Action %(row)s: who") % {"row": row}, queryset=users, required=False
            )
            self.fields[f"action_{row}_due_on"] = forms.DateField(
                label=_("Action %(row)s: by") % {"row": row}, widget=DateInput, required=False
            )

    def clean(self):
        data = super().clean()
        for row in range(1, ACTION_ROWS + 1):
            values = [data.get(f"action_{row}_{part}") for part in ("description", "owner", "due_on")]
            if any(values) and not all(values):
                self.add_error(f"action_{row}_description", _("An action needs what, who and by when."))
        return data

    def attendance(self):
        return {member.pk: self.cleaned_data.get(f"attendance_{member.pk}") for member in self.members}

    def action_items(self):
        institution_of = {member.user_id: member.institution for member in self.members}
        data = self.cleaned_data
        return [
            {
                "description": data[f"action_{row}_description"],
                "owner": data[f"action_{row}_owner"],
                "institution": institution_of[data[f"action_{row}_owner"].pk],
                "due_on": data[f"action_{row}_due_on"],
            }
            for row in range(1, ACTION_ROWS + 1)
            if data.get(f"action_{row}_description")
        ]

    def attendance_fields(self):
        return [self[f"attendance_{member.pk}"] for member in self.members]

    def action_rows(self):
        return [
            [self[f"action_{row}_{part}"] for part in ("description", "owner", "due_on")]
            for row in range(1, ACTION_ROWS + 1)
        ]


class ProcedureForm(StyledFormMixin, forms.ModelForm):
    """Offers only the fields the acting user may set (``rules.procedure_fields``): the owner of a
    procedure edits its content; the coordinator also its owner, approval and review dates."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Procedure
        fields = ["title", "owner", "text", "response_working_days", "request_kind", "approved_on", "review_on"]
        widgets = {"approved_on": DateInput, "review_on": DateInput, "text": forms.Textarea(attrs={"rows": 8})}

    def __init__(self, *args, institutions, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        for name in set(self._meta.fields) - set(allowed):
            del self.fields[name]
        if "owner" in self.fields:
            self.fields["owner"].queryset = institutions

    def changes(self):
        """The procedure's fields as submitted (the lock's ``version`` apart)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ActionItemStatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionItem.Status.choices)

    def __init__(self, *args, allowed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in ActionItem.Status.choices if value in allowed
        ]


class IndicatorForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["name", "unit", "target", "source"]


class IndicatorValueForm(StyledFormMixin, forms.Form):
    value = forms.DecimalField(label=_("Value"), max_digits=10, decimal_places=2, min_value=0)
    evidence = forms.CharField(label=_("Evidence"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    evidence_file = AttachmentField(label=_("Evidence document"), required=False)
