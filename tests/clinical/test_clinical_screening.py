"""Screening status through the API and on the clinical page: missing, current, due, and findings asked again."""
from __future__ import annotations

from datetime import timedelta

import pytest

from clinic.localtime import to_local, utcnow
from clinic.models import Role
from clinic.services.readiness import months_after
from tests.conftest import log_in

MODALITIES = ("adjustment", "massage", "dry_needling", "decompression", "active_recovery")
NOT_BETTER_THAN_CAUTION = {"caution", "not_advised", "contraindicated"}


def local_today():
    return to_local(utcnow()).date()


def readiness_of(client, patient, auth) -> dict:
    response = client.get(f"/api/v1/patients/{patient.id}/readiness", headers=auth)
    assert response.status_code == 200
    return response.json


def screen(client, patient, auth, flags=None) -> dict:
    response = client.put(f"/api/v1/patients/{patient.id}/screening", headers=auth,
                          json={"flags": flags or {}, "indications": ["spinal_pain_mechanical"]})
    assert response.status_code == 200
    return response.json


def rules_of(body: dict, modality: str) -> set[str]:
    return {reason["rule"] for reason in body["modalities"][modality]["reasons"]}


def test_a_patient_never_screened_reads_missing_and_nothing_is_better_than_caution(client, patient, chiropractor):
    body = readiness_of(client, patient, chiropractor[1])

    assert body["screening"] == {"status": "missing", "checked_on": None, "due_on": None, "prompts": []}
    assert {body["modalities"][name]["verdict"] for name in MODALITIES} <= NOT_BETTER_THAN_CAUTION
    assert all("SCR-MISSING" in rules_of(body, name) for name in MODALITIES)


def test_once_screened_the_readiness_says_when_and_until_when(client, patient, chiropractor, clock):
    auth = chiropractor[1]
    screening = screen(client, patient, auth)
    today = local_today()

    assert screening["due_on"] == months_after(today, 6).isoformat()
    body = readiness_of(client, patient, auth)
    assert body["screening"] == {"status": "current", "checked_on": today.isoformat(),
                                 "due_on": months_after(today, 6).isoformat(), "prompts": []}
    assert not any("SCR-MISSING" in rules_of(body, name) or "SCR-DUE" in rules_of(body, name) for name in MODALITIES)
    assert body["modalities"]["active_recovery"]["verdict"] == "recommended"


def test_a_full_screening_falls_due_after_the_configured_period(client, patient, chiropractor, clock):
    auth = chiropractor[1]
    screen(client, patient, auth)
    clock.advance(days=190)

    body = readiness_of(client, patient, auth)
    assert body["screening"]["status"] == "due"
    assert {body["modalities"][name]["verdict"] for name in MODALITIES} <= NOT_BETTER_THAN_CAUTION
    assert all("SCR-DUE" in rules_of(body, name) for name in MODALITIES)


def test_the_period_is_a_setting(patient, chiropractor, variant_app):
    screening = screen(variant_app(SCREENING_VALID_MONTHS=1).test_client(), patient, chiropractor[1])
    assert screening["due_on"] == months_after(local_today(), 1).isoformat()


@pytest.mark.parametrize(("hours_later", "prompts"), [(71, []), (73, ["SCR-RECHECK-ACUTE-INJURY"])])
def test_an_acute_injury_is_asked_again_after_72_hours(client, patient, chiropractor, clock, hours_later, prompts):
    auth = chiropractor[1]
    screen(client, patient, auth, {"acute_injury_region_lt72h": ["right ankle"]})
    clock.advance(hours=hours_later)

    body = readiness_of(client, patient, auth)
    assert [prompt["rule"] for prompt in body["screening"]["prompts"]] == prompts
    assert body["screening"]["status"] == "current"
    # The injury keeps restricting its own region until the screening is updated.
    (ankle,) = body["regions"]
    assert ankle["region"] == "right ankle"
    assert "CI-ACUTE-INJURY-LOCAL" in rules_of(ankle, "massage")


# The clinical page -------------------------------------------------------------------------------


def log_in_in_english(client, account) -> None:
    log_in(client, account.email)
    client.get("/taal/en")


@pytest.fixture
def logged_in(client, create_account):
    """Log the client in as a chiropractor, in English."""
    account = create_account(Role.CHIROPRACTOR)
    log_in_in_english(client, account)
    return account


def page_of(client, patient) -> str:
    response = client.get(f"/clinical/patients/{patient.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_page_says_the_screening_is_missing_then_current_then_due(client, patient, logged_in, clock):
    page = page_of(client, patient)
    assert "Never screened for red flags and contraindications" in page
    assert "SCR-MISSING" in page

    response = client.post(f"/clinical/patients/{patient.id}/screening", data={
        "flag_acute_injury_region_lt72h": "y", "regions_acute_injury_region_lt72h": "right ankle"})
    assert response.status_code == 302
    page = page_of(client, patient)
    assert "Screened on" in page and "Never screened" not in page and "SCR-MISSING" not in page

    clock.advance(hours=73)
    log_in_in_english(client, logged_in)  # the session ended while the clock moved on
    assert "check again whether it is still acute" in page_of(client, patient)

    clock.advance(days=200)
    log_in_in_english(client, logged_in)
    page = page_of(client, patient)
    assert "Screening due since" in page and "SCR-DUE" in page


def test_the_page_says_it_in_dutch_too(client, patient, logged_in):
    client.get("/taal/nl")
    assert "Nooit gescreend op rode vlaggen en contra-indicaties" in page_of(client, patient)


# Red flags by urgency ----------------------------------------------------------------------------


def test_the_api_lists_each_red_flag_with_its_urgency_the_most_urgent_first(client, patient, chiropractor):
    auth = chiropractor[1]
    screen(client, patient, auth, {"red_flag_night_pain": True, "red_flag_cervical_arterial": True})

    red_flags = readiness_of(client, patient, auth)["red_flags"]
    assert [(red_flag["flag"], red_flag["urgency"], red_flag["rule"], red_flag["evidence"]) for red_flag in red_flags] == [
        ("red_flag_cervical_arterial", "urgent", "RF-CERVICAL-ARTERIAL", "E3"),
        ("red_flag_night_pain", "gp", "RF-NIGHT-PAIN", "E3"),
    ]
    assert "112" in red_flags[0]["text"]["nl"] and "112" in red_flags[0]["text"]["en"]


def test_the_page_shows_the_red_flag_with_its_urgency(client, patient, logged_in):
    response = client.post(f"/clinical/patients/{patient.id}/screening", data={"flag_red_flag_dvt_suspected": "y"})
    assert response.status_code == 302
    page = page_of(client, patient)
    assert "Red flags: refer" in page and "urgent: refer today (112 with neurological signs)" in page
    assert "Suspected deep vein thrombosis (painful, swollen calf): do not treat; refer to the GP today" in page
