"""Who may read the pact and its governance. The pact text in force: every user of a signatory.
Governance content (drafts, commitments' status, monitoring): signatories' members with a governance role."""

from django.db.models import Prefetch
from django.utils import timezone

from patto.accounts.roles import GOVERNANCE_ROLES

from .models import Adhesion, Commitment, CommitmentUpdate, Pact


def _acting(user):
    return user.acting_membership if user.is_authenticated else None


def active_adhesions(pact, on=None):
    day = on or timezone.localdate()
    return pact.adhesions.filter(signed_on__lte=day, withdrawn_on__isnull=True)


def pacts_visible_to(user):
    """Pacts of the user's district that the acting institution has signed (and not withdrawn from)."""
    membership = _acting(user)
    if membership is None:
        return Pact.objects.none()
    return Pact.objects.filter(district_id=membership.institution.district_id,
                               adhesions__institution_id=membership.institution_id,
                               adhesions__withdrawn_on__isnull=True,
                               adhesions__signed_on__lte=timezone.localdate()).distinct()


def sees_governance(user):
    membership = _acting(user)
    return membership is not None and membership.role in GOVERNANCE_ROLES


def commitments_with_status(pact_version, period):
    """The commitments of a version with the latest update in the period, in a fixed number of queries."""
    updates = CommitmentUpdate.objects.filter(period=period).select_related("author", "author_institution") \
        if period else CommitmentUpdate.objects.none()
    commitments = list(Commitment.objects.filter(pact_version=pact_version).select_related("institution")
                       .prefetch_related(Prefetch("updates", queryset=updates, to_attr="period_updates")))
    for commitment in commitments:
        commitment.latest = commitment.period_updates[0] if commitment.period_updates else None
    return commitments


def signatories(pact):
    return pact.adhesions.select_related("institution").order_by("withdrawn_on", "signed_on", "institution__name")


def current_adhesion(pact, institution):
    return Adhesion.objects.filter(pact=pact, institution=institution, withdrawn_on__isnull=True).first()
