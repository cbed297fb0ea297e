"""Writes to the territory's data, each audited in its transaction: the comuni from the district's institutions,
the population and enrolment files, and a school's enrolment entered by hand."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.accounts.models import Institution
from patto.audit.services import record_event
from patto.core.exceptions import ConflictError
from patto.core.versioning import update_versioned

from .bands import AgeBand
from .models import SCHOOL_KINDS, Comune, ResidentPopulation, SchoolEnrolment
from .parsing import parse_enrolment, parse_population


def comune_name(institution):
    """ "Comune di Rimini" → "Rimini": the comune's own name, as ISTAT writes it."""
    return institution.short_name or institution.name.removeprefix("Comune di ").strip()


@transaction.atomic
def sync_comuni(*, actor=None, district=None, actor_label="patto"):
    """A ``Comune`` for every comune institution with an ISTAT code not known yet (the district's comuni that
    are in Patto); existing rows are left as they are. Returns the new ones."""
    institutions = Institution.objects.filter(kind=Institution.Kind.COMUNE).exclude(istat_code="")
    if district is not None:
        institutions = institutions.filter(district=district)
    known = set(Comune.objects.values_list("istat_code", flat=True))
    created = []
    for institution in institutions.order_by("name"):
        if institution.istat_code in known:
            continue
        known.add(institution.istat_code)
        comune = Comune.objects.create(
            district_id=institution.district_id, istat_code=institution.istat_code, name=comune_name(institution)
        )
        record_event(
            actor=actor,
            actor_label=actor_label,
            action="territory.comune.created",
            obj=comune,
            changes={"istat_code": [None, comune.istat_code], "name": [None, comune.name]},
        )
        created.append(comune)
    return created


def load_population(*, data, year=None, approximate=False, source="", actor=None, actor_label="load_population"):
    """Loads a file of ISTAT's resident population by age (``parsing.parse_population``) into the bands of the
    comuni known in Patto; the others are counted, not refused. Upserts: loading the same file twice changes
    nothing. One audit event per load, with the counts. Returns a dict of counts."""
    population = parse_population(data)
    year = year or population.year
    if year is None:
        raise ValidationError(_('The file\'s title does not say the year ("al 1° gennaio 2025"): give it with --year.'))
    source = source or _("ISTAT, resident population on 1 January %(year)s") % {"year": year}
    with transaction.atomic():
        comuni = {c.istat_code: c for c in Comune.objects.filter(istat_code__in=list(population.bands))}
        existing = {
            (row.comune_id, row.age_band): row
            for row in ResidentPopulation.objects.filter(comune__in=comuni.values(), year=year)
        }
        now = timezone.now()
        rows, created, changed = [], 0, 0
        for code, comune in comuni.items():
            for band in AgeBand:
                count = population.bands[code][band]
                old = existing.get((comune.pk, band.value))
                if old is None:
                    created += 1
                elif (old.count, old.approximate, old.source) != (count, approximate, source):
                    changed += 1
                rows.append(
                    ResidentPopulation(
                        comune=comune,
                        year=year,
                        age_band=band.value,
                        count=count,
                        approximate=approximate,
                        source=source[:300],
                        loaded_at=now,
                    )
                )
        ResidentPopulation.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["comune", "year", "age_band"],
            update_fields=["count", "approximate", "source", "loaded_at"],
        )
        counts = {
            "year": year,
            "comuni": len(comuni),
            "unknown_comuni": len(set(population.bands) - set(comuni)),
            "rows": population.rows,
            "bands_created": created,
            "bands_changed": changed,
            "approximate": approximate,
        }
        record_event(
            actor=actor,
            actor_label=actor_label,
            action="territory.population.loaded",
            object_type="territory.residentpopulation",
            object_id=str(year),
            changes={name: [None, value] for name, value in {**counts, "source": source}.items()},
        )
    return counts


def load_enrolment(*, data, actor=None, actor_label="load_enrolment"):
    """Loads ``codice meccanografico;anno scolastico;alunni`` for the schools and educational services known in
    Patto (unknown codes are counted, not refused). Upserts; one audit event per load."""
    rows = parse_enrolment(data)
    with transaction.atomic():
        schools = {
            school.codice_meccanografico: school
            for school in Institution.objects.filter(
                kind__in=SCHOOL_KINDS, codice_meccanografico__in={code for _line, code, _year, _pupils in rows}
            )
        }
        created = changed = unknown = 0
        for _line, code, year, pupils in rows:
            school = schools.get(code)
            if school is None:
                unknown += 1
                continue
            row = SchoolEnrolment.objects.filter(school=school, school_year=year).first()
            if row is None:
                SchoolEnrolment.objects.create(school=school, school_year=year, pupils=pupils)
                created += 1
            elif row.pupils != pupils:
                update_versioned(row, row.version, {"pupils": pupils, "entered_by": None})
                changed += 1
        counts = {"rows": len(rows), "created": created, "changed": changed, "unknown_schools": unknown}
        record_event(
            actor=actor,
            actor_label=actor_label,
            action="territory.enrolment.loaded",
            object_type="territory.schoolenrolment",
            changes={name: [None, value] for name, value in counts.items()},
        )
    return counts


@transaction.atomic
def save_enrolment(*, actor, school, school_year, pupils, version=0):
    """A school's pupils in a school year, entered by the school: a new row (``version`` 0), or the one loaded
    in the form if nobody saved it since (else ConflictError with the saved row)."""
    if school.kind not in SCHOOL_KINDS:
        raise ValidationError(_("Only a school or an educational service has pupils enrolled."))
    row = SchoolEnrolment.objects.select_for_update().filter(school=school, school_year=school_year).first()
    if row is None:
        row = SchoolEnrolment(school=school, school_year=school_year, pupils=pupils, entered_by=actor)
        row.full_clean()
        row.save()
        changes = {"pupils": [None, pupils]}
        action = "territory.enrolment.created"
    else:
        if not version:  # someone entered this year meanwhile: show it
            raise ConflictError(current=row)
        changes = update_versioned(row, version, {"pupils": pupils, "entered_by": actor})
        changes.pop("entered_by", None)
        action = "territory.enrolment.changed"
    record_event(
        actor=actor,
        action=action,
        obj=row,
        changes={"school_year": [None, row.school_year_label], **changes},
    )
    return row
