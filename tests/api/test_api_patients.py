"""The patient endpoints: search, registration and reading one patient."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import Patient

SANNE = {"first_name": "Sanne", "last_name": "de Vries", "date_of_birth": "1990-05-17"}


def register(client, headers, **fields):
    return client.post("/api/v1/patients", json=SANNE | fields, headers=headers)


def patient_count() -> int:
    return db.session.scalar(select(db.func.count(Patient.id)))


def test_registering_answers_201_with_the_normalised_patient_and_its_location(client, staff):
    response = register(
        client, staff, first_name="  Zoë ", email="Zoe@Example.NL", phone="06 12345678",
        preferred_language="en", sport="Hockey",
    )
    assert response.status_code == 201
    patient = response.json
    assert patient == {
        "id": patient["id"],
        "first_name": "Zoë",
        "last_name": "de Vries",
        "date_of_birth": "1990-05-17",
        "email": "zoe@example.nl",
        "phone": "+31612345678",
        "preferred_language": "en",
        "language": "en",
        "sport": "Hockey",
        "desk_remarks": "",
        "address": {"street": "", "house_number": "", "postcode": "", "city": "", "country": "NL"},
        "gp": {"name": "", "practice": "", "phone": None},
        "insurer": {"name": "", "policy_number": ""},
        "emergency_contact": {"name": "", "phone": None, "relation": ""},
    }
    assert response.headers["Location"] == f"/api/v1/patients/{patient['id']}"
    assert client.get(response.headers["Location"], headers=staff).json == patient
    assert db.session.get(Patient, patient["id"]).created_source == "frontdesk"


def test_optional_details_may_be_left_out(client, staff):
    response = register(client, staff)
    assert response.status_code == 201
    assert (response.json["email"], response.json["phone"], response.json["preferred_language"]) == (None, None, "nl")


def test_the_service_names_every_detail_that_is_not_right(client, staff):
    response = register(client, staff, first_name="  ", email="nope", phone="12", date_of_birth="2030-01-01")
    assert response.status_code == 422
    assert response.json["error"] == {
        "code": "invalid",
        "message": response.json["error"]["message"],
        "fields": {
            "first_name": "required",
            "email": "invalid_email",
            "phone": "invalid_phone",
            "date_of_birth": "not_in_past",
        },
    }
    assert patient_count() == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date_of_birth": "1990-02-30"}, "date_of_birth"),
        ({"date_of_birth": "17-05-1990"}, "date_of_birth"),
        ({"date_of_birth": 19900517}, "date_of_birth"),
        ({"first_name": "Sa\x00nne"}, "first_name"),
        ({"sport": "Hockey\x00"}, "sport"),
        ({"email": "a\x00@example.nl"}, "email"),
        ({"last_name": "x" * 201}, "last_name"),
        ({"sport": "x" * 10_000}, "sport"),
        ({"phone": "0" * 41}, "phone"),
        ({"first_name": 5}, "first_name"),
        ({"first_name": None}, "first_name"),
        ({"first_name": ["Sanne"]}, "first_name"),
        ({"preferred_language": "de"}, "preferred_language"),
        ({"is_admin": True}, "is_admin"),
    ],
)
def test_malformed_details_are_422_naming_the_field_and_nothing_is_stored(client, staff, fields, field):
    response = register(client, staff, **fields)
    assert response.status_code == 422
    assert field in response.json["error"]["fields"]
    assert patient_count() == 0


def test_a_lone_surrogate_is_refused_before_the_database_sees_it(client, staff):
    body = '{"first_name": "Sanne", "last_name": "de Vries", "date_of_birth": "1990-05-17", "sport": "\\ud800"}'
    response = client.post("/api/v1/patients", data=body, content_type="application/json", headers=staff)
    assert response.status_code == 422
    assert "sport" in response.json["error"]["fields"]


def test_missing_details_are_named(client, staff):
    response = client.post("/api/v1/patients", json={}, headers=staff)
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"first_name", "last_name", "date_of_birth"}


@pytest.fixture
def patients(create_patient):
    return [
        create_patient(first_name="Sanne", last_name="de Vries", date_of_birth=date(1990, 5, 17), email="sanne@example.nl"),
        create_patient(first_name="Daan", last_name="Bakker", date_of_birth=date(1985, 1, 2)),
    ]


@pytest.mark.parametrize(
    ("q", "last_names"),
    [("vries", ["de Vries"]), ("1985-01-02", ["Bakker"]), ("sanne@example.nl", ["de Vries"]), ("", []), ("%", [])],
)
def test_search_finds_patients_in_an_envelope(client, staff, patients, q, last_names):
    response = client.get("/api/v1/patients", query_string={"q": q}, headers=staff)
    assert response.status_code == 200
    assert [p["last_name"] for p in response.json["patients"]] == last_names


def test_search_without_q_finds_nobody(client, staff, patients):
    assert client.get("/api/v1/patients", headers=staff).json == {"patients": []}


@pytest.mark.parametrize("q", ["vries\x00", "x" * 201])
def test_a_search_the_database_cannot_take_is_422(client, staff, patients, q):
    response = client.get("/api/v1/patients", query_string={"q": q}, headers=staff)
    assert response.status_code == 422
    assert "q" in response.json["error"]["fields"]


def test_one_patient_is_read_by_id(client, staff, patients):
    response = client.get(f"/api/v1/patients/{patients[1].id}", headers=staff)
    assert response.status_code == 200
    assert response.json["last_name"] == "Bakker"
    assert response.json["date_of_birth"] == "1985-01-02"


@pytest.mark.parametrize("patient_id", ["999", "0", "2147483648", "99999999999999999999"])
def test_an_unknown_patient_is_404(client, staff, patients, patient_id):
    response = client.get(f"/api/v1/patients/{patient_id}", headers=staff)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_patch_changes_any_detail_and_answers_the_patient_as_get_does(client, staff, patients):
    url = f"/api/v1/patients/{patients[0].id}"
    response = client.patch(url, headers=staff, json={
        "sport": "Hockey", "language": "en", "desk_remarks": "prefers mornings",
        "address": {"street": "Lange Laan", "house_number": "12", "postcode": "1234ab", "city": "Hilversum"},
        "gp": {"name": "Dr. Jansen", "phone": "035 621 0000"}, "insurer": {"policy_number": "ZK-123"},
        "emergency_contact": {"name": "Tom", "relation": "partner", "phone": None},
    })
    assert response.status_code == 200
    assert response.json == client.get(url, headers=staff).json
    assert response.json["address"] == {"street": "Lange Laan", "house_number": "12", "postcode": "1234 AB",
                                         "city": "Hilversum", "country": "NL"}
    assert response.json["gp"] == {"name": "Dr. Jansen", "practice": "", "phone": "+31356210000"}
    assert (response.json["language"], response.json["insurer"]["policy_number"]) == ("en", "ZK-123")


def test_patch_names_each_bad_field_by_its_dotted_path(client, staff, patients):
    response = client.patch(f"/api/v1/patients/{patients[0].id}", headers=staff, json={
        "address": {"postcode": "12345"}, "emergency_contact": {"phone": "12"}, "date_of_birth": "1990-02-30"})
    assert response.status_code == 422
    assert set(response.json["error"]["fields"]) == {"date_of_birth"}  # the shape first: the body's own check
    response = client.patch(f"/api/v1/patients/{patients[0].id}", headers=staff, json={
        "address": {"postcode": "12345", "colour": "red"}})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"address.colour": "Unknown field."}
    response = client.patch(f"/api/v1/patients/{patients[0].id}", headers=staff, json={
        "address": {"postcode": "12345"}, "emergency_contact": {"phone": "12"}})
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {"address.postcode": "invalid_postcode",
                                                "emergency_contact.phone": "invalid_phone"}


def test_patch_refuses_the_email_and_birth_date_of_another_patient(client, staff, patients):
    response = client.patch(f"/api/v1/patients/{patients[1].id}", headers=staff,
                            json={"email": "SANNE@example.nl", "date_of_birth": "1990-05-17"})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "patient_conflict"
    assert db.session.get(Patient, patients[1].id).email is None


def test_patch_of_a_patient_out_of_reach_is_404(client, staff):
    assert client.patch("/api/v1/patients/999", headers=staff, json={"sport": "golf"}).status_code == 404
    assert client.patch("/api/v1/patients/99999999999", headers=staff, json={"sport": "golf"}).status_code == 404
