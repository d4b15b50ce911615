"""The stepper: one gradient-descent step on a small batch, forward layer by layer, the
loss, backward layer by layer and the update, each with its equation, the same equation with
the numbers of one entry, and every matrix involved."""

import numpy as np
import streamlit as st

import mlp_core as mc
from app_logic.settings import ACTIVATION_LABELS, FEATURE_LABELS
from mlp_core import explain as ex
from viz import backprop_figures as bf
from viz.format import format_number
from viz.i18n import N_, _
from viz.network import network_figure

from . import widget_sync as widgets

MAX_TERMS = 4  # terms written out in a worked sum before "…"
TERMS_PER_LINE = 2


def network_diagram(net, feature_names, highlight_layer=None):
    """The shared network figure, with the current layer emphasised."""
    return network_figure(net, [FEATURE_LABELS.get(f, f) for f in feature_names],
                          highlight_layer=highlight_layer,
                          activation_label=lambda name: _(ACTIVATION_LABELS.get(name, name)))


# ---- small display helpers --------------------------------------------------------------
def matrix_row(specs):
    """Matrices side by side, each as wide as its table, packed to the left; they wrap to a
    new line where the page is too narrow. A spec is (LaTeX symbol, values, row labels,
    column labels, options for the table)."""
    row = st.container(horizontal=True, gap="large")
    for symbol, values, rows, cols, opts in specs:
        opts = dict(opts)
        index = opts.pop("index", True)
        note = opts.pop("note", "")
        values = np.atleast_2d(values)
        box = row.container(width="content")
        box.markdown(f"${symbol}$ &nbsp; {values.shape[0]} × {values.shape[1]}{note}")
        table = bf.matrix_table(values, rows, cols, **opts)
        # The grid sizes columns by their headers (u1, x2), which cut the left of a number
        # such as -4.47e-08: each column gets the width of its longest number.
        width = 14 + 7 * max(len(num(v)) for v in values.ravel())
        box.dataframe(table, width="content", hide_index=not index,
                      column_config={"_index": st.column_config.Column(_("row")),  # no empty header
                                     **{c: st.column_config.Column(width=width)
                                        for c in table.data.columns}})


def num(v):
    return format_number(float(v))


def tex(v):
    """A number for an equation: e-notation as a power of ten (LaTeX would set 1.36e-05 as
    the product 1.36·e minus 5)."""
    text = num(v)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa}\times 10^{{{int(exponent)}}}"


def paren(v):
    return f"({tex(v)})" if v < 0 or "e" in num(v) else tex(v)


def shown(v):
    """A number as the page prints it, so a worked line can be redone from its digits."""
    return float(num(v))


def equals(result, from_shown):
    """"=" where the numbers as printed give the printed result, "≈" where their rounding
    shows in its last digit."""
    return "=" if num(from_shown) == num(result) else r"\approx"


def worked_sum(left, pairs, extra=None, result=0.0):
    """LaTeX for left = a1·b1 + a2·b2 + ... (+ extra) = result, ``pairs`` the factors of
    each term: long sums are shortened to MAX_TERMS terms and broken over lines so they fit
    beside the diagram."""
    terms = [f"{paren(a)}\\cdot{paren(b)}" for a, b in pairs]
    shown_terms = terms[:MAX_TERMS] + (["\\dots"] if len(terms) > MAX_TERMS else [])
    shown_terms += [] if extra is None else [paren(extra)]
    per_line = len(shown_terms) if len(shown_terms) <= 3 else TERMS_PER_LINE
    lines = [" + ".join(shown_terms[n:n + per_line])
             for n in range(0, len(shown_terms), per_line)]
    body = " \\\\ &\\quad + ".join(lines)
    total = sum(shown(a) * shown(b) for a, b in pairs) + (0 if extra is None else shown(extra))
    return (f"\\begin{{aligned}}{left} &= {body} \\\\ &{equals(result, total)} {tex(result)}"
            f"\\end{{aligned}}")


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
    return F_NAMES.get(name, r"\mathrm{" + word(name).replace(" ", r"\ ") + "}")


def word(name):
    """An activation's name as the pages write it: "ReLU", "Leaky ReLU", "sigmoid"."""
    return _(ACTIVATION_LABELS.get(name, name))


def note(text):
    """What the equation above means, in a sentence."""
    st.caption(text)


def text(words):
    """LaTeX's \\text{} of ``words`` (translated), braces and backslashes escaped."""
    return r"\text{" + words.replace("\\", "").replace("{", r"\{").replace("}", r"\}") + "}"


LOSS_NOTES = {
    "bce": (N_("Binary cross-entropy: large when the probability given to a sample's true "
               "class is small."),
            N_("How fast the loss changes as each predicted probability moves.")),
    "cross_entropy": (N_("Cross-entropy: minus the log of the probability given to each "
                         "sample's true class."),
                      N_("How fast the loss changes as each class probability moves.")),
    "mse": (N_("Squared error: the squared distance between prediction and target."),
            N_("How fast the loss changes as each prediction moves: up when it is above its "
               "target.")),
}


# ---- the stepper -------------------------------------------------------------------------
def steps_for(n_layers):
    return ([("forward", k) for k in range(1, n_layers + 1)] + [("loss", n_layers)]
            + [("backward", k) for k in range(n_layers, 0, -1)] + [("update", None)])


def step_label(step):
    kind, k = step
    return {"forward": _("Forward · layer {k}"), "loss": _("Loss"),
            "backward": _("Backward · layer {k}"), "update": _("Update")}[kind].format(k=k)


def move_step(delta, n_steps):
    widgets.set_value("bp_step", int(np.clip(widgets.value("bp_step", 0) + delta, 0,
                                              n_steps - 1)))


def labels(trace, k, feature_names):
    """Row labels (samples) and the unit labels of layers k-1 and k."""
    t = trace.layers[k - 1]
    ins = (list(feature_names) if k == 1 and len(feature_names) == t.W.shape[0]
           else [f"u{m + 1}" for m in range(t.W.shape[0])])
    return ins, [f"u{m + 1}" for m in range(t.W.shape[1])]


def follow_selectors(trace, k, batch_rows):
    """Which sample s, unit j of layer k and input i of layer k-1 the worked numbers follow."""
    t = trace.layers[k - 1]
    s = st.selectbox(_("Follow sample"), range(len(batch_rows)),
                     key=f"bp_s_{len(batch_rows)}", persist_state="session",
                     format_func=lambda r: _("sample {n}").format(n=batch_rows[r] + 1))
    # At first a unit and an input that carry gradient: on a dead ReLU every number of the
    # worked example would be 0.
    j = st.selectbox(_("Unit j of layer {k}").format(k=k), range(t.z.shape[1]), key=f"bp_j_{k}",
                     persist_state="session",
                     index=t.live_unit(s), format_func=lambda u: f"u{u + 1}")
    i = st.selectbox(_("Input i (layer {k})").format(k=k - 1), range(t.a_prev.shape[1]),
                     key=f"bp_i_{k}",
                     persist_state="session",
                     index=t.live_input(),
                     format_func=lambda u: f"{'x' if k == 1 else 'u'}{u + 1}")
    return s, j, i


def render_forward(left, trace, k, samples, names, s, j, i):
    t = trace.layers[k - 1]
    ins, outs = names
    with left:
        st.latex(rf"\mathbf{{Z}}_{k} = \mathbf{{A}}_{{{k - 1}}}\,\mathbf{{W}}_{k} + "
                 rf"\mathbf{{b}}_{k}\qquad \mathbf{{A}}_{k} = {f_name(t.activation)}"
                 rf"(\mathbf{{Z}}_{k})")
        note(_("Each unit of layer {k} sums its inputs times their weights and adds its bias "
               "(Z); then the {activation} function is applied to every entry (A).")
             .format(k=k, activation=word(t.activation)))
        pairs = [(t.a_prev[s, m], t.W[m, j]) for m in range(t.W.shape[0])]
        st.latex(worked_sum(f"z^{{({k})}}_{{{j + 1}}}", pairs, t.b[j], t.z[s, j]))
        note(_("The same sum with the numbers of {sample}, unit u{unit}.")
             .format(sample=samples[s], unit=j + 1))
        st.latex(rf"a^{{({k})}}_{{{j + 1}}} = {f_name(t.activation)}({tex(t.z[s, j])}) = "
                 rf"{tex(t.a[s, j])}")
        name, said = word(t.activation), _("{activation} of that sum: what u{unit} passes on "
                                           "to the next layer.")
        if said.startswith("{activation}"):  # the name begins the sentence: a capital
            name = name[:1].upper() + name[1:]
        note(said.format(activation=name, unit=j + 1))
        st.caption(_("Samples are rows; b{k} is added to every row. The worked line follows "
                     "{sample}, unit u{unit}: its row of A{previous} (yellow) times the column "
                     "of W{k} into u{unit} (yellow), plus b. Bold: the entries of the worked "
                     "line.").format(k=k, previous=k - 1, sample=samples[s], unit=j + 1)
                   + (" " + _("A0 is the input X.") if k == 1 else ""))
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
    value = LOSS_LATEX[trace.loss][0]
    per_sample = per_sample_loss(trace)
    terms = [tex(v) for v in per_sample]
    more = r" + \dots" if len(terms) > MAX_TERMS else ""
    with left:
        st.latex(value)
        note(_(LOSS_NOTES[trace.loss][0]))
        mean = sum(shown(v) for v in per_sample) / len(per_sample)
        st.latex(rf"L = \tfrac{{1}}{{{len(terms)}}}\big({' + '.join(terms[:MAX_TERMS])}{more}"
                 rf"\big) {equals(trace.loss_before, mean)} {tex(trace.loss_before)}")
        note(_("The mean of the samples' own losses."))
        st.caption(_("ŷ is the network's output (the last A), y the target, ℓ each sample's "
                     "own loss. L is their mean over the batch, so every gradient that follows "
                     "carries a 1/n."))
    n_out = trace.Y.shape[1]
    yhat = ["ŷ"] if n_out == 1 else [f"ŷ{c + 1}" for c in range(n_out)]
    ys = ["y"] if n_out == 1 else [f"y{c + 1}" for c in range(n_out)]
    matrix_row([
        (r"\hat{\mathbf{y}}", trace.yhat, samples, yhat, {}),
        (r"\mathbf{y}", trace.Y, samples, ys, dict(index=False)),
        (r"\ell_s", per_sample[:, None], samples, ["ℓ"], dict(index=False)),
        (r"L", np.array([[trace.loss_before]]), ["L"], [_("mean")], dict(index=False)),
    ])


def render_backward(left, trace, k, samples, names, s, j, i):
    t = trace.layers[k - 1]
    dA = rf"\frac{{\partial L}}{{\partial \mathbf{{A}}_{k}}}"
    dZ = rf"\frac{{\partial L}}{{\partial \mathbf{{Z}}_{k}}}"
    with left:
        if k == len(trace.layers):
            st.latex(LOSS_LATEX[trace.loss][1] + r"\qquad" + text(_("this is") + " ") + dA)
            note(_(LOSS_NOTES[trace.loss][1]))
        else:
            st.latex(rf"{dA} = \frac{{\partial L}}{{\partial \mathbf{{Z}}_{{{k + 1}}}}}\,"
                     rf"\mathbf{{W}}_{{{k + 1}}}^\top \qquad"
                     + text(_("(from layer {k})").format(k=k + 1)))
            note(_("The error signal of layer {next}, sent back through its weights: how "
                   "much the loss changes as each output of layer {k} moves.")
                 .format(next=k + 1, k=k))
        if t.fprime is None:
            st.latex(rf"{dZ}:\ \delta_{{sc}} = \hat y_{{sc}}\Big(\frac{{\partial L}}"
                     rf"{{\partial \hat y_{{sc}}}} - \sum_{{c'}} \hat y_{{sc'}}\frac{{\partial L}}"
                     rf"{{\partial \hat y_{{sc'}}}}\Big) = \frac{{\hat y_{{sc}} - y_{{sc}}}}{{n}}")
            note(_("Softmax mixes its outputs, so its slope is a matrix, not one number per "
                   "entry; with cross-entropy the product comes out as (ŷ − y)/n."))
        else:
            st.latex(rf"\boldsymbol{{\delta}}_{k} = {dZ} = {dA} \odot f_{k}'(\mathbf{{Z}}_{k})"
                     + r"\qquad" + text(_("where") + " ") + rf"f_{k}'(z) = {F_PRIME[t.activation]}")
            note(_("Entry by entry times the slope of {activation} at each sum: where the "
                   "function is flat, little of the error gets through.")
                 .format(activation=word(t.activation)))
        st.latex(rf"\frac{{\partial L}}{{\partial \mathbf{{W}}_{k}}} = \mathbf{{A}}_{{{k - 1}}}"
                 rf"^\top\boldsymbol{{\delta}}_{k}\qquad \frac{{\partial L}}{{\partial "
                 rf"\mathbf{{b}}_{k}}} = \sum_{{s}} (\boldsymbol{{\delta}}_{k})_{{s,:}}")
        st.latex(rf"\frac{{\partial L}}{{\partial \mathbf{{A}}_{{{k - 1}}}}} = "
                 rf"\boldsymbol{{\delta}}_{k}\,\mathbf{{W}}_{k}^\top")
        note(_("A weight's gradient is its input times the error at its output, summed over "
               "the samples; a bias's is the error summed over the samples; the last product "
               "is what layer {k} sends back to layer {previous}.").format(k=k, previous=k - 1))
        if t.fprime is not None:
            product = shown(t.dL_da[s, j]) * shown(t.fprime[s, j])
            st.latex(rf"\delta^{{({k})}}_{{{j + 1}}} = {paren(t.dL_da[s, j])}\cdot"
                     rf"{paren(t.fprime[s, j])}"
                     rf" {equals(t.dL_dz[s, j], product)} {tex(t.dL_dz[s, j])}")
            note(_("The error of unit u{unit} for {sample}.").format(unit=j + 1,
                                                                     sample=samples[s]))
        pairs = [(t.a_prev[r, i], t.dL_dz[r, j]) for r in range(len(samples))]
        st.latex(worked_sum(rf"\frac{{\partial L}}{{\partial w^{{({k})}}_{{{i + 1}{j + 1}}}}}",
                            pairs, None, t.dL_dW[i, j]))
        note(_("The gradient of one weight, from input {input} to u{unit}: input times error, "
               "summed over the samples.").format(input=f"{'x' if k == 1 else 'u'}{i + 1}",
                                                  unit=j + 1))
        if k == len(trace.layers) and trace.notes:
            st.warning(_("The output saturated, so the unfused chain dL/dŷ · f'(z) is 0/0 in "
                         "floating point; dL/dz uses the exact fused form (p − y)/n."))
        elif k == len(trace.layers):
            st.caption(_("The chain dL/dŷ · f'(z) gives exactly the shortcut (ŷ − y)/n."))
        st.caption(_("δ{k} is the error signal of layer {k}. dL/dW{k} sums input × δ over the "
                     "samples: the yellow column of A{previous} meets the yellow column of δ{k}.")
                   .format(k=k, previous=k - 1))
    backward_matrices(t, k, samples, names, s, j, i)


def backward_matrices(t, k, samples, names, s, j, i):
    """Every matrix of layer ``k``'s backward step, the worked entries highlighted."""
    ins, outs = names
    dA = rf"\frac{{\partial L}}{{\partial \mathbf{{A}}_{k}}}"
    dZ = rf"\frac{{\partial L}}{{\partial \mathbf{{Z}}_{k}}}"
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
         dict(highlight=(s, i), note=" " + _("(layer 1 needs no more)") if k == 1 else "")),
    ])


def render_update(top, left, trace, feature_names, j, i):
    n_layers = len(trace.layers)
    with top:
        st.metric(_("Loss before the step"), num(trace.loss_before))
        st.metric(_("Loss after the step"), num(trace.loss_after),
                  delta=num(trace.loss_after - trace.loss_before), delta_color="inverse")
        k = st.selectbox(_("Layer to show"), range(n_layers, 0, -1),
                         key=f"bp_update_layer_{n_layers}", persist_state="session",
                         format_func=lambda v: _("layer {k}").format(k=v))
    with left:
        st.latex(rf"\mathbf{{W}}_k \leftarrow \mathbf{{W}}_k - \eta\,\frac{{\partial L}}"
                 rf"{{\partial \mathbf{{W}}_k}},\qquad \mathbf{{b}}_k \leftarrow \mathbf{{b}}_k "
                 rf"- \eta\,\frac{{\partial L}}{{\partial \mathbf{{b}}_k}},\qquad "
                 rf"\eta = {trace.lr:g}")
        note(_("Every weight and bias takes a step of size η against its gradient, downhill on "
               "the loss."))
        t = trace.layers[k - 1]
        i, j = min(i, t.W.shape[0] - 1), min(j, t.W.shape[1] - 1)
        stepped = shown(t.W[i, j]) - trace.lr * shown(t.dL_dW[i, j])
        st.latex(rf"w^{{({k})}}_{{{i + 1}{j + 1}}} \leftarrow {tex(t.W[i, j])} - {trace.lr:g}\cdot"
                 rf"{paren(t.dL_dW[i, j])} {equals(t.W_new[i, j], stepped)} "
                 rf"{tex(t.W_new[i, j])}")
        note(_("The same step for one weight, with its numbers."))
        st.caption(_("Every weight of every layer moves against its gradient at once. A lower "
                     "loss after the step means the step went downhill on this batch; too "
                     "large an η overshoots and the loss rises."))
    ins, outs = labels(trace, k, feature_names)
    before, after = text(_("before")), text(_("after"))
    matrix_row([
        (rf"\mathbf{{W}}_{k}\ {before}", t.W, ins, outs, dict(highlight=(i, j))),
        (rf"\partial L/\partial \mathbf{{W}}_{k}", t.dL_dW, ins, outs,
         dict(highlight=(i, j), index=False)),
        (rf"\mathbf{{W}}_{k}\ {after}", t.W_new, ins, outs,
         dict(highlight=(i, j), index=False)),
    ])
    matrix_row([
        (rf"\mathbf{{b}}_{k}\ {before}", t.b[None, :], ["b"], outs, {}),
        (rf"\partial L/\partial \mathbf{{b}}_{k}", t.dL_db[None, :], ["b"], outs,
         dict(index=False)),
        (rf"\mathbf{{b}}_{k}\ {after}", t.b_new[None, :], ["b"], outs, dict(index=False)),
    ])


def updated_net(net, trace):
    twin = net.copy()
    for k, t in enumerate(trace.layers):
        twin.weights[k] = t.W_new
        twin.biases[k] = t.b_new
    return twin


def reset_stepper(source):
    """Back to the first step and the study's learning rate; the first sample stays where
    it was if the new data have it."""
    first = min(widgets.value("bp_first_ui", 1), len(source.X))
    for key, value in (("bp_step", 0), ("bp_first_ui", first), ("bp_lr", source.lr)):
        widgets.set_value(key, value)
    for key in widgets.keys_starting(("bp_j_", "bp_i_")):
        widgets.forget(key)  # the new network's worked examples start on live units


def stepper(source):
    net, X, y = source.net, source.X, source.y
    st.markdown(_("Walk through **one training step**: forward layer by layer, the loss, "
                  "backward layer by layer, then the update. Each step shows the equation, the "
                  "same equation with the numbers of one entry, and every matrix involved."))
    c1, c2, c3 = st.columns(3)
    batch = c1.select_slider(_("Mini-batch size"), [1, 2, 4, 8], value=4, key="bp_batch",
                             persist_state="session")
    for key, value in (("bp_first_ui", 1), ("bp_lr", source.lr)):
        if widgets.value(key) is None:
            widgets.set_value(key, value)
    first = c2.number_input(_("First sample"), 1, len(X), key="bp_first_ui",
                            persist_state="session") - 1
    lr = c3.number_input(_("Learning rate η"), 1e-5, 10.0, format="%g", key="bp_lr",
                         persist_state="session")
    rows = np.arange(first, min(first + batch, len(X)))
    try:
        trace = ex.step_trace(net, X[rows], y[rows], source.loss, lr)
    except ValueError as exc:
        st.error(_("This network cannot be traced: {problem}").format(problem=exc))
        return
    steps = steps_for(net.n_layers)
    widgets.set_value("bp_step", int(np.clip(widgets.value("bp_step", 0), 0,
                                              len(steps) - 1)))
    b1, b2, b3 = st.columns([1.5, 5, 1.5], vertical_alignment="bottom")
    b1.button(_("◀ Back"), key="bp_prev", on_click=move_step, args=(-1, len(steps)),
              width="stretch")
    b2.select_slider(_("Step"), range(len(steps)), key="bp_step", persist_state="session",
                     format_func=lambda v: f"{v + 1}. {step_label(steps[v])}")
    b3.button(_("Next ▶"), key="bp_next", on_click=move_step, args=(1, len(steps)),
              width="stretch")
    kind, k = steps[widgets.value("bp_step")]
    st.header(_("Step {n} of {total}: {step}").format(
        n=widgets.value("bp_step") + 1, total=len(steps), step=step_label((kind, k))))
    # The choices sit beside the network diagram; the equations and matrices take the full
    # width below them, so they fit a 1024-pixel screen.
    top, right = st.columns([1, 2], vertical_alignment="center")
    left = st.container()
    with right:
        shown = updated_net(net, trace) if kind == "update" else net
        st.plotly_chart(network_diagram(shown, source.feature_names,
                                        None if kind == "update" else k - 1), key="bp_network")
    samples = [_("sample {n}").format(n=r + 1) for r in rows]
    if kind in ("forward", "backward"):
        with top:
            s, j, i = follow_selectors(trace, k, rows)
        names = labels(trace, k, source.feature_names)
        render = render_forward if kind == "forward" else render_backward
        render(left, trace, k, samples, names, s, j, i)
    elif kind == "loss":
        top.markdown(_("The loss measures how far the network's outputs ŷ are from the "
                       "targets y on this batch. Backprop starts from it."))
        render_loss(left, trace, samples)
    else:
        render_update(top, left, trace, source.feature_names, 0, 0)
    tutorial_equations()


def tutorial_equations():
    """The two places where the tutorial's printed equations are off, with the right form."""
    printed, right = text(_("printed:") + " "), text(_("right:") + " ")
    with st.expander(_("Where the tutorial's printed equations are off")):
        st.markdown(_("**The weight gradient in matrix form** uses the layer's output a_k where "
                      "the weight's input a_{k−1} belongs (a weight's gradient is its input "
                      "times the error at its output):"))
        st.latex(printed + r" \frac{\partial L}{\partial \mathbf{W}_k} = "
                 r"\Big(\frac{\partial L}{\partial \mathbf{z}_k}\Big)^{\top}\mathbf{a}_k"
                 r"\qquad" + right + r" \frac{\partial L}{\partial \mathbf{W}_k} = "
                 r"\frac{\partial L}{\partial \mathbf{z}_k}\,\mathbf{a}_{k-1}^{\top}"
                 r"\quad\big(" + text(_("samples as rows:") + " ") + r" \mathbf{A}_{k-1}^{\top}"
                 r"\boldsymbol{\delta}_k\big)")
        st.markdown(_("**The squared error's derivative** has the wrong sign; with it, gradient "
                      "descent would climb the loss:"))
        st.latex(r"L = \sum_i (y_i - \hat y_i)^2\qquad" + printed + r" \frac{\partial L}"
                 r"{\partial \hat y_i} = 2(y_i - \hat y_i)\qquad" + right + r" \frac{\partial L}"
                 r"{\partial \hat y_i} = -2(y_i - \hat y_i) = 2(\hat y_i - y_i)")
        st.caption(_("Its code gets both right (it multiplies by the layer's input, and uses "
                     "cross-entropy); its three errors in the code are in the gradient check."))
