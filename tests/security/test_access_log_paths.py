"""Every way to reach a patient's record writes one access log row: who, which patient, what, from where."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from clinic.extensions import db
from clinic.models import AccessLogEntry, Role
from policy_world import World, browser_as, world  # noqa: F401  (fixtures)

DESK, CHIRO, ADMIN = Role.FRONTDESK, Role.CHIROPRACTOR, Role.ADMIN


# name: (role, method, URL, body, (action, object_type, which id)); {…} are the other patient's ids.
ACCESS_PATHS = {
    # The front desk.
    "desk search": (DESK, "GET", "/frontdesk/book?q=1985-06-07", None, ("search", "patient", "patient")),
    "desk appointment": (DESK, "GET", "/frontdesk/appointments/{appointment}", None,
                         ("read", "appointment", "appointment")),
    "desk reschedule page": (DESK, "GET", "/frontdesk/appointments/{appointment}/reschedule", None,
                             ("read", "appointment", "appointment")),
    "desk check in": (DESK, "POST", "/frontdesk/appointments/{appointment}/status", {"action": "checked_in"},
                      ("write", "appointment", "appointment")),
    "desk booking for a patient": (DESK, "GET", "/frontdesk/book/slots?patient={patient}", None,
                                   ("read", "appointment", None)),
    # The chiropractor's pages.
    "clinical search": (CHIRO, "GET", "/clinical/?q=1985-06-07", None, ("search", "patient", "patient")),
    "clinical record": (CHIRO, "GET", "/clinical/patients/{patient}", None, ("read", "clinical_record", None)),
    "admin clinical record": (ADMIN, "GET", "/clinical/patients/{patient}", None,
                              ("read", "clinical_record", None)),
    "screening page": (CHIRO, "GET", "/clinical/patients/{patient}/screening", None, ("read", "screening", None)),
    "training form sent wrong": (CHIRO, "POST", "/clinical/patients/{patient}/training-sessions/new", {},
                                 ("write", "training_log", None)),
    "check-in form": (CHIRO, "GET", "/clinical/patients/{patient}/wellness/new", None, ("read", "wellness", None)),
    "import form": (CHIRO, "GET", "/clinical/patients/{patient}/training-sessions/import", None,
                    ("read", "training_log", None)),
    "note": (CHIRO, "GET", "/clinical/notes/{note}", None, ("read", "treatment_note", "note")),
    "admin reads a note": (ADMIN, "GET", "/clinical/notes/{note}", None, ("read", "treatment_note", "note")),
    "amendment": (CHIRO, "POST", "/clinical/notes/{note}/amendments", {"text": "Also: calves."},
                  ("write", "treatment_note", "note")),
    "new note form": (CHIRO, "GET", "/clinical/patients/{patient}/notes/new", None,
                      ("read", "treatment_notes", None)),
    "appointment note form": (CHIRO, "GET", "/clinical/appointments/{appointment}/note", None,
                              ("read", "treatment_notes", None)),
    # The API.
    "api search": (DESK, "GET", "/api/v1/patients?q=1985-06-07", None, ("search", "patient", "patient")),
    "api patient": (DESK, "GET", "{api}", None, ("read", "patient", "patient")),
    "api appointment": (DESK, "GET", "/api/v1/appointments/{appointment}", None,
                        ("read", "appointment", "appointment")),
    "api check in": (DESK, "PATCH", "/api/v1/appointments/{appointment}", {"status": "checked_in"},
                     ("write", "appointment", "appointment")),
    "api refused booking": (DESK, "POST", "/api/v1/appointments",
                            {"patient_id": None, "type": "sports_massage_30",
                             "start": "2026-01-01T03:00:00+01:00"}, ("write", "appointment", None)),
    "api training log": (CHIRO, "GET", "{api}/training-sessions", None, ("read", "training_log", None)),
    "api training session": (CHIRO, "GET", "{api}/training-sessions/{session}", None,
                             ("read", "training_session", "session")),
    "api new training session": (CHIRO, "POST", "{api}/training-sessions",
                                 {"ended_at": "2026-11-01T18:00:00+01:00", "duration_minutes": 60, "rpe": 5},
                                 ("write", "training_log", None)),
    "api wellness": (CHIRO, "GET", "{api}/wellness", None, ("read", "wellness", None)),
    "api check-in": (CHIRO, "GET", "{api}/wellness/{check_in}", None,
                     ("read", "check_in", "check_in")),
    "api screening": (ADMIN, "GET", "{api}/screening", None, ("read", "screening", None)),
    "api screening change": (CHIRO, "PUT", "{api}/screening", {}, ("write", "screening", None)),
    "api readiness": (CHIRO, "GET", "{api}/readiness", None, ("read", "readiness", None)),
    "api notes": (ADMIN, "GET", "{api}/treatment-notes", None, ("read", "treatment_notes", None)),
    "api new note": (CHIRO, "POST", "{api}/treatment-notes", {"subjective": "Sore calves."},
                     ("write", "treatment_notes", None)),
    "api note": (CHIRO, "GET", "/api/v1/treatment-notes/{note}", None, ("read", "treatment_note", "note")),
    "api amendment": (CHIRO, "POST", "/api/v1/treatment-notes/{note}/amendments", {"text": "Also: calves."},
                      ("write", "treatment_note", "note")),
}


def ids_of(world: World) -> dict[str, int | str]:
    patient = world.other.id
    return {"patient": patient, "appointment": world.appointment.id, "note": world.signed_note_id,
            "session": world.training_session.id, "check_in": world.check_in.id,
            "api": f"/api/v1/patients/{patient}"}


def rows_of(patient_id: int) -> list[tuple]:
    return db.session.execute(
        select(AccessLogEntry.user_id, AccessLogEntry.role, AccessLogEntry.action, AccessLogEntry.object_type,
               AccessLogEntry.object_id, AccessLogEntry.remote_address)
        .where(AccessLogEntry.patient_id == patient_id)
    ).all()


@pytest.mark.parametrize("name", ACCESS_PATHS)
def test_each_access_path_writes_its_row(app, world, browser_as, name):
    role, method, url, body, (action, object_type, object_key) = ACCESS_PATHS[name]
    ids = ids_of(world)
    url = url.format(**ids)
    object_id = ids[object_key] if object_key else None
    if body and "patient_id" in body:  # the booking names the patient in its body
        body = body | {"patient_id": ids["patient"]}
    api = url.startswith("/api/")
    # One credential per request: the API is called with the role's token alone.
    caller = app.test_client() if api else browser_as(role)
    response = caller.open(url, method=method, headers=world.bearer(role) if api else {},
                           **({"json": body} if api else {"data": body}))
    assert response.status_code < 500 and response.status_code not in (401, 403, 404), response.status_code
    user = world.api_users[role] if api else world.users[role]
    expected = (user.id, role.value, action, object_type, object_id, "127.0.0.1")
    assert rows_of(world.other.id).count(expected) == 1, rows_of(world.other.id)


@pytest.mark.parametrize(("method", "path", "action"), [
    ("GET", "/afspraak/beheer/{token}", "read"),
    ("GET", "/en/book/manage/{token}/reschedule", "read"),
    ("POST", "/afspraak/beheer/{token}/annuleren", "write"),
])
def test_a_patient_opening_their_booking_link_is_logged_as_the_patient(client, world, method, path, action):
    response = client.open(path.format(token=world.manage_token), method=method)
    assert response.status_code in (200, 302)
    assert response.headers["Cache-Control"] == "no-store"
    assert rows_of(world.own.id) == [(None, "patient", action, "appointment", world.own_appointment.id, "127.0.0.1")]
