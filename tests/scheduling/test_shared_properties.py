"""Hypothesis: clinic closures and a shared resource take away exactly the times they cover, for
every chiropractor, and the booking check gives the same answer as the free slots."""
from hypothesis import given
from hypothesis import strategies as st

from clinic.localtime import day_bounds
from clinic.scheduling import SharedCalendar, TimeRange, ViolationCode, check_booking, free_slots_for_any
from tests.scheduling.test_scheduling_properties import PROPERTY, absences, appointments, minutes, scenarios


@st.composite
def with_shared(draw):
    scenario = draw(scenarios(max_chiropractors=3))
    midnight = day_bounds(scenario.days[0])[0]

    def ranges(offsets_and_lengths):
        return tuple(
            TimeRange(midnight + minutes(offset), midnight + minutes(offset + length))
            for offset, length in offsets_and_lengths
        )

    return scenario, SharedCalendar(closed=ranges(draw(absences)), resource_busy=ranges(draw(appointments)))


@PROPERTY
@given(with_shared())
def test_closures_and_the_resource_remove_exactly_the_slots_they_overlap_and_the_check_agrees(drawn):
    scenario, shared = drawn
    ask = dict(length=scenario.length, policy=scenario.policy, now=scenario.now)
    without = free_slots_for_any(scenario.calendars, scenario.days, **ask)
    with_shared_calendar = free_slots_for_any(scenario.calendars, scenario.days, shared=shared, **ask)

    def expected_codes(slot):
        taken = TimeRange(slot.start, slot.start + scenario.length.occupied)
        return [
            code
            for code, ranges in ((ViolationCode.CLINIC_CLOSED, shared.closed),
                                 (ViolationCode.RESOURCE_TAKEN, shared.resource_busy))
            if any(taken.overlaps(other) for other in ranges)
        ]

    assert with_shared_calendar == [slot for slot in without if not expected_codes(slot)]
    calendars = {calendar.chiropractor_id: calendar for calendar in scenario.calendars}
    for slot in without:
        violations = check_booking(calendars[slot.chiropractor_id], slot.start, shared=shared, **ask)
        assert [violation.code for violation in violations] == expected_codes(slot)
