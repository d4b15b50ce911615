"""The server's CPU shared among playing sessions (app_logic/fair_share.py)."""

import threading
import time

import pytest

from app_logic import fair_share as fs


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


@pytest.fixture
def share():
    clock = Clock()
    registry = fs.FairShare(clock)
    registry.clock_ = clock
    return registry


def test_one_session_alone_ticks_every_0_3_s_training_half_the_time(share):
    s = share.tick("a")
    assert (s.playing, s.interval) == (1, 0.3)
    assert s.train_seconds == pytest.approx(0.15)


def test_more_sessions_tick_less_often_but_send_a_strip_every_few_seconds():
    for n in range(1, 201):
        interval = fs.interval_for(n)
        assert interval <= fs.TICKS[-1]  # a strip of recorded states every 1.5 s at least
        assert fs.train_seconds_for(n, interval) > 0
        if n > 1:
            assert interval >= fs.interval_for(n - 1)
    # up to twenty sessions, drawing and training stay within the planned share of the core
    for n in range(1, 21):
        interval = fs.interval_for(n)
        load = n * (fs.DRAW_SECONDS + fs.train_seconds_for(n, interval)) / interval
        assert load <= fs.CPU_SHARE + 1e-9


def test_every_playing_session_gets_the_same_share(share):
    shares = [share.tick(k) for k in "abcdefghij"]
    last = [share.tick(k) for k in "abcdefghij"]
    assert {s.playing for s in last} == {10}
    assert len({(s.interval, s.train_seconds) for s in last}) == 1
    assert shares[0].playing == 1 and shares[-1].playing == 10


def test_a_session_not_seen_for_a_while_stops_counting(share):
    for k in "abc":
        share.tick(k)
    share.clock_.now += fs.EXPIRY / 2
    share.tick("a")
    share.clock_.now += fs.EXPIRY / 2 + 0.1  # b and c have sent no tick for longer than EXPIRY
    assert share.tick("a").playing == 1
    assert share.playing() == 1


def test_a_pause_leaves_at_once(share):
    share.tick("a")
    share.tick("b")
    share.leave("b")
    share.leave("nobody")  # leaving twice, or without playing, is harmless
    assert share.playing() == 1


def test_a_longer_interval_applies_at_once_a_shorter_one_after_settling(share):
    others = "bcdefghijklmnop"
    for k in "a" + others:
        share.tick(k)
    current = fs.interval_for(16)
    assert current > fs.TICKS[0]
    assert share.tick("a", current=fs.TICKS[0]).interval == current  # at once
    for k in others:
        share.leave(k)
    assert share.tick("a", current=current).interval == current  # not yet
    share.clock_.now += fs.SETTLE / 2
    assert share.tick("a", current=current).interval == current
    share.clock_.now += fs.SETTLE / 2 + 0.1
    assert share.tick("a", current=current).interval == fs.TICKS[0]


def test_ten_sessions_still_redraw_three_times_a_second():
    assert fs.interval_for(10) == 0.3 and fs.interval_for(11) == 0.45


def test_heavy_work_is_one_session_at_a_time_and_nests_within_one():
    share = fs.FairShare()
    started, other_ran = threading.Event(), threading.Event()

    def other_session():
        started.set()
        with share.heavy:
            other_ran.set()

    with share.heavy:
        with share.heavy:  # reading an upload, then parsing it: no deadlock
            thread = threading.Thread(target=other_session)
            thread.start()
            started.wait(5)
            assert not other_ran.wait(0.2)  # it waits while this session works
    assert other_ran.wait(5)
    thread.join(5)


def _queue_up(lock, names, order, holds=1):
    """Threads named ``names`` asking for ``lock`` one after another (each waiting in line
    before the next asks); each takes it ``holds`` times in turn, noting its name."""
    threads = []
    for name in names:
        def session(name=name):
            for _ in range(holds):
                with lock:
                    order.append(name)
                    time.sleep(0.002)
        thread = threading.Thread(target=session)
        thread.start()
        deadline = time.monotonic() + 5
        while thread.ident not in lock._waiting and time.monotonic() < deadline:
            time.sleep(0.001)
        threads.append(thread)
    return threads


def test_sessions_get_the_heavy_lock_in_the_order_they_asked():
    lock = fs.FairLock()
    order = []
    with lock:
        threads = _queue_up(lock, "abcdefgh", order)
    for thread in threads:
        thread.join(5)
    assert order == list("abcdefgh")


def test_a_session_that_lets_go_waits_behind_the_others():
    """threading.Lock lets the thread that released take it straight back; a training
    session asking again goes to the back of the line."""
    lock = fs.FairLock()
    order = []
    with lock:
        threads = _queue_up(lock, "abc", order, holds=3)
    for thread in threads:
        thread.join(5)
    assert order == list("abc" * 3)
    assert lock.acquire(blocking=False)
    lock.release()


def test_a_waiter_that_gives_up_does_not_hold_up_the_line():
    lock = fs.FairLock()
    order, quitter_failed = [], []
    plain_wait = lock._changed.wait

    def wait(timeout=None):
        if threading.current_thread().name == "quitter":
            raise KeyboardInterrupt  # its run is stopped while it waits in line
        return plain_wait(timeout)

    def quitter():
        try:
            lock.acquire()
        except KeyboardInterrupt:
            quitter_failed.append(True)

    lock._changed.wait = wait
    with lock:
        thread = threading.Thread(target=quitter, name="quitter")
        thread.start()
        thread.join(5)
        threads = _queue_up(lock, "xy", order)
    for thread in threads:
        thread.join(5)
    assert quitter_failed and order == ["x", "y"] and not lock._waiting
    with pytest.raises(RuntimeError):
        lock.release()


def test_a_waiter_with_a_timeout_gives_up_and_leaves_the_line():
    lock = fs.FairLock()
    got = []
    with lock:
        thread = threading.Thread(target=lambda: got.append(lock.acquire(timeout=0.05)))
        thread.start()
        thread.join(5)
        assert got == [False] and not lock._waiting
    assert lock.acquire(blocking=False)  # the line is empty behind the holder that left
    lock.release()


def test_whole_page_runs_go_one_at_a_time_unless_one_holds_on_too_long():
    share = fs.FairShare()
    inside, order = threading.Event(), []

    def page(name, hold=None):
        with share.page_run():
            order.append(name)
            inside.set()
            if hold is not None:
                hold.wait(5)

    let_go = threading.Event()
    first = threading.Thread(target=page, args=("first", let_go))
    first.start()
    inside.wait(5)
    second = threading.Thread(target=page, args=("second",))
    second.start()
    second.join(0.2)
    assert order == ["first"]  # waits while the first page runs ...
    let_go.set()
    for thread in (first, second):
        thread.join(5)
    assert order == ["first", "second"]  # ... and runs right after it

    stuck = threading.Event()
    inside.clear()
    holder = threading.Thread(target=page, args=("stuck", stuck))
    holder.start()
    inside.wait(5)
    with share.page_run(wait=0.05):  # a page that takes long holds up no one for long
        order.append("impatient")
    assert order[-1] == "impatient" and holder.is_alive()
    stuck.set()
    holder.join(5)
    assert share.pages.acquire(blocking=False) and not share.pages._waiting  # free again
    share.pages.release()


def test_a_tick_knows_how_long_ago_the_sessions_previous_one_was(share):
    assert share.tick("a").since_last is None
    share.clock_.now += 0.3  # the browser sent this tick late
    assert share.tick("a").since_last == pytest.approx(0.3)
    assert share.tick("b").since_last is None  # another session's first tick
    share.leave("a")
    assert share.tick("a").since_last is None


class CPU:
    """The process's CPU clock in a test: advanced by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _play(registry, clock, cpu, keys, seconds, tick_cost, heavy_per_tick=0.0):
    """Every session in ``keys`` ticks every 0.1 s for ``seconds``; each tick costs the
    process ``tick_cost`` of CPU plus ``heavy_per_tick`` of heavy work."""
    shares = []
    for _ in range(round(seconds / 0.1)):
        clock.now += 0.1
        for key in keys:
            cpu.now += tick_cost
            with registry.heavy:
                cpu.now += heavy_per_tick
            shares.append(registry.tick(key))
    return shares


def test_the_cost_of_a_tick_is_measured_and_busier_servers_tick_less_often():
    clock, cpu = Clock(), CPU()
    registry = fs.FairShare(clock, cpu_clock=cpu)
    keys = [f"s{i}" for i in range(20)]
    first = _play(registry, clock, cpu, keys, 0.5, tick_cost=0.01)[-1]
    assert first.interval == fs.interval_for(20)  # the first guess, before any measurement
    # Each tick really costs 40 ms (Streamlit's rerun, sending, charts), training aside.
    last = _play(registry, clock, cpu, keys, 12, tick_cost=0.04, heavy_per_tick=0.02)[-1]
    assert registry.draw_seconds == pytest.approx(0.04, rel=0.05)  # heavy work not charged
    assert last.interval > first.interval
    assert last.interval == fs.interval_for(20, registry.draw_seconds)
    # planned drawing for everyone stays within the core, whatever a tick costs
    assert 20 * registry.draw_seconds / last.interval <= 1.0
    assert last.train_seconds == pytest.approx(
        fs.train_seconds_for(20, last.interval, registry.draw_seconds))


def test_one_session_alone_keeps_its_ticks_however_much_a_tick_costs():
    clock, cpu = Clock(), CPU()
    registry = fs.FairShare(clock, cpu_clock=cpu)
    last = _play(registry, clock, cpu, ["a"], 30, tick_cost=0.05)[-1]
    assert registry.draw_seconds > fs.DRAW_SECONDS  # measured, yet one session alone...
    assert (last.interval, last.train_seconds) == (0.3, pytest.approx(0.15))


def test_a_burst_of_other_work_moves_the_estimate_only_halfway_and_within_bounds():
    clock, cpu = Clock(), CPU()
    registry = fs.FairShare(clock, cpu_clock=cpu)
    keys = ["a", "b", "c"]
    _play(registry, clock, cpu, keys, 2.1, tick_cost=0.01)
    cpu.now += 100.0  # a page load storm: far more than any tick
    _play(registry, clock, cpu, keys, 2.1, tick_cost=0.01)
    assert registry.draw_seconds <= (fs.DRAW_SECONDS + fs.MAX_DRAW_SECONDS) / 2 + 1e-9
    _play(registry, clock, cpu, keys, 20, tick_cost=0.01)
    assert registry.draw_seconds == pytest.approx(fs.DRAW_SECONDS, rel=0.01)


def test_heavy_work_counts_its_cpu_time_once_when_nested():
    cpu = CPU()
    heavy = fs.HeavyWork(cpu)
    with heavy:
        cpu.now += 1.0
        with heavy:
            cpu.now += 2.0
    assert heavy.seconds == pytest.approx(3.0)
