"""The suite's clock: the instants CI moves it to, the fixture that stops it, and servers that share it."""
from __future__ import annotations

import os
import subprocess
from datetime import date, datetime, timedelta, timezone

import pytest

from clinic.localtime import CLINIC_TZ, utcnow
from tests.clock import moved_instants, python_command

CLOCK_CHANGE = {"spring-forward": datetime(2027, 3, 28, 1, 0, tzinfo=timezone.utc),
                "fall-back": datetime(2027, 10, 31, 1, 0, tzinfo=timezone.utc)}


@pytest.mark.parametrize("today", [date(2026, 12, 4), date(2027, 1, 1), date(2027, 3, 27)])
def test_the_moved_runs_start_two_minutes_before_the_next_clock_changes(today):
    instants = moved_instants(today)
    for name, change in CLOCK_CHANGE.items():
        assert change - instants[name] == timedelta(minutes=2)


def test_a_clock_change_already_passed_this_year_is_taken_from_next_year():
    instants = moved_instants(date(2027, 11, 1))
    assert instants["spring-forward"].date() == date(2028, 3, 26)
    assert instants["fall-back"].date() == date(2028, 10, 29)


def test_the_far_run_is_a_monday_morning_a_year_and_a_half_on():
    later = moved_instants(date(2026, 12, 4))["eighteen-months-on"]
    assert (later.date(), later.strftime("%H:%M"), later.tzinfo) == (date(2028, 6, 5), "08:45", CLINIC_TZ)


def test_every_moved_instant_lies_ahead_so_browser_cookies_stay_valid():
    today = date.today()
    assert all(instant.date() > today for instant in moved_instants(today).values())


def test_the_clock_fixture_stops_and_moves_the_apps_clock(clock):
    start = clock.set(datetime(2027, 10, 31, 0, 59, tzinfo=timezone.utc))
    assert utcnow() == start and date.today() == date(2027, 10, 31)
    clock.advance(minutes=2)
    assert utcnow() == start + timedelta(minutes=2)
    assert f"{utcnow().astimezone(CLINIC_TZ):%H:%M %Z}" == "02:01 CET"


def test_a_server_the_tests_start_reads_the_same_clock(clock, monkeypatch):
    monkeypatch.setenv("TEST_NOW", "2029-01-01T12:00+01:00")  # as under a moved run
    clock.set(datetime(2030, 6, 1, 8, 0, tzinfo=timezone.utc))
    command, clock_environment = python_command("-c", "from clinic.localtime import utcnow; print(utcnow().isoformat())")
    printed = subprocess.run(command, env={**os.environ, **clock_environment}, capture_output=True, text=True, check=True, timeout=60).stdout
    assert timedelta(0) <= datetime.fromisoformat(printed.strip()) - clock.now < timedelta(seconds=30)
