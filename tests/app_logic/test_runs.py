"""Saved runs: the bounded, named collection, differing settings, and the runs file."""

import base64
import copy
import json

import numpy as np
import pytest

from app_logic import files, run_tables, settings
from app_logic import runs as rn
from app_logic import session as pgs

from .tamper import set_path as _set


def synthetic_run(name="run", n_epochs=50, classes=2, res=20, **config_changes):
    """A run without training: curves and boundary made up, shapes as the app makes them."""
    epochs = np.arange(1, n_epochs + 1)
    history = {"epoch": epochs, "train_loss": 1.0 / epochs, "test_loss": 1.2 / epochs,
               "train_acc": 1 - 0.5 / epochs, "test_acc": 1 - 0.6 / epochs}
    shape = (res, res) if classes == 2 else (res, res, classes)
    boundary = np.random.default_rng(len(name)).integers(0, 256, shape, dtype=np.uint8)
    X = np.random.default_rng(1).normal(size=(30, 2))
    config = {**settings.default_config(), **config_changes}
    return rn.make_run(name, config, history, boundary, np.linspace(-2, 2, res),
                       np.linspace(-1, 3, res), [str(k) for k in range(classes)], X,
                       np.arange(30) % classes)


@pytest.fixture(scope="module")
def trained_state():
    state = pgs.build_state({**settings.default_config(), "n_samples": 1000})
    state.train_for(12)
    return state


def test_run_from_the_playground_state(trained_state):
    run = rn.run_from_state("mine", trained_state)
    history = trained_state.trainer.history
    np.testing.assert_array_equal(run.history["train_loss"], history.column("train_loss"))
    assert run.metrics["epoch"] == 12
    assert run.metrics["test_acc"] == history.last["test_acc"]
    np.testing.assert_array_equal(run.boundary, trained_state.boundary_u8())
    assert run.config == settings.experiment(trained_state.config)  # without speed or presenter
    assert "speed" not in run.config and run.config is not trained_state.config
    assert len(run.X) == rn.MAX_POINTS  # 500 training points, sampled down
    assert run.class_names == ["0", "1"]


def test_long_histories_are_thinned_keeping_the_ends():
    run = synthetic_run(n_epochs=5000)
    epochs = run.history["epoch"]
    assert len(epochs) == rn.MAX_CURVE_POINTS
    assert epochs[0] == 1 and epochs[-1] == 5000
    assert run.metrics["epoch"] == 5000


def test_collection_is_bounded_named_and_unique():
    runs = rn.RunCollection()
    for i in range(rn.MAX_RUNS):
        runs.add(synthetic_run(f"run {i}"))
    assert runs.full
    with pytest.raises(rn.RunsError, match="Delete one"):
        runs.add(synthetic_run("one more"))
    runs.delete("run 3")
    assert "run 3" not in runs and len(runs) == rn.MAX_RUNS - 1
    with pytest.raises(rn.RunsError, match="exists already"):
        runs.add(synthetic_run("run 4"))
    assert runs.unique_name("run 4") == "run 4 (2)"
    with pytest.raises(rn.RunsError, match="no saved run"):
        runs.delete("run 3")


def test_rename():
    runs = rn.RunCollection()
    runs.add(synthetic_run("a"))
    runs.add(synthetic_run("b"))
    assert runs.rename("a", "  before\tthe   change ") == "before the change"
    assert runs.names == ["before the change", "b"]
    for bad, fragment in (("b", "exists already"), ("   ", "needs a name"),
                          ("x" * 41, "at most 40"), (None, "text")):
        with pytest.raises(rn.RunsError, match=fragment):
            runs.rename("b" if bad != "b" else "before the change", bad)
    assert runs.names == ["before the change", "b"]


def test_differing_keys_and_settings_table():
    runs = rn.RunCollection()
    runs.add(synthetic_run("a"))
    runs.add(synthetic_run("b", lr=0.1, hidden=[8]))
    runs.add(synthetic_run("c", lr=0.1))
    assert runs.differing_keys() == ["hidden", "lr"]
    assert runs.differing_keys(["b", "c"]) == ["hidden"]
    assert runs.differing_keys(["a"]) == []
    table = {key: (values, differs) for key, values, differs in runs.settings_table(["a", "b"])}
    assert table["lr"] == ([settings.DEFAULTS["lr"], 0.1], True)
    assert table["seed"] == ([0, 0], False)
    runs.get("c").config.pop("seed")
    assert "seed" in runs.differing_keys(["a", "c"])  # missing counts as different


def test_file_round_trip(trained_state):
    runs = rn.RunCollection()
    runs.add(rn.run_from_state("trained", trained_state))
    runs.add(synthetic_run("three", classes=3))
    runs.get("three").history["test_loss"][3] = np.nan  # a gap survives as null
    data = runs.to_json()
    assert json.loads(data)["format"] == rn.RUNS_FORMAT
    other = rn.RunCollection()
    assert other.import_json(data) == ["trained", "three"]
    for a, b in zip(runs, other):
        assert a.name == b.name and a.config == b.config and a.class_names == b.class_names
        np.testing.assert_array_equal(a.boundary, b.boundary)
        np.testing.assert_array_equal(a.grid_x, b.grid_x)
        np.testing.assert_array_equal(a.X, b.X)
        np.testing.assert_array_equal(a.y, b.y)
        for key in rn.CURVES:
            np.testing.assert_array_equal(a.history[key], b.history[key])
        assert json.dumps(a.metrics) == json.dumps(b.metrics)


def test_import_renames_taken_names_and_is_all_or_nothing():
    runs = rn.RunCollection()
    runs.add(synthetic_run("a"))
    data = runs.to_json()
    assert runs.import_json(data) == ["a (2)"]
    for i in range(5):
        runs.add(synthetic_run(f"r{i}"))
    many = rn.RunCollection()
    for i in range(2):
        many.add(synthetic_run(f"m{i}"))
    before = runs.names
    with pytest.raises(rn.RunsFileError, match="room for 8"):
        runs.import_json(many.to_json())
    assert runs.names == before


def valid_document():
    runs = rn.RunCollection()
    runs.add(synthetic_run("a"))
    runs.add(synthetic_run("b", classes=3))
    return json.loads(runs.to_json())


def _raw(text):
    return lambda doc: text


TAMPERED = {
    "not json": (_raw("{runs: 1"), "not valid JSON"),
    "a png": (_raw("\x89PNG\r\n\x1a\n"), "not valid JSON"),
    "wrong format": (_set(["format"], "something-else"), "not a saved-runs file"),
    "newer version": (_set(["version"], 7), "version 7"),
    "version text": (_set(["version"], "1"), "version"),
    "runs not a list": (_set(["runs"], {"a": 1}), "list"),
    "no runs": (_set(["runs"], []), "no runs"),
    "run not object": (_set(["runs", 0], [1, 2]), "Run 1: must be a JSON object"),
    "missing key": (lambda d: d["runs"][1].pop("metrics") and d, "Run 2: is missing metrics"),
    "empty name": (_set(["runs", 0, "name"], "   "), "needs a name"),
    "same names": (_set(["runs", 1, "name"], "a"), "two runs the same"),
    "bad base64": (_set(["runs", 0, "boundary", "data"], "@" * 536), "not valid base64"),
    "short boundary": (_set(["runs", 0, "boundary", "data"], base64.b64encode(b"12").decode()),
                       "needs 536"),
    "huge boundary": (_set(["runs", 0, "boundary", "shape"], [5000, 5000]), "at most 200"),
    "boundary for 3 classes": (_set(["runs", 0, "class_names"], ["0", "1", "2"]),
                               "colours do not match"),
    "history lengths": (lambda d: d["runs"][0]["history"]["train_loss"].pop() and d,
                        "different lengths"),
    "history text": (_set(["runs", 0, "history", "train_loss", 2], "0.5"), "not a finite"),
    "history bool": (_set(["runs", 0, "history", "test_acc", 2], True), "not a finite"),
    "accuracy above 1": (_set(["runs", 0, "history", "test_acc", 2], 1.5), "between 0 and 1"),
    "negative loss": (_set(["runs", 0, "history", "train_loss", 2], -1), "not be negative"),
    "epochs backwards": (_set(["runs", 0, "history", "epoch", 5], 1), "increase"),
    "null epoch": (_set(["runs", 0, "history", "epoch", 5], None), "not a finite"),
    "grid length": (lambda d: d["runs"][0]["grid_x"].pop() and d, "grid_x"),
    "grid decreasing": (_set(["runs", 0, "grid_y", 3], -100.0), "axes must increase"),
    "nested config": (_set(["runs", 0, "config", "lr"], {"value": 1}), 'setting "lr"'),
    "label out of range": (_set(["runs", 0, "points", "y", 0], 5), "class numbers"),
    "point not a pair": (_set(["runs", 0, "points", "X", 0], [1]), "2 values"),
    "too many runs": (lambda d: {**d, "runs": d["runs"] * 5}, "at most 8"),
}


@pytest.mark.parametrize("case", sorted(TAMPERED))
def test_tampered_files_are_rejected_and_change_nothing(case):
    change, fragment = TAMPERED[case]
    doc = change(copy.deepcopy(valid_document()))
    data = doc.encode() if isinstance(doc, str) else json.dumps(doc).encode()
    runs = rn.RunCollection()
    runs.add(synthetic_run("kept"))
    with pytest.raises(rn.RunsFileError) as info:
        runs.import_json(data)
    assert fragment in str(info.value), str(info.value)
    assert runs.names == ["kept"]


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity"])
def test_json_non_numbers_are_rejected(token):
    text = json.dumps(valid_document(), separators=(",", ":"))
    text = text.replace('"train_loss":[1.0', f'"train_loss":[{token}', 1)
    assert token in text
    with pytest.raises(rn.RunsFileError, match="not a number JSON allows"):
        rn.read_runs_file(text.encode())


def test_huge_numbers_are_rejected():
    text = json.dumps(valid_document(), separators=(",", ":"))
    text = text.replace('"grid_x":[-2.0', '"grid_x":[-1e999', 1)
    with pytest.raises(rn.RunsFileError, match="too large for a 64-bit float"):
        rn.read_runs_file(text.encode())


def test_oversized_and_empty_files():
    with pytest.raises(rn.RunsFileError, match="limit"):
        rn.read_runs_file(b" " * (files.MAX_FILE_BYTES + 1) + b"{}")
    with pytest.raises(rn.RunsFileError, match="empty"):
        rn.read_runs_file(b"")
    with pytest.raises(rn.RunsFileError, match="more than 20 deep"):
        rn.read_runs_file(b"[" * 100_000 + b"]" * 100_000)


def test_file_size_of_a_full_collection_fits_the_upload_cap():
    runs = rn.RunCollection()
    for i in range(rn.MAX_RUNS):
        runs.add(synthetic_run(f"run {i}", n_epochs=20_000, classes=3, res=100))
    assert len(runs.to_json()) < files.MAX_FILE_BYTES


def test_the_compare_tables_put_differing_settings_first_and_show_every_run():
    runs = rn.RunCollection()
    runs.add(synthetic_run("small", hidden=[4]))
    runs.add(synthetic_run("large", hidden=[8, 8], n_epochs=20))
    frame = run_tables.settings_frame(runs, ["small", "large"])
    assert list(frame.columns) == ["differs", "small", "large"]
    differing = frame[frame["differs"] == "≠"]
    assert len(differing) >= 1 and (frame["differs"].iloc[:len(differing)] == "≠").all()
    row = differing.loc[settings.label("hidden")]
    assert row["small"] != row["large"]
    metrics = run_tables.metrics_frame([runs.get("small"), runs.get("large")])
    assert list(metrics.index) == ["small", "large"]
    assert list(metrics["epochs"]) == ["50", "20"]
    assert metrics.loc["large", "accuracy: train / test"] == \
        f"{1 - 0.5 / 20:.1%} / {1 - 0.6 / 20:.1%}"
    assert metrics.loc["large", "loss: train / test"] == f"{1 / 20:.3g} / {1.2 / 20:.3g}"
    runs.get("large").metrics["train_loss"] = 1.234e-5  # tiny, in significant digits
    assert run_tables.metrics_frame([runs.get("large")]).iloc[0, 1].startswith("1.23e-05 / ")


@pytest.mark.parametrize("changes", [
    {}, {"hidden": [16] * 6}, {"hidden": [16, 12, 16, 8, 16, 16], "dataset": "spiral3"},
    {"dataset": "gaussian_sum", "hidden": [16] * 6, "optimizer": "momentum", "lr": 0.00003},
    {"dataset": "gaussian_sum", "hidden": [1, 2, 3, 4, 5, 6], "optimizer": "momentum",
     "lr": 0.00003}])
def test_default_names_fit_and_keep_every_number_whole(changes):
    config = {**settings.default_config(), **changes}
    for epoch in (0, 5, 540, 123_456_789):
        name = rn.default_name(config, epoch)
        assert len(name) <= rn.MAX_NAME_LENGTH
        assert name.endswith(f"epoch {epoch}")  # not "epoch 5" for epoch 540
        assert f"{config['lr']:g}" in name or "×" in name or "layers" in name \
            or name.count(",") < 3


def test_default_names_shorten_the_architecture_before_leaving_parts_out():
    config = {**settings.default_config(), "dataset": "plane", "hidden": [16] * 6}
    assert rn.default_name(config, 540) == "Plane, 6×16, adam 0.003, epoch 540"
    config["hidden"] = [4, 4]
    assert rn.default_name(config, 540) == "Plane, 4-4, adam 0.003, epoch 540"


def test_unique_names_of_long_names_cut_between_words():
    runs = rn.RunCollection()
    long = "Sum of Gaussians, 6×16, adam 0.03, ep 540"[:rn.MAX_NAME_LENGTH]
    runs.add(synthetic_run(long))
    second = runs.unique_name(long)
    assert second != long and len(second) <= rn.MAX_NAME_LENGTH
    assert second.endswith("… (2)") and second.startswith("Sum of Gaussians, 6×16, adam")
    runs.add(synthetic_run(second))
    assert runs.unique_name(long).endswith("… (3)")


def test_a_key_named_twice_is_refused():
    text = json.dumps(valid_document(), separators=(",", ":"))
    text = text.replace('"version":1', '"version":1,"version":1', 1)
    with pytest.raises(rn.RunsFileError, match='names the key "version" twice'):
        rn.read_runs_file(text.encode())
