"""What a user takes away from a run and brings back: the model as JSON (and back into the
Playground), and a standalone training script.

The script is the real module ``app_logic/train_script.py`` (linted and tested like any
other): an export is its source with the run's settings, and for drawn or uploaded data its
points, written into the two marked blocks. The GIF of the boundary forming is a picture,
so it lives in viz/gif.py.
"""

import json
import math
import pathlib
from dataclasses import dataclass

import numpy as np

import mlp_core as mc

from . import train_script
from .files import MAX_CLASSES, FileError, load_json
from .session import build_state, network_inputs, penalties
from .settings import (
    MAX_LAYERS,
    MAX_NEURONS,
    MOMENTUM,
    OWN_DATASETS,
    default_config,
    experiment,
    validate_config,
)

MODEL_FORMAT = "backprop-playground-model"
MODEL_VERSION = 1
MAX_NAME_LENGTH = 60  # of a class name
DATASET_CLASSES = {"circles": 2, "moons": 2, "xor": 2, "gaussians": 2, "spiral": 2,
                   "blobs3": 3, "spiral3": 3, "plane": 0, "gaussian_sum": 0, "tutorial": 2}


class ModelFileError(FileError):
    """A model file that cannot be imported; ``str(error)`` is the message for the user."""


# ---- model JSON ---------------------------------------------------------------------------
def model_to_json(net, config, feature_names, mean, std, class_names):
    """UTF-8 JSON bytes with everything needed to use the network on raw points."""
    document = {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "config": experiment({**default_config(), **config}),
        "features": list(feature_names),
        "normalisation": {"mean": [float(v) for v in mean], "std": [float(v) for v in std]},
        "class_names": [str(c) for c in class_names],
        "model": net.to_dict(),
    }
    return json.dumps(document, indent=1, allow_nan=False).encode("utf-8")


@dataclass
class ImportedModel:
    net: mc.MLP
    config: dict
    feature_names: list
    mean: np.ndarray
    std: np.ndarray
    class_names: list

    def predict_proba(self, X_raw):
        return self.net.predict_proba(network_inputs(X_raw, self.mean, self.std,
                                                     self.feature_names))

    def predict(self, X_raw):
        return mc.predicted_labels(self.predict_proba(X_raw))


def _numbers(value, name, length=None):
    if not isinstance(value, list) or (length is not None and len(value) != length):
        size = f" of {length}" if length is not None else ""
        raise ModelFileError(f"\"{name}\" must be a list{size} numbers.")
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ModelFileError(f"\"{name}\" holds {v!r}, which is not a finite number.")
    return np.asarray(value, dtype=float)


def _matrix(value, shape, name):
    """A nested list of finite numbers with exactly ``shape``; strings or bools are refused
    (NumPy would quietly convert "1.5")."""
    if len(shape) == 1:
        return _numbers(value, name, shape[0])
    if not isinstance(value, list) or len(value) != shape[0]:
        raise ModelFileError(f"\"{name}\" must have shape {tuple(shape)} to match the layer "
                             f"sizes.")
    return np.array([_matrix(row, shape[1:], f"{name}[{i}]") for i, row in enumerate(value)])


def _expect(condition, message):
    if not condition:
        raise ModelFileError(message)


def model_from_json(data):
    """ImportedModel from ``model_to_json`` bytes; ModelFileError naming what is wrong."""
    doc = load_json(data, "model file", ModelFileError)
    _expect(isinstance(doc, dict), "The model file must hold a JSON object.")
    _expect(doc.get("format") == MODEL_FORMAT,
            f"This is not a Backprop Playground model file (\"format\" must be "
            f"\"{MODEL_FORMAT}\").")
    version = doc.get("version")
    _expect(isinstance(version, int) and not isinstance(version, bool),
            "The model file has no valid \"version\".")
    _expect(version <= MODEL_VERSION, f"The model file has version {version}; this app reads "
                                      f"version {MODEL_VERSION}. Is the app out of date?")
    _expect(version == MODEL_VERSION, f"Unknown model file version {version}.")
    missing = [k for k in ("config", "features", "normalisation", "class_names", "model")
               if k not in doc]
    _expect(not missing, f"The model file is missing {', '.join(missing)}.")

    features = doc["features"]
    _expect(isinstance(features, list) and features
            and all(isinstance(f, str) for f in features),
            "\"features\" must be a non-empty list of feature names.")
    unknown = [f for f in features if f not in mc.FEATURES]
    _expect(not unknown, f"Unknown feature {unknown[0]!r}; known: {', '.join(mc.FEATURES)}."
            if unknown else "")
    _expect(len(set(features)) == len(features), "\"features\" names a feature twice.")

    norm = doc["normalisation"]
    _expect(isinstance(norm, dict), "\"normalisation\" must hold \"mean\" and \"std\".")
    mean = _numbers(norm.get("mean"), "normalisation.mean", 2)
    std = _numbers(norm.get("std"), "normalisation.std", 2)
    _expect((std > 0).all(), "\"normalisation.std\" must be positive.")

    names = doc["class_names"]
    _expect(isinstance(names, list) and all(isinstance(c, str) for c in names),
            "\"class_names\" must be a list of names.")
    _expect(2 <= len(names) <= MAX_CLASSES, f"\"class_names\" must list 2 to {MAX_CLASSES} "
                                            f"classes; it has {len(names)}.")
    _expect(len(set(names)) == len(names), "\"class_names\" repeats a name.")
    _expect(all(len(c) <= MAX_NAME_LENGTH for c in names), "A class name is too long.")

    model = doc["model"]
    _expect(isinstance(model, dict), "\"model\" must be a JSON object.")
    sizes = model.get("layer_sizes")
    _expect(isinstance(sizes, list) and len(sizes) >= 2
            and all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes),
            "\"model.layer_sizes\" must be a list of positive integers.")
    _expect(sizes[0] == len(features), f"The network has {sizes[0]} inputs but "
                                       f"{len(features)} features are listed.")
    n_out = 1 if len(names) == 2 else len(names)
    _expect(sizes[-1] == n_out, f"The network has {sizes[-1]} outputs; {len(names)} classes "
                                f"need {n_out}.")
    hidden = sizes[1:-1]
    _expect(len(hidden) <= MAX_LAYERS and all(h <= MAX_NEURONS for h in hidden),
            f"The network is larger than the app allows ({MAX_LAYERS} hidden layers of "
            f"at most {MAX_NEURONS} neurons).")
    acts = model.get("activations")
    _expect(isinstance(acts, list) and len(acts) == len(sizes) - 1
            and all(isinstance(a, str) for a in acts),
            "\"model.activations\" must name one activation per layer.")
    _expect(acts[-1] == ("sigmoid" if n_out == 1 else "softmax"),
            f"The output activation must be {'sigmoid' if n_out == 1 else 'softmax'} for "
            f"{len(names)} classes; the file has {acts[-1]!r}.")
    _expect(len(set(acts[:-1])) <= 1, "All hidden layers must use the same activation.")
    for key in ("weights", "biases"):
        _expect(isinstance(model.get(key), list) and len(model[key]) == len(sizes) - 1,
                f"\"model.{key}\" must hold one array per layer ({len(sizes) - 1}).")
    weights = [_matrix(w, (a, b), f"model.weights[{k}]")
               for k, (w, a, b) in enumerate(zip(model["weights"], sizes[:-1], sizes[1:]))]
    biases = [_matrix(b, (n,), f"model.biases[{k}]")
              for k, (b, n) in enumerate(zip(model["biases"], sizes[1:]))]
    try:
        net = mc.MLP.from_dict({**model, "weights": [w.tolist() for w in weights],
                                "biases": [b.tolist() for b in biases]})
    except ValueError as err:
        raise ModelFileError(f"The network in the file is invalid: {err}.") from None

    config = _imported_config(doc["config"])
    checks = {"features": features, "hidden": hidden, "init": net.init, "seed": net.seed}
    if hidden:
        checks["activation"] = acts[0]
    for key, expected in checks.items():
        _expect(config[key] == expected, f"\"config.{key}\" ({config[key]!r}) does not match "
                                         f"the network ({expected!r}).")
    return ImportedModel(net, config, list(features), mean, std, list(names))


def _imported_config(raw):
    """The file's settings checked with the Playground's own validator: every setting must
    be known and in range (a dataset of the user's own points is kept as named)."""
    _expect(isinstance(raw, dict), "\"config\" must be a JSON object.")
    own = raw.get("dataset") if raw.get("dataset") in OWN_DATASETS else None
    config, problems = validate_config({k: v for k, v in raw.items()
                                            if not (own and k == "dataset")})
    _expect(not problems, "The file's settings are invalid: " + "; ".join(problems[:3]) + ".")
    if own:
        config["dataset"] = own
    return config


def model_json_from_state(state, class_names=None):
    """``model_to_json`` of the Playground's current network (a PlaygroundState)."""
    names = class_names or getattr(state, "class_names", None) \
        or [str(k) for k in range(state.n_classes)]
    return model_to_json(state.net, state.config, state.feature_names, state.mean, state.std,
                         names)


def state_from_import(imported, own=None):
    """A fresh PlaygroundState for the imported config, holding the imported weights.
    The points of a drawing or an upload are not in a model file: for those datasets ``own``
    (an OwnData of the same source) must hold the same points (ModelFileError if
    it is missing or its points differ)."""
    dataset = imported.config["dataset"]
    if dataset in OWN_DATASETS:
        what = "drew" if dataset == "draw" else "uploaded"
        if own is None or own.source != dataset:
            raise ModelFileError(f"This model was trained on points you {what}, which a model "
                                 f"file does not hold; {'draw' if dataset == 'draw' else 'upload'}"
                                 f" the same points first, then import it again.")
    else:
        own = None
    state = build_state(imported.config, own)
    if state.net.layer_sizes != imported.net.layer_sizes \
            or state.net.activations != imported.net.activations:
        raise ModelFileError(f"The file's network ({list(imported.net.layer_sizes)}) does not "
                             f"fit its data settings ({list(state.net.layer_sizes)}).")
    if not (np.allclose(state.mean, imported.mean, rtol=1e-9, atol=1e-12)
            and np.allclose(state.std, imported.std, rtol=1e-9, atol=1e-12)):
        if own is not None:
            raise ModelFileError("The model was trained on other points than the ones "
                                 f"{'drawn' if own.source == 'draw' else 'uploaded'} now "
                                 "(their mean and spread differ); load the same points first.")
        raise ModelFileError("The file's data normalisation does not match its data settings; "
                             "the file was changed after it was saved.")
    state.net.params[...] = imported.net.params  # in place: the trainer keeps the same net
    state.imported = True
    state.start = None  # the curves start from the imported weights
    state.metrics()
    state.snapshots.clear()
    state.record_snapshot()
    return state


# ---- the standalone script ----------------------------------------------------------------
SCRIPT_SOURCE = pathlib.Path(train_script.__file__)
SETTINGS_BLOCK = ("# ---- settings ----", "# ---- end of settings ----")
POINTS_BLOCK = ("# ---- points ----", "# ---- end of points ----")


def _replace_block(source, markers, lines):
    """``source`` with the lines strictly between the two marker lines replaced."""
    begin, end = markers
    rows = source.split("\n")
    starts = [i for i, row in enumerate(rows) if row.startswith(begin)]
    stops = [i for i, row in enumerate(rows) if row.startswith(end)]
    if len(starts) != 1 or len(stops) != 1 or stops[0] < starts[0]:
        raise RuntimeError(f"{SCRIPT_SOURCE.name} must hold the block {begin!r} ... {end!r}")
    return "\n".join(rows[:starts[0] + 1] + lines + rows[stops[0]:])


def _points_lines(X, y, class_names):
    """POINTS and LABELS as Python literals, exact floats, about 96 characters a line."""
    rows = [f"    [{float(a)!r}, {float(b)!r}]," for a, b in np.asarray(X, float)]
    labels, line = [], "   "
    for label in (str(int(v)) for v in y):
        if len(line) + len(label) + 2 > 96:
            labels.append(line)
            line = "   "
        line += f" {label},"
    labels.append(line)
    return [f"# Every point (in the data's own units) and its class 0..N_CLASSES-1; the class "
            f"names were {list(class_names)!r}.", "POINTS = [", *rows, "]", "LABELS = [",
            *labels, "]"]


def training_script(config, n_epochs, data=None, class_names=None):
    """Python source (NumPy, plus scikit-learn for the tutorial's circles) that reproduces a run
    of ``n_epochs`` epochs with ``config``; ``data`` (mc.Dataset) for draw/upload datasets."""
    config = {**default_config(), **(config or {})}
    if isinstance(n_epochs, bool) or not isinstance(n_epochs, (int, np.integer)) \
            or n_epochs < 1:
        raise ValueError(f"n_epochs must be an integer >= 1; got {n_epochs!r}")
    dataset = config["dataset"]
    source = SCRIPT_SOURCE.read_text(encoding="utf-8")
    if dataset in OWN_DATASETS:
        if data is None:
            raise ValueError(f"dataset {dataset!r} needs its points")
        n_classes = int(data.n_classes)
        names = list(class_names) if class_names else [str(k) for k in range(n_classes)]
        source = _replace_block(source, POINTS_BLOCK, _points_lines(data.X, data.y, names))
    elif dataset in DATASET_CLASSES:
        n_classes = DATASET_CLASSES[dataset]
    else:
        raise ValueError(f"dataset must be one of {', '.join([*DATASET_CLASSES, *OWN_DATASETS])}"
                         f"; got {dataset!r}")
    l1, l2 = penalties(config)
    settings = [
        f"DATASET = {dataset!r}",
        f"N_SAMPLES = {int(config['n_samples'])!r}",
        f"NOISE = {float(config['noise'])!r}",
        f"N_CLASSES = {n_classes!r}",
        f"TEST_FRACTION = {float(config['test_fraction'])!r}",
        f"SEED = {int(config['seed'])!r}  # data, split, initial weights and shuffling",
        f"FEATURES = {list(config['features'])!r}",
        f"HIDDEN = {[int(h) for h in config['hidden']]!r}  # neurons per hidden layer",
        f"ACTIVATION = {config['activation']!r}",
        f"INIT = {config['init']!r}  # he, xavier, normal or randn (the tutorial's)",
        f"OPTIMIZER = {config['optimizer']!r}  # sgd, momentum or adam",
        f"LEARNING_RATE = {float(config['lr'])!r}",
        f"MOMENTUM = {MOMENTUM!r}",
        "BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # Adam",
        f"BATCH_SIZE = {int(config['batch_size'])!r}",
        f"L1 = {l1!r}",
        f"L2 = {l2!r}",
        f"GRADIENTS = {config['gradients']!r}  # or \"tutorial\": with its three published "
        "errors",
        f"EPOCHS = {int(n_epochs)!r}",
    ]
    return _replace_block(source, SETTINGS_BLOCK, settings)
