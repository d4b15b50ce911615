"""One home for the session state: the keys under which the app keeps its objects in
``st.session_state``, typed accessors for them, and the one notice helper.

Widgets keep their values under their own keys (``key=`` where they are drawn); everything
else a page keeps between reruns goes through this module.
"""

import math
import time
import uuid

import streamlit as st

from app_logic import study as studies
from app_logic.drawing import DrawnPoints
from app_logic.runs import RunCollection
from app_logic.session import PlaygroundState, state_from_link
from viz.i18n import N_

PLAYGROUND = "playground"  # PlaygroundState: the Playground's data, network and trainer
OWN_DATA = "own_data"  # {"draw": OwnData, "upload": OwnData}: the user's own points
DRAWING = "drawing"  # DrawnPoints being edited on the canvas
RUNS = "runs"  # RunCollection: the saved runs
FIGURES = "figure_cache"  # name -> (signature, time made, figure)
NOTICES = "notices"  # slot -> (kind, text): messages waiting to be shown
TOASTS = "toasts"  # [(text, icon, made)]: short messages from callbacks, shown by the next run
REPEAT_SECONDS = 10  # a toast repeating a notice is shown within this time or not at all
STUDY = "study"  # (version, Study): the network the backprop page studies
GRADCHECK = "gradcheck"  # {"version": study version, "numeric": finite differences}
FLOW_RUN = "flow_run"  # the backprop page's own training run for gradient flow

NOTICE_KINDS = ("success", "info", "warning", "error")
# Fragment keys, for callbacks that rerun a part of the page (st.rerun(key)) and not all of it.
SETTINGS_FRAGMENT = "settings"  # the Playground's sidebar
LIVE_FRAGMENT = "live"  # the transport row, the boundary, the curves and the network
OWN_DATA_FRAGMENT = "own_data"  # the draw canvas or the upload panel
TABS_FRAGMENT = "tabs"  # replay, save, export, import


def _get(key, kind, make):
    """``st.session_state[key]`` if it holds a ``kind``, else a fresh ``make()`` kept there."""
    found = st.session_state.get(key)
    if not isinstance(found, kind):
        found = st.session_state[key] = make()
    return found


# ---- what a page keeps between its runs, other than widget values ----------------------------
def kept(key, default=None):
    """What a page kept under ``key`` (one of the page keys below), or ``default``."""
    return st.session_state.get(key, default)


def keep(key, value):
    st.session_state[key] = value
    return value


def drop(key):
    st.session_state.pop(key, None)


def keys_starting(prefixes):
    """The keys kept whose name starts with one of ``prefixes``."""
    return [key for key in st.session_state if isinstance(key, str) and key.startswith(prefixes)]


# ---- the Playground --------------------------------------------------------------------------
def playground_state():
    """The session's PlaygroundState, or None before the Playground has been opened."""
    found = st.session_state.get(PLAYGROUND)
    return found if isinstance(found, PlaygroundState) else None


# Shown by ui/reconnect.py to a browser whose session was lost and rebuilt from its link.
RESTARTED = N_("The connection to the server was renewed: training started again from the "
               "setup in the link, at epoch 0.")


def load_playground():
    """The session's PlaygroundState, built from the page's URL on first use."""
    state = playground_state()
    if state is None:
        state = state_from_link(st.query_params.to_dict(), own_data)
        set_playground(state)
    return state


def set_playground(state):
    st.session_state[PLAYGROUND] = state


def own_data(source):
    """The session's OwnData for ``source`` ("draw" or "upload"), or None."""
    return (st.session_state.get(OWN_DATA) or {}).get(source)


def set_own_data(own):
    """Keep ``own`` as the session's points for ``own.source``."""
    st.session_state[OWN_DATA] = {**(st.session_state.get(OWN_DATA) or {}), own.source: own}


def drawing():
    return _get(DRAWING, DrawnPoints, DrawnPoints)


def runs():
    return _get(RUNS, RunCollection, RunCollection)


def cached_figure(name, signature, build, max_age):
    """What ``build`` made last time for ``name`` if its signature matches and it is younger
    than ``max_age`` seconds, else a new one. Re-sending an unchanged figure is cheap: the
    browser keeps the chart it has."""
    cache = _get(FIGURES, dict, dict)
    now = time.monotonic()
    entry = cache.get(name)
    if entry is not None and entry[0] == signature and now - entry[1] < max_age:
        return entry[2]
    figure = build()
    cache[name] = (signature, now, figure)
    return figure


# ---- the live view (ui/live_view.py) ---------------------------------------------------------
FOCUS = "pg_focus"  # (layer of nodes, unit) shown instead of the boundary, or None
SHARE_KEY = "pg_share_key"  # this session's name in the server's fair share
TICK = "pg_tick"  # the board's tick interval as the live view last set it (None: paused)
STYLES_SENT = "pg_board_styles"  # ids of the picture styles this browser has been sent
MESSAGES = "pg_messages"  # name -> (signature, bytes): the last message of a component
NETWORK_SENT = "pg_network_sent"  # when a tick last carried the network diagram (monotonic)


def focus():
    """(layer of nodes, unit) of the neuron whose map the board shows, or None."""
    return st.session_state.get(FOCUS)


def set_focus(neuron):
    st.session_state[FOCUS] = neuron
    return neuron


def share_key():
    """This session's name in the server's fair share (app_logic/fair_share.py)."""
    return st.session_state.setdefault(SHARE_KEY, uuid.uuid4().hex)


def tick():
    return st.session_state.get(TICK)


def set_tick(interval):
    st.session_state[TICK] = interval
    return interval


def network_due(every, now):
    """True, and noted, when the network diagram was last sent with a tick ``every``
    seconds or more before ``now``."""
    if now - st.session_state.get(NETWORK_SENT, -math.inf) < every:
        return False
    st.session_state[NETWORK_SENT] = now
    return True


def styles_sent():
    """The set of picture style ids this browser has been sent (mutable)."""
    return _get(STYLES_SENT, set, set)


def forget_styles_sent():
    st.session_state.pop(STYLES_SENT, None)


def cached_message(name, signature, build):
    """The message ``build`` made last time for ``name`` if its signature matches, else a
    new one: a component sent the same message again skips it."""
    cache = _get(MESSAGES, dict, dict)
    entry = cache.get(name)
    if entry is not None and entry[0] == signature:
        return entry[1]
    message = build()
    cache[name] = (signature, message)
    return message


# ---- the backprop page -----------------------------------------------------------------------
def study():
    """(version, Study): the network under study, the small example until another is set.
    The version grows with every new study, so results computed for an old one are stale."""
    found = st.session_state.get(STUDY)
    if found is None:
        found = st.session_state[STUDY] = (0, studies.example())
    return found


def set_study(new):
    st.session_state[STUDY] = (study()[0] + 1, new)


# ---- notices ---------------------------------------------------------------------------------
def notify(slot, kind, text):
    """Put a message in ``slot`` (e.g. the import panel's); it replaces the slot's last one."""
    if kind not in NOTICE_KINDS:
        raise ValueError(f"kind must be one of {NOTICE_KINDS}; got {kind!r}")
    st.session_state[NOTICES] = {**(st.session_state.get(NOTICES) or {}), slot: (kind, text)}


def notice(slot):
    """(kind, text) waiting in ``slot``, or None."""
    return (st.session_state.get(NOTICES) or {}).get(slot)


def clear_notice(slot):
    notices = st.session_state.get(NOTICES) or {}
    if slot in notices:
        st.session_state[NOTICES] = {k: v for k, v in notices.items() if k != slot}


def show_notice(slot, keep=False):
    """Draw the message in ``slot``, if any. Without ``keep`` it is shown once (the outcome of
    an action); with ``keep`` it stays until replaced (e.g. a file's status)."""
    notice = (st.session_state.get(NOTICES) or {}).get(slot)
    if notice is None:
        return
    if not keep:
        clear_notice(slot)
    kind, text = notice
    getattr(st, kind)(text)


def toast(text, icon=None, repeat=False):
    """A short message from a callback: shown by the run that follows it (``show_toasts``).
    A callback that draws it itself would put it where the rerunning fragment begins.
    ``repeat``: it repeats a notice the callback's own run draws, for when that run never
    reaches the browser; a live tick within REPEAT_SECONDS shows it, else it is dropped."""
    st.session_state[TOASTS] = [*(st.session_state.get(TOASTS) or []),
                                (text, icon, time.monotonic() if repeat else None)]


def show_toasts(repeats=False):
    """Show the toasts waiting; repeats only with ``repeats`` (from a live tick: a run that
    comes after the one drawing the notice) and while they are recent."""
    waiting = st.session_state.pop(TOASTS, None) or []
    now = time.monotonic()
    kept = [t for t in waiting
            if t[2] is not None and not repeats and now - t[2] < REPEAT_SECONDS]
    if kept:
        st.session_state[TOASTS] = kept
    for text, icon, made in waiting:
        if made is None or (repeats and now - made < REPEAT_SECONDS):
            st.toast(text, icon=icon)
