"""How backprop works: one gradient-descent step traced layer by layer, a gradient-check lab
with the tutorial's three published errors, the tutorial's run to the digit, and gradient flow."""

import streamlit as st

from app_logic import study as studies
from app_logic.settings import ACTIVATION_LABELS
from ui import session
from ui import widget_sync as widgets
from ui.gradient_check_lab import gradient_check_lab
from ui.gradient_flow import gradient_flow
from ui.presenter import larger_text, presenter_mode
from ui.stepper import reset_stepper, stepper
from ui.tutorial_runs import tutorial_runs
from ui.widget_sync import kept_tabs
from viz.i18n import N_, _

NOTICE = "study"  # the notice slot of the study chooser
TABS = (N_("Step through one training step"), N_("Gradient check"), N_("The tutorial's run"),
        N_("Gradient flow"))


def _use(new):
    session.set_study(new)
    reset_stepper(new)


def _take_playground():
    try:
        _use(studies.from_playground(session.playground_state()))
    except (AttributeError, ValueError) as exc:
        session.notify(NOTICE, "error", _("Could not load the Playground's network: {problem}")
                       .format(problem=exc))
        return
    session.notify(NOTICE, "success", _("Loaded a copy of the Playground's network and data. "
                                        "Training there does not change it."))


def _take_example():
    _use(studies.example(widgets.value("bp_example_act", "tanh")))


def _take_tutorial():
    _use(studies.tutorial())


def study_chooser(source):
    with st.container(border=True):
        st.markdown(_("**Network under study:** {network}")
                    .format(network=studies.describe(source)))
        row = st.container(horizontal=True, vertical_alignment="bottom")
        row.selectbox(_("Small example's activation"), studies.EXAMPLE_ACTIVATIONS,
                      key="bp_example_act", on_change=_take_example, width=220,
                      format_func=lambda name: _(ACTIVATION_LABELS.get(name, name)))
        if source.origin != "tutorial":
            row.button(_("Use the tutorial's network"), key="bp_take_tutorial",
                       on_click=_take_tutorial, width="content",
                       help=_("Its 2-4-3-1 ReLU/ReLU/sigmoid network with its initial weights, "
                              "on its 1000 circles."))
        if source.origin != "example":
            row.button(_("Back to the small example"), key="bp_take_example",
                       on_click=_take_example, width="content")
        has_playground = session.playground_state() is not None
        row.button(_("Use the Playground's network"), key="bp_take_pg", on_click=_take_playground,
                   disabled=not has_playground, width="content",
                   help=_("Copies the Playground's current network and training data.")
                   if has_playground else _("Open the Playground first: there is no network "
                                            "there yet."))
        session.show_notice(NOTICE)


def main():
    if presenter_mode():
        larger_text()
    st.title(_("How backprop works"))
    st.caption(_("The chain rule with real numbers: a training step traced layer by layer, a "
                 "check of every gradient against finite differences, the tutorial's run to "
                 "the printed digit, and how gradients flow through a deep network."))
    version, source = session.study()
    study_chooser(source)
    tabs = kept_tabs([_(tab) for tab in TABS], "bp_tab")
    if tabs[0].open:  # only the open tab is computed
        with tabs[0]:
            stepper(source)
    if tabs[1].open:
        with tabs[1]:
            gradient_check_lab(version, source)
    if tabs[2].open:
        with tabs[2]:
            tutorial_runs()
    if tabs[3].open:
        with tabs[3]:
            gradient_flow(version, source)


main()
