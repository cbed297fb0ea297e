"""A database that is down or does not answer costs a request a few seconds and a 503 page, never a 500 or a
hang, and Patto recovers by itself when it is back.

``patto.core.middleware.DatabaseGuardMiddleware`` comes early in MIDDLEWARE: before any middleware that needs the database (the
session, the session lifetime check, the acting membership) it makes sure the connection works, within
``CHECK_SECONDS``; if it does not, the request gets the 503 page at once. Connecting gives up after the
driver's ``connect_timeout`` (2 s, settings). A server that is hung (paused, overloaded, its host gone
silent) on a connection already open is another matter: PostgreSQL's statement timeout is the server's own
clock and TCP keepalives only watch idle sockets, so the driver would wait forever. A watchdog thread cuts
the socket of a connection whose health check or query has waited past its deadline; the driver then raises
OperationalError, which the guard (or the 500 handler, for a query that fails inside a later middleware)
answers with the 503 page. Django closes the broken connection at the end of the request and the next
request connects again: no restart needed."""

import logging
import os
import socket
import threading
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

logger = logging.getLogger("patto")

DATABASE_ERRORS = (OperationalError, InterfaceError)
CHECK_SECONDS = 1.5  # the health check of a reused connection (a SELECT 1) must answer within this
QUERY_MARGIN_SECONDS = 2  # a query may wait the server's statement timeout plus this, then is cut


class Watchdog:
    """One thread per process, watching the connections that are waiting for the database."""

    def __init__(self):
        self._waits = {}  # thread id → [deadline, DatabaseWrapper, cut?]
        self._wake = threading.Event()
        self._thread = None
        self._lock = threading.Lock()

    @contextmanager
    def watch(self, wrapper, seconds):
        """Cut ``wrapper``'s socket if the block takes longer than ``seconds``; yields the wait, whose
        ``[2]`` says afterwards whether it was cut."""
        wait = [time.monotonic() + seconds, wrapper, False]
        key = threading.get_ident()
        self._waits[key] = wait
        self._start()
        try:
            yield wait
        finally:
            self._waits.pop(key, None)

    def _start(self):
        if self._thread is None or not self._thread.is_alive():
            with self._lock:
                if self._thread is None or not self._thread.is_alive():
                    self._thread = threading.Thread(target=self._run, name="patto-db-watchdog", daemon=True)
                    self._thread.start()
        self._wake.set()

    def _run(self):
        while True:
            if not self._waits:
                self._wake.wait()
                self._wake.clear()
            time.sleep(0.05)
            now = time.monotonic()
            for wait in list(self._waits.values()):
                if now >= wait[0] and not wait[2]:
                    cut(wait)


def cut(wait):
    """Shut the waiting connection's socket down (not close it: the driver owns the descriptor), so that a
    read waiting on it returns at once with an error. Marks the wait as cut first: the waiting thread
    wakes up as soon as the socket is shut and must find the mark."""
    raw = wait[1].connection
    if raw is None:
        return  # still connecting: connect_timeout applies
    try:
        fd = raw.pgconn.socket if hasattr(raw, "pgconn") else raw.fileno()  # psycopg 3, psycopg 2
        sock = socket.socket(fileno=os.dup(fd))
    except (OSError, ValueError, AttributeError):
        return
    wait[2] = True
    with sock:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            return
    logger.error("database did not answer in time: connection cut")


watchdog = Watchdog()


def check_database(alias="default"):
    """Raise OperationalError unless ``alias`` answers now (connects, or passes Django's health check when
    the connection is reused), within CHECK_SECONDS plus the connect timeout."""
    wrapper = connections[alias]
    with watchdog.watch(wrapper, CHECK_SECONDS) as wait:
        wrapper.close_if_health_check_failed()  # a reused connection: SELECT 1 (CONN_HEALTH_CHECKS)
        if wait[2]:
            raise OperationalError("the database did not answer the health check")
        wrapper.ensure_connection()


@contextmanager
def guarded_queries(alias="default"):
    """Every query of the block on a PostgreSQL connection is cut if it waits past the statement timeout
    plus a margin (the server enforces the timeout itself unless it cannot answer at all)."""
    wrapper = connections[alias]
    if wrapper.vendor != "postgresql":
        yield
        return
    seconds = (settings.PATTO_DB_STATEMENT_TIMEOUT or 300) + QUERY_MARGIN_SECONDS

    def watched(execute, sql, params, many, context):
        with watchdog.watch(wrapper, seconds):
            return execute(sql, params, many, context)

    with wrapper.execute_wrapper(watched):
        yield


def unavailable_response(request, reason="database"):
    """The generic 503 page, rendered without the request (the context processors would ask the database),
    in the language the user chose (the language middleware may not have run yet)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        body = render_to_string(
            "503.html", {"request_id": getattr(request, "request_id", ""), "reason": reason, "LANGUAGE_CODE": language}
        )
    response = HttpResponse(body, status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response
