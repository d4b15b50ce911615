"""One `streamlit run app.py` server per test module, driven by headless Chromium.

Chromium comes from Debian's package (/usr/bin/chromium); no browser is ever downloaded.
Without it the tests skip locally, but fail under CI (CI=true), where it must be present.
"""

import os
import pathlib

import pytest

from benchmarks.app_server import free_port, start_app, stop_app

ROOT = pathlib.Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def app_url():
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    port = free_port()
    with open(SCREENSHOTS / f"server-{port}.log", "w") as log:
        proc, url = start_app(port, log=log)
        try:
            yield url
        finally:
            stop_app(proc)


@pytest.fixture(scope="module")
def browser():
    if not pathlib.Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    """A fresh 1400x900 tab; a screenshot named after the test is saved when it ends."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    try:
        pg.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    finally:
        context.close()


def wait_for_app(pg):
    """Wait until Streamlit has finished a run of the page: content is drawn, no loading
    skeletons are left and the status widget no longer says it is running."""
    pg.wait_for_selector('[data-testid="stApp"]')
    pg.wait_for_function(
        """() => {
            const status = document.querySelector('[data-testid="stStatusWidget"]');
            return document.querySelector('[data-testid="stSidebarNav"], '
                                          + '[data-testid="stMainBlockContainer"] h1')
                && !document.querySelector('[data-testid="stSkeleton"], '
                                           + '[data-testid="stAppSkeleton"]')
                && !(status && status.innerText.includes('Running'));
        }""", timeout=60_000)
