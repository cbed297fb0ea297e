"""The monitoring app's writes: who may read the aggregates (the figures themselves are never written)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.audit.services import record_event

from .models import AggregateGrant
from .queries import GRANTABLE_ROLES, aggregate_district


def _authorise(actor, perm):
    if not actor.has_perm(perm):
        raise PermissionDenied


@transaction.atomic
def grant_aggregate_access(*, actor, membership, reason, starts_on, ends_on=None):
    """The coordinator lets a named membership of the district read the aggregates, until ``ends_on``."""
    _authorise(actor, "monitoring.manage_grants")
    district = aggregate_district(actor)
    if membership.institution.district_id != district.pk:
        raise PermissionDenied
    if membership.role not in GRANTABLE_ROLES:
        raise ValidationError({"membership": _("This role cannot be given the aggregates.")})
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError({"ends_on": _("The end comes after the start.")})
    grant = AggregateGrant.objects.create(
        district=district,
        membership=membership,
        reason=reason,
        starts_on=starts_on,
        ends_on=ends_on,
        granted_by=actor,
    )
    record_event(
        actor=actor,
        action="monitoring.grant.created",
        obj=grant,
        subjects=[membership.user],
        changes={"membership": [None, membership.pk], "ends_on": [None, str(ends_on or "")]},
    )
    return grant


@transaction.atomic
def revoke_aggregate_access(*, actor, grant):
    _authorise(actor, "monitoring.manage_grants")
    grant = AggregateGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.district_id != aggregate_district(actor).pk:
        raise PermissionDenied
    if grant.revoked_at is not None:
        return grant
    grant.revoked_at, grant.revoked_by = timezone.now(), actor
    grant.save(update_fields=["revoked_at", "revoked_by"])
    record_event(actor=actor, action="monitoring.grant.revoked", obj=grant, subjects=[grant.membership.user])
    return grant


def record_download(*, actor, page, table, fmt):
    """A figure downloaded: no personal data, but the trail says who took which figures out."""
    record_event(
        actor=actor,
        action="monitoring.figures.downloaded",
        object_type="monitoring.page",
        object_id=page,
        changes={"table": [None, table], "format": [None, fmt]},
    )
