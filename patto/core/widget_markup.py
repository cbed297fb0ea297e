"""Django's templates of the plain widgets, written in Python (``PattoFormRenderer``).

Each function gives, character for character, what the template of the same name in
``django/forms/templates/django/forms/widgets/`` gives for the same context: the inputs (``input.html`` and
the templates that only include it), ``textarea.html``, ``select.html`` with ``select_option.html``.
``core/tests/test_widget_markup.py`` renders many widgets both ways and compares them, so a change in
Django's templates is seen at once. A template this module does not know, or a select whose options use
another template, returns None: the caller renders the template."""

from django import forms
from django.template.defaultfilters import stringformat
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

_WIDGETS = "django/forms/widgets/"
_INPUTS = frozenset(
    _WIDGETS + name + ".html"
    for name in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "color",
        "search",
        "tel",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "checkbox",
    )
)
_SELECT = _WIDGETS + "select.html"
_OPTION = _WIDGETS + "select_option.html"
_TEXTAREA = _WIDGETS + "textarea.html"


def _shown(value):
    """``{{ value }}``: a date and time in the current time zone, localized when not a string, then escaped
    unless safe (``django.template.base.render_value_in_context``)."""
    if not isinstance(value, str):
        value = localize(template_localtime(value))
        if not isinstance(value, str):  # as the template does: the text of any other object, then escaped
            value = str(value)
    return conditional_escape(value)


shown = _shown  # for the project's other markup written in Python (``{{ value }}`` as a template writes it)


def _as_string(value):
    """``{{ value|stringformat:'s' }}``: the filter keeps a safe value safe (it is marked ``is_safe``)."""
    formatted = stringformat(value, "s")
    if isinstance(value, SafeData):
        formatted = mark_safe(formatted)
    return conditional_escape(formatted)


def _attrs(attrs):
    """``attrs.html``."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(" " + _shown(name))
        if value is not True:
            parts.append('="' + _as_string(value) + '"')
    return "".join(parts)


def _input(widget):
    value = ""
    if widget["value"] is not None:
        value = ' value="' + _as_string(widget["value"]) + '"'
    return (
        '<input type="'
        + _shown(widget["type"])
        + '" name="'
        + _shown(widget["name"])
        + '"'
        + value
        + _attrs(widget["attrs"])
        + ">"
    )


def _textarea(widget):
    value = _shown(widget["value"]) if widget["value"] else ""
    return '<textarea name="' + _shown(widget["name"]) + '"' + _attrs(widget["attrs"]) + ">\n" + value + "</textarea>"


def _select_markup(widget, groups):
    """``select.html`` with ``select_option.html`` for its options: ``groups`` are (group name or None,
    [(value, attrs, label)])."""
    parts = ['<select name="', _shown(widget["name"]), '"', _attrs(widget["attrs"]), ">"]
    for group_name, options in groups:
        if group_name:
            parts.append('\n  <optgroup label="' + _shown(group_name) + '">')
        for value, attrs, label in options:
            parts.append(  # select_option.html ends with a line break, kept by the include
                '\n  <option value="' + _as_string(value) + '"' + _attrs(attrs) + ">" + _shown(label) + "</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _select(widget):
    """From the options Django built (``ChoiceWidget.optgroups``); None if one uses another template."""
    groups = []
    for group_name, group_choices, _group_index in widget["optgroups"]:
        if any(option["template_name"] != _OPTION for option in group_choices):
            return None
        groups.append((group_name, [(option["value"], option["attrs"], option["label"]) for option in group_choices]))
    return _select_markup(widget, groups)


_SELECTED = {"selected": True}


def _groups_from_choices(choices, chosen, multiple):
    """A select's ``choices`` as ``ChoiceWidget.optgroups`` lists them (the same selection rule: one option
    selected unless the select takes several), without a dictionary per option."""
    has_selected = False
    for option_value, option_label in choices:
        if option_value is None:
            option_value = ""
        if isinstance(option_label, (list, tuple)):
            group_name, inner = option_value, option_label
        else:
            group_name, inner = None, [(option_value, option_label)]
        options = []
        for value, label in inner:
            selected = (not has_selected or multiple) and str(value) in chosen
            has_selected |= selected
            options.append((value, _SELECTED if selected else {}, label))
        yield group_name, options


class _FastSelectMixin:
    """A select that writes its markup straight from its choices when the project's renderer draws it with
    Django's own templates: Django first builds a dictionary per option (``optgroups``), which for a select of
    the district's users was most of a page's form (issue 13). Any other renderer or template: as Django does."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.forms.renderers import get_default_renderer
        from django.forms.widgets import Widget

        from .forms import PattoFormRenderer

        renderer = renderer or get_default_renderer()
        if (
            type(renderer) is not PattoFormRenderer
            or self.template_name != _SELECT
            or self.option_template_name != _OPTION
            or self.option_inherits_attrs
            or self.checked_attribute != {"selected": True}
        ):
            return super().render(name, value, attrs=attrs, renderer=renderer)
        widget = Widget.get_context(self, name, value, attrs)["widget"]  # without the options' dictionaries
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        groups = _groups_from_choices(self.choices, widget["value"], self.allow_multiple_selected)
        return mark_safe(_select_markup(widget, groups))


# Named as Django's: a field's ``widget_type`` (what the field template branches on) comes from the class name.
class Select(_FastSelectMixin, forms.Select):
    pass


class SelectMultiple(_FastSelectMixin, forms.SelectMultiple):
    pass


FAST_WIDGETS = {forms.Select: Select, forms.SelectMultiple: SelectMultiple}


def render_widget(template_name, context):
    """The markup of ``template_name`` for ``context``, or None when this module does not write it."""
    widget = context.get("widget") if isinstance(context, dict) else None
    if widget is None:
        return None
    if template_name in _INPUTS:
        return _input(widget)
    if template_name == _SELECT:
        return _select(widget)
    if template_name == _TEXTAREA:
        return _textarea(widget)
    return None


# --- The project's field template (``templates/forms/field.html``), written in Python ------------------------
FIELD_TEMPLATE = "forms/field.html"


def _required_mark(field):
    return ' <span aria-hidden="true">*</span>' if field.field.required else ""


def _help_and_errors(field, help_class):
    """What each branch of ``field.html`` ends with: the help text, then the errors, each on its own line (the
    renderer strips what a template gives, so no branch ends with the file's last line break)."""
    help_text = ""
    if field.help_text:
        help_text = (
            '<small id="'
            + _shown(field.auto_id)
            + '_helptext" class="'
            + help_class
            + '">'
            + _shown(field.help_text)
            + "</small>"
        )
    errors = ""
    if field.errors:
        errors = (
            '<div class="invalid-feedback d-block" id="'
            + _shown(field.auto_id)
            + '_error">'
            + "".join('<span class="d-block">' + _shown(error) + "</span>" for error in field.errors)
            + "</div>"
        )
    return "\n  " + help_text + "\n  " + errors


def render_field_group(field):
    """``forms/field.html`` for a bound field, character for character (``core/tests/test_widget_markup.py``
    renders the fields of many forms both ways): every form of every page draws its fields with it, and the
    template's variable lookups were a tenth of a list page with filters (issue 13)."""
    label = _shown(field.label)
    widget = _shown(field)
    if field.use_fieldset:
        described = field.aria_describedby
        return (
            '<fieldset class="mb-4"'
            + (' aria-describedby="' + _shown(described) + '"' if described else "")
            + '>\n  <legend class="fs-6 fw-semibold">'
            + label
            + _required_mark(field)
            + "</legend>\n  "
            + widget
            + _help_and_errors(field, "form-text d-block")
            + "\n</fieldset>"
        )
    kind = field.widget_type
    if kind == "checkbox":
        return (
            '<div class="form-check mb-4">\n  '
            + widget
            + '<label for="'
            + _shown(field.auto_id)
            + '">'
            + label
            + "</label>"
            + _help_and_errors(field, "form-text d-block")
            + "\n</div>"
        )
    if kind == "select":
        opening = '<div class="select-wrapper mb-4">\n  <label for="' + _shown(field.auto_id) + '">'
    else:
        opening = '<div class="form-group mb-4">\n  <label for="' + _shown(field.auto_id) + '" class="active">'
    return (
        opening
        + label
        + _required_mark(field)
        + "</label>\n  "
        + widget
        + _help_and_errors(field, "form-text")
        + "\n</div>"
    )
