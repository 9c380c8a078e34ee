"""What holds for every API endpoint: who may call it, the error shape, and its OpenAPI description."""
from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from clinic import create_app
from clinic.extensions import db
from clinic.models import Role
from tests.conftest import PASSWORD, config_for

PUBLIC = {
    ("GET", "/api/v1/chiropractors"),
    ("GET", "/api/v1/appointment-types"),
    ("GET", "/api/v1/resources"),
    ("GET", "/api/v1/availability"),
    ("GET", "/api/v1/openapi.json"),
    ("POST", "/api/v1/bookings"),
}
ANY_ACCOUNT = {("GET", "/api/v1/me")}
STAFF = {
    ("GET", "/api/v1/appointments"),
    ("POST", "/api/v1/appointments"),
    ("GET", "/api/v1/appointments/{appointment_id}"),
    ("PATCH", "/api/v1/appointments/{appointment_id}"),
    ("GET", "/api/v1/patients"),
    ("POST", "/api/v1/patients"),
    ("GET", "/api/v1/patients/{patient_id}"),
}
STAFF_ROLES = [Role.ADMIN, Role.FRONTDESK, Role.CHIROPRACTOR]


def api_operations(app) -> set[tuple[str, str]]:
    """Return (method, OpenAPI path) of every API route the app serves."""
    return {
        (method, re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def call(client, method: str, path: str, headers=None):
    return client.open(re.sub(r"{[a-z_]+}", "1", path), method=method, headers=headers)


def protected_operations(app) -> list[tuple[str, str]]:
    """Return every API operation that is neither public nor open to any account: staff only."""
    return sorted(api_operations(app) - PUBLIC - ANY_ACCOUNT)


def test_the_scheduling_endpoints_exist_with_the_audiences_above(app):
    assert PUBLIC | ANY_ACCOUNT | STAFF <= api_operations(app)


def test_anonymous_callers_get_401_in_the_error_shape_from_every_protected_endpoint(app, client):
    # Generated from the URL map: a new route is covered (and must refuse) without being listed.
    for method, path in [*protected_operations(app), *ANY_ACCOUNT]:
        response = call(client, method, path)
        assert response.status_code == 401, (method, path)
        assert response.json["error"]["code"] == "unauthorized"
        assert set(response.json["error"]) == {"code", "message", "fields"}


def test_patients_get_403_from_every_staff_endpoint_and_404_for_records_not_theirs(app, client, bearer):
    # Where the policy lets a patient reach their own records, another patient's (id 1) is "not found";
    # an empty body is refused (422) before any record is looked at, so that says nothing either.
    headers = bearer(Role.PATIENT)
    for method, path in protected_operations(app):
        response = call(client, method, path, headers)
        refusals = {403: "forbidden", 404: "not_found"} | ({422: "invalid"} if method != "GET" else {})
        assert response.status_code in refusals, (method, path)
        assert response.json["error"]["code"] == refusals[response.status_code]


def test_patients_may_ask_who_they_are(client, bearer):
    response = client.get("/api/v1/me", headers=bearer(Role.PATIENT))
    assert response.status_code == 200
    assert response.json["role"] == "patient"


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_every_staff_role_passes_the_door_of_every_scheduling_endpoint_it_may_use(client, clinic, bearer, role):
    headers = bearer(role)
    # Chiropractors read the appointment book and patients; booking and registering is the front desk's.
    refused = {("POST", "/api/v1/appointments"), ("PATCH", "/api/v1/appointments/{appointment_id}"),
               ("POST", "/api/v1/patients")} if role is Role.CHIROPRACTOR else set()
    for method, path in sorted(PUBLIC | ANY_ACCOUNT | STAFF):
        expected_refusal = (method, path) in refused
        assert (call(client, method, path, headers).status_code == 403) == expected_refusal, (method, path)


@pytest.mark.parametrize(("method", "path"), sorted(PUBLIC))
def test_public_endpoints_need_no_credentials(client, clinic, method, path):
    assert call(client, method, path).status_code in (200, 422)


def test_a_forged_token_is_refused_even_where_a_session_would_do(client, login_as):
    login_as(Role.FRONTDESK)
    assert client.get("/api/v1/patients", query_string={"q": "x"}).status_code == 200
    response = client.get("/api/v1/patients", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 400 and response.json["error"]["code"] == "two_credentials"


def test_a_staff_session_may_write_with_its_csrf_token_and_not_without(app, create_account, staff):
    user = create_account(Role.FRONTDESK)
    csrf_app = create_app(type("CsrfOn", (config_for(app.config["SQLALCHEMY_DATABASE_URI"]),), {"WTF_CSRF_ENABLED": True}))
    browser = csrf_app.test_client()
    login = browser.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(browser, "/login")})
    assert login.status_code == 302
    token = csrf_token(browser, "/frontdesk/")  # logging in starts a new session, with a new token
    details = {"first_name": "Sanne", "last_name": "de Vries", "date_of_birth": "1990-05-17"}

    refused = browser.post("/api/v1/patients", json=details)
    assert refused.status_code == 400
    assert set(refused.json["error"]) == {"code", "message", "fields"}
    accepted = browser.post("/api/v1/patients", json=details, headers={"X-CSRFToken": token})
    assert accepted.status_code == 201
    # A bearer token is never sent by a browser on its own, so it needs no CSRF token.
    api_client = csrf_app.test_client()
    assert api_client.post("/api/v1/patients", json=details, headers=staff).status_code == 201
    with csrf_app.app_context():
        db.engine.dispose()


def csrf_token(browser, page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]* value="([^"]+)"', browser.get(page).get_data(as_text=True))
    assert found, f"{page} carries a CSRF token"
    return found[1]


# Bodies the parser cannot read ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "status", "field"),
    [
        ('{"first_name": "Sanne",', "application/json", 400, None),
        ("[" * 50_000, "application/json", 400, None),
        (b'{"first_name": "\xff"}', "application/json", 400, None),
        ('["Sanne", "de Vries"]', "application/json", 422, "body"),
        ('"Sanne"', "application/json", 422, "body"),
        # Not JSON at all: refused as such, not read as an empty object.
        ("first_name=Sanne", "application/x-www-form-urlencoded", 415, None),
        ("", "application/json", 422, "first_name"),
    ],
)
def test_unreadable_bodies_get_400_or_422_in_the_error_shape(client, staff, body, content_type, status, field):
    response = client.post("/api/v1/patients", data=body, content_type=content_type, headers=staff)
    assert response.status_code == status
    assert set(response.json["error"]) == {"code", "message", "fields"}
    if field is not None:
        assert field in response.json["error"]["fields"]
    else:
        assert response.json["error"]["code"] == ("unsupported_media_type" if status == 415 else "invalid_json")


# The OpenAPI document -------------------------------------------------------------------------


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def operations_in(document):
    """Yield (path, method, operation) for every operation of the document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "put", "post", "delete", "options", "head", "patch", "trace"}:
                yield path, method, operation


def test_the_document_describes_every_endpoint(app, document):
    assert document["openapi"].startswith("3.")
    documented = {(method.upper(), path) for path, method, _ in operations_in(document)}
    assert documented == api_operations(app)


def test_the_document_declares_bearer_security_on_exactly_the_protected_operations(document):
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": document["components"]["securitySchemes"]["bearerAuth"]["description"],
    }
    for path, method, operation in operations_in(document):
        public = (method.upper(), path) in PUBLIC
        assert operation["security"] == ([] if public else [{"bearerAuth": []}]), (method, path)
        assert "401" in operation["responses"], (method, path)
        if not public and (method.upper(), path) not in ANY_ACCOUNT:
            assert "403" in operation["responses"], (method, path)


def test_every_error_response_has_the_one_error_shape(document):
    def deref(node):
        while "$ref" in node:
            target = document
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            node = target
        return node

    error = deref({"$ref": "#/components/schemas/Error"})
    assert error["required"] == ["error"]
    assert set(deref(error["properties"]["error"])["required"]) == {"code", "message", "fields"}
    for path, method, operation in operations_in(document):
        for status, response in operation["responses"].items():
            if status.startswith(("4", "5")):
                schema = deref(response)["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)


def test_the_document_describes_the_parameters_and_bodies(document):
    availability = document["paths"]["/api/v1/availability"]["get"]
    parameters = {p["name"]: p for p in availability["parameters"]}
    assert {name: p["required"] for name, p in parameters.items()} == {
        "type": True, "from": True, "to": True, "chiropractor": False,
    }
    assert parameters["from"]["schema"]["format"] == "date"
    booking = document["paths"]["/api/v1/appointments"]["post"]
    assert booking["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/NewAppointment"}
    assert "Location" in booking["responses"]["201"]["headers"]
    new_appointment = document["components"]["schemas"]["NewAppointment"]
    assert set(new_appointment["required"]) == {"patient_id", "type", "start"}
    assert new_appointment["properties"]["start"]["format"] == "date-time"


def test_threads_asking_for_the_document_at_once_each_get_all_of_it(app):
    # The views are documented when the document is first asked for (it is most of the app's start);
    # a worker's threads asking together must not see it half written.
    api = app.extensions["flask-smorest"]["apis"][""]["ext_obj"]
    start = threading.Barrier(4)

    def paths() -> int:
        start.wait()
        return len(api.spec.to_dict()["paths"])

    with ThreadPoolExecutor(4) as pool:
        counts = list(pool.map(lambda _: paths(), range(4)))
    assert counts == [len({path for _, path in api_operations(app)})] * 4
