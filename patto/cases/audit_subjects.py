"""How the audit trail finds the district's families and people, to answer "who read this family's
data?" (audit imports nothing from cases: this module registers itself when the app is ready)."""

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.formats import date_format

from patto.audit.subjects import Subject, register_finder

from .models import Family, Person

# The records of a family's paths that audit rows are about (model name, lookup to the family). Every
# model of this app that points at a path is here or in NOT_ABOUT_THE_FAMILY (the audit tests check it).
FAMILY_RECORDS = (
    ("Path", "family"),
    ("Agreement", "path__family"),
    ("ConsentItem", "path__family"),
    ("TeamMember", "path__family"),
    ("Note", "path__family"),
    ("ArchiveAccess", "path__family"),
    ("Assessment", "path__family"),
    ("PrePostAssessment", "path__family"),
    ("PlanGoal", "path__family"),
    ("PlanAction", "goal__path__family"),
    ("DeviceActivation", "path__family"),
    ("DeviceSession", "activation__path__family"),
    ("Meeting", "path__family"),
    ("Task", "path__family"),
)
NOT_ABOUT_THE_FAMILY = ("PathEvent",)  # the timeline: never the object of an audit row
MAX_MATCHES = 30


def person_subject(person):
    family = person.family
    key = str(person.pk)
    return Subject(
        kind="person",
        key=key,
        label=str(person),
        family=family.reference,
        family_key=str(family.pk),
        record=("cases.person", key),
        description=f"{person.get_kind_display()}, {date_format(person.birth_date, 'SHORT_DATE_FORMAT')}",
        people={("person", key): str(person)},
        objects={"cases.person": [key]},
    )


def family_subject(family):
    members = list(family.members.all())
    for person in members:
        person.family = family
    objects = {"cases.family": [str(family.pk)]}
    for name, lookup in FAMILY_RECORDS:
        model = apps.get_model("cases", name)
        records = model._base_manager.filter(**{lookup: family}).order_by()
        ids = [str(pk) for pk in records.values_list("pk", flat=True)]
        if ids:
            objects[model._meta.label_lower] = ids
    return Subject(
        kind="family",
        key=str(family.pk),
        label=family.reference,
        family=family.reference,
        family_key=str(family.pk),
        record=("cases.family", str(family.pk)),
        people={("person", str(p.pk)): str(p) for p in members},
        objects=objects,
        members=tuple(person_subject(p) for p in members),
    )


def _people_matching(district_id, text):
    people = Person.objects.filter(family__district_id=district_id)
    for term in text.split():
        people = people.filter(
            Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(fiscal_code=term.upper())
        )
    return people.select_related("family").order_by("last_name", "first_name", "birth_date")[:MAX_MATCHES]


def find_in_district(district_id, *, text="", kind="", key=""):
    """A family by its reference (exactly), else the people whose names or codice fiscale match every
    word; or the family or person with this key. Only in the district: another district's people are
    not the auditor's to know."""
    try:
        if kind == "family":
            return [family_subject(f) for f in Family.objects.filter(district_id=district_id, pk=key)]
        if kind == "person":
            return [
                person_subject(p)
                for p in Person.objects.filter(family__district_id=district_id, pk=key).select_related("family")
            ]
    except ValidationError:  # not a UUID: nobody
        return []
    if kind or not text.strip():
        return []
    family = Family.objects.filter(district_id=district_id, reference__iexact=text.strip()).first()
    if family is not None:
        return [family_subject(family)]
    return [person_subject(p) for p in _people_matching(district_id, text)]


register_finder(find_in_district)
