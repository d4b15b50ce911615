"""Backpropagation against central finite differences, in float64."""

import itertools

import numpy as np
import pytest

import mlp_core as mc
from mlp_core.activations import ACTIVATIONS, SCRATCH, softmax

TOL = 1e-6
# (loss, output activation, number of outputs)
HEADS = [("bce", "sigmoid", 1), ("bce", "sigmoid", 3), ("cross_entropy", "softmax", 2),
         ("cross_entropy", "softmax", 3), ("mse", "linear", 1), ("mse", "sigmoid", 2),
         ("mse", "tanh", 3)]
DEPTHS = [0, 1, 2, 3, 4]


def _batch(n_in, n_out, loss, seed=0, n=12):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, n_in))
    if loss == "mse" and n_out > 1:
        y = rng.normal(size=(n, n_out))
    else:
        y = rng.integers(0, max(n_out, 2), n)
    return X, y


CASES = [(act, depth, head, mc.INITS[i % 3])
         for i, (act, depth, head) in enumerate(itertools.product(ACTIVATIONS, DEPTHS, HEADS))]


@pytest.mark.parametrize("activation,depth,head,init", CASES,
                         ids=[f"{a}-{d}hidden-{h[0]}{h[2]}-{i}" for a, d, h, i in CASES])
def test_backprop_matches_finite_differences(activation, depth, head, init):
    loss, out_act, n_out = head
    sizes = [3] + [4, 3, 5, 4][:depth] + [n_out]
    net = mc.MLP(sizes, [activation] * depth + [out_act], init=init, seed=depth + n_out)
    # he and xavier start biases at 0: a ReLU layer dead for a sample then feeds the next layer
    # z = 0 exactly, a kink where no derivative exists. Nonzero biases keep z off the kinks.
    rng = np.random.default_rng(7)
    for b in net.biases:
        b[:] = rng.normal(0.0, 0.1, b.shape)
    X, y = _batch(3, n_out, loss, seed=depth)
    errors = mc.gradient_check(net, X, y, loss=loss)
    assert len(errors) == depth + 1
    assert max(errors) < TOL, errors


@pytest.mark.parametrize("l1,l2", [(0.05, 0.0), (0.0, 0.1), (0.02, 0.03)])
@pytest.mark.parametrize("head", HEADS[:5], ids=lambda h: f"{h[0]}{h[2]}")
def test_penalties_have_exact_gradients(l1, l2, head):
    loss, out_act, n_out = head
    net = mc.MLP([2, 5, 4, n_out], ["tanh", "elu", out_act], init="xavier", seed=3)
    X, y = _batch(2, n_out, loss, seed=5)
    assert max(mc.gradient_check(net, X, y, loss=loss, l1=l1, l2=l2)) < TOL


def test_penalty_values_are_l1_sum_abs_and_half_l2_sum_squares_over_weights_only():
    net = mc.MLP([2, 3, 1], ["relu", "sigmoid"], seed=1)
    net.biases[0][:] = 5.0  # biases must not count
    X, y = _batch(2, 1, "bce")
    base = net.loss(X, y)
    W = np.concatenate([w.ravel() for w in net.weights])
    assert net.loss(X, y, l1=0.1) == pytest.approx(base + 0.1 * np.abs(W).sum(), rel=1e-12)
    assert net.loss(X, y, l2=0.3) == pytest.approx(base + 0.15 * (W ** 2).sum(), rel=1e-12)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_each_activation_derivative_matches_finite_differences(name):
    f, df = ACTIVATIONS[name]
    z = np.linspace(-6, 6, 241).reshape(-1, 1)
    z = z[np.abs(z) > 1e-3]  # stay off the kink of relu-like functions
    h = 1e-6
    numeric = (f(z + h) - f(z - h)) / (2 * h)
    np.testing.assert_allclose(df(z, f(z)), numeric, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", list(ACTIVATIONS) + ["softmax"])
def test_activations_are_finite_for_huge_inputs(name):
    z = np.array([[-1e4, -800.0, 0.0, 800.0, 1e4]])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        a = softmax(z) if name == "softmax" else ACTIVATIONS[name].f(z)
        assert np.isfinite(a).all()
        if name != "softmax":
            assert np.isfinite(ACTIVATIONS[name].df(z, a)).all()


def test_sigmoid_is_accurate_in_both_tails():
    z = np.array([-40.0, -5.0, 0.0, 5.0, 40.0])
    np.testing.assert_allclose(mc.sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-15)


@pytest.mark.parametrize("loss,out,n_out", [("bce", "sigmoid", 1), ("cross_entropy", "softmax", 3)])
def test_losses_stay_finite_and_exact_when_outputs_saturate(loss, out, n_out):
    net = mc.MLP([1, n_out], [out], seed=0)
    net.weights[0] = np.full((1, n_out), 1000.0) * np.arange(1, n_out + 1)
    X = np.array([[1.0], [-1.0]])
    y = np.array([0, 0])
    value, grads = net.loss_and_gradients(X, y, loss=loss)
    assert np.isfinite(value) and value > 100  # confidently wrong on the first sample
    assert all(np.isfinite(dW).all() and np.isfinite(db).all() for dW, db in grads)


def test_losses_are_means_over_the_batch():
    net = mc.MLP([2, 3, 1], ["tanh", "sigmoid"], seed=2)
    X, y = _batch(2, 1, "bce", n=10)
    for loss in ("bce", "mse"):
        doubled = net.loss_and_gradients(np.vstack([X, X]), np.concatenate([y, y]), loss=loss)
        single = net.loss_and_gradients(X, y, loss=loss)
        assert doubled[0] == pytest.approx(single[0], rel=1e-12)
        for (a, b), (c, d) in zip(doubled[1], single[1]):
            np.testing.assert_allclose(a, c, rtol=1e-12)
            np.testing.assert_allclose(b, d, rtol=1e-12)


def test_gradient_check_catches_a_wrong_gradient():
    net = mc.MLP([2, 3, 1], ["relu", "sigmoid"], seed=0)
    X, y = _batch(2, 1, "bce")
    _, grads = net.loss_and_gradients(X, y)
    wrong = [(dW * (2.0 if k == 1 else 1.0), db) for k, (dW, db) in enumerate(grads)]
    errors = mc.gradient_check(net, X, y, analytic=wrong)
    assert errors[0] < TOL and errors[1] > 0.1


SPECIAL = np.array([-np.inf, -1e300, -800.0, -500.5, -30.0, -1.0, -1e-8, -1e-300, -5e-324, -0.0,
                    0.0, 5e-324, 1e-300, 1e-8, 1.0, 30.0, 500.5, 800.0, 1e300, np.inf, np.nan])
# The registry's in-place forms, against the plain expressions they replace.
PLAIN = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z),
                   lambda z, a: np.where(z > 0, 1.0, 0.01)),
    "elu": (lambda z: np.where(z > 0, z, 1.0 * np.expm1(np.minimum(z, 0.0))),
            lambda z, a: np.where(z > 0, 1.0, a + 1.0)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": (lambda z: 1.0 / (1.0 + np.exp(-np.maximum(z, -500.0))),
                lambda z, a: a * (1.0 - a)),
    "softplus": (lambda z: np.logaddexp(0.0, z),
                 lambda z, a: 1.0 / (1.0 + np.exp(-np.maximum(z, -500.0)))),
    "swish": (lambda z: z * (1.0 / (1.0 + np.exp(-np.maximum(z, -500.0)))),
              lambda z, a: (s := 1.0 / (1.0 + np.exp(-np.maximum(z, -500.0)))) + a * (1.0 - s)),
    "linear": (lambda z: z.copy(), lambda z, a: np.ones_like(z)),
}


def same_bits(x, y):
    """Equal values, NaN where the other has NaN, and the same sign on every zero."""
    zeros = x == 0
    return (np.array_equal(x, y, equal_nan=True)
            and np.array_equal(np.signbit(x[zeros]), np.signbit(y[zeros])))


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_in_place_activations_equal_the_plain_expressions_bit_for_bit(name):
    f, df = ACTIVATIONS[name]
    plain_f, plain_df = PLAIN[name]
    z = np.concatenate([SPECIAL, np.random.default_rng(0).normal(0, 3, 200)]).reshape(-1, 1)
    with np.errstate(all="ignore"):
        a = plain_f(z)
        out, tmp = np.full_like(z, 7.0), np.ones(z.shape, SCRATCH.get(name, float))
        assert f(z, out) is out and same_bits(out, a)
        assert same_bits(f(z), a)
        d = plain_df(z, a)
        assert df(z, a, out, tmp) is out and same_bits(out, d)
        assert same_bits(df(z, a), d)


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
@pytest.mark.parametrize("head", HEADS, ids=lambda h: f"{h[0]}{h[2]}-{h[1]}")
def test_training_buffers_give_the_same_gradient_bit_for_bit(activation, head):
    from mlp_core.network import Workspace

    loss, out_act, n_out = head
    # 150 rows and a one-unit layer: the paths that sum and multiply with einsum, too
    net = mc.MLP([3, 5, 1, 4, n_out], [activation] * 3 + [out_act], init="normal", seed=4)
    X, y = _batch(3, n_out, loss, seed=1, n=150)
    value, grads = net.loss_and_gradients(X, y, loss=loss, l1=0.01, l2=0.02)
    expected = net.grad.copy()
    Y, _ = mc.targets(y, loss, n_out)
    work = Workspace(net, len(X))
    for _ in range(2):  # the second pass finds the buffers as the first one left them
        net.grad[:] = np.nan
        net.forward_pass(X, work)
        net.backprop(Y, loss, 0.01, 0.02)
        np.testing.assert_array_equal(net.grad, expected)
        assert net.target_loss(X, Y, loss, 0.01, 0.02, work) == value


@pytest.mark.parametrize("rows,width", [(1, 3), (63, 5), (64, 5), (127, 1), (128, 7), (1000, 64)])
def test_the_fast_sums_and_outer_products_are_numpys_to_the_bit(rows, width):
    from mlp_core.network import _column_sums, _times_transpose

    rng = np.random.default_rng(rows * width)
    delta = rng.normal(size=(rows, width)) * rng.integers(0, 2, (rows, width))  # ±0.0 too
    delta[0, 0] = -0.0
    same = lambda x, y: np.array_equal(x, y) and np.array_equal(np.signbit(x), np.signbit(y))
    assert same(_column_sums(delta, np.empty(width)), delta.sum(axis=0))
    column, W = delta[:, :1], rng.normal(size=(width, 1))
    W[0, 0] = -0.0
    assert same(_times_transpose(column, W, np.empty((rows, width))), column @ W.T)
    assert same(_times_transpose(column, W), column @ W.T)
