"""The "How backprop works" page under AppTest: alone, after the Playground, every stepper
position, values against the engine, the gradient-check switch and the training switches."""

import json
import pathlib
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import mlp_core as mc
from app_logic import session as pgs
from app_logic import settings
from app_logic import study as studies
from mlp_core import explain as ex
from tests.app.test_playground import decode_array
from tests.core.test_tutorial import PUBLISHED
from ui import session as ui_session
from ui.tutorial_runs import SLOW
from viz.format import format_number

ROOT = pathlib.Path(__file__).resolve().parents[2]
PAGE = str(ROOT / "app_pages" / "backprop.py")
APP = str(ROOT / "app.py")
TIMEOUT = 60


def page():
    return AppTest.from_file(PAGE, default_timeout=TIMEOUT)


def matrices(at):
    """{LaTeX symbol: DataFrame} for every matrix the inspector shows, in page order."""
    labels = [m.value for m in at.markdown if " &nbsp; " in m.value]
    frames = [d.value for d in at.dataframe]
    assert len(labels) == len(frames)
    return {re.match(r"\$(.*)\$ &nbsp;", lab).group(1): f for lab, f in zip(labels, frames)}


def example():
    """The page's default network and batch, built here from the engine alone."""
    ds = mc.make_dataset("circles", 8, 0.1, seed=0)
    net = mc.MLP([2, 3, 2, 1], ["tanh", "tanh", "sigmoid"], init="xavier", seed=0)
    rows = np.arange(4)  # default mini-batch: 4 samples from the first
    return net, ds.X[rows], ds.y[rows]


def go_to_step(at, step):
    at.select_slider(key="bp_step").set_value(step).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def check_step_against_engine(at, net, X, y, loss, lr, first=0):
    """Compare what the current step shows with numbers computed by mlp_core directly."""
    shown = matrices(at)
    step = at.session_state["bp_step"]
    n_layers = net.n_layers
    net.forward(X)
    _, grads = net.loss_and_gradients(X, y, loss)
    if step < n_layers:  # forward, layer k
        k = step + 1
        np.testing.assert_allclose(shown[rf"\mathbf{{Z}}_{k}"].to_numpy(), net.z[k - 1])
        np.testing.assert_allclose(shown[rf"\mathbf{{W}}_{k}"].to_numpy(), net.weights[k - 1])
        a_key = next(key for key in shown if key.startswith(rf"\mathbf{{A}}_{k} ="))
        np.testing.assert_allclose(shown[a_key].to_numpy(), net.a[k])
        rows = [f"sample {first + r + 1}" for r in range(len(X))]
        assert list(shown[rf"\mathbf{{Z}}_{k}"].index) == rows
    elif step == n_layers:  # loss
        value = net.loss(X, y, loss)
        assert shown["L"].to_numpy()[0, 0] == pytest.approx(value)
        np.testing.assert_allclose(shown[r"\hat{\mathbf{y}}"].to_numpy(), net.forward(X))
    elif step < 2 * n_layers + 1:  # backward, layer k
        k = 2 * n_layers + 1 - step
        np.testing.assert_allclose(shown[rf"\partial L/\partial \mathbf{{W}}_{k}"].to_numpy(),
                                   grads[k - 1][0], atol=1e-15)
        np.testing.assert_allclose(shown[rf"\partial L/\partial \mathbf{{b}}_{k}"].to_numpy()[0],
                                   grads[k - 1][1], atol=1e-15)
    else:  # update of the layer chosen there (the output layer by default)
        k = n_layers
        before = shown[rf"\mathbf{{W}}_{k}\ \text{{before}}"].to_numpy()
        after = shown[rf"\mathbf{{W}}_{k}\ \text{{after}}"].to_numpy()
        np.testing.assert_allclose(before, net.weights[k - 1])
        np.testing.assert_allclose(after, net.weights[k - 1] - lr * grads[k - 1][0])
        twin = net.copy()
        for i, (dW, db) in enumerate(grads):
            twin.weights[i] -= lr * dW
            twin.biases[i] -= lr * db
        metrics = {m.label: m.value for m in at.metric}
        assert float(metrics["Loss before the step"]) == pytest.approx(net.loss(X, y, loss),
                                                                       abs=5e-4)
        assert float(metrics["Loss after the step"]) == pytest.approx(twin.loss(X, y, loss),
                                                                      abs=5e-4)


def test_page_runs_alone_and_every_step_shows_the_engine_values():
    at = page().run()
    assert not at.exception
    assert at.title[0].value == "How backprop works"
    net, X, y = example()
    options = at.select_slider(key="bp_step").options
    assert len(options) == 2 * net.n_layers + 2
    for step in range(len(options)):
        go_to_step(at, step)
        assert at.latex, f"step {step} shows no equation"
        check_step_against_engine(at, net, X, y, "bce", at.session_state["bp_lr"])


def test_next_and_back_walk_the_steps_and_stop_at_the_ends():
    at = page().run()
    n_steps = len(at.select_slider(key="bp_step").options)
    at.button(key="bp_prev").click().run()
    assert at.session_state["bp_step"] == 0
    for expected in range(1, n_steps + 2):
        at.button(key="bp_next").click().run()
        assert not at.exception
        assert at.session_state["bp_step"] == min(expected, n_steps - 1)
    step = [h.value for h in at.header if h.value.startswith("Step ")]
    assert len(step) == 1 and "Update" in step[0]
    at.button(key="bp_prev").click().run()
    assert at.session_state["bp_step"] == n_steps - 2


def test_batch_sample_and_activation_choices_stay_consistent_with_the_engine():
    at = page().run()
    at.select_slider(key="bp_batch").set_value(2).run()
    at.number_input(key="bp_first_ui").set_value(5).run()
    at.selectbox(key="bp_example_act").set_value("relu").run()
    assert not at.exception
    ds = mc.make_dataset("circles", 8, 0.1, seed=0)
    net = mc.MLP([2, 3, 2, 1], ["relu", "relu", "sigmoid"], init="xavier", seed=0)
    # Switching the example's activation starts the walk again from the first step.
    assert at.session_state["bp_step"] == 0
    rows = np.arange(4, 6)
    for step in (0, 3, 5, 7):
        go_to_step(at, step)
        check_step_against_engine(at, net, ds.X[rows], ds.y[rows], "bce",
                                  at.session_state["bp_lr"], first=4)
    at.number_input(key="bp_lr").set_value(2.0).run()
    go_to_step(at, 7)
    check_step_against_engine(at, net, ds.X[rows], ds.y[rows], "bce", 2.0, first=4)


def table_with(at, column):
    """The first table on the page that has ``column``."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def gradient_check_tab(at):
    at.session_state["bp_tab"] = "Gradient check"
    return at.run()


def largest_error(at):
    return float(next(m.value for m in at.metric if m.label == "Largest relative error"))


SWITCHES = {ex.SIGMOID_DERIVATIVE: "bp_gc_sig", ex.SUMMED_LOSS: "bp_gc_sum",
            ex.DB_AVERAGED: "bp_gc_db"}
# The parameters each error breaks on a network with a sigmoid output: "dW", "db" or both.
BREAKS = {ex.SIGMOID_DERIVATIVE: {"dW", "db"}, ex.SUMMED_LOSS: {"dW", "db"},
          ex.DB_AVERAGED: {"db"}}


def check_errors_shown(at):
    """{"dW": [relative error per layer], "db": [...]} as the lab's table shows them."""
    table = table_with(at, "dW relative error")
    return {p: table[f"{p} relative error"].to_numpy() for p in ("dW", "db")}


def switch(at, error, on):
    at.toggle(key=SWITCHES[error]).set_value(on).run()
    assert not at.exception, [e.value for e in at.exception]
    return check_errors_shown(at)


def assert_each_error_breaks_only_what_it_affects(at, net, X, y):
    shown = check_errors_shown(at)
    expected = [(mc.relative_error(a[0], n[0]), mc.relative_error(a[1], n[1])) for a, n in
                zip(net.loss_and_gradients(X, y, "bce")[1], mc.numerical_gradients(net, X, y))]
    np.testing.assert_allclose(np.c_[shown["dW"], shown["db"]], expected, rtol=1e-6,
                               atol=1e-12)
    assert max(shown["dW"].max(), shown["db"].max()) < 1e-6  # the correct gradient agrees
    assert any("agrees" in s.value for s in at.success)
    for error, broken in BREAKS.items():
        shown = switch(at, error, True)
        for p in ("dW", "db"):
            if p in broken:
                assert (shown[p] > 0.1).all(), (error, p, shown[p])
            else:
                assert (shown[p] < 1e-6).all(), (error, p, shown[p])
        message = next(e.value for e in at.error if "fails" in e.value)
        assert ("dW1" in message) == ("dW" in broken) and "db1" in message
        shown = switch(at, error, False)
        assert max(shown["dW"].max(), shown["db"].max()) < 1e-6


def test_each_published_error_breaks_only_its_gradients_on_the_small_example():
    at = gradient_check_tab(page().run())
    assert not at.exception
    net, _, _ = example()
    ds = mc.make_dataset("circles", 8, 0.1, seed=0)
    assert_each_error_breaks_only_what_it_affects(at, net, ds.X, ds.y)


def test_each_published_error_breaks_only_its_gradients_on_the_tutorial_network():
    at = page().run()
    at.button(key="bp_take_tutorial").click().run()
    assert "the tutorial's 2-4-3-1" in at.markdown[0].value
    at = gradient_check_tab(at)
    ds = mc.make_dataset("circles", 1000, 0.1, 0, legacy=True)
    X, y = ds.X[:200], ds.y[:200]
    net = mc.MLP([2, 4, 3, 1], ["relu", "relu", "sigmoid"], init="randn", seed=42)
    assert_each_error_breaks_only_what_it_affects(at, net, X, y)
    assert list(table_with(at, "activation")["activation"]) == ["ReLU", "ReLU", "sigmoid"]
    # With the loss summed, the averaged db is the mean loss's db again: the two cancel.
    switch(at, ex.SUMMED_LOSS, True)
    shown = switch(at, ex.DB_AVERAGED, True)
    assert (shown["dW"] > 0.1).all() and (shown["db"] < 1e-6).all()
    assert any("cancel" in c.value for c in at.caption)
    at.session_state["bp_tab"] = "Step through one training step"
    at.run()
    for step in range(len(at.select_slider(key="bp_step").options)):
        go_to_step(at, step)
        check_step_against_engine(at, net.copy(), X[:4], y[:4], "bce", 0.005)
    at.session_state["bp_tab"] = "Gradient flow"
    at.run()
    at.button(key="bp_flow_train").click().run()
    assert not at.exception


def test_the_tutorial_run_shows_the_tutorial_digits_beside_corrected_runs():
    at = page().run()
    at.session_state["bp_tab"] = "The tutorial's run"
    at.run()
    assert not at.exception
    published, beside = (c.value.splitlines() for c in at.code)
    for line in PUBLISHED.values():
        assert line in published
    assert published[0] == PUBLISHED["before"] and published[-1] == PUBLISHED[149]
    # Averaged loss at lr 5: the same accuracies, the loss exactly 1000 times smaller.
    assert "Iteration 145 - loss value [[0.66460121]] accuracy 0.818" in beside
    assert "Iteration 146 - loss value [[0.6979774]] accuracy 0.58" in beside
    table = table_with(at, "at 146")
    assert table["loss at 145"][0] == pytest.approx(664.60120828, abs=5e-9)
    assert list(table["accuracy at 145"][:2]) == [0.818, 0.818]
    assert list(table["at 146"][:2]) == [0.58, 0.58]
    assert table["best accuracy"][2:].max() == 0.5  # the corrected runs stay at chance
    why = next(c.value for c in at.caption if c.value.startswith("Why"))
    assert "sum over its 1000 points" in why and "lr 0.005 acted like lr 5" in why
    assert "0.818 at 145" in why and "0.58 at 146" in why
    assert "sat at chance until iteration 109" in why and "best 0.922 at iteration 121" in why
    at.selectbox(key="bp_tut_beside").set_value("Mean loss, lr 0.005").run()
    assert "Iteration 146 - loss value [[0.69362849]] accuracy 0.5" in at.code[1].value


def test_any_combination_of_the_errors_can_be_trained():
    at = page().run()
    at.session_state["bp_tab"] = "The tutorial's run"
    at.run()
    table = table_with(at, "loss printed as")
    assert list(table["run"]) == ["correct"]
    at.toggle(key="bp_tut_sum").set_value(True).run()
    at.toggle(key="bp_tut_db").set_value(True).run()
    assert not at.exception
    table = table_with(at, "loss printed as")
    assert list(table["run"]) == ["correct", "with errors"]
    buggy = ex.tutorial_experiment((ex.SUMMED_LOSS, ex.DB_AVERAGED))
    row = table.iloc[1]
    assert row["loss printed as"] == "sum"
    assert row["loss at 145"] == pytest.approx(buggy.reported_loss[145])
    assert row["best accuracy"] == pytest.approx(np.nanmax(buggy.accuracy))
    assert row["accuracy at 145"] == pytest.approx(buggy.accuracy[145])


def test_gradient_flow_contrast_shows_vanishing_sigmoid_gradients():
    at = page().run()
    at.session_state["bp_tab"] = "Gradient flow"
    at.run()
    assert not at.exception
    at.button(key="bp_flow_train").click().run()
    assert not at.exception
    assert table_with(at, "dead")["layer"].tolist() == [1, 2, 3]
    at.button(key="bp_contrast").click().run()
    assert not at.exception
    ratios = {m.label: float(m.value.rstrip("×").replace(",", "")) for m in at.metric
              if "gradient ratio" in m.label}
    assert ratios["Deep sigmoid: gradient ratio at epoch 1"] > 100
    assert ratios["Deep ReLU: gradient ratio at epoch 1"] < 10
    # the summary is the first point of its own time series, per layer and as a ratio
    charts = {c.proto.id: json.loads(c.proto.spec) for c in at.get("plotly_chart")}
    by_title = {spec["layout"]["title"]["text"]: spec for spec in charts.values()}
    profile = {t["name"]: decode_array(t["y"])
               for t in by_title["Gradient norm per layer, epoch 1"]["data"]}
    for act in ("sigmoid", "ReLU"):
        series = [decode_array(t["y"])
                  for t in by_title[f"Deep {act}: gradient norm per layer"]["data"]]
        first = np.array([curve[0] for curve in series])
        np.testing.assert_allclose(profile[f"deep {act}"], first)
        shown = ratios[f"Deep {act}: gradient ratio at epoch 1"]
        assert abs(shown - first[-1] / first[0]) <= 0.05 * shown
    final = [float(re.search(r"(\d+)%", c.value).group(1)) for c in at.caption
             if c.value.startswith("final training accuracy")]
    assert final[0] < 60 and final[1] > 95  # sigmoid stalls near chance, ReLU learns


def playground_state(epochs=3, **changes):
    pg = pgs.build_state(settings.default_config() | changes)
    pg.train_for(epochs)
    return pg


def test_page_takes_the_playground_network_with_one_click():
    at = page()
    pg = playground_state()
    at.session_state[ui_session.PLAYGROUND] = pg
    at.run()
    assert not at.exception
    assert "small example" in at.markdown[0].value
    at.button(key="bp_take_pg").click().run()
    assert not at.exception
    assert "Playground" in at.markdown[0].value
    net = pg.net
    X, y = np.asarray(pg.X_train)[:4], np.asarray(pg.train.y)[:4]
    options = at.select_slider(key="bp_step").options
    assert len(options) == 2 * net.n_layers + 2
    for step in range(len(options)):
        go_to_step(at, step)
        check_step_against_engine(at, net.copy(), X, y, pg.loss, at.session_state["bp_lr"])
    at.session_state["bp_tab"] = "Gradient flow"
    at.run()
    assert not at.exception
    assert at.radio(key="bp_flow_which").value == "The Playground's run"
    at.button(key="bp_take_example").click().run()
    assert "small example" in at.markdown[0].value


def test_gradient_check_on_a_three_class_playground_network():
    pg = playground_state(0, dataset="blobs3", hidden=[3], n_samples=60)
    at = page()
    at.session_state[ui_session.PLAYGROUND] = pg
    at.run()
    at.button(key="bp_take_pg").click().run()
    for step in range(len(at.select_slider(key="bp_step").options)):
        go_to_step(at, step)
    at = gradient_check_tab(at)
    assert largest_error(at) < 1e-6
    shown = switch(at, ex.SIGMOID_DERIVATIVE, True)
    assert max(shown["dW"].max(), shown["db"].max()) < 1e-6  # no sigmoid: nothing changes
    assert any("no sigmoid layer" in i.value and "softmax" in i.value for i in at.info)
    shown = switch(at, ex.SUMMED_LOSS, True)  # the other errors still show
    assert (shown["dW"] > 0.1).all() and (shown["db"] > 0.1).all()
    assert any("no sigmoid layer" in i.value for i in at.info)


def test_broken_playground_state_gives_a_message_not_a_traceback():
    broken = playground_state(0)
    broken.net = mc.MLP([3, 2, 1], ["tanh", "sigmoid"])  # expects 3 inputs; data have 2
    at = page()
    at.session_state[ui_session.PLAYGROUND] = broken
    at.run()
    at.button(key="bp_take_pg").click().run()
    assert not at.exception
    assert any("Could not load" in e.value for e in at.error)
    assert "small example" in at.markdown[0].value


def test_page_runs_after_the_playground_page():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception
    assert ui_session.PLAYGROUND in at.session_state
    at.switch_page("app_pages/backprop.py").run()
    assert not at.exception
    at.button(key="bp_take_pg").click().run()
    assert not at.exception
    assert "Playground" in at.markdown[0].value
    go_to_step(at, len(at.select_slider(key="bp_step").options) - 1)


def test_a_regression_playground_network_says_which_errors_cannot_show():
    pg = playground_state(0, dataset="plane", hidden=[], n_samples=60)
    at = page()
    at.session_state[ui_session.PLAYGROUND] = pg
    at.run()
    at.button(key="bp_take_pg").click().run()
    assert "Playground" in at.markdown[0].value
    for step in range(len(at.select_slider(key="bp_step").options)):
        go_to_step(at, step)
    at = gradient_check_tab(at)
    assert not at.exception
    assert largest_error(at) < 1e-6
    shown = switch(at, ex.SIGMOID_DERIVATIVE, True)
    assert max(shown["dW"].max(), shown["db"].max()) < 1e-6
    assert any("no sigmoid layer" in i.value and "linear" in i.value for i in at.info)
    shown = switch(at, ex.DB_AVERAGED, True)
    assert shown["dW"].max() < 1e-6 and shown["db"].min() > 0.1
    at.session_state["bp_tab"] = "Gradient flow"
    at.run()
    at.radio(key="bp_flow_which").set_value("A run started here").run()
    at.button(key="bp_flow_train").click().run()
    assert not at.exception, [e.value for e in at.exception]
    at.button(key="bp_contrast").click().run()
    assert not at.exception, [e.value for e in at.exception]


def printed(text):
    """A number as the page writes it in LaTeX: (−7.83\\times 10^{-4}) -> -0.000783."""
    text = re.sub(r"\\times 10\^\{(-?\d+)\}", r"e\1", text.strip().strip("()"))
    return float(text)


def worked_lines(at):
    """(terms, relation, result) of every worked sum shown: terms as lists of factors."""
    lines = []
    for element in at.latex:
        match = re.search(r"\\begin\{aligned\}.*? &= (.*) \\\\ &(=|\\approx) (.*)"
                          r"\\end\{aligned\}", element.value) \
            or re.fullmatch(r"\\delta\^\{\(\d\)\}_\{\d+\} = (.*) (=|\\approx) (.*)",
                            element.value.strip("$\n"))
        if match is None or r"\dots" in match.group(1):
            continue
        body = re.sub(r" \\\\ &\\quad \+ ", " + ", match.group(1))
        terms = [[printed(f) for f in term.split(r"\cdot")] for term in body.split(" + ")]
        lines.append((terms, match.group(2), printed(match.group(3))))
    return lines


def test_worked_sums_can_be_redone_from_the_digits_shown_and_follow_live_units():
    """On the tutorial's network (small weights, dead ReLUs): every worked sum recomputed
    from its printed digits gives its printed result, or it says ≈ and is within rounding;
    the unit followed at first passes gradient back."""
    at = page().run()
    at.button(key="bp_take_tutorial").click().run()
    net = mc.MLP([2, 4, 3, 1], ["relu", "relu", "sigmoid"], init="randn", seed=42)
    net.forward(mc.make_dataset("circles", 1000, 0.1, 0, legacy=True).X[:4])
    checked = {"=": 0, r"\approx": 0}
    for step in range(len(at.select_slider(key="bp_step").options)):
        go_to_step(at, step)
        for terms, relation, result in worked_lines(at):
            total = sum(np.prod(factors) for factors in terms)
            if relation == "=":
                assert format_number(total) == format_number(result)
            else:
                assert format_number(total) != format_number(result)
                assert abs(total - result) <= 0.02 * abs(result) + 1e-12
            checked[relation] += 1
        if step < 2:  # forward through the ReLU layers
            j = at.selectbox(key=f"bp_j_{step + 1}").value
            assert net.z[step][0, j] > 0, f"layer {step + 1} follows a dead unit"
    assert checked["="] and checked[r"\approx"]
    assert not any("0.000" in element.value for element in at.latex)


STEPPER = {"bp_batch": 2, "bp_first_ui": 7, "bp_lr": 1.5, "bp_step": 5}


def set_stepper(at):
    at.select_slider(key="bp_batch").set_value(STEPPER["bp_batch"]).run()
    at.number_input(key="bp_first_ui").set_value(STEPPER["bp_first_ui"]).run()
    at.number_input(key="bp_lr").set_value(STEPPER["bp_lr"]).run()
    go_to_step(at, STEPPER["bp_step"])


def stepper_values(at):
    return {"bp_batch": at.select_slider(key="bp_batch").value,
            "bp_first_ui": at.number_input(key="bp_first_ui").value,
            "bp_lr": at.number_input(key="bp_lr").value,
            "bp_step": at.session_state["bp_step"]}


def test_stepper_and_lab_values_survive_another_tab():
    at = page().run()
    set_stepper(at)
    at = gradient_check_tab(at)
    switch(at, ex.SUMMED_LOSS, True)
    at.session_state["bp_tab"] = "The tutorial's run"
    at.run()
    at.selectbox(key="bp_tut_beside").set_value(SLOW).run()
    at.session_state["bp_tab"] = "Step through one training step"
    at.run()
    assert not at.exception
    assert stepper_values(at) == STEPPER
    assert [h.value for h in at.header if h.value.startswith("Step ")][0].startswith("Step 6 ")
    at = gradient_check_tab(at)
    assert at.toggle(key="bp_gc_sum").value and not at.toggle(key="bp_gc_sig").value
    at.session_state["bp_tab"] = "The tutorial's run"
    at.run()
    assert at.selectbox(key="bp_tut_beside").value == SLOW


def test_stepper_values_and_the_open_tab_survive_a_visit_to_another_page():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page("app_pages/backprop.py").run()
    set_stepper(at)
    at = gradient_check_tab(at)
    switch(at, ex.DB_AVERAGED, True)
    at.switch_page("app_pages/compare.py").run()
    assert not at.exception
    at.switch_page("app_pages/backprop.py").run()
    assert not at.exception
    assert at.toggle(key="bp_gc_db").value  # the lab is still the open tab
    at.session_state["bp_tab"] = "Step through one training step"
    at.run()
    assert stepper_values(at) == STEPPER


def test_a_new_network_still_starts_the_walk_again():
    at = page().run()
    set_stepper(at)
    at.button(key="bp_take_tutorial").click().run()
    assert at.session_state["bp_step"] == 0
    assert at.number_input(key="bp_lr").value == studies.tutorial().lr


def test_presenter_mode_enlarges_the_text():
    from ui.presenter import LARGER_TEXT

    def styles(at):
        return [h.proto.body for h in at.get("html") if h.proto.body == LARGER_TEXT]

    screen = page().run()
    at = page()
    at.query_params["presenter"] = "1"
    projector = at.run()
    assert not screen.exception and not projector.exception
    assert styles(screen) == [] and len(styles(projector)) == 1
