"""Actions on a family's path. Visibility (team membership) is checked first by paths_visible_to."""

import rules

from patto.accounts.roles import HEALTH_ROLES, SCHOOL_ROLES, Role

from .models import TeamMember
from .queries import current_team_members


def _current_team_roles(user, path):
    """The user's roles in this path's team now, read once per path object (a request's lifetime)."""
    cache = path.__dict__.setdefault("_team_roles_by_user", {})
    if user.pk not in cache:
        cache[user.pk] = set(current_team_members().filter(path=path, user=user).values_list("team_role", flat=True))
    return cache[user.pk]


@rules.predicate
def is_social_worker(user):
    return user.is_authenticated and user.acting_role == Role.SOCIAL_WORKER


@rules.predicate
def is_team_member(user, path):
    return path is not None and bool(_current_team_roles(user, path))


@rules.predicate
def is_case_manager(user, path):
    return path is not None and TeamMember.TeamRole.CASE_MANAGER in _current_team_roles(user, path)


@rules.predicate
def is_school_role(user):
    return user.is_authenticated and user.acting_role in SCHOOL_ROLES


@rules.predicate
def is_health_role(user):
    return user.is_authenticated and user.acting_role in HEALTH_ROLES


@rules.predicate
def path_is_open(user, path):
    return path is not None and path.is_open


rules.add_perm("cases.add_path", is_social_worker)
rules.add_perm("cases.view_path", is_team_member)
# Family composition, the signal, the agreement and the full timeline: the team but not the school,
# which sees only what is shared with it (notes, and later actions and meetings).
rules.add_perm("cases.view_path_details", is_team_member & ~is_school_role)
rules.add_perm("cases.change_path", is_case_manager)
rules.add_perm("cases.manage_team", is_case_manager & path_is_open)
rules.add_perm("cases.add_person", is_case_manager & path_is_open)
rules.add_perm("cases.add_note", is_team_member & path_is_open)
# Ratings are the équipe's evaluative work: the team but not the school, while the path is open.
rules.add_perm("cases.view_assessments", is_team_member & ~is_school_role)
rules.add_perm("cases.assess", is_team_member & ~is_school_role & path_is_open)
# The family's plan: the équipe works on it; the school sees the actions assigned to it.
rules.add_perm("cases.view_plan", is_team_member & ~is_school_role)
rules.add_perm("cases.change_plan", is_team_member & ~is_school_role & path_is_open)
rules.add_perm("cases.activate_device", is_case_manager & path_is_open)
rules.add_perm("cases.attach_agreement_document", is_case_manager & path_is_open)
rules.add_perm("cases.add_meeting", is_team_member & ~is_school_role & path_is_open)
rules.add_perm("cases.record_session", is_team_member & ~is_school_role & path_is_open)


@rules.predicate
def manages_volunteers(user):
    return user.is_authenticated and user.acting_role in (Role.SOCIAL_WORKER, Role.PACT_COORDINATOR)


rules.add_perm("cases.view_volunteers", manages_volunteers)
rules.add_perm("cases.change_volunteer", manages_volunteers)


@rules.predicate
def is_pact_coordinator(user):
    return user.is_authenticated and user.acting_role == Role.PACT_COORDINATOR


rules.add_perm("cases.view_cohorts", is_pact_coordinator | is_social_worker)
rules.add_perm("cases.change_cohort", is_pact_coordinator)
rules.add_perm("cases.change_catalogue", is_pact_coordinator)
