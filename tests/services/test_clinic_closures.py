"""Clinic closures: entered once, they close every chiropractor's agenda on every booking path."""
from datetime import date

import pytest

from clinic.errors import Invalid
from clinic.extensions import db
from clinic.models import BookingSource
from clinic.scheduling import STAFF_POLICY
from clinic.services import staffing
from clinic.services.booking import BookingRejected, find_free_slots, reschedule_appointment
from tests.services.conftest import NOW
from tests.services.test_booking import TUESDAY, at, book  # noqa: F401 - the fixture


def close(start, end, reason="Teamtraining"):
    added = staffing.add_closure(db.session, starts_at=start, ends_at=end, reason=reason, now=NOW)
    db.session.commit()
    return added


def test_a_closure_lists_the_appointments_in_it_of_every_chiropractor(book):
    inside = [book(at(14), chiropractor_id=1), book(at(15, 30), chiropractor_id=3)]
    book(at(11), chiropractor_id=2)
    added = close(at(13, 30), at(17, 30))
    assert [a.id for a in added.appointments] == [a.id for a in inside]
    assert [entry.closure.id for entry in staffing.upcoming_closures(db.session, NOW)] == [added.closure.id]


def test_no_chiropractor_is_free_or_bookable_while_the_clinic_is_closed(appointment_type, book):
    close(at(13, 30), at(17, 30))
    massage = appointment_type("sports_massage_30")
    slots = find_free_slots(db.session, massage, TUESDAY, TUESDAY, policy=STAFF_POLICY, now=NOW)
    assert slots and max(slot.end for slot in slots) <= at(13, 30)
    with pytest.raises(BookingRejected) as refused:
        book(at(14), chiropractor_id=2)
    assert [v.code.value for v in refused.value.violations] == ["clinic_closed"]
    db.session.rollback()
    with pytest.raises(BookingRejected):
        book(at(14), chiropractor_id=None)
    db.session.rollback()
    moving = book(at(9), chiropractor_id=4)
    with pytest.raises(BookingRejected):
        reschedule_appointment(db.session, moving, at(16), source=BookingSource.FRONTDESK, policy=STAFF_POLICY,
                               now=NOW)


@pytest.mark.parametrize(
    ("start", "end", "reason", "field"),
    [
        (at(14), at(13), "Training", "ends_at"),
        (at(14), at(16), "  ", "reason"),
        (at(6, day=date(2026, 11, 2)), at(7, day=date(2026, 11, 2)), "Al voorbij", "ends_at"),
    ],
)
def test_a_closure_needs_a_reason_and_an_end_after_its_start_and_now(clinic, start, end, reason, field):
    with pytest.raises(Invalid) as refused:
        staffing.add_closure(db.session, starts_at=start, ends_at=end, reason=reason, now=NOW)
    assert field in refused.value.fields
