"""Diagnostics for the lecture's "Vanishing gradient" slides: how large the gradient of each layer
is, how much of each layer sits on the flat parts of its activation, and how both change with
depth, activation and initialisation.

Backpropagation (lecture, Step 3) computes δ[l] = (δ[l+1] W[l+1]) ⊙ g'(z[l]) from the output
backwards, so the gradient of layer l carries the product of L - l factors g'(z) and L - l weight
matrices. Every function here measures a piece of that product on a real network; nothing is
assumed. Norms are returned as arrays of shape (L,) where entry l - 1 belongs to layer l (the
lecture's numbering, shifted by one because an array of norms has no unused slot 0).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._validation import as_generator, choice, describe, positive_float, positive_int
from .activations import ACTIVATIONS, column
from .network import INIT_METHODS, Network, backward, forward, init_network

# sup |g'(z)| of each activation, the factor that bounds what one layer can pass back, read live
# from the registry (for softmax the spectral norm of its Jacobian diag(s) - s s^T, at most 1/2)
MAX_DERIVATIVE = column("max_derivative")

GRADIENT_OF = ("W", "b", "delta")


def _check_net(net) -> Network:
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {describe(net)}")
    return net


def _norms(arrays, per_weight: bool) -> np.ndarray:
    """Frobenius norm of each array, or its root mean square entry when ``per_weight``."""
    norms = np.array([np.linalg.norm(a) for a in arrays], dtype=np.float64)
    if per_weight:
        norms /= np.sqrt([np.size(a) for a in arrays])
    return norms


def gradient_norms(net: Network, X, y, loss="binary_cross_entropy", of="W", per_weight=False):
    """The size of the gradient in every layer: ||dL/dW[l]|| for l = 1..L (lecture: "Vanishing
    gradient", the gradients w.r.t. the weights become extremely small as depth increases).

    Parameters
    ----------
    net : Network with L layers
    X : array of shape (m, n_0)
    y : targets for ``loss`` (see ``mlpcourse.backward``)
    loss : loss name
    of : "W" for ||dL/dW[l]||, "b" for ||dL/db[l]||, "delta" for ||δ[l]|| = ||dL/dz[l]|| (over the
        whole batch)
    per_weight : if True, divide each norm by the square root of the number of entries (the root
        mean square entry), so that layers of different sizes compare fairly

    Returns
    -------
    array of shape (L,): entry l - 1 is the (Frobenius) norm for layer l
    """
    _check_net(net)
    of = choice("of", of, dict.fromkeys(GRADIENT_OF))
    y_hat, cache = forward(net, X)
    grads = backward(net, cache, y, loss=loss)
    return _norms(getattr(grads, of)[1:], bool(per_weight))


@dataclass(frozen=True, eq=False)
class Saturation:
    """Where the hidden layers' pre-activations fall, and how many sit where g' is nearly 0.

    Attributes
    ----------
    fraction : array of shape (L - 1,); fraction[l - 1] is the share of hidden layer l's entries
        (samples x units) with g'(z) < threshold x max g'
    mean_derivative : array of shape (L - 1,), the mean of g'(z) over layer l's entries
    z : list of L - 1 arrays; z[l - 1] of shape (m, n_l) holds hidden layer l's pre-activations
    derivative : list of L - 1 arrays shaped like z: g'(z) (for softmax: the Jacobian's diagonal
        ∂a_i/∂z_i = a_i (1 - a_i))
    activations : list of L - 1 names, the hidden layers' activations
    threshold : float, the relative threshold used
    """

    fraction: np.ndarray
    mean_derivative: np.ndarray
    z: list
    derivative: list
    activations: list
    threshold: float

    @property
    def layers(self) -> np.ndarray:
        """The hidden layers' numbers 1..L-1."""
        return np.arange(1, len(self.z) + 1)


def _derivative_values(name: str, z, a):
    """g'(z) elementwise; for softmax the diagonal of its Jacobian, a (1 - a)."""
    if name == "softmax":
        return a * (1.0 - a)
    act = ACTIVATIONS[name]
    if act.derivative is None:
        raise ValueError(f"saturation needs hidden activations with an elementwise derivative (or "
                         f"softmax); activation {name!r} has none")
    return act.derivative(z)


def saturation(net: Network, X, threshold=0.01) -> Saturation:
    """How saturated each hidden layer is (lecture, Sigmoid: "Leads to saturation, where
    gradients are almost zero for large positive or negative inputs").

    An entry (one sample, one unit) counts as saturated when g'(z) < threshold x max g'. For ReLU
    that means z <= 0 (the unit passes no gradient for that sample); linear units never saturate.

    Parameters
    ----------
    net : Network with at least one hidden layer
    X : array of shape (m, n_0)
    threshold : float in (0, 1], relative to the activation's largest derivative (1/4 for sigmoid)

    Returns
    -------
    Saturation
    """
    _check_net(net)
    threshold = positive_float("threshold", threshold)
    if threshold > 1:
        raise ValueError(f"threshold must lie in (0, 1] (a share of the largest g'); "
                         f"got {threshold}")
    if net.L < 2:
        raise ValueError(f"net must have a hidden layer to measure saturation; got L = {net.L}")
    _, cache = forward(net, X)
    hidden = range(1, net.L)
    z = [np.atleast_2d(cache.z[l]) for l in hidden]
    names = [net.activations[l] for l in hidden]
    derivative = [_derivative_values(name, z_l, np.atleast_2d(cache.a[l]))
                  for name, z_l, l in zip(names, z, hidden, strict=True)]
    # a step passes no gradient anywhere: with max g' = 0 every entry is saturated
    fraction = np.array([np.mean(d < threshold * (MAX_DERIVATIVE[name] or 1.0))
                         for name, d in zip(names, derivative, strict=True)])
    mean_derivative = np.array([np.mean(d) for d in derivative], dtype=np.float64)
    return Saturation(fraction, mean_derivative, z, derivative, names, threshold)


@dataclass(frozen=True, eq=False)
class Factors:
    """How much each layer shrinks (or grows) δ on its way back, measured and bounded.

    Attributes
    ----------
    measured : array of shape (L - 1,); measured[l - 1] = ||δ[l]|| / ||δ[l+1]||
    mean_derivative : array of shape (L - 1,), the mean of g'(z[l]) over layer l's entries
    max_derivative : array of shape (L - 1,), the largest possible g' of layer l's activation
    spectral : array of shape (L - 1,), ||W[l+1]||_2, the most W[l+1]^T can stretch a vector
    bound : array of shape (L - 1,), max g' x ||W[l+1]||_2 >= measured
    """

    measured: np.ndarray
    mean_derivative: np.ndarray
    max_derivative: np.ndarray
    spectral: np.ndarray
    bound: np.ndarray

    @property
    def layers(self) -> np.ndarray:
        """The hidden layers' numbers 1..L-1."""
        return np.arange(1, len(self.measured) + 1)

    def product(self, which="measured") -> np.ndarray:
        """The factors multiplied from the output down to each layer.

        Parameters
        ----------
        which : "measured", "mean_derivative", "max_derivative", "spectral" or "bound"

        Returns
        -------
        array of shape (L,): entry l - 1 is the product of ``which`` over layers l..L-1 (for
        "measured": ||δ[l]|| / ||δ[L]||); the last entry, layer L, is 1
        """
        which = choice("which", which, dict.fromkeys(
            ("measured", "mean_derivative", "max_derivative", "spectral", "bound")))
        return np.append(np.cumprod(getattr(self, which)[::-1])[::-1], 1.0)


def backward_factors(net: Network, X, y, loss="binary_cross_entropy") -> Factors:
    """The factor by which each step δ[l] = (δ[l+1] W[l+1]) ⊙ g'(z[l]) changes ||δ|| (lecture,
    Step 3 applied layer after layer), next to its bound max g' x ||W[l+1]||_2.

    Since ||(δ W) ⊙ g'|| <= max|g'| ||δ W|| <= max|g'| ||W||_2 ||δ||, a sigmoid layer can pass back
    at most 1/4 of ||δ|| times the largest stretch of its weights. Over L - 1 layers the product of
    the derivative factors alone is at most (1/4)^(L-1).

    Parameters
    ----------
    net : Network with at least one hidden layer
    X : array of shape (m, n_0)
    y : targets for ``loss``
    loss : loss name

    Returns
    -------
    Factors (ratios where ||δ[l+1]|| is 0 are NaN)
    """
    _check_net(net)
    if net.L < 2:
        raise ValueError(f"net must have a hidden layer to measure factors; got L = {net.L}")
    delta = gradient_norms(net, X, y, loss=loss, of="delta")
    with np.errstate(divide="ignore", invalid="ignore"):
        measured = delta[:-1] / delta[1:]
    measured[delta[1:] == 0] = np.nan  # nothing came back: the ratio is undefined
    sat = saturation(net, X)
    max_derivative = np.array([MAX_DERIVATIVE[name] for name in sat.activations])
    spectral = np.array([np.linalg.norm(net.W[l], 2) for l in range(2, net.L + 1)],
                        dtype=np.float64)
    return Factors(measured, sat.mean_derivative, max_derivative, spectral,
                   max_derivative * spectral)


def deep_network(depth, width=32, activation="sigmoid", init="xavier", gain=1.0, n_in=2, n_out=1,
                 output="sigmoid", rng=None) -> Network:
    """A deep network for the experiments: ``depth`` layers with weights (depth - 1 hidden layers of
    ``width`` units, all with ``activation``) and an output layer (lecture: "as the network's
    depth increases").

    Parameters
    ----------
    depth : int >= 1, the number of layers with weights, L
    width : int, units per hidden layer
    activation : hidden activation, a name from ``ACTIVATIONS`` ("sigmoid", "tanh", "relu",
        "softmax", ...)
    init : "uniform" (the lecture's U(-1, 1)), "xavier", "he" or "zeros" (see ``init_network``)
    gain : float > 0, multiplies every initial weight
    n_in, n_out : input and output widths
    output : output activation ("sigmoid" with binary cross-entropy by default)
    rng : int seed or numpy.random.Generator

    Returns
    -------
    Network with sizes [n_in, width, ..., width, n_out] (L = depth)
    """
    depth = positive_int("depth", depth)
    width = positive_int("width", width)
    n_in = positive_int("n_in", n_in)
    n_out = positive_int("n_out", n_out)
    choice("activation", activation, ACTIVATIONS)
    choice("output", output, ACTIVATIONS)
    choice("init", init, dict.fromkeys(INIT_METHODS))
    gain = positive_float("gain", gain)
    sizes = [n_in] + [width] * (depth - 1) + [n_out]
    return init_network(sizes, [activation] * (depth - 1) + [output], method=init, rng=rng,
                        gain=gain)


@dataclass(frozen=True, eq=False)
class DepthSweep:
    """Gradient norms of networks of increasing depth.

    Attributes
    ----------
    depths : int array of shape (k,)
    norms : list of k arrays; norms[i] of shape (depths[i],) holds the per-layer norms
    """

    depths: np.ndarray
    norms: list

    @property
    def first(self) -> np.ndarray:
        """Array of shape (k,): the first layer's gradient norm at each depth."""
        return np.array([n[0] for n in self.norms])

    @property
    def last(self) -> np.ndarray:
        """Array of shape (k,): the output layer's gradient norm at each depth."""
        return np.array([n[-1] for n in self.norms])


def depth_sweep(depths, X, y, activation="sigmoid", width=32, init="xavier", gain=1.0,
                loss="binary_cross_entropy", output="sigmoid", n_out=1, of="W", per_weight=False,
                repeats=1, rng=None) -> DepthSweep:
    """Per-layer gradient norms for one freshly initialised network per depth (lecture: "the
    gradients ... become extremely small as the network's depth increases").

    Parameters
    ----------
    depths : sequence of ints >= 1 (the number of layers with weights, L)
    X : array of shape (m, n_0); y : targets for ``loss`` and the output layer
    activation, width, init, gain, output, n_out : as in :func:`deep_network`
    loss, of, per_weight : as in :func:`gradient_norms`
    repeats : networks per depth (different initial weights); their norms are averaged
        geometrically (the mean of the logarithms), as suits quantities spanning decades
    rng : int seed or numpy.random.Generator (one stream for all networks)

    Returns
    -------
    DepthSweep
    """
    if isinstance(depths, str) or not hasattr(depths, "__len__") or len(depths) == 0:
        raise ValueError(f"depths must be a non-empty sequence of ints; got {describe(depths)}")
    depths = np.array([positive_int("depths", d) for d in depths])
    repeats = positive_int("repeats", repeats)
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (m, n_0); got {describe(X)}")
    rng = as_generator(rng)
    norms = []
    for depth in depths:  # one network per depth: each is computed with whole-array operations
        runs = [gradient_norms(
            deep_network(depth, width, activation, init, gain, X.shape[1], n_out, output, rng),
            X, y, loss=loss, of=of, per_weight=per_weight) for _ in range(repeats)]
        with np.errstate(divide="ignore"):
            norms.append(np.exp(np.mean(np.log(np.array(runs)), axis=0)))
    return DepthSweep(depths, norms)


def weight_change(before: Network, after: Network, relative=True) -> np.ndarray:
    """How far training moved each layer's weights: ||W_after[l] - W_before[l]||, divided by
    ||W_before[l]|| when ``relative``. A vanishing gradient shows as a first layer that hardly
    moved (lecture: "making it difficult for the network to learn effectively").

    Parameters
    ----------
    before, after : Networks of the same sizes

    Returns
    -------
    array of shape (L,): entry l - 1 belongs to layer l
    """
    _check_net(before)
    if not isinstance(after, Network):
        raise TypeError(f"after must be a Network; got {describe(after)}")
    if before.sizes != after.sizes:
        raise ValueError(f"after must have the sizes of before, {before.sizes}; got {after.sizes}")
    change = _norms([a - b for a, b in zip(after.W[1:], before.W[1:], strict=True)], False)
    if relative:
        with np.errstate(divide="ignore", invalid="ignore"):
            change = change / _norms(before.W[1:], False)
    return change
