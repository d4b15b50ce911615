"""Training: convergence on held-out data, determinism, divergence, bounded history."""

import numpy as np
import pytest

import mlp_core as mc
from mlp_core import tutorial


def _fit(name, hidden, activation, epochs, lr=0.01, n=600, noise=0.1, seed=0, batch=32):
    ds = mc.make_dataset(name, n_samples=n, noise=noise, seed=seed)
    train, test = mc.train_test_split(ds, test_fraction=0.3, seed=seed)
    n_out = 1 if ds.n_classes == 2 else ds.n_classes
    out, loss = ("sigmoid", "bce") if n_out == 1 else ("softmax", "cross_entropy")
    net = mc.MLP([2, *hidden, n_out], [activation] * len(hidden) + [out], init="he", seed=seed)
    trainer = mc.Trainer(net, loss, mc.Adam(lr), batch_size=batch, seed=seed)
    trainer.run_epochs(train.X, train.y, epochs, X_test=test.X, y_test=test.y)
    return net, trainer, test


@pytest.mark.parametrize("name,noise,hidden,activation,epochs,target", [
    ("circles", 0.1, [8, 8], "relu", 100, 0.95),
    ("moons", 0.1, [8, 8], "relu", 100, 0.95),
    ("xor", 0.05, [8, 8], "tanh", 100, 0.95),
    ("gaussians", 0.1, [4], "relu", 30, 0.95),
    ("spiral", 0.05, [16, 16, 16], "relu", 400, 0.95),
    ("blobs3", 0.1, [8], "relu", 60, 0.95),
    ("spiral3", 0.05, [16, 16, 16], "relu", 400, 0.9),
])
def test_reaches_accuracy_on_held_out_data(name, noise, hidden, activation, epochs, target):
    net, trainer, test = _fit(name, hidden, activation, epochs, noise=noise)
    acc = trainer.history.last["test_acc"]
    assert acc >= target, f"{name}: test accuracy {acc:.3f} < {target}"
    assert (net.predict(test.X) == test.y).mean() == pytest.approx(acc)
    losses = trainer.history.column("train_loss")
    assert losses[-1] < losses[0] / 3


def test_linear_model_fails_on_circles_but_succeeds_with_squares():
    ds = mc.make_dataset("circles", 400, 0.05, seed=1)
    for features, low, high in ((["x1", "x2"], 0.0, 0.7), (["x1^2", "x2^2"], 0.97, 1.0)):
        X = mc.expand_features(ds.X, features)
        net = mc.MLP([len(features), 1], ["sigmoid"], seed=1)
        trainer = mc.Trainer(net, "bce", mc.Adam(0.05), batch_size=32, seed=1)
        trainer.run_epochs(X, ds.y, 150)
        assert low <= trainer.history.last["train_acc"] <= high, features


def test_tutorials_experiment_with_exact_gradients():
    """The tutorial trains 2-4-3-1 (ReLU, ReLU, sigmoid) with lr 0.005 for 150 full-batch
    epochs on its make_circles(1000, factor=0.5, noise=0.1) and reports accuracy above 0.8 at
    epoch 145 before its loss jumps about. From the same data and initial weights, exact
    gradients of the *mean* loss at that learning rate barely move the network: the loss falls
    at every epoch, by less than 0.0002 in all, and the accuracy stays at chance. The
    tutorial's progress came from its summed dW (1000x larger steps), which is also why it
    oscillated at the end."""
    ds, net = tutorial.dataset(), tutorial.network()
    start = net.loss(ds.X, ds.y)
    trainer = mc.Trainer(net, "bce", mc.SGD(lr=0.005), batch_size=1000, seed=0)
    trainer.run_epochs(ds.X, ds.y, n_epochs=150)
    losses = trainer.history.column("train_loss")
    assert len(losses) == 150
    assert start == pytest.approx(0.69362972747, abs=1e-11)  # the tutorial's 693.62972747 / 1000
    assert np.all(np.diff(np.concatenate([[start], losses])) < 0)
    assert 0 < start - losses[-1] < 0.0002
    assert trainer.history.last["train_acc"] == 0.5
    # The tutorial module's run with every error corrected is this same training.
    fixed = tutorial.run((), lr=0.005)
    np.testing.assert_allclose(fixed.mean_loss[1:], losses, rtol=1e-14)


def test_same_seed_same_run_bit_for_bit():
    runs = [_fit("moons", [6, 6], "tanh", 20, seed=3) for _ in range(2)]
    np.testing.assert_array_equal(runs[0][0].params, runs[1][0].params)
    for col in ("train_loss", "test_loss", "grad_norm", "update_ratio"):
        np.testing.assert_array_equal(runs[0][1].history.column(col),
                                      runs[1][1].history.column(col))
    other = _fit("moons", [6, 6], "tanh", 20, seed=4)
    assert not np.array_equal(runs[0][0].params, other[0].params)


def test_epochs_split_over_calls_equal_one_call():
    ds = mc.make_dataset("xor", 200, 0.1, seed=2)
    nets = [mc.MLP([2, 5, 1], ["relu", "sigmoid"], seed=2) for _ in range(2)]
    a = mc.Trainer(nets[0], "bce", mc.Adam(0.02), batch_size=16, seed=5)
    b = mc.Trainer(nets[1], "bce", mc.Adam(0.02), batch_size=16, seed=5)
    a.run_epochs(ds.X, ds.y, 12)
    for _ in range(4):
        b.run_epochs(ds.X, ds.y, 3)
    np.testing.assert_array_equal(nets[0].params, nets[1].params)
    assert a.epoch == b.epoch == 12


def test_full_batch_history_reports_loss_after_each_update():
    ds = mc.make_dataset("circles", 100, 0.1, seed=0)
    net = mc.MLP([2, 4, 1], ["tanh", "sigmoid"], seed=0)
    trainer = mc.Trainer(net, "bce", mc.SGD(0.5), batch_size=100, seed=0)
    trainer.run_epochs(ds.X, ds.y, 3)
    assert trainer.history.last["train_loss"] == pytest.approx(net.loss(ds.X, ds.y), rel=1e-12)
    assert [r["epoch"] for r in trainer.history] == [1, 2, 3]


def test_divergence_is_caught_and_last_finite_weights_kept():
    ds = mc.make_dataset("moons", 200, 0.1, seed=0)
    net = mc.MLP([2, 16, 16, 1], ["relu", "relu", "linear"], init="he", seed=0)
    trainer = mc.Trainer(net, "mse", mc.SGD(lr=50.0), batch_size=200, seed=0)
    with pytest.raises(mc.Diverged) as info:
        trainer.run_epochs(ds.X, ds.y, 100)
    assert np.isfinite(net.params).all()
    assert info.value.epoch == trainer.epoch + 1
    assert "learning rate" in str(info.value)
    assert len(trainer.history) == trainer.epoch
    assert all(np.isfinite(r["train_loss"]) for r in trainer.history)
    # The weights are those after the last good epoch, to the bit: a run stopped there.
    again = mc.MLP([2, 16, 16, 1], ["relu", "relu", "linear"], init="he", seed=0)
    mc.Trainer(again, "mse", mc.SGD(lr=50.0), batch_size=200, seed=0).run_epochs(
        ds.X, ds.y, trainer.epoch)
    np.testing.assert_array_equal(net.params, again.params)


class _RecklessAdam(mc.Adam):
    """Adam whose learning rate jumps to 1e200 after ``good_steps`` steps: a run that goes
    well for a while, then overflows in the middle of an epoch."""

    def __init__(self, lr, good_steps):
        super().__init__(lr)
        self.good_steps, self.steps = good_steps, 0

    def step(self, params, grads):
        self.steps += 1
        if self.steps > self.good_steps:
            self.lr = 1e200
        super().step(params, grads)


def test_adam_state_is_rolled_back_to_the_last_good_epoch():
    ds = mc.make_dataset("circles", 100, 0.1, seed=0)
    nets = [mc.MLP([2, 8, 8, 1], ["relu", "relu", "linear"], seed=0) for _ in range(2)]
    # 10 mini-batches per epoch: epochs 1-5 are good, epoch 6 takes 3 good steps, then blows up.
    reckless = mc.Trainer(nets[0], "mse", _RecklessAdam(0.01, good_steps=53), batch_size=10,
                          seed=0)
    with pytest.raises(mc.Diverged) as info:
        reckless.run_epochs(ds.X, ds.y, 50)
    assert info.value.epoch == 6 and reckless.epoch == 5 and len(reckless.history) == 5
    sane = mc.Trainer(nets[1], "mse", mc.Adam(0.01), batch_size=10, seed=0)
    sane.run_epochs(ds.X, ds.y, 5)
    np.testing.assert_array_equal(nets[0].params, nets[1].params)
    t, m, v = reckless.optimizer.get_state()
    t_sane, m_sane, v_sane = sane.optimizer.get_state()
    assert t == t_sane == 50
    for got, want in zip(m + v, m_sane + v_sane):
        np.testing.assert_array_equal(got, want)


def test_history_memory_is_bounded_and_thins_evenly():
    ds = mc.make_dataset("gaussians", 20, 0.1, seed=0)
    net = mc.MLP([2, 1], ["sigmoid"], seed=0)
    trainer = mc.Trainer(net, "bce", mc.SGD(0.1), batch_size=20, seed=0, max_history=100)
    trainer.run_epochs(ds.X, ds.y, 1000)
    epochs = trainer.history.column("epoch")
    assert len(epochs) <= 100
    assert trainer.history.last["epoch"] == 1000
    steps = np.diff(epochs)
    assert (steps == steps[0]).all() and steps[0] == trainer.history.stride
    assert epochs[-1] > 900


def test_time_budget_stops_early_but_runs_at_least_one_epoch():
    ds = mc.make_dataset("circles", 200, 0.1, seed=0)
    net = mc.MLP([2, 8, 1], ["relu", "sigmoid"], seed=0)
    trainer = mc.Trainer(net, "bce", mc.SGD(0.1), batch_size=8, seed=0)
    records = trainer.run_epochs(ds.X, ds.y, 10**6, time_budget=0.0)
    assert len(records) == 1


def test_history_records_gradient_norms_and_update_ratios_per_layer():
    net, trainer, _ = _fit("circles", [8, 8], "relu", 5)
    rec = trainer.history.last
    assert len(rec["grad_norm"]) == len(rec["update_ratio"]) == 3
    assert all(v > 0 for v in rec["grad_norm"] + rec["update_ratio"])
    assert trainer.history.column("grad_norm").shape == (5, 3)


def test_settings_can_change_between_calls():
    ds = mc.make_dataset("moons", 200, 0.1, seed=0)
    net = mc.MLP([2, 6, 1], ["tanh", "sigmoid"], seed=0)
    trainer = mc.Trainer(net, "bce", mc.SGD(0.1), batch_size=20, seed=0)
    trainer.run_epochs(ds.X, ds.y, 3)
    trainer.optimizer = mc.Adam(0.01)
    trainer.l2, trainer.batch_size = 0.01, 50
    trainer.run_epochs(ds.X, ds.y, 3)
    assert trainer.epoch == 6
    trainer.batch_size = 0
    with pytest.raises(ValueError, match="batch_size"):
        trainer.run_epochs(ds.X, ds.y, 1)


def _copy_of_run(run):
    return [dict(r) for r in run]


@pytest.mark.parametrize("batch", [1000, 128])  # full batch; mini-batches with a short last one
def test_training_steps_allocate_no_arrays(batch):
    import tracemalloc

    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    net = mc.MLP([2, 128, 128, 1], ["relu", "tanh", "sigmoid"], seed=0)
    trainer = mc.Trainer(net, "bce", mc.Adam(0.01), batch_size=batch, l2=1e-4, seed=0,
                         record_every=5)
    trainer.run_epochs(X, y, 2, X_test=X[:300], y_test=y[:300])  # buffers are made once
    tracemalloc.start()
    trainer.run_epochs(X, y, 12, X_test=X[:300], y_test=y[:300])
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # One activation array is 1000 x 128 x 8 bytes = 1 MB; a step that allocated its arrays
    # would peak at several. What remains is per call (checking X and y) and per record.
    assert peak < 200_000, peak
    assert trainer.epoch == 14


def test_arrays_from_a_public_forward_survive_training():
    ds = mc.make_dataset("moons", 300, 0.1, seed=0)
    net = mc.MLP([2, 16, 16, 1], ["relu", "relu", "sigmoid"], seed=0)
    out = net.forward(ds.X)
    held_z, held_a = net.z, net.a
    copies = [x.copy() for x in held_z + held_a]
    trainer = mc.Trainer(net, "bce", mc.SGD(0.1), batch_size=300, seed=0)
    trainer.run_epochs(ds.X, ds.y, 5)
    for held, copy in zip(held_z + held_a, copies):
        np.testing.assert_array_equal(held, copy)
    assert net.z == [] and net.a == []  # training leaves no pass behind
    assert not np.array_equal(net.forward(ds.X), out)  # the network did train
    assert net.a[1] is not held_a[1]


def _trained(record_every, batch, n_epochs=12, calls=1, time_budget=None):
    ds = mc.make_dataset("circles", 130, 0.1, seed=1)
    net = mc.MLP([2, 6, 5, 1], ["tanh", "relu", "sigmoid"], seed=1)
    trainer = mc.Trainer(net, "bce", mc.SGD(0.2, momentum=0.5), batch_size=batch, seed=1,
                         record_every=record_every)
    returned = []
    for _ in range(calls):
        returned += trainer.run_epochs(ds.X, ds.y, n_epochs, X_test=ds.X[:40],
                                       y_test=ds.y[:40], time_budget=time_budget)
    return net, trainer, returned


@pytest.mark.parametrize("batch", [130, 32])
def test_record_every_thins_the_history_without_changing_training(batch):
    net_all, every, _ = _trained(1, batch, calls=2)
    net_few, few, returned = _trained(5, batch, calls=2)
    np.testing.assert_array_equal(net_all.params, net_few.params)
    # Multiples of 5, plus the last epoch of each call (12 and 24).
    assert list(few.history.column("epoch")) == [5, 10, 12, 15, 20, 24]
    assert [r["epoch"] for r in returned] == [5, 10, 12, 15, 20, 24]
    assert few.history.last["epoch"] == few.epoch == 24
    by_epoch = {r["epoch"]: r for r in every.history}
    for record in few.history:
        assert record == by_epoch[record["epoch"]]  # the same numbers, to the bit


@pytest.mark.parametrize("batch", [130, 32])
def test_an_epoch_cut_short_by_the_time_budget_is_recorded_in_full(batch):
    _, every, _ = _trained(1, batch, n_epochs=1)
    _, few, returned = _trained(7, batch, n_epochs=10**6, time_budget=0.0)
    assert few.epoch == 1 and [r["epoch"] for r in returned] == [1]
    assert few.history.last == every.history.last


def test_divergence_is_caught_in_epochs_that_are_not_recorded():
    ds = mc.make_dataset("moons", 200, 0.1, seed=0)

    def trainer(record_every):
        net = mc.MLP([2, 16, 16, 1], ["tanh", "tanh", "linear"], init="he", seed=0)
        return mc.Trainer(net, "mse", mc.SGD(lr=50.0), batch_size=25, seed=0,
                          record_every=record_every)

    quiet = trainer(1000)
    with pytest.raises(mc.Diverged) as info:
        quiet.run_epochs(ds.X, ds.y, 100)
    assert info.value.epoch == quiet.epoch + 1 > 2
    assert "weight" in info.value.reason  # no loss was computed: the weights gave it away
    assert len(quiet.history) == 0  # nothing recorded: the call never reached its end
    every = trainer(1)
    every.run_epochs(ds.X, ds.y, quiet.epoch)  # a finite loss in each epoch up to there
    assert np.isfinite(every.history.column("train_loss")).all()
    np.testing.assert_array_equal(quiet.net.params, every.net.params)  # rolled back exactly


def test_record_every_must_be_a_positive_integer():
    net = mc.MLP([2, 1], ["sigmoid"], seed=0)
    for bad in (0, -1, 1.5, "2", None):
        with pytest.raises(ValueError, match="record_every"):
            mc.Trainer(net, record_every=bad)


def test_a_trainer_given_another_network_of_the_same_sizes_trains_it_right():
    ds = mc.make_dataset("moons", 150, 0.1, seed=0)
    relu = mc.MLP([2, 6, 1], ["relu", "sigmoid"], seed=0)
    trainer = mc.Trainer(relu, "bce", mc.SGD(0.3), batch_size=150, seed=0)
    trainer.run_epochs(ds.X, ds.y, 2)
    # Same sizes, an activation whose derivative needs z: buffers made for ReLU would not do.
    trainer.net = mc.MLP([2, 6, 1], ["softplus", "sigmoid"], seed=0)
    trainer.run_epochs(ds.X, ds.y, 3)
    fresh = mc.MLP([2, 6, 1], ["softplus", "sigmoid"], seed=0)
    mc.Trainer(fresh, "bce", mc.SGD(0.3), batch_size=150, seed=0).run_epochs(ds.X, ds.y, 3)
    np.testing.assert_array_equal(trainer.net.params, fresh.params)


def _circles_trainer(batch, seed=3):
    ds = mc.make_dataset("circles", 130, 0.1, seed=seed)
    net = mc.MLP([2, 4, 1], ["tanh", "sigmoid"], seed=seed)
    return ds, mc.Trainer(net, "bce", mc.Adam(0.03), batch_size=batch, seed=seed)


def test_a_step_hook_sees_every_step_inside_an_epoch_and_changes_nothing():
    ds, plain = _circles_trainer(10)
    plain.run_epochs(ds.X, ds.y, 3, X_test=ds.X, y_test=ds.y)
    ds, hooked = _circles_trainer(10)
    calls, losses = [], []

    def look(step, n_steps):  # runs the network the trainer is training, as a caller may
        calls.append((hooked.epoch, step, n_steps))
        losses.append(hooked.net.loss(ds.X, ds.y, "bce"))
        hooked.net.predict(ds.X)

    hooked.run_epochs(ds.X, ds.y, 3, X_test=ds.X, y_test=ds.y, on_step=look)
    # 130 rows in batches of 10: 13 steps an epoch, the hook after steps 1..12 of each
    assert calls == [(e, s, 13) for e in range(3) for s in range(1, 13)]
    assert np.array_equal(hooked.net.params, plain.net.params)  # bit for bit
    assert [r["train_loss"] for r in hooked.history] == [r["train_loss"] for r in plain.history]
    assert len(set(losses)) == len(losses)  # every step moved the weights
    assert plain.steps_per_epoch(130) == 13 and plain.steps_per_epoch(5) == 1


def test_a_full_batch_epoch_has_no_step_inside_it():
    ds, trainer = _circles_trainer(10_000)
    calls = []
    trainer.run_epochs(ds.X, ds.y, 4, on_step=lambda *step: calls.append(step))
    assert calls == [] and trainer.epoch == 4 and trainer.steps_per_epoch(130) == 1
