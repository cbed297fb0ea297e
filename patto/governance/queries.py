"""Who may read the pact and its governance. The pact text in force: every user of an institution in
standing. Governance content (drafts, commitments' status, monitoring): their members with a governance role.

Every record of the pact is fetched from ``visible_to(user, Model)`` (its pact's visibility); the reads that
return staff names write their access row here, where the data are fetched, so that a page and its PDF or
spreadsheet log alike."""

import calendar
import hashlib
import uuid
from datetime import date, timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone, translation
from django.utils.formats import date_format

from patto.accounts.memo import memo
from patto.accounts.models import Institution, Membership, User
from patto.accounts.roles import GOVERNANCE_ROLES
from patto.audit.services import record_access
from patto.core.frozen import FrozenQuery, set_prefetched, with_parent
from patto.documents.models import Attachment

from .indicators import values_for
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
    Pact,
    PactVersion,
    Procedure,
    Section,
)


def _acting(user):
    return user.acting_membership if user.is_authenticated else None


def adhesions_in_force(on=None):
    """Adhesions signed by ``on`` (today) and not withdrawn by then: a withdrawal counts from its date."""
    day = on or timezone.localdate()
    return Adhesion.objects.filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=day), signed_on__lte=day)


def institutions_in_standing(on=None):
    """Standing: the one source of truth for whether an institution's people may see anything about
    families or the pact's governance. An institution is in standing while it is active and its adhesion
    to its own district's pact is in force. Withdrawn, inactive or never signed: no access, from the next
    request (every visibility query asks this, nothing is cached)."""
    adhesion = adhesions_in_force(on).filter(institution=OuterRef("pk"), pact__district=OuterRef("district"))
    return Institution.objects.filter(Exists(adhesion), is_active=True)


def institutions_in_standing_of(user):
    """The institutions of the user's current memberships that are in standing, asked once per request (the
    menu, the predicates, the sections all ask) and remembered on the request's User only (``accounts.memo``:
    never longer, and forgotten when the acting membership changes)."""
    cache = memo(user)
    if "standing" not in cache:
        memberships = user.current_memberships
        if cache.get("memberships_annotated"):  # read with this memo: their standing came with them
            cache["standing"] = {m.institution_id for m in memberships if m.in_standing}
        else:  # read before the memo was forgotten (the acting membership changed): asked afresh
            cache["standing"] = set(_STANDING_OF.rows(user_id=user.pk)) if memberships else set()
    return cache["standing"]


def membership_in_standing(day):
    """Whether a membership's institution is in standing on ``day``: read with the user's current memberships
    (``accounts.models.annotate_current_memberships``), so that the standing costs no query of its own."""
    return Exists(institutions_in_standing(day).filter(pk=OuterRef("institution_id")))


def _standing_of(day, user_id):
    """The institutions in standing among those of the user's current memberships (compiled once a day)."""
    mine = Membership.objects.current(day).filter(user_id=user_id).values("institution_id")
    return institutions_in_standing(day).filter(pk__in=mine).values_list("pk", flat=True)


_STANDING_OF = FrozenQuery("governance.standing_of", _standing_of, {"user_id": uuid.UUID})


def in_standing(institution, on=None):
    return institution is not None and institutions_in_standing(on).filter(pk=institution.pk).exists()


def active_adhesions(pact, on=None):
    return adhesions_in_force(on).filter(pact=pact)


def acting_district_id(user):
    """The district the user acts in (None without a current membership): the pact is looked up by it, so
    that a refusal names the pact even when the user's institution has no standing."""
    membership = _acting(user)
    return membership.institution.district_id if membership else None


def pacts_visible_to(user):
    """The pact of the user's district, while the acting institution is in standing (active, adhesion in
    force). A district has one pact. Lazy: one query when evaluated."""
    membership = _acting(user)
    if membership is None:
        return Pact.objects.none()
    standing = institutions_in_standing().filter(pk=membership.institution_id)
    return Pact.objects.filter(Exists(standing), district_id=membership.institution.district_id)


def _pact_of_district(day, district_id):
    return Pact.objects.filter(district_id=district_id).order_by("pk")[:1]


# The home page's card of the pact: compiled once a day (core.frozen).
_PACT_OF_DISTRICT = FrozenQuery("governance.pact_of_district", _pact_of_district, {"district_id": int})


def pact_visible_to(user):
    """The pact ``pacts_visible_to`` gives (or None), the acting institution's standing read from the request's
    memberships: one query, compiled once a day."""
    membership = _acting(user)
    if membership is None or membership.institution_id not in institutions_in_standing_of(user):
        return None
    return next(iter(_PACT_OF_DISTRICT.rows(district_id=membership.institution.district_id)), None)


# How each record of the pact reaches its pact: a record is visible exactly when its pact is.
PACT_OF = {
    PactVersion: "pact",
    Section: "pact_version__pact",
    Commitment: "pact_version__pact",
    Adhesion: "pact",
    MonitoringPeriod: "pact",
    Body: "pact",
    BodyMeeting: "body__pact",
    ActionItem: "meeting__body__pact",
    Procedure: "pact",
    Indicator: "commitment__pact_version__pact",
}


def visible_to(user, model):
    """The records of ``model`` (a record of the pact: see PACT_OF) that ``user`` may know exist."""
    return model.objects.filter(**{f"{PACT_OF[model]}__in": pacts_visible_to(user)})


def _version_in_force(pact_ref, on=None):
    day = on or timezone.localdate()
    return (
        PactVersion.objects.filter(pact=OuterRef(pact_ref), status=PactVersion.Status.APPROVED, effective_from__lte=day)
        .order_by("-effective_from", "-number")
        .values("pk")[:1]
    )


def commitments_in_force_visible_to(user):
    """The commitments of the version in force of the pact visible to ``user`` (the ones a party updates)."""
    return visible_to(user, Commitment).filter(pact_version=Subquery(_version_in_force("pact_version__pact")))


def indicators_in_force_visible_to(user):
    return Indicator.objects.filter(commitment__in=commitments_in_force_visible_to(user))


def documents_visible_to(user):
    """The files attached to the records of the pact visible to ``user``: signed adhesions, the evidence of
    commitment updates and of indicator values. Nothing else is reachable through the pact."""
    pacts = pacts_visible_to(user)
    return Attachment.objects.filter(
        Q(pk__in=Adhesion.objects.filter(pact__in=pacts).values("signed_document"))
        | Q(pk__in=CommitmentUpdate.objects.filter(period__pact__in=pacts).values("evidence_file"))
        | Q(pk__in=IndicatorValue.objects.filter(period__pact__in=pacts).values("evidence_file"))
    )


def governs_in_standing(user, on=None):
    """The user (active) holds a current governance role at an institution in standing."""
    return (
        user.is_active
        and Membership.objects.current(on)
        .filter(user=user, role__in=GOVERNANCE_ROLES, institution__in=institutions_in_standing(on))
        .exists()
    )


FEED_WINDOW = timedelta(days=90)  # a calendar link also serves the meetings of the last three months


def body_seats_in_force(on=None):
    """The seats on bodies that reach the body's pages and meetings on ``on`` (today): a body membership in
    force, through an institution of the pact's district in standing, where its holder still holds a
    current governance role."""
    day = on or timezone.localdate()
    role = Membership.objects.current(day).filter(
        user=OuterRef("user"), role__in=GOVERNANCE_ROLES, institution=OuterRef("institution")
    )
    return BodyMember.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        valid_from__lte=day,
        institution__in=institutions_in_standing(day),
        body__pact__district=F("institution__district"),
    ).filter(Exists(role))


def body_members_reached(body, on=None):
    """The people to tell about ``body``: those whose seat on it is in force (``body_seats_in_force``)."""
    return User.objects.filter(pk__in=body_seats_in_force(on).filter(body=body).values("user"))


def referents_of(institutions, on=None):
    """The current governance-role memberships at ``institutions`` in standing (with their user): the
    people who update those parties' commitments."""
    return (
        Membership.objects.current(on)
        .filter(role__in=GOVERNANCE_ROLES, institution__in=institutions)
        .filter(institution__in=institutions_in_standing(on))
        .select_related("user")
    )


def version_approvers(pact, on=None):
    """Who approves a version of ``pact``: the members reached of its Gruppo Territoriale
    (``body_seats_in_force``); without one, or with nobody on it, the governance referents of the parties
    in standing (``referents_of``)."""
    seats = body_seats_in_force(on).filter(body__pact=pact, body__kind=Body.Kind.GT)
    members = User.objects.filter(pk__in=seats.values("user"))
    if members.exists():
        return members
    return User.objects.filter(pk__in=referents_of(active_adhesions(pact, on).values("institution"), on).values("user"))


def feed_meetings(user, since, on=None):
    """The meetings a personal calendar feed serves: those of the bodies where ``user`` (active) holds a
    body membership in force, through an institution in standing where they still hold a current governance
    role. When any of these ends, the body's meetings leave the feed at the next read."""
    if not user.is_active:
        return BodyMeeting.objects.none()
    seats = body_seats_in_force(on).filter(user=user)
    return (
        BodyMeeting.objects.filter(body__in=seats.values("body"), starts_at__gte=since)
        .select_related("body")
        .order_by("starts_at")
    )


def feed_hash(token):
    """What is stored of a calendar link's secret token (never the token itself)."""
    return hashlib.sha256(token.encode()).hexdigest()


def calendar_feed_meetings(token, now=None):
    """The meetings a personal calendar link serves (``feed_meetings``, from 90 days ago), or None when the
    link is unknown or revoked, or its holder no longer holds a governance role at an institution in
    standing."""
    feed = (
        CalendarFeed.objects.filter(token_hash=feed_hash(token), revoked_at__isnull=True).select_related("user").first()
    )
    if feed is None or not governs_in_standing(feed.user):
        return None
    return feed_meetings(feed.user, since=(now or timezone.now()) - FEED_WINDOW)


def sees_governance(user):
    membership = _acting(user)
    return membership is not None and membership.role in GOVERNANCE_ROLES


def _version_commitments(day, version_id):
    return Commitment.objects.filter(pact_version_id=version_id).select_related("institution")


def _version_indicators(day, version_id):
    return Indicator.objects.filter(commitment__pact_version_id=version_id)


def _version_updates(day, version_id, period_id):
    return CommitmentUpdate.objects.filter(commitment__pact_version_id=version_id, period_id=period_id).select_related(
        "author", "author_institution", "evidence_file"
    )


# A version's commitments, their indicators and their updates in a period, as the commitments page, the report
# and the dashboard read them: compiled once a day (core.frozen).
_VERSION_COMMITMENTS = FrozenQuery("governance.version_commitments", _version_commitments, {"version_id": int})
_VERSION_INDICATORS = FrozenQuery("governance.version_indicators", _version_indicators, {"version_id": int})
_VERSION_UPDATES = FrozenQuery("governance.version_updates", _version_updates, {"version_id": int, "period_id": int})
_COMMITMENTS_BY_ID = FrozenQuery(  # of one version only, whatever ids are asked
    "governance.version_commitments_by_id",
    lambda day, version_id, commitment_ids: Commitment.objects.filter(
        pact_version_id=version_id, pk__in=commitment_ids
    ).select_related("institution"),
    {"version_id": int, "commitment_ids": [int]},
)
TROUBLED = (CommitmentUpdate.Status.AT_RISK, CommitmentUpdate.Status.LATE)


def commitments_with_status(pact_version, period):
    """The commitments of a version, each with its indicators (``commitment.indicators.all()``), its updates in the
    period newest first (``period_updates``) and the latest of them (``latest``): three queries (one less without a
    period). The dashboard reads only the troubled ones (``troubled_commitments``)."""
    commitments = _VERSION_COMMITMENTS.rows(version_id=pact_version.pk)
    indicators, updates = {}, {}
    for indicator in _VERSION_INDICATORS.rows(version_id=pact_version.pk):
        indicators.setdefault(indicator.commitment_id, []).append(indicator)
    if period is not None:
        for update in _VERSION_UPDATES.rows(version_id=pact_version.pk, period_id=period.pk):
            updates.setdefault(update.commitment_id, []).append(update)
    for commitment in commitments:
        set_prefetched(commitment, "indicators", indicators.get(commitment.pk, []))
        commitment.period_updates = with_parent(updates.get(commitment.pk, []), "commitment", commitment)
        commitment.latest = commitment.period_updates[0] if commitment.period_updates else None
    return commitments


def troubled_commitments(pact_version, period):
    """The commitments of ``commitments_with_status`` whose latest update in ``period`` says at risk or late, in
    the same order, with the same ``period_updates`` and ``latest`` (no indicators): the period's updates first,
    then those commitments alone, not every commitment of the version (the dashboard's reading)."""
    updates = {}
    for update in _VERSION_UPDATES.rows(version_id=pact_version.pk, period_id=period.pk):
        updates.setdefault(update.commitment_id, []).append(update)
    troubled = [pk for pk, found in updates.items() if found[0].status in TROUBLED]
    commitments = _COMMITMENTS_BY_ID.rows(version_id=pact_version.pk, commitment_ids=troubled)
    for commitment in commitments:
        commitment.period_updates = with_parent(updates[commitment.pk], "commitment", commitment)
        commitment.latest = commitment.period_updates[0]
    return commitments


def signatories(pact):
    return pact.adhesions.select_related("institution", "signed_document").order_by(
        "withdrawn_on", "signed_on", "institution__name"
    )


def document_owner(attachment, pacts):
    """(the record of one of ``pacts`` the attachment belongs to, the download's name), or None."""
    owners = [
        (Adhesion.objects.filter(pact__in=pacts, signed_document=attachment), "adesione-{pk}"),
        (CommitmentUpdate.objects.filter(period__pact__in=pacts, evidence_file=attachment), "evidenza-impegno-{pk}"),
        (IndicatorValue.objects.filter(period__pact__in=pacts, evidence_file=attachment), "evidenza-indicatore-{pk}"),
    ]
    for queryset, name in owners:
        owner = queryset.first()
        if owner is not None:
            return owner, name.format(pk=owner.pk)
    return None


def current_adhesion(pact, institution):
    return Adhesion.objects.filter(pact=pact, institution=institution, withdrawn_on__isnull=True).first()


def attach_indicators(commitments, period):
    """Each commitment's indicators with their value in the period (computed sources once each)."""
    indicators = [i for c in commitments for i in c.indicators.all()]
    values = values_for(indicators, period)
    for commitment in commitments:
        commitment.measures = [(i, values.get(i.pk, {})) for i in commitment.indicators.all()]


def _open_action_items(day, pact_id):
    month_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return (
        ActionItem.objects.filter(meeting__body__pact_id=pact_id, status=ActionItem.Status.OPEN, due_on__lte=month_end)
        .select_related("owner", "institution")
        .order_by("due_on", "pk")
    )


_OPEN_ACTION_ITEMS = FrozenQuery("governance.open_action_items", _open_action_items, {"pact_id": int})


def open_action_items(pact, day):
    """The pact's open action items due by the end of ``day``'s month, soonest first: those overdue and those
    due this month, in one query."""
    return _OPEN_ACTION_ITEMS.rows(day=day, pact_id=pact.pk)


def needs_attention(pact, today=None, action_items=None):
    """What the next meeting should look at: overdue action items, commitments at risk or late in the
    open period, versions awaiting approval. ``action_items``: what ``open_action_items`` gave, when the caller
    has read them already."""
    day = today or timezone.localdate()
    action_items = open_action_items(pact, day) if action_items is None else action_items
    overdue = [item for item in action_items if item.due_on < day]
    period = next(iter(_OPEN_PERIOD.rows(pact_id=pact.pk)), None)
    in_force = pact.version_in_force(day)
    troubled = troubled_commitments(in_force, period) if period and in_force else []
    drafts = _DRAFTS.rows(pact_id=pact.pk)
    return {"overdue": overdue, "troubled": troubled, "drafts": drafts}


def _italian_date(day):
    """A date as the Italian minutes write it ("1 dicembre 2026"), whatever the reader's language."""
    with translation.override("it"):
        return date_format(day, "DATE_FORMAT")


def agenda_from(attention):
    """A starting agenda, in Italian as the meeting's minutes will be."""
    lines = ["1. Approvazione del verbale della riunione precedente"]
    number = 2
    for draft in attention["drafts"]:
        lines.append(f"{number}. Approvazione della versione {draft.number} del Patto: {draft.summary}")
        number += 1
    if attention["troubled"]:
        lines.append(f"{number}. Impegni a rischio o in ritardo:")
        lines += [f"   - {c.institution}: {c.text} ({c.latest.get_status_display()})" for c in attention["troubled"]]
        number += 1
    if attention["overdue"]:
        lines.append(f"{number}. Azioni scadute:")
        lines += [
            f"   - {item.description} ({item.institution}, entro il {_italian_date(item.due_on)})"
            for item in attention["overdue"]
        ]
        number += 1
    lines.append(f"{number}. Varie ed eventuali")
    return "\n".join(lines)


def _open_period(day, pact_id):
    return MonitoringPeriod.objects.filter(pact_id=pact_id, opened_at__isnull=False, closed_at__isnull=True)[:1]


def _drafts(day, pact_id):
    return PactVersion.objects.filter(pact_id=pact_id, status=PactVersion.Status.DRAFT)


def _meetings_attended(day, pact_id):
    return (
        Attendance.objects.filter(meeting__body__pact_id=pact_id, status=Attendance.Status.PRESENT)
        .values("member__institution")
        .annotate(n=Count("id"))
        .values_list("member__institution", "n")
    )


def _updates_given(day, pact_id):
    return (
        CommitmentUpdate.objects.filter(period__pact_id=pact_id)
        .values("commitment__institution")
        .annotate(n=Count("id"))
        .values_list("commitment__institution", "n")
    )


def _signatories_in_force(day, pact_id):
    return active_adhesions(pact_id, day).select_related("institution").order_by("institution__name")


def _procedures_due(day, pact_id):
    month_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    return (
        Procedure.objects.filter(pact_id=pact_id, review_on__lte=month_end)
        .select_related("owner")
        .order_by("review_on")
    )


# What the dashboard and the next meeting's agenda read of the pact: compiled once a day (core.frozen).
_OPEN_PERIOD = FrozenQuery("governance.open_period", _open_period, {"pact_id": int})
_DRAFTS = FrozenQuery("governance.drafts", _drafts, {"pact_id": int})
_MEETINGS_ATTENDED = FrozenQuery("governance.meetings_attended", _meetings_attended, {"pact_id": int})
_UPDATES_GIVEN = FrozenQuery("governance.updates_given", _updates_given, {"pact_id": int})
_SIGNATORIES_IN_FORCE = FrozenQuery("governance.signatories_in_force", _signatories_in_force, {"pact_id": int})
_PROCEDURES_DUE = FrozenQuery("governance.procedures_due", _procedures_due, {"pact_id": int})


def dashboard(pact, today=None):
    """The coordinator's view of the pact: what is overdue (action items, procedures past their review
    date, late commitments) kept apart from what falls due between today and the end of the month, then
    commitments at risk and drafts awaiting approval, the next meeting, and each signatory's participation.
    A fixed number of queries."""
    day = today or timezone.localdate()
    month_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    action_items = open_action_items(pact, day)
    attention = needs_attention(pact, day, action_items)
    due_this_month = [item for item in action_items if day <= item.due_on <= month_end]
    next_meeting = (
        BodyMeeting.objects.filter(body__pact=pact, starts_at__gte=timezone.now())
        .select_related("body")
        .order_by("starts_at")
        .first()
    )
    attended = dict(_MEETINGS_ATTENDED.rows(pact_id=pact.pk))
    updates = dict(_UPDATES_GIVEN.rows(pact_id=pact.pk))
    participation = [
        {
            "institution": adhesion.institution,
            "meetings_attended": attended.get(adhesion.institution_id, 0),
            "updates_given": updates.get(adhesion.institution_id, 0),
        }
        for adhesion in _SIGNATORIES_IN_FORCE.rows(day=day, pact_id=pact.pk)
    ]
    procedures = _PROCEDURES_DUE.rows(day=day, pact_id=pact.pk)
    return {
        **attention,
        "due_this_month": due_this_month,
        "next_meeting": next_meeting,
        "procedures_overdue": [p for p in procedures if p.review_on < day],
        "procedures_due": [p for p in procedures if p.review_on >= day],
        "participation": participation,
        "late": [c for c in attention["troubled"] if c.latest.status == "late"],
        "at_risk": [c for c in attention["troubled"] if c.latest.status == "at_risk"],
    }


# --- Reads that name staff: each writes its access row where the data are fetched ---------------------------
# The caller renders inside the same transaction (fail closed: no row, no data).


def read_dashboard(*, actor, pact, today=None):
    """The dashboard (it names the owners of action items)."""
    data = dashboard(pact, today)
    owners = {item.owner for item in data["overdue"] + data["due_this_month"]}
    record_access(actor=actor, action="governance.dashboard.viewed", obj=pact, subjects=sorted(owners, key=str))
    return data


def read_signatories(*, actor, pact, in_force_only=False, action="governance.signatories.viewed"):
    """The signatories with their signers' names and roles (officials' personal data): every adhesion, or
    only those in force (the pact's text as PDF lists these)."""
    adhesions = (
        active_adhesions(pact).select_related("institution").order_by("institution__name")
        if in_force_only
        else signatories(pact)
    )
    adhesions = list(adhesions)
    record_access(actor=actor, action=action, obj=pact)
    return adhesions


def read_pact_document(*, actor, pact):
    """The version in force with its signatories, for the pact as PDF; None when no version is in force."""
    in_force = pact.version_in_force()
    if in_force is None:
        return None
    return {
        "pact": pact,
        "in_force": in_force,
        "sections": list(in_force.sections.all()),
        "commitments": list(in_force.commitments.select_related("institution")),
        "signatories": read_signatories(actor=actor, pact=pact, in_force_only=True, action="governance.pact.pdf"),
    }


def read_commitment_history(*, actor, commitment):
    """Every update of a commitment, with the staff who gave it."""
    history = list(commitment.updates.select_related("period", "author", "author_institution", "evidence_file"))
    record_access(
        actor=actor,
        action="governance.commitment.history_viewed",
        obj=commitment,
        subjects=sorted({update.author for update in history}, key=str),
    )
    return history


def read_body_members(*, actor, body):
    members = list(body.members.select_related("user", "institution"))
    record_access(actor=actor, action="governance.body.viewed", obj=body, subjects=[m.user for m in members])
    return members


def read_meeting(*, actor, meeting, action="governance.meeting.viewed"):
    """A meeting's members, attendance and action items (names of staff), for its page and its minutes."""
    members = list(meeting.body.members.select_related("user", "institution"))
    attendance = list(meeting.attendance.select_related("member__user", "member__institution"))
    action_items = list(meeting.action_items.select_related("owner", "institution"))
    people = {m.user for m in members} | {item.owner for item in action_items}
    record_access(actor=actor, action=action, obj=meeting, subjects=sorted(people, key=str))
    return {"members": members, "attendance": attendance, "action_items": action_items}
