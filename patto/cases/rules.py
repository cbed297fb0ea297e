"""Actions on a family's path. Visibility (a seat in force, or an archive access) is checked first by
paths_visible_to; these predicates read the same seats (``queries.access_to``), never the role the user
chose in the header. District-wide screens (opening a path, registers, cohorts) read the acting
membership, which must be in standing."""

import rules

from patto.accounts.models import Institution
from patto.accounts.roles import Role

from .models import TeamMember
from .queries import access_to, acting_in_standing, my_seats, seats_in_force

# Who opens a path (and becomes its case manager): the social service of a comune or of the Ambito.
CASE_MANAGER_KINDS = (Institution.Kind.COMUNE, Institution.Kind.DISTRICT_OFFICE)


@rules.predicate
def can_open_paths(user):
    membership = acting_in_standing(user, (Role.SOCIAL_WORKER,))
    return membership is not None and membership.institution.kind in CASE_MANAGER_KINDS


@rules.predicate
def has_seat(user, path):
    return path is not None and bool(access_to(user, path).seats)


@rules.predicate
def has_any_access(user, path):
    return path is not None and access_to(user, path).any


@rules.predicate
def has_team_view(user, path):
    """A seat outside a school (or an archive access): the équipe's view, not only what is shared."""
    return path is not None and access_to(user, path).team_view


@rules.predicate
def has_full_seat(user, path):
    return path is not None and bool(access_to(user, path).full_seats)


@rules.predicate
def is_case_manager(user, path):
    return path is not None and access_to(user, path).is_case_manager


@rules.predicate
def path_is_open(user, path):
    return path is not None and path.is_open


@rules.predicate
def manages_a_path(user):
    """A case manager's seat in force on some path (who adds the family's members)."""
    if not user.is_authenticated:
        return False
    known = my_seats(user)
    if known is not None:
        return bool(known.seat_path_ids(TeamMember.TeamRole.CASE_MANAGER))
    return seats_in_force().filter(user=user, team_role=TeamMember.TeamRole.CASE_MANAGER).exists()


rules.add_perm("cases.add_path", can_open_paths)
# Choosing a child's school site (plesso) in a person's form: who registers children.
rules.add_perm("cases.choose_school_site", can_open_paths | manages_a_path)
rules.add_perm("cases.view_path", has_any_access)
# Family composition, the signal, the agreement and the full timeline: the team but not the school,
# which sees only what is shared with it (notes, actions, devices and meetings).
rules.add_perm("cases.view_path_details", has_team_view)
rules.add_perm("cases.change_path", is_case_manager)
rules.add_perm("cases.manage_team", is_case_manager & path_is_open)
rules.add_perm("cases.manage_consent", is_case_manager & path_is_open)
rules.add_perm("cases.add_person", is_case_manager & path_is_open)
rules.add_perm("cases.add_note", has_seat & path_is_open)
# Ratings are the équipe's evaluative work: the team but not the school, while the path is open.
rules.add_perm("cases.view_assessments", has_team_view)
rules.add_perm("cases.assess", has_full_seat & path_is_open)
# The family's plan: the équipe works on it; the school sees the actions assigned to it.
rules.add_perm("cases.view_plan", has_team_view)
rules.add_perm("cases.change_plan", has_full_seat & path_is_open)
rules.add_perm("cases.activate_device", is_case_manager & path_is_open)
rules.add_perm("cases.attach_agreement_document", is_case_manager & path_is_open)
rules.add_perm("cases.add_meeting", has_full_seat & path_is_open)
rules.add_perm("cases.record_session", has_full_seat & path_is_open)


@rules.predicate
def manages_volunteers(user):
    return acting_in_standing(user, (Role.SOCIAL_WORKER, Role.PACT_COORDINATOR)) is not None


rules.add_perm("cases.view_volunteers", manages_volunteers)
rules.add_perm("cases.change_volunteer", manages_volunteers)


@rules.predicate
def is_pact_coordinator(user):
    return acting_in_standing(user, (Role.PACT_COORDINATOR,)) is not None


@rules.predicate
def is_social_worker(user):
    return acting_in_standing(user, (Role.SOCIAL_WORKER,)) is not None


@rules.predicate
def can_open_archive(user):
    """The Comune's (or the Ambito's) social service reads closed paths, with a reason."""
    return can_open_paths(user)


rules.add_perm("cases.view_cohorts", is_pact_coordinator | is_social_worker)
rules.add_perm("cases.change_cohort", is_pact_coordinator)
rules.add_perm("cases.change_catalogue", is_pact_coordinator)
rules.add_perm("cases.open_archive", can_open_archive)
