from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext as _

from .widget_markup import FAST_WIDGETS, FIELD_TEMPLATE, render_field_group, render_widget


class PattoFormRenderer(TemplatesSetting):
    """Renders every form and field with the Bootstrap Italia markup (labels, help, errors).

    Django's own templates of the plain widgets (the inputs, the textarea, the select and its options) are
    written here in Python (``widget_markup``): the same markup, without an include per attribute list and
    per option, which made a form's selects the dearest part of a page (issue 13). Every other template
    (the project's forms, other widgets) renders as usual. The project's field template (``forms/field.html``:
    label, widget, help and errors) is written in Python too (``widget_markup.render_field_group``)."""

    form_template_name = "forms/form.html"
    field_template_name = FIELD_TEMPLATE

    def render(self, template_name, context, request=None):
        if template_name == FIELD_TEMPLATE and isinstance(context, dict) and context.keys() == {"field"}:
            return render_field_group(context["field"])
        markup = render_widget(template_name, context)
        if markup is not None:
            return markup
        return super().render(template_name, context, request=request)


_CONTROL_WIDGETS = (
    forms.TextInput,
    forms.EmailInput,
    forms.NumberInput,
    forms.DateInput,
    forms.PasswordInput,
    forms.Textarea,
    forms.URLInput,
    forms.DateTimeInput,
)


class ListedModelChoiceIterator(ModelChoiceIterator):
    """A model select's options read as a plain query. Django's own iterator reads them with
    ``QuerySet.iterator()``, which on PostgreSQL opens a server-side cursor (DECLARE, FETCH, CLOSE: three
    round trips) for a list a person chooses from, small by nature; the page's selects were a tenth of the
    path list's time (issue 13)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class StyledFormMixin:
    """Adds the Bootstrap Italia classes to widgets, so templates can render ``{{ form }}``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, _CONTROL_WIDGETS):
                widget.attrs.setdefault("class", "form-control")
            elif isinstance(widget, (forms.CheckboxInput,)):
                widget.attrs.setdefault("class", "form-check-input")
            if type(widget) in FAST_WIDGETS:  # the same select, its markup written from its choices
                widget.__class__ = FAST_WIDGETS[type(widget)]
            if isinstance(field, forms.ModelChoiceField) and field.iterator is ModelChoiceIterator:
                field.iterator = ListedModelChoiceIterator
                widget.choices = field.choices

    @property
    def file_notice(self):
        """Browsers cannot refill a file input: when a form with a chosen file fails, ask for it again."""
        if (
            self.is_bound
            and self.errors
            and any(isinstance(field, forms.FileField) and self.files.get(name) for name, field in self.fields.items())
        ):
            return _("The file you chose has not been saved: choose it again before saving.")
        return ""


class VersionedForm(StyledFormMixin, forms.Form):
    """A form for an edit protected by optimistic locking: it carries the version that was loaded."""

    version = forms.IntegerField(widget=forms.HiddenInput)


class CheckboxList(forms.CheckboxSelectMultiple):
    """Checkboxes in Bootstrap Italia's markup (input, then its label), shown in a fieldset."""

    template_name = "forms/widgets/checkbox_list.html"
    option_template_name = "forms/widgets/checkbox_option.html"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


def add_service_errors(form, error):
    """Show a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def rebase_after_conflict(form, current):
    """After a conflict, keep what the user typed but carry the saved version, so saving again
    is a deliberate choice to overwrite what they have now seen."""
    form.data = form.data.copy()
    form.data["version"] = current.version
    return current


def run_service(form, call):
    """Run a service for a valid form. Returns (saved, conflict): on a stale version the form keeps what the
    user typed and carries the saved version (conflict is the saved record); on a ValidationError the
    form shows it; nothing is saved in either case."""
    from django.core.exceptions import ValidationError

    from .exceptions import ConflictError

    try:
        call()
    except ConflictError as error:
        return False, rebase_after_conflict(form, error.current)
    except ValidationError as error:
        add_service_errors(form, error)
        return False, None
    return True, None
