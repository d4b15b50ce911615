"""Playground: pick data and a network, press Play, watch it learn."""

import streamlit as st

from ui import session
from ui.live_view import live_fragment
from ui.own_data_panels import own_data_panel
from ui.run_tabs import run_tabs
from ui.settings_sidebar import apply_widget_changes, seed_widgets, sidebar, sync_url
from ui.transport import divergence_notice, transport


def caption(state):
    loss = ("binary cross-entropy with one sigmoid output" if state.loss == "bce"
            else f"cross-entropy with {state.n_classes} softmax outputs")
    if state.config["regularization"] != "none":
        loss += f" + {state.config['regularization'].upper()} penalty"
    st.caption(f"{len(state.train)} training and {len(state.test)} test points. Loss: {loss}. "
               "In the network, blue links are positive weights and orange negative, thicker "
               "= larger; each square shows what that neuron computes over the plane.")


def main():
    state = session.load_playground()
    seed_widgets(state.config)
    state = apply_widget_changes(state)
    presenter = st.session_state.get("pg_presenter", False)
    sidebar()
    sync_url(state.config)

    if not presenter:
        st.title("Playground")
        st.caption("A neural network written from scratch in NumPy learns to separate the "
                   "classes. Press Play and watch the boundary, the loss and every neuron "
                   "change; hover over the network to read its weights.")
    if state.notices:
        st.warning("Some settings in the link could not be used and were replaced by "
                   "defaults: " + "; ".join(state.notices) + ".", icon=":material/link_off:")
    if state.diverged:
        divergence_notice(state)
    own_data_panel(state)
    transport(state)
    live_fragment(state, presenter)
    if not presenter:
        caption(state)
    run_tabs(state, presenter)


main()
