"""The appointment as an iCalendar (.ics) file, with its times in Europe/Amsterdam.

Every file of one appointment has the same UID and a higher SEQUENCE than the one before, so the
patient's calendar keeps one event: ``METHOD:REQUEST`` adds or moves it, ``METHOD:CANCEL`` removes it
(RFC 5546, which wants an ORGANIZER and ATTENDEE on both). The confirmation of a treatment series
carries one such file per appointment, each with that appointment's UID.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from clinic.localtime import CLINIC_TZ, require_aware

CLINIC_NAME = "MoveWell Chiropractie Hilversum"
METHODS = ("REQUEST", "CANCEL")
# Only the zone's rules this far around the appointment: the full 1970–2038 history would bloat the file.
ZONE_MARGIN = timedelta(days=366)


def appointment_ics(
    *, uid: str, summary: str, starts_at: datetime, ends_at: datetime, description: str, stamp: datetime,
    location: str, organizer: str, attendee: str, method: str = "REQUEST", sequence: int = 0,
) -> str:
    """Return a one-event calendar file; the zone is added so calendars show the local time.

    One event, one UID: an iTIP message is about one calendar object (RFC 5546), and calendars take
    only the first event of a file with more. ``organizer`` and ``attendee`` are e-mail addresses
    (the clinic's and the patient's).
    """
    if method not in METHODS:
        raise ValueError(f"unknown calendar method {method!r}")
    calendar = Calendar()
    calendar.add("prodid", f"-//{CLINIC_NAME}//afspraken//NL")
    calendar.add("version", "2.0")
    calendar.add("method", method)
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", require_aware(stamp))
    event.add("dtstart", require_aware(starts_at).astimezone(CLINIC_TZ))
    event.add("dtend", require_aware(ends_at).astimezone(CLINIC_TZ))
    event.add("summary", summary)
    event.add("description", description)
    event["location"] = vText(location)
    event["organizer"] = vCalAddress(f"mailto:{organizer}", params={"CN": CLINIC_NAME})
    event["attendee"] = vCalAddress(f"mailto:{attendee}")
    if method == "CANCEL":
        event.add("status", "CANCELLED")
    calendar.add_component(event)
    # Where icalendar's add_missing_timezones puts the zone: before the event that refers to it.
    zone = clinic_zone(starts_at.date() - ZONE_MARGIN, ends_at.date() + ZONE_MARGIN)
    return calendar.to_ical().decode().replace("BEGIN:VEVENT\r\n", zone + "BEGIN:VEVENT\r\n", 1)


@lru_cache(maxsize=128)
def clinic_zone(first_date: date, last_date: date) -> str:
    """Return the clinic's VTIMEZONE for ``first_date``..``last_date`` as iCalendar text.

    Working out and writing the transitions costs more than the rest of the file, and every
    appointment of a day asks for the same dates, so each range is worked out once per process.
    """
    return Timezone.from_tzid(CLINIC_TZ.key, first_date=first_date, last_date=last_date).to_ical().decode()
