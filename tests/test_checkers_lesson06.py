"""Lesson 6's checks (training in practice): the classic mistakes fail with a message that names
the case and the slip without giving the answer away. What holds for every lesson (the solution
passes, the stub is not attempted, the notebook and the checker agree on tasks and points) is in
test_checkers_lessons.py."""

import numpy as np
import pytest
from checkers_helpers import failed

import mlpcourse as mc
from mlpcourse import datasets
from mlpcourse.checkers import lesson06 as checks
from mlpcourse.checkers.core import Case, run_check, wrap
from mlpcourse.checkers.helpers import network_spec

# --- standardise -------------------------------------------------------------------------------

def test_standardise_reference_agrees_with_datasets_split():
    X = np.random.default_rng(0).integers(0, 17, size=(20, 5)).astype(float)
    X[:, 1] = 3.0
    part = datasets.split(X, np.zeros(20), validation=0.3, test=0, rng=0, standardise=False)
    scaled = datasets.split(X, np.zeros(20), validation=0.3, test=0, rng=0)
    mean, scale = checks._training_statistics(part.X_train)
    np.testing.assert_allclose((part.X_val - mean) / scale, scaled.X_val)


def test_standardise_mistakes():
    def own_statistics(X_train, X_val):  # the validation set scaled with its own mean and std
        s = lambda X: (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1)  # noqa: E731
        return s(X_train), s(X_val)

    def sample_std(X_train, X_val):
        mu, s = X_train.mean(0), X_train.std(0, ddof=1)
        s = np.where(s > 0, s, 1)
        return (X_train - mu) / s, (X_val - mu) / s

    def zero_division(X_train, X_val):
        mu, s = X_train.mean(0), X_train.std(0)
        with np.errstate(divide="ignore", invalid="ignore"):
            return (X_train - mu) / s, (X_val - mu) / s

    def rows(X_train, X_val):  # statistics per sample instead of per feature
        mu, s = X_train.mean(1, keepdims=True), X_train.std(1, keepdims=True)
        return (X_train - mu) / s, X_val

    def in_place(X_train, X_val):
        X_train -= X_train.mean(0)
        return X_train, X_val

    def only_train(X_train, X_val):
        mu, s = X_train.mean(0), np.where(X_train.std(0) > 0, X_train.std(0), 1)
        return (X_train - mu) / s

    assert "second value (the standardised X_val)" in failed(checks.check_standardise(
        own_statistics))
    assert "close, but not within tolerance" in failed(checks.check_standardise(sample_std))
    assert "zero spread" in failed(checks.check_standardise(zero_division))
    assert "first value" in failed(checks.check_standardise(rows))
    assert "modified its input" in failed(checks.check_standardise(in_place))
    assert "expected a tuple of 2 values" in failed(checks.check_standardise(only_train))


# --- init_scales --------------------------------------------------------------------------------

def test_init_scales_formulas_match_the_engine_draws():
    """The limit bounds init_network's Xavier weights, and the He draws have about that std."""
    limit, std = np.sqrt(6 / 96), np.sqrt(2 / 64)
    net = mc.init_network([64, 32], ["tanh"], method="xavier", rng=0)
    assert np.abs(net.W[1]).max() <= limit and np.abs(net.W[1]).max() > 0.95 * limit
    he = mc.init_network([64, 2000], ["relu"], method="he", rng=0)
    assert abs(he.W[1].std() / std - 1) < 0.02


def test_init_scales_mistakes():
    mistakes = {
        "variance instead of std": lambda n_in, n_out: (np.sqrt(6 / (n_in + n_out)), 2 / n_in),
        "He with n_out": lambda n_in, n_out: (np.sqrt(6 / (n_in + n_out)), np.sqrt(2 / n_out)),
        "Xavier from n_in only": lambda n_in, n_out: (np.sqrt(3 / n_in), np.sqrt(2 / n_in)),
        "Xavier std, not limit": lambda n_in, n_out: (np.sqrt(2 / (n_in + n_out)),
                                                      np.sqrt(2 / n_in)),
    }
    messages = {k: failed(checks.check_init_scales(f)) for k, f in mistakes.items()}
    assert "second value (the He standard deviation)" in messages["variance instead of std"]
    assert "second value" in messages["He with n_out"]
    assert "first value (the Xavier limit)" in messages["Xavier from n_in only"]
    assert "first value" in messages["Xavier std, not limit"]
    assert "forget `return`" in failed(checks.check_init_scales(lambda n_in, n_out: None))


# --- minibatches --------------------------------------------------------------------------------

def test_minibatches_accepts_the_engine_and_other_shuffles():
    assert checks.check_minibatches(mc.minibatches).passed

    def with_choice(m, batch_size, rng):  # another valid way to draw the order
        order = rng.choice(m, size=m, replace=False)
        return [order[i:i + batch_size] for i in range(0, m, batch_size)]

    assert checks.check_minibatches(with_choice).passed


def test_minibatches_mistakes():
    def unshuffled(m, batch_size, rng):
        order = np.arange(m)
        return [order[i:i + batch_size] for i in range(0, m, batch_size)]

    def own_generator(m, batch_size, rng):
        order = np.random.default_rng(0).permutation(m)
        return [order[i:i + batch_size] for i in range(0, m, batch_size)]

    def global_generator(m, batch_size, rng):
        order = np.random.permutation(m)  # noqa: NPY002 (the mistake under test)
        return [order[i:i + batch_size] for i in range(0, m, batch_size)]

    def drops_last(m, batch_size, rng):
        order = rng.permutation(m)
        return [order[i:i + batch_size] for i in range(0, m - batch_size + 1, batch_size)]

    def with_replacement(m, batch_size, rng):
        order = rng.integers(0, m, size=m)
        return [order[i:i + batch_size] for i in range(0, m, batch_size)]

    def float_indices(m, batch_size, rng):
        order = rng.permutation(m).astype(float)
        return [order[i:i + batch_size] for i in range(0, m, batch_size)]

    def off_by_one(m, batch_size, rng):
        order = rng.permutation(m) + 1
        return [order[i:i + batch_size] for i in range(0, m, batch_size)]

    assert "original order" in failed(checks.check_minibatches(unshuffled))
    assert "different seed gave the same batches" in failed(
        checks.check_minibatches(own_generator))
    assert "same seed gave different batches" in failed(
        checks.check_minibatches(global_generator))
    assert "batch sizes are" in failed(checks.check_minibatches(drops_last))
    assert "exactly once" in failed(checks.check_minibatches(with_replacement))
    assert "integer indices" in failed(checks.check_minibatches(float_indices))
    assert "exactly once" in failed(checks.check_minibatches(off_by_one))
    assert "returned None" in failed(checks.check_minibatches(lambda m, b, rng: None))


# --- train_epoch --------------------------------------------------------------------------------

def _epoch(net, X, y, batches, eta, loss, *, restart=False, after=False, mean=False, sign=1.0,
           full=False):
    start, total, losses = net, 0.0, []
    if full:
        batches = [np.concatenate(batches)]
    for batch in batches:
        y_hat, cache = mc.forward(start if restart else net, X[batch])
        grads = mc.backward(start if restart else net, cache, y[batch], loss)
        step = mc.update(start if restart else net, grads, eta) if sign > 0 else mc.Network(
            [None, *(w + eta * g for w, g in zip(net.W[1:], grads.W[1:], strict=True))],
            [None, *(v + eta * g for v, g in zip(net.b[1:], grads.b[1:], strict=True))],
            list(net.activations))
        net = step
        value = mc.loss(mc.forward(net, X[batch])[0] if after else y_hat, y[batch], loss)
        losses.append(value)
        total += value * len(batch)
    return net, (np.mean(losses) if mean else total / len(X))


def test_train_epoch_mistakes():
    def variant(**kw):
        return lambda net, X, y, batches, eta, loss: _epoch(net, X, y, batches, eta, loss, **kw)

    assert checks.check_train_epoch(variant()).passed  # the helper itself is right
    assert "the new network" in failed(checks.check_train_epoch(variant(restart=True)))
    assert "epoch's loss" in failed(checks.check_train_epoch(variant(after=True)))
    assert "epoch's loss" in failed(checks.check_train_epoch(variant(mean=True)))
    uphill = failed(checks.check_train_epoch(variant(sign=-1.0)))
    assert "(the new network), W[1]" in uphill
    assert "it looks like the sign of the update: w + η·grad climbs the loss" in uphill
    assert "the sign of the update" not in failed(checks.check_train_epoch(variant(restart=True)))
    assert "the new network" in failed(checks.check_train_epoch(variant(full=True)))

    def in_place(net, X, y, batches, eta, loss):
        for batch in batches:
            y_hat, cache = mc.forward(net, X[batch])
            grads = mc.backward(net, cache, y[batch], loss)
            for l in range(1, net.L + 1):
                net.W[l] -= eta * grads.W[l]
                net.b[l] -= eta * grads.b[l]
        return net, 0.0

    assert "modified net.W[1]" in failed(checks.check_train_epoch(in_place))
    assert "expected a tuple (new network, epoch loss)" in failed(checks.check_train_epoch(
        lambda net, X, y, batches, eta, loss: _epoch(net, X, y, batches, eta, loss)[0]))


# --- early_stopping -----------------------------------------------------------------------------

@pytest.mark.parametrize(("check_every", "patience"), [(1, 1), (1, 3), (5, 2)])
def test_early_stopping_reference_is_the_rule_fit_applies(check_every, patience):
    X, y = datasets.moons(80, noise=0.3, rng=0)
    net = mc.init_network([2, 16, 16, 1], ["tanh", "tanh", "sigmoid"], method="xavier", rng=0)
    _, h = mc.fit(net, X[:40], y[:40], loss="bce", eta=0.5, epochs=300, batch_size=10,
                  validation=(X[40:], y[40:]), check_every=check_every, patience=patience, rng=0)
    stop, best = checks.early_stopping_reference(h.val_loss, patience)
    assert h.stopped_early and stop == len(h.val_loss) - 1
    assert h.val_epochs[best] == h.best_epoch


def test_early_stopping_mistakes():
    def first_increase(val_losses, patience):  # compares with the previous check, not the best
        for i in range(1, len(val_losses)):
            if val_losses[i] > val_losses[i - 1]:
                return i, i - 1
        return len(val_losses) - 1, len(val_losses) - 1

    def ties_improve(val_losses, patience):
        best, bad = 0, 0
        for i, v in enumerate(val_losses):
            if v <= val_losses[best]:
                best, bad = i, 0
            else:
                bad += 1
                if bad == patience:
                    return i, best
        return len(val_losses) - 1, best

    def no_reset(val_losses, patience):
        best, bad = 0, 0
        for i, v in enumerate(val_losses):
            if v < val_losses[best]:
                best = i
            elif i:
                bad += 1
                if bad == patience:
                    return i, best
        return len(val_losses) - 1, best

    def one_late(val_losses, patience):
        stop, best = checks.early_stopping_reference(val_losses, patience + 1)
        return stop, best

    def one_based(val_losses, patience):
        stop, best = checks.early_stopping_reference(val_losses, patience)
        return stop + 1, best + 1

    for wrong in (first_increase, ties_improve, no_reset, one_late):
        message = failed(checks.check_early_stopping(wrong))
        assert "is wrong (you returned" in message
        assert "difference" not in message  # an index difference would give the answer away
    assert "first value (the stopping check)" in failed(checks.check_early_stopping(one_based))
    assert "must be a whole number; got a float" in failed(checks.check_early_stopping(
        lambda val_losses, patience: (len(val_losses) - 0.5, 0)))
    assert "expected a tuple (stop, best)" in failed(checks.check_early_stopping(
        lambda val_losses, patience: 3))
    assert checks.check_early_stopping(  # numpy integers and whole floats are fine
        lambda v, p: tuple(np.float64(i) for i in checks.early_stopping_reference(v, p))).passed
    assert "raised IndexError" in failed(checks.check_early_stopping(
        lambda val_losses, patience: (val_losses[len(val_losses)], 0)))


# --- fit_early_stopping -------------------------------------------------------------------------

def _loop(net, X, y, X_val, y_val, loss="mse", eta=0.1, epochs=100, batch_size=32, check_every=1,
          patience=3, rng=None, *, keep_last=False, reseed=False, check_first=False,
          strict=True):
    seed, rng = rng, np.random.default_rng(rng)
    best_net, best_loss, best_epoch, bad = net, np.inf, None, 0
    for epoch in range(1, epochs + 1):
        order = (np.random.default_rng(seed) if reseed else rng).permutation(len(X))
        for i in range(0, len(X), batch_size):
            batch = order[i:i + batch_size]
            y_hat, cache = mc.forward(net, X[batch])
            net = mc.update(net, mc.backward(net, cache, y[batch], loss), eta)
        if (epoch - 1 if check_first else epoch) % check_every == 0:
            val = mc.loss(mc.forward(net, X_val)[0], y_val, loss)
            if val < best_loss:
                best_net, best_loss, best_epoch, bad = net, val, epoch, 0
            else:
                bad += 1
                if bad == patience + (0 if strict else 1):
                    break
    return (net if keep_last else best_net), epoch, best_epoch


def test_fit_early_stopping_mistakes():
    def variant(**kw):
        return lambda *args, **kwargs: _loop(*args, **kwargs, **kw)

    assert checks.check_fit_early_stopping(variant()).passed
    assert "best check's network" in failed(checks.check_fit_early_stopping(
        variant(keep_last=True)))
    for mistake in ({"reseed": True}, {"check_first": True}):
        message = failed(checks.check_fit_early_stopping(variant(**mistake)))
        assert "is wrong (you returned" in message and "difference" not in message
    message = failed(checks.check_fit_early_stopping(variant(strict=False)))
    assert "second value (the epoch where training stopped) is wrong" in message
    assert "expected a tuple (best network, stopped_epoch, best_epoch)" in failed(
        checks.check_fit_early_stopping(lambda *args, **kwargs: _loop(*args, **kwargs)[0]))


def test_a_network_task_stops_an_endless_loop():
    def endless(net, X, y, X_val, y_val, **kwargs):
        while True:
            pass

    spec = network_spec(mc.init_network([2, 1], ["sigmoid"], rng=0))
    report = run_check("loop", wrap("network", endless), [Case("x", (spec, 0, 0, 0, 0), None)],
                       time_limit=0.2)
    assert "did not return" in failed(report)


# --- the two questions --------------------------------------------------------------------------

@pytest.mark.parametrize(("check", "options", "right"), [
    (checks.check_answer_zero_init, checks.ZERO_INIT_OPTIONS, "b"),
    (checks.check_answer_scaling, checks.SCALING_OPTIONS, "c"),
])
def test_choice_answers(check, options, right):
    for letter in options:
        report = check(lambda letter=letter: letter)
        assert report.passed == (letter == right)
        if letter != right:
            message = failed(report)
            assert f"'{letter}' is not right" in message and f"'{right}'" not in message
    assert check(lambda: f" {right.upper()} ").passed  # case and spaces do not matter
    assert "'e' is not one of the options" in failed(check(lambda: "e"))
    assert "returned None" in failed(check(lambda: None))
    assert "expected one letter as a string" in failed(check(lambda: 3))
