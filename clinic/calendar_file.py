"""The appointment as an iCalendar (.ics) file, with its times in Europe/Amsterdam."""
from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Calendar, Event, vText

from clinic.localtime import CLINIC_TZ, require_aware

CLINIC_NAME = "MoveWell Chiropractie Hilversum"
CLINIC_ADDRESS = "MoveWell Chiropractie, Hilversum"


def appointment_ics(
    *, uid: str, summary: str, starts_at: datetime, ends_at: datetime, description: str, stamp: datetime
) -> str:
    """Return a one-event calendar file; the zone is added so calendars show the local time."""
    calendar = Calendar()
    calendar.add("prodid", f"-//{CLINIC_NAME}//afspraken//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", require_aware(stamp))
    event.add("dtstart", require_aware(starts_at).astimezone(CLINIC_TZ))
    event.add("dtend", require_aware(ends_at).astimezone(CLINIC_TZ))
    event.add("summary", summary)
    event.add("description", description)
    event["location"] = vText(CLINIC_ADDRESS)
    calendar.add_component(event)
    # Only the rules around the appointment: the full 1970–2038 history would bloat the file.
    calendar.add_missing_timezones(first_date=starts_at.date() - timedelta(days=366), last_date=ends_at.date() + timedelta(days=366))
    return calendar.to_ical().decode()
