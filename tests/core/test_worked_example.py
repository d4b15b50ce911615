"""One training step of a 2-2-1 network (ReLU, sigmoid, bce) on two samples, by hand.

Every number below is computed from scalar arithmetic written out in the test, following the
chain rule one unit at a time, and compared with the engine's matrix code.
"""

import math

import numpy as np
import pytest

import mlp_core as mc


def sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def test_one_sgd_step_by_hand():
    W1 = [[0.5, -0.3], [0.2, 0.8]]  # W1[i][j]: input i -> hidden j
    b1 = [0.1, -0.1]
    W2 = [0.7, -0.4]  # hidden j -> output
    b2 = 0.05
    samples = [((1.0, 2.0), 1), ((-1.0, 0.5), 0)]
    lr = 0.1

    n = len(samples)
    loss = 0.0
    gW1 = [[0.0, 0.0], [0.0, 0.0]]
    gb1 = [0.0, 0.0]
    gW2 = [0.0, 0.0]
    gb2 = 0.0
    for (x1, x2), y in samples:
        z1 = [x1 * W1[0][j] + x2 * W1[1][j] + b1[j] for j in range(2)]
        h = [max(v, 0.0) for v in z1]
        z2 = h[0] * W2[0] + h[1] * W2[1] + b2
        p = sig(z2)
        loss += -(y * math.log(p) + (1 - y) * math.log(1 - p)) / n
        dz2 = (p - y) / n  # dL/dp * dp/dz2 = [(p - y) / (p (1 - p)) / n] * p (1 - p)
        gb2 += dz2
        for j in range(2):
            gW2[j] += h[j] * dz2
            dh = dz2 * W2[j]
            dz1 = dh * (1.0 if z1[j] > 0 else 0.0)
            gb1[j] += dz1
            gW1[0][j] += x1 * dz1
            gW1[1][j] += x2 * dz1

    net = mc.MLP([2, 2, 1], ["relu", "sigmoid"], seed=0)
    net.weights[0] = W1
    net.biases[0] = b1
    net.weights[1] = np.array(W2).reshape(2, 1)
    net.biases[1] = [b2]
    X = np.array([s[0] for s in samples])
    y = np.array([s[1] for s in samples])

    value, grads = net.loss_and_gradients(X, y, loss="bce")
    assert value == pytest.approx(loss, rel=1e-13)
    np.testing.assert_allclose(grads[0][0], gW1, rtol=1e-13)
    np.testing.assert_allclose(grads[0][1], gb1, rtol=1e-13)
    np.testing.assert_allclose(grads[1][0].ravel(), gW2, rtol=1e-13)
    np.testing.assert_allclose(grads[1][1], [gb2], rtol=1e-13)

    trainer = mc.Trainer(net, "bce", mc.SGD(lr), batch_size=2, seed=0)
    trainer.run_epochs(X, y, n_epochs=1)
    np.testing.assert_allclose(net.weights[0], np.array(W1) - lr * np.array(gW1), rtol=1e-13)
    np.testing.assert_allclose(net.biases[1], [b2 - lr * gb2], rtol=1e-13)
    # The reported loss is measured after the update, so it must have gone down.
    assert trainer.history.last["train_loss"] < loss
