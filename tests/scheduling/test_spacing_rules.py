"""Spacing rules: a patient's appointments of one type start at least the type's minimum apart."""
from datetime import datetime, timedelta, timezone

from clinic.scheduling import Slot
from clinic.scheduling.spacing import SpacedAppointment, spaced_slots, too_close

MONDAY_NINE = datetime(2026, 12, 7, 8, 0, tzinfo=timezone.utc)
TWO_DAYS = timedelta(hours=48)


def needling(hours_later: float, appointment_id: int = 1) -> SpacedAppointment:
    return SpacedAppointment(appointment_id, MONDAY_NINE + timedelta(hours=hours_later), "Dr. Jansen")


def test_a_start_closer_than_the_minimum_before_or_after_another_is_too_close():
    assert too_close(MONDAY_NINE + timedelta(hours=47), TWO_DAYS, [needling(0)]) == needling(0)
    assert too_close(MONDAY_NINE - timedelta(hours=47), TWO_DAYS, [needling(0)]) == needling(0)


def test_exactly_the_minimum_apart_is_allowed_and_no_rule_allows_anything():
    assert too_close(MONDAY_NINE + TWO_DAYS, TWO_DAYS, [needling(0)]) is None
    assert too_close(MONDAY_NINE - TWO_DAYS, TWO_DAYS, [needling(0)]) is None
    assert too_close(MONDAY_NINE, timedelta(0), [needling(0)]) is None


def test_the_nearest_of_several_close_appointments_is_named():
    assert too_close(MONDAY_NINE + timedelta(hours=30), TWO_DAYS, [needling(0, 1), needling(40, 2)]) == needling(40, 2)


def test_only_slots_that_keep_their_distance_are_offered():
    slots = [Slot(1, MONDAY_NINE + timedelta(hours=h), MONDAY_NINE + timedelta(hours=h, minutes=30))
             for h in (24, 48, 72)]
    assert [slot.start for slot in spaced_slots(slots, TWO_DAYS, [needling(0)])] == [slot.start for slot in slots[1:]]
