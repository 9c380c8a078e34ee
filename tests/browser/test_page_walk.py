"""Every page, for every role, in Dutch and English, at desktop and phone width, checked by machine.

The pages are those of the URL map each role may read (``tests/browser/page_walk.py``), on a demo
clinic with realistic data. On each: no serious or critical axe-core finding (violations, and the
colour-contrast checks axe could not decide, such as text the colour of its background), no
horizontal scrolling at 360 px, no words of the other language, no 5xx, no console error.
Screenshots go to tests/artifacts/walk-<role>-<endpoint>-<language>-<width>.png.

Each role and language is one test, so pytest-xdist spreads the ten over its workers; each worker
fills its demo clinic once and each test logs in once. The walk runs on SQLite only: it checks what
the pages render, which does not depend on the database, and twice the walk would not fit the
suite's time budget (PostgreSQL is covered by the other tests of every page).
"""
from __future__ import annotations

from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask

from clinic import create_app
from clinic.database import begin_write
from clinic.extensions import db
from clinic.localtime import utcnow
from clinic.models import Patient
from clinic.services.demo import fill_demo_clinic
from clinic.services.portal import issue_login_link
from tests.browser.conftest import ARTIFACTS, serving
from tests.browser.page_walk import (
    LANGUAGES,
    CONTRAST_SCRIPT,
    OVERFLOW_SCRIPT,
    PAGE_TEXT_SCRIPT,
    ROLES,
    WIDTHS,
    UnknownParameter,
    Visit,
    WalkData,
    WalkedPage,
    foreign_words,
    prepare_walk_data,
    url_of,
    walked_pages,
)
from tests.conftest import config_for, migrate_to_head

pytestmark = pytest.mark.browser

# Enough patients and days for full day views, timelines and lists; small enough to fill in seconds.
DEMO_PATIENTS, DEMO_DAYS = 60, 3
PHONE_WIDTH = min(WIDTHS)
SERIOUS = {"serious", "critical"}  # axe impacts that fail the walk
AXE_SCRIPT = Axe().axe_script
AXE_OPTIONS = {"resultTypes": ["violations", "incomplete"]}
LOCALES = {"nl": "nl-NL", "en": "en-GB"}


@dataclass
class WalkClinic:
    app: Flask
    base_url: str
    data: WalkData
    staff_logins: dict[str, str]  # role -> e-mail
    password: str


@pytest.fixture(scope="session")
def walk_clinic(tmp_path_factory):
    """A demo clinic on a SQLite database of this worker's own, served for the whole session."""
    ARTIFACTS.mkdir(exist_ok=True)
    url = f"sqlite:///{tmp_path_factory.mktemp('walk') / 'clinic.db'}"
    migrate_to_head(url)
    app = create_app(config_for(url))
    now = utcnow()
    with app.app_context():
        begin_write(db.session)
        report = fill_demo_clinic(db.session, now=now, patients=DEMO_PATIENTS, days_around=DEMO_DAYS)
        data = prepare_walk_data(db.session, report=report, now=now)
        db.session.commit()
        logins = {login.role: login.email for login in report.logins if login.role != "chiropractor"}
        logins["chiropractor"] = data.chiropractor_email
        password = report.logins[0].password
    with serving(app) as base_url:
        yield WalkClinic(app, base_url, data, logins, password)
    with app.app_context():
        db.engine.dispose()


def log_in(page, clinic: WalkClinic, role: str | None, language: str) -> Visit:
    """Choose the language and log in as ``role``: staff with the login form, a patient by e-mailed link."""
    page.goto(f"{clinic.base_url}/taal/{language}?next=/login")
    if role is None:
        return Visit(None, None)
    if role == "patient":
        with clinic.app.app_context():
            begin_write(db.session)
            token = issue_login_link(db.session, db.session.get(Patient, clinic.data.portal_patient_id), utcnow())
            db.session.commit()
        page.goto(f"{clinic.base_url}{'/en/portal/login' if language == 'en' else '/portaal/inloggen'}/{token}")
        page.locator("main form [type=submit]").click()
        page.wait_for_url("**/portal/" if language == "en" else "**/portaal/")
        return Visit(role, None)
    email = clinic.staff_logins[role]
    page.locator("#email").fill(email)
    page.locator("#password").fill(clinic.password)
    page.locator("main form [type=submit]").click()
    page.wait_for_load_state()
    return Visit(role, email)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("role", ROLES, ids=lambda role: role or "anonymous")
def test_every_page_is_accessible_fits_a_phone_and_speaks_one_language(browser, walk_clinic, role, language):
    context = browser.new_context(viewport={"width": max(WIDTHS), "height": 900}, locale=LOCALES[language],
                                  timezone_id="Europe/Amsterdam")
    context.add_init_script(AXE_SCRIPT)  # axe-core in every page the walk opens
    page = context.new_page()
    page.set_default_timeout(10_000)
    heard = []  # console errors, uncaught exceptions and 5xx answers of the page being walked
    page.on("console", lambda message: message.type == "error" and heard.append(f"console error: {message.text}"))
    page.on("pageerror", lambda error: heard.append(f"uncaught exception: {error}"))
    page.on("response", lambda response: response.status >= 500 and heard.append(
        f"{response.status} from {response.url}"))
    try:
        visit = log_in(page, walk_clinic, role, language)
        pages = walked_pages(walk_clinic.app, role, language)
        assert pages, f"no page to walk for {role} in {language}"
        problems = []
        for walked in pages:
            heard.clear()
            problems += [f"{role or 'anonymous'} {walked.endpoint} [{language}] {problem}"
                         for problem in check_page(page, walk_clinic, walked, visit, language, heard)]
    finally:
        context.close()
    assert not problems, f"{len(problems)} problems on {len(pages)} pages:\n" + "\n".join(problems)


def check_page(page, clinic: WalkClinic, walked: WalkedPage, visit: Visit, language: str, heard: list) -> list[str]:
    try:
        path = url_of(walked, clinic.data, visit)
    except UnknownParameter as unknown:
        return [str(unknown)]
    response = page.goto(clinic.base_url + path)
    problems = []
    if response.status >= 400 or response.url.partition("?")[0] != (clinic.base_url + path).partition("?")[0]:
        problems.append(f"{path} answered {response.status} at {response.url}: the page itself was not walked")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"{width}px {finding}" for finding in axe_findings(page)]
        if width == PHONE_WIDTH:
            problems += overflow(page, width)
        page.screenshot(path=ARTIFACTS / f"walk-{visit.role or 'anonymous'}-{walked.endpoint}-{language}-{width}.png",
                        full_page=True)
    words = foreign_words(page.evaluate(PAGE_TEXT_SCRIPT), language)
    if words:
        problems.append(f"words of the other language: {', '.join(words)}")
    return problems + heard


def axe_findings(page) -> list[str]:
    """Serious and critical axe-core violations, and the colour contrasts axe left undecided that fail when measured."""
    results = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    findings = [f"axe {rule['id']} ({rule['impact']}): {rule['help']} at {describe_nodes(rule['nodes'])}"
                for rule in results["violations"] if rule["impact"] in SERIOUS]
    for rule in results["incomplete"]:
        if rule["id"] == "color-contrast":
            findings += [finding for node in rule["nodes"] if (finding := measured_contrast(page, node))]
    return findings


def measured_contrast(page, node: dict) -> str | None:
    """Measure the contrast of an element axe could not decide; describe it if too low (red on red: 1:1)."""
    selector = node["target"][-1]
    contrast = page.evaluate(CONTRAST_SCRIPT, selector) if isinstance(selector, str) else None
    if contrast is None:
        return f"axe color-contrast undecided and not measurable at {describe_nodes([node])}"
    if contrast["ratio"] >= (3 if contrast["large"] else 4.5):
        return None
    return (f"colour contrast {contrast['ratio']:.2f}:1 ({contrast['foreground']} on {contrast['background']}) "
            f"at {describe_nodes([node])}")


def describe_nodes(nodes: list[dict]) -> str:
    described = []
    for node in nodes[:4]:
        messages = "; ".join(check["message"] for check in node["any"] + node["all"] + node["none"])
        described.append(f"{' '.join(node['target'])} {node['html'][:120]!r} ({messages})")
    more = f" and {len(nodes) - 4} more" if len(nodes) > 4 else ""
    return " | ".join(described) + more


def overflow(page, width: int) -> list[str]:
    measured = page.evaluate(OVERFLOW_SCRIPT)
    if measured["scrollWidth"] <= width:
        return []
    return [f"{width}px page is {measured['scrollWidth']} px wide: {'; '.join(measured['elements'])}"]
