"""Tests of ``mlpcourse.train``: ``minibatches`` and ``fit`` (minibatch gradient descent with the
lecture's early stopping: "check the loss on V every k rounds; if it starts to increase, stop")."""

import numpy as np
import pytest

import mlpcourse as mc
from mlpcourse.train import History, minibatches

# ---------------------------------------------------------------- fixtures


def _blobs(m=80, rng=0):
    """Two well separated Gaussian blobs in the plane: an easy binary problem, y in {0, 1}."""
    rng = np.random.default_rng(rng)
    y = np.arange(m) % 2
    X = rng.normal(0.0, 0.6, size=(m, 2)) + np.where(y[:, None] == 1, 1.5, -1.5)
    return X, y.astype(float)


def _small_net(rng=0, dtype=np.float64):
    return mc.init_network([2, 4, 1], ["tanh", "sigmoid"], method="xavier", rng=rng, dtype=dtype)


def _same_weights(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a.W[1:] + a.b[1:], b.W[1:] + b.b[1:],
                                                   strict=True))


def _line(w0=0.0):
    """A single linear neuron without a useful bias: with x = (-1, 1) the bias gradient stays 0,
    so the MSE on targets s * x is exactly (w - s)^2 and one full-batch step is
    w - s <- (1 - 2 eta) (w - s)."""
    net = mc.Network.from_weights(W=[[[w0]]], b=[[0.0]], activations=["linear"])
    X = np.array([[-1.0], [1.0]])
    return net, X


def _line_trajectory(eta, slope, epochs, w0=0.0):
    """Closed form of the weight after each epoch of full-batch descent on ``_line``."""
    t = np.arange(1, epochs + 1)
    return slope + (w0 - slope) * (1.0 - 2.0 * eta) ** t


# ---------------------------------------------------------------- minibatches


def test_minibatches_partition_the_indices_in_batches_of_batch_size():
    batches = minibatches(10, 3, rng=0)
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert sorted(np.concatenate(batches).tolist()) == list(range(10))


def test_minibatches_same_seed_same_shuffle_different_seed_different_shuffle():
    a, b, c = (np.concatenate(minibatches(50, 8, rng=s)) for s in (0, 0, 1))
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_minibatches_batch_size_at_least_m_is_one_full_batch():
    (batch,) = minibatches(5, 32, rng=0)
    assert sorted(batch.tolist()) == [0, 1, 2, 3, 4]


def test_minibatches_draws_from_a_passed_generator():
    rng = np.random.default_rng(3)
    first, second = (np.concatenate(minibatches(20, 4, rng)) for _ in range(2))
    assert not np.array_equal(first, second)  # the generator advanced between the epochs


# ---------------------------------------------------------------- determinism and progress


def test_fit_same_seed_gives_identical_weights_and_history():
    X, y = _blobs()
    runs = [mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=15, batch_size=8, rng=7)
            for _ in range(2)]
    assert _same_weights(runs[0][0], runs[1][0])
    assert runs[0][1].train_loss == runs[1][1].train_loss


def test_fit_different_seeds_shuffle_differently():
    X, y = _blobs()
    a, _ = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=3, batch_size=8, rng=0)
    b, _ = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=3, batch_size=8, rng=1)
    assert not _same_weights(a, b)


def test_fit_full_batch_does_not_depend_on_the_shuffle():
    # the mean gradient over the whole set is the same in any order (up to rounding)
    X, y = _blobs()
    a, _ = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=5, batch_size=len(X), rng=0)
    b, _ = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=5, batch_size=len(X), rng=1)
    for u, v in zip(a.W[1:], b.W[1:], strict=True):
        np.testing.assert_allclose(u, v, rtol=1e-12, atol=1e-14)


def test_fit_training_loss_decreases_on_an_easy_problem():
    X, y = _blobs()
    net, history = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=30, batch_size=8,
                          rng=0)
    assert history.train_loss[-1] < 0.25 * history.train_loss[0]
    assert mc.accuracy(net, X, y) == 1.0


def test_fit_train_loss_is_the_mean_minibatch_loss_of_the_epoch():
    # one full batch: the recorded loss is the loss of the weights before the epoch's update
    X, y = _blobs()
    net = _small_net()
    _, history = mc.fit(net, X, y, loss="bce", eta=0.5, epochs=1, batch_size=len(X), rng=0)
    assert history.train_loss[0] == pytest.approx(mc.loss(mc.forward(net, X)[0], y, "bce"))


def test_fit_full_batch_matches_the_closed_form_of_gradient_descent():
    net, X = _line()
    trained, _ = mc.fit(net, X, 2.0 * X[:, 0], loss="mse", eta=0.1, epochs=7, batch_size=2,
                        rng=0)
    assert trained.W[1][0, 0] == pytest.approx(_line_trajectory(0.1, 2.0, 7)[-1], rel=1e-12)
    assert trained.b[1][0] == 0.0


def test_fit_leaves_the_input_network_unchanged():
    X, y = _blobs()
    net = _small_net()
    before = net.copy()
    trained, _ = mc.fit(net, X, y, loss="bce", eta=0.5, epochs=5, batch_size=8, rng=0,
                        validation=(X[:20], y[:20]))
    assert _same_weights(net, before)
    assert not _same_weights(trained, before)


def test_fit_float32_stays_float32_end_to_end():
    X, y = _blobs()
    net = _small_net(dtype=np.float32)
    seen = []
    trained, history = mc.fit(net, X, y, loss="bce", eta=0.5, epochs=4, batch_size=8, rng=0,
                              validation=(X[:20], y[:20]),
                              callback=lambda epoch, n, h: seen.append(n.dtype))
    assert trained.dtype == np.float32
    assert all(w.dtype == np.float32 for w in trained.W[1:] + trained.b[1:])
    assert seen == [np.float32] * 4
    y_hat, cache = mc.forward(trained, X.astype(np.float32))
    assert y_hat.dtype == np.float32 and all(z.dtype == np.float32 for z in cache.z[1:])
    assert all(np.isfinite(history.train_loss)) and all(np.isfinite(history.val_loss))


# ---------------------------------------------------------------- History


def test_history_without_validation_runs_every_epoch_and_has_no_best_epoch():
    X, y = _blobs()
    _, history = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=12, rng=0)
    assert isinstance(history, History)
    assert len(history.train_loss) == history.stopped_epoch == 12
    assert history.best_epoch is None
    assert history.stopped_early is False
    assert history.val_loss == [] and history.val_epochs == []


def test_history_checks_fall_on_multiples_of_check_every():
    X, y = _blobs()
    # a validation set equal to the training set keeps improving: no early stop
    _, history = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=10, batch_size=len(X),
                        validation=(X, y), check_every=3, rng=0)
    assert history.val_epochs == [3, 6, 9]
    assert len(history.val_loss) == 3
    assert len(history.train_loss) == history.stopped_epoch == 10
    assert history.best_epoch == 9 and history.stopped_early is False


def test_history_val_loss_is_the_loss_of_the_network_at_that_epoch():
    X, y = _blobs()
    Xv, yv = _blobs(30, rng=1)
    _, history = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=4, batch_size=8,
                        validation=(Xv, yv), check_every=2, rng=5)
    for epoch, value in zip(history.val_epochs, history.val_loss, strict=True):
        rerun, _ = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=epoch, batch_size=8,
                          rng=5)
        assert value == pytest.approx(mc.loss(mc.forward(rerun, Xv)[0], yv, "bce"), rel=1e-12)


def test_callback_is_called_once_per_epoch_with_the_current_network_and_history():
    X, y = _blobs()
    calls = []

    def callback(epoch, net, history):
        calls.append((epoch, len(history.train_loss), isinstance(net, mc.Network)))

    mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=6, rng=0, callback=callback)
    assert calls == [(e, e, True) for e in range(1, 7)]


# ---------------------------------------------------------------- early stopping

# Train a line on y = 2x, validate on y = 2.5x. With eta = 0.9 the weight overshoots and
# oscillates around 2 (w - 2 <- -0.8 (w - 2)), so the validation loss (w - 2.5)^2 goes down and up:
# a new best at epochs 1, 3, 5, 7, then never again (w settles at 2, loss 0.25 > best).
ETA, TRAIN_SLOPE, VAL_SLOPE = 0.9, 2.0, 2.5


def _oscillating_fit(patience, check_every=1, epochs=60, callback=None):
    net, X = _line()
    return mc.fit(net, X, TRAIN_SLOPE * X[:, 0], loss="mse", eta=ETA, epochs=epochs,
                  batch_size=2, validation=(X, VAL_SLOPE * X[:, 0]), check_every=check_every,
                  patience=patience, rng=0, callback=callback)


def _expected_stop(patience, check_every=1, epochs=60):
    """The documented rule, applied to the closed-form validation losses: returns
    (val_epochs, best_epoch, stopped_epoch)."""
    w = _line_trajectory(ETA, TRAIN_SLOPE, epochs)
    val = (w - VAL_SLOPE) ** 2
    best, best_epoch, bad, checked = np.inf, None, 0, []
    for epoch in range(check_every, epochs + 1, check_every):
        checked.append(epoch)
        if val[epoch - 1] < best:
            best, best_epoch, bad = val[epoch - 1], epoch, 0
        else:
            bad += 1
            if bad == patience:
                return checked, best_epoch, epoch
    return checked, best_epoch, epochs


def test_early_stopping_closed_form_validation_losses_are_recorded():
    _, history = _oscillating_fit(patience=100, epochs=9)
    w = _line_trajectory(ETA, TRAIN_SLOPE, 9)
    np.testing.assert_allclose(history.val_loss, (w - VAL_SLOPE) ** 2, rtol=1e-10)
    assert np.argmin(history.val_loss) + 1 == 7  # the oscillation's best point


def test_early_stopping_patience_1_is_the_lecture_rule_stop_at_the_first_increase():
    net, history = _oscillating_fit(patience=1)
    # epoch 1: w = 3.6, loss 1.21; epoch 2: w = 0.72, loss 3.17 (increase): stop
    assert history.val_epochs == [1, 2]
    assert history.val_loss[1] > history.val_loss[0]
    assert history.stopped_epoch == 2 and history.stopped_early is True
    assert history.best_epoch == 1
    assert net.W[1][0, 0] == pytest.approx(3.6)  # the weights of epoch 1, not epoch 2


@pytest.mark.parametrize("patience", [1, 2, 3, 5])
def test_early_stopping_stops_after_patience_checks_without_improvement(patience):
    _, history = _oscillating_fit(patience)
    checked, best_epoch, stopped = _expected_stop(patience)
    assert history.val_epochs == checked
    assert history.best_epoch == best_epoch
    assert history.stopped_epoch == stopped == len(history.train_loss)
    assert history.stopped_early is True
    # the last `patience` checks are all no better than the best one
    tail = history.val_loss[-patience:]
    assert min(tail) >= history.val_loss[history.val_epochs.index(best_epoch)]


def test_early_stopping_patience_rides_over_a_bump():
    # patience 1 quits at the first bump (epoch 2); patience 2 rides the oscillation to epoch 7
    _, quick = _oscillating_fit(patience=1)
    _, patient = _oscillating_fit(patience=2)
    assert quick.best_epoch == 1
    assert patient.best_epoch == 7 and patient.stopped_epoch == 9
    assert min(patient.val_loss) < min(quick.val_loss)


def test_early_stopping_with_check_every():
    _, history = _oscillating_fit(patience=2, check_every=2)
    checked, best_epoch, stopped = _expected_stop(2, check_every=2)
    assert history.val_epochs == checked and all(e % 2 == 0 for e in checked)
    assert history.best_epoch == best_epoch and history.stopped_epoch == stopped


def test_early_stopping_callback_runs_up_to_the_stopping_epoch():
    epochs = []
    _, history = _oscillating_fit(patience=2, callback=lambda e, n, h: epochs.append(e))
    assert epochs == list(range(1, history.stopped_epoch + 1))


def _overfitting_problem():
    """A noisy two-class problem, a small training set and a biggish net: the validation loss
    goes down, then up while the training loss keeps falling."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(230, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(float)
    flip = rng.random(230) < 0.2
    y[flip] = 1.0 - y[flip]
    return (X[:30], y[:30]), (X[30:], y[30:])


def test_early_stopping_returns_the_weights_of_the_best_check():
    (X, y), (Xv, yv) = _overfitting_problem()
    net = mc.init_network([2, 32, 32, 1], ["tanh", "tanh", "sigmoid"], method="xavier", rng=1)
    kwargs = dict(loss="bce", eta=0.05, batch_size=10, rng=3)
    trained, history = mc.fit(net, X, y, epochs=400, validation=(Xv, yv), check_every=2,
                              patience=4, **kwargs)
    assert history.stopped_early is True
    assert history.val_epochs[0] < history.best_epoch < history.stopped_epoch < 400
    assert history.val_loss[0] > min(history.val_loss)  # it improved first, then got worse
    assert history.stopped_epoch == history.best_epoch + 4 * 2
    assert history.train_loss[-1] < history.train_loss[history.best_epoch - 1]  # still fitting
    best = history.val_loss[history.val_epochs.index(history.best_epoch)]
    assert best == min(history.val_loss) and history.val_loss[-1] > best  # overfitting
    # an independent re-run of exactly best_epoch epochs with the same seed, no validation
    rerun, _ = mc.fit(net, X, y, epochs=history.best_epoch, **kwargs)
    assert _same_weights(trained, rerun)
    assert mc.loss(mc.forward(trained, Xv)[0], yv, "bce") == pytest.approx(best, rel=1e-12)


def test_early_stopping_with_fewer_epochs_than_check_every_returns_the_last_weights():
    X, y = _blobs()
    trained, history = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=2,
                              validation=(X, y), check_every=5, rng=0)
    plain, _ = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=2, rng=0)
    assert history.val_epochs == [] and history.best_epoch is None
    assert _same_weights(trained, plain)


# ---------------------------------------------------------------- divergence


def _diverging_line():
    """Full-batch descent on the line with eta = 5: w - 2 <- -9 (w - 2), so the loss grows by
    81 per epoch and overflows to inf after about 160 epochs."""
    net, X = _line()
    return net, X, 2.0 * X[:, 0]


def test_fit_stops_in_the_epoch_whose_loss_is_not_finite_without_warnings():
    net, X, y = _diverging_line()
    epochs_seen = []
    trained, history = mc.fit(net, X, y, loss="mse", eta=5.0, epochs=1000, batch_size=2, rng=0,
                              callback=lambda e, n, h: epochs_seen.append(e))
    assert history.diverged is True and history.stopped_early is False
    assert len(history.train_loss) == history.stopped_epoch < 1000
    assert np.all(np.isfinite(history.train_loss[:-1])) and not np.isfinite(history.train_loss[-1])
    # the callback never sees the overflowing epoch
    assert epochs_seen == list(range(1, history.stopped_epoch))
    # the weights returned are those from before that epoch: a re-run of one epoch fewer
    rerun, _ = mc.fit(net, X, y, loss="mse", eta=5.0, epochs=history.stopped_epoch - 1,
                      batch_size=2, rng=0)
    assert _same_weights(trained, rerun)
    assert np.isfinite(trained.W[1][0, 0])


def test_fit_divergence_matches_the_closed_form():
    net, X, y = _diverging_line()
    _, history = mc.fit(net, X, y, loss="mse", eta=5.0, epochs=1000, batch_size=2, rng=0)
    # loss of epoch t is (w_{t-1} - 2)^2 = 4 * 81^(t-1): the first epoch where it overflows
    t = np.arange(1, 400)
    with np.errstate(over="ignore"):
        expected = 4.0 * 81.0 ** (t - 1)
    first_inf = int(t[~np.isfinite(expected)][0])
    assert history.stopped_epoch == first_inf
    np.testing.assert_allclose(history.train_loss[:5], expected[:5], rtol=1e-12)


def test_fit_without_divergence_reports_diverged_false():
    X, y = _blobs()
    _, history = mc.fit(_small_net(), X, y, loss="bce", eta=0.5, epochs=3, rng=0)
    assert history.diverged is False


# ---------------------------------------------------------------- argument errors


@pytest.fixture
def problem():
    X, y = _blobs(20)
    return _small_net(), X, y


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"eta": 0}, ValueError, "eta must be a finite number > 0; got 0"),
        ({"eta": -0.1}, ValueError, "eta must be"),
        ({"eta": float("nan")}, ValueError, "eta must be"),
        ({"eta": "0.1"}, TypeError, "eta must be a positive number"),
        ({"epochs": 0}, ValueError, "epochs must be a positive integer; got 0"),
        ({"epochs": 2.5}, TypeError, "epochs must be a positive integer"),
        ({"batch_size": 0}, ValueError, "batch_size must be a positive integer"),
        ({"batch_size": 4.0}, TypeError, "batch_size must be a positive integer"),
        ({"check_every": 0}, ValueError, "check_every must be a positive integer"),
        ({"patience": -1}, ValueError, "patience must be a positive integer"),
        ({"rng": "seed"}, TypeError, "rng must be an int seed or a numpy.random.Generator"),
        ({"loss": "hinge"}, ValueError, r"unknown loss 'hinge'; expected one of"),
    ],
)
def test_fit_rejects_bad_arguments_naming_them(problem, kwargs, error, match):
    net, X, y = problem
    kwargs = {"loss": "bce", **kwargs}
    with pytest.raises(error, match=match):
        mc.fit(net, X, y, epochs=kwargs.pop("epochs", 2), **kwargs)


def test_fit_rejects_a_non_network(problem):
    _, X, y = problem
    with pytest.raises(TypeError, match="net must be a Network"):
        mc.fit([np.zeros((4, 2))], X, y)


def test_fit_rejects_inputs_of_the_wrong_width_or_rank(problem):
    net, X, y = problem
    with pytest.raises(ValueError, match=r"X must have 2 features per sample"):
        mc.fit(net, X[:, :1], y, loss="bce")
    with pytest.raises(ValueError, match=r"X must be 2-D \(m, 2\) for training"):
        mc.fit(net, X[0], y[:1], loss="bce")


def test_fit_rejects_targets_that_do_not_fit(problem):
    net, X, y = problem
    with pytest.raises(ValueError, match=r"y does not fit the network output: expected shape"):
        mc.fit(net, X, y[:5], loss="bce")
    with pytest.raises(ValueError, match=r"y must lie in \[0, 1\] for binary_cross_entropy"):
        mc.fit(net, X, 2 * y, loss="bce")


def test_fit_rejects_a_bad_validation_set(problem):
    net, X, y = problem
    with pytest.raises(TypeError, match=r"validation must be a pair \(X_val, y_val\)"):
        mc.fit(net, X, y, loss="bce", validation=X)
    with pytest.raises(TypeError, match="validation must be a pair"):
        mc.fit(net, X, y, loss="bce", validation=(X, y, y))
    with pytest.raises(ValueError, match="validation X_val must have 2 features per sample"):
        mc.fit(net, X, y, loss="bce", validation=(X[:, :1], y))
    with pytest.raises(ValueError, match=r"expected shape \(20, 1\) or \(20,\)"):
        mc.fit(net, X, y, loss="bce", validation=(X, y[:5]))


def test_fit_rejects_class_labels_out_of_range():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(12, 2))
    net = mc.init_network([2, 3], ["softmax"], rng=0)
    with pytest.raises(ValueError, match=r"class labels out of range: expected 0\.\.2 for 3 "
                                         r"outputs; got labels from 0 to 3"):
        mc.fit(net, X, np.arange(12) % 4, loss="cross_entropy")
    with pytest.raises(ValueError, match=r"got labels from -1 to 2"):
        mc.fit(net, X, np.arange(12) % 4 - 1, loss="cross_entropy")
    with pytest.raises(ValueError, match="class labels out of range"):
        mc.fit(net, X, np.arange(12) % 3, loss="cross_entropy",
               validation=(X, np.arange(12) % 5))


@pytest.mark.parametrize(("loss", "output"), [("binary_cross_entropy", "linear"),
                                              ("bce", "relu"), ("cross_entropy", "tanh")])
def test_fit_rejects_a_loss_that_does_not_match_the_output_activation(loss, output):
    net = mc.init_network([2, 3, 1], ["tanh", output], rng=0)
    X, y = _blobs(10)
    with pytest.raises(ValueError, match=rf"loss '\w+' needs probabilities from the output "
                                         rf"layer.*got '{output}'"):
        mc.fit(net, X, y, loss=loss)


# ---------------------------------------------------------------- the quality bar: digits


def test_digits_64_64_10_relu_softmax_reaches_95_percent_test_accuracy():
    pytest.importorskip("sklearn")
    from mlpcourse import datasets

    X, y = datasets.load("digits")
    data = datasets.split(X, y, validation=0.2, test=0.2, rng=0, standardise=True)
    net = mc.init_network([64, 64, 10], ["relu", "softmax"], method="he", rng=0)
    trained, history = mc.fit(net, data.X_train, data.y_train, loss="cross_entropy", eta=0.1,
                              epochs=30, batch_size=32, validation=(data.X_val, data.y_val),
                              check_every=1, patience=5, rng=0)
    assert mc.accuracy(trained, data.X_test, data.y_test) >= 0.95
    assert history.train_loss[-1] < history.train_loss[0]
