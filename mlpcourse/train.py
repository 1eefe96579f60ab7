"""Training: minibatch gradient descent with early stopping on a validation set.

Lecture ("Some things to keep in mind", Early stopping): use a validation set V different from
the training set; every k rounds check the loss on V; if it starts to increase, stop training.
Here k is ``check_every`` and "starts to increase" is made robust to noise with ``patience``: stop
once the validation loss has not improved for ``patience`` checks in a row, and return the best
weights seen.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ._validation import as_generator, describe, positive_float, positive_int
from .activations import ACTIVATIONS
from .losses import check_output_activation, get_loss, prepare_targets
from .network import Network, _check_input, _forward


@dataclass
class History:
    """What happened during ``fit``.

    Attributes
    ----------
    train_loss : list of float, the mean training loss of each epoch (averaged over its
        minibatches as they were seen, so no extra pass over the data)
    val_loss : list of float, the validation loss at each check
    val_epochs : list of int, the epoch (1-based) of each check
    stopped_epoch : int, the last epoch that ran
    best_epoch : int or None, the epoch whose weights were returned (None: no validation set)
    stopped_early : bool, True if early stopping ended training before ``epochs``
    diverged : bool, True if the training loss stopped being a finite number (η too large); the
        weights from the end of the last finite epoch are returned
    """

    train_loss: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_epochs: list = field(default_factory=list)
    stopped_epoch: int = 0
    best_epoch: int | None = None
    stopped_early: bool = False
    diverged: bool = False


def minibatches(m: int, batch_size: int, rng) -> list[np.ndarray]:
    """Split the indices 0..m-1, shuffled by ``rng``, into batches of ``batch_size`` (last may be
    smaller)."""
    order = as_generator(rng).permutation(m)
    return [order[i:i + batch_size] for i in range(0, m, batch_size)]


def fit(net: Network, X, y, loss="mse", eta=0.1, epochs=100, batch_size=32, validation=None,
        check_every=1, patience=3, rng=None, callback=None):
    """Train ``net`` by minibatch gradient descent; return (trained network, History).

    Parameters
    ----------
    net : Network, left unchanged (a trained copy is returned)
    X : array of shape (m, n_0)
    y : targets for ``loss`` ((m, n_L), (m,) for one output, (m,) labels for cross_entropy)
    loss : loss name
    eta : learning rate η
    epochs : maximum number of passes over the training set
    batch_size : samples per gradient step (the whole set if batch_size >= m)
    validation : (X_val, y_val) or None; with it, early stopping is on
    check_every : look at the validation loss every ``check_every`` epochs (the lecture's k)
    patience : stop after this many checks in a row without a new best validation loss
    rng : int seed or Generator for the shuffle
    callback : optional callable(epoch, net, history), called after every epoch (for live plots)
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a Network; got {describe(net)}")
    spec = get_loss(loss)
    check_output_activation(spec.name, net.activations[net.L])
    X = _check_input(net, X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (m, {net.sizes[0]}) for training; got {describe(X)}")
    m = X.shape[0]
    if m == 0:
        raise ValueError(f"X must hold at least one sample; got {describe(X)}")
    Y = prepare_targets(spec.name, y, (m, net.sizes[-1]), net.dtype)
    X = X.astype(net.dtype, copy=False)  # one dtype end to end: float32 stays float32
    eta = positive_float("eta", eta)
    epochs = positive_int("epochs", epochs)
    batch_size = positive_int("batch_size", batch_size)
    check_every = positive_int("check_every", check_every)
    patience = positive_int("patience", patience)
    rng = as_generator(rng)
    if validation is not None:
        if not isinstance(validation, tuple | list) or len(validation) != 2:
            raise TypeError(f"validation must be a pair (X_val, y_val); got {describe(validation)}")
        X_val = _check_input(net, validation[0], "validation X_val").astype(net.dtype, copy=False)
        if X_val.ndim != 2:  # a 1-D X_val would be read as one sample: refuse, as for X
            raise ValueError(f"validation X_val must be 2-D (m, {net.sizes[0]}); got "
                             f"{describe(X_val)}")
        Y_val = prepare_targets(spec.name, validation[1], (X_val.shape[0], net.sizes[-1]),
                                net.dtype)

    history = History()
    work = _Workspace(net, min(batch_size, m), spec, eta)
    saved = np.empty_like(work.theta)  # the weights at the epoch's start (for a divergence)
    best_theta, best_loss, checks_without_improvement = None, np.inf, 0
    for epoch in range(1, epochs + 1):
        total = 0.0
        np.copyto(saved, work.theta)
        # a too-large η overflows to inf/NaN: detected below, so numpy need not warn about it
        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            for batch in minibatches(m, batch_size, rng):
                total += work.step(X, Y, batch)
        history.train_loss.append(total / m)
        history.stopped_epoch = epoch
        if not np.isfinite(total):
            history.diverged = True
            np.copyto(work.theta, saved)
            break
        stop = False
        if validation is not None and epoch % check_every == 0:
            val_loss = spec.function(_forward(work.net, X_val)[1][-1], Y_val)
            history.val_loss.append(val_loss)
            history.val_epochs.append(epoch)
            if val_loss < best_loss:
                best_theta, best_loss, history.best_epoch = work.theta.copy(), val_loss, epoch
                checks_without_improvement = 0
            else:
                checks_without_improvement += 1
                stop = checks_without_improvement >= patience
        if callback is not None:
            callback(epoch, work.net.copy(), history)  # a snapshot: training goes on in place
        if stop:
            history.stopped_early = True
            break
    if validation is not None and history.best_epoch is not None:
        np.copyto(work.theta, best_theta)
    return work.net, history


class _Workspace:
    """Everything one minibatch step needs, allocated once per ``fit`` and reused by every batch.

    Training runs in place on private copies of the weights (the caller's network is never
    touched), without per-batch temporaries: fresh arrays in every batch make glibc hand memory
    back to the OS and page-fault it in again (benchmarks/README.md, "page-fault trap").
    All weights and biases are views into one flat array ``theta`` and all gradients views into
    ``grad`` (same layout): a layer's W and b are updated together, θ_l ← θ_l - η ∇θ_l, and the
    weights are saved (for early stopping, a divergence) with one copy.
    The step does exactly the operations of forward, backward and update, in the same order, so
    it gives the same numbers, bit for bit.
    """

    def __init__(self, net: Network, batch_size: int, spec, eta: float):
        sizes, dtype, L = net.sizes, net.dtype, net.L
        count = sum(n * (k + 1) for k, n in zip(sizes[:-1], sizes[1:], strict=True))  # W and b
        self.theta = np.empty(count, dtype)
        self.grad = np.empty_like(self.theta)
        self.W, self.b, self.theta_l = _layer_views(self.theta, sizes)
        self.dW, self.db, self.grad_l = _layer_views(self.grad, sizes)
        for l in range(1, L + 1):
            self.W[l][...], self.b[l][...] = net.W[l], net.b[l]
        self.net = Network(self.W, self.b, list(net.activations))  # wraps the live arrays
        self.spec, self.eta, self.L = spec, eta, L
        output = ACTIVATIONS[net.activations[L]]
        self.output = None if output.name == spec.shortcut_activation else output
        # g and its vjp for each layer, written into buffers (the table's functions as fallback)
        self.g = [None] + [_KERNELS.get(ACTIVATIONS[name], (None, None))[0] or _into(name)
                           for name in net.activations[1:]]
        self.g_vjp = [None] + [_KERNELS.get(ACTIVATIONS[name], (None, None))[1] or
                               _vjp_into(name) for name in net.activations[1:]]
        z = [None] + [np.empty((batch_size, n), dtype) for n in sizes[1:]]
        self.buffers = {batch_size: (
            z,
            [np.empty((batch_size, n), dtype) for n in sizes],  # a; a[0]: the batch's inputs
            [None] + [np.empty_like(v) for v in z[1:]],  # delta
            [None] + [np.empty_like(v) for v in z[1:]],  # scratch for g and g'
            [None] + [np.empty(v.shape, bool) for v in z[1:]],  # mask
            np.empty((batch_size, sizes[-1]), dtype),  # the batch's targets
        )}
        self.batch_size = batch_size

    def rows(self, k: int):
        """The buffers, or views of their first k rows for a last batch of k < batch_size."""
        if k not in self.buffers:
            full = self.buffers[self.batch_size]
            self.buffers[k] = tuple([v if v is None else v[:k] for v in part] for part in
                                    full[:-1]) + (full[-1][:k],)
        return self.buffers[k]

    def step(self, X, Y, batch) -> float:
        """Forward, backward and update on the rows ``batch`` of X and of the prepared targets
        Y; return the batch's loss times its number of samples."""
        k, L, W, b, dW, db = len(batch), self.L, self.W, self.b, self.dW, self.db
        z, a, delta, scratch, mask, y = self.rows(k)
        # the batch's rows copied into reused buffers; "clip" skips the bounds-check buffering
        np.take(X, batch, axis=0, out=a[0], mode="clip")
        np.take(Y, batch, axis=0, out=y, mode="clip")
        for l in range(1, L + 1):
            np.matmul(a[l - 1], W[l].T, out=z[l])
            z[l] += b[l]
            self.g[l](z[l], a[l], scratch[l], mask[l])
        loss = self.spec.function(a[L], y) * k
        if self.output is None:  # the shortcut δ[L] = (ŷ - y) / N, as in backward
            np.subtract(a[L], y, out=delta[L])
            delta[L] /= a[L].size if self.spec.name == "binary_cross_entropy" else k
        else:
            delta[L][...] = self.output.vjp(z[L], a[L], self.spec.gradient(a[L], y))
        for l in range(L, 0, -1):
            np.matmul(delta[l].T, a[l - 1], out=dW[l])
            np.add.reduce(delta[l], axis=0, out=db[l])  # np.sum, minus its Python wrapper
            if l > 1:
                np.matmul(delta[l], W[l], out=delta[l - 1])  # with W[l] before its update
                self.g_vjp[l - 1](z[l - 1], a[l - 1], delta[l - 1], scratch[l - 1], mask[l - 1])
            # update layer l (W[l] and b[l] in one slice) while its gradient is still in cache
            self.grad_l[l] *= self.eta
            self.theta_l[l] -= self.grad_l[l]
        return loss


def _into(name):
    """a = g(z) written into a, with the activation table's function (no in-place kernel)."""
    def g(z, a, scratch, mask):
        np.copyto(a, ACTIVATIONS[name].function(z))
    return g


def _vjp_into(name):
    """grad_a ← the activation table's vjp of grad_a (no in-place kernel)."""
    def g_vjp(z, a, grad_a, scratch, mask):
        grad_a[...] = ACTIVATIONS[name].vjp(z, a, grad_a)
    return g_vjp


def _layer_views(flat, sizes):
    """W[l] (n_l, n_{l-1}), b[l] (n_l,) and both together (one 1-D slice per layer), as views
    into the 1-D array ``flat``: W[1], b[1], W[2], b[2], ... one after the other."""
    W, b, both, start = [None], [None], [None], 0
    for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True):
        W.append(flat[start:start + n_out * n_in].reshape(n_out, n_in))
        b.append(flat[start + n_out * n_in:start + n_out * (n_in + 1)])
        both.append(flat[start:start + n_out * (n_in + 1)])
        start += n_out * (n_in + 1)
    return W, b, both


# In-place versions of the common activations, for fit's buffers: the same operations in the same
# order as activations.py (so the same numbers), written into preallocated arrays.
def _relu(z, a, scratch, mask):
    np.maximum(z, 0.0, out=a)


def _relu_vjp(z, a, grad_a, scratch, mask):
    np.greater(z, 0, out=mask)
    np.multiply(grad_a, mask, out=grad_a)  # dL/da * (z > 0)


def _sigmoid(z, a, scratch, mask):
    np.negative(z, out=a)
    np.exp(a, out=a)  # e^{-z}; inf for z < -709 (fit silences the warning), so σ = 0 as in sigmoid
    np.add(a, 1.0, out=a)
    np.divide(1.0, a, out=a)  # 1 / (1 + e^{-z})


def _sigmoid_vjp(z, a, grad_a, scratch, mask):
    np.subtract(1.0, a, out=scratch)
    np.multiply(a, scratch, out=scratch)  # σ' = a (1 - a)
    np.multiply(grad_a, scratch, out=grad_a)


def _tanh(z, a, scratch, mask):
    np.tanh(z, out=a)


def _tanh_vjp(z, a, grad_a, scratch, mask):
    np.multiply(a, a, out=scratch)
    np.subtract(1.0, scratch, out=scratch)  # tanh' = 1 - a^2
    np.multiply(grad_a, scratch, out=grad_a)


def _linear(z, a, scratch, mask):
    np.copyto(a, z)


def _linear_vjp(z, a, grad_a, scratch, mask):
    pass  # g' = 1


def _softmax(z, a, scratch, mask):
    row = scratch[:, :1]  # one number per sample: the row maximum, then the row sum
    np.maximum.reduce(z, axis=1, keepdims=True, out=row)  # np.max without its Python wrapper
    np.subtract(z, row, out=a)
    np.exp(a, out=a)
    np.add.reduce(a, axis=1, keepdims=True, out=row)  # np.sum without its Python wrapper
    np.divide(a, row, out=a)


# keyed by the table entry itself: an entry someone replaced falls back to its own functions
_KERNELS = {
    ACTIVATIONS["relu"]: (_relu, _relu_vjp),
    ACTIVATIONS["sigmoid"]: (_sigmoid, _sigmoid_vjp),
    ACTIVATIONS["tanh"]: (_tanh, _tanh_vjp),
    ACTIVATIONS["linear"]: (_linear, _linear_vjp),
    ACTIVATIONS["softmax"]: (_softmax, None),
}
