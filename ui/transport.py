"""Play / Pause, Step, Reset and the display toggles, and what happens when training diverges.

The callbacks run before the page's script, so they may change widget values and the state.
"""

import streamlit as st

from app_logic.session import suggested_lr

from . import session
from .settings_sidebar import widget_key

ss = st.session_state


def _on_play(play):
    # The wanted state comes from the label the user clicked, not from toggling: a click
    # that reaches the server twice (it can, while the live view reruns) must not undo itself.
    state = session.load_playground()
    if not play:
        state.playing = False
        return
    if state.budget_left() == 0:
        st.toast(f"The epoch budget ({state.config['epoch_budget']}) is reached. Raise it, set "
                 "it to 0 for no limit, or press Reset.")
        return
    if not state.playing:
        state.diverged = None
    state.playing = True


def _on_step():
    state = session.load_playground()
    state.playing = False
    state.diverged = None
    if state.budget_left() == 0:
        st.toast("The epoch budget is reached; raise it or press Reset.")
        return
    state.train_for(1)


def _on_reset():
    session.load_playground().rebuild_network()


def _on_smaller_lr(lr):
    ss[widget_key("lr")] = lr


def transport(state):
    """The row of buttons and toggles above the live view."""
    controls = st.columns([1, 1, 1, 1.3, 1.3, 1.3], vertical_alignment="center")
    controls[0].button("Pause" if state.playing else "Play", key="pg_play", on_click=_on_play,
                       args=(not state.playing,), type="primary",
                       icon=":material/pause:" if state.playing else ":material/play_arrow:",
                       width="stretch",
                       help="Train continuously until paused (or until the epoch budget).")
    controls[1].button("Step", key="pg_step", on_click=_on_step, icon=":material/skip_next:",
                       width="stretch", help="Train exactly one epoch.")
    controls[2].button("Reset", key="pg_reset", on_click=_on_reset, icon=":material/replay:",
                       width="stretch", help="Start again from fresh initial weights.")
    controls[3].toggle("Show test data", value=True, key="pg_show_test",
                       help="Draw the held-out test points (outlined) on the boundary.")
    controls[4].toggle("Discretize output", value=False, key="pg_discretize",
                       help="Colour each area by the predicted class instead of the "
                            "probability.")
    controls[5].toggle("Log-scale loss", value=False, key="pg_log_loss",
                       help="Plot the loss on a logarithmic axis to see small values.")


def divergence_notice(state):
    info = state.diverged
    suggestion = suggested_lr(info["lr"])
    st.error(
        f"**Training diverged in epoch {info['epoch']}**: {info['reason']}. With a learning "
        f"rate of {info['lr']:g} each step overshoots, the weights grow without bound and the "
        f"numbers overflow. Training is paused; the network shown is the last good one "
        f"(after epoch {info['epoch'] - 1}). Try a smaller learning rate, e.g. "
        f"{suggestion:g}.", icon=":material/warning:")
    st.button(f"Use learning rate {suggestion:g}", key="pg_smaller_lr", on_click=_on_smaller_lr,
              args=(suggestion,))
