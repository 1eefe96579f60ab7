"""Lesson 2's checks (the forward pass): transposed W, forgotten bias, no activation, a[0] missing,
the lecture's printed numbers: the classic mistakes fail with a message that names the case and
the slip without giving the answer away. What holds for every lesson (the solution passes, the
stub is not attempted, the notebook and the checker agree on tasks and points) is in
test_checkers_lessons.py."""

import numpy as np
import pytest
from checkers_helpers import first_failure, namespace_fixture, stub
from notebook_code import solution_namespace

import mlpcourse as mc
from mlpcourse import trace
from mlpcourse.checkers import lesson02
from mlpcourse.checkers.lesson02 import (
    check_example3_hidden,
    check_forward_pass,
    check_layer_forward,
    check_layer_z,
    check_layer_z_batch,
    check_n_parameters,
    check_weighted_sum,
)

ref = namespace_fixture("02_forward_pass")


def failure_messages(report):
    assert report.attempted and not report.passed, str(report)
    return [r.message for r in report.results if not r.passed]


def activate(g, Z):
    return mc.activations.activate(g, Z) if isinstance(g, str) else g(Z)


def test_a_later_task_may_build_on_an_earlier_one_that_is_still_a_stub(ref):
    namespace = solution_namespace("02_forward_pass")
    namespace["layer_forward"] = stub  # example3_hidden calls it: the task is "not attempted"
    assert check_example3_hidden(namespace["example3_hidden"]).attempted is False


# ---------------------------------------------------------------- one neuron, one layer


@pytest.mark.parametrize("wrong, fragment", [
    (lambda w, a, b: float(np.dot(w, a)), "values are wrong"),  # forgot the bias
    (lambda w, a, b: np.asarray(w) * a + b, "expected a single number"),  # forgot the sum
    (lambda w, a, b: float(np.sum(np.asarray(w) * a + b)), "values are wrong"),  # b once per input
    (lambda w, a, b: None, "returned None"),
])
def test_weighted_sum_mistakes(wrong, fragment):
    assert fragment in first_failure(check_weighted_sum(wrong)).message


def test_weighted_sum_adding_b_per_input_only_fails_with_several_inputs():
    report = check_weighted_sum(lambda w, a, b: float(np.sum(np.asarray(w) * a + b)))
    passed = {r.description: r.passed for r in report.results}
    assert passed["one input w = [3], a = [-2], b = 1"] and not report.passed


@pytest.mark.parametrize("wrong, fragment", [
    (lambda W, a, b: W.T @ a + b, "raised ValueError"),  # transposed W: shapes clash
    (lambda W, a, b: a @ W + b, "raised ValueError"),
    (lambda W, a, b: W @ a, "values are wrong"),  # forgot the bias
    (lambda W, a, b: W @ a + b.sum(), "values are wrong"),
])
def test_layer_z_mistakes(wrong, fragment):
    assert any(fragment in m for m in failure_messages(check_layer_z(wrong)))


def test_layer_z_transposed_w_fails_already_on_the_square_example():
    result = first_failure(check_layer_z(lambda W, a, b: W.T @ a + b))
    assert result.description.startswith("Example 3") and "values are wrong" in result.message


@pytest.mark.parametrize("wrong, fragment", [
    (lambda W, A, b: A @ W + b, "raised ValueError"),  # W not transposed
    (lambda W, A, b: W @ A.T + b[:, None], "expected an array of shape (4, 3); got shape (3, 4)"),
    (lambda W, A, b: A @ W.T, "values are wrong"),  # forgot the bias
    (lambda W, A, b: A @ W.T + b[:, None] if len(b) == len(A) else A @ W.T + b,
     "values are wrong"),  # bias added per sample, not per neuron (only where shapes allow)
    (lambda W, A, b: np.array([W @ A[0] + b]), "expected an array of shape (4, 3)"),  # 1st row
])
def test_layer_z_batch_mistakes(wrong, fragment):
    assert any(fragment in m for m in failure_messages(check_layer_z_batch(wrong)))


def test_layer_z_batch_a_transposed_result_fails_even_when_the_shape_fits():
    def transposed(W, A, b):
        Z = W @ A.T + b[:, None]
        return Z if Z.shape[0] == Z.shape[1] else Z.T  # shape right except in the (3, 3) case

    result = first_failure(check_layer_z_batch(transposed))
    assert "m equals n_l" in result.description and "values are wrong" in result.message


def test_layer_z_batch_accepts_a_loop_that_gets_the_numbers_right():
    assert check_layer_z_batch(lambda W, A, b: np.array([W @ a + b for a in A])).passed


@pytest.mark.parametrize("wrong, fragment", [
    (lambda W, A, b, g: A @ W.T + b, "values are wrong"),  # no activation
    (lambda W, A, b, g: activate(g, A) @ W.T + b, "values are wrong"),  # activation first
    (lambda W, A, b, g: g(A @ W.T + b), "raised TypeError"),  # a name is not a function
    (lambda W, A, b, g: activate(g, A @ W + b), "raised ValueError"),  # W not transposed
])
def test_layer_forward_mistakes(wrong, fragment):
    assert fragment in first_failure(check_layer_forward(wrong)).message


def test_layer_forward_softmax_over_the_wrong_axis_fails():
    def softmax_axis0(W, A, b, g):
        Z = A @ W.T + b
        if g == "softmax":
            e = np.exp(Z - Z.max(axis=0))
            return e / e.sum(axis=0)
        return activate(g, Z)

    result = first_failure(check_layer_forward(softmax_axis0))
    assert "softmax" in result.description and "values are wrong" in result.message


def test_layer_forward_always_2d_fails_the_single_sample():
    result = first_failure(check_layer_forward(
        lambda W, A, b, g: activate(g, np.atleast_2d(A) @ W.T + b)))
    assert "one sample" in result.description
    assert "expected an array of shape (2,); got shape (1, 2)" in result.message


# ---------------------------------------------------------------- the forward pass


def forward_with(step):
    """A forward pass whose per-layer rule is ``step(W, a, b, g) -> (next a, what is stored)``."""

    def forward_pass(layers, X):
        a, stored = X, [X]
        for W, b, g in layers:
            a, keep = step(W, a, b, g)
            stored.append(keep)
        return a, stored

    return forward_pass


def test_forward_pass_planted_reference_passes():
    def right(W, a, b, g):
        out = activate(g, a @ W.T + b)
        return out, out

    assert check_forward_pass(forward_with(right)).passed


def test_forward_pass_storing_z_instead_of_a():
    def stores_z(W, a, b, g):
        z = a @ W.T + b
        return activate(g, z), z

    message = first_failure(check_forward_pass(forward_with(stores_z))).message
    assert message.startswith("a[1] (the output of layer 1): values are wrong")


def test_forward_pass_feeding_z_to_the_next_layer():
    def feeds_z(W, a, b, g):
        z = a @ W.T + b
        return z, z

    message = first_failure(check_forward_pass(forward_with(feeds_z))).message
    assert message.startswith("a[1] (the output of layer 1): values are wrong")


def test_forward_pass_without_a0(ref):
    def no_input(layers, X):
        y_hat, a = ref["forward_pass"](layers, X)
        return y_hat, a[1:]

    message = first_failure(check_forward_pass(no_input)).message
    assert "must hold L + 1 = 3 arrays (a[0] = X, then one per layer); got 2" in message


def test_forward_pass_no_activation_on_the_output_layer(ref):
    def linear_output(layers, X):
        *hidden, (W, b, g) = layers
        _, a = ref["forward_pass"](hidden, X)
        a.append(a[-1] @ W.T + b)
        return a[-1], a

    assert first_failure(check_forward_pass(linear_output)).message.startswith(
        "a[2] (the output of layer 2): values are wrong")


@pytest.mark.parametrize("wrong, fragment", [
    (lambda layers, X: None, "returned None"),
    (lambda layers, X: X, "expected a tuple (y_hat, a) of two values"),
    (lambda layers, X: (X, X), "the second value (a) must be a list of arrays"),
    (lambda layers, X: (X, [X]), "must hold L + 1 = 3 arrays"),
])
def test_forward_pass_wrong_return_values(wrong, fragment):
    assert fragment in first_failure(check_forward_pass(wrong)).message


def test_forward_pass_returning_an_array_of_activations_is_refused(ref):
    def tuple_of_y_and_array(layers, X):
        y_hat, a = ref["forward_pass"](layers, X)
        return y_hat, np.asarray(y_hat)

    assert "must be a list of arrays" in first_failure(
        check_forward_pass(tuple_of_y_and_array)).message


def test_forward_pass_the_message_names_the_first_wrong_layer(ref):
    def wrong_hidden_activation(layers, X):
        (W, b, g), *rest = layers
        return ref["forward_pass"]([(W, b, "relu" if g != "relu" else "tanh"), *rest], X)

    message = first_failure(check_forward_pass(wrong_hidden_activation)).message
    assert message.startswith("a[1] (the output of layer 1)")


def test_forward_pass_y_hat_must_be_the_last_activation(ref):
    def returns_hidden_output(layers, X):
        y_hat, a = ref["forward_pass"](layers, X)
        return a[1], a

    message = first_failure(check_forward_pass(returns_hidden_output)).message
    assert message.startswith("the first value (y_hat, which is a[2]): expected an array of")


# ---------------------------------------------------------------- parameters, Example 3


@pytest.mark.parametrize("wrong, fragment", [
    (lambda sizes: sum(n * p for p, n in zip(sizes[:-1], sizes[1:], strict=True)),
     "values are wrong"),  # forgot the biases
    (lambda sizes: sum(n * p + p for p, n in zip(sizes[:-1], sizes[1:], strict=True)),
     "values are wrong"),  # n_{l-1} biases instead of n_l
    (lambda sizes: sum(n * (p + 1) for p, n in zip(sizes, sizes[1:] + [1], strict=True)),
     "values are wrong"),  # one layer too many
    (lambda sizes: None, "returned None"),
])
def test_n_parameters_mistakes(wrong, fragment):
    assert fragment in first_failure(check_n_parameters(wrong)).message


def test_n_parameters_off_by_one_is_not_within_tolerance():
    report = check_n_parameters(
        lambda sizes: sum(n * (p + 1) for p, n in zip(sizes[:-1], sizes[1:], strict=True)) + 1)
    assert report.n_passed == 0


def test_example3_the_lectures_printed_values_get_a_pointer():
    message = first_failure(check_example3_hidden(lambda: np.array([0.562, 0.601]))).message
    assert "lecture's printed values" in message


def test_example3_z_instead_of_a_gets_a_pointer():
    message = first_failure(check_example3_hidden(lambda: np.array([0.24, 0.42]))).message
    assert "weighted sums z^(1)" in message


@pytest.mark.parametrize("value, fragment", [
    (np.array([0.5597, 0.6035]), "close, but not within tolerance"),  # typed, rounded
    (np.array([0.7648]), "expected an array of shape (2,); got shape (1,)"),  # y_hat
    (np.array([[0.5597136, 0.6034832]]), "got shape (1, 2)"),
    (None, "returned None"),
])
def test_example3_other_mistakes(value, fragment):
    assert fragment in first_failure(check_example3_hidden(lambda: value)).message


def test_example3_expected_values_are_the_engines_not_the_lectures(ref):
    a1 = ref["example3_hidden"]()
    net, x, _ = trace.example3()
    np.testing.assert_allclose(a1, mc.forward(net, x)[1].a[1], rtol=0, atol=1e-12)
    assert not np.allclose(a1, [0.562, 0.601], atol=1e-3)


# ---------------------------------------------------------------- checks that teach: named slips


def test_forward_pass_names_an_activation_on_a_linear_output():
    def tanh_everywhere(W, a, b, g):  # g = "linear" ignored: tanh on the output layer too
        out = np.tanh(a @ W.T + b) if g == "linear" else activate(g, a @ W.T + b)
        return out, out

    report = check_forward_pass(forward_with(tanh_everywhere))
    linear = [r for r in report.results if "linear" in r.description][0]
    assert linear.message.startswith("a[3] (the output of layer 3): values are wrong")
    assert "an activation applied to a linear layer's weighted sums" in linear.message


def test_forward_pass_names_a_missing_activation():
    def feeds_z(W, a, b, g):
        z = a @ W.T + b
        return z, z

    message = first_failure(check_forward_pass(forward_with(feeds_z))).message
    assert "this layer's activation g is not applied" in message
    for case in lesson02.FORWARD_PASS.cases(None):
        for a in case.expected[1][1:]:
            assert all(f"{v:.3g}" not in message for v in a.ravel() if abs(v) > 1e-3)
