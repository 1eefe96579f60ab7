"""Activation functions g(z) and their derivatives g'(z), as in the lecture's "Hidden Layer" and
"The output layer" slides.

Every function works elementwise on arrays of any shape, except softmax, which normalises along
the last axis (one row per sample). All are numerically stable: no overflow and no RuntimeWarning
for any finite input, pre-activations of +-1e4 included.

``ACTIVATIONS`` maps each name to an :class:`Activation`; ``backward`` in ``network.py`` uses its
``vjp`` (vector-Jacobian product) to turn dL/da into dL/dz.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import choice


def _float(z):
    """z as a float array (integers become float64; float32 stays float32)."""
    z = np.asarray(z)
    return z if z.dtype.kind == "f" else z.astype(np.float64)  # kind "f": a cheaper issubdtype


def step(z, theta=0.0):
    """Step function with threshold theta: 1 if z > theta else 0 (lecture: the perceptron's g(h)).

    Parameters
    ----------
    z : array of any shape
    theta : float, the threshold θ.

    Returns
    -------
    array, same shape and float dtype as z.
    """
    z = _float(z)
    return (z > theta).astype(z.dtype)


def step_prime(z):
    """Derivative of the step function: 0 everywhere it exists (undefined at θ; 0 is used)."""
    return np.zeros_like(_float(z))


def linear(z):
    """Identity g(z) = z: the regression output layer ("no activation function")."""
    return _float(z)


def linear_prime(z):
    """Derivative of the identity: 1."""
    return np.ones_like(_float(z))


def sigmoid(z):
    """Logistic function σ(z) = 1 / (1 + e^{-z}) (lecture: "The Logistic Function").

    Computed as written, which is accurate to the last bit or two for every z (e^{-z}, the sum
    and the quotient each round once). For z < -709 (float32: z < -88) e^{-z} overflows to inf
    and σ(z) comes out as exactly 0 (the true value is below 1e-308, float32: 1e-38); that
    overflow is expected, so numpy is told not to warn: σ(-1e4) = 0 and σ(1e4) = 1 silently.
    """
    z = _float(z)
    with np.errstate(over="ignore"):  # 4 numpy calls; the e^{-|z|} form needs 7 (and is slower)
        return 1.0 / (1.0 + np.exp(-z))


def sigmoid_prime(z):
    """Derivative σ'(z) = σ(z)(1 - σ(z)) (lecture: y' = y(1 - y)).

    Computed as e^{-|z|} / (1 + e^{-|z|})^2, the same value written so that it stays accurate
    (and symmetric, σ'(-z) = σ'(z)) where σ(z) rounds to 1.
    """
    e = np.exp(-np.abs(_float(z)))
    return e / (1.0 + e) ** 2


def tanh(z):
    """Hyperbolic tangent (e^z - e^{-z}) / (e^z + e^{-z}) (lecture: "Hyperbolic Tangent")."""
    return np.tanh(z)


def tanh_prime(z):
    """Derivative tanh'(z) = 1 - tanh(z)^2 (lecture's identity)."""
    t = np.tanh(z)
    return 1.0 - t * t


def relu(z):
    """Rectified linear unit max(0, z) (lecture: 0 if z <= 0, z if z > 0)."""
    z = _float(z)
    return np.maximum(z, 0.0).astype(z.dtype, copy=False)


def relu_prime(z):
    """Derivative of ReLU: 1 for z > 0 and 0 for z <= 0 (the lecture's convention at 0)."""
    z = _float(z)
    return (z > 0).astype(z.dtype)


def leaky_relu(z, slope=0.01):
    """Leaky ReLU: z for z > 0, slope * z otherwise (keeps a small gradient for z < 0)."""
    z = _float(z)
    return np.where(z > 0, z, slope * z).astype(z.dtype, copy=False)


def leaky_relu_prime(z, slope=0.01):
    """Derivative of leaky ReLU: 1 for z > 0, slope otherwise."""
    z = _float(z)
    return np.where(z > 0, 1.0, slope).astype(z.dtype)


def softmax(z):
    """Softmax along the last axis: e^{z_j} / Σ_i e^{z_i} (lecture: "Softmax function").

    The row maximum is subtracted first (the log-sum-exp trick), which leaves the result unchanged
    and keeps every exponent <= 0, so nothing overflows.

    Parameters
    ----------
    z : array of shape (k,) or (m, k)

    Returns
    -------
    array of the same shape; each row is positive and sums to 1.
    """
    z = _float(z)
    with np.errstate(over="ignore"):  # z_i - max below -1.8e308 rounds to -inf, and e^-inf = 0
        shifted = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def softmax_jacobian(z):
    """Jacobian of softmax for one sample: J[i, j] = s_i (δ_ij - s_j).

    Parameters
    ----------
    z : array of shape (k,)

    Returns
    -------
    array of shape (k, k)
    """
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)


def _elementwise_vjp(derivative_from_z_a):
    def vjp(z, a, grad_a):
        return grad_a * derivative_from_z_a(z, a)

    return vjp


def _softmax_vjp(z, a, grad_a):
    # dL/dz_j = s_j (dL/ds_j - Σ_i s_i dL/ds_i): the Jacobian product without forming J
    return a * (grad_a - np.sum(grad_a * a, axis=-1, keepdims=True))


@dataclass(frozen=True)
class Activation:
    """One entry of the activation table.

    Attributes
    ----------
    name : str
    function : callable z -> a
    derivative : callable z -> g'(z), elementwise; None for softmax (its Jacobian is not diagonal)
    vjp : callable (z, a, dL/da) -> dL/dz, all of shape (m, n); reuses a = g(z) where it can.
    """

    name: str
    function: Callable
    derivative: Callable | None
    vjp: Callable


ACTIVATIONS: dict[str, Activation] = {
    "step": Activation("step", step, step_prime, _elementwise_vjp(lambda z, a: 0.0 * a)),
    "linear": Activation("linear", linear, linear_prime, lambda z, a, grad_a: grad_a),
    "sigmoid": Activation(
        "sigmoid", sigmoid, sigmoid_prime, _elementwise_vjp(lambda z, a: a * (1.0 - a))
    ),
    "tanh": Activation("tanh", tanh, tanh_prime, _elementwise_vjp(lambda z, a: 1.0 - a * a)),
    "relu": Activation("relu", relu, relu_prime, _elementwise_vjp(lambda z, a: z > 0)),
    "leaky_relu": Activation(
        "leaky_relu",
        leaky_relu,
        leaky_relu_prime,
        _elementwise_vjp(lambda z, a: leaky_relu_prime(z)),
    ),
    "softmax": Activation("softmax", softmax, None, _softmax_vjp),
}


def get_activation(name: str) -> Activation:
    """Look up an activation by name; unknown names raise a ValueError listing the valid ones."""
    return ACTIVATIONS[choice("activation", name, ACTIVATIONS)]


def activate(name: str, z):
    """Apply the activation called ``name`` to z (any shape; softmax along the last axis)."""
    return get_activation(name).function(z)


def derivative(name: str, z):
    """g'(z) for the activation called ``name`` (elementwise ones only; softmax has a Jacobian,
    see :func:`softmax_jacobian`)."""
    act = get_activation(name)
    if act.derivative is None:
        raise ValueError(
            f"activation {name!r} has no elementwise derivative; use softmax_jacobian(z)"
        )
    return act.derivative(z)
