"""What a user takes away from a run and brings back: the model as JSON (and back into the
Playground), and a standalone training script.

The script is the real module ``app_logic/train_script.py`` (linted and tested like any
other): an export is its source with the run's settings, and for drawn or uploaded data its
points, written into the two marked blocks. The GIF of the boundary forming is a picture,
so it lives in viz/gif.py.
"""

import json
import pathlib
from dataclasses import dataclass

import numpy as np

import mlp_core as mc

from . import own_data, train_script
from .files import (
    MAX_ABS_VALUE,
    MAX_CLASSES,
    MAX_EPOCHS,
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_UNITS,
    MAX_INPUTS,
    MAX_LABEL_CHARS,
    MAX_MODEL_PARAMS,
    MAX_POINTS,
    MAX_SETTING_CHARS,
    MAX_SETTINGS,
    FileError,
    load_json,
)
from .own_data import OwnData
from .session import build_state, network_inputs, output_for, penalties
from .settings import (
    DEFAULTS,
    INIT_CHOICES,
    MOMENTUM,
    OWN_DATASETS,
    TUTORIAL_INIT_SEED,
    default_config,
    experiment,
    validate_config,
)

MODEL_FORMAT = "backprop-playground-model"
MODEL_VERSION = 1
DATASET_CLASSES = {"circles": 2, "moons": 2, "xor": 2, "gaussians": 2, "spiral": 2,
                   "blobs3": 3, "spiral3": 3, "plane": 0, "gaussian_sum": 0, "tutorial": 2}


class ModelFileError(FileError):
    """A model file that cannot be imported; ``str(error)`` is the message for the user."""


# ---- model JSON ---------------------------------------------------------------------------
def model_to_json(net, config, feature_names, mean, std, class_names, epoch=0, own=None):
    """UTF-8 JSON bytes with everything needed to use the network on raw points (a
    regression has no class names), and the epoch it was trained to. A network trained on
    points drawn or uploaded (``own``, an OwnData) keeps them, so it imports anywhere."""
    document = {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "epoch": int(epoch),
        "config": experiment({**default_config(), **config}),
        "features": list(feature_names),
        "normalisation": {"mean": [float(v) for v in mean], "std": [float(v) for v in std]},
        "class_names": [str(c) for c in class_names],
        "model": net.to_dict(),
    }
    if own is not None:
        document["points"] = {"source": own.source, "X": own.data.X.tolist(),
                              "y": own.data.y.tolist(), "axis_names": list(own.axis_names),
                              "description": own.description}
    return json.dumps(document, indent=1, allow_nan=False).encode("utf-8")


@dataclass
class ImportedModel:
    net: mc.MLP
    config: dict
    feature_names: list
    mean: np.ndarray
    std: np.ndarray
    class_names: list  # [] for a regression
    epoch: int = 0  # the epoch the network was trained to
    own: OwnData | None = None  # the drawn or uploaded points it was trained on

    def predict_proba(self, X_raw):
        return self.net.predict_proba(network_inputs(X_raw, self.mean, self.std,
                                                     self.feature_names))

    def predict(self, X_raw):
        return mc.predicted_labels(self.predict_proba(X_raw))


def _expect(condition, message):
    if not condition:
        raise ModelFileError(message)


def _is_number(v):
    """A finite JSON number (a bool is not one; load_json bounds integers to 40 digits)."""
    if isinstance(v, float):
        return v == v and abs(v) != float("inf")
    return isinstance(v, int) and not isinstance(v, bool) and abs(v) < 1.8e308


def _is_count(v, low=0, high=None):
    return isinstance(v, int) and not isinstance(v, bool) and v >= low \
        and (high is None or v <= high)


def _numbers(value, name, length):
    """A float array of exactly ``length`` finite numbers; the length is checked before any
    item is read, strings and booleans are refused."""
    _expect(isinstance(value, list) and len(value) == length,
            f"\"{name}\" must be a list of {length} numbers"
            + (f"; it has {len(value):,} items." if isinstance(value, list) else "."))
    for i, v in enumerate(value):
        _expect(_is_number(v), f"\"{name}\" item {i + 1} is {_show(v)}, not a finite number.")
    return np.asarray(value, dtype=float)


def _matrix(value, shape, name):
    """A nested list of finite numbers with exactly ``shape``, checked row by row."""
    if len(shape) == 1:
        return _numbers(value, name, shape[0])
    _expect(isinstance(value, list) and len(value) == shape[0],
            f"\"{name}\" must have shape {tuple(shape)} to match the layer sizes.")
    return np.array([_matrix(row, shape[1:], f"{name}[{i}]") for i, row in enumerate(value)])


def _show(value):
    """A value from a file, short, for a message."""
    if isinstance(value, str):
        return f"the text \"{value[:20]}{'…' if len(value) > 20 else ''}\""
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    if isinstance(value, (list, dict)):
        return "a list" if isinstance(value, list) else "an object"
    return repr(value)[:30]


def _class_names(names):
    _expect(isinstance(names, list), "\"class_names\" must be a list of names.")
    _expect(len(names) == 0 or 2 <= len(names) <= MAX_CLASSES,
            f"\"class_names\" must list 2 to {MAX_CLASSES} classes (none for a regression); it "
            f"has {len(names):,}.")
    _expect(all(isinstance(c, str) for c in names), "\"class_names\" must be a list of names.")
    _expect(all(len(c) <= MAX_LABEL_CHARS for c in names),
            f"A class name in the file is longer than {MAX_LABEL_CHARS} characters.")
    _expect(len(set(names)) == len(names), "\"class_names\" repeats a name.")
    return list(names)


def _layer_sizes(model, n_features, n_classes):
    sizes = model.get("layer_sizes")
    _expect(isinstance(sizes, list) and 2 <= len(sizes) <= MAX_HIDDEN_LAYERS + 2,
            f"\"model.layer_sizes\" must list the inputs, at most {MAX_HIDDEN_LAYERS} hidden "
            f"layers and the outputs"
            + (f"; it has {len(sizes):,} sizes." if isinstance(sizes, list) else "."))
    _expect(all(_is_count(s, 1) for s in sizes),
            "\"model.layer_sizes\" must be a list of positive integers.")
    hidden = sizes[1:-1]
    _expect(all(h <= MAX_HIDDEN_UNITS for h in hidden),
            f"The network is larger than the app allows ({MAX_HIDDEN_LAYERS} hidden layers of "
            f"at most {MAX_HIDDEN_UNITS} neurons).")
    _expect(sizes[0] == n_features, f"The network has {sizes[0]:,} inputs but {n_features} "
                                    f"features are listed.")
    n_out, _ = output_for(n_classes)
    what = "a regression needs" if n_classes == 0 else f"{n_classes} classes need"
    _expect(sizes[-1] == n_out, f"The network has {sizes[-1]:,} outputs; {what} {n_out}.")
    n_params = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    _expect(n_params <= MAX_MODEL_PARAMS, f"The network has {n_params:,} weights and biases; "
                                          f"the app's largest has {MAX_MODEL_PARAMS:,}.")
    return sizes


def model_from_json(data):
    """ImportedModel from ``model_to_json`` bytes; ModelFileError naming what is wrong.
    Every size, type and setting is checked before the network is built."""
    doc = load_json(data, "model file", ModelFileError)
    _expect(isinstance(doc, dict), "The model file must hold a JSON object.")
    _expect(doc.get("format") == MODEL_FORMAT,
            f"This is not a Backprop Playground model file (\"format\" must be "
            f"\"{MODEL_FORMAT}\").")
    version = doc.get("version")
    _expect(_is_count(version), "The model file has no valid \"version\".")
    _expect(version <= MODEL_VERSION, f"The model file has version {version}; this app reads "
                                      f"version {MODEL_VERSION}. Is the app out of date?")
    _expect(version == MODEL_VERSION, f"Unknown model file version {version}.")
    missing = [k for k in ("config", "features", "normalisation", "class_names", "model")
               if k not in doc]
    _expect(not missing, f"The model file is missing {', '.join(missing)}.")
    epoch = doc.get("epoch", 0)
    _expect(_is_count(epoch, 0, MAX_EPOCHS),
            f"\"epoch\" must be a whole number from 0 to {MAX_EPOCHS:,}; it is {_show(epoch)}.")

    features = doc["features"]
    _expect(isinstance(features, list) and 1 <= len(features) <= MAX_INPUTS
            and all(isinstance(f, str) for f in features),
            f"\"features\" must list 1 to {MAX_INPUTS} feature names.")
    unknown = [f for f in features if f not in mc.FEATURES]
    _expect(not unknown, f"Unknown feature {unknown[0][:20] if unknown else ''!r}; known: "
                         f"{', '.join(mc.FEATURES)}.")
    _expect(len(set(features)) == len(features), "\"features\" names a feature twice.")

    norm = doc["normalisation"]
    _expect(isinstance(norm, dict), "\"normalisation\" must hold \"mean\" and \"std\".")
    mean = _numbers(norm.get("mean"), "normalisation.mean", 2)
    std = _numbers(norm.get("std"), "normalisation.std", 2)
    _expect((std > 0).all(), "\"normalisation.std\" must be positive.")

    names = _class_names(doc["class_names"])
    model, sizes, weights, biases = _network_parts(doc["model"], features, names)
    config = _matching_config(doc["config"], model, sizes, features, names)
    try:
        net = mc.MLP.from_dict({**model, "weights": weights, "biases": biases})
    except ValueError as err:
        raise ModelFileError(f"The network in the file is invalid: {err}.") from None
    own = _own_points(doc.get("points"), config["dataset"], names)
    return ImportedModel(net, config, list(features), mean, std, names, epoch, own)


def _own_points(points, dataset, names):
    """The OwnData of a file's "points" (None without them), every size and type checked;
    only a network trained on drawn or uploaded points has them."""
    if points is None:
        return None
    _expect(dataset in OWN_DATASETS, f"The file holds points, but its network was trained "
                                     f"on the dataset \"{dataset}\", which makes its own.")
    _expect(isinstance(points, dict) and points.get("source") == dataset,
            f"\"points\" must be an object whose \"source\" is \"{dataset}\".")
    X, y = points.get("X"), points.get("y")
    _expect(isinstance(X, list) and isinstance(y, list) and len(X) == len(y)
            and 2 <= len(X) <= MAX_POINTS,
            f"\"points\" must hold \"X\" and \"y\" of the same length, 2 to {MAX_POINTS:,}.")
    X = _matrix(X, (len(y), 2), "points.X")
    _expect(np.abs(X).max() <= MAX_ABS_VALUE,
            f"A coordinate in \"points.X\" is larger than {MAX_ABS_VALUE:g}.")
    _expect(all(_is_count(v, 0, len(names) - 1) for v in y),
            f"\"points.y\" must hold class numbers from 0 to {len(names) - 1}.")
    axis_names = points.get("axis_names", ["x1", "x2"])
    description = points.get("description", "")
    _expect(isinstance(axis_names, list) and len(axis_names) == 2
            and all(isinstance(a, str) and len(a) <= MAX_LABEL_CHARS for a in axis_names),
            f"\"points.axis_names\" must be two names of at most {MAX_LABEL_CHARS} characters.")
    _expect(isinstance(description, str) and len(description) <= MAX_SETTING_CHARS,
            f"\"points.description\" must be a text of at most {MAX_SETTING_CHARS} characters.")
    y = np.asarray(y, dtype=np.int64)
    _expect(len(np.unique(y)) == len(names), "\"points.y\" must use every class.")
    return OwnData(dataset, mc.Dataset(X, y, len(names), dataset), list(names),
                   tuple(axis_names), description)


def _network_parts(model, features, names):
    """(model, layer sizes, weights, biases) of the file's "model", every size and type
    checked."""
    _expect(isinstance(model, dict), "\"model\" must be a JSON object.")
    sizes = _layer_sizes(model, len(features), len(names))
    acts = model.get("activations")
    _expect(isinstance(acts, list) and len(acts) == len(sizes) - 1
            and all(isinstance(a, str) for a in acts),
            "\"model.activations\" must name one activation per layer.")
    _, out_activation = output_for(len(names))
    what = "a regression" if not names else f"{len(names)} classes"
    _expect(acts[-1] == out_activation,
            f"The output activation must be {out_activation} for {what}; the file has "
            f"\"{acts[-1][:20]}\".")
    _expect(len(set(acts[:-1])) <= 1, "All hidden layers must use the same activation.")
    unknown = [a for a in acts[:-1] if a not in mc.ACTIVATIONS]
    _expect(not unknown, f"\"model.activations[0]\" is \"{unknown[0][:20] if unknown else ''}"
                         f"\"; known: {', '.join(mc.ACTIVATIONS)}.")
    init, seed = model.get("init", "he"), model.get("seed", 0)
    _expect(isinstance(init, str) and init in INIT_CHOICES,
            f"\"model.init\" must be one of {', '.join(INIT_CHOICES)}.")
    _expect(_is_count(seed, 0, mc.MAX_SEED), f"\"model.seed\" must be a whole number from 0 "
                                            f"to {mc.MAX_SEED:,}; it is {_show(seed)}.")
    for key in ("weights", "biases"):
        _expect(isinstance(model.get(key), list) and len(model[key]) == len(sizes) - 1,
                f"\"model.{key}\" must hold one array per layer ({len(sizes) - 1}).")
    weights = [_matrix(w, (a, b), f"model.weights[{k}]")
               for k, (w, a, b) in enumerate(zip(model["weights"], sizes[:-1], sizes[1:]))]
    biases = [_matrix(b, (n,), f"model.biases[{k}]")
              for k, (b, n) in enumerate(zip(model["biases"], sizes[1:]))]
    return model, sizes, weights, biases


def _matching_config(raw, model, sizes, features, names):
    """The file's settings, checked to describe its network, before the network is built."""
    init, seed = model.get("init", "he"), model.get("seed", 0)
    config = _imported_config(raw)
    hidden = sizes[1:-1]
    offset = TUTORIAL_INIT_SEED if init == "randn" else 0  # as build_network seeds it
    checks = {"features": features, "hidden": hidden, "init": init, "seed": seed - offset}
    if hidden:
        checks["activation"] = model["activations"][0]
    for key, expected in checks.items():
        _expect(config[key] == expected, f"\"config.{key}\" ({_show(config[key])}) does not "
                                         f"match the network ({_show(expected)}).")
    dataset = config["dataset"]
    if dataset in DATASET_CLASSES:
        n = DATASET_CLASSES[dataset]
        _expect(n == len(names), f"The dataset \"{dataset}\" has "
                                 f"{'no classes (a regression)' if n == 0 else f'{n} classes'}"
                                 f"; the file lists {len(names)} class names.")
    return config


def _setting_type_ok(key, value):
    """A setting's value has its default's type: numbers where numbers belong (no text, no
    booleans), lists of short names or numbers where lists belong."""
    default = DEFAULTS.get(key)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, (int, float)):
        return _is_number(value)
    if isinstance(default, str):
        return isinstance(value, str) and len(value) <= MAX_SETTING_CHARS
    if isinstance(default, list):
        return isinstance(value, list) and len(value) <= MAX_SETTINGS and all(
            isinstance(v, str) and len(v) <= MAX_SETTING_CHARS or _is_number(v) for v in value)
    return True  # an unknown setting: validate_config names it


def _imported_config(raw):
    """The file's settings checked with the Playground's own validator: every setting must
    be known and in range (a dataset of the user's own points is kept as named)."""
    _expect(isinstance(raw, dict), "\"config\" must be a JSON object.")
    _expect(len(raw) <= MAX_SETTINGS, f"\"config\" has {len(raw):,} settings; the limit is "
                                      f"{MAX_SETTINGS}.")
    wrong = [k for k, v in raw.items() if not _setting_type_ok(k, v)]
    _expect(not wrong, f"The setting \"{wrong[0][:40] if wrong else ''}\" in the file has a "
                       f"value of the wrong kind ({_show(raw[wrong[0]]) if wrong else ''}).")
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
    if state.regression:
        names = []
    return model_to_json(state.net, state.config, state.feature_names, state.mean, state.std,
                         names, state.epoch, state.own)


def state_from_import(imported, own=None):
    """A fresh PlaygroundState for the imported config, holding the imported weights.
    A network trained on drawn or uploaded points trains on the points its file keeps; a
    file saved without them needs ``own`` (an OwnData of the same source) to hold the same
    points (ModelFileError if it is missing or its points differ)."""
    dataset = imported.config["dataset"]
    if imported.own is not None:
        own = imported.own
    elif dataset in OWN_DATASETS:
        what = "drew" if dataset == "draw" else "uploaded"
        if own is None or own.source != dataset:
            verb = "draw" if dataset == "draw" else "upload"
            raise ModelFileError(f"This model was trained on points you {what}, and the file "
                                 f"was saved without them; {verb} the same points first, then "
                                 f"import it again.")
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
    state.trainer.epoch = imported.epoch  # training goes on from the epoch it reached
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
    fraction = config["test_fraction"] if data is None or dataset not in OWN_DATASETS \
        else own_data.test_fraction(len(data.y), config["test_fraction"])  # as the app splits
    settings = [
        f"DATASET = {dataset!r}",
        f"N_SAMPLES = {int(config['n_samples'])!r}",
        f"NOISE = {float(config['noise'])!r}",
        f"N_CLASSES = {n_classes!r}",
        f"TEST_FRACTION = {float(fraction)!r}",
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
