"""Who offers which treatment: only certified colleagues do dry needling."""
from datetime import timezone

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from clinic.errors import Invalid
from clinic.extensions import db
from clinic.models import Chiropractor
from clinic.scheduling import STAFF_POLICY
from clinic.services import staffing
from clinic.services.booking import NotOffered, SlotTaken, find_free_slots
from tests.services.conftest import NOW
from tests.services.test_booking import TUESDAY, at, book  # noqa: F401 - the fixture


@pytest.fixture
def needling_only_by_jarco(appointment_type):
    needling = appointment_type("dry_needling")
    for chiropractor_id in (2, 3, 4):
        chiropractor = db.session.get(Chiropractor, chiropractor_id)
        offered = staffing.offered_type_ids(db.session, chiropractor)
        staffing.offer_types(db.session, chiropractor, offered - {needling.id})
    db.session.commit()
    return needling


def test_every_chiropractor_offers_every_type_until_the_admin_says_otherwise(appointment_type):
    codes = staffing.offered_type_codes(db.session)
    assert set(codes) == {1, 2, 3, 4}
    assert all("dry_needling" in offered and "intake" in offered for offered in codes.values())


def test_free_times_come_only_from_chiropractors_who_offer_the_type(needling_only_by_jarco):
    slots = find_free_slots(db.session, needling_only_by_jarco, TUESDAY, TUESDAY, policy=STAFF_POLICY, now=NOW)
    assert slots and {slot.chiropractor_id for slot in slots} == {1}
    assert find_free_slots(db.session, needling_only_by_jarco, TUESDAY, TUESDAY, policy=STAFF_POLICY, now=NOW,
                           chiropractor_id=2) == []
    assert staffing.offered_type_codes(db.session)[2].count("dry_needling") == 0


def test_booking_a_type_the_chiropractor_does_not_offer_is_refused(needling_only_by_jarco, book):
    with pytest.raises(NotOffered) as refused:
        book(at(9), chiropractor_id=2, code="dry_needling")
    assert (refused.value.status, refused.value.fields) == (422, {"chiropractor_id": "type_not_offered"})
    db.session.rollback()
    # Any chiropractor: only the one who offers it, although the others are free.
    assert book(at(9), chiropractor_id=None, code="dry_needling").chiropractor_id == 1
    with pytest.raises(SlotTaken):
        book(at(9), chiropractor_id=None, code="dry_needling")


def test_the_database_refuses_a_type_the_chiropractor_does_not_offer_even_from_raw_sql(
    needling_only_by_jarco, create_patient
):
    statement = text(
        "INSERT INTO appointments (patient_id, chiropractor_id, appointment_type_id, starts_at, ends_at, "
        "buffer_ends_at, status, source, cancel_reason, created_at, updated_at) VALUES "
        "(:patient, 2, :type, :start, :end, :end, 'booked', 'frontdesk', '', :start, :start)"
    ).bindparams(patient=create_patient().id, type=needling_only_by_jarco.id)
    start, end = at(9).astimezone(timezone.utc), at(9, 30).astimezone(timezone.utc)
    if db.engine.dialect.name == "sqlite":
        start, end = (t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in (start, end))
    with pytest.raises(IntegrityError, match="type_not_offered"):
        db.session.execute(statement, {"start": start, "end": end})
    db.session.rollback()


def test_offering_a_type_again_and_an_unknown_type(needling_only_by_jarco):
    sten = db.session.get(Chiropractor, 4)
    staffing.offer_types(db.session, sten, staffing.offered_type_ids(db.session, sten) | {needling_only_by_jarco.id})
    db.session.commit()
    assert "dry_needling" in staffing.offered_type_codes(db.session)[4]
    with pytest.raises(Invalid):
        staffing.offer_types(db.session, sten, {999})
