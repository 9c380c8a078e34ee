"""Rules of the training log and of treatment notes that the database itself holds, on both engines."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import delete, select, text, update
from sqlalchemy.exc import IntegrityError, ProgrammingError

from clinic import readiness
from clinic.extensions import db
from clinic.models import (
    NOTE_MODALITIES,
    Patient,
    PatientIndication,
    PatientScreeningFlag,
    Role,
    TrainingSession,
    TreatmentNote,
    TreatmentNoteAmendment,
    TreatmentNoteModality,
    WellnessCheckIn,
    WellnessComplaint,
)

ENDED = datetime(2026, 11, 29, 17, 0, tzinfo=timezone.utc)
DIGEST = "a" * 64
HASH = "b" * 64


def refused(*objects) -> None:
    """Assert the database refuses to store ``objects``, then start over."""
    db.session.add_all(objects)
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def refused_sql(statement: str, **params) -> str:
    """Assert the database refuses raw SQL ``statement``; return its error message."""
    with pytest.raises(IntegrityError) as error:
        db.session.execute(text(statement), params)
        db.session.flush()
    db.session.rollback()
    return str(error.value.orig)


@pytest.fixture
def patient(create_patient):
    return create_patient()


@pytest.fixture
def chiropractor(create_account):
    return create_account(Role.CHIROPRACTOR)


def session_row(patient, **values) -> TrainingSession:
    return TrainingSession(**{"patient_id": patient.id, "ended_at": ENDED, "duration_minutes": 60, "rpe": 6} | values)


@pytest.mark.parametrize("values", [
    {"rpe": -1}, {"rpe": 11}, {"duration_minutes": 0}, {"duration_minutes": 1441}, {"kind": ""},
], ids=["rpe below 0", "rpe above 10", "no duration", "longer than a day", "no kind"])
def test_a_training_session_out_of_range_is_refused(app, patient, values):
    refused(session_row(patient, **values))


def test_a_training_session_at_the_edges_of_its_ranges_is_stored(app, patient):
    db.session.add_all([session_row(patient, rpe=0, duration_minutes=1), session_row(patient, rpe=10, duration_minutes=1440)])
    db.session.flush()
    assert db.session.scalar(select(TrainingSession.rpe).where(TrainingSession.rpe == 10)) == 10


@pytest.mark.parametrize("values", [
    {"sleep": 0}, {"fatigue": 8}, {"stress": 0}, {"soreness": 8}, {"doms": -1}, {"doms": 11},
    {"rmssd_ms": 0}, {"doms_region": "left calf"}, {"doms": 3, "doms_region": ""},
], ids=["sleep 0", "fatigue 8", "stress 0", "soreness 8", "doms -1", "doms 11", "rmssd 0", "region without doms",
        "empty region"])
def test_a_check_in_out_of_range_is_refused(app, patient, values):
    refused(WellnessCheckIn(patient_id=patient.id, day=date(2026, 11, 29), **values))


def test_one_check_in_per_patient_per_day(app, patient, create_patient):
    db.session.add(WellnessCheckIn(patient_id=patient.id, day=date(2026, 11, 29), sleep=3))
    db.session.flush()
    other = create_patient(first_name="Joris")
    db.session.add(WellnessCheckIn(patient_id=other.id, day=date(2026, 11, 29), sleep=3))
    db.session.flush()
    refused(WellnessCheckIn(patient_id=patient.id, day=date(2026, 11, 29), sleep=5))


def test_a_complaint_is_listed_once_per_check_in(app, patient):
    check_in = WellnessCheckIn(patient_id=patient.id, day=date(2026, 11, 29))
    db.session.add(check_in)
    db.session.flush()
    refused(WellnessComplaint(check_in_id=check_in.id, complaint="fatigue", began_on=date(2026, 11, 1)),
            WellnessComplaint(check_in_id=check_in.id, complaint="fatigue", began_on=date(2026, 11, 2)))


def test_a_screening_flag_is_recorded_once_per_region(app, patient, chiropractor):
    def flag(region: str) -> PatientScreeningFlag:
        return PatientScreeningFlag(patient_id=patient.id, flag="open_wound_region", region=region,
                                    checked_on=date(2026, 11, 29), checked_by_id=chiropractor.id)

    db.session.add_all([flag("left calf"), flag("right knee"), flag("")])
    db.session.flush()
    # "" (not NULL) marks "no region", so the UNIQUE catches a second region-less row too.
    refused(flag(""))
    refused(PatientIndication(patient_id=patient.id, indication="spinal_pain_mechanical", recorded_on=date(2026, 11, 29)),
            PatientIndication(patient_id=patient.id, indication="spinal_pain_mechanical", recorded_on=date(2026, 11, 30)))


def test_deleting_a_patient_takes_the_training_log_but_not_the_treatment_notes(app, patient, chiropractor):
    db.session.add_all([session_row(patient), WellnessCheckIn(patient_id=patient.id, day=date(2026, 11, 29))])
    db.session.flush()
    db.session.execute(delete(Patient).where(Patient.id == patient.id))
    assert db.session.scalar(select(TrainingSession.id)) is None
    assert db.session.scalar(select(WellnessCheckIn.id)) is None
    db.session.rollback()

    db.session.add(draft(patient, chiropractor))
    db.session.flush()
    with pytest.raises(IntegrityError):
        db.session.execute(delete(Patient).where(Patient.id == patient.id))
    db.session.rollback()


def test_note_modalities_are_the_modalities_the_engine_assesses():
    assert NOTE_MODALITIES == tuple(readiness.modalities())


# Treatment notes ---------------------------------------------------------------------------------


def draft(patient, author, **values) -> TreatmentNote:
    return TreatmentNote(**{
        "patient_id": patient.id, "author_id": author.id, "readiness_at": ENDED, "readiness_snapshot": {"modalities": {}},
        "rules_version": "1", "inputs_digest": DIGEST, "status": "draft",
    } | values)


def signed(patient, author) -> TreatmentNote:
    note = draft(patient, author, subjective="Pain in the lower back.")
    note.modalities.append(TreatmentNoteModality(modality="massage", details={"regions": ["lower back"]},
                                                 verdict="allowed"))
    db.session.add(note)
    db.session.flush()
    note.status, note.signed_at, note.signed_by_id, note.content_hash = "signed", ENDED, author.id, HASH
    db.session.flush()
    db.session.commit()
    return note


@pytest.mark.parametrize("values", [
    {"status": "signed"},
    {"status": "draft", "signed_at": ENDED, "content_hash": HASH},
    {"status": "final"},
    {"inputs_digest": "short"},
], ids=["signed without signature", "signature on a draft", "unknown status", "not a digest"])
def test_a_note_is_signed_exactly_when_it_carries_a_signature(app, patient, chiropractor, values):
    if values.get("signed_at"):
        values["signed_by_id"] = chiropractor.id
    refused(draft(patient, chiropractor, **values))


def test_only_the_author_can_be_recorded_as_signer(app, patient, chiropractor, create_account):
    colleague = create_account(Role.CHIROPRACTOR)
    refused(draft(patient, chiropractor, status="signed", signed_at=ENDED, signed_by_id=colleague.id, content_hash=HASH))


def test_one_note_per_appointment(app, patient, chiropractor):
    from clinic.services.seed import seed_clinic
    from clinical_builders import add_appointment

    seed_clinic(db.session)
    appointment = add_appointment(patient, ENDED)
    db.session.add(draft(patient, chiropractor, appointment_id=appointment.id))
    db.session.flush()
    refused(draft(patient, chiropractor, appointment_id=appointment.id))


@pytest.mark.parametrize("values", [
    {"verdict": "not_advised"},
    {"verdict": "not_advised", "justification": "   "},
    {"verdict": "contraindicated", "justification": "Agreed with the GP."},
    {"verdict": "allowed", "is_override": True},
    {"verdict": "maybe"},
    {"modality": "acupuncture"},
], ids=["not advised, unjustified", "blank justification", "contraindicated without override",
        "override without justification", "unknown verdict", "unknown modality"])
def test_going_against_the_guidance_must_be_justified_in_the_database_too(app, patient, chiropractor, values):
    note = draft(patient, chiropractor)
    db.session.add(note)
    db.session.flush()
    refused(TreatmentNoteModality(**{"note_id": note.id, "modality": "adjustment", "details": {}} | values))


def test_a_justified_override_of_a_contraindication_is_stored(app, patient, chiropractor):
    note = draft(patient, chiropractor)
    note.modalities.append(TreatmentNoteModality(
        modality="dry_needling", details={}, verdict="contraindicated", is_override=True,
        justification="Needle phobia treated; patient consents in writing."))
    db.session.add(note)
    db.session.flush()
    assert note.modalities[0].id is not None


def test_a_draft_can_be_changed_signed_and_deleted(app, patient, chiropractor):
    note = draft(patient, chiropractor)
    note.modalities.append(TreatmentNoteModality(modality="massage", details={}, verdict="allowed"))
    db.session.add(note)
    db.session.commit()
    db.session.execute(text("UPDATE treatment_notes SET subjective = 'Better.' WHERE id = :id"), {"id": note.id})
    db.session.execute(text("UPDATE treatment_note_modalities SET details = '{}' WHERE note_id = :id"), {"id": note.id})
    db.session.execute(
        text("UPDATE treatment_notes SET status = 'signed', signed_at = :at, signed_by_id = :by, content_hash = :hash, "
             "seal_number = 1, seal = :hash WHERE id = :id"),
        {"id": note.id, "at": "2026-11-29 17:00:00.000000", "by": chiropractor.id, "hash": HASH},
    )
    db.session.rollback()
    db.session.execute(delete(TreatmentNote).where(TreatmentNote.id == note.id))
    assert db.session.scalar(select(TreatmentNoteModality.id)) is None


@pytest.mark.parametrize("statement", [
    "UPDATE treatment_notes SET subjective = 'rewritten' WHERE id = :id",
    "UPDATE treatment_notes SET status = 'draft', signed_at = NULL, signed_by_id = NULL, content_hash = NULL WHERE id = :id",
    "UPDATE treatment_notes SET readiness_snapshot = '{}' WHERE id = :id",
    "DELETE FROM treatment_notes WHERE id = :id",
], ids=["rewrite text", "unsign", "swap snapshot", "delete"])
def test_raw_sql_cannot_change_or_delete_a_signed_note(app, patient, chiropractor, statement):
    note = signed(patient, chiropractor)
    assert "signed_note_immutable" in refused_sql(statement, id=note.id)
    assert db.session.get(TreatmentNote, note.id).subjective == "Pain in the lower back."


@pytest.mark.parametrize("statement", [
    "UPDATE treatment_note_modalities SET justification = 'added later' WHERE note_id = :id",
    "DELETE FROM treatment_note_modalities WHERE note_id = :id",
    "INSERT INTO treatment_note_modalities (note_id, modality, details, verdict, justification, is_override) "
    "VALUES (:id, 'adjustment', '{}', 'allowed', '', false)",
], ids=["update", "delete", "insert"])
def test_raw_sql_cannot_change_the_modalities_of_a_signed_note(app, patient, chiropractor, statement):
    note = signed(patient, chiropractor)
    assert "signed_note_immutable" in refused_sql(statement, id=note.id)


def test_the_orm_cannot_change_a_signed_note_either(app, patient, chiropractor):
    note = signed(patient, chiropractor)
    note.plan = "Something else"
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    db.session.delete(db.session.get(TreatmentNote, note.id))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(update(TreatmentNote).where(TreatmentNote.id == note.id).values(plan="x"))
    db.session.rollback()


def test_amendments_are_insert_only_and_only_for_signed_notes(app, patient, chiropractor):
    note = signed(patient, chiropractor)
    db.session.add(TreatmentNoteAmendment(note_id=note.id, author_id=chiropractor.id, text="Also: left side."))
    db.session.commit()
    # On PostgreSQL the app's role has no right to either; the owner meets the trigger
    # (tests/security/test_attack_record_tampering.py).
    for statement in ("UPDATE treatment_note_amendments SET text = 'changed'", "DELETE FROM treatment_note_amendments"):
        with pytest.raises((IntegrityError, ProgrammingError), match="amendment_immutable|permission denied"):
            db.session.execute(text(statement))
        db.session.rollback()
    unsigned = draft(patient, chiropractor)
    db.session.add(unsigned)
    db.session.commit()
    assert "amendment_needs_signed_note" in refused_sql(
        "INSERT INTO treatment_note_amendments (note_id, author_id, text, created_at, seal_number, seal) "
        "VALUES (:id, :by, 'x', :at, 2, :seal)",
        id=unsigned.id, by=chiropractor.id, at="2026-11-29 17:00:00.000000", seal=HASH,
    )
    refused(TreatmentNoteAmendment(note_id=note.id, author_id=chiropractor.id, text="  "))
