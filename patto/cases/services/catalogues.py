"""Cohorts and the district's catalogues (closure outcomes, dispositivi)."""

from django.db import transaction

from patto.audit.services import record_event
from patto.core.versioning import update_versioned

from ..models import ClosureOutcome, Cohort, DeviceType

COHORT_FIELDS = ("name", "start_date", "t1_months", "t2_months", "is_active")


@transaction.atomic
def create_cohort(*, actor, district, **fields):
    cohort = Cohort(district=district, **fields)
    cohort.full_clean()
    cohort.save()
    record_event(
        actor=actor,
        action="cases.cohort.created",
        obj=cohort,
        changes={name: [None, getattr(cohort, name)] for name in fields},
    )
    return cohort


@transaction.atomic
def update_cohort(*, actor, cohort, version, **fields):
    candidate = Cohort(pk=cohort.pk, district_id=cohort.district_id, **fields)
    candidate._state.adding = False
    candidate.full_clean(exclude=["district"])
    changes = update_versioned(cohort, version, fields)
    record_event(actor=actor, action="cases.cohort.changed", obj=cohort, changes=changes)
    return cohort


CATALOGUES = {
    "outcome": (ClosureOutcome, ("code", "label", "label_en", "order", "is_active")),
    "device": (DeviceType, ("code", "name", "name_en", "measure", "pippi_core", "order", "is_active")),
}


@transaction.atomic
def save_catalogue_entry(*, actor, kind, entry=None, version=None, **fields):
    """Add or change an entry of a configurable catalogue. Entries in use are deactivated, never deleted."""
    model, _names = CATALOGUES[kind]
    if entry is None:
        entry = model(**fields)
        entry.full_clean()
        entry.save()
        record_event(
            actor=actor,
            action=f"cases.catalogue.{kind}_added",
            obj=entry,
            changes={name: [None, value] for name, value in fields.items()},
        )
        return entry
    candidate = model(pk=entry.pk, **fields)
    candidate._state.adding = False
    candidate.full_clean()
    changes = update_versioned(entry, version or 0, fields)
    record_event(actor=actor, action=f"cases.catalogue.{kind}_changed", obj=entry, changes=changes)
    return entry
