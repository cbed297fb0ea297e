"""Statements compiled once, for the few queries every page asks.

Every page reads the user's seats in force, their current memberships and the standing of their
institutions. For a given day the SQL that Django compiles for these is always the same: only the user's
id changes. Compiling it costs more CPU than running it, because the queries nest EXISTS for the fit,
the standing and the consent: 1–2 ms each, 3–5 ms a page (measured with ``bench_floor``).

A ``FrozenQuery`` compiles its queryset once for each (day, time zone, database) and each thread. It
builds the queryset with a sentinel in place of each variable id and keeps the statement and the
compiler that made it. Each use runs that statement afresh, with the real ids in the sentinels' places,
through Django's own iteration, so model instances, ``select_related`` and converters are as usual.
Only the compilation is skipped, never the query, and nothing the database answers is kept: a seat
ended, a membership ended or a consent withdrawn counts from the next query.

Variables are primary keys, integers or UUIDs: a UUID goes into the statement as the backend's
compilation put the sentinel (a UUID on PostgreSQL, its hex on SQLite). A variable may also be a list of
keys (``[int]`` or ``[uuid.UUID]``, for an ``__in``): the statement has one placeholder per key, so the
number of keys of each list, rounded up to a power of two (the last key repeated), is part of the key, as the
day is: a handful of statements for lists of any length. What depends on the day is part of the key. Anything else that varies, such as the present moment, stays out of the query and is
compared by the caller. Per thread, because compiling a query may touch its inner queries and a compiler
is not meant to be shared."""

import copy
import threading
import uuid

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections
from django.utils import timezone

_SENTINEL = 730_001  # -730_001, -730_002, ... for integer keys (never a primary key: they are positive);
# UUIDs uuid.UUID(int=730_001), ... (00000000-0000-0000-0000-0000000b2391) for UUID keys (never generated: uuid4
# sets version bits)
_local = threading.local()
_MAX_KEPT = 256
KEY_TYPES = (int, uuid.UUID)
_NOTHING = object()


class FrozenQuery:
    """``build(day, **ids)`` returns the queryset; ``variables`` maps each id's name to its type (``int`` or
    ``uuid.UUID``, or ``[int]`` / ``[uuid.UUID]`` for a list of them). ``rows(**ids)`` lists what the queryset
    yields (model instances, or tuples for ``values_list``); an empty list that leaves nothing to match gives
    no rows without a query. ``variant``, when given, is a hashable choice among a few shapes of the query
    (the audiences a seat may read, whether it has the team's view): part of the key, and passed to
    ``build(day, variant, **ids)``; it must come from a closed set of values, or from a few stored rows (a monitoring
    period's days), never from what a user typed in the request."""

    def __init__(self, name, build, variables):
        for kind in variables.values():
            if kind not in KEY_TYPES and not (isinstance(kind, list) and len(kind) == 1 and kind[0] in KEY_TYPES):
                raise ImproperlyConfigured(f"{name}: ids are integers or UUIDs, or lists of them")
        self.name = name
        self.build = build
        self.variables = dict(variables)

    def rows(self, day=None, using=DEFAULT_DB_ALIAS, variant=None, **ids):
        if set(ids) != set(self.variables):
            raise TypeError(f"{self.name}: expected the ids {self.variables}, got {tuple(ids)}")
        for name, kind in self.variables.items():
            if isinstance(kind, list):  # each key once, in a fixed order, padded (see _padded)
                ids[name] = _padded(sorted({self._key(name, kind[0], value) for value in ids[name]}))
        shape = tuple(len(ids[name]) for name, kind in self.variables.items() if isinstance(kind, list))
        frozen = self._frozen(day or timezone.localdate(), using, shape, variant)
        if frozen is _NOTHING:
            return []
        queryset, compiler, sql, params, slots, converters = frozen
        values = list(params)
        for index, name, position, as_hex in slots:
            value = ids[name] if position is None else ids[name][position]
            values[index] = self._value(name, value, as_hex)
        statement = (sql, tuple(values))
        run = copy.copy(compiler)
        run.connection = connections[using]  # this thread's connection now (a test may have replaced it)
        run.as_sql = lambda *args, **kwargs: statement
        run.get_converters = lambda expressions: _remembered_converters(compiler, converters, expressions)
        chained = queryset.using(using)
        chained.query.get_compiler = lambda *args, **kwargs: run
        return list(chained)

    def _frozen(self, day, using, shape, variant):
        connection = connections[using]
        zone = timezone.get_current_timezone_name()
        key = (self.name, using, id(connection), connection.vendor, day, zone, shape, variant)
        kept = _local.__dict__.setdefault("statements", {})
        entry = kept.get(key)
        if entry is None:
            if len(kept) >= _MAX_KEPT:
                kept.clear()
            counter = iter(range(_SENTINEL, _SENTINEL + 100_000))
            lengths = iter(shape)

            def sentinel(kind):
                number = next(counter)
                return -number if kind is int else uuid.UUID(int=number)

            # name → its sentinel (or list of them); (name, position or None, sentinel) for each one
            sentinels = {
                name: [sentinel(kind[0]) for _ in range(next(lengths))] if isinstance(kind, list) else sentinel(kind)
                for name, kind in self.variables.items()
            }
            each = [
                (name, position, one)
                for name, value in sentinels.items()
                for position, one in (enumerate(value) if isinstance(value, list) else [(None, value)])
            ]
            queryset = self.build(day, **sentinels) if variant is None else self.build(day, variant, **sentinels)
            compiler = queryset.query.get_compiler(using=using)
            try:
                sql, params = compiler.as_sql()
            except EmptyResultSet:  # an empty list where nothing else can match: no rows, no query
                if 0 not in shape:  # empty for another reason (a sentinel out of a field's range): refused
                    raise ImproperlyConfigured(f"{self.name}: the statement matches nothing whatever the ids") from None
                kept[key] = _NOTHING
                return _NOTHING
            slots = tuple(
                (index, name, position, isinstance(one, uuid.UUID) and value == one.hex)
                for index, value in enumerate(params)
                for name, position, one in each
                if (type(value) is type(one) and value == one) or (isinstance(one, uuid.UUID) and value == one.hex)
            )
            found = {(slot[1], slot[2]) for slot in slots}
            inlined = any(
                text in sql
                for _name, _position, one in each
                for text in ({str(one), one.hex} if isinstance(one, uuid.UUID) else {str(one)})
            )
            if found != {(name, position) for name, position, _one in each} or inlined:
                raise ImproperlyConfigured(f"{self.name}: every id must reach the statement as a parameter")
            entry = kept[key] = (queryset, compiler, sql, tuple(params), slots, {})
        return entry

    def _key(self, name, kind, value):
        if kind is int:
            if type(value) is not int:
                raise TypeError(f"{self.name}: {name} must be an integer")
            return value
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))

    def _value(self, name, value, as_hex):
        kind = self.variables[name]
        value = self._key(name, kind[0] if isinstance(kind, list) else kind, value)
        return value.hex if as_hex else value


def _remembered_converters(compiler, kept, expressions):
    """The converters of the columns read (``SQLCompiler.get_converters``), worked out once per statement: they
    depend only on its columns (the same expressions each time: the kept compiler's) and the backend."""
    key = tuple(map(id, expressions))
    found = kept.get(key)
    if found is None:
        found = kept[key] = compiler.get_converters(expressions)
    return found


def _padded(keys):
    """The keys, the last one repeated up to the next power of two: a list of 5 to 8 keys runs the statement made
    for 8 (``IN`` is the same with a key twice), so a query over the user's paths has a handful of statements
    (1, 2, 4 ... 1,024 paths), not one for every size of caseload."""
    if not keys:
        return keys
    size = 1 << (len(keys) - 1).bit_length()
    return keys + [keys[-1]] * (size - len(keys))


def with_parent(rows, field_name, parent):
    """Rows fetched by a frozen statement on ``parent``'s key, each knowing its ``parent`` through its foreign
    key ``field_name`` as ``parent.<related>.all()`` gives them: no query when a template reads it."""
    if rows:
        field = type(rows[0])._meta.get_field(field_name)
        for row in rows:
            field.set_cached_value(row, parent)
    return rows


def set_prefetched(instance, name, rows):
    """Give ``instance`` the rows of its relation ``name`` (a frozen query's answer) as ``prefetch_related``
    would: ``instance.<name>.all()`` answers them with no query, and a filter on it still queries within the
    relation. A reverse foreign key's rows also know their ``instance`` without a query; a many-to-many
    relation's rows are taken as they are."""
    manager = getattr(instance, name)
    queryset = manager.get_queryset()
    rows = list(rows)
    if hasattr(manager, "prefetch_cache_name"):  # many-to-many
        cache_name = manager.prefetch_cache_name
    else:
        cache_name = manager.field.remote_field.cache_name
        with_parent(rows, manager.field.name, instance)
    queryset._result_cache = rows
    queryset._prefetch_done = True
    instance.__dict__.setdefault("_prefetched_objects_cache", {})[cache_name] = queryset


def forget_all():
    """Drop this thread's compiled statements (tests that change what a statement is compiled from)."""
    _local.__dict__.pop("statements", None)
