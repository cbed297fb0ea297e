from django import forms
from django.forms.renderers import TemplatesSetting


class PattoFormRenderer(TemplatesSetting):
    """Renders every form and field with the Bootstrap Italia markup (labels, help, errors)."""

    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


_CONTROL_WIDGETS = (forms.TextInput, forms.EmailInput, forms.NumberInput, forms.DateInput,
                    forms.PasswordInput, forms.Textarea, forms.URLInput, forms.DateTimeInput)


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


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")
