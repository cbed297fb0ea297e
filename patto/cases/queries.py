"""Who may see which family paths, and what of each. Every cases view starts here.

The seat decides: what a person sees of a path comes from the seats (``TeamMember`` rows) they hold in
that path's team, never from the role they chose in the header. A seat grants access while
- its dates cover today and it was not ended (a closure shortens the seats to a grace period);
- its institution is in standing (active, adhesion to the pact in force: ``governance``);
- the person still holds a current membership at that institution;
- for a seat at a school or educational service, the family's consent to share with that institution is
  in force.
A seat at a school sees only what is shared with that school; clinical content needs a health seat at a
health institution, held by a health professional of that institution."""

import threading
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import NamedTuple

from django.db.models import CharField, DateTimeField, Exists, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Concat, Least
from django.utils import timezone

from patto.accounts.memo import memo
from patto.accounts.models import Institution, Membership
from patto.accounts.roles import GOVERNANCE_ROLES, HEALTH_ROLES, Role
from patto.core.frozen import FrozenQuery, set_prefetched, with_parent
from patto.governance.indicators import count_of
from patto.governance.queries import institutions_in_standing, institutions_in_standing_of

from .models import SCHOOL_KINDS, ArchiveAccess, ConsentItem, Note, Path, PathEvent, Person, TeamMember

# Team roles that read clinical notes, when held at a health institution by a health professional of it.
CLINICAL_TEAM_ROLES = frozenset(
    {TeamMember.TeamRole.PSYCHOLOGIST, TeamMember.TeamRole.CHILD_NEUROPSYCHIATRIST, TeamMember.TeamRole.PEDIATRICIAN}
)


R = TeamMember.TeamRole
# Which memberships may hold which seat: the seat's team role must fit the person's role at the seat's
# institution (a teacher's seat only for school staff, a psychologist's only for a psychologist). Checked
# when the seat is given and again on every read: a seat whose holder's role changed grants nothing.
TEAM_ROLE_FIT = {
    R.CASE_MANAGER: {Role.SOCIAL_WORKER},
    R.SOCIAL_WORKER: {Role.SOCIAL_WORKER},
    R.PSYCHOLOGIST: {Role.PSYCHOLOGIST},
    R.CHILD_NEUROPSYCHIATRIST: {Role.CHILD_NEUROPSYCHIATRIST},
    R.PEDIATRICIAN: {Role.HEALTH_PROFESSIONAL},
    R.EDUCATOR: {Role.EDUCATOR},
    R.TEACHER: {Role.SCHOOL_HEAD, Role.SCHOOL_REFERENT},
    R.EDUCATIONAL_STAFF: {Role.EDUCATIONAL_STAFF, Role.EDUCATOR},
    R.COACH: {Role.SOCIAL_WORKER, Role.EDUCATOR, Role.PSYCHOLOGIST, Role.PACT_COORDINATOR},
    R.OTHER: {
        Role.SOCIAL_WORKER,
        Role.EDUCATOR,
        Role.PSYCHOLOGIST,
        Role.CHILD_NEUROPSYCHIATRIST,
        Role.HEALTH_PROFESSIONAL,
        Role.LEGAL_OFFICE,
        Role.EDUCATIONAL_STAFF,
    },
}


# The fitting pairs as "team_role:role" strings, so that the fit is one EXISTS with one IN (building and
# compiling one subquery per team role cost more than the rest of a path page).
_FIT_PAIRS = sorted(f"{team_role}:{role}" for team_role, roles in TEAM_ROLE_FIT.items() for role in roles)


def _fitting_membership(day):
    """A current membership of the seat's holder at the seat's institution, in a role that fits the seat."""
    pair = Concat(OuterRef("team_role"), Value(":"), "role", output_field=CharField())
    membership = (
        Membership.objects.current(day)
        .filter(user=OuterRef("user"), institution=OuterRef("institution"))
        .annotate(fit=pair)
        .filter(fit__in=_FIT_PAIRS)
    )
    return Exists(membership)


def current_team_members(on=None):
    day = on or timezone.localdate()
    return TeamMember.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day, ended_at__isnull=True
    )


# Building these querysets (nested EXISTS: fit, standing, consent) cost more Python than most pages' own
# work, and every page builds them several times. What is kept here is only the *unevaluated* query, for one
# day, never a result: each use is a clone that the database answers afresh, so a seat ended, a membership
# ended or a consent withdrawn still counts from the next query.
# Per thread: compiling a query may touch its inner queries, so two threads never share one.
_built = threading.local()


def _built_for(name, day, build):
    built = _built.__dict__.setdefault("querysets", {})
    key = (name, day)
    queryset = built.get(key)
    if queryset is None:
        if len(built) > 32:
            built.clear()
        queryset = built[key] = build(day)
    return queryset.all()


def seats_in_force(on=None):
    """The seats that grant access today (see the module's docstring)."""
    return _built_for("seats_in_force", on or timezone.localdate(), _seats_in_force)


def _seats_in_force(day):
    consent = ConsentItem.objects.in_force(day).filter(path=OuterRef("path"), institution=OuterRef("institution"))
    return (
        current_team_members(day)
        .filter(_fitting_membership(day), institution__in=institutions_in_standing(day))
        .filter(~Q(institution__kind__in=SCHOOL_KINDS) | Exists(consent))
    )


def team_users(path):
    """The users in the path's team now (for "who does it" choices)."""
    from patto.accounts.models import User

    return User.objects.filter(pk__in=seats_in_force().filter(path=path).values("user")).order_by("last_name")


def archive_accesses_in_force(user):
    """Archive accesses not expired, to a path still closed, while the reader is still a social worker of
    the institution they opened it from, in standing."""
    return _built_for("archive_accesses", timezone.localdate(), _archive_accesses).filter(
        user=user, expires_at__gt=timezone.now()
    )


def _archive_accesses(day):
    social_worker = Membership.objects.current(day).filter(
        user=OuterRef("user"), institution=OuterRef("institution"), role=Role.SOCIAL_WORKER
    )
    return ArchiveAccess.objects.filter(
        Exists(social_worker), path__state=Path.State.CLOSED, institution__in=institutions_in_standing(day)
    )


class Seat(NamedTuple):
    """A seat in force, as the access rules read it."""

    path_id: object
    institution_id: int
    institution_kind: str
    team_role: str


SEAT_FIELDS = ("path_id", "institution_id", "institution__kind", "team_role")  # a Seat, read from a TeamMember


@dataclass(frozen=True)
class Seats:
    """The user's seats in force (``Seat``) and archive accesses (their paths), read once."""

    seats: tuple
    archived: tuple
    closed: frozenset = frozenset()  # the paths among these that are closed (read with the seats)

    def path_ids(self):
        return sorted({seat[0] for seat in self.seats} | set(self.archived))

    def seat_path_ids(self, team_role=None):
        """The paths of the seats (not the archive accesses), only those of ``team_role`` if given."""
        return sorted({seat[0] for seat in self.seats if team_role is None or seat[3] == team_role})

    def open_path_ids(self):
        """The paths of the seats and archive accesses that are not closed."""
        return sorted(set(self.path_ids()) - self.closed)

    def full_path_ids(self):
        """The paths seen in full: a seat outside schools, or an archive access."""
        return sorted({seat[0] for seat in self.seats if seat[2] not in SCHOOL_KINDS} | set(self.archived))

    def access(self, path_id):
        """The Access to one path, from these seats (see ``_access_by_pk``)."""
        key = str(path_id)
        seats = [seat for seat in self.seats if str(seat.path_id) == key]
        archive = not seats and any(str(archived) == key for archived in self.archived)
        return seats, archive


ARCHIVE = "~archive"  # not a team role: marks an archive access among the seats' rows


def _seat_rows(day, user_id):
    """The user's seats and archive accesses in one statement: an archive access is a row with no
    institution, the role "archive" and its expiry (compared by the caller: the moment is no parameter of a
    frozen statement). Each row ends with its path's state (an archive access is to a closed path)."""
    seats = seats_in_force(day).filter(user_id=user_id).order_by()
    # Not expired before the day began (the day is in the statement's key): the caller compares the moment.
    day_began = timezone.make_aware(datetime.combine(day, time.min))
    archived = (
        _built_for("archive_accesses", day, _archive_accesses)
        .filter(user_id=user_id, expires_at__gt=day_began)
        .order_by()
    )
    return seats.values_list(*SEAT_FIELDS, Value(None, output_field=DateTimeField()), "path__state").union(
        archived.values_list(
            "path_id",
            Value(None, output_field=IntegerField()),
            Value("", output_field=CharField()),
            Value(ARCHIVE, output_field=CharField()),
            "expires_at",
            "path__state",
        ),
        all=True,
    )


_SEAT_ROWS = FrozenQuery("cases.my_seats", _seat_rows, {"user_id": uuid.UUID})


def my_seats(user):
    """The user's seats, asked by every list, card and predicate of a page: inside a request, read once and
    remembered on the request's User (``accounts.memo``) until the request writes anything (every write is
    counted: ``audit.services.writes_so_far``); outside a request (commands, tests calling queries), None:
    the callers then ask the database each time, as subqueries. One statement, compiled once a day
    (``core.frozen``)."""
    from patto.audit.services import writes_so_far
    from patto.core import context

    request_id = context.current().request_id
    if not request_id or not user.is_authenticated:
        return None
    cache = memo(user)
    key = (request_id, timezone.localdate(), writes_so_far())
    if cache.get("seats_key") != key:
        now = timezone.now()
        rows = _SEAT_ROWS.rows(user_id=user.pk)
        cache["seats"] = Seats(
            seats=tuple(Seat(*row[:4]) for row in rows if row[3] != ARCHIVE),
            archived=tuple(row[0] for row in rows if row[3] == ARCHIVE and row[4] > now),
            closed=frozenset(row[0] for row in rows if row[5] == Path.State.CLOSED),
        )
        cache["seats_key"] = key
    return cache["seats"]


def paths_visible_to(user):
    """Paths where the user holds a seat in force, or a reasoned archive access to a closed path.

    Added to a team → visible from the next request; removed, expired, closed past the grace period,
    membership ended, institution out of standing, consent withdrawn → 404."""
    if not user.is_authenticated:
        return Path.objects.none()
    known = my_seats(user)
    if known is not None:  # the ids read once in this request: the queries that follow look paths up by key
        return Path.objects.filter(pk__in=known.path_ids())
    # Start from the user's own seats (index on user, institution, path): the cost follows the paths the
    # user is in, not the number of paths in the district.
    # One IN over a UNION, not an OR of two INs: the OR made PostgreSQL scan every path of the database
    # (a hashed subplan per row), growing with the district; the UNION is the user's few path ids, looked up
    # by primary key.
    mine = seats_in_force().filter(user=user).order_by().values("path_id")
    archived = archive_accesses_in_force(user).order_by().values("path_id")
    return Path.objects.filter(pk__in=mine.union(archived))


def _full_view(user, field):
    """``field`` of the paths the user sees in full (the équipe's view: a seat in force outside schools, or an
    archive access), as one UNION (see paths_visible_to)."""
    known = my_seats(user)
    if known is not None:
        ids = known.full_path_ids()
        return ids if field == "path_id" else Path.objects.filter(pk__in=ids).values(field.removeprefix("path__"))
    full = seats_in_force().filter(user=user).exclude(institution__kind__in=SCHOOL_KINDS).order_by().values(field)
    return full.union(archive_accesses_in_force(user).order_by().values(field))


def full_view_path_ids(user):
    """The ids of the paths the user sees in full (for what other apps attach to a path, like waiting lists)."""
    return _full_view(user, "path_id")


def people_visible_to(user):
    """The people of the families the user may see in full (a school seat does not list the family)."""
    return Person.objects.filter(family_id__in=_full_view(user, "path__family_id"))


@dataclass
class Access:
    """What one user may see of one path: the union of what their seats in force allow."""

    seats: list = field(default_factory=list)
    archive: bool = False  # a reasoned archive access: reads only
    clinical: bool = False

    @property
    def any(self):
        return bool(self.seats) or self.archive

    @property
    def full_seats(self):
        return [seat for seat in self.seats if seat.institution_kind not in SCHOOL_KINDS]

    @property
    def team_view(self):
        """The équipe's view of the path (not only what is shared with a school)."""
        return bool(self.full_seats) or self.archive

    @property
    def is_case_manager(self):
        return any(seat.team_role == TeamMember.TeamRole.CASE_MANAGER for seat in self.seats)

    @property
    def schools(self):
        """The schools whose seat this is (consent in force, checked by seats_in_force)."""
        return {seat.institution_id for seat in self.seats if seat.institution_kind in SCHOOL_KINDS}

    @property
    def institutions(self):
        """The institutions of the full seats, for notes meant for "my institution's members of the team"."""
        return {seat.institution_id for seat in self.full_seats}

    @property
    def writing_seat(self):
        """The seat a note or an event is written from: the case manager's first, a full seat before a
        school's, then by team role and institution (the same seat whatever order the seats were read in)."""
        ordered = sorted(
            self.seats,
            key=lambda s: (
                s.team_role != TeamMember.TeamRole.CASE_MANAGER,
                s.institution_kind in SCHOOL_KINDS,
                s.team_role,
                s.institution_id,
            ),
        )
        return ordered[0] if ordered else None

    def audiences(self):
        """The note audiences this access may read (school and institution notes are narrowed apart)."""
        if not self.team_view:
            return {Note.Audience.SCHOOL} if self.seats else set()
        audiences = {Note.Audience.TEAM, Note.Audience.SCHOOL, Note.Audience.INSTITUTION}
        if self.clinical:
            audiences.add(Note.Audience.CLINICAL)
        return audiences

    def writable_audiences(self):
        if not self.seats:
            return set()
        if not self.team_view:
            return {Note.Audience.SCHOOL}
        return self.audiences()


def access_to(user, path):
    """The user's Access to the path, computed once per path object (a request's lifetime)."""
    cache = path.__dict__.setdefault("_access_by_user", {})
    if user.pk not in cache:
        fetched = memo(user).get("access_fetched")  # computed by fetch_path a moment ago for this path
        cache[user.pk] = fetched[1] if fetched and str(fetched[0]) == str(path.pk) else _compute_access(user, path)
    return cache[user.pk]


def _compute_access(user, path):
    return _access_by_pk(user, path.pk, closed=not path.is_open)


def _access_by_pk(user, path_id, closed=True, fresh=False):
    """The Access to the path of this primary key (``closed`` False skips the archive check: an archive
    access is only to a closed path). Inside a request, from the seats the request has read (``my_seats``,
    one query for the whole page); outside, or ``fresh`` (a service that has just given seats and writes
    from them before its write is counted), one query, two for a closed path without a seat."""
    if not user.is_authenticated:
        return Access()
    known = None if fresh else my_seats(user)
    if known is not None:
        seats, archive = known.access(path_id)
    else:
        seats = [Seat(*row) for row in seats_in_force().filter(user=user, path_id=path_id).values_list(*SEAT_FIELDS)]
        archive = not seats and closed and archive_accesses_in_force(user).filter(path_id=path_id).exists()
    health = {m.institution_id for m in user.current_memberships if m.role in HEALTH_ROLES}
    clinical = any(
        seat.team_role in CLINICAL_TEAM_ROLES
        and seat.institution_kind == Institution.Kind.AUSL
        and seat.institution_id in health
        for seat in seats
    )
    return Access(seats=seats, archive=archive, clinical=clinical)


def _audience(access):
    """What the audience rules need of an Access: the variant (the audiences it reads, sorted, and whether it
    has the team's view) and the ids the narrowed audiences compare with (none where they are not asked)."""
    audiences = access.audiences()
    variant = (tuple(sorted(audiences)), access.team_view)
    institutions = sorted(access.institutions) if Note.Audience.INSTITUTION in audiences else []
    schools = sorted(access.schools) if Note.Audience.SCHOOL in audiences and not access.team_view else []
    return variant, institutions, schools


def _audience_q(variant, institutions, schools, institution_field, school_field):
    """Notes and timeline entries share the audience rules. ``institution_field`` names the institution an
    "institution" audience refers to, ``school_field`` the school a "school" audience is shared with."""
    audiences, team_view = variant
    visible = Q(audience__in=[a for a in audiences if a not in (Note.Audience.INSTITUTION, Note.Audience.SCHOOL)])
    if Note.Audience.INSTITUTION in audiences:
        visible |= Q(audience=Note.Audience.INSTITUTION, **{f"{institution_field}__in": institutions})
    if Note.Audience.SCHOOL in audiences:
        school = Q(audience=Note.Audience.SCHOOL)
        if not team_view:
            school &= Q(**{f"{school_field}__in": schools})
        visible |= school
    return visible


def _audience_filter(access, institution_field, school_field):
    return _audience_q(*_audience(access), institution_field, school_field)


def _notes(day, variant, path_id, institutions, schools):
    return (
        Note.objects.filter(path_id=path_id)
        .filter(_audience_q(variant, institutions, schools, "author_institution", "school"))
        .select_related("author", "author_institution", "school")
        .order_by("-created_at")
    )


def _timeline(day, variant, path_id, institutions, schools):
    return (
        PathEvent.objects.filter(path_id=path_id)
        .filter(_audience_q(variant, institutions, schools, "institution", "institution"))
        .select_related("actor")
        .order_by("-occurred_at", "-id")
    )


# The latest notes and timeline entries of the path page's sections, compiled once a day for each variant of the
# audience rules (core.frozen).
SECTION_ROWS = 50
_AUDIENCE_VARIABLES = {"path_id": uuid.UUID, "institutions": [int], "schools": [int]}
_LATEST_NOTES = FrozenQuery("cases.latest_notes", lambda *a, **k: _notes(*a, **k)[:SECTION_ROWS], _AUDIENCE_VARIABLES)
_LATEST_EVENTS = FrozenQuery(
    "cases.latest_events", lambda *a, **k: _timeline(*a, **k)[:SECTION_ROWS], _AUDIENCE_VARIABLES
)


def latest_notes(user, path):
    """The path's latest notes the user may read (the audience rules, ``_audience_q``), newest first."""
    variant, institutions, schools = _audience(access_to(user, path))
    notes = _LATEST_NOTES.rows(variant=variant, path_id=path.pk, institutions=institutions, schools=schools)
    return with_parent(notes, "path", path)


def latest_events(user, path):
    """The path's latest timeline entries the user may read (the audience rules, ``_audience_q``), newest
    first."""
    variant, institutions, schools = _audience(access_to(user, path))
    return _LATEST_EVENTS.rows(variant=variant, path_id=path.pk, institutions=institutions, schools=schools)


def _team_of(day, path_id):
    return (
        TeamMember.objects.filter(path_id=path_id)
        .select_related("user", "institution")
        .order_by("ended_at", "team_role")
    )


def _consents_of(day, path_id):
    return (
        ConsentItem.objects.filter(path_id=path_id).select_related("institution").order_by("withdrawn_on", "given_on")
    )


def _open_tasks_of_path(day, path_id):
    from .models import Task

    return Task.objects.filter(path_id=path_id, done_on__isnull=True).select_related("assignee")


# What the path page's sections list, compiled once a day (core.frozen).
_TEAM = FrozenQuery("cases.team", _team_of, {"path_id": uuid.UUID})
_CONSENTS = FrozenQuery("cases.consents", _consents_of, {"path_id": uuid.UUID})
_OPEN_TASKS = FrozenQuery("cases.open_tasks_of_path", _open_tasks_of_path, {"path_id": uuid.UUID})


def team_of(path):
    """The path's team, current seats first, then by team role (ended seats too: the team's history)."""
    return with_parent(_TEAM.rows(path_id=path.pk), "path", path)


def consents_of(path):
    """The family's consents to share with schools, those in force first."""
    return with_parent(_CONSENTS.rows(path_id=path.pk), "path", path)


def open_tasks_of_path(path):
    return with_parent(_OPEN_TASKS.rows(path_id=path.pk), "path", path)


def school_consents(path):
    """The schools the family agrees to share with, now."""
    return Institution.objects.filter(pk__in=ConsentItem.objects.in_force().filter(path=path).values("institution"))


def team_completeness(members):
    """Which of the core professions are in the team now (national data show they are often missing)."""
    roles = {m.team_role for m in members if m.is_current}
    R = TeamMember.TeamRole
    return {
        "social_worker": bool(roles & {R.CASE_MANAGER, R.SOCIAL_WORKER}),
        "educator": R.EDUCATOR in roles,
        "psychologist": bool(roles & {R.PSYCHOLOGIST, R.CHILD_NEUROPSYCHIATRIST}),
        "teacher": bool(roles & {R.TEACHER, R.EDUCATIONAL_STAFF}),
    }


def my_paths(user, **filters):
    """The paths the user may see (``paths_visible_to``), narrowed by ``filters`` (``filter_paths``), in
    the order a case manager works: open paths by PIPPI's phase, then by the next date due (an open task
    or a plan action), then by the last change; closed paths last. A fixed number of queries."""
    from django.db.models import Case, F, IntegerField, Value, When

    phase = Case(
        *[When(state=state, then=Value(index)) for index, state in enumerate(PHASE_ORDER)], output_field=IntegerField()
    )
    return (
        filter_paths(user, paths_visible_to(user), **filters)
        .annotate(phase=phase, next_due=_next_due())
        .select_related("family", "cohort")
        .prefetch_related("family__members")
        .order_by("phase", F("next_due").asc(nulls_last=True), "-updated_at", "pk")
    )


# --- Assessments --------------------------------------------------------------------------------


def assessment_progress(path, children):
    """(time points done, drafts) in one query. Done: the team has completed the assessment of every
    child of the family at that time point. Drafts: (child, time point, rater) of the assessments of
    these children saved as drafts, to be completed."""
    rated, drafts = {}, []
    by_pk = {child.pk: child for child in children}
    for child_id, time_point, rater, complete in path.assessments.values_list(
        "child_id", "time_point", "rater", "is_complete"
    ).order_by("time_point", "rater"):
        if not complete:
            if child_id in by_pk:
                drafts.append((by_pk[child_id], time_point, rater))
        elif rater == "team":
            rated.setdefault(time_point, set()).add(child_id)
    wanted = set(by_pk)
    return {tp for tp, ids in rated.items() if wanted and wanted <= ids}, drafts


def done_time_points(path, children):
    """Time points at which the team has completed the assessment of every child of the family."""
    return assessment_progress(path, children)[0]


def _mean(values):
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 1) if present else None


def comparison(path, child, framework):
    """Each sub-dimension and each side at T0, T1, T2, by the team and by the family, with the change
    from the first to the last time point the team rated. Complete assessments only: drafts are not
    counted until they are completed, and are listed apart (``drafts``). Three queries, whatever the data."""
    from .models import Assessment, Side, TimePoint

    values, drafts = {}, []
    for assessment in Assessment.objects.filter(path=path, child=child).prefetch_related("ratings"):
        if not assessment.is_complete:
            drafts.append(assessment)
            continue
        values[(assessment.time_point, assessment.rater)] = {
            r.subdimension_id: r.value for r in assessment.ratings.all()
        }
    columns = [(tp, rater) for tp in TimePoint.values for rater in ("team", "family")]
    sides = []
    for side in Side.objects.filter(framework=framework).prefetch_related("subdimensions"):
        rows = []
        for sub in side.subdimensions.all():
            cells = [values.get(column, {}).get(sub.pk) for column in columns]
            team = [values.get((tp, "team"), {}).get(sub.pk) for tp in TimePoint.values]
            rated = [v for v in team if v is not None]
            change = rated[-1] - rated[0] if len(rated) > 1 else None
            rows.append({"subdimension": sub, "cells": cells, "change": change})
        means = [_mean([values.get(column, {}).get(sub.pk) for sub in side.subdimensions.all()]) for column in columns]
        sides.append({"side": side, "rows": rows, "means": means})
    return {
        "columns": columns,
        "sides": sides,
        "present": sorted(values),
        "drafts": sorted(drafts, key=lambda a: (a.time_point, a.rater)),
    }


def comparison_chart(data, framework):
    """The figures of ``comparison`` for its radar chart (the table beside it shows the same): one dataset
    per time point and rater with ratings, and the framework's scale (its lowest and highest values, so that
    the chart and the page's words follow the framework's data). One query."""
    from django.db.models import Max, Min

    from .models import Assessment, ScaleLevel

    scale = ScaleLevel.objects.filter(framework=framework).aggregate(min=Min("value"), max=Max("value"))
    rows = [row for side in data["sides"] for row in side["rows"]]
    return {
        "labels": [str(row["subdimension"]) for row in rows],
        "datasets": [
            {"label": f"{tp} · {Assessment.Rater(rater).label}", "data": [row["cells"][index] for row in rows]}
            for index, (tp, rater) in enumerate(data["columns"])
            if (tp, rater) in data["present"]
        ],
        "scale": scale,
    }


def _managed_paths(day, path_ids):
    return Path.objects.filter(
        pk__in=path_ids, state__in=[Path.State.ASSESSMENT, Path.State.INTERVENTION]
    ).select_related("family", "cohort")


def _children_of(day, family_ids):
    return (
        Person.objects.filter(family_id__in=family_ids, kind=Person.Kind.CHILD)
        .order_by()
        .values_list("family_id", "pk")
    )


def _rated_in(day, path_ids):
    from .models import Assessment

    return (
        Assessment.objects.filter(path_id__in=path_ids, rater="team", is_complete=True)
        .order_by()
        .values_list("path_id", "child_id", "time_point")
    )


# The case manager's time points on the home page, in a request: compiled once a day (core.frozen).
_MANAGED_PATHS = FrozenQuery("cases.managed_paths", _managed_paths, {"path_ids": [uuid.UUID]})
_CHILDREN_OF = FrozenQuery("cases.children_of", _children_of, {"family_ids": [uuid.UUID]})
_RATED_IN = FrozenQuery("cases.rated_in", _rated_in, {"path_ids": [uuid.UUID]})


def time_points_needing_attention(user, today=None):
    """(path, Due) for the time points overdue or due soon in the paths the user manages as case
    manager. Three queries whatever the number of paths (in a request, three frozen statements on the
    paths of the user's case manager seats)."""
    known = my_seats(user)
    if known is not None:
        paths = _MANAGED_PATHS.rows(path_ids=known.seat_path_ids(TeamMember.TeamRole.CASE_MANAGER))
        families = {path.family_id for path in paths}
        return _due_in(
            paths,
            _CHILDREN_OF.rows(family_ids=families) if families else [],
            _RATED_IN.rows(path_ids=[path.pk for path in paths]) if paths else [],
            today,
        )
    managed = Exists(
        seats_in_force().filter(path=OuterRef("pk"), user=user, team_role=TeamMember.TeamRole.CASE_MANAGER)
    )
    paths = (
        paths_visible_to(user)
        .filter(managed, state__in=[Path.State.ASSESSMENT, Path.State.INTERVENTION])
        .select_related("family", "cohort")
    )
    return time_points_due_in(paths, today)


def time_points_due_in(paths, today=None):
    """(path, Due) for the time points overdue or due soon of ``paths`` (a queryset of paths with their
    family and cohort), soonest first. Three queries whatever the number of paths."""
    from .models import Assessment

    paths = list(paths)
    children = Person.objects.filter(family__in=[p.family_id for p in paths], kind=Person.Kind.CHILD).values_list(
        "family_id", "pk"
    )
    rated = Assessment.objects.filter(path__in=paths, rater="team", is_complete=True).values_list(
        "path_id", "child_id", "time_point"
    )
    return _due_in(paths, children, rated, today)


def _due_in(paths, children_rows, rated_rows, today):
    """``time_points_due_in`` from the paths, their children (family, child) and the team's complete
    assessments (path, child, time point)."""
    from .models import TimePoint
    from .schedule import time_points

    children = {}
    for family_id, child_id in children_rows:
        children.setdefault(family_id, set()).add(child_id)
    rated = {}
    for path_id, child_id, time_point in rated_rows:
        rated.setdefault((path_id, time_point), set()).add(child_id)
    result = []
    for path in paths:
        wanted = children.get(path.family_id, set())
        done = {tp for tp in TimePoint.values if wanted and wanted <= rated.get((path.pk, tp), set())}
        result += [(path, due) for due in time_points(path, done, today) if due.status in ("overdue", "due")]
    return sorted(result, key=lambda item: item[1].due_on)


# --- The plan -------------------------------------------------------------------------------------

REQUIRED_AREAS = ("psychological", "educational", "social")


def _plan_goals(day, path_id):
    from .models import PlanGoal

    return PlanGoal.objects.filter(path_id=path_id).select_related("subdimension__side")


def _plan_actions(day, goal_ids):
    from .models import PlanAction

    return PlanAction.objects.filter(goal_id__in=goal_ids).select_related("person", "professional", "institution")


def _removed_actions(day, path_id):
    from .models import PlanAction

    return (
        PlanAction.with_removed.filter(goal__path_id=path_id, removed_at__isnull=False)
        .select_related("goal__subdimension", "removed_by", "person", "professional", "institution")
        .order_by("-removed_at")
    )


# The plan page's reads, compiled once a day (core.frozen): its goals, their actions, the actions removed.
_PLAN_GOALS = FrozenQuery("cases.plan_goals", _plan_goals, {"path_id": uuid.UUID})
_PLAN_ACTIONS = FrozenQuery("cases.plan_actions", _plan_actions, {"goal_ids": [int]})
_REMOVED_ACTIONS = FrozenQuery("cases.removed_actions", _removed_actions, {"path_id": uuid.UUID})


def plan_of(path):
    """The goals (in the model's order) with their actions (``goal.actions.all()``, in theirs) and who does
    them: two statements compiled once a day, as the ORM's ``prefetch_related`` reads them
    (``tests/test_plan.py`` compares the two)."""
    goals = _PLAN_GOALS.rows(path_id=path.pk)
    actions = {}
    for action in _PLAN_ACTIONS.rows(goal_ids=[goal.pk for goal in goals]):
        actions.setdefault(action.goal_id, []).append(action)
    for goal in goals:
        goal.path = path
        set_prefetched(goal, "actions", actions.get(goal.pk, []))
    return goals


def removed_actions(path):
    """The actions taken out of the plan, latest first, with who removed them: the plan's history."""
    return _REMOVED_ACTIONS.rows(path_id=path.pk)


def missing_areas(goals):
    """Each family's plan has at least one psychological, one educational and one social action."""
    present = {action.area for goal in goals for action in goal.actions.all()}
    return [area for area in REQUIRED_AREAS if area not in present]


def actions_for_schools(path, schools):
    """The actions assigned to the given schools (what a school seat sees of the plan)."""
    from .models import PlanAction

    return (
        PlanAction.objects.filter(goal__path=path, institution__in=schools)
        .select_related("goal__subdimension", "person", "professional")
        .order_by("deadline")
    )


# --- Dispositivi and volunteers ----------------------------------------------------------------------


def _devices(day, variant, path_id, schools):
    from django.db.models import Count

    from .models import DeviceActivation

    devices = (
        DeviceActivation.objects.filter(path_id=path_id)
        .select_related("device_type", "provider", "responsible", "school", "volunteer")
        .annotate(
            sessions_held=Count("sessions"), sessions_attended=Count("sessions", filter=Q(sessions__attended=True))
        )
        .order_by("starts_on")
    )
    team_view = variant
    if not team_view:
        devices = devices.filter(school__in=schools)
    return devices


# The path page's devices section: compiled once a day for the team's view and for a school's (core.frozen).
_DEVICES = FrozenQuery("cases.devices", _devices, {"path_id": uuid.UUID, "schools": [int]})


def devices_of(path, user):
    """The devices activated for the family; a school seat sees the partnership with its school."""
    access = access_to(user, path)
    schools = [] if access.team_view else sorted(access.schools)
    return with_parent(_DEVICES.rows(variant=access.team_view, path_id=path.pk, schools=schools), "path", path)


def acting_in_standing(user, roles):
    """The acting membership if its role is one of ``roles`` and its institution is in standing: for the
    district-wide screens that are not about one path (registers, cohorts, opening a path)."""
    membership = user.acting_membership if user.is_authenticated else None
    if membership is None or membership.role not in roles:
        return None
    return membership if membership.institution_id in institutions_in_standing_of(user) else None


def volunteers_visible_to(user):
    """The register of volunteers: the district's social workers and the pact coordinator, in standing."""
    from .models import Volunteer

    membership = acting_in_standing(user, (Role.SOCIAL_WORKER, Role.PACT_COORDINATOR))
    if membership is None:
        return Volunteer.objects.none()
    return Volunteer.objects.filter(district_id=membership.institution.district_id)


# --- Meetings and tasks ----------------------------------------------------------------------------


def meetings_of(path, user):
    """The path's meetings; a school seat sees only those its holder attends."""
    from .models import Meeting

    meetings = Meeting.objects.filter(path=path).prefetch_related("participants", "family_participants")
    if not access_to(user, path).team_view:
        meetings = meetings.filter(participants=user)
    return meetings.order_by("-held_at")


def _meetings(day, path_id, user_id=None):
    from .models import Meeting

    meetings = Meeting.objects.filter(path_id=path_id)
    if user_id is not None:
        meetings = meetings.filter(participants=user_id)
    return meetings.order_by("-held_at")[:MEETINGS_SHOWN]


def _meeting_professionals(day, meeting_ids):
    from .models import Meeting

    return Meeting.participants.through.objects.filter(meeting_id__in=meeting_ids).select_related("user").order_by("pk")


def _meeting_family(day, meeting_ids):
    from .models import Meeting

    # As prefetch_related gives them: in the people's own order (kind, date of birth).
    return (
        Meeting.family_participants.through.objects.filter(meeting_id__in=meeting_ids)
        .select_related("person")
        .order_by(*[f"person__{name}" for name in Person._meta.ordering], "pk")
    )


# The path page's meetings section, the team's view and a school seat's, and the meetings' participants
# (in place of prefetch_related, whose queries are compiled at every use): compiled once a day (core.frozen).
MEETINGS_SHOWN = 20
_MEETINGS = FrozenQuery("cases.meetings", _meetings, {"path_id": uuid.UUID})
_MEETINGS_ATTENDED = FrozenQuery("cases.meetings_attended", _meetings, {"path_id": uuid.UUID, "user_id": uuid.UUID})
_MEETING_PROFESSIONALS = FrozenQuery("cases.meeting_professionals", _meeting_professionals, {"meeting_ids": [int]})
_MEETING_FAMILY = FrozenQuery("cases.meeting_family", _meeting_family, {"meeting_ids": [int]})


def latest_meetings(path, user):
    """The path's latest meetings (``meetings_of``), with their participants (``meeting.participants.all()``
    and ``meeting.family_participants.all()`` answer without a query)."""
    if access_to(user, path).team_view:
        meetings = _MEETINGS.rows(path_id=path.pk)
    else:
        meetings = _MEETINGS_ATTENDED.rows(path_id=path.pk, user_id=user.pk)
    if meetings:
        ids = [meeting.pk for meeting in meetings]
        professionals, family = {}, {}
        for row in _MEETING_PROFESSIONALS.rows(meeting_ids=ids):
            professionals.setdefault(row.meeting_id, []).append(row.user)
        for row in _MEETING_FAMILY.rows(meeting_ids=ids):
            family.setdefault(row.meeting_id, []).append(row.person)
        for meeting in meetings:
            set_prefetched(meeting, "participants", professionals.get(meeting.pk, []))
            set_prefetched(meeting, "family_participants", family.get(meeting.pk, []))
    return with_parent(meetings, "path", path)


def open_tasks_of(user):
    """The user's open tasks in paths they may still see, soonest first."""
    from .models import Task

    return (
        Task.objects.filter(assignee=user, done_on__isnull=True, path__in=paths_visible_to(user))
        .select_related("path__family")
        .order_by("due_on")
    )


def cohorts_visible_to(user):
    """The district's cohorts, with the number of paths in each (no personal data)."""
    from django.db.models import Count

    from .models import Cohort

    membership = acting_in_standing(user, (Role.SOCIAL_WORKER, Role.PACT_COORDINATOR))
    if membership is None:
        return Cohort.objects.none()
    return (
        Cohort.objects.filter(district_id=membership.institution.district_id)
        .annotate(path_count=Count("paths"))
        .order_by("-start_date")
    )


def families_in_path(scope):
    """Families of the pact's district with the family's agreement in force at some point in the period:
    signed on or before its last day, and the path not closed before its first day (the dates of the domain,
    not of the records: a path entered later still counts from its agreement; one still at the signal or
    the pre-assessment does not count). A subquery for the pact's computed indicators (``scope``: see
    ``governance.indicators``); an aggregate shown outside the case team, so it is registered with
    ``suppress_small`` (None = "< 5")."""
    paths = Path.objects.filter(family__district_id=scope.district_id, agreement__signed_on__lte=scope.ends_on).filter(
        Q(closed_on__isnull=True) | Q(closed_on__gte=scope.starts_on)
    )
    return count_of(paths, "family", distinct=True)


# --- Fetching a path for a request: authorise, then log the read ----------------------------------------


def _path(day, path_id):
    return Path.objects.filter(pk=path_id).select_related("family", "cohort", "signal_source", "outcome", "agreement")


def _family_members(day, family_id):
    return Person.objects.filter(family_id=family_id).select_related("school", "school_site")


# The path and its family's members, as every page of the path fetches them: compiled once a day (core.frozen).
_PATH = FrozenQuery("cases.path", _path, {"path_id": uuid.UUID})
_FAMILY_MEMBERS = FrozenQuery("cases.family_members", _family_members, {"family_id": uuid.UUID})


def fetch_path(user, pk, perm="cases.view_path", *, action="cases.path.viewed", purpose=""):
    """The one way a view, an export or the API gets a path: from ``paths_visible_to`` (not visible →
    404, as if missing), then ``perm`` (→ 403), both refusals audited; then the read is logged with the
    family's members as the people concerned, before any of the path's data is returned (fail closed:
    if the row cannot be written, AuditUnavailable stops the request). The family's members come with the
    path (``path.family.members.all()``, with their school and plesso)."""
    from patto.audit.services import record_access
    from patto.core.shortcuts import check_object_for

    # Visible = a seat in force or an archive access (``paths_visible_to``), asked for this path alone: the
    # user's Access to it decides, and is kept on the path for the permission checks of this request.
    access = _access_by_pk(user, pk)
    found = _PATH.rows(path_id=pk) if access.any else []
    memo(user)["access_fetched"] = (pk, access)  # for the permission check, just below
    try:
        path = check_object_for(user, perm, Path, found[0] if found else None, pk=pk)
    finally:
        memo(user).pop("access_fetched", None)
    set_prefetched(path.family, "members", _FAMILY_MEMBERS.rows(family_id=path.family_id))
    if access.archive and not purpose:
        purpose = "archive"
    # What is done in this request on this path is done from the seat (not the role chosen in the header):
    # the trail records that seat's institution and role, so the district's DPO finds it.
    user.audit_as(seat_membership(user, path))
    record_access(actor=user, action=action, obj=path, subjects=list(path.family.members.all()), purpose=purpose)
    return path


def seat_membership(user, path):
    """The membership behind the user's access to the path: the one that fits their writing seat, or the
    social worker's membership they opened an archive access from."""
    access = access_to(user, path)
    seat = access.writing_seat
    if seat is not None:
        roles = TEAM_ROLE_FIT[seat.team_role]
        return next(
            (m for m in user.current_memberships if m.institution_id == seat.institution_id and m.role in roles), None
        )
    archive = archive_accesses_in_force(user).filter(path=path).order_by("-granted_at").first()
    if archive is not None:
        return next(
            (
                m
                for m in user.current_memberships
                if m.institution_id == archive.institution_id and m.role == Role.SOCIAL_WORKER
            ),
            None,
        )
    return None


def _families_people(day, family_ids):
    return Person.objects.filter(family_id__in=family_ids).order_by().values_list("family_id", "pk")


# The people concerned by a list's read: compiled once a day (core.frozen).
_FAMILIES_PEOPLE = FrozenQuery("cases.families_people", _families_people, {"family_ids": [uuid.UUID]})


def members_of_families(family_ids):
    """{family id: [(kind, id) of each member]}: the people concerned by a read of these families' paths, for
    the trail (``audit.services.PeopleBy``: the reads of one page logged together are looked up in one query)."""
    kind = Person._meta.model_name  # as audit.services.subject_ref names a Person
    members = {}
    for family_id, pk in _FAMILIES_PEOPLE.rows(family_ids=family_ids):
        members.setdefault(family_id, []).append((kind, str(pk)))
    return members


def log_read(user, action, paths):
    """Log the read of what a list shows about these paths (references, tasks, names): one access row, the
    families' members as the people concerned (looked up when the row is written, with those of the page's
    other lists: ``audit.services.PeopleBy``). Nothing is logged for an empty list."""
    from patto.audit.services import PeopleBy, record_access

    family_ids = frozenset(path.family_id for path in paths)
    if family_ids:
        record_access(actor=user, action=action, subjects=[PeopleBy(members_of_families, family_ids)])


def _open_tasks_in(day, variant, user_id, path_ids):
    """``open_tasks_of`` inside a request (the paths the user sees, read with the seats): the first ``variant``
    tasks (an integer), or their number when ``variant`` is "count"."""
    from django.db.models import Count

    from .models import Task

    tasks = Task.objects.filter(assignee_id=user_id, done_on__isnull=True, path_id__in=path_ids)
    if variant == "count":
        return tasks.order_by().values("assignee_id").annotate(n=Count("pk")).values_list("n", flat=True)
    return tasks.select_related("path__family").order_by("due_on")[:variant]


# The home page's card of open tasks: compiled once a day (core.frozen).
_OPEN_TASKS_IN = FrozenQuery("cases.open_tasks_in", _open_tasks_in, {"user_id": uuid.UUID, "path_ids": [uuid.UUID]})


def read_open_tasks(user, limit=8):
    """The user's open tasks for the home page, the read logged."""
    known = my_seats(user)
    if known is None or not isinstance(limit, int):
        tasks = list(open_tasks_of(user)[:limit])
    else:
        tasks = _OPEN_TASKS_IN.rows(variant=limit, user_id=user.pk, path_ids=known.path_ids())
    log_read(user, "cases.tasks.listed", [task.path for task in tasks])
    return tasks


def read_time_points_due(user):
    """The case manager's time points needing attention, the read logged."""
    items = time_points_needing_attention(user)
    log_read(user, "cases.time_points.listed", [path for path, _due in items])
    return items


def search_people(user, query, limit=50):
    """People the user may see whose name or codice fiscale matches every term, with the paths the user may
    open; the read (names, dates of birth) logged with the people found as the people concerned."""
    from django.db.models import Prefetch

    from patto.audit.services import record_access

    people = people_visible_to(user)
    for term in query.split():
        people = people.filter(
            Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(fiscal_code=term.upper())
        )
    people = people.select_related("family").order_by("last_name", "first_name")
    # Only the paths the user may open: a family can have an older path whose team they were not in.
    known = my_seats(user)
    if known is None:  # outside a request: the visibility as a subquery
        visible_paths = Prefetch("family__paths", queryset=paths_visible_to(user).select_related("cohort"))
        results = list(people.prefetch_related(visible_paths)[:limit])
    else:  # the same paths, by a statement compiled once a day on the seats read in this request
        results = list(people[:limit])
        paths = defaultdict(list)
        families = sorted({person.family_id for person in results})
        for path in _VISIBLE_PATHS_OF_FAMILIES.rows(family_ids=families, path_ids=known.path_ids()):
            paths[path.family_id].append(path)
        for person in results:
            set_prefetched(person.family, "paths", paths[person.family_id])
    record_access(actor=user, action="cases.person.searched", subjects=results)
    return results


def _visible_paths_of_families(day, family_ids, path_ids):
    return Path.objects.filter(pk__in=path_ids, family_id__in=family_ids).select_related("cohort")


_VISIBLE_PATHS_OF_FAMILIES = FrozenQuery(
    "cases.visible_paths_of_families", _visible_paths_of_families, {"family_ids": [uuid.UUID], "path_ids": [uuid.UUID]}
)


# --- Lists: the path list and the home page's lists, each with the full page behind its card ---------------

# PIPPI's phases in their order: the list shows a new signal first and closed paths last.
PHASE_ORDER = (
    Path.State.SIGNAL,
    Path.State.PRE_ASSESSMENT,
    Path.State.AGREEMENT,
    Path.State.ASSESSMENT,
    Path.State.INTERVENTION,
    Path.State.CLOSED,
)
_PHASE_INDEX = {state: index for index, state in enumerate(PHASE_ORDER)}


def _next_due(day=None):
    """The path's next date: the team's first open task (overdue ones included) or the plan's next action
    deadline from today (``day``), whichever comes first (NULL when there is neither)."""
    from django.db.models import Subquery

    from .models import PlanAction, Task

    task = Subquery(
        Task.objects.filter(path=OuterRef("pk"), done_on__isnull=True).order_by("due_on").values("due_on")[:1]
    )
    action = Subquery(
        PlanAction.objects.filter(goal__path=OuterRef("pk"), deadline__gte=day or timezone.localdate())
        .order_by("deadline")
        .values("deadline")[:1]
    )
    return _Soonest(task, action)


class _Soonest(Least):
    """The earlier of two values either of which may be NULL: the other one then, NULL when both are.
    PostgreSQL's LEAST ignores NULLs, so each side (a subquery) runs once a row; SQLite's MIN does not, so there
    each side is coalesced with the other (each subquery twice): the same answer on both."""

    def as_sqlite(self, compiler, connection, **extra_context):
        from django.db.models.functions import Coalesce

        first, second = self.get_source_expressions()
        return Least(Coalesce(first, second), Coalesce(second, first)).as_sqlite(compiler, connection, **extra_context)


def filter_paths(user, paths, *, state="", cohort=None, status="", mine="", reference=""):
    """Narrow ``paths`` (already what the user may see) by the list's filters: a phase, a cohort, open or
    closed, the paths where the user is the case manager ("case_manager") or holds any seat ("team"), and
    part of the family's reference."""
    if state:
        paths = paths.filter(state=state)
    if cohort is not None:
        paths = paths.filter(cohort=cohort)
    if status == "open":
        paths = paths.exclude(state=Path.State.CLOSED)
    elif status == "closed":
        paths = paths.filter(state=Path.State.CLOSED)
    if mine:
        known = my_seats(user)
        if known is not None:
            role = TeamMember.TeamRole.CASE_MANAGER if mine == "case_manager" else None
            paths = paths.filter(pk__in=known.seat_path_ids(role))
        else:
            seats = seats_in_force().filter(user=user)
            if mine == "case_manager":
                seats = seats.filter(team_role=TeamMember.TeamRole.CASE_MANAGER)
            paths = paths.filter(pk__in=seats.values("path_id"))
    if reference:
        paths = paths.filter(family__reference__icontains=reference.strip())
    return paths


def _listed(day, path_ids):
    return (
        Path.objects.filter(pk__in=path_ids)
        .annotate(next_due=_next_due(day))
        .order_by()
        .values_list(
            "pk",
            "state",
            "cohort_id",
            "family__reference",
            "next_due",
            "updated_at",
            "cohort__name",
            "cohort__start_date",
        )
    )


def _listed_paths(day, path_ids):
    return Path.objects.filter(pk__in=path_ids).select_related("family", "cohort").order_by()


def _listed_members(day, family_ids):
    return Person.objects.filter(family_id__in=family_ids)


# The path list in a request (``PathListing``): compiled once a day (core.frozen).
_LISTED = FrozenQuery("cases.listed", _listed, {"path_ids": [uuid.UUID]})
_LISTED_PATHS = FrozenQuery("cases.listed_paths", _listed_paths, {"path_ids": [uuid.UUID]})
_LISTED_MEMBERS = FrozenQuery("cases.listed_members", _listed_members, {"family_ids": [uuid.UUID]})


class PathListing:
    """The path list of one request: the paths the user may see, filtered and in working order (as
    ``my_paths``), a page of them with their families' members, and the cohorts to filter by.

    Inside a request the user's paths are known (``my_seats``): one frozen statement reads, for each of
    them, what orders and filters it (phase, cohort, reference, next date due, last change); the filters
    and the order are applied here, and the page's paths are read by key. Outside a request the ORM's
    queries (``my_paths``) do the same. ``tests/test_path_listing.py`` checks one against the other."""

    def __init__(self, user):
        self.user = user
        known = my_seats(user)
        self.rows = None if known is None else _LISTED.rows(path_ids=known.path_ids())
        self.known = known

    def cohorts(self):
        """The cohorts of the paths the user may see (the filter's choices), as ``cohorts_of_visible_paths``."""
        if self.rows is None:
            return cohorts_of_visible_paths(self.user)
        from .models import Cohort

        ids = sorted({row[2] for row in self.rows if row[2] is not None})
        return Cohort.objects.filter(pk__in=ids).order_by("-start_date", "name")

    def cohort_choices(self):
        """The cohorts as the filter's options, (id, name) in ``cohorts``' order (newest first; cohorts that
        start on the same day by name, compared as Python compares text, not by the database's collation), from
        the rows already read; None outside a request (the select then reads ``cohorts``)."""
        if self.rows is None:
            return None
        cohorts = sorted({(row[2], row[6], row[7]) for row in self.rows if row[2] is not None}, key=lambda c: c[1])
        cohorts.sort(key=lambda cohort: cohort[2], reverse=True)
        return [(pk, name) for pk, name, _start in cohorts]

    def ordered_ids(self, *, state="", cohort=None, status="", mine="", reference=""):
        """The ids of the paths that pass the filters (as ``filter_paths``), in the order of ``my_paths``."""
        rows = self.rows
        if state:
            rows = [row for row in rows if row[1] == state]
        if cohort is not None:
            rows = [row for row in rows if row[2] == cohort.pk]
        if status == "open":
            rows = [row for row in rows if row[1] != Path.State.CLOSED]
        elif status == "closed":
            rows = [row for row in rows if row[1] == Path.State.CLOSED]
        if mine:
            role = TeamMember.TeamRole.CASE_MANAGER if mine == "case_manager" else None
            seated = set(self.known.seat_path_ids(role))
            rows = [row for row in rows if row[0] in seated]
        if reference:
            needle = reference.strip().casefold()
            rows = [row for row in rows if needle in row[3].casefold()]
        # my_paths' order, its last key first (Python's sort is stable): the key, the last change newest
        # first, then the phase and the next date due (none last).
        rows = sorted(rows, key=lambda row: row[0])
        rows.sort(key=lambda row: row[5], reverse=True)
        rows.sort(key=lambda row: (_PHASE_INDEX.get(row[1], len(PHASE_ORDER)), row[4] is None, row[4] or date.min))
        return [row[0] for row in rows]

    def page(self, filters, number):
        """The page ``number`` of the filtered list, its paths with their family, cohort, members and
        ``next_due``."""
        from django.conf import settings
        from django.core.paginator import Paginator

        if self.rows is None:
            return Paginator(my_paths(self.user, **filters), settings.PATTO_PAGE_SIZE).get_page(number)
        page = Paginator(self.ordered_ids(**filters), settings.PATTO_PAGE_SIZE).get_page(number)
        ids = list(page.object_list)
        found = {path.pk: path for path in _LISTED_PATHS.rows(path_ids=ids)} if ids else {}
        paths = [found[pk] for pk in ids if pk in found]
        members = {}
        if paths:
            for person in _LISTED_MEMBERS.rows(family_ids={path.family_id for path in paths}):
                members.setdefault(person.family_id, []).append(person)
        next_due = {row[0]: row[4] for row in self.rows}
        for path in paths:
            path.next_due = next_due[path.pk]
            set_prefetched(path.family, "members", members.get(path.family_id, []))
        page.object_list = paths
        return page


def cohorts_of_visible_paths(user):
    """The cohorts the user's visible paths belong to: the path list's cohort filter offers these."""
    from .models import Cohort

    return Cohort.objects.filter(pk__in=paths_visible_to(user).values("cohort_id")).order_by("-start_date", "name")


def read_path_page(user, page):
    """Log the read of a page of the path list (references, children's names and ages) with the families'
    members as the people concerned, and give each path its ``children`` for the list."""
    from patto.audit.services import record_access

    people = []
    for path in page:
        members = list(path.family.members.all())
        path.children = [person for person in members if person.kind == Person.Kind.CHILD]
        people += members
    record_access(actor=user, action="cases.path.listed", subjects=people)
    return page


def count_open_tasks(user):
    known = my_seats(user)
    if known is None:
        return open_tasks_of(user).count()
    return sum(_OPEN_TASKS_IN.rows(variant="count", user_id=user.pk, path_ids=known.path_ids()))


def read_task_page(user, page):
    """Log the read of a page of the user's open tasks (family references, what to do)."""
    log_read(user, "cases.tasks.listed", [task.path for task in page])
    return page


def actions_assigned_to(user):
    """The plan actions assigned to the user as the professional who does them, in the open paths where the
    user may read them: a full seat sees the whole plan; a school seat only the actions assigned to its
    school (what is shared with it). Soonest deadline first."""
    from django.db.models import BooleanField, ExpressionWrapper

    from .models import PlanAction

    known = my_seats(user)
    if known is not None:  # the seats read once in this request
        full_ids = [seat[0] for seat in known.seats if seat[2] not in SCHOOL_KINDS]
        team_view = ExpressionWrapper(Q(goal__path_id__in=full_ids), output_field=BooleanField()) if full_ids else None
        school = Q(pk__in=[])
        for path_id, institution_id, kind, _role in known.seats:
            if kind in SCHOOL_KINDS:
                school |= Q(goal__path_id=path_id, institution_id=institution_id)
    else:
        team_view = Exists(
            seats_in_force().filter(user=user, path=OuterRef("goal__path")).exclude(institution__kind__in=SCHOOL_KINDS)
        )
        school = Exists(
            seats_in_force().filter(
                user=user,
                path=OuterRef("goal__path"),
                institution=OuterRef("institution"),
                institution__kind__in=SCHOOL_KINDS,
            )
        )
    if team_view is None:  # no full seat: only the school's actions, none seen as the team
        actions = PlanAction.objects.annotate(team_view=Value(False, output_field=BooleanField())).filter(school)
    else:
        actions = PlanAction.objects.annotate(team_view=team_view).filter(Q(team_view=True) | school)
    return (
        actions.filter(professional=user)
        .exclude(goal__path__state=Path.State.CLOSED)
        .select_related("goal__path__family", "institution")
        .order_by("deadline", "pk")
    )


def _my_actions(day, user_id, full_ids):
    """``actions_assigned_to`` for someone whose seats are all outside schools (``full_ids``, their paths)."""
    from django.db.models import BooleanField, ExpressionWrapper

    from .models import PlanAction

    team_view = ExpressionWrapper(Q(goal__path_id__in=full_ids), output_field=BooleanField())
    return (
        PlanAction.objects.annotate(team_view=team_view)
        .filter(team_view=True, professional_id=user_id)
        .exclude(goal__path__state=Path.State.CLOSED)
        .select_related("goal__path__family", "institution")
        .order_by("deadline", "pk")
    )


def _my_actions_first(day, user_id, full_ids):
    return _my_actions(day, user_id, full_ids)[:ACTIONS_SHOWN]


def _my_actions_count(day, user_id, full_ids):
    from django.db.models import Count

    return (
        _my_actions(day, user_id, full_ids)
        .order_by()
        .values("professional_id")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )


# The home page's card of the actions assigned to the user: compiled once a day (core.frozen), for the seats
# outside schools (a school seat's actions are narrowed by pairs of path and school: the ORM's query).
ACTIONS_SHOWN = 5
_MY_ACTIONS = FrozenQuery("cases.my_actions", _my_actions_first, {"user_id": uuid.UUID, "full_ids": [uuid.UUID]})
_MY_ACTIONS_COUNT = FrozenQuery(
    "cases.my_actions_count", _my_actions_count, {"user_id": uuid.UUID, "full_ids": [uuid.UUID]}
)


def first_actions_assigned_to(user):
    """(the first ``ACTIONS_SHOWN`` of ``actions_assigned_to``, how many there are in all)."""
    known = my_seats(user)
    if known is None or not known.seats or any(seat.institution_kind in SCHOOL_KINDS for seat in known.seats):
        actions = list(actions_assigned_to(user)[:ACTIONS_SHOWN])
        count = actions_assigned_to(user).count() if len(actions) == ACTIONS_SHOWN else len(actions)
        return actions, count
    full_ids = known.seat_path_ids()
    actions = _MY_ACTIONS.rows(user_id=user.pk, full_ids=full_ids)
    if len(actions) < ACTIONS_SHOWN:
        return actions, len(actions)
    return actions, sum(_MY_ACTIONS_COUNT.rows(user_id=user.pk, full_ids=full_ids))


def read_action_page(user, page):
    """Log the read of a page of the user's plan actions (family references, what to do)."""
    log_read(user, "cases.actions.listed", [action.goal.path for action in page])
    return page


def _meetings_from(day, user_id, path_ids):
    from .models import Meeting

    day_began = timezone.make_aware(datetime.combine(day, time.min))
    return (
        Meeting.objects.filter(participants=user_id, held_at__gte=day_began, path_id__in=path_ids)
        .select_related("path__family")
        .order_by("held_at")
    )


# The home page's card of the next meetings: compiled once a day (core.frozen).
_MEETINGS_FROM = FrozenQuery("cases.meetings_from", _meetings_from, {"user_id": uuid.UUID, "path_ids": [uuid.UUID]})


def upcoming_meetings_of(user, since=None):
    """The meetings the user attends from ``since`` (now), soonest first, as (when, kind, meeting): the
    family's team meetings they take part in (paths they may see) and the meetings of the pact's bodies
    they sit on (``governance.queries.feed_meetings``: the same rule as their calendar feed). Two queries, one
    for someone with no governance role."""
    from patto.governance.queries import feed_meetings

    from .models import Meeting

    known = my_seats(user) if since is None else None
    since = since or timezone.now()
    if known is not None:  # inside a request: from the start of the day, compiled once (the moment compared here)
        team = [m for m in _MEETINGS_FROM.rows(user_id=user.pk, path_ids=known.path_ids()) if m.held_at >= since]
    else:
        team = (
            Meeting.objects.filter(participants=user, held_at__gte=since, path__in=paths_visible_to(user))
            .select_related("path__family")
            .order_by("held_at")
        )
    items = [(meeting.held_at, "team", meeting) for meeting in team]
    # A body's meetings reach only someone with a current governance role (feed_meetings' rule): without one
    # among the memberships the request has already read, the question is not asked.
    if any(membership.role in GOVERNANCE_ROLES for membership in user.current_memberships):
        items += [(meeting.starts_at, "body", meeting) for meeting in feed_meetings(user, since)]
    return sorted(items, key=lambda item: item[0])


def read_meeting_page(user, page):
    """Log the read of a page of the user's meetings when it names families (their references)."""
    log_read(user, "cases.meetings.listed", [meeting.path for _when, kind, meeting in page if kind == "team"])
    return page


# --- Comuni of residence -------------------------------------------------------------------------------


def unmapped_residences(district):
    """The comuni of residence written as text that no comune matched, with how many people of the district
    have each (GROUP BY the text, one query): figures for the coordinator's comuni page, no names."""
    from django.db.models import Count, F

    from .models import Person

    return (
        Person.objects.filter(district=district, comune__isnull=True)
        .exclude(town="")
        .values(value=F("town"))
        .annotate(people=Count("pk"))
        .order_by("value")
    )
