"""The Playground's state: the configuration (validated, to and from the URL), the data,
network and trainer built from it, and the presets. No streamlit in here, so every piece can
be tested directly; the page keeps one ``PlaygroundState`` in ``st.session_state``.
"""

import copy
import math
import time
from dataclasses import dataclass, field

import numpy as np

import mlp_core as mc

from .snapshots import SnapshotStore

SESSION_KEY = "playground"
OWN_DATA_KEY = "pg_own_data"  # session_state: {"draw" | "upload": OwnData}, points of this session
OWN_DATASETS = ("draw", "upload")
DATASET_CHOICES = (*mc.DATASETS, *OWN_DATASETS)
OPTIMIZER_CHOICES = ("sgd", "momentum", "adam")
REGULARIZATIONS = ("none", "l1", "l2")
FEATURE_CHOICES = tuple(mc.FEATURES)
ACTIVATION_CHOICES = tuple(mc.HIDDEN_ACTIVATIONS)
MAX_LAYERS, MAX_NEURONS = 6, 16
SAMPLES_RANGE = (20, 2000)
NOISE_RANGE = (0.0, 1.0)
TEST_FRACTION_RANGE = (0.1, 0.9)
SEED_RANGE = (0, 999_999)
LR_RANGE = (1e-5, 10.0)
REG_RATE_RANGE = (0.0, 1.0)
BATCH_RANGE = (1, SAMPLES_RANGE[1])
BUDGET_RANGE = (0, 10_000_000)
MOMENTUM = 0.9
GRID_SIZE = 100  # boundary cells per side
MAP_STRIDE = 4  # neuron maps use every 4th grid cell (25 x 25)
# Scrubber snapshots are kept at least this fraction of the run apart (and at least the
# store's stride): every epoch at first, then ever sparser, so the epochs where a boundary
# forms are all there and a long run adds only a few (about 80 by epoch 10,000).
SNAPSHOT_GROWTH = 0.1

DEFAULTS = {
    "dataset": "circles", "n_samples": 400, "noise": 0.1, "test_fraction": 0.5, "seed": 0,
    "features": ["x1", "x2"], "hidden": [4, 4], "activation": "tanh", "init": "xavier",
    "optimizer": "adam", "lr": 0.03, "batch_size": 16, "regularization": "none",
    "reg_rate": 0.001, "epoch_budget": 0,
}
DATA_KEYS = ("dataset", "n_samples", "noise", "test_fraction", "seed")
NETWORK_KEYS = ("features", "hidden", "activation", "init")
TRAINING_KEYS = ("optimizer", "lr", "batch_size", "regularization", "reg_rate")


def _log_values(low_exp, high_exp, mantissas=(1, 2, 3, 5)):
    return [round(m * 10.0 ** e, 12) for e in range(low_exp, high_exp + 1) for m in mantissas
            if m * 10.0 ** e <= 10.0 ** high_exp]


LR_VALUES = _log_values(-5, 1)  # 1e-5, 2e-5, 3e-5, 5e-5, ..., 5, 10
REG_RATE_VALUES = [0.0] + _log_values(-5, 0, (1, 3))  # 0, 1e-5, 3e-5, ..., 0.3, 1


def default_config():
    return copy.deepcopy(DEFAULTS)


def with_value(values, value):
    """``values`` with ``value`` added in order (so a link's in-range lr is kept exactly)."""
    return values if value in values else sorted([*values, value])


# ---- validation ------------------------------------------------------------------------------
def _choice(value, options):
    if value not in options:
        raise ValueError
    return value


def _int(value, low, high):
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, str):
        value = value.strip()
        if not value.lstrip("-").isdigit():
            raise ValueError
    if isinstance(value, float) and not value.is_integer():
        raise ValueError
    value = int(value)
    if not low <= value <= high:
        raise ValueError
    return value


def _float(value, low, high, low_open=False):
    if isinstance(value, bool):
        raise ValueError
    value = float(value)
    if not math.isfinite(value) or value > high or value < low or (low_open and value == low):
        raise ValueError
    return value


def _features(value):
    names = value.split(",") if isinstance(value, str) else list(value)
    names = [n.strip() for n in names]
    if not names or any(n not in FEATURE_CHOICES for n in names) or len(set(names)) != len(names):
        raise ValueError
    return [n for n in FEATURE_CHOICES if n in names]  # one canonical order


def _hidden(value):
    if isinstance(value, str):
        value = value.strip()
        parts = [] if value in ("", "0") else value.split(",")
    else:
        parts = list(value)
    if len(parts) > MAX_LAYERS:
        raise ValueError
    return [_int(p, 1, MAX_NEURONS) for p in parts]


VALIDATORS = {
    "dataset": lambda v: _choice(v, DATASET_CHOICES),
    "n_samples": lambda v: _int(v, *SAMPLES_RANGE),
    "noise": lambda v: _float(v, *NOISE_RANGE),
    "test_fraction": lambda v: _float(v, *TEST_FRACTION_RANGE),
    "seed": lambda v: _int(v, *SEED_RANGE),
    "features": _features,
    "hidden": _hidden,
    "activation": lambda v: _choice(v, ACTIVATION_CHOICES),
    "init": lambda v: _choice(v, mc.INITS),
    "optimizer": lambda v: _choice(v, OPTIMIZER_CHOICES),
    "lr": lambda v: _float(v, *LR_RANGE),
    "batch_size": lambda v: _int(v, *BATCH_RANGE),
    "regularization": lambda v: _choice(v, REGULARIZATIONS),
    "reg_rate": lambda v: _float(v, *REG_RATE_RANGE),
    "epoch_budget": lambda v: _int(v, *BUDGET_RANGE),
}


def validate_config(raw):
    """(config, problems): every known key of ``raw`` checked; a missing key takes its default
    silently, a bad or unknown one is dropped and named in ``problems`` (plain sentences)."""
    config = default_config()
    problems = []
    for key, value in raw.items():
        if key not in VALIDATORS:
            problems.append(f"unknown setting “{key}”")
            continue
        try:
            config[key] = VALIDATORS[key](value)
        except (TypeError, ValueError, OverflowError):
            problems.append(f"{key}={_shorten(value)} (kept the default, "
                            f"{_shorten(encode_value(key, DEFAULTS[key]))})")
    return config, problems


def _shorten(value, limit=40):
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


# ---- URL -------------------------------------------------------------------------------------
IGNORED_PARAMS = ("embed", "embed_options")  # Streamlit's own


def encode_value(key, value):
    if key == "features":
        return ",".join(value)
    if key == "hidden":
        return ",".join(str(n) for n in value) or "0"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def config_to_query(config):
    """The whole configuration as URL parameters (str -> str); no hidden layers is "0"."""
    return {key: encode_value(key, config[key]) for key in DEFAULTS}


def config_from_query(params):
    """(config, problems) from URL parameters (a mapping of str to str or list of str)."""
    raw = {}
    problems = []
    for key, value in dict(params).items():
        if key in IGNORED_PARAMS:
            continue
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                problems.append(f"{key} given {len(value)} times")
                continue
            value = value[0]
        raw[key] = value
    config, more = validate_config(raw)
    return config, problems + more


# ---- presets ---------------------------------------------------------------------------------
def _preset(explanation, **changes):
    config = default_config()
    config.update(changes)
    return {"config": config, "explanation": explanation}


PRESETS = {
    "Linear model fails on circles": _preset(
        "With no hidden layer the network draws one straight line, and no line separates a "
        "ring from the disc inside it: accuracy stays near 50%.",
        hidden=[], lr=0.03),
    "Add x1² and x2² and a linear model succeeds": _preset(
        "The same linear model, given the squared inputs, can draw a circle: x1² + x2² is "
        "small inside and large outside. Choosing features can replace depth.",
        hidden=[], features=["x1", "x2", "x1^2", "x2^2"]),
    "Spiral needs depth": _preset(
        "Two interleaved spirals need many bends in the boundary; several layers of neurons "
        "combine simple pieces into that shape. Try removing layers and watch it fail.",
        dataset="spiral", n_samples=600, noise=0.05, hidden=[16, 16, 16], lr=0.01,
        batch_size=16),
    "Too large a learning rate diverges": _preset(
        "Each step overshoots the minimum by more than it gains, so the loss grows until it "
        "is no longer a number. Training stops and keeps the last good network.",
        optimizer="sgd", activation="leaky_relu", init="he", hidden=[8, 8], lr=10.0,
        batch_size=16),
    "The tutorial's experiment": _preset(
        "The worked example this app grew from: a 2-4-3-1 ReLU network with a sigmoid "
        "output, N(0, 0.1) initial weights, plain gradient descent at lr 0.005 on all "
        "training points at once, for 150 epochs. So small a step barely moves in 150 "
        "epochs: try a larger learning rate or Adam.",
        n_samples=1000, noise=0.1, hidden=[4, 3], activation="relu", init="normal",
        optimizer="sgd", lr=0.005, batch_size=500, epoch_budget=150),
    "Three classes: blobs": _preset(
        "Three classes use three softmax outputs; the background blends the class colours "
        "by their predicted probabilities.",
        dataset="blobs3", noise=0.1, hidden=[6], lr=0.03),
    "Overfitting: few noisy points, big network": _preset(
        "60 noisy points and a large network: the training loss keeps falling while the "
        "test loss turns upward. Add L2 regularization to pull them together.",
        dataset="moons", n_samples=60, noise=0.35, hidden=[16, 16, 16], activation="relu",
        init="he", lr=0.01, batch_size=8),
}


# ---- the user's own points -------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class OwnData:
    """Points a user drew or uploaded, in their own units. They live in the session (a link
    cannot hold them); a new OwnData object means new points, so identity tells them apart."""

    source: str  # "draw" or "upload"
    data: mc.Dataset  # every point, before the train/test split
    class_names: list  # class_names[k] is what the user calls class k
    axis_names: tuple = ("x1", "x2")  # what the two coordinates are (an upload's columns)
    description: str = ""  # e.g. the file's name

    def __post_init__(self):
        if self.source not in OWN_DATASETS:
            raise ValueError(f"source must be one of {OWN_DATASETS}; got {self.source!r}")
        if len(self.class_names) != self.data.n_classes:
            raise ValueError("one class name per class is needed")


def own_data(session_state, source):
    """The session's OwnData for ``source`` ("draw" or "upload"), or None."""
    found = (session_state.get(OWN_DATA_KEY) or {}).get(source)
    return found if isinstance(found, OwnData) else None


def set_own_data(session_state, own):
    """Keep ``own`` as the session's points for ``own.source``."""
    stored = dict(session_state.get(OWN_DATA_KEY) or {})
    stored[own.source] = own
    session_state[OWN_DATA_KEY] = stored


# ---- building --------------------------------------------------------------------------------
def build_data(config, own=None):
    """(train, test) Datasets of raw points for ``config``; the "draw" and "upload" datasets
    split ``own`` (an OwnData of that source)."""
    if config["dataset"] in OWN_DATASETS:
        if own is None or own.source != config["dataset"]:
            raise ValueError(f"the {config['dataset']} dataset needs its points")
        return mc.train_test_split(own.data, config["test_fraction"], config["seed"])
    ds = mc.make_dataset(config["dataset"], config["n_samples"], config["noise"], config["seed"])
    return mc.train_test_split(ds, config["test_fraction"], config["seed"])


def standardisation(X_train):
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


def loss_for(n_classes):
    return "bce" if n_classes == 2 else "cross_entropy"


def build_network(config, n_inputs, n_classes):
    n_out = 1 if n_classes == 2 else n_classes
    sizes = [n_inputs, *config["hidden"], n_out]
    activations = [config["activation"]] * len(config["hidden"])
    activations.append("sigmoid" if n_classes == 2 else "softmax")
    return mc.MLP(sizes, activations, init=config["init"], seed=config["seed"])


def make_optimizer(config):
    name, lr = config["optimizer"], config["lr"]
    if name == "adam":
        return mc.Adam(lr=lr)
    return mc.SGD(lr=lr, momentum=MOMENTUM if name == "momentum" else 0.0)


def penalties(config):
    """(l1, l2) for the trainer."""
    rate = config["reg_rate"]
    return (rate if config["regularization"] == "l1" else 0.0,
            rate if config["regularization"] == "l2" else 0.0)


def build_trainer(config, net, loss):
    l1, l2 = penalties(config)
    return mc.Trainer(net, loss=loss, optimizer=make_optimizer(config),
                      batch_size=config["batch_size"], l1=l1, l2=l2, seed=config["seed"])


def _grid_axes(train, test, size=GRID_SIZE):
    points = np.concatenate([train.X, test.X])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = 0.08 * np.maximum(high - low, 1e-6)
    low, high = low - pad, high + pad
    return np.linspace(low[0], high[0], size), np.linspace(low[1], high[1], size)


@dataclass
class PlaygroundState:
    """Everything the Playground shows. Other pages read it from
    ``st.session_state["playground"]``; only the Playground changes it."""

    config: dict
    net: mc.MLP
    trainer: mc.Trainer
    train: mc.Dataset
    test: mc.Dataset
    X_train: np.ndarray
    X_test: np.ndarray
    feature_names: list
    mean: np.ndarray
    std: np.ndarray
    loss: str
    grid_x: np.ndarray  # boundary cell centres, raw units, (GRID_SIZE,)
    grid_y: np.ndarray
    grid_inputs: np.ndarray  # network inputs at every cell, row-major over (grid_y, grid_x)
    playing: bool = False
    diverged: dict | None = None  # {"epoch", "reason", "lr"} after the last divergence
    notices: list = field(default_factory=list)
    own: OwnData | None = None  # the points of a "draw" or "upload" dataset
    snapshots: SnapshotStore = field(default_factory=SnapshotStore)  # for the time scrubber
    # Training settings changed after epoch 0: a script replaying the current settings from
    # scratch would not reproduce this run.
    changed_mid_run: bool = False
    imported: bool = False  # the weights came from a model file, not from training here

    @property
    def n_classes(self):
        return self.train.n_classes

    @property
    def epoch(self):
        return self.trainer.epoch

    @property
    def class_names(self):
        if self.own is not None:
            return list(self.own.class_names)
        return [str(k) for k in range(self.n_classes)]

    @property
    def axis_names(self):
        """Names of the two raw coordinates (an upload's column names)."""
        return tuple(self.own.axis_names) if self.own is not None else ("x1", "x2")

    @property
    def all_points(self):
        """Every raw point as one mc.Dataset (for the script of a draw/upload run)."""
        return self.own.data if self.own is not None else None

    def _snapshot_gap(self, latest_epoch):
        return max(self.snapshots.stride, math.ceil(SNAPSHOT_GROWTH * latest_epoch), 1)

    def epochs_to_next_snapshot(self):
        """Epochs from now until the next scrubber snapshot is due (>= 1)."""
        latest = self.snapshots.latest
        if latest is None:
            return 1
        return max(latest[0] + self._snapshot_gap(latest[0]) - self.trainer.epoch, 1)

    def record_snapshot(self, force=False):
        """Keep the boundary of the current epoch for the scrubber if one is due (``force``:
        whenever the epoch is new). A grid forward pass only happens when one is kept."""
        epoch, latest = self.trainer.epoch, self.snapshots.latest
        if latest is not None and latest[0] > epoch:  # e.g. a rolled-back epoch
            self.snapshots.clear()
            latest = None
        if latest is not None and latest[0] == epoch:
            return False
        if not force and latest is not None and epoch - latest[0] < self._snapshot_gap(latest[0]):
            return False
        return self.snapshots.add(epoch, self.boundary_u8(), force=True)

    def prepare(self, X_raw):
        """The network's inputs for raw 2-D points."""
        return mc.expand_features((np.asarray(X_raw, float) - self.mean) / self.std,
                                  self.feature_names)

    def budget_left(self):
        """Epochs left before the epoch budget (None when unlimited)."""
        budget = self.config["epoch_budget"]
        return None if not budget else max(budget - self.trainer.epoch, 0)

    def train_for(self, n_epochs=1, time_budget=None):
        """Run up to ``n_epochs`` (capped by the epoch budget); returns the records.

        On divergence the trainer has already rolled the network back to its last finite
        weights; training pauses and ``diverged`` says what happened.
        """
        left = self.budget_left()
        if left is not None:
            n_epochs = min(n_epochs, left)
        if n_epochs <= 0:
            self.playing = False
            return []
        # Training stops at each epoch where a snapshot is due, so the scrubber gets the
        # epochs it wants whatever the number of epochs per tick.
        started, records = time.perf_counter(), []
        try:
            while n_epochs > 0:
                remaining = None
                if time_budget is not None:
                    remaining = time_budget - (time.perf_counter() - started)
                    if remaining <= 0 and records:
                        break
                chunk = min(n_epochs, self.epochs_to_next_snapshot())
                done = self.trainer.run_epochs(
                    self.X_train, self.train.y, chunk, self.X_test, self.test.y,
                    None if remaining is None else max(remaining, 0.0))
                records += done
                n_epochs -= len(done)
                self.record_snapshot()
                if len(done) < chunk:  # the time budget ran out
                    break
        except mc.Diverged as exc:
            self.playing = False
            self.diverged = {"epoch": exc.epoch, "reason": exc.reason, "lr": self.config["lr"]}
            return []
        if self.budget_left() == 0:
            self.playing = False
        self.record_snapshot(force=not self.playing)
        return records

    def forward_grid(self):
        """Network outputs over the boundary grid (GRID_SIZE**2, n_outputs); leaves the
        per-layer activations in ``net.a`` for ``neuron_maps``."""
        return self.net.forward(self.grid_inputs)

    def boundary_u8(self, out=None):
        """The current boundary, quantised: (H, W) uint8 P(class 1) * 255 for two classes,
        (H, W, C) uint8 class probabilities * 255 for more. ``out``: a ``forward_grid()``
        result to reuse."""
        out = self.forward_grid() if out is None else out
        shape = (len(self.grid_y), len(self.grid_x))
        u8 = np.clip(out * 255.0 + 0.5, 0, 255).astype(np.uint8)
        return u8.reshape(shape) if out.shape[1] == 1 else u8.reshape(*shape, out.shape[1])

    def neuron_maps(self):
        """Per-layer (n_units, h, w) activation maps on a coarser grid, in [0, 1]; uses the
        activations of the latest ``forward_grid()``."""
        from viz.figures import neuron_maps_from_activations

        shape = (len(self.grid_y), len(self.grid_x))
        coarse = [a.reshape(*shape, -1)[::MAP_STRIDE, ::MAP_STRIDE] for a in self.net.a]
        small = coarse[0].shape[:2]
        return neuron_maps_from_activations([c.reshape(-1, c.shape[-1]) for c in coarse], small)

    def rebuild_network(self):
        """A fresh network and trainer for the current config (the data stay)."""
        net = build_network(self.config, len(self.feature_names), self.n_classes)
        self.net = net
        self.trainer = build_trainer(self.config, net, self.loss)
        self.playing = False
        self.diverged = None
        self.changed_mid_run = False
        self.imported = False
        self.snapshots.clear()
        self.record_snapshot()

    def apply_training_settings(self):
        """Point the trainer at the config's optimizer settings, keeping the network.
        A different optimizer type starts with fresh optimizer state."""
        config, trainer = self.config, self.trainer
        kind = "adam" if isinstance(trainer.optimizer, mc.Adam) else (
            "momentum" if getattr(trainer.optimizer, "momentum", 0) else "sgd")
        if kind != config["optimizer"]:
            trainer.optimizer = make_optimizer(config)
        trainer.optimizer.lr = config["lr"]
        trainer.batch_size = config["batch_size"]
        trainer.l1, trainer.l2 = penalties(config)


def build_state(config, own=None):
    """A PlaygroundState with fresh data, network and trainer for a valid ``config``;
    ``own``: the OwnData that the "draw" and "upload" datasets need."""
    config = copy.deepcopy(config)
    train, test = build_data(config, own)
    mean, std = standardisation(train.X)
    features = list(config["features"])
    X_train = mc.expand_features((train.X - mean) / std, features)
    X_test = mc.expand_features((test.X - mean) / std, features)
    grid_x, grid_y = _grid_axes(train, test)
    cells = np.column_stack([a.ravel() for a in np.meshgrid(grid_x, grid_y)])
    grid_inputs = np.ascontiguousarray(mc.expand_features((cells - mean) / std, features))
    loss = loss_for(train.n_classes)
    net = build_network(config, len(features), train.n_classes)
    trainer = build_trainer(config, net, loss)
    state = PlaygroundState(config=config, net=net, trainer=trainer, train=train, test=test,
                            X_train=X_train, X_test=X_test, feature_names=features, mean=mean,
                            std=std, loss=loss, grid_x=grid_x, grid_y=grid_y,
                            grid_inputs=grid_inputs,
                            own=own if config["dataset"] in OWN_DATASETS else None)
    state.record_snapshot()
    return state


def change_kind(old, new):
    """What a config change needs: "data" (new points, new network), "network" (new
    network), "training" (same network, new trainer settings), "budget" or None."""
    if any(old[k] != new[k] for k in DATA_KEYS):
        return "data"
    if any(old[k] != new[k] for k in NETWORK_KEYS):
        return "network"
    if any(old[k] != new[k] for k in TRAINING_KEYS):
        return "training"
    if old["epoch_budget"] != new["epoch_budget"]:
        return "budget"
    return None


def state_change_kind(state, config, own=None):
    """``change_kind`` that also counts new own points (``own``, for a draw/upload config)
    as a "data" change."""
    if config["dataset"] in OWN_DATASETS and own is not state.own:
        return "data"
    return change_kind(state.config, config)


def apply_config(state, config, own=None):
    """Bring ``state`` to ``config`` doing as little as the change needs; returns
    (state, kind) where state may be a new object (data changes). ``own``: the points for
    a "draw" or "upload" config."""
    kind = state_change_kind(state, config, own)
    if kind == "data":
        fresh = build_state(config, own)
        fresh.notices = state.notices
        return fresh, kind
    state.config = copy.deepcopy(config)
    if kind == "network":
        state.feature_names = list(config["features"])
        state.X_train = state.prepare(state.train.X)
        state.X_test = state.prepare(state.test.X)
        cells = np.column_stack([a.ravel() for a in np.meshgrid(state.grid_x, state.grid_y)])
        state.grid_inputs = np.ascontiguousarray(state.prepare(cells))
        state.rebuild_network()
    elif kind == "training":
        state.apply_training_settings()
        state.diverged = None
        if state.epoch > 0:
            state.changed_mid_run = True
    return state, kind


def load_state(session_state, query_params=None):
    """The session's PlaygroundState, created on first use from ``query_params`` (problems
    with them end up in ``state.notices``)."""
    state = session_state.get(SESSION_KEY)
    if state is None:
        config, problems = config_from_query(query_params or {})
        own = None
        if config["dataset"] in OWN_DATASETS:
            own = own_data(session_state, config["dataset"])
            if own is None:
                problems.append(f"dataset={config['dataset']} (your own points are not part of "
                                f"a link and this session has none; kept the default, "
                                f"{DEFAULTS['dataset']})")
                config["dataset"] = DEFAULTS["dataset"]
        state = build_state(config, own)
        if problems:
            state.notices = problems
        session_state[SESSION_KEY] = state
    return state
