"""The backprop page's logic without Streamlit: the gradient check with each published error,
when an error cannot show, and the tutorial's printout."""

import numpy as np
import pytest

import mlp_core as mc
from app_logic import study as studies
from mlp_core import explain as ex
from tests.core.test_tutorial import PUBLISHED


@pytest.fixture(scope="module")
def tutorial_study():
    return studies.tutorial()


@pytest.fixture(scope="module")
def numeric(tutorial_study):
    return studies.numeric_gradients(tutorial_study)


def test_the_tutorial_study_is_the_tutorial_network_on_its_data(tutorial_study):
    net = mc.MLP([2, 4, 3, 1], ["relu", "relu", "sigmoid"], init="randn", seed=42)
    np.testing.assert_array_equal(tutorial_study.net.params, net.params)
    assert tutorial_study.X.shape == (1000, 2) and tutorial_study.lr == 0.005


def test_correct_gradients_agree_to_1e_6(tutorial_study, numeric):
    check = studies.gradient_check(tutorial_study, (), numeric)
    assert check.worst < 1e-6 and check.failing() == []
    assert check.n_samples == studies.CHECK_ROWS


@pytest.mark.parametrize("error, broken", [
    (ex.SIGMOID_DERIVATIVE, {"dW", "db"}), (ex.SUMMED_LOSS, {"dW", "db"}),
    (ex.DB_AVERAGED, {"db"})])
def test_each_error_alone_breaks_exactly_its_parameters(tutorial_study, numeric, error, broken):
    check = studies.gradient_check(tutorial_study, [error], numeric)
    for p, errors in (("dW", check.dW_error), ("db", check.db_error)):
        assert all((e > 0.1) if p in broken else (e < 1e-6) for e in errors), (p, errors)
    n = check.n_samples
    expected = 1 / 3 if error == ex.SIGMOID_DERIVATIVE else (n - 1) / (n + 1)
    assert check.worst == pytest.approx(expected, rel=1e-6)
    assert {name[:2] for name, _ in check.failing()} == broken


def test_which_errors_cannot_show():
    tanh_softmax = studies.Study("playground", "", mc.MLP([2, 3, 3], ["tanh", "softmax"]),
                                 np.zeros((5, 2)), np.arange(5) % 3, "cross_entropy",
                                 ["x1", "x2"], 0.1)
    assert "no sigmoid layer" in studies.cannot_show(tanh_softmax, ex.SIGMOID_DERIVATIVE)
    assert studies.cannot_show(tanh_softmax, ex.SUMMED_LOSS) is None
    assert studies.cannot_show(studies.example("relu"), ex.SIGMOID_DERIVATIVE) is None
    one = studies.Study("playground", "", mc.MLP([2, 1], ["sigmoid"]), np.zeros((1, 2)),
                        np.zeros(1), "bce", ["x1", "x2"], 0.1)
    assert "one sample" in studies.cannot_show(one, ex.DB_AVERAGED)


def test_the_published_printout_is_the_tutorials():
    name, errors, lr = studies.TUTORIAL_RUNS[0]
    lines = studies.printed_excerpt(studies.tutorial_run(errors, lr)).splitlines()
    assert lines == [PUBLISHED["before"], *(PUBLISHED[e] for e in range(4)), "…",
                     *(PUBLISHED[e] for e in range(145, 150))]
