"""deploy/serve with two workers behind nginx: two students in two browsers, each on its own
worker (sticky), and one worker killed: its student reconnects into a working page that says
training restarted from the link, the other student's training goes on undisturbed."""

import os
import pathlib
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks.app_server import free_port

from .conftest import CHROMIUM_ARGS, SCREENSHOTS

ROOT = pathlib.Path(__file__).resolve().parents[2]
NGINX = "/usr/sbin/nginx"
pytestmark = pytest.mark.e2e
sys.path.insert(0, str(ROOT / "benchmarks"))

import load  # noqa: E402


@pytest.fixture(scope="module")
def served():
    """(url, {worker port: pid}) of `deploy/serve --workers 2`."""
    if not os.path.exists(NGINX):
        if os.environ.get("CI"):
            pytest.fail(f"{NGINX} is missing; .ci/run must install Debian's nginx")
        pytest.skip("nginx not installed (apt-get install nginx)")
    port = free_port()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    log = open(SCREENSHOTS / f"serve-{port}.log", "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "serve"), "--workers", "2",
                             "--port", str(port)], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(240):
            text = (SCREENSHOTS / f"serve-{port}.log").read_text()
            if "Serving the Playground" in text:
                break
            if proc.poll() is not None:
                raise RuntimeError(f"deploy/serve exited: {text}")
            time.sleep(0.5)
        else:
            raise RuntimeError("deploy/serve did not start in 120 s")
        ports = [int(p) for p in re.search(r"ports ([\d, ]+);", text).group(1).split(", ")]
        url = f"http://127.0.0.1:{port}"
        for _ in range(60):  # nginx may take a moment more than the message to listen
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=5)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("deploy/serve exited") from None
                time.sleep(0.5)
        else:
            raise RuntimeError("nginx did not answer in 30 s")
        yield url, ports
    finally:
        proc.send_signal(signal.SIGTERM)  # stops nginx and the workers
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
    for p in ports:
        assert load.listening_pid(p) is None, "a worker outlived deploy/serve"


def _connections(pid):
    """Established TCP connections of process ``pid``."""
    inodes = set()
    for fd in pathlib.Path(f"/proc/{pid}/fd").iterdir():
        try:
            link = os.readlink(fd)
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in pathlib.Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            count += fields[3] == "01" and fields[9] in inodes
    return count


def _epoch(page):
    text = page.locator('[data-testid="stMetric"]').filter(has_text="Epoch").locator(
        '[data-testid="stMetricValue"]').inner_text()
    return int(text.replace(",", ""))


def _grown_workers(pids, before, patience=10.0):
    """The workers with more connections than ``before``, polled until exactly one has
    (a student's socket lands on one worker) or ``patience`` seconds pass."""
    deadline = time.monotonic() + patience
    while True:
        grown = [q for q, pid in pids.items() if _connections(pid) > before[q]]
        if len(grown) == 1 or time.monotonic() > deadline:
            return grown
        time.sleep(0.1)


def _open_playing(browser, url, seed):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{url}/?seed={seed}")
    page.get_by_role("button", name="Play", exact=True).click()
    page.get_by_role("button", name="Pause", exact=True).wait_for()
    return context, page


def _press_play(page, seconds=60):
    """Press Play until the page plays. Right after a reconnection the page reruns and
    replaces its buttons, so a click can find its button gone (Playwright then retries on
    a detached element until its timeout, although the page is ready)."""
    pause = page.get_by_role("button", name="Pause", exact=True)
    deadline = time.monotonic() + seconds
    while not pause.is_visible():
        assert time.monotonic() < deadline, "the page never played"
        try:
            page.get_by_role("button", name="Play", exact=True).click(timeout=5_000)
            pause.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            pass


def test_two_students_on_two_workers_and_one_worker_dies(served):
    if not pathlib.Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium not installed")
    from playwright.sync_api import sync_playwright

    url, ports = served
    pids = {p: load.listening_pid(p) for p in ports}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                    args=CHROMIUM_ARGS)
        # Open students (each its own browser profile, so its own cookie) until two are on
        # different workers: the cookie is random, so which worker a student gets is too.
        placed = {}  # worker port -> (context, page)
        for seed in range(1, 13):
            before = {q: _connections(pid) for q, pid in pids.items()}
            context, page = _open_playing(browser, url, seed)
            grown = _grown_workers(pids, before)
            if len(grown) == 1 and grown[0] not in placed:
                placed[grown[0]] = (context, page)
                if len(placed) == 2:
                    break
            else:
                context.close()
        assert len(placed) == 2, "twelve students all landed on one worker"
        (kept, (_, calm)), (killed, (_, hit)) = sorted(placed.items())
        start = _epoch(calm)
        os.kill(pids[killed], signal.SIGKILL)
        # The student of the dead worker reconnects into a fresh session built from the link
        # (on another worker, or on the same one started again) and is told so.
        hit.get_by_text("training started again from the setup in the link").wait_for(
            timeout=90_000)
        _press_play(hit)
        first = _epoch(hit)
        hit.wait_for_function(
            """(e) => { const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .find(x => x.innerText.startsWith('Epoch'));
                 return m && parseInt(m.querySelector('[data-testid="stMetricValue"]')
                   .innerText.replace(/,/g, '')) > e; }""", arg=first, timeout=30_000)
        assert "seed=" in hit.url and re.search(r"seed=\d+", hit.url)
        # The other student never noticed: still playing, still advancing, no notice.
        assert calm.get_by_role("button", name="Pause", exact=True).is_visible()
        assert _epoch(calm) > start
        assert calm.get_by_text("training started again").count() == 0
        calm.screenshot(path=str(SCREENSHOTS / "serve_calm.png"))
        hit.screenshot(path=str(SCREENSHOTS / "serve_reconnected.png"))
        browser.close()
