"""The network the "How backprop works" page studies: a small example, or a frozen copy of
the Playground's network and training data."""

from dataclasses import dataclass

import numpy as np

import mlp_core as mc

EXAMPLE_POINTS = 8
EXAMPLE_ACTIVATIONS = ("tanh", "relu", "sigmoid")


@dataclass(frozen=True, eq=False)
class Study:
    origin: str  # "example" or "playground"
    label: str  # what it is, in words
    net: mc.MLP
    X: np.ndarray  # the network's inputs, (n_samples, n_features)
    y: np.ndarray  # class labels, (n_samples,)
    loss: str
    feature_names: list
    lr: float  # the learning rate of the step shown


def example(activation="tanh"):
    """A 2-3-2-1 net with ``activation`` hidden layers on a few points of circles."""
    ds = mc.make_dataset("circles", EXAMPLE_POINTS, 0.1, seed=0)
    net = mc.MLP([2, 3, 2, 1], [activation, activation, "sigmoid"], init="xavier", seed=0)
    return Study("example", f"small example: 2-3-2-1 {activation} net on {EXAMPLE_POINTS} "
                            f"points of circles", net, ds.X, ds.y, "bce", ["x1", "x2"], 0.5)


def from_playground(state):
    """A frozen copy of a PlaygroundState's network and training data; ValueError if they
    do not fit together."""
    net = state.net.copy()
    X = np.asarray(state.X_train, float)
    y = np.asarray(state.train.y)
    net.loss_and_gradients(X[:2], y[:2], state.loss)  # raises ValueError if they do not fit
    sizes = "-".join(str(s) for s in net.layer_sizes)
    return Study("playground", f"the Playground's {sizes} network after epoch "
                               f"{state.trainer.epoch}, on its {len(X)} training points",
                 net, X, y, state.loss, list(state.feature_names),
                 float(state.config.get("lr", 0.1)))
