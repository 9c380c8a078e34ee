"""Free slots kept per schedule revision: the same answers as computing them, never a stale one."""
from datetime import time, timedelta

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Chiropractor, ScheduleRevision, TimeOff, WorkingHours
from clinic.scheduling import ONLINE_POLICY
from clinic.services.booking import find_free_slots
from clinic.services.slot_cache import FreeSlotCache
from tests.services.conftest import NOW
from tests.services.test_booking import TUESDAY, at, book  # noqa: F401 - book is a fixture

WEEK = (TUESDAY, TUESDAY + timedelta(days=6))


@pytest.fixture
def cache(clinic):
    return FreeSlotCache()


def cached(cache, appointment_type, now=NOW, days=WEEK, chiropractor_id=None):
    def find(policy, now):
        return find_free_slots(
            db.session, appointment_type(), *days, policy=policy, now=now, chiropractor_id=chiropractor_id
        )

    return cache.free_slots(db.session, (days, chiropractor_id), find, policy=ONLINE_POLICY, now=now)


def computed(appointment_type, now=NOW, days=WEEK, chiropractor_id=None):
    return find_free_slots(
        db.session, appointment_type(), *days, policy=ONLINE_POLICY, now=now, chiropractor_id=chiropractor_id
    )


def revision() -> int:
    return db.session.scalar(select(ScheduleRevision.value))


def test_the_kept_slots_are_the_computed_ones_at_every_moment(cache, appointment_type):
    # Notice and horizon move with the clock: the same kept slots, cut at each moment's limits.
    for now in (NOW, at(10, 55), NOW + timedelta(weeks=7, days=6)):
        assert cached(cache, appointment_type, now=now) == computed(appointment_type, now=now)
    assert cached(cache, appointment_type, chiropractor_id=2) == computed(appointment_type, chiropractor_id=2)


def test_a_booking_takes_its_slot_out_of_the_next_answer(cache, appointment_type, book):
    before = cached(cache, appointment_type, chiropractor_id=1)
    assert any(slot.start == at(9) for slot in before)

    book(at(9), chiropractor_id=1)

    after = cached(cache, appointment_type, chiropractor_id=1)
    assert not any(slot.start == at(9) for slot in after)
    assert after == computed(appointment_type, chiropractor_id=1)


def test_time_off_hours_and_types_change_the_next_answer(cache, appointment_type):
    cached(cache, appointment_type)
    db.session.add(TimeOff(chiropractor_id=1, starts_at=at(8, 30), ends_at=at(17, 30), reason="cursus"))
    db.session.commit()
    assert cached(cache, appointment_type) == computed(appointment_type)

    db.session.get(Chiropractor, 2).is_active = False
    db.session.commit()
    assert cached(cache, appointment_type) == computed(appointment_type)

    mornings = db.session.scalars(
        select(WorkingHours).where(WorkingHours.chiropractor_id == 3, WorkingHours.start_time == time(8, 30))
    ).all()
    for row in mornings:
        row.end_time = time(11)
    db.session.commit()
    assert cached(cache, appointment_type) == computed(appointment_type)


@pytest.mark.parametrize("change", ["insert", "update", "delete"])
def test_every_change_that_decides_free_time_raises_the_revision(cache, appointment_type, book, change):
    appointment = book(at(10), chiropractor_id=1)
    start = revision()
    if change == "insert":
        db.session.add(TimeOff(chiropractor_id=1, starts_at=at(13), ends_at=at(14)))
    elif change == "update":
        appointment.status = "cancelled"
        appointment.cancelled_at = NOW
        appointment.cancel_reason = "ziek"
    else:
        db.session.delete(db.session.scalars(select(WorkingHours)).first())
    db.session.commit()
    assert revision() > start


def test_the_same_question_at_the_same_revision_is_computed_once(cache, appointment_type):
    calls = []

    def find(policy, now):
        calls.append((policy, now))
        return find_free_slots(db.session, appointment_type(), *WEEK, policy=policy, now=now)

    for now in (NOW, NOW + timedelta(hours=1)):
        cache.free_slots(db.session, "week", find, policy=ONLINE_POLICY, now=now)
    assert len(calls) == 1


def test_a_finder_that_refuses_keeps_nothing(cache, appointment_type):
    calls = []

    def refuse(policy, now):
        calls.append(now)
        raise LookupError("no such type")

    for _ in range(2):
        with pytest.raises(LookupError):
            cache.free_slots(db.session, "unknown", refuse, policy=ONLINE_POLICY, now=NOW)
    assert len(calls) == 2


def test_a_reading_transaction_does_not_change_the_revision(cache, appointment_type):
    start = revision()
    cached(cache, appointment_type)
    db.session.commit()
    assert revision() == start


def test_an_answer_is_encoded_once_per_window_of_the_clock(cache, appointment_type):
    encoded = []

    def encode(slots):
        encoded.append(len(slots))
        return ",".join(slot.start.isoformat() for slot in slots)

    def text(now):
        def find(policy, now):
            return find_free_slots(db.session, appointment_type(), *WEEK, policy=policy, now=now)

        return cache.encoded_free_slots(db.session, "week", find, policy=ONLINE_POLICY, now=now, encode=encode)

    first = text(NOW)
    assert first == ",".join(slot.start.isoformat() for slot in computed(appointment_type))
    assert text(NOW + timedelta(seconds=30)) == first and len(encoded) == 1
    # A day later the two hours' notice has passed many starts: a new window, encoded anew.
    later = text(NOW + timedelta(days=1))
    assert later == ",".join(slot.start.isoformat() for slot in computed(appointment_type, now=NOW + timedelta(days=1)))
    assert len(encoded) == 2 and encoded[1] < encoded[0]
