"""A patient's privacy rights: a copy of all their data (AVG art. 15/20, WGBO art. 7:456) and erasure (art. 17).

The export is one JSON document with stable keys (``EXPORT_FORMAT`` version ``EXPORT_VERSION``):

- ``format``, ``version``, ``exported_at``
- ``patient``: contact details and how the patient came to the clinic
- ``erasure``: ``null``, or when and why the patient's data was anonymised
- ``appointments``: each with its type, chiropractor, ``events`` (every change, by whom) and the
  patient's ``after_visit_check_in`` answers (or ``null``)
- ``training_sessions``, ``wellness_check_ins`` (with ``complaints``)
- ``screening``: ``screened_at``, ``next_competition_at``, ``flags``, ``indications``
- ``care_episodes``: region, onset, goals, treating chiropractor, opened/closed with the discharge
  summary, the ``region_questionnaire`` the patient is asked, the ``appointment_ids`` of its visits and its ``outcomes`` (measure, score, raw ``answers``,
  who entered it and when)
- ``treatment_notes``: SOAP text, ``modalities``, the ``readiness_snapshot`` shown when the note was
  written, signature (``signed_at``, ``content_hash``) and ``amendments``
- ``emails``: the e-mails in the outbox about the patient's appointments or sent to their address
  (attachments by name only: ``attachment_names``, in their order; version 1 had one ``attachment_name``)
- ``links``: the links sent to the patient (purpose and validity; never the secret or its hash)
- ``alert_acknowledgements``: which alert about the patient a chiropractor acknowledged, and when

Instants are ISO 8601 with the Amsterdam offset, days are ``YYYY-MM-DD``. Staff appear as
``User.name_for_patients`` says: a chiropractor by name, anyone else by role only (deliberately: the
patient meets their chiropractor; the names of the back office are not the patient's data).

Erasure anonymises what the pure rules in ``clinic.privacy.erasure`` say, through the existing
services where they exist (a cancelled appointment gets its event), and keeps the treatment record.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from clinic.errors import Conflict, Invalid
from clinic.localtime import to_local
from clinic.models import (
    AfterVisitAnswer,
    AlertAcknowledgement,
    Appointment,
    AppointmentAction,
    CareEpisode,
    AppointmentStatus,
    BookingSource,
    OutboxMessage,
    Patient,
    PatientErasure,
    PatientIndication,
    PatientReadinessProfile,
    PatientScreeningFlag,
    PatientToken,
    TrainingSession,
    TreatmentNote,
    User,
    WaitlistEntry,
    WellnessCheckIn,
)
from clinic.privacy import erasure
from clinic.scheduling.waitlist import weekdays_of
from clinic.services.after_visit import after_visit_answers_of
from clinic.services.booking import change_status
from clinic.services.patient_messages import messages_to
from clinic.services.patient_merge import record_ids

EXPORT_FORMAT = "movewell-patient-export"
EXPORT_VERSION = 2


def _instant(value: datetime | None) -> str | None:
    return None if value is None else to_local(value).isoformat()


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def erasure_of(session: Session, patient: Patient) -> PatientErasure | None:
    """Return the record of the patient's erasure, or None if their data was never erased."""
    return session.scalar(select(PatientErasure).where(PatientErasure.patient_id == patient.id))


def export_patient(session: Session, patient: Patient, *, now: datetime) -> dict:
    """Return all data the clinic holds on ``patient`` as one JSON-ready document (see the module)."""
    after_visit = {answer.appointment_id: answer for answer in after_visit_answers_of(session, patient)}
    return {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "exported_at": _instant(now),
        "patient": _patient(patient),
        "erasure": _erasure(erasure_of(session, patient)),
        "appointments": [_appointment(row, after_visit.get(row.id)) for row in _appointments(session, patient)],
        "training_sessions": [_training_session(row) for row in _rows(session, TrainingSession, patient,
                                                                               TrainingSession.ended_at)],
        "wellness_check_ins": [_check_in(row) for row in _rows(session, WellnessCheckIn, patient, WellnessCheckIn.day)],
        "screening": _screening(session, patient),
        "care_episodes": [_episode(row) for row in _rows(session, CareEpisode, patient, CareEpisode.opened_at)],
        "treatment_notes": [_note(row) for row in _notes(session, patient)],
        "emails": [_email(row) for row in messages_to(session, patient)],
        "links": [_link(row) for row in _rows(session, PatientToken, patient, PatientToken.created_at)],
        "waitlist": [_waitlist_entry(row) for row in _rows(session, WaitlistEntry, patient, WaitlistEntry.created_at)],
        "alert_acknowledgements": [
            {"alert": row.alert_key, "kind": row.kind, "acknowledged_by": _staff(row.acknowledged_by),
             "acknowledged_at": _instant(row.acknowledged_at)}
            for row in _rows(session, AlertAcknowledgement, patient, AlertAcknowledgement.acknowledged_at)
        ],
    }


def _rows(session: Session, model, patient: Patient, order) -> Sequence:
    return session.scalars(select(model).where(model.patient_id == patient.id).order_by(order, model.id)).all()


def _notes(session: Session, patient: Patient) -> Sequence[TreatmentNote]:
    # Signed notes of a record merged into this one keep that record's id (``clinic.services.patient_merge``).
    return session.scalars(select(TreatmentNote).where(TreatmentNote.patient_id.in_(record_ids(patient.id)))
                           .order_by(TreatmentNote.created_at, TreatmentNote.id)).all()


def _appointments(session: Session, patient: Patient) -> Sequence[Appointment]:
    return _rows(session, Appointment, patient, Appointment.starts_at)


def _patient(patient: Patient) -> dict:
    return {
        "id": patient.id,
        "first_name": patient.first_name,
        "last_name": patient.last_name,
        "date_of_birth": _day(patient.date_of_birth),
        "email": patient.email,
        "phone": patient.phone,
        "preferred_language": patient.preferred_language,
        "sport": patient.sport,
        "address": {"street": patient.address_street, "house_number": patient.address_house_number,
                    "postcode": patient.address_postcode, "city": patient.address_city,
                    "country": patient.address_country},
        "gp": {"name": patient.gp_name, "practice": patient.gp_practice, "phone": patient.gp_phone},
        "insurer": {"name": patient.insurer_name, "policy_number": patient.insurer_policy_number},
        "emergency_contact": {"name": patient.emergency_contact_name, "phone": patient.emergency_contact_phone,
                              "relation": patient.emergency_contact_relation},
        "desk_remarks": patient.desk_remarks,
        "privacy_consent_at": _instant(patient.privacy_consent_at),
        "created_source": patient.created_source,
        "created_at": _instant(patient.created_at),
        "updated_at": _instant(patient.updated_at),
    }


def _staff(user: User | None) -> str | None:
    return None if user is None else user.name_for_patients


def _erasure(record: PatientErasure | None) -> dict | None:
    if record is None:
        return None
    return {"erased_at": _instant(record.erased_at), "erased_by": _staff(record.erased_by), "reason": record.reason}


def _appointment(appointment: Appointment, after_visit: AfterVisitAnswer | None) -> dict:
    return {
        "id": appointment.id,
        "type": {
            "code": appointment.appointment_type.code,
            "name_nl": appointment.appointment_type.name_nl,
            "name_en": appointment.appointment_type.name_en,
        },
        "chiropractor": appointment.chiropractor.name,
        "starts_at": _instant(appointment.starts_at),
        "ends_at": _instant(appointment.ends_at),
        "status": appointment.status,
        "source": appointment.source,
        "cancel_reason": appointment.cancel_reason,
        "cancelled_at": _instant(appointment.cancelled_at),
        "desk_remarks": appointment.desk_remarks,
        "created_at": _instant(appointment.created_at),
        "events": [
            {
                "action": event.action,
                "happened_at": _instant(event.happened_at),
                "by": _staff(event.user),
                "source": event.source,
                "previous_starts_at": _instant(event.previous_starts_at),
                "reason": event.reason,
                "undone_status": event.undone_status,
            }
            for event in appointment.events
        ],
        "after_visit_check_in": _after_visit(after_visit),
    }


def _after_visit(answer: AfterVisitAnswer | None) -> dict | None:
    if answer is None:
        return None
    return {
        "answered_at": _instant(answer.answered_at),
        "pain_now": answer.pain_now,
        "soreness": answer.soreness,
        "dizziness": answer.dizziness,
        "numbness": answer.numbness,
        "fever": answer.fever,
        "bruising": answer.bruising,
        "remarks": answer.remarks,
    }


def _training_session(row: TrainingSession) -> dict:
    return {
        "ended_at": _instant(row.ended_at),
        "duration_minutes": row.duration_minutes,
        "rpe": row.rpe,
        "load": row.load,
        "kind": row.kind,
        "is_competition": row.is_competition,
        "entered_by": _staff(row.entered_by),
        "created_at": _instant(row.created_at),
    }


def _check_in(row: WellnessCheckIn) -> dict:
    return {
        "day": _day(row.day),
        **{item: getattr(row, item) for item in ("sleep", "fatigue", "stress", "soreness", "doms", "doms_region")},
        "rmssd_ms": row.rmssd_ms,
        "complaints": [{"complaint": c.complaint, "began_on": _day(c.began_on)} for c in row.complaints],
        "created_at": _instant(row.created_at),
    }


def _screening(session: Session, patient: Patient) -> dict:
    profile = session.scalar(select(PatientReadinessProfile).where(PatientReadinessProfile.patient_id == patient.id))
    flags = _rows(session, PatientScreeningFlag, patient, PatientScreeningFlag.flag)
    indications = _rows(session, PatientIndication, patient, PatientIndication.indication)
    return {
        "screened_at": _instant(profile and profile.screened_at),
        "screened_by": _staff(profile and profile.screened_by),
        "next_competition_at": _instant(profile and profile.next_competition_at),
        "flags": [{"flag": row.flag, "region": row.region, "checked_on": _day(row.checked_on)} for row in flags],
        "indications": [{"indication": row.indication, "recorded_on": _day(row.recorded_on)} for row in indications],
    }


def _episode(episode: CareEpisode) -> dict:
    return {
        "id": episode.id,
        "region": episode.region,
        "onset_on": _day(episode.onset_on),
        "goals": episode.goals,
        "chiropractor": episode.chiropractor.name,
        "opened_at": _instant(episode.opened_at),
        "closed_at": _instant(episode.closed_at),
        "discharge_summary": episode.discharge_summary,
        "region_questionnaire": episode.region_questionnaire,
        "appointment_ids": sorted(appointment.id for appointment in episode.appointments),
        "outcomes": [
            {"measure": row.measure, "score": row.score, "appointment_id": row.appointment_id,
             "answers": [{"activity": answer.activity, "answer": answer.answer} for answer in row.answers],
             "entered_by": row.entered_by, "entered_by_staff": _staff(row.entered_by_user),
             "measured_at": _instant(row.measured_at)}
            for row in episode.measurements
        ],
    }


def _note(note: TreatmentNote) -> dict:
    return {
        "id": note.id,
        "appointment_id": note.appointment_id,
        "author": _staff(note.author),
        "status": note.status,
        "subjective": note.subjective,
        "objective": note.objective,
        "assessment": note.assessment,
        "plan": note.plan,
        "modalities": [
            {"modality": row.modality, "details": row.details, "verdict": row.verdict,
             "justification": row.justification, "is_override": row.is_override}
            for row in note.modalities
        ],
        "readiness_at": _instant(note.readiness_at),
        "readiness_snapshot": note.readiness_snapshot,
        "rules_version": note.rules_version,
        "signed_at": _instant(note.signed_at),
        "signed_by": _staff(note.signed_by),
        "content_hash": note.content_hash,
        "created_at": _instant(note.created_at),
        "updated_at": _instant(note.updated_at),
        "amendments": [
            {"text": row.text, "author": _staff(row.author), "created_at": _instant(row.created_at)}
            for row in note.amendments
        ],
    }


def _email(message: OutboxMessage) -> dict:
    return {
        "kind": message.kind,
        "to_address": message.to_address,
        "subject": message.subject,
        "body_text": message.body_text,
        "attachment_names": [attachment.name for attachment in message.attachments],
        "status": message.status,
        "created_at": _instant(message.created_at),
        "sent_at": _instant(message.sent_at),
    }


def _waitlist_entry(entry: WaitlistEntry) -> dict:
    return {
        "type": entry.appointment_type.code,
        "chiropractors": [chiropractor.name for chiropractor in entry.chiropractors],
        "weekdays": sorted(weekdays_of(entry.weekdays)),
        "from_time": None if entry.from_time is None else entry.from_time.isoformat("minutes"),
        "to_time": None if entry.to_time is None else entry.to_time.isoformat("minutes"),
        "until": _day(entry.until),
        "status": entry.status,
        "created_by": entry.created_by,
        "created_at": _instant(entry.created_at),
        "ended_at": _instant(entry.ended_at),
        "offers": [{"start": _instant(offer.starts_at), "chiropractor": offer.chiropractor.name,
                    "offered_at": _instant(offer.offered_at), "expires_at": _instant(offer.expires_at),
                    "outcome": offer.outcome, "claimed_at": _instant(offer.claimed_at)} for offer in entry.offers],
    }


def _link(token: PatientToken) -> dict:
    return {
        "purpose": token.purpose,
        "appointment_id": token.appointment_id,
        "created_at": _instant(token.created_at),
        "expires_at": _instant(token.expires_at),
    }


# Erasure ------------------------------------------------------------------------------------------


def erase_patient(session: Session, patient: Patient, *, by: User, reason: str, now: datetime) -> PatientErasure:
    """Anonymise the patient's contact details and delete their training data, links and e-mails.

    Future appointments are cancelled (each gets its event); the treatment record, past
    appointments and the access log stay (``clinic.privacy.erasure``). Records merged into the
    patient's are erased with it. Irreversible.

    :raises Invalid: the reason is missing or too long.
    :raises Conflict: the patient's data was erased before.
    """
    problem = erasure.reason_problem(reason)
    if problem:
        raise Invalid("Give the reason for the erasure.", fields={"reason": problem})
    session.execute(select(Patient.id).where(Patient.id == patient.id).with_for_update())
    if erasure_of(session, patient) is not None:
        raise Conflict("This patient's data has already been erased.", code="already_erased")
    # The records merged into this one are the same person's, and their rows still hold contact details.
    merged = session.scalars(select(Patient).where(Patient.id.in_(record_ids(patient.id)), Patient.id != patient.id))
    for record in (patient, *merged):
        _erase_one(session, record, by=by, reason=reason.strip(), now=now)
    session.flush()
    return erasure_of(session, patient)


def _erase_one(session: Session, patient: Patient, *, by: User, reason: str, now: datetime) -> None:
    _cancel_future_appointments(session, patient, by=by, now=now)
    _delete_training_data(session, patient)
    # What the patient waited for, and the times offered to them (with the entries).
    session.execute(delete(WaitlistEntry).where(WaitlistEntry.patient_id == patient.id))
    _delete_messages(session, patient)
    _deactivate_portal_account(session, patient)
    for name, value in erasure.anonymised_contact_details(patient.id).items():
        setattr(patient, name, value)
    session.add(PatientErasure(patient_id=patient.id, erased_at=now, erased_by_id=by.id, reason=reason))


def _cancel_future_appointments(session: Session, patient: Patient, *, by: User, now: datetime) -> None:
    upcoming = session.scalars(
        select(Appointment).where(
            Appointment.patient_id == patient.id,
            Appointment.status == AppointmentStatus.BOOKED.value,
            Appointment.starts_at > now,
        )
    ).all()
    for appointment in upcoming:
        change_status(session, appointment, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=now,
                      user=by, reason=erasure.CANCELLATION_REASON)


def _delete_training_data(session: Session, patient: Patient) -> None:
    for model in (TrainingSession, WellnessCheckIn):
        # Check-ins' complaints go with them (ON DELETE CASCADE).
        session.execute(delete(model).where(model.patient_id == patient.id))
    profile = session.scalar(select(PatientReadinessProfile).where(PatientReadinessProfile.patient_id == patient.id))
    if profile is not None:
        # When the screening was done is clinical and stays; the next competition is training data.
        profile.next_competition_at = None


def _delete_messages(session: Session, patient: Patient) -> None:
    session.execute(delete(PatientToken).where(PatientToken.patient_id == patient.id))
    # The e-mails about the patient's appointments are theirs alone, whatever address they went to.
    own_appointments = select(Appointment.id).where(Appointment.patient_id == patient.id)
    session.execute(delete(OutboxMessage).where(OutboxMessage.appointment_id.in_(own_appointments)))
    if not patient.email:
        return
    # E-mails are kept by address only: when a family shares one, they are the others' e-mails too.
    shared = session.scalar(select(Patient.id).where(Patient.email == patient.email, Patient.id != patient.id).limit(1))
    if shared is None:
        session.execute(delete(OutboxMessage).where(OutboxMessage.to_address == patient.email))


def _deactivate_portal_account(session: Session, patient: Patient) -> None:
    if patient.user_id is None:
        return
    account = session.get(User, patient.user_id)
    account.email = erasure.anonymised_account_email(account.id)
    account.name = erasure.ANONYMISED_ACCOUNT_NAME
    account.is_active = False
    account.session_version += 1  # ends every session of the account
    patient.user_id = None
