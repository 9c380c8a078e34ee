"""A copy of all data on one patient: complete, stable, theirs only, and only for the administrator."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AppointmentAction, BookingSource, PatientToken, Role
from clinic.services.booking import record as record_event
from clinic.services.privacy import EXPORT_FORMAT, erase_patient, export_patient
from clinic.services.readiness import NewTrainingSession, record_training_session
from tests.conftest import log_in
from tests.privacy.privacy_builders import NOW

OFFSET_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")
TOP_LEVEL_KEYS = {
    "format", "version", "exported_at", "patient", "erasure", "appointments", "training_sessions",
    "wellness_check_ins", "screening", "care_episodes", "treatment_notes", "emails", "links", "waitlist",
    "alert_acknowledgements",
}


def instants(value, key=""):
    """Yield every value of a key ending in '_at' anywhere in the document."""
    if isinstance(value, dict):
        for name, item in value.items():
            yield from instants(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from instants(item, key)
    elif key.endswith("_at") and value is not None:
        yield value


def test_the_export_holds_every_part_of_the_record(record):
    document = export_patient(db.session, record.patient, now=NOW)
    assert set(document) == TOP_LEVEL_KEYS
    assert (document["format"], document["version"]) == (EXPORT_FORMAT, 2)
    assert document["patient"]["email"] == "sanne@example.nl"
    assert document["patient"]["date_of_birth"] == "1990-05-17"
    assert [a["status"] for a in document["appointments"]] == ["completed", "booked"]
    assert document["appointments"][1]["events"][0]["action"] == "booked"
    assert document["appointments"][0]["after_visit_check_in"] | {"answered_at": None} == {
        "answered_at": None, "pain_now": 3, "soreness": 5, "dizziness": False, "numbness": False, "fever": False,
        "bruising": True, "remarks": "Blauwe plek op de kuit."}
    assert document["appointments"][1]["after_visit_check_in"] is None
    assert [s["rpe"] for s in document["training_sessions"]] == [6, 7]
    assert document["wellness_check_ins"][0]["complaints"] == [{"complaint": "fatigue", "began_on": "2026-11-28"}]
    assert document["screening"]["flags"][0]["flag"] == "anticoagulant"
    signed = next(note for note in document["treatment_notes"] if note["status"] == "signed")
    assert signed["content_hash"] == record.signed_note.content_hash
    assert signed["readiness_snapshot"] == record.signed_note.readiness_snapshot
    assert signed["amendments"][0]["text"] == "Patiënt meldt achteraf minder pijn."
    assert signed["author"] == "Test Chiropractor"
    # The bookings queued their confirmations too; the mail worker has not written those yet.
    assert ("Uw afspraak", ["afspraak.ics", "reeks.ics"]) in [
        (email["subject"], email["attachment_names"]) for email in document["emails"]]
    assert all(email["attachment_names"] == [] for email in document["emails"] if email["subject"] is None)
    assert document["links"][0]["purpose"] == "manage_appointment"
    (waiting,) = document["waitlist"]
    assert (waiting["weekdays"], waiting["until"], waiting["created_by"]) == ([0, 1], "2026-12-30", "patient")
    assert waiting["offers"][0]["start"] == "2026-12-08T10:00:00+01:00" and waiting["offers"][0]["outcome"] == "offered"
    assert document["erasure"] is None
    [episode] = document["care_episodes"]
    assert (episode["region"], episode["appointment_ids"]) == ("onderrug", [record.past.id])
    assert episode["region_questionnaire"] is None
    assert [(o["measure"], o["score"], o["entered_by"]) for o in episode["outcomes"]] == [
        ("nprs", 6, "staff"), ("psk", 4, "patient")]
    assert episode["outcomes"][1]["answers"] == [{"activity": "hardlopen", "answer": 4}]


def test_the_export_names_the_chiropractor_and_other_staff_only_by_role(record, chiropractor, create_account):
    desk = create_account(Role.FRONTDESK, name="Sanne Jacobs")
    record_event(db.session, record.past, AppointmentAction.CHECKED_IN, desk, BookingSource.FRONTDESK)
    document = json.dumps(export_patient(db.session, record.patient, now=NOW))
    assert '"by": "frontdesk"' in document and "Sanne Jacobs" not in document and desk.email not in document
    assert chiropractor.name_for_patients == "Test Chiropractor"


def test_instants_carry_their_offset_and_secrets_are_left_out(record):
    document = export_patient(db.session, record.patient, now=NOW)
    found = list(instants(document))
    assert found and all(OFFSET_INSTANT.match(value) for value in found), found
    token_hash = db.session.scalar(select(PatientToken.token_hash))
    text = json.dumps(document)
    assert token_hash not in text and "token_hash" not in text


def test_another_patients_data_is_not_in_the_export(record, create_patient):
    other = create_patient(first_name="Daan", email="daan@example.nl")
    record_training_session(db.session, other, NewTrainingSession(ended_at=NOW, duration_minutes=30, rpe=9),
                            entered_by=None, now=NOW)
    db.session.commit()
    document = export_patient(db.session, record.patient, now=NOW)
    assert 9 not in [session["rpe"] for session in document["training_sessions"]]
    assert "daan" not in json.dumps(document).lower()


def test_after_erasure_the_export_names_nobody_and_says_why_the_record_remains(record, admin):
    erase_patient(db.session, record.patient, by=admin, reason="Verzoek", now=NOW)
    db.session.commit()
    document = export_patient(db.session, record.patient, now=NOW)
    assert "Sanne" not in json.dumps(document)
    assert document["erasure"]["reason"] == "Verzoek"
    assert document["training_sessions"] == [] and len(document["treatment_notes"]) == 2


def test_the_administrator_downloads_the_json(client, record, login_as):
    login_as(Role.ADMIN)
    response = client.get(f"/admin/patients/{record.patient.id}/privacy/export.json")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(f'attachment; filename="patient-{record.patient.id}-')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["patient"]["last_name"] == "de Vries"


@pytest.mark.parametrize(("language", "heading"), [("nl", "<h2>Afspraken</h2>"), ("en", "<h2>Appointments</h2>")])
def test_the_summary_is_a_printable_page_without_scripts_in_the_patients_language(
    client, record, login_as, language, heading
):
    record.patient.preferred_language = language
    db.session.commit()
    login_as(Role.ADMIN)
    response = client.get(f"/admin/patients/{record.patient.id}/privacy/summary.html")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.html"')
    assert response.headers["Cache-Control"] == "no-store"
    assert "<script" not in page.lower()
    assert heading in page and "Stijve onderrug na de wedstrijd." in page
    # Codes of the rules file are shown by their label in the patient's language.
    assert ("antistolling of plaatjesremmers" if language == "nl" else "anticoagulants or antiplatelets") in page


@pytest.mark.parametrize("role", [Role.FRONTDESK, Role.CHIROPRACTOR])
@pytest.mark.parametrize("page", ["", "/export.json", "/summary.html", "/erase"])
def test_only_the_administrator_reaches_the_privacy_pages(client, record, login_as, role, page):
    login_as(role)
    assert client.get(f"/admin/patients/{record.patient.id}/privacy{page}").status_code == 403


def test_without_login_the_privacy_page_sends_to_the_login(client, record):
    response = client.get(f"/admin/patients/{record.patient.id}/privacy/export.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_patient_is_not_found(client, clinic, login_as):
    login_as(Role.ADMIN)
    assert client.get("/admin/patients/999/privacy/export.json").status_code == 404


def test_the_front_desk_appointment_page_links_the_administrator_to_privacy(client, record, create_account):
    admin = create_account(Role.ADMIN)
    frontdesk = create_account(Role.FRONTDESK)
    link = f"/admin/patients/{record.patient.id}/privacy"
    log_in(client, admin.email)
    assert link in client.get(f"/frontdesk/appointments/{record.future.id}").get_data(as_text=True)
    client.post("/logout")
    log_in(client, frontdesk.email)
    assert link not in client.get(f"/frontdesk/appointments/{record.future.id}").get_data(as_text=True)
