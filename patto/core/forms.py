from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.translation import gettext as _


class PattoFormRenderer(TemplatesSetting):
    """Renders every form and field with the Bootstrap Italia markup (labels, help, errors)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


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
