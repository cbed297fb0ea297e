"""The monitoring report of a period, one content for its page, its PDF and its spreadsheet: every commitment
of the version then in force with its state, evidence and indicators, and its state in the previous period.

A commitment nobody updated in a period is *not reported*, a state of its own: it is not "not started" (a
party that says it has not started has reported), and the report goes to the Giunta, which must not read
silence as a statement."""

import tempfile
from pathlib import Path

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patto.audit.services import record_access
from patto.core.exports import Export, Sheet, render_pdf, render_pdf_parts, write_xlsx
from patto.core.shortcuts import get_object_for

from .models import CommitmentUpdate, MonitoringPeriod
from .queries import attach_indicators, commitments_with_status, visible_to

NOT_REPORTED = "not_reported"
NOT_REPORTED_LABEL = gettext_lazy("Not reported")
STATES = [*CommitmentUpdate.Status.values, NOT_REPORTED]


def state_label(state):
    return NOT_REPORTED_LABEL if state == NOT_REPORTED else CommitmentUpdate.Status(state).label


def _state(update):
    return update.status if update else NOT_REPORTED


def change_since(previous_state, state):
    """The state then and now in plain words, or None without a previous period."""
    if previous_state is None:
        return None
    if previous_state == state:
        return _("Same as in the previous period")
    return _("In the previous period: %(before)s; now: %(now)s") % {
        "before": state_label(previous_state),
        "now": state_label(state),
    }


def report(period):
    """The report's content. Each commitment carries ``state`` and ``state_label`` (its latest update in the
    period, or not reported), ``previous_state`` (None without a previous period), ``change`` (in words) and
    ``measures`` (its indicators with their values); ``counts`` are (label, number) for every state."""
    pact = period.pact
    in_force = pact.version_in_force(on=period.ends_on) or pact.version_in_force()
    previous = pact.periods.filter(starts_on__lt=period.starts_on).order_by("-starts_on").first()
    commitments = commitments_with_status(in_force, period) if in_force else []
    before = {c.pk: c.latest for c in commitments_with_status(in_force, previous)} if previous and in_force else {}
    attach_indicators(commitments, period)
    counts = dict.fromkeys(STATES, 0)
    for commitment in commitments:
        commitment.state = _state(commitment.latest)
        commitment.state_label = state_label(commitment.state)
        commitment.previous = before.get(commitment.pk)
        commitment.previous_state = _state(commitment.previous) if previous else None
        commitment.change = change_since(commitment.previous_state, commitment.state)
        counts[commitment.state] += 1
    return {
        "pact": pact,
        "period": period,
        "previous": previous,
        "commitments": commitments,
        "counts": [(state_label(state), count) for state, count in counts.items()],
    }


def size(period):
    """How many commitments the report lists (one COUNT): the views render up to PATTO_EXPORT_DIRECT_MAX of them
    in the request, a bigger report in the background."""
    pact = period.pact
    in_force = pact.version_in_force(on=period.ends_on) or pact.version_in_force()
    return in_force.commitments.count() if in_force else 0


def read_report(*, actor, period, action):
    """The monitoring report, as a page, a PDF or a spreadsheet: each read is logged alike (it names the
    institutions that updated and their evidence)."""
    data = report(period)
    record_access(actor=actor, action=action, obj=period)
    return data


# --- The spreadsheet ---------------------------------------------------------------------------------------


def _commitment_row(c):
    latest = c.latest
    return [
        str(c.institution),
        c.text,
        str(c.state_label),
        str(state_label(c.previous_state)) if c.previous_state else "",
        latest.evidence if latest else "",
        latest.evidence_file.original_name if latest and latest.evidence_file else "",
        str(latest.author_institution) if latest else "",
        timezone.localtime(latest.created_at).date() if latest else None,
    ]


def _indicator_rows(c):
    for indicator, measure in c.measures:
        value = measure.get("value")
        if value is None and measure.get("computed"):
            value = "< 5"  # a count about families under five is not shown (small-cell suppression)
        yield [
            str(c.institution),
            c.text,
            indicator.name,
            value,
            indicator.target,
            indicator.unit,
            str(indicator.get_source_display()),
            measure.get("evidence", ""),
            measure["file"].original_name if measure.get("file") else "",
        ]


def xlsx_sheets(context):
    """The report as two sheets: the commitments, then the indicators with their values in the period."""
    commitments = context["commitments"]
    return [
        Sheet(
            context["period"].name,
            [
                _("Party"),
                _("Commitment"),
                _("Status"),
                _("Status in the previous period"),
                _("Evidence"),
                _("Attached document"),
                _("Updated by"),
                _("Updated on"),
            ],
            [_commitment_row(c) for c in commitments],
        ),
        Sheet(
            _("Indicators"),
            [
                _("Party"),
                _("Commitment"),
                _("Indicator"),
                _("Value"),
                _("Target"),
                _("Unit"),
                _("Value from"),
                _("Evidence"),
                _("Attached document"),
            ],
            [row for c in commitments for row in _indicator_rows(c)],
        ),
    ]


# --- Built in the background (core.exportjobs; registered in apps.py) ---------------------------------------

PDF_TEMPLATE = "governance/report_document.html"
# Commitments per part of a long report's PDF: a part's layout (≈7 pages) is all WeasyPrint holds at a time
# (25: the 1,000-commitment report peaks at 144 MB of RSS, 50 gave 152 MB; bench_report).
PDF_PART = 25
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _read_for_export(params, actor, action):
    """The period named by the job, fetched and authorised for the requester as the report's views do (a
    refusal fails the job), and the report read with its access row; no transaction stays open afterwards
    while the file is written."""
    period = get_object_for(
        actor,
        "governance.view_governance",
        visible_to(actor, MonitoringPeriod).select_related("pact"),
        pk=params["period"],
    )
    with transaction.atomic():
        return period, read_report(actor=actor, period=period, action=action)


def build_report_pdf(params, actor):
    """The report's PDF; past PDF_PART commitments, in parts of PDF_PART commitments joined into one file
    (core.exports.render_pdf_parts), so that memory does not grow with the number of commitments."""
    period, context = _read_for_export(params, actor, "governance.report.pdf")
    commitments = context["commitments"]
    page = {**context, "pdf": True, "LANGUAGE_CODE": translation.get_language()}
    filename = f"monitoraggio-{period.pk}.pdf"
    if len(commitments) <= PDF_PART:
        return Export(filename, "application/pdf", render_pdf(render_to_string(PDF_TEMPLATE, page)))

    def parts():  # rendered one at a time, as the PDF asks for them
        for start in range(0, len(commitments), PDF_PART):
            part = commitments[start : start + PDF_PART]
            yield render_to_string(PDF_TEMPLATE, {**page, "commitments": part, "continued": start > 0})

    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as target:
        pass
    try:
        render_pdf_parts(parts(), target.name)
    except BaseException:
        Path(target.name).unlink(missing_ok=True)
        raise
    return Export(filename, "application/pdf", target.name)


def build_report_xlsx(params, actor):
    period, context = _read_for_export(params, actor, "governance.report.xlsx")
    with tempfile.NamedTemporaryFile(suffix=".xlsx", delete=False) as target:
        write_xlsx(target, xlsx_sheets(context))
    return Export(f"monitoraggio-{period.pk}.xlsx", XLSX_TYPE, target.name)
