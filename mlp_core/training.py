"""Mini-batch training with a per-epoch history and a guard against divergence."""

import math
import time

import numpy as np

from . import _validate as check
from .losses import LOSSES
from .network import predicted_labels, targets

HISTORY_COLUMNS = ("epoch", "train_loss", "test_loss", "train_acc", "test_acc")


class Diverged(RuntimeError):
    """Training produced a non-finite loss or weight. The network and optimizer were rolled
    back to the end of the last good epoch (``epoch - 1``); ``reason`` says what went wrong."""

    def __init__(self, epoch, reason):
        self.epoch, self.reason = epoch, reason
        super().__init__(f"training diverged in epoch {epoch}: {reason}; the weights are "
                         f"those after epoch {epoch - 1}. A smaller learning rate usually helps.")


class History:
    """Per-epoch records in columns, with bounded memory.

    Every epoch is kept until ``max_records`` are held; then every other record is dropped
    and from then on only every 2nd (4th, 8th, ...) epoch is stored, so an hour of training
    still fits in a few megabytes. ``last`` is always the latest epoch, stored or not.
    Columns: epoch, train_loss, test_loss, train_acc, test_acc (NaN without test data),
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

    def column(self, name):
        """A read-only view of one column over the stored records."""
        view = self._cols[name][:self._n]
        view.flags.writeable = False
        return view

    def append(self, record):
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


class Trainer:
    """Trains ``net`` with mini-batches drawn by a seeded generator.

    ``loss``, ``optimizer``, ``batch_size``, ``l1`` and ``l2`` are plain attributes and may
    change between calls to ``run_epochs`` (the network and the epoch count carry on).
    """

    def __init__(self, net, loss="bce", optimizer=None, batch_size=32, l1=0.0, l2=0.0, seed=0,
                 max_history=20_000):
        from .optimizers import SGD

        self.net = net
        self.loss = loss
        self.optimizer = optimizer if optimizer is not None else SGD(0.1)
        self.batch_size = batch_size
        self.l1, self.l2 = l1, l2
        self.seed = check.integer("seed", seed, 0)
        self.rng = np.random.default_rng(self.seed)
        self.epoch = 0
        self.history = History(net.n_layers, max_history)
        self._check_settings()

    def _check_settings(self):
        l1, l2 = self.net.check_loss(self.loss, self.l1, self.l2)
        check.integer("batch_size", self.batch_size, 1)
        if not hasattr(self.optimizer, "step"):
            raise ValueError(f"optimizer must have a step() method; got {self.optimizer!r}")
        return l1, l2

    def run_epochs(self, X, y, n_epochs=1, X_test=None, y_test=None, time_budget=None):
        """Train up to ``n_epochs`` epochs (fewer if ``time_budget`` seconds run out first;
        at least one epoch always runs). Returns the records of the epochs run.

        Train loss and accuracy are measured on all of X after each epoch's updates, so
        train and test figures of one record describe the same weights.
        Raises ``Diverged`` (after rolling back one epoch) on a non-finite loss or weight.
        """
        l1, l2 = self._check_settings()
        n_epochs = check.integer("n_epochs", n_epochs, 0)
        if time_budget is not None:
            time_budget = check.number("time_budget", time_budget, 0.0)
        net, opt, loss = self.net, self.optimizer, self.loss
        X = np.ascontiguousarray(check.features("X", X, net.layer_sizes[0]))
        Y, labels = targets(y, loss, net.layer_sizes[-1])
        if len(Y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(Y)}")
        has_test = X_test is not None
        if has_test:
            X_test = check.features("X_test", X_test, net.layer_sizes[0])
            Y_test, labels_test = targets(y_test, loss, net.layer_sizes[-1])
            if len(Y_test) != len(X_test):
                raise ValueError(f"X_test has {len(X_test)} rows but y_test has {len(Y_test)}")

        n = len(X)
        batch = min(self.batch_size, n)
        params, grad = [net.params], [net.grad]
        started = time.perf_counter()
        records = []
        grad_ready = False  # full batch: the previous epoch's evaluation already left the gradient
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            for _ in range(n_epochs):
                epoch = self.epoch + 1
                before, opt_state = net.params.copy(), opt.get_state()
                grad_sq = np.zeros_like(net.grad)  # summed over the epoch's batches
                if batch == n:
                    if not grad_ready:
                        net.forward_pass(X)
                        net.backprop(Y, loss, l1, l2)
                    grad_sq += net.grad * net.grad
                    opt.step(params, grad)
                    out = net.forward_pass(X)
                    net.backprop(Y, loss, l1, l2)  # the next epoch's gradient
                    train_loss = float(LOSSES[loss].value(net.z[-1], out, Y)
                                       + net.penalty(l1, l2))
                    grad_ready = True
                    n_batches = 1
                else:
                    order = self.rng.permutation(n)
                    Xs, Ys = X[order], Y[order]
                    n_batches = 0
                    for start in range(0, n, batch):
                        net.forward_pass(Xs[start:start + batch])
                        net.backprop(Ys[start:start + batch], loss, l1, l2)
                        grad_sq += net.grad * net.grad
                        opt.step(params, grad)
                        n_batches += 1
                    train_loss = float(net.target_loss(X, Y, loss, l1, l2))
                train_acc = float((predicted_labels(net.a[-1]) == labels).mean())
                if not math.isfinite(train_loss) or not np.isfinite(net.params).all():
                    net.params[...] = before
                    opt.set_state(opt_state)
                    reason = (f"the loss became {train_loss}" if not math.isfinite(train_loss)
                              else "a weight became inf or nan")
                    raise Diverged(epoch, reason)
                test_loss = test_acc = math.nan
                if has_test:
                    test_loss = float(net.target_loss(X_test, Y_test, loss, l1, l2))
                    test_acc = float((predicted_labels(net.a[-1]) == labels_test).mean())
                step = net.params - before
                moved, size = net.per_layer(step * step), net.per_layer(before * before)
                record = {
                    "epoch": epoch,
                    "train_loss": train_loss,
                    "test_loss": test_loss,
                    "train_acc": train_acc,
                    "test_acc": test_acc,
                    "grad_norm": np.sqrt(net.per_layer(grad_sq) / n_batches).tolist(),
                    "update_ratio": np.sqrt(moved / np.maximum(size, 1e-300)).tolist(),
                }
                self.epoch = epoch
                self.history.append(record)
                records.append(record)
                if time_budget is not None and time.perf_counter() - started >= time_budget:
                    break
        return records
