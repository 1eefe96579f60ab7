"""Lesson 3's checks (activation functions): the classic mistakes fail with a message that names
the case and the slip without giving the answer away. What holds for every lesson (the solution
passes, the stub is not attempted, the notebook and the checker agree on tasks and points) is in
test_checkers_lessons.py."""

import numpy as np
import pytest
from checkers_helpers import failures, first_message, namespace_fixture

import mlpcourse as mc
from mlpcourse.checkers import lesson03
from mlpcourse.checkers.lesson03 import (
    check_answer_q2,
    check_collapse_linear,
    check_relu,
    check_relu_prime,
    check_sigmoid,
    check_sigmoid_prime,
    check_step,
    check_tanh,
    check_tanh_prime,
)

ref = namespace_fixture("03_activations")


# --- numerical stability: a warning counts as a failure ------------------------------------

def test_naive_sigmoid_fails_at_large_z_because_numpy_warns():
    report = check_sigmoid(lambda z: 1 / (1 + np.exp(-np.asarray(z, dtype=float))))
    assert [r.passed for r in report.results] == [True, True, True, False]
    assert "numpy warned 'overflow encountered in exp'" in report.results[-1].message
    assert "numerically stable" in report.results[-1].message


def test_sigmoid_that_returns_nan_at_large_z_fails():
    def nan_sigmoid(z):
        e = np.exp(np.asarray(z, dtype=float))
        return e / (1 + e)  # inf / inf at z = 1000

    def silenced(z):
        with np.errstate(all="ignore"):  # no warning, but the NaN is still caught
            return nan_sigmoid(z)

    assert "numpy warned" in first_message(check_sigmoid(nan_sigmoid))
    assert "NaN or inf" in first_message(check_sigmoid(silenced))


def test_sigmoid_with_both_branches_in_np_where_fails():
    def where_sigmoid(z):
        z = np.asarray(z, dtype=float)
        return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))

    assert "numpy warned" in first_message(check_sigmoid(where_sigmoid))


def test_clipped_or_warning_free_sigmoids_pass():
    def clipped(z):
        return 1 / (1 + np.exp(-np.clip(np.asarray(z, dtype=float), -500, 500)))

    assert check_sigmoid(clipped).passed


def test_sigmoid_with_the_wrong_sign_fails():
    message = first_message(check_sigmoid(lambda z: np.exp(-np.logaddexp(0, z))))
    assert "values are wrong" in message


def test_a_strict_check_leaves_the_warning_filters_unchanged():
    before = list(__import__("warnings").filters)
    check_sigmoid(lambda z: 1 / (1 + np.exp(-np.asarray(z, dtype=float))))
    assert list(__import__("warnings").filters) == before


# --- derivatives ----------------------------------------------------------------------------

def test_sigmoid_prime_of_z_instead_of_sigma_fails(ref):
    message = first_message(check_sigmoid_prime(lambda z: z * (1 - np.asarray(z))))
    assert "values are wrong" in message


def test_sigmoid_prime_alternatives(ref):
    def direct(z):
        e = np.exp(-np.abs(np.asarray(z, dtype=float)))
        return e / (1 + e) ** 2

    assert check_sigmoid_prime(direct).passed
    naive = check_sigmoid_prime(lambda z: (s := 1 / (1 + np.exp(-np.asarray(z)))) * (1 - s))
    assert "numpy warned" in first_message(naive)


def test_tanh_from_the_formula_as_written_fails():
    def naive(z):
        z = np.asarray(z, dtype=float)
        return (np.exp(z) - np.exp(-z)) / (np.exp(z) + np.exp(-z))

    report = check_tanh(naive)
    assert [r.passed for r in report.results] == [True, True, True, False]
    assert "numpy warned" in report.results[-1].message


def test_one_sided_stable_tanh_fails_for_large_negative_z():
    def one_sided(z):
        e = np.exp(-2 * np.asarray(z, dtype=float))  # overflows for z = -1000
        return (1 - e) / (1 + e)

    assert "numpy warned" in first_message(check_tanh(one_sided))


def test_tanh_alternatives_pass(ref):
    assert check_tanh(np.tanh).passed
    assert check_tanh(lambda z: 2 * ref["sigmoid"](2 * np.asarray(z)) - 1).passed


def test_tanh_prime_classic_mistakes():
    assert "values are wrong" in first_message(check_tanh_prime(lambda z: 1 - np.tanh(z)))
    assert "values are wrong" in first_message(check_tanh_prime(lambda z: 1 - np.asarray(z) ** 2))
    assert "numpy warned" in first_message(check_tanh_prime(lambda z: 1 / np.cosh(z) ** 2))


# --- ReLU and the step ----------------------------------------------------------------------

def test_relu_classic_mistakes():
    assert "values are wrong" in first_message(check_relu(lambda z: np.abs(np.asarray(z))))

    def in_place(z):
        z = np.asarray(z)
        if z.ndim:
            z[z < 0] = 0
        return z

    report = check_relu(in_place)
    assert any("modified its input" in r.message for r in failures(report))
    assert check_relu(lambda z: np.asarray(z) * (np.asarray(z) > 0)).passed


def test_relu_prime_must_be_zero_at_zero():
    report = check_relu_prime(lambda z: (np.asarray(z) >= 0).astype(float))
    assert report.results[0].description.startswith("z = 0") and not report.results[0].passed
    assert "values are wrong" in report.results[0].message
    assert not check_relu_prime(lambda z: np.heaviside(z, 0.5)).passed
    assert not check_relu_prime(lambda z: np.maximum(z, 0)).passed  # ReLU, not its derivative


def test_step_classic_mistakes():
    report = check_step(lambda z, theta=0.0: (np.asarray(z) >= theta).astype(float))
    assert [r.passed for r in report.results] == [False, False, True, False]  # z = θ in each
    ignores_theta = check_step(lambda z, theta=0.0: (np.asarray(z) > 0).astype(float))
    assert not ignores_theta.passed and ignores_theta.results[0].passed
    renamed = check_step(lambda z, threshold=0.0: (np.asarray(z) > threshold).astype(float))
    assert "TypeError" in first_message(renamed) and "theta" in first_message(renamed)
    assert check_step(lambda z, theta=0.0: np.asarray(z) > theta).passed  # booleans are 0/1


# --- collapsing two linear layers -----------------------------------------------------------

def test_collapse_expected_values_come_from_the_engine_and_match_the_formula():
    rng = np.random.default_rng(0)
    W1, b1, W2, b2 = (rng.normal(size=s) for s in [(3, 4), (3,), (2, 3), (2,)])
    W, b = lesson03._collapsed(W1, b1, W2, b2)
    np.testing.assert_allclose(W, W2 @ W1, atol=1e-12)
    np.testing.assert_allclose(b, W2 @ b1 + b2, atol=1e-12)
    one = mc.Network.from_weights(W=[W], b=[b], activations=["linear"])
    two = mc.Network.from_weights(W=[W1, W2], b=[b1, b2], activations=["linear", "linear"])
    X = rng.normal(size=(5, 4))
    np.testing.assert_allclose(mc.forward(one, X)[0], mc.forward(two, X)[0], atol=1e-12)


def test_collapse_classic_mistakes():
    wrong_order = check_collapse_linear(lambda W1, b1, W2, b2: (W1 @ W2, W2 @ b1 + b2))
    assert "raised ValueError" in first_message(wrong_order)
    assert not wrong_order.results[-1].passed  # the square case runs and is wrong
    transposed = check_collapse_linear(lambda W1, b1, W2, b2: (W1.T @ W2.T, W2 @ b1 + b2))
    message = first_message(transposed)
    assert message.startswith("the first value (W)") and "shape (1, 2)" in message
    no_b2 = check_collapse_linear(lambda W1, b1, W2, b2: (W2 @ W1, W2 @ b1))
    assert first_message(no_b2).startswith("the second value (b)")
    only_w = check_collapse_linear(lambda W1, b1, W2, b2: W2 @ W1)
    assert "expected a tuple of 2 values (W, b); got an array" in first_message(only_w)


# --- the quiz -------------------------------------------------------------------------------

@pytest.mark.parametrize("letter", ["a", "c", "d"])
def test_wrong_quiz_answers_are_explained_without_naming_the_right_one(letter):
    message = first_message(check_answer_q2(lambda: letter))
    assert message.startswith(f"'{letter}' is not the primary purpose: ")
    assert message.endswith(lesson03.Q2_WHY_NOT[letter])
    assert "'b'" not in message and "non-linear" not in message


def test_quiz_answer_forms():
    assert check_answer_q2(lambda: " B ").passed
    assert "right:" in check_answer_q2(lambda: "b").note
    assert "'e' is not one of the options" in first_message(check_answer_q2(lambda: "e"))
    assert "expected one letter as a string" in first_message(check_answer_q2(lambda: 2))
    assert "got 2 (int)" in first_message(check_answer_q2(lambda: 2))


def test_the_checks_do_not_reveal_expected_values(ref):
    report = check_sigmoid(lambda z: np.asarray(ref["sigmoid"](z)) + 0.1)
    text = str(report)
    for value in mc.activations.sigmoid(np.array([-3.0, -0.5, 0.5, 3.0])):
        assert f"{value:.3f}" not in text and f"{value:.4g}" not in text
