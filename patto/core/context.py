"""The current request's context (request id, IP, user agent), readable by services and logging.

A ContextVar, not a thread-local, so it is also correct under ASGI. Set by RequestContextMiddleware;
outside a request (management commands, tests calling services) the fields are empty.
"""

import uuid
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    user_agent: str = ""


_current = ContextVar("patto_request_context", default=RequestContext())


def current():
    return _current.get()


def start(request):
    context = RequestContext(
        request_id=uuid.uuid4().hex,
        ip=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
    return _current.set(context)


def finish(token):
    _current.reset(token)
