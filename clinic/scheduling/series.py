"""Treatment series: the starts of a course of appointments from a recurrence rule (RFC 5545 RRULE).

Pure Python: no Flask, no database. The rule is applied to the local wall-clock time in the
clinic's zone (python-dateutil's rrule), and only then is each start converted to UTC: 09:00
stays 09:00 across the clock change, which "the same instant plus seven days" would not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from dateutil.rrule import rrulestr

from clinic.localtime import CLINIC_TZ, AmbiguousLocalTime, NonexistentLocalTime, to_local, to_utc

MAX_APPOINTMENTS = 26
# The last appointment of a series lies at most this long after the first.
MAX_SPAN = relativedelta(years=1)
RULE_MAX_LENGTH = 200
FREQUENCIES = frozenset({"DAILY", "WEEKLY", "MONTHLY"})
# The parts a course needs; anything else (BYHOUR, BYSETPOS, …) could move the wall-clock time
# or make the series hard to read at the desk.
PART_SYNTAX = {
    "FREQ": re.compile(r"[A-Z]+"),
    "INTERVAL": re.compile(r"[1-9][0-9]?"),
    "COUNT": re.compile(r"[0-9]{1,3}"),
    "UNTIL": re.compile(r"[0-9]{8}(T[0-9]{6})?"),
    "BYDAY": re.compile(r"(MO|TU|WE|TH|FR|SA|SU)(,(MO|TU|WE|TH|FR|SA|SU))*"),
}


# The courses the front desk chooses from: weeks, and appointments a week.
COURSES = {
    "weekly_4": (4, 1),
    "weekly_6": (6, 1),
    "weekly_8": (8, 1),
    "twice_weekly_3": (3, 2),
    "twice_weekly_6": (6, 2),
}
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
# The other day of a twice-a-week course, by the first day's weekday (Monday = 0): two or three
# days apart, on working days.
SECOND_WEEKDAY = {0: 3, 1: 4, 2: 0, 3: 0, 4: 1, 5: 2, 6: 3}


def course_rule(course: str, first_day: date) -> str:
    """Return the recurrence rule of one of the ``COURSES`` starting on ``first_day``.

    :raises KeyError: not one of the courses.
    """
    weeks, per_week = COURSES[course]
    if per_week == 1:
        return f"FREQ=WEEKLY;COUNT={weeks}"
    days = sorted({first_day.weekday(), SECOND_WEEKDAY[first_day.weekday()]})
    return f"FREQ=WEEKLY;BYDAY={','.join(WEEKDAY_CODES[day] for day in days)};COUNT={weeks * per_week}"


class SeriesRuleRefused(ValueError):
    """The rule cannot make a series: ``code`` says why, ``field`` which input is wrong."""

    def __init__(self, code: str, message: str, field: str = "rule"):
        super().__init__(message)
        self.code = code
        self.field = field


@dataclass(frozen=True)
class SeriesPlan:
    """The rule as given (normalised), the local wall-clock starts it makes, and their UTC instants."""

    rule: str
    local_starts: tuple[datetime, ...]
    starts: tuple[datetime, ...]
    time_zone: ZoneInfo = CLINIC_TZ

    @property
    def rule_text(self) -> str:
        """Return the rule with its local first start and zone, as iCalendar writes it (kept with the series)."""
        return f"DTSTART;TZID={self.time_zone.key}:{self.local_starts[0]:%Y%m%dT%H%M%S}\nRRULE:{self.rule}"


def plan_series(first_start: datetime, rule: str, tz: ZoneInfo = CLINIC_TZ) -> SeriesPlan:
    """Return the starts of a series beginning at the aware ``first_start`` and repeating by ``rule``.

    :raises SeriesRuleRefused: the rule is malformed, allows more than ``MAX_APPOINTMENTS`` or
        reaches beyond ``MAX_SPAN``, does not include ``first_start``, or one of its wall-clock
        starts does not exist (spring gap) or happens twice (autumn fold) in ``tz``.
    """
    rule = normalised(rule)
    first_local = to_local(first_start, tz).replace(tzinfo=None)
    try:
        recurrence = rrulestr(rule, dtstart=first_local)
    except ValueError as error:
        raise SeriesRuleRefused("rule_invalid", f"The rule is not valid: {error}.") from None
    local_starts = tuple(islice(recurrence, MAX_APPOINTMENTS + 1))
    if not local_starts or local_starts[0] != first_local:
        raise SeriesRuleRefused(
            "first_start_not_in_rule", "The first start must be one of the rule's days.", field="first_start"
        )
    if len(local_starts) > MAX_APPOINTMENTS or local_starts[-1] > first_local + MAX_SPAN:
        raise SeriesRuleRefused(
            "series_too_long", f"A series has at most {MAX_APPOINTMENTS} appointments within one year."
        )
    return SeriesPlan(rule, local_starts, tuple(utc_start(local, tz) for local in local_starts), tz)


def normalised(rule: str) -> str:
    """Return the rule in capitals without spaces, once its parts are known to make a bounded course."""
    rule = rule.strip().upper().removeprefix("RRULE:")
    if len(rule) > RULE_MAX_LENGTH:
        raise SeriesRuleRefused("rule_invalid", f"The rule is longer than {RULE_MAX_LENGTH} characters.")
    parts = {}
    for part in rule.split(";"):
        name, _, value = part.partition("=")
        syntax = PART_SYNTAX.get(name)
        if syntax is None or name in parts or not syntax.fullmatch(value):
            raise SeriesRuleRefused(
                "rule_invalid", f"The rule has an unknown, repeated or malformed part: {part[:40]!r}. "
                f"Use {', '.join(PART_SYNTAX)}, e.g. FREQ=WEEKLY;COUNT=6."
            )
        parts[name] = value
    if parts.get("FREQ") not in FREQUENCIES:
        raise SeriesRuleRefused("rule_invalid", f"FREQ must be one of {', '.join(sorted(FREQUENCIES))}.")
    if ("COUNT" in parts) == ("UNTIL" in parts):
        raise SeriesRuleRefused("rule_unbounded", "Give the rule either COUNT or UNTIL (not both).")
    if "COUNT" in parts and not 1 <= int(parts["COUNT"]) <= MAX_APPOINTMENTS:
        raise SeriesRuleRefused("series_too_long", f"COUNT must lie between 1 and {MAX_APPOINTMENTS}.")
    return rule


def utc_start(local: datetime, tz: ZoneInfo) -> datetime:
    """Return the UTC instant of a wall-clock start; refuse one the clock change skips or repeats."""
    try:
        return to_utc(local, tz)
    except NonexistentLocalTime:
        raise SeriesRuleRefused(
            "nonexistent_local_time",
            f"{local:%Y-%m-%d %H:%M} does not exist in {tz.key} (the clocks go forward); choose another time.",
        ) from None
    except AmbiguousLocalTime:
        raise SeriesRuleRefused(
            "ambiguous_local_time",
            f"{local:%Y-%m-%d %H:%M} happens twice in {tz.key} (the clocks go back); choose another time.",
        ) from None
