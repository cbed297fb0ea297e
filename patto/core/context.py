"""The current request's context (request id, IP, user agent), readable by services and logging.

A ContextVar, not a thread-local, so it is also correct under ASGI. Set by RequestContextMiddleware;
outside a request (management commands, tests calling services) the fields are empty.
"""

import ipaddress
import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""


_current = ContextVar("patto_request_context", default=RequestContext())


def current():
    return _current.get()


def client_ip(request):
    """The client's address: REMOTE_ADDR, or behind PATTO_TRUSTED_PROXIES reverse proxies the address the
    outermost of them saw, i.e. the N-th entry of X-Forwarded-For counted from the right.

    Each proxy appends the address it received the connection from, so only the last N entries were
    written by proxies we trust; anything to their left (the left-most above all) the client wrote itself.
    With fewer entries than proxies, or a malformed one, the header is not trusted. The audit trail and
    the sign-in lockout (AXES_CLIENT_IP_CALLABLE) both use this."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.PATTO_TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [hop for hop in hops if hop]
    if len(hops) < proxies:
        return remote
    try:
        return str(ipaddress.ip_address(hops[-proxies]))
    except ValueError:
        return remote


def start(request):
    context = RequestContext(
        request_id=uuid.uuid4().hex,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
    return _current.set(context)


def finish(token):
    _current.reset(token)
