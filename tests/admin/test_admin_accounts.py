"""The accounts pages: an admin issues and revokes API tokens, removes two-factor login and deactivates
accounts, through the same services as the ``flask users`` commands."""
import re

import pytest

from clinic.extensions import db
from clinic.models import ApiToken, Role, User
from tests.admin.page_reader import Page
from tests.conftest import api_token_for, log_in


def me(app, token: str) -> int:
    return app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code


def fresh(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


@pytest.fixture
def admin(logged_in) -> User:
    return logged_in(Role.ADMIN)


@pytest.fixture
def colleague(create_account) -> User:
    return create_account(Role.FRONTDESK)


def test_the_list_links_each_staff_account_to_its_page_and_patients_have_none(app, client, admin, colleague, create_account):
    patient = create_account(Role.PATIENT)
    page = client.get("/admin/users").get_data(as_text=True)
    assert f'href="/admin/users/{colleague.id}"' in page
    assert f'href="/admin/users/{patient.id}"' not in page
    assert client.get(f"/admin/users/{patient.id}").status_code == 404
    assert client.get("/admin/users/999999").status_code == 404


def test_an_issued_token_is_shown_once_and_works(app, client, admin, colleague):
    response = client.post(f"/admin/users/{colleague.id}/tokens")

    assert response.status_code == 201
    token = re.search(r"<code>([\w-]+)</code>", response.get_data(as_text=True)).group(1)
    assert me(app, token) == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert token not in client.get(f"/admin/users/{colleague.id}").get_data(as_text=True)


def test_a_revoked_token_stops_working_and_the_others_go_on(app, client, admin, colleague):
    kept, revoked = api_token_for(colleague), api_token_for(colleague)
    revoked_id = max(api_token.id for api_token in fresh(colleague).api_tokens)

    response = client.post(f"/admin/users/{colleague.id}/tokens/{revoked_id}/revoke")

    assert response.status_code == 302
    assert (me(app, kept), me(app, revoked)) == (200, 401)
    page = client.get(f"/admin/users/{colleague.id}").get_data(as_text=True)
    assert f"API token {revoked_id} is revoked." in page
    assert f"Revoke token {revoked_id}" not in page


def test_a_token_is_revoked_only_through_its_own_accounts_page(app, client, admin, colleague, create_account):
    token = api_token_for(colleague)
    token_id = fresh(colleague).api_tokens[0].id
    other = create_account(Role.CHIROPRACTOR)
    assert client.post(f"/admin/users/{other.id}/tokens/{token_id}/revoke").status_code == 404
    assert me(app, token) == 200


def test_an_admin_without_two_factor_login_gets_no_token_from_the_page(client, admin, create_account):
    other_admin = create_account(Role.ADMIN)
    page = client.get(f"/admin/users/{other_admin.id}").get_data(as_text=True)
    assert "An administrator needs two-factor login before having an API token." in page
    response = client.post(f"/admin/users/{other_admin.id}/tokens", follow_redirects=True)
    assert "This account cannot have an API token" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(ApiToken).where(ApiToken.user_id == other_admin.id)) is None


def test_removing_two_factor_login_ends_the_accounts_tokens(app, client, admin, create_account):
    other_admin = create_account(Role.ADMIN)
    token = api_token_for(other_admin)

    response = client.post(f"/admin/users/{other_admin.id}/reset-two-factor")

    assert response.status_code == 302
    assert me(app, token) == 401
    assert fresh(other_admin).has_second_factor is False
    assert all(api_token.revoked_at is not None for api_token in fresh(other_admin).api_tokens)


def test_a_deactivated_account_can_no_longer_log_in_or_use_its_tokens(app, client, admin, colleague):
    token = api_token_for(colleague)
    device = app.test_client()
    assert log_in(device, colleague.email).status_code == 302

    response = client.post(f"/admin/users/{colleague.id}/deactivate", follow_redirects=True)

    assert "is deactivated; its sessions and API tokens have ended." in response.get_data(as_text=True)
    assert me(app, token) == 401
    assert device.get("/frontdesk/").status_code == 302
    assert log_in(app.test_client(), colleague.email).status_code == 200


def test_an_admin_cannot_deactivate_their_own_account(client, admin):
    assert "Deactivate account" not in client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)
    assert fresh(admin).is_active is True


NEW_PASSWORD = "lantern orchard pebble 42"


def new_account(client, **fields):
    form = {"name": "Noor Nieuwenhuis", "email": "Nieuw@MoveWell.test", "role": "frontdesk", "chiropractor": "",
            "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD} | fields
    return client.post("/admin/users/new", data=form)


def test_an_admin_creates_a_staff_account_that_logs_in_with_its_first_password(app, client, admin):
    response = new_account(client)

    created = db.session.scalar(db.select(User).where(User.email == "nieuw@movewell.test"))
    assert response.status_code == 302 and response.headers["Location"] == f"/admin/users/{created.id}"
    assert (created.role, created.name) == ("frontdesk", "Noor Nieuwenhuis")
    assert log_in(app.test_client(), "nieuw@movewell.test", NEW_PASSWORD).status_code == 302
    accounts = client.get("/admin/users").get_data(as_text=True)
    assert 'href="/admin/users/new"' in accounts
    assert f'<a href="/admin/users/{created.id}">Noor Nieuwenhuis</a><br><span class="hint">nieuw@movewell.test</span>' \
        in accounts


@pytest.mark.parametrize("name", ["", "   "])
def test_a_new_account_needs_a_name_said_next_to_the_field(client, admin, name):
    response = new_account(client, name=name)

    page = Page(response.get_data(as_text=True))
    assert response.status_code == 422
    assert page.error_next_to("name") == "Fill in the person's name."
    assert page.value("email") == "Nieuw@MoveWell.test"
    assert db.session.scalar(db.select(User).where(User.email == "nieuw@movewell.test")) is None


def test_an_admin_renames_an_account_and_a_chiropractors_account_renames_the_chiropractor(
        client, admin, colleague, jarco, create_account):
    chiropractor = create_account(Role.CHIROPRACTOR, chiropractor=jarco)
    assert chiropractor.name == jarco.name

    renamed = client.post(f"/admin/users/{colleague.id}/name", data={"name": "  Fleur   de Bruin "})
    blank = client.post(f"/admin/users/{colleague.id}/name", data={"name": " "})
    client.post(f"/admin/users/{chiropractor.id}/name", data={"name": "Jarco Schol-Visser"})

    assert renamed.status_code == 302
    assert blank.status_code == 422 and Page(blank.get_data(as_text=True)).error_next_to("name") \
        == "Fill in the person's name."
    db.session.expire_all()
    assert fresh(colleague).display_name == "Fleur de Bruin"
    assert (fresh(chiropractor).display_name, jarco.name) == ("Jarco Schol-Visser", "Jarco Schol-Visser")


def test_a_chiropractor_account_is_linked_to_a_chiropractor_without_one(client, admin, jarco, tijn, create_account):
    create_account(Role.CHIROPRACTOR, chiropractor=jarco)

    taken = new_account(client, role="chiropractor", chiropractor=str(jarco.id))
    missing = new_account(client, role="chiropractor")
    linked = new_account(client, role="chiropractor", chiropractor=str(tijn.id))

    assert taken.status_code == missing.status_code == 422
    assert "This chiropractor already has an account." in taken.get_data(as_text=True)
    assert "Choose the chiropractor this account belongs to." in missing.get_data(as_text=True)
    assert linked.status_code == 302
    db.session.expire_all()
    assert (tijn.user.email, tijn.user.name) == ("nieuw@movewell.test", tijn.name)


def test_a_refused_new_account_keeps_what_was_typed_and_says_why_next_to_the_field(client, admin, colleague):
    response = new_account(client, email=colleague.email, role="admin", password="short", confirm_password="short")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A password needs at least" in page
    assert f'value="{colleague.email}"' in page
    assert '<option selected value="admin">' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(User).where(User.email == colleague.email)) == 1
    again = new_account(client, email=colleague.email)
    assert "There is already an account with this e-mail address." in again.get_data(as_text=True)


def test_a_new_role_ends_the_accounts_sessions_and_tokens(app, client, admin, colleague, jarco):
    token = api_token_for(colleague)
    device = app.test_client()
    assert log_in(device, colleague.email).status_code == 302

    response = client.post(f"/admin/users/{colleague.id}/role",
                           data={"role": "chiropractor", "chiropractor": str(jarco.id)})

    assert response.status_code == 302
    assert fresh(colleague).role == "chiropractor" and jarco.user_id == colleague.id
    assert fresh(colleague).display_name == jarco.name
    assert me(app, token) == 401
    assert device.get("/frontdesk/").status_code == 302
    client.post(f"/admin/users/{colleague.id}/role", data={"role": "frontdesk", "chiropractor": ""})
    db.session.expire_all()
    assert fresh(colleague).role == "frontdesk" and jarco.user_id is None


def test_an_admin_cannot_change_their_own_role(client, admin):
    assert "Change role" not in client.get(f"/admin/users/{admin.id}").get_data(as_text=True)
    response = client.post(f"/admin/users/{admin.id}/role", data={"role": "frontdesk", "chiropractor": ""})
    assert response.status_code == 422
    assert "You cannot change your own role" in response.get_data(as_text=True)
    assert fresh(admin).role == "admin"



@pytest.mark.parametrize(("language", "said"), [
    ("en", {"made": "The account of Noor Nieuwenhuis is made.",
            "role": "Noor Nieuwenhuis is now Administrator; its sessions and API tokens have ended.",
            "two_factor": "Two-factor login of Noor Nieuwenhuis is removed; its sessions and API tokens have ended.",
            "deactivated": "Noor Nieuwenhuis is deactivated; its sessions and API tokens have ended."}),
    ("nl", {"made": "Het account van Noor Nieuwenhuis is aangemaakt.",
            "role": "Noor Nieuwenhuis heeft nu de rol Beheerder; de sessies en API-tokens van het account zijn "
                    "beëindigd.",
            "two_factor": "Inloggen in twee stappen van Noor Nieuwenhuis is verwijderd; de sessies en API-tokens van "
                          "dit account zijn beëindigd.",
            "deactivated": "Noor Nieuwenhuis is gedeactiveerd; de sessies en API-tokens van dit account zijn "
                           "beëindigd."}),
])
def test_the_messages_about_an_account_name_the_person_not_the_e_mail_address(client, admin, language, said):
    """Making an account, its new role, removing its two-factor login and deactivating it: said by name."""
    client.get(f"/taal/{language}")
    form = {"name": "Noor Nieuwenhuis", "email": "Nieuw@MoveWell.test", "role": "frontdesk", "chiropractor": "",
            "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    steps = [("made", "/admin/users/new", form), ("role", "role", {"role": "admin", "chiropractor": ""}),
             ("two_factor", "reset-two-factor", {}), ("deactivated", "deactivate", {})]
    shown = {}
    for step, path, data in steps:
        noor = db.session.scalar(db.select(User).where(User.email == "nieuw@movewell.test"))
        response = client.post(path if noor is None else f"/admin/users/{noor.id}/{path}", data=data,
                               follow_redirects=True)
        shown[step] = Page(response.get_data(as_text=True)).flashes()

    for step, start in said.items():
        assert len(shown[step]) == 1 and shown[step][0].startswith(start), shown[step]
        assert "nieuw@movewell.test" not in shown[step][0].lower()
