"""2-D toy datasets, a train/test split and feature expansion.

Every dataset lies roughly in [-1.5, 1.5]^2; ``noise`` is the standard deviation of the
Gaussian jitter added to each point, in those units. The same seed gives the same points.

Classification (``DATASETS``, also named ``CLASSIFICATION_DATASETS``): y holds int64 class
labels. Regression (``REGRESSION_DATASETS``): y holds float64 targets in about [-1, 1] and
``n_classes`` is 0; as in TensorFlow Playground the points stay where they are drawn and the
noise jitters the position the target is read at. ``Dataset.task`` tells the two apart.
``DATASETS`` keeps meaning the classification sets, so code that offers them as classes to
learn goes on working; ``make_dataset`` accepts the names of both.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as check

MAX_SAMPLES = 100_000


@dataclass
class Dataset:
    X: np.ndarray  # (n_samples, 2) float64
    y: np.ndarray  # (n_samples,) int64 class labels 0 .. n_classes - 1, or float64 targets
    n_classes: int  # 0 for regression
    name: str = ""

    def __len__(self):
        return len(self.y)

    @property
    def task(self):
        """"regression" (n_classes == 0: float targets) or "classification"."""
        return "regression" if self.n_classes == 0 else "classification"


def _class_sizes(n, k):
    return [n // k + (c < n % k) for c in range(k)]


def _arcs(n, noise, rng, outer, inner):
    """Two arcs of evenly spaced points (class 0 on ``outer``, class 1 on ``inner``: each a
    function of the angles), jittered by Gaussian noise; scikit-learn's recipe for its
    circles and moons, in NumPy (importing scikit-learn takes longer than a page load)."""
    n_out = n // 2
    X = np.concatenate([outer(n_out), inner(n - n_out)])
    y = np.repeat([0, 1], [n_out, n - n_out])
    return X + rng.normal(0.0, noise, X.shape), y


def _ring(radius, full=True):
    def points(m):
        t = np.linspace(0.0, 2 * np.pi if full else np.pi, m, endpoint=not full)
        return radius * np.column_stack([np.cos(t), np.sin(t)])
    return points


def _circles(n, noise, rng):
    return _arcs(n, noise, rng, _ring(1.0), _ring(0.5))


def _moons(n, noise, rng):
    upper = _ring(1.0, full=False)

    def lower(m):
        return np.array([1.0, 0.5]) - upper(m)

    X, y = _arcs(n, noise, rng, upper, lower)
    return (X - [0.5, 0.25]) / 1.2, y  # centre the moons on the origin


def _xor(n, noise, rng):
    X = rng.uniform(-1.0, 1.0, (n, 2))
    # Keep points off the axes so the classes are separable before noise.
    X += np.sign(X) * 0.05
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X + rng.normal(0.0, noise, X.shape), y


def _blobs(n, noise, rng, centres, spread):
    sizes = _class_sizes(n, len(centres))
    X = np.concatenate([rng.normal(c, spread + noise, (m, 2)) for c, m in zip(centres, sizes)])
    y = np.repeat(np.arange(len(centres)), sizes)
    return X, y


def _spiral(n, noise, rng, arms):
    sizes = _class_sizes(n, arms)
    parts = []
    for c, m in enumerate(sizes):
        t = np.linspace(0.05, 1.0, m)
        theta = 1.75 * 2 * np.pi * t + 2 * np.pi * c / arms
        parts.append(np.column_stack([t * np.sin(theta), t * np.cos(theta)]) * 1.2)
    X = np.concatenate(parts)
    return X + rng.normal(0.0, noise, X.shape), np.repeat(np.arange(arms), sizes)


def _plane(X):
    return (X[:, 0] + X[:, 1]) / 2.4  # a tilted plane: -1 and 1 at two corners


# (x, y, sign) of six bumps of width GAUSSIAN_WIDTH, alternating in sign on a 3 x 2 grid
GAUSSIAN_BUMPS = np.array([(-0.8, 0.5, 1.0), (0.0, 0.5, -1.0), (0.8, 0.5, 1.0),
                           (-0.8, -0.5, -1.0), (0.0, -0.5, 1.0), (0.8, -0.5, -1.0)])
GAUSSIAN_WIDTH = 0.3


def _gaussian_sum(X):
    d2 = (X[:, :1] - GAUSSIAN_BUMPS[:, 0]) ** 2 + (X[:, 1:] - GAUSSIAN_BUMPS[:, 1]) ** 2
    return (GAUSSIAN_BUMPS[:, 2] * np.exp(-d2 / (2 * GAUSSIAN_WIDTH**2))).sum(axis=1)


def _regression(n, noise, rng, f):
    X = rng.uniform(-1.2, 1.2, (n, 2))
    return X, f(X + rng.normal(0.0, noise, X.shape))


_GENERATORS = {
    "circles": (2, _circles),
    "moons": (2, _moons),
    "xor": (2, _xor),
    "gaussians": (2, lambda n, s, r: _blobs(n, s, r, [(-0.7, -0.7), (0.7, 0.7)], 0.35)),
    "spiral": (2, lambda n, s, r: _spiral(n, s, r, 2)),
    "blobs3": (3, lambda n, s, r: _blobs(n, s, r, [(0.0, 0.9), (-0.8, -0.5), (0.8, -0.5)], 0.3)),
    "spiral3": (3, lambda n, s, r: _spiral(n, s, r, 3)),
}
DATASETS = CLASSIFICATION_DATASETS = tuple(_GENERATORS)
_REGRESSIONS = {
    "plane": lambda n, s, r: _regression(n, s, r, _plane),
    "gaussian_sum": lambda n, s, r: _regression(n, s, r, _gaussian_sum),
}
REGRESSION_DATASETS = tuple(_REGRESSIONS)
_GENERATORS.update({name: (0, generate) for name, generate in _REGRESSIONS.items()})


def make_dataset(name: str, n_samples: int = 200, noise: float = 0.1, seed: int = 0,
                 legacy: bool = False) -> "Dataset":
    """Points of one of ``DATASETS`` or ``REGRESSION_DATASETS``, shuffled so the classes are
    interleaved.

    ``legacy=True`` (circles only) draws them as the tutorial does: scikit-learn's
    make_circles(n_samples, factor=0.5, noise) on np.random.RandomState(seed), the stream
    np.random.seed(seed) sets up for NumPy's global functions, without touching that global
    state; the points come in make_circles' own order."""
    check.choice("name", name, DATASETS + REGRESSION_DATASETS)
    n_classes, generate = _GENERATORS[name]
    n_samples = check.integer("n_samples", n_samples, max(n_classes, 1) * 2, MAX_SAMPLES)
    noise = check.number("noise", noise, 0.0, 10.0)
    seed = check.seed("seed", seed)
    if legacy is not False:
        if legacy is not True or name != "circles":
            raise ValueError(f"legacy=True is only for 'circles' (the tutorial's data); got "
                             f"legacy={check.show(legacy)} for {name!r}")
        from sklearn.datasets import make_circles

        X, y = make_circles(n_samples, factor=0.5, noise=noise,
                            random_state=np.random.RandomState(seed))
        return Dataset(np.asarray(X, float), np.asarray(y, np.int64), n_classes, name)
    rng = np.random.default_rng(seed)
    X, y = generate(n_samples, noise, rng)
    order = rng.permutation(n_samples)
    y = np.asarray(y, np.int64 if n_classes else float)
    return Dataset(np.asarray(X, float)[order], y[order], n_classes, name)


def train_test_split(ds: "Dataset", test_fraction: float = 0.5,
                     seed: int = 0) -> tuple["Dataset", "Dataset"]:
    """Two Datasets; the test part holds round(test_fraction * n) points (at least one each)."""
    if not isinstance(ds, Dataset):
        raise ValueError(f"ds must be a Dataset; got {type(ds).__name__}")
    X = check.features("ds.X", ds.X)
    y = ds.y if isinstance(ds.y, np.ndarray) else check.array("ds.y", ds.y, (1, 2))
    if len(y) != len(X):
        raise ValueError(f"ds.X has {len(X)} rows but ds.y has {len(y)}")
    test_fraction = check.number("test_fraction", test_fraction, 0.0, 1.0, low_open=True)
    if test_fraction >= 1.0 or len(ds) < 2:
        raise ValueError(f"test_fraction must be < 1 and the data hold >= 2 points; "
                         f"got {test_fraction!r} with {len(ds)} points")
    seed = check.seed("seed", seed)
    order = np.random.default_rng(seed).permutation(len(ds))
    n_test = min(max(int(round(test_fraction * len(ds))), 1), len(ds) - 1)
    test, train = order[:n_test], order[n_test:]
    return (Dataset(X[train], y[train], ds.n_classes, ds.name),
            Dataset(X[test], y[test], ds.n_classes, ds.name))


FEATURES = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]),
    "sin(x2)": lambda X: np.sin(X[:, 1]),
}


def expand_features(X: ArrayLike, names: Sequence[str]) -> np.ndarray:
    """Columns computed from the two raw inputs, in the order of ``names``."""
    X = check.features("X", X, 2)
    if not isinstance(names, (list, tuple)) or not 1 <= len(names) <= len(FEATURES):
        got = f"{len(names)} names" if isinstance(names, (list, tuple)) else check.show(names)
        raise ValueError(f"names must list 1 to {len(FEATURES)} of the features "
                         f"{', '.join(FEATURES)}; got {got}")
    for i, name in enumerate(names):
        check.choice(f"names[{i}]", name, tuple(FEATURES))
    if len(set(names)) != len(names):
        raise ValueError(f"names must not repeat a feature; got {list(names)!r}")
    check.work("X", len(X), len(names))
    return np.column_stack([FEATURES[name](X) for name in names])
