"""The tutorial's run reproduced to the printed digit, and each of its errors as a switch."""

import pathlib
import subprocess
import sys

import numpy as np
import pytest

import mlp_core as mc
from mlp_core import tutorial

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Every line the tutorial shows of its run ("..." stands for iterations 4-144 there).
PUBLISHED = {
    "before": "Before training - loss value [[693.62972747]] accuracy 0.5",
    0: "Iteration 0 - loss value [[693.62972747]] accuracy 0.5",
    1: "Iteration 1 - loss value [[693.62166655]] accuracy 0.5",
    2: "Iteration 2 - loss value [[693.61534159]] accuracy 0.5",
    3: "Iteration 3 - loss value [[693.60994018]] accuracy 0.5",
    145: "Iteration 145 - loss value [[664.60120828]] accuracy 0.818",
    146: "Iteration 146 - loss value [[697.97739669]] accuracy 0.58",
    147: "Iteration 147 - loss value [[681.08653776]] accuracy 0.642",
    148: "Iteration 148 - loss value [[665.06165774]] accuracy 0.71",
    149: "Iteration 149 - loss value [[683.6170298]] accuracy 0.614",
}


@pytest.fixture(scope="module")
def printed():
    out = subprocess.run([sys.executable, "-m", "mlp_core.tutorial"], capture_output=True,
                         text=True, check=True, cwd=ROOT)
    return out.stdout.splitlines()


def test_the_module_prints_every_published_line_to_the_digit(printed):
    assert len(printed) == 151
    assert printed[0] == PUBLISHED["before"]
    for n in (0, 1, 2, 3, 145, 146, 147, 148, 149):
        assert printed[n + 1] == PUBLISHED[n]


def test_the_run_as_arrays_matches_what_is_printed(printed):
    run = tutorial.run()
    assert run.lines() == printed
    assert run.errors == frozenset(tutorial.TUTORIAL_ERRORS) and run.lr == 0.005
    assert run.reported_scale == "sum over samples"
    np.testing.assert_allclose(run.mean_loss, run.reported_loss / 1000, rtol=1e-15)
    assert (run.accuracy[145], run.accuracy[146]) == (0.818, 0.58)
    assert run.diverged_at is None and len(run.accuracy) == 151
    # The tutorial's data and first network, as engine objects the app can show and train
    assert isinstance(run.dataset, mc.Dataset) and isinstance(run.initial, mc.MLP)
    np.testing.assert_array_equal(run.dataset.X, tutorial.dataset().X)
    np.testing.assert_array_equal(run.initial.params, tutorial.network().params)
    assert run.dataset.X.shape == (1000, 2) and run.dataset.y.dtype == np.int64
    assert run.initial.init == "randn" and run.initial.seed == 42


def test_legacy_streams_are_the_global_seed_streams_without_touching_global_state():
    from sklearn.datasets import make_circles

    state = np.random.get_state()
    ds, net = tutorial.dataset(), tutorial.network()
    after = np.random.get_state()
    assert all(np.array_equal(a, b) for a, b in zip(state[1:3], after[1:3]))
    try:
        np.random.seed(0)
        X, y = make_circles(n_samples=1000, factor=0.5, noise=0.1)
        np.random.seed(42)
        drawn = [(np.random.randn(i, o) * 0.1, np.random.randn(1, o) * 0.1)
                 for i, o in [(2, 4), (4, 3), (3, 1)]]
    finally:
        np.random.set_state(state)
    np.testing.assert_array_equal(ds.X, X)
    np.testing.assert_array_equal(ds.y, y)
    for (W, b), W_net, b_net in zip(drawn, net.weights, net.biases):
        np.testing.assert_array_equal(W_net, W)
        np.testing.assert_array_equal(b_net, b[0])
    with pytest.raises(ValueError, match="legacy"):
        mc.make_dataset("moons", legacy=True)
    assert "randn" not in mc.INITS  # not offered as a choice: it only reproduces the tutorial


def test_each_error_alone_changes_what_it_should():
    published = tutorial.run()
    # A summed loss is the mean loss at a 1000 times larger learning rate: corrected alone,
    # lr 5 replays the published run; its printed loss is the mean.
    mean = tutorial.run([tutorial.SIGMOID_DERIVATIVE, tutorial.DB_AVERAGED], lr=5.0)
    assert mean.reported_scale == "mean over samples"
    np.testing.assert_allclose(mean.mean_loss, published.mean_loss, rtol=1e-12)
    np.testing.assert_array_equal(mean.accuracy, published.accuracy)
    assert mean.lines()[146 + 1] == "Iteration 146 - loss value [[0.6979774]] accuracy 0.58"
    # 2 s (1 - s) doubles every gradient: corrected alone, at twice the learning rate it is
    # the published run to the bit (a factor 2 is exact in floating point).
    slope = tutorial.run([tutorial.SUMMED_LOSS, tutorial.DB_AVERAGED], lr=0.01)
    np.testing.assert_array_equal(slope.final.params, published.final.params)
    # db averaged over the batch is 1/1000 of the gradient: corrected alone, the first step
    # moves the biases 1000 times further and the weights exactly as far.
    one = tutorial.run(n_epochs=1)
    summed_db = tutorial.run([tutorial.SIGMOID_DERIVATIVE, tutorial.SUMMED_LOSS], n_epochs=1)
    start = published.initial
    for k in range(3):
        np.testing.assert_array_equal(summed_db.final.weights[k], one.final.weights[k])
        np.testing.assert_allclose(summed_db.final.biases[k] - start.biases[k],
                                   1000 * (one.final.biases[k] - start.biases[k]), rtol=1e-9)


def test_the_corrected_run_stays_at_chance_because_its_second_layer_dies(printed):
    """Corrected, the biases take the full gradient's steps. From the tutorial's weights the
    second hidden layer has one live ReLU; its bias is pushed below zero in the first steps,
    and with no live unit there the output is a constant: loss ln 2, accuracy 0.5."""
    out = subprocess.run([sys.executable, "-m", "mlp_core.tutorial", "--fixed"],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.splitlines()
    assert out[0] == "Before training - loss value [[0.69362973]] accuracy 0.5"
    assert out[-1] == "Iteration 149 - loss value [[0.69314718]] accuracy 0.5"
    run = tutorial.run((), lr=tutorial.FIXED_LR)
    assert tutorial.FIXED_LR == 5.0 and (run.accuracy == 0.5).all()
    assert run.mean_loss[150] == pytest.approx(np.log(2), abs=1e-9)
    ds = run.dataset
    run.initial.forward(ds.X)
    assert (run.initial.z[1] > 0).any(axis=0).sum() == 1  # one live unit in layer 2 at first
    run.final.forward(ds.X)
    assert not (run.final.z[1] > 0).any()  # none at the end
    # No learning rate rescues it in 150 iterations; at 10 and above the output bias
    # overshoots into a two-step cycle (loss 1.04).
    for lr in (0.05, 0.5, 10.0):
        assert tutorial.run((), lr=lr).accuracy[150] == 0.5
    assert tutorial.run((), lr=10.0).mean_loss[150] == pytest.approx(1.0444, abs=1e-4)


@pytest.mark.parametrize("argv,match", [
    (["--errors", "summed_loss,bogus"], "bogus"),
    (["--fixed", "--errors", "none"], "exclude"),
    (["--lr", "-1"], "lr"),
    (["--epochs", "-3"], "n_epochs"),
])
def test_the_command_line_refuses_bad_settings(argv, match, capsys):
    with pytest.raises(SystemExit):
        tutorial.main(argv)
    assert match in capsys.readouterr().err


def test_error_subsets_and_learning_rate_from_the_command_line(capsys):
    tutorial.main(["--errors", "none", "--lr", "5", "--epochs", "2"])
    lines = capsys.readouterr().out.splitlines()
    assert lines == tutorial.run((), lr=5.0, n_epochs=2).lines()
    assert len(lines) == 3 and lines[1].startswith("Iteration 0 - loss value [[0.69362973]]")
