from django import template
from django.utils.html import format_html

from patto.core.idempotency import FIELD, new_token

register = template.Library()


@register.simple_tag
def form_token():
    """A create form's one-time token (patto.core.idempotency): {% csrf_token %}{% form_token %}."""
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, new_token())
