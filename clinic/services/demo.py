"""A believable clinic to try the app with (``flask --app wsgi clinic demo``).

Everything is made through the services the app itself uses, so the demo data obeys every rule
the real data does: bookings go through the double-booking guards, notes are evaluated against the
readiness engine and signed (sealed), check-ins and screenings are validated. The same seed gives
the same clinic; the days are laid around the ``now`` given.
"""
from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from clinic.errors import Conflict, DomainError
from clinic.localtime import CLINIC_TZ, to_local
from clinic.models import Appointment, AppointmentType, Chiropractor, Patient, Role, User
from clinic.models.appointments import BookingSource
from clinic.models.patients import CreatedSource
from clinic.scheduling.lifecycle import AppointmentAction, AppointmentStatus
from clinic.scheduling.rules import STAFF_POLICY
from clinic.services.accounts import create_user
from clinic.services.booking import book_appointment, change_status
from clinic.services.patients import NewPatient, register_patient
from clinic.services.readiness import (
    NewCheckIn,
    NewTrainingSession,
    ScreeningUpdate,
    record_check_in,
    record_training_session,
    update_screening,
)
from clinic.services.seed import seed_clinic
from clinic.services.treatment_notes import AppliedModality, NoteContent, sign_note, start_note

DEMO_PASSWORD = "zonnige-dinsdag-4821"
DEMO_DOMAIN = "demo.movewell.test"
DAYS_AROUND_TODAY = 7
FIRST_START, LAST_END = time(8, 30), time(17, 30)
TRAINING_WEEKS = 6
CHECK_IN_DAYS = 14

FIRST_NAMES = (
    "Daan", "Sem", "Lucas", "Finn", "Levi", "Noah", "Bram", "Thijs", "Ruben", "Jesse", "Sven", "Joris", "Mees",
    "Emma", "Julia", "Sophie", "Tess", "Zoë", "Anouk", "Fleur", "Daniëlle", "Iris", "Noëlle", "Sanne", "Lotte",
    "Chloë", "Mila", "Eva", "Mohamed", "Yusuf", "Aylin", "Elif", "Priya", "Thomas", "Femke", "Joëlle", "Renée",
)
LAST_NAMES = (
    "de Vries", "Jansen", "van den Berg", "Bakker", "Visser", "Smit", "Meijer", "de Boer", "Mulder", "de Groot",
    "Bos", "Vos", "Peters", "Hendriks", "van Leeuwen", "Dekker", "Brouwer", "de Wit", "Dijkstra", "Smits",
    "van Dijk", "Koster", "Verhoeven", "Çelik", "Yılmaz", "El Amrani", "Hoekstra", "Schouten",
    "van der Linden", "Kuipers", "Postma", "Huisman", "Willems", "Groenewegen", "Brandsma", "Oosterhuis",
)
SPORTS = ("hardlopen", "wielrennen", "voetbal", "hockey", "tennis", "crossfit", "zwemmen", "triatlon",
          "volleybal", "roeien", "schaatsen", "krachtsport")
TRAINING_KINDS = {
    "hardlopen": "duurloop", "wielrennen": "rit", "voetbal": "teamtraining", "hockey": "teamtraining",
    "tennis": "baantraining", "crossfit": "WOD", "zwemmen": "zwemtraining", "triatlon": "brick-training",
    "volleybal": "teamtraining", "roeien": "ergometer", "schaatsen": "ijstraining", "krachtsport": "krachttraining",
}
# How often each appointment type is booked on an ordinary day.
TYPE_WEIGHTS = {"follow_up": 8, "intake": 2, "sports_massage_30": 3, "sports_massage_60": 2,
                "dry_needling": 2, "decompression": 1}
REGIONS = ("onderrug", "nek", "hamstring links", "kuit rechts", "schouder rechts", "bovenrug")

# What the chiropractor writes down for each modality of a treated appointment type.
NOTE_MODALITIES = {
    "adjustment": lambda rng: {"regions": [rng.choice(REGIONS)], "technique": "diversified"},
    "massage": lambda rng: {"regions": [rng.choice(REGIONS)], "minutes": 25, "technique": "sportmassage"},
    "dry_needling": lambda rng: {"muscles": [rng.choice(("m. gastrocnemius", "m. trapezius", "m. gluteus medius"))],
                                 "needle_count": rng.randint(2, 8), "local_twitch_response": rng.random() < 0.6},
    "decompression": lambda rng: {"position": "supine", "force_kg": float(rng.randint(20, 35)), "minutes": 15},
}
RECOVERY_ADVICE = AppliedModality("active_recovery", {"advice": "Rustig fietsen of wandelen, 20 minuten per dag."})
SOAP = {
    "subjective": ("Klachten sinds de laatste wedstrijd; slaapt redelijk.", "Minder pijn dan vorige week."),
    "objective": ("Beperkte rotatie, drukpijn paravertebraal.", "Verhoogde tonus, geen neurologische uitval."),
    "assessment": ("Mechanische klacht, herstel verloopt volgens verwachting.",),
    "plan": ("Vervolgafspraak over een week; belasting geleidelijk opbouwen.", "Thuisoefeningen herhaald."),
}
# A few patients carry screening findings, so the readiness screens have something to show.
FINDINGS = (
    {"pregnancy": []}, {"anticoagulant": []}, {"acute_injury_region_lt72h": ["hamstring links"]},
    {"open_wound_region": ["voet rechts"]}, {"osteoporosis_severe": []}, {"needle_phobia": []},
)


@dataclass
class DemoLogin:
    role: str
    email: str
    password: str


@dataclass
class DemoReport:
    patients: int = 0
    appointments: int = 0
    notes: int = 0
    training_sessions: int = 0
    check_ins: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    portal_patients: list[Patient] = field(default_factory=list)


class ClinicNotEmpty(Conflict):
    """The demo only fills a database without patients: it must never mix with real data."""


def fill_demo_clinic(
    session: Session, *, now: datetime, patients: int = 300, days_around: int = DAYS_AROUND_TODAY, seed: int = 2026,
) -> DemoReport:
    """Fill an empty clinic with patients, appointments ``days_around`` today on either side, and their records."""
    if session.scalar(select(func.count()).select_from(Patient)):
        raise ClinicNotEmpty("The database already has patients; the demo only fills an empty clinic.",
                             code="clinic_not_empty")
    rng = random.Random(seed)
    report = DemoReport()
    seed_clinic(session)
    chiropractors = session.scalars(select(Chiropractor).order_by(Chiropractor.id)).all()
    report.logins = _accounts(session, chiropractors)
    people = [_patient(session, rng, number, to_local(now).date()) for number in range(patients)]
    report.patients = len(people)
    appointments = _appointments(session, rng, chiropractors, people, now, days_around)
    report.appointments = len(appointments)
    athletes = [patient for patient in people if patient.sport and rng.random() < 0.6]
    report.training_sessions = sum(_training_log(session, rng, patient, now) for patient in athletes)
    report.check_ins = sum(_check_ins(session, rng, patient, now) for patient in athletes)
    report.notes = _screenings_and_notes(session, rng, appointments, now)
    report.portal_patients = [patient for patient in athletes if patient.email][:2]
    return report


def _accounts(session: Session, chiropractors: list[Chiropractor]) -> list[DemoLogin]:
    logins = [DemoLogin("admin", f"beheer@{DEMO_DOMAIN}", DEMO_PASSWORD),
              DemoLogin("frontdesk", f"balie@{DEMO_DOMAIN}", DEMO_PASSWORD)]
    create_user(session, logins[0].email, DEMO_PASSWORD, Role.ADMIN, name="Marloes Visser")
    create_user(session, logins[1].email, DEMO_PASSWORD, Role.FRONTDESK, name="Sanne Jacobs")
    for chiropractor in chiropractors:
        email = f"{chiropractor.slug}@{DEMO_DOMAIN}"
        create_user(session, email, DEMO_PASSWORD, Role.CHIROPRACTOR, chiropractor)
        logins.append(DemoLogin("chiropractor", email, DEMO_PASSWORD))
    return logins


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().replace(" ", "").lower()


def _patient(session: Session, rng: random.Random, number: int, today: date) -> Patient:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    born = today - timedelta(days=rng.randint(16 * 365, 68 * 365))
    details = NewPatient(
        first_name=first, last_name=last, date_of_birth=born,
        email=f"{_ascii(first)}.{_ascii(last)}{number}@example.nl" if rng.random() < 0.9 else "",
        phone=f"06{rng.randint(10_000_000, 59_999_999)}",
        preferred_language="en" if rng.random() < 0.12 else "nl",
        sport=rng.choice(SPORTS) if rng.random() < 0.8 else "",
    )
    source = CreatedSource.ONLINE if rng.random() < 0.4 else CreatedSource.FRONTDESK
    return register_patient(session, details, source=source, today=today)


def _workdays_around(today: date, days_around: int) -> list[date]:
    days = [today + timedelta(days=offset) for offset in range(-days_around, days_around + 1)]
    return [day for day in days if day.weekday() < 5]


def _appointments(session: Session, rng: random.Random, chiropractors, people, now: datetime,
                  days_around: int) -> list[Appointment]:
    types = {kind.code: kind for kind in session.scalars(select(AppointmentType))}
    codes, weights = zip(*((code, weight) for code, weight in TYPE_WEIGHTS.items() if code in types))
    booked = []
    for day in _workdays_around(to_local(now).date(), days_around):
        for chiropractor in chiropractors:
            start = datetime.combine(day, FIRST_START, CLINIC_TZ)
            while start.time() < LAST_END:
                kind = types[rng.choices(codes, weights)[0]]
                step = timedelta(minutes=kind.duration_minutes + kind.buffer_after_minutes)
                appointment = _book(session, rng, kind, chiropractor, rng.choice(people), start, now)
                if appointment is None:
                    step = timedelta(minutes=30)
                else:
                    booked.append(appointment)
                    _settle(session, rng, appointment, now)
                start += step
    return booked


def _book(session, rng, kind, chiropractor, patient, start: datetime, now: datetime) -> Appointment | None:
    if rng.random() > 0.8:  # a gap in the day
        return None
    # A past appointment was booked a few days before it took place.
    booked_at = min(now, start.astimezone(now.tzinfo) - timedelta(days=3))
    try:
        return book_appointment(
            session, patient=patient, appointment_type=kind, starts_at=start.astimezone(now.tzinfo),
            chiropractor_id=chiropractor.id, source=rng.choice((BookingSource.FRONTDESK, BookingSource.ONLINE)),
            policy=STAFF_POLICY, now=booked_at,
        )
    except DomainError:  # the lunch break, the end of the day, or the patient is busy then
        return None


def _settle(session: Session, rng: random.Random, appointment: Appointment, now: datetime) -> None:
    """Give an appointment what happened to it by ``now``: most past ones completed, a few not."""
    chance = rng.random()
    if appointment.starts_at > now:
        if chance < 0.05:
            change_status(session, appointment, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK,
                          now=now, reason="Patiënt belde af: ziek")
        return
    if chance < 0.06:
        change_status(session, appointment, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK,
                      now=appointment.starts_at - timedelta(days=1), reason="Patiënt belde af: werk")
    elif chance < 0.11:
        change_status(session, appointment, AppointmentAction.NO_SHOW, source=BookingSource.FRONTDESK,
                      now=appointment.starts_at + timedelta(minutes=15))
    elif appointment.ends_at <= now:
        change_status(session, appointment, AppointmentAction.CHECKED_IN, source=BookingSource.FRONTDESK,
                      now=appointment.starts_at - timedelta(minutes=5))
        change_status(session, appointment, AppointmentAction.COMPLETED, source=BookingSource.FRONTDESK,
                      now=appointment.ends_at)


def _training_log(session: Session, rng: random.Random, patient: Patient, now: datetime) -> int:
    count = 0
    kind = TRAINING_KINDS[patient.sport]
    for days_ago in range(TRAINING_WEEKS * 7, 0, -1):
        if rng.random() > 0.55:
            continue
        day = to_local(now).date() - timedelta(days=days_ago)
        ended_at = datetime.combine(day, time(rng.choice((7, 12, 19)), rng.choice((0, 30))), CLINIC_TZ)
        competition = day.weekday() == 6 and rng.random() < 0.3
        record_training_session(session, patient, NewTrainingSession(
            ended_at=ended_at.astimezone(now.tzinfo), duration_minutes=rng.randint(35, 110),
            rpe=rng.randint(7, 9) if competition else rng.randint(3, 7),
            kind="wedstrijd" if competition else kind, is_competition=competition,
        ), entered_by=None, now=now)
        count += 1
    return count


def _check_ins(session: Session, rng: random.Random, patient: Patient, now: datetime) -> int:
    today, count = to_local(now).date(), 0
    for days_ago in range(CHECK_IN_DAYS, -1, -1):
        if rng.random() > 0.7:
            continue
        day = today - timedelta(days=days_ago)
        complaints = {"fatigue": day - timedelta(days=2)} if rng.random() < 0.05 else {}
        record_check_in(session, patient, NewCheckIn(
            day=day, sleep=rng.randint(2, 5), fatigue=rng.randint(2, 5), stress=rng.randint(1, 4),
            soreness=rng.randint(2, 6), doms=rng.randint(0, 5), rmssd_ms=float(rng.randint(45, 95)),
            complaints=complaints,
        ), entered_by=None, today=today)
        count += 1
    return count


def _screenings_and_notes(session: Session, rng: random.Random, appointments, now: datetime) -> int:
    """Screen each treated patient at their first visit and write a signed note of every visit."""
    screened: set[int] = set()
    notes = 0
    for appointment in sorted(appointments, key=lambda a: a.starts_at):
        if appointment.status != AppointmentStatus.COMPLETED.value:
            continue
        author = appointment.chiropractor.user
        if appointment.patient_id not in screened:
            findings = rng.choice(FINDINGS) if rng.random() < 0.15 else {}
            update_screening(session, appointment.patient, ScreeningUpdate(
                flags=findings, indications=("spinal_pain_mechanical",)), checked_by=author,
                now=appointment.starts_at)
            screened.add(appointment.patient_id)
        modality = appointment.appointment_type.modality
        if modality not in NOTE_MODALITIES:
            continue
        notes += _signed_note(session, rng, appointment, modality, author)
    return notes


def _signed_note(session: Session, rng: random.Random, appointment: Appointment, modality: str, author: User) -> int:
    soap = {part: rng.choice(texts) for part, texts in SOAP.items()}
    # When the readiness advises against the booked treatment, the chiropractor gives advice instead.
    for applied in (AppliedModality(modality, NOTE_MODALITIES[modality](rng)), RECOVERY_ADVICE):
        try:
            note = start_note(session, appointment.patient, NoteContent(**soap, modalities=(applied,)),
                              author=author, appointment=appointment, now=appointment.ends_at)
        except DomainError:
            continue
        sign_note(session, note, signer=author, now=appointment.ends_at + timedelta(minutes=10))
        return 1
    return 0
