"""Every role against another patient's records, notes and appointments, through the pages and the API.

Whatever the policy does not let a role see of that patient must be refused (403, or 404 where the
role reaches its own records of that kind) and must not show up in the answer, and no refused
write may be stored. The run's summary counts the attempts (``record leak``).
"""
from __future__ import annotations

from sqlalchemy import func, select

from clinic.extensions import db
from clinic.models import Role, TrainingSession, TreatmentNote, TreatmentNoteAmendment, WellnessCheckIn
from policy_world import MARKERS, World, browser_as, world  # noqa: F401  (fixtures)

# Searches find the other patient by date of birth, so the query itself holds no marker.
BIRTH_DATE = "1985-06-07"
# What each role may see of another patient's record (the draft is another chiropractor's).
VISIBLE = {
    Role.ADMIN: {"contact", "appointment", "training", "notes", "draft"},
    Role.FRONTDESK: {"contact", "appointment"},
    Role.CHIROPRACTOR: {"contact", "appointment", "training", "notes"},
    Role.PATIENT: set(),
}
# The markers a part's answer would contain if it leaked; a patient must not even learn the name.
PART_MARKERS = {
    "contact": [MARKERS["name"]],
    "appointment": [MARKERS["name"]],
    "training": [MARKERS["training"], MARKERS["wellness"]],
    "notes": [MARKERS["signed_note"]],
    "draft": [MARKERS["draft_note"]],
}


def tries_at_records(world: World) -> list[tuple[str, str, str, dict | None]]:
    """Return (part, method, url, JSON body) of every way to reach the other patient's record."""
    patient, appointment = world.other.id, world.appointment.id
    signed, draft = world.signed_note_id, world.draft_note_id
    api = f"/api/v1/patients/{patient}"
    return [
        # The pages.
        ("contact", "GET", f"/frontdesk/book?q={BIRTH_DATE}", None),
        ("contact", "GET", f"/clinical/?q={BIRTH_DATE}", None),
        ("appointment", "GET", f"/frontdesk/appointments/{appointment}", None),
        ("appointment", "GET", f"/frontdesk/appointments/{appointment}/reschedule", None),
        ("appointment", "POST", f"/frontdesk/appointments/{appointment}/status", None),
        ("appointment", "GET", f"/frontdesk/book/slots?patient={patient}", None),
        ("training", "GET", f"/clinical/patients/{patient}", None),
        ("training", "GET", f"/clinical/patients/{patient}/screening", None),
        ("training", "POST", f"/clinical/patients/{patient}/training-sessions/new", None),
        ("training", "POST", f"/clinical/patients/{patient}/wellness/new", None),
        ("notes", "GET", f"/clinical/notes/{signed}", None),
        ("notes", "POST", f"/clinical/notes/{signed}/amendments", None),
        ("notes", "GET", f"/clinical/patients/{patient}/notes/new", None),
        ("notes", "GET", f"/clinical/appointments/{appointment}/note", None),
        ("draft", "GET", f"/clinical/notes/{draft}", None),
        ("draft", "GET", f"/clinical/notes/{draft}/edit", None),
        # The API.
        ("contact", "GET", f"/api/v1/patients?q={BIRTH_DATE}", None),
        ("contact", "GET", api, None),
        ("appointment", "GET", f"/api/v1/appointments/{appointment}", None),
        ("appointment", "PATCH", f"/api/v1/appointments/{appointment}", {"status": "cancelled", "reason": "leak"}),
        ("training", "GET", f"{api}/training-sessions", None),
        ("training", "GET", f"{api}/training-sessions/{world.training_session.id}", None),
        ("training", "POST", f"{api}/training-sessions",
         {"ended_at": "2026-11-01T18:00:00+01:00", "duration_minutes": 60, "rpe": 5}),
        ("training", "GET", f"{api}/wellness", None),
        ("training", "GET", f"{api}/wellness/{world.check_in.id}", None),
        ("training", "POST", f"{api}/wellness", {"date": "2026-11-01"}),
        ("training", "GET", f"{api}/screening", None),
        ("training", "PUT", f"{api}/screening", {}),
        ("training", "GET", f"{api}/readiness", None),
        ("notes", "GET", f"{api}/treatment-notes", None),
        ("notes", "POST", f"{api}/treatment-notes", {"subjective": "leak"}),
        ("notes", "GET", f"/api/v1/treatment-notes/{signed}", None),
        ("notes", "POST", f"/api/v1/treatment-notes/{signed}/amendments", {"text": "leak"}),
        ("draft", "GET", f"/api/v1/treatment-notes/{draft}", None),
        ("draft", "PATCH", f"/api/v1/treatment-notes/{draft}", {"subjective": "leak"}),
        ("draft", "POST", f"/api/v1/treatment-notes/{draft}/sign", None),
    ]


def stored_rows() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model)) for model in (
        TrainingSession, WellnessCheckIn, TreatmentNote, TreatmentNoteAmendment))


def test_no_role_sees_or_changes_what_the_table_keeps_from_it(app, world, browser_as, attempts):
    before = stored_rows()
    made, leaks = 0, []
    for role in VISIBLE:
        # One credential per request: the API is called with the role's token alone.
        browser, api_caller = browser_as(role), app.test_client()
        for part, method, url, body in tries_at_records(world):
            if part in VISIBLE[role]:
                continue
            api = url.startswith("/api/")
            response = (api_caller if api else browser).open(
                url, method=method, headers=world.bearer(role) if api else {}, json=body
            )
            made += 1
            text = response.get_data(as_text=True)
            shown = [marker for marker in PART_MARKERS[part] + (list(MARKERS.values()) if role is Role.PATIENT else [])
                     if marker in text]
            if response.status_code not in (403, 404) or shown:
                leaks.append((role.value, method, url, response.status_code, shown))
    attempts.record("record leak", made)
    assert leaks == []
    assert stored_rows() == before


def test_a_patient_reaches_their_own_records_through_the_api(client, world):
    headers = world.bearer(Role.PATIENT)
    own = client.get(f"/api/v1/patients/{world.own.id}", headers=headers)
    assert own.status_code == 200 and own.json["last_name"] == "Patiënt"
    assert client.get(f"/api/v1/appointments/{world.own_appointment.id}", headers=headers).status_code == 200
    assert client.get(f"/api/v1/patients/{world.own.id}/training-sessions", headers=headers).json == {
        "training_sessions": []}


def test_an_id_that_does_not_exist_answers_as_another_patients_does(client, world):
    headers = world.bearer(Role.PATIENT)
    missing = client.get("/api/v1/patients/99999", headers=headers)
    others = client.get(f"/api/v1/patients/{world.other.id}", headers=headers)
    assert (missing.status_code, missing.json) == (others.status_code, others.json) == (404, missing.json)
