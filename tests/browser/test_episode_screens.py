"""A chiropractor opens a care episode, enters outcomes and reads them plotted beside the load chart, and a
patient answers the questions about their complaint in the portal, in a real browser at 1400 and 360 px wide;
no serious accessibility problem and no sideways scrolling."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect
from sqlalchemy import select

from clinic.extensions import db
from clinic.localtime import to_local, utcnow
from clinic.models import Chiropractor, OutboxMessage, Role
from clinic.services import episodes
from clinic.services.seed import seed_clinic
from tests.browser.conftest import ARTIFACTS, PHONE
from tests.clinical.clinical_builders import add_training_log
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

LOADS = [(60, 4), (0, 0), (75, 5), (45, 3), (0, 0), (90, 6), (60, 4)] * 4


WIDE = {"width": 1400, "height": 900}


def check_and_capture(page, name: str) -> None:
    """Save the page at 1400 and 360 px wide (tests/artifacts); no serious axe finding, no sideways scroll on a phone."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, viewport in (("1400", WIDE), ("360", PHONE)):
        page.set_viewport_size(viewport)
        assert serious_problems(page) == [], label
        page.screenshot(path=ARTIFACTS / f"{name}-{label}.png", full_page=True)
    assert fits_the_width(page)
    page.set_viewport_size(WIDE)


def serious_problems(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [f"{v['id']}: {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]


def fits_the_width(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def test_an_episode_with_its_outcomes_beside_the_load_chart(live_server, page, app, create_patient,
                                                            create_account):
    seed_clinic(db.session)
    patient = create_patient()
    jarco = db.session.query(Chiropractor).filter_by(slug="jarco-schol").one()
    user = create_account(Role.CHIROPRACTOR, email="jarco@movewell.test", chiropractor=jarco)
    today = to_local(utcnow()).date()
    add_training_log(patient, today - timedelta(days=1), LOADS)
    db.session.commit()

    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server}/clinical/patients/{patient.id}")
    page.get_by_role("link", name="Nieuwe zorgepisode").click()
    page.get_by_label("Regio van de klacht").fill("knie rechts")
    page.get_by_label("Begin (de dag dat de klacht begon)").fill((today - timedelta(days=20)).isoformat())
    page.get_by_label("Doelen").fill("Weer 10 km hardlopen")
    page.get_by_role("button", name="Episode openen").click()
    expect(page.get_by_role("heading", name="Zorgepisode: knie rechts")).to_be_visible()

    for value in ("7", "4"):
        page.get_by_label("Pijn (NPRS, 0–10)").check()
        page.get_by_label("Score", exact=True).fill(value)
        page.get_by_role("button", name="Meting opslaan").click()
    page.get_by_label("Patiënt Specifieke Klachten (PSK, 0–10 per activiteit)").check()
    page.get_by_label("Activiteit 1").fill("hardlopen")
    page.get_by_label("Score 1 (0 = lukt niet, 10 = zoals vroeger)").select_option("3")
    page.get_by_role("button", name="Meting opslaan").click()
    expect(page.get_by_text("hardlopen: 3")).to_be_visible()
    expect(page.locator(".outcome-svg .mcid")).to_have_count(2)
    expect(page.locator(".outcome-svg .dot")).to_have_count(3)
    check_and_capture(page, "episode-page")


def test_a_patient_answers_the_questions_about_their_complaint_in_the_portal(live_server, page, app, create_patient):
    seed_clinic(db.session)
    patient = create_patient(email="sanne@example.nl")
    episode = episodes.open_episode(db.session, patient, episodes.NewEpisode(
        db.session.query(Chiropractor).first().id, "knie rechts", date(2026, 11, 1)), by=None, now=utcnow())
    db.session.commit()
    page.goto(f"{live_server}/portaal/inloggen")
    page.get_by_label("E-mailadres").fill("sanne@example.nl")
    page.get_by_label("Geboortedatum").fill("1990-05-17")
    page.get_by_role("button", name="Mail mij een inloglink").click()
    db.session.rollback()
    body = db.session.scalar(select(OutboxMessage).where(OutboxMessage.kind == "portal_login_link")).body_text
    page.goto(re.search(r"http\S+", body).group(0))
    page.get_by_role("button", name="Inloggen").click()

    page.get_by_role("link", name="Beantwoord de vragen over knie rechts").click()
    expect(page.get_by_role("heading", name="Hoe gaat het met uw klacht?")).to_be_visible()
    page.get_by_label("Activiteit 1").fill("hardlopen")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("Vul dit in.").first).to_be_visible()
    check_and_capture(page, "portal-outcomes-refused")
    page.get_by_label("Hoeveel pijn heeft u nu?").select_option("6")
    page.locator("#activity_score_1").select_option("3")
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("Dank u wel")).to_be_visible()
    page.goto(f"{live_server}/portaal/klachten/{episode.id}")
    check_and_capture(page, "portal-outcomes")
