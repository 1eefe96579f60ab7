"""Tests of mlpcourse.activations: known values, derivatives against central differences, the
lecture's identities, softmax and its Jacobian, the vector-Jacobian products used by backward,
numerical stability, dtypes, and the errors for unknown names."""

import re
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from mlpcourse import activations as A
from mlpcourse.gradcheck import numerical_gradient

ELEMENTWISE = [name for name, act in A.ACTIVATIONS.items() if act.derivative is not None]
# points away from the kinks (step at θ = 0, ReLU and leaky ReLU at 0)
Z = np.array([-3.1, -1.7, -0.6, -0.2, 0.15, 0.4, 0.9, 1.3, 2.2, 3.7])


def elementwise_numerical_derivative(g, z):
    """g'(z) for an elementwise g by central differences: d/dz_i Σ_j g(z_j) = g'(z_i).

    Rounding in the sum (about 1e-15 · |Σ g| / 2h) limits the accuracy to about 1e-8 here.
    """
    return numerical_gradient(lambda v: float(np.sum(g(v))), z)


# ---------------------------------------------------------------- known values


def test_table_holds_the_lecture_activations():
    assert {"step", "linear", "sigmoid", "tanh", "relu", "softmax"} <= set(A.ACTIVATIONS)
    for name, act in A.ACTIVATIONS.items():
        assert act.name == name


def test_sigmoid_known_values():
    assert A.sigmoid(0.0) == 0.5
    np.testing.assert_allclose(A.sigmoid(np.log(3.0)), 0.75, rtol=1e-15)
    np.testing.assert_allclose(A.sigmoid(-np.log(3.0)), 0.25, rtol=1e-15)


def test_sigmoid_reproduces_lecture_example3_activations():
    # lecture Example 3: σ(0.25) ≈ 0.562, σ(0.41) ≈ 0.601, σ(1.185) ≈ 0.766
    np.testing.assert_allclose(A.sigmoid([0.25, 0.41, 1.185]), [0.562, 0.601, 0.766], atol=5e-4)


def test_tanh_known_values():
    assert A.tanh(0.0) == 0.0
    # tanh(ln 2) = (2 - 1/2) / (2 + 1/2) = 0.6
    np.testing.assert_allclose(A.tanh(np.log(2.0)), 0.6, rtol=1e-15)
    np.testing.assert_allclose(A.tanh([-np.log(2.0)]), [-0.6], rtol=1e-15)


def test_relu_known_values_and_lecture_case_split():
    # lecture: 0 if x <= 0, x if x > 0
    np.testing.assert_array_equal(A.relu([-2.0, -0.5, 0.0, 0.5, 3.0]), [0, 0, 0, 0.5, 3.0])
    np.testing.assert_array_equal(A.relu_prime([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])


def test_leaky_relu_known_values():
    np.testing.assert_allclose(A.leaky_relu([-2.0, 0.0, 3.0]), [-0.02, 0.0, 3.0])
    np.testing.assert_allclose(A.leaky_relu([-2.0, 3.0], slope=0.1), [-0.2, 3.0])
    np.testing.assert_allclose(A.leaky_relu_prime([-2.0, 0.0, 3.0]), [0.01, 0.01, 1.0])


def test_linear_is_the_identity():
    z = np.array([[-1.5, 0.0, 2.0]])
    np.testing.assert_array_equal(A.linear(z), z)
    np.testing.assert_array_equal(A.linear_prime(z), np.ones_like(z))


def test_step_default_threshold_zero_gives_zero_at_the_threshold():
    # the perceptron's g(h): 1 if h > θ, 0 if h <= θ
    np.testing.assert_array_equal(A.step([-1.0, 0.0, 1e-12, 1.0]), [0.0, 0.0, 1.0, 1.0])


@pytest.mark.parametrize("theta", [-1.0, 0.5, 2.0])
def test_step_with_threshold_theta(theta):
    z = np.array([theta - 0.1, theta, theta + 0.1])
    np.testing.assert_array_equal(A.step(z, theta=theta), [0.0, 0.0, 1.0])


def test_step_derivative_is_zero_everywhere():
    z = np.linspace(-3, 3, 13)
    np.testing.assert_array_equal(A.step_prime(z), np.zeros_like(z))


def test_softmax_known_values():
    # e^0, e^{ln 2}, e^{ln 3} = 1, 2, 3, which sum to 6
    np.testing.assert_allclose(A.softmax(np.log([1.0, 2.0, 3.0])), [1 / 6, 2 / 6, 3 / 6])
    np.testing.assert_allclose(A.softmax([0.0, 0.0]), [0.5, 0.5])


def test_activate_applies_the_named_function():
    z = np.array([-1.0, 0.5])
    for name in A.ACTIVATIONS:
        np.testing.assert_array_equal(A.activate(name, z), A.ACTIVATIONS[name].function(z))


# ---------------------------------------------------------------- derivatives


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_derivative_matches_central_differences_away_from_kinks(name):
    act = A.ACTIVATIONS[name]
    numeric = elementwise_numerical_derivative(act.function, Z)
    np.testing.assert_allclose(act.derivative(Z), numeric, atol=1e-8)
    np.testing.assert_allclose(A.derivative(name, Z), numeric, atol=1e-8)


def test_leaky_relu_prime_with_slope_matches_central_differences():
    numeric = elementwise_numerical_derivative(lambda v: A.leaky_relu(v, slope=0.2), Z)
    np.testing.assert_allclose(A.leaky_relu_prime(Z, slope=0.2), numeric, atol=1e-8)


def test_step_with_theta_has_zero_numerical_derivative_away_from_theta():
    z = np.array([-1.0, 0.2, 0.8, 2.0])
    numeric = elementwise_numerical_derivative(lambda v: A.step(v, theta=0.5), z)
    np.testing.assert_array_equal(numeric, 0.0)


def test_kink_conventions_at_zero():
    # ReLU: the lecture's case split puts 0 in the "0" branch; the step's derivative is taken as 0
    assert A.relu_prime(0.0) == 0.0
    assert A.step_prime(0.0) == 0.0
    assert A.leaky_relu_prime(0.0) == 0.01
    # central differences at the kink average the one-sided slopes: neither convention
    np.testing.assert_allclose(elementwise_numerical_derivative(A.relu, np.array([0.0])), [0.5])


def test_lecture_identity_sigmoid_prime_is_sigma_times_one_minus_sigma():
    z = np.linspace(-8, 8, 41)
    s = A.sigmoid(z)
    np.testing.assert_allclose(A.sigmoid_prime(z), s * (1 - s), rtol=1e-12)
    np.testing.assert_allclose(s * (1 - s), elementwise_numerical_derivative(A.sigmoid, z),
                               atol=1e-8)


def test_lecture_identity_tanh_prime_is_one_minus_tanh_squared():
    z = np.linspace(-5, 5, 41)
    t = A.tanh(z)
    np.testing.assert_allclose(A.tanh_prime(z), 1 - t**2, rtol=1e-14, atol=1e-16)
    np.testing.assert_allclose(1 - t**2, elementwise_numerical_derivative(A.tanh, z), atol=1e-8)


def test_largest_derivatives_are_at_zero():
    z = np.linspace(-10, 10, 2001)
    assert A.sigmoid_prime(0.0) == 0.25
    assert A.tanh_prime(0.0) == 1.0
    assert np.max(A.sigmoid_prime(z)) == 0.25
    assert np.max(A.tanh_prime(z)) == 1.0


# ---------------------------------------------------------------- softmax


def test_softmax_rows_are_positive_and_sum_to_one():
    z = np.random.default_rng(0).normal(scale=3.0, size=(5, 4))
    s = A.softmax(z)
    assert s.shape == (5, 4)
    assert np.all(s > 0)
    np.testing.assert_allclose(s.sum(axis=1), 1.0, rtol=1e-15)


def test_softmax_is_invariant_to_adding_a_constant_per_row():
    z = np.random.default_rng(1).normal(size=(3, 5))
    c = np.array([[-100.0], [0.5], [700.0]])
    np.testing.assert_allclose(A.softmax(z + c), A.softmax(z), rtol=1e-12)


def test_softmax_rows_are_independent():
    z = np.random.default_rng(2).normal(size=(3, 4))
    s = A.softmax(z)
    for i in range(3):
        np.testing.assert_allclose(s[i], A.softmax(z[i]))


def test_softmax_jacobian_matches_central_differences():
    z = np.array([0.3, -1.2, 2.0, 0.7])
    J = A.softmax_jacobian(z)
    assert J.shape == (4, 4)
    numeric = np.array([numerical_gradient(lambda v, i=i: float(A.softmax(v)[i]), z)
                        for i in range(4)])  # row i: ds_i/dz
    np.testing.assert_allclose(J, numeric, atol=1e-9)


def test_softmax_jacobian_formula_and_rows_sum_to_zero():
    z = np.array([1.0, 2.0, 3.0])
    s = A.softmax(z)
    J = A.softmax_jacobian(z)
    np.testing.assert_allclose(J, np.diag(s) - np.outer(s, s))
    np.testing.assert_allclose(J, J.T)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-16)  # Σ_i s_i = 1 whatever z is


def test_derivative_of_softmax_points_to_the_jacobian():
    with pytest.raises(ValueError, match="softmax_jacobian"):
        A.derivative("softmax", np.zeros(3))


# ---------------------------------------------------------------- vector-Jacobian products


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_vjp_is_grad_times_derivative(name):
    rng = np.random.default_rng(3)
    z = rng.normal(size=(6, 4))
    z[0, 0] = 0.0  # the kink: vjp must use the same convention as the derivative
    act = A.ACTIVATIONS[name]
    grad_a = rng.normal(size=z.shape)
    got = act.vjp(z, act.function(z), grad_a)
    assert got.shape == z.shape
    np.testing.assert_allclose(got, grad_a * act.derivative(z), rtol=1e-14, atol=1e-16)


def test_softmax_vjp_is_the_explicit_jacobian_product():
    rng = np.random.default_rng(4)
    z = rng.normal(size=(5, 3))
    grad_a = rng.normal(size=z.shape)
    got = A.ACTIVATIONS["softmax"].vjp(z, A.softmax(z), grad_a)
    expected = np.array([grad_a[r] @ A.softmax_jacobian(z[r]) for r in range(5)])
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax"])
def test_vjp_matches_central_differences_of_a_weighted_sum(name):
    # dL/dz for L = Σ grad_a ⊙ g(z): the definition of the vector-Jacobian product
    rng = np.random.default_rng(5)
    z = rng.normal(size=(3, 4))
    z[np.abs(z) < 1e-3] = 0.5  # stay away from the ReLU kink
    act = A.ACTIVATIONS[name]
    grad_a = rng.normal(size=z.shape)
    numeric = numerical_gradient(lambda v: float(np.sum(grad_a * act.function(v))), z)
    np.testing.assert_allclose(act.vjp(z, act.function(z), grad_a), numeric, atol=1e-8)


# ---------------------------------------------------------------- stability and dtypes

LARGE = [np.array([1e4, -1e4, 0.0]), np.array([1e308, -1e308, 0.0]),
         np.array([np.finfo(np.float64).max, -np.finfo(np.float64).max])]


@pytest.mark.parametrize("z", LARGE, ids=["1e4", "1e308", "max"])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_functions_are_finite_without_warnings_for_huge_inputs(name, z):
    act = A.ACTIVATIONS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        a = act.function(z)
        d = act.derivative(z)
        v = act.vjp(z.reshape(1, -1), a.reshape(1, -1), np.ones((1, z.size)))
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d)) and np.all(np.isfinite(v))


def test_saturated_values_are_exact():
    z = np.array([-1e4, 1e4, -1e308, 1e308])
    np.testing.assert_array_equal(A.sigmoid(z), [0.0, 1.0, 0.0, 1.0])
    np.testing.assert_array_equal(A.tanh(z), [-1.0, 1.0, -1.0, 1.0])
    np.testing.assert_array_equal(A.sigmoid_prime(z), 0.0)
    np.testing.assert_array_equal(A.tanh_prime(z), 0.0)


def test_softmax_is_finite_without_warnings_for_scores_of_1e4():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.softmax(np.array([[1e4, -1e4, 0.0], [1e4, 1e4, 1e4]]))
        J = A.softmax_jacobian(np.array([1e4, -1e4, 0.0]))
    np.testing.assert_array_equal(s, [[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])
    assert np.all(np.isfinite(J))


@pytest.mark.parametrize("z", LARGE[1:], ids=["1e308", "max"])
def test_softmax_is_finite_without_warnings_for_scores_of_1e308(z):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = A.softmax(z)
    assert np.all(np.isfinite(s))
    np.testing.assert_allclose(s.sum(), 1.0)


@pytest.mark.parametrize("name", list(A.ACTIVATIONS))
def test_float32_stays_float32(name):
    act = A.ACTIVATIONS[name]
    z = np.array([[-1.5, 0.0, 0.7]], dtype=np.float32)
    a = act.function(z)
    assert a.dtype == np.float32
    assert act.vjp(z, a, np.ones_like(z)).dtype == np.float32
    if act.derivative is not None:
        assert act.derivative(z).dtype == np.float32
    else:
        assert A.softmax_jacobian(z[0]).dtype == np.float32


def test_step_float32_with_theta_stays_float32():
    assert A.step(np.array([0.2, 0.8], dtype=np.float32), theta=0.5).dtype == np.float32


@pytest.mark.parametrize("name", list(A.ACTIVATIONS))
def test_integer_and_list_input_becomes_float64(name):
    assert A.ACTIVATIONS[name].function(np.array([1, -2, 3])).dtype == np.float64
    assert A.ACTIVATIONS[name].function([1, -2, 3]).dtype == np.float64


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_functions_keep_any_shape(name):
    z = np.random.default_rng(6).normal(size=(2, 3, 4))
    act = A.ACTIVATIONS[name]
    assert act.function(z).shape == z.shape
    assert act.derivative(z).shape == z.shape


# ---------------------------------------------------------------- names


@pytest.mark.parametrize("call", [lambda: A.get_activation("sigmod"),
                                  lambda: A.derivative("sigmod", np.zeros(2)),
                                  lambda: A.activate("sigmod", np.zeros(2))])
def test_unknown_names_raise_value_error_listing_valid_names(call):
    with pytest.raises(ValueError, match="unknown activation 'sigmod'") as info:
        call()
    for name in A.ACTIVATIONS:
        assert repr(name) in str(info.value)


def test_non_string_name_raises_type_error():
    with pytest.raises(TypeError, match="activation must be a string"):
        A.get_activation(A.sigmoid)


def test_get_activation_returns_the_table_entry():
    assert A.get_activation("tanh") is A.ACTIVATIONS["tanh"]


# ---------------------------------------------------------------- properties

moderate = st.floats(min_value=-30, max_value=30, allow_nan=False)
finite = st.floats(min_value=-1e300, max_value=1e300, allow_nan=False)
vectors = hnp.arrays(np.float64, st.integers(1, 8),
                     elements=st.floats(min_value=-50, max_value=50, allow_nan=False))


@given(moderate)
def test_sigmoid_lies_strictly_between_0_and_1(z):
    assert 0.0 < A.sigmoid(z) < 1.0


@given(finite)
def test_sigmoid_is_symmetric(z):
    assert abs(A.sigmoid(-z) - (1.0 - A.sigmoid(z))) <= 1e-15


@given(finite)
def test_tanh_is_odd_and_bounded(z):
    assert A.tanh(-z) == -A.tanh(z)
    assert -1.0 <= A.tanh(z) <= 1.0


@given(st.floats(min_value=-20, max_value=20, allow_nan=False))
def test_tanh_is_a_rescaled_sigmoid(z):
    assert abs(A.tanh(z) - (2 * A.sigmoid(2 * z) - 1)) <= 1e-14


@given(finite, finite)
def test_sigmoid_and_tanh_are_monotone(z1, z2):
    lo, hi = min(z1, z2), max(z1, z2)
    assert A.sigmoid(lo) <= A.sigmoid(hi)
    assert A.tanh(lo) <= A.tanh(hi)


@given(finite)
def test_derivatives_stay_within_their_maxima(z):
    assert 0.0 <= A.sigmoid_prime(z) <= 0.25
    assert 0.0 <= A.tanh_prime(z) <= 1.0


@given(finite)
def test_relu_splits_z_into_positive_and_negative_parts(z):
    assert A.relu(z) - A.relu(-z) == z
    assert A.relu(z) >= 0.0


@given(vectors, st.floats(min_value=-100, max_value=100, allow_nan=False))
def test_softmax_is_a_distribution_invariant_to_shifts(z, c):
    s = A.softmax(z)
    assert np.all(s >= 0) and np.all(s <= 1)
    np.testing.assert_allclose(s.sum(), 1.0, rtol=1e-12)
    np.testing.assert_allclose(A.softmax(z + c), s, rtol=1e-9, atol=1e-15)
    top_two = np.sort(z)[-2:]
    if z.size == 1 or top_two[1] - top_two[0] > 1e-9:  # a near-tie rounds to equal probabilities
        assert np.argmax(s) == np.argmax(z)


def test_sigmoid_prime_is_symmetric_where_sigma_rounds_to_one():
    z = np.array([20.0, 40.0, 700.0])
    np.testing.assert_array_equal(A.sigmoid_prime(z), A.sigmoid_prime(-z))
    assert A.sigmoid_prime(np.array(40.0)) == pytest.approx(np.exp(-40.0), rel=1e-12)


def test_sigmoid_is_accurate_to_the_last_bits_everywhere():
    """σ(z) within 1e-15 relative of the exact value (50 digits, decimal) from -700 to 40: a form
    that goes through log σ (exp(-logaddexp(0, -z))) is off by ~4e-15 for z near -30, and
    0.5 (1 + tanh(z / 2)) loses every digit there."""
    from decimal import Decimal, localcontext

    z = np.concatenate([np.linspace(-700, 40, 741), np.linspace(-40, -5, 351) + 1e-3,
                        np.linspace(-5, 5, 101) + 1e-4])
    with localcontext() as context:
        context.prec = 50
        exact = np.array([float(1 / (1 + (-Decimal(v)).exp())) for v in z.tolist()])
    np.testing.assert_allclose(A.sigmoid(z), exact, rtol=1e-15, atol=0)


# ---------------------------------------------------------------- the registry's facts


def test_max_derivative_is_the_supremum_of_g_prime():
    """Each entry's max_derivative bounds |g'(z)| everywhere and is reached (within 1e-6) on a
    fine grid; for softmax it is the largest spectral norm of its Jacobian, never above 1/2."""
    z = np.linspace(-12.0, 12.0, 240001)
    for name, act in A.ACTIVATIONS.items():
        if act.derivative is None:
            continue
        largest = float(np.max(np.abs(act.derivative(z))))
        assert largest <= act.max_derivative + 1e-15, name
        assert largest == pytest.approx(act.max_derivative, abs=1e-6), name
    rng = np.random.default_rng(0)
    norms = [np.linalg.norm(A.softmax_jacobian(rng.normal(scale=s, size=k)), 2)
             for s in (0.1, 1.0, 5.0, 50.0) for k in (2, 3, 10) for _ in range(20)]
    assert max(norms) <= A.ACTIVATIONS["softmax"].max_derivative + 1e-15
    assert max(norms) == pytest.approx(0.5, abs=1e-3)  # two equal large logits: s = (1/2, 1/2)


def test_entries_carry_their_display_facts():
    for name, act in A.ACTIVATIONS.items():
        assert act.label and act.symbol and "<z>" in act.latex.replace("<-z>", "<z>"), name
        assert re.fullmatch(r"#[0-9A-F]{6}", act.color) and act.linestyle in A.LINESTYLES, name
    colours = [act.color for act in A.ACTIVATIONS.values()]
    assert len(set(colours)) == len(colours)  # every curve of a vanishing plot tells its name
    assert {n for n, act in A.ACTIVATIONS.items() if act.hidden} >= {"sigmoid", "tanh", "relu"}
    assert not A.ACTIVATIONS["softmax"].hidden and not A.ACTIVATIONS["step"].hidden
    assert A.column("max_derivative")["sigmoid"] == 0.25
    assert dict(A.column("symbol"))["sigmoid"] == "\\sigma"
    with pytest.raises(ValueError, match="unknown field 'colour'"):
        A.column("colour")
