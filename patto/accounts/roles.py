"""The catalogue of roles a person can hold in an institution, with the groups policy asks about."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PACT_COORDINATOR = "pact_coordinator", _("Pact coordinator (referente territoriale)")
    SOCIAL_WORKER = "social_worker", _("Social worker / case manager")
    PSYCHOLOGIST = "psychologist", _("Psychologist")
    CHILD_NEUROPSYCHIATRIST = "child_neuropsychiatrist", _("Child neuropsychiatrist")
    HEALTH_PROFESSIONAL = "health_professional", _("Other health professional")
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
GOVERNANCE_ROLES = frozenset({Role.PACT_COORDINATOR, Role.INSTITUTION_ADMIN, Role.SCHOOL_HEAD, Role.SCHOOL_REFERENT,
                              Role.LEGAL_OFFICE})

PLATFORM_ROLES = frozenset({Role.TECHNICAL_ADMIN, Role.AUDITOR})


def roles_for_institution_kind(kind):
    """Roles that make sense in an institution of this kind: clinical roles only in the health
    authority, school roles only in schools (policy relies on it: clinical content → health roles)."""
    roles = set(Role)
    if kind != "ausl":
        roles -= HEALTH_ROLES
    if kind != "school":
        roles -= SCHOOL_ROLES
    return [role for role in Role if role in roles]


def grantable_roles(actor_role, institution_kind):
    """Roles an actor may grant: only a technical administrator grants platform roles."""
    roles = roles_for_institution_kind(institution_kind)
    if actor_role != Role.TECHNICAL_ADMIN:
        roles = [role for role in roles if role not in PLATFORM_ROLES]
    return roles
