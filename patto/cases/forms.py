from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution, Membership, SchoolSite, User
from patto.core.forms import CheckboxList, DateInput, DateTimeInput, StyledFormMixin, VersionedForm, add_service_errors
from patto.documents.forms import AttachmentField
from patto.governance.queries import institutions_in_standing
from patto.territory.models import Comune

from .models import (
    DEVICE_RESPONSIBLE_ROLES,
    SCHOOL_KINDS,
    Agreement,
    CheckResult,
    ClosureOutcome,
    Cohort,
    ConsentItem,
    DeviceType,
    Note,
    Path,
    Person,
    PlanAction,
    SubDimension,
    TeamMember,
    Volunteer,
)
from .queries import TEAM_ROLE_FIT
from .services.path import PERSON_FIELDS


def schools_of(district):
    return Institution.objects.filter(district=district, kind__in=SCHOOL_KINDS, is_active=True).order_by("name")


def membership_label(membership):
    """A person as a choice: name, institution and role, so that the choice says who and where."""
    return (
        f"{membership.user.last_name} {membership.user.first_name} — {membership.institution.name} "
        f"({membership.get_role_display()})"
    )


def _memberships(roles, **filters):
    return (
        Membership.objects.current()
        .filter(role__in=roles, **filters)
        .select_related("user", "institution")
        .order_by("user__last_name", "user__first_name", "institution__name", "role")
    )


def _chosen(form, name):
    """The value of ``name`` the form is about: what was sent, else the initial value (a pk, or None)."""
    value = form.data.get(form.add_prefix(name)) if form.is_bound else form.initial.get(name)
    value = getattr(value, "pk", value)
    return str(value) if value not in (None, "") else None


def options_htmx(field, url, target):
    """Let ``field``'s select refresh the options of the ``target`` select (htmx GET to ``url``); without
    JavaScript the form still works: the server checks that the two choices go together."""
    field.widget.attrs.update(
        {"hx-get": url, "hx-target": f"#{target}", "hx-trigger": "change", "hx-swap": "innerHTML"}
    )


class PersonForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = list(PERSON_FIELDS)
        widgets = {"birth_date": DateInput}

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comune"].queryset = Comune.objects.filter(district=district, is_active=True)
        self.fields["comune"].empty_label = _("— outside the district or not known —")
        self.fields["town"].help_text = _("Only when the comune is not in the list above.")
        self.fields["school"].queryset = Institution.objects.filter(
            district=district, kind__in=[Institution.Kind.SCHOOL, Institution.Kind.EDUCATIONAL_SERVICE]
        )
        # Every site of the district is a valid answer (clean() checks it belongs to the school); the list
        # shows the chosen school's sites, or every site with its school's name when none is chosen yet.
        sites = SchoolSite.objects.filter(institution__district=district).select_related("institution")
        self.fields["school_site"].queryset = sites
        school = _chosen(self, "school")
        site_field = self.fields["school_site"]
        self._sites_shown = sites.filter(institution_id=school) if school and school.isdigit() else sites
        if not self.is_bound:
            site_field.queryset = self._sites_shown
        site_field.label_from_instance = (
            (lambda site: site.name) if school else (lambda site: f"{site.name} — {site.institution.name}")
        )
        site_field.help_text = _("The sites of the school chosen above.")
        options_htmx(self.fields["school"], reverse("cases:school_sites"), self["school_site"].auto_id)
        self.fields["fiscal_code"].help_text = _(
            "Optional. Checked against its control character; never shown in addresses."
        )

    def full_clean(self):
        super().full_clean()
        self.fields["school_site"].queryset = self._sites_shown

    def clean_fiscal_code(self):
        return self.cleaned_data["fiscal_code"].replace(" ", "").upper()

    def clean(self):
        data = super().clean()
        if data.get("comune") and data.get("town", "").strip():
            self.add_error("town", _("Choose the comune in the list, or write one outside the district: not both."))
        site, school = data.get("school_site"), data.get("school")
        if site is not None and (school is None or site.institution_id != school.pk):
            self.add_error(
                "school_site",
                _(
                    "This school site (plesso) is not one of the chosen school's: choose "
                    "the school first, then one of its sites."
                ),
            )
        return data

    def validate_unique(self):
        """Uniqueness is the service's job: it tells the user where the existing person is."""


class ChildForm(PersonForm):
    class Meta(PersonForm.Meta):
        fields = [field for field in PERSON_FIELDS if field != "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.kind = Person.Kind.CHILD


class SignalForm(StyledFormMixin, forms.Form):
    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=Cohort.objects.none())
    signal_source = forms.ModelChoiceField(label=_("Who sent the signal"), queryset=Institution.objects.none())
    signal_channel = forms.ChoiceField(
        label=_("Who signalled"),
        choices=[("", _("As the institution above (school, AUSL, social service…)"))] + Path.SignalChannel.choices,
        required=False,
        help_text=_(
            "For the national PIPPI monitoring. Choose when it is not the institution's kind: the family's "
            "paediatrician, the family itself, the juvenile court or the public prosecutor."
        ),
    )
    signal_date = forms.DateField(label=_("Date of the signal"), widget=DateInput, initial=timezone.localdate)
    signal_summary = forms.CharField(
        label=_("What the signal says"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000
    )
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
    signed_document = AttachmentField(
        label=_("Signed agreement"),
        required=False,
        help_text=_("The scan or the digitally signed file, if at hand (it can be attached later)."),
    )

    schools = forms.ModelMultipleChoiceField(
        label=_("The family agrees to share information with"),
        queryset=Institution.objects.none(),
        required=False,
        widget=CheckboxList,
        help_text=_(
            "Only the schools and educational services ticked here can take part in the team and read "
            "what is shared with them. Leave all unticked if the family does not agree."
        ),
    )
    school_sharing_scope = forms.CharField(
        label=_("What may be shared with them"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

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
    reason = forms.CharField(
        label=_("Why you need to read the closed path"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded with your access and shown to the data protection officer."),
    )


class AgreementDocumentForm(StyledFormMixin, forms.Form):
    signed_document = AttachmentField(label=_("Signed agreement"))


class CloseForm(VersionedForm):
    outcome = forms.ModelChoiceField(label=_("Outcome"), queryset=ClosureOutcome.objects.filter(is_active=True))
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    closed_on = forms.DateField(
        label=_("Closed on"),
        widget=DateInput,
        initial=timezone.localdate,
        required=False,
        help_text=_(
            "The day of the closing meeting. The team's access ends 30 days later (except the case manager's)."
        ),
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why the path is reopened"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


def team_candidates(path, team_role=None):
    """The memberships that may take a seat in the path's team with ``team_role`` (any seat but the case
    manager's when None): a role that fits it, at an institution of the district in standing; at a school
    or educational service only with the family's consent to share with it."""
    roles = (
        TEAM_ROLE_FIT[team_role]
        if team_role in TEAM_ROLE_FIT
        else set().union(*(roles for role, roles in TEAM_ROLE_FIT.items() if role != TeamMember.TeamRole.CASE_MANAGER))
    )
    consent = ConsentItem.objects.in_force().filter(path=path, institution=OuterRef("institution"))
    return _memberships(
        roles, institution__district_id=path.family.district_id, institution__in=institutions_in_standing()
    ).filter(~Q(institution__kind__in=SCHOOL_KINDS) | Exists(consent))


class TeamMemberForm(StyledFormMixin, forms.Form):
    """A seat for a person in one of their roles: the list names each person's institution and role, and
    offers only those whose role fits the role in the team (narrowed as the role is chosen)."""

    team_role = forms.ChoiceField(label=_("Role in the team"), choices=TeamMember.TeamRole.choices)
    membership = forms.ModelChoiceField(
        label=_("Person"),
        queryset=Membership.objects.none(),
        help_text=_(
            "Each person with their institution and role. Only people whose role fits the role in the "
            "team, at institutions that have signed the pact, are listed."
        ),
    )
    valid_from = forms.DateField(label=_("From"), widget=DateInput, initial=timezone.localdate)
    valid_to = forms.DateField(label=_("To (last day)"), widget=DateInput, required=False)

    def __init__(self, *args, path, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["membership"]
        field.label_from_instance = membership_label
        # A person whose role does not fit is refused with a message saying so (clean), not "not a choice".
        field.queryset = _memberships(
            set().union(*TEAM_ROLE_FIT.values()), institution__district_id=path.family.district_id
        )
        self._shown = team_candidates(path, _chosen(self, "team_role"))
        if not self.is_bound:
            field.queryset = self._shown
        options_htmx(
            self.fields["team_role"], reverse("cases:team_add", kwargs={"pk": path.pk}), self["membership"].auto_id
        )

    def full_clean(self):
        super().full_clean()
        self.fields["membership"].queryset = self._shown

    def clean(self):
        data = super().clean()
        membership, team_role = data.get("membership"), data.get("team_role")
        if membership is not None and team_role and membership.role not in TEAM_ROLE_FIT[team_role]:
            self.add_error(
                "membership",
                _(
                    "%(person)s is %(role)s at %(institution)s: this does not fit the role "
                    "in the team. Choose someone from the list."
                )
                % {
                    "person": membership.user.get_full_name(),
                    "role": membership.get_role_display(),
                    "institution": membership.institution.name,
                },
            )
        if data.get("valid_from") and data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            self.add_error("valid_to", _("The end date cannot be before the start date."))
        return data

    def seat(self):
        """The service's arguments."""
        data = self.cleaned_data
        return {
            "user": data["membership"].user,
            "institution": data["membership"].institution,
            "team_role": data["team_role"],
            "valid_from": data["valid_from"],
            "valid_to": data["valid_to"],
        }

    def add_service_errors(self, error):
        """The service speaks of the person and the institution: both are the membership's choice here."""
        if hasattr(error, "error_dict"):
            renamed = {}
            for name, errors in error.error_dict.items():
                renamed.setdefault("membership" if name in ("user", "institution") else name, []).extend(errors)
            error = ValidationError(renamed)
        add_service_errors(self, error)


class EndTeamMemberForm(VersionedForm):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class NoteForm(StyledFormMixin, forms.Form):
    """The audiences offered are those the writer's seat allows; the service checks them again."""

    audience = forms.ChoiceField(label=_("Who may read it"), choices=Note.Audience.choices)
    school = forms.ModelChoiceField(
        label=_("Shared with (school)"),
        queryset=Institution.objects.none(),
        required=False,
        help_text=_("Only for notes shared with the school: the schools the family agreed to share with."),
    )
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


DRAFT = "draft"


class AssessmentForm(StyledFormMixin, forms.Form):
    """One select per sub-dimension, grouped by side. Saved as a draft (the submit button named ``save``
    with the value ``draft``), any may be left for later; to complete the assessment every sub-dimension
    needs an answer, which may be "not assessable"."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    child_says = forms.CharField(
        label=_("What the child says"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )
    family_says = forms.CharField(
        label=_("What the family says"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— choose —"))] + [
            (str(level.value), f"{level.value} · {level}") for level in framework.scale.all()
        ]
        choices.append((NOT_ASSESSABLE, _("Not assessable")))
        self.sides = []
        for side in framework.sides.prefetch_related("subdimensions"):
            names = []
            for sub in side.subdimensions.all():
                name = f"sub_{sub.pk}"
                # WCAG 3.1.2: a sub-dimension without an English name stays Italian in the English interface.
                self.fields[name] = forms.ChoiceField(
                    label=format_html('<span lang="{}">{}</span>', sub.language, sub), choices=choices, required=False
                )
                names.append(name)
            self.sides.append((side, names))

    @property
    def complete(self):
        """Saved complete unless the user chose to save a draft."""
        return self.data.get("save") != DRAFT

    def clean(self):
        data = super().clean()
        if self.complete:
            for _side, names in self.sides:
                for name in names:
                    if not data.get(name) and name not in self.errors:
                        self.add_error(name, self.fields[name].error_messages["required"])
        return data

    def grouped(self):
        return [(side, [self[name] for name in names]) for side, names in self.sides]

    def values(self):
        """{sub-dimension id: value, or None for "not assessable"}; those left empty in a draft are left out."""
        return {
            int(name[4:]): (None if value == NOT_ASSESSABLE else int(value))
            for name, value in self.cleaned_data.items()
            if name.startswith("sub_") and value
        }


class PrePostForm(StyledFormMixin, forms.Form):
    def __init__(self, *args, sides, **kwargs):
        super().__init__(*args, **kwargs)
        self.sides = sides
        for side in sides:
            self.fields[f"risk_{side.pk}"] = forms.CharField(
                label=_("Risk factors"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
            )
            self.fields[f"protective_{side.pk}"] = forms.CharField(
                label=_("Protective factors"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
            )
            self.fields[f"version_{side.pk}"] = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def grouped(self):
        return [
            (side, self[f"risk_{side.pk}"], self[f"protective_{side.pk}"], self[f"version_{side.pk}"])
            for side in self.sides
        ]

    def factors(self):
        data = self.cleaned_data
        return {side.pk: (data[f"risk_{side.pk}"], data[f"protective_{side.pk}"]) for side in self.sides}

    def versions(self):
        return {side.pk: self.cleaned_data[f"version_{side.pk}"] for side in self.sides}


class GoalForm(StyledFormMixin, forms.Form):
    subdimension = forms.ModelChoiceField(label=_("Sub-dimension to work on"), queryset=SubDimension.objects.none())
    expected_result = forms.CharField(
        label=_("Expected result, in plain words"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("As the family would say it, e.g. “Luca gets to school on time”."),
    )

    def __init__(self, *args, framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subdimension"].queryset = SubDimension.objects.filter(side__framework=framework).select_related(
            "side"
        )
        self.fields["subdimension"].label_from_instance = lambda sub: f"{sub.side} · {sub}"


class GoalEditForm(VersionedForm):
    expected_result = forms.CharField(
        label=_("Expected result, in plain words"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    check_t1 = forms.ChoiceField(label=_("Check at T1"), choices=[("", "—")] + CheckResult.choices, required=False)
    check_t1_note = forms.CharField(
        label=_("Note on the T1 check"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    check_t2 = forms.ChoiceField(label=_("Check at T2"), choices=[("", "—")] + CheckResult.choices, required=False)
    check_t2_note = forms.CharField(
        label=_("Note on the T2 check"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ActionForm(StyledFormMixin, forms.Form):
    description = forms.CharField(
        label=_("What will be done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    area = forms.ChoiceField(label=_("Area"), choices=PlanAction.Area.choices)
    person = forms.ModelChoiceField(
        label=_("Family member who does it"), queryset=Person.objects.none(), required=False
    )
    professional = forms.ModelChoiceField(
        label=_("Professional who does it"), queryset=User.objects.none(), required=False
    )
    institution = forms.ModelChoiceField(
        label=_("Or an institution as a whole"),
        queryset=Institution.objects.none(),
        required=False,
        help_text=_("For example the school, for what it does in class."),
    )
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


class RemoveActionForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Why it is removed"), max_length=300, help_text=_("Kept in the plan's history with the action.")
    )


class DeviceForm(StyledFormMixin, forms.Form):
    device_type = forms.ModelChoiceField(
        label=_("Intervention device"), queryset=DeviceType.objects.filter(is_active=True)
    )
    provider = forms.ModelChoiceField(label=_("Provider"), queryset=Institution.objects.none())
    responsible = forms.ModelChoiceField(
        label=_("Responsible person"),
        queryset=Membership.objects.none(),
        required=False,
        help_text=_("A member of the provider's staff."),
    )
    starts_on = forms.DateField(label=_("Start"), widget=DateInput, initial=timezone.localdate)
    ends_on = forms.DateField(label=_("End"), widget=DateInput, required=False)
    hours_per_week = forms.DecimalField(
        label=_("Hours per week (home education)"),
        max_digits=4,
        decimal_places=1,
        min_value=0.5,
        max_value=40,
        required=False,
    )
    sessions_planned = forms.IntegerField(
        label=_("Sessions planned (groups)"), min_value=1, max_value=100, required=False
    )
    school = forms.ModelChoiceField(
        label=_("School (partnership)"), queryset=Institution.objects.none(), required=False
    )
    volunteer = forms.ModelChoiceField(
        label=_("Matched volunteer (vicinanza solidale)"), queryset=Volunteer.objects.none(), required=False
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000)

    def __init__(self, *args, path, **kwargs):
        super().__init__(*args, **kwargs)
        district = path.family.district
        self.fields["provider"].queryset = Institution.objects.filter(district=district, is_active=True)
        self.fields["school"].queryset = Institution.objects.filter(district=district, kind=Institution.Kind.SCHOOL)
        # The provider's staff who work with families; any such member of the district's staff is a valid
        # answer, refused in clean() with a message when they do not work for the provider chosen.
        staff = _memberships(DEVICE_RESPONSIBLE_ROLES, institution__district=district)
        self.fields["responsible"].queryset = staff
        self.fields["responsible"].label_from_instance = membership_label
        provider = _chosen(self, "provider")
        self._staff_shown = staff.filter(institution_id=provider) if provider and provider.isdigit() else staff
        if not self.is_bound:
            self.fields["responsible"].queryset = self._staff_shown
        options_htmx(
            self.fields["provider"], reverse("cases:device_add", kwargs={"pk": path.pk}), self["responsible"].auto_id
        )
        self.fields["volunteer"].queryset = Volunteer.objects.filter(
            district=district, screening=Volunteer.Screening.APPROVED
        )

    def full_clean(self):
        super().full_clean()
        self.fields["responsible"].queryset = self._staff_shown

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The end date cannot be before the start date."))
        responsible, provider = data.get("responsible"), data.get("provider")
        if responsible is not None and provider is not None and responsible.institution_id != provider.pk:
            self.add_error(
                "responsible",
                _(
                    "%(person)s works for %(institution)s, not for the provider: choose a "
                    "member of %(provider)s's staff."
                )
                % {
                    "person": responsible.user.get_full_name(),
                    "institution": responsible.institution.name,
                    "provider": provider.name,
                },
            )
        if responsible is not None:
            data["responsible"] = responsible.user
        return data


class DeviceEditForm(VersionedForm):
    ends_on = forms.DateField(label=_("End"), widget=DateInput, required=False)
    hours_per_week = forms.DecimalField(
        label=_("Hours per week (home education)"),
        max_digits=4,
        decimal_places=1,
        min_value=0.5,
        max_value=40,
        required=False,
    )
    sessions_planned = forms.IntegerField(
        label=_("Sessions planned (groups)"), min_value=1, max_value=100, required=False
    )
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
        if data.get("screening") in (Volunteer.Screening.INTERVIEWED, Volunteer.Screening.APPROVED) and not data.get(
            "screened_on"
        ):
            self.add_error("screened_on", _("Give the date of the screening interview."))
        return data


class MeetingForm(StyledFormMixin, forms.Form):
    held_at = forms.DateTimeField(
        label=_("Date and time"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label=_("Place or link"), max_length=200, required=False)
    with_family = forms.BooleanField(label=_("With the family"), required=False, initial=True)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    participants = forms.ModelMultipleChoiceField(
        label=_("Professionals"), queryset=User.objects.none(), widget=CheckboxList
    )
    family_participants = forms.ModelMultipleChoiceField(
        label=_("Family members"), queryset=Person.objects.none(), widget=CheckboxList, required=False
    )

    def __init__(self, *args, path, team_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = team_users
        self.fields["participants"].label_from_instance = lambda u: u.get_full_name()
        self.fields["family_participants"].queryset = path.family.members.all()


class MeetingChangeForm(VersionedForm):
    """A meeting still to be held: another date, time or place, or a new agenda (optimistic lock)."""

    held_at = forms.DateTimeField(
        label=_("Date and time"), widget=DateTimeInput, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
    )
    place = forms.CharField(label=_("Place or link"), max_length=200, required=False)
    agenda = forms.CharField(label=_("Agenda"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


NEXT_STEP_ROWS = 3


class MinutesForm(VersionedForm):
    minutes = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 5}), max_length=8000)
    decisions = forms.CharField(
        label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=4000
    )

    def __init__(self, *args, team_users, **kwargs):
        super().__init__(*args, **kwargs)
        for row in range(1, NEXT_STEP_ROWS + 1):
            self.fields[f"step_{row}_description"] = forms.CharField(
                label=_("Next step %(row)s: what") % {"row": row}, max_length=300, required=False
            )
            self.fields[f"step_{row}_assignee"] = forms.ModelChoiceField(
                label=_("Next step %(row)s: who") % {"row": row}, queryset=team_users, required=False
            )
            self.fields[f"step_{row}_assignee"].label_from_instance = lambda u: u.get_full_name()
            self.fields[f"step_{row}_due_on"] = forms.DateField(
                label=_("Next step %(row)s: by") % {"row": row}, widget=DateInput, required=False
            )

    def clean(self):
        data = super().clean()
        for row in range(1, NEXT_STEP_ROWS + 1):
            values = [data.get(f"step_{row}_{part}") for part in ("description", "assignee", "due_on")]
            if any(values) and not all(values):
                self.add_error(f"step_{row}_description", _("A next step needs what, who and by when."))
        return data

    def next_steps(self):
        data = self.cleaned_data
        return [
            {
                "description": data[f"step_{row}_description"],
                "assignee": data[f"step_{row}_assignee"],
                "due_on": data[f"step_{row}_due_on"],
            }
            for row in range(1, NEXT_STEP_ROWS + 1)
            if data.get(f"step_{row}_description")
        ]

    def steps(self):
        return [
            [self[f"step_{row}_{part}"] for part in ("description", "assignee", "due_on")]
            for row in range(1, NEXT_STEP_ROWS + 1)
        ]


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
