"""POST /api/v1/closures: the administrator closes the clinic; every booking path then refuses it."""
from datetime import timedelta

from clinic.models import Role
from tests.api.conftest import local
from tests.api.test_api_appointments import book


def test_an_administrator_closes_the_clinic_and_learns_which_appointments_to_move(
    client, clinic, tuesday, staff, bearer, create_patient
):
    booked = book(client, staff, create_patient().id, local(tuesday, 14).isoformat(), chiropractor_id=2).json
    closure = {"start": local(tuesday, 13, 30).isoformat(), "end": local(tuesday, 17, 30).isoformat(),
               "reason": "Teamtraining"}
    assert client.post("/api/v1/closures", json=closure, headers=staff).status_code == 403
    response = client.post("/api/v1/closures", json=closure, headers=bearer(Role.ADMIN))
    assert response.status_code == 201
    assert (response.json["start"], response.json["end"], response.json["reason"]) == (
        closure["start"], closure["end"], "Teamtraining"
    )
    assert [a["id"] for a in response.json["appointments"]] == [booked["id"]]

    refused = book(client, staff, create_patient().id, local(tuesday, 15).isoformat(), chiropractor_id=3)
    assert refused.status_code == 422
    query = {"type": "sports_massage_30", "from": tuesday.isoformat(), "to": tuesday.isoformat()}
    starts = [slot["start"] for slot in client.get("/api/v1/availability", query_string=query).json["slots"]]
    assert starts and all(start < closure["start"] for start in starts)


def test_a_closure_without_a_reason_or_ending_before_it_starts_is_422(client, clinic, tuesday, bearer):
    admin = bearer(Role.ADMIN)
    start = local(tuesday, 9)
    for body in (
        {"start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(), "reason": " "},
        {"start": start.isoformat(), "end": (start - timedelta(hours=1)).isoformat(), "reason": "Koningsdag"},
    ):
        response = client.post("/api/v1/closures", json=body, headers=admin)
        assert response.status_code == 422
        assert response.json["error"]["fields"]
