"""Losses, each a mean over the batch, and the gradient they send into the output layer.

Every function takes the output layer's pre-activation ``z``, its activation ``a`` and the
targets ``Y``, all of shape ``(n_samples, n_outputs)``. ``value`` returns the scalar loss (a
NumPy scalar of the inputs' dtype, so a gradient check can evaluate it in extended precision),
``output_delta`` returns dL/dz for the output layer.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS


class Loss(NamedTuple):
    value: Callable
    output_delta: Callable
    grad_a: Callable  # dL/da at the output, for showing the chain rule unfused
    output_activations: tuple  # the output activations this loss is defined with


def _bce_value(z, a, Y):
    # -[y log s(z) + (1-y) log(1 - s(z))] rewritten as log(1 + e^z) - y z: exact for any z,
    # and log() never sees 0 even when the sigmoid has saturated to 0 or 1.
    return (np.logaddexp(0.0, z) - Y * z).sum() / len(z)


def _bce_delta(z, a, Y, activation):
    # Fused: dL/da = (a - y) / (a (1 - a)) / n and da/dz = a (1 - a) cancel to (a - y) / n,
    # which stays exact where a(1 - a) has underflowed to 0.
    return (a - Y) / len(z)


def _cross_entropy_value(z, a, Y):
    # log softmax(z)_k = z_k - logsumexp(z), with the row maximum taken out for stability.
    m = z.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(z - m).sum(axis=1, keepdims=True)) + m
    return (Y * (log_sum - z)).sum() / len(z)


def _cross_entropy_delta(z, a, Y, activation):
    # Softmax Jacobian times dL/da collapses to (p - y) / n when each row of Y sums to 1.
    return (a - Y) / len(z)


def _mse_value(z, a, Y):
    d = a - Y
    return (d * d).sum() / len(z)


def _mse_grad_a(z, a, Y):
    return 2.0 * (a - Y) / len(z)


def _mse_delta(z, a, Y, activation):
    return _mse_grad_a(z, a, Y) * ACTIVATIONS[activation].df(z, a)


LOSSES = {
    "bce": Loss(_bce_value, _bce_delta, lambda z, a, Y: (a - Y) / (a * (1.0 - a)) / len(z),
                ("sigmoid",)),
    "cross_entropy": Loss(_cross_entropy_value, _cross_entropy_delta,
                          lambda z, a, Y: -Y / a / len(z), ("softmax",)),
    "mse": Loss(_mse_value, _mse_delta, _mse_grad_a, tuple(ACTIVATIONS)),
}
