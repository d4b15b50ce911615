"""The connection holds under extreme play, and a lost one comes back from the link.

A short form of benchmarks/stress.py (which plays 200 times): one page per window size,
extreme learning rates and optimizers, slider drags while playing, no connection error.
Then the ways back: a fatal connection error (a message the page cannot read, injected
into its websocket) reloads the page from its link with a notice instead of leaving it
grey; a browser that last saw another server process is told its session was renewed;
a plain reload is not.
"""

import re
import sys

import pytest

from .conftest import ROOT, wait_for_app

sys.path.insert(0, str(ROOT / "benchmarks"))

import stress

pytestmark = pytest.mark.e2e
NOTICE = "training started again from the setup in the link"
STATE = stress.STATE


def test_extreme_plays_keep_the_connection(app_url, browser):
    pages = {}
    for window, query in stress.scenarios(seed=1):
        pages.setdefault(window, query)
        if len(pages) == len(stress.WINDOWS):
            break
    made = 0
    for window, query in pages.items():
        n, _, reason = stress.play_page(browser, f"{app_url}/?{query}", window, plays=2,
                                        seconds=2)
        assert reason is None, f"{window} {query}: {reason}"
        made += n
    assert made == 2 * len(stress.WINDOWS)


def test_a_fatal_connection_error_reloads_from_the_link(app_url, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    sockets = []

    def pass_through(ws):
        ws.connect_to_server()
        sockets.append(ws)

    page.route_web_socket(re.compile(r".*/_stcore/stream$"), pass_through)
    # lr=3 is stuck at chance after some 20 epochs and pauses by itself: at 10 epochs a
    # second the Pause button shows for two seconds, not for one tick at full speed.
    page.goto(f"{app_url}/?lr=3&optimizer=momentum&seed=7&speed=10")
    wait_for_app(page)
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    loads = []
    page.on("load", lambda _: loads.append(page.url))
    sockets[-1].send("not a Streamlit message")  # the page's websocket fails for good
    page.get_by_text(NOTICE).wait_for(timeout=30_000)
    assert loads, "the page was not reloaded"
    wait_for_app(page)
    assert page.evaluate(STATE) == "CONNECTED"
    assert "lr=3" in page.url and "optimizer=momentum" in page.url and "seed=7" in page.url
    assert "speed=10" in page.url
    assert "reconnected" not in page.url  # the marker is dropped once read
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    context.close()


def test_a_browser_that_saw_another_server_is_told(app_url, browser):
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    host = app_url.split("//")[1].split(":")[0]
    context.add_cookies([{"name": "pg_server", "value": "a-server-that-went-away",
                          "domain": host, "path": "/"}])
    page = context.new_page()
    page.goto(f"{app_url}/?seed=5")
    page.get_by_text(NOTICE).wait_for(timeout=30_000)
    # The page names this server now: a plain reload is no reconnect.
    page.wait_for_function("() => document.cookie.includes('pg_server=')"
                           " && !document.cookie.includes('went-away')")
    page.reload()
    wait_for_app(page)
    # A notice would show with the page's first run: wait until that run has ended.
    page.wait_for_function("""() => document.querySelector('[data-testid="stApp"]')
        .dataset.testScriptState === 'notRunning'""")
    assert page.get_by_text(NOTICE).count() == 0
    context.close()
