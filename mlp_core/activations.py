"""Activation functions as named pairs (f, f').

``f(z)`` maps the pre-activation ``z`` of shape ``(n_samples, n_units)`` to ``a``.
``df(z, a)`` returns da/dz elementwise. It receives ``a = f(z)`` as well because several
derivatives are cheapest in terms of the output (sigmoid: a(1 - a), tanh: 1 - a^2).

``softmax`` is not elementwise, so it is not in the registry of pairs: it only ever sits
at the output under the cross-entropy loss, whose fused gradient never needs its Jacobian.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0


class Activation(NamedTuple):
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]


def sigmoid(z):
    # exp(-z) overflows for z < -709. Flooring z at -500 keeps it finite and loses nothing
    # that matters: sigmoid(-500) is ~7e-218. Large positive z needs no guard (exp -> 0).
    e = np.maximum(z, -500.0)
    np.negative(e, out=e)
    np.exp(e, out=e)
    e += 1.0
    return np.reciprocal(e, out=e)


def softmax(z):
    # Subtracting the row maximum leaves softmax unchanged and keeps exp() from overflowing.
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _elu(z):
    # expm1 only on the negative part: on the positive part it would overflow for large z.
    return np.where(z > 0, z, ELU_ALPHA * np.expm1(np.minimum(z, 0.0)))


def _swish(z):
    return z * sigmoid(z)


def _swish_derivative(z, a):
    s = sigmoid(z)
    return s + a * (1.0 - s)  # d/dz z*s(z) = s + z*s*(1 - s), and z*s = a


ACTIVATIONS = {
    "relu": Activation(lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
    "leaky_relu": Activation(
        lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
        lambda z, a: np.where(z > 0, 1.0, LEAKY_SLOPE),
    ),
    "elu": Activation(_elu, lambda z, a: np.where(z > 0, 1.0, a + ELU_ALPHA)),
    "tanh": Activation(np.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": Activation(sigmoid, lambda z, a: a * (1.0 - a)),
    "softplus": Activation(lambda z: np.logaddexp(0.0, z), lambda z, a: sigmoid(z)),
    "swish": Activation(_swish, _swish_derivative),
    "linear": Activation(lambda z: z.copy(), lambda z, a: np.ones_like(z)),
}

HIDDEN_ACTIVATIONS = tuple(ACTIVATIONS)
OUTPUT_ACTIVATIONS = HIDDEN_ACTIVATIONS + ("softmax",)

