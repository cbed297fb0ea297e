"""Every change to institutions, people and memberships: keyword-only, atomic, audited."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from patto.core.audit import record_event
from patto.core.versioning import update_versioned

from .models import District, Institution, Membership, User
from .roles import PRIVILEGED_ROLES, Role, grantable_roles
from .tokens import invitation_token_generator

RECOVERY_CODE_COUNT = 10
INSTITUTION_FIELDS = (
    "kind",
    "name",
    "short_name",
    "codice_meccanografico",
    "istat_code",
    "service_type",
    "tax_code",
    "address",
    "town",
    "email",
    "pec",
    "is_active",
)


@transaction.atomic
def create_district(*, actor, name, reference_prefix, **fields):
    """A new district (the territory that signs one pact). ``actor=None``: the system (``bootstrap``)."""
    district = District(name=name, reference_prefix=reference_prefix, **fields)
    district.full_clean()
    district.save()
    record_event(
        actor=actor,
        action="accounts.district.created",
        obj=district,
        changes={"name": [None, name], "reference_prefix": [None, reference_prefix]},
    )
    return district


@transaction.atomic
def create_institution(*, actor, district, **fields):
    institution = Institution(district=district, **fields)
    institution.full_clean()
    institution.save()
    record_event(
        actor=actor,
        action="accounts.institution.created",
        obj=institution,
        changes={name: [None, getattr(institution, name)] for name in fields},
    )
    return institution


@transaction.atomic
def update_institution(*, actor, institution, version, **fields):
    candidate = Institution(pk=institution.pk, district_id=institution.district_id, **fields)
    candidate._state.adding = False  # an existing row: uniqueness checks exclude it
    candidate.full_clean(exclude=["district"])
    changes = update_versioned(institution, version, fields)
    record_event(actor=actor, action="accounts.institution.updated", obj=institution, changes=changes)
    return institution


def add_member(
    *, actor, institution, email, first_name, last_name, role, valid_from, valid_to=None, request_base_url=""
):
    """Give a person a role in an institution, creating (and inviting) the account if it is new.

    An existing account is found by email (case-insensitive), so the same person is never entered twice.
    The actor must be allowed to grant the role there (``roles.grantable_roles``), never to themselves,
    and an account working in another district is refused with a message that says nothing about it.
    A refusal is audited (``accounts.membership.grant_refused``) and raises ValidationError.
    ``actor=None`` is the system (the demo seed, management commands): only the role's kind is checked."""
    user = User.objects.filter(email__iexact=email).first()
    _check_grant(actor=actor, institution=institution, role=role, grantee=user)
    return _add_member(
        actor=actor,
        institution=institution,
        user=user,
        email=email,
        first_name=first_name,
        last_name=last_name,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
        request_base_url=request_base_url,
    )


@transaction.atomic
def _add_member(
    *, actor, institution, user, email, first_name, last_name, role, valid_from, valid_to, request_base_url
):
    created = user is None
    if created:
        user = User(username=email.lower(), email=email.lower(), first_name=first_name, last_name=last_name)
        user.set_unusable_password()
        user.full_clean()
        user.save()
    duplicate = Membership.objects.current().filter(user=user, institution=institution, role=role).exists()
    if duplicate:
        raise ValidationError(_("This person already holds this role in this institution."))
    membership = Membership(user=user, institution=institution, role=role, valid_from=valid_from, valid_to=valid_to)
    membership.full_clean()
    membership.save()
    record_event(
        actor=actor,
        action=_grant_action(role),
        obj=membership,
        subjects=[user],
        changes={
            "role": [None, role],
            "valid_from": [None, valid_from],
            "valid_to": [None, valid_to],
            "account_created": [None, created],
        },
    )
    if created:
        transaction.on_commit(lambda: send_invitation(user, institution, request_base_url))
    return membership


def _grant_action(role, old_role=None):
    """A privileged grant has an action of its own, so the DPO finds every one of them in the trail."""
    if role in PRIVILEGED_ROLES and role != old_role:
        return "accounts.membership.privileged_granted"
    return "accounts.membership.created" if old_role is None else "accounts.membership.changed"


def _check_grant(*, actor, institution, role, grantee, current_role=None):
    """Refuse (audited, ValidationError) a grant the actor may not make. The checks run in an order that
    reveals nothing: the role first, then the grantee; a foreign account gets the words a typing error would."""
    if actor is None:
        return
    acting = actor.acting_membership
    if role not in grantable_roles(acting, institution) or (
        current_role in PRIVILEGED_ROLES and getattr(acting, "role", None) != Role.TECHNICAL_ADMIN
    ):
        _refuse(
            actor,
            institution,
            role,
            "role_not_grantable",
            {
                "role": _(
                    "You cannot grant this role at this institution. Pact coordinators, technical administrators and "
                    "auditors are appointed by the technical administrator."
                )
            },
        )
    if grantee is not None and grantee.pk == actor.pk:
        _refuse(
            actor,
            institution,
            role,
            "own_account",
            _("Nobody can give a role to themselves: ask another administrator."),
        )
    if grantee is not None and _works_elsewhere(grantee, institution.district_id):
        _refuse(
            actor,
            institution,
            role,
            "account_not_usable",
            {
                "email": _(
                    "This email cannot be used here. Check it, or ask the technical administrator of the district."
                )
            },
        )


def _works_elsewhere(user, district_id):
    """True for an account whose memberships (the current ones; if none, all it ever had) are all in
    another district. An account with no membership at all belongs to no district yet."""
    memberships = Membership.objects.filter(user=user)
    current = memberships.current()
    considered = current if current.exists() else memberships
    return considered.exists() and not considered.filter(institution__district_id=district_id).exists()


def _refuse(actor, institution, role, reason, message):
    # Written outside any transaction of the grant, so the refusal stays in the trail.
    record_event(
        actor=actor,
        action="accounts.membership.grant_refused",
        obj=institution,
        changes={"role": [None, role], "reason": [None, reason]},
    )
    raise ValidationError(message)


def send_invitation(user, institution, base_url):
    """Email a new account a link to choose its password, valid PATTO_INVITATION_HOURS (single use)."""
    path = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_token_generator.make_token(user),
        },
    )
    body = render_to_string(
        "accounts/email/invitation.txt",
        {"user": user, "institution": institution, "link": base_url + path, "hours": settings.PATTO_INVITATION_HOURS},
    )
    send_mail(_("Your Patto account"), body, None, [user.email])


@transaction.atomic
def resend_invitation(*, actor, membership, request_base_url=""):
    """Send a new invitation to a person who has not chosen a password yet (the link expired or was lost).
    The previous link stops working: the account gets a new unusable password, which the links sign."""
    user = membership.user
    if user.has_usable_password():
        raise ValidationError(
            _(
                "This person has already chosen a password. If they have forgotten it, they can "
                "reset it from the sign-in page."
            )
        )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    record_event(actor=actor, action="accounts.invitation.resent", obj=membership, subjects=[user])
    transaction.on_commit(lambda: send_invitation(user, membership.institution, request_base_url))
    return membership


def change_membership(*, actor, membership, version, role, valid_from, valid_to):
    """Change a membership's role or dates, under the same rules as a grant (``add_member``); a membership
    holding a privileged role is changed only by the technical administrator."""
    _check_grant(actor=actor, institution=membership.institution, role=role, grantee=None, current_role=membership.role)
    if actor is not None and membership.user_id == actor.pk:
        _refuse(
            actor,
            membership.institution,
            role,
            "own_account",
            _("Nobody can change their own role: ask another administrator."),
        )
    return _change_membership(
        actor=actor, membership=membership, version=version, role=role, valid_from=valid_from, valid_to=valid_to
    )


@transaction.atomic
def _change_membership(*, actor, membership, version, role, valid_from, valid_to):
    old_role = membership.role
    candidate = Membership(
        user_id=membership.user_id,
        institution_id=membership.institution_id,
        role=role,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    candidate.full_clean(exclude=["user", "institution"])
    changes = update_versioned(membership, version, {"role": role, "valid_from": valid_from, "valid_to": valid_to})
    record_event(
        actor=actor, action=_grant_action(role, old_role), obj=membership, subjects=[membership.user], changes=changes
    )
    return membership


@transaction.atomic
def end_membership(*, actor, membership, version, reason):
    """End a membership now: it grants nothing from the next request on. Ending is always allowed to the
    administrators who may see it (revoking is never a risk), but never one's own."""
    if actor is not None and membership.user_id == actor.pk:
        raise ValidationError(_("Nobody can end their own role: ask another administrator."))
    now = timezone.now()
    today = timezone.localdate()
    fields = {
        "ended_at": now,
        "end_reason": reason,
        "valid_to": today if membership.valid_to is None or membership.valid_to > today else membership.valid_to,
    }
    if fields["valid_to"] < membership.valid_from:
        fields["valid_to"] = membership.valid_from
    changes = update_versioned(membership, version, fields)
    record_event(
        actor=actor,
        action="accounts.membership.ended",
        obj=membership,
        subjects=[membership.user],
        changes=changes,
        purpose=reason,
    )
    return membership


def switch_membership(*, user, session, membership):
    """Act under another of one's own current memberships (the institution switcher)."""
    session["acting_membership_id"] = membership.pk
    user.act_as(membership.pk)
    record_event(actor=user, action="accounts.session.institution_switched", obj=membership)


# --- Two-factor authentication -----------------------------------------------------------------


def unsaved_totp_device(user, key):
    """The TOTP device being enrolled, not saved until its first code is confirmed."""
    return TOTPDevice(user=user, key=key, name="Patto", confirmed=True)


def has_mfa(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def enable_totp(*, actor, key, token):
    """Confirm an enrolment with a code from the app: replaces any previous authenticator and
    returns the device and the new recovery codes (shown once), or None if the code is wrong."""
    device = unsaved_totp_device(actor, key)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    if not token.isdigit() or not totp.verify(int(token), tolerance=device.tolerance):
        record_event(actor=actor, action="accounts.mfa.enrolment_failed", subjects=[actor])
        return None
    TOTPDevice.objects.filter(user=actor).delete()
    device.save()
    codes = _new_recovery_codes(actor)
    record_event(actor=actor, action="accounts.mfa.enabled", obj=actor, subjects=[actor])
    return device, codes


@transaction.atomic
def regenerate_recovery_codes(*, actor):
    codes = _new_recovery_codes(actor)
    record_event(actor=actor, action="accounts.mfa.recovery_codes_regenerated", obj=actor, subjects=[actor])
    return codes


def _new_recovery_codes(user):
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


@transaction.atomic
def disable_mfa(*, actor):
    if settings.PATTO_REQUIRE_MFA:
        raise ValidationError(_("Two-factor authentication is required for every account."))
    TOTPDevice.objects.filter(user=actor).delete()
    StaticDevice.objects.filter(user=actor).delete()
    record_event(actor=actor, action="accounts.mfa.disabled", obj=actor, subjects=[actor])
