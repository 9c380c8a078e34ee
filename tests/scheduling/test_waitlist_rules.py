"""Which waiting patients a free time suits: each choice of the wish narrows, none widens, and the
hours are read on the Amsterdam wall clock across the clock changes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from clinic.scheduling import Slot, TimeRange
from clinic.scheduling.waitlist import Wish, first_suiting, suits, weekdays_mask, weekdays_of, wish_problems

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 3, 1, 8, 0, tzinfo=timezone.utc)
PROPERTY = settings(max_examples=60, deadline=None)
TYPE = 7

slots = st.builds(
    lambda chiropractor_id, day, minutes, length: Slot(
        chiropractor_id,
        datetime.combine(day, time(7), tzinfo=AMS) + timedelta(minutes=minutes),
        datetime.combine(day, time(7), tzinfo=AMS) + timedelta(minutes=minutes + length),
    ),
    st.integers(1, 4), st.dates(date(2026, 2, 25), date(2026, 11, 30)), st.integers(0, 12 * 12).map(lambda n: n * 5),
    st.sampled_from([20, 30, 45, 60]),
)
times = st.one_of(st.none(), st.integers(6 * 4, 20 * 4).map(lambda n: time(n // 4, n % 4 * 15)))
wishes = st.builds(
    Wish, appointment_type_id=st.just(TYPE), until=st.dates(date(2026, 3, 1), date(2026, 12, 31)),
    chiropractor_ids=st.frozensets(st.integers(1, 4), max_size=3), weekdays=st.frozensets(st.integers(0, 6), max_size=4),
    from_time=times, to_time=times,
)
busy = st.lists(slots.map(lambda s: TimeRange(s.start, s.end)), max_size=3)


@PROPERTY
@given(wishes, slots, busy)
def test_a_suiting_time_keeps_every_choice_of_the_wish(wish, slot, patient_busy):
    if suits(wish, TYPE, slot, patient_busy=patient_busy, now=NOW):
        start, end = slot.start.astimezone(AMS), slot.end.astimezone(AMS)
        assert slot.start > NOW and start.date() <= wish.until
        assert not wish.chiropractor_ids or slot.chiropractor_id in wish.chiropractor_ids
        assert not wish.weekdays or start.weekday() in wish.weekdays
        assert wish.from_time is None or start.time() >= wish.from_time
        assert wish.to_time is None or end.time() <= wish.to_time
        assert not any(TimeRange(slot.start, slot.end).overlaps(taken) for taken in patient_busy)


@PROPERTY
@given(wishes, slots, busy)
def test_dropping_a_choice_never_narrows_the_wish(wish, slot, patient_busy):
    wider = [Wish(TYPE, wish.until, frozenset(), wish.weekdays, wish.from_time, wish.to_time),
             Wish(TYPE, wish.until, wish.chiropractor_ids, frozenset(), wish.from_time, wish.to_time),
             Wish(TYPE, wish.until, wish.chiropractor_ids, wish.weekdays, None, wish.to_time),
             Wish(TYPE, wish.until, wish.chiropractor_ids, wish.weekdays, wish.from_time, None),
             Wish(TYPE, wish.until + timedelta(days=7), wish.chiropractor_ids, wish.weekdays, wish.from_time,
                  wish.to_time)]
    if suits(wish, TYPE, slot, patient_busy=patient_busy, now=NOW):
        assert all(suits(w, TYPE, slot, patient_busy=patient_busy, now=NOW) for w in wider)


@PROPERTY
@given(slots, st.dates(date(2026, 12, 1), date(2027, 1, 1)))
def test_an_open_wish_takes_every_future_time_of_its_type_and_no_other(slot, until):
    open_wish = Wish(TYPE, until)
    assert suits(open_wish, TYPE, slot, now=NOW) == (slot.start > NOW)
    assert not suits(open_wish, TYPE + 1, slot, now=NOW)


@PROPERTY
@given(wishes, st.lists(slots, max_size=8), busy)
def test_the_first_suiting_time_is_the_earliest_that_suits(wish, free, patient_busy):
    chosen = first_suiting(wish, TYPE, free, patient_busy=patient_busy, now=NOW)
    suiting = [s for s in free if suits(wish, TYPE, s, patient_busy=patient_busy, now=NOW)]
    assert (chosen is None) == (not suiting)
    assert chosen is None or chosen.start == min(s.start for s in suiting)


@PROPERTY
@given(st.frozensets(st.integers(0, 6)))
def test_weekdays_go_into_one_number_and_back(days):
    assert weekdays_of(weekdays_mask(days)) == days and 0 <= weekdays_mask(days) <= 127


def test_the_hours_are_the_wall_clock_on_both_sides_of_the_clock_change():
    mornings = Wish(TYPE, date(2026, 12, 31), from_time=time(9, 0), to_time=time(10, 0))
    for day in (date(2026, 3, 28), date(2026, 3, 30), date(2026, 10, 24), date(2026, 10, 26)):
        nine = datetime.combine(day, time(9), tzinfo=AMS)
        assert suits(mornings, TYPE, Slot(1, nine, nine + timedelta(minutes=60)), now=NOW)
        assert not suits(mornings, TYPE, Slot(1, nine - timedelta(minutes=5), nine + timedelta(minutes=25)), now=NOW)
        assert not suits(mornings, TYPE, Slot(1, nine + timedelta(minutes=45), nine + timedelta(minutes=75)), now=NOW)


def test_the_patient_busy_then_and_a_time_past_the_last_day_are_left_out():
    nine = datetime(2026, 3, 3, 9, 0, tzinfo=AMS)
    slot = Slot(1, nine, nine + timedelta(minutes=30))
    wish = Wish(TYPE, date(2026, 3, 3))
    assert suits(wish, TYPE, slot, now=NOW)
    assert not suits(wish, TYPE, slot, patient_busy=[TimeRange(nine + timedelta(minutes=15), nine + timedelta(hours=1))],
                     now=NOW)
    assert not suits(Wish(TYPE, date(2026, 3, 2)), TYPE, slot, now=NOW)


def test_a_new_wish_is_checked_per_field():
    today = date(2026, 3, 1)
    assert wish_problems(Wish(TYPE, today), today) == {}
    assert wish_problems(Wish(TYPE, today - timedelta(days=1), weekdays=frozenset({7}), from_time=time(12),
                              to_time=time(12)), today) == {
        "until": "day_passed", "weekdays": "unknown_weekday", "to_time": "before_from_time"}
    assert wish_problems(Wish(TYPE, today + timedelta(days=367)), today) == {"until": "too_far_ahead"}
