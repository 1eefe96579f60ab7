"""Tests of the core losses (lecture: "Step 2: Calculate the Loss" and "The output layer").

Known values are recomputed here with ``math``, never copied from the slides; gradients are
compared with central differences; warnings are errors (pyproject), so every stability test also
asserts that no RuntimeWarning is raised.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mlpcourse import activations, losses
from mlpcourse.gradcheck import numerical_gradient, relative_error
from mlpcourse.losses import loss, loss_gradient

NAMES = ("mse", "binary_cross_entropy", "cross_entropy")
VALID = "['bce', 'binary_cross_entropy', 'ce', 'cross_entropy', 'mse']"


# --- known values ---------------------------------------------------------------------------

def test_bce_lecture_example3_value():
    # Lecture, Example 3, Step 2: y = 1, y_hat = 0.766 -> L = -ln(0.766) (natural log)
    expected = -math.log(0.766)
    assert loss(np.array([0.766]), 1, "binary_cross_entropy") == pytest.approx(expected, abs=1e-15)
    assert loss(np.array([[0.766]]), np.array([1.0]), "bce") == pytest.approx(expected, abs=1e-15)
    assert round(expected, 3) == 0.267  # the slide's rounded value is right for y_hat = 0.766


def test_bce_uses_natural_log_and_both_terms():
    y_hat = np.array([[0.9], [0.2], [0.6]])
    y = np.array([1.0, 0.0, 0.0])
    expected = (-math.log(0.9) - math.log(0.8) - math.log(0.4)) / 3
    assert loss(y_hat, y, "bce") == pytest.approx(expected, rel=1e-14)


def test_bce_is_mean_over_all_elements():
    # multi-label: 2 samples x 3 labels, the mean over all 6 terms (like PyTorch's BCELoss)
    y_hat = np.array([[0.9, 0.1, 0.7], [0.3, 0.6, 0.5]])
    y = np.array([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0]])
    terms = [-math.log(0.9), -math.log(0.9), -math.log(0.7),
             -math.log(0.7), -math.log(0.4), -math.log(0.5)]
    assert loss(y_hat, y, "binary_cross_entropy") == pytest.approx(sum(terms) / 6, rel=1e-14)


def test_bce_with_soft_targets():
    # y = 0.5 is allowed; the minimum over y_hat is then at y_hat = 0.5 with value ln 2
    assert loss(np.array([[0.5]]), np.array([0.5]), "bce") == pytest.approx(math.log(2))


def test_mse_is_mean_over_all_elements_like_pytorch():
    y_hat = np.array([[1.0, 2.0], [3.0, 5.0], [0.0, -1.0]])
    y = np.array([[0.0, 2.0], [1.0, 1.0], [0.0, 1.0]])
    expected = (1 + 0 + 4 + 16 + 0 + 4) / 6  # MSELoss(reduction="mean"): over all 6 elements
    assert loss(y_hat, y, "mse") == pytest.approx(expected, rel=1e-14)


def test_mse_single_output_accepts_flat_targets_without_broadcasting():
    # (m, 1) outputs with (m,) targets must not broadcast to (m, m)
    y_hat = np.array([[1.0], [2.0], [4.0]])
    y = np.array([1.0, 1.0, 1.0])
    assert loss(y_hat, y, "mse") == pytest.approx((0 + 1 + 9) / 3)


def test_cross_entropy_is_mean_over_samples():
    y_hat = np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]])
    labels = np.array([0, 2])
    expected = (-math.log(0.7) - math.log(0.4)) / 2  # over m = 2 samples, not 6 elements
    assert loss(y_hat, labels, "cross_entropy") == pytest.approx(expected, rel=1e-14)


def test_cross_entropy_labels_and_one_hot_agree():
    y_hat = activations.softmax(np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0], [2.0, 2.0, 2.0]]))
    labels = np.array([1, 2, 0])
    one_hot = np.eye(3)[labels]
    assert loss(y_hat, labels, "ce") == loss(y_hat, one_hot, "ce")
    np.testing.assert_array_equal(loss_gradient(y_hat, labels, "ce"),
                                  loss_gradient(y_hat, one_hot, "ce"))


def test_cross_entropy_single_sample_label_or_one_hot():
    y_hat = np.array([0.2, 0.3, 0.5])
    assert loss(y_hat, 2, "ce") == pytest.approx(-math.log(0.5))
    assert loss(y_hat, [0, 0, 1], "ce") == pytest.approx(-math.log(0.5))


def test_cross_entropy_with_two_classes_equals_bce_on_class_one():
    p = np.array([0.8, 0.3, 0.55])
    y = np.array([1, 0, 1])
    two_columns = np.column_stack([1 - p, p])
    assert loss(two_columns, y, "ce") == pytest.approx(loss(p.reshape(-1, 1), y, "bce"))


@pytest.mark.parametrize(("alias", "name"), [("bce", "binary_cross_entropy"),
                                              ("ce", "cross_entropy")])
def test_aliases_give_the_same_loss_and_gradient(alias, name):
    y_hat = np.array([[0.6, 0.4], [0.25, 0.75]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])
    assert loss(y_hat, y, alias) == loss(y_hat, y, name)
    np.testing.assert_array_equal(loss_gradient(y_hat, y, alias), loss_gradient(y_hat, y, name))
    assert losses.get_loss(alias) is losses.get_loss(name)


def test_default_loss_is_mse():
    assert loss(np.array([[2.0]]), np.array([0.0])) == 4.0


def test_loss_returns_a_python_float():
    value = loss(np.array([[0.5]]), np.array([1.0]), "bce")
    assert type(value) is float


def test_float32_input_keeps_float32_gradient():
    y_hat = np.array([[0.3, 0.7]], dtype=np.float32)
    assert loss_gradient(y_hat, [1], "ce").dtype == np.float32
    assert loss_gradient(y_hat, [[0, 1]], "bce").dtype == np.float32


# --- gradients against central differences --------------------------------------------------

def _probabilities(rng, m, k):
    return activations.softmax(rng.normal(size=(m, k)))


@pytest.mark.parametrize("name", NAMES)
def test_loss_gradient_matches_central_differences(name):
    rng = np.random.default_rng(3)
    m, k = 5, 4
    if name == "mse":
        y_hat, y = rng.normal(size=(m, k)), rng.normal(size=(m, k))
    elif name == "binary_cross_entropy":
        y_hat = rng.uniform(0.05, 0.95, size=(m, k))
        y = (rng.uniform(size=(m, k)) > 0.5).astype(float)
    else:
        y_hat, y = _probabilities(rng, m, k), rng.integers(0, k, size=m)
    numeric = numerical_gradient(lambda p: loss(p, y, name), y_hat)
    analytic = loss_gradient(y_hat, y, name)
    assert analytic.shape == y_hat.shape
    assert relative_error(analytic, numeric) < 1e-7


def test_bce_gradient_with_soft_targets_matches_central_differences():
    rng = np.random.default_rng(4)
    y_hat, y = rng.uniform(0.1, 0.9, size=(3, 2)), rng.uniform(0, 1, size=(3, 2))
    numeric = numerical_gradient(lambda p: loss(p, y, "bce"), y_hat)
    assert relative_error(loss_gradient(y_hat, y, "bce"), numeric) < 1e-7


def test_sigmoid_bce_chain_rule_gives_the_delta_shortcut():
    # lecture, Example 3: with a sigmoid output, dL/dz = y_hat - y (per averaged term)
    z = np.array([[1.2, -0.4], [0.3, 2.0], [-1.5, 0.1]])
    y = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y_hat = activations.sigmoid(z)
    chain = loss_gradient(y_hat, y, "bce") * activations.sigmoid_prime(z)
    np.testing.assert_allclose(chain, (y_hat - y) / y.size, rtol=1e-10, atol=1e-14)


def test_softmax_ce_chain_rule_gives_the_delta_shortcut():
    z = np.array([[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]])
    labels = np.array([2, 0])
    s = activations.softmax(z)
    grad_s = loss_gradient(s, labels, "ce")
    chain = np.stack([activations.softmax_jacobian(z[i]).T @ grad_s[i] for i in range(2)])
    np.testing.assert_allclose(chain, (s - np.eye(3)[labels]) / 2, rtol=1e-10, atol=1e-14)


def test_lecture_example3_output_delta():
    # dL/dz for one sample, y_hat = 0.766, y = 1: y_hat - y = -0.234 (mean over 1 term)
    y_hat = np.array([0.766])
    z_prime = 0.766 * (1 - 0.766)  # sigma'(z) = y(1 - y)
    assert loss_gradient(y_hat, 1, "bce")[0] * z_prime == pytest.approx(0.766 - 1)


# --- stability: probabilities exactly 0 and 1 ------------------------------------------------

@pytest.mark.parametrize("name", ["binary_cross_entropy", "cross_entropy"])
def test_exact_zero_and_one_probabilities_are_finite(name):
    y_hat = np.array([[0.0, 1.0], [1.0, 0.0]])
    y = np.array([[1.0, 0.0], [0.0, 1.0]])  # confidently wrong everywhere
    value = loss(y_hat, y, name)
    grad = loss_gradient(y_hat, y, name)
    assert np.isfinite(value) and value > 0
    assert np.all(np.isfinite(grad))
    # the log is clamped at -100 (as PyTorch's BCELoss), so a wrong certain answer costs 100
    assert value == pytest.approx(-losses.LOG_FLOOR)


@pytest.mark.parametrize("name", ["binary_cross_entropy", "cross_entropy"])
def test_exact_right_answers_cost_nothing(name):
    y_hat = np.array([[0.0, 1.0], [1.0, 0.0]])
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    assert loss(y_hat, y, name) == 0.0
    assert np.all(np.isfinite(loss_gradient(y_hat, y, name)))


def test_saturated_sigmoid_output_gives_finite_bce():
    y_hat = activations.sigmoid(np.array([[-1e4], [1e4], [800.0]]))
    value = loss(y_hat, np.array([1.0, 0.0, 1.0]), "bce")
    assert np.isfinite(value)


def test_tiny_probabilities_clamp_at_the_log_floor():
    assert loss(np.array([[1e-300]]), [1.0], "bce") == pytest.approx(-losses.LOG_FLOOR)
    # above the floor the log is exact
    assert loss(np.array([[1e-20]]), [1.0], "bce") == pytest.approx(-math.log(1e-20))


@pytest.mark.parametrize("name", ["binary_cross_entropy", "cross_entropy"])
def test_float32_exact_zero_probability_gives_finite_gradient(name):
    y_hat = np.array([[0.0, 1.0]], dtype=np.float32)
    assert np.all(np.isfinite(loss_gradient(y_hat, np.array([[1.0, 0.0]]), name)))


# --- errors ---------------------------------------------------------------------------------

def test_unknown_loss_name_lists_valid_ones():
    with pytest.raises(ValueError, match=r"unknown loss 'hinge'; expected one of") as info:
        loss(np.array([[0.5]]), [1.0], "hinge")
    assert VALID in str(info.value)
    with pytest.raises(ValueError, match="unknown loss"):
        loss_gradient(np.array([[0.5]]), [1.0], "MSE")


def test_loss_name_must_be_a_string():
    with pytest.raises(TypeError, match="loss must be a string"):
        loss(np.array([[0.5]]), [1.0], None)


@pytest.mark.parametrize("labels", [[0, 3], [-1, 0]])
def test_cross_entropy_labels_out_of_range(labels):
    with pytest.raises(ValueError, match=r"class labels out of range: expected 0\.\.2 for 3"):
        loss(np.full((2, 3), 1 / 3), np.array(labels), "ce")


def test_cross_entropy_fractional_labels():
    with pytest.raises(ValueError, match="integer class labels"):
        loss(np.full((2, 3), 1 / 3), np.array([0.5, 1.0]), "ce")


def test_cross_entropy_one_hot_rows_must_sum_to_one():
    with pytest.raises(ValueError, match="sum to 1"):
        loss(np.full((2, 3), 1 / 3), np.array([[1, 1, 0], [0, 0, 1]]), "ce")
    with pytest.raises(ValueError, match="sum to 1"):
        loss(np.full((1, 2), 0.5), np.array([[1.5, -0.5]]), "ce")


@pytest.mark.parametrize("name", NAMES)
def test_wrong_target_shape_names_expected_and_given(name):
    y_hat = np.full((4, 2), 0.5)
    expected = r"expected shape \(4, 2\).*got an array of shape \(4, 3\)"
    with pytest.raises(ValueError, match=expected):
        loss(y_hat, np.zeros((4, 3)), name)
    with pytest.raises(ValueError, match=r"expected shape \(4, 2\)"):
        loss_gradient(y_hat, np.zeros((3, 2)), name)


def test_wrong_number_of_flat_targets_for_one_output():
    with pytest.raises(ValueError, match=r"expected shape \(2, 1\) or \(2,\)"):
        loss(np.array([[0.5], [0.5]]), np.array([1.0, 0.0, 1.0]), "bce")


def test_mse_rejects_flat_targets_for_several_outputs():
    # (m,) targets for (m, k) outputs would silently broadcast in numpy: refused here
    with pytest.raises(ValueError, match=r"expected shape \(3, 2\)"):
        loss(np.zeros((3, 2)), np.zeros(3), "mse")


@pytest.mark.parametrize("name", ["binary_cross_entropy", "cross_entropy"])
@pytest.mark.parametrize("bad", [1.5, -0.1])
def test_cross_entropies_need_probabilities(name, bad):
    y_hat = np.array([[bad, 0.5]])
    with pytest.raises(ValueError, match=r"y_hat must hold probabilities in \[0, 1\]"):
        loss(y_hat, np.array([[1.0, 0.0]]), name)
    with pytest.raises(ValueError, match=r"use a sigmoid or softmax output"):
        loss_gradient(y_hat, np.array([[1.0, 0.0]]), name)


def test_mse_accepts_any_real_outputs():
    assert loss(np.array([[-3.0, 7.0]]), np.array([[-3.0, 7.0]]), "mse") == 0.0


def test_bce_targets_must_lie_in_unit_interval():
    with pytest.raises(ValueError, match=r"y must lie in \[0, 1\] for binary_cross_entropy"):
        loss(np.array([[0.5], [0.5]]), np.array([2.0, 0.0]), "bce")


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("where", ["y_hat", "y"])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_non_finite_inputs_are_refused(name, where, bad):
    y_hat, y = np.full((2, 2), 0.5), np.array([[1.0, 0.0], [0.0, 1.0]])
    (y_hat if where == "y_hat" else y)[0, 0] = bad
    with pytest.raises(ValueError, match=rf"{where} must contain only finite numbers"):
        loss(y_hat, y, name)
    with pytest.raises(ValueError, match=rf"{where} must contain only finite numbers"):
        loss_gradient(y_hat, y, name)


def test_non_numeric_inputs_are_refused():
    with pytest.raises(TypeError, match="y must be a numeric array"):
        loss(np.array([[0.5]]), "one", "mse")
    with pytest.raises(TypeError, match="y_hat must be a numeric array"):
        loss([["a"]], [1.0], "mse")


@pytest.mark.parametrize("name", NAMES)
def test_empty_batch_is_refused_with_a_clear_message(name):
    with pytest.raises(ValueError, match="y_hat must hold at least one sample"):
        loss(np.zeros((0, 1)), np.zeros((0, 1)), name)


def test_y_hat_must_be_one_or_two_dimensional():
    with pytest.raises(ValueError, match="y_hat must be 1-D or 2-D"):
        loss(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)), "mse")


# --- properties (hypothesis) ----------------------------------------------------------------

probabilities = st.floats(0.0, 1.0, allow_nan=False)
shapes = st.tuples(st.integers(1, 6), st.integers(1, 4))


@given(shapes.flatmap(lambda s: st.tuples(arrays(np.float64, s, elements=st.floats(-1e6, 1e6)),
                                          arrays(np.float64, s, elements=st.floats(-1e6, 1e6)))))
def test_mse_nonnegative_and_zero_exactly_at_perfect_prediction(pair):
    y_hat, y = pair
    assert loss(y_hat, y, "mse") >= 0
    assert loss(y, y, "mse") == 0.0
    assert np.all(loss_gradient(y, y, "mse") == 0)


@given(shapes.flatmap(lambda s: st.tuples(arrays(np.float64, s, elements=probabilities),
                                          arrays(np.float64, s, elements=probabilities))))
def test_bce_nonnegative_and_finite_for_any_probabilities(pair):
    y_hat, y = pair
    y = np.round(y)  # hard 0/1 targets
    value = loss(y_hat, y, "bce")
    assert 0 <= value <= -losses.LOG_FLOOR
    assert np.all(np.isfinite(loss_gradient(y_hat, y, "bce")))
    assert loss(y, y, "bce") == 0.0


@given(st.integers(1, 6).flatmap(lambda m: st.tuples(
    arrays(np.float64, (m, 3), elements=st.floats(-50, 50)),
    arrays(np.int64, (m,), elements=st.integers(0, 2)))))
def test_cross_entropy_nonnegative_finite_and_labels_equal_one_hot(pair):
    z, labels = pair
    y_hat = activations.softmax(z)
    value = loss(y_hat, labels, "ce")
    assert 0 <= value <= -losses.LOG_FLOOR
    assert value == pytest.approx(loss(y_hat, np.eye(3)[labels], "ce"))
    assert np.all(np.isfinite(loss_gradient(y_hat, labels, "ce")))
    assert loss(np.eye(3)[labels], labels, "ce") == 0.0


def test_gradient_of_one_sample_is_shaped_like_y_hat():
    assert loss_gradient(np.array([0.2, 0.5, 0.3]), 1, "ce").shape == (3,)
    assert loss_gradient(np.array([[0.2, 0.5, 0.3]]), [1], "ce").shape == (1, 3)


# ---------------------------------------------------------------- the registry's facts


def test_outputs_says_how_a_samples_outputs_combine():
    """``outputs`` (which the trace and the δ = ŷ - y shortcut rely on) matches the function: the
    loss of one sample with n outputs is the mean ("mean") or the sum ("sum") of the one-output
    losses, and the mean over samples on top."""
    rng = np.random.default_rng(3)
    y_hat = activations.softmax(rng.normal(size=(4, 3)))
    y = np.eye(3)[[0, 2, 1, 2]]
    for name, spec in losses.LOSSES.items():
        per_output = np.array([[spec.function(y_hat[i:i + 1, j:j + 1], y[i:i + 1, j:j + 1])
                                for j in range(3)] for i in range(4)])
        combine = np.mean if spec.outputs == "mean" else np.sum
        assert spec.function(y_hat, y) == pytest.approx(np.mean(combine(per_output, axis=1)),
                                                        rel=1e-12), name


def test_entries_carry_their_display_facts():
    for name, spec in losses.LOSSES.items():
        assert spec.label and "<h>" in spec.latex and "<h>" in spec.latex_gradient, name
        assert all(losses.get_loss(alias) is spec for alias in spec.aliases)
    assert losses.ALIASES == {"bce": "binary_cross_entropy", "ce": "cross_entropy"}
    assert losses.get_loss("bce").formula() == "-y \\ln \\hat{y} - (1 - y) \\ln(1 - \\hat{y})"
