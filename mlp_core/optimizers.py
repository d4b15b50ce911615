"""Optimizers that update parameter arrays in place from gradient arrays of the same shapes.

``step(params, grads)`` takes two equally long lists of arrays. The state (velocity, moments)
is kept per position in those lists, so ``lr`` may change between steps without losing it.
A step allocates nothing once the state exists: intermediate results go to scratch arrays
kept with the state, in the same floating-point operations as the formulas in the docstrings.
``get_state(into=None)`` returns a copy of the state (written into ``into``, an earlier
copy, when given: the trainer takes one every epoch); ``set_state(state)`` restores one.
"""

import numpy as np

from . import _validate as check


class _LearningRate:
    """``lr`` is checked when set, so a bad value fails where it is assigned, and ``step``
    (called once per mini-batch) does no checking of its own."""

    @property
    def lr(self):
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check.number("lr", value, 0.0, low_open=True)


def _fits(arrays, params):
    if arrays is None or len(arrays) != len(params):
        return False
    for a, p in zip(arrays, params):
        if a.shape != p.shape:
            return False
    return True


def _copy(arrays, into=None):
    if not _fits(into, arrays):
        return [a.copy() for a in arrays]
    for target, a in zip(into, arrays):
        np.copyto(target, a)
    return into


class SGD(_LearningRate):
    """v <- momentum * v - lr * g;  p <- p + v   (plain gradient descent when momentum = 0)."""

    def __init__(self, lr=0.1, momentum=0.0):
        self.lr = lr
        self.momentum = check.number("momentum", momentum, 0.0, 1.0)
        self.velocity = None
        self._scratch = None

    def step(self, params, grads):
        lr = self._lr
        if not _fits(self._scratch, params):
            self._scratch = [np.empty_like(p) for p in params]
        if not self.momentum:
            for p, g, t in zip(params, grads, self._scratch):
                p -= np.multiply(g, lr, out=t)  # p -= lr * g
            return
        if not _fits(self.velocity, params):
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v, t in zip(params, grads, self.velocity, self._scratch):
            v *= self.momentum
            v -= np.multiply(g, lr, out=t)
            p += v

    def get_state(self, into=None):
        return None if self.velocity is None else _copy(self.velocity, into)

    def set_state(self, state):
        self.velocity = None if state is None else _copy(state, self.velocity)


class Adam(_LearningRate):
    """Kingma & Ba (2015), as written there:
    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
    p <- p - lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).
    """

    def __init__(self, lr=0.01, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr = lr
        self.beta1 = check.number("beta1", beta1, 0.0, 1.0)
        self.beta2 = check.number("beta2", beta2, 0.0, 1.0)
        if self.beta1 == 1.0 or self.beta2 == 1.0:
            raise ValueError(f"beta1 and beta2 must be < 1; got {beta1!r}, {beta2!r}")
        self.eps = check.number("eps", eps, 0.0, low_open=True)
        self.t = 0
        self.m = self.v = None
        self._scratch = self._scratch2 = None

    def step(self, params, grads):
        lr = self._lr
        if not _fits(self.m, params):
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
            self.t = 0
        if not _fits(self._scratch, params):
            self._scratch = [np.empty_like(p) for p in params]
            self._scratch2 = [np.empty_like(p) for p in params]
        self.t += 1
        m_scale = 1.0 / (1.0 - self.beta1 ** self.t)
        v_scale = 1.0 / (1.0 - self.beta2 ** self.t)
        for p, g, m, v, t, u in zip(params, grads, self.m, self.v, self._scratch,
                                    self._scratch2):
            m *= self.beta1
            m += np.multiply(g, 1.0 - self.beta1, out=t)  # (1 - b1) g
            v *= self.beta2
            np.multiply(g, g, out=t)
            v += np.multiply(t, 1.0 - self.beta2, out=t)  # (1 - b2) g^2
            np.multiply(m, m_scale, out=t)
            t *= lr  # lr * m_hat
            np.multiply(v, v_scale, out=u)
            np.sqrt(u, out=u)
            u += self.eps  # sqrt(v_hat) + eps
            p -= np.divide(t, u, out=t)

    def get_state(self, into=None):
        if self.m is None:
            return None
        _, m, v = into if isinstance(into, tuple) else (None, None, None)
        return self.t, _copy(self.m, m), _copy(self.v, v)

    def set_state(self, state):
        if state is None:
            self.t, self.m, self.v = 0, None, None
        else:
            t, m, v = state
            self.t, self.m, self.v = t, _copy(m, self.m), _copy(v, self.v)
