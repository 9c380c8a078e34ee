"""The ranges every date, number and row id the clinic reads must lie in (pure Python, no Flask).

Python's dates end at the years 1 and 9999, its floats at infinity, PostgreSQL's integer columns
at 2**31 - 1. A value beyond them is not refused where it is read but fails later, as a server
error: an ``OverflowError`` in date arithmetic or in the conversion of a local day to UTC, or
"integer out of range" from the database driver (where SQLite would simply find nothing). So
every parser of the app (web forms, API schemas, URL converters, the booking pages' slot values,
CSV import) checks against the ranges here, and one kind of value has one range everywhere.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

# Row ids are INTEGER columns, and PostgreSQL's integer ends here.
MAX_ROW_ID = 2**31 - 1


@dataclass(frozen=True)
class DayRange:
    """The dates one kind of field takes; far enough from the years 1 and 9999 that no arithmetic overflows."""

    first: date
    last: date

    def __contains__(self, day: date) -> bool:
        return self.first <= day <= self.last


# The clinic's own calendar: appointments, working hours, time off, training, check-ins, competitions,
# complaints, filters. Anything outside is a typing mistake (or a probe).
CLINIC_DAYS = DayRange(date(2000, 1, 1), date(2999, 12, 31))
# Birth dates go back further; ``clinic.contact`` then refuses the absurd ones with its own message.
BIRTH_DAYS = DayRange(date(1800, 1, 1), date(2999, 12, 31))


def row_id(raw: str | None) -> int | None:
    """Return the row id that ``raw`` spells in ASCII digits, or ``None`` if it cannot be one."""
    text = (raw or "").strip()
    # str.isdigit also takes '²' and '٣', which int() refuses or reads as another number.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_ROW_ID)):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ROW_ID else None


def whole_number(value: object, low: int, high: int) -> int:
    """Return ``value`` as an int if it is a whole number from ``low`` to ``high``.

    Takes ints and integral floats (JSON and spreadsheets write 60.0); anything else, including
    NaN and infinity, raises ``ValueError`` with the code ``not_a_whole_number`` or ``out_of_range``.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("not_a_whole_number")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise ValueError("not_a_whole_number")
    if not low <= value <= high:
        raise ValueError("out_of_range")
    return int(value)
