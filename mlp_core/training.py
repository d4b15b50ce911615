"""Mini-batch training with a per-epoch history and a guard against divergence."""

import math
import time
from functools import partial
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _validate as check
from .losses import LOSSES
from .network import MLP, Workspace, targets
from .optimizers import SGD, step_calls
from .published_errors import check_errors

HISTORY_COLUMNS = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc")


class _Batches(NamedTuple):
    """The training data's kept copy and its mini-batches' prepared steps (Trainer._batches)."""
    full: bool  # one batch of all the data, in its own order
    arange: np.ndarray  # 0 .. n - 1, where each epoch's shuffled order starts
    order: np.ndarray  # the epoch's order
    Xs: np.ndarray  # X and Y in that order
    Ys: np.ndarray
    steps: list  # per mini-batch (forward calls, backward calls), as MLP.training_calls


class _Sums(NamedTuple):
    """Squared gradients summed over an epoch's mini-batches (for the gradient norms)."""
    squares: np.ndarray  # scratch
    grad_sq: np.ndarray
    n_batches: int


def _run_calls(calls):
    for call in calls:
        call()


class Diverged(RuntimeError):
    """Training produced a non-finite loss or weight. The network and optimizer were rolled
    back to the end of the last good epoch (``epoch - 1``); ``reason`` says what went wrong."""

    def __init__(self, epoch, reason):
        self.epoch, self.reason = epoch, reason
        super().__init__(f"training diverged in epoch {epoch}: {reason}; the weights are "
                         f"those after epoch {epoch - 1}. A smaller learning rate usually helps.")


class History:
    """Per-epoch records in columns, with bounded memory.

    Every record is kept until ``max_records`` are held; then every other record is dropped
    and from then on only every 2nd (4th, 8th, ...) epoch is stored, so an hour of training
    still fits in a few megabytes. ``last`` is always the latest record, stored or not (with
    a trainer's ``record_every`` > 1 not every epoch has a record; ``last["epoch"]`` says
    which epoch it describes).
    Columns: epoch, train_loss, test_loss, train_acc, test_acc (test figures NaN without
    test data; accuracies NaN for a regression, float targets under mse),
    grad_norm and update_ratio (n_records, n_layers).
    """

    def __init__(self, n_layers, max_records=20_000):
        self.max_records = check.integer("max_records", max_records, 2)
        self.n_layers = n_layers
        self.stride = 1
        self._n = 0
        self._cols = {c: np.empty(64) for c in HISTORY_COLUMNS}
        self._cols["grad_norm"] = np.empty((64, n_layers))
        self._cols["update_ratio"] = np.empty((64, n_layers))
        self.last = None

    def __len__(self):
        return self._n

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        return {c: (v[i].tolist() if v.ndim == 2 else (int(v[i]) if c == "epoch" else float(v[i])))
                for c, v in self._cols.items()}

    def __iter__(self):
        return (self[i] for i in range(self._n))

    def column(self, name: str) -> np.ndarray:
        """A read-only view of one column over the stored records."""
        view = self._cols[name][:self._n]
        view.flags.writeable = False
        return view

    def append(self, record: dict) -> None:
        self.last = record
        if record["epoch"] % self.stride:
            return
        if self._n == self.max_records:
            keep = self._cols["epoch"][:self._n] % (2 * self.stride) == 0
            for v in self._cols.values():
                kept = v[:self._n][keep]
                v[:len(kept)] = kept
            self._n = int(keep.sum())
            self.stride *= 2
            if record["epoch"] % self.stride:
                return
        if self._n == len(self._cols["epoch"]):
            for c, v in self._cols.items():
                grown = np.empty((2 * len(v),) + v.shape[1:])
                grown[:self._n] = v[:self._n]
                self._cols[c] = grown
        for c, v in self._cols.items():
            v[self._n] = record[c]
        self._n += 1


class _Evaluation:
    """Loss and accuracy on one data set, computed without allocating."""

    def __init__(self, X, Y, labels, work):
        self.X, self.Y, self.work, self.n = X, Y, work, len(X)
        self.one_output = Y.shape[1] == 1
        self.labels = labels  # None for a regression: no accuracy
        if labels is not None:
            self.labels = labels.astype(bool) if self.one_output else labels
            self.predicted = np.empty(len(X), bool if self.one_output else np.int64)
            self.hits = np.empty(len(X), bool)

    def loss(self, net, loss, l1, l2):
        return float(net.target_loss(self.X, self.Y, loss, l1, l2, self.work))

    def accuracy(self, out):
        """Share of samples whose label by ``predicted_labels(out)`` is right (NaN without
        labels)."""
        if self.labels is None:
            return math.nan
        if self.one_output:
            np.greater_equal(out[:, 0], 0.5, out=self.predicted)
        else:
            np.argmax(out, axis=1, out=self.predicted)
        np.equal(self.predicted, self.labels, out=self.hits)
        return int(np.count_nonzero(self.hits)) / self.n


class Trainer:
    """Trains ``net`` with mini-batches drawn by a seeded generator.

    ``loss``, ``optimizer``, ``batch_size``, ``l1``, ``l2`` and ``record_every`` are plain
    attributes and may change between calls to ``run_epochs`` (the network and the epoch
    count carry on). An optimizer needs ``step(params, grads)``, ``get_state(into=None)`` and
    ``set_state(state)``, as ``SGD`` and ``Adam`` have.

    ``record_every`` (default 1): an epoch is evaluated (train and test loss and accuracy,
    gradient norms, update ratios) and recorded in ``history`` when its number is a multiple
    of ``record_every``, and so is the last epoch of every ``run_epochs`` call, so
    ``history.last`` describes the network as the call leaves it (its "epoch" says which).
    Epochs in between are only trained, which is faster. Their weights are still checked, so
    divergence is caught there too; but as their loss is not computed, a loss that overflows
    while the weights stay finite is noticed at the next recorded epoch or when the weights
    follow, and the roll back goes to the epoch before that.

    The training step works in buffers of the trainer's own (``Workspace``), sized once per
    batch size and reused by later calls, and allocates nothing. After ``run_epochs`` the
    network holds no pass (``net.z`` and ``net.a`` are empty until the next ``net.forward``),
    so no array a caller got from the network is ever overwritten by training.
    """

    def __init__(self, net: MLP, loss: str = "bce", optimizer=None, batch_size: int = 32,
                 l1: float = 0.0, l2: float = 0.0, seed: int = 0,
                 max_history: int = 20_000, record_every: int = 1, errors=()):
        self.net = net
        self.loss = loss
        self.optimizer = optimizer if optimizer is not None else SGD(0.1)
        self.batch_size = batch_size
        self.l1, self.l2 = l1, l2
        self.record_every = record_every
        # The tutorial's published errors, to replay its run: its gradients are computed
        # with them; the loss recorded stays the mean (mlp_core.published_errors).
        self.errors = check_errors(errors)
        self.seed = check.seed("seed", seed)
        self.rng = np.random.default_rng(self.seed)
        self.epoch = 0
        self.history = History(net.n_layers, max_history)
        self._workspaces = {}  # n_rows -> Workspace
        self._buffers = {}  # name -> scratch array (and "state": a copy of the optimizer's)
        self._check_settings()

    def __getstate__(self):
        # Prepared calls are bound to this trainer's network and buffers: a copy makes its own.
        buffers = {k: v for k, v in self._buffers.items() if k != "batches"}
        return {**self.__dict__, "_buffers": buffers}

    def _check_settings(self):
        l1, l2 = self.net.check_loss(self.loss, self.l1, self.l2)
        self.errors = check_errors(self.errors)
        check.integer("batch_size", self.batch_size, 1)
        check.integer("record_every", self.record_every, 1)
        for method in ("step", "get_state", "set_state"):
            if not callable(getattr(self.optimizer, method, None)):
                raise ValueError(f"optimizer must have a {method}() method; got "
                                 f"{self.optimizer!r}")
        return l1, l2

    def _workspace(self, n_rows):
        work = self._workspaces.get(n_rows)
        if work is None or not work.fits(self.net, n_rows):
            work = self._workspaces[n_rows] = Workspace(self.net, n_rows)
        return work

    def _buffer(self, name, shape, dtype):
        """A scratch array, kept between calls."""
        buf = self._buffers.get(name)
        if buf is None or buf.shape != shape or buf.dtype != dtype:
            buf = self._buffers[name] = np.empty(shape, dtype)
        return buf

    def run_epochs(self, X: ArrayLike, y: ArrayLike, n_epochs: int = 1,
                   X_test: ArrayLike | None = None, y_test: ArrayLike | None = None,
                   time_budget: float | None = None, on_step=None) -> list[dict]:
        """Train up to ``n_epochs`` epochs (fewer if ``time_budget`` seconds run out first;
        at least one epoch always runs). Returns the records of the epochs it recorded:
        all epochs run when ``record_every`` is 1 (``self.epoch`` counts epochs in any case).

        ``on_step(step, n_steps)``, when given, is called inside every epoch of mini-batches
        after each step but the last (``step`` = 1 .. n_steps - 1; ``self.epoch`` still
        counts the epochs finished), so a caller can look at the states the weights pass
        through. It must leave the weights and ``self.rng`` alone; it may run the network.

        Train loss and accuracy are measured on all of X after each epoch's updates, so
        train and test figures of one record describe the same weights.
        Raises ``Diverged`` (after rolling back one epoch) on a non-finite loss or weight.
        """
        l1, l2 = self._check_settings()
        n_epochs = check.integer("n_epochs", n_epochs, 0)
        if time_budget is not None:
            time_budget = check.number("time_budget", time_budget, 0.0)
        net, loss = self.net, self.loss
        if len(self._workspaces) > 8:  # sizes keep changing: start over (a call uses 4 at most)
            self._workspaces.clear()
        X = np.ascontiguousarray(net.checked_inputs("X", X))
        Y, labels = targets(y, loss, net.layer_sizes[-1])
        if len(Y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(Y)}")
        test = None
        if X_test is not None:
            X_test = np.ascontiguousarray(net.checked_inputs("X_test", X_test))
            Y_test, labels_test = targets(y_test, loss, net.layer_sizes[-1])
            if len(Y_test) != len(X_test):
                raise ValueError(f"X_test has {len(X_test)} rows but y_test has {len(Y_test)}")
            test = _Evaluation(X_test, Y_test, labels_test, self._workspace(len(X_test)))
        if n_epochs == 0:
            return []
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
                return self._run(X, Y, labels, test, n_epochs, time_budget, l1, l2, on_step)
        finally:
            net.clear_pass()

    def _run(self, X, Y, labels, test, n_epochs, time_budget, l1, l2, on_step):
        net, opt, every = self.net, self.optimizer, self.record_every
        batches = self._batches(X, Y, min(self.batch_size, len(X)), l1, l2)
        update = step_calls(opt, net.params, net.grad)
        train = _Evaluation(X, Y, labels, self._workspace(len(X)))
        shape, dtype = net.params.shape, net.params.dtype
        before = self._buffer("before", shape, dtype)  # the weights to roll back to
        sums = _Sums(self._buffer("squares", shape, dtype),  # squared gradients summed over
                     self._buffer("grad_sq", shape, dtype), len(batches.steps))  # the batches
        plain, summing = self._step_calls(batches, update, sums) if not batches.full else ((), ())
        finite = self._buffer("finite", shape, bool)
        state = self._buffers.get("state")  # the optimizer's state to roll back to
        started, records = time.perf_counter(), []
        self._grad_ready = False  # full batch: the gradient at the current weights is in grad
        for i in range(n_epochs):
            epoch = self.epoch + 1
            np.copyto(before, net.params)
            state = self._buffers["state"] = opt.get_state(state)
            due = epoch % every == 0 or i == n_epochs - 1
            if batches.full:
                stop, train_loss = self._full_batch_epoch(batches, update, train, sums, due,
                                                          i == n_epochs - 1, started,
                                                          time_budget, l1, l2)
            else:
                # Without a time budget every recorded epoch is due, known in advance.
                self._epoch_of_batches(batches, summing if due or time_budget is not None
                                       else plain, X, Y, on_step)
                stop = i == n_epochs - 1 or self._out_of_time(started, time_budget)
                train_loss = train.loss(net, self.loss, l1, l2) if due or stop else None
            record = train_loss is not None
            train_acc = train.accuracy(train.work.a[-1]) if record else None
            loss_bad = record and not math.isfinite(train_loss)
            if loss_bad or not np.isfinite(net.params, out=finite).all():
                net.params[...] = before
                opt.set_state(state)
                reason = (f"the loss became {train_loss}" if loss_bad
                          else "a weight became inf or nan")
                raise Diverged(epoch, reason)
            self.epoch = epoch
            if record:
                records.append(self._record(epoch, train_loss, train_acc, test, before, sums,
                                            l1, l2))
            if stop:
                break
        return records

    @staticmethod
    def _out_of_time(started, time_budget):
        return time_budget is not None and time.perf_counter() - started >= time_budget

    def _batches(self, X, Y, batch, l1, l2):
        """A kept copy of the data to shuffle into, and per mini-batch (the last may be
        shorter) the prepared calls of its step, remade only when what they depend on
        changes. A full batch is one step over an unshuffled copy."""
        net, n = self.net, len(X)
        works = tuple(self._workspace(rows) for rows in {batch, n - (n - 1) // batch * batch})
        key = (net, net.activations, X.shape, Y.shape, batch, self.loss, l1, l2, self.errors,
               *works)
        kept = self._buffers.get("batches")
        if kept is not None and kept[0] == key:
            return kept[1]
        arange = np.arange(n)
        Xs, Ys = self._buffer("Xs", X.shape, X.dtype), self._buffer("Ys", Y.shape, Y.dtype)
        steps = []
        for s in range(0, n, batch):
            Xb, Yb = Xs[s:s + batch], Ys[s:s + batch]
            steps.append(net.training_calls(Xb, Yb, self._workspace(len(Xb)), self.loss,
                                            l1, l2, self.errors))
        batches = _Batches(batch == n, arange, np.empty_like(arange), Xs, Ys, steps)
        self._buffers["batches"] = (key, batches)
        return batches

    def _full_batch_epoch(self, batches, update, train, sums, due, last, started,
                          time_budget, l1, l2):
        """One update from all of the data; its train metrics and the next update's
        gradient come from one forward pass. Returns (stop, train loss or None)."""
        net, (forward, backward) = self.net, batches.steps[0]
        if not self._grad_ready:
            np.copyto(batches.Xs, train.X)
            np.copyto(batches.Ys, train.Y)
            _run_calls(forward + backward)
        _run_calls(update)  # reads the gradient, leaves it as it was
        stop = last or self._out_of_time(started, time_budget)
        if due or stop:
            np.multiply(net.grad, net.grad, out=sums.grad_sq)
        _run_calls(forward)
        self._grad_ready = not stop
        if self._grad_ready:
            _run_calls(backward)
        if not (due or stop):
            return stop, None
        work = train.work  # the full batch's own workspace: the output layer's z and a
        loss = LOSSES[self.loss].value(work.z[-1], work.a[-1], train.Y, work.spare)
        return stop, float(loss + net.penalty(l1, l2))

    def _step_calls(self, batches, update, sums):
        """Per mini-batch its whole step as one tuple of calls, twice: as it is, and with its
        squared gradient added into ``sums.grad_sq`` (the first batch's square starts it)."""
        grad, squares, grad_sq = self.net.grad, sums.squares, sums.grad_sq
        start = (partial(np.multiply, grad, grad, grad_sq),)
        add = (partial(np.multiply, grad, grad, squares),
               partial(np.add, grad_sq, squares, grad_sq))  # grad_sq += grad^2
        plain = [forward + backward + update for forward, backward in batches.steps]
        summing = [forward + backward + (add if b else start) + update
                   for b, (forward, backward) in enumerate(batches.steps)]
        return plain, summing

    def _epoch_of_batches(self, batches, steps, X, Y, on_step=None):
        """One epoch over shuffled mini-batches, each step a tuple of prepared calls."""
        np.copyto(batches.order, batches.arange)
        self.rng.shuffle(batches.order)  # the same draws as rng.permutation(n), into a kept array
        np.take(X, batches.order, axis=0, out=batches.Xs, mode="clip")  # "clip": no buffer
        np.take(Y, batches.order, axis=0, out=batches.Ys, mode="clip")  # ("raise" has one)
        n_steps = len(steps)
        for step, calls in enumerate(steps, 1):
            for call in calls:
                call()
            if on_step is not None and step < n_steps:
                on_step(step, n_steps)

    def steps_per_epoch(self, n_samples: int) -> int:
        """Mini-batch steps in an epoch over ``n_samples`` rows (1 for a full batch)."""
        return -(-n_samples // min(self.batch_size, max(n_samples, 1)))

    def _record(self, epoch, train_loss, train_acc, test, before, sums, l1, l2):
        net, (squares, grad_sq, n_batches) = self.net, sums
        test_loss = test_acc = math.nan
        if test is not None:
            test_loss = test.loss(net, self.loss, l1, l2)
            test_acc = test.accuracy(test.work.a[-1])
        np.subtract(net.params, before, out=squares)
        squares *= squares
        moved = net.per_layer(squares)
        size = net.per_layer(np.multiply(before, before, out=squares))
        record = {
            "epoch": epoch,
            "train_loss": train_loss,
            "test_loss": test_loss,
            "train_acc": train_acc,
            "test_acc": test_acc,
            "grad_norm": np.sqrt(net.per_layer(grad_sq) / n_batches).tolist(),
            "update_ratio": np.sqrt(moved / np.maximum(size, 1e-300)).tolist(),
        }
        self.history.append(record)
        return record
