"""Saved runs: configuration, curves, final boundary and metrics, kept in session_state.

    runs = RunCollection()                       # one per session (ui.session.runs())
    runs.add(make_run("adam, 2 layers", config, trainer.history, grid, grid_x, grid_y, ...))
    runs.differing_keys(["a", "b"])              # config keys whose values differ
    data = runs.to_json()                        # one file with every run
    runs.import_json(data)                       # RunsFileError, and nothing changes, if bad

Files are plain JSON (never pickle): the boundary is base64 of its uint8 bytes. A run of a
regression has no class names (0 classes) and its points' targets are numbers.
Reading a file checks every list's length before its items are read, and the boundary
data's length before it is decoded (limits: app_logic/files.py).
"""

import base64
import binascii
import json
import math
import re
from dataclasses import dataclass, field

import numpy as np

from viz.i18n import N_, _, ngettext, number

from . import file_formats
from .files import (
    MAX_CLASSES,
    MAX_CURVE_POINTS,
    MAX_GRID,
    MAX_RUN_NAME_CHARS,
    MAX_RUN_POINTS,
    MAX_RUNS,
    FileError,
    load_json,
    refusal,
)
from .settings import DATASET_LABELS, experiment

RUNS_FORMAT = file_formats.RUNS_FORMAT
RUNS_VERSION = file_formats.RUNS_VERSION
# The limits live in app_logic/files.py; these names are what the rest of the app reads.
MAX_NAME_LENGTH = MAX_RUN_NAME_CHARS
MAX_POINTS = MAX_RUN_POINTS
CURVES = file_formats.CURVES
METRICS = file_formats.METRICS


class RunsError(ValueError):
    """A change to the saved runs that cannot be made; the message is for the user."""


class RunsFileError(RunsError, FileError):
    """A runs file that cannot be read; nothing was imported."""


@dataclass
class Run:
    name: str
    config: dict
    history: dict            # CURVES -> float arrays of equal length, epochs increasing
    boundary: np.ndarray     # uint8 (h, w) or (h, w, 3), see app_logic.snapshots
    grid_x: np.ndarray
    grid_y: np.ndarray
    metrics: dict            # METRICS -> float (the last epoch's, NaN if unknown)
    class_names: list
    X: np.ndarray = field(default_factory=lambda: np.zeros((0, 2)))  # raw points to draw
    y: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))  # targets: float

    @property
    def n_classes(self):
        return len(self.class_names)  # 0 for a regression


def _clean_name(name):
    if not isinstance(name, str):
        raise RunsError(_("A run's name must be text."))
    name = "".join(c for c in re.sub(r"\s+", " ", name) if c.isprintable()).strip()
    if not name:
        raise RunsError(_("A run needs a name."))
    if len(name) > MAX_NAME_LENGTH:
        raise RunsError(_("A run's name can have at most {n} characters.")
                        .format(n=MAX_NAME_LENGTH))
    return name


def _thin_columns(columns, limit=MAX_CURVE_POINTS):
    n = len(columns["epoch"])
    if n <= limit:
        return columns
    keep = np.unique(np.round(np.linspace(0, n - 1, limit)).astype(int))
    return {k: v[keep] for k, v in columns.items()}


def make_run(name, config, history, boundary, grid_x, grid_y, class_names, X=None, y=None,
             metrics=None, rng_seed=0):
    """A Run from a training's results. ``history`` is an mc.History (or a dict of columns);
    the curves are thinned to MAX_CURVE_POINTS and the points to a sample of MAX_POINTS.
    ``metrics`` defaults to the history's last record."""
    if hasattr(history, "column"):
        columns = {k: np.array(history.column(k), dtype=float) for k in CURVES}
        last = history.last or {}
    else:
        columns = {k: np.asarray(history[k], dtype=float) for k in CURVES}
        last = {k: columns[k][-1] for k in CURVES} if len(columns["epoch"]) else {}
    if metrics is None:
        metrics = {k: float(last.get(k, math.nan)) for k in METRICS}
    y_type = np.int64 if len(class_names) else float  # a regression's targets are numbers
    X = np.zeros((0, 2)) if X is None else np.asarray(X, dtype=float)
    y = np.zeros(0, y_type) if y is None else np.asarray(y, dtype=y_type)
    if len(X) > MAX_POINTS:
        keep = np.sort(np.random.default_rng(rng_seed).choice(len(X), MAX_POINTS, replace=False))
        X, y = X[keep], y[keep]
    run = Run(_clean_name(name), _plain_config(config), _thin_columns(columns),
              np.array(boundary, dtype=np.uint8), np.asarray(grid_x, float).copy(),
              np.asarray(grid_y, float).copy(),
              {k: float(metrics.get(k, math.nan)) for k in METRICS}, [str(c) for c in
                                                                     class_names],
              X.copy(), y.copy())
    return _validated(run)


def _plain_config(config):
    """A JSON-safe deep copy (NumPy numbers and arrays become Python ones)."""
    def plain(value):
        if isinstance(value, (np.generic, np.ndarray)):
            return value.tolist()
        raise RunsError(_("the setting {value} cannot be saved").format(value=repr(value)))
    return json.loads(json.dumps(dict(config), default=plain))


# ---- JSON -------------------------------------------------------------------------------
def _number_or_none(v):
    return None if not math.isfinite(v) else float(v)


def _run_to_dict(run):
    return {
        "name": run.name,
        "config": run.config,
        "history": {k: [_number_or_none(v) for v in run.history[k]] for k in CURVES},
        "boundary": {"shape": list(run.boundary.shape),
                     "data": base64.b64encode(run.boundary.tobytes()).decode("ascii")},
        "grid_x": [float(v) for v in run.grid_x],
        "grid_y": [float(v) for v in run.grid_y],
        "metrics": {k: _number_or_none(run.metrics[k]) for k in METRICS},
        "class_names": run.class_names,
        "points": {"X": run.X.tolist(), "y": run.y.tolist()},
    }


def _fail(where, message):
    raise RunsFileError(f"{where}: {message}"
                        + ("" if message.endswith((".", "?", "。", "？")) else _(".")))


def _check(schema_validator, document, **context):
    problem = refusal(schema_validator, document, RunsFileError, **context)
    if problem is not None:
        raise problem


def _floats(values):
    """A float array of JSON numbers, null as NaN (the schema checked the items)."""
    return np.array([math.nan if v is None else v for v in values], dtype=float)


def _run_from_dict(d, where):
    """A Run from one entry of a runs file: its structure is file_formats.RUN_SCHEMA's,
    what a schema cannot say (lengths against each other, the boundary's bytes, the values'
    ranges) is checked here and by _validated."""
    _check(file_formats.RUN_ENTRY, d, where=where)
    try:
        name = _clean_name(d["name"])
    except RunsError as err:
        _fail(where, str(err))
    where = f"{where} (\"{name}\")"
    _check(file_formats.RUN, d, where=where)
    history = {k: _floats(d["history"][k]) for k in CURVES}
    if len({len(v) for v in history.values()}) != 1:
        _fail(where, _("the history columns have different lengths"))
    grid = _boundary_grid(d["boundary"], where)
    grid_x, grid_y = _floats(d["grid_x"]), _floats(d["grid_y"])
    for axis, values, length in (("grid_x", grid_x, grid.shape[1]),
                                 ("grid_y", grid_y, grid.shape[0])):
        if len(values) != length:
            _fail(f"{where}, {axis}", _("must have {n} values; it has {count}")
                  .format(n=length, count=number(len(values))))
    metrics = _floats([d["metrics"].get(k) for k in METRICS])
    names = d["class_names"]
    X, y = _points(d.get("points", {"X": [], "y": []}), names, where)
    run = Run(name, d["config"], history, grid, grid_x, grid_y,
              dict(zip(METRICS, metrics.tolist())), list(names), X, y)
    try:
        return _validated(run)
    except RunsError as err:
        _fail(where, str(err))


def _boundary_grid(boundary, where):
    """The boundary's (h, w) or (h, w, 3) uint8 grid, its size checked before decoding."""
    shape, data = boundary["shape"], boundary["data"]
    n_bytes = math.prod(shape)
    if len(data) != 4 * -(-n_bytes // 3):  # base64's length, before decoding
        _fail(where, _("boundary data has {n} characters; shape {shape} needs {needed}")
              .format(n=number(len(data)), shape=shape, needed=number(4 * -(-n_bytes // 3))))
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        _fail(where, _("boundary data is not valid base64"))
    if len(raw) != n_bytes:
        _fail(where, _("boundary data has {n} bytes; shape {shape} needs {needed}")
              .format(n=len(raw), shape=shape, needed=n_bytes))
    return np.frombuffer(raw, dtype=np.uint8).reshape(shape).copy()


def _points(points, names, where):
    """(X, y) of a run's points: class numbers for classes, values for a regression."""
    if len(points["X"]) != len(points["y"]):
        _fail(where, _("points must be at most {n}, one label each; the file has {points} and "
                       "{labels} labels").format(n=MAX_POINTS, points=number(len(points["X"])),
                                                 labels=number(len(points["y"]))))
    X = np.array(points["X"], dtype=float).reshape(-1, 2)
    y = np.array(points["y"], dtype=float)
    if names and len(y) and ((y != np.round(y)).any() or y.min() < 0
                             or y.max() >= len(names)):
        _fail(where, _("points.y must be class numbers"))
    return X, y.astype(np.int64) if names else y


def _validated(run):
    """Checks shared by make_run and file loading; RunsError on the first problem."""
    if not (len(run.class_names) == 0 or 2 <= len(run.class_names) <= MAX_CLASSES):
        raise RunsError(_("a run needs 2 to {n} classes (none for a regression); got {count}")
                        .format(n=MAX_CLASSES, count=len(run.class_names)))
    b = run.boundary
    if not (b.ndim == 2 or (b.ndim == 3 and b.shape[2] == 3)) or min(b.shape) < 1 \
            or max(b.shape[:2]) > MAX_GRID:
        raise RunsError(_("the boundary must be (h, w) or (h, w, 3) up to {n}; got {shape}")
                        .format(n=MAX_GRID, shape=b.shape))
    if (b.ndim == 3) != (len(run.class_names) > 2):
        raise RunsError(_("the boundary's colours do not match the number of classes"))
    if run.grid_x.shape != (b.shape[1],) or run.grid_y.shape != (b.shape[0],) \
            or not (np.diff(run.grid_x) > 0).all() or not (np.diff(run.grid_y) > 0).all() \
            or not np.isfinite(run.grid_x).all() or not np.isfinite(run.grid_y).all():
        raise RunsError(_("the boundary's axes must increase and match its shape"))
    epochs = run.history["epoch"]
    if len(epochs) and (not np.isfinite(epochs).all() or (epochs != np.round(epochs)).any()
                        or (np.diff(epochs) <= 0).any() or epochs[0] < 0):
        raise RunsError(_("the history's epochs must be whole numbers that increase"))
    for k in ("train_loss", "test_loss"):
        v = run.history[k]
        if (v[np.isfinite(v)] < 0).any():
            raise RunsError(_("the history's {column} must not be negative").format(column=k))
    for k in ("train_acc", "test_acc"):
        v = run.history[k]
        if ((v[np.isfinite(v)] < 0) | (v[np.isfinite(v)] > 1)).any():
            raise RunsError(_("the history's {column} must lie between 0 and 1").format(column=k))
    if len(run.X) != len(run.y) or len(run.X) > MAX_POINTS:
        raise RunsError(_("the run's points do not match their labels"))
    return run


# ---- the collection ------------------------------------------------------------------------
class RunCollection:
    """Up to MAX_RUNS runs with unique names, in the order they were saved."""

    def __init__(self, max_runs=MAX_RUNS):
        self.max_runs = max_runs
        self._runs = []

    def __len__(self):
        return len(self._runs)

    def __iter__(self):
        return iter(list(self._runs))

    def __contains__(self, name):
        return any(r.name == name for r in self._runs)

    @property
    def names(self):
        return [r.name for r in self._runs]

    @property
    def full(self):
        return len(self._runs) >= self.max_runs

    def get(self, name):
        for run in self._runs:
            if run.name == name:
                return run
        raise RunsError(_("There is no saved run called \"{name}\".").format(name=name))

    def unique_name(self, base):
        """``base``, or ``base (2)``, ``base (3)``... whichever is free (and short enough)."""
        base = _clean_name(base)
        taken = set(self.names)
        if base not in taken:
            return base
        for i in range(2, 10 * self.max_runs + 2):
            suffix = f" ({i})"
            candidate = _shortened(base, MAX_NAME_LENGTH - len(suffix)) + suffix
            if candidate not in taken:
                return candidate
        raise RunsError(_("No free name; rename a run first."))

    def add(self, run):
        if self.full:
            raise RunsError(_("{n} runs are saved already, the most there is room for. Delete "
                              "one first.").format(n=self.max_runs))
        if run.name in self:
            raise RunsError(_("A run called \"{name}\" exists already; choose another name.")
                            .format(name=run.name))
        self._runs.append(run)
        return run

    def delete(self, name):
        self.get(name)
        self._runs = [r for r in self._runs if r.name != name]

    def rename(self, old, new):
        run = self.get(old)
        new = _clean_name(new)
        if new != old and new in self:
            raise RunsError(_("A run called \"{name}\" exists already; choose another name.")
                            .format(name=new))
        run.name = new
        return new

    def clear(self):
        self._runs = []

    def differing_keys(self, names=None):
        """Config keys (in first-seen order) whose values are not the same in all the
        chosen runs; a key missing from some runs counts as differing."""
        runs = [self.get(n) for n in names] if names is not None else self._runs
        keys = list(dict.fromkeys(k for r in runs for k in r.config))
        missing = object()
        return [k for k in keys
                if len({json.dumps(r.config.get(k, missing), sort_keys=True, default=repr)
                        for r in runs}) > 1]

    def settings_table(self, names=None):
        """Rows (key, [value per run], differs) for every config key of the chosen runs."""
        runs = [self.get(n) for n in names] if names is not None else self._runs
        differing = set(self.differing_keys([r.name for r in runs]))
        keys = list(dict.fromkeys(k for r in runs for k in r.config))
        return [(k, [r.config.get(k) for r in runs], k in differing) for k in keys]

    def to_json(self):
        """Every run in one UTF-8 JSON file."""
        document = {"format": RUNS_FORMAT, "version": RUNS_VERSION,
                    "runs": [_run_to_dict(r) for r in self._runs]}
        return json.dumps(document, separators=(",", ":"), allow_nan=False).encode("utf-8")

    def import_json(self, data):
        """Add the runs of a ``to_json`` file, renaming any whose name is taken. All or
        nothing: RunsFileError (and no change) if the file is bad or the runs do not fit.
        Returns the names they were added under."""
        runs = read_runs_file(data)
        if len(self._runs) + len(runs) > self.max_runs:
            raise RunsFileError(ngettext(
                "The file holds {n} run and {saved} are saved; there is room for {total}. "
                "Delete some first.",
                "The file holds {n} runs and {saved} are saved; there is room for {total}. "
                "Delete some first.", len(runs)).format(n=len(runs), saved=len(self._runs),
                                                        total=self.max_runs))
        added = []
        for run in runs:
            run.name = self.unique_name(run.name)
            self._runs.append(run)
            added.append(run.name)
        return added


def read_runs_file(data):
    """The runs in a ``to_json`` file; RunsFileError naming the first problem."""
    doc = load_json(data, N_("runs file"), RunsFileError)
    _check(file_formats.RUNS, doc)
    parsed = [_run_from_dict(d, _("Run {n}").format(n=i + 1)) for i, d in enumerate(doc["runs"])]
    names = [r.name for r in parsed]
    if len(set(names)) != len(names):
        raise RunsFileError(_("The runs file names two runs the same."))
    return parsed


def default_name(config, epoch):
    """A name that says what the run was, e.g. "Circles, 4-4, adam 0.03, epoch 120", made
    of whole parts: where the full name is too long, the architecture is summed up and then
    parts are left out, so no number is ever cut (the settings are all in the run)."""
    dataset = _(DATASET_LABELS.get(config["dataset"], config["dataset"]))
    hidden = "-".join(str(n) for n in config["hidden"]) or _("linear")
    layers = config["hidden"]
    summed = f"{len(layers)}×{layers[0]}" if layers and len(set(layers)) == 1 \
        else _("{n} layers").format(n=len(layers)) if layers else _("linear")
    training = f"{config['optimizer']} {config['lr']:g}"
    end = _("epoch {n}").format(n=epoch)
    short = re.split(r" \(|（", dataset)[0]  # "Plane (regression)" -> "Plane"
    candidates = ((dataset, hidden, training, end), (short, hidden, training, end),
                  (short, summed, training, end), (short, training, end), (short, end), (end,))
    for parts in candidates:
        name = _(", ").join(parts)
        if len(name) <= MAX_NAME_LENGTH:
            return name
    return end[:MAX_NAME_LENGTH]


def _shortened(name, length):
    """``name`` in at most ``length`` characters, cut after a whole word (never inside a
    number) and marked with "…"."""
    if len(name) <= length:
        return name
    cut = name[:length - 1]
    if name[length - 1] != " " and " " in cut:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;") + "…"


def run_from_state(name, state, class_names=None):
    """A Run of the Playground's current state (a PlaygroundState): its config,
    history, current boundary and a sample of its training points."""
    names = [] if state.regression else class_names or getattr(state, "class_names", None) \
        or [str(k) for k in range(state.n_classes)]
    return make_run(name, experiment(state.config), state.trainer.history, state.boundary_u8(),
                    state.grid_x, state.grid_y, names, state.train.X, state.train.y)
