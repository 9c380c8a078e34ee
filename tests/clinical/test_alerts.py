"""A chiropractor's alerts: derived from the data, each with a stable key; acknowledging one is recorded for good."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
import sqlalchemy as sa

from clinic.extensions import db
from clinic.errors import Conflict, Invalid
from clinic.models import AlertAcknowledgement, Role
from clinic.readiness.result import OvertrainingAssessment
from clinic.services import alerts, my_day, readiness
from clinic.services.access_log import Requester
from clinic.services.after_visit import AfterVisitReport, issue_after_visit_link, record_after_visit_answers
from clinic.services.readiness import NewCheckIn, ScreeningUpdate, record_check_in, update_screening
from clinic.services.treatment_notes import AppliedModality, NoteContent, sign_note, start_note
from clinical_builders import add_appointment, local
from tests.conftest import api_token_for, log_in

# A Wednesday in June: "today" and "tomorrow" are fixed, so nothing depends on when the tests run.
NOW = local(2026, 6, 10, 8)
TODAY = NOW.date()
DRY_NEEDLING = AppliedModality("dry_needling", {"muscles": ["gastrocnemius"], "needle_count": 4,
                                                "local_twitch_response": True, "adverse_reaction": "Flauwte"})


@pytest.fixture
def practice(clock, clinic, create_account, create_patient):
    """A chiropractor with a screened patient (Piet, seen last week) and an unscreened one (Sanne, tomorrow)."""
    clock.set(NOW)
    user = create_account(Role.CHIROPRACTOR)
    mine = my_day.chiropractor_of(db.session, user)
    sanne, piet = create_patient(), create_patient(first_name="Piet", last_name="Jansen")
    update_screening(db.session, piet, ScreeningUpdate(flags={}), checked_by=user, now=NOW - timedelta(days=7))
    visits = {
        "last_week": add_appointment(piet, local(2026, 6, 3, 10), chiropractor=mine, status="completed"),
        "tomorrow": add_appointment(sanne, local(2026, 6, 11, 15), chiropractor=mine),
    }
    db.session.commit()
    return user, mine, sanne, piet, visits


def keys(found) -> list[str]:
    return sorted(alert.key for alert in found)


def by(user) -> Requester:
    return Requester(user, "192.0.2.1", user.role)


def report_fever(patient, day=TODAY):
    record_check_in(db.session, patient, NewCheckIn(day, complaints={"fever": day}), entered_by=None, today=TODAY)
    db.session.commit()


def test_a_missing_screening_for_tomorrow_is_an_alert_with_the_appointment_in_its_key(practice):
    user, mine, sanne, piet, visits = practice
    assert keys(alerts.open_alerts(db.session, mine, NOW)) == [f"screening:{visits['tomorrow'].id}:missing"]


def test_a_reported_red_flag_alerts_until_acknowledged_and_acknowledging_it_is_the_review(practice):
    user, mine, sanne, piet, visits = practice
    report_fever(piet)
    report = readiness.unreviewed_red_flag_reports(db.session, piet)[0]
    key = f"reported_red_flag:{report.id}"
    assert key in keys(alerts.open_alerts(db.session, mine, NOW))
    assert readiness.evaluate_readiness(db.session, piet, NOW).red_flags  # counted by the engine
    alerts.acknowledge(db.session, by(user), key, now=NOW)
    db.session.commit()
    assert key not in keys(alerts.open_alerts(db.session, mine, NOW))
    assert readiness.unreviewed_red_flag_reports(db.session, piet) == []
    assert readiness.evaluate_readiness(db.session, piet, NOW + timedelta(minutes=1)).red_flags == ()


def test_a_new_worrying_report_after_an_acknowledgement_is_a_new_alert(practice, clock):
    user, mine, sanne, piet, visits = practice
    report_fever(piet, TODAY - timedelta(days=1))
    first = keys(alerts.open_alerts(db.session, mine, NOW))
    alerts.acknowledge(db.session, by(user), next(key for key in first if key.startswith("reported")), now=NOW)
    report_fever(piet)
    fresh = [key for key in keys(alerts.open_alerts(db.session, mine, NOW)) if key.startswith("reported")]
    assert len(fresh) == 1 and fresh[0] not in first


def test_reviewing_on_the_patient_page_records_the_acknowledgement_too(practice):
    user, mine, sanne, piet, visits = practice
    report_fever(piet)
    report = readiness.unreviewed_red_flag_reports(db.session, piet)[0]
    readiness.review_red_flag_reports(db.session, piet, [report.id], reviewed_by=user, now=NOW)
    db.session.commit()
    row = db.session.scalar(sa.select(AlertAcknowledgement))
    assert (row.alert_key, row.acknowledged_by_id, row.acknowledged_at, row.patient_id) == (
        f"reported_red_flag:{report.id}", user.id, NOW, piet.id)


def test_a_worrying_after_visit_answer_and_an_adverse_reaction_are_alerts_of_the_treating_chiropractor(
        practice, create_account):
    user, mine, sanne, piet, visits = practice
    record_after_visit_answers(db.session, issue_after_visit_link(db.session, visits["last_week"], NOW),
                               AfterVisitReport(pain_now=8, soreness=3), NOW)
    note = start_note(db.session, piet, NoteContent(modalities=(DRY_NEEDLING,)), author=user,
                      appointment=visits["last_week"], now=NOW)
    sign_note(db.session, note, signer=user, now=NOW)
    db.session.commit()
    found = {alert.kind.value: alert for alert in alerts.open_alerts(db.session, mine, NOW)}
    assert found["after_visit"].detail == "8" and found["after_visit"].patient == piet
    assert found["adverse_reaction"].detail == "Flauwte"
    colleague = my_day.chiropractor_of(db.session, create_account(Role.CHIROPRACTOR))
    assert alerts.open_alerts(db.session, colleague, NOW) == []
    assert {"after_visit", "adverse_reaction"} <= {alert.kind.value for alert in alerts.open_alerts(db.session, None, NOW)}


def test_a_warning_level_of_two_is_an_alert_and_a_higher_level_after_acknowledging_is_a_new_one(practice, monkeypatch):
    user, mine, sanne, piet, visits = practice
    level = {"now": 2}
    evaluate = readiness.evaluate_readiness

    def at_level(session, patient, at, **kwargs):
        result = evaluate(session, patient, at, **kwargs)
        return replace(result, overtraining=OvertrainingAssessment(level["now"], ()))

    monkeypatch.setattr(readiness, "evaluate_readiness", at_level)
    appointment = visits["tomorrow"].id
    assert f"warning_level:{appointment}:2" in keys(alerts.open_alerts(db.session, mine, NOW))
    alerts.acknowledge(db.session, by(user), f"warning_level:{appointment}:2", now=NOW)
    db.session.commit()
    assert not any(key.startswith("warning") for key in keys(alerts.open_alerts(db.session, mine, NOW)))
    level["now"] = 3
    assert f"warning_level:{appointment}:3" in keys(alerts.open_alerts(db.session, mine, NOW))


@pytest.mark.parametrize("key, code", [
    ("screening:999999:missing", "unknown_alert"),
    ("nonsense", "unknown_alert"),
    ("after_visit:x", "unknown_alert"),
    ("x" * 500, "unknown_alert"),
])
def test_acknowledging_what_is_no_open_alert_is_refused_with_a_field_code(practice, key, code):
    user = practice[0]
    with pytest.raises(Invalid) as error:
        alerts.acknowledge(db.session, by(user), key, now=NOW)
    assert error.value.fields == {"key": code}


def test_an_alert_is_acknowledged_once(practice):
    user, mine, sanne, piet, visits = practice
    key = f"screening:{visits['tomorrow'].id}:missing"
    alerts.acknowledge(db.session, by(user), key, now=NOW)
    db.session.commit()
    with pytest.raises(Conflict):
        alerts.acknowledge(db.session, by(user), key, now=NOW)


def test_the_database_refuses_to_change_or_delete_an_acknowledgement(practice):
    user, mine, sanne, piet, visits = practice
    alerts.acknowledge(db.session, by(user), f"screening:{visits['tomorrow'].id}:missing", now=NOW)
    db.session.commit()
    for statement in ("UPDATE alert_acknowledgements SET acknowledged_by_id = acknowledged_by_id",
                      "DELETE FROM alert_acknowledgements"):
        with pytest.raises(sa.exc.DBAPIError, match="alert_acknowledgements_insert_only|permission denied"):
            with db.session.begin_nested():
                db.session.execute(sa.text(statement))
    db.session.rollback()


# The pages and the API -------------------------------------------------------------------------


def test_the_alert_page_lists_mine_and_acknowledging_takes_one_off_with_the_count(client, practice):
    user, mine, sanne, piet, visits = practice
    report_fever(piet)
    log_in(client, user.email)
    client.get("/taal/en")
    page = client.get("/clinical/alerts").get_data(as_text=True)
    assert "Never screened" in page and "Red flag reported in a check-in" in page
    assert '<span class="count">2</span>' in page
    key = f"screening:{visits['tomorrow'].id}:missing"
    response = client.post("/clinical/alerts/acknowledge", data={"key": key})
    assert response.status_code == 302
    page = client.get("/clinical/alerts").get_data(as_text=True)
    assert "Never screened" not in page and '<span class="count">1</span>' in page
    again = client.post("/clinical/alerts/acknowledge", data={"key": key}, follow_redirects=True)
    assert "This alert was acknowledged already." in again.get_data(as_text=True)


def test_my_day_shows_the_open_alerts_of_each_appointment(client, practice):
    user, mine, sanne, piet, visits = practice
    log_in(client, user.email)
    client.get("/taal/en")
    page = client.get("/clinical/my-day?date=2026-06-11").get_data(as_text=True)
    assert "Never screened" in page
    client.post("/clinical/alerts/acknowledge", data={"key": f"screening:{visits['tomorrow'].id}:missing"})
    assert "Never screened" not in client.get("/clinical/my-day?date=2026-06-11").get_data(as_text=True)


def test_the_api_lists_and_acknowledges_alerts_in_the_one_error_shape(client, practice, headers):
    user, mine, sanne, piet, visits = practice
    auth = {"Authorization": f"Bearer {api_token_for(user)}"}
    listed = client.get("/api/v1/alerts", headers=auth)
    assert listed.status_code == 200
    key = f"screening:{visits['tomorrow'].id}:missing"
    assert listed.json["alerts"] == [{"key": key, "kind": "screening", "patient_id": sanne.id,
                                      "raised_at": "2026-06-11T15:00:00+02:00", "detail": "missing",
                                      "appointment_id": visits["tomorrow"].id}]
    done = client.post("/api/v1/alerts/acknowledgements", json={"key": key}, headers=auth)
    assert done.status_code == 201 and done.json["acknowledged_by_id"] == user.id
    assert done.headers["Location"].endswith("/api/v1/alerts")
    assert client.get("/api/v1/alerts", headers=auth).json["alerts"] == []
    again = client.post("/api/v1/alerts/acknowledgements", json={"key": key}, headers=auth)
    assert again.status_code == 409 and again.json["error"]["fields"] == {"key": "already_acknowledged"}
    unknown = client.post("/api/v1/alerts/acknowledgements", json={"key": "after_visit:9"}, headers=auth)
    assert unknown.status_code == 422 and unknown.json["error"]["fields"] == {"key": "unknown_alert"}
    admin = client.post("/api/v1/alerts/acknowledgements", json={"key": key}, headers=headers(Role.ADMIN))
    assert admin.status_code == 403
    assert client.get("/api/v1/alerts?scope=clinic", headers=headers(Role.ADMIN)).status_code == 200


def test_the_navigation_count_evaluates_the_appointments_once_in_a_while_and_reported_alerts_always(
        client, practice, clock, monkeypatch):
    user, mine, sanne, piet, visits = practice
    log_in(client, user.email)
    evaluations = []
    evaluate = readiness.evaluate_readiness
    monkeypatch.setattr(readiness, "evaluate_readiness",
                        lambda session, patient, at, **kwargs: evaluations.append(at) or evaluate(session, patient, at, **kwargs))
    client.get("/clinical/")
    client.get("/clinical/")
    assert len(evaluations) == 1  # tomorrow's appointment, once
    report_fever(piet)
    assert '<span class="count">2</span>' in client.get("/clinical/").get_data(as_text=True)
    clock.advance(minutes=6)
    client.get("/clinical/")
    assert len(evaluations) == 2
