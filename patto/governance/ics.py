"""A governance body's meetings as calendar events (the .ics download, the personal feed, the invitation's
attachment): the body, time, place and agenda; no data about families. The UID is the meeting's for good
and the SEQUENCE follows its version, so a changed meeting replaces the event already in the calendar."""

from datetime import timedelta

from patto.core.calendar import CalendarEvent


def meeting_events(meetings):
    return [
        CalendarEvent(
            uid=str(meeting.uid),
            starts_at=meeting.starts_at,
            ends_at=meeting.starts_at + timedelta(minutes=meeting.duration_minutes),
            summary=str(meeting.body),
            location=meeting.place,
            description=meeting.agenda,
            sequence=meeting.version - 1,  # rises when the meeting is rescheduled (or its minutes saved)
        )
        for meeting in meetings
    ]
