"""Boundary snapshots: bounded memory over long runs, lookup for the scrubber, and the same
format and colours as the Playground."""

import numpy as np
import pytest

import mlp_core as mc
from app_logic import session as pgs
from app_logic import settings
from app_logic import snapshots as sn
from viz import boundary as vb
from viz import style


def test_twenty_thousand_epochs_stay_bounded():
    store = sn.SnapshotStore()
    grid = np.zeros((100, 100, 3), np.uint8)
    kept = 0
    for epoch in range(20_001):
        grid[0, 0, 0] = epoch % 256  # each snapshot distinguishable
        kept += store.add(epoch, grid)
        assert len(store) <= sn.MAX_SNAPSHOTS
    assert store.nbytes <= sn.MAX_SNAPSHOTS * grid.nbytes
    assert kept < 20_001  # most were skipped without copying
    epochs = store.epochs
    assert epochs[0] == 0 and epochs == sorted(set(epochs))
    assert len(store) >= sn.MAX_SNAPSHOTS // 2
    # evenly thinned: no gap is much larger than the current stride
    assert max(np.diff(epochs)) <= 2 * store.stride
    assert epochs[-1] > 20_000 - 2 * store.stride
    assert store.add(20_000, grid, force=True) and store.latest[0] == 20_000
    # each kept snapshot is a copy holding what it held at its epoch
    for epoch, g in store.items():
        assert g[0, 0, 0] == epoch % 256


def test_lookup_at_or_before():
    store = sn.SnapshotStore()
    for epoch in (0, 5, 10, 40):
        store.add(epoch, np.full((4, 4), epoch, np.uint8))
    assert store.at(7)[0] == 5 and store.at(7)[1][0, 0] == 5
    assert store.at(10)[0] == 10
    assert store.at(1000)[0] == 40
    assert store.at(-3)[0] == 0  # before the first: the first
    assert sn.SnapshotStore().at(3) is None


def test_stride_skips_and_force_keeps():
    store = sn.SnapshotStore(max_snapshots=4)
    g = np.zeros((2, 2), np.uint8)
    for epoch in range(5):
        store.add(epoch, g)
    assert store.stride == 2 and len(store) <= 4
    assert not store.wants(store.latest[0] + 1)
    assert not store.add(store.latest[0] + 1, g)
    assert store.add(store.latest[0] + 1, g, force=True)


def test_same_epoch_replaces():
    store = sn.SnapshotStore()
    store.add(3, np.zeros((2, 2), np.uint8))
    store.add(3, np.ones((2, 2), np.uint8))
    assert len(store) == 1 and store.at(3)[1].max() == 1


@pytest.mark.parametrize("epoch,grid,fragment", [
    (2, np.zeros((3, 3), np.uint8), "before the latest"),
    (9, np.zeros((3, 4), np.uint8), "differs"),
    (9, np.zeros((3, 3)), "uint8"),
    (9, np.zeros((3, 3, 1), np.uint8), "shape"),
    (-1, np.zeros((3, 3), np.uint8), "epoch"),
    (True, np.zeros((3, 3), np.uint8), "epoch"),
])
def test_invalid_snapshots_are_refused(epoch, grid, fragment):
    store = sn.SnapshotStore()
    store.add(5, np.zeros((3, 3), np.uint8))
    with pytest.raises(ValueError, match=fragment):
        store.add(epoch, grid)
    assert store.epochs == [5]


def test_clear_starts_over():
    store = sn.SnapshotStore(max_snapshots=4)
    for epoch in range(10):
        store.add(epoch, np.zeros((2, 2), np.uint8))
    store.clear()
    assert len(store) == 0 and store.stride == 1 and store.nbytes == 0
    assert store.add(0, np.zeros((5, 5), np.uint8))


@pytest.mark.parametrize("config", [
    {"n_samples": 100},
    {"n_samples": 120, "dataset": "blobs3", "hidden": [5]},
])
def test_snapshot_matches_the_playground(config):
    state = pgs.build_state({**settings.default_config(), **config})
    state.train_for(5)
    cells = pgs.grid_points(state.grid_x, state.grid_y)
    proba = state.net.predict_proba(mc.expand_features((cells - state.mean) / state.std,
                                                       state.feature_names))
    snap = sn.encode_probabilities(proba, (len(state.grid_y), len(state.grid_x)))
    np.testing.assert_array_equal(snap, state.boundary_u8())
    assert vb.boundary_colors(snap).shape == (len(state.grid_y), len(state.grid_x), 3)


def test_encode_probabilities_rounds_to_255_steps():
    p = np.array([[0.0], [0.5], [1.0], [0.2]])
    assert sn.encode_probabilities(p, (2, 2)).tolist() == [[0, 128], [255, 51]]


def test_class_colours_are_the_playgrounds():
    rgb = style.class_colors_rgb()
    assert [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb] == list(style.CLASS_COLORS)


def test_version_grows_with_every_change_so_pictures_of_old_snapshots_are_not_reused():
    store = sn.SnapshotStore()
    versions = [store.version]
    for epoch, value in ((0, 0), (0, 9), (1, 5)):  # add, replace the newest, add
        assert store.add(epoch, np.full((3, 3), value, np.uint8))
        versions.append(store.version)
    store.clear()
    versions.append(store.version)
    assert len(set(versions)) == len(versions)
