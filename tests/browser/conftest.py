"""A live server and headless Chromium (Debian's, driven by Playwright) for the browser tests."""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from tests.conftest import IN_CI

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
# Without these, Chromium keeps trying to reach Google's hosts, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if IN_CI:
            pytest.fail(f"CI=true needs the browser tests, but {CHROMIUM} is missing", pytrace=False)
        pytest.skip(f"browser tests skipped: {CHROMIUM} is not installed (make chromium installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@contextmanager
def serving(app):
    """Serve ``app`` on a free loopback port while the block runs; give its base URL."""
    # A browser gets the real thing, CSRF tokens included.
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()
        server.server_close()


@pytest.fixture
def live_server(app):
    """Serve ``app`` on a free loopback port for the length of one test; yield its base URL."""
    with serving(app) as base_url:
        yield base_url


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport=DESKTOP, locale="nl-NL", timezone_id="Europe/Amsterdam")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def screenshot(page, request):
    """Return a callable saving the page as tests/artifacts/<test>-<step>.png, at desktop and phone width."""
    ARTIFACTS.mkdir(exist_ok=True)
    test_name = request.node.name.replace("[", "-").rstrip("]")

    def _screenshot(step: str) -> None:
        for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(viewport)
            page.screenshot(path=ARTIFACTS / f"{test_name}-{step}-{label}.png", full_page=True)
        page.set_viewport_size(DESKTOP)

    return _screenshot
