"""What a user can take away from a run: the model as JSON (and back), a standalone training
script, and an animated GIF of the decision boundary forming.

Also ``setup_from_config``: the one place that turns a config dict into data, preprocessing,
network and trainer the way the app does, so that the exported script can be checked
against it.
"""

import io
import json
import math
import string
from dataclasses import dataclass

import numpy as np

import mlp_core as mc

from . import state as pgs
from .snapshots import class_colors_rgb, snapshot_rgb

MODEL_FORMAT = "backprop-playground-model"
MODEL_VERSION = 1
MAX_FILE_BYTES = 2 * 1024 * 1024  # matches server.maxUploadSize
MAX_CLASSES = 3
MAX_NAME_LENGTH = 60
DATASET_CLASSES = {"circles": 2, "moons": 2, "xor": 2, "gaussians": 2, "spiral": 2,
                   "blobs3": 3, "spiral3": 3}
OWN_DATASETS = ("draw", "upload")


class ModelFileError(ValueError):
    """A model file that cannot be imported; ``str(error)`` is the message for the user."""


# ---- from a config to the engine's objects ------------------------------------------------
@dataclass
class Setup:
    config: dict
    train: mc.Dataset       # raw points, the data's own units
    test: mc.Dataset
    mean: np.ndarray        # (2,) standardisation of the raw points (train split)
    std: np.ndarray
    feature_names: list
    X_train: np.ndarray     # the network's inputs
    X_test: np.ndarray
    class_names: list
    loss: str
    net: mc.MLP
    trainer: mc.Trainer


def full_config(config):
    """``config`` with the Playground's defaults for missing keys (no range checks)."""
    return {**pgs.default_config(), **(config or {})}


def network_inputs(X_raw, mean, std, feature_names):
    return mc.expand_features((np.asarray(X_raw, float) - mean) / std, list(feature_names))


def setup_from_config(config, data=None, class_names=None):
    """Data split, preprocessing, network and trainer for ``config``, built with the
    Playground's own functions (viz.state). ``data`` (an mc.Dataset of raw points) is needed
    for the "draw" and "upload" datasets and is split as it is."""
    config = full_config(config)
    if config["dataset"] in OWN_DATASETS:
        if data is None:
            raise ValueError(f"dataset {config['dataset']!r} needs its points")
        train, test = mc.train_test_split(data, config["test_fraction"], config["seed"])
    else:
        train, test = pgs.build_data(config)
    mean, std = pgs.standardisation(train.X)
    features = list(config["features"])
    loss = pgs.loss_for(train.n_classes)
    net = pgs.build_network(config, len(features), train.n_classes)
    trainer = pgs.build_trainer(config, net, loss)
    names = list(class_names) if class_names else [str(k) for k in range(train.n_classes)]
    return Setup(config, train, test, mean, std, features,
                 network_inputs(train.X, mean, std, features),
                 network_inputs(test.X, mean, std, features), names, loss, net, trainer)


# ---- model JSON ---------------------------------------------------------------------------
def model_to_json(net, config, feature_names, mean, std, class_names):
    """UTF-8 JSON bytes with everything needed to use the network on raw points."""
    document = {
        "format": MODEL_FORMAT,
        "version": MODEL_VERSION,
        "config": full_config(config),
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


def _reject_constant(name):
    raise ModelFileError(f"The file contains {name}, which is not a number JSON allows.")


def load_json(data, what="file", max_bytes=MAX_FILE_BYTES):
    """Parse JSON bytes strictly (no NaN/Infinity tokens); ValueError-derived errors of
    ``ModelFileError`` with a message for the user."""
    if not isinstance(data, (bytes, bytearray)):
        raise ModelFileError(f"Expected the {what}'s bytes; got {type(data).__name__}.")
    if len(data) > max_bytes:
        raise ModelFileError(f"The {what} is {len(data) / 1e6:.1f} MB; the limit is "
                             f"{max_bytes / 1e6:.1f} MB.")
    if not data.strip():
        raise ModelFileError(f"The {what} is empty.")
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ModelFileError(f"The {what} is not UTF-8 text (is it the right file?).") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as err:
        raise ModelFileError(f"The {what} is not valid JSON: {err.msg} at line {err.lineno}, "
                             f"column {err.colno}.") from None
    except RecursionError:
        raise ModelFileError(f"The {what} is nested too deeply to be a saved file.") from None


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
    doc = load_json(data, "model file")
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
    _expect(len(hidden) <= pgs.MAX_LAYERS and all(h <= pgs.MAX_NEURONS for h in hidden),
            f"The network is larger than the app allows ({pgs.MAX_LAYERS} hidden layers of "
            f"at most {pgs.MAX_NEURONS} neurons).")
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
    config, problems = pgs.validate_config({k: v for k, v in raw.items()
                                            if not (own and k == "dataset")})
    _expect(not problems, "The file's settings are invalid: " + "; ".join(problems[:3]) + ".")
    if own:
        config["dataset"] = own
    return config


def model_json_from_state(state, class_names=None):
    """``model_to_json`` of the Playground's current network (a viz.state.PlaygroundState)."""
    names = class_names or getattr(state, "class_names", None) \
        or [str(k) for k in range(state.n_classes)]
    return model_to_json(state.net, state.config, state.feature_names, state.mean, state.std,
                         names)


def state_from_import(imported, own=None):
    """A fresh PlaygroundState for the imported config, holding the imported weights.
    The points of a drawing or an upload are not in a model file: for those datasets ``own``
    (a viz.state.OwnData of the same source) must hold the same points (ModelFileError if
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
    state = pgs.build_state(imported.config, own)
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
    state.snapshots.clear()
    state.record_snapshot()
    return state


# ---- the standalone script ----------------------------------------------------------------
_SCRIPT = string.Template('''"""A Backprop Playground run as a standalone script.

It rebuilds the data set, the network and its training from the settings below, trains for
EPOCHS epochs exactly as the app does (same seed, same shuffles, same updates) and prints
the final losses.  Needs NumPy$needs.  Run it with:  python this_file.py

Notation (one sample per row):  a[0] = inputs,  z[k] = a[k] @ W[k] + b[k],  a[k+1] = f(z[k]).
"""

import numpy as np
$imports
# ---- settings -----------------------------------------------------------------------------
$settings


# ---- data ---------------------------------------------------------------------------------
$data


def split(X, y):
    """Shuffle with the seed; the first TEST_FRACTION of the points become the test set."""
    order = np.random.default_rng(SEED).permutation(len(y))
    n_test = min(max(int(round(TEST_FRACTION * len(y))), 1), len(y) - 1)
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


FEATURE_FUNCTIONS = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]),
    "sin(x2)": lambda X: np.sin(X[:, 1]),
}


def network_inputs(X_raw, mean, std):
    """Standardise with the training points' mean and std, then compute the features."""
    X = (X_raw - mean) / std
    return np.column_stack([FEATURE_FUNCTIONS[name](X) for name in FEATURES])


# ---- the network --------------------------------------------------------------------------
def sigmoid(z):
    # Clipped so exp() cannot overflow; sigmoid(500) is already 1 in double precision.
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))  # minus the row maximum: no overflow
    return e / e.sum(axis=1, keepdims=True)


# Hidden activations as pairs: f(z), and f'(z) given z and a = f(z).
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z),
                   lambda z, a: np.where(z > 0, 1.0, 0.01)),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
            lambda z, a: np.where(z > 0, 1.0, a + 1.0)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": (sigmoid, lambda z, a: a * (1.0 - a)),
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z, a: sigmoid(z)),
    "swish": (lambda z: z * sigmoid(z), lambda z, a: sigmoid(z) + a * (1.0 - sigmoid(z))),
    "linear": (lambda z: z.copy(), lambda z, a: np.ones_like(z)),
}


def init_network(sizes):
    """Weights drawn layer by layer from one generator seeded with SEED."""
    rng = np.random.default_rng(SEED)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if INIT == "normal":
            weights.append(rng.normal(0.0, 0.1, (n_in, n_out)))
            biases.append(rng.normal(0.0, 0.1, n_out))
        else:
            scale = np.sqrt(2.0 / n_in) if INIT == "he" else np.sqrt(2.0 / (n_in + n_out))
            weights.append(rng.normal(0.0, scale, (n_in, n_out)))
            biases.append(np.zeros(n_out))
    return weights, biases


def forward(weights, biases, X):
    """Every layer's z and a; the output layer uses sigmoid (2 classes) or softmax."""
    z, a = [], [X]
    for k, (W, b) in enumerate(zip(weights, biases)):
        zk = a[-1] @ W
        zk += b
        z.append(zk)
        if k < len(weights) - 1:
            a.append(ACTIVATIONS[ACTIVATION][0](zk))
        else:
            a.append(sigmoid(zk) if zk.shape[1] == 1 else softmax(zk))
    return z, a


def penalty(weights):
    """L1 * sum|W| + L2 / 2 * sum(W^2) over all weights (not biases)."""
    w = np.concatenate([W.ravel() for W in weights])
    value = 0.0
    if L1:
        value += L1 * float(np.abs(w).sum())
    if L2:
        value += 0.5 * L2 * float(w @ w)
    return value


def data_loss(z_out, Y):
    """Mean cross-entropy, computed from the output's z so that log() never sees 0."""
    if z_out.shape[1] == 1:  # binary: -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + e^z) - y z
        return float((np.logaddexp(0.0, z_out) - Y * z_out).sum() / len(z_out))
    m = z_out.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(z_out - m).sum(axis=1, keepdims=True)) + m
    return float((Y * (log_sum - z_out)).sum() / len(z_out))


def loss_and_gradients(weights, biases, X, Y):
    """The loss and dL/dW, dL/db for every layer, by backpropagation."""
    z, a = forward(weights, biases, X)
    loss = data_loss(z[-1], Y) + penalty(weights)
    # dL/dz at the output: sigmoid + cross-entropy (and softmax + cross-entropy) give
    # (a - y) / n, the n because the loss is a mean over the batch.
    delta = (a[-1] - Y) / len(X)
    grad_W, grad_b = [None] * len(weights), [None] * len(weights)
    for k in range(len(weights) - 1, -1, -1):
        grad_W[k] = a[k].T @ delta
        grad_b[k] = delta.sum(axis=0)
        if k:
            delta = delta @ weights[k].T  # dL/da[k]
            delta *= ACTIVATIONS[ACTIVATION][1](z[k - 1], a[k])  # dL/dz[k - 1]
    for W, dW in zip(weights, grad_W):
        if L1:
            dW += L1 * np.sign(W)
        if L2:
            dW += L2 * W
    return loss, grad_W + grad_b


# ---- training -----------------------------------------------------------------------------
def make_step(params):
    """The optimizer: a function that updates every parameter array in place."""
    velocity = [np.zeros_like(p) for p in params]  # momentum; Adam's first moment m
    second = [np.zeros_like(p) for p in params]  # Adam's second moment v
    t = 0

    def step(grads):
        nonlocal t
        if OPTIMIZER == "sgd":
            for p, g in zip(params, grads):
                p -= LEARNING_RATE * g
        elif OPTIMIZER == "momentum":
            for p, g, v in zip(params, grads, velocity):
                v *= MOMENTUM
                v -= LEARNING_RATE * g
                p += v
        else:  # Adam (Kingma & Ba, 2015)
            t += 1
            m_scale = 1.0 / (1.0 - BETA1 ** t)
            v_scale = 1.0 / (1.0 - BETA2 ** t)
            for p, g, m, v in zip(params, grads, velocity, second):
                m *= BETA1
                m += (1.0 - BETA1) * g
                v *= BETA2
                v += (1.0 - BETA2) * (g * g)
                p -= LEARNING_RATE * (m * m_scale) / (np.sqrt(v * v_scale) + EPS)

    return step


def one_hot(y, n_outputs):
    return y[:, None].astype(float) if n_outputs == 1 else np.eye(n_outputs)[y]


def accuracy(weights, biases, X, y):
    out = forward(weights, biases, X)[1][-1]
    predicted = (out[:, 0] >= 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)
    return float((predicted == y).mean())


def main():
    X_raw, y = make_dataset()
    X_train_raw, y_train, X_test_raw, y_test = split(X_raw, y)
    mean, std = X_train_raw.mean(axis=0), X_train_raw.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    X_train = network_inputs(X_train_raw, mean, std)
    X_test = network_inputs(X_test_raw, mean, std)
    n_outputs = 1 if N_CLASSES == 2 else N_CLASSES
    Y_train, Y_test = one_hot(y_train, n_outputs), one_hot(y_test, n_outputs)

    weights, biases = init_network([len(FEATURES), *HIDDEN, n_outputs])
    step = make_step(weights + biases)
    rng = np.random.default_rng(SEED)  # shuffles the training points every epoch
    n = len(X_train)
    batch = min(BATCH_SIZE, n)
    for epoch in range(1, EPOCHS + 1):
        if batch == n:  # full batch: no shuffling needed
            step(loss_and_gradients(weights, biases, X_train, Y_train)[1])
        else:
            order = rng.permutation(n)
            X_shuffled, Y_shuffled = X_train[order], Y_train[order]
            for start in range(0, n, batch):
                end = start + batch
                step(loss_and_gradients(weights, biases, X_shuffled[start:end],
                                        Y_shuffled[start:end])[1])
        z, _ = forward(weights, biases, X_train)
        train_loss = data_loss(z[-1], Y_train) + penalty(weights)
        if not np.isfinite(train_loss):
            raise SystemExit(f"training diverged in epoch {epoch}; try a smaller LEARNING_RATE")
        if epoch % max(EPOCHS // 10, 1) == 0 or epoch == EPOCHS:
            print(f"epoch {epoch:6d}  train loss {train_loss:.6f}")

    z, _ = forward(weights, biases, X_test)
    test_loss = data_loss(z[-1], Y_test) + penalty(weights)
    print(f"train accuracy {accuracy(weights, biases, X_train, y_train):.4f}, "
          f"test accuracy {accuracy(weights, biases, X_test, y_test):.4f}")
    print(f"final test loss: {test_loss!r}")
    print(f"final train loss: {train_loss!r}")


if __name__ == "__main__":
    main()
''')

_GENERATORS = {
    "circles": '''def generate(n, noise, rng):
    """Two rings (scikit-learn), seeded from our generator."""
    return make_circles(n, factor=0.5, noise=noise, random_state=int(rng.integers(2**31)))''',
    "moons": '''def generate(n, noise, rng):
    """Two interleaved half moons (scikit-learn), centred on the origin."""
    X, y = make_moons(n, noise=noise, random_state=int(rng.integers(2**31)))
    return (X - [0.5, 0.25]) / 1.2, y''',
    "xor": '''def generate(n, noise, rng):
    """Class 1 where x1 and x2 have the same sign."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    X += np.sign(X) * 0.05  # keep points off the axes
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X + rng.normal(0.0, noise, X.shape), y''',
    "blobs": '''CENTRES, SPREAD = $centres, $spread


def generate(n, noise, rng):
    """Gaussian blobs, one per class, as equal in size as n allows."""
    k = len(CENTRES)
    sizes = [n // k + (c < n % k) for c in range(k)]
    X = np.concatenate([rng.normal(c, SPREAD + noise, (m, 2)) for c, m in zip(CENTRES, sizes)])
    return X, np.repeat(np.arange(k), sizes)''',
    "spiral": '''ARMS = $arms


def generate(n, noise, rng):
    """Spiral arms, one per class."""
    sizes = [n // ARMS + (c < n % ARMS) for c in range(ARMS)]
    parts = []
    for c, m in enumerate(sizes):
        t = np.linspace(0.05, 1.0, m)
        theta = 1.75 * 2 * np.pi * t + 2 * np.pi * c / ARMS
        parts.append(np.column_stack([t * np.sin(theta), t * np.cos(theta)]) * 1.2)
    X = np.concatenate(parts)
    return X + rng.normal(0.0, noise, X.shape), np.repeat(np.arange(ARMS), sizes)''',
}
_MAKE_DATASET = '''


def make_dataset():
    """The app's points: generated from one generator seeded with SEED, then shuffled by it."""
    rng = np.random.default_rng(SEED)
    X, y = generate(N_SAMPLES, NOISE, rng)
    order = rng.permutation(N_SAMPLES)
    return np.asarray(X, float)[order], np.asarray(y, np.int64)[order]'''


def _generator_code(dataset):
    if dataset in ("circles", "moons", "xor"):
        return _GENERATORS[dataset]
    if dataset in ("gaussians", "blobs3"):
        centres = ([(-0.7, -0.7), (0.7, 0.7)], 0.35) if dataset == "gaussians" \
            else ([(0.0, 0.9), (-0.8, -0.5), (0.8, -0.5)], 0.3)
        return string.Template(_GENERATORS["blobs"]).substitute(centres=centres[0],
                                                                spread=centres[1])
    return string.Template(_GENERATORS["spiral"]).substitute(arms=2 if dataset == "spiral"
                                                             else 3)


def _embedded_points(X, y, class_names):
    rows = ",\n".join(f"    [{float(a)!r}, {float(b)!r}]" for a, b in np.asarray(X, float))
    labels = [str(int(v)) for v in y]
    lines, line = [], "   "
    for label in labels:
        if len(line) + len(label) + 2 > 96:
            lines.append(line)
            line = "   "
        line += f" {label},"
    lines.append(line)
    label_text = "\n".join(lines)
    return (f"# The run's own points (in the data's units) and their classes 0..N_CLASSES-1;\n"
            f"# the class names were {class_names!r}.\n"
            f"POINTS = np.array([\n{rows},\n])\n"
            f"LABELS = np.array([\n{label_text}\n])\n\n\n"
            f"def make_dataset():\n"
            f"    return POINTS.copy(), LABELS.copy()")


def training_script(config, n_epochs, data=None, class_names=None):
    """Python source (NumPy, plus scikit-learn for circles and moons) that reproduces a run
    of ``n_epochs`` epochs with ``config``; ``data`` (mc.Dataset) for draw/upload datasets."""
    config = full_config(config)
    if isinstance(n_epochs, bool) or not isinstance(n_epochs, (int, np.integer)) \
            or n_epochs < 1:
        raise ValueError(f"n_epochs must be an integer >= 1; got {n_epochs!r}")
    dataset = config["dataset"]
    if dataset in OWN_DATASETS:
        if data is None:
            raise ValueError(f"dataset {dataset!r} needs its points")
        n_classes = int(data.n_classes)
        names = list(class_names) if class_names else [str(k) for k in range(n_classes)]
        data_code = _embedded_points(data.X, data.y, names)
    elif dataset in DATASET_CLASSES:
        n_classes = DATASET_CLASSES[dataset]
        data_code = _generator_code(dataset) + _MAKE_DATASET
    else:
        raise ValueError(f"dataset must be one of {', '.join([*DATASET_CLASSES, *OWN_DATASETS])}"
                         f"; got {dataset!r}")
    l1, l2 = pgs.penalties(config)
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
        f"INIT = {config['init']!r}  # he, xavier or normal",
        f"OPTIMIZER = {config['optimizer']!r}  # sgd, momentum or adam",
        f"LEARNING_RATE = {float(config['lr'])!r}",
        f"MOMENTUM = {pgs.MOMENTUM!r}",
        "BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # Adam",
        f"BATCH_SIZE = {int(config['batch_size'])!r}",
        f"L1 = {l1!r}",
        f"L2 = {l2!r}",
        f"EPOCHS = {int(n_epochs)!r}",
    ]
    if dataset in OWN_DATASETS:
        settings = [s for s in settings if not s.startswith(("N_SAMPLES", "NOISE"))]
    uses_sklearn = dataset in ("circles", "moons")
    imports = (f"from sklearn.datasets import make_{dataset}\n" if uses_sklearn else "")
    return _SCRIPT.substitute(needs=" and scikit-learn" if uses_sklearn else "",
                              imports=imports, settings="\n".join(settings), data=data_code)


# ---- the GIF ------------------------------------------------------------------------------
GIF_SIZE = 360
GIF_MAX_FRAMES = 60  # with GIF_SIZE: about 1-1.5 MB for a busy boundary
GIF_COLORS = 128
GIF_FRAME_MS = 100
GIF_LAST_FRAME_MS = 1500
GIF_MAX_POINTS = 600


def _pick(n, k):
    """Up to k indices spread evenly over range(n), first and last included."""
    if n <= k:
        return list(range(n))
    return sorted(set(np.round(np.linspace(0, n - 1, k)).astype(int).tolist()))


def boundary_gif(snapshots, grid_x, grid_y, X=None, y=None, size=GIF_SIZE,
                 max_frames=GIF_MAX_FRAMES, frame_ms=GIF_FRAME_MS, progress=None):
    """Animated GIF bytes of the boundary over ``snapshots`` [(epoch, grid), ...] (oldest
    first), with the points (X raw, y classes) on top and the epoch in a corner.
    ``progress(done, total)`` is called after each frame."""
    from PIL import Image, ImageDraw, ImageFont

    snapshots = list(snapshots)
    colors = class_colors_rgb()
    if not snapshots:
        raise ValueError("there are no snapshots to animate yet")
    size = int(min(max(size, 64), 720))
    max_frames = int(min(max(max_frames, 1), 200))
    chosen = [snapshots[i] for i in _pick(len(snapshots), max_frames)]
    x0, x1 = float(grid_x[0]), float(grid_x[-1])
    y0, y1 = float(grid_y[0]), float(grid_y[-1])

    overlay = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    if X is not None and len(X):
        X, y = np.asarray(X, float), np.asarray(y, int)
        keep = _pick(len(X), GIF_MAX_POINTS)
        draw = ImageDraw.Draw(overlay)
        r = max(2.0, size / 110)
        for (px, py), cls in zip(X[keep], y[keep]):
            u = (px - x0) / (x1 - x0) * (size - 1)
            v = (1.0 - (py - y0) / (y1 - y0)) * (size - 1)  # image rows run downwards
            draw.ellipse((u - r, v - r, u + r, v + r), fill=tuple(colors[cls % len(colors)]),
                         outline=(255, 255, 255), width=1)
    try:
        font = ImageFont.load_default(size=max(12, size // 22))
    except (OSError, TypeError):  # Pillow built without FreeType
        font = ImageFont.load_default()

    frames = []
    for done, (epoch, grid) in enumerate(chosen, start=1):
        rgb = np.ascontiguousarray(snapshot_rgb(grid)[::-1])  # row 0 is the lowest y
        frame = Image.fromarray(rgb, "RGB").resize((size, size), Image.Resampling.BILINEAR)
        frame = frame.convert("RGBA")
        frame.alpha_composite(overlay)
        draw = ImageDraw.Draw(frame)
        text = f"epoch {epoch}"
        left, top, right, bottom = draw.textbbox((8, 6), text, font=font)
        draw.rounded_rectangle((left - 4, top - 3, right + 4, bottom + 3), radius=4,
                               fill=(255, 255, 255, 230), outline=(90, 90, 90, 255))
        draw.text((8, 6), text, fill=(30, 30, 30, 255), font=font)
        # 128 colours show the shading without visible bands at a fifth less size than 256.
        frames.append(frame.convert("RGB").quantize(colors=GIF_COLORS,
                                                    method=Image.Quantize.MEDIANCUT))
        if progress is not None:
            progress(done, len(chosen))
    durations = [frame_ms] * (len(frames) - 1) + [GIF_LAST_FRAME_MS]
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:],
                   duration=durations, loop=0, optimize=False)
    return out.getvalue()
