"""The appointment's .ics file: the event in Amsterdam time, with the zone's rules around it."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event, vCalAddress, vText

from clinic.calendar_file import CLINIC_NAME, appointment_ics

AMS = ZoneInfo("Europe/Amsterdam")
STAMP = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
ADDRESS = "Voorbeeldweg 1, Hilversum"
STARTS = (
    datetime(2026, 12, 1, 9, 0, tzinfo=AMS),  # winter
    datetime(2027, 7, 1, 14, 30, tzinfo=AMS),  # summer
    datetime(2027, 3, 28, 1, 30, tzinfo=AMS),  # runs into the night the clocks go forward
    datetime(2027, 10, 31, 2, 30, tzinfo=AMS, fold=1),  # the second 02:30 of the night they go back
    datetime(2026, 12, 1, 0, 30, tzinfo=AMS),  # a UTC day earlier than its local day
)


def ics(starts_at: datetime, length=timedelta(hours=1)) -> str:
    return appointment_ics(
        uid="appointment-7@movewell.nl", summary="Dry needling – Jarco (MoveWell)",
        starts_at=starts_at.astimezone(timezone.utc), ends_at=(starts_at + length).astimezone(timezone.utc),
        description="Manage or cancel your appointment: https://example.test/m/x", stamp=STAMP,
        location=ADDRESS, organizer="afspraken@example.test", attendee="sanne@example.test",
    )


def as_icalendar_writes_it(starts_at: datetime, length=timedelta(hours=1)) -> str:
    """The file as icalendar itself would write it, with the zone found and added by icalendar."""
    starts_at, ends_at = starts_at.astimezone(timezone.utc), (starts_at + length).astimezone(timezone.utc)
    calendar = Calendar()
    calendar.add("prodid", f"-//{CLINIC_NAME}//afspraken//NL")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", "appointment-7@movewell.nl")
    event.add("sequence", 0)
    event.add("dtstamp", STAMP)
    event.add("dtstart", starts_at.astimezone(AMS))
    event.add("dtend", ends_at.astimezone(AMS))
    event.add("summary", "Dry needling – Jarco (MoveWell)")
    event.add("description", "Manage or cancel your appointment: https://example.test/m/x")
    event["location"] = vText(ADDRESS)
    event["organizer"] = vCalAddress("mailto:afspraken@example.test", params={"CN": CLINIC_NAME})
    event["attendee"] = vCalAddress("mailto:sanne@example.test")
    calendar.add_component(event)
    calendar.add_missing_timezones(first_date=starts_at.date() - timedelta(days=366),
                                   last_date=ends_at.date() + timedelta(days=366))
    return calendar.to_ical().decode()


@pytest.mark.parametrize("starts_at", STARTS, ids=str)
def test_the_file_is_the_one_icalendar_writes_however_often_it_is_asked_for(starts_at):
    expected = as_icalendar_writes_it(starts_at)
    assert ics(starts_at) == expected
    assert ics(starts_at) == expected  # the zone now comes from the cache


def test_the_file_carries_the_amsterdam_rules_around_an_appointment_across_a_clock_change():
    # 01:30 to 03:30 local on the night the clocks go forward: 01:30 CET, 03:30 CEST (one hour).
    parsed = Calendar.from_ical(ics(datetime(2027, 3, 28, 1, 30, tzinfo=AMS), length=timedelta(hours=1)))
    (event,) = parsed.walk("VEVENT")
    assert event.decoded("dtstart") == datetime(2027, 3, 28, 1, 30, tzinfo=AMS)
    assert event.decoded("dtend") == datetime(2027, 3, 28, 3, 30, tzinfo=AMS)
    assert event["dtstart"].params["TZID"] == "Europe/Amsterdam"
    (zone,) = parsed.walk("VTIMEZONE")
    assert zone["tzid"] == "Europe/Amsterdam"
    # A calendar that knows no zones reads the offsets from the file itself.
    rules = zone.to_tz(lookup_tzid=False)
    assert datetime(2027, 3, 28, 1, 30, tzinfo=rules).utcoffset() == timedelta(hours=1)
    assert datetime(2027, 3, 28, 3, 30, tzinfo=rules).utcoffset() == timedelta(hours=2)
    assert datetime(2027, 11, 1, 9, 0, tzinfo=rules).utcoffset() == timedelta(hours=1)


def test_each_appointment_gets_the_rules_around_its_own_dates():
    assert "20281029T" in ics(datetime(2027, 11, 10, 9, 0, tzinfo=AMS))
    assert "20281029T" not in ics(datetime(2026, 12, 1, 9, 0, tzinfo=AMS))
