"""``{% measures commitment can_value show_files %}``: a commitment's indicators with their value in the period, as
the commitments page, the report and its PDF show them.

Written in Python, not as an included template: the commitments page repeats it for every commitment, and the
include with its conditions and two ``floatformat`` per indicator was a seventh of that page (issue 13). The
markup is the one the template wrote (``governance/tests/test_measures.py`` compares them): each value and
target by Django's own ``floatformat`` ("-2", localised), every text escaped, an evidence file by the same
``governance/_document_link.html``."""

from django import template
from django.template.defaultfilters import floatformat, truncatechars
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from patto.core.templatetags.patto_urls import remembered_reverse
from patto.core.widget_markup import shown

register = template.Library()


@register.simple_tag(takes_context=True)
def measures(context, commitment, can_value=False, show_files=False):
    """``commitment.measures``: (indicator, measure) pairs, a measure being what ``values_for`` gives (a dict,
    empty without a period). ``can_value``: the link to enter a manual value; ``show_files``: the evidence files."""
    rows = getattr(commitment, "measures", None)
    if not rows:
        return ""
    parts = ['<ul class="list-unstyled small mb-0 mt-1">']
    for indicator, measure in rows:
        value, computed = measure.get("value"), measure.get("computed")
        if value is None:
            shown = mark_safe("&lt; 5" if computed else "—")
        else:
            shown = floatformat(value, "-2")
        parts.append(
            format_html(
                "<li>{}: <strong>{}</strong> / {} {}",
                indicator.name,
                shown,
                floatformat(indicator.target, "-2"),
                indicator.unit,
            )
        )
        if computed:
            parts.append(format_html(' <span class="text-muted">({})</span>', gettext("computed")))
            if measure.get("definition"):
                parts.append(format_html('<br><span class="text-muted">{}</span>', measure["definition"]))
        if measure.get("file") and show_files:
            parts.append(" · " + _document_link(context, measure["file"]))
        if can_value and indicator.source == "manual":
            parts.append(
                format_html(
                    ' · <a href="{}">{}<span class="visually-hidden"> {}</span></a>',
                    reverse("governance:indicator_value", args=[indicator.pk]),
                    gettext("Enter the value"),
                    indicator.name,
                )
            )
        parts.append("</li>")
    parts.append("</ul>")
    return mark_safe("".join(parts))


def _document_link(context, document):
    link = context.template.engine.get_template("governance/_document_link.html")
    with context.push(doc=document):
        return conditional_escape(link.render(context))


_BADGES = {"late": "bg-danger", "at_risk": "badge-attention", "done": "bg-success", "on_track": "bg-success"}


@register.simple_tag(takes_context=True)
def commitment_rows(context, commitments):
    """``{% commitment_rows party.list %}``: the commitments page's table rows for one party's commitments, each
    with its indicators (``{% measures %}``), its latest status and evidence in the period and its links; the
    page's ``can_add_indicators``, ``add_label``, ``update_label`` and ``not_reported`` read from the context.

    Written in Python, not as the template's loop, for the reason the measures are (a third of the page went on the
    loop's lookups and conditions, issue 13); the markup is the loop's, character for character
    (``governance/tests/test_measures.py`` keeps the loop as the oracle)."""
    can_add = context.get("can_add_indicators")
    add_label, update_label = shown(context.get("add_label", "")), shown(context.get("update_label", ""))
    parts = []
    for commitment in commitments:
        latest = commitment.latest
        short_text = shown(commitment.short_text)
        parts.append('<tr><td><span lang="it">' + shown(commitment.text) + "</span>")
        parts.append(shown(measures(context, commitment, can_value=commitment.can_update)))
        if can_add:
            parts.append(
                ' <a class="small" href="'
                + shown(remembered_reverse("governance:indicator_add", commitment.pk))
                + '">'
                + add_label
                + '<span class="visually-hidden"> '
                + short_text
                + "</span></a>"
            )
        parts.append("</td>\n      <td>")
        if latest:
            parts.append(
                '<span class="badge '
                + _BADGES.get(latest.status, "bg-secondary")
                + '">'
                + shown(latest.get_status_display())
                + "</span>"
            )
        else:
            parts.append('<span class="badge bg-secondary">' + shown(context.get("not_reported", "")) + "</span>")
        parts.append('</td>\n      <td class="small">')
        if latest:
            parts.append(shown(truncatechars(latest.evidence or mark_safe("—"), 160)))
            if latest.evidence_file:
                parts.append("<br>" + _document_link(context, latest.evidence_file))
        else:
            parts.append("—")
        parts.append("</td>\n      <td>")
        if commitment.can_update:
            parts.append(
                '<a href="'
                + shown(remembered_reverse("governance:commitment_status", commitment.pk))
                + '">'
                + update_label
                + '<span class="visually-hidden"> '
                + short_text
                + "</span></a>"
            )
        parts.append("</td></tr>")
    return mark_safe("".join(parts))
