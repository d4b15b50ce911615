"""Chromium walks the inspector of the "How backprop works" page step by step, then flips the
published sigmoid derivative in the gradient-check lab. Screenshots go to tests/e2e/screenshots/."""

import re

from .conftest import SCREENSHOTS, wait_for_app

TALL = {"width": 1400, "height": 1800}  # the page scrolls inside its own container


def settle(page):
    page.wait_for_timeout(300)
    wait_for_app(page)


def drawn(page, min_tables=3):
    """Wait until equations and matrix tables have rendered (they load lazily)."""
    page.locator('[data-testid="stMain"] .katex').first.wait_for()
    page.wait_for_function(
        "(n) => document.querySelectorAll('[data-testid=\"stMain\"] "
        "[data-testid=\"stDataFrame\"] canvas, [data-testid=\"stMain\"] "
        "[data-testid=\"stDataFrame\"] table').length >= n", arg=min_tables)
    page.wait_for_timeout(500)


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
                "(n) => [...document.querySelectorAll('h3')].some("
                "h => h.innerText.startsWith('Step ' + n + ' of'))", arg=step + 1)
            settle(page)
            seen.append(step_heading(page))
    assert "Loss" in seen[n_steps // 2 - 1]
    assert any("Backward · layer 1" in s for s in seen)
    assert "Update" in seen[-1]
    assert page.get_by_text("Loss after the step").count() >= 1
    page.get_by_role("button", name="◀ Back").click()
    page.wait_for_function("(n) => [...document.querySelectorAll('h3')].some("
                           "h => h.innerText.startsWith('Step ' + n + ' of'))", arg=n_steps - 1)


def largest_error(page):
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Largest relative error")
    return float(metric.locator('[data-testid="stMetricValue"]').inner_text())


def test_gradient_check_catches_the_published_sigmoid_derivative(app_url, page):
    open_backprop(page, app_url)
    page.get_by_role("tab", name="Gradient check").click()
    page.get_by_text("Largest relative error").wait_for()
    settle(page)
    assert largest_error(page) < 1e-6
    page.screenshot(path=str(SCREENSHOTS / "backprop_gradcheck_correct.png"))
    page.get_by_text("Use the sigmoid derivative 2·s·(1−s)").click()
    page.get_by_text("The check fails").wait_for()
    settle(page)
    assert largest_error(page) > 0.1
    page.get_by_text("Loss summed, not averaged").click()
    page.get_by_text("with errors").first.wait_for()
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / "backprop_gradcheck_published_bug.png"))


def test_gradient_flow_contrast(app_url, page):
    open_backprop(page, app_url)
    page.get_by_role("tab", name="Gradient flow").click()
    page.get_by_role("button", name="Run the contrast").click()
    page.get_by_text("Deep sigmoid: output / first layer gradient").wait_for()
    settle(page)
    page.screenshot(path=str(SCREENSHOTS / "backprop_gradient_flow.png"))
