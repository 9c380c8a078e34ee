"""Hypothesis properties of free_slots and check_booking over random calendars in 2026-2028.

The scenarios lean on the clock-change Sundays and on night hours (01:00-04:00), where the wall
clock skips or repeats an hour. The reference model below walks real time minute by minute and
tests every grid start against every range: slow, but with nothing clever in it to get wrong.
"""
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from itertools import chain

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clinic.localtime import CLINIC_TZ, Fold, day_bounds, exists, to_utc
from clinic.scheduling import (
    AppointmentLength,
    ChiropractorCalendar,
    Slot,
    SlotPolicy,
    TimeRange,
    Violation,
    WeeklyHours,
    check_booking,
    free_slots,
    free_slots_for_any,
)

PROPERTY = settings(max_examples=50, deadline=None)
MINUTE = timedelta(minutes=1)
CLOCK_CHANGE_SUNDAYS = [
    date(2026, 3, 29),
    date(2026, 10, 25),
    date(2027, 3, 28),
    date(2027, 10, 31),
    date(2028, 3, 26),
    date(2028, 10, 29),
]


@dataclass(frozen=True)
class Scenario:
    calendars: tuple[ChiropractorCalendar, ...]
    days: tuple[date, ...]
    length: AppointmentLength
    policy: SlotPolicy
    now: datetime

    @property
    def calendar(self) -> ChiropractorCalendar:
        return self.calendars[0]

    def slots(self, calendar=None, policy=None) -> list[Slot]:
        calendar, policy = calendar or self.calendar, policy or self.policy
        return free_slots(calendar, self.days, length=self.length, policy=policy, now=self.now)

    def check(self, start: datetime, calendar=None, policy=None) -> list[Violation]:
        calendar, policy = calendar or self.calendar, policy or self.policy
        return check_booking(calendar, start, length=self.length, policy=policy, now=self.now)

    def midnight(self) -> datetime:
        return day_bounds(self.days[0])[0]


def minutes(count: int) -> timedelta:
    return timedelta(minutes=count)


# Strategies are built once here: building them inside each draw would cost more than the test.

# A third of the marks fall in the small hours, where the clock changes; a third on the half
# hour, where appointments and time off drawn on five-minute steps can touch them exactly.
minute_of_day = st.one_of(
    st.integers(0, 24 * 60 - 1),
    st.integers(60, 4 * 60),
    st.integers(0, 47).map(lambda half_hours: 30 * half_hours),
)
# One or two intervals on one weekday, as the sorted marks start, end[, start, end].
day_marks = st.lists(minute_of_day, min_size=2, max_size=4, unique=True).map(sorted)
# Minutes from the first day's midnight: often on five-minute steps, so ranges touch slots exactly.
offset_in_window = st.one_of(
    st.integers(-600, 4 * 24 * 60), st.integers(-120, 4 * 24 * 12).map(lambda steps: 5 * steps)
)
appointment_minutes = st.integers(1, 4 * 12).map(lambda steps: 5 * steps)
absence_minutes = st.integers(1, 3 * 24 * 12).map(lambda steps: 5 * steps)
appointments = st.lists(st.tuples(offset_in_window, appointment_minutes), max_size=8)
absences = st.lists(st.tuples(offset_in_window, absence_minutes), max_size=2)
clock_change_or_any_day = st.one_of(
    st.sampled_from(CLOCK_CHANGE_SUNDAYS), st.dates(date(2026, 1, 1), date(2028, 12, 24))
)
durations = st.sampled_from([10, 15, 20, 25, 30, 45, 60, 90])
buffers = st.sampled_from([0, 5, 10, 15])
grids = st.sampled_from([5, 7, 10, 15, 20, 30, 60])
notices = st.sampled_from([0, 30, 120, 24 * 60])
horizons_beyond_notice = st.one_of(st.none(), st.sampled_from([180, 2 * 24 * 60, 8 * 7 * 24 * 60]))
# Mostly before the window asked, sometimes inside it.
minutes_from_first_midnight = st.one_of(st.integers(-2 * 24 * 60, 0), st.integers(-24 * 60, 4 * 24 * 60))


def draw_hours(draw, weekdays: list[int], valid_from: date, valid_to: date | None) -> list[WeeklyHours]:
    hours = []
    for weekday in weekdays:
        marks = draw(day_marks)
        for start, end in zip(marks[::2], marks[1::2]):
            opens, closes = time(*divmod(start, 60)), time(*divmod(end, 60))
            hours.append(WeeklyHours(weekday, opens, closes, valid_from, valid_to))
    return hours


def draw_calendar(draw, chiropractor_id: int, days: tuple[date, ...]) -> ChiropractorCalendar:
    """Draw hours that change during the window, and appointments and time off around it."""
    change_day = days[0] + timedelta(days=draw(st.integers(-1, len(days))))
    new_hours_end = change_day + timedelta(days=1) if draw(st.booleans()) else None
    # Hours on weekdays outside the window could not matter; drawing them only costs time.
    weekdays = sorted({day.weekday() for day in days})
    hours = draw_hours(draw, weekdays, date(2025, 12, 1), change_day - timedelta(days=1))
    hours += draw_hours(draw, weekdays, change_day, new_hours_end)
    midnight = day_bounds(days[0])[0]

    def ranges(offsets_and_lengths):
        return [
            TimeRange(midnight + minutes(offset), midnight + minutes(offset + length))
            for offset, length in offsets_and_lengths
        ]

    return ChiropractorCalendar(
        chiropractor_id, tuple(hours), time_off=ranges(draw(absences)), busy=ranges(draw(appointments))
    )


@st.composite
def scenarios(draw, max_chiropractors: int = 1) -> Scenario:
    first_day = draw(clock_change_or_any_day) - timedelta(days=draw(st.integers(0, 2)))
    days = tuple(first_day + timedelta(days=offset) for offset in range(draw(st.integers(1, 4))))
    ids = draw(st.lists(st.integers(1, 50), min_size=1, max_size=max_chiropractors, unique=True))
    min_notice = draw(notices)
    horizon = draw(horizons_beyond_notice)
    now = day_bounds(first_day)[0] + minutes(draw(minutes_from_first_midnight))
    if draw(st.booleans()):
        now = now.astimezone(CLINIC_TZ)  # wall-clock arithmetic on this would be wrong across a change
    return Scenario(
        calendars=tuple(draw_calendar(draw, chiropractor_id, days) for chiropractor_id in ids),
        days=days,
        length=AppointmentLength(minutes(draw(durations)), minutes(draw(buffers))),
        policy=SlotPolicy(
            grid=minutes(draw(grids)),
            min_notice=minutes(min_notice),
            horizon=None if horizon is None else minutes(min_notice + horizon),
            enforce_grid=draw(st.booleans()),
        ),
        now=now,
    )


# --- the reference model -------------------------------------------------------------------


@lru_cache(maxsize=None)
def clock_reaches(day: date, wall_clock: time) -> datetime:
    """Return the first instant the clock reads ``wall_clock`` on ``day`` or later, walking real time."""
    target = datetime.combine(day, wall_clock)
    # Amsterdam is at most two hours ahead of UTC, so three hours early is safely before the target.
    instant = target.replace(tzinfo=timezone.utc) - timedelta(hours=3)
    while instant.astimezone(CLINIC_TZ).replace(tzinfo=None) < target:
        instant += MINUTE
    return instant


def works_on(hours: WeeklyHours, day: date) -> bool:
    is_valid = hours.valid_from <= day and (hours.valid_to is None or day <= hours.valid_to)
    return hours.weekday == day.weekday() and is_valid


@lru_cache(maxsize=None)
def grid_starts(hours: WeeklyHours, day: date, grid: timedelta) -> list[datetime]:
    """Return each wall-clock grid start that exists, at its first occurrence."""
    starts = []
    label = datetime.combine(day, hours.start)
    while label < datetime.combine(day, hours.end):
        if exists(label):
            starts.append(to_utc(label, fold=Fold.EARLIER))
        label += grid
    return starts


def fits_in(hours: WeeklyHours, day: date, start: datetime, end: datetime) -> bool:
    opens_at, closes_at = clock_reaches(day, hours.start), clock_reaches(day, hours.end)
    return works_on(hours, day) and opens_at <= start and end <= closes_at


def collides(calendar_ranges, start: datetime, end: datetime) -> bool:
    return any(start < other.end and other.start < end for other in calendar_ranges)


def reference_slots(scenario: Scenario, calendar: ChiropractorCalendar) -> list[Slot]:
    now = scenario.now.astimezone(timezone.utc)
    policy, length = scenario.policy, scenario.length
    slots = []
    for day in scenario.days:
        for hours in calendar.working_hours:
            for start in grid_starts(hours, day, policy.grid):
                end = start + length.duration
                if (
                    fits_in(hours, day, start, end)
                    and now + policy.min_notice <= start
                    and (policy.horizon is None or start < now + policy.horizon)
                    and not collides(calendar.busy + calendar.time_off, start, end + length.buffer_after)
                ):
                    slots.append(Slot(calendar.chiropractor_id, start, end))
    return sorted(slots, key=lambda slot: (slot.start, slot.chiropractor_id))


def reference_violations(scenario: Scenario, start: datetime) -> list[str]:
    now = scenario.now.astimezone(timezone.utc)
    policy, length, calendar = scenario.policy, scenario.length, scenario.calendar
    end = start + length.duration
    day = start.astimezone(CLINIC_TZ).date()
    containing = [hours for hours in calendar.working_hours if fits_in(hours, day, start, end)]
    found = {
        "in_past": start < now,
        "too_soon": now <= start < now + policy.min_notice,
        "beyond_horizon": policy.horizon is not None and start >= now + policy.horizon,
        "outside_working_hours": not containing,
        "off_grid": policy.enforce_grid
        and bool(containing)
        and start not in grid_starts(containing[0], day, policy.grid),
        "time_off": collides(calendar.time_off, start, end + length.buffer_after),
        "overlaps_appointment": collides(calendar.busy, start, end + length.buffer_after),
    }
    return [code for code, is_broken in found.items() if is_broken]


def probes_around(scenario: Scenario, offsets: list[int], slots: list[Slot]) -> list[datetime]:
    """Return the drawn instants plus each free start and its neighbours a few minutes away."""
    near_slots = [slot.start + minutes(shift) for slot in slots[::7] for shift in (-5, -1, 0, 1, 5)]
    return [scenario.midnight() + minutes(offset) for offset in offsets] + near_slots


# --- the properties -----------------------------------------------------------------------------


@PROPERTY
@given(scenarios())
def test_free_slots_equal_the_brute_force_reference(scenario):
    assert scenario.slots() == reference_slots(scenario, scenario.calendar)


@PROPERTY
@given(scenarios())
def test_no_slot_overlaps_an_appointment_or_time_off_buffer_included(scenario):
    blocked = scenario.calendar.busy + scenario.calendar.time_off

    for slot in scenario.slots():
        occupied = TimeRange(slot.start, slot.end + scenario.length.buffer_after)
        assert not [other for other in blocked if occupied.overlaps(other)]


@PROPERTY
@given(scenarios())
def test_every_slot_lies_inside_working_hours_on_its_local_date_and_on_the_grid(scenario):
    for slot in scenario.slots():
        local_start = slot.start.astimezone(CLINIC_TZ)
        day, wall_clock = local_start.date(), local_start.replace(tzinfo=None, fold=0)
        assert day in scenario.days
        assert slot.end - slot.start == scenario.length.duration
        assert any(
            fits_in(hours, day, slot.start, slot.end)
            and hours.start <= wall_clock.time() < hours.end
            and (wall_clock - datetime.combine(day, hours.start)) % scenario.policy.grid == timedelta(0)
            for hours in scenario.calendar.working_hours
        )


@PROPERTY
@given(scenarios())
def test_slots_are_sorted_unique_and_offer_each_local_time_once(scenario):
    slots = scenario.slots()

    keys = [(slot.start, slot.chiropractor_id) for slot in slots]
    assert keys == sorted(set(keys))
    local_labels = [slot.start.astimezone(CLINIC_TZ).replace(tzinfo=None, fold=0) for slot in slots]
    assert len(local_labels) == len(set(local_labels))


@PROPERTY
@given(scenarios(), st.data())
def test_same_inputs_give_the_same_slots_whatever_order_the_ranges_come_in(scenario, data):
    calendar = scenario.calendar
    reordered = ChiropractorCalendar(
        calendar.chiropractor_id,
        tuple(data.draw(st.permutations(calendar.working_hours))),
        time_off=data.draw(st.permutations(calendar.time_off)),
        busy=data.draw(st.permutations(calendar.busy)),
    )

    first = scenario.slots()
    assert scenario.slots() == first
    assert scenario.slots(reordered) == first


@PROPERTY
@given(scenarios())
def test_every_returned_slot_passes_check_booking_even_held_to_the_grid(scenario):
    # Holding the booking to the grid only adds a rule, so passing it passes the policy as drawn too.
    on_grid_only = replace(scenario.policy, enforce_grid=True)

    for slot in scenario.slots():
        assert scenario.check(slot.start, policy=on_grid_only) == []


@PROPERTY
@given(scenarios(), st.lists(st.integers(-24 * 60, 5 * 24 * 60), max_size=30))
def test_check_booking_on_the_grid_accepts_exactly_the_free_slots(scenario, offsets):
    on_grid_only = replace(scenario.policy, enforce_grid=True)
    slots = scenario.slots(policy=on_grid_only)
    offered = {slot.start for slot in slots}

    for start in probes_around(scenario, offsets, slots):
        assert (scenario.check(start, policy=on_grid_only) == []) == (start in offered)


@PROPERTY
@given(scenarios(), st.lists(st.integers(-24 * 60, 5 * 24 * 60), max_size=30))
def test_check_booking_reports_exactly_the_rules_broken(scenario, offsets):
    for start in probes_around(scenario, offsets, scenario.slots()):
        codes = [violation.code for violation in scenario.check(start)]
        assert codes == reference_violations(scenario, start)


@PROPERTY
@given(scenarios(), st.data())
def test_booking_a_returned_slot_succeeds_and_removes_every_slot_it_overlaps(scenario, data):
    slots = scenario.slots()
    assume(slots)
    booked = data.draw(st.sampled_from(slots))
    occupied = TimeRange(booked.start, booked.end + scenario.length.buffer_after)
    calendar = scenario.calendar
    after_booking = ChiropractorCalendar(
        calendar.chiropractor_id,
        calendar.working_hours,
        time_off=calendar.time_off,
        busy=calendar.busy + (occupied,),
    )

    assert scenario.check(booked.start) == []
    remaining = scenario.slots(after_booking)
    assert booked not in remaining
    buffer = scenario.length.buffer_after
    overlapped = [slot for slot in slots if TimeRange(slot.start, slot.end + buffer).overlaps(occupied)]
    assert booked in overlapped
    assert remaining == [slot for slot in slots if slot not in overlapped]
    assert [violation.code for violation in scenario.check(booked.start, after_booking)] == [
        "overlaps_appointment"
    ]


@PROPERTY
@given(scenarios(max_chiropractors=4))
def test_any_chiropractor_mode_is_the_sorted_union_of_each_chiropractors_slots(scenario):
    merged = free_slots_for_any(
        scenario.calendars, scenario.days, length=scenario.length, policy=scenario.policy, now=scenario.now
    )

    each = chain.from_iterable(scenario.slots(calendar) for calendar in scenario.calendars)
    assert merged == sorted(each, key=lambda slot: (slot.start, slot.chiropractor_id))
