"""The Playground's session model: the data, network and trainer built from a configuration,
changed as little as each change of settings needs. No streamlit in here; the page keeps
one ``PlaygroundState`` in the session (ui/session.py).
"""

import copy
import hashlib
import math
import time
import uuid
from dataclasses import dataclass, field

import numpy as np

import mlp_core as mc
from viz.i18n import _

from . import own_data
from .frames import FilmStrip, Frame
from .own_data import OwnData
from .presets import stops_for
from .settings import (
    DEFAULTS,
    LR_STOPS,
    MOMENTUM,
    OWN_DATASETS,
    TUTORIAL_DATASET,
    TUTORIAL_INIT_SEED,
    change_kind,
    config_from_query,
)
from .snapshots import SnapshotStore, encode_probabilities

GRID_SIZE = 100  # boundary cells per side
MAP_STRIDE = 4  # neuron maps use every 4th grid cell (25 x 25)
# The live film strip uses every 2nd grid cell (50 x 50): a quarter of the forward pass per
# frame, so a tick can record several; the state shown when paused has the full grid.
FILM_STRIDE = 2
# Scrubber snapshots are kept at least this fraction of the run apart (and at least the
# store's stride): every epoch at first, then ever sparser, so the epochs where a boundary
# forms are all there and a long run adds only a few (about 80 by epoch 10,000).
SNAPSHOT_GROWTH = 0.1


# ---- from a configuration to the engine's objects --------------------------------------------
def build_data(config, own=None):
    """(train, test) Datasets of raw points for ``config``; the "draw" and "upload" datasets
    split ``own`` (an OwnData of that source)."""
    if config["dataset"] in OWN_DATASETS:
        if own is None or own.source != config["dataset"]:
            raise ValueError(f"the {config['dataset']} dataset needs its points")
        fraction = own_data.test_fraction(len(own.data), config["test_fraction"])
        return mc.train_test_split(own.data, fraction, config["seed"])
    if config["dataset"] == TUTORIAL_DATASET:  # all its points train; as many more test
        n, noise, seed = config["n_samples"], config["noise"], config["seed"]
        return (mc.make_dataset("circles", n, noise, seed, legacy=True),
                mc.make_dataset("circles", n, noise, seed + 1, legacy=True))
    ds = mc.make_dataset(config["dataset"], config["n_samples"], config["noise"], config["seed"])
    return mc.train_test_split(ds, config["test_fraction"], config["seed"])


def standardisation(X_train, dataset=None):
    """(mean, std) of the raw training points; a constant coordinate keeps std 1. The
    tutorial fed its circles to the network as they are, so its dataset keeps (0, 1)."""
    if dataset == TUTORIAL_DATASET:
        return np.zeros(X_train.shape[1]), np.ones(X_train.shape[1])
    mean = X_train.mean(axis=0)
    std = X_train.std(axis=0)
    return mean, np.where(std > 0, std, 1.0)


def network_inputs(X_raw, mean, std, feature_names):
    """What the network sees of raw 2-D points: standardised, then expanded into features.
    The one place this is done (the exported script has its own copy, as it stands alone)."""
    X = (np.asarray(X_raw, float) - mean) / std
    return np.ascontiguousarray(mc.expand_features(X, list(feature_names)))


def loss_for(n_classes):
    """Cross-entropy for classes (binary with one output), squared error for a regression
    (n_classes 0)."""
    return {0: "mse", 2: "bce"}.get(n_classes, "cross_entropy")


def output_for(n_classes):
    """(number of outputs, output activation) for ``n_classes`` (0: a regression)."""
    return {0: (1, "linear"), 2: (1, "sigmoid")}.get(n_classes, (n_classes, "softmax"))


def build_network(config, n_inputs, n_classes):
    n_out, out_activation = output_for(n_classes)
    sizes = [n_inputs, *config["hidden"], n_out]
    activations = [config["activation"]] * len(config["hidden"]) + [out_activation]
    seed = config["seed"] + (TUTORIAL_INIT_SEED if config["init"] == "randn" else 0)
    return mc.MLP(sizes, activations, init=config["init"], seed=seed)


def make_optimizer(config):
    name, lr = config["optimizer"], config["lr"]
    if name == "adam":
        return mc.Adam(lr=lr)
    return mc.SGD(lr=lr, momentum=MOMENTUM if name == "momentum" else 0.0)


def optimizer_name(optimizer):
    """The config's name for an optimizer object: "sgd", "momentum" or "adam"."""
    if isinstance(optimizer, mc.Adam):
        return "adam"
    return "momentum" if getattr(optimizer, "momentum", 0) else "sgd"


def penalties(config):
    """(l1, l2) for the trainer."""
    rate = config["reg_rate"]
    return (rate if config["regularization"] == "l1" else 0.0,
            rate if config["regularization"] == "l2" else 0.0)


def gradient_errors(config):
    """The tutorial's published errors when its gradients are chosen, else none."""
    return mc.TUTORIAL_ERRORS if config["gradients"] == "tutorial" else ()


def build_trainer(config, net, loss):
    l1, l2 = penalties(config)
    return mc.Trainer(net, loss=loss, optimizer=make_optimizer(config),
                      batch_size=config["batch_size"], l1=l1, l2=l2, seed=config["seed"],
                      errors=gradient_errors(config))


def grid_axes(train, test, size=GRID_SIZE):
    """Cell centres of the boundary grid: the range of every point plus a margin."""
    points = np.concatenate([train.X, test.X])
    low, high = points.min(axis=0), points.max(axis=0)
    pad = 0.08 * np.maximum(high - low, 1e-6)
    low, high = low - pad, high + pad
    return np.linspace(low[0], high[0], size), np.linspace(low[1], high[1], size)


def grid_points(grid_x, grid_y):
    """Every cell centre as (x, y) rows, row-major over (grid_y, grid_x)."""
    return np.column_stack([a.ravel() for a in np.meshgrid(grid_x, grid_y)])


def suggested_lr(lr):
    """A learning rate ten times smaller (a slider stop), to offer after a divergence."""
    below = [v for v in LR_STOPS if v <= lr / 10]
    return below[-1] if below else LR_STOPS[0]


def chance_level(y, n_classes):
    """(accuracy, loss) of always predicting the class shares: the majority class's share
    and the entropy of the shares (cross-entropy's value for a network that learned
    nothing)."""
    shares = np.bincount(np.asarray(y, int), minlength=n_classes) / max(len(y), 1)
    shares = shares[shares > 0]
    return float(shares.max()), float(-(shares * np.log(shares)).sum())


STUCK_EPOCHS = 20  # epochs of a run at chance with a large, jumping loss before the hint
LOSS_BECAME = "the loss became "  # how mlp_core's Diverged begins its reason for a bad loss


def reason_text(info):
    """What went wrong in a divergence record (``PlaygroundState.diverged``), in the page's
    language: the record keeps mlp_core's English reason, which knows no languages."""
    if info.get("kind") == "stuck":
        return _("for {n} epochs the accuracy stayed at chance while the loss jumped up and "
                 "down").format(n=STUCK_EPOCHS)
    reason = info.get("reason", "")
    if reason.startswith(LOSS_BECAME):
        return _("the loss became {value}").format(value=reason[len(LOSS_BECAME):])
    if reason == "a weight became inf or nan":
        return _("a weight became inf or nan")
    return reason


def stuck_at_chance(history, y, n_classes, since=0, window=STUCK_EPOCHS):
    """True when the last ``window`` epochs (all after epoch ``since``) sat at chance
    accuracy while the loss stayed above chance's and jumped up and down: the symptom of a
    learning rate far too large for an optimizer (Adam) whose steps never overflow."""
    if n_classes < 2 or len(history) < window:
        return False
    epochs = np.asarray(history.column("epoch"))[-window:]
    if epochs[0] <= since or np.any(np.diff(epochs) != 1):
        return False
    acc = np.asarray(history.column("train_acc"))[-window:]
    loss = np.asarray(history.column("train_loss"))[-window:]
    chance_acc, chance_loss = chance_level(y, n_classes)
    rises = int((np.diff(loss) > 0.02 * chance_loss).sum())
    return bool(acc.max() <= chance_acc + 0.1 and loss.mean() > 1.1 * chance_loss
                and rises >= window // 4)


def record_at(history, epoch):
    """The history record (dict) of the latest epoch at or before ``epoch``, or None."""
    if not len(history):
        return None
    epochs = np.asarray(history.column("epoch"))
    i = int(np.searchsorted(epochs, epoch, side="right")) - 1
    return history[max(i, 0)] if epochs[max(i, 0)] <= epoch else None


# ---- the state of one session's Playground ---------------------------------------------------
@dataclass
class PlaygroundState:
    """Everything the Playground shows. Other pages read it (ui.session.playground_state());
    only the Playground changes it."""

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
    # {"epoch", "reason", "lr", "kind"} after the last divergence ("overflow") or a run
    # stuck at chance with a jumping loss ("stuck")
    diverged: dict | None = None
    # Epochs whose step overflowed and was rolled back, marked on the loss curve.
    rollbacks: list = field(default_factory=list)
    # Epochs where live training pauses by plan (a preset's moment to look at), and the
    # last such pause reached.
    stops: tuple = ()
    paused_at: int | None = None
    play_epoch: int = 0  # the epoch live training last started from
    notices: list = field(default_factory=list)  # problems with the link it was built from
    own: OwnData | None = None  # the points of a "draw" or "upload" dataset
    snapshots: SnapshotStore = field(default_factory=SnapshotStore)  # for the time scrubber
    # Training settings changed after epoch 0: a script replaying the current settings from
    # scratch would not reproduce this run.
    changed_mid_run: bool = False
    imported: bool = False  # the weights came from a model file, not from training here
    # The metrics of the network before its first epoch, the curves' epoch 0.
    start: dict | None = field(default=None, repr=False)
    # Names these points and their grid for caches of pictures of the points alone, which
    # a new network (even on new input features) leaves as they are.
    points_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # Names these points as the network sees them (renewed with the input features), for
    # caches of pictures made with the network.
    data_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # Slow-motion clock of live training: when the last tick ran, and the epochs owed.
    live_clock: float | None = field(default=None, repr=False)
    epochs_due: float = field(default=0.0, repr=False)
    # The live boundary's film strip (app_logic/frames.py): states recorded every
    # ``frame_every`` epochs while training, taken by the live view once per tick.
    film: FilmStrip = field(default_factory=FilmStrip, repr=False)
    frame_every: int = field(default=1, repr=False)
    # Mini-batch steps between two frames inside an epoch (0: frames at epochs' ends only).
    step_every: int = field(default=0, repr=False)
    # Seconds ``train_for`` spent drawing the strip's frames (not its time budget's).
    drawing_seconds: float = field(default=0.0, repr=False)
    # (id(y), loss, outputs) -> (y, targets, int labels): what ``measure`` compares with
    measure_targets: dict = field(default_factory=dict, repr=False, compare=False)
    tick_epochs: int = field(default=0, repr=False)  # epochs the last live tick ran
    time_bound: bool = field(default=False, repr=False)  # it ran fewer than it owed
    tick_frames: int = field(default=0, repr=False)  # frames a tick makes up to inside epochs
    # A float32 twin of ``net`` for the pictures (``grid_pass``), and the grid's inputs in
    # float32 by stride ((grid_inputs, {stride: rows})), made again when either changes.
    drawing_net: mc.MLP | None = field(default=None, repr=False, compare=False)
    drawing_inputs: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def n_classes(self):
        return self.train.n_classes  # 0 for a regression

    @property
    def regression(self):
        return self.n_classes == 0

    @property
    def epoch(self):
        return self.trainer.epoch

    @property
    def class_names(self):
        if self.regression:
            return []
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

    def params_id(self):
        """Names the network's current weights (its shape and every value), for caches of
        pictures made from them: equal ids, equal pictures."""
        digest = hashlib.blake2b(self.net.params.tobytes(), digest_size=16)
        digest.update(repr((self.net.layer_sizes, self.net.activations)).encode())
        return digest.hexdigest()

    def prepare(self, X_raw):
        """The network's inputs for raw 2-D points."""
        return network_inputs(X_raw, self.mean, self.std, self.feature_names)

    def metrics(self):
        """The latest epoch's record: epoch, train/test loss and accuracy."""
        last = self.trainer.history.last
        if last is not None:
            return last
        if self.start is None or self.start["epoch"] != self.epoch:
            self.start = self.measure(self.epoch, penalty=False)
        return self.start

    def measure(self, epoch, penalty=True):
        """A record of the network as it is now, labelled ``epoch``: train/test loss (with
        the penalty, as the trainer's records have it) and accuracy, from one forward pass
        of each set (a live tick measures up to 30 states inside epochs)."""
        net, loss = self.net, self.loss
        l1, l2 = (self.trainer.l1, self.trainer.l2) if penalty else (0.0, 0.0)
        record = {"epoch": epoch}
        for part, X, y in (("train", self.X_train, self.train.y),
                           ("test", self.X_test, self.test.y)):
            Y, labels = self._targets(y)
            record[f"{part}_loss"] = float(net.target_loss(X, Y, loss, l1, l2))
            record[f"{part}_acc"] = math.nan if labels is None else float(  # a regression
                (mc.predicted_labels(net.a[-1]) == labels).mean())  # has no accuracy
        net.clear_pass()
        return record

    def _targets(self, y):
        """``mc.targets`` of labels ``y`` for this network's loss, kept per set."""
        key = (id(y), self.loss, self.net.layer_sizes[-1])
        kept = self.measure_targets.get(key)
        if kept is None or kept[0] is not y:
            if len(self.measure_targets) >= 4:
                self.measure_targets.clear()
            kept = self.measure_targets[key] = (y, *mc.targets(y, self.loss,
                                                               self.net.layer_sizes[-1]))
        return kept[1:]

    def curve(self, name):
        """A history column with the network's state before training in front (epoch 0),
        for the curves; the history itself starts after the first epoch."""
        column = self.trainer.history.column(name)
        if self.start is None:
            return column
        return np.concatenate([[self.start[name]], column])

    # ---- snapshots for the scrubber ------------------------------------------------------
    def _snapshot_gap(self, latest_epoch):
        budget = self.config["epoch_budget"]
        if budget and budget < self.snapshots.max_snapshots:  # a short run keeps every epoch
            return 1
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

    # ---- the live boundary's film strip --------------------------------------------------
    def epochs_to_next_frame(self):
        """Epochs from now until the film strip's next frame is due (0: due now)."""
        # a frame inside an epoch counts as the epoch it started from
        last = math.floor(self.film.latest.epoch) if self.film.latest is not None else None
        if last is None or last > self.trainer.epoch:
            return 0
        return max(last + self.frame_every - self.trainer.epoch, 0)

    def _strided_inputs(self, stride):
        """The network inputs (float32) of every ``stride``-th grid cell, and that grid's
        shape."""
        if self.drawing_inputs is None or self.drawing_inputs[0] is not self.grid_inputs:
            self.drawing_inputs = (self.grid_inputs, {})
        kept = self.drawing_inputs[1]
        if stride not in kept:  # a tick draws up to 60 frames: copied once, not per frame
            rows, columns = len(self.grid_y), len(self.grid_x)
            cells = self.grid_inputs.reshape(rows, columns, -1)[::stride, ::stride]
            kept[stride] = (np.ascontiguousarray(cells.reshape(-1, cells.shape[-1]),
                                                 dtype=np.float32), cells.shape[:2])
        return kept[stride]

    def grid_pass(self, stride=1):
        """The network's outputs over every ``stride``-th grid cell (n_cells, n_outputs) and
        every layer's activations (a list of (n_cells, n_units)), and that grid's shape.

        The pictures use a float32 twin of the network, through the same forward pass:
        they keep 256 levels, and NumPy's float32 tanh is about six times as fast as its
        float64 one (a live tick draws up to 60 of them a second). A network whose weights
        or values pass float32's range (one about to diverge) is drawn by itself."""
        inputs, shape = self._strided_inputs(stride)
        twin, net = self.drawing_net, self.net
        if twin is None or twin.layer_sizes != net.layer_sizes or \
                twin.activations != net.activations:
            twin = self.drawing_net = net.copy(np.float32)
        with np.errstate(all="ignore"):
            twin.params[...] = net.params
            out = twin.forward_pass(inputs)
            if np.isfinite(twin.params).all() and np.isfinite(out).all():
                return out, list(twin.a), shape
        out = net.forward_pass(inputs.astype(net.params.dtype))
        return out, list(net.a), shape

    def map_activations(self):
        """(activations, shape) for the neuron maps: every layer's activations on a coarser
        grid (every MAP_STRIDE-th cell: a sixteenth of the work of the whole grid), one
        (n_cells, n_units) array per layer of nodes, and that grid's (rows, columns)."""
        _, activations, shape = self.grid_pass(MAP_STRIDE)
        return activations, shape

    def film_u8(self):
        """The current boundary on the film strip's coarser grid (every FILM_STRIDE-th
        cell), encoded as ``boundary_u8``."""
        out, _, shape = self.grid_pass(FILM_STRIDE)
        if self.regression:
            out = (out + 1.0) / 2.0
        return encode_probabilities(out, shape)

    def record_frame(self, full=False, inside=None):
        """Add the current state to the film strip (``full``: on the whole grid, else on
        the film's coarser grid). ``inside``: (step, n_steps) of a state inside an epoch,
        labelled with its fraction of the epoch and measured then (it has no record)."""
        grid = self.boundary_u8() if full else self.film_u8()
        if inside is None:
            epoch, metrics = self.trainer.epoch, dict(self.metrics())
        else:
            epoch = self.trainer.epoch + inside[0] / inside[1]
            metrics = self.measure(epoch)
        self.film.add(Frame(epoch, grid, metrics, self.params_id()))

    def frames_to_show(self, full=False):
        """The film strip's frames since the last call, ending on the current network (the
        last frame shown again when nothing changed). ``full``: only the current state, on
        the whole grid (what a paused view holds)."""
        self.current_frame(full)
        frames = self.film.take()
        return frames[-1:] if full else frames

    def current_frame(self, full=False):
        """The latest frame if it shows the current network, else a new one of it."""
        latest = self.film.latest
        if latest is None or latest.key != self.params_id() or (
                full and latest.grid.shape[:2] != (len(self.grid_y), len(self.grid_x))):
            self.record_frame(full)
        return self.film.latest

    def _record_states(self, frame_due):
        """After a chunk of epochs: the scrubber's snapshot and the strip's frame."""
        if frame_due:
            started = time.perf_counter()
            self.record_frame()
            self.drawing_seconds += time.perf_counter() - started
        self.record_snapshot()

    # ---- training ------------------------------------------------------------------------
    def budget_left(self):
        """Epochs left before the epoch budget (None when unlimited)."""
        budget = self.config["epoch_budget"]
        return None if not budget else max(budget - self.trainer.epoch, 0)

    def next_stop(self):
        """The next planned pause after the current epoch, or None."""
        return next((e for e in sorted(self.stops) if e > self.trainer.epoch), None)

    def play(self):
        """Start live training; False (and nothing changes) when the epoch budget is spent."""
        if self.budget_left() == 0:
            return False
        if not self.playing:
            self.diverged = None
            self.live_clock, self.epochs_due = None, 0.0
            self.play_epoch, self.paused_at = self.trainer.epoch, None
        self.playing = True
        return True

    def train_live(self, now, time_budget, frames=1, least=0):
        """One tick of live training at the config's speed: with speed 0 as many epochs as
        ``time_budget`` seconds allow, else ``speed`` epochs per second of wall time ``now``
        (epochs owed carry over between ticks, so 2 epochs/s at 5 ticks/s trains every
        other or third tick). About ``frames`` states go into the film strip, spread over the
        tick's epochs (as many epochs apart as the last tick's epochs allowed); when its
        time allows fewer than ``least`` epochs, states inside epochs make up the
        difference. Returns the records."""
        speed = self.config["speed"]
        if not speed:
            due = 10**9
        else:
            if self.live_clock is None:  # the first tick after Play trains at once
                self.epochs_due = 1.0
            else:  # at most a second's worth owed, so a stalled tick does not cause a burst
                self.epochs_due = min(self.epochs_due + speed * (now - self.live_clock), speed)
            self.live_clock = now
            due = int(self.epochs_due)
            if due < 1:
                return []
            self.epochs_due -= due
        # The frames are spread over the epochs this tick will run: those owed, or as many
        # as the last tick's time allowed when that is fewer (a class's share of the core
        # trains 20 of the 750 epochs owed at 500 epochs/s: one frame per tick, not 20).
        expected = min(due, self.tick_epochs or frames)
        self.frame_every = max(1, expected // max(frames, 1))
        self.step_every = self._steps_between_frames(expected, least)
        self.tick_frames = len(self.film) + least  # the strip's length to stop adding at
        before = self.trainer.epoch
        records = self.train_for(due, time_budget, frames=True)
        self.tick_epochs = max(self.trainer.epoch - before, 0)
        # A tick that ran all it owed says the share is not short only if that was enough
        # (right after Play a tick owes one epoch, the next a few; a class's share runs
        # out long before 500 epochs/s).
        if self.tick_epochs < due or self.tick_epochs >= least:
            self.time_bound = self.tick_epochs < due
        return records

    def _steps_between_frames(self, expected, least):
        """Mini-batch steps between two frames inside an epoch, or 0 (none). Only when the
        core's share held the last tick to fewer than ``least`` epochs (a class of 40 on
        one worker trains 2 to 4 epochs a second), or the tick owes fewer (the first one
        after Play owes one) while the share is that short: each state after a mini-batch
        step is one the network really passed through. The most steps apart that still
        give ``least`` frames over half the ``expected`` epochs: on a busy core ticks with
        one budget ran 1 to 7 epochs, and one that runs more stops adding them at its
        least. (Slow motion asks for none: it plays whole epochs.)"""
        n_steps = self.trainer.steps_per_epoch(len(self.X_train))
        if not self.time_bound or expected >= least or n_steps < 2:
            return 0
        expected = max(1, expected // 2)
        for every in range(n_steps - 1, 0, -1):  # frames per epoch: inside ones and its end
            if expected * ((n_steps - 1) // every + 1) >= least:
                return every
        return 1

    def _frame_inside_epoch(self, step, n_steps):
        # a tick that runs more epochs than the last one stops adding them at its least
        if step % self.step_every == 0 and len(self.film) < self.tick_frames:
            started = time.perf_counter()
            self.record_frame(inside=(step, n_steps))
            self.drawing_seconds += time.perf_counter() - started

    def train_for(self, n_epochs=1, time_budget=None, frames=False):
        """Run up to ``n_epochs`` (capped by the epoch budget); returns the records.
        ``frames``: record the film strip every ``frame_every`` epochs and at the end.

        On divergence the trainer has already rolled the network back to its last finite
        weights; training pauses and ``diverged`` says what happened.
        """
        left, stop = self.budget_left(), self.next_stop()
        if left is not None:
            n_epochs = min(n_epochs, left)
        if stop is not None and self.playing:
            n_epochs = min(n_epochs, stop - self.trainer.epoch)
        if n_epochs <= 0:
            self.playing = False
            return []
        # Training stops at each epoch where a snapshot is due, so the scrubber gets the
        # epochs it wants whatever the number of epochs per tick.
        # The film strip's frames are drawing, not training: their time is not the budget's.
        started, records, self.drawing_seconds = time.perf_counter(), [], 0.0
        on_step = self._frame_inside_epoch if frames and self.step_every else None
        try:
            while n_epochs > 0:
                remaining = None
                if time_budget is not None:
                    remaining = time_budget - (time.perf_counter() - started -
                                               self.drawing_seconds)
                    if remaining <= 0 and records:
                        break
                chunk = min(n_epochs, self.epochs_to_next_snapshot(),
                            max(self.epochs_to_next_frame(), 1) if frames else n_epochs)
                before = self.trainer.epoch
                records += self.trainer.run_epochs(
                    self.X_train, self.train.y, chunk, self.X_test, self.test.y,
                    None if remaining is None else max(remaining, 0.0), on_step)
                done = self.trainer.epoch - before  # epochs run, recorded or not
                n_epochs -= done
                self._record_states(
                    frames and done > 0 and self.epochs_to_next_frame() == 0)
                if done < chunk or self._stuck():  # the time budget ran out, or no use
                    break
        except mc.Diverged as exc:
            self.playing = False
            self.rollbacks.append(exc.epoch)
            self.diverged = {"epoch": exc.epoch, "reason": exc.reason, "lr": self.config["lr"],
                             "kind": "overflow"}
            return []
        self._pause_if_due()
        self.record_snapshot(force=not self.playing)
        if frames:
            self.current_frame()  # the strip ends on the state the tick left
        return records

    def _stuck(self):
        return self.playing and stuck_at_chance(self.trainer.history, self.train.y,
                                                self.n_classes, self.play_epoch)

    def _pause_if_due(self):
        """Live training pauses at the epoch budget, at a planned stop, and when the run
        is stuck at chance with a jumping loss (it would learn nothing by going on)."""
        epoch = self.trainer.epoch
        if self.budget_left() == 0:
            self.playing = False
        elif self.playing and epoch in self.stops:
            self.playing, self.paused_at = False, epoch
        elif self._stuck():
            self.playing = False
            self.diverged = {"epoch": epoch, "lr": self.config["lr"], "kind": "stuck",
                             "reason": f"for {STUCK_EPOCHS} epochs the accuracy stayed at "
                                       "chance while the loss jumped up and down"}

    # ---- what is drawn -------------------------------------------------------------------
    def boundary_u8(self):
        """The current boundary as a snapshot (see app_logic.snapshots). A regression's
        prediction in [-1, 1] is stored as (p + 1) / 2, so 0.5 (128) is zero."""
        out, _, shape = self.grid_pass()
        if self.regression:
            out = (out + 1.0) / 2.0
        return encode_probabilities(out, shape)

    # ---- changes -------------------------------------------------------------------------
    def rebuild_network(self):
        """A fresh network and trainer for the current config (the data stay)."""
        self.net = build_network(self.config, len(self.feature_names), self.n_classes)
        self.trainer = build_trainer(self.config, self.net, self.loss)
        self.start = None
        self.metrics()
        self.playing = False
        self.diverged = None
        self.rollbacks, self.paused_at, self.play_epoch = [], None, 0
        self.changed_mid_run = False
        self.imported = False
        self.snapshots.clear()
        self.film.clear()
        self.record_snapshot()

    def apply_training_settings(self):
        """Point the trainer at the config's optimizer settings, keeping the network.
        A different optimizer type starts with fresh optimizer state."""
        config, trainer = self.config, self.trainer
        if optimizer_name(trainer.optimizer) != config["optimizer"]:
            trainer.optimizer = make_optimizer(config)
        trainer.optimizer.lr = config["lr"]
        trainer.batch_size = config["batch_size"]
        trainer.l1, trainer.l2 = penalties(config)
        trainer.errors = gradient_errors(config)

    def set_features(self, feature_names):
        """New input features for the same points (the network must be rebuilt after)."""
        self.feature_names = list(feature_names)
        self.X_train = self.prepare(self.train.X)
        self.X_test = self.prepare(self.test.X)
        self.grid_inputs = self.prepare(grid_points(self.grid_x, self.grid_y))


def build_state(config, own=None):
    """A PlaygroundState with fresh data, network and trainer for a valid ``config``;
    ``own``: the OwnData that the "draw" and "upload" datasets need."""
    config = copy.deepcopy(config)
    train, test = build_data(config, own)
    mean, std = standardisation(train.X, config["dataset"])
    features = list(config["features"])
    grid_x, grid_y = grid_axes(train, test)
    loss = loss_for(train.n_classes)
    net = build_network(config, len(features), train.n_classes)
    state = PlaygroundState(
        config=config, net=net, trainer=build_trainer(config, net, loss), train=train,
        test=test, X_train=network_inputs(train.X, mean, std, features),
        X_test=network_inputs(test.X, mean, std, features), feature_names=features, mean=mean,
        std=std, loss=loss, grid_x=grid_x, grid_y=grid_y,
        grid_inputs=network_inputs(grid_points(grid_x, grid_y), mean, std, features),
        own=own if config["dataset"] in OWN_DATASETS else None)
    state.metrics()  # remembers the start, epoch 0 of the curves
    state.record_snapshot()
    state.stops = stops_for(config)
    return state


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
    state.stops = stops_for(config)
    if kind == "network":
        state.set_features(config["features"])
        state.data_id = uuid.uuid4().hex  # new network inputs over the same points
        state.rebuild_network()
    elif kind == "training":
        state.apply_training_settings()
        state.diverged = None
        if state.epoch > 0:
            state.changed_mid_run = True
    return state, kind


def state_from_link(query_params, own_data_of):
    """A fresh PlaygroundState for a link's parameters; problems with them end up in
    ``state.notices``. ``own_data_of(source)`` returns the session's OwnData or None."""
    config, problems = config_from_query(query_params or {})
    own = None
    if config["dataset"] in OWN_DATASETS:
        own = own_data_of(config["dataset"])
        if own is None:
            problems.append(_("dataset={name} (your own points are not part of a link and "
                              "this session has none; kept the default, {default})").format(
                name=config["dataset"], default=DEFAULTS["dataset"]))
            config["dataset"] = DEFAULTS["dataset"]
    state = build_state(config, own)
    state.notices = problems
    return state
