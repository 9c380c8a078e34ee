"""SQL and LIKE metacharacters in every search: no error, and no patient found who does not match.

The patient search matches the start of names and their words (and e-mail, phone, birth date,
postcode); a ``%`` or ``_`` must be looked for as the character itself, never widen the search to
every patient.
"""
from __future__ import annotations

from datetime import date

import pytest

from clinic.extensions import db
from clinic.models import Role
from clinic.services.accounts import issue_api_token
from tests.conftest import log_in
from tests.security.attack_payloads import SQL_PAYLOADS

PATIENTS = [("Anna", "Jansen"), ("Bram", "de Vries"), ("Chloé", "O'Neill"), ("Daan", "100%_Fit")]


@pytest.fixture
def searchers(app, create_account, create_patient):
    """Return {search URL: function giving the full names found for a query}."""
    for first_name, last_name in PATIENTS:
        create_patient(first_name=first_name, last_name=last_name, date_of_birth=date(1990, 5, 17))
    desk, chiro, api = app.test_client(), app.test_client(), app.test_client()
    assert log_in(desk, create_account(Role.FRONTDESK).email).status_code == 302
    assert log_in(chiro, create_account(Role.CHIROPRACTOR).email).status_code == 302
    headers = {"Authorization": f"Bearer {issue_api_token(db.session, create_account(Role.FRONTDESK))}"}
    db.session.commit()

    def on_page(client, url):
        def found(query: str) -> set[str]:
            response = client.get(url, query_string={"q": query})
            assert response.status_code == 200, (url, query, response.status_code)
            page = response.get_data(as_text=True)
            return {name for first, last in PATIENTS for name in [f"{first} {last}"] if name in unescaped(page)}
        return found

    def in_api(query: str) -> set[str]:
        response = api.get("/api/v1/patients", query_string={"q": query}, headers=headers)
        assert response.status_code == 200, (query, response.status_code)
        return {f"{p['first_name']} {p['last_name']}" for p in response.json["patients"]}

    return {"/frontdesk/book": on_page(desk, "/frontdesk/book"), "/clinical/": on_page(chiro, "/clinical/"),
            "/api/v1/patients": in_api}


def unescaped(page: str) -> str:
    return page.replace("&#39;", "'").replace("&amp;", "&")


# What each query may find: a metacharacter only finds a name that starts with it, and a name that
# holds one is found by it.
EXPECTED = {
    "'": set(),
    "%": set(),
    "_": set(),
    "%_": set(),
    "O'Neill": {"Chloé O'Neill"},
    "100%_fit": {"Daan 100%_Fit"},
    "%%": set(),
    "' OR '1'='1": set(),
    "%' UNION SELECT 1 --": set(),
    "Jansen' --": set(),
    "\\": set(),
    '"': set(),
    "--": set(),
    ";": set(),
    "*": set(),
    "a' --": set(),
}


def test_search_metacharacters_find_only_what_matches(searchers, attempts):
    assert set(SQL_PAYLOADS) <= set(EXPECTED)  # every payload is tried
    for url, search in searchers.items():
        assert search("Jansen") == {"Anna Jansen"}, url  # the search itself works
        for query, expected in EXPECTED.items():
            assert search(query) == expected, (url, query)
    attempts.record("sql", len(searchers) * len(EXPECTED))
