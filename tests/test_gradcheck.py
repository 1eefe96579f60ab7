"""mlpcourse.gradcheck: numerical gradients and the gradient check catch wrong backpropagation."""

import numpy as np
import pytest

import mlpcourse as mc


def test_numerical_gradient_of_known_functions():
    x = np.array([[1.0, -2.0], [0.5, 3.0]])
    np.testing.assert_allclose(mc.numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2,
                               rtol=1e-8)
    before = x.copy()
    mc.numerical_gradient(lambda v: float(np.sum(np.sin(v))), x)
    np.testing.assert_array_equal(x, before)  # x is not modified


def test_relative_error():
    assert mc.relative_error([1.0, 2.0], [1.0, 2.0]) == 0.0
    assert mc.relative_error([0.0], [0.0]) == 0.0
    assert mc.relative_error([1.0], [-1.0]) == pytest.approx(1.0)


def test_gradient_check_detects_a_wrong_backward(monkeypatch):
    """A planted bug (the sigmoid derivative dropped) must show up as a large error."""
    net = mc.init_network([3, 4, 1], ["sigmoid", "sigmoid"], "uniform", rng=0)
    X = np.random.default_rng(1).normal(size=(5, 3))
    y = np.array([0, 1, 1, 0, 1])
    assert mc.gradient_check(net, X, y, "bce") < 1e-8
    broken = mc.activations.Activation("sigmoid", mc.activations.sigmoid,
                                       mc.activations.sigmoid_prime,
                                       lambda z, a, grad_a: grad_a)
    monkeypatch.setitem(mc.ACTIVATIONS, "sigmoid", broken)
    assert mc.gradient_check(net, X, y, "bce") > 1e-2


def test_gradient_check_works_on_float32_networks():
    net = mc.init_network([2, 3, 2], ["tanh", "softmax"], "xavier", rng=0, dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32)
    assert mc.gradient_check(net, X, [0, 1, 1, 0], "ce") < 1e-7
    assert net.dtype == np.float32  # checked on a float64 copy


def test_the_gradient_check_lives_in_gradcheck_under_its_public_names():
    import importlib

    from mlpcourse import gradcheck

    for name in ("gradient_check", "numerical_gradient", "relative_error"):
        assert getattr(mc, name) is getattr(gradcheck, name)
        assert getattr(mc, name).__module__ == "mlpcourse.gradcheck"
    with pytest.raises(ModuleNotFoundError):  # the old name is gone, not confusable with checkers
        importlib.import_module("mlpcourse.checks")
