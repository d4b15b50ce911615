"""Playground: pick data and a network, press Play, watch it learn."""

import streamlit as st

from ui import board_join, session, widget_sync
from ui.live_view import live_view
from ui.own_data_panels import own_data_panel
from ui.run_tabs import run_tabs
from ui.settings_sidebar import sidebar
from ui.transport import keyboard_shortcuts
from ui.tutorial_runs import beside_on_playground, preset_story
from ui.widget_sync import apply_widget_changes, seed_widgets, sync_url
from viz.i18n import _


def main():
    state = board_join.join(session.load_playground())
    seed_widgets(state.config)
    state = apply_widget_changes(state)
    sync_url(state.config)
    session.show_toasts()
    sidebar()
    if not state.config["presenter"]:
        st.title(_("Playground"))
        st.caption(_("A neural network written from scratch in NumPy learns to separate the "
                     "classes. Press Play and watch the boundary, the loss and every neuron "
                     "change; hover over the network to read its weights."))
    if state.notices:
        st.warning(_("Some settings in the link could not be used and were replaced by "
                     "defaults: {problems}.").format(problems=_("; ").join(state.notices)),
                   icon=":material/link_off:")
    board_join.board_panel()
    preset_story(state.config["presenter"])
    own_data_panel()
    live_view()
    beside_on_playground(state.config["presenter"])
    run_tabs()
    keyboard_shortcuts()
    widget_sync.written_shown()  # a run of the whole page shows every value


main()
