"""A chiropractor's alerts: what needs a look, worked out from the data, and acknowledging them.

The alerts are derived, never stored: a red flag a patient reported in a check-in, a worrying
answer to the after-visit check-in, an adverse reaction recorded in a signed note, and, for the
appointments of today and tomorrow, a warning level of 2 or more and a screening that is missing
or due. Each has a stable key made of what it is about (the report, the answer, the note's
modality row, the appointment), so an acknowledgement sticks and a new worrying answer is a new
alert. Acknowledging records who did it and when in the append-only ``alert_acknowledgements``.

Acknowledging a reported red flag is the chiropractor's review of that report: from then on the
readiness engine stops counting it (``readiness.review_red_flag_reports``, which records the
acknowledgement too).

A chiropractor's alerts are those of their patients (anyone with an appointment with them), of
their own visits and notes, and of their appointments; ``chiropractor=None`` gives the clinic's.
"""
from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from clinic import policy
from clinic.errors import Conflict, Invalid, NotAllowed
from clinic.localtime import to_local
from clinic.models import (
    AfterVisitAnswer,
    AlertAcknowledgement,
    AlertKind,
    Appointment,
    Chiropractor,
    NoteStatus,
    Patient,
    RecordPart,
    TreatmentNote,
    TreatmentNoteModality,
    WellnessCheckIn,
    WellnessComplaint,
)
from clinic.models.alerts import MAX_ALERT_KEY_LENGTH
from clinic.policy import Action, Resource
from clinic.readiness.states import ScreeningStatus
from clinic.services import my_day
from clinic.services import readiness as readiness_service
from clinic.services.access_log import Requester
from clinic.services.records import find_patient_for

# The warning level from which the chiropractor is alerted: "reduce load" and "refer" (DOMAIN.md).
ALERT_WARNING_LEVEL = 2
# The alerts worked out from the readiness at an appointment's start.
APPOINTMENT_KINDS = frozenset({AlertKind.WARNING_LEVEL, AlertKind.SCREENING})


@dataclass(frozen=True)
class Alert:
    """Something a chiropractor should look at; ``detail`` is the flag, level, status or reaction."""

    key: str
    kind: AlertKind
    patient: Patient
    raised_at: datetime
    detail: str = ""
    appointment: Appointment | None = None


def _chiropractor_user_id(chiropractor: Chiropractor | None) -> int | None:
    return None if chiropractor is None else chiropractor.user_id


# The alerts of what patients told or what a note recorded --------------------------------------------


def _patients_of(chiropractor: Chiropractor | None) -> ColumnElement[bool]:
    if chiropractor is None:
        return true()
    return WellnessCheckIn.patient_id.in_(
        select(Appointment.patient_id).where(Appointment.chiropractor_id == chiropractor.id))


def _reported_red_flags(session: Session, chiropractor: Chiropractor | None, *where) -> list[Alert]:
    reports = session.scalars(
        select(WellnessComplaint).join(WellnessComplaint.check_in).join(WellnessCheckIn.patient)
        .where(WellnessComplaint.reviewed_at.is_(None),
               WellnessComplaint.complaint.in_(readiness_service.red_flag_complaints()),
               _patients_of(chiropractor), *where)
        .options(contains_eager(WellnessComplaint.check_in).contains_eager(WellnessCheckIn.patient))
    )
    return [Alert(AlertKind.REPORTED_RED_FLAG.key(report.id), AlertKind.REPORTED_RED_FLAG,
                  report.check_in.patient, report.check_in.created_at, report.complaint) for report in reports]


def _after_visit(session: Session, chiropractor: Chiropractor | None, *where) -> list[Alert]:
    mine = true() if chiropractor is None else Appointment.chiropractor_id == chiropractor.id
    answers = session.scalars(
        select(AfterVisitAnswer).join(AfterVisitAnswer.appointment).join(Appointment.patient)
        .where(AfterVisitAnswer.is_worrying, mine, *where)
        .options(contains_eager(AfterVisitAnswer.appointment).contains_eager(Appointment.patient))
    )
    return [Alert(AlertKind.AFTER_VISIT.key(answer.id), AlertKind.AFTER_VISIT, answer.appointment.patient,
                  answer.answered_at, str(answer.pain_now), answer.appointment) for answer in answers]


def _adverse_reactions(session: Session, chiropractor: Chiropractor | None, *where) -> list[Alert]:
    author = _chiropractor_user_id(chiropractor)
    mine = true() if author is None else TreatmentNote.author_id == author
    rows = session.scalars(
        select(TreatmentNoteModality).join(TreatmentNoteModality.note).join(TreatmentNote.patient)
        .where(TreatmentNoteModality.modality == "dry_needling", TreatmentNote.status == NoteStatus.SIGNED.value,
               mine, *where)
        .options(contains_eager(TreatmentNoteModality.note).contains_eager(TreatmentNote.patient))
    )
    return [Alert(AlertKind.ADVERSE_REACTION.key(row.id), AlertKind.ADVERSE_REACTION, row.note.patient,
                  row.note.signed_at, row.details["adverse_reaction"], row.note.appointment)
            for row in rows if (row.details.get("adverse_reaction") or "").strip()]


# The alerts of an appointment: the readiness at its start ---------------------------------------------


def appointment_alerts(row: my_day.DayAppointment) -> list[Alert]:
    """Return the alerts of one appointment that takes place: a high warning level, a screening missing or due."""
    result, appointment = row.readiness, row.appointment
    if result is None:
        return []
    alerts = []
    if result.overtraining_level >= ALERT_WARNING_LEVEL:
        alerts.append(Alert(AlertKind.WARNING_LEVEL.key(appointment.id, result.overtraining_level),
                            AlertKind.WARNING_LEVEL, appointment.patient, appointment.starts_at,
                            str(result.overtraining_level), appointment))
    if result.screening.status is not ScreeningStatus.CURRENT:
        alerts.append(Alert(AlertKind.SCREENING.key(appointment.id, result.screening.status.key),
                            AlertKind.SCREENING, appointment.patient, appointment.starts_at,
                            result.screening.status.key, appointment))
    return alerts


def _coming_days(session: Session, chiropractor: Chiropractor | None, now: datetime) -> list[my_day.DayAppointment]:
    today = to_local(now).date()
    return [row for day in (today, today + timedelta(days=1)) for row in my_day.day_of(session, chiropractor, day)]


# Putting them together ---------------------------------------------------------------------------


def acknowledged_keys(session: Session, keys: Iterable[str]) -> set[str]:
    """Return which of ``keys`` were acknowledged."""
    keys = list(keys)
    if not keys:
        return set()
    return set(session.scalars(select(AlertAcknowledgement.alert_key).where(AlertAcknowledgement.alert_key.in_(keys))))


def _open(session: Session, alerts: Sequence[Alert]) -> list[Alert]:
    done = acknowledged_keys(session, (alert.key for alert in alerts))
    return [alert for alert in alerts if alert.key not in done]


def _recorded_alerts(session: Session, chiropractor: Chiropractor | None) -> list[Alert]:
    return (_reported_red_flags(session, chiropractor) + _after_visit(session, chiropractor)
            + _adverse_reactions(session, chiropractor))


def open_alerts(session: Session, chiropractor: Chiropractor | None, now: datetime) -> list[Alert]:
    """Return the open (unacknowledged) alerts of ``chiropractor`` (the clinic's for None), the newest first."""
    alerts = _recorded_alerts(session, chiropractor)
    alerts += [alert for row in _coming_days(session, chiropractor, now) for alert in appointment_alerts(row)]
    return sorted(_open(session, alerts), key=lambda alert: (alert.raised_at, alert.key), reverse=True)


class AppointmentAlertKeys:
    """The keys of each chiropractor's appointment alerts (today and tomorrow), kept for ``lifetime``.

    The count in the navigation is shown on every clinical page, and these alerts take a readiness
    evaluation per appointment; what patients report (red flags, after-visit answers) and what
    notes record are cheap queries and always counted afresh, as are acknowledgements. Opening the
    alert list stores what it worked out, so the count there matches the list.
    """

    def __init__(self, lifetime: timedelta):
        self.lifetime = lifetime
        self._entries: dict[tuple[int, date], tuple[datetime, tuple[str, ...]]] = {}
        self._lock = threading.Lock()

    def get(self, session: Session, chiropractor: Chiropractor, now: datetime) -> tuple[str, ...]:
        """Return the keys, worked out again when older than the lifetime."""
        with self._lock:
            made_at, keys = self._entries.get((chiropractor.id, to_local(now).date()), (None, ()))
        if made_at is not None and made_at <= now < made_at + self.lifetime:
            return keys
        keys = tuple(alert.key for row in _coming_days(session, chiropractor, now) for alert in appointment_alerts(row))
        self.store(chiropractor, now, keys)
        return keys

    def store(self, chiropractor: Chiropractor, now: datetime, keys: Iterable[str]) -> None:
        """Keep the keys just worked out; entries of other days go."""
        today = to_local(now).date()
        with self._lock:
            self._entries = {key: entry for key, entry in self._entries.items() if key[1] == today}
            self._entries[(chiropractor.id, today)] = (now, tuple(keys))


def open_alert_count(session: Session, chiropractor: Chiropractor, appointment_keys: Iterable[str]) -> int:
    """Return how many alerts of ``chiropractor`` are open, given the keys of their appointment alerts."""
    keys = {alert.key for alert in _recorded_alerts(session, chiropractor)} | set(appointment_keys)
    return len(keys - acknowledged_keys(session, keys))


def day_with_alerts(session: Session, chiropractor: Chiropractor, day: date) -> list[tuple[my_day.DayAppointment, list[Alert]]]:
    """Return the chiropractor's day (``my_day.day_of``), each appointment with the open alerts of it and its patient."""
    rows = my_day.day_of(session, chiropractor, day)
    by_patient = defaultdict(list)
    for alert in _recorded_alerts(session, chiropractor):
        by_patient[alert.patient.id].append(alert)
    per_row = [(row, appointment_alerts(row) + by_patient[row.appointment.patient_id] if row.takes_place else [])
               for row in rows]
    done = acknowledged_keys(session, (alert.key for _, alerts in per_row for alert in alerts))
    return [(row, [alert for alert in alerts if alert.key not in done]) for row, alerts in per_row]


# Acknowledging ---------------------------------------------------------------------------------


def find_alert(session: Session, key: str) -> Alert | None:
    """Return the alert ``key`` names if it is an alert now, whether or not acknowledged."""
    if len(key) > MAX_ALERT_KEY_LENGTH:
        return None
    kind, _, rest = key.partition(":")
    first = rest.split(":")[0]
    if not (first.isascii() and first.isdigit() and 0 < int(first) < 2**31):
        return None
    ident = int(first)
    if kind == AlertKind.REPORTED_RED_FLAG.value:
        found = _reported_red_flags(session, None, WellnessComplaint.id == ident)
    elif kind == AlertKind.AFTER_VISIT.value:
        found = _after_visit(session, None, AfterVisitAnswer.id == ident)
    elif kind == AlertKind.ADVERSE_REACTION.value:
        found = _adverse_reactions(session, None, TreatmentNoteModality.id == ident)
    elif kind in (AlertKind.WARNING_LEVEL.value, AlertKind.SCREENING.value):
        appointment = session.get(Appointment, ident)
        found = [] if appointment is None else appointment_alerts(my_day.evaluated(session, appointment))
    else:
        return None
    return next((alert for alert in found if alert.key == key), None)


def ident_of(key: str) -> int:
    """Return the id of what an alert is about (the report, the answer, the appointment, …)."""
    return int(key.split(":")[1])


def acknowledge(session: Session, requester: Requester, key: str, *, now: datetime) -> AlertAcknowledgement:
    """Record that ``requester`` acknowledged the alert ``key``, logged as a write to the patient's record.

    :raises NotAllowed: the requester is not a chiropractor.
    :raises Invalid: there is no such alert (any more): the level changed, the appointment was cancelled, ….
    :raises Conflict: the alert was acknowledged already (by whoever was first).
    """
    by = requester.user
    if not policy.may(by.role, Resource.TRAINING_DATA, Action.WRITE):
        raise NotAllowed("Only chiropractors acknowledge alerts.")
    alert = find_alert(session, key)
    if alert is None:
        if acknowledged_keys(session, [key]):
            raise Conflict("This alert was acknowledged already.", fields={"key": "already_acknowledged"})
        raise Invalid("There is no such open alert.", fields={"key": "unknown_alert"})
    find_patient_for(session, requester, alert.patient.id, resource=Resource.TRAINING_DATA, action=Action.WRITE,
                     part=RecordPart.READINESS)
    try:
        with session.begin_nested():
            if alert.kind is AlertKind.REPORTED_RED_FLAG:
                readiness_service.review_red_flag_reports(session, alert.patient, [ident_of(key)],
                                                          reviewed_by=by, now=now)
            else:
                session.add(AlertAcknowledgement(alert_key=key, kind=alert.kind.value, patient_id=alert.patient.id,
                                                 acknowledged_by_id=by.id, acknowledged_at=now))
            session.flush()
    except (IntegrityError, Invalid):
        # Another chiropractor was first: the UNIQUE key, or (a red flag) the report is reviewed by now.
        raise Conflict("This alert was acknowledged already.", fields={"key": "already_acknowledged"}) from None
    return session.scalar(select(AlertAcknowledgement).where(AlertAcknowledgement.alert_key == key))
