"""Uploaded CSVs: every bad file in tests/data/bad gives one clear message; good files parse
to the right points and train."""

import pathlib

import numpy as np
import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from app_logic import own_data, settings
from app_logic import session as pgs
from app_logic import uploads as up

DATA = pathlib.Path(__file__).resolve().parents[1] / "data"

# file -> fragments the message must contain (line and column where they apply)
BAD = {
    "empty.csv": ["empty"],
    "blank_lines.csv": ["empty"],
    "one_column.csv": ["only one column"],
    "two_columns.csv": ["only 2 columns", "label column"],
    "non_numeric.csv": ["line 5", "column 2", '"y"', '"abc"', "not a number"],
    "nan.csv": ["line 8", "column 1", '"x"', "nan", "not a finite number"],
    "inf.csv": ["line 11", "column 2", '"inf"', "not a finite number"],
    "single_class.csv": ["same label", "two classes"],
    "too_many_classes.csv": ["5 different values", "at most 3 classes"],
    "too_many_rows.csv": ["more than 5,000 rows"],
    "latin1.csv": ["not utf-8", "line 2", "0xe9"],
    "utf16_no_bom.csv": ["utf-16", "without a byte-order mark"],
    "image_renamed.csv": ["png image", "not a csv"],
    "workbook_renamed.csv": ["excel workbook", "not a csv"],
    "nul_bytes.csv": ["binary data", "line 3"],
    "ragged.csv": ["line 13", "4 cells", "header has 3"],
    "header_only.csv": ["header row but no data rows"],
    "duplicate_header.csv": ['"x" twice', "columns 1 and 2"],
    "empty_cell.csv": ["line 6", "column 2", "empty"],
    "missing_label.csv": ["line 4", "column 3", '"na"', "missing label"],
    "constant_feature.csv": ["column 1", "same value", "in every row"],
    "too_few_rows.csv": ["3 data rows", "at least 4"],
    "huge_value.csv": ["line 2", "column 1", "too large"],
    "float_labels.csv": ['column 3 ("score")', "20 different values"],
}


def read(kind, name):
    return (DATA / kind / name).read_bytes()


def test_the_bad_corpus_is_complete_and_large():
    files = {p.name for p in (DATA / "bad").iterdir()}
    assert files == set(BAD)
    assert len(files) >= 15


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_gives_one_clear_message(name):
    with pytest.raises(up.UploadError) as info:
        up.parse_csv(read("bad", name))
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert message[0].isupper() and message.endswith((".", "?"))
    for fragment in BAD[name]:
        assert fragment in message.lower(), (fragment, message)


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_file_fails_before_column_choice_too(name):
    # inspect_csv either reports the same problem or passes a file whose cells are at fault
    try:
        preview = up.inspect_csv(read("bad", name))
    except up.UploadError:
        return
    with pytest.raises(up.UploadError):
        up.parse_csv(read("bad", name), preview.suggested_features, preview.suggested_label)


GOOD = {
    # file: (has_header, class names, feature names, label name)
    "header_01.csv": (True, ["0", "1"], ["x", "y"], "label"),
    "no_header.csv": (False, ["0", "1"], ["column 1", "column 2"], "column 3"),
    "string_labels.csv": (True, ["cat", "dog"], ["length", "weight"], "animal"),
    "three_classes.csv": (True, ["setosa", "versicolor", "virginica"],
                          ["petal_length", "petal_width"], "species"),
    "semicolon_decimal_comma.csv": (True, ["1", "2"], ["x", "y"], "class"),
    "utf16_tab.csv": (True, ["0", "1"], ["x", "y"], "label"),
    "labels_minus_one_one.csv": (True, ["-1", "1"], ["x1", "x2"], "y"),
}


@pytest.mark.parametrize("name", sorted(GOOD))
def test_good_file_parses(name):
    has_header, classes, features, label = GOOD[name]
    data = read("good", name)
    preview = up.inspect_csv(data)
    assert preview.has_header is has_header and not preview.ambiguous
    points = up.parse_csv(data)
    assert points.class_names == classes
    assert points.feature_names == features and points.label_name == label
    assert points.X.shape == (len(points.y), 2) and np.isfinite(points.X).all()
    assert sorted(set(points.y.tolist())) == list(range(len(classes)))


def test_same_points_whatever_the_dialect():
    reference = up.parse_csv(read("good", "header_01.csv"))
    for name in ("no_header.csv", "utf16_tab.csv", "labels_minus_one_one.csv"):
        other = up.parse_csv(read("good", name))
        np.testing.assert_array_equal(other.X, reference.X)
        np.testing.assert_array_equal(other.y, reference.y)
    semicolon = up.parse_csv(read("good", "semicolon_decimal_comma.csv"))
    np.testing.assert_allclose(semicolon.X, reference.X, atol=5e-4)  # written to 3 decimals
    np.testing.assert_array_equal(semicolon.y, reference.y)


def test_string_labels_sorted_to_classes():
    points = up.parse_csv(read("good", "string_labels.csv"))
    lines = read("good", "string_labels.csv").decode().splitlines()[1:]
    names = [line.rsplit(",", 1)[1] for line in lines]
    assert [points.class_names[k] for k in points.y] == names


@pytest.mark.parametrize("name,hidden,target", [
    ("header_01.csv", [8], 0.85),
    ("no_header.csv", [8], 0.85),
    ("string_labels.csv", [8], 0.85),
    ("three_classes.csv", [6], 0.85),
])
def test_good_files_train(name, hidden, target):
    points = up.parse_csv(read("good", name))
    config = {"dataset": "upload", "hidden": hidden, "lr": 0.03, "batch_size": 16}
    setup = pgs.build_state({**settings.default_config(), **config},
                            own_data.from_upload(points, name))
    # Standardised for training, raw for display: the inputs have mean 0 and unit spread.
    np.testing.assert_allclose(setup.X_train.mean(axis=0), 0.0, atol=1e-9)
    np.testing.assert_allclose(setup.X_train.std(axis=0), 1.0, atol=1e-9)
    assert setup.loss == ("bce" if points.n_classes == 2 else "cross_entropy")
    records = setup.trainer.run_epochs(setup.X_train, setup.train.y, 60, setup.X_test,
                                       setup.test.y)
    assert records[-1]["train_loss"] < records[0]["train_loss"]
    assert records[-1]["test_acc"] >= target


def test_ambiguous_file_asks_for_columns():
    data = read("good", "five_columns.csv")
    preview = up.inspect_csv(data)
    assert preview.ambiguous
    assert preview.columns == ["id", "a", "b", "c", "label"]
    assert preview.suggested_label == 4
    assert 0 not in preview.suggested_features  # a row-number column is no feature
    assert preview.feature_candidates == [0, 1, 2, 3, 4]
    with pytest.raises(up.UploadError, match="choose the two feature columns"):
        up.parse_csv(data)
    by_name = up.parse_csv(data, ["a", "b"], "label")
    by_index = up.parse_csv(data, (1, 2), 4)
    np.testing.assert_array_equal(by_name.X, by_index.X)
    assert by_name.feature_names == ["a", "b"]
    reference = up.parse_csv(read("good", "header_01.csv"))
    np.testing.assert_array_equal(by_name.X, reference.X)


@pytest.mark.parametrize("features,label,fragment", [
    (["a", "a"], "label", "three different columns"),
    (["a", "nope"], "label", 'no column "nope"'),
    (["a"], "label", "exactly two feature columns"),
    (["a", "b"], 9, "one of the 5 columns"),
    (["a", "b"], True, "one of the 5 columns"),
])
def test_bad_column_choices(features, label, fragment):
    with pytest.raises(up.UploadError, match=fragment):
        up.parse_csv(read("good", "five_columns.csv"), features, label)


def test_numeric_labels_one_class_per_value():
    data = b"x,y,label\n0,1,1\n1,0,1.0\n2,2,2\n3,1,2.00\n0.5,0.5,1\n"
    points = up.parse_csv(data)
    assert points.class_names == ["1", "2"]
    assert points.y.tolist() == [0, 0, 1, 1, 0]


def test_trailing_separators_and_blank_lines_are_ignored():
    data = b"x,y,label,\n\n0,1,a,\n1,0,b,\n\n2,2,a,\n3,1,b,\n"
    points = up.parse_csv(data)
    assert points.feature_names == ["x", "y"] and points.class_names == ["a", "b"]
    assert points.X.tolist() == [[0, 1], [1, 0], [2, 2], [3, 1]]


def test_row_cap_is_inclusive():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(up.MAX_POINTS, 2))
    data = up.points_to_csv(X, (X[:, 0] > 0).astype(int))
    assert len(up.parse_csv(data).y) == up.MAX_POINTS
    with pytest.raises(up.UploadError, match="limit is 5,000"):
        up.parse_csv(data + b"0.1,0.2,1\n")


def test_points_to_csv_round_trips_exactly():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(50, 2)) * 1e-7 + rng.normal(size=(50, 2)) * 1e5
    y = np.arange(50) % 3
    back = up.parse_csv(up.points_to_csv(X, y))
    np.testing.assert_array_equal(back.X, X)
    np.testing.assert_array_equal(back.y, y)


def test_not_bytes_is_a_clear_error():
    with pytest.raises(up.UploadError, match="bytes"):
        up.parse_csv("x,y,label\n")


@hypothesis_settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_never_crash(data):
    try:
        up.parse_csv(data)
    except up.UploadError as err:
        assert str(err)


CELLS = st.sampled_from(["0", "1", "2", "-3.5", "1e3", "abc", "", "nan", "inf", " 4 ", '"5"',
                         "x", "label", "1,5", "é", "NA"])


@hypothesis_settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, min_size=1, max_size=5), min_size=1, max_size=12),
       st.sampled_from([",", ";", "\t"]))
def test_arbitrary_tables_never_crash(rows, separator):
    data = "\n".join(separator.join(r) for r in rows).encode()
    try:
        points = up.parse_csv(data)
    except up.UploadError as err:
        assert str(err)
    else:
        assert np.isfinite(points.X).all()
        assert 2 <= points.n_classes <= up.MAX_CLASSES
