"""The network diagram drawn by the browser (network.js): layers of neurons, each with its
own small map, joined by links coloured by the weight's sign and sized by its magnitude,
from the binary messages of app_logic/network_message.py. Served by the app itself, with no
build step and no request to another host."""

import pathlib

import streamlit as st

from .. import widget_sync

_HERE = pathlib.Path(__file__).parent

_network = st.components.v2.component(
    "backprop_playground.live_network",
    js=(_HERE.parent / "components_message.js").read_text(encoding="utf-8")
    + (_HERE / "network.js").read_text(encoding="utf-8"),
    css=(_HERE / "network.css").read_text(encoding="utf-8"),
    isolate_styles=False,  # the page's tests read the root's data-* attributes
)


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
