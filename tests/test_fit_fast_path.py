"""``fit`` trains in place in preallocated buffers (mlpcourse/train.py, ``_Workspace``) instead of
calling ``forward``, ``backward`` and ``update`` per batch. It must stay the same computation:
these tests run the textbook loop over the public functions and require the same weights and the
same training losses, bit for bit, for every activation, loss and dtype."""

import itertools

import numpy as np
import pytest

import mlpcourse as mc
from mlpcourse._validation import as_generator
from mlpcourse.losses import get_loss, prepare_targets
from mlpcourse.train import minibatches

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", "step"]
OUTPUT_LOSS = [("linear", "mse"), ("sigmoid", "mse"), ("softmax", "mse"), ("relu", "mse"),
               ("sigmoid", "bce"), ("softmax", "bce"), ("softmax", "ce"), ("sigmoid", "ce")]


def textbook_fit(net, X, y, loss, eta, epochs, batch_size, rng):
    """Minibatch gradient descent through the public functions, one batch at a time."""
    spec = get_loss(loss)
    Y = prepare_targets(spec.name, y, (len(X), net.sizes[-1]), net.dtype)
    X = X.astype(net.dtype, copy=False)
    rng, losses = as_generator(rng), []
    for _ in range(epochs):
        total = 0.0
        for batch in minibatches(len(X), batch_size, rng):
            y_hat, cache = mc.forward(net, X[batch])
            total += spec.function(y_hat, Y[batch]) * len(batch)
            net = mc.update(net, mc.backward(net, cache, Y[batch], spec.name), eta)
        losses.append(total / len(X))
    return net, losses


def problem(loss, output, dtype, m=29, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 4)).astype(dtype)
    if loss == "ce":
        y = rng.integers(0, k, m)
        y = np.eye(k)[y] if output == "sigmoid" else y
    else:
        y = rng.uniform(size=(m, k))
    return X, y


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("hidden", "output_loss"), list(itertools.product(HIDDEN, OUTPUT_LOSS)))
def test_fit_gives_the_textbook_loop_bit_for_bit(hidden, output_loss, dtype):
    output, loss = output_loss
    X, y = problem(loss, output, dtype)
    net = mc.init_network([4, 6, 5, 3], [hidden, hidden, output], method="xavier", rng=1,
                          dtype=dtype)
    # batch 8 of 29 samples: three full batches and a last one of 5
    trained, history = mc.fit(net, X, y, loss=loss, eta=0.2, epochs=4, batch_size=8, rng=3)
    expected, losses = textbook_fit(net, X, y, loss, eta=0.2, epochs=4, batch_size=8, rng=3)
    assert history.train_loss == losses
    for got, want in zip(trained.W[1:] + trained.b[1:], expected.W[1:] + expected.b[1:],
                         strict=True):
        assert got.dtype == want.dtype == dtype
        np.testing.assert_array_equal(got, want)


def test_fit_full_batch_and_one_sample_batches_match_the_textbook_loop():
    X, y = problem("ce", "softmax", np.float64, m=12)
    net = mc.init_network([4, 7, 3], ["relu", "softmax"], method="he", rng=2)
    for batch_size in (1, 12, 100):
        trained, history = mc.fit(net, X, y, loss="ce", eta=0.1, epochs=3,
                                  batch_size=batch_size, rng=5)
        expected, losses = textbook_fit(net, X, y, "ce", 0.1, 3, batch_size, rng=5)
        assert history.train_loss == losses
        for got, want in zip(trained.W[1:] + trained.b[1:], expected.W[1:] + expected.b[1:],
                             strict=True):
            np.testing.assert_array_equal(got, want)


def test_fit_uses_a_replaced_activation_table_entry():
    """An activation swapped in the table (as tests and experiments do) is what fit trains with,
    not the built-in in-place kernel."""
    X, y = problem("bce", "sigmoid", np.float64)
    y = (y > 0.5).astype(float)
    net = mc.init_network([4, 5, 3], ["relu", "sigmoid"], rng=0)
    original = mc.ACTIVATIONS["relu"]
    doubled = mc.activations.Activation("relu", lambda z: 2.0 * original.function(z),
                                        original.derivative,
                                        lambda z, a, grad_a: 2.0 * original.vjp(z, a, grad_a))
    plain, _ = mc.fit(net, X, y, loss="bce", eta=0.1, epochs=2, rng=0)
    mc.ACTIVATIONS["relu"] = doubled
    try:
        swapped, _ = mc.fit(net, X, y, loss="bce", eta=0.1, epochs=2, rng=0)
        expected, _ = textbook_fit(net, X, y, "bce", 0.1, 2, 32, rng=0)
    finally:
        mc.ACTIVATIONS["relu"] = original
    assert not np.array_equal(swapped.W[1], plain.W[1])
    np.testing.assert_array_equal(swapped.W[1], expected.W[1])


def test_callback_gets_snapshots_that_later_epochs_do_not_change():
    X, y = problem("ce", "softmax", np.float64)
    net = mc.init_network([4, 6, 3], ["tanh", "softmax"], rng=0)
    seen = []
    trained, _ = mc.fit(net, X, y, loss="ce", eta=0.5, epochs=3, rng=0,
                        callback=lambda epoch, current, history: seen.append(current))
    assert len(seen) == 3
    assert not np.array_equal(seen[0].W[1], seen[2].W[1])
    np.testing.assert_array_equal(seen[2].W[1], trained.W[1])
    for epochs, snapshot in enumerate(seen, start=1):
        rerun, _ = mc.fit(net, X, y, loss="ce", eta=0.5, epochs=epochs, rng=0)
        np.testing.assert_array_equal(snapshot.W[1], rerun.W[1])
