"""The transport as a lecturer uses it, in Chromium: exactly one of Play and Pause is on
screen after any sequence of clicks, keyboard focus stays on it, and Space toggles it
(but not while typing in a text field)."""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import wait_for_app
from .test_playground_e2e import epoch, open_playground

# The transport's play/pause buttons that are on screen (stale ones included).
SHOWN = """() => [...document.querySelectorAll('[data-testid="stButton"] button')]
    .filter(b => b.offsetParent !== null)
    .map(b => b.innerText.replace(/[^A-Za-z]/g, ' ').trim().split(/\\s+/).pop())
    .filter(t => t === 'Play' || t === 'Pause')"""
FOCUSED = """() => { const e = document.activeElement;
    return e && e.tagName === 'BUTTON' ? e.innerText.replace(/[^A-Za-z]/g, ' ').trim()
                                                    .split(/\\s+/).pop() : e && e.tagName; }"""


def open_slowly(page, url, size):
    """The Playground at ``size``, with time for a busy machine to draw it."""
    page.set_default_timeout(90_000)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_playground(page, url)


def shown(page):
    return page.evaluate(SHOWN)


def settle(page, label):
    """Wait until the button ``label`` is the one on screen, then a moment more for any
    late fragment run to draw (the fault left a stale button after that)."""
    page.get_by_role("button", name=label, exact=True).wait_for()
    wait_for_app(page)
    page.wait_for_timeout(700)


def press(page, label, then, key=None):
    """Click ``label`` (or press ``key``) until ``then`` shows. Streamlit can drop a click
    that meets a rerun of the live view (README, "The live page"); a dropped click changes
    nothing, so it is made again, at most twice."""
    for _ in range(3):
        if key:
            page.keyboard.press(key)
        else:
            page.get_by_role("button", name=label, exact=True).click()
        try:
            page.get_by_role("button", name=then, exact=True).wait_for(timeout=8_000)
            break
        except PlaywrightTimeout:
            assert shown(page) == [label]  # nothing happened: the click was dropped
    settle(page, then)


@pytest.mark.parametrize("size", [(1920, 1080), (390, 844)])
def test_exactly_one_of_play_and_pause_and_focus_stays(app_url, page, size):
    open_slowly(page, app_url, size)
    # The focus is checked where a keyboard is used; in the phone layout it still falls to
    # the page body (not solved yet).
    keyboard = size[0] >= 1024
    for _ in range(5):
        press(page, "Play", "Pause")
        assert shown(page) == ["Pause"]
        assert not keyboard or page.evaluate(FOCUSED) == "Pause"
        page.wait_for_timeout(600)
        press(page, "Pause", "Play")
        assert shown(page) == ["Play"]
        assert not keyboard or page.evaluate(FOCUSED) == "Play"


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
    page.keyboard.type("a b")
    page.wait_for_timeout(800)
    assert field.input_value() == "a b"  # the space went into the field
    assert shown(page) == ["Play"] and epoch(page) == stopped
