"""Who may read the pact and its governance. The pact text in force: every user of a signatory.
Governance content (drafts, commitments' status, monitoring): signatories' members with a governance role."""

from django.db.models import Exists, OuterRef, Prefetch, Q
from django.utils import timezone

from patto.accounts.models import Institution

from patto.accounts.roles import GOVERNANCE_ROLES

from .models import Adhesion, Commitment, CommitmentUpdate, IndicatorValue, Pact


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


def in_standing(institution, on=None):
    return institution is not None and institutions_in_standing(on).filter(pk=institution.pk).exists()


def active_adhesions(pact, on=None):
    return adhesions_in_force(on).filter(pact=pact)


def pacts_visible_to(user):
    """The pact of the user's district, while the acting institution is in standing (active, adhesion in
    force)."""
    membership = _acting(user)
    if membership is None or not in_standing(membership.institution):
        return Pact.objects.none()
    return Pact.objects.filter(district_id=membership.institution.district_id)


def sees_governance(user):
    membership = _acting(user)
    return membership is not None and membership.role in GOVERNANCE_ROLES


def commitments_with_status(pact_version, period):
    """The commitments of a version with the latest update in the period, in a fixed number of queries."""
    updates = CommitmentUpdate.objects.filter(period=period).select_related("author", "author_institution",
                                                                             "evidence_file") \
        if period else CommitmentUpdate.objects.none()
    commitments = list(Commitment.objects.filter(pact_version=pact_version).select_related("institution")
                       .prefetch_related(Prefetch("updates", queryset=updates, to_attr="period_updates"),
                                         "indicators"))
    for commitment in commitments:
        commitment.latest = commitment.period_updates[0] if commitment.period_updates else None
    return commitments


def signatories(pact):
    return pact.adhesions.select_related("institution", "signed_document").order_by("withdrawn_on", "signed_on", "institution__name")


def document_owner(pact, attachment_id):
    """(attachment, the record it belongs to, the download's name) for a document of this pact, or None.
    Only files attached to the pact's own records are reachable from here."""
    owners = [
        (Adhesion.objects.filter(pact=pact, signed_document_id=attachment_id), "signed_document", "adesione-{pk}"),
        (CommitmentUpdate.objects.filter(period__pact=pact, evidence_file_id=attachment_id), "evidence_file",
         "evidenza-impegno-{pk}"),
        (IndicatorValue.objects.filter(period__pact=pact, evidence_file_id=attachment_id), "evidence_file",
         "evidenza-indicatore-{pk}"),
    ]
    for queryset, field, name in owners:
        owner = queryset.select_related(field).first()
        if owner is not None:
            return getattr(owner, field), owner, name.format(pk=owner.pk)
    return None


def current_adhesion(pact, institution):
    return Adhesion.objects.filter(pact=pact, institution=institution, withdrawn_on__isnull=True).first()


def needs_attention(pact, today=None):
    """What the next meeting should look at: overdue action items, commitments at risk or late in the
    open period, versions awaiting approval."""
    from .models import ActionItem, CommitmentUpdate, MonitoringPeriod, PactVersion

    day = today or timezone.localdate()
    overdue = list(ActionItem.objects.filter(meeting__body__pact=pact, status=ActionItem.Status.OPEN, due_on__lt=day)
                   .select_related("owner", "institution").order_by("due_on"))
    period = MonitoringPeriod.objects.filter(pact=pact, opened_at__isnull=False, closed_at__isnull=True).first()
    in_force = pact.version_in_force(day)
    troubled = []
    if period and in_force:
        troubled = [c for c in commitments_with_status(in_force, period)
                    if c.latest and c.latest.status in (CommitmentUpdate.Status.AT_RISK, CommitmentUpdate.Status.LATE)]
    drafts = list(pact.versions.filter(status=PactVersion.Status.DRAFT))
    return {"overdue": overdue, "troubled": troubled, "drafts": drafts}


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
        lines += [f"   - {item.description} ({item.institution}, entro il {item.due_on:%d/%m/%Y})"
                  for item in attention["overdue"]]
        number += 1
    lines.append(f"{number}. Varie ed eventuali")
    return "\n".join(lines)


def dashboard(pact, today=None):
    """The coordinator's view of the pact: late and at-risk commitments, action items overdue or due this
    month, the next meeting, and each signatory's participation. A fixed number of queries."""
    import calendar
    from datetime import date

    from django.db.models import Count

    from .models import ActionItem, Attendance, BodyMeeting, CommitmentUpdate

    day = today or timezone.localdate()
    month_end = date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
    attention = needs_attention(pact, day)
    due_this_month = list(ActionItem.objects.filter(meeting__body__pact=pact, status=ActionItem.Status.OPEN,
                                                    due_on__gte=day, due_on__lte=month_end)
                          .select_related("owner", "institution").order_by("due_on"))
    next_meeting = (BodyMeeting.objects.filter(body__pact=pact, starts_at__gte=timezone.now())
                    .select_related("body").order_by("starts_at").first())
    attended = dict(Attendance.objects.filter(meeting__body__pact=pact, status=Attendance.Status.PRESENT)
                    .values("member__institution").annotate(n=Count("id")).values_list("member__institution", "n"))
    updates = dict(CommitmentUpdate.objects.filter(period__pact=pact).values("commitment__institution")
                   .annotate(n=Count("id")).values_list("commitment__institution", "n"))
    participation = [{"institution": adhesion.institution, "meetings_attended": attended.get(adhesion.institution_id, 0),
                      "updates_given": updates.get(adhesion.institution_id, 0)}
                     for adhesion in active_adhesions(pact, day).select_related("institution")
                     .order_by("institution__name")]
    procedures_to_review = list(pact.procedures.filter(review_on__lt=day).select_related("owner"))
    return {**attention, "due_this_month": due_this_month, "next_meeting": next_meeting,
            "procedures_to_review": procedures_to_review,
            "participation": participation, "late": [c for c in attention["troubled"] if c.latest.status == "late"],
            "at_risk": [c for c in attention["troubled"] if c.latest.status == "at_risk"]}
