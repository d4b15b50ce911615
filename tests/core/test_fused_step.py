"""The trainer's fused step against the per-array code it replaced, bit for bit.

``reference_run`` is the training loop as the engine computed it before the step became one
list of prepared NumPy calls over flat vectors: every layer's W and b a separate array, a
forward and a backward pass per mini-batch written out, and the optimizers' per-array
updates copied from optimizers.py as they were. 200 epochs of each optimizer must end in the
same weights, to the bit (np.array_equal), for every activation, loss, batch size, penalty
and the tutorial's three errors.
"""

import itertools

import numpy as np
import pytest

import mlp_core as mc
from mlp_core import published_errors as pe
from mlp_core.activations import ACTIVATIONS, softmax
from mlp_core.losses import LOSSES

EPOCHS = 200


class ReferenceSGD:
    def __init__(self, lr, momentum):
        self.lr, self.momentum, self.velocity = lr, momentum, None

    def step(self, params, grads):
        if not self.momentum:
            for p, g in zip(params, grads):
                p -= np.multiply(g, self.lr)
            return
        if self.velocity is None:
            self.velocity = [np.zeros_like(p) for p in params]
        for p, g, v in zip(params, grads, self.velocity):
            v *= self.momentum
            v -= np.multiply(g, self.lr)
            p += v


class ReferenceAdam:
    def __init__(self, lr, beta1=0.9, beta2=0.999, eps=1e-8):
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.t, self.m, self.v = 0, None, None

    def step(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.t += 1
        m_scale = 1.0 / (1.0 - self.beta1 ** self.t)
        v_scale = 1.0 / (1.0 - self.beta2 ** self.t)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m *= self.beta1
            m += np.multiply(g, 1.0 - self.beta1)
            v *= self.beta2
            t = np.multiply(g, g)
            v += np.multiply(t, 1.0 - self.beta2)
            t = np.multiply(m, m_scale)
            t *= self.lr
            u = np.multiply(v, v_scale)
            np.sqrt(u, out=u)
            u += self.eps
            p -= np.divide(t, u)


def reference_step(Ws, bs, activations, xb, yb, loss, l1, l2, errors):
    """Gradients [dW0, db0, dW1, db1, ...] of one mini-batch, layer by layer."""
    a, z = [xb], []
    for W, b, name in zip(Ws, bs, activations):
        z.append(a[-1] @ W + b)
        a.append(softmax(z[-1]) if name == "softmax" else ACTIVATIONS[name].f(z[-1]))
    if errors:
        delta = pe.output_delta(loss, activations[-1], z[-1], a[-1], yb, errors)
        hooks, reduction = pe.hooks(activations, errors)
    else:
        delta = LOSSES[loss].output_delta(z[-1], a[-1], yb, activations[-1])
        hooks, reduction = [None] * (len(Ws) - 1), "sum"
    grads = [None] * (2 * len(Ws))
    for k in range(len(Ws) - 1, -1, -1):
        dW, db = a[k].T @ delta, delta.sum(axis=0)
        if reduction == "mean":
            db /= len(delta)
        if l1:
            t = np.sign(Ws[k])
            t *= l1
            dW += t
        if l2:
            dW += np.multiply(Ws[k], l2)
        grads[2 * k], grads[2 * k + 1] = dW, db
        if k:
            hook = hooks[k - 1]
            fprime = (hook(z[k - 1], a[k]) if hook is not None
                      else ACTIVATIONS[activations[k - 1]].df(z[k - 1], a[k]))
            delta = (delta @ Ws[k].T) * fprime
    return grads


def reference_run(net, X, y, loss, optimizer, batch, l1, l2, errors, seed, epochs=EPOCHS):
    """The weights and biases after ``epochs`` epochs, as separate arrays."""
    Ws = [W.copy() for W in net.weights]
    bs = [b.copy() for b in net.biases]
    params = [p for pair in zip(Ws, bs) for p in pair]
    Y, _ = mc.targets(y, loss, net.layer_sizes[-1])
    rng, n = np.random.default_rng(seed), len(X)
    order = np.arange(n)
    with np.errstate(all="ignore"):
        for _ in range(epochs):
            Xs, Ys = X, Y  # a full batch is not shuffled: its sums run in the data's order
            if batch < n:
                order[...] = np.arange(n)
                rng.shuffle(order)
                Xs, Ys = X[order], Y[order]
            for s in range(0, n, batch):
                grads = reference_step(Ws, bs, net.activations, Xs[s:s + batch],
                                       Ys[s:s + batch], loss, l1, l2, errors)
                optimizer.step(params, grads)
    return Ws, bs


OPTIMIZERS = {
    "sgd": (lambda: mc.SGD(0.05), lambda: ReferenceSGD(0.05, 0.0)),
    "momentum": (lambda: mc.SGD(0.02, momentum=0.9), lambda: ReferenceSGD(0.02, 0.9)),
    "adam": (lambda: mc.Adam(0.01), lambda: ReferenceAdam(0.01)),
}
# (loss, output activation, outputs): every loss, a multi-output sigmoid and mse on a sigmoid
HEADS = [("bce", "sigmoid", 1), ("cross_entropy", "softmax", 3), ("mse", "linear", 1),
         ("mse", "sigmoid", 2), ("bce", "sigmoid", 2)]
# batch size: points (fewer for small batches, to keep the test short); 80 is the full batch,
# and 64 rows take the einsum sums and outer products
BATCHES = {1: 20, 7: 40, 16: 40, 64: 80, 80: 80}
PENALTIES = [(0.0, 0.0), (1e-3, 0.0), (0.0, 1e-2), (1e-3, 1e-2)]


def _data(loss, n_out, n=80, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    if loss == "mse" and n_out > 1:
        return X, np.tanh(X @ rng.normal(size=(2, n_out)))
    if loss == "mse":
        return X, np.sin(X[:, 0]) * X[:, 1]
    return X, (np.hypot(X[:, 0], X[:, 1]) * 1.7).astype(int) % max(n_out, 2)


CASES = [(opt, act, HEADS[i % len(HEADS)], list(BATCHES)[i % len(BATCHES)],
          PENALTIES[i % len(PENALTIES)])
         for i, (opt, act) in enumerate(itertools.product(OPTIMIZERS, ACTIVATIONS))]


def _compare(net, X, y, loss, opt, batch, l1, l2, errors=(), seed=3):
    make, make_reference = OPTIMIZERS[opt]
    Ws, bs = reference_run(net, X, y, loss, make_reference(), batch, l1, l2,
                           frozenset(errors), seed)
    trainer = mc.Trainer(net, loss, make(), batch_size=batch, l1=l1, l2=l2, seed=seed,
                         errors=errors, record_every=7)
    trainer.run_epochs(X, y, EPOCHS // 2)
    trainer.run_epochs(X, y, EPOCHS - EPOCHS // 2)  # a second call goes on where it stopped
    for k in range(net.n_layers):
        assert np.array_equal(net.weights[k], Ws[k]), f"weights[{k}]"
        assert np.array_equal(net.biases[k], bs[k]), f"biases[{k}]"


@pytest.mark.parametrize("opt,activation,head,batch,penalty", CASES,
                         ids=[f"{o}-{a}-{h[0]}{h[2]}-batch{b}-l1_{p[0]}-l2_{p[1]}"
                              for o, a, h, b, p in CASES])
def test_200_epochs_equal_the_per_array_reference(opt, activation, head, batch, penalty):
    loss, out, n_out = head
    net = mc.MLP([2, 5, 4, n_out], [activation, activation, out], init="xavier", seed=1)
    X, y = _data(loss, n_out, n=BATCHES[batch])
    _compare(net, X, y, loss, opt, batch, *penalty)


@pytest.mark.parametrize("errors", [pe.TUTORIAL_ERRORS, (pe.SIGMOID_DERIVATIVE,),
                                    (pe.SUMMED_LOSS,), (pe.DB_AVERAGED,)],
                         ids=lambda e: "+".join(e))
@pytest.mark.parametrize("opt", list(OPTIMIZERS))
def test_the_tutorials_errors_equal_the_per_array_reference(errors, opt):
    # The tutorial's network shape with sigmoid hidden layers, so the wrong derivative acts.
    net = mc.MLP([2, 4, 3, 1], ["sigmoid", "relu", "sigmoid"], init="normal", seed=0)
    X, y = _data("bce", 1, n=48)
    _compare(net, X, y, "bce", opt, 16, 0.0, 0.0, errors)


def test_the_tutorials_mse_errors_equal_the_per_array_reference():
    net = mc.MLP([2, 4, 2], ["sigmoid", "sigmoid"], init="normal", seed=0)
    X, y = _data("mse", 2, n=48)
    _compare(net, X, y, "mse", "adam", 16, 0.0, 1e-3, pe.TUTORIAL_ERRORS)


def test_weights_assigned_between_calls_are_the_ones_trained():
    # The trainer keeps its prepared calls between calls; they hold views into net.params,
    # which an assignment to net.weights[k] or net.biases[k] copies into.
    X, y = _data("bce", 1, n=40)
    net = mc.MLP([2, 5, 1], ["tanh", "sigmoid"], seed=0)
    trainer = mc.Trainer(net, "bce", mc.SGD(0.1), batch_size=40, seed=0)
    trainer.run_epochs(X, y, 3)
    rng = np.random.default_rng(9)
    new_W, new_b = rng.normal(size=(5, 1)), rng.normal(size=5)
    net.weights[1] = new_W
    net.biases[0] = new_b
    assert np.shares_memory(net.weights[1], net.params)
    expected = mc.MLP([2, 5, 1], ["tanh", "sigmoid"], seed=0)
    expected.params[...] = net.params
    trainer.run_epochs(X, y, 2)
    mc.Trainer(expected, "bce", mc.SGD(0.1), batch_size=40, seed=0).run_epochs(X, y, 2)
    assert np.array_equal(net.params, expected.params)
    assert not np.array_equal(net.weights[1], new_W)  # trained from the assigned values


@pytest.mark.parametrize("make", [lambda: mc.SGD(0.05, momentum=0.9), lambda: mc.Adam(0.02)])
def test_an_optimizer_state_restored_or_reset_between_calls_is_the_one_used(make):
    X, y = _data("bce", 1, n=40)
    nets = [mc.MLP([2, 4, 1], ["relu", "sigmoid"], seed=2) for _ in range(2)]
    trainers = [mc.Trainer(net, "bce", make(), batch_size=8, seed=0) for net in nets]
    for trainer in trainers:
        trainer.run_epochs(X, y, 2)
    saved = trainers[0].optimizer.get_state()
    trainers[0].run_epochs(X, y, 2)
    trainers[0].optimizer.set_state(saved)  # back, in place of the prepared calls' arrays
    trainers[0].net.params[...] = trainers[1].net.params
    trainers[0].rng = np.random.default_rng(0)
    trainers[1].rng = np.random.default_rng(0)
    for trainer in trainers:
        trainer.run_epochs(X, y, 3)
    assert np.array_equal(nets[0].params, nets[1].params)
    trainers[0].optimizer.set_state(None)  # a fresh start, as a new optimizer has
    trainers[1].optimizer = make()
    for trainer in trainers:
        trainer.run_epochs(X, y, 2)
    assert np.array_equal(nets[0].params, nets[1].params)


def test_the_products_np_dot_makes_are_matmuls_to_the_bit():
    from mlp_core.network import _product_call

    rng = np.random.default_rng(0)
    same = lambda x, y: np.array_equal(x, y) and np.array_equal(np.signbit(x), np.signbit(y))
    for rows, n_in, n_out in itertools.product([1, 2, 7, 16, 32, 64, 200], [1, 2, 4, 16],
                                               [1, 3, 8, 16]):
        a = rng.normal(size=(rows, n_in)) * rng.integers(0, 2, (rows, n_in))  # ±0.0 too
        W = rng.normal(size=(n_in, n_out))
        d = rng.normal(size=(rows, n_out)) * rng.integers(0, 2, (rows, n_out))
        for x, w in ((a, W), (a.T, d), (d, W.T)):  # forward, dW, dL/da
            out = np.empty((x.shape[0], w.shape[1]))
            _product_call(x, w, out)()
            assert same(out, x @ w), (x.shape, w.shape)


def test_a_step_makes_the_same_number_of_optimizer_calls_at_any_depth():
    from mlp_core.optimizers import step_calls

    for make, n_calls in ((lambda: mc.SGD(0.1), 2), (lambda: mc.SGD(0.1, momentum=0.5), 4),
                          (lambda: mc.Adam(0.1), 13)):
        for depth in (0, 1, 4):
            net = mc.MLP([2, *[8] * depth, 1], ["relu"] * depth + ["sigmoid"], seed=0)
            assert len(step_calls(make(), net.params, net.grad)) == n_calls


def test_a_subclass_that_replaces_step_is_called_through_it():
    from mlp_core.optimizers import step_calls

    class Counting(mc.SGD):
        def step(self, params, grads):
            self.steps = getattr(self, "steps", 0) + 1
            super().step(params, grads)

    opt = Counting(0.1)
    X, y = _data("bce", 1, n=40)
    net = mc.MLP([2, 3, 1], ["relu", "sigmoid"], seed=0)
    assert len(step_calls(opt, net.params, net.grad)) == 1
    mc.Trainer(net, "bce", opt, batch_size=10, seed=0).run_epochs(X, y, 2)
    assert opt.steps == 8


def test_a_copied_trainer_trains_its_own_network():
    import copy

    X, y = _data("bce", 1, n=40)
    trainer = mc.Trainer(mc.MLP([2, 4, 1], ["tanh", "sigmoid"], seed=0), "bce", mc.Adam(0.05),
                         batch_size=8, seed=0)
    trainer.run_epochs(X, y, 2)
    twin = copy.deepcopy(trainer)
    assert not np.shares_memory(twin.net.params, trainer.net.params)
    trainer.run_epochs(X, y, 3)
    assert not np.array_equal(twin.net.params, trainer.net.params)
    twin.run_epochs(X, y, 3)  # its own calls, on its own network and optimizer state
    assert np.array_equal(twin.net.params, trainer.net.params)
    assert twin.optimizer.t == trainer.optimizer.t == 25
