"""Stress: plays extreme settings in Chromium and counts lost connections.

    python benchmarks/stress.py [--plays 200] [--seconds 3] [--message-cache]

Starts `streamlit run app.py` and opens the Playground in headless Chromium
(/usr/bin/chromium) again and again, each time from a link with extreme settings: learning
rates 0.3 to 10, every optimizer, networks up to six layers of 16, several activations and
datasets, in windows of 390x844 (a phone), 1024x768, 1280x720 (presenter mode) and
1920x1080. On each page it presses Play several times; while playing it drags the speed
slider and, where the sidebar shows, the learning-rate slider. A play counts as a
connection error when the browser logs Streamlit's fatal connection error ("Cached
ForwardMsg MISS" among them), shows its "Connection error" dialog, ends disconnected for
good, or is reloaded by the page's own watchdog (ui/reconnect.py). Prints every page and the
count. --message-cache runs the server with Streamlit's default message cache
(global.minCachedMessageSize = 10 kB) instead of the app's setting, to see the fault the
setting prevents.
"""

import argparse
import itertools
import random
import time

from app_server import free_port, start_server
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
WINDOWS = ((390, 844, False), (1024, 768, False), (1280, 720, True), (1920, 1080, False))
LEARNING_RATES = (10, 3, 1, 0.3)
OPTIMIZERS = ("sgd", "momentum", "adam")
NETWORKS = ("16,16,16,16,16,16", "8,8,8", "4,4")
ACTIVATIONS = ("tanh", "relu", "sigmoid", "swish")
DATASETS = ("circles", "spiral", "xor", "blobs3", "plane")
FATAL = ("ForwardMsg MISS", "fatal error", "Unexpected Websocket message")
STATE = """() => {
  const app = document.querySelector('[data-test-connection-state]');
  return app ? app.getAttribute('data-test-connection-state') : null;
}"""


def scenarios(seed=0):
    """Endless (window, URL query) pairs: the window changes every page, and every learning
    rate (10 first) and optimizer comes round in turn; the network, activation and dataset
    are drawn with a fixed seed."""
    draw = random.Random(seed)
    for lr, optimizer, window in itertools.cycle(
            itertools.product(LEARNING_RATES, OPTIMIZERS, WINDOWS)):
        query = (f"lr={lr}&optimizer={optimizer}&hidden={draw.choice(NETWORKS)}"
                 f"&activation={draw.choice(ACTIVATIONS)}&dataset={draw.choice(DATASETS)}"
                 f"&seed={draw.randrange(1000)}&presenter={int(window[2])}")
        yield window, query


THUMB = """(label) => {
  const slider = [...document.querySelectorAll('[data-testid="stSlider"]')]
    .find(s => s.querySelector('[data-testid="stWidgetLabel"]').innerText.trim() === label);
  const value = slider && slider.querySelector('[data-testid="stSliderThumbValue"]');
  if (!value || !value.getClientRects().length) return null;
  slider.scrollIntoView({block: "center"});
  const top = value.getBoundingClientRect();  // the value rides just above the thumb
  const ticks = slider.querySelector('[data-testid="stSliderTickBar"]').getBoundingClientRect();
  return {x: top.x + top.width / 2, y: (top.bottom + ticks.top) / 2};
}"""


def drag(page, label, pixels):
    """Drag the thumb of the slider labelled ``label`` by ``pixels`` and back, in steps, as
    a hand would; False when that slider is not on the page. (Found by script, not by
    Playwright's locators, which wait for the busy page to hold still.)"""
    centre = page.evaluate(THUMB, label)
    if centre is None:
        return False
    x, y = centre["x"], centre["y"]
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + pixels, y, steps=3)
    page.mouse.move(x, y, steps=3)
    page.mouse.up()
    return True


def lost(page, console, loads):
    """Why the page lost its connection, or None."""
    fatal = [text for text in console if any(f in text for f in FATAL)]
    if fatal:
        return fatal[0][:160]
    if page.get_by_text("Connection error", exact=True).count():
        return "the Connection error dialog"
    if page.evaluate(STATE) == "DISCONNECTED_FOREVER":
        return "disconnected for good"
    if loads[0] > 1:
        return "reloaded by the watchdog"
    return None


def play_page(browser, url, window, plays, seconds):
    """Open ``url`` in a ``window``-sized tab and play ``plays`` times; returns
    (plays made, plays that trained, the reason the connection was lost or None)."""
    width, height, _ = window
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(60_000)  # a busy machine draws a deep network's page slowly
    console, loads = [], [0]
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("load", lambda _: loads.__setitem__(0, loads[0] + 1))
    made = trained = 0
    reason = None
    try:
        page.goto(url)
        play, pause = (page.get_by_role("button", name=name, exact=True)
                       for name in ("Play", "Pause"))
        play.wait_for(timeout=120_000)
        for i in range(plays):
            play.wait_for()
            play.click()
            made += 1
            try:
                pause.wait_for(timeout=5_000)
                trained += 1
            except PlaywrightError:  # stopped at once (diverged): the play still counts
                pass
            end = time.monotonic() + seconds
            drag(page, "Speed", -60)
            if i % 2 == 0:
                drag(page, "Learning rate", 40 if i % 4 == 0 else -40)
            page.wait_for_timeout(max(0.0, end - time.monotonic()) * 1000)
            reason = lost(page, console, loads)
            if reason:
                break
            if pause.is_visible():
                try:
                    pause.click(timeout=5_000)
                except PlaywrightError:  # it paused itself (diverged or stuck) meanwhile
                    pass
    except PlaywrightError as error:  # a page that stopped answering is a lost connection
        reason = reason or lost(page, console, loads) or f"page stopped: {error!s:.120}"
    finally:
        context.close()
    return made, trained, reason


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plays", type=int, default=200)
    parser.add_argument("--per-page", type=int, default=5, help="plays on one page")
    parser.add_argument("--seconds", type=float, default=3.0, help="how long each play lasts")
    parser.add_argument("--message-cache", action="store_true",
                        help="Streamlit's default message cache (10 kB), as before the fix")
    args = parser.parse_args()
    options = ["--global.minCachedMessageSize=10000"] if args.message_cache else []
    port = free_port()
    server = start_server(port, options=options)
    made = trained = errors = pages = 0
    started = time.monotonic()
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for window, query in scenarios():
                if made >= args.plays:
                    break
                plays = min(args.per_page, args.plays - made)
                n, ok, reason = play_page(browser, f"http://127.0.0.1:{port}/?{query}",
                                          window, plays, args.seconds)
                made, trained, pages = made + n, trained + ok, pages + 1
                errors += bool(reason)
                print(f"page {pages:3d} {window[0]}x{window[1]} {query}: {n} plays"
                      + (f"  CONNECTION ERROR: {reason}" if reason else ""), flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"\n{made} plays ({trained} trained; the others stopped at once, diverged) on "
          f"{pages} pages in {time.monotonic() - started:.0f} s: {errors} connection errors"
          + (" (Streamlit's default message cache)" if args.message_cache else ""))


if __name__ == "__main__":
    main()
