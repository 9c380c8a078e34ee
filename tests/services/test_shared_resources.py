"""The one decompression table: whichever chiropractor books it, two appointments never share it."""
from datetime import timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from clinic.errors import Conflict
from clinic.extensions import db
from clinic.models import AppointmentAction, BookingSource, ClinicResource
from clinic.scheduling import STAFF_POLICY
from clinic.services import staffing
from clinic.services.booking import (
    SlotTaken,
    change_status,
    find_free_slots,
    overlap_owner,
    reschedule_appointment,
)
from tests.services.conftest import NOW
from tests.services.test_booking import TUESDAY, at, book  # noqa: F401 - the fixture


def decompression_starts(appointment_type, chiropractor_id):
    return {
        slot.start
        for slot in find_free_slots(
            db.session, appointment_type("decompression"), TUESDAY, TUESDAY, policy=STAFF_POLICY, now=NOW,
            chiropractor_id=chiropractor_id,
        )
    }


def test_the_decompression_type_needs_the_seeded_table(appointment_type):
    assert appointment_type("decompression").resource.name == "Decompressietafel"
    assert appointment_type("sports_massage_30").resource is None


def test_a_second_chiropractor_cannot_take_the_table_at_an_overlapping_time(book):
    first = book(at(9), chiropractor_id=1, code="decompression")
    assert first.resource_id is not None
    for start in (at(9), at(9, 15), at(8, 40)):
        with pytest.raises(SlotTaken) as refused:
            book(start, chiropractor_id=2, code="decompression")
        assert refused.value.code == "resource_taken"
        db.session.rollback()
    # Back to back is fine, and the other chiropractor is free for anything else at 09:00.
    assert book(at(9, 30), chiropractor_id=2, code="decompression").resource_id == first.resource_id
    book(at(9), chiropractor_id=2, code="sports_massage_30")


def test_any_chiropractor_cannot_help_when_the_table_is_taken(book):
    book(at(9), chiropractor_id=1, code="decompression")
    with pytest.raises(SlotTaken) as refused:
        book(at(9), chiropractor_id=None, code="decompression")
    assert refused.value.code == "resource_taken"


def test_free_times_leave_out_the_table_s_busy_times_for_every_chiropractor(appointment_type, book):
    before = decompression_starts(appointment_type, 2)
    book(at(10), chiropractor_id=1, code="decompression")
    after = decompression_starts(appointment_type, 2)
    assert at(10) in before and at(9, 40) in before
    assert before - after == {at(hour, minute) for hour, minute in ((9, 40), (9, 50), (10, 0), (10, 10), (10, 20))}


def test_a_cancelled_appointment_frees_the_table(book):
    first = book(at(9), chiropractor_id=1, code="decompression")
    change_status(db.session, first, AppointmentAction.CANCELLED, source=BookingSource.FRONTDESK, now=NOW,
                  reason="ill")
    db.session.commit()
    book(at(9), chiropractor_id=2, code="decompression")


def test_moving_onto_the_table_s_busy_time_is_refused(book):
    book(at(9), chiropractor_id=1, code="decompression")
    moving = book(at(11), chiropractor_id=2, code="decompression")
    with pytest.raises(SlotTaken) as refused:
        reschedule_appointment(db.session, moving, at(9, 20), source=BookingSource.FRONTDESK, policy=STAFF_POLICY,
                               now=NOW)
    assert refused.value.code == "resource_taken"


def test_the_database_refuses_two_appointments_on_the_table_even_from_raw_sql(book, create_patient):
    existing = book(at(9), chiropractor_id=1, code="decompression")
    statement = text(
        "INSERT INTO appointments (patient_id, chiropractor_id, appointment_type_id, resource_id, starts_at, ends_at, "
        "buffer_ends_at, status, source, cancel_reason, created_at, updated_at) VALUES "
        "(:patient, 2, :type, :resource, :start, :end, :end, 'booked', 'frontdesk', '', :start, :start)"
    ).bindparams(patient=create_patient().id, type=existing.appointment_type_id, resource=existing.resource_id)
    start, end = at(9, 10).astimezone(timezone.utc), at(9, 40).astimezone(timezone.utc)
    if db.engine.dialect.name == "sqlite":
        start, end = (t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in (start, end))
    with pytest.raises(IntegrityError) as refused:
        db.session.execute(statement, {"start": start, "end": end})
    assert overlap_owner(refused.value) == "resource"
    db.session.rollback()


def test_the_admin_adds_a_room_under_a_name_of_its_own(clinic):
    room = staffing.add_resource(db.session, " Behandelkamer 2 ")
    db.session.commit()
    assert room.name == "Behandelkamer 2"
    with pytest.raises(Conflict) as refused:
        staffing.add_resource(db.session, "Behandelkamer 2")
    assert refused.value.code == "name_taken"
    db.session.rollback()
    assert db.session.scalars(select(ClinicResource.name).order_by(ClinicResource.name)).all() == [
        "Behandelkamer 2", "Decompressietafel",
    ]
