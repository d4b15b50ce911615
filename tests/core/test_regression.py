"""Regression: two 2-D datasets with float targets, MSE with a linear output, no accuracy."""

import math

import numpy as np
import pytest

import mlp_core as mc


def test_the_two_regression_datasets_are_named_apart_from_the_classification_ones():
    assert mc.REGRESSION_DATASETS == ("plane", "gaussian_sum")
    assert mc.DATASETS == mc.CLASSIFICATION_DATASETS
    assert not set(mc.DATASETS) & set(mc.REGRESSION_DATASETS)
    assert mc.make_dataset("moons").task == "classification"


@pytest.mark.parametrize("name", mc.REGRESSION_DATASETS)
def test_regression_datasets_hold_float_targets_in_about_minus_one_to_one(name):
    ds = mc.make_dataset(name, n_samples=500, noise=0.0, seed=3)
    assert ds.task == "regression" and ds.n_classes == 0 and ds.name == name
    assert ds.X.shape == (500, 2) and ds.y.shape == (500,) and ds.y.dtype == np.float64
    assert np.abs(ds.X).max() <= 1.2 and np.abs(ds.y).max() <= 1.05
    assert ds.y.min() < -0.8 and ds.y.max() > 0.8  # the range is used
    np.testing.assert_array_equal(ds.X, mc.make_dataset(name, 500, 0.0, seed=3).X)
    assert not np.array_equal(ds.X, mc.make_dataset(name, 500, 0.0, seed=4).X)
    # Noise moves where a target is read, not the points.
    noisy = mc.make_dataset(name, n_samples=500, noise=0.2, seed=3)
    np.testing.assert_array_equal(noisy.X, ds.X)
    assert 0.01 < np.abs(noisy.y - ds.y).mean() < 0.5
    train, test = mc.train_test_split(ds, test_fraction=0.2, seed=0)
    assert len(train) == 400 and len(test) == 100
    assert train.y.dtype == np.float64 and train.task == test.task == "regression"


def test_the_plane_and_the_bumps_are_the_functions_they_claim():
    plane = mc.make_dataset("plane", 200, noise=0.0, seed=0)
    np.testing.assert_allclose(plane.y, (plane.X[:, 0] + plane.X[:, 1]) / 2.4, rtol=1e-15)
    from mlp_core.datasets import GAUSSIAN_BUMPS, _gaussian_sum

    peaks = _gaussian_sum(GAUSSIAN_BUMPS[:, :2])
    np.testing.assert_allclose(peaks, GAUSSIAN_BUMPS[:, 2], atol=0.07)  # ±1 less the overlaps
    assert abs(_gaussian_sum(np.array([[0.0, 1.5]]))[0]) < 0.01  # flat far from every bump


def test_mse_with_a_linear_output_has_exact_gradients_on_float_targets():
    ds = mc.make_dataset("gaussian_sum", 12, 0.1, seed=0)
    net = mc.MLP([2, 8, 8, 1], ["tanh", "tanh", "linear"], init="xavier", seed=1)
    for b in net.biases:
        b[:] = 0.1
    assert max(mc.gradient_check(net, ds.X, ds.y, loss="mse")) < 1e-6
    assert max(mc.gradient_check(net, ds.X, ds.y, loss="mse", l2=0.01)) < 1e-6


@pytest.mark.parametrize("name,noise,lr,epochs,target", [
    ("plane", 0.1, 0.01, 200, 0.006),  # the noise alone leaves an MSE of about 0.003
    ("gaussian_sum", 0.0, 0.02, 300, 0.005),  # 0.2 is the variance of the targets
])
def test_a_small_tanh_network_fits_both_regressions(name, noise, lr, epochs, target):
    ds = mc.make_dataset(name, 500, noise, seed=0)
    train, test = mc.train_test_split(ds, test_fraction=0.3, seed=0)
    net = mc.MLP([2, 8, 8, 1], ["tanh", "tanh", "linear"], init="xavier", seed=0)
    trainer = mc.Trainer(net, "mse", mc.Adam(lr), batch_size=32, seed=0)
    trainer.run_epochs(train.X, train.y, epochs, X_test=test.X, y_test=test.y)
    last = trainer.history.last
    assert last["test_loss"] < target, last["test_loss"]
    assert np.mean((net.predict_proba(test.X)[:, 0] - test.y) ** 2) == pytest.approx(
        last["test_loss"], rel=1e-12)
    # Accuracy means nothing for float targets: NaN, in every record.
    assert math.isnan(last["train_acc"]) and math.isnan(last["test_acc"])
    assert np.isnan(trainer.history.column("train_acc")).all()


def test_integer_labels_under_mse_keep_their_accuracy():
    ds = mc.make_dataset("moons", 100, 0.1, seed=0)
    for y, has_accuracy in ((ds.y, True), (ds.y.astype(float), False)):
        net = mc.MLP([2, 4, 1], ["tanh", "sigmoid"], seed=0)
        trainer = mc.Trainer(net, "mse", mc.SGD(0.5), batch_size=100, seed=0)
        trainer.run_epochs(ds.X, y, 2)
        assert math.isnan(trainer.history.last["train_acc"]) != has_accuracy
    _, labels = mc.targets(ds.y.astype(float), "mse", 1)
    assert labels is None
    _, labels = mc.targets(ds.y.astype(float), "bce", 1)  # a classification loss: labels
    np.testing.assert_array_equal(labels, ds.y)
