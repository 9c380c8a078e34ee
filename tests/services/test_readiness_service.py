"""Recording a patient's training, check-ins and screening, and evaluating their readiness from the database."""
from datetime import date, datetime, timedelta, timezone

import pytest

from clinic import readiness
from clinic.errors import Conflict, Invalid
from clinic.extensions import db
from clinic.models import Role, TrainingSession
from clinic.services.readiness import (
    ImportRejected,
    NewCheckIn,
    NewTrainingSession,
    RowError,
    ScreeningUpdate,
    check_ins_of,
    evaluate_readiness,
    import_training_sessions,
    readiness_inputs,
    record_check_in,
    record_training_session,
    screening_of,
    training_sessions_of,
    update_screening,
)
from tests.clinical.clinical_builders import add_check_ins, add_training_log, local

# Monday 30 November 2026, 08:00 in Amsterdam.
NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 30)


@pytest.fixture
def patient(create_patient):
    return create_patient()


@pytest.fixture
def chiropractor(create_account):
    return create_account(Role.CHIROPRACTOR)


def fields_of(error_info) -> dict:
    return error_info.value.fields


# Training sessions -------------------------------------------------------------------------------


def test_a_training_session_is_recorded_with_who_entered_it(app, patient, chiropractor):
    record = record_training_session(
        db.session, patient, NewTrainingSession(local(2026, 11, 29, 18), 75, 7, "  interval   run ", True),
        entered_by=chiropractor, now=NOW,
    )
    db.session.commit()
    stored = training_sessions_of(db.session, patient)
    assert stored == [record]
    assert (record.duration_minutes, record.rpe, record.kind, record.is_competition, record.load) == (
        75, 7, "interval run", True, 525)
    assert record.entered_by_id == chiropractor.id
    assert record.ended_at == datetime(2026, 11, 29, 17, 0, tzinfo=timezone.utc)


def test_every_wrong_value_of_a_training_session_is_named(app, patient):
    with pytest.raises(Invalid) as error:
        record_training_session(db.session, patient, NewTrainingSession(NOW + timedelta(hours=1), 0, 11, " "),
                                entered_by=None, now=NOW)
    assert fields_of(error) == {"ended_at": "in_future", "duration_minutes": "out_of_range", "rpe": "out_of_range",
                                "kind": "required"}


@pytest.mark.parametrize("duration, rpe, problem", [
    (1441, 5, {"duration_minutes": "out_of_range"}),
    (60.5, 5, {"duration_minutes": "not_a_whole_number"}),
    (60, 6.5, {"rpe": "not_a_whole_number"}),
    (60, True, {"rpe": "not_a_whole_number"}),
    (60, -1, {"rpe": "out_of_range"}),
])
def test_session_duration_and_rpe_are_whole_numbers_in_range(app, patient, duration, rpe, problem):
    with pytest.raises(Invalid) as error:
        record_training_session(db.session, patient, NewTrainingSession(NOW, duration, rpe), entered_by=None, now=NOW)
    assert fields_of(error) == problem


# Check-ins ----------------------------------------------------------------------------------------


def test_a_check_in_is_recorded_with_its_complaints(app, patient):
    record_check_in(db.session, patient, NewCheckIn(
        TODAY, sleep=2, fatigue=5, stress=3, soreness=4, doms=6, doms_region=" left  calf", rmssd_ms=62.5,
        complaints={"fatigue": date(2026, 11, 20), "poor_sleep": date(2026, 11, 25)},
    ), entered_by=None, today=TODAY)
    db.session.commit()
    [check_in] = check_ins_of(db.session, patient)
    assert (check_in.day, check_in.sleep, check_in.doms, check_in.doms_region, check_in.rmssd_ms) == (
        TODAY, 2, 6, "left calf", 62.5)
    assert [(c.complaint, c.began_on) for c in check_in.complaints] == [
        ("fatigue", date(2026, 11, 20)), ("poor_sleep", date(2026, 11, 25))]


def test_only_the_day_of_a_check_in_is_required(app, patient):
    check_in = record_check_in(db.session, patient, NewCheckIn(TODAY), entered_by=None, today=TODAY)
    assert (check_in.sleep, check_in.doms, check_in.rmssd_ms, check_in.complaints) == (None, None, None, [])


def test_every_wrong_value_of_a_check_in_is_named(app, patient):
    with pytest.raises(Invalid) as error:
        record_check_in(db.session, patient, NewCheckIn(
            TODAY + timedelta(days=1), sleep=0, fatigue=8, stress=4.5, soreness=True, doms_region="knee", rmssd_ms=0,
            complaints={"homesick": date(2026, 11, 1), "fatigue": date(2026, 12, 5)},
        ), entered_by=None, today=TODAY)
    assert fields_of(error) == {
        "day": "in_future", "sleep": "out_of_range", "fatigue": "out_of_range", "stress": "not_a_whole_number",
        "soreness": "not_a_whole_number", "doms_region": "needs_doms", "rmssd_ms": "out_of_range",
        "complaints.homesick": "unknown_complaint", "complaints.fatigue": "after_check_in_day",
    }


def test_a_second_check_in_for_the_same_day_is_a_conflict(app, patient):
    record_check_in(db.session, patient, NewCheckIn(TODAY, sleep=3), entered_by=None, today=TODAY)
    db.session.commit()
    with pytest.raises(Conflict) as error:
        record_check_in(db.session, patient, NewCheckIn(TODAY, sleep=5), entered_by=None, today=TODAY)
    assert error.value.status == 409 and fields_of(error) == {"day": "already_checked_in"}


# Screening ----------------------------------------------------------------------------------------


def test_screening_records_flags_regions_indications_and_who_checked_when(app, patient, chiropractor):
    competition = local(2026, 12, 5, 14)
    record = update_screening(db.session, patient, ScreeningUpdate(
        flags={"anticoagulant": [], "open_wound_region": ["right knee", "left calf", " left calf "]},
        indications=["spinal_pain_mechanical"], next_competition_at=competition,
    ), checked_by=chiropractor, now=NOW)
    db.session.commit()
    assert set(record.flags) == {"anticoagulant", "open_wound_region"}
    assert record.flags["open_wound_region"].regions == ("left calf", "right knee")
    assert record.flags["anticoagulant"].regions == ()
    assert record.flags["anticoagulant"].checked_on == TODAY
    assert record.flags["anticoagulant"].checked_by == chiropractor
    assert record.indications == ("spinal_pain_mechanical",)
    assert record.next_competition_at == competition
    assert (record.screened_at, record.screened_by) == (NOW, chiropractor)


def test_screening_replaces_the_previous_checklist(app, patient, chiropractor):
    update_screening(db.session, patient, ScreeningUpdate(flags={"pregnancy": []}, indications=["myofascial_trigger_points"],
                                                          next_competition_at=local(2026, 12, 5)),
                     checked_by=chiropractor, now=NOW)
    update_screening(db.session, patient, ScreeningUpdate(flags={"epilepsy": []}), checked_by=chiropractor, now=NOW)
    db.session.commit()
    record = screening_of(db.session, patient)
    assert (list(record.flags), record.indications, record.next_competition_at) == (["epilepsy"], (), None)


def test_a_patient_never_screened_says_so(app, patient):
    record = screening_of(db.session, patient)
    assert (record.flags, record.indications, record.screened_at, record.screened_by) == ({}, (), None, None)


def test_unknown_screening_names_are_refused_not_ignored(app, patient, chiropractor):
    with pytest.raises(Invalid) as error:
        update_screening(db.session, patient, ScreeningUpdate(
            flags={"broken_heart": [], "pregnancy": ["belly"], "open_wound_region": ["x" * 81]},
            indications=["spinal_pain_mechanical", "wanderlust"], next_competition_at=NOW - timedelta(hours=1),
        ), checked_by=chiropractor, now=NOW)
    assert fields_of(error) == {
        "flags.broken_heart": "unknown_flag", "flags.pregnancy": "not_regional", "flags.open_wound_region": "too_long",
        "indications": "unknown_indication", "next_competition_at": "in_past",
    }
    assert screening_of(db.session, patient).flags == {}


# Evaluating ---------------------------------------------------------------------------------------


def test_readiness_reads_only_what_was_known_at_the_instant(app, patient):
    at = local(2026, 11, 30, 10)
    add_training_log(patient, date(2026, 11, 29), [(60, 6)] * 3)
    add_check_ins(patient, date(2026, 11, 30), [{"sleep": 3}, {"sleep": 4}])
    before = evaluate_readiness(db.session, patient, at)
    # A session ending later that day and tomorrow's check-in come after the instant.
    add_training_log(patient, date(2026, 11, 30), [(90, 9)], hour=19)
    add_check_ins(patient, date(2026, 12, 1), [{"sleep": 7}])
    after = evaluate_readiness(db.session, patient, at)
    assert after.inputs_digest == before.inputs_digest
    assert after.to_dict() == before.to_dict()
    assert len(readiness_inputs(db.session, patient, at).sessions) == 3


def test_readiness_from_the_database_equals_the_engine_on_the_same_records(app, patient, chiropractor):
    at = local(2026, 11, 30, 10)
    add_training_log(patient, date(2026, 11, 29), [(60, 5), (0, 0), (45, 8)])
    add_check_ins(patient, date(2026, 11, 30), [{"sleep": 2, "fatigue": 3, "stress": 2, "soreness": 4, "doms": 5,
                                                  "doms_region": "quadriceps", "rmssd_ms": 70.0}])
    update_screening(db.session, patient, ScreeningUpdate(flags={"open_wound_region": ["left calf", "right knee"]},
                                                          indications=["spinal_pain_mechanical"]),
                     checked_by=chiropractor, now=NOW)
    expected_inputs = readiness.ReadinessInputs(
        date_of_birth=patient.date_of_birth,
        sessions=[readiness.TrainingSession(local(2026, 11, 27, 18), 60, 5),
                  readiness.TrainingSession(local(2026, 11, 29, 18), 45, 8)],
        check_ins=[readiness.WellnessCheckIn(TODAY, 2, 3, 2, 4, 5, "quadriceps", 70.0)],
        screening=readiness.Screening(
            flags={"open_wound_region": readiness.FlagCheck(TODAY, chiropractor.email, "left calf, right knee")},
            indications=frozenset({"spinal_pain_mechanical"}), screened_at=NOW, due_on=date(2027, 5, 30)),
    )
    result = evaluate_readiness(db.session, patient, at)
    assert result.to_dict() == readiness.evaluate(expected_inputs, at.astimezone(timezone.utc)).to_dict()
    # The wound restricts massage in its own regions only.
    assert [regional.region for regional in result.regions] == ["left calf", "right knee"]
    calf = result.regions[0].modalities["massage"]
    assert calf.verdict is readiness.Verdict.CONTRAINDICATED
    assert any(reason.region == "left calf" for reason in calf.reasons)
    assert result.modalities["massage"].verdict is not readiness.Verdict.CONTRAINDICATED


def test_the_screening_shapes_the_verdicts(app, patient, chiropractor):
    at = local(2026, 11, 30, 10)
    assert evaluate_readiness(db.session, patient, at).modalities["adjustment"].verdict is readiness.Verdict.NOT_ADVISED
    update_screening(db.session, patient, ScreeningUpdate(flags={"needle_phobia": []},
                                                          indications=["spinal_pain_mechanical"]),
                     checked_by=chiropractor, now=NOW)
    result = evaluate_readiness(db.session, patient, at)
    assert result.modalities["dry_needling"].verdict is readiness.Verdict.CONTRAINDICATED
    assert result.modalities["adjustment"].verdict < readiness.Verdict.NOT_ADVISED


def test_a_competition_soon_after_the_instant_restricts_dry_needling(app, patient, chiropractor):
    at = local(2026, 12, 4, 10)
    update_screening(db.session, patient, ScreeningUpdate(next_competition_at=at + timedelta(hours=20)),
                     checked_by=chiropractor, now=NOW)
    reasons = evaluate_readiness(db.session, patient, at).modalities["dry_needling"].reasons
    assert "DN-COMP-48" in [reason.rule for reason in reasons]


# CSV import ---------------------------------------------------------------------------------------


def test_a_csv_training_log_is_imported(app, patient, chiropractor):
    result = import_training_sessions(db.session, patient, (
        "date,duration,rpe,time,kind,competition\n"
        "2026-11-27,60,6,,,\n"
        "28-11-2026,45,8,10:30,race,yes\n"
    ), entered_by=chiropractor, now=NOW)
    db.session.commit()
    stored = sorted(training_sessions_of(db.session, patient), key=lambda s: s.ended_at)
    assert [(s.ended_at, s.duration_minutes, s.rpe, s.kind, s.is_competition, s.entered_by_id) for s in stored] == [
        (local(2026, 11, 27, 18), 60, 6, "training", False, chiropractor.id),
        (local(2026, 11, 28, 10, 30), 45, 8, "race", True, chiropractor.id),
    ]
    assert (len(result.added), result.already_present) == (2, 0)


def test_a_dutch_semicolon_file_from_a_spreadsheet_is_understood(app, patient):
    result = import_training_sessions(db.session, patient, "\ufeffDatum;Duur;RPE\r\n2026-11-27;60;6\r\n;;\r\n",
                                      entered_by=None, now=NOW)
    assert len(result.added) == 1


def test_a_file_with_any_error_imports_nothing_and_lists_every_problem(app, patient):
    with pytest.raises(ImportRejected) as error:
        import_training_sessions(db.session, patient, (
            "date,duration,rpe,time\n"
            "2026-11-27,60,6,\n"
            "2026-13-01,60,6,\n"
            "2026-11-26,0,11,\n"
            "2026-03-29,60,6,02:30\n"
            "2026-10-25,60,6,02:30\n"
            "2026-12-25,60,6,\n"
            "2026-11-27,60,6,\n"
        ), entered_by=None, now=NOW)
    assert error.value.errors == [
        RowError(3, "date", "invalid_date"),
        RowError(4, "duration", "out_of_range"),
        RowError(4, "rpe", "out_of_range"),
        RowError(5, "time", "nonexistent_time"),
        RowError(6, "time", "ambiguous_time"),
        RowError(7, "date", "in_future"),
        RowError(8, "date", "duplicate_row"),
    ]
    assert error.value.status == 422
    assert db.session.query(TrainingSession).count() == 0


@pytest.mark.parametrize("content, code", [
    ("", "empty_file"),
    ("date,duration,rpe\n", "empty_file"),
    ("day,minutes\n2026-11-27,60\n", "missing_columns"),
])
def test_a_file_without_usable_rows_is_refused_as_a_whole(app, patient, content, code):
    with pytest.raises(ImportRejected) as error:
        import_training_sessions(db.session, patient, content, entered_by=None, now=NOW)
    assert error.value.errors[0].line == 0 and error.value.errors[0].code == code


def test_importing_the_same_file_twice_does_not_double_the_load(app, patient):
    content = "date,duration,rpe\n2026-11-27,60,6\n2026-11-28,45,8\n"
    import_training_sessions(db.session, patient, content, entered_by=None, now=NOW)
    again = import_training_sessions(db.session, patient, content + "2026-11-29,30,3\n", entered_by=None, now=NOW)
    assert (len(again.added), again.already_present) == (1, 2)
    assert db.session.query(TrainingSession).count() == 3
