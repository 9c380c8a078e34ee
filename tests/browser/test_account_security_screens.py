"""A staff member changes their password and sets up two-factor login in a real browser."""
import pyotp
import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import Role, User
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser
NEW_PASSWORD = "lantern orbit quietly 42"


def fill_in_login(page, email: str, password: str) -> None:
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_staff_change_their_password_and_set_up_two_factor_login(app, live_server, page, screenshot, create_account):
    user = create_account(Role.CHIROPRACTOR)
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="English").click()
    fill_in_login(page, user.email, PASSWORD)

    page.goto(f"{live_server}/account/password")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill("password1234")
    page.get_by_label("New password again").fill("password1234")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator("#new_password-error")).to_have_text("This is one of the most common passwords; choose another.")
    screenshot("password-refused")
    page.get_by_label("Current password").fill(PASSWORD)
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password has been changed.")).to_be_visible()

    page.goto(f"{live_server}/account/two-factor")
    page.get_by_role("button", name="Set up two-factor login").click()
    qr_code = page.get_by_role("img", name="QR code for your authenticator app")
    expect(qr_code).to_be_visible()
    # The QR code is a data: URI; the Content-Security-Policy must let it show.
    assert qr_code.evaluate("image => image.naturalWidth") > 0
    screenshot("enrolment")
    db.session.rollback()  # end the test's own read transaction, to see the server's writes
    secret = db.session.get(User, user.id).totp_secret
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).at(utcnow()))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_text("Two-factor login is on.")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    fill_in_login(page, user.email, NEW_PASSWORD)
    expect(page.get_by_label("Code from your authenticator app")).to_be_visible()
    screenshot("code-step")
