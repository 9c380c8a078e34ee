"""A clinic to attack: one account per role, the patient account's own record, and another patient's.

The other patient's record holds a marker string in every part (name, training, check-in, notes),
so a test can tell from a response body whether any of it leaked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import CLINIC_TZ, to_local, utcnow
from clinic.models import (
    Appointment,
    AppointmentType,
    Chiropractor,
    Patient,
    Role,
    TimeOff,
    TrainingSession,
    User,
    WaitlistEntry,
    WellnessCheckIn,
    WorkingHours,
)
from clinic.services import episodes
from clinic.services import treatment_notes as notes_service
from clinic.services.accounts import create_user
from clinic.services.online_booking import issue_manage_token
from clinic.services.seed import seed_clinic
from tests.conftest import PASSWORD, api_token_for, log_in

ROLES = (Role.ADMIN, Role.FRONTDESK, Role.CHIROPRACTOR, Role.PATIENT)
MARKERS = {
    "name": "Zwijgzaam",
    "training": "marker-training-kind",
    "wellness": "marker-wellness-region",
    "signed_note": "marker-signed-note",
    "draft_note": "marker-draft-note",
}


@dataclass
class World:
    users: dict[Role, User] = field(default_factory=dict)
    tokens: dict[Role, str] = field(default_factory=dict)
    # Whose token each is: the role's user, but for the admin a colleague with two-factor login (an
    # admin token needs it), so that the admin of ``users`` can log in by the form again and again.
    api_users: dict[Role, User] = field(default_factory=dict)
    own: Patient | None = None  # the patient account's own record
    other: Patient | None = None  # someone else's
    appointment: Appointment | None = None  # the other patient's
    own_appointment: Appointment | None = None
    training_session: TrainingSession | None = None
    check_in: WellnessCheckIn | None = None
    signed_note_id: int = 0
    episode_id: int = 0  # the other patient's care episode
    draft_note_id: int = 0  # by another chiropractor: the chiropractor under test must not see it
    chiropractor: Chiropractor | None = None  # the chiropractor account's own
    hours_id: int = 0
    time_off_id: int = 0
    manage_token: str = ""  # the secret link of the patient's own booking
    waitlist_entry_id: int = 0  # the other patient's
    colleague_id: int = 0  # a staff account the admin pages act on
    colleague_token_id: int = 0  # one of its API tokens

    def bearer(self, role: Role) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def _account(role: Role, chiropractor: Chiropractor | None = None) -> User:
    return create_user(db.session, f"{role.value}-{len(role.value)}@world.test", PASSWORD, role, chiropractor)


def build_world() -> World:
    """Fill the database with the world the security tests attack."""
    seed_clinic(db.session)
    chiropractors = db.session.scalars(select(Chiropractor).order_by(Chiropractor.id)).all()
    world = World(chiropractor=chiropractors[0])
    for role in ROLES:
        world.users[role] = _account(role, chiropractors[0] if role is Role.CHIROPRACTOR else None)
    author = create_user(db.session, "author@world.test", PASSWORD, Role.CHIROPRACTOR, chiropractors[1])
    api_admin = create_user(db.session, "admin-api@world.test", PASSWORD, Role.ADMIN)
    world.own = Patient(first_name="Eigen", last_name="Patiënt", date_of_birth=date(1991, 2, 3),
                        created_source="online", user_id=world.users[Role.PATIENT].id)
    world.other = Patient(first_name="Anna", last_name=MARKERS["name"], date_of_birth=date(1985, 6, 7),
                          email="anna@world.test", created_source="frontdesk")
    db.session.add_all([world.own, world.other])
    db.session.flush()
    massage = db.session.scalar(select(AppointmentType).where(AppointmentType.code == "sports_massage_30"))
    start = datetime.combine(to_local(utcnow()).date() + timedelta(days=7), datetime.min.time(),
                             tzinfo=CLINIC_TZ).replace(hour=10)
    world.appointment, world.own_appointment = (
        Appointment(patient_id=patient.id, chiropractor_id=chiropractors[1].id, appointment_type_id=massage.id,
                    starts_at=start + timedelta(hours=hour), ends_at=start + timedelta(hours=hour, minutes=30),
                    buffer_ends_at=start + timedelta(hours=hour, minutes=30), source="frontdesk", status="booked")
        for hour, patient in ((0, world.other), (2, world.own))
    )
    world.training_session = TrainingSession(patient_id=world.other.id, ended_at=utcnow() - timedelta(days=1),
                                             duration_minutes=60, rpe=6, kind=MARKERS["training"])
    world.check_in = WellnessCheckIn(patient_id=world.other.id, day=to_local(utcnow()).date(), doms=3,
                                     doms_region=MARKERS["wellness"])
    waiting = WaitlistEntry(patient=world.other, appointment_type=massage, until=start.date(), created_by="frontdesk")
    db.session.add_all([world.appointment, world.own_appointment, world.training_session, world.check_in, waiting])
    db.session.add(TimeOff(chiropractor=world.chiropractor, starts_at=utcnow() + timedelta(days=20),
                           ends_at=utcnow() + timedelta(days=21)))
    db.session.flush()
    signed = notes_service.start_note(db.session, world.other, notes_service.NoteContent(
        subjective=MARKERS["signed_note"]), author=author, now=utcnow())
    notes_service.sign_note(db.session, signed, signer=author, now=utcnow())
    draft = notes_service.start_note(db.session, world.other, notes_service.NoteContent(
        subjective=MARKERS["draft_note"]), author=author, now=utcnow())
    world.signed_note_id, world.draft_note_id = signed.id, draft.id
    world.episode_id = episodes.open_episode(db.session, world.other, episodes.NewEpisode(
        chiropractors[1].id, "onderrug", to_local(utcnow()).date()), by=author, now=utcnow()).id
    world.hours_id = db.session.scalar(select(WorkingHours.id).where(
        WorkingHours.chiropractor_id == world.chiropractor.id).order_by(WorkingHours.id))
    world.time_off_id = db.session.scalar(select(TimeOff.id).where(TimeOff.chiropractor_id == world.chiropractor.id))
    world.manage_token = issue_manage_token(db.session, world.own_appointment)
    world.waitlist_entry_id = waiting.id
    db.session.commit()
    for role in ROLES:
        world.api_users[role] = world.users[role] if role is not Role.ADMIN else api_admin
        world.tokens[role] = api_token_for(world.api_users[role])
    api_token_for(author)
    world.colleague_id, world.colleague_token_id = author.id, author.api_tokens[0].id
    return world


@pytest.fixture
def world(app) -> World:
    return build_world()


@pytest.fixture
def browser_as(app, world):
    """Return a callable giving a test client logged in (by the login form) with ``role``; ``None``: a visitor."""

    def _browser_as(role: Role | None):
        browser = app.test_client()
        if role is not None:
            assert log_in(browser, world.users[role].email).status_code == 302
        return browser

    return _browser_as
