"""A response writes the session cookie only when the session changed.

The session lives in the cookie, and the browser keeps the one it received last. A page's icon and
style sheets are fetched beside the next click; had their answers written the cookie they were
sent with, they could undo a language switch or a message to show made in between (seen in a
browser test: the favicon's answer, sent with the English cookie, came after the switch to Dutch).
"""
from clinic.models import Role


def set_cookies(response) -> list[str]:
    return response.headers.getlist("Set-Cookie")


def test_a_static_file_answers_a_logged_in_browser_without_writing_its_session(client, login_as, clock):
    login_as(Role.FRONTDESK)
    clock.advance(minutes=1)
    for path in ("/static/favicon.svg", "/static/css/app.css"):
        response = client.get(path)
        assert response.status_code == 200
        assert set_cookies(response) == []


def test_a_language_switch_survives_a_static_file_fetched_with_the_cookie_from_before(client, login_as, clock):
    login_as(Role.FRONTDESK)
    client.get("/taal/en")
    cookie_before_the_switch = client.get_cookie("session").value
    client.get("/taal/nl")
    newest_cookie = client.get_cookie("session").value
    clock.advance(seconds=5)
    client.set_cookie("session", cookie_before_the_switch)
    late_answer = client.get("/static/favicon.svg")
    # The browser keeps its newest cookie unless this late answer replaces it.
    client.set_cookie("session", client.get_cookie("session").value if set_cookies(late_answer) else newest_cookie)
    page = client.get("/frontdesk/patients").get_data(as_text=True)
    assert '<html lang="nl"' in page


def test_a_page_writes_the_session_again_only_when_the_time_it_notes_has_moved(client, login_as, clock):
    login_as(Role.FRONTDESK)
    client.get("/frontdesk/patients")
    assert set_cookies(client.get("/frontdesk/patients")) == []
    clock.advance(seconds=1)
    assert [cookie for cookie in set_cookies(client.get("/frontdesk/patients")) if cookie.startswith("session=")]
