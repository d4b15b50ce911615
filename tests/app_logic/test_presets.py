"""Every preset's explanation against its own run: each number its words name is read
from a real run of the preset's settings, for the epochs the preset plays."""

import math
import re

import numpy as np
import pytest

from app_logic import session as pgs
from app_logic.presets import PRESETS, TUTORIAL, preset_of, stops_for
from viz import i18n

DIVERGES = "Too large a learning rate diverges"


def played(name):
    """The preset's run as the Playground plays it: live, to its epoch limit, going on
    after each planned pause (one Play click each)."""
    state = pgs.build_state(PRESETS[name]["config"])
    pauses = []
    while state.play():
        state.train_for(10**6)
        if state.paused_at is not None:
            pauses.append(state.paused_at)
        elif state.diverged is not None:
            break
    return state, pauses


@pytest.fixture(scope="module")
def runs():
    return {name: played(name) for name in PRESETS}


def curve(state, name):
    return state.curve(name)  # index = epoch (epoch 0 is the network before training)


def says(name, *phrases):
    for phrase in phrases:
        assert phrase in PRESETS[name]["explanation"], phrase


def test_every_preset_plays_slowly_enough_to_watch_and_stops_at_its_limit(runs):
    for name, (state, _) in runs.items():
        config = PRESETS[name]["config"]
        assert 1 <= config["speed"] <= 20, name  # epochs per second
        seconds = config["epoch_budget"] / config["speed"]
        assert 5 <= seconds <= 15, (name, seconds)
        if name != DIVERGES:
            assert state.epoch == config["epoch_budget"] and not state.playing, name


def test_short_runs_keep_every_epoch_for_the_replay(runs):
    for name, (state, _) in runs.items():
        assert state.snapshots.epochs == list(range(state.epoch + 1)), name


def test_the_tutorials_run_pauses_at_145_and_146_with_its_printed_accuracies(runs):
    state, pauses = runs[TUTORIAL]
    acc = curve(state, "train_acc")
    assert pauses == [145, 146]
    says(TUTORIAL, "50% until epoch 109", "between 50% and 92%", "145 (81.8%",
         "146 (58%)")
    assert (acc[:110] <= 0.5).all() and acc[110] > 0.7  # flat at 50%, then it moves
    assert acc[110:].min() == 0.5
    assert acc[110:].max() == pytest.approx(0.92, abs=0.005)
    assert (acc[145], acc[146]) == (0.818, 0.58)


def test_the_divergence_shows_the_loss_rising_for_ten_epochs_then_rolls_back(runs):
    state, _ = runs[DIVERGES]
    loss = curve(state, "train_loss")
    says(DIVERGES, "from epoch 2 on", "1.07", "570 at epoch 4", "10^241 at epoch 11",
         "epoch 12")
    assert state.diverged["epoch"] == 12 and state.rollbacks == [12]
    assert state.epoch == 11 and len(loss) == 12
    assert round(loss[2], 2) == 1.07 and round(loss[4]) == 570
    assert math.floor(math.log10(loss[11])) == 241
    assert (np.diff(loss[2:]) > 0).all()  # rising every epoch from 2 to 11
    assert (loss[3:] / loss[2:-1] >= 10).all()  # at least tenfold each epoch


def test_linear_model_on_circles_stays_at_chance(runs):
    state, _ = runs["Linear model fails on circles"]
    says("Linear model fails on circles", "stays at 0.69", "between 45% and 70%",
         "all 100 epochs")
    loss, acc = curve(state, "train_loss")[1:], curve(state, "test_acc")[1:]
    assert np.abs(loss - math.log(2)).max() < 0.005
    assert acc.min() >= 0.45 and acc.max() <= 0.70


def test_squared_features_succeed_within_5_epochs(runs):
    name = "Add x1² and x2² and a linear model succeeds"
    state, _ = runs[name]
    says(name, "passes 95% within 5 epochs", "loss keeps falling")
    acc, loss = curve(state, "test_acc"), curve(state, "train_loss")
    assert acc[5] > 0.95 and acc[4] <= 0.95 or acc[:5].max() > 0.95
    assert (np.diff(loss) < 0).all()


def test_spiral_waits_then_climbs(runs):
    name = "Spiral needs depth"
    state, _ = runs[name]
    says(name, "For 30 epochs the loss barely moves", "past 90% by epoch 60")
    loss, acc = curve(state, "train_loss"), curve(state, "test_acc")
    assert loss[0] - loss[25] < 0.1 and loss[30] - loss[60] > 0.4
    assert acc[60] > 0.9 and acc[:50].max() < 0.9


def test_blobs_reach_95_percent_by_epoch_5(runs):
    name = "Three classes: blobs"
    state, _ = runs[name]
    says(name, "95% by epoch 5", "near 94%")
    acc = curve(state, "test_acc")
    assert acc[5] >= 0.95 and abs(acc[10:].mean() - 0.94) < 0.01


def test_the_plane_is_fitted_in_5_epochs(runs):
    name = "Regression: a plane needs no hidden layer"
    state, _ = runs[name]
    says(name, "from 0.17 to 0.003", "in 5 epochs")
    loss = curve(state, "train_loss")
    assert round(loss[0], 2) == 0.17 and round(loss[5], 3) == 0.003
    assert loss[5:].max() < 0.004


def test_gaussian_bumps_test_loss_falls_below_003(runs):
    name = "Regression: a sum of Gaussians needs hidden units"
    state, _ = runs[name]
    says(name, "from 0.43 to about 0.02")
    loss = curve(state, "test_loss")
    assert round(loss[0], 2) == 0.43 and round(loss[-50:].mean(), 2) == 0.02


def test_overfitting_test_loss_turns_up_after_epoch_6(runs):
    name = "Overfitting: few noisy points, big network"
    state, _ = runs[name]
    says(name, "after epoch 6", "from 0.26 to almost 2", "from 90% to about 70%")
    test_loss, train_loss = curve(state, "test_loss"), curve(state, "train_loss")
    acc = curve(state, "test_acc")
    assert int(np.argmin(test_loss)) == 6 and round(test_loss[6], 2) == 0.26
    assert 1.9 < test_loss[-1] < 2.0 and train_loss[-1] < 0.05
    assert acc[5:21].max() == 0.9 and abs(acc[-50:].mean() - 0.7) < 0.03


def test_a_preset_is_recognised_from_its_settings_whatever_the_view():
    for name, preset in PRESETS.items():
        config = {**preset["config"], "speed": 500, "presenter": True}
        assert preset_of(config) == name
        assert stops_for(config) == preset["stops"]
    changed = {**PRESETS[TUTORIAL]["config"], "lr": 0.05}
    assert preset_of(changed) is None and stops_for(changed) == ()


def numbers(text):
    """The figures a text states (0.69, 95%, 10^241, the 2 of x2), in order of size."""
    return sorted(re.findall(r"\d+(?:\.\d+)?(?:\^\d+)?%?", text))


def test_every_explanation_states_the_same_figures_in_chinese():
    """The runs above check the English words; a translation must state the same figures
    (and name, in Chinese, the same preset)."""
    i18n.use_language("zh")
    try:
        for name, preset in PRESETS.items():
            english = preset["explanation"]
            chinese = i18n._(english)
            assert chinese != english and i18n._(name) != name, name
            assert re.search("[\u4e00-\u9fff]", chinese), name
            assert numbers(chinese) == numbers(english), name
    finally:
        i18n.use_language(None)
