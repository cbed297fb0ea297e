"""The permission to read the district's aggregates: separate from any seat on a path. Visibility of
a district's figures is ``queries.aggregate_district``; these are the actions."""

import rules

from patto.accounts.roles import Role

from .queries import aggregate_district


@rules.predicate
def reads_aggregates(user):
    return aggregate_district(user) is not None


@rules.predicate
def is_coordinator_in_standing(user):
    return reads_aggregates(user) and user.acting_role == Role.PACT_COORDINATOR


rules.add_perm("monitoring.view_aggregates", reads_aggregates)
rules.add_perm("monitoring.manage_grants", is_coordinator_in_standing)
rules.add_perm("monitoring.publish", is_coordinator_in_standing)
