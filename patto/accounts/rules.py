"""Action permissions for institutions, people and memberships, asked as user.has_perm(name, obj).

Predicates read the acting membership, which is re-read from the database on every request: an
expired or ended membership grants nothing from the next request on."""

import rules

from .roles import PRIVILEGED_ROLES, Role


def _role(user):
    return user.acting_role if user.is_authenticated else None


@rules.predicate
def has_membership(user):
    return _role(user) is not None


@rules.predicate
def is_technical_admin(user):
    return _role(user) == Role.TECHNICAL_ADMIN


@rules.predicate
def is_auditor(user):
    return _role(user) == Role.AUDITOR


@rules.predicate
def is_member_of(user, institution):
    membership = user.acting_membership if user.is_authenticated else None
    return membership is not None and institution is not None and membership.institution_id == institution.pk


@rules.predicate
def is_admin_of(user, institution):
    return _role(user) == Role.INSTITUTION_ADMIN and is_member_of(user, institution)


@rules.predicate
def is_admin_of_membership_institution(user, membership):
    # By id: the people list asks this for every row without loading each row's institution.
    acting = user.acting_membership if user.is_authenticated else None
    return (
        membership is not None
        and acting is not None
        and acting.role == Role.INSTITUTION_ADMIN
        and acting.institution_id == membership.institution_id
    )


@rules.predicate
def is_privileged_membership(user, membership):
    return membership is not None and membership.role in PRIVILEGED_ROLES


@rules.predicate
def is_own_membership(user, membership):
    return membership is not None and membership.user_id == user.pk


@rules.predicate
def is_open_membership(user, membership):
    return membership is not None and membership.ended_at is None


rules.add_perm("accounts.view_directory", has_membership)
rules.add_perm("accounts.view_institution", has_membership)
rules.add_perm("accounts.add_institution", is_technical_admin)
rules.add_perm("accounts.change_institution", is_technical_admin)
rules.add_perm("accounts.view_people", is_member_of | is_technical_admin)
rules.add_perm("accounts.add_membership", is_admin_of | is_technical_admin)
rules.add_perm("accounts.view_person", has_membership)
# A pact coordinator's, technical administrator's or auditor's membership is changed only by the technical
# administrator (who alone grants those roles); any administrator who sees a membership may end it.
rules.add_perm(
    "accounts.change_membership",
    ((is_admin_of_membership_institution & ~is_privileged_membership) | is_technical_admin)
    & ~is_own_membership
    & is_open_membership,
)
rules.add_perm(
    "accounts.end_membership",
    (is_admin_of_membership_institution | is_technical_admin) & ~is_own_membership & is_open_membership,
)
# A new account's invitation is sent again by whoever may add people there (never to oneself).
rules.add_perm(
    "accounts.resend_invitation",
    (is_admin_of_membership_institution | is_technical_admin) & ~is_own_membership & is_open_membership,
)
