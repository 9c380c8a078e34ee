"""New passwords: long enough, not common, not the account's own name; wherever a password is set."""
import pytest

from clinic.auth import password_policy
from clinic.auth.password_policy import common_passwords, password_problems
from clinic.auth.passwords import verify_password
from clinic.extensions import db
from clinic.models import Role, User
from clinic.services.accounts import WeakPassword, create_user, find_user
from tests.conftest import PASSWORD, log_in

EMAIL = "jan.jansen@movewell.test"
GOOD_PASSWORD = "lantern orbit quietly 42"


@pytest.mark.parametrize(
    ("password", "problems"),
    [
        (GOOD_PASSWORD, []),
        (PASSWORD, []),
        # Eleven characters: one short of the minimum.
        ("lantern orb", [password_policy.TOO_SHORT]),
        ("x" * 1025 + "abcdefgh", [password_policy.TOO_LONG]),
        # In the list of common passwords as it is ...
        ("qwerty123456", [password_policy.COMMON]),
        # ... in another case ...
        ("Password1234", [password_policy.COMMON]),
        # ... and with digits and symbols around a common word.
        ("!!monkey2024!!", [password_policy.COMMON]),
        ("abababababab", [password_policy.REPETITIVE]),
        # The e-mail address's name, and the clinic's.
        ("jan.jansen-was-here", [password_policy.CONTAINS_NAME]),
        ("I love MoveWell a lot", [password_policy.CONTAINS_NAME]),
        ("short", [password_policy.TOO_SHORT]),
    ],
)
def test_password_rules(password, problems):
    assert password_problems(password, email=EMAIL) == problems


def test_a_very_short_local_part_is_not_held_against_a_password():
    assert password_problems("jo sails boats far", email="jo@movewell.test") == []


def test_the_shipped_list_of_common_passwords_is_loaded():
    known = common_passwords()
    assert len(known) > 19_000
    assert {"123456", "password", "qwerty123456"} <= known


def test_creating_an_account_applies_the_policy(app):
    with pytest.raises(WeakPassword) as refused:
        create_user(db.session, EMAIL, "qwerty123456", Role.FRONTDESK)
    assert refused.value.codes == [password_policy.COMMON]
    assert refused.value.fields == {"password": password_policy.COMMON}
    assert find_user(db.session, EMAIL) is None


def test_users_create_refuses_a_common_password_and_says_why(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", EMAIL, "--role", "admin"], input="password1234\n"
    )
    assert result.exit_code != 0
    assert "one of the most common ones" in result.output
    assert find_user(db.session, EMAIL) is None


def test_users_set_password_applies_the_policy_and_ends_sessions(app, create_account):
    user = create_account(Role.FRONTDESK)
    version = user.session_version
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["users", "set-password", user.email], input="aaaaaaaaaaaaaa\n")
    assert weak.exit_code != 0 and "more different characters" in weak.output
    done = runner.invoke(args=["users", "set-password", user.email], input=GOOD_PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    changed = db.session.get(User, user.id)
    assert verify_password(changed.password_hash, GOOD_PASSWORD)
    assert changed.session_version == version + 1


def change_form(current=PASSWORD, new=GOOD_PASSWORD, again=None):
    return {"current_password": current, "new_password": new, "confirm_password": again or new}


def test_the_password_change_page_needs_a_login(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_changing_the_password_keeps_this_session_and_the_new_password_works(app, client, login_as):
    user = login_as(Role.CHIROPRACTOR)
    response = client.post("/account/password", data=change_form())
    assert response.status_code == 302
    assert client.get("/frontdesk/").status_code == 200
    client.post("/logout")
    assert log_in(client, user.email, PASSWORD).status_code == 200
    assert log_in(client, user.email, GOOD_PASSWORD).status_code == 302


# The messages are asserted in English: their Dutch translations reach the catalogue on merge.
@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (change_form(current="not my password"), "current_password", "This is not your current password."),
        (change_form(new="welkom"), "new_password", "A password needs at least 12 characters."),
        (change_form(new="qwerty123456"), "new_password", "This is one of the most common passwords"),
        (change_form(new="movewell rocks 2026"), "new_password", "may not contain your e-mail name"),
        (change_form(again="lantern orbit quietly 43"), "confirm_password", "The two new passwords differ."),
    ],
)
def test_a_refused_password_change_says_why_next_to_the_field(client, login_as, form, field, message):
    user = login_as(Role.FRONTDESK)
    response = client.post("/account/password", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    db.session.expire_all()
    assert verify_password(db.session.get(User, user.id).password_hash, PASSWORD)
