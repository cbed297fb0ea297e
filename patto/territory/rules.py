"""Who reads and writes the territory's figures. Figures about the district, not about people: the pact
coordinator reads them all; a school's administrator or head enters their own school's enrolment; both only
while their institution is in standing (its adhesion to the pact in force, ``standing.py``). The comuni of
residence written as text are about people (a text may be an address): only the coordinator in standing lists
and maps them. The technical administrator, a platform role of the district office (not a signatory of the
pact), reads the comuni with their population and the enrolment figures, to check what was loaded, and
never the residences."""

import rules

from patto.accounts.roles import Role

from .models import SCHOOL_KINDS
from .standing import acting_in_standing

# Who enters a school's (or an educational service's) pupils: its administrator, the school head, the head
# of the educational service.
ENROLMENT_WRITERS = frozenset({Role.INSTITUTION_ADMIN, Role.SCHOOL_HEAD, Role.SERVICE_HEAD})


def _acting(user):
    return user.acting_membership if user.is_authenticated else None


@rules.predicate
def is_coordinator_in_standing(user):
    membership = _acting(user)
    return membership is not None and membership.role == Role.PACT_COORDINATOR and acting_in_standing(user)


@rules.predicate
def is_technical_admin(user):
    membership = _acting(user)
    return membership is not None and membership.role == Role.TECHNICAL_ADMIN


@rules.predicate
def enters_enrolment(user):
    """Acting for a school or educational service in standing, in a role that enters its pupils."""
    membership = _acting(user)
    return (
        membership is not None
        and membership.role in ENROLMENT_WRITERS
        and membership.institution.kind in SCHOOL_KINDS
        and acting_in_standing(user)
    )


@rules.predicate
def enters_enrolment_of(user, school):
    membership = _acting(user)
    return school is not None and enters_enrolment(user) and membership.institution_id == school.pk


reads_district_figures = is_coordinator_in_standing | is_technical_admin

rules.add_perm("territory.view_comuni", reads_district_figures)
rules.add_perm("territory.map_residence", is_coordinator_in_standing)
rules.add_perm("territory.view_enrolment", reads_district_figures | enters_enrolment)
rules.add_perm("territory.change_enrolment", enters_enrolment_of)
