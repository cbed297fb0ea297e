"""Every change to a family's path: keyword-only, atomic, audited, and entered in the path's timeline."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.db.models.functions import Length
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.accounts.models import Institution, Membership
from patto.accounts.roles import Role
from patto.audit.services import record_access, record_event
from patto.governance.queries import in_standing
from patto.core.exceptions import ConflictError, TransitionError
from patto.core.versioning import update_versioned
from patto.documents.services import store_attachment

from .fiscal_code import normalise
from .models import (DEVICE_RESPONSIBLE_ROLES, NEXT_STATE, SCHOOL_KINDS, Agreement, ArchiveAccess, Assessment,
                     ClosureOutcome, Cohort, ConsentItem, DeviceActivation, DeviceSession, DeviceType, Family,
                     Framework, Meeting, Note, Path, PathEvent, Person, PlanAction, PlanGoal, PrePostAssessment,
                     Rating, SubDimension, Task, TeamMember, Volunteer)
from .queries import TEAM_ROLE_FIT, access_to, acting_in_standing, paths_visible_to, seats_in_force

PERSON_FIELDS = ("kind", "first_name", "last_name", "birth_date", "sex", "fiscal_code", "town", "school", "school_site")


class DuplicatePerson(ValidationError):
    """The person is already known in the district: never entered twice. Only someone who may see the
    existing family is told which one it is; anyone else is told to ask the pact's coordinator."""

    def __init__(self, existing, *, disclose):
        if disclose:
            message = _("This person is already registered in Patto, in family %(reference)s. "
                        "Ask the case manager of that family before going on.") % {"reference": existing.family.reference}
        else:
            message = _("This person may already be known to the district's services. Do not register them again: "
                        "contact the pact's coordinator (referente territoriale), who will put you in touch "
                        "with the right team.")
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
    return people.filter(first_name__iexact=first_name.strip(), last_name__iexact=last_name.strip(),
                         birth_date=birth_date).first()


def ensure_new_person(*, actor, district, data):
    """Refuse a person already known in the district, recording the lookup in the district's trail.

    Called before the writing transaction opens, so the record survives the refusal."""
    existing = find_existing_person(district=district, first_name=data["first_name"], last_name=data["last_name"],
                                    birth_date=data["birth_date"], fiscal_code=data.get("fiscal_code", ""))
    if existing is not None:
        disclose = paths_visible_to(actor).filter(family_id=existing.family_id).exists()
        record_event(actor=actor, action="cases.person.duplicate_found", obj=existing, subjects=[existing],
                     changes={"disclosed": [None, disclose]})
        raise DuplicatePerson(existing, disclose=disclose)


def _new_person(actor, family, data):
    data = {**data, "fiscal_code": normalise(data.get("fiscal_code"))}
    existing = find_existing_person(district=family.district, first_name=data["first_name"],
                                    last_name=data["last_name"], birth_date=data["birth_date"],
                                    fiscal_code=data["fiscal_code"])
    if existing is not None:  # entered meanwhile by someone else
        raise DuplicatePerson(existing, disclose=False)
    person = Person(family=family, district_id=family.district_id, **data)
    person.full_clean()
    person.save()
    return person


def _event(path, actor, kind, audience=Note.Audience.TEAM, institution=None, **params):
    """A timeline entry. ``institution``: for a school audience, the school it is shared with; otherwise
    the institution of the seat the actor wrote from."""
    if institution is None and actor is not None:
        seat = access_to(actor, path).writing_seat
        institution = seat.institution if seat else None
    PathEvent.objects.create(path=path, actor=actor, kind=kind, params=params, audience=audience,
                             institution=institution)


def _family_reference(district):
    """The district's next reference this year: its prefix, the year, a counter per district and year
    (RN-2026-0001). The counter follows the highest number given, so it never reuses one."""
    start = f"{district.reference_prefix}-{timezone.localdate().year}-"
    last = (Family.objects.filter(district=district, reference__startswith=start)
            .order_by(Length("reference").desc(), "-reference").values_list("reference", flat=True).first())
    number = int(last.removeprefix(start)) if last else 0
    return f"{start}{number + 1:04d}"


def _case_manager_membership(actor):
    """The membership a new path's case manager acts from: a social worker of a comune or of the Ambito,
    in standing."""
    membership = acting_in_standing(actor, (Role.SOCIAL_WORKER,))
    if membership is None or membership.institution.kind not in (Institution.Kind.COMUNE,
                                                                 Institution.Kind.DISTRICT_OFFICE):
        raise ValidationError(_("Only a social worker of a comune or of the Ambito, whose institution has signed "
                                "the pact, opens a path."))
    return membership


def open_path(*, actor, child, **signal):
    """A new family from a signal: the family, its first child, the path, and the actor as case manager."""
    membership = _case_manager_membership(actor)
    if signal["cohort"].district_id != membership.institution.district_id:
        raise ValidationError({"cohort": _("Choose a cohort of your district.")})
    ensure_new_person(actor=actor, district=signal["cohort"].district, data=child)
    return _open_path(actor=actor, child=child, **signal)


@transaction.atomic
def _open_path(*, actor, cohort, signal_source, signal_date, signal_summary, legal_basis, legal_basis_note="",
               child):
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
    path = Path(family=family, cohort=cohort, signal_source=signal_source, signal_date=signal_date,
                signal_summary=signal_summary, legal_basis=legal_basis, legal_basis_note=legal_basis_note)
    path.full_clean()
    path.save()
    membership = _case_manager_membership(actor)
    TeamMember.objects.create(path=path, user=actor, institution=membership.institution,
                              team_role=TeamMember.TeamRole.CASE_MANAGER)
    _event(path, actor, "path.opened", source=str(signal_source))
    record_event(actor=actor, action="cases.path.opened", obj=path, subjects=[person],
                 changes={"state": [None, path.state], "cohort": [None, str(cohort)]})
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


def _transition(actor, path, version, to_state, **fields):
    old = path.state
    changes = update_versioned(path, version, {"state": to_state, **fields})
    _event(path, actor, "path.state_changed", old=old, new=to_state)
    record_event(actor=actor, action=f"cases.path.{to_state}", obj=path, changes=changes,
                 subjects=list(path.family.members.all()))
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
def record_agreement(*, actor, path, version, signed_on, signed_by, document_reference="", schools=(),
                     school_sharing_scope="", signed_document=None):
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
    already = set(ConsentItem.objects.filter(path=path, withdrawn_on__isnull=True).values_list("institution_id", flat=True))
    for school in (school for school in schools if school.pk not in already):
        give_consent(actor=actor, path=path, institution=school, scope=school_sharing_scope, given_on=signed_on,
                     given_by=signed_by)
    if signed_document is not None:
        attach_agreement_document(actor=actor, agreement=agreement, upload=signed_document)
    return agreement


@transaction.atomic
def give_consent(*, actor, path, institution, scope, given_on, given_by):
    """The family agrees to share with one school or educational service (what: ``scope``)."""
    if institution.kind not in SCHOOL_KINDS or institution.district_id != path.family.district_id:
        raise ValidationError({"institution": _("Choose a school or educational service of the district.")})
    if given_on > timezone.localdate():
        raise ValidationError({"given_on": _("The date cannot be in the future.")})
    if ConsentItem.objects.filter(path=path, institution=institution, withdrawn_on__isnull=True).exists():
        raise ValidationError({"institution": _("The family already agrees to share with this institution.")})
    item = ConsentItem(path=path, institution=institution, scope=scope, given_on=given_on, given_by=given_by,
                       recorded_by=actor)
    item.full_clean()
    item.save()
    _event(path, actor, "consent.given", institution=institution, audience=Note.Audience.SCHOOL,
           school=str(institution))
    record_event(actor=actor, action="cases.consent.given", obj=item, subjects=list(path.family.members.all()),
                 changes={"institution": [None, str(institution)], "scope": [None, scope]})
    return item


@transaction.atomic
def withdraw_consent(*, actor, item, version, withdrawn_on, reason):
    """The family withdraws an agreement to share: from ``withdrawn_on`` (today at the latest) that
    institution's seats see nothing of the path, and nothing new can be shared with it."""
    if item.withdrawn_on is not None:
        raise ValidationError(_("This agreement was already withdrawn."))
    if withdrawn_on > timezone.localdate() or withdrawn_on < item.given_on:
        raise ValidationError({"withdrawn_on": _("The date is between the day it was given and today.")})
    changes = update_versioned(item, version, {"withdrawn_on": withdrawn_on, "withdrawal_reason": reason})
    _event(item.path, actor, "consent.withdrawn", school=str(item.institution))
    record_event(actor=actor, action="cases.consent.withdrawn", obj=item, changes=changes, purpose=reason,
                 subjects=list(item.path.family.members.all()))
    return item


def _check_consent(path, institution, field):
    """Nothing goes to a school or educational service the family has not agreed to share with."""
    if institution is not None and institution.kind in SCHOOL_KINDS and not (
            ConsentItem.objects.in_force().filter(path=path, institution=institution).exists()):
        raise ValidationError({field: _("The family has not agreed to share information with %(school)s (or has "
                                        "withdrawn the agreement): record the family's consent first.") % {
            "school": institution}})


@transaction.atomic
def attach_agreement_document(*, actor, agreement, upload):
    """Attaches (or replaces) the signed agreement. The upload quota is counted per path; a replaced file
    stays stored, for the record."""
    previous = agreement.signed_document_id
    agreement.signed_document = store_attachment(actor=actor, upload=upload, scope=f"cases.path:{agreement.path_id}")
    agreement.save(update_fields=["signed_document"])
    record_event(actor=actor, action="cases.agreement.document_attached", obj=agreement.path,
                 subjects=list(agreement.path.family.members.all()),
                 changes={"signed_document": [str(previous) if previous else None, str(agreement.signed_document_id)]})
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
    _transition(actor, path, version, Path.State.CLOSED, state_before_closure=path.state, outcome=outcome,
                outcome_reason=reason, closed_on=closed_on)
    last_day = closed_on + timedelta(days=settings.PATTO_CLOSURE_GRACE_DAYS)
    seats = (TeamMember.objects.filter(path=path, ended_at__isnull=True)
             .exclude(team_role=TeamMember.TeamRole.CASE_MANAGER)
             .exclude(valid_to__isnull=False, valid_to__lte=last_day))
    ended = [str(pk) for pk in seats.values_list("pk", flat=True)]
    for seat in seats:
        seat.valid_to_before_closure, seat.ended_by_closure = seat.valid_to, True
        if seat.valid_from > last_day:  # a seat that would only start after the grace period never starts
            seat.ended_at = timezone.now()
        else:
            seat.valid_to = last_day
        seat.save(update_fields=["valid_to", "valid_to_before_closure", "ended_by_closure", "ended_at"])
    record_event(actor=actor, action="cases.team.closure_grace", obj=path,
                 changes={"seats": [None, ended], "last_day": [None, last_day.isoformat()]})
    return path


@transaction.atomic
def reopen_path(*, actor, path, version, reason):
    """Reopening gives back the seats the closure had shortened (not those ended by hand)."""
    if path.is_open:
        raise TransitionError(path.state)
    _transition(actor, path, version, path.state_before_closure or Path.State.INTERVENTION, closed_on=None,
                outcome=None, outcome_reason="")
    ArchiveAccess.objects.filter(path=path, expires_at__gt=timezone.now()).update(expires_at=timezone.now())
    # Seats are ended by hand only on an open path, so those the closure marked are the closure's to give back.
    for seat in TeamMember.objects.filter(path=path, ended_by_closure=True):
        seat.valid_to, seat.valid_to_before_closure, seat.ended_by_closure = seat.valid_to_before_closure, None, False
        seat.ended_at = None
        seat.save(update_fields=["valid_to", "valid_to_before_closure", "ended_by_closure", "ended_at"])
    _event(path, actor, "path.reopened", reason=reason)
    record_event(actor=actor, action="cases.path.reopened", obj=path, purpose=reason)
    return path


# --- The équipe ---------------------------------------------------------------------------------

def _check_seat(path, user, institution, team_role):
    if team_role == TeamMember.TeamRole.CASE_MANAGER:
        raise ValidationError({"team_role": _("The path has its case manager: add a social worker instead.")})
    if institution.district_id != path.family.district_id or not in_standing(institution):
        raise ValidationError({"institution": _("This institution has no adhesion to the pact in force: its "
                                                "people cannot join a family's team.")})
    roles = set(Membership.objects.current().filter(user=user, institution=institution).values_list("role", flat=True))
    if not roles:
        raise ValidationError({"user": _("This person has no valid role in that institution.")})
    if not roles & TEAM_ROLE_FIT[team_role]:
        raise ValidationError({"team_role": _("This role in the team does not fit the person's role in that "
                                              "institution.")})
    _check_consent(path, institution, "institution")


@transaction.atomic
def add_team_member(*, actor, path, user, institution, team_role, valid_from, valid_to=None):
    """Add a professional to the team: they see the path from their next request (a seat at a school only
    with the family's consent to share with that school)."""
    _check_seat(path, user, institution, team_role)
    already = TeamMember.objects.filter(path=path, user=user, ended_at__isnull=True, team_role=team_role).exists()
    if already:
        raise ValidationError({"user": _("This person is already in the team with this role.")})
    member = TeamMember(path=path, user=user, institution=institution, team_role=team_role, valid_from=valid_from,
                        valid_to=valid_to)
    member.full_clean()
    member.save()
    _event(path, actor, "team.added", name=user.get_full_name(), role=team_role)
    record_event(actor=actor, action="cases.team.added", obj=member, subjects=[user],
                 changes={"path": [None, str(path.pk)], "team_role": [None, team_role]})
    return member


@transaction.atomic
def end_team_member(*, actor, member, version, reason):
    """Remove a professional from the team now: from their next request the path answers 404."""
    today = timezone.localdate()
    valid_to = today if member.valid_to is None or member.valid_to > today else member.valid_to
    changes = update_versioned(member, version, {"ended_at": timezone.now(),
                                                 "valid_to": max(valid_to, member.valid_from)})
    _event(member.path, actor, "team.ended", name=member.user.get_full_name(), role=member.team_role)
    record_event(actor=actor, action="cases.team.ended", obj=member, subjects=[member.user], changes=changes,
                 purpose=reason)
    return member


# --- Notes --------------------------------------------------------------------------------------

@transaction.atomic
def add_note(*, actor, path, audience, text, school=None):
    """A note from the author's seat: clinical only from a health seat; a school seat writes only to its
    school; a note shared with a school names the school, which the family must have agreed to."""
    access = access_to(actor, path)
    if audience not in access.writable_audiences():
        raise ValidationError({"audience": _("Your seat in this team cannot write notes for this audience "
                                             "(clinical notes: health professionals only).")})
    if audience == Note.Audience.SCHOOL:
        if school is None:  # the only school it can be: the seat's own, or the one the family agreed to
            candidates = access.schools if not access.team_view else set(
                ConsentItem.objects.in_force().filter(path=path).values_list("institution_id", flat=True))
            school = Institution.objects.get(pk=next(iter(candidates))) if len(candidates) == 1 else None
        if school is None or (not access.team_view and school.pk not in access.schools):
            raise ValidationError({"school": _("Choose the school the note is shared with.")})
        _check_consent(path, school, "school")
    else:
        school = None
    seat = access.writing_seat
    note = Note.objects.create(path=path, author=actor, author_institution=seat.institution, audience=audience,
                               school=school, text=text)
    _event(path, actor, "note.added", audience=audience, institution=school)
    record_event(actor=actor, action="cases.note.added", obj=note, subjects=list(path.family.members.all()),
                 changes={"audience": [None, audience]})
    return note


# --- Assessment with "Il Mondo del Bambino" ------------------------------------------------------

def current_framework():
    return Framework.objects.get(is_current=True, code="mondo-del-bambino")


@transaction.atomic
def save_assessment(*, actor, path, child, time_point, rater, values, child_says="", family_says="", version=None,
                    complete=True):
    """Create or update one rating of a child at a time point, by the team or by the family.

    ``values`` maps sub-dimension ids to a scale value, or None for "not assessable". ``version`` is
    the one the form was loaded with (None for a new assessment): a stale save raises ConflictError.
    ``complete=False`` saves a draft: sub-dimensions may be left out (not rated yet) and the assessment
    stays out of the comparison and of the time points done until it is saved complete, which needs a
    value (or "not assessable") for every sub-dimension of its framework."""
    assessment = Assessment.objects.filter(path=path, child=child, time_point=time_point, rater=rater).first()
    if child.family_id != path.family_id or child.kind != Person.Kind.CHILD:
        raise ValidationError(_("Only the children of this family are assessed here."))
    was_complete = None
    if assessment is None:
        if version not in (None, 0):
            raise ConflictError(current=None)
        framework = current_framework()
        assessment = Assessment.objects.create(path=path, child=child, framework=framework, time_point=time_point,
                                               rater=rater, child_says=child_says, family_says=family_says,
                                               updated_by=actor, is_complete=complete)
        old = {}
    else:
        old = dict(assessment.ratings.values_list("subdimension_id", "value"))
        was_complete = assessment.is_complete
        update_versioned(assessment, version or 0, {"child_says": child_says, "family_says": family_says,
                                                    "updated_by": actor, "is_complete": complete})
    allowed = set(SubDimension.objects.filter(side__framework=assessment.framework_id).values_list("pk", flat=True))
    scale = set(assessment.framework.scale.values_list("value", flat=True))
    if set(values) - allowed or {v for v in values.values() if v is not None} - scale:
        raise ValidationError(_("A rating is outside the framework's scale."))
    if complete and allowed - set(values):
        raise ValidationError(_("To complete the assessment, rate every sub-dimension (or mark it “not "
                                "assessable”); otherwise save it as a draft."))
    assessment.ratings.all().delete()
    Rating.objects.bulk_create([Rating(assessment=assessment, subdimension_id=sub, value=value)
                                for sub, value in values.items()])
    changes = {f"rating_{sub}": [old.get(sub), value] for sub, value in values.items() if old.get(sub) != value}
    changes.update({f"rating_{sub}": [value, None] for sub, value in old.items() if sub not in values})
    if was_complete is not complete:
        changes["is_complete"] = [was_complete, complete]
    _event(path, actor, "assessment.saved", time_point=time_point, rater=rater, child=child.first_name,
           draft=not complete)
    record_event(actor=actor, action="cases.assessment.saved", obj=assessment, subjects=[child], changes=changes)
    return assessment


@transaction.atomic
def save_prepost(*, actor, path, time_point, factors, versions):
    """Risk and protective factors per side. ``factors``: {side id: (risk, protective)};
    ``versions``: {side id: the version loaded, or None if the side had no record}."""
    for side_id, (risk, protective) in factors.items():
        record = PrePostAssessment.objects.filter(path=path, time_point=time_point, side_id=side_id).first()
        if record is None:
            if versions.get(side_id):
                raise ConflictError(current=None)
            PrePostAssessment.objects.create(path=path, time_point=time_point, side_id=side_id, risk_factors=risk,
                                             protective_factors=protective, updated_by=actor)
        else:
            update_versioned(record, versions.get(side_id) or 0,
                             {"risk_factors": risk, "protective_factors": protective, "updated_by": actor})
    _event(path, actor, "prepost.saved", time_point=time_point)
    record_event(actor=actor, action="cases.prepost.saved", obj=path, subjects=list(path.family.members.all()),
                 changes={"time_point": [None, time_point]})


# --- Micro-progettazione ----------------------------------------------------------------------------

@transaction.atomic
def add_goal(*, actor, path, subdimension, expected_result):
    if subdimension.side.framework_id != current_framework().pk:
        raise ValidationError({"subdimension": _("Choose a sub-dimension of the framework in use.")})
    goal = PlanGoal.objects.create(path=path, subdimension=subdimension, expected_result=expected_result)
    _event(path, actor, "plan.goal_added", subdimension=subdimension.name)
    record_event(actor=actor, action="cases.plan.goal_added", obj=goal, subjects=list(path.family.members.all()))
    return goal


@transaction.atomic
def update_goal(*, actor, goal, version, expected_result, check_t1="", check_t1_note="", check_t2="",
                check_t2_note=""):
    """Edit the expected result and record the checks at T1 and T2 (optimistic lock)."""
    changes = update_versioned(goal, version, {
        "expected_result": expected_result, "check_t1": check_t1, "check_t1_note": check_t1_note,
        "check_t2": check_t2, "check_t2_note": check_t2_note})
    if changes:
        _event(goal.path, actor, "plan.goal_changed", subdimension=goal.subdimension.name)
    record_event(actor=actor, action="cases.plan.goal_changed", obj=goal, changes=changes)
    return goal


@transaction.atomic
def add_action(*, actor, goal, description, area, deadline, person=None, professional=None, institution=None):
    """Who does what by when. A family member, or a professional of the team (with their institution),
    or an institution as a whole (e.g. the school)."""
    path = goal.path
    if person is not None and person.family_id != path.family_id:
        raise ValidationError({"person": _("Choose a member of this family.")})
    if professional is not None:
        member = seats_in_force().filter(path=path, user=professional).first()
        if member is None:
            raise ValidationError({"professional": _("Choose a professional of this path's team.")})
        institution = institution or member.institution
    if person is None and institution is None:
        raise ValidationError(_("Say who does it: a family member, a professional or an institution."))
    _check_consent(path, institution, "institution")
    action = PlanAction.objects.create(goal=goal, description=description, area=area, deadline=deadline,
                                       person=person, professional=professional, institution=institution)
    _event(path, actor, "plan.action_added", audience=Note.Audience.SCHOOL if action.for_school else Note.Audience.TEAM,
           institution=institution if action.for_school else None, area=area)
    record_event(actor=actor, action="cases.plan.action_added", obj=action,
                 subjects=[person] if person else [], changes={"area": [None, area]})
    return action


@transaction.atomic
def remove_action(*, actor, action, reason):
    """Take an action out of the family's plan, after the user confirmed it with a reason. The action is
    kept, marked removed (when, by whom, why): it leaves the plan, its PDF and the school's view, and stays
    in the plan's history and in the timeline, for the same audience that saw it added."""
    path = action.goal.path
    updated = PlanAction.objects.filter(pk=action.pk).update(removed_at=timezone.now(), removed_by=actor,
                                                             removal_reason=reason)
    if not updated:  # removed meanwhile by someone else
        raise ValidationError(_("This action was already removed from the plan."))
    action.refresh_from_db(from_queryset=PlanAction.with_removed.all())
    _event(path, actor, "plan.action_removed",
           audience=Note.Audience.SCHOOL if action.for_school else Note.Audience.TEAM,
           institution=action.institution if action.for_school else None, area=action.area,
           description=action.description[:200], reason=reason)
    record_event(actor=actor, action="cases.plan.action_removed", obj=action, purpose=reason,
                 subjects=[action.person] if action.person else [],
                 changes={"removed_at": [None, action.removed_at.isoformat()]})
    return action


# --- Dispositivi -------------------------------------------------------------------------------------

def _check_device(device_type, hours_per_week, sessions_planned, school, volunteer, district):
    M = DeviceType.Measure
    if device_type.measure == M.HOME_EDUCATION and not hours_per_week:
        raise ValidationError({"hours_per_week": _("Home education is measured in hours per week.")})
    if device_type.measure == M.GROUPS and not sessions_planned:
        raise ValidationError({"sessions_planned": _("Say how many group sessions are planned.")})
    if device_type.measure == M.SCHOOL_PARTNERSHIP and school is None:
        raise ValidationError({"school": _("Choose the school of the partnership.")})
    if school is not None and device_type.measure != M.SCHOOL_PARTNERSHIP:
        raise ValidationError({"school": _("Only the school partnership names a school.")})
    if volunteer is not None and device_type.measure != M.SOLIDARITY:
        raise ValidationError({"volunteer": _("Only vicinanza solidale has a matched volunteer.")})
    if device_type.measure == M.SOLIDARITY:
        if volunteer is None:
            raise ValidationError({"volunteer": _("Choose the matched volunteer.")})
        if volunteer.screening != Volunteer.Screening.APPROVED or volunteer.district_id != district.pk:
            raise ValidationError({"volunteer": _("Only volunteers approved after the screening interview can be matched.")})


@transaction.atomic
def activate_device(*, actor, path, device_type, provider, starts_on, ends_on=None, responsible=None,
                    hours_per_week=None, sessions_planned=None, school=None, volunteer=None, notes=""):
    _check_device(device_type, hours_per_week, sessions_planned, school, volunteer, path.family.district)
    if responsible is not None and not Membership.objects.current().filter(
            user=responsible, institution=provider, role__in=DEVICE_RESPONSIBLE_ROLES).exists():
        raise ValidationError({"responsible": _("The responsible person is a member of the provider's staff who "
                                                "works with families.")})
    _check_consent(path, school, "school")
    activation = DeviceActivation(path=path, device_type=device_type, provider=provider, responsible=responsible,
                                  starts_on=starts_on, ends_on=ends_on, hours_per_week=hours_per_week,
                                  sessions_planned=sessions_planned, school=school, volunteer=volunteer, notes=notes)
    activation.full_clean()
    activation.save()
    audience = Note.Audience.SCHOOL if school is not None else Note.Audience.TEAM
    _event(path, actor, "device.activated", audience=audience, institution=school, device=device_type.name)
    record_event(actor=actor, action="cases.device.activated", obj=activation,
                 changes={"device": [None, device_type.code], "provider": [None, str(provider)]})
    return activation


@transaction.atomic
def update_device(*, actor, activation, version, ends_on, hours_per_week=None, sessions_planned=None, notes=""):
    if ends_on and ends_on < activation.starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    changes = update_versioned(activation, version, {"ends_on": ends_on, "hours_per_week": hours_per_week,
                                                     "sessions_planned": sessions_planned, "notes": notes})
    record_event(actor=actor, action="cases.device.changed", obj=activation, changes=changes)
    return activation


@transaction.atomic
def record_device_session(*, actor, activation, held_on, attended, note=""):
    session = DeviceSession.objects.create(activation=activation, held_on=held_on, attended=attended, note=note)
    record_event(actor=actor, action="cases.device.session_recorded", obj=session,
                 changes={"attended": [None, attended]})
    return session


# --- The register of volunteers (vicinanza solidale) ---------------------------------------------------

VOLUNTEER_FIELDS = ("first_name", "last_name", "town", "phone", "predisposition", "screening", "screened_on")


@transaction.atomic
def add_volunteer(*, actor, district, **fields):
    volunteer = Volunteer(district=district, **fields)
    volunteer.full_clean()
    volunteer.save()
    record_event(actor=actor, action="cases.volunteer.added", obj=volunteer, subjects=[volunteer])
    return volunteer


@transaction.atomic
def update_volunteer(*, actor, volunteer, version, **fields):
    changes = update_versioned(volunteer, version, fields)
    record_event(actor=actor, action="cases.volunteer.changed", obj=volunteer, subjects=[volunteer], changes=changes)
    return volunteer


# --- Meetings and tasks ----------------------------------------------------------------------------------

def _check_participants(path, participants, family_participants):
    team = set(seats_in_force().filter(path=path).values_list("user_id", flat=True))
    if any(user.pk not in team for user in participants):
        raise ValidationError({"participants": _("Only members of the team take part as professionals.")})
    if any(person.family_id != path.family_id for person in family_participants):
        raise ValidationError({"family_participants": _("Choose members of this family.")})


@transaction.atomic
def schedule_meeting(*, actor, path, held_at, agenda, participants, family_participants=(), with_family=True,
                     place=""):
    _check_participants(path, participants, family_participants)
    meeting = Meeting.objects.create(path=path, held_at=held_at, agenda=agenda, with_family=with_family, place=place,
                                     created_by=actor)
    meeting.participants.set(participants)
    meeting.family_participants.set(family_participants)
    _event(path, actor, "meeting.scheduled", held_at=held_at.isoformat())
    record_event(actor=actor, action="cases.meeting.scheduled", obj=meeting, subjects=list(family_participants))
    return meeting


@transaction.atomic
def record_minutes(*, actor, meeting, version, minutes, decisions, next_steps=()):
    """Minutes and decisions of a meeting; each next step becomes a task with a person and a due date."""
    team = set(seats_in_force().filter(path=meeting.path).values_list("user_id", flat=True))
    if any(step["assignee"].pk not in team for step in next_steps):
        raise ValidationError(_("Next steps go to members of the team."))
    changes = update_versioned(meeting, version, {"minutes": minutes, "decisions": decisions})
    tasks = Task.objects.bulk_create([Task(path=meeting.path, meeting=meeting, **step) for step in next_steps])
    _event(meeting.path, actor, "meeting.minutes", tasks=len(tasks))
    record_event(actor=actor, action="cases.meeting.minutes_recorded", obj=meeting, changes=changes,
                 subjects=list(meeting.family_participants.all()))
    return tasks


@transaction.atomic
def complete_task(*, actor, task):
    if task.done_on is not None:
        return task
    task.done_on = timezone.localdate()
    task.save(update_fields=["done_on"])
    record_event(actor=actor, action="cases.task.done", obj=task)
    return task


# --- Cohorts (implementations of PIPPI in the district) ----------------------------------------------

COHORT_FIELDS = ("name", "start_date", "t1_months", "t2_months", "is_active")


@transaction.atomic
def create_cohort(*, actor, district, **fields):
    cohort = Cohort(district=district, **fields)
    cohort.full_clean()
    cohort.save()
    record_event(actor=actor, action="cases.cohort.created", obj=cohort,
                 changes={name: [None, getattr(cohort, name)] for name in fields})
    return cohort


@transaction.atomic
def update_cohort(*, actor, cohort, version, **fields):
    candidate = Cohort(pk=cohort.pk, district_id=cohort.district_id, **fields)
    candidate._state.adding = False
    candidate.full_clean(exclude=["district"])
    changes = update_versioned(cohort, version, fields)
    record_event(actor=actor, action="cases.cohort.changed", obj=cohort, changes=changes)
    return cohort


# --- Catalogues: closure outcomes and dispositivi -------------------------------------------------------

CATALOGUES = {"outcome": (ClosureOutcome, ("code", "label", "label_en", "order", "is_active")),
              "device": (DeviceType, ("code", "name", "name_en", "measure", "pippi_core", "order", "is_active"))}


@transaction.atomic
def save_catalogue_entry(*, actor, kind, entry=None, version=None, **fields):
    """Add or change an entry of a configurable catalogue. Entries in use are deactivated, never deleted."""
    model, _names = CATALOGUES[kind]
    if entry is None:
        entry = model(**fields)
        entry.full_clean()
        entry.save()
        record_event(actor=actor, action=f"cases.catalogue.{kind}_added", obj=entry,
                     changes={name: [None, value] for name, value in fields.items()})
        return entry
    candidate = model(pk=entry.pk, **fields)
    candidate._state.adding = False
    candidate.full_clean()
    changes = update_versioned(entry, version or 0, fields)
    record_event(actor=actor, action=f"cases.catalogue.{kind}_changed", obj=entry, changes=changes)
    return entry


# --- Archive access: reading a closed path after the team's seats ended ---------------------------------

def open_archive(*, actor, reference, reason):
    """A social worker of the district's social service reads a closed path, giving a reason: an
    ArchiveAccess valid ``PATTO_ARCHIVE_ACCESS_HOURS``, audited with the reason (the DPO sees it).
    Returns the path, or raises ValidationError without saying whether an open path has that reference."""
    membership = _case_manager_membership(actor)
    # The social service that managed the case: the institutions its case managers held the seat from.
    managed = TeamMember.objects.filter(path=OuterRef("pk"), team_role=TeamMember.TeamRole.CASE_MANAGER,
                                        institution=membership.institution)
    path = (Path.objects.filter(Exists(managed), family__reference=reference.strip().upper(),
                                state=Path.State.CLOSED).order_by("-closed_on").first())
    if path is None:
        record_event(actor=actor, action="cases.path.archive_refused", object_type="cases.family",
                     purpose=reason, changes={"reference": [None, reference.strip().upper()[:20]]})
        raise ValidationError({"reference": _("No closed path managed by your institution has this reference.")})
    with transaction.atomic():
        ArchiveAccess.objects.create(path=path, user=actor, institution=membership.institution, reason=reason,
                                     expires_at=timezone.now() + timedelta(hours=settings.PATTO_ARCHIVE_ACCESS_HOURS))
        record_access(actor=actor, action="cases.path.archive_opened", obj=path, purpose=reason,
                      subjects=list(path.family.members.all()))
    return path
