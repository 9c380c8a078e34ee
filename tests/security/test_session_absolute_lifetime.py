"""A browser session ends 12 hours after logging in, however busy it is (besides the idle timeout)."""
from datetime import timedelta

from clinic.auth.login import STARTED_KEY
from clinic.models import Role
from config import Config
from tests.conftest import log_in


def test_the_absolute_lifetime_is_twelve_hours_by_default():
    assert Config.SESSION_ABSOLUTE_LIFETIME == timedelta(hours=12)


def busy_for(client, clock, duration: timedelta) -> list[int]:
    """Request a page every 25 minutes (never idle) for ``duration``; return the statuses."""
    statuses, elapsed = [], timedelta()
    while elapsed + timedelta(minutes=25) <= duration:
        clock.advance(minutes=25)
        elapsed += timedelta(minutes=25)
        statuses.append(client.get("/frontdesk/").status_code)
    return statuses


def test_a_busy_session_lasts_twelve_hours_and_then_ends_with_a_message(client, login_as, clock):
    login_as(Role.FRONTDESK)
    logged_in_at = clock.now
    assert set(busy_for(client, clock, timedelta(hours=11, minutes=55))) == {200}
    clock.set(logged_in_at + timedelta(hours=12))
    assert client.get("/frontdesk/").status_code == 200
    clock.advance(seconds=1)

    response = client.get("/frontdesk/", headers={"Accept-Language": "en"})

    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Your session ended 12 hours after you logged in. Please log in again." in page
    assert client.get("/frontdesk/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_logging_in_again_starts_a_new_lifetime(client, login_as, clock):
    user = login_as(Role.CHIROPRACTOR)
    busy_for(client, clock, timedelta(hours=12, minutes=30))
    assert log_in(client, user.email).status_code == 302
    assert set(busy_for(client, clock, timedelta(hours=11))) == {200}


def test_the_absolute_lifetime_is_a_setting(variant_app, create_account, clock):
    client = variant_app(SESSION_ABSOLUTE_LIFETIME=timedelta(hours=1)).test_client()
    assert log_in(client, create_account(Role.FRONTDESK).email).status_code == 302
    assert busy_for(client, clock, timedelta(hours=1, minutes=15)) == [200, 200, 302]


def test_a_session_cookie_without_a_start_time_has_expired(client, login_as):
    login_as(Role.FRONTDESK)
    # As a cookie issued before sessions had a start time.
    with client.session_transaction() as session:
        del session[STARTED_KEY]
    assert client.get("/frontdesk/").status_code == 302
