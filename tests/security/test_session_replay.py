"""Session cookies: a new one on login, and a captured one is worthless after logout, a password
change, deactivation, a second-factor reset or a long pause."""
import pytest

from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import Role, User
from clinic.services.accounts import deactivate_user
from tests.conftest import PASSWORD, log_in

NEW_PASSWORD = "lantern orbit quietly 42"


def replay(app, cookie: str):
    """Return a fresh client that carries only the captured session cookie."""
    attacker = app.test_client()
    attacker.set_cookie("session", cookie)
    return attacker


def assert_refused(attacker) -> None:
    response = attacker.get("/frontdesk/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert attacker.get("/api/v1/me").status_code == 401


def test_a_captured_cookie_works_while_the_session_lives(app, client, login_as):
    login_as(Role.FRONTDESK)
    attacker = replay(app, client.get_cookie("session").value)
    assert attacker.get("/frontdesk/").status_code == 200


def test_session_cookie_replayed_after_logout_is_refused(app, client, login_as):
    login_as(Role.FRONTDESK)
    captured = client.get_cookie("session").value
    client.post("/logout")
    assert_refused(replay(app, captured))


def test_a_cookie_from_before_a_password_change_is_refused(app, client, login_as):
    login_as(Role.FRONTDESK)
    other_device = client.get_cookie("session").value
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get("/frontdesk/").status_code == 200
    assert_refused(replay(app, other_device))


@pytest.mark.parametrize("how", ["command", "service"])
def test_a_cookie_of_a_deactivated_account_is_refused_also_after_reactivation(app, client, login_as, how):
    user = login_as(Role.FRONTDESK)
    captured = client.get_cookie("session").value
    if how == "command":
        assert app.test_cli_runner().invoke(args=["users", "deactivate", user.email]).exit_code == 0
    else:
        deactivate_user(db.session, db.session.get(User, user.id), now=utcnow())
        db.session.commit()
    assert_refused(replay(app, captured))
    db.session.get(User, user.id).is_active = True
    db.session.commit()
    assert_refused(replay(app, captured))


def test_a_cookie_from_before_a_second_factor_reset_is_refused(app, client, login_as):
    user = login_as(Role.CHIROPRACTOR)
    captured = client.get_cookie("session").value
    assert app.test_cli_runner().invoke(args=["users", "reset-two-factor", user.email]).exit_code == 0
    assert_refused(replay(app, captured))


def test_a_cookie_replayed_after_the_idle_timeout_is_refused(app, client, login_as, clock):
    login_as(Role.FRONTDESK)
    captured = client.get_cookie("session").value
    clock.advance(minutes=31)
    assert_refused(replay(app, captured))


def test_login_starts_a_new_session(app, client, create_account):
    user = create_account(Role.FRONTDESK)
    client.get("/taal/en")
    with client.session_transaction() as planted:
        planted["planted_by_attacker"] = "x"
        planted["csrf_token"] = "known-to-the-attacker"
    before = client.get_cookie("session").value
    assert log_in(client, user.email).status_code == 302
    with client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        assert session.get("csrf_token") != "known-to-the-attacker"
        # The visitor's language choice is not a secret and survives.
        assert session["lang"] == "en"
    assert client.get_cookie("session").value != before
    # The cookie from before the login does not carry the login.
    assert_refused(replay(app, before))
