"""Losses, each a mean over the batch, and the gradient they send into the output layer.

Every function takes the output layer's pre-activation ``z``, its activation ``a`` and the
targets ``Y``, all of shape ``(n_samples, n_outputs)``:
``value(z, a, Y, spare=None)`` returns the scalar loss (a NumPy scalar of the inputs' dtype,
so a gradient check can evaluate it in extended precision);
``output_delta(z, a, Y, activation, out=None, spare=None)`` returns dL/dz for the output
layer; ``grad_a(z, a, Y)`` returns dL/da, for showing the chain rule unfused.
``delta_calls(z, a, Y, activation, out, spare)`` is output_delta into ``out`` as a tuple of
prepared calls (functools.partial, run as ``call()``) for a training step that repeats it.
``out`` is an array shaped like ``z`` and ``spare`` a list of two such arrays and two
(n_samples, 1) arrays (see ``spares``): given them, the functions allocate nothing (training
passes preallocated buffers). Either way they do the same floating-point operations in the
same order.
"""

from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS


class Loss(NamedTuple):
    value: Callable
    output_delta: Callable
    delta_calls: Callable  # (z, a, Y, activation, out, spare): output_delta as prepared calls
    grad_a: Callable  # dL/da at the output, for showing the chain rule unfused
    output_activations: tuple  # the output activations this loss is defined with


def spares(z):
    """Fresh scratch arrays for ``value``: two shaped like z, two (n_samples, 1)."""
    return [np.empty_like(z), np.empty_like(z), np.empty_like(z[:, :1]), np.empty_like(z[:, :1])]


def _bce_value(z, a, Y, spare=None):
    # -[y log s(z) + (1-y) log(1 - s(z))] rewritten as log(1 + e^z) - y z: exact for any z,
    # and log() never sees 0 even when the sigmoid has saturated to 0 or 1.
    t, yz = (spare or spares(z))[:2]
    np.logaddexp(0.0, z, out=t)
    np.subtract(t, np.multiply(Y, z, out=yz), out=t)
    return t.sum() / len(z)


def _bce_delta(z, a, Y, activation, out=None, spare=None):
    # Fused: dL/da = (a - y) / (a (1 - a)) / n and da/dz = a (1 - a) cancel to (a - y) / n,
    # which stays exact where a(1 - a) has underflowed to 0.
    out = np.subtract(a, Y, out=out)
    return np.divide(out, len(z), out=out)


def _fused_delta_calls(z, a, Y, activation, out, spare):
    """_bce_delta into ``out`` as prepared calls, n as a 0-d array (NumPy converts a Python
    number on every call; the quotient is the same)."""
    return (partial(np.subtract, a, Y, out), partial(np.divide, out, np.array(float(len(z))), out))


def _mse_delta_calls(z, a, Y, activation, out, spare):
    return (partial(_mse_delta, z, a, Y, activation, out, spare),)


def _cross_entropy_value(z, a, Y, spare=None):
    # log softmax(z)_k = z_k - logsumexp(z), with the row maximum taken out for stability.
    t, _, m, log_sum = spare or spares(z)
    np.max(z, axis=1, keepdims=True, out=m)
    np.exp(np.subtract(z, m, out=t), out=t)
    np.log(np.sum(t, axis=1, keepdims=True, out=log_sum), out=log_sum)
    log_sum += m
    np.subtract(log_sum, z, out=t)
    t *= Y  # Y * (log_sum - z)
    return t.sum() / len(z)


def _cross_entropy_delta(z, a, Y, activation, out=None, spare=None):
    # Softmax Jacobian times dL/da collapses to (p - y) / n when each row of Y sums to 1.
    return _bce_delta(z, a, Y, activation, out)


def _mse_value(z, a, Y, spare=None):
    d = np.subtract(a, Y, out=(spare or spares(z))[0])
    d *= d
    return d.sum() / len(z)


def _mse_grad_a(z, a, Y, out=None):
    out = np.subtract(a, Y, out=out)  # 2 (a - y) / n
    np.multiply(2.0, out, out=out)
    return np.divide(out, len(z), out=out)


def _mse_delta(z, a, Y, activation, out=None, spare=None):
    out = _mse_grad_a(z, a, Y, out)
    if activation != "linear":  # f'(z) = 1 would change nothing
        fprime, tmp = (spare or spares(z))[:2]
        out *= ACTIVATIONS[activation].df(z, a, fprime, tmp)
    return out


LOSSES = {
    "bce": Loss(_bce_value, _bce_delta, _fused_delta_calls,
                lambda z, a, Y: (a - Y) / (a * (1.0 - a)) / len(z), ("sigmoid",)),
    "cross_entropy": Loss(_cross_entropy_value, _cross_entropy_delta, _fused_delta_calls,
                          lambda z, a, Y: -Y / a / len(z), ("softmax",)),
    "mse": Loss(_mse_value, _mse_delta, _mse_delta_calls, _mse_grad_a, tuple(ACTIVATIONS)),
}
