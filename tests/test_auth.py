"""Logging in and out, roles, CSRF and API tokens."""
import pytest
from argon2 import PasswordHasher

from clinic.extensions import db
from clinic.models import Role, User
from clinic.services.accounts import issue_api_token
from tests.conftest import PASSWORD, log_in


def test_login_with_the_right_password_opens_the_appointment_book(client, create_account):
    user = create_account(Role.FRONTDESK)
    response = log_in(client, user.email.upper())
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/frontdesk/")
    assert client.get("/frontdesk/").status_code == 200
    assert db.session.get(User, user.id).last_login_at is not None


@pytest.mark.parametrize("email_kind", ["wrong password", "unknown account"])
def test_failed_login_says_the_same_whatever_was_wrong(client, create_account, email_kind):
    user = create_account(Role.FRONTDESK)
    email = user.email if email_kind == "wrong password" else "nobody@movewell.test"
    response = log_in(client, email, "not the password")
    assert response.status_code == 200
    assert "E-mailadres of wachtwoord klopt niet." in response.get_data(as_text=True)
    assert client.get("/frontdesk/").status_code == 302


def test_wrong_password_is_counted_and_a_good_login_resets_the_count(client, create_account):
    user = create_account(Role.FRONTDESK)
    log_in(client, user.email, "wrong")
    log_in(client, user.email, "wrong")
    assert db.session.get(User, user.id).failed_login_count == 2
    log_in(client, user.email)
    db.session.expire_all()
    assert db.session.get(User, user.id).failed_login_count == 0


def test_deactivated_account_cannot_log_in(client, create_account):
    user = create_account(Role.FRONTDESK)
    user.is_active = False
    db.session.commit()
    assert log_in(client, user.email).status_code == 200
    assert client.get("/frontdesk/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, login_as):
    login_as(Role.FRONTDESK)
    assert client.get("/logout").status_code == 405
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/frontdesk/").status_code == 302


def test_deactivation_ends_existing_sessions(client, login_as):
    user = login_as(Role.FRONTDESK)
    assert client.get("/frontdesk/").status_code == 200
    db.session.get(User, user.id).is_active = False
    db.session.commit()
    assert client.get("/frontdesk/").status_code == 302


def test_password_is_stored_as_argon2id(create_account):
    user = create_account(Role.ADMIN)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_login_rehashes_a_password_made_with_old_parameters(client, create_account):
    user = create_account(Role.FRONTDESK)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    db.session.commit()
    old_hash = user.password_hash
    assert log_in(client, user.email).status_code == 302
    db.session.expire_all()
    new_hash = db.session.get(User, user.id).password_hash
    assert new_hash != old_hash and "m=1024" in new_hash


@pytest.mark.parametrize(
    ("role", "path", "status"),
    [
        (Role.FRONTDESK, "/admin/users", 403),
        (Role.CHIROPRACTOR, "/admin/users", 403),
        (Role.PATIENT, "/admin/users", 403),
        (Role.PATIENT, "/frontdesk/", 403),
        (Role.ADMIN, "/admin/users", 200),
        (Role.FRONTDESK, "/frontdesk/", 200),
        (Role.CHIROPRACTOR, "/frontdesk/", 200),
    ],
)
def test_each_role_sees_only_its_pages(client, login_as, role, path, status):
    login_as(role)
    assert client.get(path).status_code == status


def test_a_refused_page_says_so_in_the_visitors_language(client, login_as):
    login_as(Role.FRONTDESK)
    response = client.get("/admin/users")
    assert response.status_code == 403
    assert "U heeft geen toegang tot deze pagina" in response.get_data(as_text=True)


def test_staff_pages_redirect_anonymous_visitors_to_login(client):
    response = client.get("/frontdesk/?date=2026-12-01")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/frontdesk/?date%3D2026-12-01"


def test_login_follows_a_local_next_but_never_an_external_one(client, create_account):
    user = create_account(Role.ADMIN)
    local = client.post("/login?next=/admin/users", data={"email": user.email, "password": PASSWORD})
    assert local.headers["Location"] == "/admin/users"
    client.post("/logout")
    external = client.post("/login?next=//evil.example/x", data={"email": user.email, "password": PASSWORD})
    assert external.headers["Location"] == "/frontdesk/"


def test_form_post_without_csrf_token_is_refused(variant_app, create_account):
    user = create_account(Role.FRONTDESK)
    client = variant_app(WTF_CSRF_ENABLED=True).test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/frontdesk/").status_code == 302
    page = client.get("/login").get_data(as_text=True)
    assert 'name="csrf_token"' in page


def test_api_without_credentials_is_401_in_the_json_error_shape(client):
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert set(response.json["error"]) == {"code", "message", "fields"}
    assert response.json["error"]["code"] == "unauthorized"


def test_api_accepts_a_valid_bearer_token(client, create_account):
    user = create_account(Role.FRONTDESK)
    token = issue_api_token(db.session, user)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json == {"id": user.id, "email": user.email, "role": "frontdesk"}
    assert "session" not in (response.headers.get("Set-Cookie") or "")


@pytest.mark.parametrize("header", ["Bearer not-a-token", "Bearer ", "Basic abc"])
def test_api_refuses_a_wrong_bearer_token_with_401(client, create_account, header):
    user = create_account(Role.FRONTDESK)
    issue_api_token(db.session, user)
    db.session.commit()
    response = client.get("/api/v1/me", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "unauthorized"


def test_a_wrong_bearer_token_is_refused_even_on_public_endpoints(client):
    response = client.get("/api/v1/chiropractors", headers={"Authorization": "Bearer forged"})
    assert response.status_code == 401


def test_token_of_a_deactivated_account_is_refused(client, create_account):
    user = create_account(Role.FRONTDESK)
    token = issue_api_token(db.session, user)
    user.is_active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_only_the_hash_of_an_api_token_is_stored(create_account):
    user = create_account(Role.FRONTDESK)
    token = issue_api_token(db.session, user)
    db.session.commit()
    assert [t.token_hash for t in user.api_tokens] != [token]
    assert len(user.api_tokens[0].token_hash) == 64


def test_api_errors_share_one_json_shape(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "not_found", "message": response.json["error"]["message"], "fields": {}}}
    response = client.delete("/api/v1/chiropractors")
    assert response.status_code == 405
    assert response.json["error"]["code"] == "method_not_allowed"
