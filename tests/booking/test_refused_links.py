"""A patient's secret link that opens nothing says why, in the page's language: already used or expired
(410 Gone) or unknown (404), with what to do next, and nothing about whose link it was."""
from __future__ import annotations

from datetime import timedelta

import pytest

from clinic.extensions import db
from clinic.models import AppointmentType, BookingSource, TokenPurpose
from clinic.scheduling import STAFF_POLICY
from clinic.services import episodes
from clinic.services.booking import book_appointment
from clinic.services.patient_links import issue_single_use_link
from clinic.services.seed import seed_clinic
from tests.admin.page_reader import Page
from tests.services.conftest import NOW
from tests.services.test_patient_mail import TUESDAY_0900

# Each kind of link: its page in Dutch and in English.
LINK_PAGES = {
    TokenPurpose.AFTER_VISIT: ("/afspraak/nazorg/", "/en/book/aftercare/"),
    TokenPurpose.OUTCOME_MEASURES: ("/afspraak/klachtenvragen/", "/en/book/complaint-questions/"),
    TokenPurpose.PORTAL_LOGIN: ("/portaal/inloggen/", "/en/portal/login/"),
    TokenPurpose.MANAGE_APPOINTMENT: ("/afspraak/beheer/", "/en/book/manage/"),
}
HEADINGS = {
    "used": ("Deze link is al gebruikt", "This link has already been used"),
    "expired": ("Deze link is verlopen", "This link has expired"),
    "unknown": ("Deze link kennen we niet", "We do not know this link"),
}
STATUS = {"used": 410, "expired": 410, "unknown": 404}
# Where the page sends the patient next, per language: the portal's login and the booking pages.
NEXT_STEPS = (("/portaal/inloggen", "/afspraak/"), ("/en/portal/login", "/en/book/"))
CASES = [(purpose, state) for purpose in LINK_PAGES for state in HEADINGS
         # A manage link works as often as the patient likes until the appointment starts: it is never used up.
         if (purpose, state) != (TokenPurpose.MANAGE_APPOINTMENT, "used")]


@pytest.fixture
def appointment(app, clock, create_patient):
    clock.set(NOW)
    seed_clinic(db.session)
    patient = create_patient(first_name="Sanne", last_name="de Vries", email="sanne@example.nl")
    booked = book_appointment(
        db.session, patient=patient, starts_at=TUESDAY_0900, chiropractor_id=1, source=BookingSource.FRONTDESK,
        appointment_type=db.session.query(AppointmentType).filter_by(code="dry_needling").one(),
        policy=STAFF_POLICY, now=NOW,
    )
    db.session.commit()
    return booked


def link_in(appointment, purpose: TokenPurpose, state: str) -> str:
    """Return the secret of a link for ``purpose`` that is ``state``: used, expired, unknown or still open."""
    if state == "unknown":
        return "Zm9vYmFyLW5vdC1hLWxpbmstb2YtYW55b25lLWF0LWFsbA"
    expires_at = NOW - timedelta(minutes=1) if state == "expired" else NOW + timedelta(days=1)
    link, secret = issue_single_use_link(db.session, purpose, appointment.patient_id, expires_at,
                                         appointment=appointment)
    if state == "used":
        link.used_at = NOW - timedelta(hours=1)
    db.session.commit()
    return secret


def assert_says_why_and_what_next(response, state: str, language: int, app) -> None:
    page = Page(response.get_data(as_text=True))
    assert response.status_code == STATUS[state]
    assert response.headers["Cache-Control"] == "no-store"
    assert [h1.text for h1 in page.all("h1")] == [HEADINGS[state][language]]
    assert page.all("html")[0].attrs["lang"] == ("nl", "en")[language]
    links = {a.attrs.get("href") for a in page.all("a")}
    assert set(NEXT_STEPS[language]) <= links
    text = page.text()
    assert app.config["CLINIC_PHONE"] in text
    for detail in ("Sanne", "de Vries", "sanne@example.nl", "Dry needling", "dry needling", "01-12", "1 december",
                   "December 1"):
        assert detail not in text


@pytest.mark.parametrize(("purpose", "state"), CASES, ids=[f"{p.value}-{s}" for p, s in CASES])
@pytest.mark.parametrize("language", [0, 1], ids=["nl", "en"])
def test_a_link_that_opens_nothing_says_why_and_what_to_do(app, client, appointment, purpose, state, language):
    secret = link_in(appointment, purpose, state)
    path = LINK_PAGES[purpose][language] + secret

    assert_says_why_and_what_next(client.get(path), state, language, app)
    if purpose is not TokenPurpose.MANAGE_APPOINTMENT:  # the pages with a form refuse the answers alike
        assert_says_why_and_what_next(client.post(path, data={"pain_now": "3", "soreness": "3", "pain": "3"}),
                                      state, language, app)


def test_a_used_link_says_used_even_when_it_has_expired_since(app, client, appointment, clock):
    secret = link_in(appointment, TokenPurpose.AFTER_VISIT, "used")
    clock.set(NOW + timedelta(days=2))
    assert_says_why_and_what_next(client.get(f"/afspraak/nazorg/{secret}"), "used", 0, app)


def test_the_questions_of_a_complaint_whose_treatment_has_ended_have_expired(app, client, appointment):
    episode = episodes.open_episode(db.session, appointment.patient, episodes.NewEpisode(
        appointment.chiropractor_id, "knie rechts", NOW.date() - timedelta(days=10)), by=None, now=NOW)
    appointment.episode_id = episode.id
    secret = link_in(appointment, TokenPurpose.OUTCOME_MEASURES, "open")
    assert client.get(f"/afspraak/klachtenvragen/{secret}").status_code == 200
    episodes.close_episode(db.session, episode, "Klachtenvrij.", now=NOW)
    db.session.commit()

    response = client.get(f"/afspraak/klachtenvragen/{secret}")
    assert_says_why_and_what_next(response, "expired", 0, app)
    assert "knie" not in response.get_data(as_text=True)
