"""Activation functions g(z) and their derivatives g'(z), as in the lecture's "Hidden Layer" and
"The output layer" slides.

Every function works elementwise on arrays of any shape, except softmax, which normalises along
the last axis (one row per sample). All are numerically stable: no overflow and no RuntimeWarning
for any finite input, pre-activations of +-1e4 included.

``ACTIVATIONS`` maps each name to an :class:`Activation`, the one place that holds everything the
course says about it: the function, its derivative and ``vjp`` (vector-Jacobian product, which
``backward`` in ``network.py`` uses to turn dL/da into dL/dz), how the lessons write it in LaTeX,
the bound on g' that the vanishing-gradient lesson uses, and its colour in the plots.
:func:`register_activation` adds one (leaky ReLU, softplus, GELU, ...) in a single call.
"""

from __future__ import annotations

import dataclasses
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from . import _forms
from ._validation import choice


def _float(z):
    """z as a float array (integers become float64; float32 stays float32)."""
    z = np.asarray(z)
    return z if z.dtype.kind == "f" else z.astype(np.float64)  # kind "f": any float dtype


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
    with np.errstate(over="ignore"):
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


_COLORS_FREE = ("#56B4E9", "#882255", "#117733", "#332288", "#AA4499", "#44AA99", "#999933")
"""Colours given to registered activations without one (Okabe-Ito sky blue, then Tol's muted)."""
LINESTYLES = ("-", "--", "-.", ":")
_HEX = re.compile(r"#[0-9A-Fa-f]{6}")


def _bad(field: str, expected: str, given) -> ValueError:
    return ValueError(f"{field} must be {expected}; got {given!r}")


@dataclass(frozen=True)
class Activation:
    """Everything the course says about one activation g: the engine's functions, how the lessons
    write it, and how the plots draw it. Adding an activation is one :func:`register_activation`
    call; the engine, the trace, the diagnostics and the plots all read this entry.

    Attributes
    ----------
    name : str, the key in ``ACTIVATIONS`` ("sigmoid")
    function : callable z -> a = g(z), arrays of any shape
    derivative : callable z -> g'(z), elementwise; None for softmax (its Jacobian is not diagonal)
    vjp : callable (z, a, dL/da) -> dL/dz, all of shape (m, n); reuses a = g(z) where it can.
        Default: dL/da * derivative(z).
    label : display name for legends and text ("sigmoid", "ReLU", "leaky ReLU"); default: the
        name with spaces for underscores
    symbol : LaTeX symbol of g ("\\sigma", "\\tanh", "\\mathrm{ReLU}"; "g" for a function
        without a name of its own); default ``\\mathrm{name}``
    latex : g(z) in LaTeX with the slot ``<z>`` (or ``<-z>``), e.g. ``\\frac{1}{1 + e^{<-z>}}``;
        the trace fills it with numbers (see ``mlpcourse._forms``); default ``symbol(<z>)``
    latex_derivative : g'(z) in LaTeX with slots ``<z>``, ``<-z>`` and ``<a>`` (a = g(z)), e.g.
        ``<a> \\cdot (1 - <a>)``; default ``symbol'(<z>)``
    max_derivative : sup over z of |g'(z)|, the most one layer can pass back (lecture: "Vanishing
        gradient"; 1/4 for sigmoid; for softmax 1/2, the largest spectral norm of its Jacobian).
        Default: the largest |g'| on a grid of z in [-30, 30] (give it when you know it exactly)
    color : hex colour "#RRGGBB" of its curves in every plot; default: a colour no other
        registered activation uses
    linestyle : matplotlib line style of its curves, one of ``LINESTYLES``
    hidden : True if the course offers it for hidden layers (the playground's choices)
    """

    name: str
    function: Callable
    derivative: Callable | None
    vjp: Callable | None = None
    label: str = ""
    symbol: str = ""
    latex: str = ""
    latex_derivative: str = ""
    max_derivative: float | None = None
    color: str = ""
    linestyle: str = "-"
    hidden: bool = True

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise _bad("name", "a non-empty name of letters, digits and _ (e.g. 'softplus')",
                       self.name)
        for field in ("function", "derivative", "vjp"):
            value = getattr(self, field)
            if not (callable(value) or (value is None and field != "function")):
                raise _bad(field, "a function" + ("" if field == "function" else " or None"),
                           value)
        if self.derivative is None and self.vjp is None:
            raise _bad("vjp", "a function (z, a, dL/da) -> dL/dz when derivative is None",
                       None)
        for field in ("label", "symbol", "color"):
            if not isinstance(getattr(self, field), str):
                raise _bad(field, "a string", getattr(self, field))
        if self.color and not _HEX.fullmatch(self.color):
            raise _bad("color", "a hex colour '#RRGGBB'", self.color)
        if self.linestyle not in LINESTYLES:
            raise _bad("linestyle", f"one of {list(LINESTYLES)}", self.linestyle)
        if not isinstance(self.hidden, bool):
            raise _bad("hidden", "True or False", self.hidden)
        defaults = {}
        if self.vjp is None:
            defaults["vjp"] = _elementwise_vjp(_ignore_a(self.derivative))
        if not self.label:
            defaults["label"] = self.name.replace("_", " ")
        symbol = self.symbol or "\\mathrm{" + self.name.replace("_", "\\_") + "}"
        defaults["symbol"] = symbol
        defaults["latex"] = _forms.check("latex", self.latex or f"{symbol}(<z>)", ("z", "-z"))
        defaults["latex_derivative"] = _forms.check(
            "latex_derivative", self.latex_derivative or f"{symbol}'(<z>)", ("z", "-z", "a"))
        defaults["max_derivative"] = self._bound()
        for field, value in defaults.items():
            object.__setattr__(self, field, value)

    def _bound(self) -> float:
        bound = self.max_derivative
        if bound is None:
            if self.derivative is None:
                raise _bad("max_derivative", "a number >= 0 when derivative is None", None)
            with np.errstate(all="ignore"):
                bound = float(np.max(np.abs(self.derivative(np.linspace(-30.0, 30.0, 6001)))))
        if isinstance(bound, bool) or not isinstance(bound, int | float) or not (
                math.isfinite(bound) and bound >= 0):
            raise _bad("max_derivative", "a finite number >= 0 (sup |g'(z)|)", bound)
        return float(bound)

    def formula(self, z: str = "z") -> str:
        """g(z) in LaTeX with the symbol ``z`` written in: ``\\frac{1}{1 + e^{-z}}``."""
        return _forms.with_symbols(self.latex, z=z)

    def formula_derivative(self, z: str = "z", a: str | None = None) -> str:
        """g'(z) in LaTeX with symbols written in; ``a`` defaults to ``symbol(z)``:
        ``\\sigma(z) \\cdot (1 - \\sigma(z))``."""
        return _forms.with_symbols(self.latex_derivative, z=z, a=a or f"{self.symbol}({z})")


def _ignore_a(derivative):
    return lambda z, a: derivative(z)


ACTIVATIONS: dict[str, Activation] = {
    "step": Activation(
        "step", step, step_prime, _elementwise_vjp(lambda z, a: 0.0 * a), symbol="g",
        latex="\\mathbb{1}[<z> > 0]", latex_derivative="0", max_derivative=0.0,
        color="#000000", hidden=False),
    "linear": Activation(
        "linear", linear, linear_prime, lambda z, a, grad_a: grad_a, symbol="g", latex="<z>",
        latex_derivative="1", max_derivative=1.0, color="#999999"),
    "sigmoid": Activation(
        "sigmoid", sigmoid, sigmoid_prime, _elementwise_vjp(lambda z, a: a * (1.0 - a)),
        symbol="\\sigma", latex="\\frac{1}{1 + e^{<-z>}}",
        latex_derivative="<a> \\cdot (1 - <a>)", max_derivative=0.25, color="#D55E00"),
    "tanh": Activation(
        "tanh", tanh, tanh_prime, _elementwise_vjp(lambda z, a: 1.0 - a * a), symbol="\\tanh",
        latex="\\tanh(<z>)", latex_derivative="1 - <a>^2", max_derivative=1.0,
        color="#E69F00"),
    "relu": Activation(
        "relu", relu, relu_prime, _elementwise_vjp(lambda z, a: z > 0), label="ReLU",
        symbol="\\mathrm{ReLU}", latex="\\max(0, <z>)",
        latex_derivative="\\mathbb{1}[<z> > 0]", max_derivative=1.0, color="#0072B2"),
    "leaky_relu": Activation(
        "leaky_relu", leaky_relu, leaky_relu_prime,
        _elementwise_vjp(lambda z, a: leaky_relu_prime(z)), label="leaky ReLU",
        symbol="\\mathrm{LReLU}", latex="\\max(0.01 \\cdot <z>, <z>)",
        latex_derivative="\\mathbb{1}[<z> > 0] + 0.01 \\cdot \\mathbb{1}[<z> \\leq 0]",
        max_derivative=1.0, color="#009E73"),
    "softmax": Activation(
        "softmax", softmax, None, _softmax_vjp, symbol="\\mathrm{softmax}",
        latex="\\frac{e^{<z>_j}}{\\sum_k e^{<z>_k}}",
        latex_derivative="<a>_j (\\mathbb{1}[j = k] - <a>_k)", max_derivative=0.5,
        color="#CC79A7", hidden=False),
}
_BUILT_IN = frozenset(ACTIVATIONS)


def register_activation(name: str, function: Callable, derivative: Callable | None = None,
                        **fields) -> Activation:
    """Add an activation to ``ACTIVATIONS``: after this, the engine (``init_network``, ``forward``,
    ``backward``, ``fit``, ``gradient_check``), ``trace``, ``diagnostics`` and the plots know it.

    Parameters
    ----------
    name : new name, letters, digits and _ ("softplus")
    function : callable z -> g(z), elementwise on arrays of any shape
    derivative : callable z -> g'(z), elementwise (None only together with ``vjp``)
    fields : the other fields of :class:`Activation` (``label``, ``symbol``, ``latex``,
        ``latex_derivative``, ``max_derivative``, ``color``, ``linestyle``, ``hidden``, ``vjp``),
        each with a default

    Returns
    -------
    Activation, the new entry

    Examples
    --------
    >>> register_activation("softplus", lambda z: np.logaddexp(0, z), sigmoid,
    ...                     latex="\\ln(1 + e^{<z>})",
    ...                     latex_derivative="\\frac{1}{1 + e^{<-z>}}", max_derivative=1.0)
    """
    if name in ACTIVATIONS:
        raise ValueError(f"name must be a new activation name; got {name!r}, which is already in "
                         f"ACTIVATIONS (unregister_activation({name!r}) removes a registered one)")
    unknown = sorted(set(fields) - {f.name for f in dataclasses.fields(Activation)})
    if unknown:
        raise TypeError(f"register_activation() got unknown fields {unknown}; the fields are "
                        f"{[f.name for f in dataclasses.fields(Activation)][3:]}")
    if not fields.get("color"):
        used = {act.color.upper() for act in ACTIVATIONS.values()}
        free = [c for c in _COLORS_FREE if c.upper() not in used]
        fields["color"] = free[0] if free else _COLORS_FREE[len(ACTIVATIONS) % len(_COLORS_FREE)]
    act = Activation(name, function, derivative, **fields)
    ACTIVATIONS[name] = act
    return act


def unregister_activation(name: str) -> None:
    """Remove an activation added by :func:`register_activation` (the built-in ones stay)."""
    choice("name", name, ACTIVATIONS)
    if name in _BUILT_IN:
        raise ValueError(f"name must be a registered activation, not a built-in one "
                         f"{sorted(_BUILT_IN)}; got {name!r}")
    del ACTIVATIONS[name]


class _Column(Mapping):
    """A read-only view {name: field} over ``ACTIVATIONS`` (always up to date)."""

    def __init__(self, field: str):
        self.field = field

    def __getitem__(self, name):
        return getattr(ACTIVATIONS[name], self.field)

    def __iter__(self):
        return iter(ACTIVATIONS)

    def __len__(self):
        return len(ACTIVATIONS)

    def __repr__(self):
        return f"{self.field}: {dict(self)}"


def column(field: str) -> Mapping:
    """{name: that field} for every activation, read live from ``ACTIVATIONS`` (e.g.
    ``column("max_derivative")["sigmoid"] == 0.25``)."""
    return _Column(choice("field", field, {f.name: f for f in dataclasses.fields(Activation)}))


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
