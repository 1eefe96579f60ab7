"""The minibatch step that ``fit`` runs: ``textbook_step`` (in ``train.py``) done in place.

``textbook_step`` is the lecture's step: forward pass, loss, backpropagation, update, through the
public ``forward``, ``loss``, ``backward`` and ``update``, each of which checks its input and
returns new arrays. :class:`InPlaceStep` does exactly the same operations in the same order, so it
gives the same numbers bit for bit (tests/test_fit_fast_path.py holds them equal), but checks the
arguments once per ``fit`` and writes every z[l], a[l], δ[l] and gradient into buffers allocated
once and reused by every batch. Why each of these choices pays: benchmarks/README.md ("What was
changed in the engine").

Layout of the weights: every W[l] and b[l] is a view into one flat array ``theta``, every dW[l]
and db[l] a view into ``grad`` with the same layout, so a layer's W and b are updated together,
θ_l ← θ_l - η ∇θ_l, and the whole network is copied in one operation.
"""

from __future__ import annotations

import numpy as np

from .activations import ACTIVATIONS
from .network import Network


class InPlaceStep:
    """One minibatch step of gradient descent, in place, for one network, loss, η and batch size.

    ``step = InPlaceStep(net, spec, eta, batch_size)`` copies ``net``'s weights into its own
    arrays (the caller's network is never touched); ``step.net`` is the network it trains.
    ``step(step.net, X, Y, batch)`` returns ``(step.net, batch_loss)`` like ``textbook_step``, with
    ``step.net`` updated in place.

    Parameters
    ----------
    net : Network, whose weights are copied
    spec : the loss's table entry (``losses.get_loss(name)``)
    eta : learning rate η
    batch_size : the largest batch the step will be given (the buffers' number of rows)
    """

    def __init__(self, net: Network, spec, eta: float, batch_size: int):
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

    def __call__(self, net: Network, X, Y, batch) -> tuple[Network, float]:
        """Forward, loss, backward and update on the rows ``batch`` of X (m, n_0) and of the
        prepared targets Y (m, n_L); return (the network, updated in place, the batch's mean
        loss)."""
        if net is not self.net:
            raise ValueError("an InPlaceStep trains only its own network, step.net")
        k, L, W, b, dW, db = len(batch), self.L, self.W, self.b, self.dW, self.db
        z, a, delta, scratch, mask, y = self.rows(k)
        # a[0], y = X[batch], Y[batch], into the buffers (the indices come from a permutation)
        np.take(X, batch, axis=0, out=a[0], mode="clip")
        np.take(Y, batch, axis=0, out=y, mode="clip")
        for l in range(1, L + 1):  # forward: z[l] = a[l-1] W[l]^T + b[l], a[l] = g(z[l])
            np.matmul(a[l - 1], W[l].T, out=z[l])
            z[l] += b[l]
            self.g[l](z[l], a[l], scratch[l], mask[l])
        batch_loss = self.spec.function(a[L], y)
        if self.output is None:  # the shortcut δ[L] = (ŷ - y) / N, as in backward
            np.subtract(a[L], y, out=delta[L])
            delta[L] /= a[L].size if self.spec.outputs == "mean" else k
        else:
            delta[L][...] = self.output.vjp(z[L], a[L], self.spec.gradient(a[L], y))
        for l in range(L, 0, -1):  # backward, updating each layer once its gradient is known
            np.matmul(delta[l].T, a[l - 1], out=dW[l])  # dW[l] = δ[l]^T a[l-1]
            np.add.reduce(delta[l], axis=0, out=db[l])  # db[l] = Σ_samples δ[l]
            if l > 1:  # δ[l-1] = (δ[l] W[l]) ⊙ g'(z[l-1]), with W[l] before its update
                np.matmul(delta[l], W[l], out=delta[l - 1])
                self.g_vjp[l - 1](z[l - 1], a[l - 1], delta[l - 1], scratch[l - 1], mask[l - 1])
            self.grad_l[l] *= self.eta  # W[l] and b[l] in one slice: θ_l ← θ_l - η ∇θ_l
            self.theta_l[l] -= self.grad_l[l]
        return self.net, batch_loss


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


# In-place versions of the common activations: the same operations in the same order as
# activations.py (so the same numbers), written into preallocated arrays.
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
    np.maximum.reduce(z, axis=1, keepdims=True, out=row)
    np.subtract(z, row, out=a)
    np.exp(a, out=a)
    np.add.reduce(a, axis=1, keepdims=True, out=row)
    np.divide(a, row, out=a)


# keyed by the table entry itself: an entry someone replaced falls back to its own functions
_KERNELS = {
    ACTIVATIONS["relu"]: (_relu, _relu_vjp),
    ACTIVATIONS["sigmoid"]: (_sigmoid, _sigmoid_vjp),
    ACTIVATIONS["tanh"]: (_tanh, _tanh_vjp),
    ACTIVATIONS["linear"]: (_linear, _linear_vjp),
    ACTIVATIONS["softmax"]: (_softmax, None),
}
