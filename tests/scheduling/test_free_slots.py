"""Example tests for free_slots and free_slots_for_any: plain data, hand-computed expectations."""
from datetime import date, datetime, time, timedelta, timezone

import pytest

from clinic.localtime import combine, to_local
from clinic.scheduling import (
    ONLINE_POLICY,
    STAFF_POLICY,
    AppointmentLength,
    ChiropractorCalendar,
    SlotPolicy,
    TimeRange,
    Slot,
    WeeklyHours,
    clear_of,
    free_slots,
    free_slots_for_any,
)

MONDAY = date(2026, 3, 2)
TUESDAY = date(2026, 3, 3)
HALF_HOUR = AppointmentLength(timedelta(minutes=30))
LONG_BEFORE = datetime(2026, 1, 1, tzinfo=timezone.utc)
EVERY_HALF_HOUR = SlotPolicy(grid=timedelta(minutes=30))


def at(day: date, wall_clock: str) -> datetime:
    """Return the instant the clinic's clock reads ``wall_clock`` on ``day`` (unambiguous times only)."""
    return combine(day, time.fromisoformat(wall_clock))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def every(first: str, last: str, minutes: int) -> list[str]:
    """Return the wall-clock labels from ``first`` to ``last`` inclusive, ``minutes`` apart."""
    label, last_label = (datetime.combine(date.min, time.fromisoformat(text)) for text in (first, last))
    labels = []
    while label <= last_label:
        labels.append(f"{label:%H:%M}")
        label += timedelta(minutes=minutes)
    return labels


def weekly(weekday: int, start: str, end: str, valid_from=date(2026, 1, 1), valid_to=None) -> WeeklyHours:
    return WeeklyHours(weekday, time.fromisoformat(start), time.fromisoformat(end), valid_from, valid_to)


def monday_calendar(busy=(), time_off=()) -> ChiropractorCalendar:
    """Return a chiropractor working Mondays 08:30-12:30 and 13:30-17:30."""
    hours = (weekly(0, "08:30", "12:30"), weekly(0, "13:30", "17:30"))
    return ChiropractorCalendar(1, hours, time_off=time_off, busy=busy)


def slots_on(calendar, days, *, length=HALF_HOUR, policy=EVERY_HALF_HOUR, now=LONG_BEFORE):
    return free_slots(calendar, days, length=length, policy=policy, now=now)


def local_starts(slots) -> list[str]:
    return [f"{to_local(slot.start):%H:%M}" for slot in slots]


def monday_starts(calendar, *, length=HALF_HOUR, policy=STAFF_POLICY, now=LONG_BEFORE) -> list[str]:
    return local_starts(slots_on(calendar, [MONDAY], length=length, policy=policy, now=now))


def test_normal_monday_offers_every_grid_start_of_both_intervals():
    slots = slots_on(monday_calendar(), [MONDAY], policy=STAFF_POLICY)

    assert local_starts(slots) == every("08:30", "12:00", 10) + every("13:30", "17:00", 10)
    assert slots[0].start == utc("2026-03-02T07:30")  # CET is UTC+1 in March before the change
    assert all(slot.end - slot.start == timedelta(minutes=30) for slot in slots)
    assert {slot.chiropractor_id for slot in slots} == {1}
    assert all(slot.start.tzinfo is timezone.utc for slot in slots)


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (30, every("08:30", "12:00", 10) + every("13:30", "17:00", 10)),
        (60, every("08:30", "11:30", 10) + every("13:30", "16:30", 10)),
        # A slot never bridges the lunch break, even when both halves are free.
        (240, ["08:30", "13:30"]),
        (250, []),
    ],
)
def test_lunch_break_is_never_part_of_a_slot(minutes, expected):
    length = AppointmentLength(timedelta(minutes=minutes))

    assert monday_starts(monday_calendar(), length=length) == expected


@pytest.mark.parametrize(
    ("buffer_minutes", "start", "is_offered"),
    [
        (0, "09:30", True),  # ends exactly when the appointment at 10:00 begins
        (10, "09:30", False),  # its buffer would run into the appointment at 10:00
        (10, "09:20", True),  # buffer ends exactly at 10:00
        (10, "10:30", True),  # the appointment's own buffer is already in its busy range
        (0, "09:40", False),
        (10, "17:00", True),  # a buffer may run past closing time
    ],
)
def test_buffer_after_must_stay_clear_of_appointments(buffer_minutes, start, is_offered):
    calendar = monday_calendar(busy=[TimeRange(at(MONDAY, "10:00"), at(MONDAY, "10:30"))])
    length = AppointmentLength(timedelta(minutes=30), timedelta(minutes=buffer_minutes))

    assert (start in monday_starts(calendar, length=length)) is is_offered


@pytest.mark.parametrize(
    ("blocked", "is_offered"),
    [
        (TimeRange(at(MONDAY, "12:35"), at(MONDAY, "13:00")), False),  # the buffer after closing hits it
        (TimeRange(at(MONDAY, "12:40"), at(MONDAY, "13:00")), True),  # the buffer ends as it starts
    ],
)
def test_a_buffer_running_past_closing_must_still_miss_what_comes_next(blocked, is_offered):
    with_buffer = AppointmentLength(timedelta(minutes=30), timedelta(minutes=10))

    for calendar in (monday_calendar(busy=[blocked]), monday_calendar(time_off=[blocked])):
        assert ("12:00" in monday_starts(calendar, length=with_buffer)) is is_offered


def test_back_to_back_with_an_appointment_is_allowed_on_both_sides():
    calendar = monday_calendar(busy=[TimeRange(at(MONDAY, "09:00"), at(MONDAY, "09:30"))])

    starts = monday_starts(calendar)

    assert {"08:30", "09:30"} <= set(starts)
    assert not {"08:40", "08:50", "09:00", "09:10", "09:20"} & set(starts)


@pytest.mark.parametrize(
    ("blocked", "expected"),
    [
        (
            [TimeRange(at(MONDAY, "11:00"), at(MONDAY, "14:00"))],
            every("08:30", "10:30", 10) + every("14:00", "17:00", 10),
        ),
        # A week away that began days earlier still blocks the whole Monday.
        ([TimeRange(at(date(2026, 2, 27), "00:00"), at(date(2026, 3, 6), "00:00"))], []),
        # A long absence with a shorter one inside it, both begun before the Monday: the longer counts.
        (
            [
                TimeRange(at(date(2026, 2, 27), "00:00"), at(MONDAY, "11:00")),
                TimeRange(at(date(2026, 2, 28), "09:00"), at(date(2026, 2, 28), "10:00")),
            ],
            every("11:00", "12:00", 10) + every("13:30", "17:00", 10),
        ),
        # An absence that ends on the Monday at noon.
        (
            [TimeRange(at(date(2026, 2, 23), "00:00"), at(MONDAY, "12:00"))],
            ["12:00"] + every("13:30", "17:00", 10),
        ),
    ],
)
def test_time_off_and_appointments_block_overlapping_slots(blocked, expected):
    assert monday_starts(monday_calendar(time_off=blocked)) == expected
    assert monday_starts(monday_calendar(busy=blocked)) == expected


def test_time_off_and_appointments_block_together():
    calendar = monday_calendar(
        busy=[TimeRange(at(MONDAY, "08:30"), at(MONDAY, "10:00"))],
        time_off=[TimeRange(at(MONDAY, "10:30"), at(MONDAY, "17:30"))],
    )

    assert monday_starts(calendar) == ["10:00"]


@pytest.mark.parametrize(
    ("policy", "now", "expected_first", "expected_count"),
    [
        # Online: two hours' notice, starts on the quarter hour counted from 08:30.
        (ONLINE_POLICY, at(MONDAY, "08:05"), "10:15", 8 + 15),
        (ONLINE_POLICY, at(MONDAY, "08:15"), "10:15", 8 + 15),  # exactly two hours is enough
        # Staff: anything not in the past; a start equal to now is not in the past.
        (STAFF_POLICY, at(MONDAY, "09:05"), "09:10", 18 + 22),
        (STAFF_POLICY, at(MONDAY, "09:10"), "09:10", 18 + 22),
        (STAFF_POLICY, at(MONDAY, "17:01"), None, 0),
    ],
)
def test_minimum_notice(policy, now, expected_first, expected_count):
    starts = monday_starts(monday_calendar(), policy=policy, now=now)

    assert starts[:1] == ([expected_first] if expected_first else [])
    assert len(starts) == expected_count


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        # Eight weeks after Monday 5 January 09:00 is Monday 2 March 09:00 (no clock change between).
        (at(date(2026, 1, 5), "09:00"), ["08:30", "08:45"]),
        (at(date(2026, 1, 5), "08:30"), []),  # the horizon itself is excluded
        (at(date(2026, 1, 5), "13:45"), every("08:30", "12:00", 15) + ["13:30"]),
    ],
)
def test_booking_horizon(now, expected):
    assert monday_starts(monday_calendar(), policy=ONLINE_POLICY, now=now) == expected


def test_horizon_counts_real_time_across_the_spring_change():
    # From Saturday 7 February 12:00 CET, eight weeks of real time end at 13:00 CEST on 4 April;
    # adding eight weeks on the wall clock would wrongly end them at 12:00 CEST.
    calendar = ChiropractorCalendar(1, (weekly(5, "12:00", "14:00"),))
    now_in_amsterdam = to_local(at(date(2026, 2, 7), "12:00"))

    slots = slots_on(calendar, [date(2026, 4, 4)], policy=ONLINE_POLICY, now=now_in_amsterdam)

    assert local_starts(slots) == ["12:00", "12:15", "12:30", "12:45"]


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 12, 29), []),  # before the first hours are valid
        (date(2026, 1, 5), every("08:00", "11:30", 30)),  # first Monday of the old hours
        (date(2026, 2, 23), every("08:00", "11:30", 30)),  # valid_to is inclusive
        (date(2026, 2, 24), []),  # a Tuesday: no hours at all
        (date(2026, 3, 2), every("13:00", "16:30", 30)),  # first Monday of the new hours
        (date(2027, 3, 1), every("13:00", "16:30", 30)),  # the new hours have no end
    ],
)
def test_hours_apply_only_between_valid_from_and_valid_to(day, expected):
    old = weekly(0, "08:00", "12:00", valid_from=date(2026, 1, 1), valid_to=date(2026, 2, 23))
    new = weekly(0, "13:00", "17:00", valid_from=date(2026, 3, 2))

    assert local_starts(slots_on(ChiropractorCalendar(1, (old, new)), [day])) == expected


EVERY_DAY_9_TO_12 = ChiropractorCalendar(1, tuple(weekly(weekday, "09:00", "12:00") for weekday in range(7)))
IN_WINTER = datetime(2026, 1, 15, 12, tzinfo=timezone.utc)
IN_SUMMER = datetime(2026, 7, 15, 12, tzinfo=timezone.utc)


@pytest.mark.parametrize(
    ("day", "now", "nine_oclock_utc"),
    [
        # "now" is in another season than the day asked, so an offset taken from now shows up.
        (date(2026, 3, 28), IN_WINTER, "2026-03-28T08:00"),  # Saturday, still CET (UTC+1)
        (date(2026, 3, 29), IN_WINTER, "2026-03-29T07:00"),  # the spring Sunday: CEST (UTC+2) from 03:00
        (date(2026, 3, 30), IN_WINTER, "2026-03-30T07:00"),  # the Monday after
        (date(2026, 10, 24), IN_SUMMER, "2026-10-24T07:00"),  # Saturday, still CEST
        (date(2026, 10, 25), IN_SUMMER, "2026-10-25T08:00"),  # the autumn Sunday: CET from 03:00 CEST
        (date(2026, 10, 26), IN_SUMMER, "2026-10-26T08:00"),  # the Monday after
    ],
)
def test_nine_oclock_is_nine_oclock_local_on_both_sides_of_a_clock_change(day, now, nine_oclock_utc):
    slots = slots_on(EVERY_DAY_9_TO_12, [day], now=now)

    assert slots[0].start == utc(nine_oclock_utc)
    assert local_starts(slots) == every("09:00", "11:30", 30)
    gaps = [later.start - earlier.start for earlier, later in zip(slots, slots[1:])]
    assert gaps == [timedelta(minutes=30)] * 5


def test_a_week_across_the_spring_change_keeps_every_slot_at_its_wall_clock_time():
    days = [date(2026, 3, 27) + timedelta(days=offset) for offset in range(5)]

    slots = slots_on(EVERY_DAY_9_TO_12, days)

    nine_oclocks = [slot.start for slot in slots if f"{to_local(slot.start):%H:%M}" == "09:00"]
    assert nine_oclocks == [
        utc("2026-03-27T08:00"),
        utc("2026-03-28T08:00"),
        utc("2026-03-29T07:00"),
        utc("2026-03-30T07:00"),
        utc("2026-03-31T07:00"),
    ]


@pytest.mark.parametrize(
    ("day", "start", "end", "expected_utc", "expected_local"),
    [
        # Spring: 02:00-02:59 do not exist. 01:30 CET + 30 min is 03:00 CEST.
        (
            date(2026, 3, 29),
            "01:00",
            "04:00",
            ["2026-03-29T00:00", "2026-03-29T00:30", "2026-03-29T01:00", "2026-03-29T01:30"],
            ["01:00", "01:30", "03:00", "03:30"],
        ),
        # Autumn: 02:00-02:59 happen twice; each is offered once, at its first (CEST) occurrence,
        # so nothing starts between 01:00Z and 02:00Z while the clock repeats 02:00-02:59 CET.
        (
            date(2026, 10, 25),
            "01:00",
            "04:00",
            [
                "2026-10-24T23:00",
                "2026-10-24T23:30",
                "2026-10-25T00:00",
                "2026-10-25T00:30",
                "2026-10-25T02:00",
                "2026-10-25T02:30",
            ],
            ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30"],
        ),
        # Hours opening inside the gap open when the clocks jump to 03:00 CEST.
        (
            date(2026, 3, 29),
            "02:30",
            "05:00",
            ["2026-03-29T01:00", "2026-03-29T01:30", "2026-03-29T02:00", "2026-03-29T02:30"],
            ["03:00", "03:30", "04:00", "04:30"],
        ),
        # Hours closing inside the gap close when the clocks jump.
        (date(2026, 3, 29), "01:00", "02:30", ["2026-03-29T00:00", "2026-03-29T00:30"], ["01:00", "01:30"]),
        # Hours wholly inside the gap are never worked.
        (date(2026, 3, 29), "02:00", "02:59", [], []),
        # Hours opening inside the repeated hour open at its first occurrence.
        (
            date(2026, 10, 25),
            "02:30",
            "05:00",
            [
                "2026-10-25T00:30",
                "2026-10-25T02:00",
                "2026-10-25T02:30",
                "2026-10-25T03:00",
                "2026-10-25T03:30",
            ],
            ["02:30", "03:00", "03:30", "04:00", "04:30"],
        ),
        # Hours closing inside the repeated hour close at its first occurrence.
        (
            date(2026, 10, 25),
            "01:00",
            "02:30",
            ["2026-10-24T23:00", "2026-10-24T23:30", "2026-10-25T00:00"],
            ["01:00", "01:30", "02:00"],
        ),
    ],
)
def test_night_hours_across_a_clock_change(day, start, end, expected_utc, expected_local):
    slots = slots_on(ChiropractorCalendar(1, (weekly(6, start, end),)), [day])

    assert [slot.start for slot in slots] == [utc(text) for text in expected_utc]
    assert local_starts(slots) == expected_local


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 29), [label for label in every("00:00", "05:50", 10) if not label.startswith("02:")]),
        (date(2027, 3, 28), [label for label in every("00:00", "05:50", 10) if not label.startswith("02:")]),
        (date(2026, 10, 25), every("00:00", "05:50", 10)),
        (date(2027, 10, 31), every("00:00", "05:50", 10)),
    ],
)
def test_a_fine_grid_over_a_clock_change_gives_each_local_label_at_most_once(day, expected):
    calendar = ChiropractorCalendar(1, (weekly(6, "00:00", "06:00"),))
    length = AppointmentLength(timedelta(minutes=10))

    assert local_starts(slots_on(calendar, [day], length=length, policy=STAFF_POLICY)) == expected


def test_days_are_deduplicated_and_sorted():
    calendar = ChiropractorCalendar(1, (weekly(0, "09:00", "10:00"), weekly(1, "09:00", "10:00")))

    slots = slots_on(calendar, [TUESDAY, MONDAY, TUESDAY])

    assert [slot.start for slot in slots] == [
        at(MONDAY, "09:00"),
        at(MONDAY, "09:30"),
        at(TUESDAY, "09:00"),
        at(TUESDAY, "09:30"),
    ]


def test_any_chiropractor_merges_by_start_then_chiropractor():
    second = ChiropractorCalendar(
        2, (weekly(0, "09:00", "10:30"),), busy=[TimeRange(at(MONDAY, "09:30"), at(MONDAY, "10:00"))]
    )
    first = ChiropractorCalendar(1, (weekly(0, "09:30", "10:30"),))

    slots = free_slots_for_any(
        [second, first], [MONDAY], length=HALF_HOUR, policy=EVERY_HALF_HOUR, now=LONG_BEFORE
    )

    assert [(slot.chiropractor_id, f"{to_local(slot.start):%H:%M}") for slot in slots] == [
        (2, "09:00"),
        (1, "09:30"),
        (1, "10:00"),
        (2, "10:00"),
    ]


def test_any_chiropractor_refuses_the_same_chiropractor_twice():
    twice = [monday_calendar(), monday_calendar()]

    with pytest.raises(ValueError, match="once"):
        free_slots_for_any(twice, [MONDAY], length=HALF_HOUR, policy=STAFF_POLICY, now=LONG_BEFORE)


@pytest.mark.parametrize("days", [[datetime(2026, 3, 2, 9)], ["2026-03-02"]])
def test_days_must_be_dates(days):
    with pytest.raises(ValueError, match="dates"):
        slots_on(monday_calendar(), days)


def test_now_must_be_aware():
    with pytest.raises(ValueError, match="naive"):
        slots_on(monday_calendar(), [MONDAY], now=datetime(2026, 3, 1))


def test_slots_clear_of_the_patients_appointments_leave_out_only_overlapping_times():
    slots = [Slot(1, at(TUESDAY, start), at(TUESDAY, start) + timedelta(minutes=30))
             for start in ("08:30", "09:00", "09:30", "10:00", "10:30")]
    patient_busy = [TimeRange(at(TUESDAY, "09:15"), at(TUESDAY, "09:45")),
                    TimeRange(at(TUESDAY, "11:00"), at(TUESDAY, "11:30"))]  # touching 10:30-11:00 is fine
    assert [to_local(slot.start).strftime("%H:%M") for slot in clear_of(slots, patient_busy)] == \
        ["08:30", "10:00", "10:30"]
