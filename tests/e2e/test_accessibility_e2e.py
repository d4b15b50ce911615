"""axe-core (the npm package, installed by .ci/run into .cache/npm; never fetched by a test)
checks every page in its main states at 1280x800 and on a 390x844 phone: no critical or
serious violation of any rule, and none of the rules the pages once broke (heading levels
skipped, empty table headers, scrolling regions out of the keyboard's reach)."""

import os
import pathlib
import re

import pytest

from .conftest import ROOT, SCREENSHOTS, wait_for_app

AXE = pathlib.Path(os.environ.get(
    "AXE_CORE_JS", ROOT / ".cache" / "npm" / "node_modules" / "axe-core" / "axe.min.js"))
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
ALWAYS_CHECKED = {"heading-order", "empty-table-header", "scrollable-region-focusable",
                  "image-alt", "color-contrast"}


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{AXE} is missing; .ci/run installs axe-core with npm")
        pytest.skip("axe-core not installed (npm install --prefix .cache/npm axe-core)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture
def patient(page):
    """The page, with the patience of a machine running other suites: axe and a phone-sized
    page can take long there."""
    page.set_default_timeout(90_000)
    return page


@pytest.fixture(params=sorted(VIEWPORTS))
def viewport(request, patient):
    patient.set_viewport_size(VIEWPORTS[request.param])
    return request.param


def painted(page):
    page.evaluate("""() => document.fonts.ready.then(() => new Promise(done =>
        requestAnimationFrame(() => requestAnimationFrame(done))))""")


def problems(page, axe_source):
    """The violations that count: critical or serious ones, and any of ALWAYS_CHECKED."""
    painted(page)
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at "
            + "; ".join(" ".join(n["target"][-1:]) for n in v["nodes"][:3])
            for v in result["violations"]
            if v["impact"] in ("critical", "serious") or v["id"] in ALWAYS_CHECKED]


def settled(page):
    """Wait until no element is faded as stale (a rerun in progress lowers its contrast)
    and no chart is still a loading placeholder."""
    wait_for_app(page)
    page.wait_for_function(
        """() => !document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')
            && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')]
                .every(c => c.querySelector('.main-svg'))""", timeout=60_000)


def check(page, axe_source, state, viewport, attempts=3):
    """No violation that lasts: while playing, a tick's rerun can fade the board's part of
    the page as stale in the middle of axe's run, which a real problem survives."""
    settled(page)
    page.screenshot(path=str(SCREENSHOTS / f"a11y_{state}_{viewport}.png"))
    found = problems(page, axe_source)
    for _ in range(attempts - 1):
        if not found:
            break
        settled(page)
        found = problems(page, axe_source)
    assert not found, f"{state} at {viewport}:\n" + "\n".join(found)


def each_tab(page, axe_source, prefix, viewport):
    tabs = page.get_by_role("tab")
    names = [t.inner_text() for t in tabs.all()]
    assert len(names) >= 3, names
    for name in names:
        page.get_by_role("tab", name=name, exact=True).click()
        page.wait_for_function(
            """(name) => [...document.querySelectorAll('[role="tab"]')]
                .some(t => t.innerText === name && t.getAttribute('aria-selected') === 'true')""",
            arg=name)
        wait_for_app(page)
        check(page, axe_source, f"{prefix}_{re.sub(r'[^a-z]+', '_', name.lower())}", viewport)


def epoch(page):
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Epoch")
    return int(metric.locator('[data-testid="stMetricValue"]').inner_text().replace(",", ""))


def test_playground_paused_playing_and_each_tab(app_url, page, axe_source, viewport):
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_role("button", name="Play", exact=True).wait_for()
    check(page, axe_source, "playground", viewport)
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    page.wait_for_function(
        """() => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                   .find(e => e.innerText.startsWith('Epoch'));
                   return m && parseInt(m.querySelector('[data-testid="stMetricValue"]')
                   .innerText.replace(/,/g, '')) >= 10; }""", timeout=60_000)
    check(page, axe_source, "playground_playing", viewport)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_for_app(page)
    assert epoch(page) >= 10
    check(page, axe_source, "playground_paused", viewport)
    each_tab(page, axe_source, "playground_tab", viewport)


def test_backprop_each_tab(app_url, page, axe_source, viewport):
    page.goto(app_url)
    wait_for_app(page)
    page.goto(app_url + "/backprop")
    wait_for_app(page)
    page.get_by_role("heading", name="How backprop works").wait_for()
    page.locator('[data-testid="stMain"] .katex').first.wait_for()
    each_tab(page, axe_source, "backprop", viewport)


def test_compare_empty_and_with_runs(app_url, page, axe_source, viewport):
    page.goto(app_url)
    wait_for_app(page)
    page.goto(app_url + "/compare")
    wait_for_app(page)
    page.get_by_role("heading", name="Compare runs").wait_for()
    check(page, axe_source, "compare_empty", viewport)
    page.get_by_role("button", name="Create two demo runs").click()
    page.get_by_role("heading", name="Final metrics").wait_for(timeout=120_000)
    wait_for_app(page)
    page.locator('[data-testid="stDataFrame"]').first.wait_for()
    check(page, axe_source, "compare_runs", viewport)


def test_scrolling_equations_take_the_keyboard_focus(app_url, patient):
    page = patient
    page.set_viewport_size(VIEWPORTS["phone"])
    page.goto(app_url)
    wait_for_app(page)
    page.goto(app_url + "/backprop")
    wait_for_app(page)
    page.locator('[data-testid="stMain"] .katex-display').first.wait_for()
    page.wait_for_function(
        """() => [...document.querySelectorAll('.katex-display')]
            .some(e => e.scrollWidth > e.clientWidth + 1)""")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.katex-display')]
            .filter(e => e.scrollWidth > e.clientWidth + 1)
            .every(e => e.getAttribute('tabindex') === '0')""")
    wide = page.locator('.katex-display[tabindex="0"]').first
    wide.focus()
    before = wide.evaluate("e => e.scrollLeft")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("(e) => e.scrollLeft > 0", arg=wide.element_handle())
    assert wide.evaluate("e => e.scrollLeft") > before
