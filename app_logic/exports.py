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
from viz.i18n import N_, _, number

from . import file_formats, own_data, train_script
from .files import (
    MAX_ABS_VALUE,
    MAX_HIDDEN_LAYERS,
    MAX_HIDDEN_UNITS,
    MAX_MODEL_PARAMS,
    MAX_POINTS,
    FileError,
    load_json,
    refusal,
    show,
)
from .own_data import OwnData
from .session import build_state, network_inputs, output_for, penalties
from .settings import (
    MOMENTUM,
    OWN_DATASETS,
    TUTORIAL_INIT_SEED,
    default_config,
    experiment,
    validate_config,
)

MODEL_FORMAT = file_formats.MODEL_FORMAT
MODEL_VERSION = file_formats.MODEL_VERSION
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


def model_from_json(data):
    """ImportedModel from ``model_to_json`` bytes; ModelFileError naming what is wrong.
    The structure is checked against file_formats.MODEL_SCHEMA, then what a schema cannot
    say (sizes against each other, the settings against the network), all before the
    network is built."""
    doc = load_json(data, N_("model file"), ModelFileError)
    problem = refusal(file_formats.MODEL, doc, ModelFileError)
    if problem is not None:
        raise problem
    features, names, model = doc["features"], doc["class_names"], doc["model"]
    sizes = _layer_sizes(model["layer_sizes"], len(features), len(names))
    _check_activations(model["activations"], sizes, names)
    for key in ("weights", "biases"):
        _expect(len(model[key]) == len(sizes) - 1,
                _("\"model.{key}\" must hold one array per layer ({n}).")
                .format(key=key, n=len(sizes) - 1))
    weights = [_matrix(w, (a, b), f"model.weights[{k}]")
               for k, (w, a, b) in enumerate(zip(model["weights"], sizes[:-1], sizes[1:]))]
    biases = [_matrix(b, (n,), f"model.biases[{k}]")
              for k, (b, n) in enumerate(zip(model["biases"], sizes[1:]))]
    config = _matching_config(doc["config"], model, sizes, features, names)
    norm = doc["normalisation"]
    try:
        net = mc.MLP.from_dict({**model, "weights": weights, "biases": biases})
    except ValueError as err:
        raise ModelFileError(_("The network in the file is invalid: {problem}.")
                             .format(problem=err)) from None
    own = _own_points(doc.get("points"), config["dataset"], names)
    return ImportedModel(net, config, list(features), np.asarray(norm["mean"], float),
                         np.asarray(norm["std"], float), list(names), doc.get("epoch", 0), own)


def _own_points(points, dataset, names):
    """The OwnData of a file's "points" (None without them); their structure is the
    schema's, what depends on the rest of the file is checked here."""
    if points is None:
        return None
    _expect(dataset in OWN_DATASETS, _("The file holds points, but its network was trained "
                                       "on the dataset \"{dataset}\", which makes its own.")
            .format(dataset=dataset))
    _expect(points["source"] == dataset,
            _("\"points\" must be an object whose \"source\" is \"{dataset}\".")
            .format(dataset=dataset))
    X, y = points["X"], points["y"]
    _expect(len(X) == len(y), _("\"points\" must hold \"X\" and \"y\" of the same length, "
                                "2 to {n}.").format(n=number(MAX_POINTS)))
    X = np.array(X, dtype=float)
    _expect(np.abs(X).max() <= MAX_ABS_VALUE,
            _("A coordinate in \"points.X\" is larger than {n}.")
            .format(n=f"{MAX_ABS_VALUE:g}"))
    _expect(max(y) < len(names), _("\"points.y\" must hold class numbers from 0 to {n}.")
            .format(n=len(names) - 1))
    y = np.asarray(y, dtype=np.int64)
    _expect(len(np.unique(y)) == len(names), _("\"points.y\" must use every class."))
    return OwnData(dataset, mc.Dataset(X, y, len(names), dataset), list(names),
                   tuple(points.get("axis_names", ["x1", "x2"])), points.get("description", ""))


def _layer_sizes(sizes, n_features, n_classes):
    """The layer sizes, checked against the features, the classes and the app's largest
    network (their types and count are the schema's)."""
    _expect(sizes[0] == n_features, _("The network has {n} inputs but {features} features "
                                      "are listed.").format(n=number(sizes[0]),
                                                            features=n_features))
    _expect(all(h <= MAX_HIDDEN_UNITS for h in sizes[1:-1]),
            _("The network is larger than the app allows ({layers} hidden layers of at most "
              "{units} neurons).").format(layers=MAX_HIDDEN_LAYERS, units=MAX_HIDDEN_UNITS))
    n_out = output_for(n_classes)[0]
    message = (_("The network has {n} outputs; a regression needs {needed}.") if n_classes == 0
               else _("The network has {n} outputs; {classes} classes need {needed}."))
    _expect(sizes[-1] == n_out, message.format(n=number(sizes[-1]), classes=n_classes,
                                               needed=n_out))
    n_params = sum((a + 1) * b for a, b in zip(sizes, sizes[1:]))
    _expect(n_params <= MAX_MODEL_PARAMS, _("The network has {n} weights and biases; the "
                                            "app's largest has {largest}.")
            .format(n=number(n_params), largest=number(MAX_MODEL_PARAMS)))
    return sizes


def _check_activations(acts, sizes, names):
    _expect(len(acts) == len(sizes) - 1,
            _("\"model.activations\" must name one activation per layer."))
    out_activation = output_for(len(names))[1]
    message = (_("The output activation must be {activation} for a regression; the file has "
                 "\"{found}\".") if not names
               else _("The output activation must be {activation} for {classes} classes; the "
                      "file has \"{found}\"."))
    _expect(acts[-1] == out_activation, message.format(activation=out_activation,
                                                       classes=len(names), found=acts[-1][:20]))
    _expect(len(set(acts[:-1])) <= 1, _("All hidden layers must use the same activation."))
    unknown = [a for a in acts[:-1] if a not in mc.ACTIVATIONS]
    _expect(not unknown, _("\"model.activations[0]\" is \"{found}\"; known: {known}.")
            .format(found=unknown[0][:20] if unknown else "", known=", ".join(mc.ACTIVATIONS)))


def _matrix(value, shape, name):
    """A float array of ``value``, nested lists of numbers (the schema checked that), whose
    lengths must be exactly ``shape``."""
    if len(shape) == 1:
        _expect(len(value) == shape[0], _("\"{name}\" must be a list of {n} numbers; it has "
                                          "{items} items.").format(name=name, n=shape[0],
                                                                   items=number(len(value))))
    else:
        _expect(len(value) == shape[0] and all(len(row) == shape[1] for row in value),
                _("\"{name}\" must have shape {shape} to match the layer sizes.")
                .format(name=name, shape=tuple(shape)))
    return np.array(value, dtype=float)


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
        _expect(config[key] == expected, _("\"config.{key}\" ({value}) does not match the "
                                           "network ({expected}).")
                .format(key=key, value=show(config[key]), expected=show(expected)))
    dataset = config["dataset"]
    if dataset in DATASET_CLASSES:
        n = DATASET_CLASSES[dataset]
        message = (_("The dataset \"{dataset}\" has no classes (a regression); the file lists "
                     "{names} class names.") if n == 0
                   else _("The dataset \"{dataset}\" has {n} classes; the file lists {names} "
                          "class names."))
        _expect(n == len(names), message.format(dataset=dataset, n=n, names=len(names)))
    return config


def _imported_config(raw):
    """The file's settings (their kinds are the schema's) checked with the Playground's own
    validator: every setting must be known and in range (a dataset of the user's own points
    is kept as named)."""
    own = raw.get("dataset") if raw.get("dataset") in OWN_DATASETS else None
    config, problems = validate_config({k: v for k, v in raw.items()
                                            if not (own and k == "dataset")})
    _expect(not problems, _("The file's settings are invalid: {problems}.")
            .format(problems="; ".join(problems[:3])))
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
        if own is None or own.source != dataset:
            raise ModelFileError(
                _("This model was trained on points you drew, and the file was saved without "
                  "them; draw the same points first, then import it again.")
                if dataset == "draw" else
                _("This model was trained on points you uploaded, and the file was saved "
                  "without them; upload the same points first, then import it again."))
    else:
        own = None
    state = build_state(imported.config, own)
    if state.net.layer_sizes != imported.net.layer_sizes \
            or state.net.activations != imported.net.activations:
        raise ModelFileError(_("The file's network ({sizes}) does not fit its data settings "
                               "({expected}).").format(sizes=list(imported.net.layer_sizes),
                                                       expected=list(state.net.layer_sizes)))
    if not (np.allclose(state.mean, imported.mean, rtol=1e-9, atol=1e-12)
            and np.allclose(state.std, imported.std, rtol=1e-9, atol=1e-12)):
        if own is not None:
            raise ModelFileError(
                _("The model was trained on other points than the ones drawn now (their mean "
                  "and spread differ); load the same points first.") if own.source == "draw"
                else _("The model was trained on other points than the ones uploaded now "
                       "(their mean and spread differ); load the same points first."))
        raise ModelFileError(_("The file's data normalisation does not match its data "
                               "settings; the file was changed after it was saved."))
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
