"""The Playground's settings: the sidebar drawn from the settings table
(app_logic/settings.py), and what each change reruns. The round trip between the widgets,
the Playground's state and the URL is ui/widget_sync.py's.

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
    tutorial_comparison,
)
from app_logic.session import build_state
from app_logic.settings import (
    BY_KEY,
    MAX_LAYERS,
    OWN_DATASETS,
    SECTIONS,
    SETTINGS,
    change_kind,
    with_value,
)
from viz.i18n import N_, _

from . import board_join, session
from . import widget_sync as widgets
from .i18n import fragment
from .tutorial_runs import BESIDE
from .widget_sync import (
    CUSTOM,
    N_LAYERS,
    NEURONS,
    apply_widget_changes,
    neurons,
    rerun,
    set_widgets,
    sync_url,
    widget_key,
)

OWN_PANEL = "pg_own_panel"  # the dataset whose own-data panel the page shows, or None


def own_panel(dataset):
    return dataset if dataset in OWN_DATASETS else None


# ---- from the widgets to the state, the URL and what reruns ----------------------------------
def rerun_after(before):
    """From a callback, after the state went from config ``before`` to the current one:
    rerun what shows the change, and no more."""
    after = session.load_playground().config
    if before["presenter"] != after["presenter"] \
            or session.kept(OWN_PANEL) != own_panel(widgets.value(widget_key("dataset"))):
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
    seed = widgets.value(widget_key("seed"))
    widgets.set_value(widget_key("seed"), low + (seed + 1 - low) % (high - low + 1))
    on_setting_change()


COMPARISON_NOTICE = "tutorial_comparison"  # the notice slot under the tutorial's preset


def _on_tutorial_comparison():
    """Train the tutorial's run and the corrected ones (150 epochs each, a fraction of a
    second) and keep them as saved runs, chosen on the Compare page."""
    saved, names = session.runs(), []
    comparison = tutorial_comparison()
    if len(saved) + len(comparison) > saved.max_runs:
        session.notify(COMPARISON_NOTICE, "error", _(
            "There is room for {n} saved runs; delete some on the Compare page first.").format(
            n=saved.max_runs))
        return
    for name, config in comparison:
        state = build_state(config)
        state.train_for(config["epoch_budget"])
        names.append(saved.add(runs.run_from_state(saved.unique_name(_(name)), state)).name)
    widgets.set_value("cmp_chosen", names)  # the Compare page shows these three
    session.keep(BESIDE, names)  # and the Playground, beside the live run
    session.notify(COMPARISON_NOTICE, "success", _("Trained and saved: they are shown side by "
                                                   "side on this page, under the live run."))
    st.rerun()  # the page shows them


def _on_preset():
    name = widgets.value("pg_preset")
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
        place.select_slider(label, with_value(list(setting.stops), widgets.value(wkey)),
                            format_func=_format(setting), disabled=disabled, **common)
    elif kind == "presenter":
        place.toggle(label, **common)
    elif kind == "seed":
        low, high, step = setting.bounds
        with place.container(horizontal=True, vertical_alignment="bottom"):
            st.number_input(label, low, high, step=step, width=150, disabled=disabled, **common)
            st.button(_("Regenerate"), key="pg_regenerate", on_click=_on_regenerate,
                      disabled=disabled,
                      help=_("New points (and initial weights) from the next seed."))
    elif kind == "layers":
        low, high, step = setting.bounds
        place.slider(label, 0, MAX_LAYERS, **{**common, "key": N_LAYERS})
        for i in range(widgets.value(N_LAYERS)):
            neurons(i)
            place.slider(_("Neurons in layer {k}").format(k=i + 1), low, high, step=step,
                         key=NEURONS.format(i), on_change=on_setting_change,
                         help=_(NEURONS_HELP) if tooltip else None)
    else:
        raise ValueError(f"setting {key!r} has an unknown widget {kind!r}")


NEURONS_HELP = N_("Units in this hidden layer. More units can bend the boundary more.")


def section_help(settings):
    """What each setting of a section does, in one expander above them: a help icon per
    widget is a keyboard stop each (about 20 in the sidebar, between the controls)."""
    lines = [f"- **{_(s.label)}**: {_(s.help)}" for s in settings if s.help]
    if any(s.widget == "layers" for s in settings):
        neurons_label = _("Neurons in layer N")
        lines.append(f"- **{neurons_label}**: {_(NEURONS_HELP)}")
    with st.expander(_("What these settings do")):
        st.markdown("\n".join(lines))


def _sidebar():
    session.show_toasts()
    draw_setting("presenter")
    st.selectbox(_("Preset"), [CUSTOM, *PRESETS], key="pg_preset", on_change=_on_preset,
                 format_func=preset_label,
                 help=_("Ready-made experiments. Each sets every control below; change any "
                        "of them afterwards."))
    if widgets.value("pg_preset") in PRESETS:
        st.caption(_(PRESETS[widgets.value("pg_preset")]["explanation"]))
    if widgets.value("pg_preset") == TUTORIAL:
        st.button(_("Train the corrected runs beside it"), key="pg_tutorial_compare",
                  on_click=_on_tutorial_comparison, icon=":material/compare:",
                  help=_("Trains the tutorial's run and two with exact gradients for 150 "
                         "epochs each, shows them side by side on this page and saves them "
                         "for the Compare page."))
        if (session.notice(COMPARISON_NOTICE) or ("",))[0] == "success":
            _compare_link()
        session.show_notice(COMPARISON_NOTICE, keep=True)
    shown = {s.key: widgets.value(widget_key(s.key)) for s in SETTINGS}
    locked = board_join.locked_keys()  # fixed by a joined class board's challenge
    for section in SECTIONS:
        st.header(_(section))
        in_section = [s for s in SETTINGS if s.section == section]
        section_help(in_section)
        for setting in in_section:
            disabled = bool(setting.disabled_when and setting.disabled_when(shown)) \
                or setting.key in locked
            draw_setting(setting.key, disabled=disabled, tooltip=False)


def preset_label(name):
    """A preset's name as shown (the widget's value stays the English name)."""
    return _("Custom") if name == CUSTOM else _(name)


def _compare_link():
    try:
        st.page_link("app_pages/compare.py", label=_("Open the comparison"),
                     icon=":material/compare:")
    except StreamlitPageNotFoundError:  # the page run on its own, outside app.py
        st.caption(_("Open **Compare runs** from the navigation."))


def sidebar():
    """Presenter mode, presets and every setting, in sections (a fragment)."""
    session.keep(OWN_PANEL, own_panel(widgets.value(widget_key("dataset"))))
    with st.sidebar:
        fragment(_sidebar, key=session.SETTINGS_FRAGMENT)()
