"""The teaching stories in Chromium, clicked as a lecturer would: a preset shows in every
control and stays there through later clicks, a diverged run recovers with the suggested
rate, and the tutorial's run ends where the tutorial's printout does."""

import re

from .conftest import wait_for_app
from .test_playground_e2e import epoch, open_playground, url_params

SIDEBAR = '[data-testid="stSidebar"]'
# Every setting as the sidebar shows it: label -> the value on screen.
SHOWN = """() => Object.fromEntries([...document.querySelectorAll(
    '[data-testid="stSidebar"] [data-testid="stSlider"], '
    + '[data-testid="stSidebar"] [data-testid="stSelectbox"]')].map(e => [
  e.querySelector('[data-testid="stWidgetLabel"]')?.innerText.trim(),
  e.querySelector('[data-testid="stSliderThumbValue"]')?.innerText.trim()
    ?? e.querySelector('input')?.value ?? e.innerText.split('\\n').pop().trim()]))"""


def shown(page):
    return page.evaluate(SHOWN)


def metric(page, label):
    box = page.locator('[data-testid="stMetric"]').filter(has_text=label)
    return box.locator('[data-testid="stMetricValue"]').inner_text()


def choose_preset(page, name):
    page.locator(SIDEBAR).locator('[data-testid="stSelectbox"]').filter(
        has_text="Preset").click()
    page.get_by_role("option", name=name, exact=True).click()
    page.wait_for_function("(name) => [...document.querySelectorAll("
                           "'[data-testid=\"stSidebar\"] [data-testid=\"stCaptionContainer\"]')]"
                           ".some(c => c.innerText.length > 40)", arg=name)
    wait_for_app(page)


def wait_for_epoch(page, n):
    page.wait_for_function(
        """(n) => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                    .find(e => e.innerText.startsWith('Epoch'));
                    return m && parseInt(m.querySelector('[data-testid="stMetricValue"]')
                    .innerText.replace(/,/g, '')) >= n; }""", arg=n, timeout=60_000)


def wait_for_url(page, key, value):
    page.wait_for_function("([k, v]) => new URLSearchParams(location.search).get(k) === v",
                           arg=[key, value])


def test_diverged_run_recovers_and_the_sidebar_shows_the_new_rate(app_url, page):
    open_playground(page, app_url)
    choose_preset(page, "Too large a learning rate diverges")
    wait_for_url(page, "lr", "10")
    assert shown(page)["Learning rate"] == "10" and shown(page)["Optimizer"] == "SGD"
    restart = page.get_by_role("button", name=re.compile("Start again with learning rate"))
    for _ in range(30):
        before = epoch(page)
        page.get_by_role("button", name="Step", exact=True).click()
        page.wait_for_function(  # one step done, or the notice that it diverged
            """(before) => document.body.innerText.includes('Training diverged') ||
               [...document.querySelectorAll('[data-testid="stMetric"]')]
               .some(e => e.innerText.startsWith('Epoch') && parseInt(
                   e.querySelector('[data-testid="stMetricValue"]').innerText) !== before)""",
            arg=before)
        if "Training diverged" in page.inner_text("body"):
            break
    assert restart.count(), "the preset did not diverge within 30 epochs"
    restart.click()
    wait_for_url(page, "lr", "1")
    wait_for_app(page)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stAlert\"]')"
                           " || !document.body.innerText.includes('Training diverged')")
    values = shown(page)
    assert values["Learning rate"] == "1" and values["Preset"] == "Custom"
    assert epoch(page) == 0
    # A later click must not send the old rate back from the browser.
    page.get_by_role("button", name="Step", exact=True).click()
    wait_for_app(page)
    assert url_params(page)["lr"] == "1" and shown(page)["Learning rate"] == "1"
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_epoch(page, 20)  # the preset's epoch limit, at its slow-motion speed
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_for_app(page)
    assert epoch(page) == 20 and "Training diverged" not in page.inner_text("body")
    assert "stuck" not in page.inner_text("body")


def test_tutorial_preset_ends_at_the_printed_epoch_and_opens_the_comparison(app_url, page):
    open_playground(page, app_url)
    choose_preset(page, "The tutorial's experiment")
    wait_for_url(page, "gradients", "tutorial")
    values = shown(page)
    assert values["Epochs"] == "150" and values["Learning rate"] == "0.005"
    assert values["Dataset"].startswith("The tutorial")
    # It pauses at 145 (81.8%) and 146 (58%) for the class to see, and stops at 150.
    for stop in (145, 146, 150):
        page.get_by_role("button", name="Play", exact=True).click()
        wait_for_epoch(page, stop)
        page.get_by_role("button", name="Play", exact=True).wait_for()
        wait_for_app(page)
        # The picture reaches the stop too, and no older frame writes its epoch afterwards.
        page.wait_for_function("(n) => document.querySelector('.live-board')?.dataset.epoch"
                               " === String(n)", arg=stop, timeout=10_000)
        assert epoch(page) == stop
    page.get_by_role("button", name="Train the corrected runs beside it").click()
    page.get_by_text("learned by accident").first.wait_for()
    page.get_by_role("link", name="Open the comparison").click()
    wait_for_app(page)
    page.get_by_text("The tutorial's run (its 3 errors)").first.wait_for()
    assert "Traceback" not in page.inner_text("body")


def test_epochs_slider_is_kept_in_the_link(app_url, page):
    open_playground(page, app_url + "/?epoch_budget=50")
    assert shown(page)["Epochs"] == "50"
    page.get_by_role("button", name="Play", exact=True).click()
    wait_for_epoch(page, 50)
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_for_app(page)
    assert epoch(page) == 50
    page.reload()
    wait_for_app(page)
    page.get_by_role("button", name="Play", exact=True).wait_for()
    assert url_params(page)["epoch_budget"] == "50" and shown(page)["Epochs"] == "50"
