"""Backpropagation laid open: one training step traced layer by layer, the tutorial's three
published errors as switches, and per-layer statistics for gradient flow.

Layers are numbered as in the tutorial: layer k (1-based) maps a_{k-1} to z_k = a_{k-1} W_k + b_k
and a_k = f_k(z_k), samples as rows. The engine's lists are 0-based: W_k is ``net.weights[k-1]``,
z_k is ``net.z[k-1]`` and a_k is ``net.a[k]``.

The trace shows the chain rule unfused: dL/dŷ at the output, then dL/dz = dL/da ⊙ f'(z). The
engine fuses the output layer into dL/dz = (p - y) / n, which is the same number; the trace says
where the two differ numerically (a saturated sigmoid, where the unfused form divides 0 by 0).
Softmax is not elementwise, so there dL/dz is the Jacobian-vector product
dL/dz = p ⊙ (dL/dp - Σ_j p_j dL/dp_j), not a product with an f'(z).
"""

import math
from dataclasses import dataclass, field

import numpy as np

from . import _validate as check
from . import tutorial
from .activations import ACTIVATIONS
from .losses import LOSSES
from .network import MLP, targets
from .optimizers import SGD
from .training import Diverged, Trainer
from .tutorial import (
    DB_AVERAGED,
    ERROR_LABELS,
    SIGMOID_DERIVATIVE,
    SUMMED_LOSS,
    TUTORIAL_ERRORS,
    ExperimentRun,
    tutorial_sigmoid_derivative,
)
from .tutorial import check_errors as _check_errors

__all__ = [  # the tutorial's names are defined in tutorial.py and offered here too
    "SIGMOID_DERIVATIVE", "SUMMED_LOSS", "DB_AVERAGED", "TUTORIAL_ERRORS", "ERROR_LABELS",
    "ExperimentRun", "tutorial_sigmoid_derivative", "tutorial_experiment", "LayerTrace",
    "StepTrace", "step_trace", "chain_gradients", "layer_activity", "FlowRun", "flow_run",
    "FLAT_SLOPE", "SQUASHING", "RECTIFIED",
]

# A sigmoid or tanh unit is in its flat tail when its slope is below this share of the peak.
FLAT_SLOPE = 0.05
SQUASHING = {"sigmoid": 0.25, "tanh": 1.0}  # peak slope of each saturating activation
RECTIFIED = ("relu",)  # units that output exactly zero, hence can die


@dataclass
class LayerTrace:
    """Forward and backward values of layer k (1-based) for one batch, samples as rows."""

    k: int
    activation: str
    a_prev: np.ndarray  # a_{k-1}             (n, n_{k-1})
    W: np.ndarray  # W_k                       (n_{k-1}, n_k)
    b: np.ndarray  # b_k                       (n_k,)
    z: np.ndarray  # z_k = a_{k-1} W_k + b_k   (n, n_k)
    a: np.ndarray  # a_k = f_k(z_k)            (n, n_k)
    dL_da: np.ndarray  # dL/da_k               (n, n_k)
    fprime: np.ndarray | None  # f_k'(z_k), None for softmax (not elementwise)
    dL_dz: np.ndarray  # dL/dz_k               (n, n_k)
    dL_dW: np.ndarray  # a_{k-1}^T dL/dz_k     (n_{k-1}, n_k)
    dL_db: np.ndarray  # dL/dz_k summed over samples  (n_k,)
    dL_da_prev: np.ndarray  # dL/dz_k W_k^T    (n, n_{k-1})
    W_new: np.ndarray  # W_k - lr dL/dW_k
    b_new: np.ndarray  # b_k - lr dL/db_k

    def live_unit(self, sample=0):
        """A unit of this layer that passes gradient back: the first whose slope f'(z) is not
        0 for ``sample``, else the first with a non-zero error on any sample, else 0. A worked
        example on a dead ReLU would multiply by zero all the way."""
        slope = np.ones_like(self.z) if self.fprime is None else self.fprime
        for live in (slope[sample] != 0, (self.dL_dz != 0).any(axis=0)):
            if live.any():
                return int(np.argmax(live))
        return 0

    def live_input(self):
        """An input of this layer that is not 0 on every sample (a dead unit of the layer
        before is): the first, else 0."""
        live = (self.a_prev != 0).any(axis=0)
        return int(np.argmax(live)) if live.any() else 0


@dataclass
class StepTrace:
    """One plain gradient-descent step on a batch, traced layer by layer."""

    loss: str
    lr: float
    X: np.ndarray
    Y: np.ndarray  # targets (n, n_out), one-hot for several outputs
    layers: list  # LayerTrace per layer, layers[0] is layer 1
    dL_dyhat: np.ndarray  # dL/dŷ at the output (unfused, mean loss)
    fused_dL_dz: np.ndarray  # the engine's output dL/dz, e.g. (p - y) / n
    unfused_matches: bool  # the unfused chain reproduces the fused dL/dz at the output
    loss_before: float
    loss_after: float
    notes: list = field(default_factory=list)

    @property
    def yhat(self):
        return self.layers[-1].a

    @property
    def gradients(self):
        """[(dL/dW, dL/db)] in the engine's order, comparable to ``net.loss_and_gradients``."""
        return [(t.dL_dW, t.dL_db) for t in self.layers]


def _output_dz_unfused(loss, name, z, a, Y):
    """dL/dŷ, f'(z) (None for softmax) and dL/dz at the output by the unfused chain rule."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        dL_da = LOSSES[loss].grad_a(z, a, Y)
        if name == "softmax":
            # Jacobian-vector product of softmax: dz_i = p_i (g_i - Σ_j p_j g_j).
            fprime = None
            dL_dz = a * (dL_da - (dL_da * a).sum(axis=1, keepdims=True))
        else:
            fprime = ACTIVATIONS[name].df(z, a)
            dL_dz = dL_da * fprime
    return dL_da, fprime, dL_dz


def step_trace(net, X, y, loss="bce", lr=0.1):
    """Trace one gradient-descent step W <- W - lr dL/dW on the batch (X, y).

    The network is left unchanged; the chain comes from ``MLP.backward(trace=...)`` on a copy.
    ``dL_dW`` and ``dL_db`` of every layer equal the engine's
    ``net.loss_and_gradients(X, y, loss)`` (no penalty). Where the unfused output chain is not
    finite (a sigmoid saturated to exactly 0 or 1), dL/dz falls back to the fused value and a
    note says so.
    """
    lr = check.number("lr", lr, 0.0, low_open=True)
    work = net.copy()
    loss_before = work.loss(X, y, loss)  # validates X, y and loss; keeps z and a
    X = work.a[0]
    Y, _ = targets(y, loss, net.layer_sizes[-1])
    names = net.activations
    z_out, a_out = work.z[-1], work.a[-1]
    fused = LOSSES[loss].output_delta(z_out, a_out, Y, names[-1])
    dL_dyhat, fprime_out, dL_dz = _output_dz_unfused(loss, names[-1], z_out, a_out, Y)
    notes = []
    matches = bool(np.all(np.isfinite(dL_dz))) and np.allclose(dL_dz, fused, rtol=1e-6,
                                                               atol=1e-12)
    if not matches:
        notes.append("The output saturated, so the unfused chain dL/dŷ · f'(z) is 0/0 in "
                     "floating point; dL/dz uses the exact fused form (p − y)/n.")
        dL_dz = fused.copy()
    trace = []
    work.backward(dL_dz, trace=trace)
    trace[-1].update(dL_da=dL_dyhat, fprime=fprime_out)  # the output's chain, chosen above
    layers = []
    for i, t in enumerate(trace):
        W, b = work.weights[i].copy(), work.biases[i].copy()
        dW, db = work.weight_grads[i].copy(), work.bias_grads[i].copy()
        layers.append(LayerTrace(
            k=i + 1, activation=names[i], a_prev=work.a[i], W=W, b=b, z=work.z[i],
            a=work.a[i + 1], dL_da=t["dL_da"], fprime=t["fprime"], dL_dz=t["dL_dz"], dL_dW=dW,
            dL_db=db, dL_da_prev=t["dL_da_prev"], W_new=W - lr * dW, b_new=b - lr * db))
    for i, t in enumerate(layers):
        work.weights[i] = t.W_new
        work.biases[i] = t.b_new
    loss_after = work.loss(X, y, loss)
    return StepTrace(loss=loss, lr=lr, X=X, Y=Y, layers=layers, dL_dyhat=dL_dyhat,
                     fused_dL_dz=fused, unfused_matches=matches, loss_before=float(loss_before),
                     loss_after=float(loss_after), notes=notes)


def chain_gradients(net, X, y, loss="bce", errors=()):
    """Loss and [(dW, db)] by the chain rule, with any subset of ``TUTORIAL_ERRORS``.

    Without errors this equals ``net.loss_and_gradients(X, y, loss)``. The errors act as in
    the tutorial's code:
    - SIGMOID_DERIVATIVE: every sigmoid layer uses 2 s (1 - s) for f'(z);
    - SUMMED_LOSS: the loss (and so dL/dŷ) is a sum over samples: n times the mean;
    - DB_AVERAGED: dW = a^T dz still sums over the batch but db is the mean of dz over it,
      so db is n times smaller than the gradient of the loss being minimised.
    With all three on, W follows the gradient of the summed loss (n times the mean's) while
    b follows that of the mean: the tutorial's training. Returns (loss value, gradients); the
    value is on the scale the errors imply (a sum with SUMMED_LOSS).
    The errors act through ``MLP.backward``'s hooks (``derivatives``, ``bias_reduction``), so
    this is the engine's own backward pass; it leaves its result in ``net.grad``.
    """
    errors = _check_errors(errors)
    net.check_loss(loss)
    Y, _ = targets(y, loss, net.layer_sizes[-1])
    out = net.forward(X)
    if len(Y) != len(out):
        raise ValueError(f"X has {len(out)} rows but y has {len(Y)}")
    scale = float(len(Y)) if SUMMED_LOSS in errors else 1.0
    value = LOSSES[loss].value(net.z[-1], out, Y) * scale
    net.backprop(Y, loss, errors=errors)
    return float(value), net.gradients()


def tutorial_experiment(errors=(), seed=0, lr=0.005, n_epochs=150, n_samples=1000, noise=0.1):
    """The tutorial's experiment on its own data and initial weights: make_circles(n_samples,
    factor=0.5, noise) from the np.random.seed(seed) stream (seed 0 is the tutorial's), the
    2-4-3-1 ReLU/ReLU/sigmoid network from np.random.seed(42)'s, full-batch gradient descent
    at ``lr`` for ``n_epochs`` epochs with the given tutorial errors. See ``tutorial.run``;
    with all three errors, seed 0 and lr 0.005 it prints what the tutorial prints."""
    return tutorial.run(errors, lr, n_epochs, seed, n_samples=n_samples, noise=noise)


def layer_activity(net, X):
    """Per-layer activity on the batch X, one dict per layer (k 1-based):
    dead_share: share of ReLU units never positive on any sample (their gradient is 0 always);
    saturated_share: share of sigmoid/tanh units in the flat tail (slope < FLAT_SLOPE of the
    peak) on every sample; flat_share: share of all (sample, unit) values with slope < FLAT_SLOPE
    of the peak (or exactly 0 for ReLU); mean_slope: mean f'(z) over samples and units.
    NaN where a measure does not apply to the layer's activation."""
    net.forward(X)
    rows = []
    for i, name in enumerate(net.activations):
        z, a = net.z[i], net.a[i + 1]
        row = {"layer": i + 1, "activation": name, "units": z.shape[1],
               "dead_share": math.nan, "saturated_share": math.nan, "flat_share": math.nan,
               "mean_slope": math.nan}
        if name in RECTIFIED:
            never_on = ~(z > 0).any(axis=0)
            row.update(dead_share=float(never_on.mean()), flat_share=float((z <= 0).mean()),
                       mean_slope=float((z > 0).mean()))
        elif name in SQUASHING:
            slope = ACTIVATIONS[name].df(z, a)
            flat = slope < FLAT_SLOPE * SQUASHING[name]
            row.update(saturated_share=float(flat.all(axis=0).mean()),
                       flat_share=float(flat.mean()), mean_slope=float(slope.mean()))
        elif name != "softmax":
            row["mean_slope"] = float(ACTIVATIONS[name].df(z, a).mean())
        rows.append(row)
    return rows


@dataclass
class FlowRun:
    """A short training run recorded for gradient flow: arrays (n_epochs, n_layers)."""

    activation: str
    layer_sizes: tuple
    grad_norm: np.ndarray
    update_ratio: np.ndarray
    train_loss: np.ndarray
    train_acc: np.ndarray
    activity: list  # layer_activity after training
    diverged: str | None = None


def flow_run(X, y, activation, depth=6, width=8, n_epochs=100, lr=0.1, seed=0):
    """Train a deep net (``depth`` hidden layers of ``width`` units, all ``activation``) with
    full-batch plain gradient descent and record per-layer gradient norms. ReLU nets start
    from He initialisation, the others from Xavier: each the usual choice for it."""
    X = check.features("X", X)
    y = check.array("y", y, 1)
    depth = check.integer("depth", depth, 0, check.MAX_LAYERS - 1)
    width = check.integer("width", width, 1, check.MAX_UNITS)
    if len(y) != len(X) or not np.array_equal(y, np.round(y)) or y.min() < 0 \
            or y.max() >= check.MAX_UNITS:
        raise ValueError(f"y must hold one class label (0, 1, ...) per row of X ({len(X)})")
    n_classes = int(y.max()) + 1
    n_out, out_act, loss = (1, "sigmoid", "bce") if n_classes <= 2 else (n_classes, "softmax",
                                                                            "cross_entropy")
    sizes = [X.shape[1]] + [width] * depth + [n_out]
    init = "he" if activation in RECTIFIED else "xavier"
    net = MLP(sizes, [activation] * depth + [out_act], init=init, seed=seed)
    trainer = Trainer(net, loss=loss, optimizer=SGD(lr), batch_size=len(X), seed=seed)
    diverged = None
    try:
        trainer.run_epochs(X, y, n_epochs)
    except Diverged as exc:
        diverged = str(exc)
    h = trainer.history
    return FlowRun(activation, tuple(sizes), np.array(h.column("grad_norm")),
                   np.array(h.column("update_ratio")), np.array(h.column("train_loss")),
                   np.array(h.column("train_acc")), layer_activity(net, X), diverged)
