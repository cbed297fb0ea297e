"""Template helpers for forms with errors: the error summary's rows and the page title's "Error:" prefix."""

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def error_items(form):
    """The form's errors as (field id, label, message) rows, the ones tied to no visible field first
    (id and label empty: a non-field error, or a hidden field's such as the version of a record)."""
    items = [("", "", error) for error in form.non_field_errors()]
    for field in form.hidden_fields():
        items += [("", "", error) for error in field.errors]
    for field in form.visible_fields():
        items += [(_field_id(field), field.label, error) for error in field.errors]
    return items


def _field_id(field):
    """Where a link to the field goes: its input, or the first box of a group of checkboxes or radios (whose
    widgets give no id for a label, so that a click on the legend does not tick the first box)."""
    return field.id_for_label or (f"{field.auto_id}_0" if field.auto_id and field.use_fieldset else "")


def _has_errors(value):
    # By the value's own type: ``isinstance`` would ask a lazy value (the user, the menu, the CSRF token) its
    # class, which works it out; a form is never lazy.
    kind = type(value)
    if issubclass(kind, forms.BaseForm):
        return value.is_bound and bool(value.errors)
    if issubclass(kind, forms.BaseFormSet):
        return value.is_bound and not value.is_valid()
    return False


@register.simple_tag(takes_context=True)
def error_title_prefix(context):
    """ "Error: " before the page title when a form on the page came back with errors (WCAG 3.3.1): a screen
    reader announces the title first. Looks at every form in the context, whatever its name."""
    if any(_has_errors(value) for value in context.flatten().values()):
        return _("Error:") + " "
    return ""
