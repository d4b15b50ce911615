"""The traced training step, the published errors as switches, and gradient-flow statistics."""

import subprocess
import sys

import numpy as np
import pytest

import mlp_core as mc
from mlp_core import explain as ex
from mlp_core import tutorial

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
    # The tutorial's own data and initial weights, as engine objects
    net, ds = tutorial.network(), tutorial.dataset(n_samples=200)
    np.testing.assert_array_equal(run.initial.params, net.params)
    np.testing.assert_array_equal(run.dataset.X, ds.X)
    assert run.mean_loss[0] == pytest.approx(net.loss(ds.X, ds.y, "bce"), rel=1e-12)
    summed = ex.tutorial_experiment([ex.SUMMED_LOSS], seed=0, n_epochs=20, n_samples=200)
    np.testing.assert_allclose(summed.reported_loss, 200 * summed.mean_loss, rtol=1e-15)
    assert summed.reported_scale == "sum over samples"
    assert summed.reported_loss[0] == pytest.approx(200 * run.mean_loss[0], rel=1e-15)
    # A summed loss is the mean loss with a learning rate n times larger.
    scaled = ex.tutorial_experiment((), seed=0, lr=0.005 * 200, n_epochs=20, n_samples=200)
    np.testing.assert_allclose(summed.mean_loss, scaled.mean_loss, rtol=1e-9)
    np.testing.assert_array_equal(summed.accuracy, scaled.accuracy)
    again = ex.tutorial_experiment([ex.SUMMED_LOSS], seed=0, n_epochs=20, n_samples=200)
    np.testing.assert_array_equal(again.mean_loss, summed.mean_loss)


def test_tutorial_experiment_stops_at_the_first_non_finite_weight():
    run = ex.tutorial_experiment([ex.SUMMED_LOSS], seed=0, lr=1e300, n_epochs=30, n_samples=100)
    # The clipped log keeps the loss finite after the first huge step; the second overflows.
    assert run.diverged_at == 2
    assert np.isfinite(run.mean_loss[:2]).all() and np.isnan(run.mean_loss[2:]).all()
    assert np.isnan(run.accuracy[2:]).all()
    assert np.isfinite(run.final.params).all()


def test_layer_activity_finds_dead_and_saturated_units():
    X = np.random.default_rng(0).normal(size=(50, 2))
    net = mc.MLP([2, 4, 3, 1], ["relu", "tanh", "sigmoid"], init="xavier", seed=0)
    net.biases[0] = np.array([-100.0, -100.0, 0.0, 0.0])  # two units never fire
    net.weights[1] = np.zeros((4, 3))
    net.biases[1] = np.array([50.0, 0.0, 0.0])  # one tanh unit pinned at +1
    net.weights[2] = np.zeros((3, 1))
    net.biases[2] = np.array([0.0])  # the output sits at s(0), the sigmoid's steepest point
    rows = ex.layer_activity(net, X)
    assert [r["layer"] for r in rows] == [1, 2, 3]
    assert rows[0]["dead_share"] == 0.5 and np.isnan(rows[0]["saturated_share"])
    assert rows[1]["saturated_share"] == pytest.approx(1 / 3)
    assert rows[1]["flat_share"] == pytest.approx(1 / 3)
    assert rows[1]["mean_slope"] == pytest.approx(2 / 3)  # slopes 0, 1, 1 on every sample
    assert np.isnan(rows[1]["dead_share"])
    assert rows[2]["saturated_share"] == 0.0 and rows[2]["flat_share"] == 0.0
    assert rows[2]["mean_slope"] == 0.25


@pytest.mark.parametrize("bias, dead, flat, slope", [
    (-100.0, 1.0, 1.0, 0.0),  # every ReLU dead: no gradient reaches the layer below
    (100.0, 0.0, 0.0, 1.0),  # every ReLU on for every sample: healthy
    (0.0, 0.0, 0.5, 0.5),  # each unit fires on exactly the half of the samples with x1 > 0
])
def test_layer_activity_dead_share_of_constructed_relu_layers(bias, dead, flat, slope):
    X = np.column_stack([np.linspace(-1, 1, 20), np.zeros(20)])  # 10 samples with x1 > 0
    net = mc.MLP([2, 3, 1], ["relu", "sigmoid"], seed=0)
    net.weights[0] = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    net.biases[0] = np.full(3, bias)
    row = ex.layer_activity(net, X)[0]
    assert (row["dead_share"], row["flat_share"], row["mean_slope"]) == (dead, flat, slope)
    assert np.isnan(row["saturated_share"])
    saturated = mc.MLP([2, 2, 1], ["sigmoid", "sigmoid"], seed=0)
    saturated.weights[0] = np.zeros((2, 2))
    saturated.biases[0] = np.array([bias / 10, 0.0])  # s'(±10) < 0.05 * s'(0); s'(0) is the peak
    row = ex.layer_activity(saturated, X)[0]
    assert row["saturated_share"] == row["flat_share"] == (0.0 if bias == 0 else 0.5)
    assert np.isnan(row["dead_share"])


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


def old_chain_gradients(net, X, y, loss, errors):
    """The unfused chain as chain_gradients computed it before the backward pass had hooks:
    its own loop over the layers, kept here as the reference the hooks must reproduce."""
    from mlp_core.activations import ACTIVATIONS
    from mlp_core.losses import LOSSES

    def derivative(name, z, a):
        if name == "sigmoid" and ex.SIGMOID_DERIVATIVE in errors:
            return 2.0 * a * (1.0 - a)
        return ACTIVATIONS[name].df(z, a)

    Y, _ = mc.targets(y, loss, net.layer_sizes[-1])
    out = net.forward(X)
    scale = float(len(Y)) if ex.SUMMED_LOSS in errors else 1.0
    names = net.activations
    value = LOSSES[loss].value(net.z[-1], out, Y) * scale
    dz = LOSSES[loss].output_delta(net.z[-1], out, Y, names[-1]) * scale
    if names[-1] == "sigmoid" and ex.SIGMOID_DERIVATIVE in errors and loss == "bce":
        dz = dz * 2.0
    elif names[-1] == "sigmoid" and ex.SIGMOID_DERIVATIVE in errors:
        dz = LOSSES[loss].grad_a(net.z[-1], out, Y) * scale * derivative("sigmoid", None, out)
    grads = [None] * net.n_layers
    for i in range(net.n_layers - 1, -1, -1):
        db = dz.mean(axis=0) if ex.DB_AVERAGED in errors else dz.sum(axis=0)
        grads[i] = (net.a[i].T @ dz, db)
        if i:
            dz = (dz @ net.weights[i].T) * derivative(names[i - 1], net.z[i - 1], net.a[i])
    return float(value), grads


ERROR_SETS = [(), (ex.SIGMOID_DERIVATIVE,), (ex.SUMMED_LOSS,), (ex.DB_AVERAGED,),
              (ex.SIGMOID_DERIVATIVE, ex.DB_AVERAGED), ex.TUTORIAL_ERRORS]


@pytest.mark.parametrize("errors", ERROR_SETS, ids=lambda e: "+".join(e) or "none")
@pytest.mark.parametrize("sizes, acts, loss", CASES + [
    ([2, 4, 3, 1], ["relu", "relu", "sigmoid"], "bce"),  # the tutorial's network
    ([2, 3, 3, 2], ["sigmoid", "sigmoid", "sigmoid"], "mse"),
])
def test_tutorial_errors_through_the_hooks_equal_the_unfused_loop_bit_for_bit(
        sizes, acts, loss, errors):
    net = mc.MLP(sizes, acts, init="normal", seed=5)
    X, y = data(sizes, loss, n=17)
    value, grads = ex.chain_gradients(net, X, y, loss, errors)
    ref_value, ref_grads = old_chain_gradients(net, X, y, loss, frozenset(errors))
    assert value == ref_value
    for (dW, db), (rW, rb) in zip(grads, ref_grads):
        np.testing.assert_array_equal(dW, rW)
        np.testing.assert_array_equal(db, rb)


def test_backward_fills_the_flat_gradient_and_records_the_unfused_chain():
    net = mc.MLP([3, 4, 3, 2], ["tanh", "relu", "sigmoid"], init="xavier", seed=2)
    for b in net.biases:
        b[:] = 0.1
    X, y = data([3, 4, 3, 2], "mse", n=9)
    value, grads = net.loss_and_gradients(X, y, "mse")
    expected = np.concatenate([dW.ravel() for dW, _ in grads] + [db for _, db in grads])
    np.testing.assert_array_equal(net.grad, expected)  # the layout of net.params
    assert net.grad.shape == net.params.shape
    out = net.forward(X)
    delta = 2 * (out - y) / len(X) * out * (1 - out)
    trace = []
    net.backward(delta.copy(), trace=trace)
    assert len(trace) == 3 and trace[-1]["dL_da"] is None and trace[-1]["fprime"] is None
    for k, t in enumerate(trace):
        np.testing.assert_allclose(net.weight_grads[k], grads[k][0], rtol=1e-12)
        np.testing.assert_array_equal(net.weight_grads[k], net.a[k].T @ t["dL_dz"])
        np.testing.assert_array_equal(net.bias_grads[k], t["dL_dz"].sum(axis=0))
        np.testing.assert_array_equal(t["dL_da_prev"], t["dL_dz"] @ net.weights[k].T)
        if k < 2:
            np.testing.assert_array_equal(t["dL_da"], trace[k + 1]["dL_da_prev"])
            np.testing.assert_array_equal(t["dL_dz"], t["dL_da"] * t["fprime"])
    np.testing.assert_array_equal(trace[1]["fprime"], net.z[1] > 0)
    np.testing.assert_array_equal(trace[0]["fprime"], 1 - net.a[1] ** 2)
    assert trace[0]["dL_da_prev"].shape == X.shape  # dL/dX, only computed when tracing


def test_backward_hooks_replace_one_derivative_and_average_the_bias_gradient():
    net = mc.MLP([2, 3, 3, 1], ["relu", "relu", "sigmoid"], init="normal", seed=1)
    X, y = data([2, 3, 3, 1], "bce", n=8)
    out = net.forward(X)
    delta = (out - y[:, None]) / len(X)
    net.backward(delta)
    plain = net.gradients()
    net.backward(delta, bias_reduction="mean")
    for (dW, db), (mW, mb) in zip(plain, net.gradients()):
        np.testing.assert_array_equal(mW, dW)
        np.testing.assert_array_equal(mb, db / len(X))
    seen = []

    def linear(z, a):
        seen.append((z, a))
        return np.ones_like(z)

    net.backward(delta, derivatives=[None, linear])
    assert len(seen) == 1 and seen[0][0] is net.z[1] and seen[0][1] is net.a[2]
    hooked = net.gradients()
    np.testing.assert_array_equal(hooked[2][0], plain[2][0])  # above the hook: unchanged
    dz1 = delta @ net.weights[2].T  # the hooked layer passes dL/da through as dL/dz
    np.testing.assert_array_equal(hooked[1][0], net.a[1].T @ dz1)
    with pytest.raises(ValueError, match="bias_reduction.*median"):
        net.backward(delta, bias_reduction="median")
    with pytest.raises(ValueError, match="derivatives.*2"):
        net.backward(delta, derivatives=[None])


def test_no_module_outside_the_network_touches_private_attributes():
    import ast
    import pathlib

    root = pathlib.Path(mc.__file__).parent
    offenders = []
    for path in root.glob("*.py"):
        if path.name == "network.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if (isinstance(node, ast.Attribute) and node.attr.startswith("_")
                    and not node.attr.startswith("__")
                    and not (isinstance(node.value, ast.Name) and node.value.id == "self")):
                offenders.append(f"{path.name}:{node.lineno} .{node.attr}")
    assert not offenders


def test_live_unit_and_input_skip_dead_relus():
    net = mc.MLP([2, 3, 1], ["relu", "sigmoid"], init="he", seed=0)
    net.biases[0][:] = [-100.0, 5.0, 5.0]  # unit 1 is off on every sample: dead
    X = np.random.default_rng(0).normal(size=(4, 2))
    trace = ex.step_trace(net, X, np.array([0, 1, 0, 1]))
    first, second = trace.layers
    assert first.live_unit(0) == 1 and (first.fprime[:, 0] == 0).all()
    assert second.live_input() == 1  # the dead unit's output is 0 for every sample
    assert second.live_unit(0) == 0  # a sigmoid output always passes gradient
    net.biases[0][:] = -100.0  # nothing is live: the first unit, for want of another
    assert ex.step_trace(net, X, np.array([0, 1, 0, 1])).layers[0].live_unit(0) == 0
