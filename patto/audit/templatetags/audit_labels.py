from django import template

from patto.audit.actions import action_label as label_of

register = template.Library()


@register.filter
def action_label(code):
    """{{ event.action|action_label }}: the action in words."""
    return label_of(code)
