"""The feed-forward network: weights, the forward pass, backpropagation and the update step.

Notation follows the lecture. Layers are numbered l = 1..L (slot 0 of ``W``, ``b``, ``z``,
``delta`` is unused; ``a[0]`` is the input). ``W[l]`` has shape (n_l, n_{l-1}): ``W[l][i, j]``
is the lecture's w_ij^(l), the weight from input j into neuron i (the lecture counts from 1,
numpy from 0). Samples are rows: the lecture's z = W x + b becomes Z = A W^T + b for a batch A.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ._validation import as_array, as_generator, choice, describe, positive_float
from .activations import ACTIVATIONS
from .losses import check_output_activation, get_loss, prepare_targets


@dataclass(frozen=True, eq=False, slots=True)
class Network:
    """Weights, biases and activations of a fully connected feed-forward network.

    Attributes
    ----------
    W : list of L + 1 entries; W[0] is None and W[l] has shape (n_l, n_{l-1})
    b : list of L + 1 entries; b[0] is None and b[l] has shape (n_l,)
    activations : list of L + 1 names; activations[0] is None, activations[l] is layer l's g
    """

    W: list
    b: list
    activations: list

    @classmethod
    def from_weights(cls, W, b, activations) -> Network:
        """Build a network from L weight matrices, L bias vectors and L activation names.

        Parameters
        ----------
        W : sequence of L arrays; W[l-1] (layer l) has shape (n_l, n_{l-1})
        b : sequence of L arrays; b[l-1] has shape (n_l,)
        activations : sequence of L names from ``ACTIVATIONS``

        A leading ``None`` in W, b or activations is accepted (lecture numbering, slot 0 unused).
        Integer weights become float64; float32 weights stay float32 if all are float32.
        """
        W, b, activations = (_drop_slot0(name, v) for name, v in
                             (("W", W), ("b", b), ("activations", activations)))
        if len(W) == 0:
            raise ValueError("W must hold at least one weight matrix; got an empty list")
        if len(b) != len(W):
            raise ValueError(f"b must hold one bias vector per layer: expected {len(W)}; "
                             f"got {len(b)}")
        if len(activations) != len(W):
            raise ValueError(f"activations must name one activation per layer: expected "
                             f"{len(W)} for {len(W)} weight matrices; got {len(activations)}")
        W = [as_array(f"W[{l}]", w, ndim=2) for l, w in enumerate(W, start=1)]
        dtype = np.float32 if all(w.dtype == np.float32 for w in W) else np.float64
        W = [w.astype(dtype) for w in W]  # a private copy: the caller's arrays are never shared
        b = [as_array(f"b[{l}]", v, ndim=(0, 1), dtype=dtype).reshape(-1).copy()
             for l, v in enumerate(b, start=1)]
        for l in range(1, len(W) + 1):
            if l > 1 and W[l - 1].shape[1] != W[l - 2].shape[0]:
                raise ValueError(
                    f"W[{l}] must have shape (n_{l}, {W[l - 2].shape[0]}) to take the "
                    f"{W[l - 2].shape[0]} outputs of layer {l - 1}; got shape {W[l - 1].shape}"
                )
            if b[l - 1].shape != (W[l - 1].shape[0],):
                raise ValueError(f"b[{l}] must have shape ({W[l - 1].shape[0]},) to match W[{l}] "
                                 f"of shape {W[l - 1].shape}; got shape {b[l - 1].shape}")
        names = [choice(f"activations[{l}]", a, ACTIVATIONS) for l, a in
                 enumerate(activations, start=1)]
        return cls([None, *W], [None, *b], [None, *names])

    @property
    def L(self) -> int:
        """Number of layers with weights (hidden layers + the output layer)."""
        return len(self.W) - 1

    @property
    def sizes(self) -> list[int]:
        """[n_0, n_1, ..., n_L]: the input width and the width of every layer."""
        return [self.W[1].shape[1]] + [w.shape[0] for w in self.W[1:]]

    @property
    def dtype(self):
        return self.W[1].dtype

    def copy(self) -> Network:
        """A deep copy (new arrays)."""
        return Network([None, *(w.copy() for w in self.W[1:])],
                       [None, *(v.copy() for v in self.b[1:])], list(self.activations))

    def astype(self, dtype) -> Network:
        """A copy with every weight and bias cast to ``dtype`` (float32 or float64)."""
        return Network([None, *(w.astype(dtype) for w in self.W[1:])],
                       [None, *(v.astype(dtype) for v in self.b[1:])], list(self.activations))

    def __repr__(self) -> str:
        layers = "-".join(str(n) for n in self.sizes)
        return f"Network({layers}, activations={self.activations[1:]}, dtype={self.dtype})"


def _drop_slot0(name, values):
    if isinstance(values, np.ndarray | str) or not hasattr(values, "__len__"):
        raise TypeError(f"{name} must be a list with one entry per layer; got {describe(values)}")
    values = list(values)
    return values[1:] if values and values[0] is None else values


INIT_METHODS = ("uniform", "zeros", "xavier", "he")


def init_network(sizes, activations, method="uniform", rng=None, gain=1.0,
                 dtype=np.float64) -> Network:
    """A network with freshly initialised weights (lecture: "Step 1: Initializing of weights").

    Parameters
    ----------
    sizes : [n_0, n_1, ..., n_L], the input width then each layer's width
    activations : L activation names, one per layer
    method : "uniform" (the lecture's U(-1, 1)), "zeros" (fails: every neuron of a layer stays
        identical), "xavier" (Glorot uniform, U(±sqrt(6 / (n_in + n_out)))) or "he" (normal with
        variance 2 / n_in, for ReLU)
    rng : int seed or numpy.random.Generator
    gain : float, multiplies every weight (to explore initialisation scale)
    dtype : float64 (default) or float32

    Biases start at 0 (the weights already break the symmetry).
    """
    if isinstance(sizes, str | bytes) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layer widths [n_0, ..., n_L]; got "
                         f"{describe(sizes)}")
    if not all(isinstance(n, int | np.integer) and not isinstance(n, bool) and n >= 1
               for n in sizes):
        raise ValueError(f"sizes must be positive integers; got {list(sizes)}")
    choice("method", method, dict.fromkeys(INIT_METHODS))
    gain = float(gain)
    rng = as_generator(rng)
    W, b = [], []
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        if method == "uniform":
            w = rng.uniform(-1.0, 1.0, size=(n_out, n_in))
        elif method == "zeros":
            w = np.zeros((n_out, n_in))
        elif method == "xavier":
            limit = np.sqrt(6.0 / (n_in + n_out))
            w = rng.uniform(-limit, limit, size=(n_out, n_in))
        else:  # "he"
            w = rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_out, n_in))
        W.append((gain * w).astype(dtype))
        b.append(np.zeros(n_out, dtype=dtype))
    activations = list(activations) if not isinstance(activations, str) else activations
    return Network.from_weights(W, b, activations)


@dataclass(frozen=True, eq=False, slots=True)
class Cache:
    """What the forward pass remembers for backpropagation.

    Attributes
    ----------
    z : list; z[0] is None and z[l] (m, n_l) is layer l's weighted sum W a + b
    a : list; a[0] (m, n_0) is the input and a[l] = g(z[l]) (m, n_l)
    single : True when forward was given one 1-D sample (then every z[l], a[l] is 1-D)
    """

    z: list
    a: list
    single: bool = False


def _check_input(net: Network, X, name="X"):
    # a float array whose sum is finite has only finite entries (NaN and inf propagate into the
    # sum); anything else gets the full check and its message
    if not (type(X) is np.ndarray and X.dtype.kind == "f" and X.ndim in (1, 2)
            and math.isfinite(_sum(X))):
        X = as_array(name, X, ndim=(1, 2))
    n_in = net.W[1].shape[1]
    if X.shape[-1] != n_in:
        want = f"({n_in},) or (m, {n_in})"
        raise ValueError(f"{name} must have {n_in} features per sample for this network, shape "
                         f"{want}; got {describe(X)}")
    return X


def _sum(X) -> float:
    """The sum of X's entries (a sum is NaN or inf when an entry is, so it checks them all)."""
    if X.ndim == 1 and X.size <= 16:  # one small sample: summed in Python (benchmarks/README.md)
        return sum(X.tolist())
    return X.sum()


def forward(net: Network, X):
    """The forward pass (lecture: "Going forward"): z[l] = W[l] a[l-1] + b[l], a[l] = g(z[l]).

    Parameters
    ----------
    net : Network
    X : array of shape (m, n_0), one sample per row, or (n_0,) for a single sample

    Returns
    -------
    y_hat : array of shape (m, n_L), or (n_L,) for a single sample
    cache : Cache with every z[l] and a[l]
    """
    X = _check_input(net, X)
    z, a = _forward(net, X)
    return a[-1], Cache(z, a, X.ndim == 1)


def _forward(net: Network, X):
    """``forward`` without the checks, for callers that validated X once: lists z, a.

    One sample (1-D X) goes through as the lecture writes it, z = W a + b; a batch (2-D, rows
    are samples) as Z = A W^T + b.
    """
    z, a = [None], [X]
    single = X.ndim == 1
    for l in range(1, len(net.W)):
        z_l = net.W[l].dot(a[-1]) if single else a[-1] @ net.W[l].T  # W.dot(a) is W @ a
        z_l += net.b[l]
        z.append(z_l)
        a.append(ACTIVATIONS[net.activations[l]].function(z_l))
    return z, a


@dataclass(frozen=True, eq=False, slots=True)
class Gradients:
    """dL/dW, dL/db and δ = dL/dz for every layer (slot 0 unused), from ``backward``.

    Attributes
    ----------
    W : list; W[l] has the shape of net.W[l]
    b : list; b[l] has the shape of net.b[l]
    delta : list; delta[l] = dL/dz[l], shaped like cache.z[l]
    """

    W: list
    b: list
    delta: list


def backward(net: Network, cache: Cache, y, loss="mse") -> Gradients:
    """Backpropagation (lecture: "Step 3"): the gradients of the mean loss w.r.t. every W and b.

    The output delta δ[L] = dL/dz[L] is exactly (ŷ - y) / (number of averaged terms) for sigmoid
    with binary cross-entropy and for softmax with cross-entropy (the lecture's δ = ŷ - y for one
    sample); otherwise it is the chain rule dL/dŷ · g'(z[L]) (softmax through its Jacobian). Then
    δ[l] = (δ[l+1] W[l+1]) ⊙ g'(z[l]), dL/dW[l] = δ[l]^T a[l-1] and dL/db[l] = Σ_samples δ[l].

    Parameters
    ----------
    net : Network
    cache : Cache from ``forward(net, X)``
    y : targets: (m, n_L), (m,) for one output, (m,) labels for cross_entropy; for a single
        sample, a scalar or (n_L,)
    loss : name of the loss whose mean is differentiated
    """
    spec = get_loss(loss)
    check_output_activation(spec.name, net.activations[net.L])
    z, a = cache.z, cache.a
    if [v.shape[-1] for v in a] != net.sizes:
        raise ValueError(f"cache does not belong to this network: expected layer widths "
                         f"{net.sizes}; got {[v.shape[-1] for v in a]}")
    y_hat = a[-1]
    if cache.single and y_hat.shape == (1,) and _plain_target(spec.name, y):
        Y = np.array([y], y_hat.dtype)  # one number, checked in Python: no array checks needed
    elif cache.single:  # targets of one sample, checked as a batch of one
        y = np.asarray(y)
        y = y.reshape(1) if y.ndim == 0 and y_hat.shape[0] > 1 else y.reshape(1, -1)
        Y = prepare_targets(spec.name, y, (1, y_hat.shape[0]), y_hat.dtype)[0]
    else:
        Y = prepare_targets(spec.name, y, y_hat.shape, y_hat.dtype)
    return Gradients(*_backward(net, z, a, Y, spec))


def _plain_target(loss: str, y) -> bool:
    """True for a target that is one Python number valid for ``loss`` (mse: finite; binary
    cross-entropy: in [0, 1]); anything else goes through ``prepare_targets`` and its messages."""
    if type(y) is float or (type(y) is int and abs(y) <= 2**53):  # ints that convert exactly
        if loss == "mse":
            return math.isfinite(y)
        return loss == "binary_cross_entropy" and 0 <= y <= 1
    return False


def _backward(net: Network, z, a, Y, spec):
    """``backward`` without the checks, for z, a from ``_forward`` (1-D for one sample, 2-D for
    a batch) and prepared targets Y shaped like a[L]: lists dW, db, delta."""
    L = net.L
    y_hat = a[L]
    batch = y_hat.ndim == 2
    delta = [None] * (L + 1)
    output = ACTIVATIONS[net.activations[L]]
    if output.name == spec.shortcut_activation:
        # sigmoid + BCE, softmax + CE: g' cancels against dL/dŷ, leaving ŷ - y (over N terms)
        if spec.outputs == "mean":
            terms = y_hat.size  # the mean over every output (binary cross-entropy)
        else:
            terms = len(y_hat) if batch else 1  # the mean over samples
        delta[L] = y_hat - Y
        if terms > 1:  # dividing by 1 changes nothing: skipped for one sample
            delta[L] /= terms
    elif batch:
        delta[L] = output.vjp(z[L], y_hat, spec.gradient(y_hat, Y))
    else:  # the loss gradients are written for batches: one sample is a batch of one
        grad = spec.gradient(y_hat.reshape(1, -1), Y.reshape(1, -1)).reshape(y_hat.shape)
        delta[L] = output.vjp(z[L], y_hat, grad)
    dW, db = [None] * (L + 1), [None] * (L + 1)
    for l in range(L, 0, -1):
        if batch:
            dW[l] = delta[l].T @ a[l - 1]
            db[l] = delta[l].sum(axis=0)
        else:  # one sample: the lecture's dL/dW = δ a^T (an outer product) and dL/db = δ
            dW[l] = np.multiply.outer(delta[l], a[l - 1])
            db[l] = delta[l].copy()
        if l > 1:
            # δ[l] W[l] is the lecture's W^T δ (a sample is a row here, a column there)
            delta[l - 1] = ACTIVATIONS[net.activations[l - 1]].vjp(
                z[l - 1], a[l - 1], delta[l] @ net.W[l] if batch else delta[l].dot(net.W[l]))
    return dW, db, delta


def update(net: Network, grads: Gradients, eta=0.01) -> Network:
    """One gradient-descent step (lecture: "Step 4"): w_new = w_old - η dL/dw, same for b.

    Returns a new Network; ``net`` is left unchanged.
    """
    if not (type(eta) is float and 0.0 < eta < math.inf):  # else the full check and its message
        eta = positive_float("eta", eta)
    W, b, dW, db = net.W, net.b, grads.W, grads.b
    if len(dW) != len(W) or len(db) != len(b):
        raise ValueError(f"grads do not fit this network: gradients for {len(dW) - 1} layers, "
                         f"expected {len(W) - 1}")
    for l in range(1, len(W)):
        if dW[l].shape != W[l].shape or db[l].shape != b[l].shape:
            raise ValueError(f"grads do not fit this network: grads.W[{l}] has shape "
                             f"{dW[l].shape}, expected {W[l].shape}")
    return _update(net, dW, db, eta)


def _update(net: Network, dW, db, eta: float) -> Network:
    """``update`` without the checks: a new Network with W - η dW and b - η db."""
    dtype = net.W[1].dtype
    W, b = [None], [None]
    for l in range(1, len(net.W)):
        W.append(net.W[l] - eta * dW[l])  # eta, a Python float, keeps float32 float32
        b.append(net.b[l] - eta * db[l])
        if W[l].dtype != dtype or b[l].dtype != dtype:  # float64 gradients for float32 weights
            W[l], b[l] = W[l].astype(dtype), b[l].astype(dtype)
    return Network(W, b, list(net.activations))


def predict(net: Network, X):
    """Predictions: class labels for a softmax output (argmax), 0/1 for sigmoid outputs
    (threshold 0.5), and the raw output ŷ otherwise.

    Returns
    -------
    array of shape (m,) of labels for softmax; (m, n_L) otherwise (1-D for a single sample)
    """
    y_hat, _ = forward(net, X)
    output = net.activations[net.L]
    if output == "softmax":
        return np.argmax(y_hat, axis=-1)
    if output in ("sigmoid", "step"):
        return (y_hat > 0.5).astype(np.int64)
    return y_hat


def accuracy(net: Network, X, y) -> float:
    """Fraction of samples classified correctly; y: (m,) labels (softmax) or 0/1 targets."""
    labels = predict(net, X)
    y = np.asarray(y)
    if net.activations[net.L] == "softmax" and y.ndim == 2:
        y = np.argmax(y, axis=1)
    y = y.reshape(labels.shape)
    return float(np.mean(labels == y))
