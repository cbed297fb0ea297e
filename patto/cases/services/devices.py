"""Dispositivi: activations and their sessions; the register of volunteers."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from patto.accounts.models import Membership
from patto.audit.services import record_event
from patto.core.versioning import update_versioned

from .. import hooks
from ..models import DEVICE_RESPONSIBLE_ROLES, DeviceActivation, DeviceSession, DeviceType, Note, Volunteer
from .path import _event
from .team import _check_consent


def _check_device(device_type, hours_per_week, sessions_planned, school, volunteer, district):
    M = DeviceType.Measure
    if device_type.measure == M.HOME_EDUCATION and not hours_per_week:
        raise ValidationError({"hours_per_week": _("Home education is measured in hours per week.")})
    if device_type.measure == M.GROUPS and not sessions_planned:
        raise ValidationError({"sessions_planned": _("Say how many group sessions are planned.")})
    if device_type.measure == M.SCHOOL_PARTNERSHIP and school is None:
        raise ValidationError({"school": _("Choose the school of the partnership.")})
    if school is not None and device_type.measure != M.SCHOOL_PARTNERSHIP:
        raise ValidationError({"school": _("Only the school partnership names a school.")})
    if volunteer is not None and device_type.measure != M.SOLIDARITY:
        raise ValidationError({"volunteer": _("Only vicinanza solidale has a matched volunteer.")})
    if device_type.measure == M.SOLIDARITY:
        if volunteer is None:
            raise ValidationError({"volunteer": _("Choose the matched volunteer.")})
        if volunteer.screening != Volunteer.Screening.APPROVED or volunteer.district_id != district.pk:
            raise ValidationError(
                {"volunteer": _("Only volunteers approved after the screening interview can be matched.")}
            )


@transaction.atomic
def activate_device(
    *,
    actor,
    path,
    device_type,
    provider,
    starts_on,
    ends_on=None,
    responsible=None,
    hours_per_week=None,
    sessions_planned=None,
    school=None,
    volunteer=None,
    notes="",
):
    # The view asks the same; the service too, since other apps call it (the offer's waiting list) and their hooks
    # act on its authority.
    if not actor.has_perm("cases.activate_device", path):
        raise PermissionDenied
    _check_device(device_type, hours_per_week, sessions_planned, school, volunteer, path.family.district)
    if (
        responsible is not None
        and not Membership.objects.current()
        .filter(user=responsible, institution=provider, role__in=DEVICE_RESPONSIBLE_ROLES)
        .exists()
    ):
        raise ValidationError(
            {"responsible": _("The responsible person is a member of the provider's staff who works with families.")}
        )
    _check_consent(path, school, "school")
    activation = DeviceActivation(
        path=path,
        device_type=device_type,
        provider=provider,
        responsible=responsible,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_week=hours_per_week,
        sessions_planned=sessions_planned,
        school=school,
        volunteer=volunteer,
        notes=notes,
    )
    activation.full_clean()
    activation.save()
    audience = Note.Audience.SCHOOL if school is not None else Note.Audience.TEAM
    _event(path, actor, "device.activated", audience=audience, institution=school, device=device_type.name)
    record_event(
        actor=actor,
        action="cases.device.activated",
        obj=activation,
        changes={"device": [None, device_type.code], "provider": [None, str(provider)]},
    )
    hooks.device_activated(actor=actor, activation=activation)  # e.g. the offer ends the family's waiting
    return activation


@transaction.atomic
def update_device(*, actor, activation, version, ends_on, hours_per_week=None, sessions_planned=None, notes=""):
    if ends_on and ends_on < activation.starts_on:
        raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})
    changes = update_versioned(
        activation,
        version,
        {"ends_on": ends_on, "hours_per_week": hours_per_week, "sessions_planned": sessions_planned, "notes": notes},
    )
    record_event(actor=actor, action="cases.device.changed", obj=activation, changes=changes)
    return activation


@transaction.atomic
def record_device_session(*, actor, activation, held_on, attended, note=""):
    session = DeviceSession.objects.create(activation=activation, held_on=held_on, attended=attended, note=note)
    record_event(
        actor=actor, action="cases.device.session_recorded", obj=session, changes={"attended": [None, attended]}
    )
    return session


VOLUNTEER_FIELDS = ("first_name", "last_name", "town", "phone", "predisposition", "screening", "screened_on")


@transaction.atomic
def add_volunteer(*, actor, district, **fields):
    volunteer = Volunteer(district=district, **fields)
    volunteer.full_clean()
    volunteer.save()
    record_event(actor=actor, action="cases.volunteer.added", obj=volunteer, subjects=[volunteer])
    return volunteer


@transaction.atomic
def update_volunteer(*, actor, volunteer, version, **fields):
    changes = update_versioned(volunteer, version, fields)
    record_event(actor=actor, action="cases.volunteer.changed", obj=volunteer, subjects=[volunteer], changes=changes)
    return volunteer
