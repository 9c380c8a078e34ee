"""A patient fills in the outcome measures of their complaint in the portal (Dutch first, English too):
pain, the activities they chose (scored again next time), and after the first time the change; a wrong
answer is refused next to its field; another patient's complaint is absent."""
from datetime import date

import pytest

from clinic.extensions import db
from clinic.models import Chiropractor, OutcomeMeasurement
from clinic.services import episodes
from tests.portal.test_portal import NOW, clinic, logged_in, sanne  # noqa: F401 (fixtures)


@pytest.fixture
def complaint(sanne):  # noqa: F811
    episode = episodes.open_episode(db.session, sanne, episodes.NewEpisode(
        db.session.query(Chiropractor).first().id, "knie rechts", date(2026, 11, 1)), by=None, now=NOW)
    db.session.commit()
    return episode


def test_a_patient_answers_pain_and_activities_then_the_change(client, complaint):
    logged_in(client)
    home = client.get("/portaal/").get_data(as_text=True)
    assert f"/portaal/klachten/{complaint.id}" in home and "knie rechts" in home
    first = client.get(f"/portaal/klachten/{complaint.id}").get_data(as_text=True)
    assert "Hoeveel pijn" in first and 'name="change"' not in first

    refused = client.post(f"/portaal/klachten/{complaint.id}", data={"pain": "6", "activity_1": "hardlopen"})
    assert refused.status_code == 422 and 'value="hardlopen"' in refused.get_data(as_text=True)
    assert client.post(f"/portaal/klachten/{complaint.id}", data={
        "pain": "6", "activity_1": "hardlopen", "activity_score_1": "3"}).status_code == 302

    again = client.get(f"/en/portal/complaints/{complaint.id}").get_data(as_text=True)
    assert 'value="hardlopen"' in again and 'name="change"' in again and "How much pain" in again
    assert client.post(f"/en/portal/complaints/{complaint.id}", data={
        "pain": "3", "activity_1": "hardlopen", "activity_score_1": "6", "change": "4"}).status_code == 302
    measured = db.session.query(OutcomeMeasurement).order_by(OutcomeMeasurement.id).all()
    assert [(m.measure, m.score, m.entered_by) for m in measured] == [
        ("nprs", 6, "patient"), ("psk", 3, "patient"), ("nprs", 3, "patient"), ("psk", 6, "patient"),
        ("groc", 4, "patient")]


def test_another_patients_complaint_is_absent(client, complaint, create_patient):
    other = create_patient(first_name="Daan", last_name="Bakker", email="daan@example.nl")
    theirs = episodes.open_episode(db.session, other, episodes.NewEpisode(complaint.chiropractor_id, "nek",
                                                                          date(2026, 11, 1)), by=None, now=NOW)
    db.session.commit()
    logged_in(client)
    assert client.get(f"/portaal/klachten/{theirs.id}").status_code == 404
