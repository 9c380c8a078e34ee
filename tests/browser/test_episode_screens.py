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
from clinic.models import Chiropractor, OutboxMessage, OutcomeMeasurement, Role
from clinic.outcomes.measures import RegionQuestionnaire
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


def labels_outside_their_chart(page) -> list[str]:
    """Return the chart labels shown that stick out of their chart's box (and are cut off), with where they are.

    The box is the drawing, within the card; a chart that scrolls sideways in its own box (the load chart on
    a phone) may be wider than the card, but its labels must still lie within the drawing.
    """
    return page.evaluate("""() => [...document.querySelectorAll('figure.timeline svg text')].flatMap(text => {
        const svg = text.closest('svg').getBoundingClientRect();
        const card = text.closest('.chart-scroll') ? svg : text.closest('figure').getBoundingClientRect();
        const box = {left: Math.max(card.left, svg.left), right: Math.min(card.right, svg.right),
                     top: Math.max(card.top, svg.top), bottom: Math.min(card.bottom, svg.bottom)};
        const r = text.getBoundingClientRect();
        const out = r.width > 0 && (r.left < box.left - 0.5 || r.right > box.right + 0.5 || r.top < box.top - 0.5
                                    || r.bottom > box.bottom + 0.5);
        return out ? [`${text.textContent.trim()}: ${Math.round(r.left)}–${Math.round(r.right)} x `
                      + `${Math.round(r.top)}–${Math.round(r.bottom)} in ${Math.round(box.left)}–${Math.round(box.right)} x `
                      + `${Math.round(box.top)}–${Math.round(box.bottom)}`] : [];
    })""")


def smallest_outcome_label(page) -> float:
    """Return the height in px of the smallest label of the outcome chart, as drawn."""
    return page.evaluate("""() => Math.min(...[...document.querySelectorAll('.outcome-svg text')]
                                             .map(text => text.getBoundingClientRect().height))""")


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
    page.get_by_label("Vragenlijst voor de patiënt").select_option("lefs")
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
    page.get_by_label("Lower Extremity Functional Scale (LEFS, 0–80)").check()
    page.get_by_text("LEFS: de 20 activiteiten").click()
    lefs = page.locator("select[name^=lefs_]")
    for number in range(20):
        lefs.nth(number).select_option("1" if number in (5, 18) else "3")
    page.get_by_role("button", name="Meting opslaan").click()
    expect(page.get_by_text("Moeilijkst (0–4): Squatting (1); Hopping (1)")).to_be_visible()
    expect(page.locator(".outcome-svg .mcid")).to_have_count(3)
    expect(page.locator(".outcome-svg .dot")).to_have_count(4)
    check_and_capture(page, "episode-page")
    for viewport in (WIDE, PHONE):
        page.set_viewport_size(viewport)
        page.reload()
        assert labels_outside_their_chart(page) == [], viewport
    # The load chart scrolls sideways in its own box on a phone, starting at the newest days: its titles are
    # there, inside the part first seen.
    assert page.evaluate("""() => [...document.querySelectorAll('.chart-scroll .panel-title')]
        .filter(title => title.getBoundingClientRect().width > 0).map(title => {
            const box = title.closest('.chart-scroll').getBoundingClientRect(), r = title.getBoundingClientRect();
            return r.left >= box.left - 0.5 && r.right <= box.right + 0.5;
        })""") == [True] * 4
    page.screenshot(path=ARTIFACTS / "episode-page-360-as-loaded.png", full_page=True)
    # On a phone: nothing wider than the screen, the outcome chart's labels near their own size, and each
    # measured value a short card of labelled lines rather than a table wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert smallest_outcome_label(page) >= 9
    table = page.locator(".outcome-table")
    assert table.evaluate("t => t.closest('.table-scroll').scrollWidth <= t.closest('.table-scroll').clientWidth")
    assert table.locator("tbody tr").first.evaluate("tr => getComputedStyle(tr).display") == "block"


def test_a_patient_answers_the_questions_about_their_complaint_in_the_portal(live_server, page, app, create_patient):
    seed_clinic(db.session)
    patient = create_patient(email="sanne@example.nl")
    episode = episodes.open_episode(db.session, patient, episodes.NewEpisode(
        db.session.query(Chiropractor).first().id, "knie rechts", date(2026, 11, 1),
        region_questionnaire=RegionQuestionnaire.LEFS), by=None, now=utcnow())
    db.session.commit()
    page.goto(f"{live_server}/portaal/inloggen")
    page.get_by_label("E-mailadres").fill("sanne@example.nl")
    page.get_by_label("Geboortedatum").fill("1990-05-17")
    page.get_by_role("button", name="Mail mij een inloglink").click()
    expect(page.get_by_role("heading", name="Kijk in uw e-mail")).to_be_visible()
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
    # The LEFS the chiropractor chose: 20 groups of answers, each refused on its own while open.
    items = page.locator(".questionnaire fieldset.choice")
    expect(items).to_have_count(20)
    expect(page.locator(".questionnaire .has-error")).to_have_count(20)
    page.get_by_label("Hoeveel pijn heeft u nu?").select_option("6")
    page.locator("#activity_score_1").select_option("3")
    for number in range(20):
        items.nth(number).get_by_label("A little bit of difficulty").check()
    page.get_by_role("button", name="Versturen").click()
    expect(page.get_by_text("Dank u wel")).to_be_visible()
    db.session.rollback()
    assert db.session.scalar(select(OutcomeMeasurement.score).where(OutcomeMeasurement.measure == "lefs")) == 60
    page.goto(f"{live_server}/portaal/klachten/{episode.id}")
    check_and_capture(page, "portal-outcomes")
    # On a phone each activity's five answers share one row, as on the paper form: the 20 of them
    # stacked answer under answer made the questionnaire alone 6,400 px long; in rows it is 3,800.
    page.set_viewport_size(PHONE)
    assert page.locator(".questionnaire").bounding_box()["height"] < 4_000
