"""Training speed of mlp_core against scikit-learn's MLPClassifier (and PyTorch on the CPU
when it is installed), measured in the same run on the same data, reported as ratios.

    python benchmarks/train_speed.py [--repeats 5] [--epochs 200]

Every library trains the same architecture with plain SGD (momentum 0), the same batch
size and the same learning rate, for a fixed number of epochs; the best of several
repeats is kept, because shared machines are noisy and the minimum is the least disturbed.
"""

import argparse
import pathlib
import sys
import time
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))
import mlp_core as mc  # noqa: E402

CASES = [  # (label, hidden sizes, batch size)
    ("[2, 8, 8, 1] full batch", (8, 8), None),
    ("[2, 8, 8, 1] batch 32", (8, 8), 32),
    ("[2, 64, 64, 1] full batch", (64, 64), None),
]
LR = 0.01


def ours(X, y, hidden, batch, epochs):
    net = mc.MLP([2, *hidden, 1], ["relu"] * len(hidden) + ["sigmoid"], "he", seed=0)
    trainer = mc.Trainer(net, "bce", mc.SGD(LR), batch_size=batch, seed=0)
    start = time.perf_counter()
    trainer.run_epochs(X, y, epochs)
    return epochs / (time.perf_counter() - start)


def sklearn(X, y, hidden, batch, epochs):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden, activation="relu", solver="sgd", batch_size=batch,
                        learning_rate_init=LR, momentum=0.0, alpha=0.0, max_iter=epochs,
                        tol=0.0, n_iter_no_change=epochs + 1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        clf.fit(X, y)
    return clf.n_iter_ / (time.perf_counter() - start)


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
    start = time.perf_counter()
    for _ in range(epochs):
        order = torch.randperm(len(Xt), generator=gen)
        for i in range(0, len(Xt), batch):
            idx = order[i:i + batch]
            opt.zero_grad()
            loss_fn(model(Xt[idx]), yt[idx]).backward()
            opt.step()
    return epochs / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=200)
    args = parser.parse_args()
    ds = mc.make_dataset("circles", n_samples=1000, noise=0.1, seed=0)
    X, y = ds.X, ds.y
    peers = {"scikit-learn": sklearn}
    try:
        import torch  # noqa: F401

        peers["PyTorch (CPU)"] = torch_cpu
    except ImportError:
        print("PyTorch is not installed: comparing with scikit-learn only.\n")

    header = " ".join(f"{p + ' ep/s':>20} {'ratio':>6}" for p in peers)
    print(f"{'case':28} {'ours ep/s':>10} {header}")
    for label, hidden, batch in CASES:
        batch = batch or len(X)
        epochs = args.epochs if batch == len(X) else max(args.epochs // 4, 10)
        rates = {name: 0.0 for name in ["ours", *peers]}
        for _ in range(args.repeats):  # interleaved, so a noisy moment hits everyone alike
            rates["ours"] = max(rates["ours"], ours(X, y, hidden, batch, epochs))
            for name, fn in peers.items():
                rates[name] = max(rates[name], fn(X, y, hidden, batch, epochs))
        row = f"{label:28} {rates['ours']:10.0f} "
        row += " ".join(f"{rates[p]:20.0f} {rates['ours'] / rates[p]:5.2f}x" for p in peers)
        print(row)


if __name__ == "__main__":
    main()
