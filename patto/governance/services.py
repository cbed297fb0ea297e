"""Every change to the pact, its versions, signatories, commitments and monitoring: atomic and audited."""

import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from patto.accounts.models import Membership
from patto.audit.services import record_event
from patto.core.calendar import calendar_bytes
from patto.core.exceptions import TransitionError
from patto.core.versioning import update_versioned
from patto.documents.services import store_attachment
from patto.notifications.kinds import Kind
from patto.notifications.services import notify

from .ics import meeting_events
from .models import (
    ActionItem,
    Adhesion,
    Attendance,
    Body,
    BodyMeeting,
    BodyMember,
    CalendarFeed,
    Commitment,
    CommitmentUpdate,
    Indicator,
    IndicatorValue,
    MonitoringPeriod,
    PactVersion,
    Procedure,
    ProcedureRevision,
    Section,
)
from .queries import (
    body_members_reached,
    body_seats_in_force,
    feed_hash,
    in_standing,
    pacts_visible_to,
    referents_of,
    version_approvers,
)
from .rules import action_item_statuses, procedure_fields


def _authorise(actor, allowed, pact):
    """The actions a party takes check the policy themselves, whatever their caller checked: the actor's
    institution is in standing in the pact's district and the rule (``allowed``) holds."""
    if not (allowed and pacts_visible_to(actor).filter(pk=pact.pk).exists()):
        raise PermissionDenied


def _same_district(institution, pact, field):
    if institution.district_id != pact.district_id:
        raise ValidationError({field: _("Choose an institution of the pact's district.")})


@transaction.atomic
def draft_version(*, actor, pact, summary=""):
    """A new draft copied from the version in force (sections and commitments, same lineages)."""
    if pact.versions.filter(status=PactVersion.Status.DRAFT).exists():
        raise ValidationError(_("There is already a draft: finish it or approve it first."))
    base = pact.version_in_force() or pact.versions.order_by("-number").first()
    number = (pact.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    draft = PactVersion.objects.create(pact=pact, number=number, summary=summary, created_by=actor)
    if base is not None:
        Section.objects.bulk_create(
            [Section(pact_version=draft, key=s.key, text=s.text, order=s.order) for s in base.sections.all()]
        )
        copies = Commitment.objects.bulk_create(
            [
                Commitment(pact_version=draft, lineage=c.lineage, institution=c.institution, text=c.text, order=c.order)
                for c in base.commitments.all()
            ]
        )
        by_lineage = {c.lineage: c for c in copies}
        Indicator.objects.bulk_create(
            [
                Indicator(
                    commitment=by_lineage[i.commitment.lineage],
                    name=i.name,
                    unit=i.unit,
                    target=i.target,
                    source=i.source,
                )
                for i in Indicator.objects.filter(commitment__pact_version=base).select_related("commitment")
            ]
        )
    else:
        Section.objects.bulk_create(
            [Section(pact_version=draft, key=key, order=order) for order, key in enumerate(Section.Key.values)]
        )
    record_event(
        actor=actor,
        action="governance.version.drafted",
        obj=draft,
        changes={"number": [None, number], "from": [None, base.number if base else None]},
    )
    return draft


def _require_draft(pact_version):
    """The draft is being written: not approved, nor submitted for approval (read-only until it comes back)."""
    if pact_version.status != PactVersion.Status.DRAFT or pact_version.submitted_at is not None:
        raise TransitionError(pact_version.status)


@transaction.atomic
def update_section(*, actor, section, version, text):
    _require_draft(section.pact_version)
    changes = update_versioned(section, version, {"text": text})
    record_event(
        actor=actor,
        action="governance.section.changed",
        obj=section.pact_version,
        changes={f"section_{section.key}": ["…", "…"]} if changes else {},
        purpose=section.key,
    )
    return section


@transaction.atomic
def save_commitment(*, actor, pact_version, institution, text, order=0, commitment=None, version=None):
    """Add a commitment to a draft, or change one (optimistic lock)."""
    _require_draft(pact_version)
    _same_district(institution, pact_version.pact, "institution")
    if commitment is None:
        commitment = Commitment.objects.create(
            pact_version=pact_version, institution=institution, text=text, order=order
        )
        record_event(
            actor=actor,
            action="governance.commitment.added",
            obj=commitment,
            changes={"institution": [None, str(institution)], "text": [None, text]},
        )
        return commitment
    changes = update_versioned(commitment, version or 0, {"institution": institution, "text": text, "order": order})
    record_event(actor=actor, action="governance.commitment.changed", obj=commitment, changes=changes)
    return commitment


@transaction.atomic
def approve_version(*, actor, pact_version, version, approved_on, approval_reference, effective_from, approved_in=None):
    """The Gruppo Territoriale approved the draft (in ``approved_in``, a recorded meeting, when given):
    it takes effect on ``effective_from``. A draft is approved whether or not it was submitted first."""
    if pact_version.status != PactVersion.Status.DRAFT:
        raise TransitionError(pact_version.status)
    if effective_from < approved_on:
        raise ValidationError({"effective_from": _("A version cannot take effect before it is approved.")})
    if approved_in is not None and (
        approved_in.body.pact_id != pact_version.pact_id
        or timezone.localtime(approved_in.starts_at).date() != approved_on
    ):
        raise ValidationError({"approved_in": _("Choose a meeting of this pact's bodies held on the approval date.")})
    changes = update_versioned(
        pact_version,
        version,
        {
            "status": PactVersion.Status.APPROVED,
            "approved_on": approved_on,
            "approved_in": approved_in,
            "approval_reference": approval_reference,
            "effective_from": effective_from,
        },
    )
    record_event(
        actor=actor, action="governance.version.approved", obj=pact_version, changes=changes, purpose=approval_reference
    )
    return pact_version


@transaction.atomic
def submit_version(*, actor, pact_version, version):
    """The coordinator puts the draft to the Gruppo Territoriale's approval: it is read-only from now on, and
    the people who approve it are told (``version_approvers``)."""
    _require_draft(pact_version)
    now = timezone.now()
    update_versioned(pact_version, version, {"submitted_at": now, "submitted_by": actor})
    record_event(
        actor=actor,
        action="governance.version.submitted",
        obj=pact_version,
        changes={"submitted_at": [None, now.isoformat()]},
    )
    with translation.override(settings.LANGUAGE_CODE):  # the reference is stored, in the district's language
        reference = str(pact_version)
    notify(
        recipients=version_approvers(pact_version.pact),
        kind=Kind.VERSION_TO_APPROVE,
        url=reverse("governance:version_detail", kwargs={"number": pact_version.number}),
        reference=reference,
        exclude=actor,
    )
    return pact_version


@transaction.atomic
def withdraw_from_approval(*, actor, pact_version, version):
    """The submitted draft goes back to drafting (editable again), until it is submitted anew."""
    if not pact_version.is_awaiting_approval:
        raise TransitionError(pact_version.status)
    submitted_at = pact_version.submitted_at
    update_versioned(pact_version, version, {"submitted_at": None, "submitted_by": None})
    record_event(
        actor=actor,
        action="governance.version.withdrawn_from_approval",
        obj=pact_version,
        changes={"submitted_at": [submitted_at.isoformat(), None]},
    )
    return pact_version


@transaction.atomic
def set_publication(*, actor, pact, is_public):
    """Publish (or withdraw) the public page: the text in force and the signatories, nothing else."""
    old = pact.is_public
    pact.is_public = is_public
    pact.save(update_fields=["is_public"])
    record_event(actor=actor, action="governance.pact.publication", obj=pact, changes={"is_public": [old, is_public]})
    return pact


# --- Signatories --------------------------------------------------------------------------------------


@transaction.atomic
def record_adhesion(
    *,
    actor,
    pact,
    institution,
    signer_name,
    signer_role,
    signed_on,
    method,
    document_reference="",
    signed_document=None,
):
    """An institution signs the pact; ``signed_document`` (an upload) is the signed adhesion, if at hand."""
    if institution.district_id != pact.district_id:
        raise ValidationError({"institution": _("Only institutions of the district sign its pact.")})
    if Adhesion.objects.filter(pact=pact, institution=institution, withdrawn_on__isnull=True).exists():
        raise ValidationError({"institution": _("This institution has already signed the pact.")})
    adhesion = Adhesion.objects.create(
        pact=pact,
        institution=institution,
        signer_name=signer_name,
        signer_role=signer_role,
        signed_on=signed_on,
        method=method,
        document_reference=document_reference,
    )
    record_event(
        actor=actor,
        action="governance.adhesion.recorded",
        obj=adhesion,
        changes={"institution": [None, str(institution)], "signed_on": [None, signed_on]},
    )
    if signed_document is not None:
        attach_signed_document(actor=actor, adhesion=adhesion, upload=signed_document)
    return adhesion


def pact_scope(pact):
    """The upload quota is counted per pact."""
    return f"governance.pact:{pact.pk}"


@transaction.atomic
def attach_signed_document(*, actor, adhesion, upload):
    """Attaches (or replaces) the signed adhesion document. A replaced file stays stored and audited."""
    previous = adhesion.signed_document_id
    adhesion.signed_document = store_attachment(actor=actor, upload=upload, scope=pact_scope(adhesion.pact))
    adhesion.save(update_fields=["signed_document"])
    record_event(
        actor=actor,
        action="governance.adhesion.document_attached",
        obj=adhesion,
        changes={"signed_document": [str(previous) if previous else None, str(adhesion.signed_document_id)]},
    )
    return adhesion


@transaction.atomic
def withdraw_adhesion(*, actor, adhesion, withdrawn_on, reason):
    if adhesion.withdrawn_on is not None:
        raise TransitionError("withdrawn")
    if withdrawn_on < adhesion.signed_on:
        raise ValidationError({"withdrawn_on": _("The withdrawal cannot precede the signature.")})
    adhesion.withdrawn_on = withdrawn_on
    adhesion.withdrawal_reason = reason
    adhesion.save(update_fields=["withdrawn_on", "withdrawal_reason"])
    record_event(actor=actor, action="governance.adhesion.withdrawn", obj=adhesion, purpose=reason)
    return adhesion


# --- Monitoring ------------------------------------------------------------------------------------------


@transaction.atomic
def open_period(*, actor, pact, name, starts_on, ends_on):
    if ends_on <= starts_on:
        raise ValidationError({"ends_on": _("The period must end after it starts.")})
    if pact.periods.filter(opened_at__isnull=False, closed_at__isnull=True).exists():
        raise ValidationError(_("Close the open monitoring period before opening another."))
    period = MonitoringPeriod.objects.create(
        pact=pact, name=name, starts_on=starts_on, ends_on=ends_on, opened_at=timezone.now()
    )
    record_event(actor=actor, action="governance.period.opened", obj=period)
    in_force = pact.version_in_force()
    if in_force is not None:  # the parties' referents: they update their commitments in the period
        notify(
            recipients=[m.user for m in referents_of(in_force.commitments.values("institution"))],
            kind=Kind.MONITORING_PERIOD_OPENED,
            url=reverse("governance:commitments"),
            reference=name,
            exclude=actor,
        )
    return period


@transaction.atomic
def close_period(*, actor, period):
    if not period.is_open:
        raise TransitionError("not open")
    period.closed_at = timezone.now()
    period.save(update_fields=["closed_at"])
    record_event(actor=actor, action="governance.period.closed", obj=period)
    return period


@transaction.atomic
def update_commitment_status(*, actor, commitment, period, status, evidence, evidence_file=None):
    """The party records where its commitment stands in the open period, with its evidence (a note and
    optionally a file); earlier updates are kept."""
    pact = commitment.pact_version.pact
    _authorise(
        actor, actor.has_perm("governance.update_commitment_status", commitment) and period.pact_id == pact.pk, pact
    )
    if not period.is_open:
        raise ValidationError(_("The monitoring period is not open."))
    attachment = (
        store_attachment(actor=actor, upload=evidence_file, scope=pact_scope(period.pact))
        if evidence_file is not None
        else None
    )
    update = CommitmentUpdate.objects.create(
        commitment=commitment,
        period=period,
        status=status,
        evidence=evidence,
        evidence_file=attachment,
        author=actor,
        author_institution=actor.acting_institution,
    )
    record_event(
        actor=actor, action="governance.commitment.status_updated", obj=commitment, changes={"status": [None, status]}
    )
    return update


# --- Governance bodies and meetings ------------------------------------------------------------------------


@transaction.atomic
def create_body(*, actor, pact, kind, name, description=""):
    body = Body.objects.create(pact=pact, kind=kind, name=name, description=description)
    record_event(actor=actor, action="governance.body.created", obj=body)
    return body


@transaction.atomic
def add_body_member(*, actor, body, user, institution, role_in_body="", valid_from, valid_to=None):
    """A person sits on a body for an institution of the district in standing where they hold a role now."""
    _same_district(institution, body.pact, "institution")
    if not in_standing(institution):
        raise ValidationError({"institution": _("This institution has no adhesion in force to the pact.")})
    if not Membership.objects.current().filter(user=user, institution=institution).exists():
        raise ValidationError({"user": _("This person has no valid role in that institution.")})
    member = BodyMember.objects.create(
        body=body,
        user=user,
        institution=institution,
        role_in_body=role_in_body,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    record_event(actor=actor, action="governance.body.member_added", obj=member, subjects=[user])
    if body_seats_in_force().filter(pk=member.pk).exists():  # a seat starting later opens nothing yet
        notify(
            recipients=[user],
            kind=Kind.BODY_ADDED,
            url=reverse("governance:body_detail", kwargs={"body_pk": body.pk}),
            reference=body.name,
            exclude=actor,
        )
    return member


@transaction.atomic
def schedule_body_meeting(*, actor, body, starts_at, duration_minutes, place, agenda):
    meeting = BodyMeeting.objects.create(
        body=body, starts_at=starts_at, duration_minutes=duration_minutes, place=place, agenda=agenda
    )
    record_event(actor=actor, action="governance.meeting.scheduled", obj=meeting)
    if starts_at >= timezone.now():  # a meeting recorded after it was held convenes nobody
        notify(
            recipients=body_members_reached(body),
            kind=Kind.MEETING_CONVENED,
            url=reverse("governance:body_meeting", kwargs={"meeting_pk": meeting.pk}),
            reference=str(meeting),
            ics=calendar_bytes(meeting_events([meeting]), name="Governance"),
            exclude=actor,
        )
    return meeting


@transaction.atomic
def reschedule_body_meeting(*, actor, meeting, version, starts_at, duration_minutes, place, agenda):
    """A meeting still to be held (no minutes yet) moves to another time or place, or changes its agenda;
    the body's members are told, with the .ics that replaces the event in their calendars (same UID, higher
    SEQUENCE)."""
    if not meeting.can_be_rescheduled:
        raise ValidationError(_("This meeting has already been held or has minutes: it can no longer be changed."))
    if starts_at <= timezone.now():
        raise ValidationError({"starts_at": _("Choose a date and time still to come.")})
    fields = {"starts_at": starts_at, "duration_minutes": duration_minutes, "place": place, "agenda": agenda}
    changes = update_versioned(meeting, version, fields)
    record_event(actor=actor, action="governance.meeting.changed", obj=meeting, changes=changes)
    if changes:
        notify(
            recipients=body_members_reached(meeting.body),
            kind=Kind.MEETING_CHANGED,
            url=reverse("governance:body_meeting", kwargs={"meeting_pk": meeting.pk}),
            reference=str(meeting),
            ics=calendar_bytes(meeting_events([meeting]), name="Governance"),
            exclude=actor,
        )
    return meeting


@transaction.atomic
def record_body_minutes(*, actor, meeting, version, minutes, decisions, attendance, action_items=()):
    """Minutes, decisions, who attended or sent apologies, and the new action items (owned by members)."""
    members = dict(meeting.body.members.values_list("pk", "user_id"))
    if set(attendance) - set(members) or {item["owner"].pk for item in action_items} - set(members.values()):
        raise ValidationError(_("Attendance and action items are for the members of the body."))
    changes = update_versioned(meeting, version, {"minutes": minutes, "decisions": decisions})
    Attendance.objects.filter(meeting=meeting).delete()
    Attendance.objects.bulk_create(
        [
            Attendance(meeting=meeting, member_id=member_id, status=status)
            for member_id, status in attendance.items()
            if status
        ]
    )
    items = ActionItem.objects.bulk_create([ActionItem(meeting=meeting, **item) for item in action_items])
    record_event(actor=actor, action="governance.meeting.minutes_recorded", obj=meeting, changes=changes)
    if meeting.minutes and meeting.minutes_approved_in_id is None:
        # The body approves its minutes at its next meeting: its members read them first (told once).
        notify(
            recipients=body_members_reached(meeting.body),
            kind=Kind.MINUTES_TO_APPROVE,
            url=reverse("governance:body_meeting", kwargs={"meeting_pk": meeting.pk}),
            reference=str(meeting),
            dedupe_key=f"body_meeting:{meeting.pk}:minutes",
            exclude=actor,
        )
    return items


@transaction.atomic
def approve_minutes(*, actor, meeting, in_meeting):
    """The minutes of ``meeting`` are approved at a later meeting of the same body."""
    if meeting.body_id != in_meeting.body_id or in_meeting.starts_at <= meeting.starts_at:
        raise ValidationError(_("Minutes are approved at a later meeting of the same body."))
    if not meeting.minutes or meeting.minutes_approved_in_id:
        raise TransitionError("minutes")
    meeting.minutes_approved_in = in_meeting
    meeting.save(update_fields=["minutes_approved_in"])
    record_event(actor=actor, action="governance.meeting.minutes_approved", obj=meeting)
    return meeting


@transaction.atomic
def set_action_item_status(*, actor, item, status):
    """Its owner marks an action item done; the coordinator also reopens or cancels it."""
    _authorise(actor, status in action_item_statuses(actor, item), item.meeting.body.pact)
    old = item.status
    item.status = status
    item.save(update_fields=["status"])
    record_event(actor=actor, action="governance.action_item.changed", obj=item, changes={"status": [old, status]})
    return item


# --- Procedures --------------------------------------------------------------------------------------------


def _check_procedure_dates(approved_on, review_on):
    if review_on <= approved_on:
        raise ValidationError({"review_on": _("The review date comes after the approval.")})


@transaction.atomic
def create_procedure(*, actor, pact, **fields):
    allowed = procedure_fields(actor)
    _authorise(actor, allowed and set(fields) <= set(allowed), pact)
    _same_district(fields["owner"], pact, "owner")
    _check_procedure_dates(fields["approved_on"], fields["review_on"])
    procedure = Procedure.objects.create(pact=pact, **fields)
    record_event(actor=actor, action="governance.procedure.created", obj=procedure)
    return procedure


@transaction.atomic
def revise_procedure(*, actor, procedure, version, **fields):
    """A new revision: the previous text is kept in the history when the text changes. The owner sets the
    content only; a transfer to another owner, the approval and the review dates are the coordinator's
    (``rules.procedure_fields``): any other field is refused, not ignored."""
    allowed = procedure_fields(actor, procedure)
    _authorise(actor, allowed and set(fields) <= set(allowed), procedure.pact)
    if "owner" in fields:
        _same_district(fields["owner"], procedure.pact, "owner")
    _check_procedure_dates(
        fields.get("approved_on", procedure.approved_on), fields.get("review_on", procedure.review_on)
    )
    previous_text, previous_approved, previous_revision = procedure.text, procedure.approved_on, procedure.revision
    text_changed = "text" in fields and fields["text"] != previous_text
    if text_changed:
        fields["revision"] = previous_revision + 1
    changes = update_versioned(procedure, version, fields)
    if text_changed:
        ProcedureRevision.objects.create(
            procedure=procedure,
            revision=previous_revision,
            text=previous_text,
            approved_on=previous_approved,
            replaced_by=actor,
        )
    record_event(
        actor=actor,
        action="governance.procedure.revised",
        obj=procedure,
        changes={k: v for k, v in changes.items() if k != "text"},
    )
    return procedure


# --- The personal calendar feed ------------------------------------------------------------------------------


@transaction.atomic
def create_calendar_feed(*, actor):
    """A new secret link (any earlier one stops working). Returns the token, shown once."""
    CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(user=actor, token_hash=feed_hash(token))
    record_event(actor=actor, action="governance.calendar_feed.created", obj=feed)
    return token


@transaction.atomic
def revoke_calendar_feed(*, actor):
    count = CalendarFeed.objects.filter(user=actor, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record_event(actor=actor, action="governance.calendar_feed.revoked", changes={"revoked": [None, count]})


# --- Indicators --------------------------------------------------------------------------------------------


@transaction.atomic
def add_indicator(*, actor, commitment, name, unit, target, source):
    indicator = Indicator.objects.create(commitment=commitment, name=name, unit=unit, target=target, source=source)
    record_event(
        actor=actor,
        action="governance.indicator.added",
        obj=indicator,
        changes={"name": [None, name], "target": [None, str(target)], "source": [None, source]},
    )
    return indicator


@transaction.atomic
def record_indicator_value(*, actor, indicator, period, value, evidence, evidence_file=None):
    pact = indicator.commitment.pact_version.pact
    _authorise(actor, actor.has_perm("governance.value_indicator", indicator) and period.pact_id == pact.pk, pact)
    if indicator.source != Indicator.Source.MANUAL:
        raise ValidationError(_("This indicator is computed by Patto."))
    if not period.is_open:
        raise ValidationError(_("The monitoring period is not open."))
    attachment = (
        store_attachment(actor=actor, upload=evidence_file, scope=pact_scope(period.pact))
        if evidence_file is not None
        else None
    )
    entry = IndicatorValue.objects.create(
        indicator=indicator, period=period, value=value, evidence=evidence, evidence_file=attachment, author=actor
    )
    record_event(
        actor=actor, action="governance.indicator.valued", obj=indicator, changes={"value": [None, str(value)]}
    )
    return entry
