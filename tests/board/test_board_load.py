"""The board's load client against deploy/serve, briefly: students submit while playing,
one worker is killed, and no acknowledged submission is lost or stored twice; the board's
refresh keeps answering with and without new submissions. Counts only:
nothing here depends on how fast the machine is."""

import os
import pathlib
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import board_load  # noqa: E402

NGINX = "/usr/sbin/nginx"


def test_students_submit_through_two_workers_and_one_is_killed(tmp_path):
    if not os.path.exists(NGINX):
        if os.environ.get("CI"):
            pytest.fail(f"{NGINX} is missing; .ci/run must install Debian's nginx")
        pytest.skip("nginx not installed")
    result = board_load.main(["--students", "6", "--runs", "2", "--kill-after", "7",
                              "--board-size", "40", "--refresh-seconds", "5", "--start-after", "12",
                              "--json", str(tmp_path / "board.json")])
    assert result["acknowledged"] >= 3, result
    assert result["lost"] == [] and result["stored_twice"] == 0, result
    assert result["refused"] == [], result
    assert result["stored"] >= result["acknowledged"]
    assert result["never_visible"] == 0 and result["visible_checked"] > 0, result
    assert result["kill"]["pid"] is not None
    assert result["worker_log_errors"] == []
    steady, changing = result["refresh_unchanged"], result["refresh_changing"]
    assert steady["rows"] == 40 and steady["errors"] == [] and steady["refreshes"] >= 2
    # An unchanged board is only checked (its version read); a changing one is sent again.
    assert changing["rows"] > 40 and changing["refreshes"] >= 2
    assert steady["kb_per_refresh"] * 5 < changing["kb_per_refresh"], result
