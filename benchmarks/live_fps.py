"""Live Playground speed in a real browser: boundary redraws and epochs per second.

    python benchmarks/live_fps.py [--runs 5] [--seconds 10] [--query "speed=0"]

Starts `streamlit run app.py`, and for each run opens the Playground in a fresh headless
Chromium tab (/usr/bin/chromium), presses Play on the default setup and, for the given time,
counts how often the boundary picture in the page changes and how far the Epoch metric
advances. Browser and server share the machine, as on a lecturer's laptop. Prints every run,
then the median and the worst. Targets: >= 15 redraws/s and >= 400 epochs/s median, >= 10
and >= 300 in the worst run.
"""

import argparse
import statistics

from app_server import free_port, start_server

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

MEASURE = """async (seconds) => {
  const epoch = () => {
    const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
      .find(e => e.innerText.startsWith('Epoch'));
    return parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText.replace(/,/g, ''));
  };
  let last = null, redraws = 0, broken = 0;
  const observer = new MutationObserver(() => {
    const image = document.querySelector('.st-key-pg_boundary img');
    const source = image && image.getAttribute('src');
    if (source && source !== last) { last = source; redraws++; }
  });
  observer.observe(document.body, {subtree: true, childList: true, attributes: true});
  const start = epoch(), t0 = performance.now();
  await new Promise(r => setTimeout(r, seconds * 1000));
  observer.disconnect();
  const elapsed = (performance.now() - t0) / 1000;
  return {redraws: redraws / elapsed, epochs: (epoch() - start) / elapsed};
}"""


def one_run(browser, url, seconds):
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(60_000)
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url)
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    page.wait_for_timeout(1000)  # past the first ticks
    result = page.evaluate(MEASURE, seconds)
    page.get_by_role("button", name="Pause", exact=True).click()
    page.close()
    return result | {"console_errors": len(errors)}


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
                print(f"run {i + 1}: {r['redraws']:5.1f} redraws/s  {r['epochs']:6.0f} epochs/s  "
                      f"console errors {r['console_errors']}", flush=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    redraws = [r["redraws"] for r in results]
    epochs = [r["epochs"] for r in results]
    print(f"{args.runs} runs of {args.seconds:g} s on {args.query or 'the default setup'}")
    print(f"boundary redraws/s: median {statistics.median(redraws):.1f}, worst {min(redraws):.1f}"
          f"   (targets: median >= 15, worst >= 10)")
    print(f"epochs/s:           median {statistics.median(epochs):.0f}, worst {min(epochs):.0f}"
          f"   (targets: median >= 400, worst >= 300)")


if __name__ == "__main__":
    main()
