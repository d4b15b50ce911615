"""The live boundary component: the browser paints the film strip's frames on a canvas
(static/live_board.js) from the binary messages of app_logic/frames.py. Served by the app
itself, with no build step and no request to another host."""

import pathlib

from .. import browser_code, widget_sync

_board = browser_code.component("backprop_playground.live_board", "live_board.js",
                                pathlib.Path(__file__).with_name("board.css"))


def live_board(message, key, on_missing, on_taps=None):
    """Mount the board with ``message`` (bytes). ``on_missing``: called when the browser
    lacks the style a message names; ``on_taps``: called when presses on the plotted area
    of a drawing board arrive (``taps(key)`` reads them)."""
    callbacks = {"on_missing_change": on_missing}
    if on_taps is not None:
        callbacks["on_taps_change"] = on_taps
    return _board(key=key, data=message, width="stretch", **callbacks)


def taps(key):
    """The latest presses on a drawing board: [{"board", "n", "x", "y"}], oldest first (a
    board names itself with a random token and counts its taps in ``n``)."""
    value = widget_sync.value(key)
    found = (value.get("taps") if hasattr(value, "get") else None) or []
    return [t for t in found if isinstance(t, dict)]
