"""Who sees the offer, the waiting lists and the co-design processes, and the offer's figures computed in the
database (GROUP BY over the activations in force and the open waiting entries, never loading their rows).

- The offer (counts only): the team roles and the governance roles of the district, acting at an institution in
  standing. Counts of families from 1 to 4 read "<5" (``core.stats``), and what would let them be worked out
  (free places, hours in use) is shown as a bound.
- Waiting-list entries are about a family: visible only to whoever sees the family's path in full (a seat in
  force outside schools, or an archive access): ``cases.queries`` decides.
- Co-design processes: the governance roles of the district's signatories in standing; the coordinator manages."""

import uuid

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from patto.accounts.memo import memo
from patto.accounts.roles import GOVERNANCE_ROLES, PLATFORM_ROLES, Role
from patto.cases.models import DeviceActivation, Path
from patto.cases.queries import full_view_path_ids
from patto.core.frozen import FrozenQuery, with_parent
from patto.core.stats import SMALL_CELL, suppress_small
from patto.governance.queries import institutions_in_standing_of

from .models import CodesignProcess, Offer, WaitingEntry

# The team roles that work with families (and choose dispositivi) and the governance roles of the district.
TEAM_ROLES = frozenset(
    {
        Role.SOCIAL_WORKER,
        Role.PSYCHOLOGIST,
        Role.CHILD_NEUROPSYCHIATRIST,
        Role.HEALTH_PROFESSIONAL,
        Role.SERVICE_HEAD,
        Role.EDUCATOR,
    }
)
OFFER_READERS = TEAM_ROLES | GOVERNANCE_ROLES
ALL_ROLES = frozenset(Role) - PLATFORM_ROLES


def _district_for(user, roles, key):
    """The district of the acting membership when its role is one of ``roles`` at an institution in standing;
    None otherwise. Asked once per request (``accounts.memo``)."""
    if not user.is_authenticated:
        return None
    membership = user.acting_membership
    if membership is None:
        return None
    cache = memo(user)
    if key not in cache:
        allowed = membership.role in roles and membership.institution_id in institutions_in_standing_of(user)
        cache[key] = membership.institution.district if allowed else None
    return cache[key]


def offer_district(user):
    return _district_for(user, OFFER_READERS, "offer_district")


def codesign_district(user):
    return _district_for(user, GOVERNANCE_ROLES, "codesign_district")


def offers_visible_to(user):
    district = offer_district(user)
    if district is None:
        return Offer.objects.none()
    return Offer.objects.filter(district=district)


def codesign_visible_to(user):
    """The district's processes, known to exist by anyone acting at an institution of the district in standing
    (like the pact's records); reading them needs a governance role (``offer.view_codesign``: 403)."""
    district = _district_for(user, ALL_ROLES, "standing_district")
    if district is None:
        return CodesignProcess.objects.none()
    return CodesignProcess.objects.filter(district=district)


def waiting_visible_to(user):
    """The waiting-list entries of the families whose path the user sees in full (``cases``' own rule)."""
    if not user.is_authenticated:
        return WaitingEntry.objects.none()
    return WaitingEntry.objects.filter(path_id__in=full_view_path_ids(user))


# --- the figures ---------------------------------------------------------------------------------------


def activations_in_force(on=None):
    day = on or timezone.localdate()
    return DeviceActivation.objects.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day), starts_on__lte=day)


def with_figures(offers, on=None):
    """The offers annotated with ``in_use`` (families with the dispositivo of that provider in force today, in
    the offer's district), ``hours_in_use`` and ``waiting_count`` (open entries of paths not closed): correlated
    subqueries, so one query whatever the number of offers or families."""
    activations = activations_in_force(on).filter(
        device_type_id=OuterRef("device_type_id"),
        provider_id=OuterRef("provider_id"),
        path__family__district_id=OuterRef("district_id"),
    )
    in_use = activations.order_by().values("provider_id").annotate(n=Count("path_id", distinct=True)).values("n")
    hours = activations.order_by().values("provider_id").annotate(h=Sum("hours_per_week")).values("h")
    waiting = (
        WaitingEntry.objects.filter(offer=OuterRef("pk"), ended_on__isnull=True)
        .exclude(path__state=Path.State.CLOSED)  # a family whose path closed waits for nothing through Patto
        .order_by()
        .values("offer_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return offers.annotate(
        in_use=Coalesce(Subquery(in_use, output_field=IntegerField()), Value(0)),
        hours_in_use=Subquery(hours),
        waiting_count=Coalesce(Subquery(waiting, output_field=IntegerField()), Value(0)),
    )


class Figures:
    """What the page shows of one offer: counts of families suppressed from 1 to 4, and what would let them be
    worked out (free places, hours in use) shown as a bound instead."""

    def __init__(self, offer):
        self.places = offer.places
        self.in_use = suppress_small(offer.in_use)
        self.waiting = suppress_small(offer.waiting_count)
        self.hours = offer.hours_per_week
        self.hours_in_use = offer.hours_in_use if self.in_use is not None else None
        if self.in_use is not None:
            self.free = max(offer.places - offer.in_use, 0)
            self.free_at_least = None
        else:  # 1 to 4 in use: between places − 4 and places − 1 free, which says no more than "<5"
            self.free = None
            self.free_at_least = max(offer.places - (SMALL_CELL - 1), 0)
        self.has_room = self._room(offer.places, offer.in_use)

    @staticmethod
    def _room(places, in_use):
        """True (room), False (full) or None (not determinable). With 1 to 4 in use, full or not is told only
        when every count from 1 to 4 gives the same answer (5 places or more: room; 1 or none: full); with 2 to
        4 places it would tell the count ("full" at 4 places and 3 in use would not be), so it is not shown."""
        if suppress_small(in_use) is not None:
            return places > in_use
        if places >= SMALL_CELL:
            return True
        if places <= 1:
            return False
        return None

    @property
    def full(self):
        return self.has_room is False

    @property
    def room_unknown(self):
        return self.has_room is None


def filter_offers(offers, *, device_type=None, provider=None, comune=None, age_band=""):
    if device_type is not None:
        offers = offers.filter(device_type=device_type)
    if provider is not None:
        offers = offers.filter(provider=provider)
    if comune is not None:
        offers = offers.filter(Exists(Offer.comuni.through.objects.filter(offer_id=OuterRef("pk"), comune=comune)))
    if age_band:
        offers = offers.filter(age_bands__contains=f",{age_band},")
    return offers


def _offers_with_figures(day, district_id):
    offers = Offer.objects.filter(district_id=district_id, is_active=True).select_related("device_type", "provider")
    return with_figures(offers, day)


# Asked by every path page's sections for the case manager: compiled once a day (core.frozen).
_AVAILABILITY = FrozenQuery("offer.availability", _offers_with_figures, {"district_id": int})


def availability_for(district_id, on=None):
    """Every active offer of the district with its figures, for the case manager choosing a dispositivo: one
    query."""
    if on is None:
        offers = _AVAILABILITY.rows(district_id=district_id)
    else:
        offers = _offers_with_figures(on, district_id)
    return [(offer, Figures(offer)) for offer in offers]


def _waiting_of_path(day, path_id):
    return (
        WaitingEntry.objects.filter(path_id=path_id)
        .select_related("offer__device_type", "offer__provider", "entered_by")
        .order_by("ended_on", "since")
    )


# The path page's waiting lists section: compiled once a day (core.frozen).
_WAITING_OF_PATH = FrozenQuery("offer.waiting_of_path", _waiting_of_path, {"path_id": uuid.UUID})


def waiting_of_path(path):
    """The path's waiting entries, those still waiting first."""
    return with_parent(_WAITING_OF_PATH.rows(path_id=path.pk), "path", path)


def offer_of_activation(activation):
    return Offer.objects.filter(
        district_id=activation.path.family.district_id,
        device_type_id=activation.device_type_id,
        provider_id=activation.provider_id,
    ).first()


# --- co-design indicators --------------------------------------------------------------------------------


def processes_in_progress(district_id, day):
    """Processes under way on ``day``: the notice published by then and the agreement not yet signed."""
    return CodesignProcess.objects.filter(district_id=district_id, started_on__lte=day).filter(
        Q(concluded_on__isnull=True) | Q(concluded_on__gt=day)
    )


def processes_concluded(district_id, starts_on, ends_on):
    return CodesignProcess.objects.filter(
        district_id=district_id, concluded_on__gte=starts_on, concluded_on__lte=ends_on
    )


def capacity_added(district_id, starts_on, ends_on):
    """The places and hours added to the offer by the co-design agreements signed in [starts_on, ends_on]."""
    from .models import CapacityLine

    return CapacityLine.objects.filter(
        process__district_id=district_id, process__concluded_on__gte=starts_on, process__concluded_on__lte=ends_on
    )
