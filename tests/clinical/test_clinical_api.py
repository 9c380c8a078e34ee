"""The clinical API: training log, check-ins, screening, readiness and treatment notes over JSON."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from clinic.extensions import db
from clinic.localtime import CLINIC_TZ, to_local, utcnow
from clinic.models import Role, TreatmentNote
from clinical_builders import add_appointment

MASSAGE = {"modality": "massage", "details": {"regions": ["calves"], "minutes": 30, "technique": "effleurage"}}
DRY_NEEDLING = {"modality": "dry_needling", "details": {
    "muscles": ["gastrocnemius"], "needle_count": 4, "local_twitch_response": True, "adverse_reaction": ""}}
MODALITY_KEYS = {"adjustment", "massage", "dry_needling", "decompression", "active_recovery"}


def local_now() -> datetime:
    return to_local(utcnow()).replace(microsecond=0)


def error_of(response) -> dict:
    assert set(response.json) == {"error"}
    return response.json["error"]


# Training sessions -------------------------------------------------------------------------------


def test_the_chiropractor_records_a_training_session_and_finds_it_back(client, patient, headers):
    chiro = headers(Role.CHIROPRACTOR)
    ended = local_now() - timedelta(days=1)
    response = client.post(f"/api/v1/patients/{patient.id}/training-sessions", headers=chiro, json={
        "ended_at": ended.isoformat(), "duration_minutes": 75, "rpe": 7, "kind": "tempo run", "competition": False})
    assert response.status_code == 201
    body = response.json
    assert body == {"id": body["id"], "patient_id": patient.id, "ended_at": ended.isoformat(), "duration_minutes": 75,
                    "rpe": 7, "kind": "tempo run", "competition": False, "load": 525}
    assert response.headers["Location"] == f"/api/v1/patients/{patient.id}/training-sessions/{body['id']}"
    assert client.get(response.headers["Location"], headers=chiro).json == body
    assert client.get(f"/api/v1/patients/{patient.id}/training-sessions", headers=chiro).json == {"training_sessions": [body]}


def test_a_training_session_out_of_range_is_a_422_naming_each_field(client, patient, headers):
    response = client.post(f"/api/v1/patients/{patient.id}/training-sessions", headers=headers(Role.CHIROPRACTOR), json={
        "ended_at": (local_now() + timedelta(days=1)).isoformat(), "duration_minutes": 0, "rpe": 11})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"ended_at": "in_future", "duration_minutes": "out_of_range",
                                            "rpe": "out_of_range"}


def test_a_training_session_without_an_offset_is_refused(client, patient, headers):
    response = client.post(f"/api/v1/patients/{patient.id}/training-sessions", headers=headers(Role.CHIROPRACTOR),
                           json={"ended_at": "2026-11-29T18:00:00", "duration_minutes": 60, "rpe": 5})
    assert response.status_code == 422 and "ended_at" in error_of(response)["fields"]


def test_an_unknown_patient_or_session_is_404(client, patient, headers):
    chiro = headers(Role.CHIROPRACTOR)
    assert client.get("/api/v1/patients/999/training-sessions", headers=chiro).status_code == 404
    assert client.get(f"/api/v1/patients/{patient.id}/training-sessions/999", headers=chiro).status_code == 404


# Wellness ----------------------------------------------------------------------------------------


def test_a_check_in_is_recorded_once_per_day(client, patient, headers):
    chiro = headers(Role.CHIROPRACTOR)
    today = local_now().date()
    began = (today - timedelta(days=10)).isoformat()
    url = f"/api/v1/patients/{patient.id}/wellness"
    response = client.post(url, headers=chiro, json={
        "date": today.isoformat(), "sleep": 2, "fatigue": 5, "stress": 3, "soreness": 4, "doms": 6,
        "doms_region": "calves", "rmssd_ms": 61.5, "complaints": {"fatigue": began}})
    assert response.status_code == 201
    body = response.json
    assert body == {"id": body["id"], "patient_id": patient.id, "date": today.isoformat(), "sleep": 2, "fatigue": 5,
                    "stress": 3, "soreness": 4, "doms": 6, "doms_region": "calves", "rmssd_ms": 61.5,
                    "complaints": {"fatigue": began}}
    assert client.get(response.headers["Location"], headers=chiro).json == body
    again = client.post(url, headers=chiro, json={"date": today.isoformat()})
    assert again.status_code == 409 and error_of(again)["fields"] == {"day": "already_checked_in"}
    assert client.get(url, headers=chiro).json == {"wellness": [body]}


def test_a_check_in_with_wrong_values_is_a_422(client, patient, headers):
    response = client.post(f"/api/v1/patients/{patient.id}/wellness", headers=headers(Role.CHIROPRACTOR), json={
        "date": local_now().date().isoformat(), "sleep": 8, "complaints": {"homesick": "2026-01-01"}})
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"sleep": "out_of_range", "complaints.homesick": "unknown_complaint"}


def test_the_front_desk_neither_reads_nor_enters_training_data(client, patient, headers):
    desk = headers(Role.FRONTDESK)
    for path in ("training-sessions", "wellness"):
        url = f"/api/v1/patients/{patient.id}/{path}"
        assert client.get(url, headers=desk).status_code == 403
        assert client.post(url, headers=desk, json={}).status_code == 403


# Screening ---------------------------------------------------------------------------------------


def test_the_chiropractor_puts_the_screening_and_reads_it_back(client, patient, chiropractor):
    user, auth = chiropractor
    competition = (local_now() + timedelta(days=5)).replace(hour=14, minute=0, second=0)
    response = client.put(f"/api/v1/patients/{patient.id}/screening", headers=auth, json={
        "flags": {"anticoagulant": True, "pregnancy": False, "open_wound_region": ["left calf"]},
        "indications": ["spinal_pain_mechanical"], "next_competition_at": competition.isoformat()})
    assert response.status_code == 200
    today = local_now().date().isoformat()
    assert response.json["flags"] == {
        "anticoagulant": {"regions": [], "checked_on": today, "checked_by": user.email},
        "open_wound_region": {"regions": ["left calf"], "checked_on": today, "checked_by": user.email},
    }
    assert response.json["indications"] == ["spinal_pain_mechanical"]
    assert response.json["next_competition_at"] == competition.isoformat()
    assert response.json["screened_by"] == user.email
    assert client.get(f"/api/v1/patients/{patient.id}/screening", headers=auth).json == response.json


@pytest.mark.parametrize("body, fields", [
    ({"flags": {"broken_heart": True}}, {"flags.broken_heart": "unknown_flag"}),
    ({"flags": {"pregnancy": ["belly"]}}, {"flags.pregnancy": "not_regional"}),
    ({"indications": ["wanderlust"]}, {"indications": "unknown_indication"}),
])
def test_unknown_screening_names_are_a_422_not_ignored(client, patient, chiropractor, body, fields):
    response = client.put(f"/api/v1/patients/{patient.id}/screening", headers=chiropractor[1], json=body)
    assert response.status_code == 422
    assert error_of(response)["fields"] == fields


def test_only_chiropractors_change_the_screening_and_the_front_desk_does_not_read_it(client, patient, headers):
    url = f"/api/v1/patients/{patient.id}/screening"
    assert client.put(url, headers=headers(Role.FRONTDESK), json={}).status_code == 403
    assert client.put(url, headers=headers(Role.ADMIN), json={}).status_code == 403
    assert client.get(url, headers=headers(Role.FRONTDESK)).status_code == 403
    assert client.get(url, headers=headers(Role.ADMIN)).status_code == 200


# Readiness ---------------------------------------------------------------------------------------


def test_readiness_has_the_shape_of_the_issue(client, patient, chiropractor):
    at = datetime(2026, 12, 1, 9, 0, tzinfo=CLINIC_TZ)
    response = client.get(f"/api/v1/patients/{patient.id}/readiness", headers=chiropractor[1],
                          query_string={"at": at.isoformat()})
    assert response.status_code == 200
    body = response.json
    assert body["at"] == "2026-12-01T09:00:00+01:00"
    assert {"at", "phase", "hours_since_significant_session", "load", "load_tolerance", "overtraining_level",
            "rules_version", "modalities"} <= set(body)
    assert {"acute", "chronic", "acwr", "monotony", "strain"} <= set(body["load"])
    assert {"band", "score", "components"} <= set(body["load_tolerance"])
    assert body["load_tolerance"]["band"] == "unknown"
    assert set(body["modalities"]) == MODALITY_KEYS
    assert body["screening"] == {"status": "missing", "checked_on": None, "due_on": None, "prompts": []}
    reasons = {reason["rule"]: reason for reason in body["modalities"]["adjustment"]["reasons"]}
    assert body["modalities"]["adjustment"]["verdict"] == "not_advised" and "ADJ-NO-INDICATION" in reasons
    reason = reasons["SCR-MISSING"]
    assert {"rule", "text", "cite", "evidence"} <= set(reason) and set(reason["text"]) == {"nl", "en"}


def test_readiness_defaults_to_now_and_refuses_a_time_without_offset(client, patient, chiropractor):
    url = f"/api/v1/patients/{patient.id}/readiness"
    before = utcnow()
    at = datetime.fromisoformat(client.get(url, headers=chiropractor[1]).json["at"])
    assert before <= at <= utcnow()
    response = client.get(url, headers=chiropractor[1], query_string={"at": "2026-12-01T09:00:00"})
    assert response.status_code == 422 and "at" in error_of(response)["fields"]


def test_the_front_desk_does_not_read_the_readiness(client, patient, headers):
    assert client.get(f"/api/v1/patients/{patient.id}/readiness", headers=headers(Role.FRONTDESK)).status_code == 403


# Treatment notes ---------------------------------------------------------------------------------


def new_note(client, patient, auth, **body):
    return client.post(f"/api/v1/patients/{patient.id}/treatment-notes", headers=auth,
                       json={"subjective": "Calves tight.", "modalities": [MASSAGE]} | body)


def test_a_note_from_an_appointment_is_created_with_its_readiness_snapshot(client, patient, chiropractor):
    user, auth = chiropractor
    appointment = add_appointment(patient, datetime(2026, 12, 1, 9, 0, tzinfo=CLINIC_TZ))
    db.session.commit()
    response = new_note(client, patient, auth, appointment_id=appointment.id, plan="Again in a week.")
    assert response.status_code == 201
    note = response.json
    assert response.headers["Location"] == f"/api/v1/treatment-notes/{note['id']}"
    assert (note["status"], note["author_id"], note["appointment_id"], note["plan"]) == (
        "draft", user.id, appointment.id, "Again in a week.")
    assert note["readiness_at"] == "2026-12-01T09:00:00+01:00"
    assert note["modalities"] == [MASSAGE | {"verdict": note["readiness_snapshot"]["modalities"]["massage"]["verdict"],
                                             "justification": "", "override": False}]
    # The snapshot is what the readiness endpoint says at the appointment's start.
    readiness = client.get(f"/api/v1/patients/{patient.id}/readiness", headers=auth,
                           query_string={"at": note["readiness_at"]}).json
    snapshot = note["readiness_snapshot"]
    assert readiness | {"at": snapshot["at"], "treated": snapshot["treated"]} == snapshot
    # ... plus the verdict for the regions the note treated.
    assert snapshot["treated"]["massage"]["regions"] == ["calves"]
    assert snapshot["treated"]["massage"]["verdict"] == note["modalities"][0]["verdict"]
    assert (note["rules_version"], note["inputs_digest"]) == (readiness["rules_version"], readiness["inputs_digest"])


def test_going_against_a_verdict_without_justification_is_a_422_naming_the_modality(client, patient, chiropractor):
    auth = chiropractor[1]
    client.put(f"/api/v1/patients/{patient.id}/screening", headers=auth, json={"flags": {"needle_phobia": True}})
    response = new_note(client, patient, auth, modalities=[
        {"modality": "adjustment", "details": {"regions": ["lumbar"]}}, DRY_NEEDLING | {"justification": "Consented."}])
    assert response.status_code == 422
    assert error_of(response)["fields"] == {"adjustment": "justification_required", "dry_needling": "override_required"}
    assert db.session.query(TreatmentNote).count() == 0
    response = new_note(client, patient, auth, modalities=[
        {"modality": "adjustment", "details": {"regions": ["lumbar"]}, "justification": "Acute facet lock."},
        DRY_NEEDLING | {"justification": "Consented in writing.", "override": True}])
    assert response.status_code == 201
    assert [(m["modality"], m["verdict"], m["override"]) for m in response.json["modalities"]] == [
        ("adjustment", "not_advised", False), ("dry_needling", "contraindicated", True)]


def test_a_draft_is_changed_signed_then_only_amended(client, patient, chiropractor):
    user, auth = chiropractor
    note_url = new_note(client, patient, auth).headers["Location"]
    changed = client.patch(note_url, headers=auth, json={"objective": "Trigger point medial gastrocnemius."})
    assert changed.status_code == 200
    assert (changed.json["subjective"], changed.json["objective"]) == ("Calves tight.", "Trigger point medial gastrocnemius.")
    assert client.post(f"{note_url}/amendments", headers=auth, json={"text": "Too early"}).status_code == 409

    signed = client.post(f"{note_url}/sign", headers=auth)
    assert signed.status_code == 200
    assert (signed.json["status"], signed.json["signed_by_id"]) == ("signed", user.id)
    assert len(signed.json["content_hash"]) == 64 and signed.json["signed_at"]

    refused = client.patch(note_url, headers=auth, json={"plan": "Rewritten."})
    assert refused.status_code == 409 and error_of(refused)["code"] == "note_signed"
    assert client.post(f"{note_url}/sign", headers=auth).status_code == 409

    amended = client.post(f"{note_url}/amendments", headers=auth, json={"text": "Left calf, not right."})
    assert amended.status_code == 201
    assert amended.headers["Location"] == note_url
    assert (amended.json["text"], amended.json["author_id"]) == ("Left calf, not right.", user.id)
    shown = client.get(note_url, headers=auth).json
    assert shown["objective"] == "Trigger point medial gastrocnemius." and shown["plan"] == ""
    assert [a["text"] for a in shown["amendments"]] == ["Left calf, not right."]
    assert shown["content_hash"] == signed.json["content_hash"]


def test_who_may_read_and_write_notes(client, patient, chiropractor, headers, account_with_token):
    auth = chiropractor[1]
    note_url = new_note(client, patient, auth).headers["Location"]
    colleague = account_with_token(Role.CHIROPRACTOR)[1]
    admin, desk = headers(Role.ADMIN), headers(Role.FRONTDESK)
    assert client.get(note_url, headers=desk).status_code == 403
    assert client.get(f"/api/v1/patients/{patient.id}/treatment-notes", headers=desk).status_code == 403
    assert new_note(client, patient, desk).status_code == 403
    assert new_note(client, patient, admin).status_code == 403
    assert client.get(note_url, headers=admin).status_code == 200
    # Another chiropractor's draft is not there for a colleague; once signed, it is.
    assert client.get(note_url, headers=colleague).status_code == 404
    assert client.post(f"{note_url}/sign", headers=colleague).status_code == 404
    client.post(f"{note_url}/sign", headers=auth)
    assert client.get(note_url, headers=colleague).status_code == 200
    listed = client.get(f"/api/v1/patients/{patient.id}/treatment-notes", headers=colleague).json["treatment_notes"]
    assert [note["id"] for note in listed] == [int(note_url.rsplit("/", 1)[1])]


def test_a_note_names_a_real_appointment_of_the_patient_once(client, patient, chiropractor, create_patient):
    auth = chiropractor[1]
    response = new_note(client, patient, auth, appointment_id=999)
    assert response.status_code == 422 and error_of(response)["fields"] == {"appointment_id": "unknown"}
    appointment = add_appointment(patient, datetime(2026, 12, 1, 9, 0, tzinfo=CLINIC_TZ))
    db.session.commit()
    assert new_note(client, patient, auth, appointment_id=appointment.id).status_code == 201
    again = new_note(client, patient, auth, appointment_id=appointment.id)
    assert again.status_code == 409 and error_of(again)["code"] == "note_exists"
    other = create_patient(first_name="Joris")
    assert new_note(client, other, auth, appointment_id=appointment.id).status_code == 422


def test_an_unknown_note_is_404(client, chiropractor):
    assert client.get("/api/v1/treatment-notes/999", headers=chiropractor[1]).status_code == 404
