"""Refused attempts at a patient's record are in the access log (NEN 7513), and the refusal answers as before."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from clinic.errors import NotFound
from clinic.extensions import db
from clinic.models import AccessAction, AccessLogEntry, Patient, RecordPart, Role
from clinic.policy import Action, Resource
from clinic.services.access_log import Requester, keep_unsaved_entries
from clinic.services.portal import staff_views_of
from clinic.services.records import find_patient_for
from policy_world import World, browser_as, world  # noqa: F401  (fixtures)
from test_policy_record_leaks import VISIBLE, tries_at_records

REFUSED = AccessAction.REFUSED.value


def refused_rows(patient_id: int) -> list[tuple]:
    return db.session.execute(
        select(AccessLogEntry.user_id, AccessLogEntry.role, AccessLogEntry.object_type, AccessLogEntry.object_id,
               AccessLogEntry.remote_address)
        .where(AccessLogEntry.patient_id == patient_id, AccessLogEntry.action == REFUSED)
        .order_by(AccessLogEntry.id)
    ).all()


def searches(url: str) -> bool:
    return "?q=" in url


def test_every_refused_try_at_another_patients_record_is_logged_once(app, world, browser_as):
    unlogged = []
    for role in VISIBLE:
        browser, api_caller = browser_as(role), app.test_client()
        for part, method, url, body in tries_at_records(world):
            if part in VISIBLE[role] or searches(url):  # a refused search names no patient
                continue
            api = url.startswith("/api/")
            before = len(refused_rows(world.other.id))
            response = (api_caller if api else browser).open(
                url, method=method, headers=world.bearer(role) if api else {}, json=body)
            assert response.status_code in (403, 404), (role, method, url, response.status_code)
            rows = refused_rows(world.other.id)[before:]
            user = world.api_users[role] if api else world.users[role]
            if [(row.user_id, row.role, row.remote_address) for row in rows] != [(user.id, role.value, "127.0.0.1")]:
                unlogged.append((role.value, method, url, rows))
    assert unlogged == []


@pytest.mark.parametrize(("role", "url", "status", "part", "object_key"), [
    (Role.PATIENT, "/clinical/patients/{patient}", 403, "clinical_record", None),
    (Role.FRONTDESK, "/clinical/notes/{note}", 403, "treatment_note", "note"),
    (Role.CHIROPRACTOR, "/clinical/notes/{draft}", 404, "treatment_note", "draft"),
])
def test_a_refused_page_answers_as_before_and_names_what_was_asked(world, browser_as, role, url, status, part,
                                                                   object_key):
    ids = {"patient": world.other.id, "note": world.signed_note_id, "draft": world.draft_note_id}
    response = browser_as(role).get(url.format(**ids))
    assert response.status_code == status
    assert refused_rows(world.other.id) == [
        (world.users[role].id, role.value, part, ids[object_key] if object_key else None, "127.0.0.1")]


def test_the_api_refusal_keeps_its_answer_and_is_logged(client, world):
    response = client.get(f"/api/v1/patients/{world.other.id}", headers=world.bearer(Role.PATIENT))
    missing = client.get("/api/v1/patients/99999", headers=world.bearer(Role.PATIENT))
    assert (response.status_code, response.json) == (missing.status_code, missing.json) == (404, missing.json)
    assert refused_rows(world.other.id) == [
        (world.users[Role.PATIENT].id, "patient", "patient", world.other.id, "127.0.0.1")]


def test_an_id_of_nobody_is_not_a_refusal(world, browser_as):
    assert browser_as(Role.PATIENT).get("/clinical/patients/99999").status_code == 403
    assert db.session.scalar(select(func.count(AccessLogEntry.id)).where(AccessLogEntry.action == REFUSED)) == 0


def test_the_refusal_is_kept_when_the_unit_of_work_is_undone(world):
    """The refused request fails and rolls back its other work; the refused row is still written."""
    patient_user, other_id = world.users[Role.PATIENT], world.other.id
    user_id = patient_user.id
    db.session.add(Patient(first_name="Niet", last_name="Bewaard", date_of_birth=date(1990, 1, 1),
                           created_source="frontdesk"))
    with pytest.raises(NotFound):
        find_patient_for(db.session, Requester(patient_user, "10.0.0.9", "patient"), other_id,
                         resource=Resource.CONTACT_DETAILS, action=Action.READ, part=RecordPart.PATIENT)
    db.session.rollback()
    keep_unsaved_entries(db.session)
    db.session.remove()
    assert refused_rows(other_id) == [(user_id, "patient", "patient", None, "10.0.0.9")]
    assert db.session.scalar(select(func.count(Patient.id)).where(Patient.last_name == "Bewaard")) == 0


def test_the_patient_sees_refused_attempts_in_their_overview(world, browser_as):
    browser_as(Role.PATIENT).get(f"/clinical/patients/{world.other.id}")
    browser_as(Role.FRONTDESK).get(f"/clinical/notes/{world.signed_note_id}")
    assert [(view.role, view.action) for view in staff_views_of(db.session, world.other)] == [
        ("frontdesk", REFUSED), ("patient", REFUSED)]
