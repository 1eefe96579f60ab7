"""Tests for mlpcourse.diagnostics: gradient norms per layer, saturation, the per-layer backward
factors and their bound, deep-network building, depth sweeps and weight change."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import mlpcourse as mc
from mlpcourse import diagnostics as dg


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(128, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(float)
    return X, y


# ---------------------------------------------------------------- gradient_norms


@pytest.mark.parametrize("of", ["W", "b", "delta"])
def test_gradient_norms_match_backward(data, of):
    X, y = data
    net = dg.deep_network(4, width=5, activation="tanh", rng=1)
    grads = mc.backward(net, mc.forward(net, X)[1], y, loss="binary_cross_entropy")
    expected = [np.linalg.norm(getattr(grads, of)[l]) for l in range(1, net.L + 1)]
    norms = dg.gradient_norms(net, X, y, of=of)
    assert norms.shape == (net.L,)
    np.testing.assert_allclose(norms, expected, rtol=1e-12)


def test_gradient_norms_per_weight_is_root_mean_square(data):
    X, y = data
    net = dg.deep_network(3, width=7, activation="relu", init="he", rng=2)
    grads = mc.backward(net, mc.forward(net, X)[1], y, loss="bce")
    rms = [np.sqrt(np.mean(grads.W[l] ** 2)) for l in (1, 2, 3)]
    np.testing.assert_allclose(dg.gradient_norms(net, X, y, per_weight=True), rms, rtol=1e-12)


def test_gradient_norms_with_mse_and_a_linear_output(data):
    X, y = data
    net = dg.deep_network(3, width=4, output="linear", rng=0)
    grads = mc.backward(net, mc.forward(net, X)[1], y, loss="mse")
    np.testing.assert_allclose(dg.gradient_norms(net, X, y, loss="mse"),
                               [np.linalg.norm(grads.W[l]) for l in (1, 2, 3)])


def test_sigmoid_gradient_vanishes_in_a_ten_layer_net(data):
    X, y = data
    for seed in range(3):
        net = dg.deep_network(10, width=32, activation="sigmoid", init="xavier", rng=seed)
        norms = dg.gradient_norms(net, X, y, per_weight=True)
        assert norms[0] / norms[-1] < 1e-3  # orders of magnitude below the output layer
        assert np.all(np.diff(np.log(norms[:-1])) > 0)  # shrinks layer by layer going back


def test_relu_with_he_init_keeps_the_gradient(data):
    X, y = data
    for seed in range(3):
        net = dg.deep_network(10, width=32, activation="relu", init="he", rng=seed)
        norms = dg.gradient_norms(net, X, y, per_weight=True)
        assert 0.1 < norms[0] / norms[-1] < 10
        assert norms.max() / norms.min() < 20


def test_softmax_hidden_layers_shrink_delta_by_about_one_over_width(data):
    X, y = data
    for width in (8, 32):
        net = dg.deep_network(8, width=width, activation="softmax", rng=0)
        f = dg.backward_factors(net, X, y)
        # a softmax Jacobian's entries are about 1/width when every output is about 1/width
        assert np.all(f.measured[:-1] < 2.5 / width)
        assert np.all(f.measured[:-1] > 0.3 / width)


def test_gradient_norms_argument_errors(data):
    X, y = data
    net = dg.deep_network(2, width=3, rng=0)
    with pytest.raises(ValueError, match=r"unknown of 'z'; expected one of"):
        dg.gradient_norms(net, X, y, of="z")
    with pytest.raises(TypeError, match="net must be a Network; got list"):
        dg.gradient_norms([1, 2], X, y)
    with pytest.raises(ValueError, match="X must have 2 features per sample"):
        dg.gradient_norms(net, np.ones((4, 3)), y[:4])


# ---------------------------------------------------------------- saturation


def test_saturation_fractions_and_shapes(data):
    X, _ = data
    net = dg.deep_network(5, width=6, activation="tanh", rng=0)
    sat = dg.saturation(net, X)
    assert sat.fraction.shape == (4,) and sat.mean_derivative.shape == (4,)
    assert np.all((sat.fraction >= 0) & (sat.fraction <= 1))
    assert [z.shape for z in sat.z] == [(128, 6)] * 4
    np.testing.assert_allclose(sat.z[1], mc.forward(net, X)[1].z[2])
    np.testing.assert_allclose(sat.derivative[0], 1 - np.tanh(sat.z[0]) ** 2)
    np.testing.assert_array_equal(sat.layers, [1, 2, 3, 4])


def test_huge_pre_activations_saturate_sigmoid_and_tanh(data):
    X, _ = data
    for activation in ("sigmoid", "tanh"):
        net = dg.deep_network(4, width=16, activation=activation, init="uniform", gain=100.0,
                              rng=0)
        assert np.all(dg.saturation(net, X).fraction > 0.9)


def test_tiny_pre_activations_do_not_saturate(data):
    X, _ = data
    net = dg.deep_network(4, width=16, activation="sigmoid", gain=0.01, rng=0)
    sat = dg.saturation(net, X)
    np.testing.assert_array_equal(sat.fraction, 0.0)
    np.testing.assert_allclose(sat.mean_derivative, 0.25, atol=1e-3)  # σ'(0) = 1/4


def test_relu_saturation_counts_inactive_units_and_linear_never_saturates(data):
    X, _ = data
    net = dg.deep_network(3, width=10, activation="relu", init="he", rng=3)
    sat = dg.saturation(net, X)
    np.testing.assert_allclose(sat.fraction, [np.mean(z <= 0) for z in sat.z])
    lin = dg.deep_network(3, width=10, activation="linear", gain=50.0, rng=3)
    np.testing.assert_array_equal(dg.saturation(lin, X).fraction, 0.0)


def test_softmax_saturation_uses_the_jacobian_diagonal(data):
    X, _ = data
    net = dg.deep_network(3, width=4, activation="softmax", rng=0)
    sat = dg.saturation(net, X)
    a = mc.forward(net, X)[1].a[1]
    np.testing.assert_allclose(sat.derivative[0], a * (1 - a))


def test_saturation_argument_errors(data):
    X, _ = data
    net = dg.deep_network(3, width=4, rng=0)
    with pytest.raises(ValueError, match=r"threshold must lie in \(0, 1\]"):
        dg.saturation(net, X, threshold=2.0)
    with pytest.raises(ValueError, match="threshold must be a finite number > 0"):
        dg.saturation(net, X, threshold=0.0)
    with pytest.raises(ValueError, match="net must have a hidden layer"):
        dg.saturation(dg.deep_network(1, rng=0), X)


# ---------------------------------------------------------------- backward_factors


def test_backward_factors_multiply_to_the_delta_ratio(data):
    X, y = data
    net = dg.deep_network(6, width=8, activation="sigmoid", rng=4)
    f = dg.backward_factors(net, X, y)
    delta = dg.gradient_norms(net, X, y, of="delta")
    assert f.measured.shape == (5,)
    np.testing.assert_allclose(np.prod(f.measured), delta[0] / delta[-1])
    np.testing.assert_allclose(f.max_derivative, 0.25)
    np.testing.assert_allclose(f.spectral, [np.linalg.norm(net.W[l], 2) for l in range(2, 7)])


def test_one_unit_linear_chain_meets_the_bound_exactly():
    net = mc.Network.from_weights(W=[[[2.0]], [[-3.0]], [[0.5]]], b=[[0.0], [0.0], [0.0]],
                                  activations=["linear", "linear", "sigmoid"])
    f = dg.backward_factors(net, np.array([[1.0], [2.0]]), np.array([1.0, 0.0]))
    np.testing.assert_allclose(f.measured, [3.0, 0.5])
    np.testing.assert_allclose(f.bound, [3.0, 0.5])


@given(activation=st.sampled_from(["sigmoid", "tanh", "relu", "softmax", "leaky_relu"]),
       gain=st.floats(0.1, 5.0), seed=st.integers(0, 10_000), width=st.integers(1, 12))
def test_measured_factor_never_exceeds_its_bound(activation, gain, seed, width):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(20, 3))
    y = rng.integers(0, 2, size=20).astype(float)
    net = dg.deep_network(4, width=width, activation=activation, init="uniform", gain=gain,
                          n_in=3, rng=rng)
    f = dg.backward_factors(net, X, y)
    ok = ~np.isnan(f.measured)
    assert np.all(f.measured[ok] <= f.bound[ok] * (1 + 1e-9) + 1e-300)


def test_sigmoid_measured_factor_is_close_to_the_mean_derivative(data):
    X, y = data
    net = dg.deep_network(10, width=64, activation="sigmoid", init="xavier", rng=0)
    f = dg.backward_factors(net, X, y)
    assert np.all(f.measured[:-1] < 0.4)
    np.testing.assert_allclose(np.median(f.measured / f.mean_derivative), 1.0, atol=0.2)


# ---------------------------------------------------------------- deep_network


def test_deep_network_sizes_and_activations():
    net = dg.deep_network(5, width=7, activation="tanh", n_in=3, n_out=2, output="softmax", rng=0)
    assert net.L == 5
    assert net.sizes == [3, 7, 7, 7, 7, 2]
    assert net.activations[1:] == ["tanh"] * 4 + ["softmax"]
    assert dg.deep_network(1, rng=0).sizes == [2, 1]


def test_deep_network_gain_scales_the_weights_and_rng_repeats():
    a = dg.deep_network(3, width=4, init="he", rng=5)
    b = dg.deep_network(3, width=4, init="he", gain=3.0, rng=5)
    for l in (1, 2, 3):
        np.testing.assert_allclose(b.W[l], 3.0 * a.W[l])
    c = dg.deep_network(3, width=4, init="he", rng=np.random.default_rng(5))
    np.testing.assert_array_equal(a.W[2], c.W[2])


@pytest.mark.parametrize(("kwargs", "error", "message"), [
    ({"depth": 0}, ValueError, "depth must be a positive integer; got 0"),
    ({"depth": 2.5}, TypeError, "depth must be a positive integer"),
    ({"depth": 3, "width": -1}, ValueError, "width must be a positive integer; got -1"),
    ({"depth": 3, "activation": "swish"}, ValueError, "unknown activation 'swish'"),
    ({"depth": 3, "output": "gelu"}, ValueError, "unknown output 'gelu'"),
    ({"depth": 3, "init": "orthogonal"}, ValueError, "unknown init 'orthogonal'"),
    ({"depth": 3, "gain": -1.0}, ValueError, "gain must be a finite number > 0"),
    ({"depth": 3, "rng": "seed"}, TypeError, "rng must be an int seed"),
])
def test_deep_network_argument_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        dg.deep_network(**kwargs)


# ---------------------------------------------------------------- depth_sweep


def test_depth_sweep_shapes_and_reproducibility(data):
    X, y = data
    sweep = dg.depth_sweep([2, 3, 5], X, y, activation="tanh", width=8, rng=0)
    np.testing.assert_array_equal(sweep.depths, [2, 3, 5])
    assert [n.shape for n in sweep.norms] == [(2,), (3,), (5,)]
    assert sweep.first.shape == (3,) and sweep.last.shape == (3,)
    again = dg.depth_sweep([2, 3, 5], X, y, activation="tanh", width=8, rng=0)
    for a, b in zip(sweep.norms, again.norms, strict=True):
        np.testing.assert_array_equal(a, b)


def test_depth_sweep_matches_gradient_norms_of_the_same_network(data):
    X, y = data
    sweep = dg.depth_sweep([4], X, y, activation="relu", init="he", width=6, rng=7)
    net = dg.deep_network(4, width=6, activation="relu", init="he", rng=7)
    np.testing.assert_allclose(sweep.norms[0], dg.gradient_norms(net, X, y))


def test_sigmoid_first_layer_gradient_falls_with_depth(data):
    X, y = data
    sweep = dg.depth_sweep([2, 4, 8, 12], X, y, per_weight=True, repeats=3, rng=0)
    assert np.all(np.diff(sweep.first) < 0)
    assert sweep.first[-1] / sweep.first[0] < 1e-4


def test_depth_sweep_argument_errors(data):
    X, y = data
    with pytest.raises(ValueError, match="depths must be a non-empty sequence"):
        dg.depth_sweep([], X, y)
    with pytest.raises(ValueError, match="depths must be a positive integer; got 0"):
        dg.depth_sweep([0, 2], X, y)
    with pytest.raises(ValueError, match="repeats must be a positive integer"):
        dg.depth_sweep([2], X, y, repeats=0)
    with pytest.raises(ValueError, match="X must be 2-D"):
        dg.depth_sweep([2], X[0], y)


# ---------------------------------------------------------------- weight_change


def test_weight_change_known_values():
    before = mc.Network.from_weights(W=[[[3.0, 4.0]], [[1.0]]], b=[[0.0], [0.0]],
                                     activations=["relu", "sigmoid"])
    after = mc.Network.from_weights(W=[[[3.0, 4.5]], [[3.0]]], b=[[1.0], [0.0]],
                                    activations=["relu", "sigmoid"])
    np.testing.assert_allclose(dg.weight_change(before, after), [0.1, 2.0])
    np.testing.assert_allclose(dg.weight_change(before, after, relative=False), [0.5, 2.0])
    np.testing.assert_array_equal(dg.weight_change(before, before), [0.0, 0.0])


def test_weight_change_after_training_is_smaller_in_the_first_sigmoid_layer(data):
    X, y = data
    net = dg.deep_network(8, width=16, activation="sigmoid", rng=0)
    trained, _ = mc.fit(net, X, y, loss="bce", eta=0.5, epochs=5, batch_size=32, rng=0)
    change = dg.weight_change(net, trained)
    assert change[0] < 1e-3 * change[-1]


def test_weight_change_argument_errors():
    a = dg.deep_network(2, width=3, rng=0)
    with pytest.raises(ValueError, match=r"after must have the sizes of before, \[2, 3, 1\]"):
        dg.weight_change(a, dg.deep_network(2, width=4, rng=0))
    with pytest.raises(TypeError, match="after must be a Network"):
        dg.weight_change(a, None)


def test_factor_products_run_from_each_layer_to_the_output(data):
    X, y = data
    net = dg.deep_network(5, width=6, activation="sigmoid", rng=1)
    f = dg.backward_factors(net, X, y)
    delta = dg.gradient_norms(net, X, y, of="delta")
    np.testing.assert_allclose(f.product(), delta / delta[-1])
    np.testing.assert_allclose(f.product("max_derivative"), 0.25 ** np.arange(4, -1, -1))
    with pytest.raises(ValueError, match="unknown which 'ratio'"):
        f.product("ratio")
