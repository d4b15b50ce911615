"""Activation functions as named pairs (f, f').

``f(z, out=None)`` maps the pre-activation ``z`` of shape ``(n_samples, n_units)`` to ``a``.
``df(z, a, out=None, tmp=None)`` returns da/dz elementwise. It receives ``a = f(z)`` as well
because several derivatives are cheapest in terms of the output (sigmoid: a(1 - a), tanh:
1 - a^2). Both write into ``out`` when it is given (an array shaped like ``z``) and allocate
nothing then, provided that ``tmp``, a scratch array shaped like ``z`` of dtype
``SCRATCH[name]``, is given too where the activation is listed there (relu and leaky_relu
compare into a bool array, swish works in a float one). Training calls them with preallocated
buffers, so a step allocates no memory.

The in-place forms do the same floating-point operations, in the same order, as the plain
expressions in the comments, so results do not depend on whether buffers are given.

``softmax`` is not elementwise, so it is not in the registry of pairs: it only ever sits
at the output under the cross-entropy loss, whose fused gradient never needs its Jacobian.
"""

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

LEAKY_SLOPE = 0.01
ELU_ALPHA = 1.0  # the in-place forms of ELU and its derivative below rely on alpha = 1


def _constant(value):
    """A read-only 0-d float64 array: NumPy converts a Python float argument on every call
    (a quarter of a tiny call's cost) and a 0-d array not, with the same result."""
    constant = np.array(value)
    constant.flags.writeable = False
    return constant


_ZERO, _ONE, _SIGMOID_FLOOR = _constant(0.0), _constant(1.0), _constant(-500.0)


class Activation(NamedTuple):
    f: Callable
    df: Callable


def _out(z, out):
    return np.empty_like(z) if out is None else out


def sigmoid(z, out=None):
    # exp(-z) overflows for z < -709. Flooring z at -500 keeps it finite and loses nothing
    # that matters: sigmoid(-500) is ~7e-218. Large positive z needs no guard (exp -> 0).
    e = np.maximum(z, _SIGMOID_FLOOR, out=out)
    np.negative(e, out=e)
    np.exp(e, out=e)
    e += _ONE
    return np.reciprocal(e, out=e)


def softmax(z, out=None, rows=None):
    """Row-wise softmax; ``rows`` is an optional (n_samples, 1) scratch array."""
    # Subtracting the row maximum leaves softmax unchanged and keeps exp() from overflowing.
    m = np.max(z, axis=1, keepdims=True, out=rows)
    e = np.subtract(z, m, out=out)
    np.exp(e, out=e)
    return np.divide(e, np.sum(e, axis=1, keepdims=True, out=m), out=e)


def _step(z, out, tmp):
    """(z > 0) as 1.0 / 0.0: the derivative of ReLU, called there with a = max(z, 0).
    Comparing into bools (tmp), then copying them into floats, is faster than comparing into
    floats (NumPy casts those through a buffer it allocates). ``out`` goes with ``tmp``."""
    if tmp is None:
        return np.greater(z, _ZERO, out=_out(z, out))
    np.copyto(out, np.greater(z, _ZERO, out=tmp))
    return out





def _leaky_relu(z, out=None):
    # where(z > 0, z, slope z) is max(z, slope z) for 0 < slope < 1, NaN included.
    out = np.multiply(z, LEAKY_SLOPE, out=out)
    return np.maximum(z, out, out=out)


def _leaky_relu_derivative(z, a, out=None, tmp=None):
    out = _step(z, out, tmp)  # where(z > 0, 1, slope) as max(z > 0, slope)
    return np.maximum(out, LEAKY_SLOPE, out=out)


def _elu(z, out=None):
    # where(z > 0, z, alpha expm1(z)): expm1 only on the negative part, where it cannot
    # overflow; then max with z puts z back where z > 0 (there expm1(min(z, 0)) = 0 < z, and
    # elsewhere alpha expm1(z) >= z because e^z >= 1 + z). np.maximum returns its second
    # argument on ties, which keeps where()'s +0.0 for z = -0.0.
    out = np.minimum(z, 0.0, out=out)
    np.expm1(out, out=out)  # times ELU_ALPHA, which is 1
    return np.maximum(z, out, out=out)


def _elu_derivative(z, a, out=None, tmp=None):
    # where(z > 0, 1, a + alpha): with alpha = 1, a + 1 <= 1 exactly where z <= 0 (a <= 0),
    # and a + 1 = z + 1 > 1 where z > 0, so min(a + 1, 1) is the same thing, NaN included.
    out = np.add(a, ELU_ALPHA, out=_out(z, out))
    return np.minimum(out, 1.0, out=out)


def _tanh_derivative(z, a, out=None, tmp=None):
    out = np.multiply(a, a, out=_out(z, out))  # 1 - a * a
    return np.subtract(_ONE, out, out=out)


def _sigmoid_derivative(z, a, out=None, tmp=None):
    out = np.subtract(_ONE, a, out=_out(z, out))  # a * (1 - a)
    return np.multiply(a, out, out=out)


def _swish(z, out=None):
    out = sigmoid(z, out=out)  # z * sigmoid(z)
    return np.multiply(z, out, out=out)


def _swish_derivative(z, a, out=None, tmp=None):
    # d/dz z*s(z) = s + z*s*(1 - s), and z*s = a: s + a * (1 - s)
    s = sigmoid(z, out=out)
    t = np.subtract(1.0, s, out=tmp)
    t *= a
    return np.add(s, t, out=s)


def _linear(z, out=None):
    if out is None:
        return z.copy()
    np.copyto(out, z)
    return out


def _linear_derivative(z, a, out=None, tmp=None):
    out = _out(z, out)
    out.fill(1.0)
    return out


ACTIVATIONS = {
    # a > 0 exactly where z > 0 (NaN in both where z is NaN), so f' reads a alone
    "relu": Activation(lambda z, out=None: np.maximum(z, _ZERO, out=out),
                       lambda z, a, out=None, tmp=None: _step(a, out, tmp)),
    "leaky_relu": Activation(_leaky_relu, _leaky_relu_derivative),
    "elu": Activation(_elu, _elu_derivative),
    "tanh": Activation(np.tanh, _tanh_derivative),  # the ufunc itself: one call less
    "sigmoid": Activation(sigmoid, _sigmoid_derivative),
    "softplus": Activation(lambda z, out=None: np.logaddexp(0.0, z, out=out),
                           lambda z, a, out=None, tmp=None: sigmoid(z, out=out)),
    "swish": Activation(_swish, _swish_derivative),
    "linear": Activation(_linear, _linear_derivative),
}

SCRATCH = {"relu": bool, "leaky_relu": bool, "swish": float}  # dtype of the tmp df needs
# f(z, out=z) works in place and f' reads only a = f(z): a training workspace may keep a and
# z of these in one array (network.Workspace).
IN_PLACE = ("relu", "tanh", "sigmoid", "linear")

HIDDEN_ACTIVATIONS = tuple(ACTIVATIONS)
OUTPUT_ACTIVATIONS = HIDDEN_ACTIVATIONS + ("softmax",)
