"""A Pause click the server never receives still pauses: the page clicks again a Play or
Pause click the server has not handled (ui/transport_keys.js). Every message carrying the
click is dropped on its way to the server for a second, as a busy server sometimes loses
a click that meets a rerun (a lecturer's Pause that does nothing)."""

import time

from streamlit.proto.BackMsg_pb2 import BackMsg

from .test_playground_e2e import open_playground

LOST_FOR = 1.0  # seconds after the click during which its messages are dropped


def _carries_click(data, key):
    """Whether a browser-to-server message is a rerun carrying a click on button ``key``
    (the click's own rerun, or a fragment's timer rerun sent with it)."""
    if isinstance(data, str):
        return False
    msg = BackMsg()
    try:
        msg.ParseFromString(data)
    except Exception:  # noqa: BLE001 - not a BackMsg: forwarded as it is
        return False
    if msg.WhichOneof("type") != "rerun_script":
        return False
    return any(key in w.id and w.WhichOneof("value") == "trigger_value" and w.trigger_value
               for w in msg.rerun_script.widget_states.widgets)


def test_a_pause_click_lost_on_the_way_is_made_again(app_url, page):
    dropped, arrived = [], []

    def route(ws):
        server = ws.connect_to_server()

        def to_server(data):
            if _carries_click(data, "pg_pause"):
                now = time.monotonic()
                if not dropped or now - dropped[0] < LOST_FOR:
                    dropped.append(now)
                    return
                arrived.append(now)
            server.send(data)

        ws.on_message(to_server)
        server.on_message(ws.send)

    page.route_web_socket("**/_stcore/stream", route)
    page.set_default_timeout(60_000)
    open_playground(page, app_url)
    page.get_by_role("button", name="Play", exact=True).click()
    pause = page.get_by_role("button", name="Pause", exact=True)
    pause.click()  # the only click on Pause this test makes
    page.get_by_role("button", name="Play", exact=True).wait_for(timeout=30_000)
    assert dropped and arrived and arrived[0] - dropped[0] >= LOST_FOR
    assert not pause.is_visible()
