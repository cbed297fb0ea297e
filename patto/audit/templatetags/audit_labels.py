from django import template
from django.template.defaultfilters import default, slice_filter
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from patto.audit.actions import action_label as label_of
from patto.core.templatetags.patto_formats import date as date_filter
from patto.core.widget_markup import shown

register = template.Library()


@register.filter
def action_label(code):
    """{{ event.action|action_label }}: the action in words."""
    return label_of(code)


@register.simple_tag
def trail_rows(page):
    """``{% trail_rows page %}``: the trail's table rows, one per event (``event.concerned`` set by
    ``audit.queries.name_subjects``), or the row that says none matches.

    Written in Python, not as the template's loop: the trail shows a page of events with six cells each, and the
    loop's variable lookups, conditions and filters were a third of the page (issue 13). The markup is the one the
    loop wrote, character for character (``audit/tests/test_trail_rows.py`` keeps that loop as the oracle)."""
    rows = []
    for event in page:
        who = shown(event.actor_label) if event.actor_label else "<em>" + gettext("system") + "</em>"
        if event.actor_institution:
            who += '<br><span class="text-muted">' + shown(event.actor_institution) + "</span>"
        if event.actor_role:
            who += '<br><span class="text-muted">' + shown(event.get_actor_role_display()) + "</span>"
        action = shown(action_label(event.action)) + '<br><code class="small">' + shown(event.action) + "</code>"
        if event.purpose:
            action += "<br>" + shown(event.purpose)
        what = shown(event.object_type) + " " + shown(event.object_id) if event.object_type else "—"
        rows.append(
            "\n  <tr>\n    <td>"
            + shown(date_filter(template_localtime(event.occurred_at), "SHORT_DATETIME_FORMAT"))
            + "</td>\n    <td>"
            + who
            + "</td>\n    <td>"
            + action
            + "</td>\n    <td>"
            + what
            + "</td>\n    <td>"
            + shown(event.concerned)
            + "</td>\n    <td>"
            + shown(default(event.ip, "—"))
            + '<br><span class="text-muted small">'
            + shown(slice_filter(event.request_id, ":8"))
            + "</span></td>\n  </tr>\n  "
        )
    if not rows:
        # A literal translated in a template is not escaped (the template's text is trusted): nor is it here.
        return mark_safe('<tr><td colspan="6">' + gettext("No event matches these filters.") + "</td></tr>\n  ")
    return mark_safe("".join(rows))
