"""The workloads: mlpcourse and the plain-numpy references it is measured against.

Every ``*_runner`` returns a callable that does the whole timed piece of work (so the harness
can interleave it with its reference) and returns something checkable (a network, an accuracy).
"""

from __future__ import annotations

import numpy as np

import mlpcourse as mc
from mlpcourse import network
from mlpcourse.losses import get_loss
from mlpcourse.train import minibatches

ETA_LECTURE = 0.1


def lecture_problem(dtype):
    """The lecture's Example 3 (``mlpcourse.trace.example3``): a 2-2-1 sigmoid network, one
    sample x = (0.5, 0.1), target y = 1, binary cross-entropy."""
    from mlpcourse.trace import example3

    net, x, y = example3()
    return net.astype(dtype), x.astype(dtype), y


# ---------------------------------------------------------------- lecture step (one sample)

def lecture_numpy_lean(dtype, steps):
    """The leanest plain numpy for one step: 1-D vectors, the textbook sigmoid 1 / (1 + e^-z)
    (it overflows with a RuntimeWarning for z < -709), in-place updates."""
    net, x, y = lecture_problem(dtype)
    W1, b1, W2, b2 = net.W[1].copy(), net.b[1].copy(), net.W[2].copy(), net.b[2].copy()
    eta = ETA_LECTURE

    def run():
        nonlocal W1, b1, W2, b2  # updated in place (-=)
        for _ in range(steps):
            z1 = W1 @ x + b1
            a1 = 1 / (1 + np.exp(-z1))
            z2 = W2 @ a1 + b2
            a2 = 1 / (1 + np.exp(-z2))
            d2 = a2 - y  # sigmoid + binary cross-entropy: δ = ŷ - y
            d1 = (W2.T @ d2) * a1 * (1 - a1)
            W2 -= eta * np.outer(d2, a1)
            b2 -= eta * d2
            W1 -= eta * np.outer(d1, x)
            b1 -= eta * d1
        return W1, b1, W2, b2

    return run


def _stable_sigmoid(z):
    with np.errstate(over="ignore"):  # as mlpcourse.activations.sigmoid: e^{-z} = inf gives 0
        return 1.0 / (1.0 + np.exp(-z))


def lecture_numpy_stable(dtype, steps):
    """The same lean numpy with the warning-free sigmoid mlpcourse uses (the textbook formula
    under ``np.errstate(over="ignore")``): what the engine's numbers cost without any of its
    checks or objects."""
    net, x, y = lecture_problem(dtype)
    W1, b1, W2, b2 = net.W[1].copy(), net.b[1].copy(), net.W[2].copy(), net.b[2].copy()
    eta = ETA_LECTURE

    def run():
        nonlocal W1, b1, W2, b2
        for _ in range(steps):
            a1 = _stable_sigmoid(W1 @ x + b1)
            a2 = _stable_sigmoid(W2 @ a1 + b2)
            d2 = a2 - y
            d1 = (W2.T @ d2) * a1 * (1 - a1)
            W2 -= eta * np.outer(d2, a1)
            b2 -= eta * d2
            W1 -= eta * np.outer(d1, x)
            b1 -= eta * d1
        return W1, b1, W2, b2

    return run


def lecture_mlpcourse(dtype, steps):
    """The public API as the lessons use it: forward, backward, update (each checks its input)."""
    net, x, y = lecture_problem(dtype)
    state = [net]

    def run():
        net = state[0]
        for _ in range(steps):
            y_hat, cache = mc.forward(net, x)
            grads = mc.backward(net, cache, y, loss="binary_cross_entropy")
            net = mc.update(net, grads, eta=ETA_LECTURE)
        state[0] = net
        return net

    return run


def has_unchecked_path() -> bool:
    return all(hasattr(network, name) for name in ("_forward", "_backward", "_update"))


def lecture_mlpcourse_unchecked(dtype, steps):
    """The engine's arithmetic alone: the private, unchecked ``_forward``, ``_backward`` and
    ``_update`` that the public functions call after their checks."""
    net, x, y = lecture_problem(dtype)
    spec = get_loss("binary_cross_entropy")
    Y = np.full(1, y, dtype=dtype)
    state = [net]

    def run():
        net = state[0]
        for _ in range(steps):
            z, a = network._forward(net, x)
            dW, db, _ = network._backward(net, z, a, Y, spec)
            net = network._update(net, dW, db, ETA_LECTURE)
        state[0] = net
        return net

    return run


# ---------------------------------------------------------------- minibatch training

def flops_per_epoch(m: int, sizes) -> float:
    """Floating-point operations of the matrix products of one epoch: forward Z = A W^T,
    backward dW = δ^T A and (except into the input layer) δ W, each 2 m n_l n_{l-1}."""
    per_sample = sum(n_in * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True))
    return 2.0 * m * (3 * per_sample - sizes[0] * sizes[1])


def initial_network(sizes, dtype, seed=0):
    """ReLU hidden layers, softmax output, Glorot-uniform weights (scikit-learn's own choice for
    MLPClassifier), zero biases."""
    return mc.init_network(sizes, ["relu"] * (len(sizes) - 2) + ["softmax"], method="xavier",
                           rng=seed, dtype=dtype)


def accuracy(W, b, X, y) -> float:
    """Test accuracy of a ReLU/softmax network given as weight lists (slot 0 unused)."""
    a = X
    for l in range(1, len(W)):
        z = a @ W[l].T + b[l]
        a = np.maximum(z, 0) if l < len(W) - 1 else z
    return float(np.mean(np.argmax(a, axis=1) == y))


def fit_runner(data, sizes, dtype, eta, epochs, batch_size, seed=0):
    """``mlpcourse.fit``, as a learner calls it."""
    X, y, X_test, y_test = data
    net = initial_network(sizes, dtype, seed)

    def run():
        trained, _ = mc.fit(net, X, y, loss="cross_entropy", eta=eta, epochs=epochs,
                            batch_size=batch_size, rng=seed)
        return mc.accuracy(trained, X_test, y_test)

    return run


def numpy_loop_runner(data, sizes, dtype, eta, epochs, batch_size, seed=0):
    """A plain numpy training loop as a learner would write it (fresh arrays every batch, the
    same shuffle as ``fit``): minibatch SGD, ReLU hidden layers, softmax + cross-entropy."""
    X, y, X_test, y_test = data
    net = initial_network(sizes, dtype, seed)
    Y = np.eye(sizes[-1], dtype=dtype)[y]
    L = len(sizes) - 1

    def run():
        W, b = [w.copy() if w is not None else None for w in net.W], [
            v.copy() if v is not None else None for v in net.b]
        rng = np.random.default_rng(seed)
        for _ in range(epochs):
            for batch in minibatches(len(X), batch_size, rng):
                A = [X[batch]]
                for l in range(1, L):
                    A.append(np.maximum(A[-1] @ W[l].T + b[l], 0))
                Z = A[-1] @ W[L].T + b[L]
                P = np.exp(Z - Z.max(axis=1, keepdims=True))
                P /= P.sum(axis=1, keepdims=True)
                D = (P - Y[batch]) / len(batch)
                for l in range(L, 0, -1):
                    dW, db = D.T @ A[l - 1], D.sum(axis=0)
                    if l > 1:
                        D = (D @ W[l]) * (A[l - 1] > 0)
                    W[l] -= eta * dW
                    b[l] -= eta * db
        return accuracy(W, b, X_test, y_test)

    return run


def gemm_floor_runner(data, sizes, dtype, epochs, batch_size, seed=0):
    """The limit: the epoch's matrix products alone (forward, dW and δ products of every batch),
    into preallocated outputs, on the same shapes. No activation, loss or update."""
    X = data[0]
    m, B, L = len(X), batch_size, len(sizes) - 1
    rng = np.random.default_rng(seed)
    W = [None] + [rng.uniform(-0.1, 0.1, (n_out, n_in)).astype(dtype)
                  for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]
    A = [None] + [np.zeros((B, n), dtype) for n in sizes[1:]]
    D = [None] + [rng.uniform(-0.1, 0.1, (B, n)).astype(dtype) for n in sizes[1:]]
    dW = [None] + [np.empty_like(w) for w in W[1:]]
    rows = {}

    def views(k):
        if k not in rows:
            rows[k] = ([None] + [v[:k] for v in A[1:]], [None] + [v[:k] for v in D[1:]])
        return rows[k]

    def run():
        for _ in range(epochs):
            for start in range(0, m, B):
                a, d = views(min(B, m - start))
                a = [X[start:start + B], *a[1:]]
                for l in range(1, L + 1):
                    np.matmul(a[l - 1], W[l].T, out=a[l])
                for l in range(L, 0, -1):
                    np.matmul(d[l].T, a[l - 1], out=dW[l])
                    if l > 1:
                        np.matmul(d[l], W[l], out=d[l - 1])
        return None

    return run


# ---------------------------------------------------------------- data

def digits(dtype, smoke=False):
    """scikit-learn's digits (8x8 images, 10 classes): 75% training, 25% test, standardised with
    training statistics (``mlpcourse.datasets.split``)."""
    from mlpcourse import datasets

    X, y = datasets.load("digits")
    if smoke:
        X, y = X[:300], y[:300]
    part = datasets.split(X, y, validation=0.0, test=0.25, rng=0, standardise=True)
    return (part.X_train.astype(dtype), part.y_train, part.X_test.astype(dtype), part.y_test)


def mnist_sized(dtype, m=60_000, n=784, classes=10, seed=0):
    """Random inputs the size of MNIST's training set (random labels: only the time counts)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n), dtype=dtype)
    y = rng.integers(0, classes, m)
    return X, y, X[:1000], y[:1000]
