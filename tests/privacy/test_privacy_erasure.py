"""Erasure on request: contact details and training data go, the treatment record stays, and it is recorded."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from clinic.errors import Conflict, Invalid
from clinic.extensions import db
from clinic.models import (
    AppointmentEvent,
    CareEpisode,
    OutboxAttachment,
    OutboxMessage,
    OutcomeMeasurement,
    PatientErasure,
    PatientReadinessProfile,
    PatientScreeningFlag,
    PatientToken,
    Role,
    TrainingSession,
    TreatmentNote,
    TreatmentNoteAmendment,
    User,
    WaitlistEntry,
    WaitlistOffer,
    WellnessCheckIn,
    WellnessComplaint,
)
from clinic.privacy.erasure import ANONYMOUS_DATE_OF_BIRTH, CANCELLATION_REASON
from clinic.services.privacy import erase_patient, erasure_of
from clinic.services.record_seals import note_is_as_signed
from tests.privacy.privacy_builders import NOW


def count(model, **where) -> int:
    query = select(func.count()).select_from(model)
    for name, value in where.items():
        query = query.where(getattr(model, name) == value)
    return db.session.scalar(query)


def erase(record, admin, reason="Verzoek per e-mail van 28 november"):
    erasure = erase_patient(db.session, record.patient, by=admin, reason=reason, now=NOW)
    db.session.commit()
    return erasure


def test_contact_details_are_anonymised(record, admin):
    erase(record, admin)
    patient = record.patient
    assert (patient.first_name, patient.last_name) == ("Geanonimiseerd", f"#{patient.id}")
    assert (patient.email, patient.phone, patient.sport) == (None, None, "")
    assert patient.date_of_birth == ANONYMOUS_DATE_OF_BIRTH


def test_training_data_waitlist_links_and_emails_are_deleted(record, admin):
    assert count(OutboxAttachment) == 2
    erase(record, admin)
    patient_id = record.patient.id
    assert count(TrainingSession, patient_id=patient_id) == 0
    assert count(WellnessCheckIn, patient_id=patient_id) == 0
    assert count(WellnessComplaint) == 0
    assert count(PatientToken, patient_id=patient_id) == 0
    assert count(WaitlistEntry, patient_id=patient_id) == 0 and count(WaitlistOffer) == 0
    assert count(OutboxMessage, to_address="sanne@example.nl") == 0
    assert count(OutboxAttachment) == 0  # the database deletes a message's files with it (the calendar names her)
    profile = db.session.scalar(select(PatientReadinessProfile).where(PatientReadinessProfile.patient_id == patient_id))
    assert profile.next_competition_at is None


def test_future_appointments_are_cancelled_with_an_event_and_past_ones_stay(record, admin):
    erase(record, admin)
    assert record.future.status == "cancelled"
    assert record.future.cancel_reason == CANCELLATION_REASON
    event = db.session.scalars(select(AppointmentEvent).where(AppointmentEvent.appointment_id == record.future.id)
                               .order_by(AppointmentEvent.id.desc())).first()
    assert (event.action, event.user_id, event.reason) == ("cancelled", admin.id, CANCELLATION_REASON)
    assert record.past.status == "completed"


def test_the_treatment_record_stays_unchanged(app, record, admin):
    erase(record, admin)
    notes = db.session.scalars(select(TreatmentNote).where(TreatmentNote.patient_id == record.patient.id)).all()
    assert {note.id for note in notes} == {record.signed_note.id, record.draft_note.id}
    assert note_is_as_signed(record.signed_note, app.config["RECORDS_KEY"])
    assert count(TreatmentNoteAmendment, note_id=record.signed_note.id) == 1
    assert count(PatientScreeningFlag, patient_id=record.patient.id) == 1
    # The care episode with its outcome measures is part of the treatment record.
    assert count(CareEpisode, patient_id=record.patient.id) == 1
    assert count(OutcomeMeasurement, episode_id=record.episode.id) == 2


def test_the_erasure_is_recorded_with_who_when_and_why(record, admin):
    erase(record, admin, reason="  Brief van 12 november  ")
    recorded = erasure_of(db.session, record.patient)
    assert (recorded.erased_by_id, recorded.erased_at, recorded.reason) == (admin.id, NOW, "Brief van 12 november")


def test_a_portal_account_is_closed_and_its_sessions_ended(record, admin, create_account):
    account = create_account(Role.PATIENT, email="sanne@example.nl")
    record.patient.user_id = account.id
    db.session.commit()
    version = account.session_version
    erase(record, admin)
    account = db.session.get(User, account.id)
    assert not account.is_active
    assert account.email == f"anonymised-{account.id}@invalid"
    assert account.session_version == version + 1
    assert record.patient.user_id is None


def test_an_erasure_cannot_be_done_twice(record, admin):
    erase(record, admin)
    with pytest.raises(Conflict) as refused:
        erase(record, admin)
    assert refused.value.code == "already_erased"
    db.session.rollback()
    assert count(PatientErasure) == 1


def test_an_erasure_without_a_reason_changes_nothing(record, admin):
    with pytest.raises(Invalid) as refused:
        erase(record, admin, reason=" ")
    assert refused.value.fields == {"reason": "required"}
    db.session.rollback()
    assert record.patient.first_name == "Sanne"
    assert count(TrainingSession, patient_id=record.patient.id) == 2
    assert count(PatientErasure) == 0


# The privacy page


def test_the_erasure_page_says_what_stays_and_why_before_anything_happens(client, record, login_as):
    login_as(Role.ADMIN)
    page = client.get(f"/admin/patients/{record.patient.id}/privacy/erase").get_data(as_text=True)
    assert "WGBO, article 7:454" in page and "NEN 7513" in page
    assert "cannot be undone" in page
    assert count(PatientErasure) == 0


@pytest.mark.parametrize(
    ("form", "error"),
    [({"reason": "Verzoek per brief"}, "Tick this box to confirm."), ({"reason": "", "confirm": "y"}, "Please fill this in.")],
)
def test_an_erasure_needs_the_confirmation_and_a_reason(client, record, login_as, form, error):
    login_as(Role.ADMIN)
    response = client.post(f"/admin/patients/{record.patient.id}/privacy/erase", data=form)
    assert response.status_code == 422
    assert error in response.get_data(as_text=True)
    assert count(PatientErasure) == 0 and record.patient.first_name == "Sanne"


def test_the_administrator_anonymises_a_patient(client, record, login_as):
    admin = login_as(Role.ADMIN)
    response = client.post(f"/admin/patients/{record.patient.id}/privacy/erase",
                           data={"reason": "Brief van 12 november", "confirm": "y"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/patients/{record.patient.id}/privacy")
    assert erasure_of(db.session, record.patient).erased_by_id == admin.id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Brief van 12 november" in page and "WGBO, article 7:454" in page
    # Asking again leads back to the record of the erasure; nothing is done twice.
    again = client.post(f"/admin/patients/{record.patient.id}/privacy/erase",
                        data={"reason": "Nogmaals", "confirm": "y"})
    assert again.status_code == 302 and count(PatientErasure) == 1


def test_the_front_desk_cannot_anonymise(client, record, login_as):
    login_as(Role.FRONTDESK)
    response = client.post(f"/admin/patients/{record.patient.id}/privacy/erase",
                           data={"reason": "Verzoek", "confirm": "y"})
    assert response.status_code == 403
    assert count(PatientErasure) == 0


def test_emails_to_an_address_another_patient_shares_are_kept_but_not_those_about_her_appointments(
        record, admin, create_patient):
    create_patient(first_name="Daan", email="sanne@example.nl")
    assert count(OutboxMessage, appointment_id=record.future.id) == 1
    erase(record, admin)
    assert count(OutboxMessage, to_address="sanne@example.nl", subject="Uw afspraak") == 1
    assert count(OutboxAttachment) == 2
    assert count(OutboxMessage, appointment_id=record.future.id) == 0
