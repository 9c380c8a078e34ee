"""A browser session ends after 30 minutes without a request; API bearer tokens do not."""
from datetime import timedelta

from clinic.extensions import db
from clinic.models import Role
from clinic.services.accounts import issue_api_token
from config import Config
from tests.conftest import log_in


def test_the_idle_timeout_is_thirty_minutes_by_default():
    assert Config.SESSION_IDLE_TIMEOUT == timedelta(minutes=30)


def test_a_session_idle_for_more_than_thirty_minutes_is_logged_out_with_a_message(client, login_as, clock):
    login_as(Role.FRONTDESK)
    clock.advance(minutes=30, seconds=1)
    response = client.get("/frontdesk/?date=2026-12-01", headers={"Accept-Language": "en"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/frontdesk/?date%3D2026-12-01"
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You were logged out after 30 minutes of inactivity." in page
    assert client.get("/frontdesk/").status_code == 302


def test_each_request_restarts_the_idle_time(client, login_as, clock):
    login_as(Role.CHIROPRACTOR)
    for _ in range(3):
        clock.advance(minutes=29)
        assert client.get("/frontdesk/").status_code == 200


def test_the_idle_timeout_is_a_setting(variant_app, create_account, clock):
    client = variant_app(SESSION_IDLE_TIMEOUT=timedelta(minutes=5)).test_client()
    user = create_account(Role.FRONTDESK)
    assert log_in(client, user.email).status_code == 302
    clock.advance(minutes=5, seconds=1)
    assert client.get("/frontdesk/").status_code == 302


def test_an_idle_api_call_with_a_session_cookie_gets_401(client, login_as, clock):
    login_as(Role.FRONTDESK)
    clock.advance(minutes=31)
    assert client.get("/api/v1/me").status_code == 401


def test_api_bearer_tokens_have_no_idle_timeout(client, create_account, clock):
    user = create_account(Role.FRONTDESK)
    token = issue_api_token(db.session, user)
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    clock.advance(hours=3)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
