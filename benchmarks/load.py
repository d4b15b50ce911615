"""A class of students on one server, without browsers: sessions, redraws, clicks, memory.

    python benchmarks/load.py --sessions 20 --seconds 60 [--url http://127.0.0.1:8501]
                              [--pid PID] [--query "hidden=8,8"] [--json out.json]

Each simulated student is a small asyncio client speaking Streamlit's own websocket protocol
(the BackMsg and ForwardMsg protobufs of the installed streamlit package), as the page in a
browser does: it opens the Playground at /_stcore/stream with its own seed in the link
(seed = 1000 + its number), presses Play, and runs the timers the server asks for (a fragment
with run_every is rerun by the client: the server sends an AutoRerun message with the
interval and the browser sends a rerun of that fragment every interval). Every few seconds it
pauses and plays again or moves the Speed slider (to 500 epochs/s and back), and it reads what
the server sends: every frame in a new message of the live board (a film strip of states,
app_logic/frames.py) is a frame received (a new boundary picture, as the board was before,
counts as one), the frames' epochs (and the Epoch metric of a run of the whole view) give
the epochs, and every byte of every websocket message counts on the wire.

Without --url it starts `streamlit run app.py` on a free loopback port (its log is checked
for errors). With --url it measures the server there; --pid names its process for CPU and
memory (found from the listening port when left out). Loopback only; at most 200 sessions
and an hour.

Reports per session: frames/s received, wire kB/s and epochs/s while playing (after a
warm-up),
click-to-effect latency (median, p95; from sending a click to the end of the run that
answered it, as a Pause click shows Play again), whether it stayed on its own seed (the link
the server keeps, and the first metrics match an independent replay of that seed here); for
the class, how long its first pages took (from opening the connection to a page with Play on
it) and its first Plays; per server: CPU (share of one core) and RSS over time, RSS when all
clients have left and the server's own count of open sessions then. "Idle" is the server
after one student has played briefly and left: the first play imports modules and fills
caches once per process.
"""

import argparse
import asyncio
import json
import os
import pathlib
import random
import re
import socket
import statistics
import sys
import tempfile
import time
import urllib.parse
import urllib.request

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.proto.WidgetStates_pb2 import WidgetState

ROOT = pathlib.Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # the replay uses the app's own logic
    sys.path.insert(0, str(ROOT))

from app_logic.files import MAX_COLUMNS, MAX_FILE_BYTES, MAX_POINTS  # noqa: E402
from app_logic.frames import unpack  # noqa: E402
from benchmarks.app_server import start_app  # noqa: E402

MAX_SESSIONS, MAX_SECONDS = 200, 3600
SEED_BASE = 1000
WARM_UP = 3.0  # seconds after Play before redraws and epochs are counted
FAST, SLOWER = "fastest", "500 epochs/s"  # the two Speed slider positions a student uses
EARLY_FOR_RERUN = ForwardMsg.FINISHED_EARLY_FOR_RERUN  # the run made room for a rerun
LOG_ERRORS = ("Traceback", "Error", "Exception")


def percentile(values, q):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


class Student:
    """One simulated browser tab on the Playground."""

    def __init__(self, number, base_url, extra_query, action_every, rng):
        self.number, self.seed = number, SEED_BASE + number
        self.ws_url = base_url.replace("http", "ws", 1).rstrip("/") + "/_stcore/stream"
        self.query = urllib.parse.urlencode(
            {"seed": self.seed, "speed": 0, **dict(urllib.parse.parse_qsl(extra_query))})
        self.action_every, self.rng = action_every, rng
        self.ws = None
        self.page_hash = ""
        self.widgets = {}  # key -> (widget id, fragment id)
        self.values = {}  # widget id -> WidgetState the student has set
        self.timers = {}  # fragment id -> (interval, task)
        self.boundary_block = None  # delta path of the pg_boundary container
        self.picture = None  # the boundary picture last seen
        self.epoch, self.metric_epoch = 0, None
        self.advanced = 0  # epochs trained, over every network the session had
        self.played, self.flipped = 0.0, time.monotonic()  # seconds playing; last Play/Pause
        self.samples = []  # (epoch, train loss text, test loss text) as the server sent them
        self.query_seen = None
        self.playing = False
        self.play_time = None
        self.page_seconds = None  # from opening the connection to a page with Play on it
        # [kind, sent, fragment id, id of the run answering or None, end of a run that
        # may have answered or None]
        self.pending = None
        self.answers = []  # (monotonic time of the action, seconds to its effect, kind)
        self.session_id = self.file_urls = self.upload_at = None
        self.sampling = True  # keep the metrics sent, for the replay
        self.base_url = base_url.rstrip("/")
        self.counts = []  # (time, frames received so far, epoch, bytes received so far)
        self.redraws = 0  # frames received
        self.wire = 0  # bytes received
        self.errors = []
        self.runs = 0
        self.trace = []

    # ---- sending -------------------------------------------------------------------------
    async def send_rerun(self, fragment_id="", auto=False, trigger=None):
        msg = BackMsg()
        rerun = msg.rerun_script
        rerun.query_string = self.query_seen if self.query_seen is not None else self.query
        rerun.page_script_hash = self.page_hash
        rerun.fragment_id = fragment_id
        rerun.is_auto_rerun = auto
        for state in self.values.values():
            rerun.widget_states.widgets.add().CopyFrom(state)
        if trigger is not None:
            rerun.widget_states.widgets.add(id=trigger, trigger_value=True)
        await self.ws.send(msg.SerializeToString())

    async def click(self, key, kind):
        widget_id, fragment_id = self.widgets[key]
        self.pending = [kind, time.monotonic(), fragment_id, None, None]
        await self.send_rerun(fragment_id, trigger=widget_id)

    async def move_speed(self, label):
        widget_id, fragment_id = self.widgets["pg_speed"]
        self.values[widget_id] = string_array_state(widget_id, label)
        self.pending = ["slider", time.monotonic(), fragment_id, None, None]
        self.trace = [("sent", round(time.monotonic(), 2), fragment_id[:6])]
        await self.send_rerun(fragment_id)

    async def upload(self, base_url, data):
        """Choose "Upload a CSV" as the dataset and upload ``data`` as a browser does: ask for
        a file URL, PUT the file there, send the uploader's new state; the time from the PUT
        to the end of the run that answered is the upload's latency."""
        widget_id, fragment_id = self.widgets["pg_dataset"]
        self.values[widget_id] = WidgetState(id=widget_id, string_value="Upload a CSV")
        await self.send_rerun(fragment_id)
        await self.wait_for(lambda: "pg_upload_file" in self.widgets, 60, "uploader")
        msg = BackMsg()
        msg.file_urls_request.request_id = f"upload-{self.number}"
        msg.file_urls_request.file_names.append("class.csv")
        msg.file_urls_request.session_id = self.session_id
        await self.ws.send(msg.SerializeToString())
        await self.wait_for(lambda: self.file_urls is not None, 60, "file URL")
        start = time.monotonic()
        await asyncio.to_thread(put_file, base_url + self.file_urls.upload_url, data)
        widget_id, fragment_id = self.widgets["pg_upload_file"]
        state = WidgetState(id=widget_id)
        info = state.file_uploader_state_value.uploaded_file_info.add(
            name="class.csv", size=len(data), file_id=self.file_urls.file_id)
        info.file_urls.CopyFrom(self.file_urls)
        self.values[widget_id] = state
        self.pending = ["upload", start, fragment_id, None, None]
        await self.send_rerun(fragment_id)
        await self.wait_for(lambda: self.pending is None, 60, "answer to the upload")

    async def timer(self, fragment_id, interval):
        while True:
            await asyncio.sleep(interval)
            await self.send_rerun(fragment_id, auto=True)

    def stop_timer(self, fragment_id):
        interval_task = self.timers.pop(fragment_id, None)
        if interval_task:
            interval_task[1].cancel()

    # ---- receiving -----------------------------------------------------------------------
    def on_message(self, data):
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        now = time.monotonic()
        run = msg.metadata.run
        if kind in ("new_session", "script_finished") and os.environ.get("LOAD_TRACE"):
            self.trace.append((round(now, 2), kind[:3], run.script_run_id[:6],
                               [f[:6] for f in run.fragment_ids], msg.script_finished))
        if kind == "new_session":
            self.on_new_session(msg, run, now)
        elif kind == "navigation":  # the page's own hash, not the entry script's
            self.page_hash = msg.navigation.page_script_hash
        elif kind == "page_info_changed":
            self.query_seen = msg.page_info_changed.query_string
        elif kind == "auto_rerun":
            self.on_auto_rerun(msg.auto_rerun.fragment_id, msg.auto_rerun.interval)
        elif kind == "file_urls_response":
            self.file_urls = msg.file_urls_response.file_urls[0]
        elif kind == "stop_auto_rerun":
            for fragment_id in msg.stop_auto_rerun.fragment_ids:
                self.stop_timer(fragment_id)
        elif kind == "script_finished":
            self.on_script_finished(msg, run, now)
        elif kind == "delta":
            self.on_delta(msg, now)

    def on_new_session(self, msg, run, now):
        self.runs += 1
        self.session_id = self.session_id or msg.new_session.initialize.session_id
        if not run.fragment_ids:  # a full run: the browser drops its timers
            for fragment_id in list(self.timers):
                self.stop_timer(fragment_id)
        p = self.pending
        if p and p[3] is not None:  # fragments queued together run back to back, each
            self.answered(now)  # with its own new_session and one script_finished at last
        elif p and p[3] is None:
            if not run.fragment_ids or p[2] in run.fragment_ids:
                p[3] = run.script_run_id
            elif p[4] is not None:  # the run that ended with a rerun due was the answer
                self.answered(p[4])

    def on_auto_rerun(self, fragment_id, interval):
        if self.timers.get(fragment_id, (None,))[0] != interval:
            self.stop_timer(fragment_id)
            self.timers[fragment_id] = (interval, asyncio.ensure_future(
                self.timer(fragment_id, interval)))

    def on_script_finished(self, msg, run, now):
        p = self.pending
        if p and p[3] == run.script_run_id:
            if msg.script_finished == EARLY_FOR_RERUN:
                # The run ended with another one due: if that one reruns the clicked
                # fragment (or the page), the click is answered when it ends.
                p[3], p[4] = None, now
            else:
                self.answered(now)

    def on_delta(self, msg, now):
        delta, path = msg.delta, tuple(msg.metadata.delta_path)
        if delta.WhichOneof("type") == "add_block":
            if delta.add_block.id.endswith("-pg_boundary"):
                self.boundary_block = path
            return
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        what = element.WhichOneof("type")
        self.on_widget(getattr(getattr(element, what), "id", ""), delta.fragment_id, now)
        if what in ("imgs", "bidi_component") and path[:-1] == self.boundary_block:
            self.on_boundary(element, what)
        elif what == "metric":
            self.on_metric(element.metric.label, element.metric.body)

    def on_widget(self, widget_id, fragment_id, now):
        if not (isinstance(widget_id, str) and widget_id.startswith("$$ID-")):
            return
        key = widget_id.split("-", 2)[2]
        self.widgets[key] = (widget_id, fragment_id)
        if key in ("pg_play", "pg_pause") and self.playing != (key == "pg_pause"):
            self.playing = key == "pg_pause"
            self.played += (now - self.flipped) * (not self.playing)
            self.flipped = now

    def on_boundary(self, element, what):
        """A picture drawn in the boundary's container: a new one is counted as redraws."""
        if what == "imgs":
            url = element.imgs.imgs[0].url if element.imgs.imgs else None
            if url != self.picture:
                self.picture = url
                self.redraws += 1
        else:
            header, _ = unpack(element.bidi_component.bytes)
            if header["id"] != self.picture:
                self.picture = header["id"]
                self.redraws += len(header["epochs"])
                # A tick sends only the board: its frames carry their epochs and metrics.
                for epoch, texts in zip(header["epochs"], header["metrics"]):
                    self.saw_epoch(epoch)
                    # (a state inside an epoch, e.g. 12.4, has no replayable record)
                    if self.sampling and "Test loss" in texts and float(epoch).is_integer():
                        self.samples.append((epoch, texts["Train loss"], texts["Test loss"]))

    def on_metric(self, label, body):
        if label == "Epoch":
            epoch = int(body.replace(",", ""))
            self.saw_epoch(epoch)
            self.metric_epoch = epoch
        elif label == "Train loss" and self.metric_epoch is not None:
            self.train_loss = body
        elif label == "Test loss" and self.metric_epoch is not None and self.sampling:
            self.samples.append((self.metric_epoch, self.train_loss, body))
            self.metric_epoch = None

    def saw_epoch(self, epoch):
        self.advanced += max(epoch - self.epoch, 0)  # a new network starts at 0
        self.epoch = epoch

    def answered(self, when):
        kind, start = self.pending[:2]
        self.answers.append((start, when - start, kind))
        self.pending = None

    async def receive(self):
        async for data in self.ws:
            self.wire += len(data)
            self.on_message(data)

    # ---- a student's behaviour -----------------------------------------------------------
    async def wait_for(self, test, timeout, what):
        start = time.monotonic()
        while not test():
            if time.monotonic() - start > timeout:
                raise TimeoutError(f"no {what} after {timeout} s" + (
                    f" {self.pending} {self.trace[:30]}" if os.environ.get("LOAD_TRACE") else ""))
            await asyncio.sleep(0.02)

    async def run(self, seconds, start_delay):
        await asyncio.sleep(start_delay)
        self.opened = time.monotonic()
        try:
            async with websockets.connect(self.ws_url, subprotocols=["streamlit"],
                                          max_size=None, open_timeout=30) as ws:
                self.ws = ws
                reader = asyncio.ensure_future(self.receive())
                try:
                    await self.behave(seconds)
                finally:
                    for fragment_id in list(self.timers):
                        self.stop_timer(fragment_id)
                    reader.cancel()
        except Exception as exc:  # noqa: BLE001 - reported, never raised
            self.errors.append(f"{type(exc).__name__}: {exc}")

    async def behave(self, seconds):
        end = time.monotonic() + seconds
        await self.send_rerun()
        await self.wait_for(lambda: "pg_play" in self.widgets and self.samples, 60, "page")
        self.page_seconds = time.monotonic() - self.opened
        self.first = self.samples[0]
        await self.click("pg_play", "play")
        await self.wait_for(lambda: self.playing, 60, "Pause button")
        self.play_time = time.monotonic()
        await asyncio.sleep(WARM_UP)
        self.counts.append((self.playing_time(), self.redraws, self.advanced, self.wire))
        actions = 0
        while time.monotonic() < end:
            wait = self.action_every * self.rng.uniform(0.5, 1.5)
            if self.upload_at is not None and time.monotonic() + wait >= self.upload_at:
                await asyncio.sleep(max(self.upload_at - time.monotonic(), 0))
                self.upload_at, self.sampling = None, False  # other points from here on
                await self.upload(self.base_url, upload_data())
                continue
            await asyncio.sleep(min(wait, max(end - time.monotonic(), 0)))
            if time.monotonic() >= end:
                break
            self.counts.append((self.playing_time(), self.redraws, self.advanced, self.wire))
            if actions % 2 == 0:
                await self.click("pg_pause", "pause")
                await self.wait_for(lambda: not self.playing, 30, "Play button")
                await asyncio.sleep(0.5)
                await self.click("pg_play", "play")
                await self.wait_for(lambda: self.playing, 30, "Pause button")
            else:
                await self.move_speed(SLOWER if actions % 4 == 1 else FAST)
                await self.wait_for(lambda: self.pending is None, 30, "answer to the slider")
            actions += 1
        self.counts.append((self.playing_time(), self.redraws, self.advanced, self.wire))

    def playing_time(self):
        return self.played + (time.monotonic() - self.flipped) * self.playing

    def report(self):
        (t0, r0, e0, w0), (t1, r1, e1, w1) = (self.counts[0], self.counts[-1]) \
            if self.counts else ((0, 0, 0, 0), (1, 0, 0, 0))
        span = max(t1 - t0, 1e-9)
        clicks = [latency for _, latency, kind in self.answers if kind != "upload"]
        return {"seed": self.seed, "redraws_per_s": (r1 - r0) / span,
                "epochs_per_s": (e1 - e0) / span, "wire_kb_per_s": (w1 - w0) / span / 1000,
                "epoch": self.epoch, "runs": self.runs,
                "latency_median": statistics.median(clicks) if clicks else None,
                "latency_p95": percentile(clicks, 0.95), "clicks": len(clicks),
                "clicks_s": clicks, "answers": self.answers, "page_seconds": self.page_seconds,
                "query_kept": self.query_seen is not None
                and urllib.parse.parse_qs(self.query_seen).get("seed") == [str(self.seed)],
                "first": getattr(self, "first", None), "samples": self.samples,
                "errors": self.errors}


def string_array_state(widget_id, label):
    state = WidgetState(id=widget_id)
    state.string_array_value.data.append(label)
    return state


def upload_data(size=MAX_FILE_BYTES - 4096):
    """A CSV of two classes just under ``size`` bytes with the most rows and columns the app
    takes: the heaviest legitimate upload (decimals as long as the bytes allow)."""
    columns = MAX_COLUMNS - 1
    rng = random.Random(7)
    digits = min(max(size // MAX_POINTS // columns - 4, 1), 30)  # "-0.", the digits, ","
    rows = [",".join([f"x{j}" for j in range(1, columns + 1)] + ["label"])]
    for i in range(MAX_POINTS - 1):
        cells = [f"{rng.uniform(-1, 1):.{digits}f}" for _ in range(columns)]
        rows.append(",".join(cells + [str(i % 2)]))
    return ("\n".join(rows) + "\n").encode()


def put_file(url, data):
    """PUT ``data`` to a Streamlit upload URL as the browser does (multipart, XSRF token)."""
    health = urllib.request.urlopen(url.split("/_stcore/")[0] + "/_stcore/health", timeout=30)
    cookie = next((c.split(";")[0] for c in health.headers.get_all("Set-Cookie") or []
                   if c.startswith("_streamlit_xsrf=")), "")
    boundary = "load-benchmark-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"class.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode() + data + (
            f"\r\n--{boundary}--\r\n").encode()
    request = urllib.request.Request(url, data=body, method="PUT", headers={
        "Content-Type": f"multipart/form-data; boundary={boundary}", "Cookie": cookie,
        "X-Xsrftoken": cookie.partition("=")[2]})
    urllib.request.urlopen(request, timeout=60).read()


# ---- checks ----------------------------------------------------------------------------------
def replay_check(query, samples, max_epoch=300):
    """(ok, number of samples checked): the metrics a session was sent at epochs up to
    ``max_epoch`` against a replay of its link here, with the app's own logic."""
    from app_logic.session import state_from_link
    from viz.format import format_loss

    state = state_from_link(dict(urllib.parse.parse_qsl(query)), lambda source: None)
    checked = 0
    for epoch, train, test in sorted({s for s in samples if s[0] <= max_epoch}):
        if epoch > state.epoch:
            state.train_for(epoch - state.epoch)
        metrics = state.metrics()
        if (format_loss(metrics["train_loss"]), format_loss(metrics["test_loss"])) != (
                train, test):
            return False, checked
        checked += 1
    return True, checked


# ---- the server ------------------------------------------------------------------------------
def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_pid(port):
    """The process listening on loopback ``port`` (from /proc), or None."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = pathlib.Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                inodes.add(fields[9])
    for proc in pathlib.Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                link = os.readlink(fd)
                if link.startswith("socket:[") and link[8:-1] in inodes:
                    return int(proc.name)
        except OSError:
            continue
    return None


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    for line in pathlib.Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return None


async def monitor(pid, samples, every=1.0):
    """Append (seconds since start, CPU share of one core, RSS MB) every ``every`` s."""
    start = last_t = time.monotonic()
    last_cpu = cpu_seconds(pid)
    while True:
        await asyncio.sleep(every)
        now, cpu = time.monotonic(), cpu_seconds(pid)
        samples.append((now - start, (cpu - last_cpu) / (now - last_t), rss_mb(pid)))
        last_t, last_cpu = now, cpu


def active_sessions(url):
    """The server's own count of open sessions (its /_stcore/metrics), or None."""
    try:
        with urllib.request.urlopen(url + "/_stcore/metrics", timeout=5) as answer:
            text = answer.read().decode()
    except OSError:
        return None
    found = re.search(r"^active_sessions (\d+)", text, re.MULTILINE)
    return int(found.group(1)) if found else None


async def visit(url):
    """One short session that opens the page and leaves (warms the server up; a save of a
    session into the reconnect store also drops the expired ones)."""
    student = Student(-1, url, "", 1e9, random.Random(0))
    async with websockets.connect(student.ws_url, subprotocols=["streamlit"],
                                  max_size=None, open_timeout=30) as ws:
        student.ws = ws
        reader = asyncio.ensure_future(student.receive())
        await student.send_rerun()
        await student.wait_for(lambda: student.samples, 60, "page")
        reader.cancel()


# ---- the run ---------------------------------------------------------------------------------
async def load(url, pid, sessions, seconds, extra_query, action_every, ttl, ramp, uploads=0):
    rng = random.Random(1)
    # One student plays briefly and leaves first: the first page load and the first play
    # import modules and fill caches once per process; "idle" is the process after that.
    warm = Student(-1, url, extra_query, 1e9, random.Random(0))
    await warm.run(WARM_UP + 2.0, 0.0)
    await asyncio.sleep(ttl + 1)
    await visit(url)
    await asyncio.sleep(1.0)
    idle = rss_mb(pid)
    samples = []
    watcher = asyncio.ensure_future(monitor(pid, samples))
    students = [Student(i, url, extra_query, action_every, random.Random(i))
                for i in range(sessions)]
    for s in students[:uploads]:
        s.upload_at = time.monotonic() + ramp + WARM_UP + seconds / 3
    await asyncio.gather(*(s.run(seconds, rng.uniform(0, ramp)) for s in students))
    watcher.cancel()
    loaded = rss_mb(pid)
    # Streamlit keeps a closed session for ttl seconds, for a reconnect; then the next
    # session that closes drops it.
    await asyncio.sleep(ttl + 1)
    await visit(url)
    await asyncio.sleep(2.0)
    return students, samples, {"idle": idle, "loaded": loaded, "after": rss_mb(pid),
                               "sessions_after": active_sessions(url)}


def summarise(students, samples, rss, replay_epochs):
    sessions = []
    for s in students:
        r = s.report()
        ok, checked = (replay_check(s.query, r["samples"], replay_epochs) if r["samples"]
                       else (False, 0))
        r["replay_ok"], r["replay_checked"] = ok, checked
        del r["samples"]
        sessions.append(r)
    firsts = [r["first"][1:] for r in sessions if r["first"]]
    steady = [c for t, c, _ in samples]
    rsses = [m for _, _, m in samples]
    return {"sessions": sessions, "server": {
        "cpu_median": statistics.median(steady) if steady else None,
        "cpu_max": max(steady) if steady else None,
        "rss_idle": rss["idle"], "rss_loaded": rss["loaded"], "rss_after": rss["after"],
        "sessions_after": rss["sessions_after"],
        "rss_max": max(rsses) if rsses else None, "samples": samples},
        "uploads": [x for s in students for _, x, kind in s.answers if kind == "upload"],
        "isolated": len(set(firsts)) == len(firsts) == len(sessions)
        and all(r["query_kept"] and r["replay_ok"] for r in sessions)}


def print_report(result, seconds):
    sessions = result["sessions"]
    print(f"{'seed':>6} {'frames/s':>9} {'wire kB/s':>9} {'epochs/s':>9} {'click med':>9} "
          f"{'p95':>6} {'clicks':>6} {'epoch':>7} {'replay':>7}  errors")
    for r in sessions:
        med = "-" if r["latency_median"] is None else f"{r['latency_median']:.2f}"
        p95 = "-" if r["latency_p95"] is None else f"{r['latency_p95']:.2f}"
        print(f"{r['seed']:>6} {r['redraws_per_s']:9.1f} {r['wire_kb_per_s']:9.1f} "
              f"{r['epochs_per_s']:9.0f} {med:>9} "
              f"{p95:>6} {r['clicks']:>6} {r['epoch']:>7} "
              f"{'ok' if r['replay_ok'] else 'WRONG':>4}/{r['replay_checked']:<2} "
              f"{'; '.join(r['errors'])}")
    redraws = [r["redraws_per_s"] for r in sessions]
    epochs = [r["epochs_per_s"] for r in sessions]
    clicks = [r["latency_p95"] for r in sessions if r["latency_p95"] is not None]
    server = result["server"]
    print(f"{len(sessions)} sessions for {seconds:g} s")
    wire = [r["wire_kb_per_s"] for r in sessions]
    print(f"frames/s received per session: median {statistics.median(redraws):.1f}, "
          f"worst {min(redraws):.1f}")
    print(f"wire kB/s per session: median {statistics.median(wire):.1f}, "
          f"max {max(wire):.1f}")
    print(f"epochs/s per session:  median {statistics.median(epochs):.0f}, "
          f"worst {min(epochs):.0f}")
    every = [x for r in sessions for x in r["clicks_s"]]
    if every:
        print(f"click-to-effect, all {len(every)} clicks: median "
              f"{statistics.median(every):.2f} s, p95 {percentile(every, 0.95):.2f} s, "
              f"max {max(every):.2f} s; per session p95: median "
              f"{statistics.median(clicks):.2f} s, worst {max(clicks):.2f} s")
    pages = [r["page_seconds"] for r in sessions if r["page_seconds"] is not None]
    first_plays = [r["answers"][0][1] for r in sessions
                   if r["answers"] and r["answers"][0][2] == "play"]
    if pages and first_plays:  # the class arriving at once: each page, then its first Play
        print(f"first page: median {statistics.median(pages):.2f} s, p95 "
              f"{percentile(pages, 0.95):.2f} s, max {max(pages):.2f} s; first Play: median "
              f"{statistics.median(first_plays):.2f} s, p95 {percentile(first_plays, 0.95):.2f} s")
    if result["uploads"]:
        up = result["uploads"]
        print(f"2 MB uploads: {len(up)} answered, median {statistics.median(up):.2f} s, "
              f"max {max(up):.2f} s (from the upload to the page's answer)")
    print(f"server CPU (share of one core): median {server['cpu_median']:.2f}, "
          f"max {server['cpu_max']:.2f}")
    print(f"server RSS MB: idle {server['rss_idle']:.0f}, max {server['rss_max']:.0f}, "
          f"all connected {server['rss_loaded']:.0f}, after all left {server['rss_after']:.0f} "
          f"({server['sessions_after']} sessions open)")
    print(f"isolation (own link, own numbers, every first loss different): "
          f"{'ok' if result['isolated'] else 'FAILED'}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--url", help="a running server (loopback); default: start one")
    parser.add_argument("--pid", type=int, help="the server's process (default: found)")
    parser.add_argument("--query", default="", help="more URL parameters, e.g. hidden=8,8")
    parser.add_argument("--action-every", type=float, default=5.0,
                        help="seconds between a student's clicks (on average)")
    parser.add_argument("--ramp", type=float, default=2.0,
                        help="students arrive spread over this many seconds")
    parser.add_argument("--ttl", type=float, default=None,
                        help="the server's server.disconnectedSessionTTL (own server: 10)")
    parser.add_argument("--replay-epochs", type=int, default=300,
                        help="check the metrics sent up to this epoch against a replay")
    parser.add_argument("--uploads", type=int, default=0,
                        help="this many students upload a 2 MB CSV at the same moment, "
                             "a third of the way into the run")
    parser.add_argument("--json", help="write the whole result here")
    parser.add_argument("--server-log", help="keep the started server's log here")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= MAX_SESSIONS or not 0 < args.seconds <= MAX_SECONDS:
        parser.error(f"1..{MAX_SESSIONS} sessions and up to {MAX_SECONDS} seconds")
    proc, log = None, None
    if args.url:
        host = urllib.parse.urlparse(args.url).hostname
        if host not in ("127.0.0.1", "localhost", "::1"):
            parser.error("loopback only: --url must be on 127.0.0.1 or localhost")
        url, ttl = args.url, 120 if args.ttl is None else args.ttl
        pid = args.pid or listening_pid(urllib.parse.urlparse(url).port or 80)
        if pid is None:
            parser.error("cannot find the server's process; give --pid")
    else:
        ttl = 10 if args.ttl is None else args.ttl
        log = (open(args.server_log, "w+") if args.server_log
               else tempfile.NamedTemporaryFile("w+", suffix=".log", prefix="load-server-"))
        proc, url = start_app(log=log, options=("--server.disconnectedSessionTTL", str(int(ttl))))
        pid = proc.pid
    try:
        students, samples, rss = asyncio.run(load(
            url, pid, args.sessions, args.seconds, args.query, args.action_every, ttl,
            args.ramp, args.uploads))
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(15)
    result = summarise(students, samples, rss, args.replay_epochs)
    if log is not None:
        log.seek(0)
        result["server_log_errors"] = [line.rstrip() for line in log
                                       if any(word in line for word in LOG_ERRORS)]
    print_report(result, args.seconds)
    if log is not None:
        print(f"server log: {len(result['server_log_errors'])} error lines")
        for line in result["server_log_errors"][:10]:
            print("   ", line)
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=1))
    if log is not None:
        log.close()
    return result


if __name__ == "__main__":
    main()
