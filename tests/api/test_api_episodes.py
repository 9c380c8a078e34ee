"""The care-episode API: open an episode, add outcomes (422 with dotted fields when out of range), read
it with each outcome's change from the first value and whether it is clinically important, close it."""
import pytest

from clinic.extensions import db
from clinic.models import Role
from clinic.services.my_day import chiropractor_of
from tests.conftest import api_token_for


@pytest.fixture
def chiro(app, create_account):
    user = create_account(Role.CHIROPRACTOR)
    return user, {"Authorization": f"Bearer {api_token_for(user)}"}


def test_a_chiropractor_opens_an_episode_records_outcomes_and_closes_it(client, chiro, create_patient):
    user, auth = chiro
    patient = create_patient()
    opened = client.post(f"/api/v1/patients/{patient.id}/episodes", headers=auth, json={
        "chiropractor_id": chiropractor_of(db.session, user).id, "region": "knie rechts",
        "onset_on": "2026-10-01", "goals": "Weer 10 km hardlopen"})
    assert opened.status_code == 201, opened.json
    url = opened.headers["Location"]
    episode = url.rsplit("/", 1)[-1]

    for body in ({"measure": "nprs", "value": 7}, {"measure": "psk", "items": [{"activity": "hardlopen", "score": 3}]},
                 {"measure": "nprs", "value": 4}):
        assert client.post(f"{url}/outcomes", headers=auth, json=body).status_code == 201
    shown = client.get(url, headers=auth).json
    pain = [o for o in shown["outcomes"] if o["measure"] == "nprs"]
    assert [(o["change"]["from_first"], o["change"]["is_clinically_important"]) for o in pain] == [(0, False), (3, True)]
    assert pain[1]["change"]["minimal_important_change"] == 2
    psk = next(o for o in shown["outcomes"] if o["measure"] == "psk")
    assert psk["answers"] == [{"activity": "hardlopen", "score": 3}]
    assert shown["is_on_track"] and shown["visits"] == 0

    bad = client.post(f"{url}/outcomes", headers=auth, json={"measure": "psk", "items": [
        {"activity": "hardlopen", "score": 11}, {"score": 2}]})
    assert bad.status_code == 422
    assert bad.json["error"]["fields"] == {"items.1.activity": "Missing data for required field."}

    closed = client.post(f"{url}/closure", headers=auth, json={"discharge_summary": "Klachtenvrij."})
    assert closed.status_code == 200 and closed.json["closed_at"]
    again = client.post(f"{url}/outcomes", headers=auth, json={"measure": "nprs", "value": 1})
    assert (again.status_code, again.json["error"]["code"]) == (409, "episode_closed")
    assert client.get(f"/api/v1/episodes/{int(episode) + 1000}", headers=auth).status_code == 404


def test_out_of_range_values_are_named_by_their_dotted_field(client, chiro, create_patient):
    user, auth = chiro
    patient = create_patient()
    url = client.post(f"/api/v1/patients/{patient.id}/episodes", headers=auth, json={
        "chiropractor_id": chiropractor_of(db.session, user).id, "region": "nek",
        "onset_on": "2026-10-01"}).headers["Location"]
    answer = client.post(f"{url}/outcomes", headers=auth, json={"measure": "psk", "items": [
        {"activity": "hardlopen", "score": 3}, {"activity": "fietsen", "score": 11}]})
    assert (answer.status_code, answer.json["error"]["fields"]) == (422, {"items.1.score": "out_of_range(0..10)"})
    answer = client.post(f"{url}/outcomes", headers=auth, json={"measure": "groc", "value": -8})
    assert answer.json["error"]["fields"] == {"value": "out_of_range(-7..7)"}


def test_an_episode_says_which_questionnaire_its_patient_answers(client, chiro, create_patient):
    user, auth = chiro
    details = {"chiropractor_id": chiropractor_of(db.session, user).id, "onset_on": "2026-10-01"}
    knee = client.post(f"/api/v1/patients/{create_patient().id}/episodes", headers=auth,
                       json=details | {"region": "knie rechts", "region_questionnaire": "lefs"})
    assert knee.status_code == 201 and knee.json["region_questionnaire"] == "lefs"
    neck = client.post(f"/api/v1/patients/{create_patient().id}/episodes", headers=auth,
                       json=details | {"region": "nek"})
    assert neck.json["region_questionnaire"] is None
    unknown = client.post(f"/api/v1/patients/{create_patient().id}/episodes", headers=auth,
                          json=details | {"region": "rug", "region_questionnaire": "odi"})
    assert unknown.status_code == 422 and list(unknown.json["error"]["fields"]) == ["region_questionnaire"]


def test_the_questionnaire_is_changed_while_the_episode_is_open(client, chiro, create_patient):
    user, auth = chiro
    url = client.post(f"/api/v1/patients/{create_patient().id}/episodes", headers=auth, json={
        "chiropractor_id": chiropractor_of(db.session, user).id, "region": "enkel links",
        "onset_on": "2026-10-01"}).headers["Location"]
    changed = client.patch(url, headers=auth, json={"region_questionnaire": "lefs"})
    assert changed.status_code == 200 and client.get(url, headers=auth).json["region_questionnaire"] == "lefs"
    assert client.patch(url, headers=auth, json={}).status_code == 422  # say which, or null for none
    assert client.patch(url, headers=auth, json={"region_questionnaire": None}).json["region_questionnaire"] is None

    client.post(f"{url}/closure", headers=auth, json={"discharge_summary": "Klachtenvrij."})
    closed = client.patch(url, headers=auth, json={"region_questionnaire": "lefs"})
    assert (closed.status_code, closed.json["error"]["code"]) == (409, "episode_closed")
