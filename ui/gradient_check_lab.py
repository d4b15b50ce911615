"""The gradient-check lab: backprop against central finite differences, layer by layer,
with the tutorial's published errors as switches, and what those errors do to training."""

import numpy as np
import pandas as pd
import streamlit as st

import mlp_core as mc
from mlp_core import explain as ex
from viz import backprop_figures as bf

from . import session

GRADCHECK_ROWS = 200
PASS, FAIL = 1e-6, 1e-2


def gradient_check_result(version, source, tutorial_derivative):
    """(analytic, numeric, relative error per layer), kept for the latest question only."""
    cache = st.session_state.get(session.GRADCHECK) or {}
    key = (version, tutorial_derivative)
    if key not in cache:
        net, loss = source.net, source.loss
        X, y = source.X[:GRADCHECK_ROWS], source.y[:GRADCHECK_ROWS]
        errors = [ex.SIGMOID_DERIVATIVE] if tutorial_derivative else []
        _, analytic = ex.chain_gradients(net, X, y, loss, errors)
        numeric = mc.numerical_gradients(net, X, y, loss)
        rel = mc.gradient_check(net, X, y, loss, analytic=analytic)
        cache = st.session_state[session.GRADCHECK] = {key: (analytic, numeric, rel)}
    return cache[key]


@st.cache_data(max_entries=32, show_spinner=False)
def experiment(errors, seed, lr):
    return ex.tutorial_experiment(errors, seed=seed, lr=lr)


def verdict(err):
    if err < PASS:
        return "✓ agrees"
    return "✗ wrong" if err > FAIL else "? suspicious"


def gradient_check_lab(version, source):
    net = source.net
    st.markdown("Backprop is checked by nudging every weight by ±ε and measuring the loss: "
                "(L(w+ε) − L(w−ε)) / 2ε. If the derivation and the code are right, the two "
                "agree to about 1e-7 or better.")
    wrong = st.toggle("Use the sigmoid derivative 2·s·(1−s) (a published bug)",
                      key="bp_gc_tutorial")
    analytic, numeric, rel = gradient_check_result(version, source, wrong)
    has_sigmoid = "sigmoid" in net.activations
    rows = [{"layer": k + 1, "activation": net.activations[k],
             "relative error": err, "verdict": verdict(err)} for k, err in enumerate(rel)]
    c1, c2 = st.columns([2, 3])
    with c1:
        worst = max(rel)
        st.metric("Largest relative error", f"{worst:.2e}", help="‖analytic − numeric‖ / "
                  "(‖analytic‖ + ‖numeric‖) over each layer's weights and biases")
        frame = pd.DataFrame(rows)
        st.dataframe(frame.style.format({"relative error": "{:.2e}"}), hide_index=True,
                     key="bp_gc_table")
        if wrong and not has_sigmoid:
            st.info("This network has no sigmoid layer, so the wrong derivative changes nothing. "
                    "Use the small example with a sigmoid output.")
        elif wrong:
            st.error(f"The check fails: relative error {worst:.2f}. The factor 2 doubles every "
                     "gradient that flows through a sigmoid, so its layer and all layers below "
                     "it are off.")
        else:
            st.success("Backprop agrees with finite differences in every layer.")
        st.caption("Look at: the verdict column, then the plot. Points off the diagonal are "
                   "gradient entries the derivation got wrong.")
    with c2:
        layer_names = [f"layer {k + 1}" for k in range(net.n_layers)]
        analytic_flat = [np.concatenate([W.ravel(), b]) for W, b in analytic]
        numeric_flat = [np.concatenate([W.ravel(), b]) for W, b in numeric]
        st.plotly_chart(bf.analytic_vs_numeric_figure(analytic_flat, numeric_flat, layer_names),
                        key="bp_gc_plot")
    tutorial_training()


VARIANTS = [("correct", ()), *[(ex.ERROR_LABELS[e], (e,)) for e in ex.TUTORIAL_ERRORS],
            ("all three (the published code)", ex.TUTORIAL_ERRORS)]


def variants_table(seed, lr):
    rows = []
    for name, errors in VARIANTS:
        r = experiment(errors, seed, lr)
        rows.append({"gradients": name, "final loss (mean)": f"{r.mean_loss[-1]:.4f}",
                     "printed loss": f"{r.reported_loss[-1]:.4g}",
                     "final accuracy": f"{r.accuracy[-1]:.3f}",
                     "best accuracy": f"{np.nanmax(r.accuracy):.3f}",
                     "diverged": "–" if r.diverged_at is None else f"epoch {r.diverged_at}"})
    return pd.DataFrame(rows)


def tutorial_training():
    st.subheader("Do the bugs matter for training?")
    st.markdown("The published experiment: 1000 points of circles, a 2-4-3-1 ReLU/ReLU/sigmoid "
                "net with N(0, 0.1) weights, 150 epochs of full-batch gradient descent. Switch "
                "the published errors on and compare with the correct gradients.")
    c1, c2, c3 = st.columns([3, 1, 1])
    summed = c1.toggle("Loss summed, not averaged", key="bp_tut_sum",
                       help="The 'mean' divides by the number of outputs (1) instead of the "
                            "number of samples, so the loss and its gradient are 1000× larger.")
    db_mean = c1.toggle("dW summed over the batch, db averaged", key="bp_tut_db",
                        help="dW sums over the batch while db takes the mean: db is 1000× "
                             "smaller than dW's scale.")
    sig = c1.toggle("Sigmoid derivative 2·s·(1−s)", key="bp_tut_sig")
    lr = c2.selectbox("Learning rate", [0.005, 0.05, 0.5, 5.0], key="bp_tut_lr",
                      help="0.005 is the published value. With a summed loss it acts like "
                           "0.005 × 1000 = 5 on the mean.")
    seed = c3.number_input("Data seed", 0, 99, 0, key="bp_tut_seed")
    errors = tuple(e for e, on in ((ex.SIGMOID_DERIVATIVE, sig), (ex.SUMMED_LOSS, summed),
                                   (ex.DB_AVERAGED, db_mean)) if on)
    correct = experiment((), int(seed), float(lr))
    epochs = np.arange(len(correct.mean_loss))
    if errors:
        buggy = experiment(errors, int(seed), float(lr))
        label = "with errors"
    else:
        buggy, label = None, None
    loss_series = {"correct": correct.mean_loss}
    acc_series = {"correct": correct.accuracy}
    if buggy is not None:
        loss_series[label] = buggy.mean_loss
        acc_series[label] = buggy.accuracy
    g1, g2 = st.columns(2)
    g1.plotly_chart(bf.curves_figure(epochs, loss_series, "Loss (mean over samples)",
                                     "binary cross-entropy"), key="bp_tut_loss")
    g2.plotly_chart(bf.curves_figure(epochs, acc_series, "Accuracy", "accuracy",
                                     y_range=[0.3, 1.02]), key="bp_tut_acc")
    rows = [("correct", correct)] + ([("with errors", buggy)] if buggy is not None else [])
    table = pd.DataFrame([{
        "run": name,
        "final loss (mean)": r.mean_loss[-1],
        "printed loss": r.reported_loss[-1],
        "printed as": r.reported_scale,
        "final accuracy": r.accuracy[-1],
        "best accuracy": np.nanmax(r.accuracy),
    } for name, r in rows])
    st.dataframe(table.style.format({"final loss (mean)": "{:.4f}", "printed loss": "{:.4g}",
                                     "final accuracy": "{:.3f}", "best accuracy": "{:.3f}"}),
                 hide_index=True, key="bp_tut_table")
    with st.expander("Every published error alone, and all three together"):
        st.dataframe(variants_table(int(seed), float(lr)), hide_index=True, key="bp_tut_all")
    st.caption("Look at: with a summed loss the printed value is near 693 = 1000 × ln 2, and the "
               "step is effectively 1000× larger. At η = 0.005 the correct gradients barely move "
               "in 150 epochs; the published run only learned because of that hidden factor, "
               "and its accuracy jumps around because the step is too large.")
