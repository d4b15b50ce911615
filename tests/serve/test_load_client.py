"""The load benchmark's client against a real server, briefly: every simulated student gets
its own Playground, which trains and redraws, with its own numbers, and the server's memory
is released when they have left. Nothing here depends on how fast the machine is."""

import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import load  # noqa: E402


def test_three_students_play_on_one_server(tmp_path):
    result = load.main(["--sessions", "3", "--seconds", "10", "--ttl", "3", "--action-every",
                        "3", "--json", str(tmp_path / "load.json")])
    sessions = result["sessions"]
    assert len(sessions) == 3
    for s in sessions:
        assert s["errors"] == [], s
        assert s["epoch"] > 0 and s["epochs_per_s"] > 0 and s["redraws_per_s"] > 0, s
        assert s["clicks"] >= 1, s  # every click was answered
        assert s["query_kept"] and s["replay_ok"] and s["replay_checked"] >= 1, s
    assert len({s["first"] for s in sessions}) == 3  # each seed its own first loss
    assert result["isolated"]
    assert result["server_log_errors"] == []
    server = result["server"]
    assert server["sessions_after"] == 0  # the server itself has dropped every session
    # What the process keeps after they have left is freed heap that glibc and Python keep
    # for reuse, not the sessions: it does not grow past what the process held while they
    # played, give or take what the allocator does with its free lists (seen up to 24 MB
    # above the peak, which is sampled once a second).
    assert server["rss_after"] <= max(server["rss_max"], server["rss_loaded"]) + 40
