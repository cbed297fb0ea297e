"""Who sees which request, decided in the database.

- The **sender** sees what they sent while they still hold a membership at the sending institution; the
  head of the sending institution (school head, head of service) sees the institution's requests.
- The **receiving service**: its head of service sees every request addressed to it; for consultations,
  signals and transfers, so do its social workers (the duty social worker takes them); the person a
  request is assigned to sees it.
- Everything only while the institution is in standing (its adhesion to the pact in force).

The sender's side reads only what the sender wrote, the status, the dates, the contact person and the
messages written to the sender; never the family's path (that stays with the seats of the team)."""

import uuid
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import LazyObject

from patto.accounts.roles import Role
from patto.core.frozen import FrozenQuery, with_parent
from patto.governance.queries import institutions_in_standing_of

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
RUNNING = (Request.Status.SENT, Request.Status.ASSIGNED)  # the clock runs: an answer is awaited
INBOX_SHOWN = 5  # requests on the home page's card
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


def _memo(user):
    """Where this request's answers about the user are kept: the User itself, not the lazy wrappers around it
    (auth's, django-otp's) that views hold and predicates do not, so that both share one query."""
    _ = user.pk  # a wrapper not yet evaluated is set up now
    while isinstance(user, LazyObject):
        user = user._wrapped
    return user.__dict__


def _memberships_in_standing(user):
    """The user's current memberships whose institution is in standing; once per request."""
    standing = institutions_in_standing_of(user)  # shared with the menu and the predicates: one query
    return [m for m in user.current_memberships if m.institution_id in standing]


def _scope(user):
    """Where the user stands towards requests, as lists of institution ids (their memberships in standing):
    ``institutions`` (all), ``heads`` (as the head of the service) and ``intake_<kind>`` (where they take
    requests of that kind), with ``user_id``: what the visibility query is made from."""
    memberships = _memberships_in_standing(user)
    scope = {
        "user_id": user.pk,
        "institutions": sorted({m.institution_id for m in memberships}),
        "heads": sorted({m.institution_id for m in memberships if m.role in HEAD_ROLES}),
    }
    for kind, roles in INTAKE_ROLES.items():
        scope[f"intake_{kind}"] = sorted({m.institution_id for m in memberships if m.role in roles})
    return scope


# The scope's variables, for the statements compiled once (core.frozen): their number of ids is their shape.
_SCOPE_VARIABLES = {
    "user_id": uuid.UUID,
    "institutions": [int],
    "heads": [int],
    **{f"intake_{kind}": [int] for kind in INTAKE_ROLES},
}


def _receiving(scope):
    """The requests the scope receives as an intake role or as the assignee (a head's are added apart)."""
    receiving = Q(pk__in=[])
    for kind in INTAKE_ROLES:
        if ids := scope[f"intake_{kind}"]:
            receiving |= Q(kind=kind, receiver_id__in=ids)
    return receiving | Q(assignee_id=scope["user_id"], receiver_id__in=scope["institutions"])


def _visible(scope, day=None):
    heads = scope["heads"]
    condition = Q(sender_id=scope["user_id"], sender_institution_id__in=scope["institutions"])
    if heads:
        condition |= Q(sender_institution_id__in=heads)
    receiving = _receiving(scope)
    if heads:
        receiving |= Q(receiver_id__in=heads)
    return Request.objects.filter(condition | (receiving & _consent_allows_receiver(day)))


def requests_visible_to(user):
    if not user.is_authenticated:
        return Request.objects.none()
    scope = _scope(user)
    if not scope["institutions"]:
        return Request.objects.none()
    return _visible(scope)


def _consent_allows_receiver(day=None):
    """A school or educational service receives a request about a family's path only while the family's
    consent to share with it is in force: a withdrawal removes its view at the next request."""
    from django.db.models import Exists, OuterRef

    from patto.cases.models import SCHOOL_KINDS, ConsentItem

    consent = ConsentItem.objects.in_force(day).filter(path=OuterRef("path"), institution=OuterRef("receiver"))
    return Q(path__isnull=True) | ~Q(receiver__kind__in=SCHOOL_KINDS) | Exists(consent)


def _receiver_consented(request):
    from patto.cases.models import SCHOOL_KINDS, ConsentItem

    if request.path_id is None or request.receiver.kind not in SCHOOL_KINDS:
        return True
    return ConsentItem.objects.in_force().filter(path_id=request.path_id, institution_id=request.receiver_id).exists()


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
    cache = _memo(user).setdefault("_referrals_sides", {})
    if request.pk in cache:
        return cache[request.pk]
    memberships = _memberships_in_standing(user)
    at_receiver = [m for m in memberships if m.institution_id == request.receiver_id]
    intake = INTAKE_ROLES[request.kind]
    head = any(m.role in HEAD_ROLES for m in at_receiver)
    receiver = head or any(m.role in intake for m in at_receiver) or (request.assignee_id == user.pk and at_receiver)
    if receiver and not _receiver_consented(request):
        receiver = head = False
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
    if not user.is_authenticated:
        return Request.objects.none()
    scope = _scope(user)
    if not scope["institutions"]:
        return Request.objects.none()
    return _inbox(scope, status)


def _inbox(scope, status="open", day=None):
    requests = _visible(scope, day).filter(_receiving(scope))
    if status == "open":
        requests = requests.filter(status__in=OPEN_STATUSES).order_by("due_on", "sent_at", "pk")
    else:
        requests = requests.exclude(status__in=OPEN_STATUSES).order_by("-closed_at", "-pk")
    return requests.select_related(*_INBOX_RELATED)


_INBOX_RELATED = ("receiver", "sender_institution", "assignee", "path__family")


def open_inbox_page(user, number):
    """The page ``number`` of the open requests in the user's inbox (``inbox_of(user)``, due first): their keys
    in order, then the page's requests by key, each read by a statement compiled once a day (core.frozen). The
    open requests of a service are its workload; the answered ones, which only grow, are paged by the ORM."""
    from django.conf import settings
    from django.core.paginator import Paginator

    scope = _scope(user) if user.is_authenticated else {"institutions": []}
    ids = list(_INBOX_OPEN_IDS.rows(**scope)) if scope["institutions"] else []
    page = Paginator(ids, settings.PATTO_PAGE_SIZE).get_page(number)
    keys = list(page.object_list)
    found = {request.pk: request for request in _INBOX_ROWS.rows(request_ids=keys)} if keys else {}
    page.object_list = [found[pk] for pk in keys if pk in found]
    return page


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
    requests = Request.objects.filter(status__in=RUNNING, due_on__lt=today)
    if district_id is not None:
        requests = requests.filter(district_id=district_id)
    return requests


def due_soon(user, days=2, today=None):
    today = today or timezone.localdate()
    return inbox_of(user).filter(status__in=RUNNING, due_on__lte=today + timezone.timedelta(days=days))


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
    """Working days to the answer of the requests answered in [start, end], shortest first (a flat
    ``values_list``): for the median and the 90th percentile the pact's indicators and the dashboard show."""
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
    return requests.order_by("response_working_days").values_list("response_working_days", flat=True)


def percentile(values, share):
    """The nearest-rank percentile of sorted ``values`` (None for none)."""
    if not values:
        return None
    rank = max(1, -(-len(values) * share // 1))  # ceil(n × share), at least 1
    return values[int(rank) - 1]


def p90(values):
    """The 90th percentile (nearest rank) of sorted ``values``: the pact's indicators of response times."""
    return percentile(values, 0.9)


def median(values):
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return (values[middle - 1] + values[middle]) / 2


# --- reads that show what a request says: the access row written where they are fetched -----------------


def _people_of_paths(day, path_ids):
    from patto.cases.models import Person

    return Person.objects.filter(family__paths__in=path_ids).distinct()


# The people concerned by a read of requests, compiled once a day (core.frozen).
_PEOPLE_OF_PATHS = FrozenQuery("referrals.people_of_paths", _people_of_paths, {"path_ids": [uuid.UUID]})


def people_concerned(requests):
    """Who a read of these requests is about, for the trail: the child a signal names (known to the trail by
    the request, ``("request", id)``, until a path gives them a record) and, once a request belongs to a
    family's path, the family's members. Consultations name nobody. One query at most, however many."""
    subjects = [("request", str(request.pk)) for request in requests if request.kind == Kind.SIGNAL]
    path_ids = {request.path_id for request in requests if request.path_id}
    if path_ids:
        subjects += _PEOPLE_OF_PATHS.rows(path_ids=path_ids)
    return subjects


def fetch_request(user, pk, perm="referrals.view_request", *, log=True):
    """The one way a view gets a request: from ``requests_visible_to`` (not visible → 404, as if missing),
    then ``perm`` (→ 403), both refusals audited; then, with ``log``, the read recorded with the people
    concerned before anything of it is returned (fail closed). Actions fetch without ``log``: their
    service writes its own row, and a page shown again after a refusal logs its read then."""
    from patto.core.shortcuts import get_object_for

    queryset = requests_visible_to(user).select_related(
        "receiver",
        "sender",
        "sender_institution",
        "assignee",
        "comune",
        "school",
        "school_site",
        "procedure",
        "path__family",
        "from_request",
    )
    request = get_object_for(user, perm, queryset, pk=pk)
    if log:
        log_request_read(user, request)
    return request


def log_request_read(user, request):
    from patto.audit.services import record_access

    record_access(actor=user, action="referrals.request.viewed", obj=request, subjects=people_concerned([request]))


def read_request_page(user, page, action):
    """Log the read of a page of requests (numbers, kinds, services; a signal's child by name on the
    receiving side): one access row with the people concerned; nothing for an empty page. Gives each
    request its ``answer`` (the last message written to the sender) and ``contact`` (who handles it, or
    the case manager once a signal was taken in charge), in a fixed number of queries."""
    page.object_list = read_requests(user, page.object_list, action)
    if page.object_list:
        _add_answers_and_contacts(page.object_list)
    return page


def read_requests(user, requests, action):
    """A list of requests, its read logged (one access row, the people concerned; none for an empty list)."""
    from patto.audit.services import record_access

    requests = list(requests)
    if requests:
        record_access(actor=user, action=action, subjects=people_concerned(requests))
    return requests


def _answers_to_sender(day, request_ids):
    return RequestMessage.objects.filter(request_id__in=request_ids, to_sender=True).order_by("created_at", "pk")


def _case_managers_now(day, path_ids):
    from patto.cases.models import TeamMember

    return TeamMember.objects.filter(
        path_id__in=path_ids, team_role=TeamMember.TeamRole.CASE_MANAGER, ended_at=None
    ).select_related("user")


# A page of requests' answers and contacts, compiled once a day (core.frozen).
_ANSWERS_TO_SENDER = FrozenQuery("referrals.answers_to_sender", _answers_to_sender, {"request_ids": [int]})
_CASE_MANAGERS_NOW = FrozenQuery("referrals.case_managers_now", _case_managers_now, {"path_ids": [uuid.UUID]})


def _add_answers_and_contacts(requests):
    answers = {}
    for message in _ANSWERS_TO_SENDER.rows(request_ids=[r.pk for r in requests]):
        answers[message.request_id] = message.text  # the last one wins
    in_charge = [r.path_id for r in requests if r.outcome == Request.Outcome.TAKEN_IN_CHARGE and r.path_id]
    managers = {}
    if in_charge:
        managers = {seat.path_id: seat.user for seat in _CASE_MANAGERS_NOW.rows(path_ids=in_charge)}
    for request in requests:
        request.answer = answers.get(request.pk, "")
        request.contact = managers.get(request.path_id) or request.assignee


def case_manager_of(request):
    """Who the sender of a signal taken in charge reads as the referente: the path's case manager now (it may
    have changed since, by a transfer), else the person who handled the signal."""
    from patto.cases.models import TeamMember

    if request.outcome == Request.Outcome.TAKEN_IN_CHARGE and request.path_id:
        seat = (
            TeamMember.objects.filter(
                path_id=request.path_id, team_role=TeamMember.TeamRole.CASE_MANAGER, ended_at=None
            )
            .select_related("user")
            .first()
        )
        if seat is not None:
            return seat.user
    return request.assignee


def _inbox_counts(day, **scope):
    from django.db.models import Count

    from patto.core.workdays import add_working_days

    running = Q(status__in=RUNNING)
    return (
        _inbox(scope, day=day)
        .order_by()
        .values("receiver_id")  # one row per receiving service, added up below: no GROUP BY over the whole row
        .annotate(
            open=Count("pk"),
            due_soon=Count("pk", filter=running & Q(due_on__gte=day, due_on__lte=add_working_days(day, 2))),
            overdue=Count("pk", filter=running & Q(due_on__lt=day)),
        )
        .values_list("open", "due_soon", "overdue")
    )


def _inbox_running(day, **scope):
    return _inbox(scope, day=day).filter(status__in=RUNNING)[:INBOX_SHOWN]


# The receiving service's home-page card, on every sign-in: compiled once a day for each shape (core.frozen).
_INBOX_COUNTS = FrozenQuery("referrals.inbox_counts", _inbox_counts, _SCOPE_VARIABLES)
_INBOX_OPEN_IDS = FrozenQuery(
    "referrals.inbox_open_ids",
    lambda day, **scope: _inbox(scope, "open", day).values_list("pk", flat=True),
    _SCOPE_VARIABLES,
)
_INBOX_ROWS = FrozenQuery(
    "referrals.inbox_rows",
    lambda day, request_ids: Request.objects.filter(pk__in=request_ids).select_related(*_INBOX_RELATED),
    {"request_ids": [int]},
)
_INBOX_RUNNING = FrozenQuery("referrals.inbox_running", _inbox_running, _SCOPE_VARIABLES)


def inbox_counts(user, today=None):
    """Open requests in the user's inbox, those due within two working days and those past their date
    (the clock not paused): one query. ``today`` (the local date) is also the day the consents in force are
    judged on, as for every frozen statement."""
    today = today or timezone.localdate()
    counts = {"open": 0, "due_soon": 0, "overdue": 0}
    scope = _scope(user) if user.is_authenticated else {"institutions": []}
    if scope["institutions"]:
        for row in _INBOX_COUNTS.rows(day=today, **scope):
            for name, value in zip(counts, row, strict=True):
                counts[name] += value
    return counts


def inbox_running(user):
    """The first requests of the inbox still to be answered (sent or assigned), due first: the home card's."""
    scope = _scope(user) if user.is_authenticated else {"institutions": []}
    return _INBOX_RUNNING.rows(**scope) if scope["institutions"] else []


def _about_path(day, path_id):
    return Request.objects.filter(path_id=path_id).select_related("receiver", "assignee").order_by("-sent_at")


# The path page's requests section: compiled once a day (core.frozen).
_ABOUT_PATH = FrozenQuery("referrals.about_path", _about_path, {"path_id": uuid.UUID})


def requests_about_path(path):
    """Every request about the path (the signals it came from, professionals asked for, transfers), newest
    first: for the équipe's view of the path, which the caller has checked."""
    return with_parent(_ABOUT_PATH.rows(path_id=path.pk), "path", path)
