"""The multilayer perceptron: forward pass, the one backward pass, prediction.

Notation (samples are rows):
    a[0] = X                                  (n_samples, layer_sizes[0])
    z[k] = a[k] @ weights[k] + biases[k]      (n_samples, layer_sizes[k + 1])
    a[k + 1] = f_k(z[k])
Backward, with delta = dL/dz[k]:
    dL/dweights[k] = a[k].T @ delta,  dL/dbiases[k] = delta summed over samples,
    dL/da[k] = delta @ weights[k].T,  and dL/dz[k - 1] = dL/da[k] * f'_{k-1}(z[k - 1]).
Losses are means over the batch, so the 1/n sits inside delta at the output, once.

Public building blocks (everything else in mlp_core uses these, never private attributes):
    net.params, net.grad          flat vectors [W0, W1, ..., b0, b1, ...]; ``weights[k]``,
                                  ``biases[k]``, ``weight_grads[k]``, ``bias_grads[k]`` are
                                  views into them
    net.forward(X)                checked; returns a copy of the output; ``net.z`` and ``net.a``
                                  are fresh arrays the caller may keep
    net.forward_pass(X, work=None)  unchecked (X must already be a float array of the right
                                  width); returns ``net.a[-1]`` itself. With ``work`` (a
                                  ``Workspace(net, len(X))``) every array is written into the
                                  workspace's buffers and nothing is allocated; ``net.z`` and
                                  ``net.a`` are then those buffers, overwritten by the next
                                  pass through the workspace and partly by ``backward``
    net.backward(output_delta, derivatives=None, bias_reduction="sum", trace=None)
        From dL/dz of the output layer (n, n_out) and the ``z``/``a`` of the latest forward
        pass, writes dL/dW and dL/db of every layer into ``net.grad`` (no penalty). Hooks:
        ``derivatives``: one entry per hidden layer, None or a function ``(z, a) -> f'(z)``
          replacing that layer's derivative (the tutorial's 2 s (1 - s) hooks in here);
        ``bias_reduction``: "sum" (the gradient of a mean loss, whose 1/n is already in
          output_delta) or "mean" (db averaged over the batch, as the tutorial's code does);
        ``trace``: a list, filled with one dict per layer (index k = layer k) holding copies
          of dL_da, fprime, dL_dz and dL_da_prev (dL/da of the layer below; for layer 0,
          dL/dX). At the output dL_da and fprime are None: the caller chose output_delta.
        After a pass through a workspace, backward works in its buffers too (allocating
        nothing) and leaves dL/dz in the hidden layers' a (see Workspace).
    net.backprop(Y, loss, l1, l2) output delta of ``loss`` + backward + penalty gradient
    net.training_calls(X, Y, work, loss, l1, l2, errors)  (forward, backward): one training
                                  step's pass and gradient as tuples of prepared NumPy calls
                                  (functools.partial, run as ``call()``) bound to X, Y, the
                                  workspace and the parameter views: the same operations as
                                  forward_pass + backprop, without Python's share per call
                                  (``forward_calls``, ``backward_calls`` are its two parts)
    net.target_loss(X, Y, loss, l1, l2, work=None)  forward + loss + penalty as a NumPy scalar
                                  of the parameters' dtype (np.longdouble in a gradient check)
    net.check_loss(loss, l1, l2), net.penalty(l1, l2, grad), net.per_layer(values),
    net.checked_inputs(name, X)   X checked as forward() checks it (shape, finiteness, size)
    net.gradients()               copies of the latest gradient as [(dW, db), ...]
    net.clear_pass()              forget the latest pass (z, a and its workspace)

Sizes are bounded before anything is built (see _validate: MAX_LAYERS, MAX_UNITS,
MAX_PARAMS; MAX_VALUES for rows x units in a pass). A network pickles (and deep-copies) as
its settings and parameters.
"""

from collections.abc import Sequence
from functools import partial

import numpy as np
from numpy.typing import ArrayLike, DTypeLike

from . import _validate as check
from . import published_errors
from ._validate import MAX_LAYERS, MAX_PARAMS, MAX_UNITS
from .activations import ACTIVATIONS, IN_PLACE, OUTPUT_ACTIVATIONS, SCRATCH, softmax
from .losses import LOSSES, spares

INITS = ("he", "xavier", "normal")
Gradients = list[tuple[np.ndarray, np.ndarray]]  # (dW, db) per layer
# Not among INITS (the choices offered): the tutorial's legacy stream, kept to reproduce it.
# np.random.RandomState(seed) draws, layer by layer, W = randn(n_in, n_out) * 0.1 and then
# b = randn(1, n_out) * 0.1: what np.random.seed(seed) followed by the tutorial's loop draws.
LEGACY_INITS = ("randn",)
BIAS_REDUCTIONS = ("sum", "mean")
TILE = 1024  # values per tile when a workspace fills z with copies of b


class _ParamViews(list):
    """Views into the network's flat parameter vector. Assigning an item copies the values
    in, so ``net.weights[0] = W`` works and the optimizer keeps updating the same memory."""

    def __init__(self, name):
        super().__init__()
        self.name = name

    def __setitem__(self, index, value):
        view = list.__getitem__(self, index)
        name = f"{self.name}[{index}]"
        value = check.array(name, value, view.ndim, view.shape)
        if not np.isfinite(value).all():
            raise ValueError(f"{name} contains a non-finite value")
        view[...] = value


def targets(y: ArrayLike, loss: str, n_outputs: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Turn y into float targets Y (n_samples, n_outputs) and int labels (n_samples,).

    y may be class labels of shape (n_samples,) (one-hot encoded when n_outputs > 1) or,
    for every loss, a float array already of shape (n_samples, n_outputs). Floats under the
    mse loss are a regression's targets: then labels is None (there is no accuracy).
    """
    arr = check.array("y", y, (1, 2))
    regression = loss == "mse" and (y.dtype.kind == "f" if isinstance(y, np.ndarray)
                                    else np.asarray(y).dtype.kind == "f")
    if len(arr) == 0:
        raise ValueError(f"y must be numeric labels (n_samples,) or targets (n_samples, "
                         f"{n_outputs}); got shape {arr.shape}")
    arr = arr.astype(float)
    if not np.isfinite(arr).all():
        raise ValueError("y contains a non-finite value")
    if arr.ndim == 1:
        if loss == "mse" and n_outputs == 1:
            Y = arr[:, None]
        else:
            classes = max(n_outputs, 2)
            if (arr != np.round(arr)).any() or arr.min() < 0 or arr.max() >= classes:
                raise ValueError(f"y labels must be integers in [0, {classes - 1}] for a "
                                 f"network with {n_outputs} output(s); got values in "
                                 f"[{arr.min()}, {arr.max()}]")
            Y = arr[:, None] if n_outputs == 1 else np.eye(n_outputs)[arr.astype(int)]
    else:
        if arr.shape[1] != n_outputs:
            raise ValueError(f"y must have {n_outputs} column(s) to match the network's "
                             f"outputs; got shape {arr.shape}")
        Y = arr
    if loss in ("bce", "cross_entropy") and (Y.min() < 0 or Y.max() > 1):
        raise ValueError(f"targets for loss={loss!r} must lie in [0, 1]")
    if regression:
        labels = None
    else:
        labels = (Y[:, 0] >= 0.5).astype(np.int64) if n_outputs == 1 else Y.argmax(axis=1)
    return np.ascontiguousarray(Y), labels


def _column_sums(delta, out=None):
    """delta.sum(axis=0, out=out), as a prepared call (see ``_column_sums_call``)."""
    return _column_sums_call(delta, out)()


def _column_sums_call(delta, out):
    """A call computing delta.sum(axis=0, out=out). NumPy adds the rows one after the other,
    but in an inner loop as short as a row; einsum adds them in the same order with a faster
    loop, so the sums are the same to the bit. (A single column is summed pairwise: left to
    NumPy.)"""
    if len(delta) >= 64 and delta.shape[1] > 1:
        return partial(np.einsum, "ij->j", delta, out=out)
    return partial(np.add.reduce, delta, 0, None, out)  # delta.sum without its Python wrapper


def _times_transpose(delta, W, out=None):
    """delta @ W.T, as a prepared call (see ``_times_transpose_call``)."""
    return _times_transpose_call(delta, W, out)()


def _times_transpose_call(delta, W, out):
    """A call computing delta @ W.T. Below a layer of one unit this is an outer product, one
    multiplication per entry, for which BLAS is 2-3 times slower than einsum (same products,
    same bits)."""
    if W.shape[1] == 1 and len(delta) >= 128:
        return partial(np.einsum, "i,j->ij", delta[:, 0], W[:, 0], out=out)
    return _product_call(delta, W.T, out)


def _product_call(x, y, out):
    """A call computing x @ y into ``out``. For 2-D float64 arrays np.dot goes to BLAS by a
    shorter way than np.matmul (0.4 µs less per call on a small network's arrays) to the
    same BLAS routines, with the same bits (tests/core/test_fused_step.py compares them on
    the shapes a network makes); other dtypes, and ``out=None``, keep matmul."""
    if out is not None and out.dtype == np.float64 and out.flags.c_contiguous:
        return partial(np.dot, x, y, out)
    return partial(np.matmul, x, y, out)


def _restore(layer_sizes, activations, init, seed, params):
    net = MLP(layer_sizes, activations, init, seed)
    if params.dtype != net.params.dtype:
        net._allocate(params.dtype)
    net.params[...] = params
    return net


class Workspace:
    """Buffers for passes over batches of exactly ``n_rows`` rows, so that a training step
    allocates nothing: ``z[k]`` and ``a[k + 1]`` per layer (``a[0]`` is set to the input of
    each pass), ``out_delta`` for dL/dz at the output, ``spare`` for the loss (see
    ``losses.spares``), ``products[k]`` for a[k] W[k] and f'(z[k]), and ``scratch[k]`` for
    derivatives that need one (activations.SCRATCH).

    Arrays double up so that a step touches little memory (a 64-unit layer over 1000 rows
    is 0.5 MB; what stays in cache runs faster). The hidden layers of activations.IN_PLACE
    keep z and a in one array: f(z) overwrites z, and f' reads a alone. ``products`` and
    ``scratch`` are one array each for all layers, used by one layer at a time. The backward
    pass writes dL/da, then dL/dz, over a hidden layer's input a once its last readers (dW,
    f') are done. So after a backward pass only the output layer's z and a, and the input
    a[0], still hold the values of the forward pass."""

    def __init__(self, net, n_rows):
        dtype, widths = net.params.dtype, net.layer_sizes[1:]
        self.n_rows, self.layer_sizes, self.dtype = n_rows, net.layer_sizes, dtype
        self.activations = net.activations  # which arrays are shared depends on them
        self.z = [np.empty((n_rows, m), dtype) for m in widths]
        hidden = net.activations[:-1]
        self.a = [None] + [z if k < len(hidden) and hidden[k] in IN_PLACE else np.empty_like(z)
                           for k, z in enumerate(self.z)]
        self.out_delta = np.empty((n_rows, widths[-1]), dtype)
        self.prepared = {}  # id(X): (net, X, forward calls) of recent forward_pass calls
        self.spare = spares(self.out_delta)
        blocks = {}  # one block of memory per use, viewed at each layer's width

        def view(use, kind, m):
            if use not in blocks:
                blocks[use] = np.empty(n_rows * max(widths), kind)
            return blocks[use][:n_rows * m].reshape(n_rows, m)

        self.products = [view("products", dtype, m) for m in widths]
        self.scratch = [None if name not in SCRATCH else
                        view(SCRATCH[name], dtype if SCRATCH[name] is float else bool, m)
                        for m, name in zip(widths, net.activations)]
        # Copying b into every row of z loops over rows as short as b; for wide batches the
        # copy goes faster a tile of TILE values at a time (b repeated), then the rest rows.
        self._tiles = []
        for z in self.z:
            rows = TILE // z.shape[1]
            q = n_rows // rows if z.shape[1] >= 4 else 0
            if q < 4:
                self._tiles.append(None)
                continue
            tile = np.empty((rows, z.shape[1]), dtype)
            self._tiles.append((tile, tile.reshape(-1), z[:q * rows].reshape(q, -1),
                                z[q * rows:]))

    def __getstate__(self):
        return {**self.__dict__, "prepared": {}}  # calls bound to these arrays

    def fill_calls(self, k, b):
        """Prepared calls doing z[k][...] = b: every row of layer k's z becomes a copy of b."""
        tiled = self._tiles[k]
        if tiled is None:
            return [partial(self.z[k].__setitem__, Ellipsis, b)]
        tile, flat, blocks, rest = tiled
        return [partial(tile.__setitem__, Ellipsis, b),
                partial(blocks.__setitem__, Ellipsis, flat),
                partial(rest.__setitem__, Ellipsis, b)]

    def fits(self, net, n_rows):
        return (self.n_rows, self.layer_sizes, self.activations, self.dtype) == (
            n_rows, net.layer_sizes, net.activations, net.params.dtype)


def predicted_labels(out: np.ndarray) -> np.ndarray:
    """Class labels from network outputs (n_samples, n_outputs)."""
    return (out[:, 0] >= 0.5).astype(np.int64) if out.shape[1] == 1 else out.argmax(axis=1)


class MLP:
    """A fully connected network. ``activations[k]`` follows layer k (the last is the output).

    All weights and biases live in one flat vector ``params`` ([W0, W1, ..., b0, b1, ...]);
    ``weights[k]`` and ``biases[k]`` are views into it, so an optimizer updates every
    parameter in one vectorised call and the L1/L2 penalty sees all weights as one slice.
    ``grad`` has the same layout and holds the gradient of the latest ``backward``. The views
    never change: ``net.weights[k] = W`` copies W into the view (after checking its shape and
    values), so an optimizer's and a trainer's prepared calls keep working on the new values.
    """

    def __init__(self, layer_sizes: Sequence[int], activations: Sequence[str], init: str = "he",
                 seed: int = 0):
        # Sizes are checked before anything is built: the count of layers first, then every
        # size, then the number of parameters they would make.
        if not isinstance(layer_sizes, (list, tuple)) or not 2 <= len(layer_sizes) <= \
                MAX_LAYERS + 1:
            got = (f"{len(layer_sizes)} sizes" if isinstance(layer_sizes, (list, tuple))
                   else check.show(layer_sizes))
            raise ValueError(f"layer_sizes must list an input size and 1 to MAX_LAYERS = "
                             f"{MAX_LAYERS} layer sizes; got {got}")
        sizes = tuple(check.integer(f"layer_sizes[{i}]", s, 1, MAX_UNITS)
                      for i, s in enumerate(layer_sizes))
        n_params = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
        if n_params > MAX_PARAMS:
            raise ValueError(f"layer_sizes would make {n_params:,} weights and biases; the "
                             f"limit is MAX_PARAMS = {MAX_PARAMS:,}")
        self.layer_sizes = sizes
        if not isinstance(activations, (list, tuple)) or len(activations) != len(sizes) - 1:
            got = (f"{len(activations)} names" if isinstance(activations, (list, tuple))
                   else check.show(activations))
            raise ValueError(f"activations must list one name per layer after the input "
                             f"({len(sizes) - 1}); got {got}")
        for i, name in enumerate(activations[:-1]):
            check.choice(f"activations[{i}]", name, tuple(ACTIVATIONS))
        check.choice(f"activations[{len(activations) - 1}]", activations[-1], OUTPUT_ACTIVATIONS)
        self.activations = tuple(activations)
        self._functions = [softmax if name == "softmax" else ACTIVATIONS[name].f
                           for name in self.activations]
        self._derivatives = [ACTIVATIONS[name].df for name in self.activations[:-1]]
        self.init = check.choice("init", init, INITS + LEGACY_INITS)
        self.seed = check.seed("seed", seed)

        self._allocate(float)
        self._initialise()
        self.clear_pass()

    def _allocate(self, dtype):
        shapes = list(zip(self.layer_sizes[:-1], self.layer_sizes[1:]))
        self.n_weights = n_weights = sum(i * o for i, o in shapes)
        self.params = np.zeros(n_weights + sum(o for _, o in shapes), dtype=dtype)
        self.grad = np.zeros_like(self.params)
        self._weight_scratch = np.empty(n_weights, dtype)  # for the penalty, in place
        self.weights, self.biases = _ParamViews("weights"), _ParamViews("biases")
        self.weight_grads, self.bias_grads = [], []
        self._layer_starts = []  # where each layer's weights, then each layer's biases, begin
        w_at, b_at = 0, n_weights
        for n_in, n_out in shapes:
            self.weights.append(self.params[w_at:w_at + n_in * n_out].reshape(n_in, n_out))
            self.weight_grads.append(self.grad[w_at:w_at + n_in * n_out].reshape(n_in, n_out))
            self._layer_starts.append(w_at)
            w_at += n_in * n_out
        for _, n_out in shapes:
            self.biases.append(self.params[b_at:b_at + n_out])
            self.bias_grads.append(self.grad[b_at:b_at + n_out])
            self._layer_starts.append(b_at)
            b_at += n_out

    def _initialise(self):
        if self.init == "randn":
            legacy = np.random.RandomState(self.seed)
            for W, b in zip(self.weights, self.biases):
                W[...] = legacy.randn(*W.shape) * 0.1
                b[...] = legacy.randn(1, len(b))[0] * 0.1
            return
        rng = np.random.default_rng(self.seed)
        for W, b in zip(self.weights, self.biases):
            n_in, n_out = W.shape
            if self.init == "normal":  # the tutorial's N(0, 0.1) for weights and biases
                W[...] = rng.normal(0.0, 0.1, W.shape)
                b[...] = rng.normal(0.0, 0.1, b.shape)
            else:
                scale = np.sqrt(2.0 / n_in) if self.init == "he" else np.sqrt(2.0 / (n_in + n_out))
                W[...] = rng.normal(0.0, scale, W.shape)

    @property
    def n_layers(self) -> int:
        return len(self.weights)

    def __reduce__(self):
        # Pickled as its settings and parameters: pickling the views themselves would unpickle
        # weights that no longer live in params (and an optimizer would update neither).
        return _restore, (list(self.layer_sizes), list(self.activations), self.init, self.seed,
                          self.params.copy())

    def copy(self, dtype: DTypeLike = None) -> "MLP":
        """An independent twin; ``dtype`` (e.g. np.longdouble) changes its precision."""
        twin = MLP(list(self.layer_sizes), list(self.activations), self.init, self.seed)
        if dtype is not None:
            twin._allocate(dtype)
        twin.params[...] = self.params
        return twin

    # ---- forward -------------------------------------------------------------------------
    def forward(self, X: ArrayLike) -> np.ndarray:
        """Output (n_samples, n_outputs); keeps every layer's ``z`` and ``a`` for inspection
        (fresh arrays, valid until you drop them)."""
        return self.forward_pass(self.checked_inputs("X", X)).copy()

    def checked_inputs(self, name, X):
        """X as a finite float array (n_samples, layer_sizes[0]) small enough to pass
        through the network (check.MAX_VALUES bounds rows x units), else ValueError."""
        X = check.features(name, X, self.layer_sizes[0])
        check.work(name, len(X), sum(self.layer_sizes[1:]))
        return X

    def forward_pass(self, X, work=None):
        """Unchecked forward pass: ``X`` must be a float array (n_samples, layer_sizes[0]).
        Returns the output layer's activations ``a[-1]`` (not a copy). With ``work`` (a
        ``Workspace`` of len(X) rows) it writes into the workspace and allocates nothing."""
        self._work = work
        if work is None:
            self.a, self.z = a, z = [X], []
            for W, b, f in zip(self.weights, self.biases, self._functions):
                zk = a[-1] @ W
                zk += b
                z.append(zk)
                # into an array of z's dtype: the functions' constants would make a float32
                # network's activations float64
                a.append(f(zk, np.empty_like(zk)))
            return a[-1]
        self.a, self.z, work.a[0] = work.a, work.z, X
        # An evaluation passes the same X every epoch (train and test sets of one size share
        # the workspace, hence a few entries).
        net, inputs, calls = work.prepared.get(id(X), (None, None, ()))
        if net is not self or inputs is not X:
            if len(work.prepared) >= 4:
                work.prepared.clear()
            calls = self.forward_calls(X, work)
            work.prepared[id(X)] = (self, X, calls)
        for call in calls:
            call()
        return work.a[-1]

    def forward_calls(self, X, work):
        """The forward pass of ``X`` through ``work`` as a tuple of prepared calls (each run
        as ``call()``; ``X`` a float array of len(work) rows, read when the calls run). A
        training step repeats the same NumPy calls on the same buffers thousands of times;
        preparing them once leaves only the calls themselves. ``net.z`` and ``net.a`` are not
        set by the calls (``forward_pass`` sets them)."""
        calls, z, a = [], work.z, [X, *work.a[1:]]
        for k, (W, b, f) in enumerate(zip(self.weights, self.biases, self._functions)):
            # z = b + a W, the same sum as a W + b. "z += b" would broadcast b, for which
            # NumPy allocates a buffer on every call; assigning b row by row does not.
            calls += work.fill_calls(k, b)
            calls.append(_product_call(a[k], W, work.products[k]))
            calls.append(partial(np.add, z[k], work.products[k], z[k]))
            calls.append(partial(softmax, z[k], a[k + 1], work.spare[2]) if f is softmax
                         else partial(f, z[k], a[k + 1]))
        return tuple(calls)

    def backward_calls(self, X, Y, work, loss, l1=0.0, l2=0.0):
        """After ``forward_calls(X, work)``: the gradient of the mean ``loss`` against float
        targets Y (plus penalty) into ``grad``, as a tuple of prepared calls, the same NumPy
        calls as ``backprop`` makes through a workspace. Arguments are not checked."""
        z, a, delta = work.z, [X, *work.a[1:]], work.out_delta
        calls = list(LOSSES[loss].delta_calls(z[-1], a[-1], Y, self.activations[-1], delta,
                                              work.spare))
        for k in range(self.n_layers - 1, -1, -1):
            calls.append(_product_call(a[k].T, delta, self.weight_grads[k]))
            calls.append(_column_sums_call(delta, self.bias_grads[k]))
            if k == 0:
                break
            # f'(z) first: it reads a[k], which dL/da overwrites (dW[k], its other reader,
            # is done); then dL/dz = dL/da * f'(z) in place.
            fprime = work.products[k - 1]
            calls.append(partial(self._derivatives[k - 1], z[k - 1], a[k], fprime,
                                 work.scratch[k - 1]))
            calls.append(_times_transpose_call(delta, self.weights[k], a[k]))
            calls.append(partial(np.multiply, a[k], fprime, a[k]))
            delta = a[k]
        return tuple(calls) + self._penalty_gradient_calls(l1, l2, self.grad)

    def training_calls(self, X, Y, work, loss, l1=0.0, l2=0.0, errors=frozenset()):
        """(forward, backward): the calls of ``forward_calls`` and those that then put the
        gradient of one training step into ``grad``. With the tutorial's ``errors`` the
        backward part is ``backprop`` itself (its hooks allocate: nothing to prepare)."""
        forward = self.forward_calls(X, work)
        if not errors:
            return forward, self.backward_calls(X, Y, work, loss, l1, l2)
        return forward, (partial(self._backprop_after, X, work, Y, loss, l1, l2, errors),)

    def _backprop_after(self, X, work, Y, loss, l1, l2, errors):
        self.a, self.z, self._work, work.a[0] = work.a, work.z, work, X
        self.backprop(Y, loss, l1, l2, errors)

    def clear_pass(self):
        """Forget the latest forward pass: ``z`` and ``a`` become empty lists."""
        self.z, self.a, self._work = [], [], None

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        return self.forward(X)

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Class labels (n_samples,): threshold 0.5 for one output, else the largest output."""
        return predicted_labels(self.forward(X))

    # ---- backward ------------------------------------------------------------------------
    def check_loss(self, loss, l1=0.0, l2=0.0):
        """Check that ``loss`` suits the output layer; returns (l1, l2) as checked floats."""
        check.choice("loss", loss, tuple(LOSSES))
        if self.activations[-1] not in LOSSES[loss].output_activations:
            raise ValueError(f"loss={loss!r} needs an output activation in "
                             f"{LOSSES[loss].output_activations}; the network ends in "
                             f"{self.activations[-1]!r}")
        if loss == "cross_entropy" and self.layer_sizes[-1] < 2:
            raise ValueError("loss='cross_entropy' needs at least 2 outputs; use 'bce' for one")
        return check.number("l1", l1, 0.0), check.number("l2", l2, 0.0)

    def _checked_batch(self, X, y, loss):
        X = self.checked_inputs("X", X)
        Y, labels = targets(y, loss, self.layer_sizes[-1])
        if len(Y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(Y)}")
        return X, Y, labels

    def loss_and_gradients(self, X: ArrayLike, y: ArrayLike, loss: str = "bce", l1: float = 0.0,
                           l2: float = 0.0) -> tuple[float, Gradients]:
        """Loss (mean over the batch, plus penalty) and a list of (dW, db), one per layer."""
        l1, l2 = self.check_loss(loss, l1, l2)
        X, Y, _ = self._checked_batch(X, y, loss)
        self.forward_pass(X)
        self.backprop(Y, loss, l1, l2)
        value = LOSSES[loss].value(self.z[-1], self.a[-1], Y) + self.penalty(l1, l2)
        return float(value), self.gradients()

    def gradients(self) -> Gradients:
        """Copies of the latest gradient as a list of (dW, db), one per layer."""
        return [(dW.copy(), db.copy()) for dW, db in zip(self.weight_grads, self.bias_grads)]

    def backprop(self, Y, loss, l1=0.0, l2=0.0, errors=frozenset()):
        """Gradient of the mean ``loss`` against float targets Y (plus penalty) at the latest
        forward pass, into ``grad``. Arguments are not checked (see ``check_loss``).
        ``errors``: any of the tutorial's published errors (mlp_core.published_errors), to
        compute its wrong gradients on purpose; they go through the same backward pass."""
        if errors:
            delta = published_errors.output_delta(loss, self.activations[-1], self.z[-1],
                                                  self.a[-1], Y, errors)
            self.backward(delta, *published_errors.hooks(self.activations, errors))
        elif self._work is not None:
            for call in self.backward_calls(self.a[0], Y, self._work, loss, l1, l2):
                call()
            return
        else:
            delta = LOSSES[loss].output_delta(self.z[-1], self.a[-1], Y, self.activations[-1])
            self.backward(delta)
        if l1 or l2:
            self._add_penalty_gradient(l1, l2, self.grad)

    def backward(self, output_delta, derivatives=None, bias_reduction="sum", trace=None):
        """The backward pass; see the module docstring for the hooks. ``output_delta`` is only
        read."""
        n_layers = self.n_layers
        if bias_reduction not in BIAS_REDUCTIONS:
            check.choice("bias_reduction", bias_reduction, BIAS_REDUCTIONS)
        if derivatives is not None and len(derivatives) != n_layers - 1:
            raise ValueError(f"derivatives must hold one entry per hidden layer "
                             f"({n_layers - 1}); got {len(derivatives)}")
        z, a, dW, db, work = self.z, self.a, self.weight_grads, self.bias_grads, self._work
        if trace is not None:
            trace[:] = [dict.fromkeys(("dL_da", "fprime", "dL_dz", "dL_da_prev"))
                        for _ in range(n_layers)]
        delta = output_delta
        for k in range(n_layers - 1, -1, -1):
            np.matmul(a[k].T, delta, out=dW[k])
            _column_sums(delta, db[k])
            if bias_reduction == "mean":
                db[k] /= len(delta)
            if k == 0:
                if trace is not None:  # dL/dX: shown in a trace, never needed for training
                    trace[0].update(dL_dz=delta.copy(), dL_da_prev=delta @ self.weights[0].T)
                break
            # f'(z) first: it reads a[k], which dL/da overwrites in a workspace.
            hook = derivatives[k - 1] if derivatives is not None else None
            if hook is not None:
                fprime = hook(z[k - 1], a[k])
            elif work is not None:
                fprime = self._derivatives[k - 1](z[k - 1], a[k], work.products[k - 1],
                                                  work.scratch[k - 1])
            else:
                fprime = self._derivatives[k - 1](z[k - 1], a[k])
            # dL/da[k], the gradient at the layer's input (over a[k] in a workspace: dW[k]
            # and f'(z), its other readers, are done)
            da = _times_transpose(delta, self.weights[k], None if work is None else a[k])
            if trace is not None:
                trace[k].update(dL_dz=delta.copy(), dL_da_prev=da.copy())
                trace[k - 1].update(dL_da=da.copy(), fprime=fprime.copy())
            da *= fprime
            delta = da

    def penalty(self, l1, l2, grad=None):
        """l1 * sum|W| + l2 / 2 * sum(W^2) over weights (not biases); adds its gradient to
        ``grad`` when given."""
        value = self.params.dtype.type(0)
        W = self.params[:self.n_weights]
        if l1:
            value += l1 * np.abs(W, out=self._weight_scratch).sum()
        if l2:
            value += 0.5 * l2 * (W @ W)
        if grad is not None:
            self._add_penalty_gradient(l1, l2, grad)
        return value

    def _add_penalty_gradient(self, l1, l2, grad):
        for call in self._penalty_gradient_calls(l1, l2, grad):
            call()

    def _penalty_gradient_calls(self, l1, l2, grad):
        """Calls adding l1 * sign(W) and then l2 * W to the weights' part of ``grad``."""
        W, t, g = self.params[:self.n_weights], self._weight_scratch, grad[:self.n_weights]
        calls = ()
        if l1:  # a 0-d array: NumPy converts a Python float on every call
            calls += (partial(np.sign, W, t), partial(np.multiply, t, np.array(l1), t),
                      partial(np.add, g, t, g))
        if l2:
            calls += (partial(np.multiply, W, np.array(l2), t), partial(np.add, g, t, g))
        return calls

    def loss(self, X: ArrayLike, y: ArrayLike, loss: str = "bce", l1: float = 0.0,
             l2: float = 0.0) -> float:
        """The loss alone (no gradients)."""
        l1, l2 = self.check_loss(loss, l1, l2)
        X, Y, _ = self._checked_batch(X, y, loss)
        return float(self.target_loss(X, Y, loss, l1, l2))

    def target_loss(self, X, Y, loss, l1=0.0, l2=0.0, work=None):
        """Unchecked loss of float targets Y (n, n_out) on X, plus penalty, as a NumPy scalar
        of the parameters' dtype (so a gradient check can evaluate it in np.longdouble)."""
        out = self.forward_pass(X, work)
        spare = None if work is None else work.spare
        return LOSSES[loss].value(self.z[-1], out, Y, spare) + self.penalty(l1, l2)

    def per_layer(self, values):
        """Sum of a vector laid out like ``params`` over each layer's (W, b)."""
        parts = np.add.reduceat(values, self._layer_starts)
        return parts[:self.n_layers] + parts[self.n_layers:]

    # ---- saving --------------------------------------------------------------------------
    def to_dict(self) -> dict:
        return {
            "layer_sizes": list(self.layer_sizes),
            "activations": list(self.activations),
            "init": self.init,
            "seed": self.seed,
            "weights": [W.tolist() for W in self.weights],
            "biases": [b.tolist() for b in self.biases],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "MLP":
        """Rebuild a network from ``to_dict()`` output; ValueError on anything malformed.

        Everything is checked before the network is built: the sizes against MAX_LAYERS,
        MAX_UNITS and MAX_PARAMS, then every weight and bias array's shape and items
        (numbers only: strings, booleans and integers beyond float64 are refused)."""
        if not isinstance(data, dict):
            raise ValueError(f"model must be a JSON object; got {type(data).__name__}")
        missing = [k for k in ("layer_sizes", "activations", "weights", "biases") if k not in data]
        if missing:
            raise ValueError(f"model is missing {', '.join(missing)}")
        sizes = data["layer_sizes"]
        if not isinstance(sizes, (list, tuple)) or not 2 <= len(sizes) <= MAX_LAYERS + 1:
            got = f"{len(sizes)} sizes" if isinstance(sizes, (list, tuple)) else check.show(sizes)
            raise ValueError(f"model layer_sizes must list an input size and 1 to MAX_LAYERS = "
                             f"{MAX_LAYERS} layer sizes; got {got}")
        sizes = [check.integer(f"model layer_sizes[{i}]", s, 1, MAX_UNITS)
                 for i, s in enumerate(sizes)]
        n_params = sum((n_in + 1) * n_out for n_in, n_out in zip(sizes, sizes[1:]))
        if n_params > MAX_PARAMS:
            raise ValueError(f"model layer_sizes would make {n_params:,} weights and biases; "
                             f"the limit is MAX_PARAMS = {MAX_PARAMS:,}")
        arrays = {}
        for name, shapes in (("weights", list(zip(sizes, sizes[1:]))),
                             ("biases", [(n,) for n in sizes[1:]])):
            values = data[name]
            if not isinstance(values, (list, tuple)) or len(values) != len(shapes):
                got = (f"{len(values)} arrays" if isinstance(values, (list, tuple))
                       else check.show(values))
                raise ValueError(f"model {name} must be a list of {len(shapes)} arrays; got {got}")
            arrays[name] = []
            for k, (value, shape) in enumerate(zip(values, shapes)):
                arr = check.array(f"model {name}[{k}]", value, len(shape), shape)
                if not np.isfinite(arr).all():
                    raise ValueError(f"model {name}[{k}] contains a non-finite value")
                arrays[name].append(arr)
        net = cls(sizes, data["activations"], data.get("init", "he"), data.get("seed", 0))
        for views, values in ((net.weights, arrays["weights"]), (net.biases, arrays["biases"])):
            for view, arr in zip(views, values):
                view[...] = arr
        return net
