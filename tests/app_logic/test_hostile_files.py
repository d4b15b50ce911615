"""The hostile corpus (tests/app_logic/hostile_corpus.py) through the public functions: every
refused file raises the module's own error with one line naming the cause and the limit,
before the parser or the network constructor when it should; every good file is read
correctly and round-trips; nothing takes much memory."""

import ast
import json
import pathlib
import sys
import tomllib
import tracemalloc

import numpy as np
import pytest

import mlp_core as mc
from app_logic import exports, files, runs, uploads
from tests.app_logic import hostile_corpus as hc

ROOT = pathlib.Path(__file__).resolve().parents[2]
CASES = hc.all_cases()
MAX_MEMORY = 80e6  # bytes traced while one file is read


def by_name(kind):
    return {c.name: c for c in CASES[kind]}


def test_the_corpus_is_large_and_covers_the_issue():
    csvs, jsons = CASES["csv"], CASES["model"] + CASES["runs"]
    assert len(csvs) >= 40 and len(jsons) >= 25
    assert sum(c.refuse is not None for c in csvs) >= 25
    names = {c.name for group in CASES.values() for c in group}
    for needed in ("digits_5000.csv", "columns_200000.csv", "cell_1_5_mb.csv",
                   "million_blank_lines.csv", "u2028_in_quoted_label.csv", "utf32le_bom.csv",
                   "utf32_no_bom.csv", "gzip.csv", "formula_labels.csv", "arabic_indic_digits.csv",
                   "duplicate_points_conflicting.csv", "labels_200.csv", "nan.csv",
                   "overflow_1e400.csv", "negative_zero.csv", "quoted_newline_label.csv",
                   "model_pickle_renamed.json", "model_depth_10000.json",
                   "model_10_million_weights.json", "model_5000_layers.json",
                   "model_weight_1e400.json", "model_weight_10_pow_400.json",
                   "runs_loss_10_pow_400.json"):
        assert needed in names, needed


def _one_line(message):
    assert "\n" not in message and "Traceback" not in message and len(message) < 600, message
    assert (message[0].isupper() or message[0] == '"') and message.endswith((".", "?")), message


def _refused(error, message, fragments):
    _one_line(message)
    for fragment in fragments:
        assert fragment in message.lower(), (fragment, message)


def _traced(call):
    tracemalloc.start()
    try:
        return call()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < MAX_MEMORY, f"{peak / 1e6:.0f} MB"


# ---- CSV ---------------------------------------------------------------------------------------
def read_csv(data):
    preview = uploads.inspect_csv(data)
    points = uploads.parse_csv(data, preview.suggested_features, preview.suggested_label)
    return preview, points


@pytest.mark.parametrize("case", CASES["csv"], ids=lambda c: c.name)
def test_csv_case(case):
    if case.refuse is not None:
        with pytest.raises(uploads.UploadError) as info:
            _traced(lambda: read_csv(case.data))
        _refused(uploads.UploadError, str(info.value), case.refuse)
        return
    preview, points = _traced(lambda: read_csv(case.data))
    assert len(preview.columns) <= files.MAX_COLUMNS
    assert points.X.shape == (len(points.y), 2) and np.isfinite(points.X).all()
    assert 2 <= points.n_classes <= files.MAX_CLASSES
    # What a download writes is read back to the same points, names and all.
    again = uploads.parse_csv(uploads.points_to_csv(points.X, points.y, points.class_names,
                                                    points.feature_names, points.label_name))
    np.testing.assert_array_equal(again.X, points.X)
    np.testing.assert_array_equal(again.y, points.y)
    assert again.class_names == points.class_names
    assert again.feature_names == points.feature_names


def _plain_points():
    return uploads.parse_csv(by_name("csv")["plain.csv"].data)


@pytest.mark.parametrize("name", ["utf8_bom.csv", "utf16le_bom.csv", "utf16be_bom.csv",
                                  "utf32le_bom.csv", "utf32be_bom.csv", "crlf.csv",
                                  "cr_only.csv", "trailing_separators.csv", "tabs.csv",
                                  "pipes.csv", "spaces_around.csv", "million_blank_lines.csv",
                                  "blank_lines_between.csv", "no_header.csv"])
def test_dialects_and_encodings_read_the_same_points(name):
    reference, points = _plain_points(), uploads.parse_csv(by_name("csv")[name].data)
    np.testing.assert_array_equal(points.X, reference.X)
    np.testing.assert_array_equal(points.y, reference.y)


@pytest.mark.parametrize("name", ["arabic_indic_digits.csv", "persian_digits.csv",
                                  "fullwidth_digits.csv"])
def test_digits_of_other_scripts_are_numbers(name):
    reference, points = _plain_points(), uploads.parse_csv(by_name("csv")[name].data)
    np.testing.assert_allclose(points.X, reference.X, atol=1e-4)


def test_labels_keep_what_the_file_says():
    csv = by_name("csv")
    assert uploads.parse_csv(csv["u2028_in_quoted_label.csv"].data).class_names == \
        ["a\u2028b", "c"]
    assert uploads.parse_csv(csv["quoted_newline_label.csv"].data).class_names == \
        ["one", "two\nlines"]
    formula = uploads.parse_csv(csv["formula_labels.csv"].data)
    assert set(formula.class_names) == {"=cmd|' /C calc'!A0", "@SUM(A1)", "+x"}
    written = uploads.points_to_csv(formula.X, formula.y, formula.class_names)
    assert b"\n'=cmd" not in written and b",'=cmd" in written and b",'@SUM" in written
    header = uploads.parse_csv(csv["formula_header.csv"].data)
    assert header.feature_names == ["=x", "-y"]
    assert uploads.points_to_csv(header.X, header.y, None, header.feature_names) \
        .startswith(b"'=x,'-y,label")
    signed = uploads.points_to_csv([[1, 2], [3, 4]], [0, 1], ["-1", "1"])
    assert b",-1\n" in signed  # a number is not a formula


def test_duplicate_points_with_different_labels_are_kept_and_counted():
    data = by_name("csv")["duplicate_points_conflicting.csv"].data
    points = uploads.parse_csv(data)
    assert len(points.y) == 22 and points.conflicts == 2
    assert _plain_points().conflicts == 0


def test_negative_zero_and_long_numbers_are_read():
    csv = by_name("csv")
    assert np.signbit(uploads.parse_csv(csv["negative_zero.csv"].data).X[0, 0])
    assert uploads.parse_csv(csv["forty_char_number.csv"].data).X[0, 0] == \
        pytest.approx(0.1111111111)


def test_column_choosers_never_get_more_than_the_limit():
    preview = uploads.inspect_csv(by_name("csv")["fifty_columns.csv"].data)
    assert len(preview.columns) == files.MAX_COLUMNS and preview.ambiguous


def test_python_int_string_limit_never_fires():
    # int() of a string over Python's limit (4,300 digits; here lowered to 640) raises a
    # ValueError; no such int() is ever called.
    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)
    try:
        for name in ("digits_5000.csv", "digits_4400_in_every_row.csv"):
            with pytest.raises(uploads.UploadError, match="characters"):
                read_csv(by_name("csv")[name].data)
        with pytest.raises(exports.ModelFileError, match="characters"):
            exports.model_from_json(by_name("model")["model_integer_5000_digits.json"].data)
    finally:
        sys.set_int_max_str_digits(before)


# ---- model files -----------------------------------------------------------------------------
@pytest.fixture
def guarded(monkeypatch):
    """json.loads and the network constructor, replaced by ones that record whether they ran."""
    reached = set()
    loads, init = files.json.loads, mc.MLP.__init__

    def recording_loads(*args, **kwargs):
        reached.add("json")
        return loads(*args, **kwargs)

    def recording_init(self, *args, **kwargs):
        reached.add("network")
        return init(self, *args, **kwargs)

    monkeypatch.setattr(files.json, "loads", recording_loads)
    monkeypatch.setattr(mc.MLP, "__init__", recording_init)
    return reached


@pytest.mark.parametrize("case", CASES["model"], ids=lambda c: c.name)
def test_model_case(case, guarded):
    if case.refuse is not None:
        with pytest.raises(exports.ModelFileError) as info:
            _traced(lambda: exports.model_from_json(case.data))
        _refused(exports.ModelFileError, str(info.value), case.refuse)
        assert "network" not in guarded, "a refused file reached the network constructor"
        if case.stage == "scan":
            assert "json" not in guarded, "a refused file reached json.loads"
        return
    model = _traced(lambda: exports.model_from_json(case.data))
    state = exports.state_from_import(model)
    assert state.epoch == model.epoch == 3
    again = exports.model_from_json(exports.model_json_from_state(state))
    np.testing.assert_array_equal(again.net.params, model.net.params)
    assert again.epoch == 3


def test_regression_model_round_trips_with_a_linear_output():
    model = exports.model_from_json(hc.model_bytes("plane"))
    assert model.class_names == [] and model.net.activations[-1] == "linear"
    assert exports.state_from_import(model).regression


# ---- runs files ------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES["runs"], ids=lambda c: c.name)
def test_runs_case(case, guarded):
    collection = runs.RunCollection()
    collection.add(runs.run_from_state("kept", hc._state()))
    guarded.clear()
    if case.refuse is not None:
        with pytest.raises(runs.RunsFileError) as info:
            _traced(lambda: collection.import_json(case.data))
        _refused(runs.RunsFileError, str(info.value), case.refuse)
        assert collection.names == ["kept"]
        if case.stage == "scan":
            assert "json" not in guarded, "a refused file reached json.loads"
        return
    fresh = runs.RunCollection()
    added = _traced(lambda: fresh.import_json(case.data))
    again = runs.RunCollection()
    assert again.import_json(fresh.to_json()) == added
    for a, b in zip(fresh, again):
        np.testing.assert_array_equal(a.boundary, b.boundary)
        np.testing.assert_array_equal(a.y, b.y)
        assert a.class_names == b.class_names


def test_regression_runs_keep_their_targets():
    run = runs.read_runs_file(hc.runs_bytes("gaussian_sum"))[0]
    assert run.n_classes == 0 and run.y.dtype == float and not np.all(run.y == np.round(run.y))


# ---- the engine entry point --------------------------------------------------------------------
def _model(**changes):
    base = {"layer_sizes": [2, 1], "activations": ["sigmoid"], "weights": [[[0.5], [1.0]]],
            "biases": [[0.0]]}
    return {**base, **changes}


@pytest.mark.parametrize("data,fragment", [
    (_model(layer_sizes=[4096] * 5_000, activations=["relu"] * 4_999), "MAX_LAYERS"),
    (_model(layer_sizes=[2, 4096, 4096, 4096, 1], activations=["relu"] * 3 + ["sigmoid"]),
     "MAX_PARAMS"),
    (_model(layer_sizes=[2, 10**400]), "layer_sizes[1]"),
    (_model(layer_sizes=[2, True]), "layer_sizes[1]"),
    (_model(weights=[[["0.5"], [1.0]]]), "'0.5'"),
    (_model(weights=[[[True], [1.0]]]), "True"),
    (_model(weights=[[[10**400], [1.0]]]), "too large"),
    (_model(weights=[[[float("nan")], [1.0]]]), "non-finite"),
    (_model(weights=[[[0.5, 1.0]]]), "shape"),
    (_model(biases="0"), "biases"),
    (_model(seed="0"), "seed"),
], ids=["5000 layers", "params", "huge size", "bool size", "text weight", "bool weight",
        "huge weight", "nan weight", "shape", "biases text", "seed text"])
def test_from_dict_refuses_before_building(data, fragment, guarded):
    with pytest.raises(ValueError) as info:
        mc.MLP.from_dict(data)
    assert fragment in str(info.value)
    if fragment not in ("seed",):
        assert "network" not in guarded


# ---- one place for the limits ------------------------------------------------------------------
@pytest.mark.parametrize("module", ["uploads", "exports", "runs"])
def test_file_modules_define_no_limits_of_their_own(module):
    tree = ast.parse((ROOT / "app_logic" / f"{module}.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id.startswith("MAX_"):
                    assert isinstance(node.value, ast.Name), \
                        f"{module}.{target.id} is a limit of its own; it belongs in files.py"


def test_the_byte_limit_is_streamlits_upload_limit():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert files.MAX_FILE_BYTES == config["server"]["maxUploadSize"] * 1_000_000


def test_the_model_limits_are_the_apps_largest_network():
    from app_logic.settings import MAX_LAYERS, MAX_NEURONS
    assert files.MAX_MODEL_PARAMS == 1_539
    sizes = [len(mc.FEATURES), *[MAX_NEURONS] * MAX_LAYERS, 3]
    assert mc.MLP(sizes, ["relu"] * MAX_LAYERS + ["softmax"]).params.size == 1_539


def test_json_reader_refuses_overflow_in_any_form():
    for text, fragment in ((b"[1e400]", "too large"), (b"[-1e400]", "too large"),
                           (b"[" + b"9" * 41 + b"]", "41 characters"), (b"[NaN]", "NaN"),
                           (b'{"a": [' * 21 + b"]}" * 21, "deep")):
        with pytest.raises(files.FileError, match=fragment):
            files.load_json(text)
    assert json.dumps(files.load_json(b"[-0.0, 1e308, 12345678901234567890]")) == \
        "[-0.0, 1e+308, 12345678901234567890]"
