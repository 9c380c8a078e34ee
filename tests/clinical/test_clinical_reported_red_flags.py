"""Red flags a patient reports in a check-in: a red flag at once, an alert on the clinical page, reviewed by a chiropractor."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from clinic import readiness
from clinic.errors import Invalid, NotAllowed
from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Role
from clinic.services.readiness import (
    NewCheckIn,
    evaluate_readiness,
    record_check_in,
    review_red_flag_reports,
    unreviewed_red_flag_reports,
)
from tests.conftest import log_in

HANDS_ON = ("adjustment", "massage", "dry_needling", "decompression")


def local_today():
    return to_local(utcnow()).date()


def check_in(patient, complaints: dict, *, days_ago: int = 0):
    """Record the patient's own check-in (as the portal does) reporting ``complaints`` that began that day."""
    day = local_today() - timedelta(days=days_ago)
    record = record_check_in(db.session, patient, NewCheckIn(day, complaints={name: day for name in complaints}),
                             entered_by=None, today=local_today())
    db.session.commit()
    return record


def hands_on_verdicts(patient, at=None) -> set[readiness.Verdict]:
    result = evaluate_readiness(db.session, patient, at or utcnow())
    return {result.modalities[name].verdict for name in HANDS_ON}


# The service -------------------------------------------------------------------------------------


@pytest.mark.parametrize("complaint", ["fever", "weight_loss", "night_pain", "palpitations", "numbness_weakness"])
def test_a_report_of_today_is_a_red_flag_and_an_open_report(app, patient, complaint):
    check_in(patient, [complaint])

    assert hands_on_verdicts(patient) == {readiness.Verdict.CONTRAINDICATED}
    result = evaluate_readiness(db.session, patient, utcnow())
    assert "SCR-REPORTED-RED-FLAG" in {notice.rule for notice in result.notices}
    assert [report.complaint for report in unreviewed_red_flag_reports(db.session, patient)] == [complaint]


def test_other_complaints_are_no_open_report(app, patient):
    check_in(patient, ["fatigue", "poor_sleep"])
    assert unreviewed_red_flag_reports(db.session, patient) == []
    assert readiness.Verdict.CONTRAINDICATED not in hands_on_verdicts(patient)


def test_a_chiropractor_reviews_it_and_who_and_when_are_recorded(app, patient, create_account, clock):
    chiropractor = create_account(Role.CHIROPRACTOR)
    check_in(patient, ["fever"], days_ago=3)
    report = unreviewed_red_flag_reports(db.session, patient)[0]
    before_review = utcnow()
    clock.advance(minutes=5)

    reviewed = review_red_flag_reports(db.session, patient, [report.id], reviewed_by=chiropractor, now=utcnow())
    db.session.commit()

    assert reviewed == [report]
    assert (report.reviewed_by, report.reviewed_at) == (chiropractor, utcnow())
    assert unreviewed_red_flag_reports(db.session, patient) == []
    assert readiness.Verdict.CONTRAINDICATED not in hands_on_verdicts(patient)
    # As known before the review (a note written then), the report still counted.
    assert hands_on_verdicts(patient, before_review) == {readiness.Verdict.CONTRAINDICATED}


def test_a_report_that_came_in_after_the_page_was_shown_stays_open(app, patient, create_account):
    chiropractor = create_account(Role.CHIROPRACTOR)
    check_in(patient, ["fever"], days_ago=1)
    shown = [report.id for report in unreviewed_red_flag_reports(db.session, patient)]
    check_in(patient, ["night_pain"])

    review_red_flag_reports(db.session, patient, shown, reviewed_by=chiropractor, now=utcnow())
    db.session.commit()

    assert [report.complaint for report in unreviewed_red_flag_reports(db.session, patient)] == ["night_pain"]
    assert hands_on_verdicts(patient) == {readiness.Verdict.CONTRAINDICATED}


def test_only_a_chiropractor_reviews_and_only_open_reports_of_this_patient(app, patient, create_patient, create_account):
    check_in(patient, ["fever"])
    report = unreviewed_red_flag_reports(db.session, patient)[0]
    with pytest.raises(NotAllowed):
        review_red_flag_reports(db.session, patient, [report.id], reviewed_by=create_account(Role.FRONTDESK),
                                now=utcnow())
    other = create_patient(first_name="Other")
    with pytest.raises(Invalid) as refused:
        review_red_flag_reports(db.session, other, [report.id], reviewed_by=create_account(Role.CHIROPRACTOR),
                                now=utcnow())
    assert refused.value.fields == {"reports": "none_open"}
    assert report.reviewed_at is None


# The clinical page -------------------------------------------------------------------------------


@pytest.fixture
def chiropractor_browser(client, create_account):
    account = create_account(Role.CHIROPRACTOR)
    log_in(client, account.email)
    client.get("/taal/en")
    return account


def page_of(client, patient) -> str:
    response = client.get(f"/clinical/patients/{patient.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_shows_the_alert_until_a_chiropractor_marks_it_reviewed(client, patient, chiropractor_browser):
    check_in(patient, ["fever"])

    page = page_of(client, patient)
    assert "Red flags reported by the patient" in page and "Mark as reviewed" in page
    assert "Fever: reported in the check-in of" in page
    assert "Fever or systemic illness: do not treat; have the patient contact their GP." in page
    report_ids = re.findall(r'<input type="hidden" name="reports" value="(\d+)">', page)
    assert len(report_ids) == 1

    response = client.post(f"/clinical/patients/{patient.id}/reported-red-flags/review", data={"reports": report_ids})
    assert response.status_code == 302

    page = page_of(client, patient)
    assert "The reported red flags are marked as reviewed." in page
    assert "Red flags reported by the patient" not in page
    assert f"by {chiropractor_browser.chiropractor.name}" in page and "reviewed" in page
    assert "Fever or systemic illness: do not treat" not in page


def test_marking_reports_already_reviewed_says_so(client, patient, chiropractor_browser):
    check_in(patient, ["fever"])
    report_id = unreviewed_red_flag_reports(db.session, patient)[0].id
    url = f"/clinical/patients/{patient.id}/reported-red-flags/review"
    assert client.post(url, data={"reports": [report_id]}).status_code == 302

    client.post(url, data={"reports": [report_id]})
    assert "These reports were already reviewed." in page_of(client, patient)


def test_the_front_desk_cannot_mark_reports_reviewed(client, patient, login_as):
    check_in(patient, ["fever"])
    report_id = unreviewed_red_flag_reports(db.session, patient)[0].id
    login_as(Role.FRONTDESK)

    response = client.post(f"/clinical/patients/{patient.id}/reported-red-flags/review", data={"reports": [report_id]})
    assert response.status_code in (403, 404)
    assert unreviewed_red_flag_reports(db.session, patient)[0].reviewed_at is None
