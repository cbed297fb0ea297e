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
    add_label, update_label = shown(context.get("add_label", "")), shown(context.get("update_label", ""))
    rows = []
    for commitment in commitments:
        short_text = shown(commitment.short_text)
        text_cell = '<span lang="it">' + shown(commitment.text) + "</span>"
        text_cell += shown(measures(context, commitment, can_value=commitment.can_update))
        if context.get("can_add_indicators"):
            text_cell += _link(
                "governance:indicator_add", commitment, add_label, short_text, ' <a class="small" href="'
            )
        link = (
            _link("governance:commitment_status", commitment, update_label, short_text, '<a href="')
            if commitment.can_update
            else ""
        )
        rows.append(
            "<tr><td>"
            + text_cell
            + "</td>\n      <td>"
            + _status_cell(context, commitment.latest)
            + '</td>\n      <td class="small">'
            + _evidence_cell(context, commitment.latest)
            + "</td>\n      <td>"
            + link
            + "</td></tr>"
        )
    return mark_safe("".join(rows))


def _link(view_name, commitment, label, short_text, opening):
    return (
        opening
        + shown(remembered_reverse(view_name, commitment.pk))
        + '">'
        + label
        + '<span class="visually-hidden"> '
        + short_text
        + "</span></a>"
    )


def _status_cell(context, latest):
    if not latest:
        return '<span class="badge bg-secondary">' + shown(context.get("not_reported", "")) + "</span>"
    badge = _BADGES.get(latest.status, "bg-secondary")
    return '<span class="badge ' + badge + '">' + shown(latest.get_status_display()) + "</span>"


def _evidence_cell(context, latest):
    if not latest:
        return "—"
    cell = shown(truncatechars(latest.evidence or mark_safe("—"), 160))
    if latest.evidence_file:
        cell += "<br>" + _document_link(context, latest.evidence_file)
    return cell
