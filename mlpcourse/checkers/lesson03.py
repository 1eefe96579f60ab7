"""Checks for lesson 3 (activation functions): the student writes g(z) and g'(z)."""

from __future__ import annotations

import numpy as np

from .. import activations
from .core import Case, run_check

__all__ = ["check_relu", "check_sigmoid", "check_sigmoid_prime", "check_tanh_prime"]

_Z = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
_Z2 = np.array([[-1.0, 2.0, 0.25], [4.0, -4.0, 0.0]])
_EXTREME = np.array([-1000.0, -40.0, 40.0, 1000.0])


def _cases(reference, extreme=True):
    cases = [Case("z = 0 (a number)", (0.0,), reference(0.0)),
             Case("z = [-3, -0.5, 0, 0.5, 3]", (_Z,), reference(_Z)),
             Case("z of shape (2, 3)", (_Z2,), reference(_Z2))]
    if extreme:
        cases.append(Case("z = [-1000, -40, 40, 1000] (no overflow)", (_EXTREME,),
                          reference(_EXTREME)))
    return cases


def check_sigmoid(sigmoid):
    """σ(z) = 1 / (1 + e^{-z}) elementwise, for numbers and arrays of any shape."""
    return run_check("sigmoid", sigmoid, _cases(activations.sigmoid))


def check_sigmoid_prime(sigmoid_prime):
    """σ'(z) = σ(z)(1 - σ(z)) (the lecture's y' = y(1 - y))."""
    return run_check("sigmoid_prime", sigmoid_prime, _cases(activations.sigmoid_prime))


def check_tanh_prime(tanh_prime):
    """tanh'(z) = 1 - tanh(z)^2."""
    return run_check("tanh_prime", tanh_prime, _cases(activations.tanh_prime))


def check_relu(relu):
    """max(0, z) elementwise."""
    return run_check("relu", relu, _cases(activations.relu, extreme=False))
