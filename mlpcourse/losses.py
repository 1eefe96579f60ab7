"""Loss functions L(ŷ, y) and their gradients dL/dŷ (lecture: "Step 2: Calculate the Loss").

- ``"mse"``: mean squared error, the mean over all elements (like PyTorch's ``MSELoss``).
- ``"binary_cross_entropy"`` (alias ``"bce"``): -y log ŷ - (1 - y) log(1 - ŷ), mean over all
  elements; for sigmoid outputs (binary and multi-label classification).
- ``"cross_entropy"`` (alias ``"ce"``): -Σ_k y_k log ŷ_k, mean over samples; for softmax outputs.
  Targets are integer class labels of shape (m,) or one-hot rows of shape (m, k).

Logarithms are clamped at -100, as PyTorch does, so probabilities that round to exactly 0 or 1
give a large but finite loss and no RuntimeWarning.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ._validation import as_array, choice, describe

LOG_FLOOR = -100.0  # log(p) is clamped here: finite loss for p == 0 (PyTorch's BCELoss does so)
_P_FLOOR = float(np.exp(LOG_FLOOR))  # the probability whose log is the floor


def _log(p):
    """log(p), clamped at LOG_FLOOR; never warns for p == 0 (log 0 = -inf is clamped too)."""
    with np.errstate(divide="ignore"):
        return np.maximum(np.log(p), LOG_FLOOR)


def _floor(p):
    """The smallest probability a gradient divides by: e^-100, or the dtype's smallest normal
    number if that is larger (float32), so 1 / floor never overflows."""
    return max(_P_FLOOR, float(np.finfo(p.dtype).tiny))


def mse(y_hat, y):
    """Mean squared error (1/N) Σ (ŷ - y)^2 over all N elements.

    Parameters
    ----------
    y_hat, y : arrays of shape (m, n_out)
    """
    return float(np.mean((y_hat - y) ** 2))


def mse_gradient(y_hat, y):
    """dL/dŷ of :func:`mse`: 2 (ŷ - y) / N, shape (m, n_out)."""
    return 2.0 * (y_hat - y) / y_hat.size


def binary_cross_entropy(y_hat, y):
    """Binary cross-entropy -y log ŷ - (1 - y) log(1 - ŷ), mean over all elements (lecture, Step 2).

    Parameters
    ----------
    y_hat : array of shape (m, n_out), probabilities in [0, 1]
    y : array of shape (m, n_out), targets in [0, 1]
    """
    return float(np.mean(-y * _log(y_hat) - (1.0 - y) * _log(1.0 - y_hat)))


def binary_cross_entropy_gradient(y_hat, y):
    """dL/dŷ of :func:`binary_cross_entropy`: (ŷ - y) / (ŷ (1 - ŷ)) / N, shape (m, n_out).

    The denominator is kept away from 0 so the gradient stays finite at ŷ = 0 or 1; with a sigmoid
    output ``backward`` never uses this (it takes the exact shortcut δ = (ŷ - y) / N instead).
    """
    denominator = np.maximum(y_hat * (1.0 - y_hat), _floor(y_hat))
    return (y_hat - y) / denominator / y_hat.size


def cross_entropy(y_hat, y):
    """Categorical cross-entropy -Σ_k y_k log ŷ_k, mean over the m samples.

    Parameters
    ----------
    y_hat : array of shape (m, k), rows are probability distributions (softmax outputs)
    y : array of shape (m, k), one-hot (or probability) rows
    """
    return float(-np.sum(y * _log(y_hat)) / y_hat.shape[0])


def cross_entropy_gradient(y_hat, y):
    """dL/dŷ of :func:`cross_entropy`: -y / ŷ / m, shape (m, k) (ŷ kept away from 0)."""
    return -y / np.maximum(y_hat, _floor(y_hat)) / y_hat.shape[0]


@dataclass(frozen=True)
class Loss:
    """One entry of the loss table: the loss, its gradient dL/dŷ, and the output activation with
    which dL/dz simplifies to the shortcut δ = (ŷ - y) / (number of terms averaged over)."""

    name: str
    function: Callable
    gradient: Callable
    shortcut_activation: str | None


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_gradient, None),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy", binary_cross_entropy, binary_cross_entropy_gradient, "sigmoid"
    ),
    "cross_entropy": Loss("cross_entropy", cross_entropy, cross_entropy_gradient, "softmax"),
}
ALIASES = {"bce": "binary_cross_entropy", "ce": "cross_entropy"}
_NAMES = {**LOSSES, **ALIASES}  # every accepted name, merged once rather than on every call
_SPECS = {**LOSSES, **{alias: LOSSES[name] for alias, name in ALIASES.items()}}  # name -> Loss


PROBABILITY_OUTPUTS = ("sigmoid", "softmax")


def check_output_activation(name: str, activation: str) -> None:
    """Cross-entropy losses need probabilities: refuse an output layer that does not give them."""
    loss = get_loss(name)
    if loss.name != "mse" and activation not in PROBABILITY_OUTPUTS:
        raise ValueError(
            f"loss {loss.name!r} needs probabilities from the output layer, so its activation must "
            f"be one of {list(PROBABILITY_OUTPUTS)}; got {activation!r} (use 'mse' for it)"
        )


def get_loss(name: str) -> Loss:
    """Look up a loss by name or alias; unknown names raise a ValueError listing the valid ones."""
    if type(name) is str and name in _SPECS:  # the usual case in one dict lookup (called per step)
        return _SPECS[name]
    name = choice("loss", name, _NAMES)
    return LOSSES[ALIASES.get(name, name)]


def prepare_targets(name: str, y, shape: tuple[int, int], dtype=np.float64) -> np.ndarray:
    """Check targets ``y`` against outputs of ``shape`` (m, n_out); return (m, n_out) floats.

    Accepts (m,) for a single output, and for cross-entropy integer labels of shape (m,) in
    [0, n_out), which become one-hot rows.
    """
    loss = get_loss(name)
    m, n_out = shape
    # fast path for a float array whose sum is finite (so is every entry); else the full check
    if not (type(y) is np.ndarray and y.dtype.kind == "f" and math.isfinite(y.sum())):
        y = as_array("y", y)
    if loss.name == "cross_entropy" and y.shape == (m,) and n_out > 1:
        if not np.all(y == np.round(y)):
            raise ValueError("y must hold integer class labels for cross_entropy; got fractions")
        if y.min() < 0 or y.max() >= n_out:
            raise ValueError(
                f"y holds class labels out of range: expected 0..{n_out - 1} for {n_out} outputs; "
                f"got labels from {int(y.min())} to {int(y.max())}"
            )
        one_hot = np.zeros(shape, dtype=dtype)
        one_hot[np.arange(m), y.astype(np.intp)] = 1
        return one_hot
    if y.shape == (m,) and n_out == 1:
        y = y.reshape(m, 1)
    if y.shape != (m, n_out):
        hint = f" or ({m},) class labels" if loss.name == "cross_entropy" else ""
        hint += f" or ({m},)" if n_out == 1 else ""
        raise ValueError(
            f"y does not fit the network output: expected shape ({m}, {n_out}){hint}; "
            f"got {describe(y)}"
        )
    if loss.name == "binary_cross_entropy" and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            "y must lie in [0, 1] for binary_cross_entropy; "
            f"got values from {y.min()} to {y.max()}"
        )
    if loss.name == "cross_entropy":
        if y.min() < 0 or not np.allclose(y.sum(axis=1), 1.0):
            raise ValueError(
                "y must hold one-hot (or probability) rows that sum to 1 for cross_entropy; "
                f"got row sums from {y.sum(axis=1).min():.3g} to {y.sum(axis=1).max():.3g}"
            )
    return y.astype(dtype, copy=False)


def _as_batch(y_hat, y, name):
    """A 1-D ŷ is one sample: make ŷ (1, n_out) and y to match."""
    y_hat = as_array("y_hat", y_hat, ndim=(1, 2))
    if y_hat.size == 0:
        raise ValueError(f"y_hat must hold at least one sample; got {describe(y_hat)}")
    if get_loss(name).name != "mse" and (y_hat.min() < 0 or y_hat.max() > 1):
        raise ValueError(
            f"y_hat must hold probabilities in [0, 1] for {get_loss(name).name}; got values from "
            f"{y_hat.min():.4g} to {y_hat.max():.4g} (use a sigmoid or softmax output)"
        )
    if y_hat.ndim == 1:
        y_hat = y_hat.reshape(1, -1)
        y = np.asarray(y)
        y = y.reshape(1) if (y.ndim == 0 and y_hat.shape[1] > 1) else y.reshape(1, -1)
        if y.ndim == 2 and y.shape[1] == 1 and y_hat.shape[1] > 1:
            y = y.reshape(1)
    return y_hat, prepare_targets(name, y, y_hat.shape, y_hat.dtype)


def loss(y_hat, y, name: str = "mse") -> float:
    """The mean loss L(ŷ, y) called ``name``, as a float.

    Parameters
    ----------
    y_hat : array of shape (m, n_out), or (n_out,) for one sample (as ``forward`` returns it)
    y : targets: (m, n_out), (m,) for one output, or (m,) integer labels for cross_entropy
    name : "mse", "binary_cross_entropy" ("bce") or "cross_entropy" ("ce")
    """
    y_hat, y = _as_batch(y_hat, y, name)
    return get_loss(name).function(y_hat, y)


def loss_gradient(y_hat, y, name: str = "mse"):
    """dL/dŷ of the mean loss called ``name``, shaped like ``y_hat`` ((m, n_out), or (n_out,)
    for one sample)."""
    shape = np.shape(y_hat)
    y_hat, y = _as_batch(y_hat, y, name)
    return get_loss(name).gradient(y_hat, y).reshape(shape)
