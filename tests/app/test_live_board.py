"""The live board's and the network diagram's messages under AppTest: the current state on
the whole grid while paused, a clicked neuron's own map, the picture's style sent once per
browser, and an unchanged network's message made once."""

import json

import numpy as np

from app_logic import frames
from app_logic.network_message import read_network_message
from ui import live_view
from ui import session as ui_session

from .test_playground import boundary_uri, component_bytes, interact, run_page, state_of


def test_paused_board_shows_the_network_on_the_whole_grid_then_a_neurons_map():
    at = run_page()
    header, grids = frames.read_frames(boundary_uri(at))
    state = state_of(at)
    assert header["epochs"] == [0] and header["playing"] is False
    assert np.array_equal(grids[0], state.boundary_u8())
    assert header["metrics"][0]["Epoch"] == "0"
    assert "style_info" in header  # the first message carries the picture's style
    first_style = header["style_id"]

    at.session_state[live_view.FOCUS] = (1, 2)  # as a click on unit 3 of hidden layer 1
    at.run()
    header, grids = frames.read_frames(boundary_uri(at))
    assert header["style_id"] != first_style  # the neuron's own colour bar
    values = state.grid_pass()[1][1][:, 2]
    scale = np.abs(values).max()
    expected = frames.quantize(values, -scale, scale).reshape(grids[0].shape)
    assert np.array_equal(grids[0], expected)
    assert "unit 3 of hidden layer 1" in " ".join(c.value for c in at.caption)


def test_a_step_sends_the_new_state_without_the_style_again():
    at = run_page()
    interact(at.button(key="pg_step").click())
    header, grids = frames.read_frames(boundary_uri(at))
    assert header["epochs"][-1] == 1 and header["metrics"][-1]["Epoch"] == "1"
    assert "style_info" not in header  # this browser has it
    assert np.array_equal(grids[-1], state_of(at).boundary_u8())


def test_a_late_tick_covers_its_gap_with_frames_and_training_within_limits():
    from app_logic.fair_share import Share

    on_time = Share(1, 0.05, 0.03, 0.5, since_last=0.04)
    assert live_view.tick_gap(on_time) == 0.05
    assert live_view.frames_per_tick(live_view.tick_gap(on_time)) == 3
    assert live_view.tick_training(on_time, 0.05) == 0.03
    late = Share(1, 0.05, 0.03, 0.5, since_last=0.3)  # the browser was busy plotting
    assert live_view.frames_per_tick(live_view.tick_gap(late)) == 18
    assert live_view.tick_training(late, live_view.tick_gap(late)) == live_view.MAX_TICK_TRAIN
    away = Share(1, 0.05, 0.03, 0.5, since_last=30.0)  # a tab in the background
    assert live_view.tick_gap(away) == live_view.MAX_GAP
    assert live_view.frames_per_tick(live_view.tick_gap(away)) == frames.MAX_FRAMES
    crowded = Share(20, 0.45, 0.004, 4.5, since_last=5.0)  # at the rate, over MAX_GAP
    assert live_view.tick_training(crowded, live_view.tick_gap(crowded)) == \
        0.004 * live_view.MAX_GAP / 0.45


def click_neuron(at, neuron):
    """What a click on a neuron of the network diagram sends: the component's "click"
    trigger ([] for a click beside the neurons); then the whole page."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id

    component_id = next(c.proto.id for c in at.get("bidi_component")
                        if c.proto.id.endswith("-" + live_view.NETWORK_KEY))
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = _make_trigger_id(component_id, "events")
    trigger.json_trigger_value = json.dumps([{"event": "click", "value": list(neuron)}])
    at._run(states)
    assert not at.exception, at.exception
    at.run()
    assert not at.exception, at.exception
    return at


def network_message(at):
    return read_network_message(component_bytes(at, live_view.NETWORK_KEY))


def test_the_network_diagram_is_drawn_by_the_browser_and_a_click_shows_a_neurons_map():
    at = run_page()
    assert not [c for c in at.get("plotly_chart") if c.proto.id.endswith("-pg_network")]
    header, parts = network_message(at)
    state = state_of(at)
    assert header["sizes"] == list(state.net.layer_sizes) and header["focus"] is None
    assert header["words"]["inputs"] == ["x₁", "x₂"] and "output" in header["words"]["titles"][-1]
    assert all(m.shape[1:] == (25, 25) for m in parts["maps"])
    board_style = frames.read_frames(boundary_uri(at))[0]["style_id"]

    at = click_neuron(at, (1, 2))  # unit 3 of hidden layer 1
    assert at.session_state[live_view.FOCUS] == (1, 2)
    assert network_message(at)[0]["focus"] == [1, 2]  # the diagram marks it
    header, grids = frames.read_frames(boundary_uri(at))
    assert header["style_id"] != board_style  # the board shows the neuron's map
    assert "unit 3 of hidden layer 1" in " ".join(c.value for c in at.caption)

    at = click_neuron(at, (1, 2))  # the same neuron again: the boundary comes back
    assert at.session_state[live_view.FOCUS] is None
    assert frames.read_frames(boundary_uri(at))[0]["style_id"] == board_style
    at = click_neuron(at, (2, 0))
    at = click_neuron(at, [])  # beside the neurons: the boundary too
    assert at.session_state[live_view.FOCUS] is None


def test_an_unchanged_network_is_not_made_again_and_a_step_makes_a_new_one():
    at = run_page()
    first = component_bytes(at, live_view.NETWORK_KEY)
    made = at.session_state[ui_session.MESSAGES][live_view.NETWORK_KEY]
    at.run()
    assert at.session_state[ui_session.MESSAGES][live_view.NETWORK_KEY] is made  # not made again
    again = component_bytes(at, live_view.NETWORK_KEY)
    assert again == first
    assert network_message(at)[0]["id"] == read_network_message(first)[0]["id"]
    interact(at.button(key="pg_step").click())
    header, parts = network_message(at)
    assert header["id"] != read_network_message(first)[0]["id"] and header["epoch"] == 1
    for got, want in zip(parts["weights"], state_of(at).net.weights):
        assert np.allclose(got, want, rtol=1e-6, atol=1e-7)


def test_in_chinese_the_board_names_its_metrics_and_words_as_the_page_does():
    """The browser finds each metric by its label and writes the picture's words itself:
    both come in the page's language."""
    at = run_page({"lang": "zh"})
    header, _grids = frames.read_frames(boundary_uri(at))
    assert [m.label for m in at.metric][:3] == ["轮次", "训练损失", "测试损失"]
    assert header["metrics"][0]["轮次"] == "0" and "训练准确率" in header["metrics"][0]
    info = header["style_info"]
    assert info["title"] == "决策边界" and info["words"]["epoch_at"] == "第 {epoch} 轮"
    assert "第 0 类（训练）" in [label["text"] for label in info["labels"]]
    assert "P(第 1 类)" in [label["text"] for label in info["labels"]]


def test_a_state_inside_an_epoch_is_labelled_with_the_finished_tenths():
    """A frame from a class's tick may be a state after a mini-batch step: its Epoch text
    says how far into the epoch it is, never an epoch not yet finished."""
    def grouped(value):
        return f"{int(value):,}"

    assert live_view.epoch_text(12, grouped) == "12"
    assert live_view.epoch_text(12 + 12 / 13, grouped) == "12.9"  # not "13.0"
    assert live_view.epoch_text(1234 + 1 / 13, grouped) == "1,234.0"
    texts = live_view.strip_texts([{"epoch": 7 + 6 / 13, "train_loss": 0.5, "test_loss": 0.6,
                                    "train_acc": 0.75, "test_acc": 0.5}], regression=False)
    assert texts[0]["Epoch"] == "7.4" and texts[0]["Train accuracy"] == "75.0%"


def test_slow_motion_asks_for_no_states_inside_epochs():
    assert live_view.least_frames(1.5, 0) == 12  # fastest: 8 a second
    assert live_view.least_frames(1.5, 500) == 12
    assert live_view.least_frames(0.3, 500) == 3
    assert live_view.least_frames(1.5, 5) == 0 and live_view.least_frames(1.5, 8) == 0


def test_sessions_on_one_link_share_the_pictures_style_and_other_data_get_their_own(
        monkeypatch):
    """A class that opens one link draws its picture once per worker; a student whose
    points differ (another seed) gets their own."""
    from viz import boundary

    live_view._shared_style.clear()
    drawn = []
    draw = boundary.points_layer
    monkeypatch.setattr(boundary, "points_layer",
                        lambda *args, **kwargs: drawn.append(1) or draw(*args, **kwargs))
    first, second = run_page({"seed": "7"}), run_page({"seed": "7"})
    header_first, _ = frames.read_frames(boundary_uri(first))
    header_second, _ = frames.read_frames(boundary_uri(second))
    assert header_first["style_id"] == header_second["style_id"] and len(drawn) == 1
    assert "style_info" in header_second  # each browser is still sent it once
    other, _ = frames.read_frames(boundary_uri(run_page({"seed": "8"})))
    assert other["style_id"] != header_first["style_id"] and len(drawn) == 2
