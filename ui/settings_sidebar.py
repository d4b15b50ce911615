"""The Playground's sidebar, drawn from the settings table (app_logic/settings.py), and the
round trip between its widgets, the configuration and the URL.

Every setting's widget lives under the key ``pg_<setting key>``; the hidden layers are a
slider ``pg_n_layers`` and one ``pg_neurons_<i>`` slider per layer.
"""

import streamlit as st

from app_logic.presets import PRESETS
from app_logic.session import apply_config, build_state, state_change_kind
from app_logic.settings import (
    MAX_LAYERS,
    OWN_DATASETS,
    SETTINGS,
    change_kind,
    config_to_query,
    validate_config,
    with_value,
)

from . import session

ss = st.session_state
CUSTOM = "Custom"  # the preset selector's value once a setting differs from every preset
SECTIONS = ("Data", "Network", "Training")
N_LAYERS, NEURONS = "pg_n_layers", "pg_neurons_{}"
DEFAULT_NEURONS = 4  # a new hidden layer starts as wide as the one before, or this


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


def seed_widgets(config):
    """Give every widget its config value unless it already holds one."""
    for key, value in widget_values(config).items():
        ss.setdefault(key, value)
    for i in range(ss[N_LAYERS]):
        previous = ss.get(NEURONS.format(i - 1), DEFAULT_NEURONS) if i else DEFAULT_NEURONS
        ss.setdefault(NEURONS.format(i), previous)


def config_from_widgets(old):
    """(config, problems) from the widgets; an empty feature list keeps ``old``'s."""
    config = {s.key: ss[widget_key(s.key)] for s in SETTINGS
              if s.widget != "layers" and widget_key(s.key) in ss}
    config["hidden"] = [ss[NEURONS.format(i)] for i in range(ss[N_LAYERS])]
    if not config.get("features"):
        st.toast("The network needs at least one input feature; kept the previous ones.")
        config["features"] = ss[widget_key("features")] = list(old["features"])
    return validate_config(config)


# ---- drawing the widgets ---------------------------------------------------------------------
def _format(setting):
    if setting.option_labels:
        return lambda v: setting.option_labels.get(v, str(v))
    return lambda v: f"{v:g}" if isinstance(v, float) else str(v)


def _on_regenerate():
    low, high, _ = next(s for s in SETTINGS if s.key == "seed").bounds
    ss[widget_key("seed")] = low + (ss[widget_key("seed")] + 1 - low) % (high - low + 1)


def _draw(setting, place, disabled):
    key, label, tip = widget_key(setting.key), setting.label, setting.help
    kind = setting.widget
    if kind == "select":
        place.selectbox(label, setting.options, key=key, format_func=_format(setting),
                        help=tip, disabled=disabled)
    elif kind == "multiselect":
        place.multiselect(label, setting.options, key=key, format_func=_format(setting),
                          help=tip, disabled=disabled)
    elif kind in ("slider", "number"):
        low, high, step = setting.bounds
        draw = place.slider if kind == "slider" else place.number_input
        draw(label, low, high, step=step, key=key, help=tip, disabled=disabled)
    elif kind == "select_slider":
        place.select_slider(label, with_value(list(setting.stops), ss[key]), key=key,
                            format_func=_format(setting), help=tip, disabled=disabled)
    elif kind == "seed":
        low, high, step = setting.bounds
        seed_col, button_col = place.columns([3, 2], vertical_alignment="bottom")
        seed_col.number_input(label, low, high, step=step, key=key, help=tip)
        button_col.button("Regenerate", key="pg_regenerate", on_click=_on_regenerate,
                          help="New points (and initial weights) from the next seed.")
    elif kind == "layers":
        low, high, step = setting.bounds
        place.slider(label, 0, MAX_LAYERS, key=N_LAYERS, help=tip)
        for i in range(ss[N_LAYERS]):
            place.slider(f"Neurons in layer {i + 1}", low, high, step=step,
                         key=NEURONS.format(i),
                         help="Units in this hidden layer. More units can bend the boundary "
                              "more.")
    else:
        raise ValueError(f"setting {setting.key!r} has an unknown widget {kind!r}")


def _on_preset():
    name = ss.get("pg_preset")
    if name in PRESETS:
        set_widgets(PRESETS[name]["config"])
        session.set_playground(build_state(PRESETS[name]["config"]))  # a fresh experiment


def sidebar():
    """Presenter mode, presets and every setting, in sections."""
    sb = st.sidebar
    sb.toggle("Presenter mode", key="pg_presenter",
              help="Hides the explanations and enlarges the figures for a projector.")
    sb.selectbox("Preset", [CUSTOM, *PRESETS], key="pg_preset", on_change=_on_preset,
                 help="Ready-made experiments. Each sets every control below; change any of "
                      "them afterwards.")
    if ss.get("pg_preset") in PRESETS:
        sb.caption(PRESETS[ss["pg_preset"]]["explanation"])
    shown = {s.key: ss.get(widget_key(s.key)) for s in SETTINGS}
    for section in SECTIONS:
        sb.header(section)
        for setting in SETTINGS:
            if setting.section == section:
                disabled = bool(setting.disabled_when and setting.disabled_when(shown))
                _draw(setting, sb, disabled)


# ---- from the widgets to the state and the URL -----------------------------------------------
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
        st.toast("Ignored: " + "; ".join(problems))
    own = own_data_for(state, config)
    if state_change_kind(state, config, own) is None:
        return state
    points_only = change_kind(state.config, config) is None  # drawn/uploaded points
    try:
        state, kind = apply_config(state, config, own)
    except ValueError as exc:
        st.error(f"That setting could not be used: {exc}. The previous setup is kept.")
        set_widgets(state.config)
        return state
    state.notices = []
    session.set_playground(state)
    if kind == "data" and not points_only:
        st.toast("New data: the network was reset to epoch 0.", icon=":material/restart_alt:")
    elif kind == "network":
        st.toast("New network shape: the network was reset to epoch 0.",
                 icon=":material/restart_alt:")
    preset = PRESETS.get(ss.get("pg_preset"))
    if preset is not None and preset["config"] != state.config:
        ss["pg_preset"] = CUSTOM
    return state


def sync_url(config):
    target = config_to_query(config)
    if st.query_params.to_dict() != target:
        st.query_params.from_dict(target)
