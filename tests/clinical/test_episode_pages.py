"""The chiropractor's care-episode pages: open one at intake, enter outcomes (a wrong value is refused next
to its field, keeping what was typed), see them with the MCID and the "not on track" prompt, choose an
appointment's episode, close with a discharge summary."""
import re
from datetime import timedelta

import pytest

from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Appointment, CareEpisode, Role
from tests.clinical.clinical_builders import add_appointment


@pytest.fixture
def chiropractor(client, login_as):
    user = login_as(Role.CHIROPRACTOR)
    client.get("/taal/en")
    return user


def chiropractor_id(client, patient) -> str:
    """Return the treating chiropractor the form offers first (the logged-in one's own)."""
    page = client.get(f"/clinical/patients/{patient.id}/episodes/new").get_data(as_text=True)
    return re.search(r'<option selected value="(\d+)"', page).group(1)


def open_episode(client, patient) -> str:
    form = client.get(f"/clinical/patients/{patient.id}/episodes/new")
    assert form.status_code == 200
    today = to_local(utcnow()).date()
    answer = client.post(f"/clinical/patients/{patient.id}/episodes/new", data={
        "region": "knie rechts", "onset_on": (today - timedelta(days=20)).isoformat(),
        "chiropractor_id": chiropractor_id(client, patient),
        "goals": "Weer 10 km hardlopen"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    return answer.headers["Location"]


def test_an_episode_is_opened_from_the_patient_page_and_takes_outcomes(client, chiropractor, patient):
    page = client.get(f"/clinical/patients/{patient.id}").get_data(as_text=True)
    assert "Care episodes" in page and f"/clinical/patients/{patient.id}/episodes/new" in page
    url = open_episode(client, patient)

    refused = client.post(f"{url}/outcomes", data={"measure": "psk", "activity_1": "hardlopen",
                                                   "activity_2": "traplopen", "activity_score_2": "4"})
    assert refused.status_code == 422
    text = refused.get_data(as_text=True)
    assert 'value="traplopen"' in text and "This is outside the range" in text

    for data in ({"measure": "nprs", "value": "7"}, {"measure": "psk", "activity_1": "hardlopen",
                                                     "activity_score_1": "3"}, {"measure": "nprs", "value": "4"}):
        assert client.post(f"{url}/outcomes", data=data).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "hardlopen: 3" in page and "MCID" in page and "Not on track" not in page
    assert page.count('class="dot"') == 3

    closed = client.post(f"{url}/closure", data={"discharge_summary": "Klachtenvrij."})
    assert closed.status_code == 302
    assert "Klachtenvrij." in client.get(url).get_data(as_text=True)


def test_a_closed_episode_refuses_a_second_closure_and_new_outcomes_with_409(client, chiropractor, patient):
    """As the questionnaire does: the page from a second tab, sent after the episode was closed."""
    url = open_episode(client, patient)
    assert client.post(f"{url}/closure", data={"discharge_summary": "Klachtenvrij."}).status_code == 302
    again = client.post(f"{url}/closure", data={"discharge_summary": "Toch nog pijn."})
    late_outcome = client.post(f"{url}/outcomes", data={"measure": "nprs", "value": "2"})
    for refused in (again, late_outcome):
        assert refused.status_code == 409 and "This episode is closed." in refused.get_data(as_text=True)
    episode = db.session.get(CareEpisode, int(url.rsplit("/", 1)[-1]))
    db.session.refresh(episode)
    assert (episode.discharge_summary, episode.measurements) == ("Klachtenvrij.", [])


def test_an_episode_without_important_improvement_after_the_review_visits_is_flagged(
    app, client, chiropractor, patient
):
    url = open_episode(client, patient)
    episode = db.session.get(CareEpisode, int(url.rsplit("/", 1)[-1]))
    for week in range(4):
        visit = add_appointment(patient, episode.opened_at - timedelta(days=7 * (week + 1)), status="completed")
        visit.episode_id = episode.id
    db.session.commit()
    for value in ("6", "5"):
        client.post(f"{url}/outcomes", data={"measure": "nprs", "value": value})
    page = client.get(url).get_data(as_text=True)
    assert "Not on track" in page and "After 4 visits" in page


def test_the_appointment_page_chooses_the_visits_episode(client, chiropractor, patient):
    url = open_episode(client, patient)
    episode_id = int(url.rsplit("/", 1)[-1])
    appointment = add_appointment(patient, utcnow() + timedelta(days=2))
    db.session.commit()
    assert "knie rechts" in client.get(f"/clinical/appointments/{appointment.id}").get_data(as_text=True)
    answer = client.post(f"/clinical/appointments/{appointment.id}/episode", data={"episode_id": str(episode_id)})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appointment, appointment.id).episode_id == episode_id


def test_the_chiropractor_chooses_the_patients_questionnaire_at_intake_and_later(client, chiropractor, patient):
    today = to_local(utcnow()).date()
    answer = client.post(f"/clinical/patients/{patient.id}/episodes/new", data={
        "region": "enkel links", "onset_on": (today - timedelta(days=3)).isoformat(),
        "chiropractor_id": chiropractor_id(client, patient), "region_questionnaire": "lefs"})
    url = answer.headers["Location"]
    episode = db.session.query(CareEpisode).one()
    assert episode.region_questionnaire == "lefs"
    assert '<option selected value="lefs">' in client.get(url).get_data(as_text=True)

    assert client.post(f"{url}/questionnaire", data={"region_questionnaire": ""}).status_code == 302
    db.session.refresh(episode)
    assert episode.region_questionnaire is None
    refused = client.post(f"{url}/questionnaire", data={"region_questionnaire": "ndi"})
    assert refused.status_code == 422 and "Not a valid choice" in refused.get_data(as_text=True)

    assert client.post(f"{url}/closure", data={"discharge_summary": "Klachtenvrij."}).status_code == 302
    too_late = client.post(f"{url}/questionnaire", data={"region_questionnaire": "lefs"})
    assert too_late.status_code == 409 and "This episode is closed." in too_late.get_data(as_text=True)
    db.session.refresh(episode)
    assert episode.region_questionnaire is None


def test_the_staff_form_shows_the_lefs_in_its_validated_wording_only(client, chiropractor, patient):
    url = open_episode(client, patient)
    client.get("/taal/nl")
    page = client.get(url).get_data(as_text=True)
    assert '<div lang="en">' in page and "Walking between rooms" in page
    answers = {f"lefs_{number}": "4" for number in range(1, 21)} | {"lefs_19": "0", "lefs_6": "1", "lefs_16": "2"}
    assert client.post(f"{url}/outcomes", data={"measure": "lefs"} | answers).status_code == 302
    assert db.session.query(CareEpisode).one().measurements[0].score == 71
    # The activities to work on stand beside the score: the hardest first, none scored above 1.
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'Moeilijkst \(0–4\): <span lang="en">Hopping \(0\); Squatting \(1\)</span>', page)
