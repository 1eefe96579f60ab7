"""Loss functions L(ŷ, y) and their gradients dL/dŷ (lecture: "Step 2: Calculate the Loss").

- ``"mse"``: mean squared error, the mean over all elements (like PyTorch's ``MSELoss``).
- ``"binary_cross_entropy"`` (alias ``"bce"``): -y log ŷ - (1 - y) log(1 - ŷ), mean over all
  elements; for sigmoid outputs (binary and multi-label classification).
- ``"cross_entropy"`` (alias ``"ce"``): -Σ_k y_k log ŷ_k, mean over samples; for softmax outputs.
  Targets are integer class labels of shape (m,) or one-hot rows of shape (m, k).

``LOSSES`` maps each name to a :class:`Loss`, which also says how the lessons write the loss in
LaTeX and which output activation gives the shortcut δ = ŷ - y; :func:`register_loss` adds one.

Logarithms are clamped at -100, as PyTorch does, so probabilities that round to exactly 0 or 1
give a large but finite loss and no RuntimeWarning.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from . import _forms
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


_OUTPUTS = ("mean", "sum")
_TARGETS = ("values", "probabilities", "classes")


def _bad(field: str, expected: str, given) -> ValueError:
    return ValueError(f"{field} must be {expected}; got {given!r}")


@dataclass(frozen=True)
class Loss:
    """Everything the course says about one loss: the engine's functions and how the lessons write
    it. Adding a loss is one :func:`register_loss` call; the engine and the trace read this entry.

    Attributes
    ----------
    name : str, the key in ``LOSSES`` ("binary_cross_entropy")
    function : callable (ŷ, y) -> float, the mean loss over a batch, arrays of shape (m, n_out)
    gradient : callable (ŷ, y) -> dL/dŷ of that mean, shape (m, n_out)
    shortcut_activation : the output activation with which dL/dz simplifies to δ = ŷ - y (divided
        by the number of terms averaged over): "sigmoid" for binary cross-entropy, "softmax" for
        cross-entropy (the lecture's and scikit-learn's pairs); None if there is none
    label : display name ("binary cross-entropy"); default: the name with spaces for underscores
    latex : the loss of one output in LaTeX with the slots ``<h>`` (ŷ) and ``<y>``, e.g.
        ``-<y> \\ln <h> - (1 - <y>) \\ln(1 - <h>)``; the trace fills it with numbers (see
        ``mlpcourse._forms``); default ``L(<h>, <y>)``
    latex_gradient : dL/dŷ of that one-output loss, same slots, e.g. ``2(<h> - <y>)``; default
        ``\\partial_{\\hat{y}} L(<h>, <y>)``
    outputs : how a sample's n outputs combine: "mean" (the mean over all elements, as PyTorch's
        MSELoss and BCELoss) or "sum" (cross-entropy sums over the classes)
    targets : what y holds: "values" (any numbers), "probabilities" (in [0, 1]) or "classes"
        (one-hot rows, or class labels that become one-hot)
    probabilities : True if ŷ must be probabilities (a sigmoid or softmax output layer)
    aliases : other names accepted for it ("bce")
    """

    name: str
    function: Callable
    gradient: Callable
    shortcut_activation: str | None = None
    label: str = ""
    latex: str = ""
    latex_gradient: str = ""
    outputs: str = "mean"
    targets: str = "values"
    probabilities: bool = False
    aliases: tuple = ()

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise _bad("name", "a non-empty name of letters, digits and _ (e.g. 'mae')",
                       self.name)
        for field in ("function", "gradient"):
            if not callable(getattr(self, field)):
                raise _bad(field, "a function (y_hat, y) -> " +
                           ("float" if field == "function" else "dL/dy_hat"), getattr(self, field))
        if self.shortcut_activation is not None and not isinstance(self.shortcut_activation, str):
            raise _bad("shortcut_activation", "an activation name or None",
                       self.shortcut_activation)
        if not isinstance(self.label, str):
            raise _bad("label", "a string", self.label)
        if self.outputs not in _OUTPUTS:
            raise _bad("outputs", f"one of {list(_OUTPUTS)}", self.outputs)
        if self.targets not in _TARGETS:
            raise _bad("targets", f"one of {list(_TARGETS)}", self.targets)
        if not isinstance(self.probabilities, bool):
            raise _bad("probabilities", "True or False", self.probabilities)
        if isinstance(self.aliases, str) or not all(
                isinstance(a, str) and a.isidentifier() for a in self.aliases):
            raise _bad("aliases", "a tuple of names", self.aliases)
        object.__setattr__(self, "aliases", tuple(self.aliases))
        object.__setattr__(self, "label", self.label or self.name.replace("_", " "))
        object.__setattr__(self, "latex", _forms.check(
            "latex", self.latex or "L(<h>, <y>)", ("h", "y")))
        object.__setattr__(self, "latex_gradient", _forms.check(
            "latex_gradient", self.latex_gradient or "\\partial_{\\hat{y}} L(<h>, <y>)",
            ("h", "y")))

    def formula(self, y_hat: str = "\\hat{y}", y: str = "y") -> str:
        """The one-output loss in LaTeX with symbols written in:
        ``-y \\ln \\hat{y} - (1 - y) \\ln(1 - \\hat{y})``."""
        return _forms.with_symbols(self.latex, h=y_hat, y=y)

    def formula_gradient(self, y_hat: str = "\\hat{y}", y: str = "y") -> str:
        """dL/dŷ of the one-output loss in LaTeX with symbols written in."""
        return _forms.with_symbols(self.latex_gradient, h=y_hat, y=y)


LOSSES: dict[str, Loss] = {
    "mse": Loss(
        "mse", mse, mse_gradient, None, label="mean squared error",
        latex="(<h> - <y>)^2", latex_gradient="2(<h> - <y>)"),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy", binary_cross_entropy, binary_cross_entropy_gradient, "sigmoid",
        label="binary cross-entropy", latex="-<y> \\ln <h> - (1 - <y>) \\ln(1 - <h>)",
        latex_gradient="-\\frac{<y>}{<h>} + \\frac{1 - <y>}{1 - <h>}",
        targets="probabilities", probabilities=True, aliases=("bce",)),
    "cross_entropy": Loss(
        "cross_entropy", cross_entropy, cross_entropy_gradient, "softmax", label="cross-entropy",
        latex="-<y> \\ln <h>", latex_gradient="-\\frac{<y>}{<h>}", outputs="sum",
        targets="classes", probabilities=True, aliases=("ce",)),
}
_BUILT_IN = frozenset(LOSSES)
ALIASES: dict[str, str] = {}
_NAMES: dict[str, object] = {}  # every accepted name (for the error message)
_SPECS: dict[str, Loss] = {}  # every accepted name -> Loss, one dict lookup per call


def _index() -> None:
    """Rebuild the alias tables from ``LOSSES`` (after a loss is added or removed)."""
    ALIASES.clear()
    ALIASES.update({alias: name for name, spec in LOSSES.items() for alias in spec.aliases})
    _NAMES.clear()
    _NAMES.update({**LOSSES, **ALIASES})
    _SPECS.clear()
    _SPECS.update({**LOSSES, **{alias: LOSSES[name] for alias, name in ALIASES.items()}})


_index()


def register_loss(name: str, function: Callable, gradient: Callable, **fields) -> Loss:
    """Add a loss to ``LOSSES``: after this, ``loss``, ``backward``, ``fit`` and ``trace`` know it.

    Parameters
    ----------
    name : new name, letters, digits and _ ("mae")
    function : callable (ŷ, y) -> float, the mean loss over a batch of shape (m, n_out)
    gradient : callable (ŷ, y) -> dL/dŷ of that mean, shape (m, n_out)
    fields : the other fields of :class:`Loss` (``shortcut_activation``, ``label``, ``latex``,
        ``latex_gradient``, ``outputs``, ``targets``, ``probabilities``, ``aliases``), each with
        a default

    Returns
    -------
    Loss, the new entry
    """
    known = [f.name for f in dataclasses.fields(Loss)]
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise TypeError(f"register_loss() got unknown fields {unknown}; the fields are "
                        f"{known[3:]}")
    spec = Loss(name, function, gradient, **fields)
    for new in (name, *spec.aliases):
        if new in _SPECS:
            raise ValueError(f"name and aliases must be new loss names; got {new!r}, which is "
                             f"already taken (unregister_loss removes a registered loss)")
    if spec.shortcut_activation is not None:
        from .activations import ACTIVATIONS

        choice("shortcut_activation", spec.shortcut_activation, ACTIVATIONS)
    LOSSES[name] = spec
    _index()
    return spec


def unregister_loss(name: str) -> None:
    """Remove a loss added by :func:`register_loss` (the built-in ones stay)."""
    choice("name", name, LOSSES)
    if name in _BUILT_IN:
        raise ValueError(f"name must be a registered loss, not a built-in one "
                         f"{sorted(_BUILT_IN)}; got {name!r}")
    del LOSSES[name]
    _index()


PROBABILITY_OUTPUTS = ("sigmoid", "softmax")


def check_output_activation(name: str, activation: str) -> None:
    """Cross-entropy losses need probabilities: refuse an output layer that does not give them."""
    loss = get_loss(name)
    if loss.probabilities and activation not in PROBABILITY_OUTPUTS:
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
    if loss.targets == "classes" and y.shape == (m,) and n_out > 1:
        if not np.all(y == np.round(y)):
            raise ValueError(f"y must hold integer class labels for {loss.name}; got fractions")
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
        hint = f" or ({m},) class labels" if loss.targets == "classes" else ""
        hint += f" or ({m},)" if n_out == 1 else ""
        raise ValueError(
            f"y does not fit the network output: expected shape ({m}, {n_out}){hint}; "
            f"got {describe(y)}"
        )
    if loss.targets == "probabilities" and (y.min() < 0 or y.max() > 1):
        raise ValueError(
            f"y must lie in [0, 1] for {loss.name}; "
            f"got values from {y.min()} to {y.max()}"
        )
    if loss.targets == "classes":
        if y.min() < 0 or not np.allclose(y.sum(axis=1), 1.0):
            raise ValueError(
                f"y must hold one-hot (or probability) rows that sum to 1 for {loss.name}; "
                f"got row sums from {y.sum(axis=1).min():.3g} to {y.sum(axis=1).max():.3g}"
            )
    return y.astype(dtype, copy=False)


def _as_batch(y_hat, y, name):
    """A 1-D ŷ is one sample: make ŷ (1, n_out) and y to match."""
    y_hat = as_array("y_hat", y_hat, ndim=(1, 2))
    if y_hat.size == 0:
        raise ValueError(f"y_hat must hold at least one sample; got {describe(y_hat)}")
    if get_loss(name).probabilities and (y_hat.min() < 0 or y_hat.max() > 1):
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
