"""The retention listing: records past their term are listed for review, and nothing is deleted."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import OutboxMessage, PatientReadinessProfile, PatientToken, TreatmentNote
from clinic.services.retention import records_past_retention
from tests.privacy.privacy_builders import NOW

LONG_AGO = datetime(2005, 3, 1, 10, 0, tzinfo=timezone.utc)


def old_note(patient, author) -> TreatmentNote:
    """Store a note last changed in 2005, as a note migrated from an older system would be."""
    note = TreatmentNote(
        patient_id=patient.id, author_id=author.id, subjective="Lage rugpijn.", readiness_at=LONG_AGO,
        readiness_snapshot={}, rules_version="legacy", inputs_digest="0" * 64, created_at=LONG_AGO,
        updated_at=LONG_AGO,
    )
    db.session.add(note)
    return note


def test_a_treatment_record_is_listed_20_years_after_its_last_clinical_change(clinic, create_patient, chiropractor):
    patient = create_patient()
    old_note(patient, chiropractor)
    db.session.commit()
    listed = records_past_retention(db.session, NOW)
    assert [(r.kind.value, r.record, r.reference_at) for r in listed] == [
        ("treatment_record", f"patient {patient.id}", LONG_AGO)
    ]
    assert listed[0].ends_at == datetime(2025, 3, 1, 10, 0, tzinfo=timezone.utc)


def test_a_later_screening_keeps_an_old_record_within_its_term(clinic, create_patient, chiropractor):
    patient = create_patient()
    old_note(patient, chiropractor)
    db.session.add(PatientReadinessProfile(patient_id=patient.id, screened_at=datetime(2010, 1, 1, tzinfo=timezone.utc),
                                           screening_due_on=date(2010, 7, 1)))
    db.session.commit()
    assert records_past_retention(db.session, NOW) == []


def test_recent_records_are_not_listed(record):
    assert records_past_retention(db.session, NOW) == []


def test_sent_emails_and_expired_links_are_listed_but_pending_emails_are_not(record):
    for status in ("sent", "pending"):
        db.session.add(OutboxMessage(kind="booking_confirmation", to_address="a@example.nl", subject="S",
                                     body_text="B", status=status, created_at=LONG_AGO))
    token = db.session.scalar(select(PatientToken))
    token.expires_at = LONG_AGO
    db.session.commit()
    listed = [(r.kind.value, r.record) for r in records_past_retention(db.session, NOW)]
    sent = db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.status == "sent",
                                                            OutboxMessage.created_at == LONG_AGO))
    assert sorted(listed) == [("outbox_message", f"outbox message {sent}"),
                              ("patient_link", f"link {token.id} (patient {record.patient.id})")]


def test_the_command_lists_the_records_and_deletes_nothing(app, clinic, create_patient, chiropractor):
    patient = create_patient()
    old_note(patient, chiropractor)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["clinic", "retention"])
    assert result.exit_code == 0, result.output
    assert f"patient {patient.id}" in result.output
    assert "20 years from last clinical change (WGBO art. 7:454 lid 3 BW)" in result.output
    assert "Nothing has been deleted" in result.output
    assert db.session.scalar(select(func.count()).select_from(TreatmentNote)) == 1


def test_access_log_rows_are_listed_per_patient_after_five_years(clinic, create_patient, chiropractor):
    from clinic.models import AccessLogEntry

    patient = create_patient()
    for at in (LONG_AGO, datetime(2021, 11, 29, tzinfo=timezone.utc), datetime(2021, 12, 1, tzinfo=timezone.utc)):
        db.session.add(AccessLogEntry(at=at, user_id=chiropractor.id, role="chiropractor", patient_id=patient.id,
                                      action="read", object_type="patient", object_id=patient.id))
    db.session.commit()
    listed = [(r.kind.value, r.record, r.reference_at) for r in records_past_retention(db.session, NOW)]
    # The row of 1 December 2021 is within its five years on 30 November 2026.
    assert listed == [("access_log", f"access log of patient {patient.id}: 2 rows",
                       datetime(2021, 11, 29, tzinfo=timezone.utc))]
