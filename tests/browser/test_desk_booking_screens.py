"""The desk books a free time straight from the day view, asks for the first free time of a type,
and prints a chiropractor's day list, in a real browser at desk and phone width."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS
from tests.browser.test_frontdesk_screens import busy_tuesday, log_in_as_front_desk  # noqa: F401  (fixture)

pytestmark = pytest.mark.browser

WIDE = {"width": 1400, "height": 900}
PHONE = {"width": 360, "height": 740}
SERIOUS = {"serious", "critical"}


def check_screen(page, name: str) -> None:
    """Save the page at 1400 and 360 px; at both, no serious accessibility fault and nothing wider than the screen."""
    ARTIFACTS.mkdir(exist_ok=True)
    for label, viewport in (("desktop", WIDE), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=ARTIFACTS / f"desk-booking-{name}-{label}.png", full_page=True)
        violations = [v for v in Axe().run(page).response["violations"] if v["impact"] in SERIOUS]
        assert not violations, [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"), label
    page.set_viewport_size(WIDE)


def test_the_desk_books_from_the_day_view_finds_the_first_free_time_and_prints_a_day_list(
    page, live_server, create_account, busy_tuesday  # noqa: F811
):
    page.set_viewport_size(WIDE)
    log_in_as_front_desk(page, live_server, create_account)
    page.goto(f"{live_server}/frontdesk/?date=2026-12-01")
    check_screen(page, "day")

    # A free quarter in Jarco's column, reached and followed with the keyboard.
    free = page.get_by_role("link", name="Book 11:00 with Jarco Schol")
    free.focus()
    page.screenshot(path=ARTIFACTS / "desk-booking-day-focused-desktop.png")
    page.keyboard.press("Enter")
    expect(page.get_by_text("You chose the free time 11:00 on Tuesday, December 1, 2026")).to_be_visible()
    page.get_by_label("Name, date of birth, e-mail or phone").fill("Lotte Visser")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Choose Lotte Visser").click()
    marked = page.locator(".chip.is-clicked")
    expect(marked).to_have_text("11:00")
    expect(marked).to_be_focused()
    expect(page.get_by_text("The time you chose, 11:00, is marked below")).to_be_visible()
    check_screen(page, "clicked-time")
    marked.click()
    page.get_by_role("button", name=re.compile("^Book")).click()
    expect(page.get_by_text("Booked: Lotte Visser on Tuesday, December 1, 2026 at 11:00 with Jarco Schol.")).to_be_visible()

    # The first free time of a dry-needling session, from Tuesday, for someone who has been before.
    page.goto(f"{live_server}/frontdesk/book?q=Noor")
    page.get_by_role("link", name="Choose Noor Bakker").click()
    page.get_by_label("Type of appointment").select_option(label="Dry needling (30 min)")
    page.get_by_label("Day", exact=True).fill("2026-12-01")
    page.get_by_role("button", name="First free time").click()
    first = page.locator(".first-free li")
    expect(first).to_have_count(4)
    expect(first.first).to_contain_text("Tuesday, December 1, 2026")
    check_screen(page, "first-free")

    # Jarco's day list, and what of it goes on paper.
    page.goto(f"{live_server}/frontdesk/?date=2026-12-01")
    page.get_by_role("link", name="Print the day list of Jarco Schol").click()
    rows = page.locator(".day-list-table tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.nth(3)).to_contain_text("Comes by wheelchair")
    check_screen(page, "day-list")
    # The script shows the Print button; it opens the print dialog, by keyboard too (counted, not opened).
    print_button = page.get_by_role("button", name="Print the day list")
    expect(print_button).to_be_visible()
    # (The expression ends on a number: Playwright would call a function it evaluates to.)
    page.evaluate("window.print = () => { window.printed += 1; }; window.printed = 0")
    print_button.focus()
    page.screenshot(path=ARTIFACTS / "desk-booking-day-list-print-button-focused.png")
    page.keyboard.press("Enter")
    after_enter = page.evaluate("window.printed")
    page.keyboard.press("Space")
    assert (after_enter, page.evaluate("window.printed")) == (1, 2)
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Show")).to_be_hidden()
    expect(print_button).to_be_hidden()
    expect(page.get_by_role("heading", name="Jarco Schol · Tuesday, December 1, 2026")).to_be_visible()
    page.screenshot(path=ARTIFACTS / "desk-booking-day-list-print.png", full_page=True)
    page.emulate_media(media="screen")

    page.goto(f"{live_server}/frontdesk/week?date=2026-12-01")
    expect(page.locator(".week-board h2")).to_have_count(5)
    # The closed weekend is left out, and the heading names the days shown.
    expect(page.get_by_role("heading", level=1)).to_have_text("November 30, 2026 – December 4, 2026")
    page.screenshot(path=ARTIFACTS / "desk-booking-week-desktop.png", full_page=True)


def test_without_scripts_the_day_list_has_no_print_button_and_says_ctrl_p(
    browser, live_server, create_account, busy_tuesday  # noqa: F811
):
    context = browser.new_context(viewport=WIDE, locale="nl-NL", timezone_id="Europe/Amsterdam",
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        log_in_as_front_desk(page, live_server, create_account)
        page.goto(f"{live_server}/frontdesk/day-list?date=2026-12-01")
        expect(page.locator(".day-list-table tbody tr").first).to_be_visible()
        expect(page.get_by_text("print command (Ctrl+P)")).to_be_visible()
        expect(page.locator("button[data-print]")).to_be_hidden()
        page.screenshot(path=ARTIFACTS / "desk-booking-day-list-no-script-desktop.png", full_page=True)
    finally:
        context.close()
