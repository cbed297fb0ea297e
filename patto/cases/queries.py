"""Who may see which family paths, notes and timeline entries. Every cases view starts here."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from patto.accounts.roles import HEALTH_ROLES, SCHOOL_ROLES

from .models import Note, Path, PathEvent, Person, TeamMember


def current_team_members(on=None):
    day = on or timezone.localdate()
    return TeamMember.objects.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day), valid_from__lte=day,
                                     ended_at__isnull=True)


def team_users(path):
    """The users in the path's team now (for "who does it" choices)."""
    from patto.accounts.models import User

    return User.objects.filter(pk__in=current_team_members().filter(path=path).values("user")).order_by("last_name")


def paths_visible_to(user):
    """Paths whose équipe the user belongs to now, through an institution where they hold a valid role.

    Added to a team → visible from the next request; removed, expired or role ended → 404."""
    membership = user.acting_membership if user.is_authenticated else None
    if membership is None:
        return Path.objects.none()
    institutions = [m.institution_id for m in user.current_memberships]
    # Start from the user's team memberships (index on user, path): the cost follows the paths the user is
    # in, not the number of paths in the district.
    mine = current_team_members().filter(user=user, institution_id__in=institutions).values("path_id")
    return Path.objects.filter(pk__in=mine)


def people_visible_to(user):
    return Person.objects.filter(family__paths__in=paths_visible_to(user)).distinct()


def viewer_audiences(user):
    """The note audiences the user's acting role may read (the institution audience is checked apart)."""
    role = user.acting_role
    if role in SCHOOL_ROLES:
        return {Note.Audience.SCHOOL}
    audiences = {Note.Audience.TEAM, Note.Audience.SCHOOL, Note.Audience.INSTITUTION}
    if role in HEALTH_ROLES:
        audiences.add(Note.Audience.CLINICAL)
    return audiences


def _audience_filter(user, institution_field):
    """Notes and timeline entries share the audience rules; ``institution_field`` names the institution
    an "institution" audience refers to."""
    audiences = viewer_audiences(user)
    visible = Q(audience__in=audiences - {Note.Audience.INSTITUTION})
    if Note.Audience.INSTITUTION in audiences:
        visible |= Q(audience=Note.Audience.INSTITUTION, **{institution_field: user.acting_institution})
    return visible


def notes_visible_to(user, path):
    return (path.notes.filter(_audience_filter(user, "author_institution")).select_related("author", "author_institution")
            .order_by("-created_at"))


def timeline_visible_to(user, path):
    return (PathEvent.objects.filter(path=path).filter(_audience_filter(user, "institution"))
            .select_related("actor").order_by("-occurred_at", "-id"))


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


def my_paths(user):
    """The user's paths for the list, with what the list shows, in a fixed number of queries."""
    return (paths_visible_to(user).select_related("family", "cohort")
            .prefetch_related("family__members").order_by("state", "-updated_at"))


# --- Assessments --------------------------------------------------------------------------------

def done_time_points(path, children):
    """Time points at which the team has rated every child of the family."""
    rated = {}
    for child_id, time_point in path.assessments.filter(rater="team").values_list("child_id", "time_point"):
        rated.setdefault(time_point, set()).add(child_id)
    wanted = {child.pk for child in children}
    return {tp for tp, ids in rated.items() if wanted and wanted <= ids}


def _mean(values):
    present = [v for v in values if v is not None]
    return round(sum(present) / len(present), 1) if present else None


def comparison(path, child, framework):
    """Each sub-dimension and each side at T0, T1, T2, by the team and by the family, with the change
    from the first to the last time point the team rated. Three queries, whatever the data."""
    from .models import Assessment, Side, TimePoint

    values = {}
    for assessment in Assessment.objects.filter(path=path, child=child).prefetch_related("ratings"):
        values[(assessment.time_point, assessment.rater)] = {r.subdimension_id: r.value for r in assessment.ratings.all()}
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
    return {"columns": columns, "sides": sides, "present": sorted(values)}


def time_points_needing_attention(user, today=None):
    """(path, Due) for the time points overdue or due soon in the paths the user manages as case
    manager. Three queries whatever the number of paths."""
    from .models import Assessment, Person, TimePoint
    from .schedule import time_points

    managed = current_team_members().filter(path=OuterRef("pk"), user=user, team_role=TeamMember.TeamRole.CASE_MANAGER)
    paths = list(paths_visible_to(user).filter(Exists(managed), state__in=[Path.State.ASSESSMENT,
                                                                            Path.State.INTERVENTION])
                 .select_related("family", "cohort"))
    children = {}
    for family_id, child_id in Person.objects.filter(family__in=[p.family_id for p in paths],
                                                     kind=Person.Kind.CHILD).values_list("family_id", "pk"):
        children.setdefault(family_id, set()).add(child_id)
    rated = {}
    for path_id, child_id, time_point in Assessment.objects.filter(path__in=paths, rater="team").values_list(
            "path_id", "child_id", "time_point"):
        rated.setdefault((path_id, time_point), set()).add(child_id)
    result = []
    for path in paths:
        wanted = children.get(path.family_id, set())
        done = {tp for tp in TimePoint.values if wanted and wanted <= rated.get((path.pk, tp), set())}
        result += [(path, due) for due in time_points(path, done, today) if due.status in ("overdue", "due")]
    return sorted(result, key=lambda item: item[1].due_on)


# --- The plan -------------------------------------------------------------------------------------

REQUIRED_AREAS = ("psychological", "educational", "social")


def plan_of(path):
    """The goals with their actions and who does them, in a fixed number of queries."""
    from django.db.models import Prefetch

    from .models import PlanAction, PlanGoal

    actions = PlanAction.objects.select_related("person", "professional", "institution")
    return list(PlanGoal.objects.filter(path=path).select_related("subdimension__side")
                .prefetch_related(Prefetch("actions", queryset=actions)))


def missing_areas(goals):
    """Each family's plan has at least one psychological, one educational and one social action."""
    present = {action.area for goal in goals for action in goal.actions.all()}
    return [area for area in REQUIRED_AREAS if area not in present]


def actions_for_institution(path, institution):
    """The actions assigned to an institution (what a school member sees of the plan)."""
    from .models import PlanAction

    return (PlanAction.objects.filter(goal__path=path, institution=institution)
            .select_related("goal__subdimension", "person", "professional").order_by("deadline"))


# --- Dispositivi and volunteers ----------------------------------------------------------------------

def devices_of(path, user):
    """The devices activated for the family; a school member sees the partnership with their school."""
    from django.db.models import Count

    from .models import DeviceActivation

    devices = (DeviceActivation.objects.filter(path=path)
               .select_related("device_type", "provider", "responsible", "school", "volunteer")
               .annotate(sessions_held=Count("sessions"), sessions_attended=Count("sessions", filter=Q(sessions__attended=True)))
               .order_by("starts_on"))
    if user.acting_role in SCHOOL_ROLES:
        devices = devices.filter(school=user.acting_institution)
    return devices


def volunteers_visible_to(user):
    """The register of volunteers: the district's social workers and the pact coordinator."""
    from patto.accounts.roles import Role

    from .models import Volunteer

    membership = user.acting_membership if user.is_authenticated else None
    if membership is None or membership.role not in (Role.SOCIAL_WORKER, Role.PACT_COORDINATOR):
        return Volunteer.objects.none()
    return Volunteer.objects.filter(district_id=membership.institution.district_id)


# --- Meetings and tasks ----------------------------------------------------------------------------

def meetings_of(path, user):
    """The path's meetings; a school member sees only those they attend."""
    from .models import Meeting

    meetings = Meeting.objects.filter(path=path).prefetch_related("participants", "family_participants")
    if user.acting_role in SCHOOL_ROLES:
        meetings = meetings.filter(participants=user)
    return meetings.order_by("-held_at")


def open_tasks_of(user):
    """The user's open tasks in paths they may still see, soonest first."""
    from .models import Task

    return (Task.objects.filter(assignee=user, done_on__isnull=True, path__in=paths_visible_to(user))
            .select_related("path__family").order_by("due_on"))


def cohorts_visible_to(user):
    """The district's cohorts, with the number of paths in each (no personal data)."""
    from django.db.models import Count

    from .models import Cohort

    membership = user.acting_membership if user.is_authenticated else None
    if membership is None:
        return Cohort.objects.none()
    return (Cohort.objects.filter(district_id=membership.institution.district_id)
            .annotate(path_count=Count("paths")).order_by("-start_date"))


def families_in_path(pact, period):
    """Families with a path open at some point in the period, in the pact's district: an aggregate shown
    outside the case team, so small counts are suppressed (None = "< 5")."""
    from patto.core.stats import suppress_small

    count = (Path.objects.filter(family__district_id=pact.district_id, created_at__date__lte=period.ends_on)
             .filter(Q(closed_on__isnull=True) | Q(closed_on__gte=period.starts_on))
             .values("family").distinct().count())
    return suppress_small(count)
