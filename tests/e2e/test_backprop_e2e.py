"""Chromium walks the inspector of the "How backprop works" page step by step, flips the
published errors in the gradient-check lab one at a time and reads the tutorial's run.
Screenshots go to tests/e2e/screenshots/ (1024x768 and 1920x1080 for the lab, the run and
the gradient flow)."""

import re

from .conftest import SCREENSHOTS, wait_for_app

TALL = {"width": 1400, "height": 1800}  # the page scrolls inside its own container


def painted(page):
    """Wait until the browser has laid out and painted the page as it is now (two animation
    frames: the first runs before the next paint, the second after it) and fonts are in."""
    page.evaluate("""() => document.fonts.ready.then(() => new Promise(done =>
        requestAnimationFrame(() => requestAnimationFrame(done))))""")


def settle(page):
    painted(page)
    wait_for_app(page)
    painted(page)


def drawn(page, min_tables=3):
    """Wait until equations and matrix tables have rendered (they load lazily)."""
    page.locator('[data-testid="stMain"] .katex').first.wait_for()
    page.wait_for_function(
        "(n) => document.querySelectorAll('[data-testid=\"stMain\"] "
        "[data-testid=\"stDataFrame\"] canvas, [data-testid=\"stMain\"] "
        "[data-testid=\"stDataFrame\"] table').length >= n", arg=min_tables)
    painted(page)


def open_backprop(page, app_url):
    """Open the app at its root first (so its navigation is set up), then the page."""
    page.set_viewport_size(TALL)
    page.goto(app_url)
    wait_for_app(page)
    page.goto(app_url + "/backprop")
    wait_for_app(page)
    page.get_by_role("heading", name="How backprop works").wait_for()


def step_heading(page):
    return page.get_by_role("heading", name=re.compile(r"^Step \d+ of \d+")).inner_text()


def test_inspector_steps_through_forward_backward_and_update(app_url, page):
    open_backprop(page, app_url)
    assert page.locator('[data-testid="stSidebar"]').get_by_text("How backprop works").count()
    first = step_heading(page)
    n_steps = int(re.search(r"of (\d+)", first).group(1))
    assert first.startswith("Step 1 of") and "Forward · layer 1" in first
    seen = [first]
    for step in range(1, n_steps + 1):
        drawn(page)
        main = page.locator('[data-testid="stMain"]')
        assert main.locator(".katex").count() >= 2, f"equations missing at step {step}"
        assert main.locator('[data-testid="stDataFrame"]').count() >= 3
        assert main.get_by_text("Traceback").count() == 0
        page.screenshot(path=str(SCREENSHOTS / f"backprop_step_{step}.png"))
        if step < n_steps:
            page.get_by_role("button", name="Next ▶").click()
            page.wait_for_function(
                "(n) => [...document.querySelectorAll('h2')].some("
                "h => h.innerText.startsWith('Step ' + n + ' of'))", arg=step + 1)
            settle(page)
            seen.append(step_heading(page))
    assert "Loss" in seen[n_steps // 2 - 1]
    assert any("Backward · layer 1" in s for s in seen)
    assert "Update" in seen[-1]
    assert page.get_by_text("Loss after the step").count() >= 1
    page.get_by_role("button", name="◀ Back").click()
    page.wait_for_function("(n) => [...document.querySelectorAll('h2')].some("
                           "h => h.innerText.startsWith('Step ' + n + ' of'))", arg=n_steps - 1)


SIZES = {"small": {"width": 1024, "height": 768}, "large": {"width": 1920, "height": 1080}}


def largest_error(page):
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Largest relative error")
    return float(metric.locator('[data-testid="stMetricValue"]').inner_text())


def shots(page, name, *locators):
    """Screenshots at 1024x768 and 1920x1080, each part scrolled into view in turn."""
    for size, viewport in SIZES.items():
        page.set_viewport_size(viewport)
        settle(page)
        for n, locator in enumerate(locators):
            locator.scroll_into_view_if_needed()
            painted(page)
            page.screenshot(path=str(SCREENSHOTS / f"backprop_{name}_{size}_{n + 1}.png"))


def test_gradient_check_catches_each_published_error(app_url, page):
    open_backprop(page, app_url)
    page.get_by_role("tab", name="Gradient check").click()
    page.get_by_text("Largest relative error").wait_for()
    settle(page)
    assert largest_error(page) < 1e-6
    assert page.get_by_text("Backprop agrees with finite differences").count() == 1
    page.get_by_text("db averaged, dW summed").click()
    page.get_by_text("The check fails on db1, db2, db3").wait_for()
    settle(page)
    assert largest_error(page) > 0.1
    main = page.locator('[data-testid="stMain"]')
    shots(page, "gradcheck_db", main.get_by_text("Largest relative error"),
          main.locator('[data-testid="stPlotlyChart"]').first)
    page.get_by_text("db averaged, dW summed").click()
    page.get_by_text("Backprop agrees with finite differences").wait_for()
    page.get_by_text("Sigmoid slope written 2·s·(1−s)").click()
    page.get_by_text("The check fails on dW1, db1").wait_for()
    settle(page)
    assert 0.3 < largest_error(page) < 0.34  # a factor 2: |2g - g| / (|2g| + |g|) = 1/3


def test_the_tutorial_run_prints_the_tutorial_digits(app_url, page):
    open_backprop(page, app_url)
    page.get_by_role("tab", name="The tutorial's run").click()
    line = page.get_by_text("Iteration 146 - loss value [[697.97739669]] accuracy 0.58")
    line.first.wait_for()
    settle(page)
    main = page.locator('[data-testid="stMain"]')
    assert main.get_by_text("Iteration 145 - loss value [[664.60120828]] accuracy 0.818").count()
    shots(page, "tutorial_run", main.locator('[data-testid="stCode"]').first,
          main.locator('[data-testid="stPlotlyChart"]').first,
          main.get_by_text("Why: the tutorial's printed"))


def test_gradient_flow_contrast(app_url, page):
    open_backprop(page, app_url)
    page.get_by_role("tab", name="Gradient flow").click()
    page.get_by_role("button", name="Run the contrast").click()
    page.get_by_text("Deep sigmoid: gradient ratio").wait_for()
    settle(page)
    main = page.locator('[data-testid="stMain"]')
    shots(page, "gradient_flow", main.get_by_text("Vanishing gradients"),
          main.get_by_text("Deep sigmoid: gradient ratio"),
          main.get_by_text("Deep ReLU: gradient norm per layer"))


def test_step_through_at_both_sizes(app_url, page):
    open_backprop(page, app_url)
    main = page.locator('[data-testid="stMain"]')
    for n_next in (0, 4):  # forward layer 1, then backward through the output layer
        for _ in range(n_next):
            page.get_by_role("button", name="Next ▶").click()
            settle(page)
        drawn(page)
        heading = page.get_by_role("heading", name=re.compile(r"^Step \d+ of \d+"))
        assert main.get_by_text("Traceback").count() == 0
        tables = main.locator('[data-testid="stDataFrame"]')
        shots(page, f"step_{n_next + 1}", heading, main.locator(".katex").nth(2),
              tables.first, tables.last)
        page.set_viewport_size(TALL)
