"""Exact numeric checks of the load, HRV and wellness metrics against hand-computed series.

Expected values are worked out by hand in the comments, never by calling the code under test.
"""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone

import pytest
from readiness_builders import RULES, check_ins, daily_sessions, local

from clinic.readiness import TrainingSession, WellnessCheckIn
from clinic.readiness.hrv import HrvHistory
from clinic.readiness.loads import daily_loads, load_history, recent_to_previous_ratio, week_load
from clinic.readiness.rulebook import MonotonySettings
from clinic.readiness.stats import percentile
from clinic.readiness.wellness import HooperHistory

UTC = timezone.utc
TODAY = date(2025, 6, 12)


def test_session_rpe_load_is_rpe_times_minutes():
    # Foster 2001: 7 × 45 min = 315 AU; 6.5 × 50 min = 325 AU.
    assert TrainingSession(local(2025, 6, 1), 45, 7).load == 315.0
    assert TrainingSession(local(2025, 6, 1), 50, 6.5).load == 325.0


def test_daily_loads_sum_sessions_per_local_day_and_count_rest_days_as_zero():
    sessions = [
        TrainingSession(local(2025, 6, 1, 9), 60, 5),    # 300 AU on 1 June
        TrainingSession(local(2025, 6, 1, 18), 30, 4),   # +120 AU on 1 June
        TrainingSession(local(2025, 6, 3, 18), 50, 6),   # 300 AU on 3 June; 2 June is a rest day
    ]
    assert daily_loads(sessions, date(2025, 6, 4)) == {
        date(2025, 6, 1): 420.0, date(2025, 6, 2): 0.0, date(2025, 6, 3): 300.0, date(2025, 6, 4): 0.0,
    }


def test_daily_loads_across_the_autumn_clock_change_use_the_amsterdam_day():
    # 26 Oct 2025 lasts 25 hours (CEST → CET at 03:00). In UTC the first and last session below are
    # 24 h apart and fall on different UTC dates, but both end on the local 26th.
    sessions = [
        TrainingSession(datetime(2025, 10, 25, 21, 59, tzinfo=UTC), 10, 5),  # 23:59 CEST on the 25th: 50 AU
        TrainingSession(datetime(2025, 10, 25, 22, 30, tzinfo=UTC), 20, 5),  # 00:30 CEST on the 26th: 100 AU
        TrainingSession(datetime(2025, 10, 26, 22, 30, tzinfo=UTC), 40, 5),  # 23:30 CET on the 26th: 200 AU
    ]
    assert daily_loads(sessions, date(2025, 10, 27)) == {
        date(2025, 10, 25): 50.0, date(2025, 10, 26): 300.0, date(2025, 10, 27): 0.0,
    }


def test_daily_loads_across_the_spring_clock_change_use_the_amsterdam_day():
    # 30 Mar 2025 lasts 23 hours (CET → CEST at 02:00).
    sessions = [
        TrainingSession(datetime(2025, 3, 29, 23, 30, tzinfo=UTC), 30, 3),  # 00:30 CET on the 30th: 90 AU
        TrainingSession(datetime(2025, 3, 30, 21, 30, tzinfo=UTC), 60, 5),  # 23:30 CEST on the 30th: 300 AU
        TrainingSession(datetime(2025, 3, 30, 22, 15, tzinfo=UTC), 40, 4),  # 00:15 CEST on the 31st: 160 AU
    ]
    assert daily_loads(sessions, date(2025, 3, 31)) == {date(2025, 3, 30): 390.0, date(2025, 3, 31): 160.0}


# 28 days: the first week [100, 0, 200, 0, 300, 0, 100] has mean 700 / 7 = 100 (the EWMA seed), then
# twenty days of 100 keep both EWMAs at exactly 100, then one day of 500.
SEEDED_SERIES = [100, 0, 200, 0, 300, 0, 100] + [100] * 20 + [500]


def test_ewma_acwr_is_seeded_with_the_first_week_mean():
    history = load_history(daily_sessions(TODAY, SEEDED_SERIES, minutes=100), TODAY, RULES.load)
    ratio = history.ratios[TODAY]
    # λa = 2/8 = 0.25: acute = 0.25·500 + 0.75·100 = 200.
    # λc = 2/29: chronic = (2/29)·500 + (27/29)·100 = 3700/29 ≈ 127.586.
    # ACWR = 200 / (3700/29) = 5800/3700 ≈ 1.567568.
    assert ratio.acute == pytest.approx(200.0)
    assert ratio.chronic == pytest.approx(127.586207, abs=1e-6)
    assert ratio.ratio == pytest.approx(1.567568, abs=1e-6)
    assert list(history.ratios) == [TODAY]  # day 28 is the first with enough history


def test_ewma_acwr_on_the_next_rest_day():
    history = load_history(daily_sessions(TODAY - timedelta(days=1), SEEDED_SERIES, minutes=100), TODAY, RULES.load)
    ratio = history.ratios[TODAY]
    # Day 29 is a rest day: acute = 0.75·200 = 150; chronic = (27/29)·(3700/29) = 99900/841 ≈ 118.787.
    # ACWR = 150·841/99900 ≈ 1.262763.
    assert ratio.acute == pytest.approx(150.0)
    assert ratio.chronic == pytest.approx(118.787158, abs=1e-6)
    assert ratio.ratio == pytest.approx(1.262763, abs=1e-6)


def test_ewma_acwr_needs_28_days_of_history():
    history = load_history(daily_sessions(TODAY, SEEDED_SERIES[1:], minutes=100), TODAY, RULES.load)
    # Without the first day the history starts on the next session day (day 3): 26 days, no ratio.
    assert history.ratios == {}


def test_monotony_and_strain_use_the_population_sd():
    week = week_load([200, 400, 200, 400, 200, 400, 300], RULES.load.monotony)
    # mean = 2100/7 = 300; squared deviations 6 × 100² + 0 = 60000; population SD = √(60000/7).
    # monotony = 300/√(60000/7) = √10.5 ≈ 3.240370; strain = W × monotony = 2100·√10.5 ≈ 6804.78.
    assert week.total == 2100.0
    assert week.monotony == pytest.approx(3.240370, abs=1e-6)
    assert week.strain == pytest.approx(6804.777, abs=1e-3)


def test_monotony_with_the_sample_sd_when_configured():
    settings = MonotonySettings(window_days=7, sd="sample", sd_floor=1.0, cap=10.0)
    week = week_load([200, 400, 200, 400, 200, 400, 300], settings)
    # sample SD = √(60000/6) = 100, so monotony = 3 and strain = 6300.
    assert week.monotony == pytest.approx(3.0)
    assert week.strain == pytest.approx(6300.0)


@pytest.mark.parametrize(("loads", "monotony", "strain"), [
    ([300] * 7, 10.0, 21000.0),  # SD 0 → floor 1 AU → 300, capped at 10; strain 2100 × 10
    ([0] * 7, 0.0, 0.0),         # a rest week: 0 / 1 = 0
    ([5] * 7, 5.0, 175.0),       # tiny constant loads: 5 / 1 (the SD floor) = 5; strain 35 × 5
])
def test_monotony_clamp(loads, monotony, strain):
    week = week_load(loads, RULES.load.monotony)
    assert (week.monotony, week.strain) == (pytest.approx(monotony), pytest.approx(strain))


def test_monotony_needs_a_full_week_of_history():
    history = load_history(daily_sessions(TODAY, [100, 0, 200, 0, 300, 100], minutes=100), TODAY, RULES.load)
    assert history.weeks == {}  # six days of history


def test_recent_to_previous_ratio():
    daily = {TODAY - timedelta(days=27 - offset): load for offset, load in enumerate([300] * 21 + [100] * 7)}
    # 100 / 300 = 1/3
    assert recent_to_previous_ratio(daily, 7, 21) == pytest.approx(1 / 3)
    assert recent_to_previous_ratio(dict(list(daily.items())[1:]), 7, 21) is None


def test_percentile_interpolates_linearly():
    values = [1000, 100, 900, 200, 800, 300, 700, 400, 600, 500]
    # sorted 100…1000; P90 at position 9 × 0.9 = 8.1 → 900 + 0.1·100 = 910; P50 at 4.5 → 550.
    assert percentile(values, 90) == pytest.approx(910.0)
    assert percentile(values, 50) == pytest.approx(550.0)


def _hrv(ln_values: list[float | None]) -> list[WellnessCheckIn]:
    return check_ins(TODAY, [{} if value is None else {"rmssd_ms": math.exp(value)} for value in ln_values])


def test_ln_rmssd_seven_day_mean_over_valid_readings():
    hrv = HrvHistory(_hrv([4.0, 4.2, None, 4.1, None, 3.9, 4.3]), RULES.hrv)
    # five readings: (4.0 + 4.2 + 4.1 + 3.9 + 4.3) / 5 = 20.5 / 5 = 4.1
    assert hrv.rolling_mean(TODAY) == pytest.approx(4.1)


@pytest.mark.parametrize(("ln_values", "expected"), [
    ([4.0, None, None, 4.2, None, None, 4.4], 4.2),    # exactly three readings: (4.0 + 4.2 + 4.4) / 3
    ([4.0, None, None, None, None, None, 4.4], None),  # two readings: insufficient data
])
def test_ln_rmssd_needs_three_readings_a_week(ln_values, expected):
    mean = HrvHistory(_hrv(ln_values), RULES.hrv).rolling_mean(TODAY)
    assert mean == (None if expected is None else pytest.approx(expected))


def _alternating(days: int, low: float, high: float) -> list[float]:
    return [low if offset % 2 == 0 else high for offset in range(days)]


def test_hrv_z_score_against_the_baseline():
    # Readings on 41 days: days −40…−7 alternate ln 4.0 / 4.2, the current week (−6…0) reads 3.9.
    # Every 7-day mean in the reference period (days −34…−7) holds four of one value and three of the
    # other: 28.6/7 or 28.8/7, fourteen of each. μ = 4.1; deviations ±0.1/7; sample SD
    # σ = (0.1/7)·√(28/27) ≈ 0.014548. Today's 7-day mean is 3.9, so
    # z = −0.2/σ = −14·√(27/28) ≈ −13.7477.
    summary = HrvHistory(_hrv(_alternating(34, 4.0, 4.2) + [3.9] * 7), RULES.hrv).summary(TODAY)
    assert summary.ln_rmssd_7d == pytest.approx(3.9)
    assert summary.baseline_mean == pytest.approx(4.1)
    assert summary.baseline_sd == pytest.approx(0.014548, abs=1e-6)
    assert summary.z == pytest.approx(-13.7477, abs=1e-4)


def test_hrv_z_needs_three_readings_in_every_baseline_week():
    ln_values = _alternating(34, 4.0, 4.2) + [3.9] * 7
    # Keep only two readings in the reference week of days −13…−7 (list positions 27…33).
    for position in range(29, 34):
        ln_values[position] = None
    summary = HrvHistory(_hrv(ln_values), RULES.hrv).summary(TODAY)
    assert summary.ln_rmssd_7d == pytest.approx(3.9)
    assert summary.z is None


def _hooper_row(index: int) -> dict:
    # Items summing to ``index``: sleep, fatigue, stress and soreness from 2 upwards.
    base = {"sleep": 2, "fatigue": 2, "stress": 2, "soreness": 2}
    for item in list(base)[: index - 8]:
        base[item] += 1
    return base


def test_hooper_index_and_z_score():
    # Days −28…−1 alternate Hooper index 8 / 10 (mean 9, sample SD √(28·1/27) = √(28/27) ≈ 1.018350);
    # today's index is 12, so z = 3/√(28/27) = 3·√(27/28) ≈ 2.945942.
    rows = [_hooper_row(index) for index in _alternating(28, 8, 10)] + [_hooper_row(12)]
    summary = HooperHistory(check_ins(TODAY, rows), RULES.hooper).summary(TODAY)
    assert summary.index == 12
    assert summary.baseline_mean == pytest.approx(9.0)
    assert summary.baseline_sd == pytest.approx(1.018350, abs=1e-6)
    assert summary.z == pytest.approx(2.945942, abs=1e-6)


def test_hooper_z_needs_fourteen_days_of_history():
    rows = [_hooper_row(index) for index in _alternating(13, 8, 10)] + [_hooper_row(12)]
    summary = HooperHistory(check_ins(TODAY, rows), RULES.hooper).summary(TODAY)
    assert (summary.index, summary.z) == (12, None)


def test_hooper_needs_all_four_items():
    check_in = WellnessCheckIn(TODAY, sleep=3, fatigue=3, stress=3)
    assert HooperHistory([check_in], RULES.hooper).index(TODAY) is None
