"""The timeline chart says what the readiness engine says, day by day, and draws it where it belongs."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from clinic.clinical.timeline import ACWR_BAND, TIMELINE_DAYS, chart, daily_series, end_of_day
from clinic.localtime import CLINIC_TZ
from clinic.readiness import ReadinessInputs, TrainingSession, WellnessCheckIn, evaluate

LAST_DAY = date(2026, 11, 30)
# Ten weeks of hour-long sessions (RPE per day, 0 = rest), a hard one two days before the end.
RPES = ([5, 7, 0, 8, 6, 9, 6] * 10)[:-3] + [10, 0, 0]
FIRST_DAY = LAST_DAY - timedelta(days=len(RPES) - 1)


def athlete() -> ReadinessInputs:
    days = [FIRST_DAY + timedelta(days=offset) for offset in range(len(RPES))]
    return ReadinessInputs(
        date_of_birth=date(1995, 3, 1),
        sessions=[TrainingSession(datetime.combine(day, time(18), tzinfo=CLINIC_TZ), 60, rpe)
                  for day, rpe in zip(days, RPES) if rpe],
        check_ins=[WellnessCheckIn(day, sleep=2 + n % 3, fatigue=3, stress=2, soreness=3, rmssd_ms=60 + n % 7)
                   for n, day in enumerate(days)],
    )


ATHLETE = athlete()


@pytest.mark.parametrize("days_back", [0, 1, 2, 3, 10, 40])
def test_each_day_of_the_series_matches_the_engine_at_the_end_of_that_day(days_back):
    points = daily_series(ATHLETE, LAST_DAY)
    point = points[-1 - days_back]
    result = evaluate(ATHLETE, end_of_day(point.day))
    assert point.day == LAST_DAY - timedelta(days=days_back)
    assert point.load == result.load.today
    assert (point.acute, point.chronic, point.acwr) == (result.load.acute, result.load.chronic, result.load.acwr)
    assert point.ln_rmssd == result.hrv.ln_rmssd_7d
    assert point.hooper == result.hooper.index
    assert point.phase == result.phase.key


def test_the_series_covers_twelve_weeks_and_shows_missing_data_as_none():
    points = daily_series(ATHLETE, LAST_DAY)
    assert len(points) == TIMELINE_DAYS and points[0].day == LAST_DAY - timedelta(days=TIMELINE_DAYS - 1)
    # Before the first session there is no history: no load ratio, no HRV mean.
    assert points[0].acwr is None and points[0].ln_rmssd is None and points[0].load == 0
    assert {point.phase for point in points[-3:]} == {"acute", "regeneration"}


def test_the_chart_puts_bars_lines_phases_and_the_ratio_band_inside_the_plot():
    drawn = chart(daily_series(ATHLETE, LAST_DAY))
    load, acwr = drawn.panels[0], drawn.panels[1]
    assert len(load.bars) == sum(1 for rpe in RPES[-TIMELINE_DAYS:] if rpe)
    assert all(drawn.left <= x and x + width <= drawn.right for x, _, width, _ in load.bars)
    assert all(load.top <= y <= load.bottom for _, y, _, _ in load.bars)
    assert load.lines["acute"] and load.lines["chronic"]
    for stretch in load.lines["acute"]:
        for pair in stretch.split():
            x, y = map(float, pair.split(","))
            assert drawn.left <= x <= drawn.right and load.top <= y <= load.bottom
    upper, lower = acwr.band
    assert acwr.top < upper < lower < acwr.bottom
    assert [tick.value for tick in acwr.ticks] == [0.0, *ACWR_BAND, 2.0]
    assert sum(width for _, width, _ in drawn.phases) == pytest.approx(drawn.right - drawn.left)
    assert drawn.phases[-1][2] == "regeneration"
    assert all(day.weekday() == 0 for _, day in drawn.weeks) and len(drawn.weeks) == 12


def test_a_patient_without_data_gets_an_empty_but_valid_chart():
    drawn = chart(daily_series(ReadinessInputs(date_of_birth=date(1995, 3, 1)), LAST_DAY))
    assert drawn.panels[0].bars == () and all(not stretches for panel in drawn.panels for stretches in panel.lines.values())
    assert [phase for _, _, phase in drawn.phases] == ["adaptation"]
