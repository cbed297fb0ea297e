"""iCalendar files (.ics) for meetings, built once for every app: a governance body's meeting, a family
team's meeting, the personal calendar feed. The caller decides what goes in an event; for a family's
meeting that is never a child's name nor the case's content."""

from dataclasses import dataclass
from datetime import datetime

import icalendar
from django.http import HttpResponse


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable across downloads, so a calendar app updates the event instead of adding another
    starts_at: datetime
    ends_at: datetime
    summary: str
    location: str = ""
    description: str = ""
    # RFC 5545 SEQUENCE: raised at each change of the event (a rescheduled meeting), so a calendar app that
    # already holds the UID takes the new file as the newer revision of the same event.
    sequence: int = 0


def calendar_bytes(events, *, name="Patto"):
    calendar = icalendar.Calendar()
    calendar.add("prodid", f"-//Patto//{name}//IT")
    calendar.add("version", "2.0")
    for item in events:
        event = icalendar.Event()
        event.add("uid", f"{item.uid}@patto")
        event.add("dtstamp", item.starts_at)
        event.add("dtstart", item.starts_at)
        event.add("dtend", item.ends_at)
        event.add("sequence", item.sequence)
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        calendar.add_component(event)
    return calendar.to_ical()


def ics_response(events, filename, *, name="Patto"):
    """A download of ``events`` as ``filename`` (built by the server, no user input in it)."""
    response = HttpResponse(calendar_bytes(events, name=name), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
