"""The needs analysis' writes: its report attached as evidence to a commitment of the pact, and its figures
published as open data (a snapshot, withdrawn at will). Each one audited."""

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.audit.services import record_event
from patto.governance import services as governance

from .models import OpenDataset
from .queries import aggregate_district


def _district(actor, perm):
    district = aggregate_district(actor)
    if district is None or not actor.has_perm(perm):
        raise PermissionDenied
    return district


def attach_report(*, actor, year, pdf, commitment, period, status, evidence):
    """The report's PDF (bytes) recorded as the evidence of ``commitment`` in the open ``period``, through the
    pact's own mechanism (``governance.services.update_commitment_status``: the coordinator may update any
    party's commitment; the file goes through the upload checks and is audited there)."""
    district = _district(actor, "monitoring.view_aggregates")
    if commitment.pact_version.pact.district_id != district.pk:
        raise PermissionDenied
    upload = SimpleUploadedFile(f"analisi-dei-bisogni-{year}.pdf", pdf, content_type="application/pdf")
    with transaction.atomic():
        update = governance.update_commitment_status(
            actor=actor, commitment=commitment, period=period, status=status, evidence=evidence, evidence_file=upload
        )
        record_event(
            actor=actor,
            action="monitoring.needs_report.attached",
            obj=commitment,
            changes={"year": [None, year], "update": [None, update.pk]},
        )
    return update


def snapshot(tables):
    """The tables as published: for each cell its text (as the page shows it), its value for the files and
    whether it is hidden. JSON-ready (decimals as floats)."""
    return [
        {
            "key": table.key,
            "title": str(table.title),
            "note": str(table.note),
            "header": [str(label) for label in table.header],
            "rows": [
                {"label": str(label), "cells": [[cell.text, _json(cell.value), cell.hidden] for cell in row]}
                for label, row in table.cells
            ],
        }
        for table in tables
    ]


def _json(value):
    if isinstance(value, Decimal):
        return float(value)
    return value if value is None or isinstance(value, (int, float, str)) else str(value)


@transaction.atomic
def publish_open_data(*, actor, year, tables):
    """Publish ``tables`` (the report's, already protected) for ``year``: the dataset of the same year
    online until now is withdrawn, so one dataset per year is online."""
    district = _district(actor, "monitoring.publish")
    if not tables:
        raise ValidationError({"tables": _("Choose at least one table.")})
    now = timezone.now()
    previous = list(OpenDataset.objects.select_for_update().filter(district=district, year=year, withdrawn_at=None))
    for dataset in previous:
        _withdraw(actor, dataset, now, replaced=True)
    dataset = OpenDataset.objects.create(
        district=district, year=year, tables=snapshot(tables), published_by=actor, published_at=now
    )
    record_event(
        actor=actor,
        action="monitoring.open_data.published",
        obj=dataset,
        changes={"year": [None, year], "tables": [None, [table.key for table in tables]]},
    )
    return dataset


@transaction.atomic
def withdraw_open_data(*, actor, dataset):
    district = _district(actor, "monitoring.publish")
    dataset = OpenDataset.objects.select_for_update().get(pk=dataset.pk)
    if dataset.district_id != district.pk:
        raise PermissionDenied
    if dataset.withdrawn_at is None:
        _withdraw(actor, dataset, timezone.now())
    return dataset


def _withdraw(actor, dataset, when, replaced=False):
    dataset.withdrawn_at, dataset.withdrawn_by = when, actor
    dataset.save(update_fields=["withdrawn_at", "withdrawn_by"])
    record_event(
        actor=actor,
        action="monitoring.open_data.withdrawn",
        obj=dataset,
        changes={"year": [None, dataset.year], "replaced": [None, replaced]},
    )
