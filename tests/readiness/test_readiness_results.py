"""The engine's public surface: inputs, result shape, digest, booking advice, names and verdict order."""
from __future__ import annotations

import ast
import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from readiness_builders import daily_sessions, flags, inputs, local, screened

from clinic.readiness import (
    Phase, TrainingSession, UnknownNameError, Verdict, WellnessCheckIn, booking_advice,
    complaints, desk_should_check, evaluate, indications, is_at_least, modalities, most_restrictive, screening_flags,
)

AT = local(2025, 6, 12, 12)


def test_verdicts_are_ordered_by_restrictiveness():
    assert Verdict.RECOMMENDED < Verdict.ALLOWED < Verdict.CAUTION < Verdict.NOT_ADVISED < Verdict.CONTRAINDICATED
    assert most_restrictive([Verdict.ALLOWED, Verdict.CONTRAINDICATED, Verdict.CAUTION]) is Verdict.CONTRAINDICATED
    assert is_at_least(Verdict.NOT_ADVISED, Verdict.CAUTION) and not is_at_least(Verdict.ALLOWED, Verdict.CAUTION)
    assert Verdict.from_key("not_advised") is Verdict.NOT_ADVISED and Verdict.NOT_ADVISED.key == "not_advised"
    with pytest.raises(ValueError):
        Verdict.from_key("maybe")
    with pytest.raises(ValueError):
        most_restrictive([])


def test_known_names_come_with_dutch_and_english_labels():
    assert screening_flags()["pregnancy"].label.nl == "zwangerschap"
    assert screening_flags()["open_wound_region"].regional
    assert screening_flags()["red_flag_cauda_equina"].red_flag
    assert indications()["myofascial_trigger_points"].en == "Myofascial trigger points"
    assert complaints()["fever"].kind == "systemic_symptom"
    assert list(modalities()) == ["adjustment", "massage", "dry_needling", "decompression", "active_recovery"]


@pytest.mark.parametrize("make", [
    lambda: TrainingSession(datetime(2025, 6, 1, 12), 60, 5),            # naive end time
    lambda: TrainingSession(AT, 60, 11),                                 # RPE above CR-10
    lambda: TrainingSession(AT, -5, 5),                                  # negative duration
    lambda: WellnessCheckIn(AT.date(), sleep=8),                         # Hooper items run 1–7
    lambda: WellnessCheckIn(AT.date(), doms=11),                         # DOMS runs 0–10
    lambda: WellnessCheckIn(AT.date(), rmssd_ms=0),                      # ln(0) is undefined
    lambda: WellnessCheckIn(AT.date(), complaints={"fatigue": AT.date() + timedelta(days=1)}),
])
def test_inputs_refuse_impossible_values(make):
    with pytest.raises(ValueError):
        make()


def test_the_instant_must_be_aware():
    with pytest.raises(ValueError, match="naive"):
        evaluate(inputs(), datetime(2025, 6, 12, 12))


@pytest.mark.parametrize(("record", "message"), [
    (inputs(screening=screened(flags("pregnant"))), "unknown screening flag 'pregnant'"),
    (inputs(screening=screened(indications={"sore_back"})), "unknown indication 'sore_back'"),
    (inputs(check_ins=[WellnessCheckIn(AT.date(), complaints={"tired": AT.date()})]), "unknown complaint 'tired'"),
])
def test_unknown_names_are_refused(record, message):
    with pytest.raises(UnknownNameError, match=message):
        evaluate(record, AT)


def test_to_dict_is_json_ready_with_the_documented_shape():
    record = inputs(sessions=daily_sessions(AT.date() - timedelta(days=1), [300, 0, 450] * 10),
                    check_ins=[WellnessCheckIn(AT.date(), doms=4, doms_region="kuit")])
    data = json.loads(json.dumps(evaluate(record, AT).to_dict()))
    assert {"at", "phase", "hours_since_significant_session", "load", "load_tolerance", "overtraining_level",
            "rules_version", "inputs_digest", "modalities"} <= set(data)
    assert set(data["load"]) >= {"acute", "chronic", "acwr", "monotony", "strain"}
    assert set(data["load_tolerance"]) >= {"band", "score", "components"}
    reason = data["modalities"]["dry_needling"]["reasons"][0]
    assert set(reason) >= {"rule", "text", "cite", "evidence"} and set(reason["text"]) == {"nl", "en"}
    assert data["rules_version"] == "4" and len(data["inputs_digest"]) == 64


def test_missing_components_are_null_listed_and_leave_the_band_unknown():
    record = inputs(check_ins=[WellnessCheckIn(AT.date(), doms=2)])
    result = evaluate(record, AT)
    tolerance = result.to_dict()["load_tolerance"]
    # Only DOMS has data: 1 of the 4 core components, fewer than the 2 required.
    assert tolerance["components"]["hrv"] == {"value": None, "points": None, "status": "insufficient_data"}
    assert tolerance["missing"] == ["acwr", "hrv", "hooper", "monotony", "session_load"]
    assert (tolerance["band"], tolerance["evaluated_as"], tolerance["score"]) == ("unknown", "moderate", 0)
    assert [notice.rule for notice in result.notices] == ["TOL-UNKNOWN"]
    assert result.load.acwr is None and result.to_dict()["load"]["acwr"] is None


def test_without_a_significant_session_the_patient_is_in_adaptation():
    result = evaluate(inputs(sessions=[TrainingSession(AT - timedelta(hours=3), 30, 2)]), AT)
    assert (result.phase, result.hours_since_significant_session) == (Phase.ADAPTATION, None)


def test_sessions_after_the_instant_are_not_read():
    later = TrainingSession(AT + timedelta(hours=1), 60, 9)
    assert evaluate(inputs(sessions=[later]), AT).load.today == 0.0


@pytest.mark.parametrize(("hours_to_competition", "restricted"), [(1, True), (0, True), (-1, False)])
def test_a_competition_that_has_started_no_longer_restricts(hours_to_competition, restricted):
    record = inputs(next_competition_at=AT + timedelta(hours=hours_to_competition))
    rules = {reason.rule for reason in evaluate(record, AT).modalities["decompression"].reasons}
    assert ("DEC-COMP-24" in rules) is restricted


def test_the_digest_identifies_inputs_and_instant():
    record = inputs(sessions=[TrainingSession(AT - timedelta(hours=20), 60, 7)])
    digest = evaluate(record, AT).inputs_digest
    assert evaluate(record, AT.astimezone(timezone.utc)).inputs_digest == digest  # same instant
    assert evaluate(record, AT + timedelta(minutes=1)).inputs_digest != digest
    changed = inputs(sessions=[TrainingSession(AT - timedelta(hours=20), 60, 8)])
    assert evaluate(changed, AT).inputs_digest != digest
    assert evaluate(inputs(sessions=[TrainingSession(AT - timedelta(hours=20), 60.0, 7.0)]), AT).inputs_digest == digest


def test_booking_a_consult_shows_no_verdict():
    advice = booking_advice(evaluate(inputs(), AT), "consult")
    assert (advice.verdict, advice.reasons, advice.needs_warning) == (None, (), False)


def test_booking_dry_needling_before_a_competition_warns():
    # Evaluated at the appointment start, 30 h before the match.
    result = evaluate(inputs(screening=screened(indications={"myofascial_trigger_points"}),
                             next_competition_at=AT + timedelta(hours=30)), AT)
    advice = booking_advice(result, "dry_needling")
    assert advice.verdict is Verdict.NOT_ADVISED and advice.needs_warning
    assert [reason.rule for reason in advice.reasons] == ["DN-COMP-48"]
    assert advice.reasons[0].text.en.startswith("Dry needling less than 48 h before a competition")
    assert advice.to_dict()["verdict"] == "not_advised"


def test_booking_an_allowed_modality_needs_no_warning():
    result = evaluate(inputs(screening=screened(indications={"spinal_pain_mechanical"})), AT)
    advice = booking_advice(result, "adjustment")
    assert (advice.verdict, advice.needs_warning) == (Verdict.ALLOWED, False)


def test_booking_with_only_a_caution_needs_no_warning():
    # Without a training log the load tolerance is unknown, which counts as moderate: a caution.
    advice = booking_advice(evaluate(inputs(), AT), "dry_needling")
    assert (advice.verdict, advice.needs_warning) == (Verdict.CAUTION, False)


@pytest.mark.parametrize(("record", "modality", "check"), [
    (inputs(screening=screened(flags("pregnancy"))), "decompression", True),  # contraindicated
    (inputs(screening=screened(indications={"myofascial_trigger_points"}),
            next_competition_at=AT + timedelta(hours=30)), "dry_needling", True),  # not advised: the match
    (inputs(screening=screened()), "adjustment", False),  # not advised only for want of an indication
    (inputs(), "adjustment", False),  # not screened yet either: the everyday new patient
    (inputs(), "dry_needling", False),  # a caution
], ids=["contraindicated", "not advised", "no indication recorded", "unscreened", "caution"])
def test_the_front_desk_is_asked_to_check_only_for_a_real_restriction(record, modality, check):
    assert desk_should_check(booking_advice(evaluate(record, AT), modality)) is check


def test_booking_an_unknown_appointment_type_is_refused():
    with pytest.raises(ValueError, match="unknown appointment modality 'reiki'"):
        booking_advice(evaluate(inputs(), AT), "reiki")


def test_age_is_taken_on_the_local_day_of_the_instant():
    # Turning 50 on 12 June: the ×1.25 factor applies from that local day on.
    record = inputs(date_of_birth=date(1975, 6, 12), sessions=[TrainingSession(AT - timedelta(hours=26), 60, 7)])
    assert evaluate(record, AT).recovery_factor == 1.25
    assert evaluate(record, AT - timedelta(days=1)).recovery_factor == 1.0


def test_the_package_imports_neither_flask_nor_sqlalchemy():
    # Pure domain code: only the standard library, PyYAML and the clinic's local-time helpers.
    package = Path(evaluate.__code__.co_filename).parent
    imported = set()
    for module in package.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module)
    assert not {name for name in imported if name.split(".")[0] in {"flask", "sqlalchemy", "flask_sqlalchemy"}}
    assert {name for name in imported if name.startswith("clinic")} == {"clinic.localtime"}
