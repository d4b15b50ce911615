"""The one way the benchmarks, the browser tests and the load tests start the app:
`streamlit run app.py` on a free loopback port, configured as deploy/serve runs a worker,
returned once it answers its health check."""

import os
import pathlib
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parent.parent
# As deploy/serve runs its workers: one BLAS thread per process, a bounded number of malloc
# arenas, so a figure measured here is one a deployed worker would give.
WORKER_ENV = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "MALLOC_ARENA_MAX": "2"}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_app(port=None, log=None, env=None, options=(), timeout=60):
    """(process, url) of a server answering its health check. ``env``: extra variables (for
    example the class board's database); ``options``: extra `streamlit run` flags such as
    ("--server.disconnectedSessionTTL", "5"); ``log``: a file for its output (else none)."""
    port = port or free_port()
    output = log or subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"),
         "--server.headless", "true", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false", *options],
        cwd=ROOT, env={**os.environ, **WORKER_ENV, **(env or {})}, stdout=output,
        stderr=subprocess.STDOUT if log else subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("streamlit exited before it answered; see its log")
        try:
            urllib.request.urlopen(url + "/_stcore/health", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.25)
    stop_app(proc)
    raise RuntimeError(f"streamlit did not answer its health check in {timeout} s")


def stop_app(proc):
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def start_server(port, timeout=60, options=()):
    """The server process on ``port`` (for the benchmarks that pick the port themselves)."""
    return start_app(port, options=options, timeout=timeout)[0]
