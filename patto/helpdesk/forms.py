"""Forms of the help desk. The services check everything again (the forms shape the input and keep what was
typed; a refused codice fiscale comes back on its field with the reason)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from patto.accounts.models import Institution
from patto.core.forms import DateInput, StyledFormMixin, VersionedForm
from patto.documents.forms import AttachmentField

from .models import Category, Template


def _text(label, *, rows=6, max_length=6000, help_text=""):
    return forms.CharField(
        label=label, max_length=max_length, help_text=help_text, widget=forms.Textarea(attrs={"rows": rows})
    )


def _choices(choices):
    return [("", "---------"), *choices]


NO_DATA_HELP = _("No names, no codice fiscale, no date of birth: describe the situation, not the child.")


class QuestionForm(StyledFormMixin, forms.Form):
    office = forms.ModelChoiceField(
        label=_("Legal office"),
        queryset=Institution.objects.none(),
        help_text=_("The district has more than one: choose the one of the Comune your school deals with."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=_choices(Category.choices))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    text = _text(_("Your question"), rows=8, help_text=NO_DATA_HELP)

    def __init__(self, *args, offices=(), **kwargs):
        """``offices``: the district's legal offices; the choice is asked only when there are several."""
        super().__init__(*args, **kwargs)
        offices = list(offices)
        if len(offices) > 1:
            self.fields["office"].queryset = Institution.objects.filter(pk__in=[o.pk for o in offices]).order_by(
                "kind", "name", "pk"
            )
        else:
            del self.fields["office"]


class AssignForm(VersionedForm):
    assignee = forms.ChoiceField(label=_("Who answers"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {str(m.user_id): m.user for m in people}
        self.fields["assignee"].choices = _choices([(key, user.get_full_name()) for key, user in self.people.items()])

    def clean_assignee(self):
        return self.people[self.cleaned_data["assignee"]]


class TextForm(VersionedForm):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=6000)

    def __init__(self, *args, label, help_text="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].label = label
        self.fields["text"].help_text = help_text


class AnswerForm(VersionedForm):
    answer = _text(
        _("The answer"),
        rows=10,
        max_length=12000,
        help_text=_("The school reads it; you may later publish it, edited, as an FAQ."),
    )


class FaqForm(StyledFormMixin, forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=_choices(Category.choices))
    question = _text(
        _("Question, as every school will read it"),
        rows=4,
        max_length=4000,
        help_text=_("Edit out anything that identifies the school, a family or a person."),
    )
    answer = _text(_("Answer"), rows=10, max_length=12000)


class FaqEditForm(FaqForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FaqSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=_("Words"), required=False, max_length=200)
    categoria = forms.ChoiceField(
        label=_("Category"), required=False, choices=[("", _("All the categories")), *Category.choices]
    )


class TemplateForm(StyledFormMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of document"), choices=_choices(Template.Kind.choices))
    description = forms.CharField(
        label=_("What it is for"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Institution.objects.none())
    approved_on = forms.DateField(label=_("Approved on"), widget=DateInput)
    review_on = forms.DateField(label=_("Review by"), widget=DateInput)
    upload = AttachmentField(label=_("File"))

    def __init__(self, *args, district, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = Institution.objects.filter(district=district).order_by("name")


class TemplateReviseForm(TemplateForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["upload"].required = False
        self.fields["upload"].label = _("New file (a new revision; the current one is kept in the history)")
