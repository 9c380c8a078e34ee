"""The suite's clock: the real one, or, with ``TEST_NOW`` set, the whole run moved to another instant.

``TEST_NOW=2028-06-05T09:00+02:00 make test`` runs every test as if the run started then, with the
clock ticking on from there (time-machine moves ``datetime.now``, ``date.today`` and ``time.time`` of
the whole process, so the app's ``utcnow``, signed tokens, rate limits and login codes all agree).
A test that needs one fixed instant sets it on top with the ``time_machine`` fixture; servers the
tests start in another process are started through ``python_command`` so that they share the
moved clock. ``python -m tests.clock`` prints the instants CI runs the suite at.
"""
from __future__ import annotations

import os
import runpy
import sys
from datetime import date, datetime, time, timedelta, timezone

import time_machine
from time_machine import TimeMachineFixture
from dateutil.relativedelta import SU, relativedelta

from clinic.localtime import CLINIC_TZ

ENVIRONMENT_VARIABLE = "TEST_NOW"


def moved_to() -> datetime | None:
    """Return the instant ``TEST_NOW`` asks the run to start at, or ``None`` for the real clock."""
    value = os.environ.get(ENVIRONMENT_VARIABLE, "").strip()
    if not value:
        return None
    instant = datetime.fromisoformat(value)
    if instant.tzinfo is None:
        raise SystemExit(f"{ENVIRONMENT_VARIABLE}={value!r} needs a UTC offset, e.g. 2028-06-05T09:00+02:00")
    return instant


def start() -> time_machine.travel | None:
    """Move this process's clock to ``TEST_NOW`` (ticking on from there) if it is set."""
    instant = moved_to()
    if instant is None:
        return None
    traveller = time_machine.travel(instant, tick=True)
    traveller.start()
    return traveller


def python_command(*arguments: str) -> tuple[list[str], dict[str, str]]:
    """Return the command line that runs Python on this process's clock, and the variables it needs.

    Under a moved clock the child starts at this process's present moment, not at ``TEST_NOW``,
    which the suite has long passed by the time a server is started.
    """
    if moved_to() is None:
        return [sys.executable, *arguments], {}
    now = datetime.now(timezone.utc).isoformat()
    return [sys.executable, "-m", "tests.clock", *arguments], {ENVIRONMENT_VARIABLE: now}


class Clock:
    """A test's own clock, stopped at an instant the test sets; every "now" of the process reads it."""

    def __init__(self, machine: TimeMachineFixture):
        self._machine = machine
        self.set(datetime.now(timezone.utc).replace(microsecond=0))

    @property
    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def set(self, instant: datetime) -> datetime:
        self._machine.move_to(instant, tick=False)
        return instant

    def advance(self, **duration: float) -> None:
        self._machine.shift(timedelta(**duration))


def last_sunday(year: int, month: int) -> date:
    return date(year, month, 1) + relativedelta(day=31, weekday=SU(-1))


def moved_instants(today: date) -> dict[str, datetime]:
    """Return the instants CI runs the suite at, each after ``today`` so that browser cookies stay valid.

    Two minutes before each of the next two clock changes, so that the run, which takes minutes,
    crosses the change itself while tests run, and a year and a half from now on an ordinary
    weekday morning.
    """
    def next_change(month: int, local_time: time) -> datetime:
        year = today.year if last_sunday(today.year, month) > today else today.year + 1
        return datetime.combine(last_sunday(year, month), local_time, CLINIC_TZ)

    later = today + relativedelta(months=18)
    later += timedelta(days=(0 - later.weekday()) % 7)  # the Monday on or after
    return {
        "spring-forward": next_change(3, time(1, 58)),
        "fall-back": next_change(10, time(2, 58)),  # the first 02:58, summer time, before the clocks go back
        "eighteen-months-on": datetime.combine(later, time(8, 45), CLINIC_TZ),
    }


if __name__ == "__main__":
    # ``python -m tests.clock`` lists the instants; ``python -m tests.clock -m module …`` or
    # ``-c code …`` runs Python as ``python`` would, on the clock ``TEST_NOW`` gives.
    if len(sys.argv) == 1:
        for name, instant in moved_instants(date.today()).items():
            print(name, instant.isoformat())
    elif sys.argv[1:2] == ["-m"]:
        start()
        sys.argv = sys.argv[2:]
        runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
    elif sys.argv[1:2] == ["-c"]:
        start()
        code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    else:
        raise SystemExit("usage: python -m tests.clock [-m module | -c code] [arguments]")
