"""The numerical gradient check: backpropagation compared with central differences,
df/dx ≈ (f(x + h) - f(x - h)) / 2h.

(The exercise checks, which grade a student's functions, are a different thing: ``checkers/``.)
"""

from __future__ import annotations

import numpy as np

from ._validation import as_array
from .losses import loss as loss_value
from .network import Network, backward, forward


def numerical_gradient(f, x, h=1e-6):
    """Central-difference gradient of a scalar function f at x.

    Parameters
    ----------
    f : callable taking an array shaped like x and returning a float
    x : array of any shape (not modified)
    h : step

    Returns
    -------
    array shaped like x
    """
    x = as_array("x", x, dtype=np.float64).copy()
    grad = np.zeros_like(x)
    flat, g = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):  # one parameter at a time: a check, not a training method
        old = flat[i]
        flat[i] = old + h
        plus = f(x)
        flat[i] = old - h
        minus = f(x)
        flat[i] = old
        g[i] = (plus - minus) / (2 * h)
    return grad


def relative_error(analytic, numeric) -> float:
    """||analytic - numeric|| / (||analytic|| + ||numeric||), 0 when both are 0."""
    analytic, numeric = np.asarray(analytic, float), np.asarray(numeric, float)
    denominator = np.linalg.norm(analytic) + np.linalg.norm(numeric)
    return 0.0 if denominator == 0 else float(np.linalg.norm(analytic - numeric) / denominator)


def gradient_check(net: Network, X, y, loss="mse", h=1e-5) -> float:
    """The largest relative error between ``backward`` and central differences.

    For every parameter array (each W[l] and b[l]) the relative error
    ||g_backprop - g_numeric|| / (||g_backprop|| + ||g_numeric||) is computed; the maximum over
    arrays is returned. Computed in float64 whatever the network's dtype. Around 1e-9 or below
    means backward is right; above 1e-5 means a bug (ReLU kinks hit by h aside).

    Parameters
    ----------
    net : Network
    X : array of shape (m, n_0) or (n_0,)
    y : targets for ``loss``
    loss : loss name
    h : finite-difference step
    """
    net = net.astype(np.float64)
    X = np.asarray(X, dtype=np.float64)
    grads = backward(net, forward(net, X)[1], y, loss)
    worst = 0.0
    for params, analytic in ((net.W, grads.W), (net.b, grads.b)):
        for l in range(1, net.L + 1):
            def f(p, params=params, l=l):
                saved = params[l]
                params[l] = p  # the Network's lists are mutable: swap in the probe, then restore
                try:
                    return loss_value(forward(net, X)[0], y, loss)
                finally:
                    params[l] = saved

            worst = max(worst, relative_error(analytic[l], numerical_gradient(f, params[l], h)))
    return worst
