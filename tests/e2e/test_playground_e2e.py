"""The Playground in headless Chromium: controls, Play / Pause, and shared links."""

import re
import urllib.parse

from .conftest import wait_for_app

# The boundary is a canvas the browser paints from the frames it receives (ui/live_board).
BOUNDARY_IMAGE = ".st-key-pg_boundary canvas"


def epoch(page):
    text = page.locator('[data-testid="stMetric"]').filter(has_text="Epoch")
    return int(text.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def wait_for_epoch(page, target, at_least=False):
    """Wait until the Epoch metric shows ``target`` (or more, with ``at_least``)."""
    page.wait_for_function(
        """([target, atLeast]) => {
            const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                .find(e => e.innerText.startsWith('Epoch'));
            if (!m) return false;
            const shown = parseInt(m.querySelector('[data-testid="stMetricValue"]')
                .innerText.replace(/,/g, ''));
            return atLeast ? shown >= target : shown === target;
        }""", arg=[target, at_least], timeout=60_000)


def boundary_source(page):
    """Frames painted so far on the live board."""
    page.wait_for_selector(BOUNDARY_IMAGE)
    return page.locator(".live-board").first.get_attribute("data-frames")


def url_params(page):
    return dict(urllib.parse.parse_qsl(urllib.parse.urlparse(page.url).query,
                                       keep_blank_values=True))


def open_playground(page, url):
    page.goto(url)
    wait_for_app(page)
    page.wait_for_selector('[data-testid="stMetric"]')
    page.get_by_role("button", name="Play", exact=True).wait_for()


def test_slider_play_pause(app_url, page):
    open_playground(page, app_url)
    assert epoch(page) == 0
    assert url_params(page)["noise"] == "0.1"

    # Change a slider with the keyboard, as a user would.
    noise = page.get_by_role("slider", name="Noise")
    noise.focus()
    noise.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('noise=0.11')")
    wait_for_app(page)

    first = boundary_source(page)
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    page.wait_for_function(
        """() => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                   .find(e => e.innerText.startsWith('Epoch'));
                   return m && parseInt(m.querySelector('[data-testid="stMetricValue"]')
                   .innerText.replace(/,/g, '')) >= 20; }""", timeout=60_000)
    live = boundary_source(page)
    assert live != first  # the boundary has been redrawn
    page.wait_for_function(  # and keeps being redrawn while training runs
        """(seen) => { const board = document.querySelector('.live-board');
                       return board && board.dataset.frames !== seen; }""", arg=live)

    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_for_app(page)
    paused_at = epoch(page)
    assert paused_at > 0
    # Paused, Step trains exactly one epoch: a run still going would be further on.
    page.get_by_role("button", name="Step", exact=True).click()
    wait_for_epoch(page, paused_at + 1)
    wait_for_app(page)
    assert epoch(page) == paused_at + 1
    assert page.get_by_role("button", name="Play", exact=True).count() == 1


def test_shared_link_restores_settings(app_url, page):
    query = ("dataset=moons&n_samples=300&noise=0.2&hidden=8,8,8&activation=relu"
             "&optimizer=sgd&lr=0.3&features=x1,x2,x1%5E2&batch_size=32")
    open_playground(page, f"{app_url}/?{query}")
    sidebar = page.locator('[data-testid="stSidebar"]')
    assert page.get_by_role("combobox", name="Dataset").input_value() == "Moons"
    assert page.get_by_role("combobox", name="Activation").input_value() == "ReLU"
    assert sidebar.get_by_text(re.compile(r"^Neurons in layer \d$")).count() == 3
    lr = page.get_by_role("slider", name="Learning rate")
    assert lr.get_attribute("aria-valuetext") == "0.3"
    assert sidebar.get_by_text("x₁²").count() >= 1
    assert page.get_by_text("Some settings in the link").count() == 0
    params = url_params(page)
    assert params["hidden"] == "8,8,8" and params["dataset"] == "moons"
    # The network drawn has three hidden layers of 8.
    page.wait_for_selector(".live-network .layer-title")
    titles = page.locator(".live-network .layer-title tspan").all_text_contents()
    assert sum("8 units" in t for t in titles) == 3
    assert "hidden: ReLU" in page.locator(".live-network .activations").text_content()


def test_bad_link_gives_a_notice(app_url, page):
    open_playground(page, f"{app_url}/?lr=banana&hidden=4,99&colour=red")
    notice = page.get_by_text("Some settings in the link could not be used")
    notice.wait_for()
    text = notice.inner_text()
    assert "lr=banana" in text and "hidden=4,99" in text and "colour" in text
    assert url_params(page)["lr"] == "0.003"  # the link now shows what is used


def test_three_classes_and_presenter_mode(app_url, page):
    open_playground(page, f"{app_url}/?dataset=blobs3&hidden=6")
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_epoch(page, 20, at_least=True)
    page.get_by_role("button", name="Pause", exact=True).click()
    wait_for_app(page)
    assert epoch(page) > 0
    width = page.locator(BOUNDARY_IMAGE).bounding_box()["width"]
    page.get_by_text("Presenter mode").click()
    page.wait_for_function("() => location.search.includes('presenter=1')")
    wait_for_app(page)
    page.get_by_role("button", name="Play", exact=True).wait_for()
    assert page.get_by_role("heading", name="Playground").count() == 0
    assert page.locator(BOUNDARY_IMAGE).bounding_box()["width"] > width  # no sidebar now
    page.reload()  # presenter mode is in the link, so a reload keeps it
    wait_for_app(page)
    page.get_by_role("button", name="Play", exact=True).wait_for()
    assert page.get_by_role("heading", name="Playground").count() == 0
