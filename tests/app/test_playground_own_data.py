"""The Playground's own data, replay, saved runs and exports under AppTest: drawing and
uploading points, bad files keeping the old data, the time scrubber, "Save run", and the
model / script / GIF downloads (the model going back in through the import)."""

import base64
import io
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

from app_logic import drawing, settings
from ui import session as ui_session
from viz import boundary as vb

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "playground.py")
DATA = ROOT / "tests" / "data"


@pytest.fixture
def served(monkeypatch):
    """Bytes of every file the page hands to a download button, by media file id."""
    files = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, path_or_data, mimetype, kind, filename=None):
        file_id = original(self, path_or_data, mimetype, kind, filename)
        files[file_id] = path_or_data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return files


def run_page():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    assert not at.exception, at.exception
    return at


def rerun(at):
    """Run an interaction, then the whole page: Streamlit reruns only the fragment that a
    widget belongs to, and AppTest then shows only what that rerun drew."""
    at.run()
    assert not at.exception, at.exception
    at.seen = {kind: [e.value for e in getattr(at, kind)]  # what that first run showed
               for kind in ("error", "info", "success", "warning", "toast")}
    at.run()
    assert not at.exception, at.exception
    return at


def open_tab(at, name):
    at.session_state["pg_tab"] = name
    return rerun(at)


def state_of(at):
    return at.session_state[ui_session.PLAYGROUND]


def element(at, kind, key):
    found = [e for e in at.get(kind) if e.proto.id.endswith(key)]
    assert found, f"no {kind} {key}"
    return found[0]


def has(at, kind, key):
    return any(e.proto.id.endswith(key) for e in at.get(kind))


def download(at, served, key):
    url = element(at, "download_button", key).proto.url
    data = served[url.rsplit("/", 1)[1].split(".")[0]]
    return data if isinstance(data, bytes) else data.encode()


def texts(at):
    return " ".join(e.value for kind in ("error", "info", "success", "warning", "caption")
                    for e in getattr(at, kind))


def upload(at, path, key="pg_upload_file"):
    at.file_uploader(key=key).set_value((path.name, path.read_bytes(), "text/csv"))
    return rerun(at)


def choose_dataset(at, name):
    at.selectbox(key="pg_dataset").set_value(name)
    return rerun(at)


# ---- draw ------------------------------------------------------------------------------------
def test_draw_waits_for_enough_points_then_trains_on_them_and_undo_clear_work():
    at = choose_dataset(run_page(), "draw")
    assert has(at, "bidi_component", "pg_draw_board")
    assert state_of(at).config["dataset"] == "circles"  # nothing drawn yet: data kept
    assert "at least two classes" in texts(at)

    drawn = drawing.DrawnPoints()
    points = [(-1, -1, 0), (-0.8, 0.6, 0), (0.5, -0.9, 0), (0.9, 0.8, 1), (1.1, -0.2, 1),
              (0.2, 1.0, 1), (0.0, 0.0, 0)]
    for x, y, c in points:
        drawn.add(x, y, c)
    at.session_state[ui_session.DRAWING] = drawn  # as if clicked onto the canvas...
    at = rerun(at)
    assert state_of(at).config["dataset"] == "circles"  # ...which only the canvas publishes
    at.button(key="pg_draw_undo").click()  # the page publishes the drawing after a change
    at = rerun(at)
    state = state_of(at)
    assert state.config["dataset"] == "draw" and state.own.source == "draw"
    all_points = np.concatenate([state.train.X, state.test.X])
    assert len(all_points) == len(points) - 1  # the undone point is gone
    assert {tuple(p) for p in all_points} == {(x, y) for x, y, _ in points[:-1]}
    assert settings.config_to_query(state.config)["dataset"] == "draw"

    at.button(key="pg_step").click()
    at = rerun(at)
    assert state_of(at).epoch == 1

    at.button(key="pg_draw_clear").click()
    at = rerun(at)
    assert state_of(at).own is state.own  # an unusable drawing keeps the previous points
    assert "Until then the network trains on your previous drawing" in texts(at)
    at.button(key="pg_draw_undo").click()
    at = rerun(at)
    assert len(at.session_state[ui_session.DRAWING]) == len(points) - 1
    csv = at.session_state[ui_session.DRAWING].to_csv()
    assert drawing.DrawnPoints.from_csv(csv).counts() == [3, 3, 0]


def test_a_link_to_draw_without_points_falls_back_with_a_notice():
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.query_params["dataset"] = "draw"
    at = rerun(at)
    assert state_of(at).config["dataset"] == "circles"
    assert len(at.warning) == 1 and "dataset=draw" in at.warning[0].value


# ---- upload ----------------------------------------------------------------------------------
def test_upload_good_file_trains_then_bad_file_keeps_the_data():
    at = choose_dataset(run_page(), "upload")
    assert state_of(at).config["dataset"] == "circles"
    at = upload(at, DATA / "good" / "string_labels.csv")
    state = state_of(at)
    assert state.config["dataset"] == "upload"
    assert state.class_names == ["cat", "dog"]  # names in sorted order
    assert state.axis_names == ("length", "weight")
    raw = np.concatenate([state.train.X, state.test.X])
    assert raw[:, 0].max() > 50  # shown in the file's own units...
    assert abs(state.X_train[:, 0].mean()) < 1e-9  # ...trained on standardised inputs
    assert "x₁ is “length”" in texts(at)
    at.button(key="pg_step").click()
    at = rerun(at)
    assert state_of(at).epoch == 1

    for bad in ("non_numeric.csv", "image_renamed.csv", "single_class.csv"):
        at = upload(at, DATA / "bad" / bad)
        assert at.error and "was not loaded" in at.error[0].value
        assert "previous data stay in use" in at.error[0].value
        assert state_of(at).own is state.own and state_of(at).epoch == 1


def test_ambiguous_upload_asks_for_the_columns():
    at = choose_dataset(run_page(), "upload")
    at = upload(at, DATA / "good" / "five_columns.csv")
    assert state_of(at).config["dataset"] == "circles"  # waits for the user's choice
    assert at.selectbox(key="pg_upload_x").options
    at.selectbox(key="pg_upload_x").set_value("b")
    at.selectbox(key="pg_upload_y").set_value("c")
    at.button(key="pg_upload_use").click()
    at = rerun(at)
    assert state_of(at).config["dataset"] == "upload"
    assert state_of(at).axis_names == ("b", "c")


# ---- replay ----------------------------------------------------------------------------------
def image_pixels(spec):
    uri = spec["layout"]["images"][0]["source"]
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1]))))


def test_scrubber_replays_a_past_epoch_with_a_cursor_on_the_curves():
    at = open_tab(run_page(), "Replay")
    assert "Train for a while" in texts(at)
    for _ in range(6):
        at.button(key="pg_step").click()
        at = rerun(at)
    state = state_of(at)
    assert state.snapshots.epochs == list(range(7))
    slider = at.select_slider(key="pg_replay_epoch")
    assert slider.value == 6
    replay = json.loads(element(at, "plotly_chart", "pg_replay_boundary").proto.spec)
    now = image_pixels(replay)  # the newest snapshot is the network as it is now
    np.testing.assert_array_equal(now, vb.boundary_colors(state.boundary_u8())[::-1])

    slider.set_value(2)
    at = rerun(at)
    replay = json.loads(element(at, "plotly_chart", "pg_replay_boundary").proto.spec)
    assert not np.array_equal(now, image_pixels(replay))
    np.testing.assert_array_equal(  # the boundary of epoch 2, in the live view's colours
        image_pixels(replay), vb.boundary_colors(state_of(at).snapshots.at(2)[1])[::-1])
    loss = json.loads(element(at, "plotly_chart", "pg_replay_loss").proto.spec)
    assert [s["x0"] for s in loss["layout"]["shapes"]] == [2]
    assert "Epoch 2: train loss" in texts(at)

    at.button(key="pg_reset").click()
    at = rerun(at)
    assert state_of(at).snapshots.epochs == [0]


# ---- save run --------------------------------------------------------------------------------
def test_save_run_stores_named_runs_for_the_compare_page():
    at = run_page()
    for _ in range(3):
        at.button(key="pg_step").click()
        at = rerun(at)
    at.text_input(key="pg_run_name").set_value("before")
    at.button(key="pg_save_run").click()
    at = rerun(at)
    runs = at.session_state[ui_session.RUNS]
    assert runs.names == ["before"]
    assert runs.get("before").metrics["epoch"] == 3
    assert any("Saved “before”" in text for text in at.seen["success"])
    at.text_input(key="pg_run_name").set_value("before")  # a taken name gets a number
    at.button(key="pg_save_run").click()
    at = rerun(at)
    assert at.session_state[ui_session.RUNS].names == ["before", "before (2)"]


# ---- export / import -------------------------------------------------------------------------
def test_model_export_import_gives_identical_predictions_and_bad_files_keep_the_network(
        served):
    at = run_page()
    at.selectbox(key="pg_activation").set_value("relu")
    at = rerun(at)
    for _ in range(4):
        at.button(key="pg_step").click()
        at = rerun(at)
    at = open_tab(at, "Export")
    trained = state_of(at)
    X = np.random.default_rng(0).uniform(-1.5, 1.5, (500, 2))
    config, proba = dict(trained.config), trained.net.predict_proba(trained.prepare(X))
    model = download(at, served, "pg_export_model")
    assert json.loads(model)["config"]["activation"] == "relu"

    at.button(key="pg_reset").click()  # other weights, other settings
    at.selectbox(key="pg_activation").set_value("tanh")
    at = open_tab(rerun(at), "Import a model")
    at.file_uploader(key="pg_model_file").set_value(("model.json", model, "application/json"))
    at = rerun(at)
    restored = state_of(at)
    assert restored.config == config and restored.imported
    assert at.selectbox(key="pg_activation").value == "relu"
    np.testing.assert_array_equal(restored.net.predict_proba(restored.prepare(X)), proba)

    tampered = json.loads(model)
    tampered["model"]["weights"][0][0][0] = "1.5"
    at.file_uploader(key="pg_model_file").set_value(
        ("tampered.json", json.dumps(tampered).encode(), "application/json"))
    at = rerun(at)
    assert state_of(at) is restored
    assert any("was not imported" in text for text in at.seen["error"])


def test_script_download_reproduces_the_final_loss_and_the_gif_is_built(served, tmp_path):
    at = open_tab(run_page(), "Export")
    assert not has(at, "download_button", "pg_export_script")  # nothing trained yet
    for _ in range(3):
        at.button(key="pg_step").click()
        at = rerun(at)
    script = tmp_path / "train.py"
    script.write_bytes(download(at, served, "pg_export_script"))
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    final = float(out.rsplit("final train loss:", 1)[1])
    assert abs(final - state_of(at).trainer.history.last["train_loss"]) < 1e-9
    assert not at.warning

    at.select_slider(key="pg_lr").set_value(0.1)  # a change mid-run is pointed out
    at = rerun(at)
    assert state_of(at).changed_mid_run
    assert any("reproduces a new run" in w.value for w in at.warning)

    at.button(key="pg_make_gif").click()
    at = rerun(at)
    gif = Image.open(io.BytesIO(download(at, served, "pg_export_gif")))
    assert gif.format == "GIF" and gif.n_frames == len(state_of(at).snapshots)
    at.button(key="pg_reset").click()  # a new run: the GIF of the old one is not offered
    at = rerun(at)
    assert not has(at, "download_button", "pg_export_gif")


def test_a_model_of_drawn_points_imports_in_a_new_session_with_its_points():
    from app_logic import exports
    from app_logic.own_data import OwnData
    from app_logic.session import build_state

    rng = np.random.default_rng(3)
    X = rng.normal(size=(20, 2))
    drawn = drawing.DrawnPoints(X, (X[:, 0] > 0).astype(int) * 2)  # classes 0 and 2
    own = OwnData("draw", drawn.to_dataset(), drawn.class_names())
    trained = build_state({**settings.default_config(), "dataset": "draw"}, own)
    trained.train_for(7)
    model = exports.model_json_from_state(trained)

    at = open_tab(run_page(), "Import a model")  # a new session: nothing drawn here
    at.file_uploader(key="pg_model_file").set_value(("model.json", model, "application/json"))
    at = rerun(at)
    restored = state_of(at)
    assert restored.config["dataset"] == "draw" and restored.epoch == 7
    assert (len(restored.train), len(restored.test)) == (16, 4)  # a handful mostly trains
    np.testing.assert_array_equal(restored.net.params, trained.net.params)
    points = at.session_state[ui_session.DRAWING]  # the canvas shows the drawn points
    np.testing.assert_array_equal(points.X, X)
    np.testing.assert_array_equal(points.y, drawn.y)
    assert any("trains on the 20 points the file keeps" in t for t in at.seen["success"])
