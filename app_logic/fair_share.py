"""One server's CPU shared fairly among the sessions that are playing.

A Streamlit server is one Python process: every session's script runs in a thread of it,
and its Python code runs on about one core however many the machine has. A playing session
reruns its live board every tick (train a little, then send the states it passed through);
with one session that is about 3 ticks a second, each training for 0.15 s. Twenty sessions doing
the same would ask for ten cores' worth: every tick and every click would wait in the queue.

So the process keeps one ``FairShare``: every tick of a playing session checks in and is
told how long to wait until its next tick and how long to train in this one. With ``n``
sessions playing:
- the tick interval is the shortest of ``TICKS`` at which drawing for all of them takes at
  most ``DRAW_SHARE`` of the core, but never longer than the last one (1.5 s: a tick then
  brings a strip of up to 30 recorded states, so the board still moves);
- training gets what is left of ``CPU_SHARE`` after the drawing, split evenly, and never
  more per second than one session alone takes (``MAX_TRAIN_RATE``).
What a drawn tick costs is measured, not assumed: the registry reads the process's CPU time
every ``WINDOW`` seconds, takes away the heavy work done meanwhile (training, reading
files: ``heavy`` times itself) and divides the rest by the ticks counted. Everything else
the server did (Streamlit's own work for each rerun, sending the messages, redrawing the
charts, answering clicks) is charged to the ticks, so a busier server ticks less often
instead of falling behind: on the 2-core machine a tick cost about four times the first
guess (``DRAW_SECONDS``) once twenty sessions played, and with the guess the core was full,
ticks came late and each student trained 4 epochs a second.
The rest of the core answers clicks, draws charts and sends the pages. Sessions train (and
read uploaded files) one at a time (``heavy``, a lock): Python runs one thread at a time
anyway, and a click's run then waits behind one training loop or one file instead of all of
them. One session alone gets a tick every 0.3 s training 0.15 s: fewer, fuller ticks, since
every tick costs the browser a run of Streamlit's page code (tens of milliseconds of its
main thread) whatever it carries; a browser on the same two cores as the server painted
30 frames a second with a tick every 0.05 s, about 50 with one every 0.2 s and about 55
with one every 0.3 s (benchmarks/live_fps.py).

A session that stops checking in (it paused, or its browser is gone: ticks come from the
browser's timer, so a closed tab sends none) stops counting after ``EXPIRY`` seconds; a
pause tells the registry at once (``leave``). A session moves to a shorter interval only
after the shorter one has been due for ``SETTLE`` seconds, so sessions that come and go do
not make every view redraw its timers back and forth (new timers take a run of the whole
page); a longer one applies at once, once the current one is clearly too short (drawing
over its share by OVERLOAD): a measured cost that wavers does not move the timers.

``REGISTRY`` is the one piece of mutable state at module level in the app, on purpose: it
describes the process's shared CPU, not any session's state, and sessions only ever put
their own key, a time and an interval in it. Sessions run in threads, so a lock guards it.
"""

import collections
import contextlib
import threading
import time
from dataclasses import dataclass

TICKS = (0.3, 0.45, 0.7, 1.0, 1.5)  # tick intervals, shortest first (s)
DRAW_SECONDS = 0.01  # CPU time of one drawn tick until measured (and for one session alone)
MAX_DRAW_SECONDS = 0.2  # a measured tick cost above this is a burst of other work
WINDOW = 2.0  # seconds between two measurements of the cost of a tick
MIN_WINDOW_TICKS = 10  # fewer ticks in a window measure too little to go by
DRAW_SHARE = 0.35  # of the core, at most, for drawing ticks
CPU_SHARE = 0.9  # of the core for drawing and training together
MAX_TRAIN_RATE = 0.5  # training seconds per second for one session (0.15 s per 0.3 s)
MIN_TRAIN_SHARE = 0.2  # the core's share for training however many sessions play
SLOW_TICKS = 4  # with others playing, the curves and the network redraw at most every 4 ticks
OVERLOAD = 1.3  # drawing over DRAW_SHARE by this factor before timers are made longer
PAGE_WAIT = 3.0  # seconds a run of a whole page waits for the others before it runs anyway
EXPIRY = 5.0  # seconds without a tick after which a session no longer counts
SETTLE = 5.0  # seconds a shorter interval must be due before a session moves to it


@dataclass(frozen=True)
class Share:
    playing: int  # sessions playing in this process, this one included
    interval: float  # seconds until this session's next tick
    train_seconds: float  # training time for this tick
    slow_interval: float  # the curves and the network redraw at most this often
    # Seconds since this session's previous check-in (None: the first). A browser busy
    # drawing charts sends its ticks later than asked; the tick then covers the whole gap.
    since_last: float | None = None


def interval_for(n, draw_seconds=DRAW_SECONDS):
    """The shortest tick interval at which ``n`` playing sessions, each tick costing
    ``draw_seconds``, draw within DRAW_SHARE."""
    for interval in TICKS:
        if n * draw_seconds <= DRAW_SHARE * interval + 1e-12:
            return interval
    return TICKS[-1]


def train_seconds_for(n, interval, draw_seconds=DRAW_SECONDS):
    """Training time per tick for each of ``n`` sessions ticking every ``interval``."""
    left = max(CPU_SHARE - n * draw_seconds / interval, MIN_TRAIN_SHARE)
    return min(MAX_TRAIN_RATE, left / max(n, 1)) * interval


class FairLock:
    """A re-entrant lock handed over in the order it was asked for. threading's locks are
    not: with twenty sessions waiting to train, the one that just let go often takes it
    again, and a session could wait for seconds (and a click queued behind its tick with
    it: a class board's answer took 25 s)."""

    def __init__(self):
        self._changed = threading.Condition(threading.Lock())
        self._waiting = collections.deque()  # thread idents, first come first
        self._owner, self._depth = None, 0

    def acquire(self, blocking=True, timeout=None):
        """Whether it is now held: False if not ``blocking`` and it is taken, or after
        ``timeout`` seconds of waiting (None: no limit)."""
        me = threading.get_ident()
        with self._changed:
            if self._owner == me:
                self._depth += 1
                return True
            if self._owner is None and not self._waiting:
                self._owner, self._depth = me, 1
                return True
            if not blocking:
                return False
            self._waiting.append(me)
            deadline = None if timeout is None else time.monotonic() + timeout
            try:
                while self._owner is not None or self._waiting[0] != me:
                    left = None if deadline is None else deadline - time.monotonic()
                    if left is not None and left <= 0:
                        self._leave_queue(me)
                        return False
                    self._changed.wait(left)
            except BaseException:
                self._leave_queue(me)
                raise
            self._waiting.popleft()
            self._owner, self._depth = me, 1
            return True

    def _leave_queue(self, me):
        """A waiter that gives up (its time is up, or its run is stopped) must not hold up
        the ones behind it. Called holding ``_changed``."""
        self._waiting.remove(me)
        self._changed.notify_all()

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()
        return False

    def release(self):
        with self._changed:
            if self._owner != threading.get_ident():
                raise RuntimeError("release of a FairLock this thread does not hold")
            self._depth -= 1
            if self._depth == 0:
                self._owner = None
                self._changed.notify_all()


class HeavyWork:
    """A re-entrant lock, served first come first, that adds the CPU time of the work done
    while holding it to ``seconds`` (the outermost hold only: reading an upload, then
    parsing it, counts once)."""

    def __init__(self, cpu_clock):
        self.lock = FairLock()
        self.cpu_clock = cpu_clock
        self.seconds = 0.0
        self._depth = 0
        self._start = 0.0

    def __enter__(self):
        self.lock.acquire()
        self._depth += 1
        if self._depth == 1:
            self._start = self.cpu_clock()
        return self

    def free(self):
        """Whether no other session holds it now (a click's run trains only then)."""
        if not self.lock.acquire(blocking=False):
            return False
        self.lock.release()
        return True

    def __exit__(self, *exc):
        self._depth -= 1
        if self._depth == 0:
            self.seconds += max(0.0, self.cpu_clock() - self._start)
        self.lock.release()
        return False


class FairShare:
    """The playing sessions of this process: key -> (last tick, since when a shorter
    interval is due or None)."""

    def __init__(self, clock=time.monotonic, cpu_clock=time.process_time):
        self.clock = clock
        self.lock = threading.Lock()
        self.seen = {}
        # One session does heavy work (trains, reads an uploaded file) at a time: the others
        # wait without holding the interpreter, so a click's run competes with one training
        # loop or one file, not with twenty. Its CPU time is taken out of a tick's cost.
        # The thread's CPU clock: the holder's own work, not the other sessions' meanwhile.
        self.heavy = HeavyWork(time.thread_time if cpu_clock is time.process_time
                               else cpu_clock)
        # Runs of a whole page (a class opening the link: about 0.1 s of the core each) go
        # one at a time, first come first. Side by side, forty of them share the core and
        # all end after about 4 s, and every click and tick meanwhile waits behind all of
        # them; one after another, the first page is ready after 0.1 s, the last after 4 s
        # as before, and a click competes with one page, not forty.
        self.pages = FairLock()
        self.cpu_clock = cpu_clock
        self.draw_seconds = DRAW_SECONDS  # what a tick costs the process, as last measured
        self.ticks = 0
        self._window = None  # (wall time, process CPU, ticks, heavy seconds) at its start

    @contextlib.contextmanager
    def page_run(self, wait=PAGE_WAIT):
        """Around a run of a whole page: the others' runs first, up to ``wait`` seconds (a
        page that takes long must not hold up every new student)."""
        held = self.pages.acquire(timeout=wait)
        try:
            yield
        finally:
            if held:
                self.pages.release()

    def _measure(self, now):
        """Every WINDOW seconds: the process's CPU time outside heavy work, per tick."""
        cpu, heavy = self.cpu_clock(), self.heavy.seconds
        if self._window is None:
            self._window = (now, cpu, self.ticks, heavy)
            return
        start, cpu_start, ticks_start, heavy_start = self._window
        if now - start < WINDOW:
            return
        ticks = self.ticks - ticks_start
        if ticks >= MIN_WINDOW_TICKS:
            cost = max(0.0, (cpu - cpu_start) - (heavy - heavy_start)) / ticks
            measured = min(MAX_DRAW_SECONDS, max(DRAW_SECONDS, cost))
            self.draw_seconds = (self.draw_seconds + measured) / 2  # one busy window: half
        self._window = (now, cpu, self.ticks, heavy)

    def cost(self, n):
        """Seconds of the process one tick costs with ``n`` sessions playing: one session
        alone has the core to itself and ticks as it always did."""
        return DRAW_SECONDS if n <= 1 else self.draw_seconds

    def _playing(self, now):
        for key in [k for k, (t, _) in self.seen.items() if now - t > EXPIRY]:
            del self.seen[key]
        return len(self.seen)

    def tick(self, key, current=None):
        """Check in a tick of the playing session ``key`` whose timer runs every
        ``current`` seconds (None: no timer yet); its Share."""
        with self.lock:
            now = self.clock()
            previous, shorter_since = self.seen.get(key, (None, None))
            self.seen[key] = (now, shorter_since)
            self.ticks += 1
            self._measure(now)
            n = self._playing(now)
            draw = self.cost(n)
            interval = interval_for(n, draw)
            if current is not None and interval > current and \
                    n * draw <= OVERLOAD * DRAW_SHARE * current:
                interval = current  # a little over the share: new timers would cost more
            if current is not None and interval < current:
                if shorter_since is None:
                    self.seen[key] = (now, now)
                if now - (shorter_since or now) < SETTLE:
                    interval = current
            else:
                self.seen[key] = (now, None)
        since_last = None if previous is None else now - previous
        return Share(n, interval, train_seconds_for(n, interval, draw),
                     SLOW_TICKS * interval if n > 1 else 0.0, since_last)

    def leave(self, key):
        """The session ``key`` paused or left: it no longer counts."""
        with self.lock:
            self.seen.pop(key, None)

    def playing(self):
        with self.lock:
            return self._playing(self.clock())


REGISTRY = FairShare()  # this process's (see the module's docstring)
