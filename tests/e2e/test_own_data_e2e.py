"""Own data in headless Chromium: upload a CSV, train, save two runs and compare them; draw
points by clicking on the canvas."""

import pathlib
import re

from .conftest import wait_for_app
from .test_playground_e2e import epoch, open_playground

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"
CANVAS = ".st-key-pg_draw_canvas .live-board"
# The plotted area of a board in page pixels (its data-box is in canvas pixels).
PLOT_BOX = """(selector) => { const board = document.querySelector(selector);
  if (!board || !board.dataset.box) return null;
  const canvas = board.querySelector('canvas'), rect = canvas.getBoundingClientRect();
  const [left, top, width, height] = board.dataset.box.split(',').map(Number);
  const scale = rect.width / canvas.width;
  return {x: rect.left + left * scale, y: rect.top + top * scale, width: width * scale,
          height: height * scale}; }"""


def plot_box(page):
    page.wait_for_selector(CANVAS + "[data-box]")
    return page.evaluate(PLOT_BOX, CANVAS)


def choose_dataset(page, label):
    page.get_by_role("combobox", name="Dataset").click()
    page.get_by_role("option", name=label).click()
    wait_for_app(page)


def train_until(page, at_least):
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    page.wait_for_function(
        """(n) => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                   .find(e => e.innerText.startsWith('Epoch'));
                   return m && parseInt(m.querySelector('[data-testid="stMetricValue"]')
                   .innerText.replace(/,/g, '')) >= n; }""", arg=at_least, timeout=60_000)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.get_by_role("button", name="Play", exact=True).wait_for()
    wait_for_app(page)


def save_run(page, name):
    page.get_by_role("tab", name="Save run").click()
    field = page.get_by_label("Run name")
    field.fill(name)
    field.press("Enter")
    wait_for_app(page)
    page.get_by_role("button", name="Save run", exact=True).click()
    page.get_by_text(f"Saved “{name}”").wait_for()


def test_upload_train_save_two_runs_and_compare(app_url, page):
    open_playground(page, app_url)
    choose_dataset(page, "Upload a CSV")
    page.locator('.st-key-pg_upload_file input[type="file"]').set_input_files(
        str(DATA / "good" / "three_classes.csv"))
    page.get_by_text("Loaded", exact=False).first.wait_for()
    page.wait_for_function("() => location.search.includes('dataset=upload')")
    wait_for_app(page)
    page.get_by_text("x₁ is “petal_length”", exact=False).wait_for()

    train_until(page, 20)
    save_run(page, "first run")
    page.locator(".st-key-pg_upload_file").screenshot(
        path=str(pathlib.Path(__file__).parent / "screenshots" / "own_data_upload_panel.png"))

    # A bad file is refused and the uploaded points stay in use.
    page.locator('.st-key-pg_upload_file input[type="file"]').set_input_files(
        str(DATA / "bad" / "non_numeric.csv"))
    page.get_by_text("was not loaded").wait_for()
    assert "dataset=upload" in page.url

    neurons = page.get_by_role("slider", name="Neurons in layer 1")  # a second setup
    neurons.focus()
    neurons.press("ArrowLeft")
    neurons.press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('hidden=2')")
    wait_for_app(page)
    train_until(page, 40)
    save_run(page, "second run")

    page.get_by_role("link", name="Compare saved runs").click()
    page.wait_for_url(re.compile(r".*/compare.*"))
    wait_for_app(page)
    page.get_by_role("heading", name="Compare runs").wait_for()
    page.get_by_role("heading", name="Final decision boundaries").wait_for()
    main = page.locator(".stMainBlockContainer").inner_text()
    assert "first run" in main and "second run" in main
    # two curves and two boundaries; the charts appear one by one after the page's run
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length >= 4")


def test_clicking_the_canvas_adds_and_erases_points(app_url, page):
    open_playground(page, app_url)
    choose_dataset(page, "Draw your own")
    clicks = [(0.25, 0.3, "Add class 0 (orange)"), (0.3, 0.7, None), (0.2, 0.5, None),
              (0.7, 0.25, "Add class 1 (blue)"), (0.75, 0.7, None), (0.8, 0.45, None)]
    for i, (fx, fy, mode) in enumerate(clicks, start=1):
        if mode:
            page.get_by_text(mode).click()
            wait_for_app(page)
        box = plot_box(page)
        page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
        page.get_by_text(f"{i} point{'' if i == 1 else 's'}:").wait_for()
        wait_for_app(page)
    page.wait_for_function("() => location.search.includes('dataset=draw')")
    page.get_by_text("3 of class 0, 3 of class 1").wait_for()

    page.get_by_text("Erase the nearest point").click()
    wait_for_app(page)
    box = plot_box(page)
    page.mouse.click(box["x"] + 0.75 * box["width"], box["y"] + 0.7 * box["height"])
    page.get_by_text("5 points: 3 of class 0, 2 of class 1").wait_for()
    wait_for_app(page)
    train_until(page, 10)
    assert epoch(page) >= 10


# The colour at a spot of the drawing board, read back from its canvas.
PIXEL = """([selector, fx, fy]) => { const board = document.querySelector(selector);
  const canvas = board.querySelector('canvas');
  const [left, top, width, height] = board.dataset.box.split(',').map(Number);
  const data = canvas.getContext('2d').getImageData(
    Math.round(left + fx * width), Math.round(top + fy * height), 1, 1).data;
  return [data[0], data[1], data[2]]; }"""


# Counts the taps the board took as points (it cancels the default of a press it takes).
COUNT_TAPS = """(selector) => { window.pgTapsTaken = 0;
  document.addEventListener('pointerdown', (e) => {
    if (e.target.closest(selector) && e.defaultPrevented) window.pgTapsTaken += 1; }); }"""


def test_every_tap_on_a_phone_draws_where_it_was_tapped(app_url, browser):
    """Touch in Chromium: quick taps, each one a point at the spot tapped (the canvas is
    drawn by the server from the engine's points, so its colour there is the round trip)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        open_playground(page, app_url)
        choose_dataset(page, "Draw your own")
        page.set_viewport_size({"width": 390, "height": 844})
        page.locator(CANVAS).scroll_into_view_if_needed()
        wait_for_app(page)
        spots = [(0.2, 0.25), (0.45, 0.3), (0.3, 0.6), (0.7, 0.75)]
        before = [page.evaluate(PIXEL, [CANVAS, fx, fy]) for fx, fy in spots]
        box = plot_box(page)
        page.evaluate(COUNT_TAPS, CANVAS)
        for i, (fx, fy) in enumerate(spots, start=1):  # no waiting for the server between taps
            page.touchscreen.tap(box["x"] + fx * box["width"], box["y"] + fy * box["height"])
            page.wait_for_function("(n) => window.pgTapsTaken >= n", arg=i)
        page.get_by_text(f"{len(spots)} points: {len(spots)} of class 0").wait_for()
        wait_for_app(page)
        orange = (232, 113, 10)
        near = "(c, o) => c.every((v, i) => Math.abs(v - o[i]) <= 30)"
        try:  # the board repaints once the new picture has arrived and been decoded
            page.wait_for_function(f"""([spots, orange]) => spots.every(([fx, fy]) =>
                ({near})(({PIXEL})(['{CANVAS}', fx, fy]), orange))""", arg=[spots, orange])
        finally:
            now = [page.evaluate(PIXEL, [CANVAS, fx, fy]) for fx, fy in spots]
        for (fx, fy), old, new in zip(spots, before, now):
            assert max(abs(a - b) for a, b in zip(new, orange)) <= 30, (fx, fy, new)
            assert max(abs(a - b) for a, b in zip(old, orange)) > 100
        page.screenshot(path=str(pathlib.Path(__file__).parent / "screenshots"
                                 / "draw_on_a_phone.png"))
    finally:
        context.close()
