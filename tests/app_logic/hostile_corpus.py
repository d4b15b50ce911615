"""A corpus of hostile files, made at test time (nothing binary is checked in): CSVs for the
upload, model files and saved-runs files, as an attacker or a careless user would give them.

Each case is ``Case(name, data, refuse)``: ``refuse`` is a list of fragments the one-line
message must contain (lower case), or None when the file must be read correctly. ``stage``
says how far a refused file may get: "scan" (never reaches json.loads) or "parse" (parsed,
but no network is built). Used by tests/app_logic/test_hostile_files.py,
tests/app/test_hostile_uploads.py, tests/e2e/test_hostile_e2e.py and benchmarks/hostile_files.py.
"""

import base64
import bz2
import copy
import functools
import gzip
import io
import json
import pickle
import random
import zipfile
from dataclasses import dataclass

import numpy as np

from app_logic import exports, files, runs
from app_logic import session as pgs
from app_logic.settings import default_config


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    refuse: list | None  # message fragments (lower case), or None: the file is good
    stage: str = "parse"  # JSON only: "scan" if refused before json.loads


def _rows(n=20, seed=0, label=lambda i: i % 2):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 2))
    return [(repr(float(a)), repr(float(b)), str(label(i))) for i, (a, b) in enumerate(X)]


def _csv(rows, header=("x", "y", "label"), sep=",", end="\n"):
    lines = ([sep.join(header)] if header else []) + [sep.join(r) for r in rows]
    return (end.join(lines) + end).encode("utf-8")


GOOD = _csv(_rows())
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02" + bytes(40)
ELF = b"\x7fELF\x02\x01\x01" + bytes(120)
SQLITE = b"SQLite format 3\x00" + bytes(200)
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"


def _zip(name, data):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(name, data)
    return out.getvalue()


def _digits(script_zero):
    table = {ord(str(d)): chr(script_zero + d) for d in range(10)}
    return _csv([(f"{a:.4f}".translate(table), f"{b:.4f}".translate(table), c)
                 for a, b, c in [(float(r[0]), float(r[1]), r[2]) for r in _rows()]])


def csv_cases():
    """At least 40 CSVs: the good ones first, then the refused."""
    rows = _rows()
    text = GOOD.decode()
    good = [
        Case("plain.csv", GOOD, None),
        Case("utf8_bom.csv", b"\xef\xbb\xbf" + GOOD, None),
        Case("utf16le_bom.csv", text.encode("utf-16"), None),
        Case("utf16be_bom.csv", b"\xfe\xff" + text.encode("utf-16-be"), None),
        Case("utf32le_bom.csv", b"\xff\xfe\x00\x00" + text.encode("utf-32-le"), None),
        Case("utf32be_bom.csv", b"\x00\x00\xfe\xff" + text.encode("utf-32-be"), None),
        Case("crlf.csv", _csv(rows, end="\r\n"), None),
        Case("cr_only.csv", _csv(rows, end="\r"), None),
        Case("trailing_separators.csv", text.replace("\n", ",\n").encode(), None),
        Case("semicolon_decimal_comma.csv", text.replace(",", ";").replace(".", ",").encode(),
             None),
        Case("tabs.csv", _csv(rows, sep="\t"), None),
        Case("pipes.csv", _csv(rows, sep="|"), None),
        Case("spaces_around.csv", text.replace(",", " ,  ").encode(), None),
        Case("million_blank_lines.csv", b"\n" * 1_000_000 + GOOD, None),
        Case("blank_lines_between.csv", GOOD.replace(b"\n", b"\n\n\n"), None),
        Case("quoted_newline_label.csv", _csv(_rows(label=lambda i: '"two\nlines"' if i % 2
                                                    else "one")), None),
        Case("u2028_in_quoted_label.csv", _csv(_rows(label=lambda i: '"a\u2028b"' if i % 2
                                                     else "c")), None),
        Case("arabic_indic_digits.csv", _digits(0x0660), None),
        Case("persian_digits.csv", _digits(0x06F0), None),
        Case("fullwidth_digits.csv", _digits(0xFF10), None),
        Case("formula_labels.csv", _csv(_rows(label=lambda i: ("=cmd|' /C calc'!A0", "@SUM(A1)",
                                                               "+x")[i % 3])), None),
        Case("formula_header.csv", _csv(rows, header=("=x", "-y", "label")), None),
        Case("markdown_html_labels.csv", _csv(_rows(label=lambda i: (
            "[click](http://example.com)", "<img src=x onerror=alert(1)>")[i % 2])), None),
        Case("negative_zero.csv", _csv([("-0.0", r[1], r[2]) if i == 0 else r
                                        for i, r in enumerate(rows)]), None),
        Case("duplicate_points_conflicting.csv", _csv(rows + [(rows[0][0], rows[0][1], "1"),
                                                              (rows[1][0], rows[1][1], "0")]),
             None),
        Case("float_labels_01.csv", _csv(_rows(label=lambda i: f"{i % 2}.0")), None),
        Case("no_header.csv", _csv(rows, header=None), None),
        Case("fifty_columns.csv", _csv([r + ("1",) * 47 for r in rows],
                                       header=("x", "y", "label", *[f"c{k}" for k in range(47)])),
             None),
        Case("five_thousand_rows.csv", _csv(_rows(5_000)), None),
        Case("forty_char_number.csv", _csv([("0." + "1" * 38, r[1], r[2]) if i == 0 else r
                                            for i, r in enumerate(rows)]), None),
    ]
    refused = [
        Case("digits_5000.csv", _csv([("1" * 5_000, r[1], r[2]) if i == 0 else r
                                      for i, r in enumerate(rows)]),
             ["line 2, column 1", "5,000 characters", "at most 40"]),
        Case("digits_4400_in_every_row.csv", _csv([("1" + "0" * 4395 + f"{i:04d}", r[1], r[2])
                                                   for i, r in enumerate(rows)]),
             ["line 2", "4,400 characters", "at most 40"]),
        Case("columns_200000.csv", (",".join(f"c{k}" for k in range(200_000)) + "\n").encode()
             [:1_950_000] + b"\n", ["columns", "limit is 50"]),
        Case("columns_51.csv", _csv([r + ("1",) * 48 for r in rows],
                                    header=("x", "y", "label", *[f"c{k}" for k in range(48)])),
             ["51 columns", "limit is 50"]),
        Case("cell_1_5_mb.csv", GOOD + b"1,2," + b"a" * 1_500_000 + b"\n",
             ["cell of more than", "at most 1,000"]),
        Case("cell_5000_chars.csv", GOOD + b"1,2," + b"a" * 5_000 + b"\n",
             ["line 22, column 3", "5,000 characters", "at most 1,000"]),
        Case("label_61_chars.csv", _csv(_rows(label=lambda i: "L" * 61 if i == 3 else "a")),
             ["line 5", "61 characters", "at most 60"]),
        Case("utf16_no_bom.csv", text.encode("utf-16-le"), ["utf-16", "byte-order mark"]),
        Case("utf16be_no_bom.csv", text.encode("utf-16-be"), ["utf-16", "byte-order mark"]),
        Case("utf32_no_bom.csv", text.encode("utf-32-le"), ["utf-32", "byte-order mark"]),
        Case("utf32be_no_bom.csv", text.encode("utf-32-be"), ["utf-32", "byte-order mark"]),
        Case("png_renamed.csv", PNG, ["png image"]),
        Case("gzip.csv", gzip.compress(GOOD), ["gzip"]),
        Case("bzip2.csv", bz2.compress(GOOD), ["bzip2"]),
        Case("zip.csv", _zip("points.csv", GOOD), ["zip archive"]),
        Case("pickle_renamed.csv", pickle.dumps({"X": [[1, 2]], "y": [0]}), ["pickle"]),
        Case("elf_renamed.csv", ELF, ["program"]),
        Case("sqlite_renamed.csv", SQLITE, ["sqlite"]),
        Case("pdf_renamed.csv", PDF, ["pdf"]),
        Case("random_bytes.csv", random.Random(0).randbytes(50_000), ["not"]),
        Case("latin1.csv", "x,y,label\n1,2,caf\u00e9\n3,4,th\u00e9\n".encode("latin-1"),
             ["not utf-8", "line 2"]),
        Case("nul_in_middle.csv", GOOD[:40] + b"\x00" + GOOD[40:], ["zero byte"]),
        Case("nan.csv", _csv([("nan", r[1], r[2]) if i == 2 else r for i, r in enumerate(rows)]),
             ["line 4", "not a finite number"]),
        Case("inf.csv", _csv([(r[0], "-inf", r[2]) if i == 2 else r
                              for i, r in enumerate(rows)]), ["line 4", "not a finite number"]),
        Case("overflow_1e400.csv", _csv([("1e400", r[1], r[2]) if i == 0 else r
                                         for i, r in enumerate(rows)]),
             ["line 2", "not a finite number"]),
        Case("too_large_1e16.csv", _csv([("1e16", r[1], r[2]) if i == 0 else r
                                         for i, r in enumerate(rows)]), ["too large", "1e+15"]),
        Case("labels_200.csv", _csv(_rows(400, label=lambda i: f"class{i % 200}")),
             ["200 different values", "at most 3 classes"]),
        Case("rows_5001.csv", _csv(_rows(5_001)), ["5,000"]),
        Case("over_2mb.csv", GOOD + b"0" * (files.MAX_FILE_BYTES), ["limit is 2.0 mb"]),
        Case("empty.csv", b"", ["empty"]),
        Case("only_blank_lines.csv", b"\r\n" * 500_000, ["empty"]),
        Case("unterminated_quote.csv", GOOD + b'1,2,"' + b"x" * 200_000 + b"\n",
             ["quote"]),
        Case("superscript_digits.csv", _csv([("\u00b2", r[1], r[2]) for r in rows]),
             ["not a number"]),
        Case("python_underscores.csv", _csv([("1_000", r[1], r[2]) if i == 0 else r
                                             for i, r in enumerate(rows)]), ["not a number"]),
        Case("one_column.csv", b"x\n1\n2\n3\n4\n", ["only one column"]),
        Case("ragged.csv", GOOD + b"1,2,3,4\n", ["line 22", "4 cells"]),
    ]
    return good + refused


# ---- JSON ---------------------------------------------------------------------------------
@functools.cache
def _state(dataset="circles", epochs=3):
    state = pgs.build_state({**default_config(), "dataset": dataset, "hidden": [4, 3]})
    state.train_for(epochs)
    return state


@functools.cache
def model_bytes(dataset="circles"):
    return exports.model_json_from_state(_state(dataset))


@functools.cache
def runs_bytes(dataset="circles"):
    collection = runs.RunCollection()
    collection.add(runs.run_from_state("first run", _state(dataset)))
    return collection.to_json()


def _edit(data, change):
    doc = json.loads(data)
    change(doc)
    return json.dumps(doc).encode()


def _set(data, path, value):
    def change(doc):
        *parents, last = path
        for key in parents:
            doc = doc[key]
        doc[last] = value
    return _edit(data, change)


def _replace_first_weight(data, token):
    text = json.dumps(json.loads(data))
    doc = json.loads(text)
    first = json.dumps(doc["model"]["weights"][0][0][0])
    return text.replace(f'"weights": [[[{first}', f'"weights": [[[{token}', 1).encode()


def _replace_first_loss(data, token):
    doc = json.loads(data)
    first = json.dumps(doc["runs"][0]["history"]["train_loss"][0])
    text = json.dumps(doc, separators=(",", ":"))
    return text.replace(f'"train_loss":[{first}', f'"train_loss":[{token}', 1).encode()


def model_cases():
    m = model_bytes()
    good = [
        Case("model.json", m, None),
        Case("model_regression.json", model_bytes("plane"), None),
        Case("model_utf8_bom.json", b"\xef\xbb\xbf" + m, None),
        Case("model_utf16_bom.json", m.decode().encode("utf-16"), None),
        Case("model_negative_zero.json", _replace_first_weight(m, "-0.0"), None),
        Case("model_markdown_class_names.json", _set(m, ["class_names"],
                                                     ["[a](http://x.io)", "<b>b</b>"]), None),
    ]
    deep = b'{"format": "backprop-playground-model", "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    layers = json.loads(m)
    layers["model"]["layer_sizes"] = [2] + [4096] * 5_000 + [1]
    ten_million = json.loads(m)
    ten_million["model"]["layer_sizes"] = [2, 3162, 3162, 1]  # 10 million weights
    refused = [
        Case("model_weight_1e400.json", _replace_first_weight(m, "1e400"),
             ["1e400", "too large"]),
        Case("model_weight_10_pow_400.json", _replace_first_weight(m, "1" + "0" * 400),
             ["401 characters", "at most 40"], "scan"),
        Case("model_integer_5000_digits.json", _set(m, ["epoch"], 0).replace(
            b'"epoch": 0', b'"epoch": ' + b"7" * 5_000), ["5,000 characters"], "scan"),
        Case("model_nan.json", _replace_first_weight(m, "NaN"), ["nan"]),
        Case("model_infinity.json", _replace_first_weight(m, "Infinity"), ["infinity"]),
        Case("model_minus_infinity.json", _replace_first_weight(m, "-Infinity"), ["infinity"]),
        Case("model_weight_string.json", _set(m, ["model", "weights", 0, 0, 0], "0.5"),
             ["not a finite number"]),
        Case("model_weight_bool.json", _set(m, ["model", "weights", 0, 0, 0], True),
             ["not a finite number"]),
        Case("model_depth_10000.json", deep, ["more than 20 deep"], "scan"),
        Case("model_5000_layers.json", json.dumps(layers).encode(),
             ["layer_sizes", "at most 6 hidden layers"]),
        Case("model_10_million_weights.json", json.dumps(ten_million).encode(),
             ["larger than the app allows"]),
        Case("model_300000_values.json", _set(m, ["extra"], 0).replace(
            b'"extra": 0', b'"extra": [' + b"0," * 300_000 + b"0]"), ["250,000 values"], "scan"),
        Case("model_pickle_renamed.json", pickle.dumps(json.loads(m)), ["pickle"], "scan"),
        Case("model_gzip.json", gzip.compress(m), ["gzip"], "scan"),
        Case("model_zip.json", _zip("model.json", m), ["zip archive"], "scan"),
        Case("model_sqlite.json", SQLITE, ["sqlite"], "scan"),
        Case("model_elf.json", ELF, ["program"], "scan"),
        Case("model_utf32_no_bom.json", m.decode().encode("utf-32-le"), ["utf-32"], "scan"),
        Case("model_over_2mb.json", m + b" " * files.MAX_FILE_BYTES, ["2.0 mb"], "scan"),
        Case("model_layer_size_text.json", _set(m, ["model", "layer_sizes", 1], "4"),
             ["positive integers"]),
        Case("model_seed_text.json", _set(m, ["model", "seed"], "0"), ["model.seed"]),
        Case("model_lr_text.json", _set(m, ["config", "lr"], "0.1"), ['"lr"', "wrong kind"]),
        Case("model_noise_bool.json", _set(m, ["config", "noise"], True), ['"noise"']),
        Case("model_200_class_names.json", _set(m, ["class_names"],
                                                [f"c{k}" for k in range(200)]),
             ["2 to 3 classes"]),
        Case("model_epoch_negative.json", _set(m, ["epoch"], -1), ['"epoch"']),
        Case("model_empty.json", b"", ["empty"], "scan"),
        Case("model_null.json", b"null", ["json object"]),
        Case("model_truncated.json", m[: len(m) // 2], ["not valid json"]),
        Case("model_regression_with_classes.json",
             _set(model_bytes("plane"), ["class_names"], ["a", "b"]), ["sigmoid for 2 classes"]),
    ]
    return good + refused


def runs_cases():
    r = runs_bytes()
    one = json.loads(r)["runs"][0]

    def with_runs(k):
        doc = json.loads(r)
        doc["runs"] = [{**copy.deepcopy(one), "name": f"run {i}"} for i in range(k)]
        return json.dumps(doc).encode()

    good = [
        Case("runs.json", r, None),
        Case("runs_regression.json", runs_bytes("gaussian_sum"), None),
        Case("runs_eight.json", with_runs(8), None),
        Case("runs_markdown_name.json", _set(r, ["runs", 0, "name"], "[x](http://e.io) <b>"),
             None),
    ]
    long_history = json.loads(r)
    for k in runs.CURVES:
        long_history["runs"][0]["history"][k] = list(range(1, 1_002))
    refused = [
        Case("runs_loss_10_pow_400.json", _replace_first_loss(r, "1" + "0" * 400),
             ["401 characters"], "scan"),
        Case("runs_loss_1e400.json", _replace_first_loss(r, "1e400"), ["too large"]),
        Case("runs_loss_nan.json", _replace_first_loss(r, "NaN"), ["nan"]),
        Case("runs_nine.json", with_runs(9), ["9 runs", "at most 8"]),
        Case("runs_history_1001.json", json.dumps(long_history).encode(),
             ["1,001 values", "limit is 1,000"]),
        Case("runs_points_401.json", _set(r, ["runs", 0, "points"],
                                          {"X": [[0.0, 0.0]] * 401, "y": [0] * 401}),
             ["at most 400"]),
        Case("runs_boundary_5000.json", _set(r, ["runs", 0, "boundary", "shape"], [5000, 5000]),
             ["at most 200"]),
        Case("runs_boundary_data_long.json", _set(r, ["runs", 0, "boundary", "data"],
                                                  "A" * 1_500_000), ["characters", "needs"]),
        Case("runs_boundary_not_base64.json", _set(r, ["runs", 0, "boundary", "data"],
                                                   "@" * len(one["boundary"]["data"])),
             ["base64"]),
        Case("runs_name_41.json", _set(r, ["runs", 0, "name"], "n" * 41), ["at most 40"]),
        Case("runs_65_settings.json", _set(r, ["runs", 0, "config"],
                                           {f"k{i}": 1 for i in range(65)}), ["at most 64"]),
        Case("runs_loss_text.json", _set(r, ["runs", 0, "history", "train_loss", 0], "0.5"),
             ["not a finite number"]),
        Case("runs_depth_10000.json", b'{"runs": ' + b"[" * 10_000 + b"]" * 10_000 + b"}",
             ["more than 20 deep"], "scan"),
        Case("runs_pickle.json", pickle.dumps(json.loads(r)), ["pickle"], "scan"),
        Case("runs_gzip.json", gzip.compress(r), ["gzip"], "scan"),
        Case("runs_png.json", PNG, ["png"], "scan"),
        Case("runs_utf16_no_bom.json", r.decode().encode("utf-16-be"), ["utf-16"], "scan"),
        Case("runs_class_names_200.json", _set(r, ["runs", 0, "class_names"],
                                               [str(k) for k in range(200)]), ["class_names"]),
        Case("runs_boundary_b64_length.json", _set(r, ["runs", 0, "boundary", "data"],
                                                   base64.b64encode(b"12").decode()),
             ["needs"]),
    ]
    return good + refused


def all_cases():
    return {"csv": csv_cases(), "model": model_cases(), "runs": runs_cases()}
