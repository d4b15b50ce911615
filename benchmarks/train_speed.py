"""Training speed of mlp_core against a lean NumPy loop, scikit-learn's MLPClassifier and
PyTorch on the CPU (when installed), in two process states, reported as ratios.

    python benchmarks/train_speed.py [--repeats 7] [--states fresh,after] [--scale 1]

Every library trains the same architecture (ReLU hidden layers, one sigmoid output, binary
cross-entropy) with plain SGD (lr 0.1, momentum 0), the same batch size, on the same 1000
points of `circles`, on one thread, for a fixed number of epochs after a short warm-up.

Two process states, because NumPy code that allocates fresh arrays every step is fast or
slow depending on what the process did before (glibc's malloc moves its mmap and trim
thresholds as large blocks come and go; once moved, every large temporary can cost a fresh
mmap and its page faults):
- fresh: every measurement runs in a new Python process that has done nothing else;
- after: one process first fits a scikit-learn MLPClassifier (as any notebook comparing the
  two will have), then measures everything.
Repeats are interleaved (each repeat measures every library once, in a rotating order), so a
noisy moment on the shared machine hits all of them alike; the table gives the median and the
worst of the repeats, and ratios are taken repeat by repeat (same moment) before the median.
Within a repeat each library's figure is the best of RUNS timed runs in a row (after the
warm-up), which keeps one interruption from deciding a repeat.

"mlp_core" is ``Trainer(..., record_every=10**9)``: it evaluates only the last epoch, like
the peers, which evaluate nothing (scikit-learn keeps its running batch loss). "recorded" is
the default ``record_every=1``: train loss and accuracy after every epoch, as the Playground
shows them. The floor is the number of NumPy calls in one training step of mlp_core (counted
from the engine's code, see ``numpy_calls_per_step``) times the measured cost of one NumPy
call on tiny arrays: what the step would cost if the arithmetic were free.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads: one thread for every library

import argparse  # noqa: E402
import json  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import mlp_core as mc  # noqa: E402
from benchmarks.rate_table import print_head, rate_cells  # noqa: E402

CASES = {  # label: (hidden sizes, batch size or None for full batch, epochs per timed run)
    "[2, 8, 8, 1] full batch": ((8, 8), None, 200),
    "[2, 8, 8, 1] batch 32": ((8, 8), 32, 20),
    "[2, 64, 64, 1] full batch": ((64, 64), None, 50),
}
LR = 0.1
WARMUP = 3  # epochs run before timing (buffers, caches, lazy imports)
RUNS = 3  # timed runs per measurement; the fastest counts


def data():
    ds = mc.make_dataset("circles", n_samples=1000, noise=0.1, seed=0)
    return ds.X, ds.y


def best_rate(epoch_runner, epochs):
    """Epochs per second of the fastest of RUNS calls of ``epoch_runner(epochs)``."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        epoch_runner(epochs)
        times.append(time.perf_counter() - start)
    return epochs / min(times)


def ours(X, y, hidden, batch, epochs, record_every=None):
    net = mc.MLP([2, *hidden, 1], ["relu"] * len(hidden) + ["sigmoid"], "he", seed=0)
    trainer = mc.Trainer(net, "bce", mc.SGD(LR), batch_size=batch, seed=0,
                         record_every=record_every or 10**9)
    trainer.run_epochs(X, y, WARMUP)
    return best_rate(lambda n: trainer.run_epochs(X, y, n), epochs)


def recorded(X, y, hidden, batch, epochs):
    return ours(X, y, hidden, batch, epochs, record_every=1)


def lean(X, y, hidden, batch, epochs):
    """The 20-line NumPy loop anyone would write: fresh arrays every step."""
    rng = np.random.default_rng(0)
    sizes = [X.shape[1], *hidden, 1]
    Ws = [rng.normal(0.0, np.sqrt(2.0 / i), (i, o)) for i, o in zip(sizes, sizes[1:])]
    bs = [np.zeros(o) for o in sizes[1:]]
    Y, n = y[:, None].astype(float), len(X)

    def epoch():
        order = rng.permutation(n)
        for s in range(0, n, batch):
            xb, yb = (X, Y) if batch >= n else (X[order[s:s + batch]], Y[order[s:s + batch]])
            a = [xb]
            for W, b in zip(Ws[:-1], bs[:-1]):
                a.append(np.maximum(a[-1] @ W + b, 0.0))
            p = 1.0 / (1.0 + np.exp(-(a[-1] @ Ws[-1] + bs[-1])))
            d = (p - yb) / len(xb)
            for k in range(len(Ws) - 1, -1, -1):
                gW, gb = a[k].T @ d, d.sum(axis=0)
                if k:
                    d = (d @ Ws[k].T) * (a[k] > 0)
                Ws[k] -= LR * gW
                bs[k] -= LR * gb

    for _ in range(WARMUP):
        epoch()
    return best_rate(lambda n: [epoch() for _ in range(n)], epochs)


def sklearn(X, y, hidden, batch, epochs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    def fit(n):
        clf = MLPClassifier(hidden, activation="relu", solver="sgd", batch_size=batch,
                            learning_rate_init=LR, momentum=0.0, alpha=0.0, max_iter=n,
                            tol=0.0, n_iter_no_change=n + 1, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)
        assert clf.n_iter_ == n

    return best_rate(fit, epochs)  # a fit's own setup counts: it is part of fitting


def torch_cpu(X, y, hidden, batch, epochs):
    import torch

    torch.manual_seed(0)
    torch.set_num_threads(1)
    sizes = [2, *hidden]
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(n_in, n_out), torch.nn.ReLU()]
    model = torch.nn.Sequential(*layers, torch.nn.Linear(sizes[-1], 1)).double()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y.astype(float))[:, None]
    gen = torch.Generator().manual_seed(0)

    def epoch():
        order = torch.randperm(len(Xt), generator=gen)
        for i in range(0, len(Xt), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss_fn(model(Xt[idx]), yt[idx]).backward()
            opt.step()

    for _ in range(WARMUP):
        epoch()
    return best_rate(lambda n: [epoch() for _ in range(n)], epochs)


LIBRARIES = {"mlp_core": ours, "lean NumPy": lean, "scikit-learn": sklearn,
             "PyTorch": torch_cpu, "recorded": recorded}


def available():
    names = list(LIBRARIES)
    try:
        import torch  # noqa: F401
    except ImportError:
        names.remove("PyTorch")
    return names


def measure(library, case, scale):
    hidden, batch, epochs = CASES[case]
    X, y = data()
    return LIBRARIES[library](X, y, hidden, batch or len(X), max(int(epochs * scale), 2))


def numpy_calls_per_step(hidden, rows):
    """NumPy calls in one mlp_core training step of ReLU layers, a sigmoid output, bce and
    plain SGD on batches of ``rows`` rows, as the engine makes them (network.py,
    activations.py, losses.py, optimizers.py). Forward, per layer: b into every row of z (1
    call, or 3 when the workspace fills z a tile at a time), a @ W and the sum (2), then ReLU
    (1) or sigmoid (5). Output delta (a - y) / n: 2. Backward, per layer: dW and db (2), and
    per hidden layer f'(z) (compare, then copy into floats: 2), dL/da and the product (2).
    SGD: lr * g and the subtraction (2)."""
    from mlp_core.network import TILE

    widths = [*hidden, 1]
    fills = sum(3 if w >= 4 and rows // (TILE // w) >= 4 else 1 for w in widths)
    forward = fills + 2 * len(widths) + len(hidden) + 5
    backward = 2 * len(widths) + 4 * len(hidden)
    return forward + 2 + backward + 2


def numpy_call_cost():
    """Seconds per NumPy call on tiny arrays (np.add into a preallocated output)."""
    a, b, out = np.ones(4), np.ones(4), np.empty(4)
    runs = []
    for _ in range(7):
        start = time.perf_counter()
        for _ in range(20_000):
            np.add(a, b, out=out)
        runs.append((time.perf_counter() - start) / 20_000)
    return statistics.median(runs)


def fit_scikit_learn_first():
    """Put the process in the state of a notebook that has already fitted scikit-learn."""
    X, y = data()
    sklearn(X, y, (64, 64), len(X), 20)
    sklearn(X, y, (64, 64), 32, 2)


def worker(args):
    if args.state == "after":
        fit_scikit_learn_first()
    print(json.dumps(measure(args.worker, args.case, args.scale)))


def run_fresh(library, case, scale):
    cmd = [sys.executable, __file__, "--worker", library, "--case", case, "--state", "fresh",
           "--scale", str(scale)]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def collect(state, libraries, repeats, scale):
    """rates[case][library] = list of epochs/s, one per repeat."""
    rates = {case: {lib: [] for lib in libraries} for case in CASES}
    if state == "after":
        fit_scikit_learn_first()
    for r in range(repeats):
        for case in CASES:
            order = libraries[r % len(libraries):] + libraries[:r % len(libraries)]
            for lib in order:
                rate = (run_fresh(lib, case, scale) if state == "fresh"
                        else measure(lib, case, scale))
                rates[case][lib].append(rate)
        print(f"  {state}: repeat {r + 1}/{repeats} done", file=sys.stderr)
    return rates


def table(state, rates, repeats):
    peers = [p for p in ("lean NumPy", "scikit-learn", "PyTorch") if p in next(iter(
        rates.values()))]
    cost = numpy_call_cost()
    print(f"\n{state}: epochs/s as median [worst] of {repeats} interleaved repeats; ratio = "
          f"mlp_core / peer, per repeat, median [worst]\n")
    print_head(peers, " | recorded | µs/step | floor µs/step |")
    for case, by_lib in rates.items():
        ours_r = by_lib["mlp_core"]
        cells = rate_cells(case, by_lib, peers)
        hidden, batch, _ = CASES[case]
        rows = batch or 1000
        steps = -(-1000 // rows)
        step_us = 1e6 / statistics.median(ours_r) / steps
        calls = numpy_calls_per_step(hidden, rows)
        cells += [f"{step_us:.1f}", f"{calls * cost * 1e6:.1f} ({calls} calls)"]
        print("| " + " | ".join(cells) + " |")
    print(f"\nOne NumPy call on tiny arrays: {cost * 1e6:.2f} µs.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--states", default="fresh,after")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the number of timed epochs (e.g. 0.2 for a quick look)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--state", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args)
    libraries = available()
    if "PyTorch" not in libraries:
        print("PyTorch is not installed: comparing with the lean loop and scikit-learn only.")
    for state in args.states.split(","):
        rates = collect(state, libraries, args.repeats, args.scale)
        table(state, rates, args.repeats)


if __name__ == "__main__":
    main()
