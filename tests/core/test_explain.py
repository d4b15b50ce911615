"""The traced training step, the published errors as switches, and gradient-flow statistics."""

import subprocess
import sys

import numpy as np
import pytest

import mlp_core as mc
from mlp_core import explain as ex

CASES = [
    ([2, 3, 2, 1], ["tanh", "relu", "sigmoid"], "bce"),
    ([2, 4, 3], ["sigmoid", "softmax"], "cross_entropy"),
    ([2, 3, 3, 2], ["elu", "sigmoid", "linear"], "mse"),
    ([2, 1], ["sigmoid"], "bce"),
]


def data(sizes, loss, n=12, seed=3):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, sizes[0]))
    if loss == "mse":
        return X, rng.normal(size=(n, sizes[-1]))
    classes = max(sizes[-1], 2)
    return X, np.arange(n) % classes


@pytest.mark.parametrize("sizes, acts, loss", CASES)
def test_trace_gradients_equal_the_engine_and_follow_the_chain_rule(sizes, acts, loss):
    net = mc.MLP(sizes, acts, init="xavier", seed=1)
    X, y = data(sizes, loss)
    before = net.params.copy()
    trace = ex.step_trace(net, X, y, loss, lr=0.3)
    value, grads = net.loss_and_gradients(X, y, loss)
    assert np.array_equal(net.params, before)  # tracing does not train the network
    assert trace.loss_before == pytest.approx(value, rel=1e-12)
    assert trace.unfused_matches and not trace.notes
    for t, (dW, db) in zip(trace.layers, grads):
        np.testing.assert_allclose(t.dL_dW, dW, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(t.dL_db, db, rtol=1e-10, atol=1e-14)
    net.forward(X)
    for k, t in enumerate(trace.layers):
        assert t.k == k + 1
        np.testing.assert_array_equal(t.a_prev, net.a[k])
        np.testing.assert_array_equal(t.z, net.z[k])
        np.testing.assert_array_equal(t.a, net.a[k + 1])
        np.testing.assert_allclose(t.dL_dW, t.a_prev.T @ t.dL_dz)
        np.testing.assert_allclose(t.dL_da_prev, t.dL_dz @ t.W.T)
        if t.fprime is not None:
            np.testing.assert_allclose(t.dL_dz, t.dL_da * t.fprime, rtol=1e-9, atol=1e-15)
        if k + 1 < len(trace.layers):
            np.testing.assert_array_equal(t.dL_da, trace.layers[k + 1].dL_da_prev)
        np.testing.assert_allclose(t.W_new, t.W - 0.3 * t.dL_dW)
        np.testing.assert_allclose(t.b_new, t.b - 0.3 * t.dL_db)
    # The unfused output chain reproduces the engine's fused dL/dz.
    np.testing.assert_allclose(trace.layers[-1].dL_dz, trace.fused_dL_dz, rtol=1e-9, atol=1e-15)
    # The loss after is that of the updated network, computed independently.
    twin = net.copy()
    for k, (dW, db) in enumerate(grads):
        twin.weights[k] -= 0.3 * dW
        twin.biases[k] -= 0.3 * db
    assert trace.loss_after == pytest.approx(twin.loss(X, y, loss), rel=1e-10)


def test_softmax_output_has_no_elementwise_derivative():
    net = mc.MLP([2, 4, 3], ["tanh", "softmax"], init="xavier", seed=0)
    X, y = data([2, 4, 3], "cross_entropy")
    trace = ex.step_trace(net, X, y, "cross_entropy")
    assert trace.layers[-1].fprime is None
    assert trace.layers[0].fprime is not None
    p = trace.yhat
    np.testing.assert_allclose(trace.layers[-1].dL_dz, (p - trace.Y) / len(X), atol=1e-15)


def test_saturated_sigmoid_falls_back_to_the_fused_gradient_and_says_so():
    net = mc.MLP([2, 1], ["sigmoid"], init="normal", seed=0)
    net.weights[0] = np.array([[500.0], [0.0]])
    X = np.array([[1.0, 0.0], [-1.0, 0.0], [0.01, 0.0]])
    y = np.array([1, 0, 1])
    trace = ex.step_trace(net, X, y, "bce")
    assert not trace.unfused_matches
    assert trace.notes
    _, grads = net.loss_and_gradients(X, y, "bce")
    np.testing.assert_allclose(trace.layers[0].dL_dW, grads[0][0])
    assert np.isfinite(trace.layers[0].dL_dz).all()


def test_trace_rejects_bad_input():
    net = mc.MLP([2, 3, 1], ["tanh", "sigmoid"], seed=0)
    X, y = data([2, 3, 1], "bce")
    with pytest.raises(ValueError, match="lr"):
        ex.step_trace(net, X, y, "bce", lr=-1)
    with pytest.raises(ValueError, match="loss"):
        ex.step_trace(net, X, y, "cross_entropy")
    with pytest.raises(ValueError, match="errors"):
        ex.chain_gradients(net, X, y, "bce", ["not_an_error"])


def published_code_gradients(net, X, y):
    """The published backward pass, re-derived here as an oracle: per-sample dL/dŷ (no 1/n),
    sigmoid derivative 2 s (1 - s), dW = a^T dz and db = mean of dz."""
    out = net.forward(X)
    Y = y.reshape(-1, 1).astype(float)
    da = -Y / out + (1 - Y) / (1 - out)
    grads = []
    for k in range(net.n_layers - 1, -1, -1):
        z, a = net.z[k], net.a[k + 1]
        deriv = 2 * a * (1 - a) if net.activations[k] == "sigmoid" else (z > 0).astype(float)
        dz = da * deriv
        grads.insert(0, (net.a[k].T @ dz, dz.mean(axis=0)))
        da = dz @ net.weights[k].T
    return grads


def test_error_switches_scale_the_gradients_as_the_published_code_does():
    ds = mc.make_dataset("circles", 50, 0.1, seed=2)
    net = mc.MLP([2, 4, 3, 1], ["relu", "relu", "sigmoid"], init="normal", seed=2)
    n = len(ds.y)
    value, grads = net.loss_and_gradients(ds.X, ds.y, "bce")
    v0, g0 = ex.chain_gradients(net, ds.X, ds.y, "bce")
    assert v0 == pytest.approx(value)
    v_sum, g_sum = ex.chain_gradients(net, ds.X, ds.y, "bce", [ex.SUMMED_LOSS])
    v_db, g_db = ex.chain_gradients(net, ds.X, ds.y, "bce", [ex.DB_AVERAGED])
    assert v_sum == pytest.approx(n * value) and v_db == pytest.approx(value)
    for (dW, db), (a, b), (sW, sb), (mW, mb) in zip(grads, g0, g_sum, g_db):
        np.testing.assert_allclose(a, dW, atol=1e-15)
        np.testing.assert_allclose(b, db, atol=1e-15)
        np.testing.assert_allclose(sW, n * dW, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(sb, n * db, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(mW, dW, atol=1e-15)
        np.testing.assert_allclose(mb, db / n, rtol=1e-10, atol=1e-16)
    _, g_all = ex.chain_gradients(net, ds.X, ds.y, "bce", ex.TUTORIAL_ERRORS)
    for (aW, ab), (oW, ob) in zip(g_all, published_code_gradients(net, ds.X, ds.y)):
        np.testing.assert_allclose(aW, oW, rtol=1e-8, atol=1e-12)
        np.testing.assert_allclose(ab, ob, rtol=1e-8, atol=1e-12)


def test_gradient_check_catches_the_published_sigmoid_derivative():
    ds = mc.make_dataset("circles", 20, 0.1, seed=0)
    net = mc.MLP([2, 3, 2, 1], ["tanh", "tanh", "sigmoid"], init="xavier", seed=0)
    _, right = ex.chain_gradients(net, ds.X, ds.y, "bce")
    _, wrong = ex.chain_gradients(net, ds.X, ds.y, "bce", [ex.SIGMOID_DERIVATIVE])
    assert max(mc.gradient_check(net, ds.X, ds.y, "bce", analytic=right)) < 1e-6
    assert min(mc.gradient_check(net, ds.X, ds.y, "bce", analytic=wrong)) > 0.1
    # Without a sigmoid anywhere the switch changes nothing.
    soft = mc.MLP([2, 3, 2], ["relu", "softmax"], init="he", seed=0)
    _, same = ex.chain_gradients(soft, ds.X, ds.y, "cross_entropy", [ex.SIGMOID_DERIVATIVE])
    assert max(mc.gradient_check(soft, ds.X, ds.y, "cross_entropy", analytic=same)) < 1e-6


def test_sigmoid_derivative_switch_with_mse_uses_the_wrong_slope():
    net = mc.MLP([2, 2, 1], ["sigmoid", "sigmoid"], init="xavier", seed=4)
    X, y = data([2, 2, 1], "mse")
    _, wrong = ex.chain_gradients(net, X, y, "mse", [ex.SIGMOID_DERIVATIVE])
    _, right = net.loss_and_gradients(X, y, "mse")
    np.testing.assert_allclose(wrong[-1][0], 2 * right[-1][0], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(wrong[0][0], 4 * right[0][0], rtol=1e-9, atol=1e-15)


def test_tutorial_experiment_records_both_loss_scales():
    run = ex.tutorial_experiment((), seed=0, n_epochs=20, n_samples=200)
    assert len(run.mean_loss) == len(run.accuracy) == 21
    np.testing.assert_array_equal(run.mean_loss, run.reported_loss)
    assert run.reported_scale == "mean over samples"
    net = mc.MLP([2, 4, 3, 1], ["relu", "relu", "sigmoid"], init="normal", seed=0)
    ds = mc.make_dataset("circles", 200, 0.1, seed=0)
    assert run.mean_loss[0] == pytest.approx(net.loss(ds.X, ds.y, "bce"))
    summed = ex.tutorial_experiment([ex.SUMMED_LOSS], seed=0, n_epochs=20, n_samples=200)
    np.testing.assert_allclose(summed.reported_loss, 200 * summed.mean_loss)
    assert summed.reported_scale == "sum over samples"
    assert summed.reported_loss[0] == pytest.approx(200 * run.mean_loss[0])
    # A summed loss is the mean loss with a learning rate n times larger.
    scaled = ex.tutorial_experiment((), seed=0, lr=0.005 * 200, n_epochs=20, n_samples=200)
    np.testing.assert_allclose(summed.mean_loss, scaled.mean_loss, rtol=1e-9)
    np.testing.assert_array_equal(summed.accuracy, scaled.accuracy)
    again = ex.tutorial_experiment([ex.SUMMED_LOSS], seed=0, n_epochs=20, n_samples=200)
    np.testing.assert_array_equal(again.mean_loss, summed.mean_loss)


def test_tutorial_experiment_stops_at_the_first_non_finite_weight():
    run = ex.tutorial_experiment([ex.SUMMED_LOSS], seed=0, lr=1e300, n_epochs=30, n_samples=100)
    assert run.diverged_at == 1
    assert np.isfinite(run.mean_loss[0]) and np.isnan(run.mean_loss[1:]).all()
    assert np.isnan(run.accuracy[1:]).all()


def test_layer_activity_finds_dead_and_saturated_units():
    X = np.random.default_rng(0).normal(size=(50, 2))
    net = mc.MLP([2, 4, 3, 1], ["relu", "tanh", "sigmoid"], init="xavier", seed=0)
    net.biases[0] = np.array([-100.0, -100.0, 0.0, 0.0])  # two units never fire
    net.weights[1] = np.zeros((4, 3))
    net.biases[1] = np.array([50.0, 0.0, 0.0])  # one tanh unit pinned at +1
    rows = ex.layer_activity(net, X)
    assert [r["layer"] for r in rows] == [1, 2, 3]
    assert rows[0]["dead_share"] == 0.5 and np.isnan(rows[0]["saturated_share"])
    assert rows[1]["saturated_share"] == pytest.approx(1 / 3)
    assert np.isnan(rows[1]["dead_share"])
    assert 0.0 <= rows[2]["flat_share"] <= 1.0


def test_deep_sigmoid_gradients_vanish_and_relu_ones_do_not():
    ds = mc.make_dataset("circles", 100, 0.1, seed=0)
    sig = ex.flow_run(ds.X, ds.y, "sigmoid", depth=6, width=8, n_epochs=10)
    relu = ex.flow_run(ds.X, ds.y, "relu", depth=6, width=8, n_epochs=10)
    assert sig.grad_norm.shape == relu.grad_norm.shape == (10, 7)
    assert sig.update_ratio.shape == (10, 7)
    s, r = sig.grad_norm.mean(axis=0), relu.grad_norm.mean(axis=0)
    assert s[-1] / s[0] > 100  # the first layer gets over 100 times less gradient
    assert r[-1] / r[0] < 10
    assert len(sig.activity) == 7


def test_explain_imports_no_ui_library():
    code = ("import sys, mlp_core.explain; "
            "print(any(m.split('.')[0] in ('streamlit', 'plotly') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
