"""Hostile files given to the pages (AppTest): every refusal is shown in the slot under the
uploader it was given to, replacing the earlier "Loaded ...", and the previous data, network
or runs stay; text from a file is shown as plain text; an unforeseen error is a message, not
Streamlit's exception box."""

import re

import pytest
from streamlit.testing.v1 import AppTest

from app_logic import runs as rn
from tests.app.test_compare import PAGE as COMPARE_PAGE
from tests.app.test_compare import made_up_run
from tests.app.test_playground_own_data import choose_dataset, open_tab, rerun, run_page, state_of
from tests.app_logic import hostile_corpus as hc
from ui import session as ui_session

CSV = {c.name: c for c in hc.csv_cases()}
MODELS = {c.name: c for c in hc.model_cases()}
RUNS = {c.name: c for c in hc.runs_cases()}
CSV_SAMPLE = ["digits_5000.csv", "columns_200000.csv", "cell_1_5_mb.csv", "utf32_no_bom.csv",
              "gzip.csv", "labels_200.csv", "over_2mb.csv", "million_blank_lines.csv"]
MODEL_SAMPLE = ["model_weight_10_pow_400.json", "model_pickle_renamed.json",
                "model_depth_10000.json", "model_5000_layers.json", "model_weight_1e400.json"]
RUNS_SAMPLE = ["runs_loss_10_pow_400.json", "runs_nine.json", "runs_gzip.json",
               "runs_boundary_data_long.json"]


def notice(at, slot):
    return (at.session_state[ui_session.NOTICES] or {}).get(slot)


def give(at, key, name, data):
    at.file_uploader(key=key).set_value((name, data, "application/octet-stream"))
    return rerun(at)


def shown(at):
    return [e.value for kind in ("error", "success", "info", "caption")
            for e in getattr(at, kind)]


@pytest.fixture(scope="module")
def playground_with_upload():
    at = choose_dataset(run_page(), "upload")
    at = give(at, "pg_upload_file", "plain.csv", CSV["plain.csv"].data)
    assert notice(at, "upload")[0] == "success"
    return at


def test_refused_csvs_are_shown_under_the_uploader_and_the_points_stay(playground_with_upload):
    at = playground_with_upload
    kept = state_of(at).own
    for name in CSV_SAMPLE:
        case = CSV[name]
        at = give(at, "pg_upload_file", name, case.data)
        if case.refuse is None:  # a good one among them is loaded, and then kept
            assert notice(at, "upload")[0] == "success", name
            kept = state_of(at).own
            continue
        kind, text = notice(at, "upload")
        assert kind == "error" and "was not loaded" in text and "previous data stay" in text
        assert case.refuse[0].split(",")[0] in text.lower(), (name, text)
        assert any(text == value for value in shown(at)), name  # on the page
        assert not any(v.startswith("Loaded") for v in shown(at))  # replaced
        assert state_of(at).own is kept and state_of(at).config["dataset"] == "upload"


def test_labels_and_file_names_from_a_file_are_plain_text(playground_with_upload):
    at = give(playground_with_upload, "pg_upload_file", "[evil](http://e.io) <b>.csv",
              CSV["markdown_html_labels.csv"].data)
    kind, text = notice(at, "upload")
    assert kind == "success" and "\\[evil\\](http:\u200b//e.io) \\<b\\>" in text
    caption = " ".join(shown(at))
    assert "\\[click\\](http:\u200b//example.com)" in caption and "\\<img src" in caption
    assert not re.search(r"(?<!\\)(\[click|<img)", caption)  # every one escaped


def test_duplicate_points_are_counted_in_the_success_message(playground_with_upload):
    at = give(playground_with_upload, "pg_upload_file", "dup.csv",
              CSV["duplicate_points_conflicting.csv"].data)
    kind, text = notice(at, "upload")
    assert kind == "success" and "2 places hold points with different labels" in text


def test_an_unforeseen_error_is_a_message_not_an_exception_box(playground_with_upload,
                                                              monkeypatch):
    import ui.own_data_panels as panels

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(panels, "inspect_csv", broken)
    at = give(playground_with_upload, "pg_upload_file", "any.csv", CSV["plain.csv"].data)
    kind, text = notice(at, "upload")
    assert kind == "error" and "could not be read" in text and "previous data stay" in text
    assert not at.exception


def test_refused_model_files_keep_the_network():
    at = open_tab(run_page(), "Import a model")
    before = state_of(at)
    for name in MODEL_SAMPLE:
        at = give(at, "pg_model_file", name, MODELS[name].data)
        kind, text = notice(at, "import")
        assert kind == "error" and "was not imported" in text and "unchanged" in text, text
        assert state_of(at) is before
    at = give(at, "pg_model_file", "model.json", MODELS["model.json"].data)
    kind, text = notice(at, "import")
    assert kind == "success" and "at epoch 3" in text and state_of(at).epoch == 3
    imported = state_of(at)
    at = give(at, "pg_model_file", "pickle.json", MODELS["model_pickle_renamed.json"].data)
    kind, text = notice(at, "import")  # the refusal replaces the success
    assert kind == "error" and "pickle" in text and state_of(at) is imported


def test_refused_runs_files_keep_the_runs_and_are_shown_under_the_uploader():
    at = AppTest.from_file(COMPARE_PAGE, default_timeout=120)
    collection = rn.RunCollection()
    collection.add(made_up_run("kept"))
    at.session_state[ui_session.RUNS] = collection
    at.run()
    at = give(at, "cmp_upload", "runs.json", RUNS["runs_markdown_name.json"].data)
    kind, text = notice(at, "compare_upload")
    assert kind == "success" and "\\[x\\](http:\u200b//e.io) \\<b\\>" in text
    for name in RUNS_SAMPLE:
        at = give(at, "cmp_upload", name, RUNS[name].data)
        kind, text = notice(at, "compare_upload")
        assert kind == "error" and "unchanged" in text and name in text.replace("\\", ""), text
        assert at.session_state[ui_session.RUNS].names == ["kept", "[x](http://e.io) <b>"]
        assert not at.exception
