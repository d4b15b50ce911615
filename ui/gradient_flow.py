"""Gradient flow: per-layer gradient norms and update sizes over a run, dead and saturated
units, and a deep sigmoid network against a deep ReLU one."""

import numpy as np
import pandas as pd
import streamlit as st

import mlp_core as mc
from app_logic.settings import ACTIVATION_LABELS
from mlp_core import explain as ex
from viz import backprop_figures as bf

from . import session

FLOW_EPOCHS = 200
# Settings where, on 200 circles, ReLU learns (100%) and sigmoid stalls at chance (52%).
CONTRAST_DEPTH, CONTRAST_WIDTH, CONTRAST_EPOCHS, CONTRAST_LR = 6, 16, 300, 0.3
NICE = ACTIVATION_LABELS


@st.cache_data(max_entries=8, show_spinner=False)
def contrast_runs(X, y):
    return {act: ex.flow_run(X, y, act, CONTRAST_DEPTH, CONTRAST_WIDTH, CONTRAST_EPOCHS,
                             CONTRAST_LR) for act in ("sigmoid", "relu")}


def gradient_ratio(norms):
    """The output layer's gradient norm over the first layer's."""
    return norms[-1] / max(norms[0], 1e-300)


def times(ratio):
    return f"{ratio:,.0f}×" if ratio >= 10 else f"{ratio:.2g}×"


def run_here(version, source):
    net = source.net.copy()
    trainer = mc.Trainer(net, loss=source.loss, optimizer=mc.SGD(source.lr),
                         batch_size=min(32, len(source.X)), seed=0)
    diverged = None
    try:
        trainer.run_epochs(source.X, source.y, FLOW_EPOCHS)
    except mc.Diverged as exc:
        diverged = str(exc)
    session.keep(session.FLOW_RUN, {"source_id": version,
                                       "trainer": trainer, "diverged": diverged})


def show_history(history, net, X, caption):
    if len(history) < 2:
        st.info("The run has fewer than two epochs so far.")
        return
    epochs = np.asarray(history.column("epoch"))
    g1, g2 = st.columns(2)
    g1.plotly_chart(bf.layer_curves_figure(epochs, history.column("grad_norm"),
                                           "Gradient norm per layer", "‖gradient‖"),
                    key="bp_flow_grad")
    g2.plotly_chart(bf.layer_curves_figure(epochs, history.column("update_ratio"),
                                           "Update / weight ratio per layer",
                                           "‖ΔW‖ / ‖W‖ per epoch"), key="bp_flow_ratio")
    st.caption(caption)
    activity = ex.layer_activity(net.copy(), X)
    a1, a2 = st.columns([3, 2])
    a1.plotly_chart(bf.activity_figure(activity, lambda name: NICE.get(name, name)),
                    key="bp_flow_activity")
    a2.dataframe(activity_table(activity), hide_index=True, key="bp_flow_activity_table")
    a2.caption("Dead ReLU: never positive on any sample, so it passes no gradient at all. "
               "Saturated: a sigmoid/tanh stuck on its flat tail (slope < 5% of its peak).")


def activity_table(activity):
    def share(v):
        return "–" if np.isnan(v) else f"{v:.0%}"

    return pd.DataFrame([{"layer": r["layer"], "activation": NICE.get(r["activation"],
                                                                      r["activation"]),
                          "units": r["units"],
                          "dead": share(r["dead_share"]), "saturated": share(r["saturated_share"]),
                          "flat values": share(r["flat_share"]),
                          "mean slope": "–" if np.isnan(r["mean_slope"])
                          else bf.format_small(r["mean_slope"])} for r in activity])


def gradient_flow(version, source):
    st.markdown("Gradients shrink or grow as they pass back through the layers. Watch the "
                "**gradient norm per layer**: lines far apart on this log scale mean some layers "
                "learn much more slowly than others. A healthy update/weight ratio is roughly "
                "1e-3 per step.")
    pg = session.playground_state()
    options = ["A run started here"]
    if pg is not None and len(pg.trainer.history) >= 2:
        options.insert(0, "The Playground's run")
    which = st.radio("Run", options, horizontal=True, key="bp_flow_which",
                     persist_state="session")
    if which == "The Playground's run":
        show_history(pg.trainer.history, pg.net, np.asarray(pg.X_train, float)[:1000],
                     f"The Playground's run up to epoch {pg.trainer.epoch} (live: it grows as "
                     "the Playground trains).")
    else:
        st.button(f"Train this page's network for {FLOW_EPOCHS} epochs (SGD, η = "
                  f"{source.lr:g})", key="bp_flow_train", on_click=run_here,
                  args=(version, source))
        run = session.kept(session.FLOW_RUN)
        if run is None or run["source_id"] != version:
            st.caption(f"Trains a copy of {source.label}.")
        else:
            if run["diverged"]:
                st.warning(run["diverged"])
            show_history(run["trainer"].history, run["trainer"].net, source.X,
                         f"{source.label}, trained here.")
    st.divider()
    st.header("Vanishing gradients: deep sigmoid against deep ReLU")
    st.markdown(f"Two networks of {CONTRAST_DEPTH} hidden layers × {CONTRAST_WIDTH} units, "
                f"trained the same way on the same data ({CONTRAST_EPOCHS} epochs of gradient "
                f"descent, η = {CONTRAST_LR}). The sigmoid's slope is at most 1/4, so each layer "
                "back shrinks the gradient.")
    if st.button("Run the contrast", key="bp_contrast", type="primary"):
        session.keep("bp_contrast_on", True)
    if session.kept("bp_contrast_on"):
        contrast()


def contrast():
    """The deep sigmoid and deep ReLU networks side by side, once asked for."""
    # Always its own data: on these settings ReLU learns and sigmoid stalls.
    ds = mc.make_dataset("circles", 200, 0.1, seed=0)
    X, y, data = ds.X, ds.y, "200 points of circles (the same whichever network is studied)"
    runs = contrast_runs(X, y)
    # The first epoch's gradients, not a mean over the run: the mean is the first epochs'
    # (the sigmoid network's gradients then sink a thousandfold), so it would describe
    # neither the start nor the end of the curves below.
    profiles = {f"deep {NICE[act]}": run.grad_norm[0] for act, run in runs.items()}
    c1, c2 = st.columns(2)
    c1.plotly_chart(bf.gradient_profile_figure(profiles, "Gradient norm per layer, epoch 1"),
                    key="bp_contrast_profile")
    epochs = np.arange(1, CONTRAST_EPOCHS + 1)
    c2.plotly_chart(bf.curves_figure(epochs, {f"deep {NICE[act]}": run.train_acc
                                              for act, run in runs.items()},
                                     "Training accuracy", "accuracy", y_range=[0.3, 1.02]),
                    key="bp_contrast_acc")
    cols = st.columns(len(runs))
    for col, (act, run) in zip(cols, runs.items()):
        col.metric(f"Deep {NICE[act]}: gradient ratio at epoch 1",
                   times(gradient_ratio(run.grad_norm[0])),
                   help="Gradient norm of the output layer divided by that of the first "
                        "hidden layer, in the first epoch")
        col.caption(f"final training accuracy {run.train_acc[-1]:.0%}; at epoch "
                    f"{CONTRAST_EPOCHS} the ratio is "
                    f"{times(gradient_ratio(run.grad_norm[-1]))} and the largest layer "
                    f"gradient {bf.format_small(run.grad_norm[-1].max())}")
    st.caption(f"Data: {data}. Look at: in the first epoch the sigmoid line falls towards "
               "the input (left), so its first layers barely learn and its accuracy stays "
               "near chance; its curves below then sink, every layer together, as the "
               "network settles on one answer for every point. The ReLU line stays level "
               "and it learns.")
    g1, g2 = st.columns(2)
    for col, (act, run) in zip((g1, g2), runs.items()):
        col.plotly_chart(bf.layer_curves_figure(np.arange(1, len(run.grad_norm) + 1),
                                                run.grad_norm,
                                                f"Deep {NICE[act]}: gradient norm per layer",
                                                "‖gradient‖"), key=f"bp_contrast_{act}")
