"""The Compare runs page under AppTest: empty state, demo runs, loading a runs file (good and
bad), rename and delete."""

import json
import pathlib

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_logic import runs as rn
from app_logic import settings
from ui import session as ui_session

PAGE = str(pathlib.Path(__file__).resolve().parents[2] / "app_pages" / "compare.py")


def page():
    return AppTest.from_file(PAGE, default_timeout=120)


def made_up_run(name, classes=2, **changes):
    epochs = np.arange(1, 31)
    history = {"epoch": epochs, "train_loss": 1 / epochs, "test_loss": 1.1 / epochs,
               "train_acc": 1 - 0.4 / epochs, "test_acc": 1 - 0.5 / epochs}
    shape = (25, 25) if classes == 2 else (25, 25, classes)
    boundary = np.random.default_rng(0).integers(0, 256, shape, dtype=np.uint8)
    X = np.random.default_rng(1).normal(size=(20, 2))
    return rn.make_run(name, {**settings.default_config(), **changes}, history, boundary,
                       np.linspace(-2, 2, 25), np.linspace(-2, 2, 25),
                       [str(k) for k in range(classes)], X, np.arange(20) % classes)


def runs_file(*runs):
    collection = rn.RunCollection()
    for run in runs:
        collection.add(run)
    return collection.to_json()


def with_runs(*runs):
    at = page()
    collection = rn.RunCollection()
    for run in runs:
        collection.add(run)
    at.session_state[ui_session.RUNS] = collection
    return at.run()


def texts(elements):
    return " ".join(str(e.value) for e in elements)


def test_empty_state_explains_and_offers_demo_runs():
    at = page().run()
    assert not at.exception
    assert "Save run" in texts(at.info) and "Playground" in texts(at.info)
    assert at.button(key="cmp_demo").label == "Create two demo runs"
    assert len(at.get("plotly_chart")) == 0
    assert isinstance(at.session_state[ui_session.RUNS], rn.RunCollection)


def test_demo_runs_fill_the_page():
    at = page().run()
    at.button(key="cmp_demo").click().run()
    assert not at.exception
    runs = at.session_state[ui_session.RUNS]
    assert len(runs) == 2
    linear, hidden = runs
    assert linear.config["hidden"] == [] and hidden.config["hidden"] == [8]
    assert linear.config["dataset"] == hidden.config["dataset"]
    # the hidden layer learns circles, the linear model cannot
    assert hidden.metrics["test_acc"] > 0.9 > 0.7 > linear.metrics["test_acc"]
    assert at.multiselect(key="cmp_chosen").value == runs.names
    assert "demo runs" in texts(at.success)
    assert len(at.get("plotly_chart")) == 4  # loss, accuracy, two boundaries
    settings = at.dataframe[1].value
    assert settings.index[0] == "Hidden layers" and settings.iloc[0]["differs"] == "≠"
    assert (settings["differs"] == "≠").sum() == 1
    assert at.get("download_button")


def test_choosing_runs_changes_the_charts():
    at = with_runs(made_up_run("a"), made_up_run("b", lr=0.1), made_up_run("c", seed=3))
    assert len(at.get("plotly_chart")) == 5
    at.multiselect(key="cmp_chosen").set_value(["a", "c"]).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 4
    assert "seed" in texts(at.caption) and "learning rate" not in texts(at.caption)
    at.multiselect(key="cmp_chosen").set_value([]).run()
    assert "Choose at least one run" in texts(at.info)


def test_uploading_a_runs_file_adds_its_runs():
    at = with_runs(made_up_run("mine"))
    data = runs_file(made_up_run("from a file", classes=3, dataset="blobs3"),
                     made_up_run("mine"))
    at.file_uploader(key="cmp_upload").set_value(("runs.json", data, "application/json")).run()
    assert not at.exception
    assert at.session_state[ui_session.RUNS].names == ["mine", "from a file", "mine (2)"]
    assert "Loaded 2 runs" in texts(at.success)
    assert at.multiselect(key="cmp_chosen").value == ["mine", "from a file", "mine (2)"]
    assert len(at.get("plotly_chart")) == 5


def test_uploading_into_the_empty_page():
    at = page().run()
    at.file_uploader(key="cmp_upload").set_value(
        ("runs.json", runs_file(made_up_run("x"), made_up_run("y")), "application/json")).run()
    assert not at.exception
    assert len(at.session_state[ui_session.RUNS]) == 2 and len(at.get("plotly_chart")) == 4


@pytest.mark.parametrize("data,fragment", [
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "PNG image"),
    (b'{"format": "backprop-playground-runs", "version": 1, "runs": [{"name": "x"}]}',
     "Run 1"),
    (b"", "empty"),
], ids=["png", "broken run", "empty"])
def test_a_bad_file_gives_a_message_and_keeps_the_runs(data, fragment):
    at = with_runs(made_up_run("kept"))
    at.file_uploader(key="cmp_upload").set_value(("bad.json", data, "application/json")).run()
    assert not at.exception
    message = texts(at.error)
    assert "bad.json" in message and fragment in message and "unchanged" in message
    assert at.session_state[ui_session.RUNS].names == ["kept"]
    assert len(at.get("plotly_chart")) == 3  # still drawn


def test_a_tampered_file_is_refused():
    doc = json.loads(runs_file(made_up_run("t")))
    doc["runs"][0]["history"]["test_acc"][0] = 7
    at = with_runs(made_up_run("kept"))
    at.file_uploader(key="cmp_upload").set_value(
        ("t.json", json.dumps(doc).encode(), "application/json")).run()
    assert "between 0 and 1" in texts(at.error)
    assert at.session_state[ui_session.RUNS].names == ["kept"]


def test_rename_and_delete():
    at = with_runs(made_up_run("a"), made_up_run("b"))
    at.selectbox(key="cmp_rename_from").set_value("a")
    at.text_input(key="cmp_rename_to").set_value("before")
    at.button(key="cmp_rename").click().run()
    assert not at.exception
    assert at.session_state[ui_session.RUNS].names == ["before", "b"]
    assert at.multiselect(key="cmp_chosen").value == ["before", "b"]
    at.text_input(key="cmp_rename_to").set_value("b")
    at.selectbox(key="cmp_rename_from").set_value("before")
    at.button(key="cmp_rename").click().run()
    assert "exists already" in texts(at.error)
    at.selectbox(key="cmp_delete_which").set_value("b")
    at.button(key="cmp_delete").click().run()
    assert not at.exception
    assert at.session_state[ui_session.RUNS].names == ["before"]
    assert at.multiselect(key="cmp_chosen").value == ["before"]
    at.selectbox(key="cmp_delete_which").set_value("before")
    at.button(key="cmp_delete").click().run()
    assert not at.exception and len(at.session_state[ui_session.RUNS]) == 0
    assert at.button(key="cmp_demo")  # back to the empty page


def test_regressions_get_their_own_loss_plot_and_one_legend_names_every_run():
    regression = rn.make_run(
        "a regression", {**settings.default_config(), "dataset": "plane"},
        {"epoch": np.arange(1, 31), "train_loss": np.full(30, 0.01),
         "test_loss": np.full(30, 0.02), "train_acc": np.full(30, np.nan),
         "test_acc": np.full(30, np.nan)},
        np.zeros((25, 25), np.uint8), np.linspace(-2, 2, 25), np.linspace(-2, 2, 25), [],
        np.zeros((20, 2)), np.linspace(-1, 1, 20))
    at = with_runs(made_up_run("a <b>classifier</b>"), regression)
    assert not at.exception
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    by_title = {spec["layout"]["title"]["text"]: spec for spec in charts.values()}
    classifier_loss = by_title["Loss (cross-entropy)"]
    regression_loss = by_title["Regressions: loss (squared error)"]
    assert {t["name"] for t in classifier_loss["data"]} == {
        "a &lt;b&gt;classifier&lt;/b&gt; (train)", "a &lt;b&gt;classifier&lt;/b&gt; (test)"}
    assert {t["name"] for t in regression_loss["data"]} == {
        "a regression (train)", "a regression (test)"}
    assert not any(spec["layout"].get("showlegend", True) for spec in
                   (classifier_loss, regression_loss, by_title["Accuracy"]))
    legend = " ".join(h.proto.body for h in at.get("html"))
    assert "a &lt;b&gt;classifier&lt;/b&gt;" in legend and "a regression" in legend


def test_chosen_runs_and_the_log_axis_survive_a_visit_to_another_page():
    at = AppTest.from_file(str(pathlib.Path(PAGE).parents[1] / "app.py"), default_timeout=120)
    collection = rn.RunCollection()
    for run in (made_up_run("a"), made_up_run("b", lr=0.1), made_up_run("c", seed=3)):
        collection.add(run)
    at.session_state[ui_session.RUNS] = collection
    at.run()
    at.switch_page("app_pages/compare.py").run()
    at.multiselect(key="cmp_chosen").set_value(["a", "c"]).run()
    at.toggle(key="cmp_log_loss").set_value(True).run()
    at.switch_page("app_pages/playground.py").run()
    assert not at.exception
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    assert at.multiselect(key="cmp_chosen").value == ["a", "c"]
    assert at.toggle(key="cmp_log_loss").value


def chart_fonts(at):
    return sorted(json.loads(c.proto.spec)["layout"]["font"]["size"]
                  for c in at.get("plotly_chart") if "Loss" in c.proto.spec)


def boundary_title_sizes(at):
    specs = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
    return sorted(s["title"]["font"]["size"] for s in specs if "accuracy" in s["title"]["text"])


def test_presenter_mode_enlarges_the_curves_the_key_and_the_boundaries():
    runs = [made_up_run(f"circles, adam 0.03, epoch {n}") for n in (351, 60)]
    screen = with_runs(*runs)
    at = page()
    collection = rn.RunCollection()
    for run in runs:
        collection.add(run)
    at.session_state[ui_session.RUNS] = collection
    at.query_params["presenter"] = "1"
    projector = at.run()
    assert not screen.exception and not projector.exception
    assert chart_fonts(projector) > chart_fonts(screen)
    assert boundary_title_sizes(projector) > boundary_title_sizes(screen)
    legend = " ".join(h.proto.body for h in projector.get("html"))
    assert "font-size:1.2rem" in legend
    # A name wraps between its parts, never between "epoch" and its number.
    assert "epoch\u00a0351" in legend and "epoch 351" not in legend.split("title=")[-1]
