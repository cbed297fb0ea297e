"""Writing the audit trail. Every write service and every read of personal data calls these,
inside the transaction of the action: if the row cannot be written, the action does not happen."""

import contextvars
import functools
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import DatabaseError, connection, transaction
from django.shortcuts import render
from django.utils import timezone

from patto.core import context
from patto.core.exceptions import AuditUnavailable

from .models import AuditEvent, AuditSubject

SENSITIVE_KEY_PARTS = ("password", "token", "secret", "key", "fiscal_code", "otp", "code")
MASK = "***"


def mask_changes(changes):
    """{field: [old, new]} with the values of sensitive fields replaced by a mask."""
    masked = {}
    for field, values in (changes or {}).items():
        sensitive = any(part in field.lower() for part in SENSITIVE_KEY_PARTS)
        masked[field] = [MASK if sensitive and v not in (None, "") else _plain(v) for v in values]
    return masked


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def subject_ref(obj):
    """(kind, id) for a person concerned: 'user' for accounts, the model name otherwise. A (kind, id)
    pair is taken as it is (the audit app knows families' people only by their reference); people given by
    keys (``PeopleBy``) are looked up when the row is written."""
    if isinstance(obj, (tuple, PeopleBy)):
        return obj
    return (obj._meta.model_name, str(obj.pk))


@dataclass(frozen=True)
class PeopleBy:
    """People concerned given by keys (the members of these families), looked up when the row is written.
    ``look_up(keys)`` answers {key: [(kind, id), ...]} for a set of keys; the reads logged together in one block
    (``reads_logged_together``: the home page's cards) that name the same ``look_up`` are answered by one call
    for all their keys, so one query, not one per card. ``look_up`` is a function of the app that knows the
    people (``cases.queries.members_of_families``)."""

    look_up: Callable
    keys: frozenset


def _resolve_people(entries):
    """The entries with every ``PeopleBy`` replaced by the people it names: one ``look_up`` call per function
    for the keys of every entry."""
    wanted = {}
    for _values, refs in entries:
        for ref in refs:
            if isinstance(ref, PeopleBy):
                wanted.setdefault(ref.look_up, set()).update(ref.keys)
    if not wanted:
        return entries
    found = {look_up: look_up(keys) for look_up, keys in wanted.items()}
    resolved = []
    for values, refs in entries:
        people = []
        for ref in refs:
            if isinstance(ref, PeopleBy):
                answers = found[ref.look_up]
                people += [person for key in sorted(ref.keys, key=str) for person in answers.get(key, ())]
            else:
                people.append(ref)
        resolved.append((values, people))
    return resolved


# Every write goes through an audited service, and every such service appends an event: the count of writes
# this process has made tells a per-request cache that something may have changed (``writes_so_far``;
# ``cases.queries.my_seats``). ``record_event`` counts itself; a service whose write is logged as a read (an
# archive access opened: ``record_access``) calls ``note_write``. A lock, so that no count is lost under a
# threaded server.
_writes = [0]
_writes_lock = threading.Lock()


def note_write():
    with _writes_lock:
        _writes[0] += 1


def writes_so_far():
    return _writes[0]


def record_event(
    *, actor, action, obj=None, subjects=(), changes=None, purpose="", actor_label="", object_type="", object_id=""
):
    """Append one event. Raises AuditUnavailable if the database refuses the row.

    The object is given as an instance (``obj``) or, when only its reference is known, as
    ``object_type``/``object_id``."""
    note_write()
    return _append(
        actor=actor,
        action=action,
        obj=obj,
        subjects=subjects,
        changes=changes,
        purpose=purpose,
        actor_label=actor_label,
        object_type=object_type,
        object_id=object_id,
    )


def _event(*, actor, action, obj, subjects, changes=None, purpose="", actor_label="", object_type="", object_id=""):
    """The event's fields and its people concerned, as (kind, id) pairs."""
    membership = actor.audit_membership if actor is not None and actor.is_authenticated else None
    request = context.current()
    fields = dict(
        occurred_at=timezone.now(),
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=(actor.get_username() if actor is not None and actor.is_authenticated else actor_label)[:150],
        actor_institution=membership.institution if membership else None,
        actor_role=membership.role if membership else "",
        action=action,
        object_type=obj._meta.label_lower if obj is not None else object_type,
        object_id=str(obj.pk) if obj is not None else object_id,
        request_id=request.request_id,
        ip=request.ip,
        user_agent=request.user_agent,
        purpose=purpose[:300],
        changes=mask_changes(changes),
    )
    return fields, [subject_ref(subject) for subject in subjects]


# Rows per statement, within SQLite's 32,766 parameters (13 per event, 4 per person concerned).
_EVENT_CHUNK = 1000
_SUBJECT_CHUNK = 5000


@functools.cache
def _statements(vendor):
    """The two INSERTs of ``_insert``, written once per process: the events' (one row of placeholders,
    repeated for a batch) and their people concerned's. On PostgreSQL the people go in as four arrays
    (``unnest``): one statement whatever their number, so the server keeps it prepared."""
    quote = connection.ops.quote_name
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]  # what _event() gives
    events = "INSERT INTO {} ({}) VALUES ".format(
        quote(AuditEvent._meta.db_table), ", ".join(quote(field.column) for field in fields)
    )
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = " RETURNING {}".format(quote(AuditEvent._meta.pk.column))
    subject_columns = ", ".join(
        quote(AuditSubject._meta.get_field(name).column) for name in ("event", "occurred_at", "kind", "subject_id")
    )
    subjects = "INSERT INTO {} ({}) ".format(quote(AuditSubject._meta.db_table), subject_columns)
    if vendor == "postgresql":
        subjects += "SELECT * FROM unnest(%s::bigint[], %s::timestamptz[], %s::varchar[], %s::varchar[])"
    else:
        subjects += "VALUES "
    return fields, events, row, returning, subjects


def _insert(entries):
    """The events' rows in one INSERT … RETURNING, their people's in another, written as SQL of their own:
    every page that shows personal data writes here, and the ORM's model saves and bulk creation cost
    several milliseconds a page for two fixed statements (issue 13). The rows are what the ORM would write
    (each value through its field's own preparation); the events are returned as saved instances."""
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35: no INSERT … RETURNING
        return _insert_with_the_orm(entries)
    fields, events_sql, row, returning, subjects_sql = _statements(connection.vendor)
    event_chunk, subject_chunk = _chunks(len(fields))
    ids = []
    with connection.cursor() as cursor:
        for start in range(0, len(entries), event_chunk):
            chunk = entries[start : start + event_chunk]
            params = [
                field.get_db_prep_save(_column_value(values, field), connection)
                for values, _refs in chunk
                for field in fields
            ]
            cursor.execute(events_sql + ", ".join([row] * len(chunk)) + returning, params)
            # One statement's keys are handed out in the order of its rows; RETURNING need not list them in
            # that order (SQLite does not promise it), so they are put back in order before each event gets its
            # people concerned.
            returned = sorted(found[0] for found in cursor.fetchall())
            if len(returned) != len(chunk):
                raise DatabaseError("the audit rows written are not those sent")
            ids += returned
        people = [
            (pk, values["occurred_at"], kind, sid)
            for pk, (values, refs) in zip(ids, entries, strict=True)
            for kind, sid in refs
        ]
        if people:
            if connection.vendor == "postgresql":
                cursor.execute(subjects_sql, [list(column) for column in zip(*people, strict=True)])
            else:
                occurred_at = AuditSubject._meta.get_field("occurred_at")
                for start in range(0, len(people), subject_chunk):
                    chunk = people[start : start + subject_chunk]
                    cursor.execute(
                        subjects_sql + ", ".join(["(%s, %s, %s, %s)"] * len(chunk)),
                        [
                            value
                            for pk, when, kind, sid in chunk
                            for value in (pk, occurred_at.get_db_prep_save(when, connection), kind, sid)
                        ],
                    )
    saved = []
    for pk, (values, _refs) in zip(ids, entries, strict=True):
        event = AuditEvent(pk=pk, **values)
        event._state.adding = False
        event._state.db = connection.alias
        saved.append(event)
    return saved


def _chunks(event_columns):
    """(events, people concerned) per statement: within the database's limit of parameters per statement (on
    SQLite the connection's own, 999 before 3.32, 32,766 since), and at most ``_EVENT_CHUNK`` and
    ``_SUBJECT_CHUNK``. PostgreSQL sends the people as arrays: four parameters whatever their number."""
    limit = 65_535
    if connection.vendor == "sqlite":
        import sqlite3

        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return max(1, min(_EVENT_CHUNK, limit // event_columns)), max(1, min(_SUBJECT_CHUNK, limit // 4))


def _insert_with_the_orm(entries):
    events = AuditEvent.objects.bulk_create([AuditEvent(**fields) for fields, _refs in entries])
    AuditSubject.objects.bulk_create(
        [
            AuditSubject(event=event, occurred_at=event.occurred_at, kind=kind, subject_id=sid)
            for event, (_fields, refs) in zip(events, entries, strict=True)
            for kind, sid in refs
        ]
    )
    return events


def _column_value(values, field):
    """The value of ``field`` in an event's fields: a related object gives its primary key."""
    value = values[field.name]
    if field.is_relation:
        return value.pk if value is not None else None
    return value


def _write(entries):
    """Write events and their people concerned: one INSERT for the events, one for the people. In the caller's
    transaction when there is one, without a savepoint of its own: nothing catches AuditUnavailable to go on
    (it ends the request with the 503 page), so the whole transaction is rolled back with it."""
    try:
        with transaction.atomic(savepoint=False):
            return _insert(_resolve_people(entries))
    except DatabaseError as exc:
        raise AuditUnavailable(entries[0][0]["action"]) from exc


def _append(**fields):
    return _write([_event(**fields)])[0]


# Reads logged inside ``reads_logged_together`` wait here until the block ends (a page made of several lists,
# each logging its own read: the home page's panels).
_pending_reads = contextvars.ContextVar("patto_audit_pending_reads", default=None)


@contextmanager
def reads_logged_together():
    """Reads of personal data logged inside the block (``record_access``) are written together when it ends:
    every event in one INSERT and their people concerned in another, in one transaction, each event with its
    own action, time and people as if written alone. The caller shows nothing before the block has ended
    (it renders inside it, or after it within the same transaction): if the rows cannot be written the block
    raises AuditUnavailable and the page is not shown, fail closed as a single read is. A block that ends in
    an error writes nothing (nothing was shown)."""
    pending = []
    token = _pending_reads.set(pending)
    try:
        yield
    finally:
        _pending_reads.reset(token)
    if pending:
        _write(pending)


def record_access(*, actor, action, obj=None, subjects=(), purpose=""):
    """Log a read of personal data (same contract as record_event; named apart for readers; a read changes
    nothing, so it leaves ``writes_so_far`` as it is). Inside ``reads_logged_together`` the row waits for the
    block's end, and None is returned."""
    pending = _pending_reads.get()
    if pending is not None:
        pending.append(_event(actor=actor, action=action, obj=obj, subjects=subjects, purpose=purpose))
        return None
    return _append(actor=actor, action=action, obj=obj, subjects=subjects, purpose=purpose)


def render_with_access(request, template, context_data, *, action, obj=None, subjects=(), status=200):
    """Render a page showing personal data, logging the read in the same transaction (fail closed)."""
    with transaction.atomic():
        record_access(actor=request.user, action=action, obj=obj, subjects=subjects)
        return render(request, template, context_data, status=status)
