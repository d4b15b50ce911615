"""Live Playground speed in a real browser: frames on screen, epochs and wire bytes per second.

    python benchmarks/live_fps.py [--runs 5] [--seconds 10] [--query "speed=0"]

Starts `streamlit run app.py`, and for each run opens the Playground in a fresh headless
Chromium tab (/usr/bin/chromium), presses Play on the default setup and, for the given time,
counts inside the page the frames the live board painted (its ``data-frames``: each is a
distinct state of the network) and how far its epoch (``data-epoch``) advances, and outside
it the bytes the page's websocket received. Browser and server share the machine, as on a
lecturer's laptop. Prints every run, then the median and the worst. Targets: >= 50 frames/s
and >= 400 epochs/s median, >= 40 frames/s in the worst run; <= 200 kB/s on the wire.
"""

import argparse
import statistics

from app_server import free_port, start_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

MEASURE = """async (seconds) => {
  const board = document.querySelector('.live-board');
  const frames = () => Number(board.dataset.frames), epoch = () => Number(board.dataset.epoch);
  const f0 = frames(), e0 = epoch(), t0 = performance.now();
  await new Promise(r => setTimeout(r, seconds * 1000));
  const elapsed = (performance.now() - t0) / 1000;
  return {frames: (frames() - f0) / elapsed, epochs: (epoch() - e0) / elapsed};
}"""


def one_run(browser, url, seconds):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(60_000)
    errors, wire = [], [0]
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda payload: wire.__setitem__(0, wire[0] + len(payload))))
    page.goto(url)
    page.wait_for_selector(".live-board[data-epoch='0']")
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    page.wait_for_timeout(1000)  # past the first ticks
    before = wire[0]
    result = page.evaluate(MEASURE, seconds)
    received = wire[0] - before
    page.get_by_role("button", name="Pause", exact=True).click()
    page.close()
    return result | {"wire_kb": received / seconds / 1000, "console_errors": len(errors)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--query", default="", help="URL parameters, e.g. speed=0&hidden=8,8")
    args = parser.parse_args()
    port = free_port()
    server = start_server(port)
    url = f"http://127.0.0.1:{port}/" + (f"?{args.query}" if args.query else "")
    results = []
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            for i in range(args.runs):
                results.append(one_run(browser, url, args.seconds))
                r = results[-1]
                print(f"run {i + 1}: {r['frames']:5.1f} frames/s  {r['epochs']:6.0f} epochs/s  "
                      f"{r['wire_kb']:6.1f} kB/s  console errors {r['console_errors']}",
                      flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    frames = [r["frames"] for r in results]
    epochs = [r["epochs"] for r in results]
    wire = [r["wire_kb"] for r in results]
    print(f"{args.runs} runs of {args.seconds:g} s on {args.query or 'the default setup'}")
    print(f"frames on screen/s: median {statistics.median(frames):.1f}, worst {min(frames):.1f}"
          f"   (targets: median >= 50, worst >= 40)")
    print(f"epochs/s:           median {statistics.median(epochs):.0f}, worst {min(epochs):.0f}"
          f"   (target: median >= 400)")
    print(f"wire kB/s:          median {statistics.median(wire):.1f}, worst {max(wire):.1f}"
          f"   (target: median <= 200)")


if __name__ == "__main__":
    main()
