"""The transport as a lecturer uses it, in Chromium: exactly one of Play and Pause is on
screen after any sequence of clicks, keyboard focus stays on it, and Space toggles it
(but not while typing in a text field)."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import SCREENSHOTS, wait_for_app
from .test_playground_e2e import epoch, open_playground, wait_for_epoch

# The transport's play/pause buttons that are on screen (stale ones included).
SHOWN = """() => [...document.querySelectorAll('[data-testid="stButton"] button')]
    .filter(b => b.offsetParent !== null)
    .map(b => b.innerText.replace(/[^A-Za-z]/g, ' ').trim().split(/\\s+/).pop())
    .filter(t => t === 'Play' || t === 'Pause')"""
FOCUSED = """() => { const e = document.activeElement;
    return e && e.tagName === 'BUTTON' ? e.innerText.replace(/[^A-Za-z]/g, ' ').trim()
                                                    .split(/\\s+/).pop() : e && e.tagName; }"""


# Counts the runs of the page (whole or fragment) that have finished: Streamlit marks its app
# element with the state of the current run.
COUNT_RUNS = """() => { const app = document.querySelector('[data-testid="stApp"]');
    window.pgRunsDone = 0;
    new MutationObserver(() => {
        if (app.dataset.testScriptState === 'notRunning') window.pgRunsDone += 1;
    }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']}); }"""
# No run is going on and the transport's slot holds only what the last run drew.
SETTLED = """() => { const app = document.querySelector('[data-testid="stApp"]');
    const slot = document.querySelector('.st-key-pg_play_pause');
    return app.dataset.testScriptState === 'notRunning' && slot
        && !slot.querySelector('[data-stale="true"]'); }"""


def open_slowly(page, url, size):
    """The Playground at ``size``, with time for a busy machine to draw it."""
    page.set_default_timeout(90_000)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_playground(page, url)
    page.evaluate(COUNT_RUNS)


def shown(page):
    return page.evaluate(SHOWN)


def settle(page, label):
    """Wait until the button ``label`` is the one on screen and no run is drawing; while
    playing, until one more run of the live view has drawn the row (the fault left a stale
    button beside the new one after such a late run)."""
    page.get_by_role("button", name=label, exact=True).wait_for()
    wait_for_app(page)
    if label == "Pause":
        done = page.evaluate("() => window.pgRunsDone")
        page.wait_for_function("(done) => window.pgRunsDone > done", arg=done)
    page.wait_for_function(SETTLED)


def press(page, label, then, key=None, touch=False):
    """Click (or tap) ``label``, or press ``key``, until ``then`` shows. Streamlit can drop a
    click that meets a rerun of the live view (README, "The live page"); a dropped click
    changes nothing, so it is made again, at most twice."""
    for _ in range(3):
        if key:
            page.keyboard.press(key)
        elif touch:
            page.get_by_role("button", name=label, exact=True).tap()
        else:
            page.get_by_role("button", name=label, exact=True).click()
        try:
            page.get_by_role("button", name=then, exact=True).wait_for(timeout=8_000)
            break
        except PlaywrightTimeout:
            assert shown(page) == [label]  # nothing happened: the click was dropped
    settle(page, then)


@pytest.mark.parametrize("size, touch", [((1920, 1080), False), ((390, 844), True)],
                         ids=["desktop", "phone"])
def test_exactly_one_of_play_and_pause_and_focus_stays(app_url, browser, size, touch):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]},
                                  has_touch=touch, is_mobile=touch)
    page = context.new_page()
    try:
        open_slowly(page, app_url, size)
        for _ in range(5):
            press(page, "Play", "Pause", touch=touch)
            assert shown(page) == ["Pause"]
            assert page.evaluate(FOCUSED) == "Pause"
            wait_for_epoch(page, epoch(page) + 1, at_least=True)  # it plays a moment
            press(page, "Pause", "Play", touch=touch)
            assert shown(page) == ["Play"]
            assert page.evaluate(FOCUSED) == "Play"
    finally:
        page.screenshot(path=str(SCREENSHOTS / f"transport_focus_{size[0]}.png"))
        context.close()


def test_space_toggles_play_and_pause_but_not_in_a_text_field(app_url, page):
    open_slowly(page, app_url, (1280, 720))
    page.evaluate("() => document.activeElement && document.activeElement.blur()")  # the body
    press(page, "Play", "Pause", key="Space")
    assert shown(page) == ["Pause"] and page.evaluate(FOCUSED) == "Pause"
    press(page, "Pause", "Play", key="Space")
    assert shown(page) == ["Play"] and epoch(page) > 0
    stopped = epoch(page)
    page.get_by_role("tab", name="Save run").click()
    field = page.get_by_label("Run name")
    field.click()
    # The handler presses Play within the key's own event: a click on it would be counted
    # before the typing returns.
    page.evaluate("""() => { window.pgPlayClicks = 0;
        document.querySelector('.st-key-pg_play_pause button')
            .addEventListener('click', () => { window.pgPlayClicks += 1; }); }""")
    page.keyboard.type("a b")
    assert field.input_value() == "a b"  # the space went into the field
    assert page.evaluate("() => window.pgPlayClicks") == 0
    field.press("Enter")  # the name reaches the server with a run of the page
    wait_for_app(page)
    assert shown(page) == ["Play"] and epoch(page) == stopped
