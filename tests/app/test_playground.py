"""The Playground page under streamlit.testing.v1.AppTest: controls change the state and the
figures, the transport works, and bad links give a notice instead of a traceback."""

import base64
import json
import pathlib

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_logic import frames, settings
from app_logic.network_message import read_network_message
from app_logic.presets import PRESETS
from ui import session as ui_session
from viz.boundary import boundary_colors

PAGE = str(pathlib.Path(__file__).resolve().parents[2] / "app_pages" / "playground.py")


def run_page(query=None):
    at = AppTest.from_file(PAGE, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def play_pause(at, label):
    """Click Play or Pause (``label``): two buttons, one shown at a time."""
    return interact(at.button(key=f"pg_{label.lower()}").click())


def train_until_paused(state):
    """What the live view's ticks do, a second apart (a preset plays at its speed),
    without waiting for them."""
    second = 0.0
    while state.playing:
        state.train_live(second, 1.0)
        second += 1.0


def interact(widget):
    """Run an interaction, then the whole page: Streamlit reruns only the fragment that a
    widget belongs to, and AppTest then shows only what that rerun drew."""
    at = widget.run()
    assert not at.exception, at.exception
    at.toasts_seen = [t.value for t in at.toast]  # what that run showed
    at.run()
    assert not at.exception, at.exception
    return at


def state_of(at):
    return at.session_state[ui_session.PLAYGROUND]


def charts(at):
    """Plotly specs by chart key (the keys the page gives its charts), and the network
    diagram's message as "pg_network" (its header, with the height as a layout's)."""
    specs = {}
    for element in at.get("plotly_chart"):
        spec = json.loads(element.proto.spec)
        for key in ("pg_loss", "pg_accuracy"):
            if element.proto.id.endswith(key):
                specs[key] = spec
    assert set(specs) == {"pg_loss", "pg_accuracy"}
    header, parts = read_network_message(component_bytes(at, "pg_network"))
    specs["pg_network"] = {"layout": {"height": header["height"]}, "header": header,
                           "weights": [w.tolist() for w in parts["weights"]]}
    return specs


def component_bytes(at, key):
    """The message (bytes) of the page's component ``key``."""
    found = [c.proto.bytes for c in at.get("bidi_component") if c.proto.id.endswith("-" + key)]
    assert len(found) == 1, (key, [c.proto.id for c in at.get("bidi_component")])
    return found[0]


def decode_array(value):
    """A plotly array from JSON: a list, or base64 typed-array ({"dtype", "bdata"})."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.asarray(value, dtype=float)


def boundary_uri(at):
    """The live board's message (bytes: the frames the browser paints, app_logic/frames.py)."""
    return component_bytes(at, "pg_board")


def boundary_pixels(at):
    """The colours the browser gives the grid of the board's last frame (row 0 at the top)."""
    header, grids = frames.read_frames(boundary_uri(at))
    return boundary_colors(grids[-1], header["discretize"])[::-1]


def picture_width(at):
    """Width in pixels of the picture the board paints."""
    return frames.unpack(boundary_uri(at))[0]["picture"][0]


def query(at):
    """The URL parameters the page set, as str -> str."""
    return {k: v[-1] if isinstance(v, list) else v for k, v in at.query_params.items()}


def metric(at, label):
    return next(m.value for m in at.metric if m.label == label)


def test_page_runs_with_transport_and_metrics():
    at = run_page()
    labels = [b.label for b in at.button]
    for label in ("Play", "Step", "Reset"):
        assert label in labels
    assert [m.label for m in at.metric] == ["Epoch", "Train loss", "Test loss",
                                            "Train accuracy", "Test accuracy"]
    assert metric(at, "Epoch") == "0"
    state = state_of(at)
    assert state.config == settings.default_config() and not state.playing
    assert query(at)["hidden"] == "4,4" and query(at)["lr"] == "0.003"
    for group in ("Data", "Network", "Training"):
        assert group in [h.value for h in at.sidebar.header]
    # Every control is explained: in the main area by its tooltip, in the sidebar in its
    # section's "What these settings do" (a help icon each would be a keyboard stop each).
    explained = " ".join(m.value for m in at.sidebar.markdown)
    sidebar_widgets = [*at.sidebar.slider, *at.sidebar.selectbox, *at.sidebar.select_slider,
                       *at.sidebar.number_input, *at.sidebar.multiselect]
    for widget in sidebar_widgets:
        label = "Neurons in layer N" if widget.label.startswith("Neurons") else widget.label
        assert widget.help or f"**{label}**:" in explained, f"{widget.label} is not explained"
    assert [w.label for w in sidebar_widgets if w.help] == ["Preset"]
    for widget in at.toggle:
        assert widget.help, f"{widget.label} has no tooltip"


def test_step_advances_epoch_and_changes_loss_and_boundary():
    at = run_page()
    loss_before, pixels_before = metric(at, "Train loss"), boundary_pixels(at)
    interact(at.button(key="pg_step").click())
    assert not at.exception
    assert metric(at, "Epoch") == "1" and state_of(at).epoch == 1
    assert metric(at, "Train loss") != loss_before
    assert not np.array_equal(boundary_pixels(at), pixels_before)
    loss_curve = charts(at)["pg_loss"]["data"][0]  # epoch 0 (before training), then epoch 1
    np.testing.assert_allclose(decode_array(loss_curve["x"]), [0, 1])
    np.testing.assert_allclose(decode_array(loss_curve["y"]),
                               [float(loss_before), *state_of(at).trainer.history.column(
                                   "train_loss")], rtol=1e-3)
    interact(at.button(key="pg_step").click())
    assert metric(at, "Epoch") == "2"


def test_play_trains_and_pause_stops():
    at = run_page()
    play_pause(at, "Play")
    state = state_of(at)
    assert state.playing and state.epoch > 0  # the live view ran once inside the script
    assert [b.label for b in at.button][0] == "Pause"
    play_pause(at, "Pause")
    assert not state_of(at).playing and at.button(key="pg_play").label == "Play"
    assert [b.label for b in at.button].count("Play") == 1
    assert "Pause" not in [b.label for b in at.button]


def test_reset_starts_again():
    at = run_page()
    interact(at.button(key="pg_step").click())
    interact(at.button(key="pg_reset").click())
    assert state_of(at).epoch == 0 and metric(at, "Epoch") == "0"


# (widget kind, key, new value, config key, expected config value, change kind)
CONTROLS = [
    ("selectbox", "pg_dataset", "moons", "dataset", "moons", "data"),
    ("slider", "pg_n_samples", 200, "n_samples", 200, "data"),
    ("slider", "pg_noise", 0.3, "noise", 0.3, "data"),
    ("slider", "pg_test_fraction", 0.3, "test_fraction", 0.3, "data"),
    ("number_input", "pg_seed", 4, "seed", 4, "data"),
    ("multiselect", "pg_features", ["x1", "x2", "x1^2"], "features", ["x1", "x2", "x1^2"],
     "network"),
    ("slider", "pg_n_layers", 3, "hidden", [4, 4, 4], "network"),
    ("slider", "pg_neurons_0", 9, "hidden", [9, 4], "network"),
    ("selectbox", "pg_activation", "relu", "activation", "relu", "network"),
    ("selectbox", "pg_init", "he", "init", "he", "network"),
    ("selectbox", "pg_optimizer", "sgd", "optimizer", "sgd", "training"),
    ("select_slider", "pg_lr", 0.3, "lr", 0.3, "training"),
    ("number_input", "pg_batch_size", 50, "batch_size", 50, "training"),
    ("selectbox", "pg_regularization", "l2", "regularization", "l2", "training"),
]


@pytest.mark.parametrize("kind, key, value, config_key, expected, change", CONTROLS,
                         ids=[c[1] for c in CONTROLS])
def test_each_control_changes_state_url_and_figures(kind, key, value, config_key, expected,
                                                    change):
    at = run_page()
    interact(at.button(key="pg_step").click())
    before, before_picture = charts(at), boundary_uri(at)
    net_before = state_of(at).net
    interact(getattr(at, kind)(key=key).set_value(value))
    assert not at.exception
    state = state_of(at)
    assert state.config[config_key] == expected
    assert query(at)[config_key] == settings.encode_value(config_key, expected)
    if change == "training":
        assert state.net is net_before and state.epoch == 1  # the network is kept
        interact(at.button(key="pg_step").click())  # and trains on with the new settings
        assert state_of(at).epoch == 2
    else:
        assert state.epoch == 0 and state.net is not net_before  # reset, and it says so
        assert any("reset" in t for t in at.toasts_seen)
    after = charts(at)
    assert after != before
    if change in ("data", "network"):
        assert boundary_uri(at) != before_picture
    if change == "network":
        assert after["pg_network"] != before["pg_network"]


def test_regularization_rate_epoch_budget_and_regenerate():
    at = run_page()
    interact(at.selectbox(key="pg_regularization").set_value("l1"))
    interact(at.select_slider(key="pg_reg_rate").set_value(0.01))
    trainer = state_of(at).trainer
    assert trainer.l1 == 0.01 and trainer.l2 == 0
    interact(at.select_slider(key="pg_epoch_budget").set_value(10))
    play_pause(at, "Play")
    state = state_of(at)
    train_until_paused(state)
    assert state.epoch == 10 and not state.playing  # stopped at the limit
    seed = state.config["seed"]
    interact(at.button(key="pg_regenerate").click())
    assert state_of(at).config["seed"] == seed + 1 and state_of(at).epoch == 0


def two_colour_share(pixels):
    """Share of the plot's pixels that are (JPEG-close to) one of the two class tints."""
    from viz.style import PROBABILITY_LUT

    ends = PROBABILITY_LUT[[0, 255]].astype(int)
    h, w = pixels.shape[:2]
    inner = pixels[h // 3: 2 * h // 3, w // 4: w // 2].reshape(-1, 3).astype(int)
    nearest = np.abs(inner[:, None, :] - ends[None]).sum(axis=2).min(axis=1)
    return float((nearest < 30).mean())


def test_display_toggles_change_the_figures():
    at = run_page()
    interact(at.button(key="pg_step").click())
    base, smooth = charts(at), boundary_pixels(at)
    interact(at.toggle(key="pg_discretize").set_value(True))
    sharp = boundary_pixels(at)
    assert two_colour_share(sharp) > max(0.6, two_colour_share(smooth) + 0.3)
    picture = boundary_uri(at)
    interact(at.toggle(key="pg_show_test").set_value(False))
    assert boundary_uri(at) != picture
    interact(at.toggle(key="pg_log_loss").set_value(True))
    assert charts(at)["pg_loss"]["layout"]["yaxis"]["type"] == "log"
    assert base["pg_loss"]["layout"]["yaxis"]["type"] == "linear"


def test_removing_every_feature_keeps_the_previous_ones():
    at = run_page()
    interact(at.multiselect(key="pg_features").set_value([]))
    assert not at.exception
    assert state_of(at).config["features"] == ["x1", "x2"]
    assert at.multiselect(key="pg_features").value == ["x1", "x2"]


@pytest.mark.parametrize("query", [
    {"lr": "banana"}, {"hidden": "4,99"}, {"dataset": "<script>"}, {"n_samples": "1e9"},
    {"features": ""}, {"noise": "nan", "seed": "-3"}, {"whatever": "1"},
])
def test_bad_query_parameters_give_one_notice_not_an_exception(query):
    at = run_page(query)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1
    for key in query:
        assert key in warnings[0]
    state = state_of(at)
    for key in query:
        if key in settings.DEFAULTS:
            assert state.config[key] == settings.DEFAULTS[key]
    assert metric(at, "Epoch") == "0"


def test_a_shared_link_restores_the_setup():
    config = settings.default_config() | {"dataset": "spiral3", "hidden": [8, 6, 3],
                                     "activation": "relu", "lr": 0.004, "optimizer": "momentum",
                                     "features": ["x1", "x2", "sin(x1)"], "noise": 0.2}
    at = run_page(settings.config_to_query(config))
    assert not at.warning
    state = state_of(at)
    assert state.config == config
    assert state.net.layer_sizes == (3, 8, 6, 3, 3) and state.loss == "cross_entropy"
    assert at.select_slider(key="pg_lr").value == 0.004
    assert at.slider(key="pg_n_layers").value == 3 and at.slider(key="pg_neurons_2").value == 3
    assert at.selectbox(key="pg_dataset").value == "spiral3"
    # A three-class boundary: RGB blend, no probability colour bar.
    assert boundary_pixels(at).shape[-1] == 3


@pytest.mark.parametrize("name", list(PRESETS))
def test_presets_load(name):
    at = run_page()
    interact(at.selectbox(key="pg_preset").set_value(name))
    assert not at.exception
    state = state_of(at)
    assert state.config == PRESETS[name]["config"] and state.epoch == 0
    assert PRESETS[name]["explanation"] in [c.value for c in at.sidebar.caption]
    assert query(at) == settings.config_to_query(state.config)
    interact(at.button(key="pg_step").click())
    assert not at.exception


def test_divergence_pauses_explains_and_offers_a_smaller_rate():
    at = run_page()
    interact(at.selectbox(key="pg_preset").set_value("Too large a learning rate diverges"))
    for _ in range(20):
        interact(at.button(key="pg_step").click())
        if state_of(at).diverged:
            break
    state = state_of(at)
    assert state.diverged and not state.playing
    assert np.isfinite(state.net.params).all()
    errors = " ".join(e.value for e in at.error)
    assert "diverged" in errors and "smaller learning rate" in errors
    assert metric(at, "Epoch") == str(state.diverged["epoch"] - 1)
    interact(at.button(key="pg_smaller_lr").click())
    state = state_of(at)
    assert state.config["lr"] == 1.0 and not state.diverged
    assert any("from the initial weights" in t for t in at.toasts_seen)
    assert state.epoch == 0 and at.selectbox(key="pg_preset").value == "Custom"
    # The fresh run learns: Play goes to the epoch limit without diverging.
    play_pause(at, "Play")
    train_until_paused(state)
    assert not state.diverged and state.epoch == 20
    loss = state.curve("train_loss")
    assert loss[-1] < 0.5 * loss[0] and state.metrics()["test_acc"] >= 0.85


def test_presenter_mode_hides_text_and_enlarges_figures():
    at = run_page()
    normal, normal_width = charts(at), picture_width(at)
    assert at.title and at.caption
    interact(at.toggle(key="pg_presenter").set_value(True))
    assert query(at)["presenter"] == "1"
    assert not at.title and not at.main.caption
    big = charts(at)
    for key in normal:
        assert big[key]["layout"]["height"] > normal[key]["layout"]["height"]
    assert picture_width(at) > normal_width


@pytest.mark.parametrize("dataset", ["plane", "gaussian_sum"])
def test_regression_predicts_a_number_and_shows_only_the_loss(dataset):
    at = run_page({"dataset": dataset, "hidden": "8"})
    state = state_of(at)
    assert state.regression and state.loss == "mse"
    assert state.net.activations[-1] == "linear" and state.net.layer_sizes[-1] == 1
    assert [m.label for m in at.metric] == ["Epoch", "Train loss", "Test loss"]
    assert "pg_accuracy" not in {e.proto.id.rsplit("-", 1)[-1] for e in at.get("plotly_chart")}
    before = float(metric(at, "Test loss"))
    picture = boundary_uri(at)
    for _ in range(3):
        interact(at.button(key="pg_step").click())
    assert float(metric(at, "Test loss")) < before
    assert boundary_uri(at) != picture  # the background is the prediction, redrawn
    grid = state_of(at).boundary_u8()  # prediction p stored as (p + 1) / 2: 0 is 128
    p = state_of(at).net.predict_proba(state_of(at).grid_inputs)[:, 0]
    np.testing.assert_allclose(grid.ravel() / 255, np.clip((p + 1) / 2, 0, 1), atol=1 / 255)
    assert query(at)["dataset"] == dataset


def test_tutorial_preset_shows_the_published_numbers_and_the_corrected_runs_beside_it():
    at = run_page()
    interact(at.selectbox(key="pg_preset").set_value("The tutorial's experiment"))
    assert "acted like lr 5" in " ".join(c.value for c in at.sidebar.caption)
    state = state_of(at)
    for stop, accuracy in ((145, "81.8%"), (146, "58.0%"), (150, None)):
        play_pause(at, "Play")
        train_until_paused(state)
        at.run()
        assert metric(at, "Epoch") == str(stop)
        if accuracy:  # a planned pause, said on screen
            assert metric(at, "Train accuracy") == accuracy
            assert any(f"Paused at epoch {stop}" in i.value for i in at.info)
    assert state.trainer.history.column("train_acc")[144] == 0.818  # epoch 145, as printed
    interact(at.button(key="pg_tutorial_compare").click())
    saved = at.session_state[ui_session.RUNS]
    assert len(saved) == 3 and saved.names[0] == "The tutorial's run (its 3 errors)"
    assert saved.get(saved.names[0]).history["train_acc"].max() > 0.9
    assert saved.get(saved.names[1]).history["train_acc"].max() == 0.5
    assert at.session_state["cmp_chosen"] == saved.names
    # Side by side on this page, under the live run, with what they show.
    assert any("learned by accident" in m.value for m in at.main.markdown)
    beside = [c for c in at.get("plotly_chart") if "pg_beside_" in c.proto.id]
    assert len(beside) == 3


def test_presenter_mode_tells_the_story_and_replays_every_epoch_with_go_to():
    at = run_page({"presenter": "1"})
    name = "Too large a learning rate diverges"
    interact(at.selectbox(key="pg_preset").set_value(name))
    story = [m.value for m in at.main.markdown if PRESETS[name]["explanation"] in m.value]
    assert story, "the preset's explanation is not in the main area"
    assert not at.main.expander
    play_pause(at, "Play")
    state = state_of(at)
    train_until_paused(state)
    at.run()
    # trained: the story folds so the run fits on the projector, and is one click away
    assert [e.label for e in at.main.expander][:1] == [f"The story of “{name}”"]
    assert PRESETS[name]["explanation"] in at.main.expander[0].markdown[0].value
    assert state.diverged["epoch"] == 12 and state.rollbacks == [12]
    loss = charts(at)["pg_loss"]["layout"]
    assert loss["yaxis"]["type"] == "log"  # the rising epochs are visible
    assert any("rolled back to 11" in a["text"] for a in loss["annotations"])
    slider = at.select_slider(key="pg_replay_epoch")
    assert list(slider.options) == [f"{e:,}" for e in range(12)]  # every epoch kept
    interact(at.number_input(key="pg_replay_go_to").set_value(4))
    assert at.select_slider(key="pg_replay_epoch").value == 4
    assert any("Epoch 4: train loss 570" in c.value for c in at.main.caption)


def test_the_preset_box_names_the_preset_again_after_another_page():
    at = AppTest.from_file(str(pathlib.Path(PAGE).parents[1] / "app.py"), default_timeout=60)
    at.run()
    name = "Spiral needs depth"
    interact(at.selectbox(key="pg_preset").set_value(name))
    at.switch_page("app_pages/compare.py").run()  # Streamlit forgets the preset box here
    assert not at.exception
    at.switch_page("app_pages/playground.py").run()
    assert at.selectbox(key="pg_preset").value == name
    interact(at.select_slider(key="pg_speed").set_value(500))  # the view: still the preset
    assert at.selectbox(key="pg_preset").value == name
    interact(at.select_slider(key="pg_lr").set_value(0.1))
    assert at.selectbox(key="pg_preset").value == "Custom"


def test_a_run_stuck_at_chance_gets_the_hint_and_the_one_click_fix():
    at = run_page({"optimizer": "adam", "lr": "10"})
    play_pause(at, "Play")
    state = state_of(at)
    train_until_paused(state)
    at.run()
    assert state.diverged["kind"] == "stuck"
    assert any("Stuck at chance" in w.value for w in at.warning)
    interact(at.button(key="pg_smaller_lr").click())
    assert state_of(at).config["lr"] == 1.0 and state_of(at).epoch == 0


def test_the_replay_epoch_survives_another_tab_and_another_page():
    at = AppTest.from_file(str(pathlib.Path(PAGE).parents[1] / "app.py"), default_timeout=60)
    at.run()
    for _ in range(4):
        interact(at.button(key="pg_step").click())
    at.session_state["pg_tab"] = "Replay"
    at.run()
    interact(at.select_slider(key="pg_replay_epoch").set_value(2))
    at.session_state["pg_tab"] = "Export"
    at.run()
    assert not at.exception
    at.session_state["pg_tab"] = "Replay"
    at.run()
    assert at.select_slider(key="pg_replay_epoch").value == 2
    at.switch_page("app_pages/compare.py").run()
    at.switch_page("app_pages/playground.py").run()
    assert not at.exception
    assert at.select_slider(key="pg_replay_epoch").value == 2
