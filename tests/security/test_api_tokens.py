"""API tokens end with the credentials they were issued under, one can be revoked, and an admin
token needs two-factor login."""
from datetime import timedelta

import pytest

from clinic.errors import Invalid
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import ApiToken, Role, User
from clinic.services.accounts import issue_api_token
from tests.conftest import PASSWORD
from tests.security.login_helpers import enrol

NEW_PASSWORD = "lantern orbit quietly 42"


def issued(app, user: User) -> str:
    """Return a new token for ``user``, issued as an admin does it: with the command."""
    result = app.test_cli_runner().invoke(args=["users", "token", user.email])
    assert result.exit_code == 0, result.output
    return result.stdout.strip()


def me(client, token: str) -> int:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def revoked_times(user: User) -> list:
    db.session.rollback()
    return [api_token.revoked_at for api_token in db.session.get(User, user.id).api_tokens]


def enrolled(create_account, role: Role) -> User:
    user = create_account(role)
    enrol(user, utcnow() - timedelta(minutes=1))
    return user


@pytest.mark.parametrize(
    ("command", "stdin"),
    [
        (["users", "set-password"], NEW_PASSWORD + "\n"),
        (["users", "deactivate"], None),
        (["users", "reset-two-factor"], None),
    ],
)
@pytest.mark.parametrize("role", [Role.ADMIN, Role.FRONTDESK])
def test_a_password_change_deactivation_or_two_factor_reset_revokes_every_token(app, client, create_account, command, stdin, role):
    user = enrolled(create_account, role)
    tokens = [issued(app, user), issued(app, user)]
    assert [me(client, token) for token in tokens] == [200, 200]

    result = app.test_cli_runner().invoke(args=[*command, user.email], input=stdin)

    assert result.exit_code == 0, result.output
    assert "API tokens have ended" in result.output
    assert [me(client, token) for token in tokens] == [401, 401]
    assert all(revoked_at is not None for revoked_at in revoked_times(user))


def test_changing_ones_own_password_revokes_the_accounts_tokens(app, client, login_as):
    user = login_as(Role.CHIROPRACTOR)
    token = issued(app, user)
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert me(app.test_client(), token) == 401


def test_a_token_issued_after_the_password_change_works(app, client, create_account):
    user = create_account(Role.FRONTDESK)
    issued(app, user)
    app.test_cli_runner().invoke(args=["users", "set-password", user.email], input=NEW_PASSWORD + "\n")
    assert me(client, issued(app, user)) == 200


def test_one_token_is_revoked_by_its_number_and_the_others_keep_working(app, client, create_account):
    user = create_account(Role.FRONTDESK)
    kept, lost = issued(app, user), issued(app, user)
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["users", "tokens", user.email]).stdout.splitlines()
    assert [line.split("\t")[2] for line in listed] == ["active", "active"]
    lost_number = listed[1].split("\t")[0]

    result = runner.invoke(args=["users", "revoke-token", lost_number])

    assert result.exit_code == 0, result.output
    assert f"API token {lost_number} of {user.email} revoked" in result.output
    assert (me(client, kept), me(client, lost)) == (200, 401)
    listed = runner.invoke(args=["users", "tokens", user.email]).stdout.splitlines()
    assert listed[0].endswith("active") and "\trevoked " in listed[1]


@pytest.mark.parametrize("number", ["999", "0", "99999999999", "x"])
def test_revoking_a_token_that_does_not_exist_is_a_clear_refusal(app, number):
    result = app.test_cli_runner().invoke(args=["users", "revoke-token", number])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    assert "There is no API token 999." in result.output if number == "999" else "Invalid value" in result.output


def test_issuing_prints_only_the_token_on_standard_output_and_its_number_on_standard_error(app, create_account):
    user = create_account(Role.FRONTDESK)
    result = app.test_cli_runner().invoke(args=["users", "token", user.email])
    number = db.session.scalar(db.select(ApiToken.id).where(ApiToken.user_id == user.id))
    assert len(result.stdout.split()) == 1
    assert f"API token {number} issued for {user.email}" in result.stderr


# Admin tokens need two-factor login ----------------------------------------------------------


def test_an_admin_without_two_factor_login_gets_no_token(app, create_account):
    admin = create_account(Role.ADMIN)
    result = app.test_cli_runner().invoke(args=["users", "token", admin.email])
    assert result.exit_code != 0
    assert "needs two-factor login before it can have an API token" in result.output
    with pytest.raises(Invalid) as refusal:
        issue_api_token(db.session, admin)
    assert refusal.value.code == "second_factor_required"
    db.session.rollback()
    assert db.session.get(User, admin.id).api_tokens == []


def test_an_admin_token_stops_working_when_the_account_loses_two_factor_login(app, client, create_account):
    admin = enrolled(create_account, Role.ADMIN)
    token = issued(app, admin)
    assert me(client, token) == 200
    # However the factor goes (not only by the reset command, which also revokes the token).
    db.session.get(User, admin.id).totp_enabled_at = None
    db.session.commit()
    assert me(client, token) == 401


def test_a_deactivated_account_gets_no_token(app, create_account):
    user = create_account(Role.FRONTDESK)
    app.test_cli_runner().invoke(args=["users", "deactivate", user.email])
    result = app.test_cli_runner().invoke(args=["users", "token", user.email])
    assert result.exit_code != 0 and "is deactivated" in result.output
