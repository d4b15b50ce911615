"""Play / Pause, Step, Reset and the speed, and what happens when training diverges.

They are drawn inside the live view's fragment, so a click reruns the view and not the page.
The callbacks run before the view, so they may change widget values and the state.
"""

import pathlib

import streamlit as st

from app_logic.session import reason_text, suggested_lr
from viz.i18n import _, number, pgettext

from . import session
from . import widget_sync as widgets
from .settings_sidebar import draw_setting
from .widget_sync import apply_widget_changes, sync_url, widget_key

PLAY_PAUSE = "pg_play_pause"  # the keyed slot of the Play or Pause button
HANDLED = "pg_transport_handled"  # how many Play / Pause clicks the server has handled
# Space presses Play or Pause unless the focus is where Space types or chooses (a text
# field, a slider, a select box, another button); after a click on Play or Pause, Streamlit
# replaces the button, and the focus goes back to its successor instead of the page body.
KEYBOARD_JS = (pathlib.Path(__file__).with_name("transport_keys.js").read_text()
               .replace("__SLOT__", PLAY_PAUSE))


def _rerun_view():
    """The live view, and the tabs below it, which offer a replay and exports only while
    paused."""
    st.rerun([session.LIVE_FRAGMENT, session.TABS_FRAGMENT])


def _on_play(play):
    # Play and Pause are two buttons, not one that toggles: a click that reaches the server
    # twice (it can, while the live view reruns, and transport_keys.js clicks again a click
    # the server did not handle) must not undo itself.
    session.keep(HANDLED, session.kept(HANDLED, 0) + 1)
    state = session.load_playground()
    if not play:
        state.playing = False
    elif not state.play():
        session.toast(_("The epoch limit ({limit}) is reached. Raise it, set it to “no limit”, "
                        "or press Reset.").format(limit=number(state.config["epoch_budget"])))
    _rerun_view()


def _on_step():
    state = session.load_playground()
    state.playing = False
    state.diverged = None
    if state.budget_left() == 0:
        session.toast(_("The epoch limit is reached; raise it or press Reset."))
        return
    state.train_for(1)
    _rerun_view()


def _on_reset():
    session.load_playground().rebuild_network()
    _rerun_view()


def _on_smaller_lr(lr):
    """Restart from the initial weights with a smaller rate: the weights a diverged run
    left behind are the last finite ones, often too large to learn from at any rate."""
    widgets.set_value(widget_key("lr"), lr)
    widgets.mark_written()
    state = apply_widget_changes(session.load_playground())
    sync_url(state.config)
    state.rebuild_network()
    session.toast(_("Started again from the initial weights with learning rate {lr}.").format(
        lr=f"{lr:g}"), icon=":material/restart_alt:")
    widgets.written_shown()
    st.rerun()  # the sidebar shows the new rate only after a run of the whole page


def planned_pause_notice(state):
    if state.paused_at is not None and state.paused_at == state.epoch and not state.playing:
        st.info(_("**Paused at epoch {epoch}**, as the preset plans: look at the numbers, the "
                  "curves and the boundary now. Press Play (or Space) to go on.").format(
            epoch=number(state.epoch)), icon=":material/pause_circle:")


def transport(state):
    """The row above the view: Play / Pause, Step, Reset and the speed slider."""
    planned_pause_notice(state)
    with st.container(horizontal=True, vertical_alignment="bottom", gap="small",
                      key="pg_transport"):
        # One keyed slot holds whichever of the two is shown. After some fragment runs
        # Streamlit retains the button replaced beside the new one (both were on screen,
        # the old one marked data-retained); KEYBOARD_CSS hides a retained one.
        with st.container(key=PLAY_PAUSE, width="content", gap=None):
            if state.playing:
                st.button(_("Pause"), key="pg_pause", on_click=_on_play, args=(False,),
                          type="primary", icon=":material/pause:",
                          help=_("Stop training; the network keeps what it learned (Space)."))
            else:
                st.button(_("Play"), key="pg_play", on_click=_on_play, args=(True,),
                          type="primary", icon=":material/play_arrow:",
                          help=_("Train continuously until paused or until the epoch limit "
                                 "(Space)."))
            # What the page compares to know whether the server handled a click.
            st.html(f'<span data-handled="{session.kept(HANDLED, 0)}"></span>')
        st.button(pgettext("transport", "Step"), key="pg_step", on_click=_on_step,
                  icon=":material/skip_next:",
                  help=_("Train exactly one epoch."))
        st.button(_("Reset"), key="pg_reset", on_click=_on_reset, icon=":material/replay:",
                  help=_("Start again from fresh initial weights."))
        draw_setting("speed", width=260)


# The handler's own slot takes no room; a retained Play or Pause is not shown; a preset's
# story (ui/tutorial_runs.py) is read from the back of a room.
KEYBOARD_CSS = """<style>
.st-key-pg_keys { display: none; }
.st-key-pg_play_pause > [data-retained] { display: none; }
.st-key-pg_play_pause > :has([data-handled]) { display: none; }
.st-key-pg_story p { font-size: 1.45rem; line-height: 1.4; }
</style>"""


def keyboard_shortcuts():
    """Space for Play / Pause, and the focus kept on them (drawn once per page run)."""
    with st.container(key="pg_keys"):
        st.html(f"{KEYBOARD_CSS}<script>{KEYBOARD_JS}</script>",
                unsafe_allow_javascript=True)


def divergence_notice(state):
    info = state.diverged
    suggestion = suggested_lr(info["lr"])
    if info.get("kind") == "stuck":
        st.warning(_(
            "**Stuck at chance after epoch {epoch}**: {reason}. With a learning rate of {lr} "
            "every step jumps past the minimum, so the network learns nothing. Training is "
            "paused. Start again from the initial weights with a smaller learning rate, e.g. "
            "{suggestion}.").format(epoch=number(info["epoch"]), reason=reason_text(info),
                                    lr=f"{info['lr']:g}", suggestion=f"{suggestion:g}"),
            icon=":material/warning:")
    else:
        st.error(_(
            "**Training diverged in epoch {epoch}**: {reason}. With a learning rate of {lr} "
            "each step overshoots, the weights grow without bound and the numbers overflow "
            "(the loss curve shows it rising, and where it stopped). Training is paused; the "
            "network shown is the last good one (after epoch {previous}), but its weights "
            "are already huge. Start again from the initial weights with a smaller learning "
            "rate, e.g. {suggestion}.").format(
            epoch=number(info["epoch"]), reason=reason_text(info), lr=f"{info['lr']:g}",
            previous=number(info["epoch"] - 1), suggestion=f"{suggestion:g}"),
            icon=":material/warning:")
    st.button(_("Start again with learning rate {lr}").format(lr=f"{suggestion:g}"),
              key="pg_smaller_lr",
              on_click=_on_smaller_lr, args=(suggestion,), icon=":material/restart_alt:")
