"""Merging two records of one person: everything of the duplicate goes under the kept record.

Appointments (with their links), care episodes (with their outcome measures), training sessions,
check-ins, screening, waitlist entries and the portal account move to the kept patient in one
transaction, and a ``PatientMerge`` row records it.

What the database keeps append-only and sealed cannot move: the access log, signed treatment
notes (and their amendments), the recorded changes of details and the acknowledged alerts (whose
keys name the rows they were about, which keep their ids when they move) keep the merged patient's id,
because rewriting their ``patient_id`` is refused by triggers and would break their seals
(``clinic.sealing``; ``verify-records`` still passes after a merge). The merged patient's row
therefore stays as a tombstone pointing to the kept one: it is found by no search and answers
404 (``clinic.services.records``), and reads of the kept patient's notes and access log take in
every record merged into it (``record_ids``). Drafts move, as they are still the author's to change.

Refused (``Conflict``) when the two records have active appointments at overlapping times: the
database would refuse one patient at two places at once, so the desk must cancel or move one first.
When both records were screened, the kept record's screening stands and the duplicate's stays
with the tombstone; likewise a check-in of a day the kept record has one for already.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Integer, Select, and_, delete, exists, literal, select, update
from sqlalchemy.orm import Session, aliased

from clinic.errors import Conflict, Invalid, NotFound
from clinic.localtime import to_local, utcnow
from clinic.models import (
    Appointment,
    AppointmentStatus,
    CareEpisode,
    NoteStatus,
    Patient,
    PatientErasure,
    PatientIndication,
    PatientMerge,
    PatientReadinessProfile,
    PatientScreeningFlag,
    PatientSearchTerm,
    PatientToken,
    ReminderOptOut,
    TrainingSession,
    TreatmentNote,
    User,
    WaitlistEntry,
    WaitlistStatus,
    WellnessCheckIn,
)

# A merge chain (A into B, then B into C) is followed this many steps at most: far beyond any real one.
MAX_MERGE_DEPTH = 20


@dataclass(frozen=True)
class MergeResult:
    merge: PatientMerge
    # The duplicate's screening was set aside because the kept record was screened too.
    duplicate_screening_set_aside: bool
    # Days both records had a check-in for: the kept record's check-in stands.
    check_in_days_set_aside: tuple


def merged_into(session: Session, patient_id: int) -> int | None:
    """Return the id of the record ``patient_id`` was merged into (followed to the end), or None."""
    kept = None
    for _ in range(MAX_MERGE_DEPTH):
        following = session.scalar(select(PatientMerge.kept_id).where(PatientMerge.merged_id == (kept or patient_id)))
        if following is None:
            return kept
        kept = following
    return kept


def record_ids(patient_id: int) -> Select:
    """Select ``patient_id`` and the ids of every record merged into it, directly or through another."""
    chain = select(literal(patient_id, Integer).label("id")).cte("merged_records", recursive=True)
    chain = chain.union_all(select(PatientMerge.merged_id).where(PatientMerge.kept_id == chain.c.id))
    return select(chain.c.id)


def not_merged_away():
    """Return the condition on ``Patient`` that leaves out the tombstones of merged records."""
    return ~exists().where(PatientMerge.merged_id == Patient.id)


def merge_patients(session: Session, kept: Patient, duplicate_id: int, *, by: User, reason: str = "") -> MergeResult:
    """Move everything of patient ``duplicate_id`` under ``kept`` and record the merge (see the module).

    :raises Invalid: the duplicate is the kept patient, or no such (live) patient.
    :raises Conflict: either record was erased, or their active appointments overlap.
    """
    if duplicate_id == kept.id:
        raise Invalid("A patient cannot be merged with itself.", fields={"duplicate_id": "same_patient"})
    # Both rows locked, in id order, so two merges of the same pair cannot cross.
    locked = session.scalars(select(Patient).where(Patient.id.in_((kept.id, duplicate_id)), not_merged_away())
                             .order_by(Patient.id).with_for_update()).all()
    duplicate = next((patient for patient in locked if patient.id == duplicate_id), None)
    if duplicate is None:
        raise Invalid("There is no such patient to merge.", fields={"duplicate_id": "no_such_patient"})
    if len(locked) < 2:
        raise NotFound("No such patient.")
    if session.scalar(select(PatientErasure.id).where(PatientErasure.patient_id.in_((kept.id, duplicate.id)))):
        raise Conflict("A patient whose data was erased cannot be merged.", code="erased")
    _refuse_overlapping_appointments(session, kept, duplicate)
    _move(session, Appointment, duplicate, kept)
    _move(session, CareEpisode, duplicate, kept)
    _move(session, PatientToken, duplicate, kept)
    _move(session, TrainingSession, duplicate, kept)
    _move_waitlist(session, duplicate, kept)
    session.execute(update(TreatmentNote).where(TreatmentNote.patient_id == duplicate.id,
                                                TreatmentNote.status == NoteStatus.DRAFT.value)
                    .values(patient_id=kept.id))
    check_in_days = _move_check_ins(session, duplicate, kept)
    screening_set_aside = _merge_screening(session, duplicate, kept)
    _merge_portal_account(session, duplicate, kept)
    if not session.get(ReminderOptOut, kept.id):
        _move(session, ReminderOptOut, duplicate, kept)
    # The tombstone is found by no search.
    session.execute(delete(PatientSearchTerm).where(PatientSearchTerm.patient_id == duplicate.id))
    merge = PatientMerge(kept_id=kept.id, merged_id=duplicate.id, merged_by_id=by.id, reason=reason.strip())
    session.add(merge)
    session.flush()
    session.expire_all()
    return MergeResult(merge, screening_set_aside, check_in_days)


def overlapping_appointments(session: Session, kept: Patient, duplicate: Patient) -> Sequence[tuple]:
    """Return the pairs (kept's, duplicate's) of active appointments at overlapping times."""
    theirs = aliased(Appointment)
    active = AppointmentStatus.CANCELLED.value
    return session.execute(
        select(Appointment, theirs)
        .join(theirs, and_(theirs.patient_id == duplicate.id, theirs.status != active,
                           theirs.starts_at < Appointment.ends_at, Appointment.starts_at < theirs.ends_at))
        .where(Appointment.patient_id == kept.id, Appointment.status != active)
        .order_by(Appointment.starts_at)
    ).all()


def _refuse_overlapping_appointments(session: Session, kept: Patient, duplicate: Patient) -> None:
    pairs = overlapping_appointments(session, kept, duplicate)
    if pairs:
        raise Conflict(
            "Both records have an appointment at the same time: cancel or move one of each pair first. "
            + "; ".join(f"{to_local(own.starts_at):%Y-%m-%d %H:%M} (appointments {own.id} and {other.id})"
                        for own, other in pairs),
            code="overlapping_appointments",
            fields={f"appointments.{other.id}": f"overlaps_appointment_{own.id}" for own, other in pairs},
        )


def _move(session: Session, model, duplicate: Patient, kept: Patient, *conditions) -> None:
    session.execute(update(model).where(model.patient_id == duplicate.id, *conditions).values(patient_id=kept.id))


def _move_waitlist(session: Session, duplicate: Patient, kept: Patient) -> None:
    """Move the duplicate's waitlist entries; one it waits for a type the kept record waits for too ends (removed)."""
    active = WaitlistStatus.ACTIVE.value
    kept_types = select(WaitlistEntry.appointment_type_id).where(WaitlistEntry.patient_id == kept.id,
                                                                 WaitlistEntry.status == active).scalar_subquery()
    session.execute(update(WaitlistEntry).where(
        WaitlistEntry.patient_id == duplicate.id, WaitlistEntry.status == active,
        WaitlistEntry.appointment_type_id.in_(kept_types),
    ).values(status=WaitlistStatus.REMOVED.value, ended_at=utcnow()))
    _move(session, WaitlistEntry, duplicate, kept)


def _move_check_ins(session: Session, duplicate: Patient, kept: Patient) -> tuple:
    kept_days = select(WellnessCheckIn.day).where(WellnessCheckIn.patient_id == kept.id).scalar_subquery()
    clashing = tuple(session.scalars(select(WellnessCheckIn.day).where(
        WellnessCheckIn.patient_id == duplicate.id, WellnessCheckIn.day.in_(kept_days)).order_by(WellnessCheckIn.day)))
    _move(session, WellnessCheckIn, duplicate, kept, WellnessCheckIn.day.not_in(clashing))
    return clashing


def _was_screened(session: Session, patient: Patient) -> bool:
    return any(session.scalar(select(exists().where(model.patient_id == patient.id, *conditions))) for model, *conditions in (
        (PatientReadinessProfile, PatientReadinessProfile.screened_at.is_not(None)),
        (PatientScreeningFlag,),
        (PatientIndication,),
    ))


def _merge_screening(session: Session, duplicate: Patient, kept: Patient) -> bool:
    """Take the duplicate's screening unless the kept record has one; tell whether it was set aside."""
    if not _was_screened(session, duplicate):
        return False
    if _was_screened(session, kept):
        return True
    _move(session, PatientScreeningFlag, duplicate, kept)
    _move(session, PatientIndication, duplicate, kept)
    theirs = session.scalar(select(PatientReadinessProfile).where(PatientReadinessProfile.patient_id == duplicate.id))
    own = session.scalar(select(PatientReadinessProfile).where(PatientReadinessProfile.patient_id == kept.id))
    if theirs is not None and own is None:
        theirs.patient_id = kept.id
    elif theirs is not None:
        own.screened_at, own.screened_by_id, own.screening_due_on = (
            theirs.screened_at, theirs.screened_by_id, theirs.screening_due_on)
        own.next_competition_at = own.next_competition_at or theirs.next_competition_at
    session.flush()
    return False


def _merge_portal_account(session: Session, duplicate: Patient, kept: Patient) -> None:
    """Give the kept record the duplicate's portal login if it has none; otherwise close the duplicate's."""
    if duplicate.user_id is None:
        return
    account_id, duplicate.user_id = duplicate.user_id, None
    session.flush()
    if kept.user_id is None:
        kept.user_id = account_id
        return
    account = session.get(User, account_id)
    account.is_active = False
    account.session_version += 1  # ends every session of the account
