"""A team meeting as a calendar event, for the page's .ics download and the invitation's attachment. It
leaves Patto for a calendar app, so it says only when, where, the family's reference and the page's
address: never a child's name, the agenda or the minutes. The UID stays the meeting's for good and the
SEQUENCE follows its version, so a changed meeting replaces the event already in the calendar."""

from datetime import timedelta

from django.utils.translation import gettext as _

from patto.core.calendar import CalendarEvent

# A team meeting has a start, not an end: calendars get this length.
MEETING_MINUTES = 90


def meeting_event(meeting, *, reference, page_url, with_place=True):
    """``reference``: the family's reference; ``page_url``: the meeting's page. ``with_place`` False for the
    file attached to an e-mail: the place is free text and may be the family's home (a home visit), which
    must not travel by e-mail; the page, behind sign-in, says where."""
    return CalendarEvent(
        uid=f"cases-meeting-{meeting.pk}",
        starts_at=meeting.held_at,
        ends_at=meeting.held_at + timedelta(minutes=MEETING_MINUTES),
        summary=_("Team meeting — family %(reference)s") % {"reference": reference},
        location=meeting.place if with_place else _("See the meeting's page in Patto"),
        description=_("Agenda and minutes in Patto: %(url)s") % {"url": page_url},
        sequence=meeting.version - 1,  # rises when the meeting is rescheduled (or its minutes saved)
    )
