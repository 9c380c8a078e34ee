"""A chiropractor reads a patient's readiness, writes a note against it, signs and amends it, in a real browser."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from playwright.sync_api import expect

from clinic.extensions import db
from clinic.localtime import CLINIC_TZ, to_local, utcnow
from clinic.models import Chiropractor, Role
from clinic.services.readiness import NewCheckIn, ScreeningUpdate, record_check_in, update_screening
from clinic.services.seed import seed_clinic
from tests.clinical.clinical_builders import add_appointment, add_check_ins, add_training_log
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

# Five weeks of training, building up, with a hard session yesterday evening.
LOADS = [(60, 4), (0, 0), (75, 5), (45, 3), (0, 0), (90, 6), (60, 4)] * 4 + [
    (70, 5), (0, 0), (80, 6), (60, 5), (0, 0), (100, 7), (90, 8)]


@pytest.fixture
def athlete(app, create_patient, create_account):
    """A chiropractor (Jarco) and a patient with a training log, check-ins, screening and an appointment today."""
    seed_clinic(db.session)
    patient = create_patient()
    jarco = db.session.query(Chiropractor).filter_by(slug="jarco-schol").one()
    user = create_account(Role.CHIROPRACTOR, email="jarco@movewell.test", chiropractor=jarco)
    today = to_local(utcnow()).date()
    add_training_log(patient, today - timedelta(days=1), LOADS)
    add_check_ins(patient, today, [
        {"sleep": 2 + day % 2, "fatigue": 3, "stress": 2, "soreness": 3, "rmssd_ms": 64.0 + (day % 5)}
        for day in range(27)
    ] + [{"sleep": 4, "fatigue": 5, "stress": 3, "soreness": 5, "doms": 6, "doms_region": "calves", "rmssd_ms": 52.0}])
    update_screening(db.session, patient, ScreeningUpdate(flags={"open_wound_region": ["left shin"]}),
                     checked_by=user, now=utcnow())
    appointment = add_appointment(patient, datetime.combine(today, time(16, 0), tzinfo=CLINIC_TZ), code="follow_up",
                                  chiropractor=jarco)
    db.session.commit()
    return user, patient, appointment


def test_a_chiropractor_writes_signs_and_amends_a_note_against_the_readiness(live_server, page, screenshot, athlete):
    user, patient, appointment = athlete
    page.goto(f"{live_server}/taal/en?next=/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/clinical/")
    expect(page.get_by_role("heading", name="Appointments today")).to_be_visible()
    screenshot("overview")
    page.get_by_role("link", name=patient.full_name).first.click()
    expect(page.get_by_role("heading", name="Readiness now")).to_be_visible()
    expect(page.get_by_text("Guidance, not a decision.")).to_be_visible()
    screenshot("patient")

    page.get_by_role("link", name="Write note").click()
    expect(page.get_by_role("heading", name="Readiness at the start of the appointment")).to_be_visible()
    page.get_by_label("Subjective").fill("Sore calves after Sunday's race; stiff lower back.")
    page.locator("#adjustment-applied").check()
    page.locator("#adjustment-regions").fill("lumbar")
    page.locator("#massage-applied").check()
    page.locator("#massage-regions").fill("calves")
    page.locator("#massage-minutes").fill("30")
    page.get_by_role("button", name="Save draft").click()
    # Adjustment is not advised without an indication; the wound on the shin contraindicates massage.
    expect(page.get_by_text("The guidance advises against this: write why you apply it anyway.")).to_be_visible()
    expect(page.get_by_text("This is contraindicated: tick the override and write why you apply it anyway.")).to_be_visible()
    expect(page.get_by_label("Subjective")).to_have_value("Sore calves after Sunday's race; stiff lower back.")
    screenshot("note-refused")

    page.locator("#adjustment-justification").fill("Acute facet lock L4–L5 on examination.")
    page.locator("#massage-justification").fill("Calves only, well away from the wound on the left shin.")
    page.locator("#massage-override").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("The note is saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_text("Content hash verified: unchanged since signing.")).to_be_visible()
    page.get_by_role("textbox", name="Amendment").fill("Massage was of both calves, not only the left.")
    page.get_by_role("button", name="Add amendment").click()
    expect(page.get_by_text("Massage was of both calves, not only the left.")).to_be_visible()
    expect(page.get_by_text("Acute facet lock L4–L5 on examination.")).to_be_visible()
    expect(page.get_by_text("Contraindication overridden by the chiropractor.")).to_be_visible()
    screenshot("note-signed")


def test_the_screening_and_entry_forms_read_well(live_server, page, screenshot, athlete):
    user, patient, _ = athlete
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.goto(f"{live_server}/clinical/patients/{patient.id}")
    screenshot("patient-in-dutch")
    page.goto(f"{live_server}/clinical/patients/{patient.id}/notes/new")
    screenshot("note-form-in-dutch")
    page.goto(f"{live_server}/clinical/patients/{patient.id}/screening")
    screenshot("screening")
    page.goto(f"{live_server}/clinical/patients/{patient.id}/wellness/new")
    screenshot("check-in")
    page.goto(f"{live_server}/clinical/patients/{patient.id}/training-sessions/new")
    screenshot("training-session")


def test_red_flags_by_urgency_and_the_verdicts_of_a_local_finding_are_shown(live_server, page, screenshot, athlete):
    user, patient, _ = athlete
    update_screening(db.session, patient, ScreeningUpdate(flags={
        "open_wound_region": ["left shin"], "red_flag_cervical_arterial": [], "red_flag_night_pain": []}),
        checked_by=user, now=utcnow())
    db.session.commit()
    page.goto(f"{live_server}/taal/en?next=/login")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server}/clinical/patients/{patient.id}")
    expect(page.get_by_role("heading", name="Red flags: refer")).to_be_visible()
    expect(page.locator(".red-flag").first).to_contain_text("urgent: refer today (112 with neurological signs)")
    expect(page.locator(".red-flag").nth(1)).to_contain_text("refer to the GP")
    expect(page.get_by_role("heading", name="Verdicts in regions with a local finding")).to_be_visible()
    expect(page.get_by_role("heading", name="left shin")).to_be_visible()
    screenshot("red-flags-and-regions")


def test_my_day_shows_each_appointment_with_its_readiness_and_alerts(live_server, page, screenshot, athlete,
                                                                     create_patient):
    user, patient, appointment = athlete
    jarco = appointment.chiropractor
    today = to_local(utcnow()).date()
    unscreened = create_patient(first_name="Piet", last_name="Jansen")
    record_check_in(db.session, unscreened, NewCheckIn(today, complaints={"fever": today}), entered_by=None,
                    today=today)
    add_appointment(unscreened, datetime.combine(today, time(9, 30), tzinfo=CLINIC_TZ), chiropractor=jarco)
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    expect(page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn dag")).to_be_visible()
    rows = page.locator(".day-appointment")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Piet Jansen")
    expect(rows.first).to_contain_text("Nooit gescreend")
    expect(rows.first).to_contain_text("Rode vlag")
    expect(rows.nth(1)).to_contain_text("Waarschuwingsniveau")
    screenshot("my-day")
    rows.nth(1).get_by_role("link", name=patient.full_name).click()
    expect(page.get_by_role("link", name="Patiëntdossier")).to_be_visible()
    page.get_by_role("link", name="Notitie schrijven").click()
    expect(page.get_by_role("heading", name="Herstel en belastbaarheid bij het begin van de afspraak")).to_be_visible()


WIDE, NARROW = {"width": 1400, "height": 900}, {"width": 360, "height": 740}


def check_accessible_at_both_widths(page, name: str) -> None:
    """Screenshot the page at 1400 and 360 px; at each, no serious or critical axe finding, no sideways scrolling."""
    from axe_playwright_python.sync_playwright import Axe

    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    for label, viewport in (("1400", WIDE), ("360", NARROW)):
        page.set_viewport_size(viewport)
        page.screenshot(path=ARTIFACTS / f"alerts16-{name}-{label}.png", full_page=True)
        violations = [(violation["id"], [node["target"] for node in violation["nodes"]][:3])
                      for violation in Axe().run(page).response["violations"]
                      if violation["impact"] in ("serious", "critical")]
        assert violations == [], (label, violations)
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], label
    page.set_viewport_size(WIDE)


def test_the_alert_list_and_the_readiness_screen_read_well_at_both_widths(live_server, page, athlete, create_patient):
    user, patient, appointment = athlete
    jarco = appointment.chiropractor
    now = utcnow()
    today = to_local(now).date()
    unscreened = create_patient(first_name="Piet", last_name="Jansen")
    record_check_in(db.session, unscreened, NewCheckIn(today, complaints={"fever": today}), entered_by=None,
                    today=today)
    add_appointment(unscreened, datetime.combine(today + timedelta(days=1), time(9, 30), tzinfo=CLINIC_TZ),
                    chiropractor=jarco)
    add_appointment(patient, datetime.combine(today - timedelta(days=9), time(10, 0), tzinfo=CLINIC_TZ),
                    chiropractor=jarco, status="completed")
    update_screening(db.session, patient, ScreeningUpdate(flags={"open_wound_region": ["left shin"]},
                                                          next_competition_at=now + timedelta(days=4)),
                     checked_by=user, now=now)
    db.session.commit()
    page.goto(f"{live_server}/login")
    page.get_by_label("E-mailadres").fill(user.email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Signalen").click()
    expect(page.get_by_role("heading", name="Mijn signalen")).to_be_visible()
    items = page.locator(".alert-item")
    expect(items).to_have_count(2)
    expect(page.locator(".alert-list")).to_contain_text("Rode vlag gemeld in een check-in: Koorts")
    expect(page.locator(".alert-list")).to_contain_text("Nooit gescreend")
    check_accessible_at_both_widths(page, "alerts")
    page.get_by_role("button", name="Afvinken: Piet Jansen, Nooit gescreend").click()
    expect(page.get_by_text("Het signaal is afgevinkt.")).to_be_visible()
    expect(items).to_have_count(1)

    page.goto(f"{live_server}/clinical/patients/{patient.id}")
    outlook = page.locator(".readiness-outlook")
    expect(outlook).to_contain_text("Volgende wedstrijd")
    expect(outlook).to_contain_text("over 4 dagen")
    expect(outlook).to_contain_text("Bij de volgende afspraak")
    expect(page.locator(".marker-treatment")).to_have_count(1)
    check_accessible_at_both_widths(page, "readiness")
    # On a phone the chart keeps its size and scrolls inside its own box; the card's top, and the chart, up close.
    from tests.browser.conftest import ARTIFACTS

    page.set_viewport_size(NARROW)
    page.locator(".readiness-outlook").screenshot(path=ARTIFACTS / "alerts16-outlook-360.png")
    page.locator(".readiness-grid").screenshot(path=ARTIFACTS / "alerts16-warning-card-360.png")
    page.locator(".timeline").screenshot(path=ARTIFACTS / "alerts16-chart-360.png")
