"""Elapsed time across the clock changes: the engine counts real hours, not wall-clock hours.

Python subtracts two datetimes of the same zone by their wall clocks. On the last Sunday of March
Amsterdam loses an hour and on the last Sunday of October it gains one, so Amsterdam minus
Amsterdam is an hour off across either night. The clinic's phases and competition windows are
counted in real hours.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from readiness_builders import RULES, inputs, local

from clinic.readiness import Phase, ReadinessInputs, TrainingSession, evaluate

HARD = dict(duration_minutes=60, rpe=8)


@pytest.mark.parametrize(("ended_at", "at", "real_hours", "phase"), [
    # Autumn: Saturday 12:00 CEST to Sunday 11:30 CET is 24.5 real hours (23.5 on the wall clock).
    (local(2025, 10, 25, 12), local(2025, 10, 26, 11, 30), 24.5, Phase.REGENERATION),
    # Spring: Saturday 12:00 CET to Sunday 12:30 CEST is 23.5 real hours (24.5 on the wall clock).
    (local(2025, 3, 29, 12), local(2025, 3, 30, 12, 30), 23.5, Phase.ACUTE),
    # Three days across the change: 72 real hours end the regeneration phase.
    (local(2025, 10, 24, 12), local(2025, 10, 27, 11), 72.0, Phase.ADAPTATION),
    (local(2025, 3, 28, 12), local(2025, 3, 31, 12), 71.0, Phase.REGENERATION),
])
def test_the_recovery_phase_counts_real_hours_across_a_clock_change(ended_at, at, real_hours, phase):
    result = evaluate(inputs(sessions=[TrainingSession(ended_at, **HARD)]), at)

    assert result.hours_since_significant_session == real_hours
    assert result.phase is phase


@pytest.mark.parametrize(("at", "competition_at", "within_a_day"), [
    # Autumn: Saturday 11:00 CEST to Sunday 10:30 CET is 24.5 real hours: no longer "the day before".
    (local(2025, 10, 25, 11), local(2025, 10, 26, 10, 30), False),
    # Spring: Saturday 11:00 CET to Sunday 11:30 CEST is 23.5 real hours: the day before.
    (local(2025, 3, 29, 11), local(2025, 3, 30, 11, 30), True),
])
def test_competition_windows_count_real_hours_across_a_clock_change(at, competition_at, within_a_day):
    result = evaluate(inputs(next_competition_at=competition_at), at)

    massage_rules = {reason.rule for reason in result.modalities["massage"].reasons}
    decompression_rules = {reason.rule for reason in result.modalities["decompression"].reasons}
    assert ("MAS-COMP-24" in massage_rules) is within_a_day
    assert ("DEC-COMP-24" in decompression_rules) is within_a_day


CLOCK_CHANGES = (datetime(2025, 3, 30, 1, tzinfo=timezone.utc), datetime(2025, 10, 26, 1, tzinfo=timezone.utc),
                 datetime(2026, 3, 29, 1, tzinfo=timezone.utc), datetime(2026, 10, 25, 1, tzinfo=timezone.utc))


def _utc_instants_around_a_clock_change():
    return st.tuples(st.sampled_from(CLOCK_CHANGES), st.integers(-4 * 60, 4 * 60)).map(
        lambda pair: pair[0] + timedelta(minutes=pair[1] * 15))


@settings(database=None, deadline=None, max_examples=60)
@given(
    at=_utc_instants_around_a_clock_change(),
    hours_back=st.lists(st.integers(1, 150 * 4), max_size=6),
    rpe=st.integers(0, 10),
    competition_in=st.none() | st.integers(0, 100 * 4),
    birth=st.dates(date(1950, 1, 1), date(2005, 1, 1)),
)
def test_amsterdam_time_and_utc_give_the_same_result(at, hours_back, rpe, competition_in, birth):
    """Evaluating with ``at`` and every input instant in Amsterdam time equals evaluating them in UTC."""
    def record(zone) -> ReadinessInputs:
        sessions = [TrainingSession((at - timedelta(minutes=15 * back)).astimezone(zone), 60, rpe)
                    for back in hours_back]
        competition = None if competition_in is None else (at + timedelta(minutes=15 * competition_in)).astimezone(zone)
        return ReadinessInputs(birth, sessions, next_competition_at=competition)

    amsterdam = local(2025, 1, 1).tzinfo
    in_utc = evaluate(record(timezone.utc), at, RULES)
    in_amsterdam = evaluate(record(amsterdam), at.astimezone(amsterdam), RULES)

    assert in_amsterdam == in_utc
    assert in_amsterdam.to_dict() == in_utc.to_dict()
