"""A patient's readiness data: recording training, check-ins and screening, and evaluating them.

This is the only way in for what the readiness engine (``clinic.readiness``) reads. Each record
function checks the values (raising ``Invalid`` with a code per field), adds and flushes; the
caller commits. ``evaluate_readiness`` loads what was known up to an instant and asks the engine.
"""
from __future__ import annotations

import calendar
import csv
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Row, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, selectinload

from clinic import policy, readiness
from clinic.readiness.engine import assess_screening
from clinic.readiness.states import ScreeningStatus
from clinic.bounds import CLINIC_DAYS, whole_number
from clinic.errors import Conflict, Invalid, NotAllowed
from clinic.localtime import AmbiguousLocalTime, NonexistentLocalTime, to_local, to_utc
from clinic.models import (
    AlertAcknowledgement,
    AlertKind,
    Appointment,
    AppointmentStatus,
    AppointmentType,
    Patient,
    PatientIndication,
    PatientReadinessProfile,
    PatientScreeningFlag,
    TrainingSession,
    User,
    WellnessCheckIn,
    WellnessComplaint,
)
from clinic.models.training import MAX_SESSION_MINUTES
from clinic.policy import Action, Resource

MAX_KIND_LENGTH = 40
MAX_REGION_LENGTH = 80
MAX_RMSSD_MS = 1000.0
HOOPER_ITEMS = ("sleep", "fatigue", "stress", "soreness")
# A session ending a few minutes from now is a clock difference, not a typo.
FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_IMPORT_ROWS = 5000
# A cell's number beyond this is no duration or RPE; bounded so the float it is read as stays exact.
MAX_CELL_NUMBER = 10**9
# A CSV row without a time is taken to have ended at this local time (evening training).
DEFAULT_IMPORT_END_TIME = time(18, 0)
# The appointments still to come: the next one is evaluated on the patient's page.
UPCOMING_STATUSES = (AppointmentStatus.BOOKED.value, AppointmentStatus.CHECKED_IN.value)
# A full screening is due again this many months after it; the SCREENING_VALID_MONTHS setting.
DEFAULT_SCREENING_VALID_MONTHS = 6


# Checking single values ----------------------------------------------------------------------


def clean_line(raw: str | None, *, max_length: int) -> str:
    """Return one line of typed text with spaces tidied; raise ``ValueError`` with a code if unusable."""
    text = " ".join(unicodedata.normalize("NFC", raw or "").split())
    if len(text) > max_length:
        raise ValueError("too_long")
    if any(unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn"} for char in text):
        raise ValueError("invalid_characters")
    return text


def _collect(checks: Mapping[str, object]) -> tuple[dict, dict]:
    """Run each field's check (a callable), returning the values and the codes of the failures."""
    values, errors = {}, {}
    for name, check in checks.items():
        try:
            values[name] = check()
        except ValueError as error:
            errors[name] = str(error)
    return values, errors


# Training sessions -----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewTrainingSession:
    """A session as typed: when it ended, how long, how hard (session RPE 0–10)."""

    ended_at: datetime
    duration_minutes: object
    rpe: object
    kind: str = "training"
    is_competition: bool = False


def _checked_session(details: NewTrainingSession, now: datetime) -> dict:
    def ended_at() -> datetime:
        if details.ended_at > now + FUTURE_TOLERANCE:
            raise ValueError("in_future")
        return details.ended_at

    def kind() -> str:
        text = clean_line(details.kind, max_length=MAX_KIND_LENGTH)
        if not text:
            raise ValueError("required")
        return text

    values, errors = _collect({
        "ended_at": ended_at,
        "duration_minutes": lambda: whole_number(details.duration_minutes, 1, MAX_SESSION_MINUTES),
        "rpe": lambda: whole_number(details.rpe, 0, 10),
        "kind": kind,
    })
    if errors:
        raise Invalid("Some values of the training session are not right.", fields=errors)
    return values | {"is_competition": bool(details.is_competition)}


def record_training_session(
    session: Session, patient: Patient, details: NewTrainingSession, *, entered_by: User | None, now: datetime
) -> TrainingSession:
    """Add a training session to the patient's log."""
    record = TrainingSession(patient_id=patient.id, entered_by_id=entered_by and entered_by.id,
                             **_checked_session(details, now))
    session.add(record)
    session.flush()
    return record


def training_sessions_of(session: Session, patient: Patient, *, limit: int | None = None) -> Sequence[TrainingSession]:
    """Return the patient's sessions, the latest first."""
    query = (select(TrainingSession).where(TrainingSession.patient_id == patient.id)
             .order_by(TrainingSession.ended_at.desc(), TrainingSession.id.desc()).limit(limit))
    return session.scalars(query).all()


# Wellness check-ins ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NewCheckIn:
    """A daily check-in as typed; everything but the day may be left out."""

    day: date
    sleep: object = None
    fatigue: object = None
    stress: object = None
    soreness: object = None
    doms: object = None
    doms_region: str | None = None
    rmssd_ms: object = None
    complaints: Mapping[str, date] = field(default_factory=dict)


def _optional(check, value):
    return None if value is None else check(value)


def _rmssd(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError("not_a_number")
    if not 0 < value <= MAX_RMSSD_MS:
        raise ValueError("out_of_range")
    return float(value)


def _checked_check_in(details: NewCheckIn, today: date) -> tuple[dict, dict[str, date]]:
    def day() -> date:
        if details.day > today:
            raise ValueError("in_future")
        return details.day

    def doms_region() -> str | None:
        region = clean_line(details.doms_region, max_length=MAX_REGION_LENGTH)
        if region and details.doms is None:
            raise ValueError("needs_doms")
        return region or None

    checks = {item: (lambda item=item: _optional(lambda v: whole_number(v, 1, 7), getattr(details, item)))
              for item in HOOPER_ITEMS}
    values, errors = _collect(checks | {
        "day": day,
        "doms": lambda: _optional(lambda v: whole_number(v, 0, 10), details.doms),
        "doms_region": doms_region,
        "rmssd_ms": lambda: _optional(_rmssd, details.rmssd_ms),
    })
    known = readiness.complaints()
    for name, began_on in details.complaints.items():
        if name not in known:
            errors[f"complaints.{name}"] = "unknown_complaint"
        elif began_on > details.day:
            errors[f"complaints.{name}"] = "after_check_in_day"
    if errors:
        raise Invalid("Some values of the check-in are not right.", fields=errors)
    return values, dict(details.complaints)


def record_check_in(
    session: Session, patient: Patient, details: NewCheckIn, *, entered_by: User | None, today: date
) -> WellnessCheckIn:
    """Add the patient's check-in for a day; a second one for the same day is a ``Conflict``."""
    values, complaints = _checked_check_in(details, today)
    existing = session.scalar(select(WellnessCheckIn.id).where(
        WellnessCheckIn.patient_id == patient.id, WellnessCheckIn.day == values["day"]))
    if existing is not None:
        raise Conflict("There is already a check-in for this day.", fields={"day": "already_checked_in"})
    record = WellnessCheckIn(
        patient_id=patient.id, entered_by_id=entered_by and entered_by.id, **values,
        complaints=[WellnessComplaint(complaint=name, began_on=began_on) for name, began_on in sorted(complaints.items())],
    )
    try:
        # A savepoint: losing a race for the day must not undo the caller's other work.
        with session.begin_nested():
            session.add(record)
            session.flush()
    except IntegrityError:
        raise Conflict("There is already a check-in for this day.", fields={"day": "already_checked_in"}) from None
    return record


def check_ins_of(session: Session, patient: Patient, *, limit: int | None = None) -> Sequence[WellnessCheckIn]:
    """Return the patient's check-ins with their complaints, the latest day first."""
    query = (select(WellnessCheckIn).where(WellnessCheckIn.patient_id == patient.id)
             .options(selectinload(WellnessCheckIn.complaints))
             .order_by(WellnessCheckIn.day.desc()).limit(limit))
    return session.scalars(query).all()


def check_in_on(session: Session, patient: Patient, day: date) -> WellnessCheckIn | None:
    """Return the patient's check-in of ``day``, if there is one."""
    return session.scalar(select(WellnessCheckIn).where(
        WellnessCheckIn.patient_id == patient.id, WellnessCheckIn.day == day))


# Red flags reported in check-ins -----------------------------------------------------------------


def red_flag_complaints() -> tuple[str, ...]:
    """Return the complaints whose report counts as a red flag until a chiropractor reviews it."""
    return tuple(name for name, complaint in readiness.complaints().items() if complaint.red_flag)


def unreviewed_red_flag_reports(session: Session, patient: Patient) -> Sequence[WellnessComplaint]:
    """Return the patient's reports of red-flag complaints no chiropractor has reviewed, oldest first."""
    return session.scalars(
        select(WellnessComplaint).join(WellnessComplaint.check_in)
        .where(WellnessCheckIn.patient_id == patient.id, WellnessComplaint.reviewed_at.is_(None),
               WellnessComplaint.complaint.in_(red_flag_complaints()))
        .options(contains_eager(WellnessComplaint.check_in))
        .order_by(WellnessCheckIn.day, WellnessComplaint.complaint)
    ).all()


def review_red_flag_reports(
    session: Session, patient: Patient, report_ids: Iterable[int], *, reviewed_by: User, now: datetime
) -> Sequence[WellnessComplaint]:
    """Record that ``reviewed_by`` reviewed these red-flag reports of ``patient`` (the ones they were shown).

    Only the reports named are marked, so one that came in while the page was open stays open.
    Ids of other patients' or already reviewed reports are left alone. Raise ``NotAllowed`` for a
    reviewer who is not a chiropractor and ``Invalid`` when none of the ids is an open report.
    """
    if not policy.may(reviewed_by.role, Resource.TRAINING_DATA, Action.WRITE):
        raise NotAllowed("Only chiropractors review reported red flags.")
    wanted = set(report_ids)
    reports = [report for report in unreviewed_red_flag_reports(session, patient) if report.id in wanted]
    if not reports:
        raise Invalid("There is no open report to review.", fields={"reports": "none_open"})
    for report in reports:
        report.reviewed_at = now
        report.reviewed_by_id = reviewed_by.id
    # The review is the acknowledgement of the report's alert (``clinic.services.alerts``), recorded as such.
    session.add_all(AlertAcknowledgement(
        alert_key=AlertKind.REPORTED_RED_FLAG.key(report.id), kind=AlertKind.REPORTED_RED_FLAG.value,
        patient_id=patient.id, acknowledged_by_id=reviewed_by.id, acknowledged_at=now) for report in reports)
    session.flush()
    return reports


# Screening -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ScreeningUpdate:
    """The whole screening checklist as just gone through.

    ``flags`` maps each flag found present to the body regions it concerns (empty: not regional or
    region not given); flags left out are absent. ``indications`` are the clinical indications.
    """

    flags: Mapping[str, Iterable[str]] = field(default_factory=dict)
    indications: Iterable[str] = ()
    next_competition_at: datetime | None = None


@dataclass(frozen=True)
class FlagRecord:
    """A flag present at screening, with the regions it concerns and who checked it when."""

    name: str
    regions: tuple[str, ...]
    checked_on: date
    checked_by: User | None


@dataclass(frozen=True)
class ScreeningRecord:
    """What the screening says now, for pages and the API."""

    flags: dict[str, FlagRecord]
    indications: tuple[str, ...]
    next_competition_at: datetime | None
    screened_at: datetime | None
    screened_by: User | None
    due_on: date | None


def _checked_screening(update: ScreeningUpdate, now: datetime) -> tuple[dict[str, tuple[str, ...]], set[str]]:
    known_flags, errors, flags = readiness.screening_flags(), {}, {}
    for name, raw_regions in update.flags.items():
        if name not in known_flags:
            errors[f"flags.{name}"] = "unknown_flag"
            continue
        try:
            regions = tuple(sorted({clean_line(region, max_length=MAX_REGION_LENGTH) for region in raw_regions} - {""}))
        except ValueError as error:
            errors[f"flags.{name}"] = str(error)
            continue
        if regions and not known_flags[name].regional:
            errors[f"flags.{name}"] = "not_regional"
        flags[name] = regions or ("",)
    indications = set(update.indications)
    unknown = sorted(indications - set(readiness.indications()))
    if unknown:
        errors["indications"] = "unknown_indication"
    if update.next_competition_at is not None and update.next_competition_at < now:
        errors["next_competition_at"] = "in_past"
    if errors:
        raise Invalid("Some screening values are not right.", fields=errors)
    return flags, indications


def _profile(session: Session, patient: Patient) -> PatientReadinessProfile | None:
    return session.scalar(select(PatientReadinessProfile).where(PatientReadinessProfile.patient_id == patient.id))


def screening_status(session: Session, patient_id: int | None, at: datetime) -> ScreeningStatus:
    """Return whether the patient's screening is current, due or missing at ``at`` (missing for no patient).

    One query either way, so that asking about nobody takes as long as asking about a patient.
    """
    row = session.execute(
        select(PatientReadinessProfile.screened_at, PatientReadinessProfile.screening_due_on)
        .where(PatientReadinessProfile.patient_id == (patient_id or 0))
    ).first()
    screening = readiness.Screening(screened_at=row[0], due_on=row[1]) if row else readiness.Screening()
    return assess_screening(screening, at, readiness.default_rules()).status


def months_after(day: date, months: int) -> date:
    """Return the same day ``months`` calendar months later (the month's last day if it is shorter)."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def update_screening(
    session: Session, patient: Patient, update: ScreeningUpdate, *, checked_by: User, now: datetime,
    valid_months: int = DEFAULT_SCREENING_VALID_MONTHS,
) -> ScreeningRecord:
    """Replace the patient's screening with ``update``, as checked by ``checked_by`` today.

    A full screening is due again ``valid_months`` after today.
    """
    flags, indications = _checked_screening(update, now)
    today = to_local(now).date()
    # Two screenings of one patient saved at once take turns (PostgreSQL; SQLite writes one at a time).
    session.execute(select(Patient.id).where(Patient.id == patient.id).with_for_update())
    session.execute(delete(PatientScreeningFlag).where(PatientScreeningFlag.patient_id == patient.id))
    session.execute(delete(PatientIndication).where(PatientIndication.patient_id == patient.id))
    session.add_all(
        PatientScreeningFlag(patient_id=patient.id, flag=name, region=region, checked_on=today,
                             checked_by_id=checked_by.id)
        for name, regions in sorted(flags.items()) for region in regions
    )
    session.add_all(PatientIndication(patient_id=patient.id, indication=name, recorded_on=today,
                                      recorded_by_id=checked_by.id) for name in sorted(indications))
    profile = _profile(session, patient) or PatientReadinessProfile(patient_id=patient.id)
    profile.next_competition_at = update.next_competition_at
    profile.screened_at = now
    profile.screened_by_id = checked_by.id
    profile.screening_due_on = months_after(today, valid_months)
    session.add(profile)
    session.flush()
    return screening_of(session, patient)


def screening_of(session: Session, patient: Patient) -> ScreeningRecord:
    """Return the patient's current screening, next competition and when it was last screened."""
    rows = session.scalars(
        select(PatientScreeningFlag).where(PatientScreeningFlag.patient_id == patient.id)
        .options(selectinload(PatientScreeningFlag.checked_by))
        .order_by(PatientScreeningFlag.flag, PatientScreeningFlag.region)
    ).all()
    flags: dict[str, FlagRecord] = {}
    for row in rows:
        earlier = flags.get(row.flag)
        regions = (earlier.regions if earlier else ()) + ((row.region,) if row.region else ())
        latest = row if earlier is None or row.checked_on >= earlier.checked_on else None
        flags[row.flag] = FlagRecord(
            row.flag, regions,
            latest.checked_on if latest else earlier.checked_on,
            latest.checked_by if latest else earlier.checked_by,
        )
    indications = session.scalars(select(PatientIndication.indication).where(
        PatientIndication.patient_id == patient.id).order_by(PatientIndication.indication)).all()
    profile = _profile(session, patient)
    return ScreeningRecord(
        flags=flags,
        indications=tuple(indications),
        next_competition_at=profile.next_competition_at if profile else None,
        screened_at=profile.screened_at if profile else None,
        screened_by=profile.screened_by if profile else None,
        due_on=profile.screening_due_on if profile else None,
    )


# Evaluating ------------------------------------------------------------------------------------


def readiness_inputs(session: Session, patient: Patient, at: datetime) -> readiness.ReadinessInputs:
    """Return what the engine reads about ``patient`` as known at ``at``.

    Sessions that ended after ``at`` and check-ins of later days are left out, so adding them
    later changes neither the result nor its inputs digest. The screening and the next
    competition are the current ones: they describe the patient, not a moment.
    """
    today = to_local(at).date()
    # Columns, not ORM objects: a patient's log is hundreds of rows, read on every readiness request.
    sessions = session.execute(select(
        TrainingSession.ended_at, TrainingSession.duration_minutes, TrainingSession.rpe, TrainingSession.kind,
        TrainingSession.is_competition,
    ).where(TrainingSession.patient_id == patient.id, TrainingSession.ended_at <= at)).all()
    check_ins = session.execute(select(
        WellnessCheckIn.id, WellnessCheckIn.day, WellnessCheckIn.sleep, WellnessCheckIn.fatigue,
        WellnessCheckIn.stress, WellnessCheckIn.soreness, WellnessCheckIn.doms, WellnessCheckIn.doms_region,
        WellnessCheckIn.rmssd_ms,
    ).where(WellnessCheckIn.patient_id == patient.id, WellnessCheckIn.day <= today)).all()
    complaints: dict[int, list[Row]] = {}
    for complaint in session.execute(
        select(WellnessComplaint.check_in_id, WellnessComplaint.complaint, WellnessComplaint.began_on,
               WellnessComplaint.reviewed_at)
        .join(WellnessCheckIn).where(WellnessCheckIn.patient_id == patient.id, WellnessCheckIn.day <= today)
        .order_by(WellnessComplaint.complaint)
    ):
        complaints.setdefault(complaint.check_in_id, []).append(complaint)
    screening = screening_of(session, patient)
    return readiness.ReadinessInputs(
        date_of_birth=patient.date_of_birth,
        sessions=tuple(readiness.TrainingSession(*row) for row in sessions),
        check_ins=tuple(_engine_check_in(row, complaints.get(row.id, ()), at) for row in check_ins),
        screening=readiness.Screening(
            flags={name: readiness.FlagCheck(record.checked_on, _checker(record.checked_by),
                                             ", ".join(record.regions) or None)
                   for name, record in screening.flags.items()},
            indications=frozenset(screening.indications),
            screened_at=screening.screened_at,
            due_on=screening.due_on,
        ),
        next_competition_at=screening.next_competition_at,
    )


def _checker(user: User | None) -> str:
    return "" if user is None else user.email


def _engine_check_in(row: Row, complaints: Iterable[Row], at: datetime) -> readiness.WellnessCheckIn:
    # A review after ``at`` was not known then: the readiness of a note written before it stays as it was.
    return readiness.WellnessCheckIn(
        day=row.day, sleep=row.sleep, fatigue=row.fatigue, stress=row.stress, soreness=row.soreness,
        doms=row.doms, doms_region=row.doms_region, rmssd_ms=row.rmssd_ms,
        complaints={complaint.complaint: complaint.began_on for complaint in complaints},
        reviewed=frozenset(complaint.complaint for complaint in complaints
                           if complaint.reviewed_at is not None and complaint.reviewed_at <= at),
    )


def evaluate_readiness(
    session: Session, patient: Patient, at: datetime, *, treated: Mapping[str, Iterable[str]] | None = None,
) -> readiness.ReadinessResult:
    """Return the readiness of ``patient`` at the instant ``at``.

    ``treated`` (modality → regions a note treated) adds the verdicts for those regions.
    """
    return readiness.evaluate(readiness_inputs(session, patient, at), at, treated=treated)


@dataclass(frozen=True)
class ReadinessOutlook:
    """Readiness now and at the start of the patient's next appointment, with the inputs the chart draws."""

    now: readiness.ReadinessResult
    next_appointment: Appointment | None
    at_next_appointment: readiness.ReadinessResult | None
    inputs: readiness.ReadinessInputs

    @property
    def next_competition_at(self) -> datetime | None:
        return self.inputs.next_competition_at

    @property
    def days_to_competition(self) -> int | None:
        """Return in how many local days the next competition is (0: today), if one is planned."""
        if self.next_competition_at is None:
            return None
        return (to_local(self.next_competition_at).date() - to_local(self.now.at).date()).days

    def changed_at_next_appointment(self) -> list[tuple[str, readiness.Verdict, readiness.Verdict]]:
        """Return the modalities whose verdict at the next appointment differs from now's: (name, now, then)."""
        if self.at_next_appointment is None:
            return []
        return [(name, assessment.verdict, self.at_next_appointment.modalities[name].verdict)
                for name, assessment in self.now.modalities.items()
                if self.at_next_appointment.modalities[name].verdict != assessment.verdict]


def readiness_outlook(session: Session, patient: Patient, now: datetime, *, chart_until: datetime) -> ReadinessOutlook:
    """Return the readiness now and at the next appointment's start, and the inputs up to ``chart_until``.

    The inputs are loaded twice, as the page did before (now, and for the chart); the next
    appointment is evaluated on the chart's load, which holds all that can be known by then.
    """
    upcoming = session.scalar(
        select(Appointment).where(Appointment.patient_id == patient.id, Appointment.starts_at > now,
                                  Appointment.status.in_(UPCOMING_STATUSES))
        .order_by(Appointment.starts_at).limit(1))
    inputs = readiness_inputs(session, patient, max(chart_until, upcoming.starts_at) if upcoming else chart_until)
    return ReadinessOutlook(
        now=evaluate_readiness(session, patient, now), next_appointment=upcoming,
        at_next_appointment=upcoming and readiness.evaluate(inputs, upcoming.starts_at), inputs=inputs,
    )


def booking_advice(
    session: Session, patient: Patient, appointment_type: AppointmentType, starts_at: datetime
) -> readiness.BookingAdvice:
    """Return the verdict on the modality of an appointment of ``appointment_type`` starting at ``starts_at``.

    Evaluated at the start, so a competition two days after the booking counts from then. A type
    without a hands-on modality (a consult) needs no evaluation and gets no verdict.
    """
    if appointment_type.modality in readiness.APPOINTMENT_TYPES_WITHOUT_MODALITY:
        return readiness.BookingAdvice(None, None, ())
    result = evaluate_readiness(session, patient, starts_at)
    return readiness.booking_advice(result, appointment_type.modality)


def desk_should_check(
    session: Session, patient: Patient, appointment_type: AppointmentType, starts_at: datetime
) -> bool:
    """Tell whether the front desk should check with the chiropractor before booking (never why)."""
    return readiness.desk_should_check(booking_advice(session, patient, appointment_type, starts_at))


def appointment_needs_warning(session: Session, appointment: Appointment) -> bool:
    """Tell whether the treatment of ``appointment`` goes against the patient's readiness at its start."""
    return booking_advice(session, appointment.patient, appointment.appointment_type, appointment.starts_at).needs_warning


# Importing a season's training log -------------------------------------------------------------

COLUMN_NAMES = {
    "date": ("date", "datum"),
    "time": ("time", "tijd", "end", "eind"),
    "duration": ("duration", "duration_minutes", "minutes", "duur", "minuten"),
    "rpe": ("rpe", "srpe", "session_rpe"),
    "kind": ("kind", "type", "soort"),
    "competition": ("competition", "wedstrijd"),
}
REQUIRED_COLUMNS = ("date", "duration", "rpe")
YES = {"1", "yes", "ja", "true", "y", "j", "x"}
NO = {"", "0", "no", "nee", "false", "n"}


@dataclass(frozen=True)
class RowError:
    """What is wrong in one line of an imported file; ``line`` counts the header as line 1."""

    line: int
    column: str
    code: str


class ImportRejected(Invalid):
    """The file has errors; nothing of it was imported."""

    def __init__(self, errors: list[RowError]):
        whole_file = errors[0].code if errors[0].line == 0 else "rows_have_errors"
        super().__init__("The file has errors; nothing was imported.", fields={"file": whole_file})
        self.errors = errors


@dataclass(frozen=True)
class ImportResult:
    """What an import added, and how many rows were already in the log."""

    added: list[TrainingSession]
    already_present: int


def _header(row: list[str]) -> dict[str, int]:
    columns = {}
    for index, name in enumerate(row):
        key = name.strip().lower().replace(" ", "_")
        for column, names in COLUMN_NAMES.items():
            if key in names and column not in columns:
                columns[column] = index
    return columns


def _parse_day(raw: str) -> date:
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            day = datetime.strptime(raw.strip(), fmt).date()
        except ValueError:
            continue
        if day not in CLINIC_DAYS:
            raise ValueError("date_out_of_range")
        return day
    raise ValueError("invalid_date")


def _parse_time(raw: str) -> time:
    if not raw.strip():
        return DEFAULT_IMPORT_END_TIME
    try:
        return time.fromisoformat(raw.strip())
    except ValueError:
        raise ValueError("invalid_time") from None


def _parse_whole(raw: str) -> int:
    """Return a cell's whole number (spreadsheets may write 60,0); the session's checks bound it."""
    try:
        number = float(raw.strip().replace(",", "."))
    except ValueError:
        raise ValueError("not_a_whole_number") from None
    return whole_number(number, -MAX_CELL_NUMBER, MAX_CELL_NUMBER)


def _parse_flag(raw: str) -> bool:
    text = raw.strip().lower()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError("not_yes_or_no")


def _parse_row(row: list[str], columns: dict[str, int], now: datetime) -> tuple[NewTrainingSession | None, list]:
    def cell(column: str) -> str:
        index = columns.get(column)
        return row[index] if index is not None and index < len(row) else ""

    problems = []
    try:
        day = _parse_day(cell("date"))
        wall_clock = _parse_time(cell("time"))
    except ValueError as error:
        return None, [("time" if str(error) == "invalid_time" else "date", str(error))]
    try:
        ended_at = to_utc(datetime.combine(day, wall_clock))
    except NonexistentLocalTime:
        return None, [("time", "nonexistent_time")]
    except AmbiguousLocalTime:
        # A file cannot say which of the two 02:30s of the autumn night it means; never guess.
        return None, [("time", "ambiguous_time")]
    values = {}
    for column, parse in (("duration", _parse_whole), ("rpe", _parse_whole), ("competition", _parse_flag)):
        try:
            values[column] = parse(cell(column))
        except ValueError as error:
            problems.append((column, str(error)))
    if problems:
        return None, problems
    details = NewTrainingSession(ended_at, values["duration"], values["rpe"],
                                 cell("kind").strip() or "training", values["competition"])
    try:
        _checked_session(details, now)
    except Invalid as error:
        names = {"ended_at": "date", "duration_minutes": "duration", "rpe": "rpe", "kind": "kind"}
        return None, [(names[name], code) for name, code in error.fields.items()]
    return details, []


def parse_training_csv(text: str, now: datetime) -> list[NewTrainingSession]:
    """Return the sessions of a CSV file (date, duration, RPE; optional time, kind, competition).

    Comma- or semicolon-separated, with a header row in English or Dutch. Raise ``ImportRejected``
    listing every problem, so that a file with any error imports nothing.
    """
    lines = text.lstrip("\ufeff").splitlines()
    if not any(line.strip() for line in lines):
        raise ImportRejected([RowError(0, "", "empty_file")])
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    try:
        rows = list(csv.reader(lines, delimiter=delimiter))
    except csv.Error:  # a cell beyond the csv module's limit (131,072 characters), or a stray quote
        raise ImportRejected([RowError(0, "", "unreadable_file")]) from None
    columns = _header(rows[0])
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise ImportRejected([RowError(0, ", ".join(missing), "missing_columns")])
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise ImportRejected([RowError(0, "", "too_many_rows")])
    sessions, errors, seen = [], [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        details, problems = _parse_row(row, columns, now)
        errors.extend(RowError(line, column, code) for column, code in problems)
        if details is not None:
            key = (details.ended_at, details.duration_minutes, details.rpe)
            if key in seen:
                errors.append(RowError(line, "date", "duplicate_row"))
            seen.add(key)
            sessions.append(details)
    if errors:
        raise ImportRejected(errors)
    if not sessions:
        raise ImportRejected([RowError(0, "", "empty_file")])
    return sessions


def import_training_sessions(
    session: Session, patient: Patient, text: str, *, entered_by: User | None, now: datetime
) -> ImportResult:
    """Add every session of a CSV file to the patient's log, or none when the file has an error.

    A row identical (end, duration, RPE) to a session already in the log is skipped, so importing
    the same file twice does not double the load.
    """
    parsed = parse_training_csv(text, now)
    present = {(row.ended_at, row.duration_minutes, row.rpe) for row in session.execute(
        select(TrainingSession.ended_at, TrainingSession.duration_minutes, TrainingSession.rpe)
        .where(TrainingSession.patient_id == patient.id))}
    added = [
        TrainingSession(patient_id=patient.id, entered_by_id=entered_by and entered_by.id, **_checked_session(details, now))
        for details in parsed if (details.ended_at, details.duration_minutes, details.rpe) not in present
    ]
    session.add_all(added)
    session.flush()
    return ImportResult(added, len(parsed) - len(added))
