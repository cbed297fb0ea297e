from django import forms
from django.utils.html import format_html
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution, User
from patto.core.forms import CheckboxList, DateInput, DateTimeInput, StyledFormMixin, VersionedForm
from patto.documents.forms import AttachmentField

from .models import (SCHOOL_KINDS, Agreement, CheckResult, ClosureOutcome, Cohort, ConsentItem, DeviceType, Note,
                     Path, Person, PlanAction, SubDimension, TeamMember, Volunteer)


def schools_of(district):
    return Institution.objects.filter(district=district, kind__in=SCHOOL_KINDS, is_active=True).order_by("name")


class PersonForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = ["kind", "first_name", "last_name", "birth_date", "sex", "fiscal_code", "town", "school",
                  "school_site"]
        widgets = {"birth_date": DateInput}

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school"].queryset = Institution.objects.filter(
            district=district, kind__in=[Institution.Kind.SCHOOL, Institution.Kind.EDUCATIONAL_SERVICE])
        self.fields["school_site"].queryset = self.fields["school_site"].queryset.filter(institution__district=district)
        self.fields["fiscal_code"].help_text = _("Optional. Checked against its control character; never shown in addresses.")

    def clean_fiscal_code(self):
        return self.cleaned_data["fiscal_code"].replace(" ", "").upper()

    def validate_unique(self):
        """Uniqueness is the service's job: it tells the user where the existing person is."""


class ChildForm(PersonForm):
    class Meta(PersonForm.Meta):
        fields = ["first_name", "last_name", "birth_date", "sex", "fiscal_code", "town", "school", "school_site"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Person.Kind.CHILD


class SignalForm(StyledFormMixin, forms.Form):
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=Cohort.objects.none())
    signal_source = forms.ModelChoiceField(label=_("Who sent the signal"), queryset=Institution.objects.none())
    signal_date = forms.DateField(label=_("Date of the signal"), widget=DateInput, initial=timezone.localdate)
    signal_summary = forms.CharField(label=_("What the signal says"), widget=forms.Textarea(attrs={"rows": 4}),
                                     max_length=4000)
    legal_basis = forms.ChoiceField(label=_("Legal basis of the processing"), choices=Path.LegalBasis.choices)
    legal_basis_note = forms.CharField(label=_("Legal basis: details"), max_length=300, required=False)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.filter(district=district, is_active=True)
        self.fields["signal_source"].queryset = Institution.objects.filter(district=district, is_active=True)

    def clean_signal_date(self):
        value = self.cleaned_data["signal_date"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The date of the signal cannot be in the future."))
        return value


class AgreementForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)
    signed_document = AttachmentField(label=_("Signed agreement"), required=False,
                                      help_text=_("The scan or the digitally signed file, if at hand (it can be "
                                                  "attached later)."))

    schools = forms.ModelMultipleChoiceField(
        label=_("The family agrees to share information with"), queryset=Institution.objects.none(), required=False,
        widget=CheckboxList,
        help_text=_("Only the schools and educational services ticked here can take part in the team and read "
                    "what is shared with them. Leave all unticked if the family does not agree."))
    school_sharing_scope = forms.CharField(label=_("What may be shared with them"), required=False, max_length=2000,
                                           widget=forms.Textarea(attrs={"rows": 3}))

    class Meta:
        model = Agreement
        fields = ["signed_on", "signed_by", "document_reference"]
        widgets = {"signed_on": DateInput}

    def __init__(self, *args, path, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["schools"].queryset = schools_of(path.family.district)

    def clean(self):
        data = super().clean()
        if data.get("schools") and not data.get("school_sharing_scope"):
            self.add_error("school_sharing_scope", _("Say which information the family agrees to share."))
        return data


class ConsentForm(StyledFormMixin, forms.ModelForm):
    """A new consent item: the family agrees to share with one more school or educational service."""

    class Meta:
        model = ConsentItem
        fields = ["institution", "scope", "given_on", "given_by"]
        widgets = {"given_on": DateInput, "scope": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, path, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = schools_of(path.family.district)

    def validate_unique(self):
        """One open item per institution is the service's check (it says why)."""


class ConsentWithdrawForm(VersionedForm):
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DateInput, initial=timezone.localdate)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ArchiveAccessForm(StyledFormMixin, forms.Form):
    reference = forms.CharField(label=_("Family reference"), max_length=20, help_text=_("For example RN-2025-0012."))
    reason = forms.CharField(label=_("Why you need to read the closed path"), max_length=500,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("Recorded with your access and shown to the data protection officer."))

class AgreementDocumentForm(StyledFormMixin, forms.Form):
    signed_document = AttachmentField(label=_("Signed agreement"))


class CloseForm(VersionedForm):
    outcome = forms.ModelChoiceField(label=_("Outcome"), queryset=ClosureOutcome.objects.filter(is_active=True))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    closed_on = forms.DateField(label=_("Closed on"), widget=DateInput, initial=timezone.localdate, required=False,
                                help_text=_("The day of the closing meeting. The team's access ends 30 days later "
                                            "(except the case manager's)."))


class ReopenForm(VersionedForm):
    reason = forms.CharField(label=_("Why the path is reopened"), widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000)


class TeamMemberForm(StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("Person"), queryset=User.objects.none())
    institution = forms.ModelChoiceField(label=_("Institution"), queryset=Institution.objects.none())
    team_role = forms.ChoiceField(label=_("Role in the team"), choices=TeamMember.TeamRole.choices)
    valid_from = forms.DateField(label=_("From"), widget=DateInput, initial=timezone.localdate)
    valid_to = forms.DateField(label=_("To (last day)"), widget=DateInput, required=False)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(district=district, is_active=True)
        self.fields["user"].queryset = (User.objects.filter(memberships__institution__district=district,
                                                            is_active=True).distinct().order_by("last_name"))
        self.fields["user"].label_from_instance = lambda u: f"{u.last_name} {u.first_name}"

    def clean(self):
        data = super().clean()
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("The end date cannot be before the start date."))
        return data


class EndTeamMemberForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class NoteForm(StyledFormMixin, forms.Form):
    """The audiences offered are those the writer's seat allows; the service checks them again."""

    audience = forms.ChoiceField(label=_("Who may read it"), choices=Note.Audience.choices)
    school = forms.ModelChoiceField(label=_("Shared with (school)"), queryset=Institution.objects.none(),
                                    required=False, help_text=_("Only for notes shared with the school: the schools "
                                                                "the family agreed to share with."))
    text = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 4}), max_length=8000)

    def __init__(self, *args, audiences, schools, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["audience"].choices = [c for c in Note.Audience.choices if c[0] in audiences]
        self.fields["school"].queryset = schools
        if Note.Audience.SCHOOL not in audiences:
            del self.fields["school"]
        elif len(options := list(schools[:2])) == 1:
            self.fields["school"].initial = options[0].pk

    def clean(self):
        data = super().clean()
        if data.get("audience") == Note.Audience.SCHOOL and not data.get("school") and "school" in self.fields:
            only = list(self.fields["school"].queryset[:2])
            data["school"] = only[0] if len(only) == 1 else None
        if data.get("audience") == Note.Audience.SCHOOL and not data.get("school"):
            self.add_error("school", _("Choose the school the note is shared with."))
        if data.get("audience") != Note.Audience.SCHOOL:
            data["school"] = None
        return data


class PersonSearchForm(StyledFormMixin, forms.Form):
    query = forms.CharField(label=_("Name, surname or codice fiscale"), min_length=2, max_length=100)


NOT_ASSESSABLE = "na"


class AssessmentForm(StyledFormMixin, forms.Form):
    """One select per sub-dimension, grouped by side; every sub-dimension needs an answer, which may be
    "not assessable"."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    child_says = forms.CharField(label=_("What the child says"), widget=forms.Textarea(attrs={"rows": 3}),
                                 required=False, max_length=4000)
    family_says = forms.CharField(label=_("What the family says"), widget=forms.Textarea(attrs={"rows": 3}),
                                  required=False, max_length=4000)

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— choose —"))] + [(str(level.value), f"{level.value} · {level}")
                                              for level in framework.scale.all()]
        choices.append((NOT_ASSESSABLE, _("Not assessable")))
        self.sides = []
        for side in framework.sides.prefetch_related("subdimensions"):
            names = []
            for sub in side.subdimensions.all():
                name = f"sub_{sub.pk}"
                # WCAG 3.1.2: a sub-dimension without an English name stays Italian in the English interface.
                self.fields[name] = forms.ChoiceField(label=format_html('<span lang="{}">{}</span>', sub.language, sub),
                                                      choices=choices)
                names.append(name)
            self.sides.append((side, names))

    def grouped(self):
        return [(side, [self[name] for name in names]) for side, names in self.sides]

    def values(self):
        return {int(name[4:]): (None if value == NOT_ASSESSABLE else int(value))
                for name, value in self.cleaned_data.items() if name.startswith("sub_")}


class PrePostForm(StyledFormMixin, forms.Form):
    def __init__(self, *args, sides, **kwargs):
        super().__init__(*args, **kwargs)
        self.sides = sides
        for side in sides:
            self.fields[f"risk_{side.pk}"] = forms.CharField(
                label=_("Risk factors"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000)
            self.fields[f"protective_{side.pk}"] = forms.CharField(
                label=_("Protective factors"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                max_length=4000)
            self.fields[f"version_{side.pk}"] = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def grouped(self):
        return [(side, self[f"risk_{side.pk}"], self[f"protective_{side.pk}"], self[f"version_{side.pk}"])
                for side in self.sides]

    def factors(self):
        data = self.cleaned_data
        return {side.pk: (data[f"risk_{side.pk}"], data[f"protective_{side.pk}"]) for side in self.sides}

    def versions(self):
        return {side.pk: self.cleaned_data[f"version_{side.pk}"] for side in self.sides}


class GoalForm(StyledFormMixin, forms.Form):
    subdimension = forms.ModelChoiceField(label=_("Sub-dimension to work on"), queryset=SubDimension.objects.none())
    expected_result = forms.CharField(label=_("Expected result, in plain words"), max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 2}),
                                      help_text=_("As the family would say it, e.g. “Luca gets to school on time”."))

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdimension"].queryset = (SubDimension.objects.filter(side__framework=framework)
                                                .select_related("side"))
        self.fields["subdimension"].label_from_instance = lambda sub: f"{sub.side} · {sub}"


class GoalEditForm(VersionedForm):
    expected_result = forms.CharField(label=_("Expected result, in plain words"), max_length=2000,
                                      widget=forms.Textarea(attrs={"rows": 2}))
    check_t1 = forms.ChoiceField(label=_("Check at T1"), choices=[("", "—")] + CheckResult.choices, required=False)
    check_t1_note = forms.CharField(label=_("Note on the T1 check"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    check_t2 = forms.ChoiceField(label=_("Check at T2"), choices=[("", "—")] + CheckResult.choices, required=False)
    check_t2_note = forms.CharField(label=_("Note on the T2 check"), required=False, max_length=2000,
                                    widget=forms.Textarea(attrs={"rows": 2}))


class ActionForm(StyledFormMixin, forms.Form):
    description = forms.CharField(label=_("What will be done"), max_length=2000,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    area = forms.ChoiceField(label=_("Area"), choices=PlanAction.Area.choices)
    person = forms.ModelChoiceField(label=_("Family member who does it"), queryset=Person.objects.none(),
                                    required=False)
    professional = forms.ModelChoiceField(label=_("Professional who does it"), queryset=User.objects.none(),
                                          required=False)
    institution = forms.ModelChoiceField(label=_("Or an institution as a whole"), queryset=Institution.objects.none(),
                                         required=False, help_text=_("For example the school, for what it does in class."))
    deadline = forms.DateField(label=_("By"), widget=DateInput)

    def __init__(self, *args, path, team_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = path.family.members.all()
        self.fields["professional"].queryset = team_users
        self.fields["professional"].label_from_instance = lambda u: u.get_full_name()
        self.fields["institution"].queryset = Institution.objects.filter(district=path.family.district, is_active=True)

    def clean(self):
        data = super().clean()
        if not (data.get("person") or data.get("professional") or data.get("institution")):
            raise forms.ValidationError(_("Say who does it: a family member, a professional or an institution."))
        return data


class DeviceForm(StyledFormMixin, forms.Form):
    device_type = forms.ModelChoiceField(label=_("Intervention device"), queryset=DeviceType.objects.filter(is_active=True))
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Institution.objects.none())
    responsible = forms.ModelChoiceField(label=_("Responsible person"), queryset=User.objects.none(), required=False)
    starts_on = forms.DateField(label=_("Start"), widget=DateInput, initial=timezone.localdate)
    ends_on = forms.DateField(label=_("End"), widget=DateInput, required=False)
    hours_per_week = forms.DecimalField(label=_("Hours per week (home education)"), max_digits=4, decimal_places=1,
                                        min_value=0.5, max_value=40, required=False)
    sessions_planned = forms.IntegerField(label=_("Sessions planned (groups)"), min_value=1, max_value=100,
                                          required=False)
    school = forms.ModelChoiceField(label=_("School (partnership)"), queryset=Institution.objects.none(), required=False)
    volunteer = forms.ModelChoiceField(label=_("Matched volunteer (vicinanza solidale)"), queryset=Volunteer.objects.none(),
                                       required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args, path, **kwargs):
        super().__init__(*args, **kwargs)
        district = path.family.district
        self.fields["provider"].queryset = Institution.objects.filter(district=district, is_active=True)
        self.fields["school"].queryset = Institution.objects.filter(district=district, kind=Institution.Kind.SCHOOL)
        self.fields["responsible"].queryset = User.objects.filter(
            memberships__institution__district=district, is_active=True).distinct().order_by("last_name")
        self.fields["responsible"].label_from_instance = lambda u: f"{u.last_name} {u.first_name}"
        self.fields["volunteer"].queryset = Volunteer.objects.filter(district=district,
                                                                     screening=Volunteer.Screening.APPROVED)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        return data


class DeviceEditForm(VersionedForm):
    ends_on = forms.DateField(label=_("End"), widget=DateInput, required=False)
    hours_per_week = forms.DecimalField(label=_("Hours per week (home education)"), max_digits=4, decimal_places=1,
                                        min_value=0.5, max_value=40, required=False)
    sessions_planned = forms.IntegerField(label=_("Sessions planned (groups)"), min_value=1, max_value=100,
                                          required=False)
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)


class DeviceSessionForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DateInput, initial=timezone.localdate)
    attended = forms.BooleanField(label=_("The family attended"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)


class VolunteerForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Volunteer
        fields = ["first_name", "last_name", "town", "phone", "predisposition", "screening", "screened_on"]
        widgets = {"screened_on": DateInput, "predisposition": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        data = super().clean()
        if data.get("screening") in (Volunteer.Screening.INTERVIEWED, Volunteer.Screening.APPROVED) \
                and not data.get("screened_on"):
            self.add_error("screened_on", _("Give the date of the screening interview."))
        return data


class MeetingForm(StyledFormMixin, forms.Form):
    held_at = forms.DateTimeField(label=_("Date and time"), widget=DateTimeInput,
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=_("Place or link"), max_length=200, required=False)
    with_family = forms.BooleanField(label=_("With the family"), required=False, initial=True)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    participants = forms.ModelMultipleChoiceField(label=_("Professionals"), queryset=User.objects.none(),
                                                  widget=CheckboxList)
    family_participants = forms.ModelMultipleChoiceField(label=_("Family members"), queryset=Person.objects.none(),
                                                         widget=CheckboxList, required=False)

    def __init__(self, *args, path, team_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = team_users
        self.fields["participants"].label_from_instance = lambda u: u.get_full_name()
        self.fields["family_participants"].queryset = path.family.members.all()


NEXT_STEP_ROWS = 3


class MinutesForm(VersionedForm):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                max_length=4000)

    def __init__(self, *args, team_users, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, NEXT_STEP_ROWS + 1):
            self.fields[f"step_{row}_description"] = forms.CharField(
                label=_("Next step %(row)s: what") % {"row": row}, max_length=300, required=False)
            self.fields[f"step_{row}_assignee"] = forms.ModelChoiceField(
                label=_("Next step %(row)s: who") % {"row": row}, queryset=team_users, required=False)
            self.fields[f"step_{row}_assignee"].label_from_instance = lambda u: u.get_full_name()
            self.fields[f"step_{row}_due_on"] = forms.DateField(
                label=_("Next step %(row)s: by") % {"row": row}, widget=DateInput, required=False)

    def clean(self):
        data = super().clean()
        for row in range(1, NEXT_STEP_ROWS + 1):
            values = [data.get(f"step_{row}_{part}") for part in ("description", "assignee", "due_on")]
            if any(values) and not all(values):
                self.add_error(f"step_{row}_description", _("A next step needs what, who and by when."))
        return data

    def next_steps(self):
        data = self.cleaned_data
        return [{"description": data[f"step_{row}_description"], "assignee": data[f"step_{row}_assignee"],
                 "due_on": data[f"step_{row}_due_on"]}
                for row in range(1, NEXT_STEP_ROWS + 1) if data.get(f"step_{row}_description")]

    def steps(self):
        return [[self[f"step_{row}_{part}"] for part in ("description", "assignee", "due_on")]
                for row in range(1, NEXT_STEP_ROWS + 1)]


class CohortForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Cohort
        fields = ["name", "start_date", "t1_months", "t2_months", "is_active"]
        widgets = {"start_date": DateInput}

    def validate_unique(self):
        """The service checks uniqueness within the district (the form has no district field)."""


class OutcomeForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ClosureOutcome
        fields = ["code", "label", "label_en", "order", "is_active"]


class DeviceTypeForm(StyledFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = DeviceType
        fields = ["code", "name", "name_en", "measure", "pippi_core", "order", "is_active"]
