"""Exports: model JSON round trip and rejection of tampered files, the standalone script
reproducing the app's training, and the GIF of the boundary forming."""

import ast
import copy
import importlib
import io
import json
import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import mlp_core as mc
from app_logic import drawing, files, own_data, settings
from app_logic import exports as ex
from app_logic import session as pgs
from app_logic import snapshots as sn
from app_logic import uploads as up
from app_logic.own_data import OwnData
from app_logic.presets import PRESETS, TUTORIAL
from viz import gif, style

from .tamper import set_path as _set

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"


def trained(epochs=15, **changes):
    state = pgs.build_state({**settings.default_config(), "n_samples": 200, **changes})
    state.train_for(epochs)
    return state


# ---- model JSON -------------------------------------------------------------------------------
@pytest.mark.parametrize("changes", [
    {},
    {"dataset": "blobs3", "hidden": [6, 3], "activation": "relu", "init": "he"},
    {"hidden": [], "features": ["x1", "x2", "x1^2", "x2^2"]},
])
def test_model_round_trip_gives_identical_predictions(changes):
    state = trained(**changes)
    data = ex.model_json_from_state(state)
    model = ex.model_from_json(data)
    X = np.concatenate([state.train.X, state.test.X])
    np.testing.assert_array_equal(model.predict_proba(X), state.net.predict_proba(state.prepare(X)))
    np.testing.assert_array_equal(model.predict(X), state.net.predict(state.prepare(X)))
    assert model.config == state.config
    assert model.feature_names == state.feature_names
    restored = ex.state_from_import(model)
    np.testing.assert_array_equal(restored.boundary_u8(), state.boundary_u8())
    np.testing.assert_array_equal(restored.net.params, state.net.params)
    # the restored network trains on: its trainer drives the same network
    restored.train_for(1)
    assert not np.array_equal(restored.net.params, state.net.params)


@pytest.fixture(scope="module")
def model_document():
    return json.loads(ex.model_json_from_state(trained(5, hidden=[3, 2])))


def _drop(path):
    def change(doc):
        *parents, last = path
        target = doc
        for key in parents:
            target = target[key]
        del target[last]
        return doc
    return change


TAMPERED = {
    "not json": (lambda d: "{model", "not valid JSON"),
    "a list": (lambda d: [1, 2], "JSON object"),
    "wrong format": (_set(["format"], "keras"), "not a Backprop Playground model"),
    "newer version": (_set(["version"], 2), "version 2"),
    "version bool": (_set(["version"], True), "version"),
    "missing weights": (_drop(["model", "weights"]), "model.weights"),
    "missing normalisation": (_drop(["normalisation"]), "missing normalisation"),
    "weight shape": (lambda d: d["model"]["weights"][1].pop() and d, "shape (3, 2)"),
    "bias shape": (lambda d: d["model"]["biases"][0].append(0.0) or d, "model.biases[0]"),
    "weight as text": (_set(["model", "weights", 0, 0, 0], "0.5"), "not a finite number"),
    "weight as bool": (_set(["model", "weights", 0, 0, 0], False), "not a finite number"),
    "weight null": (_set(["model", "weights", 0, 0, 0], None), "not a finite number"),
    "extra layer": (lambda d: d["model"]["weights"].append([[0.0]]) or d, "one array per layer"),
    "layer size text": (_set(["model", "layer_sizes", 1], "3"), "positive integers"),
    "inputs vs features": (_set(["features"], ["x1"]), "2 inputs but 1 features"),
    "unknown feature": (_set(["features"], ["x1", "cos(x2)"]), "Unknown feature 'cos(x2)'"),
    "repeated feature": (_set(["features"], ["x1", "x1"]), "twice"),
    "zero std": (_set(["normalisation", "std", 1], 0.0), "positive"),
    "short mean": (_set(["normalisation", "mean"], [0.0]), "list of 2 numbers"),
    "one class": (_set(["class_names"], ["a"]), "2 to 3 classes"),
    "outputs vs classes": (_set(["class_names"], ["a", "b", "c"]), "3 classes need 3"),
    "repeated class": (_set(["class_names"], ["a", "a"]), "repeats"),
    "output activation": (_set(["model", "activations", 2], "relu"), "must be sigmoid"),
    "unknown activation": (_set(["model", "activations"], ["magic", "magic", "sigmoid"]),
                           "activations[0]"),
    "mixed hidden activations": (_set(["model", "activations", 1], "relu"), "same activation"),
    "too big": (_set(["model", "layer_sizes", 1], 4000), "larger than the app allows"),
    "config lr": (_set(["config", "lr"], 1e9), "settings are invalid: lr"),
    "config unknown": (_set(["config", "evil"], 1), "unknown setting"),
    "config nested": (_set(["config", "hidden"], {"a": 1}), "hidden"),
    "config vs network": (_set(["config", "hidden"], [3, 3]), "config.hidden"),
    "config seed vs network": (_set(["config", "seed"], 5), "config.seed"),
    "config activation": (_set(["config", "activation"], "relu"), "config.activation"),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_tampered_model_is_rejected(model_document, case):
    change, fragment = TAMPERED[case]
    doc = change(copy.deepcopy(model_document))
    data = doc.encode() if isinstance(doc, str) else json.dumps(doc).encode()
    with pytest.raises(ex.ModelFileError) as info:
        ex.model_from_json(data)
    assert fragment in str(info.value), str(info.value)


@pytest.mark.parametrize("data,fragment", [
    (b"", "empty"),
    (b"\xff\xfe{\x00}\x00", "not a Backprop Playground model"),  # UTF-16 "{}": read
    (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG image"),
    (b"[" * 50_000 + b"]" * 50_000, "more than 20 deep"),
    (b"{" + b" " * files.MAX_FILE_BYTES + b"}", "limit"),
], ids=["empty", "utf16", "png", "deep", "large"])
def test_unreadable_model_files(data, fragment):
    with pytest.raises(ex.ModelFileError, match=fragment):
        ex.model_from_json(data)


@pytest.mark.parametrize("token", ["NaN", "Infinity", "1e999"])
def test_non_finite_weights_are_rejected(model_document, token):
    text = json.dumps(model_document)
    first = re.search(r'"weights": \[\[\[(-?[0-9.e-]+)', text).group(1)
    text = text.replace(first, token, 1)
    with pytest.raises(ex.ModelFileError, match="number"):
        ex.model_from_json(text.encode())


def test_normalisation_that_does_not_fit_the_data_is_caught(model_document):
    doc = copy.deepcopy(model_document)
    doc["normalisation"]["mean"][0] += 0.5
    model = ex.model_from_json(json.dumps(doc).encode())  # consistent in itself...
    with pytest.raises(ex.ModelFileError, match="normalisation does not match"):
        ex.state_from_import(model)  # ...but not with the data its settings make


# ---- the standalone script ------------------------------------------------------------------
def _upload():
    points = up.parse_csv((DATA / "good" / "three_classes.csv").read_bytes())
    return points.to_dataset(), points.class_names


def _drawing(n=80):
    rng = np.random.default_rng(2)
    X = rng.normal(size=(n, 2))
    d = drawing.DrawnPoints(X, (X[:, 0] * X[:, 1] > 0).astype(int) * 2)  # classes 0 and 2
    return d.to_dataset(), d.class_names()


SCRIPT_CASES = {
    "adam minibatch": ({}, 40),
    "sgd relu he": ({"dataset": "moons", "optimizer": "sgd", "lr": 0.1, "batch_size": 10,
                     "hidden": [5], "activation": "relu", "init": "he"}, 40),
    "momentum l1 full batch": ({"dataset": "xor", "optimizer": "momentum", "lr": 0.05,
                                "batch_size": 2000, "regularization": "l1", "reg_rate": 0.003,
                                "features": ["x1", "x2", "x1*x2"]}, 60),
    "3 classes adam l2 normal": ({"dataset": "blobs3", "regularization": "l2", "reg_rate": 0.01,
                                  "hidden": [6], "activation": "swish", "init": "normal",
                                  "batch_size": 7}, 30),
    "3 classes full batch": ({"dataset": "spiral3", "hidden": [8, 8], "activation": "elu",
                              "batch_size": 2000, "n_samples": 300}, 40),
    "linear model": ({"dataset": "gaussians", "hidden": [],
                      "features": ["x1", "x2", "x1^2", "sin(x2)"]}, 30),
    "deep leaky": ({"dataset": "spiral", "hidden": [3, 3, 3], "activation": "leaky_relu",
                    "batch_size": 32, "test_fraction": 0.3, "seed": 5, "noise": 0.2}, 30),
    "upload 3 classes sgd": ({"dataset": "upload", "optimizer": "sgd", "lr": 0.2,
                              "hidden": [4], "activation": "sigmoid", "batch_size": 20}, 30),
    "draw momentum l2": ({"dataset": "draw", "optimizer": "momentum", "lr": 0.02,
                          "regularization": "l2", "reg_rate": 0.001, "hidden": [6, 4],
                          "activation": "softplus", "batch_size": 12}, 40),
    "draw a handful (a fifth held out)": ({"dataset": "draw", "batch_size": 4}, 30),
    "the tutorial's run": (PRESETS[TUTORIAL]["config"], 150),
    "regression plane linear": ({"dataset": "plane", "hidden": [], "optimizer": "sgd",
                                 "lr": 0.05}, 30),
    "regression bumps tanh l2": ({"dataset": "gaussian_sum", "hidden": [8, 6],
                                  "regularization": "l2", "reg_rate": 0.001,
                                  "batch_size": 25}, 30),
}


@pytest.mark.parametrize("name", [*mc.DATASETS, *mc.REGRESSION_DATASETS])
def test_the_scripts_data_are_the_apps(name):
    """The script stands alone, so it has its own copy of every generator: they must draw
    exactly the engine's points."""
    from app_logic import train_script as ts

    n_classes = ex.DATASET_CLASSES[name]
    for attribute, value in (("DATASET", name), ("N_CLASSES", n_classes), ("N_SAMPLES", 150),
                             ("NOISE", 0.15), ("SEED", 7)):
        setattr(ts, attribute, value)
    try:
        X, y = ts.make_dataset()
    finally:
        importlib.reload(ts)
    ds = mc.make_dataset(name, 150, 0.15, 7)
    np.testing.assert_array_equal(X, ds.X)
    np.testing.assert_array_equal(y, ds.y)


def _app_final_loss(config, epochs, data, names):
    """The final train loss as the app gets it: training in uneven slices (the live loop
    trains for a time budget per tick), through the Playground's own state."""
    config = {**settings.default_config(), **config}
    own = None if data is None else OwnData(config["dataset"], data, list(names))
    state = pgs.build_state(config, own)
    done = 0
    for chunk in (1, 6, 13):
        state.train_for(chunk)
        done += chunk
    state.train_for(epochs - done)
    history = state.trainer.history
    assert history.last["epoch"] == epochs
    return history.last["train_loss"]


@pytest.fixture(scope="module")
def script_runs(tmp_path_factory):
    """Every case's script, run at once as subprocesses (the machine has few cores, but the
    scripts mostly wait on imports)."""
    folder = tmp_path_factory.mktemp("scripts")
    procs = {}
    for case, (config, epochs) in SCRIPT_CASES.items():
        data, names = (_upload() if config.get("dataset") == "upload" else
                       _drawing(20) if "handful" in case else
                       _drawing() if config.get("dataset") == "draw" else (None, None))
        source = ex.training_script(config, epochs, data, names)
        path = folder / (re.sub(r"\W+", "_", case) + ".py")
        path.write_text(source)
        proc = subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, cwd=folder)
        procs[case] = (proc, source, data, names)
    results = {}
    for case, (proc, source, data, names) in procs.items():
        out, err = proc.communicate(timeout=300)
        results[case] = (proc.returncode, out, err, source, data, names)
    return results


@pytest.mark.parametrize("case", sorted(SCRIPT_CASES))
def test_script_reproduces_the_final_loss(script_runs, case):
    code, out, err, source, data, names = script_runs[case]
    assert code == 0, err
    printed = float(re.search(r"final train loss: (\S+)", out).group(1))
    config, epochs = SCRIPT_CASES[case]
    expected = _app_final_loss(config, epochs, data, names)
    assert abs(printed - expected) <= 1e-9, (printed, expected)


def test_script_needs_only_numpy_and_sklearn(script_runs):
    for case, (_, _, _, source, _, _) in script_runs.items():
        modules = set()
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                modules |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom):
                modules.add(node.module.split(".")[0])
        assert modules <= {"numpy", "sklearn"}, (case, modules)
        assert "mlp_core" not in source and "pickle" not in source


def test_the_script_module_itself_runs_the_default_setup():
    """app_logic/train_script.py is a real program: run as it is, its settings are the
    Playground's defaults for 100 epochs."""
    out = subprocess.run([sys.executable, str(ex.SCRIPT_SOURCE)], capture_output=True,
                         text=True, timeout=120, check=True).stdout
    printed = float(re.search(r"final train loss: (\S+)", out).group(1))
    assert abs(printed - _app_final_loss({}, 100, None, None)) <= 1e-9


def test_an_export_changes_only_the_settings_and_points_blocks():
    data, names = _drawing()
    source = ex.training_script({"dataset": "draw", "lr": 0.1}, 7, data, names)
    original = ex.SCRIPT_SOURCE.read_text()
    assert "LEARNING_RATE = 0.1\n" in source and "EPOCHS = 7\n" in source
    assert source.count("POINTS = [") == 1
    # Outside the two blocks the exported script is the module, line for line.
    def outside(text):
        kept, inside = [], False
        for line in text.split("\n"):
            if line.startswith(("# ---- settings", "# ---- points")):
                inside = True
            elif line.startswith(("# ---- end of settings", "# ---- end of points")):
                inside = False
            elif not inside:
                kept.append(line)
        return kept
    assert outside(source) == outside(original)


def test_script_embeds_own_points():
    data, names = _drawing()
    source = ex.training_script({"dataset": "draw"}, 5, data, names)
    namespace = {}
    exec(compile(source, "script", "exec"), namespace)  # defines, does not run main()
    X, y = namespace["make_dataset"]()
    np.testing.assert_array_equal(X, data.X)
    np.testing.assert_array_equal(y, data.y)


@pytest.mark.parametrize("config,epochs,data,fragment", [
    ({}, 0, None, "n_epochs"),
    ({"dataset": "upload"}, 5, None, "needs its points"),
    ({"dataset": "mnist"}, 5, None, "dataset must be one of"),
])
def test_script_arguments_are_checked(config, epochs, data, fragment):
    with pytest.raises(ValueError, match=fragment):
        ex.training_script(config, epochs, data)


# ---- GIF -------------------------------------------------------------------------------------
@pytest.mark.parametrize("dataset", ["circles", "blobs3"])
def test_gif_of_the_boundary_forming(dataset):
    state = pgs.build_state({**settings.default_config(), "dataset": dataset, "n_samples": 200})
    store = sn.SnapshotStore()
    store.add(0, state.boundary_u8())
    for _ in range(12):
        state.train_for(5)
        store.add(state.epoch, state.boundary_u8())
    calls = []
    data = gif.boundary_gif(store.items(), state.grid_x, state.grid_y, state.train.X,
                            state.train.y, size=200, max_frames=10,
                            progress=lambda done, total: calls.append((done, total)))
    image = Image.open(io.BytesIO(data))
    assert image.format == "GIF" and image.size == (200, 200)
    assert image.n_frames == 10
    assert calls == [(k, 10) for k in range(1, 11)]
    frames = []
    for k in range(image.n_frames):
        image.seek(k)
        frames.append(np.asarray(image.convert("RGB"), dtype=int))
    assert np.abs(frames[0] - frames[-1]).mean() > 1.0  # the boundary changed
    # the class colours of the points appear in the image
    orange = np.array(style.class_colors_rgb()[0])
    assert (np.abs(frames[-1] - orange).sum(axis=2) < 40).sum() > 20


def test_gif_with_a_single_snapshot_and_none():
    grid = np.full((30, 30), 200, np.uint8)
    image = Image.open(io.BytesIO(gif.boundary_gif([(7, grid)], np.linspace(0, 1, 30),
                                                   np.linspace(0, 1, 30))))
    assert image.n_frames == 1
    with pytest.raises(ValueError, match="no snapshots"):
        gif.boundary_gif([], np.linspace(0, 1, 30), np.linspace(0, 1, 30))


def test_a_gif_label_its_font_cannot_draw_shows_the_number_alone():
    grid, axis = np.full((30, 30), 200, np.uint8), np.linspace(0, 1, 30)

    def made(label):
        return gif.boundary_gif([(7, grid)], axis, axis, epoch_label=label)
    assert made("第 {epoch} 轮") == made("{epoch}")  # no empty boxes for the Chinese words
    assert made("epoch {epoch}") != made("{epoch}")


def test_a_key_named_twice_is_refused(model_document):
    text = json.dumps(model_document).replace('"epoch": ', '"epoch": 0, "epoch": ', 1)
    with pytest.raises(ex.ModelFileError, match='names the key "epoch" twice'):
        ex.model_from_json(text.encode())


# ---- a model trained on one's own points keeps them -----------------------------------------
def _trained_on_drawing():
    data, names = _drawing()
    own = OwnData("draw", data, list(names))
    state = pgs.build_state({**settings.default_config(), "dataset": "draw"}, own)
    state.train_for(5)
    return state, ex.model_json_from_state(state)


def test_a_model_of_drawn_points_imports_in_a_new_session_with_them():
    state, data = _trained_on_drawing()
    model = ex.model_from_json(data)  # a new session: no points drawn there
    assert model.own is not None and model.own.source == "draw"
    np.testing.assert_array_equal(model.own.data.X, state.own.data.X)
    restored = ex.state_from_import(model)
    np.testing.assert_array_equal(restored.train.X, state.train.X)
    np.testing.assert_array_equal(restored.net.predict_proba(restored.X_test),
                                  state.net.predict_proba(state.X_test))
    assert restored.class_names == ["0", "2"]
    # back on the canvas, the classes are the drawn ones
    np.testing.assert_array_equal(own_data.drawing_labels(model.own),
                                  np.asarray(state.own.class_names, int)[state.own.data.y])


def test_a_model_of_uploaded_points_keeps_their_names_and_axes():
    data, names = _upload()
    own = OwnData("upload", data, list(names), ("length", "width"), "flowers.csv")
    state = pgs.build_state({**settings.default_config(), "dataset": "upload"}, own)
    state.train_for(3)
    model = ex.model_from_json(ex.model_json_from_state(state))
    assert model.own.axis_names == ("length", "width")
    assert model.own.description == "flowers.csv" and model.own.class_names == list(names)
    assert ex.state_from_import(model).epoch == state.epoch


@pytest.mark.parametrize("change, fragment", [
    (lambda p: p.update(y=[9] * len(p["y"])), "class numbers"),
    (lambda p: p.update(X=p["X"][:-1]), "same length"),
    (lambda p: p["X"][0].append(1.0), "list of 2 numbers"),
    (lambda p: p.update(source="upload"), "source"),
    (lambda p: p["X"].__setitem__(0, [1e300, 0.0]), "larger than"),
    (lambda p: p.update(axis_names="ab"), "axis_names"),
])
def test_tampered_points_are_refused(change, fragment):
    doc = json.loads(_trained_on_drawing()[1])
    change(doc["points"])
    with pytest.raises(ex.ModelFileError, match=fragment):
        ex.model_from_json(json.dumps(doc).encode())


def test_a_model_saved_without_its_points_says_what_to_load():
    doc = json.loads(_trained_on_drawing()[1])
    del doc["points"]
    with pytest.raises(ex.ModelFileError, match="saved without them; draw the same points"):
        ex.state_from_import(ex.model_from_json(json.dumps(doc).encode()))


def test_points_for_a_generated_dataset_are_refused(model_document):
    doc = copy.deepcopy(model_document)
    doc["points"] = {"source": "draw", "X": [[0, 0], [1, 1]], "y": [0, 1]}
    with pytest.raises(ex.ModelFileError, match="makes its own"):
        ex.model_from_json(json.dumps(doc).encode())
