"""Small networks: mlp_core's training step against a lean per-array NumPy loop, in one process.

    python benchmarks/small_nets.py [--repeats 7] [--scale 1] [--before REV]

Two cases on the Playground's data (circles, 400 points, noise 0.1, half of them for
training): its default network (2-4-4-1 tanh, a sigmoid output, binary cross-entropy, Adam
lr 0.03, batch 16) and a deeper small one (2-8-8-8-1 ReLU, SGD lr 0.03 with momentum 0.9,
batch 32). On networks this small a step costs what its NumPy calls cost, not arithmetic.

- "mlp_core": ``Trainer(..., record_every=10**9)``, which evaluates only the last epoch, as
  the lean loop evaluates nothing;
- "recorded": ``record_every=1`` with the 200 test points, as the Playground trains: train
  and test loss and accuracy after every epoch;
- "lean": the loop anyone would write, with fresh arrays every step and the optimizer
  updating each W and b separately (NumPy calls counted in ``lean_calls``);
- "before" (with ``--before REV``): mlp_core as it was at git revision REV, the same
  settings as "mlp_core", loaded from ``git archive`` into a temporary directory.

Repeats are interleaved (each repeat measures every variant, in a rotating order), so a busy
moment on the shared machine hits all of them alike; a measurement is the fastest of five
timed runs after a warm-up, timed in the process's CPU time (see CLOCK); tables give the
median and the worst of the repeats, and ratios are taken repeat by repeat before the median.
The floor of a step is its count of NumPy calls times the cost of one NumPy call on tiny
arrays.
"""

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_var] = "1"  # before NumPy loads

import argparse  # noqa: E402
import importlib  # noqa: E402
import math  # noqa: E402
import pathlib  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import mlp_core as mc  # noqa: E402
from benchmarks.rate_table import print_head, rate_cells  # noqa: E402
from mlp_core.activations import ACTIVATIONS, sigmoid  # noqa: E402
from mlp_core.network import Workspace  # noqa: E402
from mlp_core.optimizers import step_calls  # noqa: E402

CASES = {  # label: settings
    "2-4-4-1 tanh, Adam, batch 16 (the Playground's default)": dict(
        hidden=(4, 4), activation="tanh", init="xavier", optimizer="adam", lr=0.03, batch=16,
        epochs=200),
    "2-8-8-8-1 relu, momentum 0.9, batch 32": dict(
        hidden=(8, 8, 8), activation="relu", init="he", optimizer="momentum", lr=0.03,
        batch=32, epochs=300),
}
WARMUP = 5  # epochs before timing
RUNS = 5  # timed runs per measurement; the fastest counts
# CPU time of this process: on a shared machine wall time also counts the turns of others.
# Everything runs on one thread (BLAS included), so on a quiet machine the two agree.
CLOCK = time.process_time
BETA1, BETA2, EPS, MOMENTUM = 0.9, 0.999, 1e-8, 0.9


def data():
    ds = mc.make_dataset("circles", n_samples=400, noise=0.1, seed=0)
    return mc.train_test_split(ds, test_fraction=0.5, seed=0)


def network(engine, case):
    sizes = [2, *case["hidden"], 1]
    acts = [case["activation"]] * len(case["hidden"]) + ["sigmoid"]
    return engine.MLP(sizes, acts, init=case["init"], seed=0)


def optimizer(engine, case):
    if case["optimizer"] == "adam":
        return engine.Adam(case["lr"], BETA1, BETA2, EPS)
    return engine.SGD(case["lr"], momentum=MOMENTUM)


def engine_runner(engine, case, record_every):
    train, test = data()
    trainer = engine.Trainer(network(engine, case), "bce", optimizer(engine, case),
                             batch_size=case["batch"], seed=0, record_every=record_every)
    test_X, test_y = (test.X, test.y) if record_every == 1 else (None, None)

    def run(n):
        trainer.run_epochs(train.X, train.y, n, X_test=test_X, y_test=test_y)

    return run


def lean_runner(case):
    """Forward, backward and the optimizer written out over lists of arrays."""
    train, _ = data()
    X, Y, n, batch = train.X, train.y[:, None].astype(float), len(train.X), case["batch"]
    net = network(mc, case)
    params = [p.copy() for pair in zip(net.weights, net.biases) for p in pair]
    Ws, bs = params[0::2], params[1::2]
    f, df = {"tanh": (np.tanh, lambda a: 1.0 - a ** 2),
             "relu": (lambda z: np.maximum(z, 0.0), lambda a: a > 0)}[case["activation"]]
    adam = case["optimizer"] == "adam"
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]  # Adam's second moment, or the velocity
    rng, lr, steps = np.random.default_rng(0), case["lr"], [0]

    def step(xb, yb):
        a = [xb]
        for W, b in zip(Ws[:-1], bs[:-1]):
            a.append(f(a[-1] @ W + b))
        p = 1.0 / (1.0 + np.exp(-(a[-1] @ Ws[-1] + bs[-1])))
        d = (p - yb) / len(xb)
        grads = [None] * len(params)
        for k in range(len(Ws) - 1, -1, -1):
            grads[2 * k], grads[2 * k + 1] = a[k].T @ d, d.sum(axis=0)
            if k:
                d = (d @ Ws[k].T) * df(a[k])
        steps[0] += 1
        t = steps[0]
        for p, g, m_k, v_k in zip(params, grads, m, v):
            if adam:
                m_k *= BETA1
                m_k += (1 - BETA1) * g
                v_k *= BETA2
                v_k += (1 - BETA2) * g * g
                p -= lr * (m_k / (1 - BETA1 ** t)) / (np.sqrt(v_k / (1 - BETA2 ** t)) + EPS)
            else:
                v_k *= MOMENTUM
                v_k -= lr * g
                p += v_k

    def run(epochs):
        for _ in range(epochs):
            order = rng.permutation(n)
            for s in range(0, n, batch):
                step(X[order[s:s + batch]], Y[order[s:s + batch]])

    return run


def lean_calls(case):
    """NumPy calls in one step of lean_runner's loop: two fancy indexings; per hidden layer
    a W, + b and f (3), the output's a W, + b and its sigmoid (2 + 4); (p - y) / n (2); per
    layer a.T d and d.sum (2), per hidden layer d W.T, f'(a) (tanh 3, relu 1) and the
    product (2 + f'); per array Adam 14 calls, momentum 4."""
    hidden = len(case["hidden"])
    f_prime = 3 if case["activation"] == "tanh" else 1
    per_array = 14 if case["optimizer"] == "adam" else 4
    n_arrays = 2 * (hidden + 1)
    return 2 + 3 * hidden + 6 + 2 + 2 * (hidden + 1) + hidden * (2 + f_prime) + \
        per_array * n_arrays


def engine_calls(case):
    """(prepared calls, NumPy calls) in one mlp_core training step: the calls the trainer
    runs per mini-batch, and the NumPy calls they make (a prepared call of a Python function
    makes several: sigmoid 5, the ReLU derivative 2, tanh's 2; Adam's step counter none)."""
    train, _ = data()
    net, rows = network(mc, case), case["batch"]
    X, Y = train.X[:rows].copy(), train.y[:rows, None].astype(float)
    forward, backward = net.training_calls(X, Y, Workspace(net, rows), "bce")
    opt = optimizer(mc, case)
    calls = forward + backward + step_calls(opt, net.params, net.grad)
    inside = {sigmoid: 5, ACTIVATIONS["relu"].df: 2, ACTIVATIONS["tanh"].df: 2,
              ACTIVATIONS["tanh"].f: 1, ACTIVATIONS["relu"].f: 1}
    numpy = 0
    for call in calls:
        func = getattr(call, "func", call)
        numpy += 0 if getattr(func, "__name__", "") == "_advance" else inside.get(func, 1)
    return len(calls), numpy


def numpy_call_cost():
    """Seconds per NumPy call on tiny arrays (np.add into a preallocated output)."""
    a, b, out = np.ones(4), np.ones(4), np.empty(4)
    runs = []
    for _ in range(15):
        start = CLOCK()
        for _ in range(20_000):
            np.add(a, b, out=out)
        runs.append((CLOCK() - start) / 20_000)
    return min(runs)


def load_before(rev):
    """mlp_core as it was at git revision ``rev``, imported as the package mlp_core_before."""
    folder = pathlib.Path(tempfile.mkdtemp(prefix="mlp_core_before_"))
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "mlp_core"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "mlp_core").rename(folder / "mlp_core_before")
    sys.path.insert(0, str(folder))
    return importlib.import_module("mlp_core_before")


def best_rate(run, epochs):
    times = []
    for _ in range(RUNS):
        start = CLOCK()
        run(epochs)
        times.append(CLOCK() - start)
    return epochs / min(times)


def measure(variants, repeats, scale):
    """rates[case][variant]: epochs/s, one per repeat, the variants interleaved."""
    runners, rates = {}, {case: {name: [] for name in variants} for case in CASES}
    with np.errstate(all="ignore"):
        for case, settings in CASES.items():
            for name, make in variants.items():
                runners[case, name] = make(settings)
                runners[case, name](WARMUP)
        for r in range(repeats):
            for case, settings in CASES.items():
                names = list(variants)
                for name in names[r % len(names):] + names[:r % len(names)]:
                    epochs = max(int(settings["epochs"] * scale), 2)
                    rates[case][name].append(best_rate(runners[case, name], epochs))
            print(f"  repeat {r + 1}/{repeats} done", file=sys.stderr)
    return rates


def table(rates, repeats):
    cost = numpy_call_cost()
    names = list(next(iter(rates.values())))
    peers = [p for p in ("lean", "before") if p in names]
    print(f"\nepochs/s, median [worst] of {repeats} interleaved repeats; ratio = mlp_core / "
          f"peer, per repeat, median [worst]\n")
    print_head(peers, " | recorded | µs/step | floor µs/step | lean µs/step |")
    for case, by_name in rates.items():
        ours = by_name["mlp_core"]
        cells = rate_cells(case, by_name, peers)
        settings = CASES[case]
        steps = math.ceil(200 / settings["batch"])
        prepared, numpy = engine_calls(settings)
        per_step = 1e6 / statistics.median(ours) / steps
        lean_step = 1e6 / statistics.median(by_name["lean"]) / steps
        cells += [f"{per_step:.1f}", f"{numpy * cost * 1e6:.1f} ({numpy} NumPy calls in "
                  f"{prepared} prepared calls)",
                  f"{lean_step:.1f} ({lean_calls(settings)} NumPy calls)"]
        print("| " + " | ".join(cells) + " |")
    print(f"\nOne NumPy call on tiny arrays: {cost * 1e6:.2f} µs.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiply the number of timed epochs (e.g. 0.3 for a quick look)")
    parser.add_argument("--before", metavar="REV",
                        help="also measure mlp_core as it was at this git revision")
    args = parser.parse_args()
    variants = {"mlp_core": lambda c: engine_runner(mc, c, 10**9),
                "lean": lean_runner,
                "recorded": lambda c: engine_runner(mc, c, 1)}
    if args.before:
        before = load_before(args.before)
        variants["before"] = lambda c: engine_runner(before, c, 10**9)
    table(measure(variants, args.repeats, args.scale), args.repeats)


if __name__ == "__main__":
    main()
