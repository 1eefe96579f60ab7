"""``fit`` runs the loop in mlpcourse/train.py with its minibatch step done in place by
``mlpcourse._fast.InPlaceStep``; with ``train.FAST_STEP = False`` it runs ``textbook_step`` (the
public forward, loss, backward and update) instead. The two must be the same computation: these
tests require the same weights and the same History (training and validation losses, checked
epochs, best and stopping epoch, flags), bit for bit, for every activation, loss, dtype, batch
size, with and without validation, early stopping and divergence."""

import itertools

import numpy as np
import pytest

import mlpcourse as mc
from mlpcourse import _fast, train

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", "step"]
OUTPUT_LOSS = [("linear", "mse"), ("sigmoid", "mse"), ("softmax", "mse"), ("relu", "mse"),
               ("sigmoid", "bce"), ("softmax", "bce"), ("softmax", "ce"), ("sigmoid", "ce")]


def run(fast, *args, **kwargs):
    """mc.fit with the in-place step (fast=True) or textbook_step (fast=False)."""
    saved = train.FAST_STEP
    train.FAST_STEP = fast
    try:
        return mc.fit(*args, **kwargs)
    finally:
        train.FAST_STEP = saved


def assert_same_training(*args, **kwargs):
    """Run fit both ways; require bit-for-bit equal weights and History. Returns the History."""
    fast_net, fast_history = run(True, *args, **kwargs)
    text_net, text_history = run(False, *args, **kwargs)
    # repr shows every float exactly (shortest round trip), its type, and NaN equal to NaN
    assert repr(fast_history) == repr(text_history)
    assert fast_net.activations == text_net.activations
    for got, want in zip(fast_net.W[1:] + fast_net.b[1:], text_net.W[1:] + text_net.b[1:],
                         strict=True):
        assert got.dtype == want.dtype == args[0].dtype
        np.testing.assert_array_equal(got, want)
    return fast_history


def problem(loss, output, dtype, m=29, k=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(m, 4)).astype(dtype)
    if loss == "ce":
        y = rng.integers(0, k, m)
        y = np.eye(k)[y] if output == "sigmoid" else y
    else:
        y = rng.uniform(size=(m, k))
    return X, y


@pytest.mark.parametrize("validation", [False, True], ids=["no-validation", "validation"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("hidden", "output_loss"), list(itertools.product(HIDDEN, OUTPUT_LOSS)))
def test_in_place_step_gives_the_textbook_step_bit_for_bit(hidden, output_loss, dtype,
                                                           validation):
    output, loss = output_loss
    X, y = problem(loss, output, dtype)
    net = mc.init_network([4, 6, 5, 3], [hidden, hidden, output], method="xavier", rng=1,
                          dtype=dtype)
    # batch 8 of 29 samples: three full batches and a last one of 5
    kwargs = dict(loss=loss, eta=0.2, epochs=5, batch_size=8, rng=3)
    if validation:
        kwargs.update(validation=(X[:11], y[:11]), check_every=2, patience=1)
    history = assert_same_training(net, X, y, **kwargs)
    assert len(history.val_epochs) == (2 if validation else 0)


@pytest.mark.parametrize("batch_size", [1, 5, 7, 40, 41, 100])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_every_batch_size_and_seed_give_the_textbook_step(batch_size, seed):
    # 41 samples: batch 5 and 7 end with a partial batch, 40 with a batch of one, 41 and 100
    # are one full batch
    X, y = problem("ce", "softmax", np.float64, m=41, seed=seed)
    Xv, yv = problem("ce", "softmax", np.float64, m=13, seed=seed + 10)
    net = mc.init_network([4, 7, 3], ["relu", "softmax"], method="he", rng=seed)
    assert_same_training(net, X, y, loss="ce", eta=0.1, epochs=6, batch_size=batch_size,
                         validation=(Xv, yv), check_every=1, patience=2,
                         rng=seed)


def _overfitting_problem(dtype):
    """A noisy two-class problem, a small training set and a biggish net: the validation loss
    goes down, then up while the training loss keeps falling."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(230, 2)).astype(dtype)
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    flip = rng.random(230) < 0.2
    y[flip] = 1.0 - y[flip]
    return (X[:30], y[:30]), (X[30:], y[30:])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(("check_every", "patience"), [(1, 1), (2, 4), (5, 2)])
def test_early_stopping_keeps_the_same_best_epoch_and_weights(dtype, check_every, patience):
    (X, y), (Xv, yv) = _overfitting_problem(dtype)
    net = mc.init_network([2, 32, 32, 1], ["tanh", "tanh", "sigmoid"], method="xavier", rng=1,
                          dtype=dtype)
    history = assert_same_training(net, X, y, loss="bce", eta=0.05, epochs=400, batch_size=10,
                                   validation=(Xv, yv), check_every=check_every,
                                   patience=patience, rng=3)
    assert history.stopped_early and history.best_epoch < history.stopped_epoch < 400


@pytest.mark.parametrize("validation", [False, True], ids=["no-validation", "validation"])
def test_divergence_is_detected_in_the_same_epoch_with_the_same_weights(validation):
    net = mc.Network.from_weights(W=[[[0.0]]], b=[[0.0]], activations=["linear"])
    X = np.array([[-1.0], [1.0]])
    kwargs = dict(loss="mse", eta=5.0, epochs=1000, batch_size=2, rng=0)
    if validation:  # the validation loss keeps growing: patience large enough to reach overflow
        kwargs.update(validation=(X, 2.0 * X[:, 0]), patience=1000)
    history = assert_same_training(net, X, 2.0 * X[:, 0], **kwargs)
    assert history.diverged and history.stopped_epoch < 1000


def test_callbacks_see_the_same_snapshots():
    X, y = problem("ce", "softmax", np.float64)
    net = mc.init_network([4, 6, 3], ["tanh", "softmax"], rng=0)
    seen = {True: [], False: []}
    for fast in (True, False):
        run(fast, net, X, y, loss="ce", eta=0.5, epochs=3, rng=0,
            callback=lambda epoch, current, history, fast=fast: seen[fast].append(
                (epoch, current, list(history.train_loss))))
    assert len(seen[True]) == len(seen[False]) == 3
    for (e1, n1, h1), (e2, n2, h2) in zip(seen[True], seen[False], strict=True):
        assert e1 == e2 and h1 == h2
        for got, want in zip(n1.W[1:] + n1.b[1:], n2.W[1:] + n2.b[1:], strict=True):
            np.testing.assert_array_equal(got, want)


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
        assert_same_training(net, X, y, loss="bce", eta=0.1, epochs=2, rng=0)
    finally:
        mc.ACTIVATIONS["relu"] = original
    assert not np.array_equal(swapped.W[1], plain.W[1])


def test_fast_step_flag_chooses_which_step_runs(monkeypatch):
    """The comparisons above compare two different computations: FAST_STEP = False runs
    textbook_step once per minibatch and never the in-place step, True the other way round."""
    calls = {"textbook": 0, "in_place": 0}
    textbook, in_place = train.textbook_step, _fast.InPlaceStep.__call__

    def count_textbook(*args):
        calls["textbook"] += 1
        return textbook(*args)

    def count_in_place(self, *args):
        calls["in_place"] += 1
        return in_place(self, *args)

    monkeypatch.setattr(train, "textbook_step", count_textbook)
    monkeypatch.setattr(_fast.InPlaceStep, "__call__", count_in_place)
    X, y = problem("mse", "linear", np.float64, m=10)
    net = mc.init_network([4, 3], ["linear"], rng=0)
    run(False, net, X, y, epochs=2, batch_size=4, rng=0)  # 3 batches an epoch
    assert calls == {"textbook": 6, "in_place": 0}
    run(True, net, X, y, epochs=2, batch_size=4, rng=0)
    assert calls == {"textbook": 6, "in_place": 6}


def test_textbook_step_is_the_four_public_steps():
    X, y = problem("mse", "sigmoid", np.float64, m=10)
    net = mc.init_network([4, 5, 3], ["tanh", "sigmoid"], rng=0)
    batch = np.array([3, 0, 7])
    stepped, batch_loss = train.textbook_step(net, X, y, batch, mc.losses.get_loss("mse"), 0.3)
    y_hat, cache = mc.forward(net, X[batch])
    assert batch_loss == mc.loss(y_hat, y[batch], "mse")
    expected = mc.update(net, mc.backward(net, cache, y[batch], "mse"), 0.3)
    for got, want in zip(stepped.W[1:] + stepped.b[1:], expected.W[1:] + expected.b[1:],
                         strict=True):
        np.testing.assert_array_equal(got, want)


def test_in_place_step_trains_only_its_own_copy_of_the_network():
    X, y = problem("mse", "linear", np.float64, m=10)
    net = mc.init_network([4, 3], ["linear"], rng=0)
    before = net.copy()
    step = _fast.InPlaceStep(net, mc.losses.get_loss("mse"), 0.1, batch_size=4)
    trained, _ = step(step.net, X, y, np.arange(4))
    assert trained is step.net
    np.testing.assert_array_equal(net.W[1], before.W[1])
    assert not np.array_equal(trained.W[1], before.W[1])
    with pytest.raises(ValueError, match="trains only its own network"):
        step(net, X, y, np.arange(4))


@pytest.mark.parametrize(("builtin", "output", "fields"), [
    ("binary_cross_entropy", "sigmoid", dict(outputs="mean", targets="probabilities")),
    ("cross_entropy", "softmax", dict(outputs="sum", targets="classes")),
])
def test_a_registered_loss_with_a_shortcut_trains_like_its_built_in_twin(builtin, output,
                                                                          fields):
    """The shortcut δ = (ŷ - y) / N reads N from the loss entry (``outputs``), not its name."""
    spec = mc.losses.get_loss(builtin)
    mc.register_loss("twin", spec.function, spec.gradient, shortcut_activation=output,
                     probabilities=True, **fields)
    try:
        X, y = problem("ce" if builtin == "cross_entropy" else "bce", output, np.float64)
        net = mc.init_network([4, 5, 3], ["tanh", output], rng=0)
        kwargs = dict(eta=0.3, epochs=3, batch_size=8, validation=(X[:9], y[:9]), rng=0)
        history = assert_same_training(net, X, y, loss="twin", **kwargs)
        twin, _ = mc.fit(net, X, y, loss="twin", **kwargs)
        reference, reference_history = mc.fit(net, X, y, loss=builtin, **kwargs)
        assert repr(history) == repr(reference_history)
        for got, want in zip(twin.W[1:] + twin.b[1:], reference.W[1:] + reference.b[1:],
                             strict=True):
            np.testing.assert_array_equal(got, want)
        assert mc.gradient_check(net, X, y, "twin") < 1e-7
    finally:
        mc.losses.unregister_loss("twin")
