"""Who may read the audit trail, and the accesses to one family or one person."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.apps import apps
from django.conf import settings
from django.db.models import Prefetch, Q
from django.utils import timezone

from patto.accounts.models import Institution, User
from patto.accounts.roles import Role
from patto.core.frozen import FrozenQuery

from .actions import LABELS, action_label
from .models import AuditEvent, AuditSubject


def events_visible_to(user):
    """A district's auditor sees the events of the people acting for an institution of that district.

    Events with no institution (failed sign-ins with the usernames typed, actions of accounts without a
    role) belong to the platform, not to a district: only the technical administrator sees them, and
    only them (finding 13 of issue 8)."""
    membership = user.acting_membership if user.is_authenticated else None
    if membership is None:
        return AuditEvent.objects.none()
    if membership.role == Role.AUDITOR:
        return _of_district(membership.institution.district_id)
    if membership.role == Role.TECHNICAL_ADMIN:
        return AuditEvent.objects.filter(actor_institution__isnull=True)
    return AuditEvent.objects.none()


def _of_district(district_id):
    return AuditEvent.objects.filter(
        actor_institution_id__in=Institution.objects.filter(district_id=district_id).values("pk")
    )


def _newest_of_district(day, count, district_id):
    return _of_district(district_id).select_related("actor_institution").order_by("-occurred_at", "-id")[:count]


# The trail as an auditor opens it (no filter, no cursor), and the people concerned by a page's events:
# statements compiled once a day (core.frozen); the other pages and filters go through the ORM.
_NEWEST_OF_DISTRICT = FrozenQuery("audit.newest_of_district", _newest_of_district, {"district_id": int})
_SUBJECTS_OF = FrozenQuery(  # (event, kind, id) rows, not instances: a page's events concern hundreds of people
    "audit.subjects_of",
    lambda day, event_ids: (
        AuditSubject.objects.filter(event_id__in=event_ids).order_by("id").values_list("event_id", "kind", "subject_id")
    ),
    {"event_ids": [int]},
)
_USER_NAMES = FrozenQuery(
    "audit.user_names",
    lambda day, user_ids: User.objects.filter(pk__in=user_ids).only("first_name", "last_name", "username"),
    {"user_ids": [uuid.UUID]},
)


def newest_events(user):
    """The newest events ``user`` may see, a page and one more (``PATTO_PAGE_SIZE`` + 1: whether there are older
    ones), with their details: what ``with_details`` of ``events_visible_to(user)`` newest first gives, read by
    statements compiled once a day. The people concerned come as each event's ``subject_pairs`` (read them with
    ``subject_pairs(event)``): ``event.subjects`` is not prefetched on these events and would cost a query each.
    None for any role but the auditor's (the caller reads them through the ORM)."""
    count = settings.PATTO_PAGE_SIZE + 1  # FrozenQuery's variant: from the settings, a closed set of values
    membership = user.acting_membership if user.is_authenticated else None
    if membership is None or membership.role != Role.AUDITOR:
        return None
    events = _NEWEST_OF_DISTRICT.rows(variant=count, district_id=membership.institution.district_id)
    pairs = defaultdict(list)
    for event_id, kind, subject_id in _SUBJECTS_OF.rows(event_ids=[event.pk for event in events]):
        pairs[event_id].append((kind, subject_id))
    for event in events:
        event.subject_pairs = pairs[event.pk]
    return events


def _day_start(day):
    """Midnight in Patto's time zone at the start of ``day``, as an aware datetime: a range on the indexed
    column instead of a function of it (``occurred_at__date``), which no index serves."""
    return timezone.make_aware(datetime.combine(day, time.min))


def filter_events(events, *, person=None, actor=None, institution=None, action="", date_from=None, date_to=None):
    """Each filter served by an index (``AuditEvent.Meta.indexes``). The person concerned is a semi-join
    on the subjects' (kind, id) index, so an event concerning several people is never repeated and no
    DISTINCT is needed. An action code is matched exactly when complete, by prefix otherwise."""
    if person is not None:
        events = events.filter(
            pk__in=AuditSubject.objects.filter(kind="user", subject_id=str(person.pk)).values("event_id")
        )
    if actor is not None:
        events = events.filter(actor=actor)
    if institution is not None:
        events = events.filter(actor_institution=institution)
    if action:
        events = events.filter(action=action) if action in LABELS else events.filter(action__startswith=action)
    if date_from:
        events = events.filter(occurred_at__gte=_day_start(date_from))
    if date_to:
        events = events.filter(occurred_at__lt=_day_start(date_to + timedelta(days=1)))
    return events


def person_window(person, events):
    """The ``narrow`` of ``paging.keyset_page`` for the person filter, ``events`` being the trail with every
    other filter. PostgreSQL plans the person's semi-join of ``filter_events`` as a hash join over every event
    (its estimate of a two-column join is far off), so that page's cost grew with the trail. Instead: the
    person's newest subject rows below the cursor, from the subjects' (kind, id, time, event) index (a subject
    carries its event's time and id, the page's order), then those events only, by primary key and time (one
    partition or two). One more query, flat in size; the page falls back to the semi-join when some of those
    events are filtered out."""

    def narrow(edge, count):
        subjects = AuditSubject.objects.filter(kind="user", subject_id=str(person.pk))
        if edge is not None:
            when, pk = edge
            subjects = subjects.filter(Q(occurred_at__lt=when) | Q(occurred_at=when, event_id__lt=pk))
        newest = list(subjects.order_by("-occurred_at", "-event_id").values_list("occurred_at", "event_id")[:count])
        if not newest:
            return events.none(), True
        window = events.filter(occurred_at__gte=newest[-1][0], pk__in=[pk for _, pk in newest])
        return window, len(newest) < count

    return narrow


def with_details(events):
    """Everything the trail screen shows, in a fixed number of queries whatever the page size. No
    DISTINCT: no filter joins a to-many relation (see ``filter_events``)."""
    return events.select_related("actor_institution").prefetch_related(
        Prefetch("subjects", queryset=AuditSubject.objects.order_by("id"))
    )


def subject_pairs(event):
    """The people an event concerns, in their order, as (kind, id) pairs: read with the event by ``newest_events``,
    or from the subjects ``with_details`` prefetched."""
    pairs = getattr(event, "subject_pairs", None)
    return pairs if pairs is not None else [(s.kind, s.subject_id) for s in event.subjects.all()]


def name_subjects(events):
    """Give each event its ``concerned``: the people concerned as the trail's row names them, in their order,
    separated by commas ("—" for none); a user by their full name, or username (empty for a user no longer
    found). One query for the whole page."""
    pairs = {event.pk: subject_pairs(event) for event in events}
    ids = set()
    for kind, subject_id in (pair for found in pairs.values() for pair in found):
        if kind == "user":
            try:
                ids.add(uuid.UUID(subject_id))
            except ValueError:  # not a user's key: no one to name
                pass
    names = {str(u.pk): u.get_full_name() or u.username for u in _USER_NAMES.rows(user_ids=sorted(ids))}
    for event in events:
        concerned = [
            names.get(subject_id, "") if kind == "user" else f"{kind} {subject_id}"
            for kind, subject_id in pairs[event.pk]
        ]
        event.concerned = ", ".join(concerned) if concerned else "—"


# --- "Who read this family's data?" -------------------------------------------------------------------


def events_about(events, subject):
    """The events concerning a subject (``audit.subjects.Subject``): one of its people is among the
    people concerned, or the event is about one of its records. Newest first."""
    by_kind = {}
    for kind, subject_id in subject.people:
        by_kind.setdefault(kind, []).append(subject_id)
    concerned = Q(pk__in=[])
    if by_kind:
        people = Q()
        for kind, ids in by_kind.items():
            people |= Q(kind=kind, subject_id__in=ids)
        concerned |= Q(pk__in=AuditSubject.objects.filter(people).values("event_id"))
    for object_type, ids in subject.objects.items():
        concerned |= Q(object_type=object_type, object_id__in=[str(pk) for pk in ids])
    return events.filter(concerned).order_by("-occurred_at", "-id")


def with_access_details(events):
    """The events with who acted and whom they concerned, in a fixed number of queries."""
    return events.select_related("actor", "actor_institution").prefetch_related(
        Prefetch("subjects", queryset=AuditSubject.objects.order_by("id"))
    )


@dataclass(frozen=True)
class AccessRow:
    """One access as the auditor and the data subject read it: no codes, no internal ids."""

    occurred_at: object
    who: str
    institution: str
    role: str
    action: str
    record: str
    family: str
    people: str
    purpose: str

    def cells(self):
        """The row for a spreadsheet: the time as a date-time (the spreadsheet helper shows it in local time and
        the reader's format, and it sorts and filters as one), every other value as shown on screen."""
        return [
            self.occurred_at,
            self.who,
            self.institution,
            self.role,
            self.action,
            self.record,
            self.family,
            self.people,
            self.purpose,
        ]


def record_label(object_type):
    """The kind of record an event is about, in words (``cases.note`` → "note"), or "" if unknown."""
    if not object_type:
        return ""
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return object_type


def access_rows(events, subject):
    """``AccessRow`` for each event about ``subject``: the people concerned named from the subject only
    (another family's members in a list event are not its business)."""
    rows = []
    for event in events:
        actor = event.actor
        who = (actor.get_full_name() or actor.username) if actor is not None else event.actor_label
        people = [
            subject.people[(s.kind, s.subject_id)]
            for s in event.subjects.all()
            if (s.kind, s.subject_id) in subject.people
        ]
        rows.append(
            AccessRow(
                occurred_at=event.occurred_at,
                who=who,
                institution=str(event.actor_institution) if event.actor_institution else "",
                role=str(event.get_actor_role_display()) if event.actor_role else "",
                action=action_label(event.action),
                record=record_label(event.object_type),
                family=subject.family,
                people=", ".join(people),
                purpose=event.purpose,
            )
        )
    return rows


def _directory_people(day, district_id):
    return (
        User.objects.filter(memberships__institution__district_id=district_id)
        .distinct()
        .order_by("last_name", "first_name")
        .values_list("pk", "first_name", "last_name", "username")
    )


def _directory_institutions(day, district_id):
    return Institution.objects.filter(district_id=district_id).values_list("pk", "name")


# What the trail's filter offers: the people with a membership in the auditor's district and its institutions, as
# names; compiled once a day (core.frozen).
_DIRECTORY_PEOPLE = FrozenQuery("audit.directory_people", _directory_people, {"district_id": int})
_DIRECTORY_INSTITUTIONS = FrozenQuery("audit.directory_institutions", _directory_institutions, {"district_id": int})


def trail_directory(user):
    """(people, institutions) the trail's selects offer: those of the acting membership's district (the same as
    ``accounts.queries.institutions_visible_to`` and the users with a membership at one of them), as names;
    nothing without a membership."""
    membership = user.acting_membership
    if membership is None:
        return [], []
    district_id = membership.institution.district_id
    return _DIRECTORY_PEOPLE.rows(district_id=district_id), _DIRECTORY_INSTITUTIONS.rows(district_id=district_id)
