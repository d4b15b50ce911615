"""Optimizers that update parameter arrays in place from gradient arrays of the same shapes.

``step(params, grads)`` takes two equally long lists of arrays. The state (velocity, moments)
is kept per position in those lists, so ``lr`` may change between steps without losing it.
A step allocates nothing once the state exists: intermediate results go to scratch arrays
kept with the state, in the same floating-point operations as the formulas in the docstrings.
``get_state(into=None)`` returns a copy of the state (written into ``into``, an earlier
copy, when given: the trainer takes one every epoch); ``set_state(state)`` restores one.

``fused_calls(param, grad)`` is the step for one flat vector of parameters (an MLP's
``params`` and ``grad``) as a tuple of prepared NumPy calls, run as ``call()`` once per
mini-batch: the same operations elementwise as ``step``, so the same results to the bit, in
a number of calls that does not depend on the network's depth (SGD 2, momentum 4, Adam 12
and one Python call for the step count). Constants are 0-d arrays, which NumPy does not
convert on every call as it does a Python float. ``step_calls`` picks them when an
optimizer has them and a subclass has not replaced its ``step``.
"""

from functools import partial

import numpy as np

from . import _validate as check


class _LearningRate:
    """``lr`` is checked when set, so a bad value fails where it is assigned, and ``step``
    (called once per mini-batch) does no checking of its own. ``_lr_array`` holds it too,
    for prepared calls, and keeps its identity when lr changes."""

    @property
    def lr(self) -> float:
        return self._lr

    @lr.setter
    def lr(self, value):
        self._lr = check.number("lr", value, 0.0, low_open=True)
        if not hasattr(self, "_lr_array"):
            self._lr_array = np.array(0.0)
        self._lr_array[()] = self._lr

    def __getstate__(self):
        # Prepared calls are bound to the arrays they were made for: a copy makes its own.
        return {**self.__dict__, "_fused": (None, None)}

    def _scratch_for(self, params):
        if not _fits(self._scratch, params):
            self._scratch = [np.empty_like(p) for p in params]
        return self._scratch


def step_calls(optimizer, param, grad):
    """``optimizer.step([param], [grad])`` as a tuple of prepared calls: the optimizer's
    ``fused_calls`` when it has them and its class has not replaced ``step``, else the one
    call of ``step`` itself."""
    fused = getattr(optimizer, "fused_calls", None)
    if fused is not None and type(optimizer).step in (SGD.step, Adam.step):
        return fused(param, grad)
    return (partial(optimizer.step, [param], [grad]),)


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


def _same(keys, others):
    """Whether prepared calls made for ``keys`` still fit: the same arrays, equal settings."""
    return keys is not None and all(
        a is b or not isinstance(a, np.ndarray) and not isinstance(b, np.ndarray) and a == b
        for a, b in zip(keys, others))


class SGD(_LearningRate):
    """v <- momentum * v - lr * g;  p <- p + v   (plain gradient descent when momentum = 0)."""

    def __init__(self, lr: float = 0.1, momentum: float = 0.0):
        self.lr = lr
        self.momentum = check.number("momentum", momentum, 0.0, 1.0)
        self.velocity = None
        self._scratch = None
        self._fused = (None, None)

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        lr = self._lr
        scratch = self._scratch_for(params)
        if not self.momentum:
            for p, g, t in zip(params, grads, scratch):
                p -= np.multiply(g, lr, out=t)  # p -= lr * g
            return
        if not _fits(self.velocity, params):
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v, t in zip(params, grads, self.velocity, scratch):
            v *= self.momentum
            v -= np.multiply(g, lr, out=t)
            p += v

    def fused_calls(self, param, grad):
        """``step([param], [grad])`` as prepared calls (see the module docstring)."""
        if self.momentum and not _fits(self.velocity, [param]):
            self.velocity = [np.zeros_like(param)]
        (t,) = self._scratch_for([param])
        v = self.velocity[0] if self.momentum else None
        keys = (param, grad, t, v, self.momentum)
        if not _same(self._fused[0], keys):
            lr = self._lr_array
            if v is None:  # p -= lr * g
                calls = (partial(np.multiply, grad, lr, t), partial(np.subtract, param, t, param))
            else:  # v *= momentum; v -= lr * g; p += v
                calls = (partial(np.multiply, v, np.array(self.momentum), v),
                         partial(np.multiply, grad, lr, t), partial(np.subtract, v, t, v),
                         partial(np.add, param, v, param))
            self._fused = (keys, calls)
        return self._fused[1]

    def get_state(self, into=None):
        return None if self.velocity is None else _copy(self.velocity, into)

    def set_state(self, state):
        self.velocity = None if state is None else _copy(state, self.velocity)


class Adam(_LearningRate):
    """Kingma & Ba (2015), as written there:
    m <- b1 m + (1 - b1) g;  v <- b2 v + (1 - b2) g^2
    p <- p - lr * m_hat / (sqrt(v_hat) + eps), with m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t).

    m and v of each parameter array are the two rows of one array (``moments``), so that the
    fused step moves both with one call wherever they take the same operation.
    """

    def __init__(self, lr: float = 0.01, beta1: float = 0.9, beta2: float = 0.999,
                 eps: float = 1e-8):
        self.lr = lr
        self.beta1 = check.number("beta1", beta1, 0.0, 1.0)
        self.beta2 = check.number("beta2", beta2, 0.0, 1.0)
        if self.beta1 == 1.0 or self.beta2 == 1.0:
            raise ValueError(f"beta1 and beta2 must be < 1; got {beta1!r}, {beta2!r}")
        self.eps = check.number("eps", eps, 0.0, low_open=True)
        self.t = 0
        self.moments = None  # per parameter array, its m and v stacked: shape (2, *p.shape)
        self._scratch = self._scratch2 = None
        self._fused = (None, None)

    @property
    def m(self):
        return None if self.moments is None else [mv[0] for mv in self.moments]

    @property
    def v(self):
        return None if self.moments is None else [mv[1] for mv in self.moments]

    def _moments_for(self, params):
        if not _fits(self.m, params):
            self.moments = [np.zeros((2, *p.shape), p.dtype) for p in params]
            self.t = 0
        return self.moments

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> None:
        lr = self._lr
        moments = self._moments_for(params)
        scratch = self._scratch_for(params)
        if not _fits(self._scratch2, params):
            self._scratch2 = [np.empty_like(p) for p in params]
        self.t += 1
        m_scale = 1.0 / (1.0 - self.beta1 ** self.t)
        v_scale = 1.0 / (1.0 - self.beta2 ** self.t)
        for p, g, (m, v), t, u in zip(params, grads, moments, scratch, self._scratch2):
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

    def fused_calls(self, param, grad):
        """``step([param], [grad])`` as prepared calls (see the module docstring): the
        operations of ``step`` on the rows of m and v at once where they share one."""
        (mv,) = self._moments_for([param])
        keys = (param, grad, mv, self.beta1, self.beta2, self.eps)
        if not _same(self._fused[0], keys):
            self._fused = (keys, self._prepare(param, grad, mv))
        return self._fused[1]

    def _prepare(self, param, grad, mv):
        # One call where m and v take the same operation on arrays of one shape; separate
        # calls where one row would be broadcast against a column (slower than two calls).
        betas = np.empty_like(mv)
        betas[0], betas[1] = self.beta1, self.beta2
        squares = np.empty_like(mv)  # rows: (1 - b1) g, and g^2 then (1 - b2) g^2
        m_hat, v_hat = np.empty_like(param), np.empty_like(param)
        self._scales = np.ones(2)  # 1 / (1 - b1^t), 1 / (1 - b2^t): set by _advance
        m_scale, v_scale = self._scales[0, ...], self._scales[1, ...]  # 0-d views
        return (self._advance,
                partial(np.multiply, mv, betas, mv),  # m *= b1; v *= b2
                partial(np.multiply, grad, np.array(1.0 - self.beta1), squares[0]),
                partial(np.multiply, grad, grad, squares[1]),
                partial(np.multiply, squares[1], np.array(1.0 - self.beta2), squares[1]),
                partial(np.add, mv, squares, mv),  # m += (1 - b1) g; v += (1 - b2) g^2
                partial(np.multiply, mv[0], m_scale, m_hat),
                partial(np.multiply, m_hat, self._lr_array, m_hat),  # lr * m_hat
                partial(np.multiply, mv[1], v_scale, v_hat),
                partial(np.sqrt, v_hat, v_hat),
                partial(np.add, v_hat, np.array(self.eps), v_hat),  # sqrt(v_hat) + eps
                partial(np.divide, m_hat, v_hat, m_hat),
                partial(np.subtract, param, m_hat, param))

    def _advance(self):
        self.t += 1
        self._scales[0] = 1.0 / (1.0 - self.beta1 ** self.t)
        self._scales[1] = 1.0 / (1.0 - self.beta2 ** self.t)

    def get_state(self, into=None):
        if self.moments is None:
            return None
        _, m, v = into if isinstance(into, tuple) else (None, None, None)
        return self.t, _copy(self.m, m), _copy(self.v, v)

    def set_state(self, state):
        if state is None:
            self.t, self.moments = 0, None
            return
        t, m, v = state
        moments = self._moments_for(m)
        self.t = t
        for mv, m_k, v_k in zip(moments, m, v):
            mv[0], mv[1] = m_k, v_k
