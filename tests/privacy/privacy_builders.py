"""Builders for the privacy tests: one patient with something in every part of their record."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from clinic.extensions import db
from clinic.models import (
    Appointment,
    AppointmentAction,
    BookingSource,
    CareEpisode,
    EnteredBy,
    Patient,
    TreatmentNote,
    User,
    WaitlistOffer,
    WaitlistSource,
)
from clinic.outcomes.measures import Entry, Measure, PskItem
from clinic.services import episodes
from clinic.services.after_visit import AfterVisitReport, issue_after_visit_link, record_after_visit_answers
from clinic.services.booking import record as record_event
from clinic.services.online_booking import issue_manage_token
from clinic.services.outbox import Attachment, queue_email
from clinic.services.readiness import (
    NewCheckIn,
    NewTrainingSession,
    ScreeningUpdate,
    record_check_in,
    record_training_session,
    update_screening,
)
from clinic.services.waitlist import WishDetails, issue_claim_link, join_waitlist
from clinic.services.treatment_notes import AppliedModality, NoteContent, amend_note, sign_note, start_note
from tests.clinical.clinical_builders import add_appointment, local

NOW = datetime(2026, 11, 30, 8, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 30)


@dataclass
class PatientRecord:
    patient: Patient
    past: Appointment
    future: Appointment
    signed_note: TreatmentNote
    draft_note: TreatmentNote
    episode: CareEpisode


def fill_patient_record(patient: Patient, chiropractor: User, *, now: datetime) -> PatientRecord:
    """Give ``patient`` appointments (with events and an after-visit check-in), training, check-ins, screening,
    notes, e-mail, links, a care episode (the past visit's) with outcome measures and a waitlist entry with a
    time offered."""
    past = add_appointment(patient, local(2026, 11, 23, 9, 0), status="completed")
    record_event(db.session, past, AppointmentAction.BOOKED, None, BookingSource.ONLINE)
    future = add_appointment(patient, local(2026, 12, 7, 9, 0))
    record_event(db.session, future, AppointmentAction.BOOKED, chiropractor, BookingSource.FRONTDESK)
    issue_manage_token(db.session, future)
    queue_email(db.session, kind="booking_confirmation", to_address=patient.email, subject="Uw afspraak",
                body_text=f"Beste {patient.first_name}, tot maandag.",
                attachments=[Attachment("afspraak.ics", "text/calendar", "X"),
                             Attachment("reeks.ics", "text/calendar", "Y")])
    for days_ago, rpe in ((3, 6), (2, 7)):
        record_training_session(db.session, patient, NewTrainingSession(
            ended_at=now - timedelta(days=days_ago), duration_minutes=60, rpe=rpe), entered_by=None, now=now)
    record_check_in(db.session, patient, NewCheckIn(
        day=TODAY, sleep=3, fatigue=4, stress=2, soreness=3, doms=4, doms_region="calves", rmssd_ms=55.5,
        complaints={"fatigue": TODAY - timedelta(days=2)}), entered_by=None, today=TODAY)
    update_screening(db.session, patient, ScreeningUpdate(
        flags={"anticoagulant": ()}, indications=("spinal_pain_mechanical",),
        next_competition_at=now + timedelta(days=10)), checked_by=chiropractor, now=now)
    signed = start_note(db.session, patient, NoteContent(
        subjective="Stijve onderrug na de wedstrijd.", plan="Over een week terug.",
        modalities=(AppliedModality("massage", {"regions": ["lower back"], "minutes": 30, "technique": "effleurage"}),),
    ), author=chiropractor, appointment=past, now=now)
    sign_note(db.session, signed, signer=chiropractor, now=now)
    record_after_visit_answers(db.session, issue_after_visit_link(db.session, past, now), AfterVisitReport(
        pain_now=3, soreness=5, bruising=True, remarks="Blauwe plek op de kuit."), now)
    amend_note(db.session, signed, "Patiënt meldt achteraf minder pijn.", author=chiropractor, now=now)
    draft = start_note(db.session, patient, NoteContent(subjective="Concept."), author=chiropractor, now=now)
    episode = episodes.open_episode(db.session, patient, episodes.NewEpisode(
        past.chiropractor_id, "onderrug", TODAY - timedelta(days=20), "Weer wedstrijden spelen"), by=chiropractor,
        now=now - timedelta(days=8))
    episodes.assign_appointment(db.session, past, episode)
    episodes.record_outcome(db.session, episode, Entry(Measure.NPRS, value=6), entered_by=EnteredBy.STAFF,
                            user=chiropractor, now=now - timedelta(days=7), appointment_id=past.id)
    episodes.record_outcome(db.session, episode, Entry(Measure.PSK, items=[PskItem("hardlopen", 4)]),
                            entered_by=EnteredBy.PATIENT, user=None, now=now)
    entry = join_waitlist(db.session, patient, WishDetails(future.appointment_type, TODAY + timedelta(days=30),
                                                           [future.chiropractor_id], [0, 1]),
                          created_by=WaitlistSource.PATIENT, today=TODAY)
    offer = WaitlistOffer(entry=entry, chiropractor_id=future.chiropractor_id, starts_at=local(2026, 12, 8, 10, 0),
                          offered_at=now)
    db.session.add(offer)
    issue_claim_link(db.session, offer, now, timedelta(hours=2))
    return PatientRecord(patient, past, future, signed, draft, episode)
