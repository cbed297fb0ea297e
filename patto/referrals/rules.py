"""Permission names for requests, asked with ``user.has_perm(name, request)``; who sees a request at all
is ``queries.requests_visible_to``."""

import rules

from patto.accounts.roles import Role

from .models import Kind, Request
from .queries import HEAD_ROLES, SENDER_ROLES, _memberships_in_standing, side_of

OPEN = (Request.Status.SENT, Request.Status.ASSIGNED, Request.Status.WAITING_SENDER)


@rules.predicate
def may_send(user):
    """Schools, educational services, health professionals and heads of service send consultations and
    signals, acting from an institution in standing."""
    membership = user.acting_membership if user.is_authenticated else None
    return (
        membership is not None
        and membership.role in SENDER_ROLES
        and any(m.pk == membership.pk for m in _memberships_in_standing(user))
    )


@rules.predicate
def receives_requests(user):
    """Someone whose service receives requests: a social worker or a head of service, in standing."""
    return user.is_authenticated and any(
        m.role in HEAD_ROLES | {Role.SOCIAL_WORKER} for m in _memberships_in_standing(user)
    )


@rules.predicate
def sends_requests(user):
    return user.is_authenticated and any(m.role in SENDER_ROLES for m in _memberships_in_standing(user))


@rules.predicate
def on_receiving_side(user, request):
    return request is not None and side_of(user, request).receiver


@rules.predicate
def is_receiving_head(user, request):
    return request is not None and side_of(user, request).head


@rules.predicate
def is_handler(user, request):
    side = side_of(user, request) if request is not None else None
    return side is not None and side.receiver and (side.head or request.assignee_id == user.pk)


@rules.predicate
def is_sender(user, request):
    return request is not None and request.sender_id == user.pk and side_of(user, request).sender


@rules.predicate
def is_open(user, request):
    return request is not None and request.status in OPEN


@rules.predicate
def may_take_for_self(user, request):
    return (
        request is not None
        and request.kind in (Kind.CONSULTATION, Kind.SIGNAL)
        and request.assignee_id is None
        and any(
            m.institution_id == request.receiver_id and m.role == Role.SOCIAL_WORKER
            for m in _memberships_in_standing(user)
        )
    )


rules.add_perm(
    "referrals.view_request", on_receiving_side | is_sender | rules.predicate(lambda u, r: side_of(u, r).sender)
)
rules.add_perm("referrals.send_request", may_send)
rules.add_perm("referrals.view_inbox", receives_requests)
rules.add_perm("referrals.view_sent", sends_requests)
rules.add_perm("referrals.assign_request", is_open & (is_receiving_head | may_take_for_self))
rules.add_perm("referrals.handle_request", is_open & is_handler)
rules.add_perm("referrals.follow_request", is_open & is_sender)
rules.add_perm(
    "referrals.accept_request",
    rules.predicate(lambda u, r: r is not None and r.status == Request.Status.ASSIGNED and r.assignee_id == u.pk)
    & on_receiving_side,
)
