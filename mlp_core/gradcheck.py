"""Backpropagation checked against central finite differences."""

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as check
from .network import MLP, Gradients, targets


def numerical_gradients(net: MLP, X: ArrayLike, y: ArrayLike, loss: str = "bce", l1: float = 0.0,
                        l2: float = 0.0, eps: float = 1e-6) -> Gradients:
    """dL/dparam by (L(p + eps) - L(p - eps)) / (2 eps), one parameter at a time.

    The losses are evaluated in extended precision (np.longdouble: 64-bit mantissa on x86,
    128-bit on ARM): the subtraction cancels all but ~eps * |dL/dp| of the loss, and in
    float64 that leaves too few digits to judge layers whose gradients have vanished.
    Returns a list of (dW, db) in float64 aligned with ``net.weights``; ``net`` is unchanged.
    """
    l1, l2 = net.check_loss(loss, l1, l2)
    eps = check.number("eps", eps, 0.0, low_open=True)
    X = net.checked_inputs("X", X)
    Y, _ = targets(y, loss, net.layer_sizes[-1])
    precise = net.copy(dtype=np.longdouble)
    X, Y = X.astype(np.longdouble), Y.astype(np.longdouble)
    flat = np.zeros(len(net.params))
    for i in range(len(flat)):
        saved = precise.params[i]
        precise.params[i] = saved + eps
        up = precise.target_loss(X, Y, loss, l1, l2)
        precise.params[i] = saved - eps
        down = precise.target_loss(X, Y, loss, l1, l2)
        precise.params[i] = saved
        flat[i] = (up - down) / (2 * eps)
    twin = net.copy()
    twin.params[...] = flat
    return [(W.copy(), b.copy()) for W, b in zip(twin.weights, twin.biases)]


def relative_error(analytic: ArrayLike, numeric: ArrayLike) -> float:
    """||analytic - numeric|| / (||analytic|| + ||numeric||), 0 when both are 0.

    Taken over a whole layer rather than entry by entry: an entry whose true gradient is
    ~0 (a dead ReLU, say) would otherwise divide rounding noise by nearly nothing.
    """
    analytic, numeric = np.ravel(analytic), np.ravel(numeric)
    scale = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return float(np.linalg.norm(analytic - numeric) / scale) if scale > 0 else 0.0


def gradient_check(net: MLP, X: ArrayLike, y: ArrayLike, loss: str = "bce", l1: float = 0.0,
                   l2: float = 0.0, eps: float = 1e-6,
                   analytic: Gradients | None = None) -> list[float]:
    """Relative error of backprop against finite differences, one number per layer
    (weights and biases together). ``analytic`` replaces the network's own gradients,
    so a deliberately wrong derivative can be shown to fail the check."""
    if analytic is None:
        _, analytic = net.loss_and_gradients(X, y, loss, l1, l2)
    numeric = numerical_gradients(net, X, y, loss, l1, l2, eps)
    return [relative_error(np.concatenate([dW.ravel(), db]), np.concatenate([nW.ravel(), nb]))
            for (dW, db), (nW, nb) in zip(analytic, numeric)]
