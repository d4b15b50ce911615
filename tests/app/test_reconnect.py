"""Who is told that the session was lost and rebuilt from the link (ui/reconnect.py)."""

from ui.reconnect import COOKIE, MARKER, came_back


def test_the_reload_after_a_fatal_connection_error_came_back():
    assert came_back({MARKER: "1", "seed": "3"}, {}, server_id="this")


def test_a_browser_that_last_saw_another_server_process_came_back():
    assert came_back({"seed": "3"}, {COOKIE: "restarted"}, server_id="this")


def test_a_first_visit_a_new_tab_and_a_reload_did_not():
    assert not came_back({"seed": "3"}, {}, server_id="this")  # no cookie yet
    assert not came_back({"seed": "3"}, {COOKIE: "this"}, server_id="this")
    assert not came_back({}, {COOKIE: ""}, server_id="this")
