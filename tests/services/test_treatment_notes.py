"""Treatment notes: written against the readiness picture, justified when going against it, signed, amended."""
from datetime import date, datetime, timedelta, timezone

import pytest

from clinic.errors import Conflict, Invalid, NotFound
from clinic.extensions import db
from clinic.models import Role, TreatmentNote
from clinic.services.readiness import NewCheckIn, ScreeningUpdate, evaluate_readiness, record_check_in, update_screening
from clinic.services.record_seals import note_is_as_signed
from clinic.services.treatment_notes import (
    AppliedModality,
    NoteContent,
    NotAllowed,
    amend_note,
    content_hash,
    note_for,
    notes_of,
    reproduce_readiness,
    revise_note,
    sign_note,
    snapshot_verdicts,
    start_note,
)
from tests.clinical.clinical_builders import add_appointment, add_training_log, local

NOW = datetime(2026, 11, 30, 7, 0, tzinfo=timezone.utc)
APPOINTMENT_START = local(2026, 11, 30, 9, 0)
MASSAGE = AppliedModality("massage", {"regions": ["lower back", "hamstrings"], "minutes": 30, "technique": "effleurage"})
# With no indication recorded, an adjustment is not advised (DOMAIN.md §4.4 step 3).
ADJUSTMENT = {"regions": "lumbar, thoracic", "technique": "diversified"}
DRY_NEEDLING = {"muscles": ["gastrocnemius"], "needle_count": 4, "local_twitch_response": True, "adverse_reaction": ""}


@pytest.fixture
def chiropractor(create_account):
    return create_account(Role.CHIROPRACTOR)


@pytest.fixture
def patient(clinic, create_patient):
    return create_patient()


@pytest.fixture
def appointment(patient):
    appointment = add_appointment(patient, APPOINTMENT_START)
    db.session.commit()
    return appointment


def content(*modalities: AppliedModality, **soap) -> NoteContent:
    return NoteContent(**({"subjective": "Tight calves after the marathon."} | soap), modalities=modalities)


def write(patient, author, *modalities, appointment=None, **soap) -> TreatmentNote:
    note = start_note(db.session, patient, content(*modalities, **soap), author=author, appointment=appointment, now=NOW)
    db.session.commit()
    return note


def signed_note(patient, author, appointment=None) -> TreatmentNote:
    note = write(patient, author, MASSAGE, appointment=appointment)
    sign_note(db.session, note, signer=author, now=NOW + timedelta(minutes=40))
    db.session.commit()
    return note


def screen(patient, chiropractor, *flags: str, indications=()) -> None:
    update_screening(db.session, patient, ScreeningUpdate(flags={flag: [] for flag in flags}, indications=indications),
                     checked_by=chiropractor, now=NOW)
    db.session.commit()


# Writing against the readiness picture -----------------------------------------------------------


def test_a_note_from_an_appointment_stores_the_readiness_at_its_start(app, patient, chiropractor, appointment):
    add_training_log(patient, date(2026, 11, 29), [(60, 6)] * 10)
    note = write(patient, chiropractor, MASSAGE, appointment=appointment)
    expected = evaluate_readiness(db.session, patient, APPOINTMENT_START,
                                  treated={"massage": ["lower back", "hamstrings"]})
    assert note.readiness_at == APPOINTMENT_START
    assert note.readiness_snapshot == expected.to_dict()
    assert (note.rules_version, note.inputs_digest) == (expected.rules_version, expected.inputs_digest)
    assert (note.status, note.appointment_id, note.author_id) == ("draft", appointment.id, chiropractor.id)
    [row] = note.modalities
    assert (row.modality, row.verdict, row.details) == (
        "massage", expected.modalities["massage"].verdict.key,
        {"regions": ["lower back", "hamstrings"], "minutes": 30, "technique": "effleurage"})


def test_a_stand_alone_note_is_evaluated_when_it_is_written(app, patient, chiropractor):
    note = write(patient, chiropractor, plan="Come back in a week.")
    assert (note.readiness_at, note.appointment_id, note.plan, note.modalities) == (NOW, None, "Come back in a week.", [])


def test_a_not_advised_modality_needs_a_written_justification(app, patient, chiropractor, appointment):
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor, AppliedModality("adjustment", ADJUSTMENT, justification="  "), appointment=appointment)
    assert error.value.status == 422
    assert error.value.fields == {"adjustment": "justification_required"}
    note = write(patient, chiropractor, AppliedModality("adjustment", ADJUSTMENT, justification="Acute facet lock at L4."),
                 appointment=appointment)
    [row] = note.modalities
    assert (row.verdict, row.justification, row.is_override) == ("not_advised", "Acute facet lock at L4.", False)
    assert row.details == {"regions": ["lumbar", "thoracic"], "technique": "diversified"}


@pytest.mark.parametrize("justification, override, problem", [
    ("", False, "override_and_justification_required"),
    ("Phobia treated; written consent.", False, "override_required"),
    ("", True, "justification_required"),
])
def test_a_contraindicated_modality_needs_an_override_and_a_justification(
        app, patient, chiropractor, justification, override, problem):
    screen(patient, chiropractor, "needle_phobia")
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor, AppliedModality("dry_needling", DRY_NEEDLING, justification, override))
    assert error.value.fields == {"dry_needling": problem}


def test_a_local_finding_asks_for_an_override_only_when_its_region_is_treated(app, patient, chiropractor):
    update_screening(db.session, patient, ScreeningUpdate(flags={"open_wound_region": ["left foot"]}),
                     checked_by=chiropractor, now=NOW)
    note = write(patient, chiropractor, MASSAGE)
    assert note.modalities[0].verdict == "allowed"  # lower back and hamstrings: the wound is elsewhere

    on_the_foot = AppliedModality("massage", MASSAGE.details | {"regions": ["left foot"]})
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor, on_the_foot)
    assert error.value.fields == {"massage": "override_and_justification_required"}


def test_pregnancy_asks_for_an_override_to_needle_the_pelvis(app, patient, chiropractor):
    screen(patient, chiropractor, "pregnancy")
    assert write(patient, chiropractor, AppliedModality("dry_needling", DRY_NEEDLING)).modalities[0].verdict == "caution"
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor, AppliedModality("dry_needling", DRY_NEEDLING | {"muscles": ["gluteus medius"]}))
    assert error.value.fields == {"dry_needling": "override_and_justification_required"}


def test_an_override_of_an_allowed_modality_also_needs_a_justification(app, patient, chiropractor):
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor, AppliedModality("massage", MASSAGE.details, "", True))
    assert error.value.fields == {"massage": "justification_required"}


def test_a_justified_override_is_recorded_with_the_verdict_shown(app, patient, chiropractor):
    screen(patient, chiropractor, "needle_phobia")
    note = write(patient, chiropractor, AppliedModality("dry_needling", DRY_NEEDLING, "Phobia treated; written consent.", True))
    [row] = note.modalities
    assert (row.verdict, row.is_override) == ("contraindicated", True)
    assert snapshot_verdicts(note.readiness_snapshot)["dry_needling"] == "contraindicated"


def test_an_override_nobody_needed_still_needs_a_justification(app, patient, chiropractor):
    # Massage is not contraindicated here, but a ticked override is never silent.
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor, AppliedModality("massage", MASSAGE.details, "", True))
    assert error.value.fields == {"massage": "justification_required"}


def test_allowed_modalities_need_no_justification(app, patient, chiropractor):
    note = write(patient, chiropractor, MASSAGE, AppliedModality("active_recovery", {"advice": "Easy 30 min bike ride"}))
    assert [row.modality for row in note.modalities] == ["massage", "active_recovery"]


def test_modality_details_are_checked_and_named(app, patient, chiropractor):
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor,
              AppliedModality("dry_needling", {"muscles": [], "needle_count": 0, "local_twitch_response": "yes",
                                               "colour": "red"}),
              AppliedModality("decompression", {"position": "standing", "force_kg": -5}, justification="Disc bulge L5"),
              AppliedModality("acupuncture", {}),
              AppliedModality("massage", {"regions": "neck", "minutes": 30.5}))
    assert error.value.fields == {
        "dry_needling.colour": "unknown_detail", "dry_needling.muscles": "required",
        "dry_needling.needle_count": "out_of_range", "dry_needling.local_twitch_response": "not_yes_or_no",
        "decompression.position": "unknown_choice", "decompression.force_kg": "out_of_range",
        "decompression.minutes": "required", "acupuncture": "unknown_modality",
        "massage.minutes": "not_a_whole_number",
    }


def test_soap_text_keeps_its_lines_but_not_control_characters(app, patient, chiropractor):
    note = write(patient, chiropractor, subjective="Line one\r\nLine two\n")
    assert note.subjective == "Line one\nLine two"
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor, objective="bad\x00byte", plan="x" * 20_001)
    assert error.value.fields == {"objective": "invalid_characters", "plan": "too_long"}


def test_only_a_chiropractor_writes_notes(app, patient, create_account):
    with pytest.raises(NotAllowed):
        write(patient, create_account(Role.ADMIN))


def test_a_note_belongs_to_a_held_appointment_of_the_same_patient(app, patient, chiropractor, create_patient):
    other = create_patient(first_name="Joris")
    theirs = add_appointment(other, local(2026, 12, 1, 9))
    cancelled = add_appointment(patient, local(2026, 12, 2, 9), status="cancelled")
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor, appointment=theirs)
    assert error.value.fields == {"appointment_id": "other_patient"}
    with pytest.raises(Invalid) as error:
        write(patient, chiropractor, appointment=cancelled)
    assert error.value.fields == {"appointment_id": "not_held"}


def test_an_appointment_has_one_note(app, patient, chiropractor, appointment):
    write(patient, chiropractor, appointment=appointment)
    with pytest.raises(Conflict) as error:
        write(patient, chiropractor, appointment=appointment)
    assert error.value.code == "note_exists"


def test_the_database_keeps_one_note_per_appointment_when_two_are_written_at_once(
        app, patient, chiropractor, appointment, monkeypatch):
    write(patient, chiropractor, appointment=appointment)
    # As if the other note was written between this one's check and its insert.
    monkeypatch.setattr("clinic.services.treatment_notes._check_appointment", lambda *args: None)
    with pytest.raises(Conflict) as error:
        write(patient, chiropractor, appointment=appointment)
    assert error.value.code == "note_exists"
    assert db.session.query(TreatmentNote).count() == 1


# The snapshot reproduces what was shown -----------------------------------------------------------


def test_the_stored_snapshot_reproduces_the_verdicts_shown(app, patient, chiropractor, appointment):
    add_training_log(patient, date(2026, 11, 29), [(60, 6), (90, 7), (0, 0), (45, 8)])
    screen(patient, chiropractor, "anticoagulant", indications=["spinal_pain_mechanical"])
    note = write(patient, chiropractor, MASSAGE, appointment=appointment)
    db.session.expire_all()
    stored = db.session.get(TreatmentNote, note.id)
    again = reproduce_readiness(db.session, stored)
    assert (again.inputs_digest, again.rules_version) == (stored.inputs_digest, stored.rules_version)
    assert {name: a.verdict.key for name, a in again.modalities.items()} == snapshot_verdicts(stored.readiness_snapshot)
    assert again.to_dict() == stored.readiness_snapshot
    # Data entered for later days leave the picture at the appointment untouched ...
    record_check_in(db.session, patient, NewCheckIn(date(2026, 12, 1), sleep=7), entered_by=None, today=date(2026, 12, 1))
    assert reproduce_readiness(db.session, stored).inputs_digest == stored.inputs_digest
    # ... while a changed screening shows up as a different digest.
    screen(patient, chiropractor, "pregnancy")
    assert reproduce_readiness(db.session, stored).inputs_digest != stored.inputs_digest


# Drafts, signing, amendments ----------------------------------------------------------------------


def test_the_author_revises_a_draft_against_the_verdicts_as_they_are_now(app, patient, chiropractor):
    note = write(patient, chiropractor, AppliedModality("dry_needling", DRY_NEEDLING))
    screen(patient, chiropractor, "needle_phobia")
    with pytest.raises(Invalid) as error:
        revise_note(db.session, note, content(AppliedModality("dry_needling", DRY_NEEDLING)), editor=chiropractor)
    assert error.value.fields == {"dry_needling": "override_and_justification_required"}
    db.session.rollback()
    revise_note(db.session, note, content(MASSAGE, subjective="Revised."), editor=chiropractor)
    db.session.commit()
    assert (note.subjective, [row.modality for row in note.modalities]) == ("Revised.", ["massage"])
    assert note.readiness_at == NOW
    assert note.readiness_snapshot["modalities"]["dry_needling"]["verdict"] == "contraindicated"


def test_revising_keeps_a_modality_row_that_stays(app, patient, chiropractor):
    note = write(patient, chiropractor, MASSAGE)
    row_id = note.modalities[0].id
    revise_note(db.session, note, content(AppliedModality("massage", MASSAGE.details | {"minutes": 45})), editor=chiropractor)
    db.session.commit()
    assert [(row.id, row.details["minutes"]) for row in note.modalities] == [(row_id, 45)]


def test_only_the_author_revises_or_signs_a_draft(app, patient, chiropractor, create_account):
    colleague = create_account(Role.CHIROPRACTOR)
    note = write(patient, chiropractor, MASSAGE)
    with pytest.raises(NotAllowed):
        revise_note(db.session, note, content(), editor=colleague)
    db.session.rollback()
    with pytest.raises(NotAllowed):
        sign_note(db.session, note, signer=colleague, now=NOW)


def test_signing_freezes_the_note_with_a_hash_that_verifies_after_reloading(app, patient, chiropractor, appointment):
    note = signed_note(patient, chiropractor, appointment)
    assert (note.status, note.signed_at, note.signed_by_id) == ("signed", NOW + timedelta(minutes=40), chiropractor.id)
    db.session.expire_all()
    stored = db.session.get(TreatmentNote, note.id)
    assert len(stored.content_hash) == 64 and note_is_as_signed(stored, app.config["RECORDS_KEY"])
    with pytest.raises(Conflict) as error:
        revise_note(db.session, stored, content(), editor=chiropractor)
    assert (error.value.status, error.value.code) == (409, "note_signed")
    db.session.rollback()
    with pytest.raises(Conflict):
        sign_note(db.session, stored, signer=chiropractor, now=NOW)


def test_the_hash_changes_with_any_signed_content(app, patient, chiropractor):
    note = signed_note(patient, chiropractor)
    original = content_hash(note)
    note.modalities[0].details = {"regions": ["neck"], "minutes": 30, "technique": ""}
    assert content_hash(note) != original
    db.session.rollback()


def test_amendments_keep_the_signed_note_as_it_was(app, patient, chiropractor, create_account):
    note = signed_note(patient, chiropractor)
    colleague = create_account(Role.CHIROPRACTOR)
    amend_note(db.session, note, "Correction: the left calf, not the right.", author=chiropractor, now=NOW + timedelta(days=1))
    amend_note(db.session, note, "Patient called: much better.", author=colleague, now=NOW + timedelta(days=2))
    db.session.commit()
    db.session.expire_all()
    stored = note_for(db.session, note.id, chiropractor)
    assert [(a.text, a.author_id, a.created_at) for a in stored.amendments] == [
        ("Correction: the left calf, not the right.", chiropractor.id, NOW + timedelta(days=1)),
        ("Patient called: much better.", colleague.id, NOW + timedelta(days=2)),
    ]
    assert stored.subjective == "Tight calves after the marathon." and note_is_as_signed(stored, app.config["RECORDS_KEY"])


def test_an_amendment_needs_text_and_a_signed_note(app, patient, chiropractor):
    note = write(patient, chiropractor)
    with pytest.raises(Conflict) as error:
        amend_note(db.session, note, "Too early.", author=chiropractor, now=NOW)
    assert error.value.code == "note_not_signed"
    sign_note(db.session, note, signer=chiropractor, now=NOW)
    with pytest.raises(Invalid) as error:
        amend_note(db.session, note, " \n ", author=chiropractor, now=NOW)
    assert error.value.fields == {"text": "required"}


# Who reads notes ---------------------------------------------------------------------------------


def test_drafts_are_read_by_their_author_and_admins_signed_notes_by_every_chiropractor(
        app, patient, chiropractor, create_account):
    colleague = create_account(Role.CHIROPRACTOR)
    admin = create_account(Role.ADMIN)
    draft = write(patient, chiropractor)
    signed = signed_note(patient, chiropractor)
    assert note_for(db.session, draft.id, chiropractor) == draft
    assert note_for(db.session, draft.id, admin) == draft
    with pytest.raises(NotFound):
        note_for(db.session, draft.id, colleague)
    assert note_for(db.session, signed.id, colleague) == signed
    assert notes_of(db.session, patient, colleague) == [signed]
    assert set(notes_of(db.session, patient, admin)) == {draft, signed}
    with pytest.raises(NotFound):
        note_for(db.session, 9999, admin)


def test_the_front_desk_reads_no_notes(app, patient, chiropractor, create_account):
    note = signed_note(patient, chiropractor)
    desk = create_account(Role.FRONTDESK)
    with pytest.raises(NotAllowed):
        note_for(db.session, note.id, desk)
    assert notes_of(db.session, patient, desk) == []
