"""Cross-site request forgery: a state change needs the page's CSRF token, or an API bearer token.

The tests run the app with CSRF protection on (the test configuration turns it off for the rest
of the suite) and log in the way a browser does, token and all.
"""
from __future__ import annotations

import re

import pytest
from werkzeug.routing import Rule

from clinic.extensions import db
from clinic.models import Role
from clinic.services.accounts import issue_api_token
from clinic.services.seed import seed_clinic
from tests.conftest import PASSWORD
from tests.security.attack_payloads import assert_json_error, row_counts

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
NEW_PATIENT = {"first_name": "Sanne", "last_name": "de Vries", "date_of_birth": "1990-05-17"}


def unsafe_routes(app, *, api: bool) -> list[tuple[str, str]]:
    """Return (method, URL) for every unsafe method of every route, path parameters filled with 1."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") != api:
            continue
        for method in sorted(rule.methods & UNSAFE):
            found.append((method, filled(rule)))
    return sorted(found)


def filled(rule: Rule) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: "abc" if m.group(1) == "token" else "1", rule.rule)


@pytest.fixture
def protected(variant_app, create_account):
    """Return (app with CSRF on, a client logged in as the administrator through the login form)."""
    seed_clinic(db.session)
    db.session.commit()
    app = variant_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    admin = create_account(Role.ADMIN)
    login_page = client.get("/login").get_data(as_text=True)
    token = csrf_token(login_page)
    assert client.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token}).status_code == 302
    return app, client


def csrf_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def test_every_form_post_without_a_token_is_refused_and_changes_nothing(protected, attempts):
    app, client = protected
    routes = unsafe_routes(app, api=False)
    assert ("POST", "/frontdesk/book/new-patient") in routes  # the discovery works
    before = row_counts()
    for method, url in routes:
        for data in ({}, {"csrf_token": "forged"}):
            response = client.open(url, method=method, data=data)
            assert response.status_code == 400, (method, url, data, response.status_code)
    assert row_counts() == before
    attempts.record("csrf", 2 * len(routes))


def test_a_form_post_with_the_token_goes_through(protected):
    _app, client = protected
    page = client.get("/frontdesk/book/new-patient").get_data(as_text=True)
    response = client.post(
        "/frontdesk/book/new-patient", data=NEW_PATIENT | {"csrf_token": csrf_token(page), "preferred_language": "nl"}
    )
    assert response.status_code == 302


def test_every_api_change_with_a_session_cookie_needs_the_csrf_header(protected, attempts):
    app, client = protected
    routes = unsafe_routes(app, api=True)
    before = row_counts()
    for method, url in routes:
        for headers in ({}, {"X-CSRFToken": "forged"}):
            response = client.open(url, method=method, json={}, headers=headers)
            # The public booking endpoint is also refused: the cookie is what a forger would borrow. A
            # change the administrator may not make at all is refused by the policy, before the token.
            assert_json_error(response, (400, 403))
    assert row_counts() == before
    attempts.record("csrf", 2 * len(routes))


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_a_cross_site_json_post_with_the_cookie_is_refused(protected, attempts, content_type):
    """A form on another site can send a JSON-looking body as text/plain, with the victim's cookie."""
    _app, client = protected
    before = row_counts()
    response = client.post(
        "/api/v1/patients",
        data='{"first_name": "Sanne", "last_name": "de Vries", "date_of_birth": "1990-05-17"}',
        headers={"Content-Type": content_type, "Origin": "https://evil.example", "Referer": "https://evil.example/"},
    )
    assert_json_error(response, 400)
    assert row_counts() == before
    attempts.record("csrf")


def test_an_api_change_with_the_cookie_and_the_token_goes_through(protected):
    _app, client = protected
    token = csrf_token(client.get("/frontdesk/book/new-patient").get_data(as_text=True))
    response = client.post("/api/v1/patients", json=NEW_PATIENT, headers={"X-CSRFToken": token})
    assert response.status_code == 201


def test_a_bearer_token_needs_no_csrf_token(protected, create_account):
    app, _client = protected
    token = issue_api_token(db.session, create_account(Role.FRONTDESK))
    db.session.commit()
    response = app.test_client().post(
        "/api/v1/patients", json=NEW_PATIENT, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 201


def test_a_cookie_sent_with_a_bearer_token_does_not_skip_the_csrf_check(protected):
    """A forger cannot add a made-up bearer token to skip CSRF: a cookie and a token together are refused."""
    _app, client = protected
    before = row_counts()
    response = client.post("/api/v1/patients", json=NEW_PATIENT, headers={"Authorization": "Bearer forged"})
    assert_json_error(response, 400)
    assert response.json["error"]["code"] == "two_credentials"
    assert row_counts() == before
