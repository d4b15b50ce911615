"""The server's CPU shared among playing sessions (app_logic/fair_share.py)."""

import threading

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


def test_one_session_alone_ticks_and_trains_as_it_always_did(share):
    s = share.tick("a")
    assert (s.playing, s.interval) == (1, 0.05)
    assert s.train_seconds == pytest.approx(0.03)


def test_more_sessions_tick_less_often_but_redraw_at_least_twice_a_second():
    for n in range(1, 201):
        interval = fs.interval_for(n)
        assert interval <= 0.5  # at least two redraws a second
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
    for k in "abcd":
        share.tick(k)
    assert share.tick("a", current=0.05).interval == fs.interval_for(4)  # at once
    for k in "bcd":
        share.leave(k)
    current = fs.interval_for(4)
    assert share.tick("a", current=current).interval == current  # not yet
    share.clock_.now += fs.SETTLE / 2
    assert share.tick("a", current=current).interval == current
    share.clock_.now += fs.SETTLE / 2 + 0.1
    assert share.tick("a", current=current).interval == 0.05


def test_seven_sessions_still_redraw_five_times_a_second():
    assert fs.interval_for(7) == 0.2 and fs.interval_for(8) == 0.3


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


def test_a_tick_knows_how_long_ago_the_sessions_previous_one_was(share):
    assert share.tick("a").since_last is None
    share.clock_.now += 0.3  # the browser sent this tick late
    assert share.tick("a").since_last == pytest.approx(0.3)
    assert share.tick("b").since_last is None  # another session's first tick
    share.leave("a")
    assert share.tick("a").since_last is None
