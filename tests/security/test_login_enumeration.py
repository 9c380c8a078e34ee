"""No user enumeration: every failed login looks the same, and costs one argon2 verification.

Which accounts exist must not show in the answer: an unknown e-mail, a wrong password, a locked
and a deactivated account all get the same status and the same words. A locked account's own
message would be friendlier, but it would confirm that the account exists, so the one message
says that logging in pauses after several failed attempts, whatever the case.
"""
from datetime import timedelta

import pytest

from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import Role, User
from tests.conftest import PASSWORD
from tests.security.login_helpers import hash_checks  # noqa: F401 (a fixture)

CASES = ["unknown e-mail", "wrong password", "locked account", "deactivated account"]


def attempt(client, create_account, case):
    user = create_account(Role.FRONTDESK, email="desk@movewell.test")
    if case == "locked account":
        user.locked_until = utcnow() + timedelta(minutes=5)
    if case == "deactivated account":
        user.is_active = False
    db.session.commit()
    email = "nobody@movewell.test" if case == "unknown e-mail" else user.email
    password = "not the password" if case in ("unknown e-mail", "wrong password") else PASSWORD
    return client.post("/login", data={"email": email, "password": password})


def refusal(response) -> list[str]:
    """Return the error paragraph(s) of the login page."""
    page = response.get_data(as_text=True)
    return [line.strip() for line in page.splitlines() if 'class="error"' in line]


@pytest.mark.parametrize("case", CASES)
def test_every_failed_login_gets_the_same_answer(client, create_account, case):
    response = attempt(client, create_account, case)
    assert response.status_code == 200
    assert "E-mailadres of wachtwoord klopt niet." in refusal(response)[0]
    assert client.get("/frontdesk/").status_code == 302


def test_the_answers_are_identical_across_cases(app, create_account):
    answers = set()
    for case in CASES:
        client = app.test_client()
        response = attempt(client, create_account, case)
        answers.add((response.status_code, tuple(refusal(response))))
        db.session.query(User).delete()
        db.session.commit()
    assert len(answers) == 1


@pytest.mark.parametrize("case", CASES)
def test_every_failed_login_verifies_exactly_one_hash(client, create_account, hash_checks, case):
    # Timing is not measured (that would be a flaky test); instead every case must do the one
    # expensive step, an argon2 verification, exactly once.
    attempt(client, create_account, case)
    assert hash_checks.call_count == 1
