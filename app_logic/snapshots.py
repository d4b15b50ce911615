"""Decision-boundary snapshots over a run, for the time scrubber and the GIF.

A snapshot is what the Playground's ``PlaygroundState.boundary_u8()`` returns: a uint8 grid
of shape (h, w) holding round(255 * P(class 1)) for 2 classes, or (h, w, k) holding
round(255 * P(class c)) per class for k >= 3 classes. ``grid[i, j]`` is the point
(grid_x[j], grid_y[i]), as in go.Heatmap; the axes span the data's raw range.
``viz.boundary.boundary_colors`` colours one exactly as the Playground draws it.

Memory stays bounded however long a run trains: the store holds at most ``max_snapshots``;
when it is full it drops every other snapshot and from then on keeps snapshots at least
twice as many epochs apart (like mc.History).
"""

import bisect

import numpy as np

MAX_SNAPSHOTS = 200


def encode_probabilities(proba, shape):
    """A snapshot from network outputs over a grid of ``shape`` (rows, columns): ``proba``
    is (rows * columns, 1) sigmoid outputs or (rows * columns, k) softmax outputs."""
    proba = np.asarray(proba, dtype=float)
    if proba.ndim == 1:
        proba = proba[:, None]
    u8 = np.clip(proba * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return u8.reshape(shape) if proba.shape[1] == 1 else u8.reshape(*shape, proba.shape[1])


def _check_grid(grid):
    grid = np.asarray(grid)
    if grid.dtype != np.uint8:
        raise ValueError(f"a snapshot must be a uint8 array; got {grid.dtype}")
    if not (grid.ndim == 2 or (grid.ndim == 3 and grid.shape[2] >= 2)) or min(grid.shape) < 1:
        raise ValueError(f"a snapshot must have shape (h, w) or (h, w, k); got {grid.shape}")
    return grid


class SnapshotStore:
    """Snapshots keyed by epoch, increasing. ``wants(epoch)`` tells a caller whether a new
    snapshot would be kept, so it can skip computing one."""

    def __init__(self, max_snapshots=MAX_SNAPSHOTS):
        if isinstance(max_snapshots, bool) or not isinstance(max_snapshots, int) \
                or max_snapshots < 4:
            raise ValueError(f"max_snapshots must be an integer >= 4; got {max_snapshots!r}")
        self.max_snapshots = max_snapshots
        self.stride = 1  # minimum number of epochs between kept snapshots
        self.version = 0  # grows with every change, so a picture made from them can tell
        self._epochs = []
        self._grids = []

    def __len__(self):
        return len(self._epochs)

    @property
    def epochs(self):
        return list(self._epochs)

    @property
    def nbytes(self):
        return sum(g.nbytes for g in self._grids)

    @property
    def latest(self):
        """(epoch, grid) of the newest snapshot, or None."""
        return (self._epochs[-1], self._grids[-1]) if self._epochs else None

    def clear(self):
        self.stride = 1
        self.version += 1
        self._epochs, self._grids = [], []

    def wants(self, epoch):
        return not self._epochs or epoch == self._epochs[-1] \
            or epoch - self._epochs[-1] >= self.stride

    def add(self, epoch, grid, force=False):
        """Keep a copy of ``grid`` for ``epoch`` if ``wants(epoch)`` (or ``force``, e.g. for
        the last epoch of a run). A snapshot for the newest epoch replaces it. Returns
        whether it was kept. Epochs must not go backwards (clear() on a reset)."""
        if isinstance(epoch, bool) or not isinstance(epoch, (int, np.integer)) or epoch < 0:
            raise ValueError(f"epoch must be an integer >= 0; got {epoch!r}")
        grid = _check_grid(grid)
        if self._grids and grid.shape != self._grids[0].shape:
            raise ValueError(f"snapshot shape {grid.shape} differs from the store's "
                             f"{self._grids[0].shape}; clear() the store first")
        if self._epochs and epoch < self._epochs[-1]:
            raise ValueError(f"epoch {epoch} is before the latest snapshot's "
                             f"({self._epochs[-1]}); clear() the store first")
        if not (force or self.wants(epoch)):
            return False
        self.version += 1
        if self._epochs and epoch == self._epochs[-1]:
            self._grids[-1] = grid.copy()
            return True
        self._epochs.append(int(epoch))
        self._grids.append(grid.copy())
        if len(self._epochs) > self.max_snapshots:
            self._thin()
        return True

    def _thin(self):
        # Keep the first, every other one after it, and always the newest.
        keep = list(range(0, len(self._epochs) - 1, 2)) + [len(self._epochs) - 1]
        self._epochs = [self._epochs[i] for i in keep]
        self._grids = [self._grids[i] for i in keep]
        self.stride *= 2

    def at(self, epoch):
        """(epoch, grid) of the latest snapshot at or before ``epoch``; the earliest one if
        ``epoch`` precedes them all; None if the store is empty."""
        if not self._epochs:
            return None
        i = max(bisect.bisect_right(self._epochs, epoch) - 1, 0)
        return self._epochs[i], self._grids[i]

    def items(self):
        """[(epoch, grid), ...] oldest first."""
        return list(zip(self._epochs, self._grids))
