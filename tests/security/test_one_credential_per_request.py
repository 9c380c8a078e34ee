"""One credential per request: a logged-in session cookie and a bearer token together are refused."""
import pytest

from clinic.models import Role
from tests.conftest import api_token_for


@pytest.fixture
def token_header(create_account) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_token_for(create_account(Role.CHIROPRACTOR))}"}


@pytest.mark.parametrize("own_token", [True, False])
def test_a_session_and_a_bearer_token_together_are_refused_in_the_api_error_shape(client, login_as, create_account, own_token):
    user = login_as(Role.FRONTDESK)
    headers = {"Authorization": f"Bearer {api_token_for(user if own_token else create_account(Role.ADMIN))}"}

    response = client.get("/api/v1/me", headers=headers)

    assert response.status_code == 400
    assert response.json == {"error": {"code": "two_credentials", "fields": {},
                                       "message": "Send either a session cookie or a bearer token, not both."}}


def test_a_write_with_both_is_refused_before_it_does_anything(client, login_as, token_header, create_patient):
    login_as(Role.FRONTDESK)
    patient = create_patient()
    response = client.post(f"/api/v1/patients/{patient.id}/training-sessions", json={}, headers=token_header)
    assert response.status_code == 400 and response.json["error"]["code"] == "two_credentials"


def test_a_page_requested_with_both_is_refused(client, login_as, token_header):
    login_as(Role.FRONTDESK)
    assert client.get("/frontdesk/", headers=token_header).status_code == 400


def test_either_credential_alone_still_works(app, client, login_as, token_header):
    user = login_as(Role.FRONTDESK)
    assert client.get("/api/v1/me").json["id"] == user.id
    assert app.test_client().get("/api/v1/me", headers=token_header).status_code == 200
