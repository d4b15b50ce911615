"""Optimizers that update parameter arrays in place from gradient arrays of the same shapes.

``step(params, grads)`` takes two equally long lists of arrays. The state (velocity, moments)
is kept per position in those lists, so ``lr`` may change between steps without losing it.
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


class SGD(_LearningRate):
    """v <- momentum * v - lr * g;  p <- p + v   (plain gradient descent when momentum = 0)."""

    def __init__(self, lr=0.1, momentum=0.0):
        self.lr = lr
        self.momentum = check.number("momentum", momentum, 0.0, 1.0)
        self.velocity = None

    def step(self, params, grads):
        lr = self._lr
        if not self.momentum:
            for p, g in zip(params, grads):
                p -= lr * g
            return
        if self.velocity is None or [v.shape for v in self.velocity] != [p.shape for p in params]:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v -= lr * g
            p += v

    def get_state(self):
        return None if self.velocity is None else [v.copy() for v in self.velocity]

    def set_state(self, state):
        self.velocity = None if state is None else [v.copy() for v in state]


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

    def step(self, params, grads):
        lr = self._lr
        if self.m is None or [m.shape for m in self.m] != [p.shape for p in params]:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
            self.t = 0
        self.t += 1
        m_scale = 1.0 / (1.0 - self.beta1 ** self.t)
        v_scale = 1.0 / (1.0 - self.beta2 ** self.t)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * (g * g)
            p -= lr * (m * m_scale) / (np.sqrt(v * v_scale) + self.eps)

    def get_state(self):
        if self.m is None:
            return None
        return self.t, [m.copy() for m in self.m], [v.copy() for v in self.v]

    def set_state(self, state):
        if state is None:
            self.t, self.m, self.v = 0, None, None
        else:
            t, m, v = state
            self.t, self.m, self.v = t, [x.copy() for x in m], [x.copy() for x in v]

