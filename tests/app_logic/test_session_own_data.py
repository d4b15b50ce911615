"""app_logic.session with the user's own points and the scrubber's snapshots."""

import numpy as np
import pytest

import mlp_core as mc
from app_logic import session as pgs
from app_logic import settings
from app_logic.own_data import OwnData


def own(source="draw", n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2)) * [3.0, 0.5] + [10.0, -2.0]
    y = (X[:, 0] > 10).astype(np.int64)
    return OwnData(source, mc.Dataset(X, y, 2, source), ["no", "yes"], ("a", "b"), "f.csv")


def test_own_points_are_split_standardised_and_kept_in_their_units():
    points = own("upload")
    state = pgs.build_state(settings.default_config() | {"dataset": "upload"}, points)
    raw = np.concatenate([state.train.X, state.test.X])
    assert sorted(map(tuple, raw)) == sorted(map(tuple, points.data.X))
    np.testing.assert_allclose(state.X_train.mean(axis=0), 0, atol=1e-12)
    assert state.class_names == ["no", "yes"] and state.axis_names == ("a", "b")
    assert state.grid_x[0] < raw[:, 0].min() and state.grid_x[-1] > raw[:, 0].max()
    with pytest.raises(ValueError, match="needs its points"):
        pgs.build_state(settings.default_config() | {"dataset": "draw"}, points)  # wrong source


def test_new_points_are_a_data_change_and_the_same_points_are_not():
    first = own()
    config = settings.default_config() | {"dataset": "draw"}
    state = pgs.build_state(config, first)
    assert pgs.state_change_kind(state, dict(config), first) is None
    assert pgs.state_change_kind(state, dict(config), own(seed=1)) == "data"
    fresh, kind = pgs.apply_config(state, dict(config), own(seed=1))
    assert kind == "data" and fresh is not state


def test_a_link_to_own_data_falls_back_unless_the_session_has_the_points():
    state = pgs.state_from_link({"dataset": "upload"}, lambda source: None)
    assert state.config["dataset"] == "circles"
    assert any("dataset=upload" in n for n in state.notices)
    points = own("upload")
    state = pgs.state_from_link({"dataset": "upload"}, {"upload": points}.get)
    assert state.config["dataset"] == "upload" and state.own is points and not state.notices


def test_snapshots_are_dense_early_sparse_later_and_do_not_change_training():
    state = pgs.build_state(settings.default_config())
    state.train_for(300)
    epochs = state.snapshots.epochs
    assert epochs[:11] == list(range(11)) and epochs[-1] == 300
    gaps = np.diff(epochs)
    assert (gaps[:-1] >= np.ceil(pgs.SNAPSHOT_GROWTH * np.array(epochs[:-2]))).all()
    assert len(epochs) < 60
    plain = pgs.build_state(settings.default_config())
    plain.trainer.run_epochs(plain.X_train, plain.train.y, 300, plain.X_test, plain.test.y)
    np.testing.assert_array_equal(state.net.params, plain.net.params)
    _, grid = state.snapshots.at(300)
    np.testing.assert_array_equal(grid, state.boundary_u8())


def test_changing_training_settings_mid_run_is_remembered_until_reset():
    state = pgs.build_state(settings.default_config())
    state, _ = pgs.apply_config(state, state.config | {"lr": 0.1})
    assert not state.changed_mid_run  # before any training: the run starts with it
    state.train_for(2)
    state, _ = pgs.apply_config(state, state.config | {"lr": 0.01})
    assert state.changed_mid_run
    state.rebuild_network()
    assert not state.changed_mid_run and state.snapshots.epochs == [0]


@pytest.mark.parametrize("n, chosen, n_test", [(20, 0.5, 4), (20, 0.1, 2), (49, 0.5, 10),
                                                (50, 0.5, 25), (400, 0.3, 120)])
def test_a_handful_of_own_points_mostly_trains(n, chosen, n_test):
    config = settings.default_config() | {"dataset": "draw", "test_fraction": chosen}
    state = pgs.build_state(config, own(n=n))
    assert (len(state.train), len(state.test)) == (n - n_test, n_test)
