"""The network the "How backprop works" page studies (a small example, the tutorial's
network, or a frozen copy of the Playground's network and training data) and its gradient
check against finite differences, with the tutorial's published errors as switches."""

from dataclasses import dataclass, field

import numpy as np

import mlp_core as mc
from mlp_core import explain as ex
from mlp_core import tutorial as mc_tutorial
from viz.i18n import N_, _, number

from .settings import ACTIVATION_LABELS

EXAMPLE_POINTS = 8
EXAMPLE_ACTIVATIONS = ("tanh", "relu", "sigmoid")


@dataclass(frozen=True, eq=False)
class Study:
    origin: str  # "example", "tutorial" or "playground"
    label: str  # what it is, in words: a marked message, filled with ``facts`` when shown
    net: mc.MLP
    X: np.ndarray  # the network's inputs, (n_samples, n_features)
    y: np.ndarray  # class labels, (n_samples,)
    loss: str
    feature_names: list
    lr: float  # the learning rate of the step shown
    facts: dict = field(default_factory=dict)  # the label's placeholders


def describe(study):
    """The study in words, in the session's language."""
    if not study.label:
        return ""
    facts = {k: number(v) if isinstance(v, int) else v for k, v in study.facts.items()}
    if "activation" in facts:
        facts["activation"] = _(ACTIVATION_LABELS.get(facts["activation"], facts["activation"]))
    return _(study.label).format(**facts)


def example(activation="tanh"):
    """A 2-3-2-1 net with ``activation`` hidden layers on a few points of circles."""
    ds = mc.make_dataset("circles", EXAMPLE_POINTS, 0.1, seed=0)
    net = mc.MLP([2, 3, 2, 1], [activation, activation, "sigmoid"], init="xavier", seed=0)
    return Study("example", N_("small example: 2-3-2-1 {activation} net on {n} points of "
                               "circles"), net, ds.X, ds.y, "bce", ["x1", "x2"], 0.5,
                 {"activation": activation, "n": EXAMPLE_POINTS})


def from_playground(state):
    """A frozen copy of a PlaygroundState's network and training data; ValueError if they
    do not fit together."""
    net = state.net.copy()
    X = np.asarray(state.X_train, float)
    y = np.asarray(state.train.y)
    net.loss_and_gradients(X[:2], y[:2], state.loss)  # raises ValueError if they do not fit
    sizes = "-".join(str(s) for s in net.layer_sizes)
    return Study("playground", N_("the Playground's {sizes} network after epoch {epoch}, on "
                                  "its {n} training points"),
                 net, X, y, state.loss, list(state.feature_names),
                 float(state.config.get("lr", 0.1)),
                 {"sizes": sizes, "epoch": state.trainer.epoch, "n": len(X)})


def tutorial():
    """The tutorial's 2-4-3-1 ReLU/ReLU/sigmoid network and initial weights on its 1000
    circles, at its learning rate 0.005."""
    ds, net = mc_tutorial.dataset(), mc_tutorial.network()
    return Study("tutorial", N_("the tutorial's 2-4-3-1 ReLU/ReLU/sigmoid network, initial "
                                "weights, on its {n} circles"), net, ds.X, ds.y, "bce",
                 ["x1", "x2"], mc_tutorial.LR, {"n": len(ds.X)})


# ---- the gradient-check lab --------------------------------------------------------------
CHECK_ROWS = 200  # samples the check uses (finite differences cost 2 losses per parameter)
PASS, FAIL = 1e-6, 1e-2  # relative error: below PASS agrees, above FAIL is wrong


@dataclass
class GradientCheck:
    """Backprop (with ``errors``) against central finite differences of the mean loss."""

    errors: frozenset
    n_samples: int
    analytic: list  # [(dW, db)] per layer
    numeric: list  # [(dW, db)] per layer
    dW_error: list  # relative error of dW per layer
    db_error: list  # relative error of db per layer

    @property
    def worst(self):
        return max(self.dW_error + self.db_error)

    def failing(self):
        """[(parameter name, relative error)] of the parameters that fail, e.g. ("db2", 0.99)."""
        return [(f"{p}{k + 1}", err) for k, pair in
                enumerate(zip(self.dW_error, self.db_error))
                for p, err in zip(("dW", "db"), pair) if err > FAIL]


def check_rows(study):
    return study.X[:CHECK_ROWS], study.y[:CHECK_ROWS]


def numeric_gradients(study):
    """Central finite differences of the study's mean loss on its first CHECK_ROWS samples."""
    X, y = check_rows(study)
    return mc.numerical_gradients(study.net, X, y, study.loss)


def gradient_check(study, errors, numeric):
    """Backprop with any subset of the tutorial's errors checked against ``numeric``."""
    errors = mc_tutorial.check_errors(errors)
    X, y = check_rows(study)
    _loss, analytic = ex.chain_gradients(study.net.copy(), X, y, study.loss, errors)
    return GradientCheck(errors, len(X), analytic, numeric,
                         [mc.relative_error(a[0], n[0]) for a, n in zip(analytic, numeric)],
                         [mc.relative_error(a[1], n[1]) for a, n in zip(analytic, numeric)])


def verdict(err):
    if err < PASS:
        return _("✓ agrees")
    return _("✗ wrong") if err > FAIL else _("? suspicious")


def cannot_show(study, error):
    """Why ``error`` changes nothing in this study, in words, or None if it shows."""
    n = min(len(study.X), CHECK_ROWS)
    if error == ex.SIGMOID_DERIVATIVE and "sigmoid" not in study.net.activations:
        out = study.net.activations[-1]
        return _("This network has no sigmoid layer (its output is {output}), so the wrong "
                 "sigmoid derivative is never used and the check cannot change. Use the small "
                 "example or the tutorial's network to see it fail."
                 ).format(output=_(ACTIVATION_LABELS.get(out, out)))
    if error in (ex.SUMMED_LOSS, ex.DB_AVERAGED) and n == 1:
        return _("With one sample a sum and a mean are the same number, so this error cannot "
                 "show.")
    return None


# ---- the tutorial's run beside corrected ones -------------------------------------------
AVERAGED_ONLY = (ex.SIGMOID_DERIVATIVE, ex.DB_AVERAGED)  # the summed loss corrected alone
TUTORIAL_RUNS = (  # (name, errors kept, learning rate), all from its data and initial weights
    (N_("Published: 3 errors, lr 0.005"), ex.TUTORIAL_ERRORS, mc_tutorial.LR),
    (N_("Mean loss, lr 5 = 0.005 × 1000"), AVERAGED_ONLY, mc_tutorial.LR * 1000),
    (N_("Mean loss, lr 0.005"), AVERAGED_ONLY, mc_tutorial.LR),
    (N_("All 3 errors fixed, lr 5"), (), mc_tutorial.FIXED_LR),
)
EXCERPT = (4, 145)  # the iterations the tutorial leaves out of its printout ("...")


def tutorial_run(errors, lr):
    """The tutorial's experiment (its data, initial weights and 150 iterations) with
    ``errors`` kept, at ``lr``."""
    return mc_tutorial.run(errors, lr)


def printed_excerpt(run, skipped=EXCERPT):
    """The lines the tutorial's code prints for ``run``, with the iterations ``skipped``
    (first, last + 1) written "…" as the tutorial shows its run."""
    lines = run.lines()  # lines[e + 1] is iteration e
    return "\n".join(lines[:skipped[0] + 1] + ["…"] + lines[skipped[1] + 1:])
