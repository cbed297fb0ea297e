"""Keyset pagination for the audit trail: pages are cut at (when, id), newest first, with no COUNT over
the table and no OFFSET, so the first page and the hundredth cost the same with ten thousand rows or ten
million. A cursor is the edge row's time in microseconds and its id ("1763283000000000-4711"): it names
no one."""

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import Q


@dataclass
class KeysetPage:
    object_list: list
    newer: str | None  # cursor for the page of newer events, None on the first page
    older: str | None  # cursor for the page of older events, None on the last page

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self):
        return len(self.object_list)

    @property
    def newest_at(self):
        return self.object_list[0].occurred_at if self.object_list else None

    @property
    def oldest_at(self):
        return self.object_list[-1].occurred_at if self.object_list else None

    @property
    def has_other_pages(self):
        return bool(self.newer or self.older)


def _encode(event):
    return f"{int(event.occurred_at.timestamp() * 1_000_000)}-{event.pk}"


def _decode(cursor):
    """(when, id) or None for a cursor that is not one (a hand-edited URL starts from the top)."""
    try:
        micros, pk = (int(part) for part in (cursor or "").split("-", 1))
        return datetime.fromtimestamp(micros / 1_000_000, tz=UTC), pk
    except (ValueError, OverflowError, OSError):
        return None


def keyset_page(events, *, size, before="", after="", narrow=None):
    """One page of ``events`` newest first: those older than the ``before`` cursor, or (going back towards
    the newest) those newer than ``after``. Reads ``size + 1`` rows to know whether there are more.

    ``narrow(edge, count)``, optional, names a smaller set likely to hold the ``count`` newest rows of
    ``events`` below ``edge`` (the decoded ``before`` cursor, or None): ``(queryset, complete)``. Its rows are used when
    they fill the page or when ``complete`` says nothing else could match; otherwise the page is read again
    from ``events`` (one more query, never a different answer)."""
    edge = _decode(after)
    if edge is not None:
        when, pk = edge
        rows = list(
            events.filter(Q(occurred_at__gt=when) | Q(occurred_at=when, pk__gt=pk)).order_by("occurred_at", "id")[
                : size + 1
            ]
        )
        more_newer = len(rows) > size
        rows = list(reversed(rows[:size]))
        return KeysetPage(rows, _encode(rows[0]) if more_newer and rows else None, _encode(rows[-1]) if rows else None)
    edge = _decode(before)
    if edge is not None:
        when, pk = edge
        events = events.filter(Q(occurred_at__lt=when) | Q(occurred_at=when, pk__lt=pk))
    return _older_than(edge, _newest(events, size + 1, narrow, edge), size)


def newest_page(rows, size):
    """The first page, from the ``size + 1`` newest rows (read by the caller)."""
    return _older_than(None, rows, size)


def _older_than(edge, rows, size):
    more_older = len(rows) > size
    rows = rows[:size]
    newer = _encode(rows[0]) if edge is not None and rows else None
    return KeysetPage(rows, newer, _encode(rows[-1]) if more_older else None)


def _newest(events, count, narrow, edge):
    if narrow is not None:
        narrowed, complete = narrow(edge, count)
        rows = list(narrowed.order_by("-occurred_at", "-id")[:count])
        if complete or len(rows) == count:
            return rows
    return list(events.order_by("-occurred_at", "-id")[:count])
