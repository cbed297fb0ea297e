"""The independent oracle of the generated adversary (issue 8): who may see what on a family's path,
written from the policy's words alone.

It reads only the plain description of a world (the dataclasses below, as the Hypothesis strategy drew
them), never the database and never Patto's queries, rules or services. Dates are whole days counted
from "today" (0 = today, -1 = yesterday), so the oracle has no clock of its own.
"""

from dataclasses import dataclass, field

SCHOOL_SIDE = frozenset({"school", "educational_service"})  # where a seat is a "school seat"
HEALTH_MEMBERSHIP_ROLES = frozenset({"psychologist", "child_neuropsychiatrist", "health_professional"})
HEALTH_TEAM_ROLES = frozenset({"psychologist", "child_neuropsychiatrist", "pediatrician"})
GRACE_DAYS = 30  # PATTO_CLOSURE_GRACE_DAYS
PLAN_PAGES = ("plan", "plan_print", "plan_pdf", "comparison")
# Pages that hand the family's data out of Patto (a file, a page to print): the password is asked again.
STEP_UP_PAGES = frozenset({"plan_print", "plan_pdf"})
# Which roles held at the seat's institution may hold each team seat (issue 8, decided after the first
# version of this oracle: "a seat needs a membership whose role fits it"): the social service manages the
# case, each clinician sits as what they are, a teacher is school staff, a coach or "other" comes from the
# services that take part in the team.
SEAT_FITS = {
    "case_manager": {"social_worker"},
    "social_worker": {"social_worker"},
    "psychologist": {"psychologist"},
    "child_neuropsychiatrist": {"child_neuropsychiatrist"},
    "pediatrician": {"health_professional"},
    "educator": {"educator"},
    "teacher": {"school_head", "school_referent"},
    "educational_staff": {"educational_staff", "educator"},
    "coach": {"social_worker", "educator", "psychologist", "pact_coordinator"},
    "other": {
        "social_worker",
        "educator",
        "psychologist",
        "child_neuropsychiatrist",
        "health_professional",
        "legal_office",
        "educational_staff",
    },
}


# --- The description of a world ---------------------------------------------------------------------


@dataclass(frozen=True)
class Adhesion:
    pact_district: int  # the district whose pact was signed
    signed: int
    withdrawn: int | None = None


@dataclass(frozen=True)
class Institution:
    district: int
    kind: str
    active: bool = True
    adhesions: tuple[Adhesion, ...] = ()


@dataclass(frozen=True)
class Membership:
    institution: int
    role: str
    valid_from: int
    valid_to: int | None = None
    ended: bool = False


@dataclass(frozen=True)
class User:
    memberships: tuple[Membership, ...]
    active: bool = True


@dataclass(frozen=True)
class Seat:
    user: int
    institution: int
    team_role: str
    valid_from: int
    valid_to: int | None = None
    ended: bool = False


@dataclass(frozen=True)
class Consent:
    institution: int
    given: int
    withdrawn: int | None = None


@dataclass(frozen=True)
class Note:
    audience: str
    author: int
    author_institution: int
    school: int | None = None


@dataclass(frozen=True)
class Path:
    district: int
    state: str  # an open state; the closure is ``closed_days_ago``
    family_size: int
    seats: tuple[Seat, ...] = ()
    consents: tuple[Consent, ...] = ()
    notes: tuple[Note, ...] = ()
    closed_days_ago: int | None = None


@dataclass(frozen=True)
class World:
    districts: int
    institutions: tuple[Institution, ...]
    users: tuple[User, ...]
    paths: tuple[Path, ...] = field(default_factory=tuple)


# --- The policy ------------------------------------------------------------------------------------


def _within(day_from, day_to):
    """Started by today and not over before today (``day_to`` is the last day, None: open-ended)."""
    return day_from <= 0 and (day_to is None or day_to >= 0)


def in_standing(world, i):
    """Active, with an adhesion to its own district's pact signed by today and not withdrawn by today."""
    institution = world.institutions[i]
    return institution.active and any(
        a.pact_district == institution.district and a.signed <= 0 and (a.withdrawn is None or a.withdrawn > 0)
        for a in institution.adhesions
    )


def current_memberships(world, u):
    user = world.users[u]
    if not user.active:
        return []
    return [m for m in user.memberships if not m.ended and _within(m.valid_from, m.valid_to)]


def is_school_seat(world, seat):
    return world.institutions[seat.institution].kind in SCHOOL_SIDE


def seat_last_day(path, seat):
    """The closure ends every seat but the case manager's on closure day + grace; an earlier end stays."""
    if path.closed_days_ago is None or seat.team_role == "case_manager":
        return seat.valid_to
    last = -path.closed_days_ago + GRACE_DAYS
    return last if seat.valid_to is None else min(seat.valid_to, last)


def consent_in_force(path, i):
    return any(c.institution == i and c.given <= 0 and (c.withdrawn is None or c.withdrawn > 0) for c in path.consents)


def seat_in_force(world, path, seat):
    if seat.ended or not _within(seat.valid_from, seat_last_day(path, seat)):
        return False
    if not in_standing(world, seat.institution):
        return False
    if not any(
        m.institution == seat.institution and m.role in SEAT_FITS[seat.team_role]
        for m in current_memberships(world, seat.user)
    ):
        return False
    return not is_school_seat(world, seat) or consent_in_force(path, seat.institution)


def seats_of(world, u, p):
    path = world.paths[p]
    return [s for s in path.seats if s.user == u and seat_in_force(world, path, s)]


def view(world, u, p):
    """ "full" (the team's view), "school" (school seats only) or None (no seat in force)."""
    seats = seats_of(world, u, p)
    if not seats:
        return None
    return "full" if any(not is_school_seat(world, s) for s in seats) else "school"


def can_read_clinical(world, u, p):
    health_at = {m.institution for m in current_memberships(world, u) if m.role in HEALTH_MEMBERSHIP_ROLES}
    return any(
        s.team_role in HEALTH_TEAM_ROLES
        and world.institutions[s.institution].kind == "ausl"
        and s.institution in health_at
        for s in seats_of(world, u, p)
    )


def readable_notes(world, u, p):
    """The indexes of the path's notes that ``u`` reads on the path page."""
    seen = view(world, u, p)
    seats = seats_of(world, u, p)
    notes = world.paths[p].notes
    if seen is None:
        return set()
    if seen == "school":
        schools = {s.institution for s in seats}
        return {n for n, note in enumerate(notes) if note.audience == "school" and note.school in schools}
    full_at = {s.institution for s in seats if not is_school_seat(world, s)}
    clinical = can_read_clinical(world, u, p)
    return {
        n
        for n, note in enumerate(notes)
        if note.audience in ("team", "school")
        or (note.audience == "institution" and note.author_institution in full_at)
        or (note.audience == "clinical" and clinical)
    }


def can_sign_in(world, u):
    """Not in the policy's words but Django's: an inactive account is not signed in (ModelBackend
    refuses it), so every page sends it to the sign-in page."""
    return world.users[u].active


def expected_status(world, u, p, page, *, recent_password=True):
    """The status of ``page`` ("path_detail" or one of PLAN_PAGES) of path ``p`` for user ``u``.

    The plan's PDF and print view hand the family's data out: after the permission check (so 404 and 403
    first, as for every page) they ask for the password again unless it was typed in the last minutes
    (issue 8, step-up): without ``recent_password`` an allowed request is sent to confirm it (302)."""
    if not can_sign_in(world, u):
        return 302
    seen = view(world, u, p)
    if seen is None:
        return 404
    if page != "path_detail" and seen != "full":
        return 403
    if page in STEP_UP_PAGES and not recent_password:
        return 302
    return 200


def waiting_entry_status(world, u, p):
    """The status of the page that ends the open waiting-list entry of path ``p`` (issue 12): an entry is
    about the family, so it exists only for whoever sees the path in full (404 for anyone else, the school
    included); among them, only the case manager of the path while it is open may end it (403 otherwise)."""
    if not can_sign_in(world, u):
        return 302
    if view(world, u, p) != "full":
        return 404
    if world.paths[p].closed_days_ago is not None:
        return 403
    return 200 if any(s.team_role == "case_manager" for s in seats_of(world, u, p)) else 403


def listed_waiting_entries(world, u):
    """The paths whose waiting entry ``u`` finds in the waiting lists' page: those seen in full."""
    return {p for p in range(len(world.paths)) if view(world, u, p) == "full"}


# --- A readable description for failures -------------------------------------------------------------


def describe(world):
    lines = [f"today = day 0; {world.districts} district(s), each with its pact"]
    for i, inst in enumerate(world.institutions):
        adhesions = (
            ", ".join(
                f"signed pact of D{a.pact_district} on {a.signed}"
                + (f" withdrawn {a.withdrawn}" if a.withdrawn is not None else "")
                for a in inst.adhesions
            )
            or "never signed"
        )
        lines.append(
            f"I{i}: {inst.kind} of D{inst.district}{'' if inst.active else ' INACTIVE'}; {adhesions}"
            f" → {'in standing' if in_standing(world, i) else 'NOT in standing'}"
        )
    for u, user in enumerate(world.users):
        lines.append(f"U{u}{'' if user.active else ' (inactive account)'}:")
        for m in user.memberships:
            lines.append(
                f"    membership {m.role} at I{m.institution} {m.valid_from}..{m.valid_to}{' ENDED' if m.ended else ''}"
            )
    for p, path in enumerate(world.paths):
        closed = f", closed {path.closed_days_ago} days ago" if path.closed_days_ago is not None else ""
        lines.append(f"P{p}: D{path.district}, {path.state}{closed}, family of {path.family_size}")
        for s in path.seats:
            lines.append(
                f"    seat U{s.user} {s.team_role} at I{s.institution} {s.valid_from}..{s.valid_to}"
                f"{' ENDED' if s.ended else ''} → last day {seat_last_day(path, s)}, "
                f"{'in force' if seat_in_force(world, path, s) else 'not in force'}"
            )
        for c in path.consents:
            lines.append(f"    consent for I{c.institution} given {c.given} withdrawn {c.withdrawn}")
        for n, note in enumerate(path.notes):
            school = f" school=I{note.school}" if note.school is not None else ""
            lines.append(f"    note N{n} {note.audience} by U{note.author} of I{note.author_institution}{school}")
    return "\n".join(lines)
