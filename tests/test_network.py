"""The public contract of the engine: Network, init_network, forward, backward, update."""

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mlpcourse as mc

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax", "step"]
# (output activation, loss) pairs that make sense: cross-entropies need probabilities
OUTPUT_LOSS = [(out, "mse") for out in ["linear", "sigmoid", "tanh", "relu", "softmax"]] + [
    ("sigmoid", "binary_cross_entropy"), ("softmax", "binary_cross_entropy"),
    ("softmax", "cross_entropy"), ("sigmoid", "cross_entropy"),
]


def random_net(sizes, hidden, output, rng):
    """A random network with non-zero biases (zero biases put ReLU kinks exactly at z = 0)."""
    rng = np.random.default_rng(rng)
    W = [rng.normal(0, 1 / np.sqrt(n), size=(k, n))
         for n, k in zip(sizes[:-1], sizes[1:], strict=True)]
    b = [rng.normal(0, 0.5, size=k) for k in sizes[1:]]
    return mc.Network.from_weights(W, b, [hidden] * (len(sizes) - 2) + [output])


def random_targets(loss, m, k, rng):
    rng = np.random.default_rng(rng)
    if loss == "cross_entropy":
        return rng.integers(0, k, size=m) if k > 1 else np.ones(m)
    return rng.uniform(size=(m, k))


# --- construction -------------------------------------------------------------------------------

def test_from_weights_numbers_layers_like_the_lecture():
    W1, W2 = np.ones((3, 2)), np.ones((1, 3))
    net = mc.Network.from_weights(W=[W1, W2], b=[np.zeros(3), np.zeros(1)],
                                  activations=["relu", "sigmoid"])
    assert net.W[0] is None and net.b[0] is None
    assert net.W[1].shape == (3, 2) and net.W[2].shape == (1, 3)
    assert net.b[1].shape == (3,) and net.L == 2 and net.sizes == [2, 3, 1]
    assert net.activations[1:] == ["relu", "sigmoid"]
    W1[0, 0] = 5.0  # the network keeps its own copy
    assert net.W[1][0, 0] == 1.0


def test_from_weights_accepts_lists_and_a_leading_none():
    net = mc.Network.from_weights(W=[None, [[1, 2]]], b=[None, [0]], activations=[None, "linear"])
    assert net.W[1].dtype == np.float64 and net.sizes == [2, 1]


@pytest.mark.parametrize("kwargs, message", [
    (dict(W=[np.ones((3, 2)), np.ones((1, 2))], b=[np.zeros(3), np.zeros(1)],
          activations=["relu", "sigmoid"]),
     r"W\[2\] must have shape \(n_2, 3\).*got shape \(1, 2\)"),
    (dict(W=[np.ones((3, 2))], b=[np.zeros(2)], activations=["relu"]),
     r"b\[1\] must have shape \(3,\).*got shape \(2,\)"),
    (dict(W=[np.ones((3, 2)), np.ones((1, 3))], b=[np.zeros(3), np.zeros(1)],
          activations=["relu"]), r"activations must name one activation per layer: expected 2"),
    (dict(W=[np.ones((3, 2))], b=[np.zeros(3)], activations=["sigmoind"]),
     r"unknown activations\[1\] 'sigmoind'; expected one of \[.*'sigmoid'.*\]"),
    (dict(W=[np.full((1, 2), np.nan)], b=[np.zeros(1)], activations=["relu"]),
     r"W\[1\] must contain only finite numbers"),
    (dict(W=[np.ones(2)], b=[np.zeros(1)], activations=["relu"]), r"W\[1\] must be 2-D"),
])
def test_from_weights_errors_name_the_argument(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mc.Network.from_weights(**kwargs)


def test_from_weights_type_errors():
    with pytest.raises(TypeError, match="W must be a list"):
        mc.Network.from_weights(W=np.ones((2, 2)), b=[np.zeros(2)], activations=["relu"])
    with pytest.raises(TypeError, match=r"W\[1\] must be a numeric array"):
        mc.Network.from_weights(W=[["a", "b"]], b=[[0]], activations=["relu"])


@pytest.mark.parametrize("method", mc.INIT_METHODS)
def test_init_network_methods_shapes_and_determinism(method):
    a = mc.init_network([4, 8, 3], ["tanh", "softmax"], method=method, rng=7)
    b = mc.init_network([4, 8, 3], ["tanh", "softmax"], method=method,
                        rng=np.random.default_rng(7))
    assert a.sizes == [4, 8, 3]
    for l in (1, 2):
        np.testing.assert_array_equal(a.W[l], b.W[l])
        assert np.all(a.b[l] == 0)


def test_init_network_distributions():
    rng = np.random.default_rng(0)
    uniform = mc.init_network([400, 300], ["linear"], "uniform", rng)
    assert -1 <= uniform.W[1].min() < -0.99 and 0.99 < uniform.W[1].max() <= 1
    xavier = mc.init_network([400, 300], ["linear"], "xavier", rng)
    assert np.abs(xavier.W[1]).max() <= np.sqrt(6 / 700)
    assert xavier.W[1].var() == pytest.approx(2 / 700, rel=0.05)
    he = mc.init_network([400, 300], ["relu"], "he", rng)
    assert he.W[1].var() == pytest.approx(2 / 400, rel=0.05)
    assert not np.any(mc.init_network([3, 2], ["relu"], "zeros", rng).W[1])
    doubled = mc.init_network([400, 300], ["linear"], "uniform", rng=1, gain=2.0)
    np.testing.assert_allclose(doubled.W[1], 2 * mc.init_network([400, 300], ["linear"],
                                                                  "uniform", rng=1).W[1])


def test_init_network_errors():
    with pytest.raises(ValueError, match=r"unknown method 'glorot'; expected one of \['he', "
                                         r"'uniform', 'xavier', 'zeros'\]"):
        mc.init_network([2, 2], ["relu"], method="glorot", rng=0)
    with pytest.raises(TypeError, match="rng must be an int seed or a numpy.random.Generator"):
        mc.init_network([2, 2], ["relu"], rng=0.5)
    with pytest.raises(ValueError, match="sizes must be positive integers"):
        mc.init_network([2, 0], ["relu"], rng=0)
    with pytest.raises(ValueError, match="activations must name one activation per layer"):
        mc.init_network([2, 3, 1], ["relu"], rng=0)


def test_init_network_never_touches_the_global_generator():
    np.random.seed(123)  # noqa: NPY002 (the legacy global state is what is being watched)
    before = np.random.get_state()[1].copy()  # noqa: NPY002
    mc.init_network([5, 5, 2], ["relu", "softmax"], "he", rng=0)
    np.testing.assert_array_equal(np.random.get_state()[1], before)  # noqa: NPY002


# --- forward -----------------------------------------------------------------------------------

def test_forward_batch_and_single_sample():
    net = random_net([3, 4, 2], "tanh", "softmax", 0)
    X = np.random.default_rng(1).normal(size=(5, 3))
    y_hat, cache = mc.forward(net, X)
    assert y_hat.shape == (5, 2) and cache.a[0] is X or np.array_equal(cache.a[0], X)
    assert cache.z[0] is None and cache.z[1].shape == (5, 4) and cache.a[2].shape == (5, 2)
    np.testing.assert_allclose(cache.z[1], X @ net.W[1].T + net.b[1])
    np.testing.assert_allclose(y_hat.sum(axis=1), 1.0)
    y1, cache1 = mc.forward(net, X[2])
    assert y1.shape == (2,) and cache1.z[1].shape == (4,) and cache1.a[0].shape == (3,)
    np.testing.assert_allclose(y1, y_hat[2])


@pytest.mark.parametrize("X, error, message", [
    (np.ones((5, 4)), ValueError, r"X must have 3 features per sample.*got an array of shape "
                                  r"\(5, 4\)"),
    (np.ones(2), ValueError, r"X must have 3 features per sample"),
    (np.ones((2, 2, 3)), ValueError, r"X must be 1-D or 2-D"),
    (np.array([[1.0, np.nan, 0.0]]), ValueError, r"X must contain only finite numbers; got 1"),
    (np.array([[1.0, np.inf, 0.0]]), ValueError, r"X must contain only finite numbers"),
    ([["a", "b", "c"]], TypeError, r"X must be a numeric array"),
])
def test_forward_rejects_bad_input(X, error, message):
    net = random_net([3, 2, 1], "relu", "sigmoid", 0)
    with pytest.raises(error, match=message):
        mc.forward(net, X)


def test_float32_stays_float32():
    net = mc.init_network([3, 4, 2], ["relu", "softmax"], "he", rng=0, dtype=np.float32)
    X = np.random.default_rng(0).normal(size=(6, 3)).astype(np.float32)
    y_hat, cache = mc.forward(net, X)
    assert y_hat.dtype == np.float32 and all(z.dtype == np.float32 for z in cache.z[1:])
    grads = mc.backward(net, cache, np.array([0, 1, 1, 0, 1, 0]), "cross_entropy")
    assert all(g.dtype == np.float32 for g in grads.W[1:] + grads.b[1:] + grads.delta[1:])
    new = mc.update(net, grads, 0.1)
    assert all(w.dtype == np.float32 for w in new.W[1:] + new.b[1:])
    trained, _ = mc.fit(net, X, [0, 1, 1, 0, 1, 0], "ce", eta=0.1, epochs=2, rng=0)
    assert all(w.dtype == np.float32 for w in trained.W[1:] + trained.b[1:])


def test_integer_input_is_computed_in_float64():
    net = random_net([2, 2, 1], "sigmoid", "sigmoid", 0)
    y_hat, _ = mc.forward(net, np.array([[1, 0]]))
    assert y_hat.dtype == np.float64


# --- backward ----------------------------------------------------------------------------------

@pytest.mark.parametrize("hidden, output_loss", list(itertools.product(HIDDEN, OUTPUT_LOSS)))
def test_gradient_check_every_activation_and_loss(hidden, output_loss):
    output, loss = output_loss
    net = random_net([3, 5, 4, 3], hidden, output, rng=11)
    X = np.random.default_rng(12).normal(size=(7, 3))
    y = random_targets(loss, 7, 3, 13)
    if loss == "cross_entropy" and output == "sigmoid":
        y = np.eye(3)[y]  # one-hot rows
    assert mc.gradient_check(net, X, y, loss=loss) < 1e-7


@given(
    sizes=st.lists(st.integers(1, 5), min_size=2, max_size=5),
    m=st.integers(1, 9),
    seed=st.integers(0, 2**32 - 1),
    hidden=st.sampled_from(["sigmoid", "tanh", "leaky_relu", "linear", "softmax"]),
    output_loss=st.sampled_from(OUTPUT_LOSS),
)
def test_backward_matches_finite_differences_for_random_shapes(sizes, m, seed, hidden,
                                                                output_loss):
    output, loss = output_loss
    if output == "softmax" and loss == "cross_entropy" and sizes[-1] == 1:
        sizes = [*sizes[:-1], 2]
    net = random_net(sizes, hidden, output, seed)
    rng = np.random.default_rng(seed + 1)
    X = rng.normal(size=(m, sizes[0]))
    y = random_targets(loss, m, sizes[-1], rng)
    if loss == "cross_entropy" and output == "sigmoid":
        y = np.eye(sizes[-1])[y.astype(int)] if sizes[-1] > 1 else np.ones((m, 1))
    grads = mc.backward(net, mc.forward(net, X)[1], y, loss)
    for l in range(1, net.L + 1):
        assert grads.W[l].shape == net.W[l].shape and grads.b[l].shape == net.b[l].shape
        assert grads.delta[l].shape == (m, sizes[l])
    assert mc.gradient_check(net, X, y, loss=loss) < 1e-6


def test_backward_uses_the_mean_loss():
    """Gradients of the mean: the batch gradient is the mean of per-sample gradients."""
    net = random_net([3, 4, 1], "tanh", "sigmoid", 3)
    X = np.random.default_rng(4).normal(size=(6, 3))
    y = np.array([0, 1, 1, 0, 1, 1])
    batch = mc.backward(net, mc.forward(net, X)[1], y, "bce")
    singles = [mc.backward(net, mc.forward(net, X[i])[1], y[i], "bce") for i in range(6)]
    for l in (1, 2):
        np.testing.assert_allclose(batch.W[l], np.mean([g.W[l] for g in singles], axis=0))
        np.testing.assert_allclose(batch.b[l], np.mean([g.b[l] for g in singles], axis=0))


def test_output_delta_shortcuts():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(4, 3))
    net = random_net([3, 3, 2], "relu", "sigmoid", 1)
    y = rng.integers(0, 2, size=(4, 2)).astype(float)
    y_hat, cache = mc.forward(net, X)
    np.testing.assert_allclose(mc.backward(net, cache, y, "bce").delta[2], (y_hat - y) / 8)
    net = random_net([3, 3, 4], "relu", "softmax", 1)
    labels = np.array([0, 3, 2, 1])
    y_hat, cache = mc.forward(net, X)
    np.testing.assert_allclose(mc.backward(net, cache, labels, "ce").delta[2],
                               (y_hat - np.eye(4)[labels]) / 4)


@pytest.mark.parametrize("y, message", [
    (np.array([0, 1, 5]), r"y holds class labels out of range: expected 0..2 for 3 outputs; "
                          r"got labels from 0 to 5"),
    (np.array([0, -1, 2]), r"class labels out of range"),
    (np.ones((3, 2)), r"y does not fit the network output: expected shape \(3, 3\)"),
    (np.array([0.5, 1, 2]), r"y must hold integer class labels"),
])
def test_backward_rejects_bad_targets(y, message):
    net = random_net([2, 3, 3], "relu", "softmax", 0)
    cache = mc.forward(net, np.ones((3, 2)))[1]
    with pytest.raises(ValueError, match=message):
        mc.backward(net, cache, y, "cross_entropy")


def test_backward_rejects_unknown_loss_and_unfit_pairs():
    net = random_net([2, 3, 1], "relu", "linear", 0)
    cache = mc.forward(net, np.ones((3, 2)))[1]
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'; expected one of \['bce', "
                                         r"'binary_cross_entropy', 'ce', 'cross_entropy', 'mse'\]"):
        mc.backward(net, cache, np.ones(3), "hinge")
    with pytest.raises(ValueError, match=r"loss 'binary_cross_entropy' needs probabilities.*"
                                         r"got 'linear'"):
        mc.backward(net, cache, np.ones(3), "bce")
    with pytest.raises(ValueError, match=r"y must lie in \[0, 1\] for binary_cross_entropy"):
        mc.backward(random_net([2, 3, 1], "relu", "sigmoid", 0), cache, np.full(3, 2.0), "bce")


def test_backward_rejects_a_cache_of_another_network():
    net = random_net([2, 3, 1], "relu", "sigmoid", 0)
    other = random_net([2, 4, 1], "relu", "sigmoid", 0)
    with pytest.raises(ValueError, match="cache does not belong to this network"):
        mc.backward(net, mc.forward(other, np.ones((2, 2)))[1], np.ones(2), "bce")


# --- numerical stability -----------------------------------------------------------------------

@pytest.mark.parametrize("output, loss", [("sigmoid", "bce"), ("softmax", "ce"),
                                          ("sigmoid", "mse"), ("softmax", "mse"),
                                          ("tanh", "mse")])
def test_huge_pre_activations_stay_finite(output, loss):
    """z = ±1e4 saturates every unit: probabilities round to exactly 0 or 1, yet loss and
    gradients are finite and no RuntimeWarning is raised (warnings are errors in this suite)."""
    k = 2
    W = [np.array([[1e4, 0.0], [-1e4, 0.0], [0.0, 1e4]]),
         np.array([[1e4, -1e4, 0], [-1e4, 1e4, 0]])]
    b = [np.zeros(3), np.zeros(k)]
    net = mc.Network.from_weights(W, b, ["tanh", output])
    X = np.array([[1.0, -1.0], [-1.0, 1.0]])
    y = np.array([1, 0]) if loss == "ce" else np.array([[0.0, 1.0], [1.0, 0.0]])
    y_hat, cache = mc.forward(net, X)
    assert np.all(np.isfinite(y_hat)) and np.any((y_hat == 0) | (y_hat == 1))
    value = mc.loss(y_hat, y, loss)
    grads = mc.backward(net, cache, y, loss)
    assert np.isfinite(value) and value > 0
    assert all(np.all(np.isfinite(g)) for g in grads.W[1:] + grads.b[1:])


def test_probabilities_of_exactly_zero_and_one():
    y_hat = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert mc.loss(y_hat, np.array([[1.0, 0.0], [0.0, 1.0]]), "bce") == pytest.approx(100.0)
    assert mc.loss(y_hat, np.array([0, 1]), "ce") == pytest.approx(100.0)  # p(true class) = 0
    assert mc.loss(y_hat, np.array([1, 0]), "ce") == 0.0
    assert mc.loss(y_hat, np.array([0, 1]), "ce") == mc.loss(y_hat, np.eye(2)[[0, 1]], "ce")
    assert np.all(np.isfinite(mc.loss_gradient(y_hat, np.array([1, 0]), "ce")))
    assert np.all(np.isfinite(mc.loss_gradient(y_hat, np.array([[1.0, 0.0], [0.0, 1.0]]), "bce")))


# --- update, predict ---------------------------------------------------------------------------

def test_update_returns_a_new_network_and_leaves_net_unchanged():
    net = random_net([2, 3, 1], "sigmoid", "sigmoid", 0)
    before = [w.copy() for w in net.W[1:]]
    grads = mc.backward(net, mc.forward(net, np.ones((2, 2)))[1], np.ones(2), "bce")
    new = mc.update(net, grads, eta=0.5)
    assert new is not net
    for l in (1, 2):
        np.testing.assert_array_equal(net.W[l], before[l - 1])
        np.testing.assert_allclose(new.W[l], net.W[l] - 0.5 * grads.W[l])
        np.testing.assert_allclose(new.b[l], net.b[l] - 0.5 * grads.b[l])


@pytest.mark.parametrize("eta, error", [(0, ValueError), (-0.1, ValueError),
                                        (float("nan"), ValueError), ("0.1", TypeError)])
def test_update_rejects_bad_learning_rates(eta, error):
    net = random_net([2, 3, 1], "sigmoid", "sigmoid", 0)
    grads = mc.backward(net, mc.forward(net, np.ones((2, 2)))[1], np.ones(2), "bce")
    with pytest.raises(error, match="eta must be"):
        mc.update(net, grads, eta=eta)


def test_predict_and_accuracy():
    net = mc.Network.from_weights([np.array([[1.0, 0.0], [0.0, 1.0]])], [np.zeros(2)], ["softmax"])
    X = np.array([[2.0, 0.0], [0.0, 2.0], [3.0, 1.0]])
    np.testing.assert_array_equal(mc.predict(net, X), [0, 1, 0])
    assert mc.accuracy(net, X, [0, 1, 1]) == pytest.approx(2 / 3)
    binary = mc.Network.from_weights([np.array([[1.0, 0.0]])], [np.zeros(1)], ["sigmoid"])
    np.testing.assert_array_equal(mc.predict(binary, X[:2]).ravel(), [1, 0])
    assert mc.accuracy(binary, X[:2], [1, 0]) == 1.0


def test_repr_shows_architecture():
    net = mc.init_network([2, 2, 1], ["sigmoid", "sigmoid"], rng=0)
    assert repr(net) == "Network(2-2-1, activations=['sigmoid', 'sigmoid'], dtype=float64)"


def test_fit_stops_cleanly_when_training_diverges():
    """A far too large η: no RuntimeWarning, history says so, the weights returned are finite."""
    X = np.linspace(-3, 3, 40).reshape(-1, 1)
    y = np.sin(2 * X)
    net = mc.init_network([1, 16, 1], ["relu", "linear"], "uniform", rng=0)
    trained, history = mc.fit(net, X, y, "mse", eta=1.0, epochs=50, batch_size=40, rng=0)
    assert history.diverged and history.stopped_epoch < 50
    assert not np.isfinite(history.train_loss[-1])
    assert all(np.all(np.isfinite(w)) for w in trained.W[1:])
    _, calm = mc.fit(net, X, y, "mse", eta=0.01, epochs=5, rng=0)
    assert not calm.diverged and len(calm.train_loss) == 5


def test_fit_refuses_an_empty_training_set():
    net = mc.init_network([2, 1], ["sigmoid"], rng=0)
    with pytest.raises(ValueError, match="X must hold at least one sample"):
        mc.fit(net, np.zeros((0, 2)), np.zeros(0), "bce")


def test_fit_refuses_a_one_dimensional_validation_set():
    net = mc.init_network([2, 1], ["sigmoid"], rng=0)
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match=r"validation X_val must be 2-D \(m, 2\)"):
        mc.fit(net, X, np.zeros(4), "bce", validation=(np.zeros(2), np.zeros(1)))
