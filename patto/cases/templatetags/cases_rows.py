"""``{% path_rows page filtered %}``: the path list's table rows, one per path, or the row that says there is none.

Written in Python, not as the template's loop: a page of the list has 25 paths with six cells each, and the loop's
variable lookups, conditions and filters were a fifth of the page (issue 13). The markup is the one the loop wrote,
character for character (``cases/tests/test_path_rows.py`` keeps that loop as the oracle)."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.timezone import template_localtime
from django.utils.translation import gettext

from patto.core.templatetags.patto_formats import date as date_filter
from patto.core.templatetags.patto_urls import remembered_reverse
from patto.core.widget_markup import shown

register = template.Library()


@register.simple_tag
def path_rows(page, filtered=False):
    """Each path with ``children`` (``queries.read_path_page``) and ``next_due`` (``PathListing.page``)."""
    rows = []
    for path in page:
        children = ", ".join(shown(child.first_name) + " (" + shown(child.age) + ")" for child in path.children)
        next_due = path.next_due
        rows.append(
            '\n  <tr>\n    <td><a href="'
            + shown(remembered_reverse("cases:path_detail", path.pk))
            + '">'
            + shown(path.family.reference)
            + "</a></td>\n    <td>"
            + (children or "—")
            + "</td>\n    <td>"
            + shown(path.cohort)
            + '</td>\n    <td><span class="badge '
            + ("bg-secondary" if path.state == "closed" else "bg-primary")
            + '">'
            + shown(path.get_state_display())
            + "</span></td>\n    <td>"
            + (shown(date_filter(template_localtime(next_due), "SHORT_DATE_FORMAT")) if next_due else "—")
            + "</td>\n    <td>"
            + shown(date_filter(template_localtime(path.updated_at), "SHORT_DATE_FORMAT"))
            + "</td>\n  </tr>\n  "
        )
    if not rows:
        empty = (
            gettext("No path matches these filters.")
            if filtered
            else gettext("You are not in the team of any path at the moment.")
        )
        # A literal translated in a template is not escaped (the template's text is trusted): nor is it here.
        return mark_safe('<tr><td colspan="6">' + empty + "</td></tr>\n  ")
    return mark_safe("".join(rows))
