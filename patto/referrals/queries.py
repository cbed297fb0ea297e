"""Who sees which request, decided in the database.

- The **sender** sees what they sent while they still hold a membership at the sending institution; the
  head of the sending institution (school head, head of service) sees the institution's requests.
- The **receiving service**: its head of service sees every request addressed to it; for consultations,
  signals and transfers, so do its social workers (the duty social worker takes them); the person a
  request is assigned to sees it.
- Everything only while the institution is in standing (its adhesion to the pact in force).

The sender's side reads only what the sender wrote, the status, the dates, the contact person and the
messages written to the sender; never the family's path (that stays with the seats of the team)."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from patto.accounts.roles import Role
from patto.governance.queries import institutions_in_standing

from .models import Kind, Request, RequestMessage

SENDER_ROLES = frozenset(
    {
        Role.SCHOOL_HEAD,
        Role.SCHOOL_REFERENT,
        Role.EDUCATIONAL_STAFF,
        Role.EDUCATOR,
        Role.PSYCHOLOGIST,
        Role.CHILD_NEUROPSYCHIATRIST,
        Role.HEALTH_PROFESSIONAL,
        Role.SERVICE_HEAD,
    }
)
# Who, at the receiving institution, sees and takes requests of each kind.
HEAD_ROLES = frozenset({Role.SERVICE_HEAD, Role.SCHOOL_HEAD})
INTAKE_ROLES = {
    Kind.CONSULTATION: HEAD_ROLES | {Role.SOCIAL_WORKER},
    Kind.SIGNAL: HEAD_ROLES | {Role.SOCIAL_WORKER},
    Kind.TRANSFER: HEAD_ROLES | {Role.SOCIAL_WORKER},
    Kind.PROFESSIONAL: HEAD_ROLES,
}
# The services that receive consultations and signals: the social service of a comune or of the Ambito.
SOCIAL_SERVICE_KINDS = ("comune", "district_office")


def _memberships_in_standing(user):
    """The user's current memberships whose institution is in standing; once per request."""
    cached = user.__dict__.get("_referrals_memberships")
    if cached is None:
        memberships = user.current_memberships
        standing = set(
            institutions_in_standing()
            .filter(pk__in=[m.institution_id for m in memberships])
            .values_list("pk", flat=True)
        )
        cached = [m for m in memberships if m.institution_id in standing]
        user.__dict__["_referrals_memberships"] = cached
    return cached


def requests_visible_to(user):
    if not user.is_authenticated:
        return Request.objects.none()
    memberships = _memberships_in_standing(user)
    if not memberships:
        return Request.objects.none()
    institutions = {m.institution_id for m in memberships}
    condition = Q(sender=user, sender_institution_id__in=institutions)
    heads = {m.institution_id for m in memberships if m.role in HEAD_ROLES}
    if heads:
        condition |= Q(sender_institution_id__in=heads) | Q(receiver_id__in=heads)
    for kind, roles in INTAKE_ROLES.items():
        receiving = {m.institution_id for m in memberships if m.role in roles}
        if receiving:
            condition |= Q(kind=kind, receiver_id__in=receiving)
    condition |= Q(assignee=user, receiver_id__in=institutions)
    return Request.objects.filter(condition)


@dataclass(frozen=True)
class Side:
    """How the user stands towards one request: on the receiving side (the whole request), on the
    sending side (what was sent and what came back), or both."""

    receiver: bool
    sender: bool
    head: bool  # head of the receiving service: assigns

    @property
    def sender_only(self):
        return self.sender and not self.receiver


def side_of(user, request):
    cache = user.__dict__.setdefault("_referrals_sides", {})
    if request.pk in cache:
        return cache[request.pk]
    memberships = _memberships_in_standing(user)
    at_receiver = [m for m in memberships if m.institution_id == request.receiver_id]
    intake = INTAKE_ROLES[request.kind]
    head = any(m.role in HEAD_ROLES for m in at_receiver)
    receiver = head or any(m.role in intake for m in at_receiver) or (request.assignee_id == user.pk and at_receiver)
    sender = (
        request.sender_id == user.pk and any(m.institution_id == request.sender_institution_id for m in memberships)
    ) or any(m.institution_id == request.sender_institution_id and m.role in HEAD_ROLES for m in memberships)
    side = Side(receiver=bool(receiver), sender=bool(sender), head=head)
    cache[request.pk] = side
    return side


def messages_for(user, request):
    """The thread as this user may read it: the sender's side reads only what was written to or by it."""
    messages = RequestMessage.objects.filter(request=request).select_related("author", "author_institution")
    if not side_of(user, request).receiver:
        messages = messages.filter(Q(to_sender=True) | Q(from_sender=True))
    return messages


def inbox_of(user, *, status="open"):
    """Requests addressed to the user's services (or assigned to them), due first."""
    memberships = _memberships_in_standing(user)
    receiving = Q(pk__in=[])
    for kind, roles in INTAKE_ROLES.items():
        ids = {m.institution_id for m in memberships if m.role in roles}
        if ids:
            receiving |= Q(kind=kind, receiver_id__in=ids)
    receiving |= Q(assignee=user, receiver_id__in={m.institution_id for m in memberships})
    requests = requests_visible_to(user).filter(receiving)
    if status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES).order_by("due_on", "sent_at")
    else:
        requests = requests.exclude(status__in=OPEN_STATUSES).order_by("-closed_at")
    return requests.select_related("receiver", "sender_institution", "assignee", "path__family")


def sent_by_institution_of(user):
    """ "My institution's requests": what the user sent, and for a head everything their institution sent."""
    memberships = _memberships_in_standing(user)
    institutions = {m.institution_id for m in memberships}
    heads = {m.institution_id for m in memberships if m.role in HEAD_ROLES}
    condition = Q(sender=user, sender_institution_id__in=institutions) | Q(sender_institution_id__in=heads)
    return (
        requests_visible_to(user)
        .filter(condition)
        .select_related("receiver", "sender_institution", "assignee", "sender")
        .order_by("-sent_at")
    )


OPEN_STATUSES = (Request.Status.SENT, Request.Status.ASSIGNED, Request.Status.WAITING_SENDER)


def overdue(district_id=None, today=None):
    """Requests past their response time (not paused), for the coordinator's dashboard and the reminders."""
    today = today or timezone.localdate()
    requests = Request.objects.filter(status__in=(Request.Status.SENT, Request.Status.ASSIGNED), due_on__lt=today)
    if district_id is not None:
        requests = requests.filter(district_id=district_id)
    return requests


def due_soon(user, days=2, today=None):
    today = today or timezone.localdate()
    return inbox_of(user).filter(
        status__in=(Request.Status.SENT, Request.Status.ASSIGNED), due_on__lte=today + timezone.timedelta(days=days)
    )


def assignable_people(request):
    """Who the head may assign: current members of the receiving institution whose role fits the kind
    (a social worker for signals, consultations and transfers; for a professional, the team role asked)."""
    from patto.accounts.models import Membership
    from patto.cases.queries import TEAM_ROLE_FIT

    if request.kind == Kind.PROFESSIONAL:
        roles = TEAM_ROLE_FIT.get(request.team_role, set())
    else:
        roles = {Role.SOCIAL_WORKER}
    return (
        Membership.objects.current()
        .filter(institution_id=request.receiver_id, role__in=roles)
        .select_related("user")
        .order_by("user__last_name", "user__first_name")
    )


def response_times(district_id, start, end, kind=None, receiver_id=None):
    """Working days to the answer of the requests answered in [start, end]: for the median and the 90th
    percentile the pact's indicators show."""
    requests = Request.objects.filter(
        district_id=district_id,
        response_working_days__isnull=False,
        closed_at__date__gte=start,
        closed_at__date__lte=end,
    )
    if kind:
        requests = requests.filter(kind=kind)
    if receiver_id:
        requests = requests.filter(receiver_id=receiver_id)
    return sorted(requests.values_list("response_working_days", flat=True))


def percentile(values, share):
    """The nearest-rank percentile of sorted ``values`` (None for none)."""
    if not values:
        return None
    rank = max(1, -(-len(values) * share // 1))  # ceil(n × share), at least 1
    return values[int(rank) - 1]


def median(values):
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2
