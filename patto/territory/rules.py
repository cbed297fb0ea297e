"""Who reads and writes the territory's figures. Figures about the district, not about people: the pact
coordinator and the technical administrator read them all; a school's administrator or head enters their own
school's enrolment."""

import rules

from patto.accounts.roles import Role

from .models import SCHOOL_KINDS

DISTRICT_READERS = frozenset({Role.PACT_COORDINATOR, Role.TECHNICAL_ADMIN})
# Who enters a school's (or an educational service's) pupils: its administrator, the school head, the head
# of the educational service.
ENROLMENT_WRITERS = frozenset({Role.INSTITUTION_ADMIN, Role.SCHOOL_HEAD, Role.SERVICE_HEAD})


def _acting(user):
    return user.acting_membership if user.is_authenticated else None


@rules.predicate
def reads_district_figures(user):
    membership = _acting(user)
    return membership is not None and membership.role in DISTRICT_READERS


@rules.predicate
def enters_enrolment(user):
    """Acting for a school or educational service in a role that enters its pupils."""
    membership = _acting(user)
    return (
        membership is not None and membership.role in ENROLMENT_WRITERS and membership.institution.kind in SCHOOL_KINDS
    )


@rules.predicate
def enters_enrolment_of(user, school):
    membership = _acting(user)
    return school is not None and enters_enrolment(user) and membership.institution_id == school.pk


rules.add_perm("territory.view_comuni", reads_district_figures)
rules.add_perm("territory.map_residence", reads_district_figures)
rules.add_perm("territory.view_enrolment", reads_district_figures | enters_enrolment)
rules.add_perm("territory.change_enrolment", enters_enrolment_of)
