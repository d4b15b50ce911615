"""The live board's messages under AppTest: the current state on the whole grid while
paused, a clicked neuron's own map, and the picture's style sent once per browser."""

import numpy as np

from app_logic import frames
from ui import live_view

from .test_playground import boundary_uri, interact, run_page, state_of


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
    state.forward_grid()
    values = state.net.a[1][:, 2]
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
    crowded = Share(20, 0.45, 0.004, 4.5, since_last=0.9)  # at the rate, over MAX_GAP
    assert live_view.tick_training(crowded, live_view.tick_gap(crowded)) == \
        0.004 * live_view.MAX_GAP / 0.45


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
