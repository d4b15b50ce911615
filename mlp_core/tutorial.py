"""The tutorial's experiment, reproduced to the printed digit on the engine's own network and
its one backward pass, with each of the tutorial's three errors as a switch.

    python -m mlp_core.tutorial                        # the published run, as printed there
    python -m mlp_core.tutorial --fixed                # the three errors corrected
    python -m mlp_core.tutorial --errors summed_loss --lr 0.005 --epochs 150

The tutorial ("Application of differentiations in neural networks") draws
make_circles(1000, factor=0.5, noise=0.1) after np.random.seed(0), initialises a 2-4-3-1
ReLU/ReLU/sigmoid network with randn(...) * 0.1 after np.random.seed(42) (per layer W, then
b), and trains it by full-batch gradient descent at lr 0.005 for 150 iterations, printing
the loss and accuracy of each iteration before its update. Its code has three errors:
- SIGMOID_DERIVATIVE: its sigmoid derivative is 2 s (1 - s), twice the true s (1 - s);
- SUMMED_LOSS: its "average" cross-entropy divides by the number of outputs (1), so the loss
  and every gradient are sums over the samples, 1000 times the mean's;
- DB_AVERAGED: dW = a^T dz sums over the batch while db averages dz over it.

The engine reproduces its random streams as named options (``make_dataset(..., legacy=True)``
and ``init="randn"``), drawing from np.random.RandomState(seed), the very stream
np.random.seed(seed) sets up, without touching NumPy's global state. At the output it
computes the chain unfused, as the tutorial does: dL/dŷ with ŷ clipped to machine epsilon,
times the sigmoid's derivative. The hidden layers go through ``MLP.backward`` with the
errors as its hooks (``bias_reduction="mean"`` for DB_AVERAGED; ``derivatives`` would carry
the wrong sigmoid derivative into hidden sigmoid layers, which this network has none of).
Every floating-point operation is then the tutorial's and the weights after 150 iterations
are its weights to the bit. (The engine's fused output gradient 2 (ŷ - y) gives weights
1e-14 away after 150 iterations: no printed digit shows it, the chaotic jump at iteration 146
included.)
"""

import argparse
import math
from dataclasses import dataclass

import numpy as np

from . import _validate as check
from .datasets import MAX_SAMPLES, Dataset, make_dataset
from .network import MLP
from .optimizers import SGD
from .published_errors import (  # noqa: F401 (named here too: the tutorial's errors)
    DB_AVERAGED,
    ERROR_LABELS,
    SIGMOID_DERIVATIVE,
    SUMMED_LOSS,
    TUTORIAL_ERRORS,
    check_errors,
    tutorial_sigmoid_derivative,
)

LAYER_SIZES = (2, 4, 3, 1)
ACTIVATIONS = ("relu", "relu", "sigmoid")
DATA_SEED, INIT_SEED = 0, 42
N_SAMPLES, NOISE = 1000, 0.1
LR, N_EPOCHS = 0.005, 150
# What the learning rate becomes on the mean loss: the summed loss's gradients are 1000
# times the mean's, so with only SUMMED_LOSS corrected lr 5 replays the published run (mean
# loss within 1e-14, every accuracy equal). Corrected alone, SIGMOID_DERIVATIVE halves every
# gradient: at lr 0.01 it is the published run to the bit (a factor 2 is exact). With
# DB_AVERAGED corrected, db takes steps 1000 times larger than published: from this
# initialisation the second hidden layer's one live ReLU dies within a few iterations and
# the network stays at chance (loss ln 2, accuracy 0.5) in 150 iterations at every lr tried
# from 0.005 to 50 (at lr >= 10 the output bias even oscillates, loss 1.04). The published
# run learned because its averaged db all but froze the biases.
FIXED_LR = 5.0
MAX_EPOCHS = 100_000
EPS = np.finfo(float).eps  # the tutorial clips ŷ and 1 - ŷ to this before log and division


def dataset(seed=DATA_SEED, n_samples=N_SAMPLES, noise=NOISE):
    """The tutorial's data as a Dataset: make_circles on the np.random.seed(seed) stream."""
    return make_dataset("circles", n_samples, noise, seed, legacy=True)


def network(seed=INIT_SEED):
    """The tutorial's initial network as an MLP: randn * 0.1 on the np.random.seed(seed)
    stream, W then b for each layer."""
    return MLP(list(LAYER_SIZES), list(ACTIVATIONS), init="randn", seed=seed)


@dataclass
class ExperimentRun:
    """One run of the tutorial's experiment. Index e of each array holds the state after e
    updates (so n_epochs + 1 entries; the tutorial prints index e as "Iteration e", before
    that iteration's update, and index 0 also as "Before training"). NaN from the first
    epoch with a non-finite weight or loss on."""

    errors: frozenset
    lr: float
    n_samples: int
    mean_loss: np.ndarray  # mean binary cross-entropy over the samples (the correct scale)
    reported_loss: np.ndarray  # what the code under these errors prints (a sum if SUMMED_LOSS)
    accuracy: np.ndarray  # share of samples with (ŷ > 0.5) == y, as accuracy_score gives it
    diverged_at: int | None = None  # first epoch with a non-finite weight or loss, if any
    dataset: Dataset | None = None  # the data it trained on
    initial: MLP | None = None  # the network before the first update
    final: MLP | None = None  # the network after the last update (or the last finite one)

    @property
    def reported_scale(self):
        return "sum over samples" if SUMMED_LOSS in self.errors else "mean over samples"

    def lines(self, n_iterations=None):
        """The tutorial's printed lines: "Before training ..." and one per iteration."""
        n = len(self.accuracy) - 1 if n_iterations is None else n_iterations

        def line(head, e):
            loss = np.array([[self.reported_loss[e]]])  # printed as the tutorial's 1x1 array
            return f"{head} - loss value {loss} accuracy {self.accuracy[e]}"

        return [line("Before training", 0)] + [line(f"Iteration {e}", e) for e in range(n)]


def _cross_entropy(Y, yhat):
    """The tutorial's loss, summed over the samples: a 1x1 array, computed as it does."""
    return -(Y.T @ np.log(yhat.clip(EPS)) + (1 - Y.T) @ np.log((1 - yhat).clip(EPS)))


def run(errors=TUTORIAL_ERRORS, lr=LR, n_epochs=N_EPOCHS, seed=DATA_SEED, init_seed=INIT_SEED,
        n_samples=N_SAMPLES, noise=NOISE):
    """The tutorial's experiment with any subset of its errors, as an ExperimentRun.

    With all three errors, lr 0.005 and the default seeds this is the published run. Each
    error switched off changes exactly one thing: without SUMMED_LOSS the loss and dL/dŷ are
    divided by the number of samples; without SIGMOID_DERIVATIVE the output's f'(z) is
    s (1 - s); without DB_AVERAGED db is summed over the batch like dW.
    """
    errors = check_errors(errors)
    lr = check.number("lr", lr, 0.0, low_open=True)
    n_epochs = check.integer("n_epochs", n_epochs, 0, MAX_EPOCHS)
    n_samples = check.integer("n_samples", n_samples, 4, MAX_SAMPLES)
    data = dataset(seed, n_samples, noise)
    net = network(init_seed)
    initial = net.copy()
    X, y = data.X, data.y
    Y = y.reshape(-1, 1).astype(float)
    n = len(y)
    summed = SUMMED_LOSS in errors
    bias_reduction = "mean" if DB_AVERAGED in errors else "sum"
    sgd = SGD(lr)
    mean_loss = np.full(n_epochs + 1, np.nan)
    reported = np.full(n_epochs + 1, np.nan)
    accuracy = np.full(n_epochs + 1, np.nan)
    diverged_at, last_good = None, net.params.copy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        for epoch in range(n_epochs + 1):
            yhat = net.forward_pass(X)
            total = _cross_entropy(Y, yhat)[0, 0]
            if not (math.isfinite(total) and np.isfinite(net.params).all()):
                diverged_at = epoch
                break
            last_good[...] = net.params
            mean_loss[epoch] = total / n
            reported[epoch] = total if summed else total / n
            accuracy[epoch] = np.count_nonzero((yhat > 0.5)[:, 0] == y) / n
            if epoch == n_epochs:
                break
            # dL/dŷ and f'(z) at the output, unfused and clipped, as the tutorial has them;
            # yhat is the sigmoid of z, computed as the tutorial recomputes it.
            dL_dyhat = -np.divide(Y, yhat.clip(EPS)) + np.divide(1 - Y, (1 - yhat).clip(EPS))
            if not summed:
                dL_dyhat /= n
            fprime = 2 * yhat * (1 - yhat) if SIGMOID_DERIVATIVE in errors else yhat * (1 - yhat)
            net.backward(dL_dyhat * fprime, bias_reduction=bias_reduction)
            sgd.step([net.params], [net.grad])  # W -= lr * dW and b -= lr * db
    final = net.copy()
    final.params[...] = last_good
    return ExperimentRun(errors, lr, n, mean_loss, reported, accuracy, diverged_at, data,
                         initial, final)


def _parse(argv=None):
    parser = argparse.ArgumentParser(
        prog="python -m mlp_core.tutorial",
        description="The tutorial's NumPy experiment on mlp_core, printed as the tutorial "
                    "prints it.")
    parser.add_argument("--fixed", action="store_true",
                        help=f"correct all three errors (and use lr {FIXED_LR} unless --lr)")
    parser.add_argument("--errors", metavar="NAMES",
                        help="comma-separated errors to keep, from "
                             f"{','.join(TUTORIAL_ERRORS)}; 'none' for none (default: all)")
    parser.add_argument("--lr", type=float, help=f"learning rate (default {LR}, or "
                                                 f"{FIXED_LR} with --fixed)")
    parser.add_argument("--epochs", type=int, default=N_EPOCHS,
                        help=f"iterations (default {N_EPOCHS})")
    args = parser.parse_args(argv)
    if args.fixed and args.errors is not None:
        parser.error("--fixed and --errors exclude each other")
    if args.fixed or args.errors in ("none", ""):
        errors = ()
    elif args.errors is None:
        errors = TUTORIAL_ERRORS
    else:
        errors = tuple(e.strip() for e in args.errors.split(","))
    lr = args.lr if args.lr is not None else (FIXED_LR if args.fixed else LR)
    try:
        return run(errors, lr, args.epochs)
    except ValueError as err:
        parser.error(str(err))


def main(argv=None):
    print("\n".join(_parse(argv).lines()))


if __name__ == "__main__":
    main()
