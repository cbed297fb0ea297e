"""The micro-progettazione: goals and actions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.audit.services import record_event
from patto.core.versioning import update_versioned

from ..models import Note, PlanAction, PlanGoal
from ..queries import seats_in_force
from .assessment import current_framework
from .path import _event
from .team import _check_consent


@transaction.atomic
def add_goal(*, actor, path, subdimension, expected_result):
    if subdimension.side.framework_id != current_framework().pk:
        raise ValidationError({"subdimension": _("Choose a sub-dimension of the framework in use.")})
    goal = PlanGoal.objects.create(path=path, subdimension=subdimension, expected_result=expected_result)
    _event(path, actor, "plan.goal_added", subdimension=subdimension.name)
    record_event(actor=actor, action="cases.plan.goal_added", obj=goal, subjects=list(path.family.members.all()))
    return goal


@transaction.atomic
def update_goal(*, actor, goal, version, expected_result, check_t1="", check_t1_note="", check_t2="", check_t2_note=""):
    """Edit the expected result and record the checks at T1 and T2 (optimistic lock)."""
    changes = update_versioned(
        goal,
        version,
        {
            "expected_result": expected_result,
            "check_t1": check_t1,
            "check_t1_note": check_t1_note,
            "check_t2": check_t2,
            "check_t2_note": check_t2_note,
        },
    )
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
    action = PlanAction.objects.create(
        goal=goal,
        description=description,
        area=area,
        deadline=deadline,
        person=person,
        professional=professional,
        institution=institution,
    )
    _event(
        path,
        actor,
        "plan.action_added",
        audience=Note.Audience.SCHOOL if action.for_school else Note.Audience.TEAM,
        institution=institution if action.for_school else None,
        area=area,
    )
    record_event(
        actor=actor,
        action="cases.plan.action_added",
        obj=action,
        subjects=[person] if person else [],
        changes={"area": [None, area]},
    )
    return action


@transaction.atomic
def remove_action(*, actor, action, reason):
    """Take an action out of the family's plan, after the user confirmed it with a reason. The action is
    kept, marked removed (when, by whom, why): it leaves the plan, its PDF and the school's view, and stays
    in the plan's history and in the timeline, for the same audience that saw it added."""
    path = action.goal.path
    updated = PlanAction.objects.filter(pk=action.pk).update(
        removed_at=timezone.now(), removed_by=actor, removal_reason=reason
    )
    if not updated:  # removed meanwhile by someone else
        raise ValidationError(_("This action was already removed from the plan."))
    action.refresh_from_db(from_queryset=PlanAction.with_removed.all())
    _event(
        path,
        actor,
        "plan.action_removed",
        audience=Note.Audience.SCHOOL if action.for_school else Note.Audience.TEAM,
        institution=action.institution if action.for_school else None,
        area=action.area,
        description=action.description[:200],
        reason=reason,
    )
    record_event(
        actor=actor,
        action="cases.plan.action_removed",
        obj=action,
        purpose=reason,
        subjects=[action.person] if action.person else [],
        changes={"removed_at": [None, action.removed_at.isoformat()]},
    )
    return action
