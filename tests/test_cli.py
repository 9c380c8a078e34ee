"""The account commands: passwords never on the command line, tokens shown once."""
from clinic.extensions import db
from clinic.models import Chiropractor, Role
from clinic.services.accounts import find_user
from clinic.services.seed import seed_clinic
from tests.conftest import PASSWORD


def test_users_create_reads_the_password_from_stdin(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "Desk@MoveWell.test", "--role", "frontdesk"], input=PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    user = find_user(db.session, "desk@movewell.test")
    assert user.role == Role.FRONTDESK.value and user.password_hash.startswith("$argon2id$")
    assert user.name == "Desk"  # made from the e-mail address when --name is left out


def test_users_create_takes_the_persons_name(app):
    result = app.test_cli_runner().invoke(
        args=["users", "create", "balie@movewell.test", "--role", "frontdesk", "--name", "Sanne Jacobs"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert find_user(db.session, "balie@movewell.test").display_name == "Sanne Jacobs"


def test_users_create_links_a_chiropractor_account(app):
    seed_clinic(db.session)
    db.session.commit()
    result = app.test_cli_runner().invoke(
        args=["users", "create", "sten@movewell.test", "--role", "chiropractor", "--chiropractor", "Sten Hofstad"],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    chiropractor = db.session.query(Chiropractor).filter_by(slug="sten-hofstad").one()
    assert (chiropractor.user.email, chiropractor.user.name) == ("sten@movewell.test", "Sten Hofstad")


def test_users_create_refuses_a_short_password_and_a_duplicate(app):
    runner = app.test_cli_runner()
    short = runner.invoke(args=["users", "create", "a@movewell.test", "--role", "admin"], input="short\n")
    assert short.exit_code != 0 and "at least 12 characters" in short.output
    runner.invoke(args=["users", "create", "a@movewell.test", "--role", "admin"], input=PASSWORD + "\n")
    duplicate = runner.invoke(args=["users", "create", "A@movewell.test", "--role", "admin"], input=PASSWORD + "\n")
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output


def test_users_token_prints_a_token_that_the_api_accepts(app, client, create_account):
    user = create_account(Role.FRONTDESK)
    result = app.test_cli_runner().invoke(args=["users", "token", user.email])
    assert result.exit_code == 0
    token = result.stdout.strip()
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
