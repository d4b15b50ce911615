"""A Backprop Playground run as a standalone script.

It rebuilds the data set, the network and its training from the settings below, trains for
EPOCHS epochs exactly as the app does (same seed, same shuffles, same updates) and prints the
final losses. Needs NumPy, and scikit-learn for the tutorial's circles.
N_CLASSES 0 is a regression: one linear output and the mean squared error.
Run it with:  python this_file.py

Notation (one sample per row):  a[0] = inputs,  z[k] = a[k] @ W[k] + b[k],  a[k+1] = f(z[k]).
"""

import numpy as np

# ---- settings ------------------------------------------------------------------------------
DATASET = "circles"
N_SAMPLES = 400
NOISE = 0.1
N_CLASSES = 2
TEST_FRACTION = 0.5
SEED = 0  # data, split, initial weights and shuffling
FEATURES = ["x1", "x2"]
HIDDEN = [4, 4]  # neurons per hidden layer
ACTIVATION = "tanh"
INIT = "xavier"  # he, xavier, normal or randn (the tutorial's)
OPTIMIZER = "adam"  # sgd, momentum or adam
LEARNING_RATE = 0.003
MOMENTUM = 0.9
BETA1, BETA2, EPS = 0.9, 0.999, 1e-8  # Adam
BATCH_SIZE = 16
L1 = 0.0
L2 = 0.0
GRADIENTS = "exact"  # or "tutorial": computed with the tutorial's three published errors
EPOCHS = 100
# ---- end of settings -----------------------------------------------------------------------

# ---- points --------------------------------------------------------------------------------
# A drawn or uploaded data set: every point (in the data's own units) and its class.
POINTS = None
LABELS = None
# ---- end of points -------------------------------------------------------------------------


# ---- data ----------------------------------------------------------------------------------
def arcs(n, noise, rng, outer, inner):
    """Two arcs of evenly spaced points (class 0 on outer, class 1 on inner), jittered."""
    n_out = n // 2
    X = np.concatenate([outer(n_out), inner(n - n_out)])
    y = np.repeat([0, 1], [n_out, n - n_out])
    return X + rng.normal(0.0, noise, X.shape), y


def ring(radius, full=True):
    def points(m):
        t = np.linspace(0.0, 2 * np.pi if full else np.pi, m, endpoint=not full)
        return radius * np.column_stack([np.cos(t), np.sin(t)])
    return points


def circles(n, noise, rng):
    """Two rings, the inner one half as wide."""
    return arcs(n, noise, rng, ring(1.0), ring(0.5))


def moons(n, noise, rng):
    """Two interleaved half moons, centred on the origin."""
    upper = ring(1.0, full=False)
    X, y = arcs(n, noise, rng, upper, lambda m: np.array([1.0, 0.5]) - upper(m))
    return (X - [0.5, 0.25]) / 1.2, y


def xor(n, noise, rng):
    """Class 1 where x1 and x2 have the same sign."""
    X = rng.uniform(-1.0, 1.0, (n, 2))
    X += np.sign(X) * 0.05  # keep points off the axes
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X + rng.normal(0.0, noise, X.shape), y


def class_sizes(n, k):
    return [n // k + (c < n % k) for c in range(k)]


def blobs(n, noise, rng, centres, spread):
    """Gaussian blobs, one per class, as equal in size as n allows."""
    sizes = class_sizes(n, len(centres))
    X = np.concatenate([rng.normal(c, spread + noise, (m, 2)) for c, m in zip(centres, sizes)])
    return X, np.repeat(np.arange(len(centres)), sizes)


def spiral(n, noise, rng, arms):
    """Spiral arms, one per class."""
    sizes = class_sizes(n, arms)
    parts = []
    for c, m in enumerate(sizes):
        t = np.linspace(0.05, 1.0, m)
        theta = 1.75 * 2 * np.pi * t + 2 * np.pi * c / arms
        parts.append(np.column_stack([t * np.sin(theta), t * np.cos(theta)]) * 1.2)
    X = np.concatenate(parts)
    return X + rng.normal(0.0, noise, X.shape), np.repeat(np.arange(arms), sizes)


def regression(n, noise, rng, f):
    """Points spread over the square; the target is f read at the point moved by the noise."""
    X = rng.uniform(-1.2, 1.2, (n, 2))
    return X, f(X + rng.normal(0.0, noise, X.shape))


def plane(X):
    return (X[:, 0] + X[:, 1]) / 2.4  # a tilted plane: -1 and 1 at two corners


# (x, y, sign) of six bumps of width BUMP_WIDTH, alternating in sign on a 3 x 2 grid
BUMPS = np.array([(-0.8, 0.5, 1.0), (0.0, 0.5, -1.0), (0.8, 0.5, 1.0),
                  (-0.8, -0.5, -1.0), (0.0, -0.5, 1.0), (0.8, -0.5, -1.0)])
BUMP_WIDTH = 0.3


def gaussian_sum(X):
    d2 = (X[:, :1] - BUMPS[:, 0]) ** 2 + (X[:, 1:] - BUMPS[:, 1]) ** 2
    return (BUMPS[:, 2] * np.exp(-d2 / (2 * BUMP_WIDTH**2))).sum(axis=1)


GENERATORS = {
    "circles": circles,
    "moons": moons,
    "xor": xor,
    "gaussians": lambda n, s, r: blobs(n, s, r, [(-0.7, -0.7), (0.7, 0.7)], 0.35),
    "spiral": lambda n, s, r: spiral(n, s, r, 2),
    "blobs3": lambda n, s, r: blobs(n, s, r, [(0.0, 0.9), (-0.8, -0.5), (0.8, -0.5)], 0.3),
    "spiral3": lambda n, s, r: spiral(n, s, r, 3),
    "plane": lambda n, s, r: regression(n, s, r, plane),
    "gaussian_sum": lambda n, s, r: regression(n, s, r, gaussian_sum),
}


def tutorial_circles(seed):
    """The tutorial's circles: scikit-learn's make_circles on NumPy's old global stream as
    np.random.seed(seed) sets it up, in make_circles' own order."""
    from sklearn.datasets import make_circles

    X, y = make_circles(N_SAMPLES, factor=0.5, noise=NOISE,
                        random_state=np.random.RandomState(seed))
    return np.asarray(X, float), np.asarray(y, np.int64)


def make_dataset():
    """The run's points: your own if POINTS holds them, else generated from one generator
    seeded with SEED and shuffled by it, as the app does."""
    if POINTS is not None:
        return np.array(POINTS, dtype=float).reshape(-1, 2), np.array(LABELS, dtype=np.int64)
    rng = np.random.default_rng(SEED)
    X, y = GENERATORS[DATASET](N_SAMPLES, NOISE, rng)
    order = rng.permutation(N_SAMPLES)
    return np.asarray(X, float)[order], np.asarray(y, np.int64 if N_CLASSES else float)[order]


def load_data():
    """(X_train, y_train, X_test, y_test) in the data's own units. The tutorial's circles
    train on all of its points and test on as many more from the next seed."""
    if DATASET == "tutorial":
        return (*tutorial_circles(SEED), *tutorial_circles(SEED + 1))
    return split(*make_dataset())


def split(X, y):
    """Shuffle with the seed; the first TEST_FRACTION of the points become the test set."""
    order = np.random.default_rng(SEED).permutation(len(y))
    n_test = min(max(int(round(TEST_FRACTION * len(y))), 1), len(y) - 1)
    test, train = order[:n_test], order[n_test:]
    return X[train], y[train], X[test], y[test]


FEATURE_FUNCTIONS = {
    "x1": lambda X: X[:, 0],
    "x2": lambda X: X[:, 1],
    "x1^2": lambda X: X[:, 0] ** 2,
    "x2^2": lambda X: X[:, 1] ** 2,
    "x1*x2": lambda X: X[:, 0] * X[:, 1],
    "sin(x1)": lambda X: np.sin(X[:, 0]),
    "sin(x2)": lambda X: np.sin(X[:, 1]),
}


def network_inputs(X_raw, mean, std):
    """Standardise with the training points' mean and std, then compute the features."""
    X = (X_raw - mean) / std
    return np.column_stack([FEATURE_FUNCTIONS[name](X) for name in FEATURES])


# ---- the network ---------------------------------------------------------------------------
def sigmoid(z):
    # Clipped so exp() cannot overflow; sigmoid(500) is already 1 in double precision.
    return 1.0 / (1.0 + np.exp(-np.clip(z, -500.0, 500.0)))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))  # minus the row maximum: no overflow
    return e / e.sum(axis=1, keepdims=True)


# Hidden activations as pairs: f(z), and f'(z) given z and a = f(z).
ACTIVATIONS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z, a: (z > 0).astype(float)),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z),
                   lambda z, a: np.where(z > 0, 1.0, 0.01)),
    "elu": (lambda z: np.where(z > 0, z, np.expm1(np.minimum(z, 0.0))),
            lambda z, a: np.where(z > 0, 1.0, a + 1.0)),
    "tanh": (np.tanh, lambda z, a: 1.0 - a * a),
    "sigmoid": (sigmoid, lambda z, a: a * (1.0 - a)),
    "softplus": (lambda z: np.logaddexp(0.0, z), lambda z, a: sigmoid(z)),
    "swish": (lambda z: z * sigmoid(z), lambda z, a: sigmoid(z) + a * (1.0 - sigmoid(z))),
    "linear": (lambda z: z.copy(), lambda z, a: np.ones_like(z)),
}


def init_network(sizes):
    """Weights drawn layer by layer from one generator seeded with SEED (the tutorial's
    randn * 0.1: from NumPy's old global stream seeded with SEED + 42, W then b)."""
    if INIT == "randn":
        legacy = np.random.RandomState(SEED + 42)
        weights, biases = [], []
        for n_in, n_out in zip(sizes[:-1], sizes[1:]):
            weights.append(legacy.randn(n_in, n_out) * 0.1)
            biases.append(legacy.randn(1, n_out)[0] * 0.1)
        return weights, biases
    rng = np.random.default_rng(SEED)
    weights, biases = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:]):
        if INIT == "normal":
            weights.append(rng.normal(0.0, 0.1, (n_in, n_out)))
            biases.append(rng.normal(0.0, 0.1, n_out))
        else:
            scale = np.sqrt(2.0 / n_in) if INIT == "he" else np.sqrt(2.0 / (n_in + n_out))
            weights.append(rng.normal(0.0, scale, (n_in, n_out)))
            biases.append(np.zeros(n_out))
    return weights, biases


def output(z):
    """The output layer's activation: linear for a regression (N_CLASSES 0), sigmoid for 2
    classes, softmax for more."""
    if not N_CLASSES:
        return z.copy()
    return sigmoid(z) if z.shape[1] == 1 else softmax(z)


def forward(weights, biases, X):
    """Every layer's z and a."""
    z, a = [], [X]
    for k, (W, b) in enumerate(zip(weights, biases)):
        zk = a[-1] @ W
        zk += b
        z.append(zk)
        a.append(ACTIVATIONS[ACTIVATION][0](zk) if k < len(weights) - 1 else output(zk))
    return z, a


def penalty(weights):
    """L1 * sum|W| + L2 / 2 * sum(W^2) over all weights (not biases)."""
    w = np.concatenate([W.ravel() for W in weights])
    value = 0.0
    if L1:
        value += L1 * float(np.abs(w).sum())
    if L2:
        value += 0.5 * L2 * float(w @ w)
    return value


def data_loss(z_out, Y):
    """Mean squared error for a regression; else mean cross-entropy, computed from the
    output's z so that log() never sees 0."""
    if not N_CLASSES:
        d = z_out - Y
        return float((d * d).sum() / len(z_out))
    if z_out.shape[1] == 1:  # binary: -[y log s(z) + (1 - y) log(1 - s(z))] = log(1 + e^z) - y z
        return float((np.logaddexp(0.0, z_out) - Y * z_out).sum() / len(z_out))
    m = z_out.max(axis=1, keepdims=True)
    log_sum = np.log(np.exp(z_out - m).sum(axis=1, keepdims=True)) + m
    return float((Y * (log_sum - z_out)).sum() / len(z_out))


def loss_and_gradients(weights, biases, X, Y):
    """The loss and dL/dW, dL/db for every layer, by backpropagation."""
    z, a = forward(weights, biases, X)
    loss = data_loss(z[-1], Y) + penalty(weights)
    # dL/dz at the output: sigmoid + cross-entropy (and softmax + cross-entropy) give
    # (a - y) / n, the n because the loss is a mean over the batch; a linear output under
    # squared error gives 2 (a - y) / n.
    delta = (2.0 * (a[-1] - Y) if not N_CLASSES else a[-1] - Y) / len(X)
    tutorial = GRADIENTS == "tutorial"
    if tutorial:  # its loss is a sum (n times the mean) and its sigmoid slope doubled
        sigmoid_out = N_CLASSES == 2
        delta = delta * ((2.0 if sigmoid_out else 1.0) * len(X))
    grad_W, grad_b = [None] * len(weights), [None] * len(weights)
    for k in range(len(weights) - 1, -1, -1):
        grad_W[k] = a[k].T @ delta
        grad_b[k] = delta.sum(axis=0)
        if tutorial:  # its db is averaged over the batch while dW is summed
            grad_b[k] /= len(delta)
        if k:
            delta = delta @ weights[k].T  # dL/da[k]
            if tutorial and ACTIVATION == "sigmoid":
                delta *= 2.0 * a[k] * (1.0 - a[k])  # its 2 s (1 - s)
            else:
                delta *= ACTIVATIONS[ACTIVATION][1](z[k - 1], a[k])  # dL/dz[k - 1]
    for W, dW in zip(weights, grad_W):
        if L1:
            dW += L1 * np.sign(W)
        if L2:
            dW += L2 * W
    return loss, grad_W + grad_b


# ---- training ------------------------------------------------------------------------------
def make_step(params):
    """The optimizer: a function that updates every parameter array in place."""
    velocity = [np.zeros_like(p) for p in params]  # momentum; Adam's first moment m
    second = [np.zeros_like(p) for p in params]  # Adam's second moment v
    t = 0

    def step(grads):
        nonlocal t
        if OPTIMIZER == "sgd":
            for p, g in zip(params, grads):
                p -= LEARNING_RATE * g
        elif OPTIMIZER == "momentum":
            for p, g, v in zip(params, grads, velocity):
                v *= MOMENTUM
                v -= LEARNING_RATE * g
                p += v
        else:  # Adam (Kingma & Ba, 2015)
            t += 1
            m_scale = 1.0 / (1.0 - BETA1 ** t)
            v_scale = 1.0 / (1.0 - BETA2 ** t)
            for p, g, m, v in zip(params, grads, velocity, second):
                m *= BETA1
                m += (1.0 - BETA1) * g
                v *= BETA2
                v += (1.0 - BETA2) * (g * g)
                p -= LEARNING_RATE * (m * m_scale) / (np.sqrt(v * v_scale) + EPS)

    return step


def one_hot(y, n_outputs):
    return y[:, None].astype(float) if n_outputs == 1 else np.eye(n_outputs)[y]


def accuracy_text(weights, biases, X_train, y_train, X_test, y_test):
    if not N_CLASSES:
        return "(a regression has no accuracy)"
    return (f"train accuracy {accuracy(weights, biases, X_train, y_train):.4f}, "
            f"test accuracy {accuracy(weights, biases, X_test, y_test):.4f}")


def accuracy(weights, biases, X, y):
    out = forward(weights, biases, X)[1][-1]
    predicted = (out[:, 0] >= 0.5).astype(int) if out.shape[1] == 1 else out.argmax(axis=1)
    return float((predicted == y).mean())


def main():
    X_train_raw, y_train, X_test_raw, y_test = load_data()
    mean, std = X_train_raw.mean(axis=0), X_train_raw.std(axis=0)
    std = np.where(std > 0, std, 1.0)
    if DATASET == "tutorial":  # the tutorial fed its coordinates to the network as they are
        mean, std = np.zeros(2), np.ones(2)
    X_train = network_inputs(X_train_raw, mean, std)
    X_test = network_inputs(X_test_raw, mean, std)
    n_outputs = 1 if N_CLASSES in (0, 2) else N_CLASSES
    Y_train, Y_test = one_hot(y_train, n_outputs), one_hot(y_test, n_outputs)

    weights, biases = init_network([len(FEATURES), *HIDDEN, n_outputs])
    step = make_step(weights + biases)
    rng = np.random.default_rng(SEED)  # shuffles the training points every epoch
    n = len(X_train)
    batch = min(BATCH_SIZE, n)
    for epoch in range(1, EPOCHS + 1):
        if batch == n:  # full batch: no shuffling needed
            step(loss_and_gradients(weights, biases, X_train, Y_train)[1])
        else:
            order = rng.permutation(n)
            X_shuffled, Y_shuffled = X_train[order], Y_train[order]
            for start in range(0, n, batch):
                end = start + batch
                step(loss_and_gradients(weights, biases, X_shuffled[start:end],
                                        Y_shuffled[start:end])[1])
        z, _ = forward(weights, biases, X_train)
        train_loss = data_loss(z[-1], Y_train) + penalty(weights)
        if not np.isfinite(train_loss):
            raise SystemExit(f"training diverged in epoch {epoch}; try a smaller LEARNING_RATE")
        if epoch % max(EPOCHS // 10, 1) == 0 or epoch == EPOCHS:
            print(f"epoch {epoch:6d}  train loss {train_loss:.6f}")

    z, _ = forward(weights, biases, X_test)
    test_loss = data_loss(z[-1], Y_test) + penalty(weights)
    print(accuracy_text(weights, biases, X_train, y_train, X_test, y_test))
    print(f"final test loss: {test_loss!r}")
    print(f"final train loss: {train_loss!r}")
    return train_loss


if __name__ == "__main__":
    main()
