"""Laying out the timeline: rows are real time labelled with the wall clock, so clock-change days
are 23 or 25 hours long (MRBS #383). No app, no database."""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from clinic.frontdesk.timeline import Block, Gap, axis, build_board, lay_out, window
from clinic.scheduling import TimeRange

AMS = ZoneInfo("Europe/Amsterdam")
ORDINARY = date(2026, 12, 1)
SPRING_FORWARD = date(2026, 3, 29)  # 02:00 CET jumps to 03:00 CEST
FALL_BACK = date(2026, 10, 25)  # 03:00 CEST falls back to 02:00 CET


@dataclass
class FakeAppointment:
    starts_at: datetime
    minutes: int
    buffer_minutes: int = 0
    is_active: bool = True
    ends_at: datetime = field(init=False)
    buffer_ends_at: datetime = field(init=False)

    def __post_init__(self):
        self.ends_at = self.starts_at + timedelta(minutes=self.minutes)
        self.buffer_ends_at = self.ends_at + timedelta(minutes=self.buffer_minutes)


@dataclass
class FakeAgenda:
    day: date
    open_spans: tuple = ()
    time_off: tuple = ()
    appointments: tuple = ()


def local(day, hour, minute=0, fold=0):
    return datetime(day.year, day.month, day.day, hour, minute, fold=fold, tzinfo=AMS).astimezone(timezone.utc)


def row_of(column, appointment) -> int:
    """Return the row index at which the appointment's block starts."""
    row = 0
    for item in column.items:
        if isinstance(item, Block) and item.appointment is appointment:
            return row
        row += item.rows if isinstance(item, Block) else 1
    raise AssertionError("appointment not laid out")


def test_an_ordinary_day_has_twelve_rows_an_hour():
    start, end = window(ORDINARY, (8, 18))
    assert (start, end) == (local(ORDINARY, 8), local(ORDINARY, 18))
    labels = axis(start, end)
    assert len(labels) == 120
    assert [label.text for label in labels[:4]] == ["08:00", "", "", "08:15"]


def test_the_autumn_day_has_twenty_five_hours_and_shows_the_repeated_hour_twice():
    start, end = window(FALL_BACK, (0, 24))
    labels = [label.text for label in axis(start, end)]
    assert len(labels) == 25 * 12
    assert labels.count("02:00") == 2 and labels.count("02:45") == 2
    # 03:00 winter time is four real hours after midnight: row 48, not 36.
    three_am = FakeAppointment(local(FALL_BACK, 3), 30)
    assert row_of(lay_out(start, end, appointments=[three_am]), three_am) == 48
    second_half_past_two = FakeAppointment(local(FALL_BACK, 2, 30, fold=1), 20)
    assert row_of(lay_out(start, end, appointments=[second_half_past_two]), second_half_past_two) == 42


def test_the_spring_day_has_twenty_three_hours_and_no_two_oclock():
    start, end = window(SPRING_FORWARD, (0, 24))
    labels = [label.text for label in axis(start, end)]
    assert len(labels) == 23 * 12
    assert "02:00" not in labels and labels[24] == "03:00"
    three_am = FakeAppointment(local(SPRING_FORWARD, 3), 30)
    assert row_of(lay_out(start, end, appointments=[three_am]), three_am) == 24


def test_a_window_starting_in_the_spring_gap_starts_when_the_clock_jumps():
    start, _ = window(SPRING_FORWARD, (2, 6))
    assert start == local(SPRING_FORWARD, 3)


def test_gaps_are_open_closed_time_off_or_buffer():
    start, end = window(ORDINARY, (8, 10))
    appointment = FakeAppointment(local(ORDINARY, 9), 30, buffer_minutes=10)
    column = lay_out(
        start, end,
        appointments=[appointment],
        open_spans=[TimeRange(local(ORDINARY, 8, 30), local(ORDINARY, 10))],
        time_off=[TimeRange(local(ORDINARY, 9, 45), local(ORDINARY, 10))],
    )
    states = [item.state if isinstance(item, Gap) else f"booking:{item.rows}" for item in column.items]
    assert states == ["closed"] * 6 + ["open"] * 6 + ["booking:6"] + ["buffer"] * 2 + ["open"] + ["off"] * 3


def test_cancelled_appointments_are_kept_aside_and_do_not_take_rows():
    start, end = window(ORDINARY, (9, 10))
    cancelled = FakeAppointment(local(ORDINARY, 9), 30, is_active=False)
    rebooked = FakeAppointment(local(ORDINARY, 9), 20)
    column = lay_out(start, end, appointments=[cancelled, rebooked])
    assert column.cancelled == [cancelled]
    assert [b.appointment for b in column.bookings] == [rebooked]
    assert sum(item.rows if isinstance(item, Block) else 1 for item in column.items) == 12


def test_starts_off_the_five_minute_rows_never_overlap_blocks():
    start, end = window(ORDINARY, (9, 10))
    first = FakeAppointment(local(ORDINARY, 9), 3)
    second = FakeAppointment(local(ORDINARY, 9, 3), 17)
    column = lay_out(start, end, appointments=[first, second])
    assert [(row_of(column, a), block.rows) for a, block in zip((first, second), column.bookings)] == [(0, 1), (1, 3)]
    assert sum(item.rows if isinstance(item, Block) else 1 for item in column.items) == 12


def test_the_board_spans_the_whole_hours_of_every_opening_and_booking():
    early = FakeAppointment(local(ORDINARY, 7, 40), 30)
    board = build_board([
        FakeAgenda(ORDINARY, open_spans=(TimeRange(local(ORDINARY, 8, 30), local(ORDINARY, 17, 30)),)),
        FakeAgenda(ORDINARY, appointments=(early,)),
    ])
    assert board.axis[0].text == "07:00" and len(board.axis) == 11 * 12
    assert not board.is_closed


def test_a_week_with_a_clock_change_keeps_an_ordinary_axis():
    days = [FALL_BACK - timedelta(days=6 - n) for n in range(7)]  # Monday 19 .. Sunday 25 October
    night = FakeAppointment(local(FALL_BACK, 1, 30), 120)  # 01:30 summer time to 02:30 winter time
    board = build_board([FakeAgenda(day, appointments=(night,) if day == FALL_BACK else ()) for day in days])
    assert [label.text for label in board.axis[::12]] == ["01:00", "02:00"]  # 01:00 to 03:00 on the wall clock
    sunday = board.columns[-1][1]
    assert sum(item.rows if isinstance(item, Block) else 1 for item in sunday.items) == 3 * 12  # an hour more
    assert sunday.bookings[0].rows == 24
    assert board.columns[0][1].bookings == []
