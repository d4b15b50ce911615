"""The round trip between the Playground's setting widgets, its state and the URL, and
widget values that outlive their widget.

Every setting's widget lives under the key ``pg_<setting key>``; the hidden layers are a
slider ``pg_n_layers`` and one ``pg_neurons_<i>`` slider per layer (drawn by
ui/settings_sidebar.py).

Streamlit forgets the value of a widget that a run does not draw: a widget on a closed tab,
on another page. Widgets that take ``persist_state="session"`` keep theirs; ``st.tabs`` does
not take it, so ``kept_tabs`` keeps the open tab under a key of its own.
"""

import streamlit as st

from app_logic.presets import PRESETS, preset_of
from app_logic.session import apply_config, state_change_kind
from app_logic.settings import (
    MAX_LAYERS,
    OWN_DATASETS,
    SETTINGS,
    change_kind,
    config_to_query,
    experiment,
    validate_config,
)

from . import i18n, session

ss = st.session_state
CUSTOM = "Custom"  # the preset selector's value once a setting differs from every preset
N_LAYERS, NEURONS = "pg_n_layers", "pg_neurons_{}"
DEFAULT_NEURONS = 4  # a new hidden layer starts as wide as the one before, or this
# Set when a callback wrote a widget's value. The browser shows such a value only after a
# full run of the page: a fragment run leaves the old value on screen, and the browser then
# sends the old value back with the next click.
WROTE = "pg_widgets_written"


def widget_key(key):
    return f"pg_{key}"


def widget_values(config):
    """Widget key -> value showing ``config``."""
    values = {}
    for setting in SETTINGS:
        value = config[setting.key]
        if setting.widget == "layers":
            values[N_LAYERS] = len(value)
            values.update({NEURONS.format(i): n for i, n in enumerate(value)})
        else:
            values[widget_key(setting.key)] = list(value) if isinstance(value, list) else value
    return values


def set_widgets(config):
    """Show ``config`` in the widgets (only in a callback, or before they are drawn)."""
    ss.update(widget_values(config))
    for i in range(len(config["hidden"]), MAX_LAYERS):
        ss.pop(NEURONS.format(i), None)
    ss[WROTE] = True


def rerun(*fragments):
    """From a callback: rerun ``fragments``, or the whole page if a widget's value was
    written (see WROTE)."""
    if ss.pop(WROTE, False):
        st.rerun()
    st.rerun(list(fragments))


def seed_widgets(config):
    """Give every widget its config value unless it already holds one. The preset box,
    dropped by Streamlit while another page was shown, names the preset still in use."""
    for key, value in widget_values(config).items():
        ss.setdefault(key, value)
    ss.setdefault("pg_preset", preset_of(config) or CUSTOM)
    for i in range(ss[N_LAYERS]):
        neurons(i)


def neurons(i):
    """The width of hidden layer ``i`` in its slider; a layer just added starts as wide as
    the one before it."""
    previous = neurons(i - 1) if i else DEFAULT_NEURONS
    return ss.setdefault(NEURONS.format(i), previous)


def config_from_widgets(old):
    """(config, problems) from the widgets; an empty feature list keeps ``old``'s."""
    config = {s.key: ss[widget_key(s.key)] for s in SETTINGS
              if s.widget != "layers" and widget_key(s.key) in ss}
    if N_LAYERS in ss:
        config["hidden"] = [neurons(i) for i in range(ss[N_LAYERS])]
    if not config.get("features"):
        session.toast("The network needs at least one input feature; kept the previous "
                      "ones.")
        config["features"] = ss[widget_key("features")] = list(old["features"])
        ss[WROTE] = True
    return validate_config(config)


def own_data_for(state, config):
    """The points for a draw/upload ``config``. Without any yet (nothing drawn or uploaded),
    ``config`` keeps the Playground's current dataset."""
    if config["dataset"] not in OWN_DATASETS:
        return None
    own = session.own_data(config["dataset"])
    if own is None:
        config["dataset"] = state.config["dataset"]
        return state.own
    return own


def apply_widget_changes(state):
    """Bring the Playground to what the widgets show; returns the (maybe new) state."""
    config, problems = config_from_widgets(state.config)
    if problems:
        session.toast("Ignored: " + "; ".join(problems))
    own = own_data_for(state, config)
    if state_change_kind(state, config, own) is None:
        return state
    points_only = change_kind(state.config, config) is None  # drawn/uploaded points
    try:
        state, kind = apply_config(state, config, own)
    except ValueError as exc:
        session.toast(f"That setting could not be used: {exc}. The previous setup is kept.",
                 icon=":material/error:")
        set_widgets(state.config)
        return state
    state.notices = []
    session.set_playground(state)
    if kind == "data" and not points_only:
        session.toast("New data: the network was reset to epoch 0.",
                      icon=":material/restart_alt:")
    elif kind == "network":
        session.toast("New network shape: the network was reset to epoch 0.",
                 icon=":material/restart_alt:")
    preset = PRESETS.get(ss.get("pg_preset"))
    if preset is not None and experiment(preset["config"]) != experiment(state.config):
        ss["pg_preset"] = CUSTOM
        ss[WROTE] = True
    return state



def sync_url(config):
    target = config_to_query(config)
    if "board" in st.query_params:  # a joined class board stays in the link
        target["board"] = st.query_params["board"]
    if i18n.PARAM in st.query_params:  # the chosen language stays in the link
        target[i18n.PARAM] = st.query_params[i18n.PARAM]
    if st.query_params.to_dict() != target:
        st.query_params.from_dict(target)


def kept_tabs(labels, key):
    """``st.tabs`` that reopens the tab last open, after a visit to another page too. The
    open tab is kept by its place, not its label: a label in the other language (after a
    language switch) names no tab."""
    kept = f"{key}_kept"
    place = ss.get(kept)
    if ss.get(key) not in labels and isinstance(place, int) and 0 <= place < len(labels):
        ss[key] = labels[place]  # re-seeded before the widget is drawn
    tabs = st.tabs(labels, key=key, on_change="rerun")
    open_label = ss.get(key, labels[0])
    ss[kept] = labels.index(open_label) if open_label in labels else 0
    return tabs


# ---- widget values, read and written outside the widget's own call ------------------------------
def value(key, default=None):
    """The value widget ``key`` holds, or ``default`` before it is drawn."""
    return ss.get(key, default)


def set_value(key, new):
    """Show ``new`` in widget ``key`` (only in a callback, or before the widget is drawn)."""
    ss[key] = new


def forget(key):
    """Drop widget ``key``'s value: it shows its default when drawn next."""
    ss.pop(key, None)


def keys_starting(prefixes):
    """The keys of the widgets whose key starts with one of ``prefixes``."""
    return [key for key in ss if isinstance(key, str) and key.startswith(prefixes)]


def mark_written():
    """A callback wrote a widget's value: the next rerun is of the whole page (see WROTE)."""
    ss[WROTE] = True


def written_shown():
    """A run of the whole page shows every written value."""
    ss.pop(WROTE, None)
