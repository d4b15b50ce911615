"""A class submitting to one class board while playing, through deploy/serve: nothing lost,
nothing stored twice, everything on the board within 2 s, even when a worker is killed.

    python benchmarks/board_load.py [--students 40] [--runs 5] [--workers 2]
                                    [--kill-after 8] [--database-url URL] [--json out.json]

Starts `deploy/serve --workers 2` (Debian's nginx in front of two Streamlit workers) on a free
loopback port with a board database of its own (a SQLite file in a temporary folder, or
--database-url), creates a board, and runs --students simulated students (the websocket
client of benchmarks/load.py): each opens the student link, presses Play, and while it plays
submits --runs times, each 5.05 s after the answer to the one before (the board takes one
submission per session every 5 s, so 5 runs each take at least 20 s), with a name of its own
per submission. A submission's answer is the panel's message, or the toast a live tick
repeats it in. Two board viewers (the Class board page, refreshed as often as the page asks,
as in a browser) note when each submission count first shows. With --kill-after one worker
is killed (SIGKILL) that many seconds into the submissions; its students' connections drop.

Then it checks, from the database: every acknowledged submission is stored (none lost),
no submission is stored twice, and the viewers saw each acknowledged submission counted
within 2 s. Last, the cost of one board refresh on a worker with --board-size submissions
(300 students' best runs on the board): the worker's CPU time and the bytes sent per refresh.
Loopback only; bounded in time.
"""

import argparse
import asyncio
import json
import os
import pathlib
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
for path in (ROOT, ROOT / "benchmarks"):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

import load  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from streamlit.proto.WidgetStates_pb2 import WidgetState  # noqa: E402

from app_logic.board_rules import run_result  # noqa: E402
from app_logic.board_store import URL_ENV, BoardStore  # noqa: E402
from app_logic.presets import PRESETS  # noqa: E402
from app_logic.session import build_state  # noqa: E402

ACK = re.compile(r"Submitted to the class board \(#(\d+)\)")
COUNT = re.compile(r"(\d+) students?, (\d+) runs?")
GAP = 5.05  # seconds between the answer to a submission and the next (the limit is 5)
VISIBLE_WITHIN = 2.0


class BoardStudent(load.Student):
    """A student who plays and submits ``runs`` times, starting at ``start``."""

    def __init__(self, number, base_url, code, runs, start):
        super().__init__(number, base_url, f"board={code}", 1e9, random.Random(number))
        self.runs_to_submit, self.start = runs, start
        self.waiting = None  # the name of the submission awaiting its answer
        self.sent, self.acks, self.refused, self.alerts = [], [], [], []

    def on_delta(self, msg, now):
        super().on_delta(msg, now)
        element = msg.delta.new_element
        kind = element.WhichOneof("type")
        if msg.delta.WhichOneof("type") != "new_element" or kind not in ("alert", "toast"):
            return
        body = getattr(element, kind).body  # the panel's answer, or its toast (run dropped)
        self.alerts.append(body[:100])
        found = ACK.search(body)
        if self.waiting and found:
            self.acks.append((self.waiting, int(found.group(1)), now))
            self.waiting = None
        elif self.waiting and body.startswith("Not submitted"):
            self.refused.append((self.waiting, body))
            self.waiting = None

    async def submit(self, name):
        widget_id, _ = self.widgets["board_name"]
        self.values[widget_id] = WidgetState(id=widget_id, string_value=name)
        self.waiting = name
        self.sent.append((name, time.monotonic()))
        await self.click("board_submit", "submit")
        await self.wait_for(lambda: self.waiting is None, 30, "answer to a submission")

    async def behave(self, seconds):
        await self.send_rerun()
        await self.wait_for(lambda: {"pg_play", "board_submit"} <= set(self.widgets), 90,
                            "page")
        await self.click("pg_play", "play")
        await self.wait_for(lambda: self.playing, 90, "Pause button")
        for k in range(self.runs_to_submit):
            # The server stamps a submission between its click and its answer: 5 s after
            # the last answer is 5 s after the last stamp.
            due = self.start + k * GAP
            if self.acks:
                due = max(due, self.acks[-1][2] + GAP)
            await asyncio.sleep(max(due - time.monotonic(), 0))
            await self.submit(f"s{self.number}-{k}")


class BoardViewer(load.Student):
    """The Class board page in a browser: it reruns the board's watcher as often as the
    server's AutoRerun asks (every second) and notes when each count of runs first shows."""

    def __init__(self, number, base_url, code):
        super().__init__(number, base_url, "", 1e9, random.Random(number))
        self.query = urllib.parse.urlencode({"code": code})
        self.seen = []  # (monotonic time, runs counted on the board)
        self.checks = 0  # the board's watcher ran (it reads the version; a change reruns)
        self.received = 0  # bytes
        self.cached = set()  # hashes of the messages a browser would keep (and says so)

    async def send_rerun(self, fragment_id="", auto=False, trigger=None):
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query
        rerun.page_script_hash = self.page_hash
        rerun.page_name = "" if self.page_hash else "board"
        rerun.fragment_id = fragment_id
        rerun.is_auto_rerun = auto
        rerun.cached_message_hashes.extend(sorted(self.cached))
        await self.ws.send(msg.SerializeToString())

    def on_message(self, data):
        self.received += len(data)
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if msg.metadata.cacheable:
            self.cached.add(msg.hash)
        super().on_message(data)

    def on_delta(self, msg, now):
        element = msg.delta.new_element
        if msg.delta.WhichOneof("type") == "new_element" and element.WhichOneof("type") == \
                "markdown":
            found = COUNT.search(element.markdown.body)
            if found:
                self.seen.append((now, int(found.group(2))))
            self.checks += element.markdown.body.startswith("Checked ")

    async def behave(self, seconds):
        await self.send_rerun()
        await asyncio.sleep(seconds)


def start_serve(workers, env, logs):
    port = load.free_port()
    log = open(logs / "serve.log", "w")
    proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "serve"), "--workers",
                             str(workers), "--port", str(port), "--logs", str(logs)],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        text = (logs / "serve.log").read_text()
        if "Serving the Playground" in text:
            ports = [int(p) for p in re.search(r"ports ([\d, ]+);", text).group(1).split(", ")]
            return proc, f"http://127.0.0.1:{port}", ports
        if proc.poll() is not None:
            raise SystemExit(f"deploy/serve exited: {text}")
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("deploy/serve did not start in 180 s")


def stop_serve(proc):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()


async def killer(ports, at):
    await asyncio.sleep(max(at - time.monotonic(), 0))
    pid = load.listening_pid(ports[0])
    if pid:
        os.kill(pid, signal.SIGKILL)
    return {"port": ports[0], "pid": pid, "at": time.monotonic()}


async def class_run(url, code, args, ports):
    # One student plays briefly on each worker first: a worker's first play imports modules
    # once (as in load.py); forty first plays at once on a cold worker race in those imports.
    await asyncio.gather(*(load.Student(-1, f"http://127.0.0.1:{p}", "", 1e9,
                                        random.Random(0)).run(load.WARM_UP + 2, 0)
                           for p in ports))
    start = time.monotonic() + args.start_after  # every student is playing by then
    students = [BoardStudent(i, url, code, args.runs, start + random.Random(i).uniform(0, 1))
                for i in range(args.students)]
    # One viewer through nginx, one on the worker that is never killed.
    viewers = [BoardViewer(1000, url, code),
               BoardViewer(1001, f"http://127.0.0.1:{ports[-1]}", code)]
    watching = [asyncio.ensure_future(v.run(load.MAX_SECONDS, 1.0)) for v in viewers]
    kill = [killer(ports, start + args.kill_after)] if args.kill_after is not None else []
    results = await asyncio.gather(*(s.run(0, 0.3 * i / 4) for i, s in enumerate(students)),
                                   *kill)
    await asyncio.sleep(VISIBLE_WITHIN * 5)  # time for the viewers to show the last ones
    for task in watching:
        task.cancel()
    await asyncio.gather(*watching, return_exceptions=True)
    return students, viewers, (results[-1] if kill else None)


def visibility(acks, viewers):
    """Seconds from each acknowledgement to the first board render counting it, per viewer
    that stayed connected (the j-th acknowledgement needs a count of at least j)."""
    ordered = sorted(t for *_, t in acks)
    delays = []
    for viewer in viewers:
        if viewer.errors or not viewer.seen or (ordered and viewer.seen[-1][0] < ordered[-1]):
            continue  # its worker was killed: it saw nothing after that
        for j, acked in enumerate(ordered, start=1):
            shown = next((t for t, n in viewer.seen if n >= j and t >= acked - 0.05), None)
            delays.append(None if shown is None else max(shown - acked, 0.0))
    return delays


def check(store, code, students, viewers, kill):
    rows = store.submissions(code, include_hidden=True)
    stored = {r["name"]: r["id"] for r in rows}
    acks = [a for s in students for a in s.acks]
    lost = [name for name, number, _ in acks if stored.get(name) != number]
    names = [r["name"] for r in rows]
    sent = [t for s in students for _, t in s.sent]
    delays = visibility(acks, viewers)
    seen = [d for d in delays if d is not None]
    return {
        "students": len(students), "sent": len(sent), "acknowledged": len(acks),
        "stored": len(rows), "lost": lost, "stored_twice": len(names) - len(set(names)),
        "refused": [r for s in students for r in s.refused],
        "stored_not_acknowledged": len(rows) - len(acks),
        "window_s": (max(t for *_, t in acks) - min(sent)) if acks else None,
        "ack_latency_median_s": statistics.median(
            [t - dict(s.sent)[name] for s in students for name, _, t in s.acks] or [0]),
        "visible_max_s": max(seen) if seen else None,
        "visible_p95_s": load.percentile(seen, 0.95),
        "never_visible": delays.count(None), "visible_checked": len(delays),
        "students_cut_off": sum(1 for s in students if s.errors),
        "errors": sorted({e[:120] for s in [*students, *viewers] for e in s.errors}),
        "kill": kill,
        "unanswered": [(s.number, s.waiting, s.alerts[-3:], s.trace[-8:]) for s in students
                       if s.waiting][:5],
    }


async def add_one_a_second(store, code, seconds, result):
    end, i = time.monotonic() + seconds, 0
    while time.monotonic() < end:
        await asyncio.to_thread(store.submit, code, f"late-{i:05d}", f"late {i}", result)
        i += 1
        await asyncio.sleep(1.0)


async def refresh_cost(port, code, seconds, writer=None):
    """CPU seconds and bytes per board refresh of one viewer on the worker at ``port``;
    ``writer``: a coroutine adding submissions meanwhile (the board changes every refresh)."""
    pid = load.listening_pid(port)
    viewer = BoardViewer(2000, f"http://127.0.0.1:{port}", code)
    task = asyncio.ensure_future(viewer.run(seconds + 6, 0))
    await asyncio.sleep(6)  # the first full run of the page is not a refresh
    cpu0, checks0, bytes0 = load.cpu_seconds(pid), viewer.checks, viewer.received
    if writer is not None:
        await writer
    await task
    refreshes = max(viewer.checks - checks0, 1)
    return {"refreshes": refreshes, "rows": viewer.seen[-1][1] if viewer.seen else None,
            "cpu_ms_per_refresh": 1000 * (load.cpu_seconds(pid) - cpu0) / refreshes,
            "kb_per_refresh": (viewer.received - bytes0) / 1024 / refreshes,
            "errors": viewer.errors}


def fill(store, code, count):
    """``count`` submissions by as many students (each one a row of the board); returns a
    run result to submit more."""
    state = build_state(store.board(code).setup)
    state.train_for(20)
    result = run_result(state)
    for i in range(count):
        store.submit(code, f"filler-{i:05d}", f"filler {i}", result, now=time.time() - 10)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--runs", type=int, default=5, help="submissions per student")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill-after", type=float, default=None,
                        help="kill one worker this many seconds into the submissions")
    parser.add_argument("--start-after", type=float, default=25,
                        help="seconds for every student to load and play before submitting")
    parser.add_argument("--board-size", type=int, default=300)
    parser.add_argument("--refresh-seconds", type=float, default=20)
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    parser.add_argument("--json")
    args = parser.parse_args(argv)
    if not (1 <= args.students <= 100 and 1 <= args.runs <= 20 and 1 <= args.workers <= 8):
        parser.error("1-100 students, 1-20 runs each, 1-8 workers")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="board-load-"))
    url = args.database_url or f"sqlite:///{folder / 'board.db'}"
    store = BoardStore(url)
    code, _ = store.create_board("Load test", PRESETS["Linear model fails on circles"]["config"],
                                 "best_accuracy")
    env = {**os.environ, URL_ENV: url}
    proc, app_url, ports = start_serve(args.workers, env, folder)
    try:
        students, viewers, kill = asyncio.run(class_run(app_url, code, args, ports))
        result = check(store, code, students, viewers, kill)
        cost_code, _ = store.create_board("Refresh cost", PRESETS["Spiral needs depth"]["config"],
                                          "best_accuracy")
        extra = fill(store, cost_code, args.board_size)
        result["refresh_unchanged"] = asyncio.run(refresh_cost(ports[-1], cost_code,
                                                               args.refresh_seconds))
        result["refresh_changing"] = asyncio.run(refresh_cost(
            ports[-1], cost_code, args.refresh_seconds,
            add_one_a_second(store, cost_code, args.refresh_seconds - 1, extra)))
    finally:
        stop_serve(proc)
    logs = [p.read_text(errors="replace") for p in folder.glob("worker-*.log")]
    result["worker_log_errors"] = [line for text in logs for line in text.splitlines()
                                   if "Traceback" in line or "Error" in line][:10]
    print(json.dumps({k: v for k, v in result.items()}, indent=1, default=str))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, default=str))
    return result


if __name__ == "__main__":
    main()
