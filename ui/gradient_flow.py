"""Gradient flow: per-layer gradient norms and update sizes over a run, dead and saturated
units, and a deep sigmoid network against a deep ReLU one."""

import numpy as np
import pandas as pd
import streamlit as st

import mlp_core as mc
from app_logic import study as studies
from app_logic.settings import ACTIVATION_LABELS
from mlp_core import explain as ex
from viz import backprop_figures as bf
from viz.i18n import N_, _, number, percent

from . import session

FLOW_EPOCHS = 200
# Settings where, on 200 circles, ReLU learns (100%) and sigmoid stalls at chance (52%).
CONTRAST_DEPTH, CONTRAST_WIDTH, CONTRAST_EPOCHS, CONTRAST_LR = 6, 16, 300, 0.3
PLAYGROUND_RUN, RUN_HERE = N_("The Playground's run"), N_("A run started here")  # the values


def nice(name):
    """An activation's name as the pages write it, in the session's language."""
    return _(ACTIVATION_LABELS.get(name, name))


@st.cache_data(max_entries=8, show_spinner=False)
def contrast_runs(X, y):
    return {act: ex.flow_run(X, y, act, CONTRAST_DEPTH, CONTRAST_WIDTH, CONTRAST_EPOCHS,
                             CONTRAST_LR) for act in ("sigmoid", "relu")}


def gradient_ratio(norms):
    """The output layer's gradient norm over the first layer's."""
    return norms[-1] / max(norms[0], 1e-300)


def times(ratio):
    return f"{number(round(ratio))}×" if ratio >= 10 else f"{ratio:.2g}×"


def run_here(version, source):
    net = source.net.copy()
    trainer = mc.Trainer(net, loss=source.loss, optimizer=mc.SGD(source.lr),
                         batch_size=min(32, len(source.X)), seed=0)
    diverged = None
    try:
        trainer.run_epochs(source.X, source.y, FLOW_EPOCHS)
    except mc.Diverged as exc:
        diverged = exc.epoch
    session.keep(session.FLOW_RUN, {"source_id": version,
                                       "trainer": trainer, "diverged": diverged})


def show_history(history, net, X, caption):
    if len(history) < 2:
        st.info(_("The run has fewer than two epochs so far."))
        return
    epochs = np.asarray(history.column("epoch"))
    g1, g2 = st.columns(2)
    g1.plotly_chart(bf.layer_curves_figure(epochs, history.column("grad_norm"),
                                           _("Gradient norm per layer"), _("‖gradient‖")),
                    key="bp_flow_grad")
    g2.plotly_chart(bf.layer_curves_figure(epochs, history.column("update_ratio"),
                                           _("Update / weight ratio per layer"),
                                           _("‖ΔW‖ / ‖W‖ per epoch")), key="bp_flow_ratio")
    st.caption(caption)
    activity = ex.layer_activity(net.copy(), X)
    a1, a2 = st.columns([3, 2])
    a1.plotly_chart(bf.activity_figure(activity, nice),
                    key="bp_flow_activity")
    a2.dataframe(activity_table(activity), hide_index=True, key="bp_flow_activity_table")
    a2.caption(_("Dead ReLU: never positive on any sample, so it passes no gradient at all. "
                 "Saturated: a sigmoid/tanh stuck on its flat tail (slope < 5% of its peak)."))


def activity_table(activity):
    def share(v):
        return "–" if np.isnan(v) else percent(v, 0)

    return pd.DataFrame([{_("layer"): r["layer"], _("activation"): nice(r["activation"]),
                          _("units"): r["units"], _("dead"): share(r["dead_share"]),
                          _("saturated"): share(r["saturated_share"]),
                          _("flat values"): share(r["flat_share"]),
                          _("mean slope"): "–" if np.isnan(r["mean_slope"])
                          else bf.format_small(r["mean_slope"])} for r in activity])


def gradient_flow(version, source):
    st.markdown(_("Gradients shrink or grow as they pass back through the layers. Watch the "
                  "**gradient norm per layer**: lines far apart on this log scale mean some "
                  "layers learn much more slowly than others. A healthy update/weight ratio is "
                  "roughly 1e-3 per step."))
    pg = session.playground_state()
    options = [RUN_HERE]
    if pg is not None and len(pg.trainer.history) >= 2:
        options.insert(0, PLAYGROUND_RUN)
    which = st.radio(_("Run"), options, horizontal=True, key="bp_flow_which",
                     persist_state="session", format_func=_)
    if which == PLAYGROUND_RUN:
        show_history(pg.trainer.history, pg.net, np.asarray(pg.X_train, float)[:1000],
                     _("The Playground's run up to epoch {epoch} (live: it grows as the "
                       "Playground trains).").format(epoch=number(pg.trainer.epoch)))
    else:
        train_here(version, source)
    st.divider()
    st.header(_("Vanishing gradients: deep sigmoid against deep ReLU"))
    st.markdown(_("Two networks of {depth} hidden layers × {width} units, trained the same "
                  "way on the same data ({epochs} epochs of gradient descent, η = {lr}). The "
                  "sigmoid's slope is at most 1/4, so each layer back shrinks the gradient.")
                .format(depth=CONTRAST_DEPTH, width=CONTRAST_WIDTH, epochs=CONTRAST_EPOCHS,
                        lr=CONTRAST_LR))
    if st.button(_("Run the contrast"), key="bp_contrast", type="primary"):
        session.keep("bp_contrast_on", True)
    if session.kept("bp_contrast_on"):
        contrast()


def train_here(version, source):
    """The button that trains a copy of the studied network here, and that run."""
    st.button(_("Train this page's network for {epochs} epochs (SGD, η = {lr})")
              .format(epochs=FLOW_EPOCHS, lr=f"{source.lr:g}"), key="bp_flow_train",
              on_click=run_here, args=(version, source))
    run = session.kept(session.FLOW_RUN)
    if run is None or run["source_id"] != version:
        st.caption(_("Trains a copy of {network}.").format(network=studies.describe(source)))
        return
    if run["diverged"] is not None:
        st.warning(_("Training diverged in epoch {epoch}: a weight or the loss became "
                     "infinite. The weights are those after epoch {previous}; a smaller "
                     "learning rate usually helps.")
                   .format(epoch=run["diverged"], previous=run["diverged"] - 1))
    show_history(run["trainer"].history, run["trainer"].net, source.X,
                 _("{network}, trained here.").format(network=studies.describe(source)))


def contrast():
    """The deep sigmoid and deep ReLU networks side by side, once asked for."""
    # Always its own data: on these settings ReLU learns and sigmoid stalls.
    ds = mc.make_dataset("circles", 200, 0.1, seed=0)
    X, y = ds.X, ds.y
    data = _("200 points of circles (the same whichever network is studied)")
    runs = contrast_runs(X, y)
    # The first epoch's gradients, not a mean over the run: the mean is the first epochs'
    # (the sigmoid network's gradients then sink a thousandfold), so it would describe
    # neither the start nor the end of the curves below.
    deep = {act: _("deep {activation}").format(activation=nice(act)) for act in runs}
    profiles = {deep[act]: run.grad_norm[0] for act, run in runs.items()}
    c1, c2 = st.columns(2)
    c1.plotly_chart(bf.gradient_profile_figure(profiles, _("Gradient norm per layer, epoch 1"),
                                               colours=[bf.ACTIVATION_COLOURS[a] for a in runs]),
                    key="bp_contrast_profile")
    epochs = np.arange(1, CONTRAST_EPOCHS + 1)
    c2.plotly_chart(bf.curves_figure(epochs, {deep[act]: run.train_acc
                                              for act, run in runs.items()},
                                     _("Training accuracy"), _("accuracy"), y_range=[0.3, 1.02],
                                     colours=[bf.ACTIVATION_COLOURS[a] for a in runs]),
                    key="bp_contrast_acc")
    cols = st.columns(len(runs))
    for col, (act, run) in zip(cols, runs.items()):
        col.metric(_("Deep {activation}: gradient ratio at epoch 1").format(activation=nice(act)),
                   times(gradient_ratio(run.grad_norm[0])),
                   help=_("Gradient norm of the output layer divided by that of the first "
                          "hidden layer, in the first epoch"))
        col.caption(_("final training accuracy {accuracy}; at epoch {epochs} the ratio is "
                      "{ratio} and the largest layer gradient {largest}").format(
            accuracy=percent(run.train_acc[-1], 0), epochs=CONTRAST_EPOCHS,
            ratio=times(gradient_ratio(run.grad_norm[-1])),
            largest=bf.format_small(run.grad_norm[-1].max())))
    st.caption(_("Data: {data}. Look at: in the first epoch the sigmoid line falls towards "
                 "the input (left), so its first layers barely learn and its accuracy stays "
                 "near chance; its curves below then sink, every layer together, as the "
                 "network settles on one answer for every point. The ReLU line stays level "
                 "and it learns.").format(data=data))
    g1, g2 = st.columns(2)
    for col, (act, run) in zip((g1, g2), runs.items()):
        col.plotly_chart(bf.layer_curves_figure(np.arange(1, len(run.grad_norm) + 1),
                                                run.grad_norm,
                                                _("Deep {activation}: gradient norm per layer")
                                                .format(activation=nice(act)),
                                                _("‖gradient‖")), key=f"bp_contrast_{act}")
