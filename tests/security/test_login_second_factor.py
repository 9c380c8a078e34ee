"""Two-factor login (TOTP): set up with a confirmed code, asked after the password, required for admins."""
from datetime import timedelta

import pyotp
import pytest

from clinic.auth.second_factor import accepted_step
from clinic.extensions import db, limiter
from clinic.models import Role, User
from config import Config, ProductionConfig
from tests.conftest import PASSWORD, log_in
from tests.security.login_helpers import code_at, enrol

SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def wrong_code(right: str) -> str:
    return "000000" if right != "000000" else "111111"


def fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


# The pure rules ------------------------------------------------------------------------------


def test_a_code_is_accepted_in_its_own_step_and_the_neighbouring_ones(clock):
    totp = pyotp.TOTP(SECRET)
    step = totp.timecode(clock.now)
    for offset in (-1, 0, 1):
        code = totp.generate_otp(step + offset)
        assert accepted_step(SECRET, code, now=clock.now, last_step=None) == step + offset
    assert accepted_step(SECRET, totp.generate_otp(step + 2), now=clock.now, last_step=None) is None


def test_a_code_is_accepted_only_once(clock):
    code = pyotp.TOTP(SECRET).at(clock.now)
    step = accepted_step(SECRET, code, now=clock.now, last_step=None)
    assert step is not None
    assert accepted_step(SECRET, code, now=clock.now, last_step=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_a_code_that_is_not_six_digits_is_refused(clock, code):
    assert accepted_step(SECRET, code, now=clock.now, last_step=None) is None


def test_spaces_in_a_typed_code_do_not_matter(clock):
    code = pyotp.TOTP(SECRET).at(clock.now)
    assert accepted_step(SECRET, f" {code[:3]} {code[3:]} ", now=clock.now, last_step=None) is not None


# Setting it up -------------------------------------------------------------------------------


def test_setting_up_shows_the_secret_a_qr_code_and_needs_a_confirmed_code(client, login_as, clock):
    user = login_as(Role.FRONTDESK)
    assert 'action="/account/two-factor/start"' in client.get("/account/two-factor").get_data(as_text=True)
    assert client.post("/account/two-factor/start").status_code == 302
    secret = fresh(user).totp_secret
    response = client.get("/account/two-factor")
    # The secret must not stay behind in a browser or proxy cache.
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert 'href="otpauth://totp/MoveWell%20Chiropractie:' in page
    assert 'src="data:image/svg+xml' in page
    assert " ".join(secret[i:i + 4] for i in range(0, 32, 4)) in page
    assert fresh(user).has_second_factor is False

    client.post("/account/two-factor", data={"code": wrong_code(code_at(fresh(user), clock.now))})
    assert fresh(user).has_second_factor is False

    assert client.post("/account/two-factor", data={"code": code_at(fresh(user), clock.now)}).status_code == 302
    assert fresh(user).has_second_factor is True
    assert client.get("/frontdesk/").status_code == 200


def test_turning_it_on_ends_the_accounts_other_sessions(app, client, login_as, clock):
    user = login_as(Role.FRONTDESK)
    other_device = app.test_client()
    log_in(other_device, user.email)
    client.post("/account/two-factor/start")
    client.post("/account/two-factor", data={"code": code_at(fresh(user), clock.now)})
    assert client.get("/frontdesk/").status_code == 200
    assert other_device.get("/frontdesk/").status_code == 302


def test_patients_have_no_two_factor_page(client, login_as):
    login_as(Role.PATIENT)
    assert client.get("/account/two-factor").status_code == 403
    assert client.post("/account/two-factor/start").status_code == 403


# Logging in with it --------------------------------------------------------------------------


@pytest.fixture
def enrolled(create_account, clock):
    user = create_account(Role.CHIROPRACTOR)
    enrol(user, clock.now - timedelta(minutes=1))
    return user


def test_the_code_is_asked_after_the_password_and_only_then_is_the_user_logged_in(client, enrolled, clock):
    response = client.post("/login?next=/frontdesk/week", data={"email": enrolled.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login/code?next=/frontdesk/week"
    assert client.get("/frontdesk/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401

    response = client.post("/login/code?next=/frontdesk/week", data={"code": code_at(enrolled, clock.now)})
    assert response.status_code == 302 and response.headers["Location"] == "/frontdesk/week"
    assert client.get("/frontdesk/").status_code == 200
    assert fresh(enrolled).last_login_at == clock.now


def test_a_used_code_cannot_log_in_again(client, enrolled, clock):
    code = code_at(enrolled, clock.now)
    log_in(client, enrolled.email)
    assert client.post("/login/code", data={"code": code}).status_code == 302
    client.post("/logout")
    log_in(client, enrolled.email)
    response = client.post("/login/code", data={"code": code}, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "This code is not right, or it has been used already." in response.get_data(as_text=True)
    assert client.get("/frontdesk/").status_code == 302


def test_wrong_codes_count_towards_the_lock_out(client, enrolled, clock):
    log_in(client, enrolled.email)
    right = code_at(enrolled, clock.now)
    for _ in range(5):
        client.post("/login/code", data={"code": wrong_code(right)})
    assert fresh(enrolled).failed_login_count == 5
    # Locked: even the right code is not accepted now.
    client.post("/login/code", data={"code": right})
    assert client.get("/frontdesk/").status_code == 302


def test_the_code_step_without_a_right_password_goes_back_to_the_login(client, enrolled):
    response = client.get("/login/code")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_the_code_step_expires_after_five_minutes(client, enrolled, clock):
    log_in(client, enrolled.email)
    clock.advance(minutes=5, seconds=1)
    response = client.post("/login/code", data={"code": code_at(enrolled, clock.now)})
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")
    assert client.get("/frontdesk/").status_code == 302


def test_the_code_step_is_rate_limited_per_account(variant_app, enrolled):
    client = variant_app(RATELIMIT_ENABLED=True, LOGIN_ACCOUNT_RATE_LIMIT="3 per minute").test_client()
    limiter.reset()
    log_in(client, enrolled.email)
    statuses = [client.post("/login/code", data={"code": "000000"}).status_code for _ in range(3)]
    limiter.reset()
    # The password counted too: the form and the code share one budget per account.
    assert statuses == [200, 200, 429]


# Required for admins --------------------------------------------------------------------------


def test_admins_need_a_second_factor_in_production():
    assert Config.ADMIN_SECOND_FACTOR_REQUIRED is True
    assert ProductionConfig.ADMIN_SECOND_FACTOR_REQUIRED is True


@pytest.fixture
def strict(variant_app):
    return variant_app(ADMIN_SECOND_FACTOR_REQUIRED=True).test_client()


@pytest.mark.parametrize("path", ["/admin/users", "/frontdesk/", "/account/password", "/"])
def test_an_admin_without_a_second_factor_reaches_nothing_but_its_set_up(strict, create_account, path):
    admin = create_account(Role.ADMIN)
    assert log_in(strict, admin.email).status_code == 302
    response = strict.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/account/two-factor"
    assert strict.get("/account/two-factor").status_code == 200
    assert strict.get("/api/v1/me").status_code == 403


def test_after_setting_it_up_the_admin_reaches_the_admin_pages(strict, create_account, clock):
    admin = create_account(Role.ADMIN)
    log_in(strict, admin.email)
    strict.post("/account/two-factor/start")
    strict.post("/account/two-factor", data={"code": code_at(fresh(admin), clock.now)})
    assert strict.get("/admin/users").status_code == 200


def test_an_enrolled_admin_logs_in_with_password_and_code(strict, create_account, clock):
    admin = create_account(Role.ADMIN)
    enrol(admin, clock.now - timedelta(minutes=1))
    log_in(strict, admin.email)
    strict.post("/login/code", data={"code": code_at(admin, clock.now)})
    assert strict.get("/admin/users").status_code == 200


def test_other_roles_may_go_without_a_second_factor(strict, create_account):
    user = create_account(Role.FRONTDESK)
    log_in(strict, user.email)
    assert strict.get("/frontdesk/").status_code == 200


def test_resetting_the_second_factor_makes_an_admin_set_it_up_again(app, strict, create_account, clock):
    admin = create_account(Role.ADMIN)
    enrol(admin, clock.now - timedelta(minutes=1))
    result = app.test_cli_runner().invoke(args=["users", "reset-two-factor", admin.email])
    assert result.exit_code == 0, result.output
    assert fresh(admin).totp_secret is None
    log_in(strict, admin.email)
    assert strict.get("/admin/users").headers["Location"] == "/account/two-factor"
