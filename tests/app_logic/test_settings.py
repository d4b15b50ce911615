"""Each setting's range is written once, in its row: the parser accepts exactly what the
widget offers (its options, its bounds, its stops) and refuses what lies just outside."""

import pytest

from app_logic.settings import BY_KEY, SETTINGS, validate_config

SLIDERS = [s for s in SETTINGS if s.bounds and s.widget != "layers"]
CHOICES = [s for s in SETTINGS if s.options and s.widget == "select"]


@pytest.mark.parametrize("setting", SLIDERS, ids=lambda s: s.key)
def test_a_bounded_setting_accepts_its_bounds_and_refuses_beyond(setting):
    low, high, step = setting.bounds
    assert setting.parse(low) == low and setting.parse(high) == high
    for outside in (low - step, high + step):
        with pytest.raises(ValueError):
            setting.parse(outside)


@pytest.mark.parametrize("setting", CHOICES, ids=lambda s: s.key)
def test_a_choice_accepts_its_options_only(setting):
    assert [setting.parse(o) for o in setting.options] == list(setting.options)
    with pytest.raises(ValueError):
        setting.parse("not " + setting.options[0])


def test_whole_number_bounds_give_whole_numbers():
    assert BY_KEY["n_samples"].parse("30") == 30
    with pytest.raises(ValueError):
        BY_KEY["n_samples"].parse(30.5)
    assert BY_KEY["noise"].parse("0.25") == 0.25


def test_a_log_slider_takes_its_range_from_its_stops():
    lr = BY_KEY["lr"]
    assert lr.parse(min(lr.stops)) == 1e-5 and lr.parse(max(lr.stops)) == 10.0
    config, problems = validate_config({"lr": "11", "reg_rate": "0.3"})
    assert config["reg_rate"] == 0.3 and len(problems) == 1 and problems[0].startswith("lr=")
