"""Every write of the offer, the waiting lists and the co-design processes: one transaction, one audit row. Each
checks the actor itself (visibility, then the permission the view asks: PermissionDenied, nothing written)."""

from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.audit.services import record_event
from patto.core.versioning import update_versioned

from .models import (
    CapacityLine,
    CodesignDocument,
    CodesignProcess,
    MeetingPhase,
    Offer,
    PhaseChange,
    WaitingEntry,
)
from .queries import codesign_district, codesign_visible_to, offer_district, offers_visible_to, waiting_visible_to

OFFER_FIELDS = ("places", "hours_per_week", "notes", "is_active")
MANAGE_PATH = "cases.manage_team"  # the case manager of an open path (what the waiting views ask)


def _authorise(actor, perm, obj, visible):
    """The record is visible to the actor and ``perm`` holds (the views' own order: 404, then 403)."""
    if not (actor.has_perm(perm, obj) and visible(actor).filter(pk=obj.pk).exists()):
        raise PermissionDenied


def _authorise_district(actor, perm, district, district_of):
    """A new record of ``district``: the actor's own district (``district_of``) and ``perm``."""
    own = district_of(actor)
    if not (actor.has_perm(perm) and own is not None and own.pk == district.pk):
        raise PermissionDenied


def _authorise_path(actor, path):
    """The family's path seen in full by the actor (``cases``' rule) and managed by them."""
    from patto.cases.models import Path
    from patto.cases.queries import full_view_path_ids

    visible = Path.objects.filter(pk=path.pk, pk__in=full_view_path_ids(actor)).exists()
    if not (visible and actor.has_perm(MANAGE_PATH, path)):
        raise PermissionDenied


def _check_offer(district, provider, comuni):
    if provider.district_id != district.pk:
        raise ValidationError({"provider": _("The provider is not an institution of the district.")})
    if any(comune.district_id != district.pk for comune in comuni):
        raise ValidationError({"comuni": _("Choose comuni of the district.")})
    if not comuni:
        raise ValidationError({"comuni": _("Choose at least one comune where it runs.")})


@transaction.atomic
def add_offer(*, actor, district, device_type, provider, comuni, age_bands, places, hours_per_week=None, notes=""):
    _authorise_district(actor, "offer.change_offer", district, offer_district)
    _check_offer(district, provider, comuni)
    if Offer.objects.filter(district=district, device_type=device_type, provider=provider).exists():
        raise ValidationError(
            {"provider": _("This provider already offers this dispositivo: change its offer instead.")}
        )
    offer = Offer(
        district=district,
        device_type=device_type,
        provider=provider,
        age_bands=Offer.join_bands(age_bands),
        places=places,
        hours_per_week=hours_per_week,
        notes=notes,
    )
    if not offer.age_bands:
        raise ValidationError({"age_bands": _("Choose at least one age band.")})
    offer.full_clean(exclude=["comuni"])
    offer.save()
    offer.comuni.set(comuni)
    record_event(
        actor=actor,
        action="offer.offer.added",
        obj=offer,
        changes={
            "device": [None, device_type.code],
            "provider": [None, str(provider)],
            "places": [None, places],
            "comuni": [None, ", ".join(sorted(c.name for c in comuni))],
            "age_bands": [None, offer.age_bands],
        },
    )
    return offer


@transaction.atomic
def update_offer(*, actor, offer, version, comuni, age_bands, **fields):
    _authorise(actor, "offer.change_offer", offer, offers_visible_to)
    _check_offer(offer.district, offer.provider, comuni)
    bands = Offer.join_bands(age_bands)
    if not bands:
        raise ValidationError({"age_bands": _("Choose at least one age band.")})
    values = {name: fields[name] for name in OFFER_FIELDS if name in fields}
    values["age_bands"] = bands
    before = ", ".join(sorted(offer.comuni.values_list("name", flat=True)))
    changes = update_versioned(offer, version, values)
    after = ", ".join(sorted(c.name for c in comuni))
    if before != after:
        offer.comuni.set(comuni)
        changes["comuni"] = [before, after]
    record_event(actor=actor, action="offer.offer.changed", obj=offer, changes=changes)
    return offer


# --- waiting lists ---------------------------------------------------------------------------------------


def _subjects(path):
    return list(path.family.members.all())


@transaction.atomic
def put_on_waiting_list(*, actor, path, offer, need, since=None):
    _authorise_path(actor, path)
    if not path.is_open:
        raise ValidationError(_("The path is closed."))
    if offer.district_id != path.family.district_id:
        raise ValidationError({"offer": _("Choose a dispositivo offered in the family's district.")})
    if not offer.is_active:
        raise ValidationError({"offer": _("This dispositivo is not offered now.")})
    if WaitingEntry.objects.filter(offer=offer, path=path, ended_on__isnull=True).exists():
        raise ValidationError({"offer": _("The family is already waiting for this dispositivo of this provider.")})
    since = since or timezone.localdate()
    if since > timezone.localdate():
        raise ValidationError({"since": _("The waiting starts today at the latest.")})
    entry = WaitingEntry.objects.create(offer=offer, path=path, need=need, since=since, entered_by=actor)
    record_event(
        actor=actor,
        action="offer.waiting.entered",
        obj=entry,
        subjects=_subjects(path),
        changes={"offer": [None, str(offer)], "since": [None, since.isoformat()]},
    )
    return entry


def _end(actor, entry, version, outcome, on, reason="", activation=None, via=""):
    if on < entry.since:
        raise ValidationError({"ended_on": _("The entry cannot end before the family started waiting.")})
    if on > timezone.localdate():
        raise ValidationError({"ended_on": _("The entry ends today at the latest.")})
    changes = update_versioned(
        entry,
        version,
        {"ended_on": on, "outcome": outcome, "reason": reason, "activation": activation, "ended_by": actor},
    )
    changes.pop("ended_by", None)
    if "activation" in changes:
        changes["activation"] = [None, activation.pk]
    if via:  # activated from the path's own form, not from the waiting list
        changes["via"] = [None, via]
    action = "offer.waiting.activated" if outcome == WaitingEntry.Outcome.ACTIVATED else "offer.waiting.withdrawn"
    record_event(actor=actor, action=action, obj=entry, subjects=_subjects(entry.path), changes=changes)
    return entry


@transaction.atomic
def withdraw_waiting(*, actor, entry, version, reason, ended_on=None):
    if not entry.is_open:
        raise ValidationError(_("This entry has already ended."))
    _authorise(actor, "offer.end_waiting", entry, waiting_visible_to)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the family leaves the waiting list.")})
    return _end(actor, entry, version, WaitingEntry.Outcome.WITHDRAWN, ended_on or timezone.localdate(), reason)


# The entry being activated from the waiting list: ended by ``activate_from_waiting`` itself (with the version
# its form read), not by the hook below.
_activating_entry = ContextVar("offer_activating_entry", default=None)


def _activated_on(activation, entry):
    return min(max(activation.starts_on, entry.since), timezone.localdate())


@transaction.atomic
def activate_from_waiting(*, actor, entry, version, **device):
    """Activate the dispositivo the family was waiting for (``cases.services.activate_device``, its own audit
    row) and end the entry with it, in one transaction."""
    from patto.cases.services import activate_device

    if not entry.is_open:
        raise ValidationError(_("This entry has already ended."))
    _authorise(actor, "offer.end_waiting", entry, waiting_visible_to)
    token = _activating_entry.set(entry.pk)
    try:
        activation = activate_device(
            actor=actor, path=entry.path, device_type=entry.offer.device_type, provider=entry.offer.provider, **device
        )
    finally:
        _activating_entry.reset(token)
    _end(actor, entry, version, WaitingEntry.Outcome.ACTIVATED, _activated_on(activation, entry), activation=activation)
    return activation


def end_waiting_on_activation(*, actor, activation):
    """``cases.hooks.on_device_activated``: a dispositivo activated from the path (cases' own form) ends the
    family's open entry for it (same path, dispositivo and provider, in the family's district), in the
    activation's transaction, audited like an activation from the list, unless the dispositivo had ended before the
    family started waiting. Authorised by the activation itself (``cases.services.activate_device`` checks
    ``cases.activate_device``: the case manager of the open path, the rule of ``offer.end_waiting``)."""
    entries = (
        WaitingEntry.objects.filter(
            path_id=activation.path_id,
            ended_on__isnull=True,
            offer__device_type_id=activation.device_type_id,
            offer__provider_id=activation.provider_id,
            offer__district_id=activation.path.family.district_id,
        )
        .exclude(pk=_activating_entry.get())
        .select_related("path__family")
    )
    if activation.ends_on is not None:  # a dispositivo that had ended before the family started waiting (one of
        entries = entries.filter(since__lte=activation.ends_on)  # the past, recorded now) does not end the wait
    ended = []
    for entry in entries:
        _end(
            actor,
            entry,
            entry.version,
            WaitingEntry.Outcome.ACTIVATED,
            _activated_on(activation, entry),
            activation=activation,
            via="path",
        )
        ended.append(entry)
    return ended


# --- co-design processes ------------------------------------------------------------------------------------

PROCESS_FIELDS = ("title", "reference", "description", "started_on", "body", "needs_year")


def _check_process(district, participants, body, needs_year, started_on):
    if any(institution.district_id != district.pk for institution in participants):
        raise ValidationError({"participants": _("Choose institutions of the district.")})
    if body is not None and body.pact.district_id != district.pk:
        raise ValidationError({"body": _("Choose a body of the district's pact.")})
    if needs_year is not None and not 2000 <= needs_year <= timezone.localdate().year:
        raise ValidationError({"needs_year": _("A year from 2000 to this year.")})
    if started_on > timezone.localdate():
        raise ValidationError({"started_on": _("The notice is recorded once published.")})


@transaction.atomic
def start_process(*, actor, district, participants=(), **fields):
    _authorise_district(actor, "offer.change_codesign", district, codesign_district)
    values = {name: fields.get(name) for name in PROCESS_FIELDS}
    values["reference"] = values["reference"] or ""
    values["description"] = values["description"] or ""
    _check_process(district, participants, values["body"], values["needs_year"], values["started_on"])
    process = CodesignProcess(district=district, **values)
    process.full_clean(exclude=["participants"])
    process.save()
    process.participants.set(participants)
    PhaseChange.objects.create(
        process=process, phase=process.phase, on=process.started_on, recorded_by=actor, note=_("Notice published")
    )
    record_event(
        actor=actor,
        action="offer.codesign.started",
        obj=process,
        changes={
            "title": [None, process.title],
            "participants": [None, "; ".join(sorted(str(p) for p in participants))],
        },
    )
    return process


@transaction.atomic
def update_process(*, actor, process, version, participants, **fields):
    _authorise(actor, "offer.change_codesign", process, codesign_visible_to)
    values = {name: fields[name] for name in PROCESS_FIELDS if name in fields}
    _check_process(process.district, participants, values.get("body"), values.get("needs_year"), values["started_on"])
    before = "; ".join(sorted(str(p) for p in process.participants.all()))
    changes = update_versioned(process, version, values)
    if "body" in changes:
        changes["body"] = [str(changes["body"][0] or ""), str(changes["body"][1] or "")]
    after = "; ".join(sorted(str(p) for p in participants))
    if before != after:
        process.participants.set(participants)
        changes["participants"] = [before, after]
    record_event(actor=actor, action="offer.codesign.changed", obj=process, changes=changes)
    return process


@transaction.atomic
def advance_phase(*, actor, process, version, on, note=""):
    """The next phase, from ``on``. Signing the agreement concludes the process and adds its places to the
    offer (each capacity line once)."""
    _authorise(actor, "offer.change_codesign", process, codesign_visible_to)
    target = process.next_phase
    if target is None:
        raise ValidationError(_("The agreement is signed: the process is concluded."))
    last = process.phase_changes.order_by("-on").values_list("on", flat=True).first()
    if on > timezone.localdate():
        raise ValidationError({"on": _("A phase is recorded once it has begun.")})
    if last is not None and on < last:
        raise ValidationError({"on": _("A phase cannot begin before the previous one.")})
    fields = {"phase": target}
    capacities = []
    if target == CodesignProcess.Phase.AGREEMENT:
        capacities = list(process.capacities.select_related("offer").filter(applied_on__isnull=True))
        if not capacities:
            raise ValidationError(_("Record what the agreement creates (places per dispositivo) before signing it."))
        fields["concluded_on"] = on
    changes = update_versioned(process, version, fields)
    PhaseChange.objects.create(process=process, phase=target, on=on, note=note, recorded_by=actor)
    record_event(actor=actor, action="offer.codesign.phase_changed", obj=process, changes=changes)
    for line in capacities:
        offer = line.offer
        values = {"places": offer.places + line.places_added}
        if line.hours_added:
            values["hours_per_week"] = (offer.hours_per_week or 0) + line.hours_added
        offer_changes = update_versioned(offer, offer.version, values)
        CapacityLine.objects.filter(pk=line.pk).update(applied_on=on)
        record_event(
            actor=actor,
            action="offer.offer.places_added",
            obj=offer,
            changes={**offer_changes, "process": [None, str(process.pk)]},
        )
    return process


@transaction.atomic
def add_capacity(*, actor, process, offer, places_added, hours_added=None):
    _authorise(actor, "offer.change_codesign", process, codesign_visible_to)
    if process.is_concluded:
        raise ValidationError(_("The agreement is signed: what it creates cannot change."))
    if offer.district_id != process.district_id:
        raise ValidationError({"offer": _("Choose a dispositivo offered in the district.")})
    if CapacityLine.objects.filter(process=process, offer=offer).exists():
        raise ValidationError({"offer": _("This dispositivo and provider is already in the agreement.")})
    if places_added < 1:
        raise ValidationError({"places_added": _("At least one place.")})
    line = CapacityLine.objects.create(process=process, offer=offer, places_added=places_added, hours_added=hours_added)
    record_event(
        actor=actor,
        action="offer.codesign.capacity_added",
        obj=process,
        changes={"offer": [None, str(offer)], "places_added": [None, places_added]},
    )
    return line


@transaction.atomic
def add_document(*, actor, process, phase, title, upload):
    _authorise(actor, "offer.change_codesign", process, codesign_visible_to)
    from patto.documents.services import store_attachment

    attachment = store_attachment(actor=actor, upload=upload, scope=f"codesign:{process.pk}")
    document = CodesignDocument.objects.create(
        process=process, phase=phase, title=title, attachment=attachment, added_by=actor
    )
    record_event(
        actor=actor,
        action="offer.codesign.document_added",
        obj=process,
        changes={"document": [None, title], "phase": [None, phase]},
    )
    return document


NO_PHASE = "none"


@transaction.atomic
def assign_meeting_phase(*, actor, process, meeting, phase):
    """Assign a meeting of the process's table to one of its phases (``NO_PHASE``: to none). Nothing changes
    when it is already so (no audit row)."""
    _authorise(actor, "offer.change_codesign", process, codesign_visible_to)
    if process.body_id is None or meeting.body_id != process.body_id:
        raise ValidationError(_("Choose a meeting of the process's co-design table."))
    if phase != NO_PHASE and phase not in CodesignProcess.Phase.values:
        raise ValidationError({"phase": _("Choose a phase of the process.")})
    current = MeetingPhase.objects.select_for_update().filter(process=process, meeting=meeting).first()
    before = current.phase if current else None
    after = None if phase == NO_PHASE else phase
    if before == after:
        return current
    if after is None:
        current.delete()
        current = None
    elif current is None:
        current = MeetingPhase.objects.create(process=process, meeting=meeting, phase=after, assigned_by=actor)
    else:
        current.phase, current.assigned_by = after, actor
        current.save(update_fields=["phase", "assigned_by", "assigned_at"])
    record_event(
        actor=actor,
        action="offer.codesign.meeting_assigned",
        obj=process,
        changes={"meeting": [None, meeting.pk], "phase": [before, after]},
    )
    return current
