"""The Playground's settings: the sidebar drawn from the settings table
(app_logic/settings.py), and the round trip between the widgets, the Playground's state and
the URL.

Every setting's widget lives under the key ``pg_<setting key>``; the hidden layers are a
slider ``pg_n_layers`` and one ``pg_neurons_<i>`` slider per layer. The sidebar is a
fragment: a change reruns the sidebar and, when the change shows there, the live view, never
the whole page (only a change that alters the page's layout does: presenter mode, or the
panel for drawn or uploaded points appearing or going).
"""

import streamlit as st
from streamlit.errors import StreamlitPageNotFoundError

from app_logic import runs
from app_logic.presets import (
    PRESETS,
    TUTORIAL,
    preset_of,
    tutorial_comparison,
)
from app_logic.session import apply_config, build_state, state_change_kind
from app_logic.settings import (
    BY_KEY,
    MAX_LAYERS,
    OWN_DATASETS,
    SECTIONS,
    SETTINGS,
    change_kind,
    config_to_query,
    experiment,
    validate_config,
    with_value,
)
from viz.i18n import _

from . import board_join, i18n, session

ss = st.session_state
CUSTOM = "Custom"  # the preset selector's value once a setting differs from every preset
N_LAYERS, NEURONS = "pg_n_layers", "pg_neurons_{}"
DEFAULT_NEURONS = 4  # a new hidden layer starts as wide as the one before, or this
OWN_PANEL = "pg_own_panel"  # the dataset whose own-data panel the page shows, or None
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


def own_panel(dataset):
    return dataset if dataset in OWN_DATASETS else None


# ---- from the widgets to the state, the URL and what reruns ----------------------------------
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


def rerun_after(before):
    """From a callback, after the state went from config ``before`` to the current one:
    rerun what shows the change, and no more."""
    after = session.load_playground().config
    if before["presenter"] != after["presenter"] \
            or ss.get(OWN_PANEL) != own_panel(ss.get(widget_key("dataset"))):
        st.rerun()  # the page's layout changes
    if change_kind(before, after) in (None, "view"):
        return  # the widget's own fragment reruns; the live view reads the speed each tick
    rerun(session.LIVE_FRAGMENT, session.SETTINGS_FRAGMENT)


def on_setting_change():
    """Every setting widget's on_change."""
    state = session.load_playground()
    before = state.config
    sync_url(apply_widget_changes(state).config)
    rerun_after(before)


def _on_regenerate():
    low, high, _ = BY_KEY["seed"].bounds
    ss[widget_key("seed")] = low + (ss[widget_key("seed")] + 1 - low) % (high - low + 1)
    on_setting_change()


COMPARISON_NOTICE = "tutorial_comparison"  # the notice slot under the tutorial's preset


def _on_tutorial_comparison():
    """Train the tutorial's run and the corrected ones (150 epochs each, a fraction of a
    second) and keep them as saved runs, chosen on the Compare page."""
    saved, names = session.runs(), []
    comparison = tutorial_comparison()
    if len(saved) + len(comparison) > saved.max_runs:
        session.notify(COMPARISON_NOTICE, "error", f"There is room for {saved.max_runs} saved "
                       f"runs; delete some on the Compare page first.")
        return
    for name, config in comparison:
        state = build_state(config)
        state.train_for(config["epoch_budget"])
        names.append(saved.add(runs.run_from_state(saved.unique_name(name), state)).name)
    ss["cmp_chosen"] = names  # the Compare page shows these three
    ss["pg_tutorial_beside"] = names  # and the Playground, beside the live run
    session.notify(COMPARISON_NOTICE, "success", "Trained and saved: they are shown side by "
                   "side on this page, under the live run.")
    st.rerun()  # the page shows them


def _on_preset():
    name = ss.get("pg_preset")
    if name not in PRESETS:
        return
    before = session.load_playground().config
    # A preset keeps presenter mode; its speed is part of it (a pace to watch its point)
    config = {**PRESETS[name]["config"], "presenter": before["presenter"]}
    set_widgets(config)
    session.set_playground(build_state(config))  # a preset is a fresh experiment
    sync_url(config)
    rerun_after(before)


# ---- drawing the widgets ---------------------------------------------------------------------
def _format(setting):
    def show(value):
        if value in setting.option_labels:
            return setting.option_text(value)
        if isinstance(value, float):
            return f"{value:g}"
        return f"{value:,}" if isinstance(value, int) else str(value)
    return show


def draw_setting(key, place=None, disabled=False, tooltip=True, **options):
    """The widget of setting ``key`` in ``place`` (default: where the caller draws), with
    its help as a tooltip unless ``tooltip`` is False (then the caller shows it)."""
    setting, place = BY_KEY[key], place or st
    wkey, label, kind = widget_key(key), _(setting.label), setting.widget
    tip = _(setting.help) if tooltip else None
    common = {"key": wkey, "help": tip, "on_change": on_setting_change, **options}
    if kind == "select":
        place.selectbox(label, setting.options, format_func=_format(setting),
                        disabled=disabled, **common)
    elif kind == "multiselect":
        place.multiselect(label, setting.options, format_func=_format(setting),
                          disabled=disabled, **common)
    elif kind in ("slider", "number"):
        low, high, step = setting.bounds
        draw = place.slider if kind == "slider" else place.number_input
        draw(label, low, high, step=step, disabled=disabled, **common)
    elif kind in ("select_slider", "speed"):
        place.select_slider(label, with_value(list(setting.stops), ss[wkey]),
                            format_func=_format(setting), disabled=disabled, **common)
    elif kind == "presenter":
        place.toggle(label, **common)
    elif kind == "seed":
        low, high, step = setting.bounds
        with place.container(horizontal=True, vertical_alignment="bottom"):
            st.number_input(label, low, high, step=step, width=150, disabled=disabled, **common)
            st.button("Regenerate", key="pg_regenerate", on_click=_on_regenerate,
                      disabled=disabled,
                      help="New points (and initial weights) from the next seed.")
    elif kind == "layers":
        low, high, step = setting.bounds
        place.slider(label, 0, MAX_LAYERS, **{**common, "key": N_LAYERS})
        for i in range(ss[N_LAYERS]):
            neurons(i)
            place.slider(f"Neurons in layer {i + 1}", low, high, step=step,
                         key=NEURONS.format(i), on_change=on_setting_change,
                         help=NEURONS_HELP if tooltip else None)
    else:
        raise ValueError(f"setting {key!r} has an unknown widget {kind!r}")


NEURONS_HELP = "Units in this hidden layer. More units can bend the boundary more."


def section_help(settings):
    """What each setting of a section does, in one expander above them: a help icon per
    widget is a keyboard stop each (about 20 in the sidebar, between the controls)."""
    lines = [f"- **{_(s.label)}**: {_(s.help)}" for s in settings if s.help]
    if any(s.widget == "layers" for s in settings):
        lines.append(f"- **Neurons in layer N**: {NEURONS_HELP}")
    with st.expander(_("What these settings do")):
        st.markdown("\n".join(lines))


def _sidebar():
    session.show_toasts()
    draw_setting("presenter")
    st.selectbox("Preset", [CUSTOM, *PRESETS], key="pg_preset", on_change=_on_preset,
                 help="Ready-made experiments. Each sets every control below; change any of "
                      "them afterwards.")
    if ss.get("pg_preset") in PRESETS:
        st.caption(PRESETS[ss["pg_preset"]]["explanation"])
    if ss.get("pg_preset") == TUTORIAL:
        st.button("Train the corrected runs beside it", key="pg_tutorial_compare",
                  on_click=_on_tutorial_comparison, icon=":material/compare:",
                  help="Trains the tutorial's run and two with exact gradients for 150 "
                       "epochs each, shows them side by side on this page and saves them "
                       "for the Compare page.")
        if (session.notice(COMPARISON_NOTICE) or ("",))[0] == "success":
            _compare_link()
        session.show_notice(COMPARISON_NOTICE, keep=True)
    shown = {s.key: ss.get(widget_key(s.key)) for s in SETTINGS}
    locked = board_join.locked_keys()  # fixed by a joined class board's challenge
    for section in SECTIONS:
        st.header(_(section))
        in_section = [s for s in SETTINGS if s.section == section]
        section_help(in_section)
        for setting in in_section:
            disabled = bool(setting.disabled_when and setting.disabled_when(shown)) \
                or setting.key in locked
            draw_setting(setting.key, disabled=disabled, tooltip=False)


def _compare_link():
    try:
        st.page_link("app_pages/compare.py", label="Open the comparison",
                     icon=":material/compare:")
    except StreamlitPageNotFoundError:  # the page run on its own, outside app.py
        st.caption("Open **Compare runs** from the navigation.")


def sidebar():
    """Presenter mode, presets and every setting, in sections (a fragment)."""
    ss[OWN_PANEL] = own_panel(ss.get(widget_key("dataset")))
    with st.sidebar:
        st.fragment(_sidebar, key=session.SETTINGS_FRAGMENT)()
