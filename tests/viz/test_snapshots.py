"""Boundary snapshots: bounded memory over long runs, lookup for the scrubber, and the same
format and colours as the Playground."""

import numpy as np
import pytest

from viz import figures
from viz import snapshots as sn
from viz import state as pgs


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
    state = pgs.build_state({**pgs.default_config(), **config})
    state.train_for(5)
    snap = sn.boundary_snapshot(state.net, state.feature_names, state.mean, state.std,
                                state.grid_x, state.grid_y)
    np.testing.assert_array_equal(snap, state.boundary_u8())
    np.testing.assert_array_equal(sn.snapshot_rgb(snap), figures.boundary_colors(snap))
    assert sn.snapshot_rgb(snap).shape == (len(state.grid_y), len(state.grid_x), 3)


def test_encode_probabilities_rounds_to_255_steps():
    p = np.array([[0.0], [0.5], [1.0], [0.2]])
    assert sn.encode_probabilities(p, (2, 2)).tolist() == [[0, 128], [255, 51]]


def test_class_colours_are_the_playgrounds():
    rgb = sn.class_colors_rgb()
    assert [f"#{r:02x}{g:02x}{b:02x}" for r, g, b in rgb] == list(figures.CLASS_COLORS)
