"""Optimizer updates re-derived by hand for two steps."""

import math

import numpy as np
import pytest

import mlp_core as mc

P0 = np.array([1.0, -2.0, 0.5])
G1 = np.array([0.3, -0.1, 0.0])
G2 = np.array([-0.2, 0.4, 0.1])


def _two_steps(opt):
    p = P0.copy()
    opt.step([p], [G1.copy()])
    after_one = p.copy()
    opt.step([p], [G2.copy()])
    return after_one, p


def test_sgd_two_steps():
    one, two = _two_steps(mc.SGD(lr=0.5))
    np.testing.assert_allclose(one, P0 - 0.5 * G1, rtol=1e-15)
    np.testing.assert_allclose(two, P0 - 0.5 * G1 - 0.5 * G2, rtol=1e-15)


def test_momentum_two_steps():
    lr, mu = 0.5, 0.9
    one, two = _two_steps(mc.SGD(lr=lr, momentum=mu))
    v1 = -lr * G1
    v2 = mu * v1 - lr * G2
    np.testing.assert_allclose(one, P0 + v1, rtol=1e-15)
    np.testing.assert_allclose(two, P0 + v1 + v2, rtol=1e-15)


def test_adam_two_steps():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    one, two = _two_steps(mc.Adam(lr=lr, beta1=b1, beta2=b2, eps=eps))
    for i in range(3):
        m1 = (1 - b1) * G1[i]
        v1 = (1 - b2) * G1[i] ** 2
        p1 = P0[i] - lr * (m1 / (1 - b1)) / (math.sqrt(v1 / (1 - b2)) + eps)
        m2 = b1 * m1 + (1 - b1) * G2[i]
        v2 = b2 * v1 + (1 - b2) * G2[i] ** 2
        p2 = p1 - lr * (m2 / (1 - b1**2)) / (math.sqrt(v2 / (1 - b2**2)) + eps)
        assert one[i] == pytest.approx(p1, rel=1e-14, abs=1e-15)
        assert two[i] == pytest.approx(p2, rel=1e-14, abs=1e-15)


def test_first_adam_step_moves_each_parameter_by_about_lr():
    one, _ = _two_steps(mc.Adam(lr=0.01))
    moved = np.abs(one - P0)
    np.testing.assert_allclose(moved[:2], 0.01, rtol=1e-6)
    assert moved[2] == 0.0  # zero gradient, zero step


@pytest.mark.parametrize("make", [lambda: mc.SGD(0.1, momentum=0.9), lambda: mc.Adam(0.1)])
def test_changing_lr_keeps_optimizer_state(make):
    a, b = make(), make()
    pa, pb = P0.copy(), P0.copy()
    a.step([pa], [G1.copy()])
    b.step([pb], [G1.copy()])
    a.lr = 0.05
    fresh = make()
    fresh.lr = 0.05
    pf = pa.copy()
    a.step([pa], [G2.copy()])
    fresh.step([pf], [G2.copy()])
    assert not np.allclose(pa - (P0 - 0), pf - (P0 - 0))  # the state made a difference
    b.lr = 0.05
    b.step([pb], [G2.copy()])
    np.testing.assert_array_equal(pa, pb)


@pytest.mark.parametrize("bad", [0.0, -1.0, float("nan"), float("inf"), "0.1", None, True])
def test_bad_learning_rates_are_rejected_with_the_value(bad):
    for cls in (mc.SGD, mc.Adam):
        with pytest.raises(ValueError, match="lr"):
            cls(lr=bad)
    opt = mc.SGD(0.1)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = bad


def test_bad_optimizer_settings_are_rejected():
    with pytest.raises(ValueError, match="momentum"):
        mc.SGD(0.1, momentum=1.5)
    with pytest.raises(ValueError, match="beta1"):
        mc.Adam(0.1, beta1=1.0)
    with pytest.raises(ValueError, match="eps"):
        mc.Adam(0.1, eps=0.0)


def _arrays(state):
    return list(state) if isinstance(state, list) else [*state[1], *state[2]]


@pytest.mark.parametrize("make", [lambda: mc.SGD(0.1, momentum=0.9), lambda: mc.Adam(0.1)])
def test_state_copies_can_reuse_arrays_and_restore_exactly(make):
    opt = make()
    p = P0.copy()
    opt.step([p], [G1.copy()])
    saved = opt.get_state()
    again = opt.get_state(into=saved)  # written into the earlier copy: no new arrays
    assert all(x is y for x, y in zip(_arrays(saved), _arrays(again)))
    p_one = p.copy()
    opt.step([p], [G2.copy()])
    p_two = p.copy()
    opt.set_state(saved)  # back to the state after step 1
    for x in _arrays(saved):
        x[...] = np.nan  # set_state copied: the optimizer does not see this
    p[...] = p_one
    opt.step([p], [G2.copy()])
    np.testing.assert_array_equal(p, p_two)
