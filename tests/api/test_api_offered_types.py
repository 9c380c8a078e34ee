"""Who offers which treatment, through the API."""
import pytest

from clinic.extensions import db
from clinic.models import AppointmentType, Chiropractor
from clinic.services import staffing
from tests.api.conftest import local
from tests.api.test_api_appointments import book


@pytest.fixture
def needling_not_by_tijn(clinic):
    tijn = db.session.query(Chiropractor).filter_by(name="Tijn Kooren").one()
    needling = db.session.query(AppointmentType).filter_by(code="dry_needling").one()
    staffing.offer_types(db.session, tijn, staffing.offered_type_ids(db.session, tijn) - {needling.id})
    db.session.commit()
    return tijn


def test_chiropractors_are_listed_with_the_codes_of_the_types_they_offer(client, needling_not_by_tijn):
    listed = {c["name"]: c for c in client.get("/api/v1/chiropractors").json["chiropractors"]}
    assert "dry_needling" not in listed["Tijn Kooren"]["types"] and "intake" in listed["Tijn Kooren"]["types"]
    assert "dry_needling" in listed["Jarco Schol"]["types"]
    assert listed["Tijn Kooren"]["id"] == needling_not_by_tijn.id


def test_booking_a_type_the_chiropractor_does_not_offer_is_422(
    client, needling_not_by_tijn, tuesday, staff, create_patient
):
    response = book(client, staff, create_patient().id, local(tuesday, 9).isoformat(),
                    chiropractor_id=needling_not_by_tijn.id, code="dry_needling")
    assert response.status_code == 422
    assert response.json["error"]["code"] == "type_not_offered"
    assert response.json["error"]["fields"] == {"chiropractor_id": "type_not_offered"}
    query = {"type": "dry_needling", "from": tuesday.isoformat(), "to": tuesday.isoformat(),
             "chiropractor": needling_not_by_tijn.id}
    assert client.get("/api/v1/availability", query_string=query).json == {"slots": []}
