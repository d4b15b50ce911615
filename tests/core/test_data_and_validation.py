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
    (lambda d: d["weights"][0][0].__setitem__(0, "x"), "not numeric"),
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
