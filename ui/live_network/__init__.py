"""The network diagram drawn by the browser (static/live_network.js): layers of neurons,
each with its own small map, joined by links coloured by the weight's sign and sized by its
magnitude, from the binary messages of app_logic/network_message.py. Served by the app
itself, with no build step and no request to another host."""

import pathlib

from .. import browser_code, widget_sync

_network = browser_code.component("backprop_playground.live_network", "live_network.js",
                                  pathlib.Path(__file__).with_name("network.css"))


def live_network(message, key, on_click):
    """Mount the diagram with ``message`` (bytes); ``on_click``: called when a neuron or the
    space beside them is clicked (``clicked(key)`` says which)."""
    return _network(key=key, data=message, width="stretch", on_click_change=on_click)


def clicked(key):
    """(layer of nodes, unit) of the neuron last clicked in diagram ``key``, or None when
    the click was beside the neurons."""
    value = widget_sync.value(key)
    found = value.get("click") if hasattr(value, "get") else None
    if isinstance(found, list) and len(found) == 2 and all(isinstance(v, int) for v in found):
        return tuple(found)
    return None
