"""The catalogue of roles a person can hold in an institution, with the groups policy asks about,
where each role exists, and who may grant it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PACT_COORDINATOR = "pact_coordinator", _("Pact coordinator (referente territoriale)")
    SOCIAL_WORKER = "social_worker", _("Social worker / case manager")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    CHILD_NEUROPSYCHIATRIST = "child_neuropsychiatrist", _("Child neuropsychiatrist")
    HEALTH_PROFESSIONAL = "health_professional", _("Other health professional")
    SERVICE_HEAD = "service_head", _("Head of service")
    EDUCATOR = "educator", _("Educator")
    SCHOOL_HEAD = "school_head", _("School head")
    SCHOOL_REFERENT = "school_referent", _("School referent (teacher)")
    EDUCATIONAL_STAFF = "educational_staff", _("Educational-service staff")
    LEGAL_OFFICE = "legal_office", _("Legal office")
    INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")
    TECHNICAL_ADMIN = "technical_admin", _("Technical administrator")
    AUDITOR = "auditor", _("Auditor / DPO")


HEALTH_ROLES = frozenset({Role.PSYCHOLOGIST, Role.CHILD_NEUROPSYCHIATRIST, Role.HEALTH_PROFESSIONAL})
SCHOOL_ROLES = frozenset({Role.SCHOOL_HEAD, Role.SCHOOL_REFERENT})
EDUCATION_ROLES = frozenset({Role.EDUCATOR, Role.EDUCATIONAL_STAFF})
# Who takes part in the pact's governance for their institution; the school referent is the school's
# named referent for PIPPI and updates the school's commitments.
GOVERNANCE_ROLES = frozenset(
    {Role.PACT_COORDINATOR, Role.INSTITUTION_ADMIN, Role.SCHOOL_HEAD, Role.SCHOOL_REFERENT, Role.LEGAL_OFFICE}
)

PLATFORM_ROLES = frozenset({Role.TECHNICAL_ADMIN, Role.AUDITOR})
# Granted (and changed) only by the platform's technical administrator, in an audit row of its own.
PRIVILEGED_ROLES = PLATFORM_ROLES | {Role.PACT_COORDINATOR}

# Institution kinds (Institution.Kind values; kept as strings so this module imports no model).
COMUNE, AUSL, SCHOOL, EDUCATIONAL_SERVICE = "comune", "ausl", "school", "educational_service"
THIRD_SECTOR, DISTRICT_OFFICE = "third_sector", "district_office"
ALL_KINDS = frozenset({COMUNE, AUSL, SCHOOL, EDUCATIONAL_SERVICE, THIRD_SECTOR, DISTRICT_OFFICE})

# Where each role exists. Policy relies on it: clinical content only for health roles, which exist only
# at the health authority; school roles only at schools. The social service is run by the comuni, or by
# the district office where the Ambito runs it; the pact coordinator sits at the pact's lead institution
# (a comune or the district office); the platform roles at the district office, which hosts the platform.
ROLE_KINDS = {
    Role.PACT_COORDINATOR: frozenset({COMUNE, DISTRICT_OFFICE}),
    Role.SOCIAL_WORKER: frozenset({COMUNE, DISTRICT_OFFICE}),
    Role.PSYCHOLOGIST: frozenset({AUSL}),
    Role.CHILD_NEUROPSYCHIATRIST: frozenset({AUSL}),
    Role.HEALTH_PROFESSIONAL: frozenset({AUSL}),
    # Who receives requests addressed to the service and assigns them to a named person.
    Role.SERVICE_HEAD: frozenset({COMUNE, DISTRICT_OFFICE, AUSL, THIRD_SECTOR, EDUCATIONAL_SERVICE}),
    Role.EDUCATOR: frozenset({THIRD_SECTOR, EDUCATIONAL_SERVICE, COMUNE}),
    Role.SCHOOL_HEAD: frozenset({SCHOOL}),
    Role.SCHOOL_REFERENT: frozenset({SCHOOL}),
    Role.EDUCATIONAL_STAFF: frozenset({EDUCATIONAL_SERVICE}),
    Role.LEGAL_OFFICE: frozenset({COMUNE, DISTRICT_OFFICE, AUSL}),
    Role.INSTITUTION_ADMIN: ALL_KINDS,
    Role.TECHNICAL_ADMIN: frozenset({DISTRICT_OFFICE}),
    Role.AUDITOR: frozenset({DISTRICT_OFFICE}),
}


def roles_for_institution_kind(kind):
    """The roles that exist in an institution of this kind, in catalogue order."""
    return [role for role in Role if kind in ROLE_KINDS[role]]


def grantable_roles(actor_membership, institution):
    """The roles the person acting under ``actor_membership`` may grant at ``institution``.

    The technical administrator grants every role that exists there, in their own district; an
    institution administrator only at their own institution, never a privileged role (pact coordinator,
    technical administrator, auditor); anyone else nothing. Whether the grantee is the actor
    themselves is checked by the service, which has the grantee."""
    if actor_membership is None or institution is None:
        return []
    roles = roles_for_institution_kind(institution.kind)
    if actor_membership.role == Role.TECHNICAL_ADMIN:
        same_district = actor_membership.institution.district_id == institution.district_id
        return roles if same_district else []
    if actor_membership.role == Role.INSTITUTION_ADMIN and actor_membership.institution_id == institution.pk:
        return [role for role in roles if role not in PRIVILEGED_ROLES]
    return []
