"""Lay appointments out on a timeline: time down the page in five-minute rows, one column per
chiropractor (day view) or per day (week view).

Pure Python over plain values. Rows are real time, labelled with the clinic's wall clock, so on the
clock-change days a window that spans the night is 23 or 25 hours long, never an assumed 24
(MRBS #383). Every five-minute row is one element: the CSP forbids style attributes, so a booking's
height is the number of rows it covers.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any, Protocol

from clinic.localtime import Fold, day_bounds, exists, to_local, to_utc

ROW = timedelta(minutes=5)
ROWS_PER_HOUR = 12
# A free time offered on the timeline: a quarter of an hour, from a quarter mark, open throughout.
ROWS_PER_QUARTER = 3
# When nobody works and nothing is booked, a day still shows an ordinary working day's frame.
DEFAULT_HOURS = (8, 18)


class Booked(Protocol):
    """What the timeline needs of an appointment."""

    starts_at: datetime
    ends_at: datetime
    buffer_ends_at: datetime
    is_active: bool


class Span(Protocol):
    """A stretch of real time: an open working interval or time off."""

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...


@dataclass(frozen=True)
class Gap:
    """One empty five-minute row: 'open', 'closed' (outside working hours), 'off' or 'buffer'."""

    start: datetime
    state: str
    is_quarter: bool
    is_hour: bool


@dataclass(frozen=True)
class Block:
    """One appointment covering ``rows`` rows from its start."""

    appointment: Any
    rows: int
    is_quarter: bool
    is_hour: bool

    @property
    def row_range(self) -> range:
        return range(self.rows)


@dataclass(frozen=True)
class Free:
    """A free quarter of an hour: open rows from a quarter mark, a time the desk can book."""

    start: datetime
    rows: int
    is_hour: bool

    @property
    def row_range(self) -> range:
        return range(self.rows)


@dataclass(frozen=True)
class Label:
    """A row of the time axis; ``text`` is set on every quarter hour."""

    text: str
    is_hour: bool


@dataclass
class Column:
    """The rows of one column, and the cancelled appointments that no longer take up time."""

    items: list[Gap | Block] = field(default_factory=list)
    cancelled: list[Any] = field(default_factory=list)

    @property
    def bookings(self) -> list[Block]:
        return [item for item in self.items if isinstance(item, Block)]

    @property
    def with_free_quarters(self) -> list[Gap | Block | Free]:
        """Return the items with every quarter of an hour that is open throughout as one ``Free``."""
        shown: list[Gap | Block | Free] = []
        row = 0
        while row < len(self.items):
            item = self.items[row]
            quarter = self.items[row:row + ROWS_PER_QUARTER]
            if isinstance(item, Gap) and item.is_quarter and len(quarter) == ROWS_PER_QUARTER and all(
                isinstance(part, Gap) and part.state == "open" for part in quarter
            ):
                shown.append(Free(item.start, ROWS_PER_QUARTER, item.is_hour))
                row += ROWS_PER_QUARTER
            else:
                shown.append(item)
                row += 1
        return shown


@dataclass
class Board:
    """A timeline: the time axis and one laid-out column per agenda, in the agendas' order."""

    axis: list[Label]
    columns: list[tuple[Any, Column]]

    @property
    def is_closed(self) -> bool:
        """Tell whether nobody works and nothing is booked in the whole board."""
        return not any(agenda.open_spans or column.bookings for agenda, column in self.columns)


def build_board(agendas: Sequence[Any]) -> Board:
    """Lay out agendas (each with ``day``, ``open_spans``, ``time_off`` and ``appointments``) side by side.

    Every column covers the same wall-clock hours: from the earliest opening or booking to the
    latest closing or booking (buffer included), in whole hours.
    """
    if not agendas:
        return Board([], [])
    days = sorted({agenda.day for agenda in agendas})
    spans = [(span.start, span.end) for agenda in agendas for span in agenda.open_spans]
    spans += [
        (appointment.starts_at, appointment.buffer_ends_at)
        for agenda in agendas
        for appointment in agenda.appointments
        if appointment.is_active
    ]
    hours = hour_range(spans, days)
    columns, windows = [], []
    for agenda in agendas:
        start, end = window(agenda.day, hours)
        windows.append((start, end))
        columns.append(
            (
                agenda,
                lay_out(
                    start,
                    end,
                    appointments=agenda.appointments,
                    open_spans=agenda.open_spans,
                    time_off=agenda.time_off,
                ),
            )
        )
    # The axis follows a day without a clock change inside the hours shown, if there is one.
    ordinary = (hours[1] - hours[0]) * ROWS_PER_HOUR
    start, end = next((w for w in windows if len(rows_between(*w)) == ordinary), windows[0])
    return Board(axis(start, end), columns)


def hour_range(spans: Iterable[tuple[datetime, datetime]], days: Sequence[date]) -> tuple[int, int]:
    """Return the local whole hours [first, last) that every span falls within, on the given days."""
    firsts, lasts = [], []
    for start, end in spans:
        local_start, local_end = to_local(start), to_local(end)
        firsts.append(local_start.hour if local_start.date() in days else 0)
        if local_end.date() not in days:
            lasts.append(24)
        else:
            lasts.append(local_end.hour + (1 if (local_end.minute or local_end.second) else 0))
    if not firsts:
        return DEFAULT_HOURS
    return min(firsts), max(max(lasts), min(firsts) + 1)


def window(day: date, hours: tuple[int, int]) -> tuple[datetime, datetime]:
    """Return the instants where ``day``'s wall clock first reads the first and the last hour."""
    first, last = hours
    start = _first_instant_reading(day, time(first))
    end = day_bounds(day)[1] if last >= 24 else _first_instant_reading(day, time(last))
    return start, end


def lay_out(
    start: datetime,
    end: datetime,
    *,
    appointments: Iterable[Booked],
    open_spans: Iterable[Span] = (),
    time_off: Iterable[Span] = (),
) -> Column:
    """Return the column for [start, end): gaps marked by state, active appointments as blocks."""
    column = Column()
    active = sorted((a for a in appointments if a.is_active), key=lambda a: a.starts_at)
    column.cancelled = [a for a in appointments if not a.is_active]
    row_starts = rows_between(start, end)
    open_spans, time_off = list(open_spans), list(time_off)
    buffers = [(a.ends_at, a.buffer_ends_at) for a in active if a.buffer_ends_at > a.ends_at]
    cursor = 0
    for appointment in active:
        first = max(cursor, min(_rows_until(start, appointment.starts_at, math.floor), len(row_starts) - 1))
        last = max(first + 1, _rows_until(start, appointment.ends_at, math.ceil))
        column.items.extend(_gap(row_starts[row], open_spans, time_off, buffers) for row in range(cursor, first))
        column.items.append(Block(appointment, last - first, *_marks(row_starts[first])))
        cursor = last
    column.items.extend(
        _gap(row_starts[row], open_spans, time_off, buffers) for row in range(cursor, len(row_starts))
    )
    return column


def axis(start: datetime, end: datetime) -> list[Label]:
    """Return the time axis for [start, end): a label on each quarter hour, in wall-clock time."""
    labels = []
    for row_start in rows_between(start, end):
        local = to_local(row_start)
        is_quarter, is_hour = _marks(row_start)
        labels.append(Label(f"{local:%H:%M}" if is_quarter else "", is_hour))
    return labels


def rows_between(start: datetime, end: datetime) -> list[datetime]:
    """Return the start of every five-minute row from ``start`` up to ``end``, in real time."""
    count = max(1, math.ceil((end - start) / ROW))
    return [start + n * ROW for n in range(count)]


def _rows_until(start: datetime, instant: datetime, rounding) -> int:
    return max(0, rounding((instant - start) / ROW))


def _marks(row_start: datetime) -> tuple[bool, bool]:
    local = to_local(row_start)
    return local.minute % 15 == 0, local.minute == 0


def _gap(row_start: datetime, open_spans: list[Span], time_off: list[Span], buffers) -> Gap:
    row_end = row_start + ROW
    if any(off.start < row_end and row_start < off.end for off in time_off):
        state = "off"
    elif any(ends_at <= row_start < buffer_ends_at for ends_at, buffer_ends_at in buffers):
        state = "buffer"
    elif any(span.start <= row_start < span.end for span in open_spans):
        state = "open"
    else:
        state = "closed"
    return Gap(row_start, state, *_marks(row_start))


def _first_instant_reading(day: date, wall_clock: time) -> datetime:
    """Return the first instant of ``day`` at which the clinic's clock reads ``wall_clock`` or later."""
    local = datetime.combine(day, wall_clock)
    while not exists(local):
        # In the spring-forward gap the clock next reads a later time when it jumps forward.
        local += timedelta(minutes=1)
    return to_utc(local, fold=Fold.EARLIER)
