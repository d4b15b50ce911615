"""Datasets, feature expansion, saving, and the ValueErrors of every public entry point."""

import subprocess
import sys

import numpy as np
import pytest

import mlp_core as mc


@pytest.mark.parametrize("name", mc.DATASETS)
def test_datasets_are_seeded_shaped_and_balanced(name):
    a = mc.make_dataset(name, n_samples=301, noise=0.1, seed=4)
    b = mc.make_dataset(name, n_samples=301, noise=0.1, seed=4)
    c = mc.make_dataset(name, n_samples=301, noise=0.1, seed=5)
    assert a.X.shape == (301, 2) and a.X.dtype == np.float64
    assert a.y.shape == (301,) and a.y.dtype == np.int64
    assert a.n_classes == (3 if name.endswith("3") else 2)
    assert set(np.unique(a.y)) == set(range(a.n_classes))
    counts = np.bincount(a.y)
    assert counts.max() - counts.min() <= 0.2 * len(a.y)
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)
    assert np.abs(a.X).max() < 3


def test_noise_zero_gives_clean_data_and_noise_spreads_points():
    clean = mc.make_dataset("circles", 200, noise=0.0, seed=0)
    radii = np.hypot(*clean.X.T)
    np.testing.assert_allclose(np.sort(np.unique(radii.round(9))), [0.5, 1.0])
    noisy = mc.make_dataset("circles", 200, noise=0.2, seed=0)
    assert np.hypot(*noisy.X.T).std() > radii.std()


def test_train_test_split_partitions_the_data():
    ds = mc.make_dataset("moons", 101, 0.1, seed=0)
    train, test = mc.train_test_split(ds, test_fraction=0.3, seed=1)
    assert len(test) == 30 and len(train) == 71
    both = np.vstack([train.X, test.X])
    assert sorted(map(tuple, both)) == sorted(map(tuple, ds.X))
    assert train.n_classes == test.n_classes == 2


def test_expand_features_computes_each_named_column():
    X = np.array([[1.0, 2.0], [-0.5, 3.0]])
    out = mc.expand_features(X, ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"])
    expected = np.column_stack([X[:, 0], X[:, 1], X[:, 0] ** 2, X[:, 1] ** 2, X[:, 0] * X[:, 1],
                                np.sin(X[:, 0]), np.sin(X[:, 1])])
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(mc.expand_features(X, ["x2^2"]), X[:, [1]] ** 2)


def test_model_round_trips_through_a_dict():
    net = mc.MLP([3, 4, 2], ["elu", "softmax"], init="xavier", seed=9)
    twin = mc.MLP.from_dict(net.to_dict())
    X = np.random.default_rng(0).normal(size=(5, 3))
    np.testing.assert_array_equal(net.forward(X), twin.forward(X))
    assert twin.activations == net.activations


@pytest.mark.parametrize("mutate,match", [
    (lambda d: d.pop("weights"), "missing weights"),
    (lambda d: d.update(layer_sizes=[3, 5, 2]), "shape"),
    (lambda d: d["weights"][0][0].__setitem__(0, "x"), "numeric.*'x'"),
    (lambda d: d["biases"][1].__setitem__(0, float("nan")), "non-finite"),
    (lambda d: d.update(activations=["elu", "bogus"]), "activations"),
    (lambda d: d["weights"].pop(), "list of 2"),
])
def test_tampered_model_dicts_are_rejected(mutate, match):
    data = mc.MLP([3, 4, 2], ["elu", "softmax"], seed=0).to_dict()
    mutate(data)
    with pytest.raises(ValueError, match=match):
        mc.MLP.from_dict(data)


def test_assigning_a_weight_keeps_it_inside_the_flat_parameters():
    net = mc.MLP([2, 3, 1], ["relu", "sigmoid"], seed=0)
    net.weights[0] = np.ones((2, 3))
    assert net.params[:6].tolist() == [1.0] * 6
    with pytest.raises(ValueError, match="shape"):
        net.weights[0] = np.ones((3, 2))


@pytest.mark.parametrize("call,match", [
    (lambda: mc.MLP([2, 0, 1], ["relu", "sigmoid"]), r"layer_sizes\[1\].*0"),
    (lambda: mc.MLP([2], []), "layer_sizes"),
    (lambda: mc.MLP([2, 3, 1], ["relu"]), "activations"),
    (lambda: mc.MLP([2, 3, 1], ["bogus", "sigmoid"]), r"activations\[0\].*bogus"),
    (lambda: mc.MLP([2, 3, 1], ["softmax", "sigmoid"]), r"activations\[0\].*softmax"),
    (lambda: mc.MLP([2, 3, 1], ["relu", "sigmoid"], init="zeros"), "init.*zeros"),
    (lambda: mc.MLP([2, 3, 1], ["relu", "sigmoid"], seed=-1), "seed"),
    (lambda: mc.MLP([2, 2.5, 1], ["relu", "sigmoid"]), "integer"),
    (lambda: mc.make_dataset("nope"), "name.*nope"),
    (lambda: mc.make_dataset("circles", n_samples=1), "n_samples"),
    (lambda: mc.make_dataset("circles", noise=-0.1), "noise"),
    (lambda: mc.make_dataset("circles", noise=float("nan")), "noise"),
    (lambda: mc.expand_features(np.ones((3, 2)), ["x3"]), r"names\[0\].*x3"),
    (lambda: mc.expand_features(np.ones((3, 3)), ["x1"]), "columns"),
    (lambda: mc.expand_features(np.ones((3, 2)), []), "names"),
    (lambda: mc.train_test_split(mc.make_dataset("xor"), test_fraction=1.0), "test_fraction"),
    (lambda: mc.train_test_split(mc.make_dataset("xor"), test_fraction=0), "test_fraction"),
])
def test_bad_arguments_raise_value_errors_naming_them(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def _net():
    return mc.MLP([2, 3, 1], ["relu", "sigmoid"], seed=0)


@pytest.mark.parametrize("call,match", [
    (lambda: _net().forward(np.ones((4, 3))), "3 columns"),
    (lambda: _net().forward(np.array([[1.0, np.nan]])), "non-finite.*row 0, column 1"),
    (lambda: _net().forward(np.ones(4)), "shape"),
    (lambda: _net().forward([["a", "b"]]), "numeric"),
    (lambda: _net().loss_and_gradients(np.ones((4, 2)), [0, 1, 0]), "4 rows.*3"),
    (lambda: _net().loss_and_gradients(np.ones((2, 2)), [0, 2]), "labels"),
    (lambda: _net().loss_and_gradients(np.ones((2, 2)), [0, 1], loss="hinge"), "loss.*hinge"),
    (lambda: _net().loss_and_gradients(np.ones((2, 2)), [0, 1], loss="cross_entropy"),
     "output activation"),
    (lambda: _net().loss_and_gradients(np.ones((2, 2)), [0, 1], l2=-1), "l2"),
    (lambda: mc.Trainer(_net(), batch_size=0), "batch_size"),
    (lambda: mc.Trainer(_net(), optimizer="adam"), "optimizer"),
    (lambda: mc.Trainer(_net()).run_epochs(np.ones((2, 2)), [0, 1], n_epochs=-1), "n_epochs"),
    (lambda: mc.Trainer(_net()).run_epochs(np.ones((2, 2)), [0, 1], X_test=np.ones((1, 2)),
                                           y_test=[0, 1]), "X_test"),
])
def test_network_and_trainer_reject_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_importing_the_engine_imports_neither_streamlit_nor_plotly():
    code = ("import sys, mlp_core; bad = [m for m in ('streamlit', 'plotly') if m in sys.modules];"
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ---- hostile inputs: limits and types are checked before any work or allocation ---------

def _nested(depth, leaf=0.5):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def _refused_within(limit_bytes, call, match):
    """call() raises ValueError matching ``match`` while allocating < limit_bytes at peak."""
    import tracemalloc

    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < limit_bytes, peak


def test_a_small_dict_declaring_a_huge_network_is_refused_without_allocating_it():
    import json

    huge = {"layer_sizes": [4096] * 5001, "activations": ["relu"] * 5000, "weights": [],
            "biases": []}  # 5,000 layers of 4,096 units: 625 GiB of weights
    assert len(json.dumps(huge, separators=(",", ":"))) < 70_000
    _refused_within(1_000_000, lambda: mc.MLP.from_dict(huge), r"MAX_LAYERS = 64.*5001 sizes")
    # Within the layer limit, 40 such layers (5 GiB) and 10 million weights are refused by
    # the parameter count, before a single weight exists.
    for sizes in ([4096] * 40, [2, 4096, 2442, 1]):
        data = {**huge, "layer_sizes": sizes, "activations": ["relu"] * (len(sizes) - 1)}
        _refused_within(1_000_000, lambda d=data: mc.MLP.from_dict(d),
                        r"would make [\d,]+ weights and biases; the limit is MAX_PARAMS")
    assert mc.MLP([2, 997, 997, 1], ["relu", "relu", "sigmoid"]).params.size <= mc.MAX_PARAMS


@pytest.mark.parametrize("bad,match", [
    ("0.5", r"numeric: found '0.5'"),
    (True, "numeric: found True"),
    (None, "numeric: found NoneType"),
    (10**400, "too large for float64"),
    (float("nan"), "non-finite"),
    (float("inf"), "non-finite"),
    ([0.5], "numeric: found list"),
    (_nested(10_000), "numeric: found list"),
    ({"w": 1}, "numeric: found dict"),
])
def test_model_weights_must_be_plain_numbers(bad, match):
    data = mc.MLP([3, 4, 2], ["elu", "softmax"], seed=0).to_dict()
    data["weights"][1][2][1] = bad
    with pytest.raises(ValueError, match=r"model weights\[1\].*" + match):
        mc.MLP.from_dict(data)


@pytest.mark.parametrize("weights0,match", [
    ("0.5", "an array or a list of numbers"),
    (_nested(10_000), r"shape \(1, 1\); expected \(3, 4\)"),
    ([[0.5] * 4] * 2 + [[0.5] * 3], r"row 2 has length 3"),
    ([[0.5] * 4] * 3 + [[0.5] * 4], r"shape \(4, 4\); expected \(3, 4\)"),
    ([[0.5] * 10_000_000] * 3, r"shape \(3, 10000000\); expected \(3, 4\)"),
    (np.array([["a"] * 4] * 3), "numeric; got an array of <U1"),
    (np.ones((3, 4), bool), "numeric; got an array of bool"),
])
def test_model_arrays_are_measured_before_they_are_converted(weights0, match):
    data = mc.MLP([3, 4, 2], ["elu", "softmax"], seed=0).to_dict()
    data["weights"][0] = weights0
    _refused_within(1_000_000, lambda: mc.MLP.from_dict(data), match)


def _small_net():
    return mc.MLP([2, 3, 1], ["relu", "sigmoid"], seed=0)


@pytest.mark.parametrize("X,match", [
    ([["0.5", 1.0]], "X must be numeric: found '0.5'"),
    ([[True, 1.0]], "X must be numeric: found True"),
    ([[None, 1.0]], "X must be numeric: found NoneType"),
    ([[10**400, 1.0]], "too large for float64"),
    ([[1.0, 2.0], [3.0]], "equally long.*row 1 has length 1"),
    (_nested(10_000), "X must be numeric: found list"),
    ([[float("nan"), 1.0]], "non-finite"),
    ("1, 2", "an array or a list of numbers"),
    (None, "an array or a list of numbers"),
    (range(10**12), "MAX_VALUES"),
])
def test_inputs_are_checked_before_numpy_sees_them(X, match):
    _refused_within(1_000_000, lambda: _small_net().forward(X), match)
    _refused_within(1_000_000, lambda: mc.Trainer(_small_net()).run_epochs(X, [0]), match)


@pytest.mark.parametrize("y,match", [
    (["a", "b"], "y must be numeric: found 'a'"),
    ([True, False], "y must be numeric: found True"),
    (np.array([True, False]), "y must be numeric; got an array of bool"),
    ([10**400, 0], "too large for float64"),
    (_nested(10_000, 0), "y must be numeric: found list"),
])
def test_labels_are_checked_like_inputs(y, match):
    with pytest.raises(ValueError, match=match):
        _small_net().loss(np.ones((2, 2)), y)


def test_a_pass_too_large_for_memory_is_refused_before_it_starts():
    X = np.zeros((5000, 2))  # 5,000 rows through 4,097 units: 20 million values per list
    net = mc.MLP([2, 4096, 1], ["relu", "sigmoid"], seed=0)
    match = r"5,000 rows.*20,485,000 values, over MAX_VALUES = 16,777,216"
    _refused_within(1_000_000, lambda: net.forward(X), match)
    _refused_within(1_000_000, lambda: mc.Trainer(net).run_epochs(X, np.zeros(5000)), match)
    _refused_within(1_000_000, lambda: mc.Trainer(net).run_epochs(
        X[:10], np.zeros(10), X_test=X, y_test=np.zeros(5000)), "X_test has 5,000 rows")


@pytest.mark.parametrize("call,match", [
    (lambda: mc.SGD(lr=10**400), "lr must be a finite number; got an integer too large"),
    (lambda: mc.Adam(lr="0.01"), "lr must be a finite number; got '0.01'"),
    (lambda: mc.SGD(0.1, momentum=True), "momentum"),
    (lambda: mc.make_dataset("circles", n_samples=10**400), "n_samples must be in"),
    (lambda: mc.make_dataset("circles", n_samples=True), "n_samples must be an integer"),
    (lambda: mc.make_dataset("circles", noise=10**400), "noise"),
    (lambda: mc.make_dataset("circles", seed=10**400), r"seed must be in \[0, 4294967295\]"),
    (lambda: mc.MLP([2, 1], ["sigmoid"], seed=2**32), "seed"),
    (lambda: mc.MLP([2, 10**400], ["sigmoid"]), r"layer_sizes\[1\] must be in \[1, 4096\]"),
    (lambda: mc.MLP([2, 1], "sigmoid"), "activations must list one name per layer"),
    (lambda: mc.MLP([2, 1], [None]), r"activations\[0\] must be one of"),
    (lambda: mc.Trainer(_small_net(), batch_size=True), "batch_size"),
    (lambda: mc.Trainer(_small_net(), l2="0.1"), "l2"),
    (lambda: mc.Trainer(_small_net()).run_epochs(np.ones((2, 2)), [0, 1], time_budget=10**400),
     "time_budget"),
    (lambda: mc.expand_features(np.ones((3, 2)), ["x1"] * 10**6), "names must list 1 to 7"),
    (lambda: mc.expand_features(np.ones((3, 2)), "x1"), "names must list"),
    (lambda: mc.train_test_split(mc.Dataset(np.ones((4, 2)), np.zeros(3), 2)), "4 rows.*3"),
    (lambda: mc.train_test_split(mc.Dataset([["a", 1]], [0], 2)), "ds.X must be numeric"),
])
def test_scalar_and_dataset_arguments_refuse_hostile_values(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_a_pickled_network_keeps_its_weights_inside_its_parameters():
    import copy
    import pickle

    net = mc.MLP([3, 4, 2], ["elu", "softmax"], init="xavier", seed=9)
    for twin in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        np.testing.assert_array_equal(twin.params, net.params)
        assert (twin.layer_sizes, twin.activations, twin.init, twin.seed) == (
            net.layer_sizes, net.activations, net.init, net.seed)
        twin.params[:] = 0.0  # the views see it: they still live in params
        assert all((W == 0).all() for W in twin.weights)
        assert not (net.weights[0] == 0).all()
    precise = pickle.loads(pickle.dumps(net.copy(dtype=np.longdouble)))
    assert precise.params.dtype == np.longdouble and precise.weights[0].dtype == np.longdouble
