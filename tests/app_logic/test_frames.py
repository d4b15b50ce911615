"""The live boundary's frames: quantization, the film strip, the packed message, and the
strip recorded while training (app_logic/frames.py, PlaygroundState's film)."""

import numpy as np
import pytest

from app_logic import frames
from app_logic.session import FILM_STRIDE, GRID_SIZE, build_state
from app_logic.settings import DEFAULTS


@pytest.mark.parametrize("low,high", [(0.0, 1.0), (-1.0, 1.0), (-3.5, 0.25)])
def test_quantization_error_is_at_most_one_level(low, high):
    values = np.random.default_rng(0).uniform(low, high, 10_000)
    u8 = frames.quantize(values, low, high)
    assert u8.dtype == np.uint8 and u8.min() == 0 or values.min() > low
    error = np.abs(frames.dequantize(u8, low, high) - values)
    assert error.max() <= (high - low) / 255 / 2 + 1e-12
    assert frames.quantize([low - 1, high + 1, np.nan], low, high).tolist() == [0, 255, 128]


def test_film_strip_keeps_order_and_a_bounded_span():
    strip = frames.FilmStrip(limit=4)
    grid = np.zeros((2, 2), np.uint8)
    for epoch in range(1, 10):
        strip.add(frames.Frame(epoch, grid, {}))
    assert len(strip) <= 4
    epochs = [f.epoch for f in strip.frames]
    assert epochs == sorted(epochs) and epochs[-1] == 9 and epochs[0] <= 3
    strip.add(frames.Frame(7, grid, {}))  # a rolled-back epoch replaces the later ones
    assert [f.epoch for f in strip.frames][-1] == 7
    taken = strip.take()
    assert taken[-1].epoch == 7 and len(strip) == 0
    assert [f.epoch for f in strip.take()] == [7]  # nothing new: the last frame again


def _round_trip(grids):
    shown = [frames.Frame(10 * i, g, {"epoch": 10 * i}) for i, g in enumerate(grids)]
    message = frames.frames_message(shown, "m1", "s1", [{"Epoch": str(f.epoch)} for f in shown],
                                    {"discretize": True})
    header, decoded = frames.read_frames(message)
    return header, decoded, message


def test_two_class_and_regression_frames_survive_the_message():
    rng = np.random.default_rng(1)
    probability = frames.quantize(rng.uniform(0, 1, (50, 50)))
    regression = frames.quantize(np.tanh(rng.normal(size=(50, 50))), -1, 1)
    header, decoded, _ = _round_trip([probability, regression, probability])
    assert header["epochs"] == [0, 10, 20] and header["style_id"] == "s1"
    assert header["discretize"] is True and header["metrics"][2] == {"Epoch": "20"}
    assert np.array_equal(decoded[0], probability) and np.array_equal(decoded[1], regression)
    assert np.array_equal(decoded[2], probability)


def test_three_class_frames_keep_every_channel():
    probs = np.random.default_rng(2).dirichlet([1, 1, 1], (40, 30))
    grid = frames.quantize(probs)
    header, decoded, _ = _round_trip([grid, grid[::-1]])
    assert header["shape"] == [40, 30, 3]
    assert np.array_equal(decoded[1], grid[::-1])
    assert np.abs(decoded[0] / 255 - probs).max() <= 1 / 510 + 1e-12


def test_similar_frames_cost_little_on_the_wire():
    x = np.linspace(-3, 3, 50)
    grids = [frames.quantize(1 / (1 + np.exp(-(x[None, :] * (1 + k / 50) + x[:, None]))))
             for k in range(6)]
    *_, message = _round_trip(grids)
    assert len(message) < 6 * 50 * 50 / 4  # deltas of a smooth boundary compress 4x or more


def test_style_blobs_travel_with_the_message():
    grid = np.zeros((2, 2), np.uint8)
    message = frames.frames_message([frames.Frame(0, grid, {})], "m", "s", style=(
        {"width": 10}, b"background-png", b"points-png"))
    header, blobs = frames.unpack(message)
    assert header["style_info"] == {"width": 10}
    assert blobs["background"] == b"background-png" and blobs["points"] == b"points-png"


def test_training_records_a_strip_of_real_states_in_epoch_order():
    state = build_state({**DEFAULTS, "speed": 0})
    state.play()
    state.frame_every = 3
    state.train_for(10, frames=True)
    shown = state.frames_to_show()
    epochs = [f.epoch for f in shown]
    assert epochs == [1, 4, 7, 10]  # every 3rd epoch, ending on the state the call left
    side = GRID_SIZE // FILM_STRIDE
    assert all(f.grid.shape == (side, side) for f in shown)
    # The last frame is the network's own forward pass, on every FILM_STRIDE-th cell.
    full = state.boundary_u8()
    assert np.array_equal(shown[-1].grid, full[::FILM_STRIDE, ::FILM_STRIDE])
    assert shown[-1].metrics["epoch"] == 10
    paused = state.frames_to_show(full=True)
    assert len(paused) == 1 and np.array_equal(paused[0].grid, full)


def test_slow_motion_records_every_epoch():
    state = build_state({**DEFAULTS, "speed": 2})
    state.play()
    state.train_live(0.0, 1.0, frames=3)
    for second in range(1, 4):
        state.train_live(float(second), 1.0, frames=3)
    assert [f.epoch for f in state.frames_to_show()] == [1, 2, 3, 4, 5, 6, 7]


def test_a_tick_short_of_time_spreads_its_frames_over_the_epochs_it_can_run():
    """At 500 epochs/s a class's share of the core runs a few of the epochs owed per tick:
    the frames are spread over as many epochs as the last tick ran, not over those owed."""
    state = build_state({**DEFAULTS, "speed": 500, "epoch_budget": 0})
    state.play()
    state.train_live(0.0, 1.0, frames=10)  # the first tick after Play: one epoch
    assert state.tick_epochs == 1
    state.tick_epochs = 20  # as if the last tick's time had allowed 20 epochs
    state.train_live(1.0, 1.0, frames=10)  # 500 owed
    assert state.frame_every == 2  # 20 // 10, not 500 // 10
    assert state.tick_epochs == 500  # this tick's time allowed them all
    state.train_live(1.5, 1.0, frames=10)  # 250 owed, 500 possible
    assert state.frame_every == 25


def test_neuron_maps_from_the_coarse_grid_alone_are_the_same():
    state = build_state({**DEFAULTS, "hidden": [3, 5]})
    _, whole, shape = state.grid_pass()
    activations, coarse_shape = state.map_activations()
    assert coarse_shape == (25, 25) and shape == (100, 100)
    for a, b in zip(activations, whole):  # every 4th cell of the whole grid
        np.testing.assert_array_equal(a, b.reshape(100, 100, -1)[::4, ::4].reshape(625, -1))


def test_a_tick_short_of_time_adds_states_inside_epochs_each_measured():
    """A class's share of the core runs a few epochs a tick: the strip makes up its least
    frames from the states after mini-batch steps, each with its own losses."""
    config = {**DEFAULTS, "speed": 500, "epoch_budget": 0}
    state = build_state(config)
    state.play()
    state.train_live(0.0, 1.0, frames=30, least=10)  # the first tick after Play: 1 epoch
    state.tick_epochs, state.time_bound = 2, True  # as if that tick's share of the core
    state.frames_to_show()  # had run only 2 of the epochs it owed
    state.train_live(0.006, 1.0, frames=30, least=10)  # owes 3 epochs, expects 2
    assert state.epoch == 4
    n_steps = state.trainer.steps_per_epoch(len(state.X_train))
    # Half the 2 epochs expected (a tick may run fewer): 10 frames from one epoch's steps.
    assert n_steps > 10 and state.step_every == 1
    shown = state.frames_to_show()
    epochs = [f.epoch for f in shown]
    # inside epoch 2 up to the least, then the epochs' ends
    assert epochs == [1 + s / n_steps for s in range(1, 11)] + [2, 3, 4]
    inside = [f for f in shown if not float(f.epoch).is_integer()]
    assert all(f.metrics["epoch"] == f.epoch for f in shown)
    # The same run again, measured at every step: the frames' metrics are those states'.
    replay = build_state(config)
    seen = {}
    replay.trainer.run_epochs(
        replay.X_train, replay.train.y, state.epoch, replay.X_test, replay.test.y,
        on_step=lambda step, n: seen.update({replay.trainer.epoch + step / n:
                                             replay.measure(replay.trainer.epoch + step / n)}))
    for f in inside:
        assert f.metrics == seen[f.epoch]
    assert len({f.metrics["train_loss"] for f in shown}) == len(shown)  # all states differ
    assert np.array_equal(replay.net.params, state.net.params)


def test_a_tick_with_epochs_enough_or_in_slow_motion_keeps_whole_epochs():
    state = build_state({**DEFAULTS, "speed": 0})
    state.play()
    state.tick_epochs, state.time_bound = 40, True  # one student alone: more epochs
    state.train_live(0.0, 0.01, frames=18, least=3)
    assert state.step_every == 0
    alone = build_state({**DEFAULTS, "speed": 500})
    alone.play()
    alone.time_bound = True
    alone.train_live(0.0, 1.0, frames=18, least=3)  # owes 1: tells nothing
    assert alone.time_bound
    alone.train_live(0.3, 1.0, frames=18, least=3)  # ran all 150 it owed, and that is enough
    assert alone.tick_epochs == 150 and not alone.time_bound
    slow = build_state({**DEFAULTS, "speed": 3})
    slow.play()
    for second in range(4):  # each tick owes the epochs its time allows
        slow.train_live(float(second), 1.0, frames=18, least=8)
        assert slow.step_every == 0
    assert all(float(f.epoch).is_integer() for f in slow.frames_to_show())


def test_a_rolled_back_epoch_drops_the_states_inside_it():
    strip = frames.FilmStrip()
    grid = np.zeros((2, 2), np.uint8)
    for epoch in (10, 11, 11.25, 11.5):
        strip.add(frames.Frame(epoch, grid, {}))
    strip.add(frames.Frame(11, grid, {}))  # epoch 12 diverged: back to the weights of 11
    assert [f.epoch for f in strip.frames] == [10, 11]


def test_the_header_carries_fractional_epochs_to_a_thousandth():
    grid = np.zeros((2, 2), np.uint8)
    shown = [frames.Frame(e, grid, {}) for e in (12, 12 + 3 / 13, 13.0)]
    header, _ = frames.read_frames(frames.frames_message(shown, "m", "s"))
    assert header["epochs"] == [12, 12.231, 13] and isinstance(header["epochs"][2], int)


def test_a_play_after_a_pause_keeps_knowing_that_the_share_is_short():
    """The first tick after Play owes one epoch by design: with a short share it shows the
    states inside that epoch, and it leaves the judgement of the ticks before it alone."""
    state = build_state({**DEFAULTS, "speed": 500, "epoch_budget": 0})
    state.play()
    state.train_live(0.0, 1.0, frames=30, least=10)
    state.tick_epochs, state.time_bound = 2, True  # a class's share of the core
    state.playing = False  # Pause, then Play
    state.play()
    state.frames_to_show()
    state.train_live(5.0, 1.0, frames=30, least=10)  # one epoch, shown step by step
    assert state.time_bound and state.tick_epochs == 1 and state.step_every == 1
    shown = state.frames_to_show()  # the states inside up to the least, then its end
    assert [f.epoch for f in shown] == [1 + s / state.trainer.steps_per_epoch(
        len(state.X_train)) for s in range(1, 11)] + [2]
    state.train_live(5.006, 1.0, frames=30, least=10)  # owes 3, expects 1
    assert state.step_every > 0
    assert any(not float(f.epoch).is_integer() for f in state.frames_to_show())
