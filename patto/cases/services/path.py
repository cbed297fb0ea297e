"""Opening, moving, closing and reopening a family's path; its people and agreement; archive access after closure."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.accounts.models import Institution
from patto.accounts.roles import Role
from patto.audit.services import note_write, record_access, record_event
from patto.core.exceptions import TransitionError
from patto.core.versioning import update_versioned
from patto.documents.services import store_attachment
from patto.governance.queries import in_standing
from patto.territory.models import Comune
from patto.territory.parsing import plain

from ..fiscal_code import normalise
from ..models import (
    NEXT_STATE,
    Agreement,
    ArchiveAccess,
    ConsentItem,
    Family,
    Note,
    Path,
    PathEvent,
    Person,
    TeamMember,
    channel_of,
)
from ..queries import _access_by_pk, acting_in_standing, paths_visible_to

PERSON_FIELDS = (
    "kind",
    "first_name",
    "last_name",
    "birth_date",
    "sex",
    "fiscal_code",
    "comune",
    "town",
    "school",
    "school_site",
)


class DuplicatePerson(ValidationError):
    """The person is already known in the district: never entered twice. Only someone who may see the
    existing family is told which one it is; anyone else is told to ask the pact's coordinator."""

    def __init__(self, existing, *, disclose):
        if disclose:
            message = _(
                "This person is already registered in Patto, in family %(reference)s. "
                "Ask the case manager of that family before going on."
            ) % {"reference": existing.family.reference}
        else:
            message = _(
                "This person may already be known to the district's services. Do not register them again: "
                "contact the pact's coordinator (referente territoriale), who will put you in touch "
                "with the right team."
            )
        super().__init__(message, code="duplicate_person")
        self.existing = existing


def find_existing_person(*, district, first_name, last_name, birth_date, fiscal_code=""):
    """In the district: the same codice fiscale, or the same name and date of birth (case-insensitive).
    Another district's people are never looked at."""
    people = Person.objects.filter(district=district).select_related("family")
    code = normalise(fiscal_code)
    if code:
        match = people.filter(fiscal_code=code).first()
        if match:
            return match
    return people.filter(
        first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(), birth_date=birth_date
    ).first()


def ensure_new_person(*, actor, district, data):
    """Refuse a person already known in the district, recording the lookup in the district's trail.

    Called before the writing transaction opens, so the record survives the refusal."""
    existing = find_existing_person(
        district=district,
        first_name=data["first_name"],
        last_name=data["last_name"],
        birth_date=data["birth_date"],
        fiscal_code=data.get("fiscal_code", ""),
    )
    if existing is not None:
        disclose = paths_visible_to(actor).filter(family_id=existing.family_id).exists()
        record_event(
            actor=actor,
            action="cases.person.duplicate_found",
            obj=existing,
            subjects=[existing],
            changes={"disclosed": [None, disclose]},
        )
        raise DuplicatePerson(existing, disclose=disclose)


def comune_named(district, text):
    """The district's comune written as ``text`` ("rimini", "Comune di Rimini", "FORLÌ" → Forlì), or None."""
    wanted = plain(text).removeprefix("comune di ").strip()
    if not wanted:
        return None
    return next((c for c in Comune.objects.filter(district=district) if plain(c.name) == wanted), None)


def with_comune(district, data):
    """A comune of residence written as text that names a comune of the district becomes that comune."""
    town = (data.get("town") or "").strip()
    if town and not data.get("comune"):
        comune = comune_named(district, town)
        if comune is not None:
            return {**data, "comune": comune, "town": ""}
    return {**data, "town": town} if "town" in data else data


def _new_person(actor, family, data):
    data = with_comune(family.district, {**data, "fiscal_code": normalise(data.get("fiscal_code"))})
    existing = find_existing_person(
        district=family.district,
        first_name=data["first_name"],
        last_name=data["last_name"],
        birth_date=data["birth_date"],
        fiscal_code=data["fiscal_code"],
    )
    if existing is not None:  # entered meanwhile by someone else
        raise DuplicatePerson(existing, disclose=False)
    person = Person(family=family, district_id=family.district_id, **data)
    person.full_clean()
    person.save()
    return person


def _event(path, actor, kind, audience=Note.Audience.TEAM, institution=None, **params):
    """A timeline entry. ``institution``: for a school audience, the school it is shared with; otherwise
    the institution of the seat the actor wrote from."""
    institution_id = institution.pk if institution is not None else None
    if institution is None and actor is not None:
        # Asked afresh: the service may have just given the actor a seat (a request accepted, a path reopened).
        seat = _access_by_pk(actor, path.pk, closed=not path.is_open, fresh=True).writing_seat
        institution_id = seat.institution_id if seat else None
    PathEvent.objects.create(
        path=path, actor=actor, kind=kind, params=params, audience=audience, institution_id=institution_id
    )


def _family_reference(district):
    """The district's next reference this year: its prefix, the year, a counter per district and year
    (RN-2026-0001). The counter follows the highest number given, so it never reuses one."""
    start = f"{district.reference_prefix}-{timezone.localdate().year}-"
    last = (
        Family.objects.filter(district=district, reference__startswith=start)
        .order_by(Length("reference").desc(), "-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.removeprefix(start)) if last else 0
    return f"{start}{number + 1:04d}"


def _case_manager_membership(actor, institution=None):
    """The membership a new path's case manager acts from: a social worker of a comune or of the Ambito,
    in standing (the acting one, or the one at ``institution`` when a signal to that service is taken in
    charge)."""
    if institution is None:
        membership = acting_in_standing(actor, (Role.SOCIAL_WORKER,))
    else:
        membership = next(
            (
                m
                for m in actor.current_memberships
                if m.institution_id == institution.pk and m.role == Role.SOCIAL_WORKER and in_standing(institution)
            ),
            None,
        )
    if membership is None or membership.institution.kind not in (
        Institution.Kind.COMUNE,
        Institution.Kind.DISTRICT_OFFICE,
    ):
        raise ValidationError(
            _("Only a social worker of a comune or of the Ambito, whose institution has signed the pact, opens a path.")
        )
    return membership


def open_path(*, actor, child, service=None, **signal):
    """A new family from a signal: the family, its first child, the path, and the actor as case manager
    (from ``service``, the social service that took the signal in charge, or the acting membership)."""
    membership = _case_manager_membership(actor, service)
    if signal["cohort"].district_id != membership.institution.district_id:
        raise ValidationError({"cohort": _("Choose a cohort of your district.")})
    ensure_new_person(actor=actor, district=signal["cohort"].district, data=child)
    return _open_path(actor=actor, child=child, service=service, **signal)


@transaction.atomic
def _open_path(
    *,
    actor,
    cohort,
    signal_source,
    signal_date,
    signal_summary,
    legal_basis,
    legal_basis_note="",
    signal_channel="",
    child,
    service=None,
):
    family = None
    for _attempt in range(5):  # two signals at the same second: the reference is unique, try the next
        try:
            with transaction.atomic():
                family = Family.objects.create(district=cohort.district, reference=_family_reference(cohort.district))
            break
        except IntegrityError:
            continue
    if family is None:
        raise ValidationError(_("Could not give the family a reference. Try again."))
    person = _new_person(actor, family, {**child, "kind": Person.Kind.CHILD})
    path = Path(
        family=family,
        cohort=cohort,
        signal_source=signal_source,
        signal_channel=signal_channel or channel_of(signal_source),
        signal_date=signal_date,
        signal_summary=signal_summary,
        legal_basis=legal_basis,
        legal_basis_note=legal_basis_note,
    )
    path.full_clean()
    path.save()
    membership = _case_manager_membership(actor, service)
    TeamMember.objects.create(
        path=path, user=actor, institution=membership.institution, team_role=TeamMember.TeamRole.CASE_MANAGER
    )
    _event(path, actor, "path.opened", source=str(signal_source))
    record_event(
        actor=actor,
        action="cases.path.opened",
        obj=path,
        subjects=[person],
        changes={
            "state": [None, path.state],
            "cohort": [None, str(cohort)],
            "signal_channel": [None, path.signal_channel],
        },
    )
    return path


def add_person(*, actor, path, **data):
    data = {name: data.get(name) for name in PERSON_FIELDS if name in data}
    ensure_new_person(actor=actor, district=path.family.district, data=data)
    return _add_person(actor=actor, path=path, data=data)


@transaction.atomic
def _add_person(*, actor, path, data):
    person = _new_person(actor, path.family, data)
    _event(path, actor, "person.added", member_kind=person.kind)
    record_event(actor=actor, action="cases.person.added", obj=person, subjects=[person])
    return person


@transaction.atomic
def assign_residence(*, actor, district, value, comune):
    """The coordinator maps a comune of residence written as text to a comune of the district: every person of
    the district with exactly that text (and no comune) gets the comune, the text is cleared. Returns how many;
    the people changed are the event's subjects, so that each finds it in their access report."""
    if comune.district_id != district.pk:
        raise ValidationError({"comune": _("Choose a comune of the family's district.")})
    people = Person.objects.filter(district=district, comune__isnull=True, town=value)
    ids = list(people.values_list("pk", flat=True))
    if not ids:
        return 0
    Person.objects.filter(pk__in=ids).update(comune=comune, town="")
    record_event(
        actor=actor,
        action="cases.person.residence_mapped",
        object_type="territory.comune",
        object_id=str(comune.pk),
        subjects=[("person", str(pk)) for pk in ids],
        changes={"town": [value, ""], "comune": [None, str(comune)], "people": [None, len(ids)]},
    )
    return len(ids)


def _transition(actor, path, version, to_state, **fields):
    old = path.state
    changes = update_versioned(path, version, {"state": to_state, **fields})
    _event(path, actor, "path.state_changed", old=old, new=to_state)
    record_event(
        actor=actor,
        action=f"cases.path.{to_state}",
        obj=path,
        changes=changes,
        subjects=list(path.family.members.all()),
    )
    return path


@transaction.atomic
def advance_path(*, actor, path, version, started_on=None):
    """Move to the next state. The agreement and the closure have their own services. Entering the
    intervention records its start (``started_on``, today by default): the time points follow it."""
    target = NEXT_STATE.get(path.state)
    if target is None or target == Path.State.AGREEMENT:
        raise TransitionError(path.state)
    fields = {}
    if target == Path.State.INTERVENTION:
        fields["intervention_started_on"] = started_on or timezone.localdate()
    return _transition(actor, path, version, target, **fields)


@transaction.atomic
def record_agreement(
    *,
    actor,
    path,
    version,
    signed_on,
    signed_by,
    document_reference="",
    schools=(),
    school_sharing_scope="",
    signed_document=None,
):
    """The family agrees to take part: pre-assessment → agreement. Kept apart from the legal basis.
    ``schools``: the schools or educational services the family agrees to share with (one consent item
    each, ``school_sharing_scope`` saying what). ``signed_document`` (an upload) is the signed agreement."""
    if path.state != Path.State.PRE_ASSESSMENT:
        raise TransitionError(path.state)
    agreement = Agreement(path=path, signed_on=signed_on, signed_by=signed_by, document_reference=document_reference)
    agreement.full_clean()
    agreement.save()
    _transition(actor, path, version, Path.State.AGREEMENT)
    _event(path, actor, "agreement.recorded", shares_with_school=bool(schools))
    already = set(
        ConsentItem.objects.filter(path=path, withdrawn_on__isnull=True).values_list("institution_id", flat=True)
    )
    for school in (school for school in schools if school.pk not in already):
        give_consent(
            actor=actor,
            path=path,
            institution=school,
            scope=school_sharing_scope,
            given_on=signed_on,
            given_by=signed_by,
        )
    if signed_document is not None:
        attach_agreement_document(actor=actor, agreement=agreement, upload=signed_document)
    return agreement


@transaction.atomic
def attach_agreement_document(*, actor, agreement, upload):
    """Attaches (or replaces) the signed agreement. The upload quota is counted per path; a replaced file
    stays stored, for the record."""
    previous = agreement.signed_document_id
    agreement.signed_document = store_attachment(actor=actor, upload=upload, scope=f"cases.path:{agreement.path_id}")
    agreement.save(update_fields=["signed_document"])
    record_event(
        actor=actor,
        action="cases.agreement.document_attached",
        obj=agreement.path,
        subjects=list(agreement.path.family.members.all()),
        changes={"signed_document": [str(previous) if previous else None, str(agreement.signed_document_id)]},
    )
    return agreement


@transaction.atomic
def close_path(*, actor, path, version, outcome, reason, closed_on=None):
    """Closure with an outcome, on ``closed_on`` (today by default; an earlier day when the closure is
    recorded after the closing meeting). Every seat but the case manager's ends after the grace period
    (``PATTO_CLOSURE_GRACE_DAYS``) from that day: later reads are archive accesses."""
    if not path.is_open:
        raise TransitionError(path.state)
    today = timezone.localdate()
    closed_on = closed_on or today
    if closed_on > today or closed_on < (path.intervention_started_on or path.signal_date):
        raise ValidationError({"closed_on": _("The closing date is between the start of the path and today.")})
    _transition(
        actor,
        path,
        version,
        Path.State.CLOSED,
        state_before_closure=path.state,
        outcome=outcome,
        outcome_reason=reason,
        closed_on=closed_on,
    )
    last_day = closed_on + timedelta(days=settings.PATTO_CLOSURE_GRACE_DAYS)
    seats = (
        TeamMember.objects.filter(path=path, ended_at__isnull=True)
        .exclude(team_role=TeamMember.TeamRole.CASE_MANAGER)
        .exclude(valid_to__isnull=False, valid_to__lte=last_day)
    )
    ended = [str(pk) for pk in seats.values_list("pk", flat=True)]
    for seat in seats:
        seat.valid_to_before_closure, seat.ended_by_closure = seat.valid_to, True
        if seat.valid_from > last_day:  # a seat that would only start after the grace period never starts
            seat.ended_at = timezone.now()
        else:
            seat.valid_to = last_day
        seat.save(update_fields=["valid_to", "valid_to_before_closure", "ended_by_closure", "ended_at"])
    record_event(
        actor=actor,
        action="cases.team.closure_grace",
        obj=path,
        changes={"seats": [None, ended], "last_day": [None, last_day.isoformat()]},
    )
    return path


@transaction.atomic
def reopen_path(*, actor, path, version, reason):
    """Reopening gives back the seats the closure had shortened (not those ended by hand)."""
    if path.is_open:
        raise TransitionError(path.state)
    _transition(
        actor,
        path,
        version,
        path.state_before_closure or Path.State.INTERVENTION,
        closed_on=None,
        outcome=None,
        outcome_reason="",
    )
    ArchiveAccess.objects.filter(path=path, expires_at__gt=timezone.now()).update(expires_at=timezone.now())
    # Seats are ended by hand only on an open path, so those the closure marked are the closure's to give back.
    for seat in TeamMember.objects.filter(path=path, ended_by_closure=True):
        seat.valid_to, seat.valid_to_before_closure, seat.ended_by_closure = seat.valid_to_before_closure, None, False
        seat.ended_at = None
        seat.save(update_fields=["valid_to", "valid_to_before_closure", "ended_by_closure", "ended_at"])
    _event(path, actor, "path.reopened", reason=reason)
    record_event(actor=actor, action="cases.path.reopened", obj=path, purpose=reason)
    return path


def open_archive(*, actor, reference, reason):
    """A social worker of the district's social service reads a closed path, giving a reason: an
    ArchiveAccess valid ``PATTO_ARCHIVE_ACCESS_HOURS``, audited with the reason (the DPO sees it).
    Returns the path, or raises ValidationError without saying whether an open path has that reference."""
    membership = _case_manager_membership(actor)
    # The social service that managed the case: the institutions its case managers held the seat from.
    managed = TeamMember.objects.filter(
        path=OuterRef("pk"), team_role=TeamMember.TeamRole.CASE_MANAGER, institution=membership.institution
    )
    path = (
        Path.objects.filter(Exists(managed), family__reference=reference.strip().upper(), state=Path.State.CLOSED)
        .order_by("-closed_on")
        .first()
    )
    if path is None:
        record_event(
            actor=actor,
            action="cases.path.archive_refused",
            object_type="cases.family",
            purpose=reason,
            changes={"reference": [None, reference.strip().upper()[:20]]},
        )
        raise ValidationError({"reference": _("No closed path managed by your institution has this reference.")})
    with transaction.atomic():
        ArchiveAccess.objects.create(
            path=path,
            user=actor,
            institution=membership.institution,
            reason=reason,
            expires_at=timezone.now() + timedelta(hours=settings.PATTO_ARCHIVE_ACCESS_HOURS),
        )
        note_write()  # a write logged as a read: what the request knew of the reader's seats is read again
        record_access(
            actor=actor,
            action="cases.path.archive_opened",
            obj=path,
            purpose=reason,
            subjects=list(path.family.members.all()),
        )
    return path


# Names defined in modules loaded after this one (used at run time only).
from .team import give_consent  # noqa: E402
