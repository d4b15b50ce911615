"""Live Playground speed in a real browser: boundary redraws and epochs per second.

    python benchmarks/live_fps.py [--seconds 10] [--port 0]

Starts `streamlit run app.py`, opens the Playground in headless Chromium (/usr/bin/chromium),
presses Play on the default setup and, for the given time, counts how often the decision
boundary image in the page changes and how far the Epoch metric advances. Browser and server
share the machine, as on a student's laptop. Targets: >= 10 redraws/s and >= 300 epochs/s.
"""

import argparse
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]

MEASURE = """async (seconds) => {
  const epoch = () => {
    const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
      .find(e => e.innerText.startsWith('Epoch'));
    return parseInt(m.querySelector('[data-testid="stMetricValue"]').innerText.replace(/,/g, ''));
  };
  let last = null, redraws = 0;
  const observer = new MutationObserver(() => {
    const image = document.querySelector('.st-key-pg_boundary_live img');
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args()
    port = args.port or free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless",
         "true", "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(60_000)
            page.goto(url)
            page.get_by_role("button", name="Play", exact=True).wait_for()
            page.wait_for_selector(".st-key-pg_boundary image")
            page.get_by_role("button", name="Play", exact=True).click()
            page.get_by_role("button", name="Pause", exact=True).wait_for()
            page.wait_for_timeout(1000)  # past the first ticks
            result = page.evaluate(MEASURE, args.seconds)
            page.get_by_role("button", name="Pause", exact=True).click()
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    print(f"{args.seconds:g} s of play on the default setup (circles, 2-4-4-1, Adam, batch 16)")
    print(f"boundary redraws/s: {result['redraws']:.1f}   (target >= 10)")
    print(f"epochs/s:           {result['epochs']:.0f}   (target >= 300)")


if __name__ == "__main__":
    main()
