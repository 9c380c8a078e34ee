"""Hypothesis properties of the readiness engine."""
from __future__ import annotations

import random
from datetime import date, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from readiness_builders import RULES, assess, local, situation

from clinic.readiness import (
    Band, FlagCheck, Phase, ReadinessInputs, Screening, TrainingSession, WellnessCheckIn, evaluate,
    most_restrictive,
)
from clinic.readiness.decision import assess_modalities
from clinic.readiness.phase import recovery_phase

AT = local(2025, 6, 12, 12)
FLAG_NAMES = sorted(RULES.flags)
FAST = settings(database=None, deadline=None, max_examples=100)
ENGINE = settings(database=None, deadline=None, max_examples=30)

flag_checks = st.builds(FlagCheck, st.just(date(2025, 1, 6)), st.just("dr. Kooren"),
                        st.none() | st.sampled_from(["linker hamstring", "onderrug"]))
situations = st.builds(
    situation,
    phase=st.sampled_from(Phase),
    band=st.sampled_from(Band),
    worst_doms=st.none() | st.integers(0, 10),
    doms_region=st.none() | st.just("kuit"),
    flags=st.dictionaries(st.sampled_from(FLAG_NAMES), flag_checks, max_size=4),
    indications=st.frozensets(st.sampled_from(sorted(RULES.indications))),
    hours_to_competition=st.none() | st.floats(0, 120),
    overtraining_level=st.integers(0, 3),
)


@FAST
@given(situations, st.sampled_from(FLAG_NAMES), flag_checks)
def test_adding_a_flag_never_makes_a_verdict_less_restrictive(base, flag, check):
    before = assess_modalities(base, RULES)
    after = assess(**{**base.__dict__, "flags": {**base.flags, flag: check}})
    for modality, assessment in after.items():
        assert assessment.verdict >= before[modality].verdict


@FAST
@given(situations)
def test_a_verdict_is_the_most_restrictive_of_its_reasons(state):
    for assessment in assess_modalities(state, RULES).values():
        verdicts = [reason.verdict for reason in assessment.reasons if reason.verdict is not None]
        assert assessment.verdict is most_restrictive(verdicts)
        assert assessment.decisive_reasons


@FAST
@given(st.floats(0, 400), st.floats(0, 400), st.sampled_from([1.0, 1.25, 1.5]))
def test_phase_is_monotone_in_hours(earlier, later, factor):
    earlier, later = sorted((earlier, later))
    assert recovery_phase(earlier, factor, RULES.phase) <= recovery_phase(later, factor, RULES.phase)


sessions = st.lists(st.builds(
    TrainingSession,
    ended_at=st.integers(1, 60 * 24).map(lambda hours: AT - timedelta(hours=hours)),
    duration_minutes=st.integers(0, 180),
    rpe=st.integers(0, 10),
), max_size=40)
wellness = st.lists(st.builds(
    WellnessCheckIn,
    day=st.integers(0, 45).map(lambda back: AT.date() - timedelta(days=back)),
    sleep=st.none() | st.integers(1, 7), fatigue=st.none() | st.integers(1, 7),
    stress=st.none() | st.integers(1, 7), soreness=st.none() | st.integers(1, 7),
    doms=st.none() | st.integers(0, 10), doms_region=st.none() | st.just("kuit"),
    rmssd_ms=st.none() | st.floats(20, 150),
), max_size=40)
readiness_inputs = st.builds(
    ReadinessInputs,
    date_of_birth=st.dates(date(1945, 1, 1), date(2008, 1, 1)),
    sessions=sessions,
    check_ins=wellness,
    screening=st.builds(Screening, st.dictionaries(st.sampled_from(FLAG_NAMES), flag_checks, max_size=3),
                        st.frozensets(st.sampled_from(sorted(RULES.indications)))),
    next_competition_at=st.none() | st.integers(-24, 120).map(lambda hours: AT + timedelta(hours=hours)),
)


@ENGINE
@given(readiness_inputs)
def test_the_engine_is_deterministic(record):
    first, second = evaluate(record, AT), evaluate(record, AT)
    assert first == second
    assert first.inputs_digest == second.inputs_digest


@ENGINE
@given(readiness_inputs, st.randoms(use_true_random=False))
def test_listing_order_and_time_zone_of_at_change_nothing(record, rng: random.Random):
    shuffled = ReadinessInputs(record.date_of_birth, rng.sample(record.sessions, len(record.sessions)),
                               rng.sample(record.check_ins, len(record.check_ins)), record.screening,
                               record.next_competition_at)
    original, reordered = evaluate(record, AT), evaluate(shuffled, AT.astimezone(timezone.utc))
    assert reordered.inputs_digest == original.inputs_digest
    assert {**reordered.to_dict(), "at": None} == {**original.to_dict(), "at": None}


@ENGINE
@given(readiness_inputs, st.sampled_from(FLAG_NAMES))
def test_adding_a_flag_to_the_records_never_relaxes_a_verdict(record, flag):
    flagged = ReadinessInputs(record.date_of_birth, record.sessions, record.check_ins,
                              Screening({**record.screening.flags, flag: FlagCheck(date(2025, 1, 6), "dr. Griesel")},
                                        record.screening.indications),
                              record.next_competition_at)
    before, after = evaluate(record, AT).modalities, evaluate(flagged, AT).modalities
    assert all(after[modality].verdict >= before[modality].verdict for modality in before)


hard_sessions = st.lists(st.builds(
    TrainingSession,
    ended_at=st.integers(1, 30 * 24).map(lambda hours: AT - timedelta(hours=hours)),
    duration_minutes=st.integers(10, 180),
    rpe=st.integers(5, 10),
), min_size=1, max_size=15)


@ENGINE
@given(hard_sessions, st.integers(1945, 2005), st.integers(0, 300), st.integers(0, 300))
def test_phase_is_monotone_in_time_since_the_last_significant_session(history, birth_year, first, second):
    # Every session is significant (RPE ≥ 5) and the birthday (15 Jan) is outside the evaluated span,
    # so only the time since the last session changes between the two instants.
    record = ReadinessInputs(date(birth_year, 1, 15), history)
    earlier, later = sorted((first, second))
    phases = [evaluate(record, AT + timedelta(hours=hours)).phase for hours in (earlier, later)]
    assert phases[0] <= phases[1]
