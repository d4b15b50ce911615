"""How backprop works: one gradient-descent step traced layer by layer, a gradient-check lab
and gradient flow."""

import numpy as np
import pandas as pd
import streamlit as st

import mlp_core as mc
from mlp_core import explain as ex
from viz import backprop_figures as bf

EXAMPLE_POINTS = 8
EXAMPLE_ACTIVATIONS = ("tanh", "relu", "sigmoid")
GRADCHECK_ROWS = 200
FLOW_EPOCHS = 200
CONTRAST_DEPTH, CONTRAST_WIDTH, CONTRAST_EPOCHS, CONTRAST_LR = 6, 8, 200, 0.1
PASS, FAIL = 1e-6, 1e-2
NICE = {"sigmoid": "sigmoid", "relu": "ReLU"}
MAX_TERMS = 4  # terms written out in a worked sum before "…"
TERMS_PER_LINE = 2


# ---- the network and data under study ---------------------------------------------------
def example_source(activation):
    ds = mc.make_dataset("circles", EXAMPLE_POINTS, 0.1, seed=0)
    net = mc.MLP([2, 3, 2, 1], [activation, activation, "sigmoid"], init="xavier", seed=0)
    return {"origin": "example", "label": f"small example: 2-3-2-1 {activation} net on "
                                          f"{EXAMPLE_POINTS} points of circles",
            "net": net, "X": ds.X, "y": ds.y, "loss": "bce", "feature_names": ["x1", "x2"],
            "lr": 0.5}


def playground_state():
    pg = st.session_state.get("playground")
    return pg if pg is not None and getattr(pg, "net", None) is not None else None


def playground_source(pg):
    """A frozen copy of the Playground's network and training data."""
    net = pg.net.copy()
    X = np.asarray(pg.X_train, float)
    y = np.asarray(pg.train.y)
    net.loss_and_gradients(X[:2], y[:2], pg.loss)  # raises ValueError if they do not fit
    sizes = "-".join(str(s) for s in net.layer_sizes)
    epoch = getattr(getattr(pg, "trainer", None), "epoch", 0)
    lr = float((getattr(pg, "config", None) or {}).get("lr", 0.1))
    return {"origin": "playground", "label": f"the Playground's {sizes} network after epoch "
                                             f"{epoch}, on its {len(X)} training points",
            "net": net, "X": X, "y": y, "loss": pg.loss,
            "feature_names": list(pg.feature_names), "lr": lr}


def set_source(source):
    st.session_state["bp_source"] = source
    st.session_state["bp_source_id"] = st.session_state.get("bp_source_id", 0) + 1
    st.session_state["bp_step"] = 0
    st.session_state["bp_first"] = 0
    st.session_state["bp_lr"] = source["lr"]


def take_playground():
    try:
        set_source(playground_source(playground_state()))
        st.session_state["bp_notice"] = ("success", "Loaded a copy of the Playground's network "
                                                    "and data. Training there does not change it.")
    except (AttributeError, TypeError, ValueError) as exc:
        st.session_state["bp_notice"] = ("error", f"Could not load the Playground's network: "
                                                  f"{exc}")


def take_example():
    set_source(example_source(st.session_state.get("bp_example_act", "tanh")))


def network_diagram(net, feature_names, highlight_layer=None):
    """The shared network figure, with the current layer emphasised (None if unavailable)."""
    try:
        from viz.figures import network_figure
    except ImportError:
        return None
    return network_figure(net, feature_names, highlight_layer=highlight_layer)


# ---- small display helpers --------------------------------------------------------------
def matrix_row(specs):
    """Matrices side by side, each in a column as wide as its matrix. A spec is
    (LaTeX symbol, values, row labels, column labels, options for the table)."""
    widths = [np.atleast_2d(v).shape[1] + (2.0 if opts.get("index", True) else 0.4)
              for _, v, _, _, opts in specs]
    for col, (symbol, values, rows, cols, opts) in zip(st.columns(widths), specs):
        opts = dict(opts)
        index = opts.pop("index", True)
        note = opts.pop("note", "")
        values = np.atleast_2d(values)
        col.markdown(f"${symbol}$ &nbsp; {values.shape[0]} × {values.shape[1]}{note}")
        col.dataframe(bf.matrix_table(values, rows, cols, **opts), width="content",
                      hide_index=not index)


def num(v):
    return bf.format_number(float(v))


def paren(v):
    return f"({num(v)})" if v < 0 else num(v)


def worked_sum(left, terms, extra="", result=0.0):
    """LaTeX for left = t1 + t2 + ... (+ extra) = result: long sums are shortened to
    MAX_TERMS terms and broken over lines so they fit beside the diagram."""
    shown = terms[:MAX_TERMS] + (["\\dots"] if len(terms) > MAX_TERMS else [])
    shown += [extra] if extra else []
    per_line = len(shown) if len(shown) <= 3 else TERMS_PER_LINE
    lines = [" + ".join(shown[n:n + per_line]) for n in range(0, len(shown), per_line)]
    body = " \\\\ &\\quad + ".join(lines)
    return f"\\begin{{aligned}}{left} &= {body} \\\\ &= {num(result)}\\end{{aligned}}"


# ---- equations ---------------------------------------------------------------------------
F_NAMES = {"tanh": r"\tanh", "relu": r"\mathrm{ReLU}", "sigmoid": r"\sigma",
           "softmax": r"\mathrm{softmax}"}
F_PRIME = {"tanh": r"1 - \tanh^2(z)", "relu": r"[z > 0]", "sigmoid": r"\sigma(z)\,(1 - \sigma(z))",
           "leaky_relu": r"[z > 0] + 0.01\,[z \le 0]", "elu": r"[z > 0] + e^{z}\,[z \le 0]",
           "softplus": r"\sigma(z)", "swish": r"\sigma(z) + z\,\sigma(z)(1 - \sigma(z))",
           "linear": "1"}
LOSS_LATEX = {
    "bce": (r"L = -\frac{1}{n}\sum_{s=1}^{n}\big[y_s\log\hat y_s + (1-y_s)\log(1-\hat y_s)\big]",
            r"\frac{\partial L}{\partial \hat y_s} = \frac{1}{n}\,"
            r"\frac{\hat y_s - y_s}{\hat y_s\,(1-\hat y_s)}"),
    "cross_entropy": (r"L = -\frac{1}{n}\sum_{s=1}^{n}\sum_{c} y_{sc}\log\hat y_{sc}",
                      r"\frac{\partial L}{\partial \hat y_{sc}} = -\frac{1}{n}\,"
                      r"\frac{y_{sc}}{\hat y_{sc}}"),
    "mse": (r"L = \frac{1}{n}\sum_{s=1}^{n}\sum_{c}(\hat y_{sc} - y_{sc})^2",
            r"\frac{\partial L}{\partial \hat y_{sc}} = \frac{2}{n}(\hat y_{sc} - y_{sc})"),
}


def f_name(name):
    return F_NAMES.get(name, r"\mathrm{" + name.replace("_", r"\_") + "}")


# ---- the stepper -------------------------------------------------------------------------
def steps_for(n_layers):
    return ([("forward", k) for k in range(1, n_layers + 1)] + [("loss", n_layers)]
            + [("backward", k) for k in range(n_layers, 0, -1)] + [("update", None)])


def step_label(step):
    kind, k = step
    return {"forward": f"Forward · layer {k}", "loss": "Loss", "backward": f"Backward · layer {k}",
            "update": "Update"}[kind]


def move_step(delta, n_steps):
    st.session_state["bp_step"] = int(np.clip(st.session_state.get("bp_step", 0) + delta, 0,
                                              n_steps - 1))


def labels(trace, k, feature_names):
    """Row labels (samples) and the unit labels of layers k-1 and k."""
    t = trace.layers[k - 1]
    ins = (list(feature_names) if k == 1 and len(feature_names) == t.W.shape[0]
           else [f"u{m + 1}" for m in range(t.W.shape[0])])
    return ins, [f"u{m + 1}" for m in range(t.W.shape[1])]


def follow_selectors(trace, k, batch_rows):
    """Which sample s, unit j of layer k and input i of layer k-1 the worked numbers follow."""
    t = trace.layers[k - 1]
    c1, c2, c3 = st.columns(3)
    s = c1.selectbox("Follow sample", range(len(batch_rows)), key=f"bp_s_{len(batch_rows)}",
                     format_func=lambda r: f"sample {batch_rows[r] + 1}")
    j = c2.selectbox(f"Unit j of layer {k}", range(t.z.shape[1]), key=f"bp_j_{k}",
                     format_func=lambda u: f"u{u + 1}")
    i = c3.selectbox(f"Input i (layer {k - 1})", range(t.a_prev.shape[1]), key=f"bp_i_{k}",
                     format_func=lambda u: f"{'x' if k == 1 else 'u'}{u + 1}")
    return s, j, i


def render_forward(left, trace, k, samples, names, s, j, i):
    t = trace.layers[k - 1]
    ins, outs = names
    with left:
        st.latex(rf"\mathbf{{Z}}_{k} = \mathbf{{A}}_{{{k - 1}}}\,\mathbf{{W}}_{k} + "
                 rf"\mathbf{{b}}_{k}\qquad \mathbf{{A}}_{k} = {f_name(t.activation)}"
                 rf"(\mathbf{{Z}}_{k})")
        terms = [f"{paren(t.a_prev[s, m])}\\cdot{paren(t.W[m, j])}" for m in range(t.W.shape[0])]
        st.latex(worked_sum(f"z^{{({k})}}_{{{j + 1}}}", terms, paren(t.b[j]), t.z[s, j]))
        st.latex(rf"a^{{({k})}}_{{{j + 1}}} = {f_name(t.activation)}({num(t.z[s, j])}) = "
                 rf"{num(t.a[s, j])}")
        st.caption(f"Samples are rows; b{k} is added to every row. The worked line follows "
                   f"{samples[s]}, unit u{j + 1}: its row of A{k - 1} (yellow) times the column "
                   f"of W{k} into u{j + 1} (yellow), plus b. Bold: the entries of the worked line."
                   + (" A0 is the input X." if k == 1 else ""))
    matrix_row([
        (r"\mathbf{A}_0 = X" if k == 1 else rf"\mathbf{{A}}_{{{k - 1}}}", t.a_prev, samples, ins,
         dict(highlight=(s, i), highlight_row=s)),
        (rf"\mathbf{{W}}_{k}", t.W, ins, outs, dict(highlight=(i, j), highlight_col=j)),
        (rf"\mathbf{{b}}_{k}", t.b[None, :], ["b"], outs, dict(highlight=(0, j), index=False)),
    ])
    matrix_row([
        (rf"\mathbf{{Z}}_{k}", t.z, samples, outs, dict(highlight=(s, j))),
        (rf"\mathbf{{A}}_{k} = {f_name(t.activation)}(\mathbf{{Z}}_{k})", t.a, samples, outs,
         dict(highlight=(s, j), index=False)),
    ])


def per_sample_loss(trace):
    z, a, Y = trace.layers[-1].z, trace.yhat, trace.Y
    loss = mc.LOSSES[trace.loss].value
    return np.array([loss(z[r:r + 1], a[r:r + 1], Y[r:r + 1]) for r in range(len(Y))])


def render_loss(left, trace, samples):
    value, _ = LOSS_LATEX[trace.loss]
    per_sample = per_sample_loss(trace)
    terms = [num(v) for v in per_sample]
    more = r" + \dots" if len(terms) > MAX_TERMS else ""
    with left:
        st.latex(value)
        st.latex(rf"L = \tfrac{{1}}{{{len(terms)}}}\big({' + '.join(terms[:MAX_TERMS])}{more}"
                 rf"\big) = {num(trace.loss_before)}")
        st.caption("ŷ is the network's output (the last A), y the target, ℓ each sample's own "
                   "loss. L is their mean over the batch, so every gradient that follows "
                   "carries a 1/n.")
    n_out = trace.Y.shape[1]
    yhat = ["ŷ"] if n_out == 1 else [f"ŷ{c + 1}" for c in range(n_out)]
    ys = ["y"] if n_out == 1 else [f"y{c + 1}" for c in range(n_out)]
    matrix_row([
        (r"\hat{\mathbf{y}}", trace.yhat, samples, yhat, {}),
        (r"\mathbf{y}", trace.Y, samples, ys, dict(index=False)),
        (r"\ell_s", per_sample[:, None], samples, ["ℓ"], dict(index=False)),
        (r"L", np.array([[trace.loss_before]]), ["L"], ["mean"], dict(index=False)),
    ])


def render_backward(left, trace, k, samples, names, s, j, i):
    t = trace.layers[k - 1]
    ins, outs = names
    dA = rf"\frac{{\partial L}}{{\partial \mathbf{{A}}_{k}}}"
    dZ = rf"\frac{{\partial L}}{{\partial \mathbf{{Z}}_{k}}}"
    with left:
        if k == len(trace.layers):
            st.latex(LOSS_LATEX[trace.loss][1] + rf"\qquad\text{{this is }} {dA}")
        else:
            st.latex(rf"{dA} = \frac{{\partial L}}{{\partial \mathbf{{Z}}_{{{k + 1}}}}}\,"
                     rf"\mathbf{{W}}_{{{k + 1}}}^\top \qquad\text{{(from layer {k + 1})}}")
        if t.fprime is None:
            st.latex(rf"{dZ}:\ \delta_{{sc}} = \hat y_{{sc}}\Big(\frac{{\partial L}}"
                     rf"{{\partial \hat y_{{sc}}}} - \sum_{{c'}} \hat y_{{sc'}}\frac{{\partial L}}"
                     rf"{{\partial \hat y_{{sc'}}}}\Big) = \frac{{\hat y_{{sc}} - y_{{sc}}}}{{n}}")
        else:
            st.latex(rf"\boldsymbol{{\delta}}_{k} = {dZ} = {dA} \odot f_{k}'(\mathbf{{Z}}_{k}),"
                     rf"\qquad f_{k}'(z) = {F_PRIME[t.activation]}")
        st.latex(rf"\frac{{\partial L}}{{\partial \mathbf{{W}}_{k}}} = \mathbf{{A}}_{{{k - 1}}}"
                 rf"^\top\boldsymbol{{\delta}}_{k}\qquad \frac{{\partial L}}{{\partial "
                 rf"\mathbf{{b}}_{k}}} = \sum_{{s}} (\boldsymbol{{\delta}}_{k})_{{s,:}}\qquad "
                 rf"\frac{{\partial L}}{{\partial \mathbf{{A}}_{{{k - 1}}}}} = "
                 rf"\boldsymbol{{\delta}}_{k}\,\mathbf{{W}}_{k}^\top")
        if t.fprime is not None:
            st.latex(rf"\delta^{{({k})}}_{{{j + 1}}} = {paren(t.dL_da[s, j])}\cdot"
                     rf"{paren(t.fprime[s, j])}"
                     rf" = {num(t.dL_dz[s, j])}")
        terms = [f"{paren(t.a_prev[r, i])}\\cdot{paren(t.dL_dz[r, j])}"
                 for r in range(len(samples))]
        st.latex(worked_sum(rf"\frac{{\partial L}}{{\partial w^{{({k})}}_{{{i + 1}{j + 1}}}}}",
                            terms, "",
                            t.dL_dW[i, j]))
        if k == len(trace.layers) and trace.notes:
            st.warning(" ".join(trace.notes))
        elif k == len(trace.layers):
            st.caption("The chain dL/dŷ · f'(z) gives exactly the shortcut (ŷ − y)/n.")
        st.caption(f"δ{k} is the error signal of layer {k}. dL/dW{k} sums input × δ over the "
                   f"samples: the yellow column of A{k - 1} meets the yellow column of δ{k}.")
    if t.fprime is not None:
        fprime = (rf"f_{k}'(\mathbf{{Z}}_{k})", t.fprime, samples, outs,
                  dict(highlight=(s, j), index=False))
    else:
        fprime = None
    matrix_row([spec for spec in (
        (dA, t.dL_da, samples, outs, dict(highlight=(s, j))),
        fprime,
        (rf"\boldsymbol{{\delta}}_{k} = {dZ}", t.dL_dz, samples, outs,
         dict(highlight=(s, j), highlight_col=j, index=fprime is None)),
        (rf"\mathbf{{A}}_{{{k - 1}}}", t.a_prev, samples, ins,
         dict(highlight_col=i, index=False)),
    ) if spec is not None])
    matrix_row([
        (rf"\partial L/\partial \mathbf{{W}}_{k}", t.dL_dW, ins, outs, dict(highlight=(i, j))),
        (rf"\partial L/\partial \mathbf{{b}}_{k}", t.dL_db[None, :], ["b"], outs,
         dict(highlight=(0, j), index=False)),
        (rf"\partial L/\partial \mathbf{{A}}_{{{k - 1}}}", t.dL_da_prev, samples, ins,
         dict(highlight=(s, i), note=" (layer 1 needs no more)" if k == 1 else "")),
    ])


def render_update(left, trace, feature_names, j, i):
    n_layers = len(trace.layers)
    with left:
        st.latex(rf"\mathbf{{W}}_k \leftarrow \mathbf{{W}}_k - \eta\,\frac{{\partial L}}"
                 rf"{{\partial \mathbf{{W}}_k}},\qquad \mathbf{{b}}_k \leftarrow \mathbf{{b}}_k "
                 rf"- \eta\,\frac{{\partial L}}{{\partial \mathbf{{b}}_k}},\qquad "
                 rf"\eta = {trace.lr:g}")
        c1, c2 = st.columns(2)
        c1.metric("Loss before the step", num(trace.loss_before))
        c2.metric("Loss after the step", num(trace.loss_after),
                  delta=num(trace.loss_after - trace.loss_before), delta_color="inverse")
        k = st.selectbox("Layer to show", range(n_layers, 0, -1),
                         key=f"bp_update_layer_{n_layers}", format_func=lambda v: f"layer {v}")
        t = trace.layers[k - 1]
        i, j = min(i, t.W.shape[0] - 1), min(j, t.W.shape[1] - 1)
        st.latex(rf"w^{{({k})}}_{{{i + 1}{j + 1}}} \leftarrow {num(t.W[i, j])} - {trace.lr:g}\cdot"
                 rf"{paren(t.dL_dW[i, j])} = {num(t.W_new[i, j])}")
        st.caption("Every weight of every layer moves against its gradient at once. A lower "
                   "loss after the step means the step went downhill on this batch; too large "
                   "an η overshoots and the loss rises.")
    ins, outs = labels(trace, k, feature_names)
    matrix_row([
        (rf"\mathbf{{W}}_{k}\ \text{{before}}", t.W, ins, outs, dict(highlight=(i, j))),
        (rf"\partial L/\partial \mathbf{{W}}_{k}", t.dL_dW, ins, outs,
         dict(highlight=(i, j), index=False)),
        (rf"\mathbf{{W}}_{k}\ \text{{after}}", t.W_new, ins, outs,
         dict(highlight=(i, j), index=False)),
    ])
    matrix_row([
        (rf"\mathbf{{b}}_{k}\ \text{{before}}", t.b[None, :], ["b"], outs, {}),
        (rf"\partial L/\partial \mathbf{{b}}_{k}", t.dL_db[None, :], ["b"], outs,
         dict(index=False)),
        (rf"\mathbf{{b}}_{k}\ \text{{after}}", t.b_new[None, :], ["b"], outs, dict(index=False)),
    ])


def updated_net(net, trace):
    twin = net.copy()
    for k, t in enumerate(trace.layers):
        twin.weights[k] = t.W_new
        twin.biases[k] = t.b_new
    return twin


def inspector(source):
    net, X, y = source["net"], source["X"], source["y"]
    st.markdown("Walk through **one training step**: forward layer by layer, the loss, backward "
                "layer by layer, then the update. Each step shows the equation, the same "
                "equation with the numbers of one entry, and every matrix involved.")
    c1, c2, c3 = st.columns(3)
    batch = c1.select_slider("Mini-batch size", [1, 2, 4, 8], value=4, key="bp_batch")
    first = c2.number_input("First sample", 1, len(X), key="bp_first_ui",
                            value=min(st.session_state.get("bp_first", 0) + 1, len(X))) - 1
    lr = c3.number_input("Learning rate η", 1e-5, 10.0, format="%g", key="bp_lr")
    rows = np.arange(first, min(first + batch, len(X)))
    try:
        trace = ex.step_trace(net, X[rows], y[rows], source["loss"], lr)
    except ValueError as exc:
        st.error(f"This network cannot be traced: {exc}")
        return
    steps = steps_for(net.n_layers)
    st.session_state["bp_step"] = int(np.clip(st.session_state.get("bp_step", 0), 0,
                                              len(steps) - 1))
    b1, b2, b3 = st.columns([1, 6, 1], vertical_alignment="bottom")
    b1.button("◀ Back", key="bp_prev", on_click=move_step, args=(-1, len(steps)),
              width="stretch")
    b2.select_slider("Step", range(len(steps)), key="bp_step",
                     format_func=lambda v: f"{v + 1}. {step_label(steps[v])}")
    b3.button("Next ▶", key="bp_next", on_click=move_step, args=(1, len(steps)),
              width="stretch")
    kind, k = steps[st.session_state["bp_step"]]
    st.subheader(f"Step {st.session_state['bp_step'] + 1} of {len(steps)}: "
                 f"{step_label((kind, k))}")
    left, right = st.columns([3, 2])
    with right:
        shown = updated_net(net, trace) if kind == "update" else net
        fig = network_diagram(shown, source["feature_names"], None if kind == "update" else k - 1)
        if fig is not None:
            st.plotly_chart(fig, key="bp_network")
        else:
            st.caption("(The network diagram is not available in this version.)")
    samples = [f"sample {r + 1}" for r in rows]
    if kind in ("forward", "backward"):
        with left:
            s, j, i = follow_selectors(trace, k, rows)
        names = labels(trace, k, source["feature_names"])
        render = render_forward if kind == "forward" else render_backward
        render(left, trace, k, samples, names, s, j, i)
    elif kind == "loss":
        render_loss(left, trace, samples)
    else:
        render_update(left, trace, source["feature_names"], 0, 0)
    st.session_state["bp_trace"] = trace  # what this step shows, for checking against the engine


# ---- gradient-check lab ------------------------------------------------------------------
def gradient_check_result(source, tutorial_derivative):
    cache = st.session_state.setdefault("bp_gc_cache", {})
    key = (st.session_state.get("bp_source_id", 0), tutorial_derivative)
    if key not in cache:
        net, loss = source["net"], source["loss"]
        X, y = source["X"][:GRADCHECK_ROWS], source["y"][:GRADCHECK_ROWS]
        errors = [ex.SIGMOID_DERIVATIVE] if tutorial_derivative else []
        _, analytic = ex.chain_gradients(net, X, y, loss, errors)
        numeric = mc.numerical_gradients(net, X, y, loss)
        rel = mc.gradient_check(net, X, y, loss, analytic=analytic)
        cache.clear()
        cache[key] = (analytic, numeric, rel)
    return cache[key]


@st.cache_data(max_entries=32, show_spinner=False)
def experiment(errors, seed, lr):
    return ex.tutorial_experiment(errors, seed=seed, lr=lr)


def verdict(err):
    if err < PASS:
        return "✓ agrees"
    return "✗ wrong" if err > FAIL else "? suspicious"


def gradient_check_lab(source):
    net = source["net"]
    st.markdown("Backprop is checked by nudging every weight by ±ε and measuring the loss: "
                "(L(w+ε) − L(w−ε)) / 2ε. If the derivation and the code are right, the two "
                "agree to about 1e-7 or better.")
    wrong = st.toggle("Use the sigmoid derivative 2·s·(1−s) (a published bug)",
                      key="bp_gc_tutorial")
    analytic, numeric, rel = gradient_check_result(source, wrong)
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
    st.session_state["bp_gc_errors"] = rel
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


# ---- gradient flow -----------------------------------------------------------------------
@st.cache_data(max_entries=8, show_spinner=False)
def contrast_runs(X, y):
    return {act: ex.flow_run(X, y, act, CONTRAST_DEPTH, CONTRAST_WIDTH, CONTRAST_EPOCHS,
                             CONTRAST_LR) for act in ("sigmoid", "relu")}


def run_here(source):
    net = source["net"].copy()
    trainer = mc.Trainer(net, loss=source["loss"], optimizer=mc.SGD(source["lr"]),
                         batch_size=min(32, len(source["X"])), seed=0)
    diverged = None
    try:
        trainer.run_epochs(source["X"], source["y"], FLOW_EPOCHS)
    except mc.Diverged as exc:
        diverged = str(exc)
    st.session_state["bp_flow_run"] = {"source_id": st.session_state.get("bp_source_id", 0),
                                       "trainer": trainer, "diverged": diverged}


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
    a1.plotly_chart(bf.activity_figure(activity), key="bp_flow_activity")
    a2.dataframe(activity_table(activity), hide_index=True, key="bp_flow_activity_table")
    a2.caption("Dead ReLU: never positive on any sample, so it passes no gradient at all. "
               "Saturated: a sigmoid/tanh stuck on its flat tail (slope < 5% of its peak).")


def activity_table(activity):
    def share(v):
        return "–" if np.isnan(v) else f"{v:.0%}"

    return pd.DataFrame([{"layer": r["layer"], "activation": r["activation"], "units": r["units"],
                          "dead": share(r["dead_share"]), "saturated": share(r["saturated_share"]),
                          "flat values": share(r["flat_share"]),
                          "mean slope": "–" if np.isnan(r["mean_slope"])
                          else f"{r['mean_slope']:.3f}"} for r in activity])


def gradient_flow(source):
    st.markdown("Gradients shrink or grow as they pass back through the layers. Watch the "
                "**gradient norm per layer**: lines far apart on this log scale mean some layers "
                "learn much more slowly than others. A healthy update/weight ratio is roughly "
                "1e-3 per step.")
    pg = playground_state()
    options = ["A run started here"]
    if pg is not None and len(getattr(pg.trainer, "history", ())) >= 2:
        options.insert(0, "The Playground's run")
    which = st.radio("Run", options, horizontal=True, key="bp_flow_which")
    if which == "The Playground's run":
        show_history(pg.trainer.history, pg.net, np.asarray(pg.X_train, float)[:1000],
                     f"The Playground's run up to epoch {pg.trainer.epoch} (live: it grows as "
                     "the Playground trains).")
    else:
        st.button(f"Train this page's network for {FLOW_EPOCHS} epochs (SGD, η = "
                  f"{source['lr']:g})", key="bp_flow_train", on_click=run_here, args=(source,))
        run = st.session_state.get("bp_flow_run")
        if run is None or run["source_id"] != st.session_state.get("bp_source_id", 0):
            st.caption(f"Trains a copy of {source['label']}.")
        else:
            if run["diverged"]:
                st.warning(run["diverged"])
            show_history(run["trainer"].history, run["trainer"].net, source["X"],
                         f"{source['label']}, trained here.")
    st.divider()
    st.subheader("Vanishing gradients: deep sigmoid against deep ReLU")
    st.markdown(f"Two networks of {CONTRAST_DEPTH} hidden layers × {CONTRAST_WIDTH} units, "
                f"trained the same way on the same data ({CONTRAST_EPOCHS} epochs of gradient "
                f"descent, η = {CONTRAST_LR}). The sigmoid's slope is at most 1/4, so each layer "
                "back shrinks the gradient.")
    if st.button("Run the contrast", key="bp_contrast", type="primary"):
        st.session_state["bp_contrast_on"] = True
    if st.session_state.get("bp_contrast_on"):
        if source["origin"] == "playground":
            X, y, data = source["X"], source["y"], "the Playground's training data"
        else:
            ds = mc.make_dataset("circles", 200, 0.1, seed=0)
            X, y, data = ds.X, ds.y, "200 points of circles"
        runs = contrast_runs(X, y)
        profiles = {f"deep {NICE[act]}": run.grad_norm.mean(axis=0) for act, run in runs.items()}
        c1, c2 = st.columns([3, 2])
        c1.plotly_chart(bf.gradient_profile_figure(profiles), key="bp_contrast_profile")
        with c2:
            for act, run in runs.items():
                g = run.grad_norm.mean(axis=0)
                st.metric(f"Deep {NICE[act]}: output / first layer gradient",
                          f"{g[-1] / max(g[0], 1e-300):,.0f}×",
                          help="Mean gradient norm of the output layer divided by that of the "
                               "first hidden layer")
                st.caption(f"final training accuracy {run.train_acc[-1]:.2f}")
            st.caption(f"Data: {data}. Look at: the sigmoid line falls towards the input (left); "
                       "its first layers barely learn. The ReLU line stays level.")
        g1, g2 = st.columns(2)
        for col, (act, run) in zip((g1, g2), runs.items()):
            col.plotly_chart(bf.layer_curves_figure(np.arange(1, len(run.grad_norm) + 1),
                                                    run.grad_norm,
                                                    f"Deep {NICE[act]}: gradient norm per layer",
                                                    "‖gradient‖"), key=f"bp_contrast_{act}")


# ---- page --------------------------------------------------------------------------------
st.title("How backprop works")
st.caption("The chain rule with real numbers: a training step traced layer by layer, a check "
           "of every gradient, and how gradients flow through a deep network.")

if "bp_source" not in st.session_state:
    set_source(example_source("tanh"))
source = st.session_state["bp_source"]

with st.container(border=True):
    c1, c2, c3 = st.columns([4, 2, 2], vertical_alignment="bottom")
    c1.markdown(f"**Network under study:** {source['label']}")
    c2.selectbox("Example's hidden activation", EXAMPLE_ACTIVATIONS, key="bp_example_act",
                 on_change=take_example)
    pg = playground_state()
    c3.button("Use the Playground's network", key="bp_take_pg", on_click=take_playground,
              disabled=pg is None, width="stretch",
              help="Copies the Playground's current network and training data." if pg is not None
              else "Open the Playground first: there is no network there yet.")
    if source["origin"] == "playground":
        c3.button("Back to the small example", key="bp_take_example", on_click=take_example,
                  width="stretch")
    notice = st.session_state.pop("bp_notice", None)
    if notice is not None:
        getattr(st, notice[0])(notice[1])

tabs = st.tabs(["Step through one training step", "Gradient check", "Gradient flow"],
               key="bp_tab", on_change="rerun")
if tabs[0].open:
    with tabs[0]:
        inspector(source)
if tabs[1].open:
    with tabs[1]:
        gradient_check_lab(source)
if tabs[2].open:
    with tabs[2]:
        gradient_flow(source)
