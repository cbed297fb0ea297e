"""Forms of the requests' screens: what the sender writes, and the receiving service's answers. The services
check everything again (the forms only shape the input and keep what was typed)."""

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution, SchoolSite
from patto.cases.models import SCHOOL_KINDS, Cohort, Path, Side
from patto.core.forms import CheckboxList, DateInput, StyledFormMixin, VersionedForm
from patto.documents.forms import AttachmentField

from .models import Request
from .services import social_services


class RadioList(forms.RadioSelect):
    """Radio buttons in Bootstrap Italia's markup (input, then its label), shown in a fieldset."""

    template_name = "forms/widgets/checkbox_list.html"
    option_template_name = "forms/widgets/checkbox_option.html"


def _text(label, *, rows=4, required=True, max_length=4000, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def _choices(choices):
    return [("", "---------"), *choices]


OBSERVED_SINCE_HELP = _('For example "since October" or "since the start of the school year".')


class ConsultationForm(StyledFormMixin, forms.Form):
    """An anonymous consultation: nothing here may identify the child (the service refuses a codice fiscale
    or a date in the text, saying why)."""

    receiver = forms.ModelChoiceField(label=_("Social service asked"), queryset=Institution.objects.none())
    age_band = forms.ChoiceField(label=_("Age band of the child"), choices=_choices(Request.AgeBand.choices))
    observed = _text(
        _("What has been observed"),
        rows=6,
        help_text=_("Describe behaviours and situations, not the child: no name, no date of birth."),
    )
    observed_since = forms.CharField(
        label=_("Since when"), max_length=200, required=False, help_text=OBSERVED_SINCE_HELP
    )
    tried = _text(_("What has been tried so far"), required=False)
    family_informed = forms.ChoiceField(
        label=_("Has the family been spoken to?"),
        choices=Request.FamilyInformed.choices,
        required=False,
        widget=RadioList,
    )

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["receiver"].queryset = social_services(district)


def _concern_choices():
    """The sides of the current "Il Mondo del Bambino" (Bambino, Famiglia, Ambiente), by code."""
    return [(side.code, str(side)) for side in Side.objects.filter(framework__is_current=True).order_by("order")]


class SignalForm(StyledFormMixin, forms.Form):
    """A signal of a named child to the social service of the child's comune of residence."""

    child_first_name = forms.CharField(label=_("Child's first name"), max_length=100)
    child_last_name = forms.CharField(label=_("Child's last name"), max_length=100)
    child_birth_date = forms.DateField(
        label=_("Child's date of birth"), required=False, widget=DateInput, help_text=_("If known.")
    )
    age_band = forms.ChoiceField(
        label=_("Age band"),
        choices=_choices(Request.AgeBand.choices),
        required=False,
        help_text=_("If the date of birth is not known."),
    )
    child_sex = forms.ChoiceField(label=_("Sex"), choices=_choices(Request._meta.get_field("child_sex").choices))
    comune = forms.ModelChoiceField(
        label=_("Comune of residence"),
        queryset=Institution.objects.none(),
        help_text=_(
            "The signal goes to this comune's social service. Only the comuni that signed the pact are listed: "
            "for the others, send the signal by the usual channels."
        ),
    )
    school = forms.ModelChoiceField(
        label=_("School or educational service"), queryset=Institution.objects.none(), required=False
    )
    school_site = forms.ModelChoiceField(
        label=_("School site (plesso)"),
        queryset=SchoolSite.objects.none(),
        required=False,
        help_text=_("The sites of the school chosen above."),
    )
    school_class = forms.CharField(label=_("Class or section"), max_length=40, required=False)
    parents = _text(_("Parents or guardians and their contacts, if known"), rows=3, required=False, max_length=2000)
    concerns = forms.MultipleChoiceField(
        label=_('Concerns by area of "Il Mondo del Bambino"'),
        required=False,
        widget=CheckboxList,
        help_text=_("Optional: the areas what you observed concerns."),
    )
    observed = _text(_("What has been observed"), rows=6)
    observed_since = forms.CharField(
        label=_("Since when"), max_length=200, required=False, help_text=OBSERVED_SINCE_HELP
    )
    tried = _text(_("What has been tried so far"), required=False)
    family_informed = forms.ChoiceField(
        label=_("Has the family been spoken to?"),
        choices=Request.FamilyInformed.choices,
        required=False,
        widget=RadioList,
    )
    family_knows = _text(_("What the family knows and has been told"), rows=3, required=False, max_length=2000)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Request.Urgency.choices, initial=Request.Urgency.ORDINARY, widget=RadioList
    )
    attachment = AttachmentField(label=_("Attachment"), required=False)

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comune"].queryset = social_services(district).filter(kind=Institution.Kind.COMUNE)
        self.fields["school"].queryset = Institution.objects.filter(
            district=district, kind__in=SCHOOL_KINDS, is_active=True
        ).order_by("name")
        self.fields["concerns"].choices = _concern_choices()
        # Every site of the district is a valid answer (the service checks it is the school's); the list
        # shows the chosen school's sites, refreshed by htmx when the school changes.
        sites = SchoolSite.objects.filter(institution__district=district).select_related("institution")
        site_field = self.fields["school_site"]
        site_field.queryset = sites
        school = self.data.get(self.add_prefix("school")) if self.is_bound else self.initial.get("school")
        school = str(getattr(school, "pk", school) or "")
        self._sites_shown = sites.filter(institution_id=school) if school.isdigit() else sites.none()
        if not self.is_bound:
            site_field.queryset = self._sites_shown
        site_field.label_from_instance = lambda site: site.name
        self.fields["school"].widget.attrs.update(
            {
                "hx-get": reverse("referrals:school_sites"),
                "hx-target": f"#{self['school_site'].auto_id}",
                "hx-trigger": "change",
                "hx-swap": "innerHTML",
            }
        )

    def full_clean(self):
        super().full_clean()
        self.fields["school_site"].queryset = self._sites_shown

    def clean(self):
        data = super().clean()
        site, school = data.get("school_site"), data.get("school")
        if site is not None and (school is None or site.institution_id != school.pk):
            self.add_error(
                "school_site",
                _("This school site (plesso) is not one of the chosen school's: choose the school first."),
            )
        return data

    def signal_data(self):
        """The cleaned data in the shape ``services.send_signal`` takes (the attachment apart)."""
        return {name: value for name, value in self.cleaned_data.items() if name != "attachment"}


# --- the receiving service's answers, and the sender's ------------------------------------------------------


class AssignForm(VersionedForm):
    assignee = forms.ModelChoiceField(label=_("Assign to"), queryset=None)

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        from django.contrib.auth import get_user_model

        self.fields["assignee"].queryset = get_user_model().objects.filter(
            pk__in=[membership.user_id for membership in people]
        )
        names = {membership.user_id: membership.user.get_full_name() for membership in people}
        self.fields["assignee"].label_from_instance = lambda user: names.get(user.pk, str(user))


class MessageForm(StyledFormMixin, forms.Form):
    text = _text(_("Message"), rows=3)


class ReceiverMessageForm(MessageForm):
    to_sender = forms.TypedChoiceField(
        label=_("Who reads it"),
        choices=[
            ("0", _("Internal note: only the service reads it")),
            ("1", _("To the sender: the sender reads it")),
        ],
        coerce=lambda value: value == "1",
        initial="0",
        widget=RadioList,
    )


class TextForm(VersionedForm):
    """An answer with a text (asking more information, giving it, advice, a reason)."""

    text = _text(_("Text"), rows=4)

    def __init__(self, *args, label=None, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["text"].label = label
        self.fields["text"].help_text = help_text


class ConsultationAnswerForm(VersionedForm):
    outcome = forms.ChoiceField(
        label=_("Answer"),
        choices=[
            (Request.Outcome.ADVICE, Request.Outcome.ADVICE.label),
            (Request.Outcome.JOINT_MEETING, Request.Outcome.JOINT_MEETING.label),
            (Request.Outcome.BECOME_SIGNAL, Request.Outcome.BECOME_SIGNAL.label),
        ],
        widget=RadioList,
    )
    text = _text(
        _("What the sender will read"),
        help_text=_("The advice, the proposed meeting (when, where), or why the situation should be signalled."),
    )


class ForwardForm(VersionedForm):
    to = forms.ModelChoiceField(label=_("Send to the social service of"), queryset=Institution.objects.none())
    text = _text(_("Why (the sender reads it)"), rows=3, required=False)

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = social_services(request.district_id).exclude(pk=request.receiver_id)


class TakeInChargeForm(VersionedForm):
    """Opens a path in pre-assessment (cohort, legal basis), or links the signal to the family's path when the
    duplicate check finds the child in a family the user may see."""

    cohort = forms.ModelChoiceField(label=_("Cohort"), queryset=Cohort.objects.none(), required=False)
    legal_basis = forms.ChoiceField(
        label=_("Legal basis of the processing"),
        choices=Path.LegalBasis.choices,
        initial=Path.LegalBasis.PUBLIC_INTEREST,
    )
    existing_path = forms.ModelChoiceField(
        label=_("Link to the family's path instead"),
        queryset=Path.objects.none(),
        required=False,
        widget=forms.HiddenInput,
    )
    text = _text(
        _("What the sender will read"),
        rows=3,
        required=False,
        help_text=_('Optional. Without it the sender reads "Taken in charge by the social service".'),
    )

    def __init__(self, *args, request, paths, offer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].queryset = Cohort.objects.filter(district_id=request.district_id, is_active=True)
        field = self.fields["existing_path"]
        field.queryset = paths
        if offer is not None:  # the duplicate check found the child in these paths, which the user may see
            field.widget = RadioList()
            field.queryset = offer  # after the widget: the queryset gives the widget its choices
            field.label_from_instance = lambda path: (
                _("Family %(reference)s (%(state)s)")
                % {
                    "reference": path.family.reference,
                    "state": path.get_state_display(),
                }
            )

    @property
    def offers_paths(self):
        return isinstance(self.fields["existing_path"].widget, RadioList)
