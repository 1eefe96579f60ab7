"""Lesson 1's checks (the perceptron): the classic mistakes fail with a message that names the case
and the slip without giving the answer away. What holds for every lesson (the solution passes,
the stub is not attempted, the notebook and the checker agree on tasks and points) is in
test_checkers_lessons.py."""

import numpy as np
import pytest
from checkers_helpers import first_failure, namespace_fixture

import mlpcourse as mc
from mlpcourse.checkers import lesson01
from mlpcourse.checkers.lesson01 import (
    check_adder,
    check_answer_xor,
    check_gate_weights,
    check_perceptron_output,
    check_perceptron_update,
    check_step_output,
    check_train_perceptron,
    check_xor_network,
)

ref = namespace_fixture("01_perceptron")


# ---------------------------------------------------------------- the adder, the step


@pytest.mark.parametrize("wrong, fragment", [
    (lambda X, w: np.asarray(w) @ np.asarray(X), "raised ValueError"),  # w @ X: the transpose
    (lambda X, w: np.sum(np.asarray(X) * w), "expected an array of shape (4,)"),  # sums it all
    (lambda X, w: np.asarray(X) * w, "expected a single number"),  # forgot to add up
    (lambda X, w: None, "returned None"),
])
def test_adder_mistakes(wrong, fragment):
    assert fragment in first_failure(check_adder(wrong)).message


def test_step_output_needs_the_strict_inequality_and_the_threshold():
    result = first_failure(check_step_output(lambda h, theta: (np.asarray(h) >= theta) * 1))
    assert "h equal to theta" in result.description and "values are wrong" in result.message
    result = first_failure(check_step_output(lambda h, theta: (np.asarray(h) > 0) * 1))
    assert "theta = 0.5" in result.description
    booleans = check_step_output(lambda h, theta: np.asarray(h) > theta)  # True/False is 1/0
    assert booleans.passed


def test_perceptron_output_mistakes():
    geq = check_perceptron_output(lambda X, w, theta: (np.asarray(X) @ w >= theta) * 1)
    assert "h exactly 0" in first_failure(geq).description
    no_threshold = check_perceptron_output(lambda X, w, theta: (np.asarray(X) @ w > 0) * 1)
    assert "values are wrong" in first_failure(no_threshold).message
    always_2d = check_perceptron_output(
        lambda X, w, theta: (np.atleast_2d(X) @ w > theta) * 1)  # (1,) for one sample: fine
    assert always_2d.passed


# ---------------------------------------------------------------- the learning rule


def update_theta_wrong_sign(x, t, w, theta, eta):
    o = int(np.dot(x, w) > theta)
    return w + eta * (t - o) * x, theta + eta * (t - o)


def update_with_h(x, t, w, theta, eta):  # the delta rule's t - h instead of t - o
    h = np.dot(x, w)
    return w + eta * (t - h) * x, theta - eta * (t - h)


def update_in_place(x, t, w, theta, eta):
    o = int(np.dot(x, w) > theta)
    w += eta * (t - o) * x
    return w, theta - eta * (t - o)


def update_geq(x, t, w, theta, eta):
    o = int(np.dot(x, w) >= theta)
    return w + eta * (t - o) * x, theta - eta * (t - o)


def update_no_eta(x, t, w, theta, eta):
    o = int(np.dot(x, w) > theta)
    return w + (t - o) * x, theta - (t - o)


def update_forgets_theta(x, t, w, theta, eta):
    o = int(np.dot(x, w) > theta)
    return w + eta * (t - o) * x, theta


@pytest.mark.parametrize("wrong, fragment", [
    (update_theta_wrong_sign, "the second value (theta_new): values are wrong"),
    (update_with_h, "the first value (w_new): values are wrong"),
    (update_in_place, "modified its input arguments"),
    (update_geq, "values are wrong"),
    (update_no_eta, "values are wrong"),
    (update_forgets_theta, "the second value (theta_new)"),
    (lambda x, t, w, theta, eta: w, "expected a tuple of 2 values (w_new, theta_new)"),
])
def test_perceptron_update_mistakes(wrong, fragment):
    assert fragment in first_failure(check_perceptron_update(wrong)).message


def test_perceptron_update_catches_the_tie_and_the_lonely_threshold():
    assert first_failure(check_perceptron_update(update_geq)).description.startswith("h exactly")
    report = check_perceptron_update(update_forgets_theta)
    assert "only the threshold" in [r.description for r in report.results if not r.passed][-1]


def make_train(update, stop="after", order=None, batch=False):
    """A training loop with a planted mistake (the reference when all defaults are kept)."""

    def train(X, t, w, theta, eta, max_epochs):
        w, errors = np.array(w, dtype=float), []
        for _ in range(max_epochs):
            rows = range(len(X)) if order is None else order(len(X))
            if batch:  # every output from the same weights, then one summed update
                o = (X @ w > theta).astype(int)
                mistakes = int(np.sum(o != t))
                w, theta = w + eta * (t - o) @ X, theta - eta * np.sum(t - o)
            else:
                mistakes = 0
                for i in rows:
                    if int(X[i] @ w > theta) != t[i]:
                        w, theta = update(X[i], t[i], w, theta, eta)
                        mistakes += 1
            if stop == "before" and mistakes == 0:
                break
            errors.append(mistakes)
            if stop == "after" and mistakes == 0:
                break
        return w, theta, errors

    return train


def test_the_planted_training_loop_without_mistakes_passes(ref):
    assert check_train_perceptron(make_train(ref["perceptron_update"])).passed


@pytest.mark.parametrize("kind, fragment", [
    ("never stops", "the third value (errors per epoch): expected an array of shape (6,)"),
    ("forgets the last epoch", "the third value (errors per epoch): expected an array of shape"),
    ("reversed order", "values are wrong"),
    ("batch update", "values are wrong"),
    ("wrong sign", "values are wrong"),
])
def test_train_perceptron_mistakes(ref, kind, fragment):
    update = ref["perceptron_update"]
    wrong = {
        "never stops": make_train(update, stop="never"),
        "forgets the last epoch": make_train(update, stop="before"),
        "reversed order": make_train(update, order=lambda m: range(m - 1, -1, -1)),
        "batch update": make_train(update, batch=True),
        "wrong sign": make_train(update_theta_wrong_sign),
    }[kind]
    assert fragment in first_failure(check_train_perceptron(wrong)).message


def test_train_perceptron_returning_the_epoch_count_instead_of_the_errors(ref):
    good = make_train(ref["perceptron_update"])

    def count_only(*args):
        w, theta, errors = good(*args)
        return w, theta, len(errors)

    message = first_failure(check_train_perceptron(count_only)).message
    assert message.startswith("the third value (errors per epoch): expected an array")


def test_train_perceptron_stops_an_endless_loop():
    def endless(X, t, w, theta, eta, max_epochs):
        while True:
            pass

    report = check_train_perceptron(endless)
    assert "did not return" in report.results[0].message
    assert all("not run" in r.message for r in report.results[1:])


# ---------------------------------------------------------------- gates by hand, XOR


def test_gate_weights_accepts_any_correct_weights():
    table = {"AND": ([0.6, 0.6], 1.0), "OR": ([2, 3], 1), "NAND": (np.array([-2.0, -1.0]), -2.5)}
    assert check_gate_weights(lambda gate: table[gate]).passed
    as_list = {"AND": [[1, 1], 1.5], "OR": [[1, 1], 0.5], "NAND": [[-1, -1], -1.5]}
    assert check_gate_weights(lambda gate: as_list[gate]).passed


@pytest.mark.parametrize("table, fragment", [
    ({"AND": ([1, 1], 0.5), "OR": ([1, 1], 1.5), "NAND": ([-1, -1], -1.5)},  # AND and OR swapped
     "wrong output for inputs (0, 1), (1, 0)"),
    ({"AND": ([1, 1], 2.0), "OR": ([1, 1], 0.5), "NAND": ([-1, -1], -1.5)},  # never fires
     "wrong output for input (1, 1)"),
    ({"AND": ([1, 1], 1.5), "OR": ([1, 1], 1.0), "NAND": ([-1, -1], -1.5)},  # h = θ is output 0
     "wrong output for inputs (0, 1), (1, 0)"),
    ({"AND": [1, 1], "OR": [1, 1], "NAND": [-1, -1]}, "got two numbers (only w?)"),
    ({"AND": np.ones(2), "OR": np.ones(2), "NAND": -np.ones(2)}, "expected a tuple (w, theta)"),
    ({"AND": ([1, 1, 1], 1.5), "OR": ([1, 1], 0.5), "NAND": ([-1, -1], -1.5)},
     "the first value (w) must have shape (2,)"),
])
def test_gate_weights_mistakes(table, fragment):
    assert fragment in first_failure(check_gate_weights(lambda gate: table[gate])).message


def test_nand_needs_its_own_weights():
    table = {"AND": ([1, 1], 1.5), "OR": ([1, 1], 0.5), "NAND": ([1, 1], 1.5)}
    result = first_failure(check_gate_weights(lambda gate: table[gate]))
    assert "NAND" in result.description


@pytest.mark.parametrize("answer, fragment", [
    ("a", "η only scales the steps"),
    ("b", "convergence theorem"),
    ("d", "uses no derivative"),
    ("e", "'e' is not one of the options 'a', 'b', 'c', 'd'"),
    (3, "expected one letter as a string"),
    (None, "returned None"),
])
def test_answer_xor_wrong_choices_get_an_explanation(answer, fragment):
    report = check_answer_xor(lambda: answer)
    message = first_failure(report).message
    assert fragment in message
    assert "(c)" not in message and '"c"' not in message  # never gives the answer away


@pytest.mark.parametrize("answer", ["c", "C", " c ", "(c)", "c."])
def test_answer_xor_accepts_the_letter_in_any_usual_form(answer):
    assert check_answer_xor(lambda: answer).passed


def test_xor_network_accepts_the_lessons_network_and_lecture_numbering():
    W = [[[1.0, 1.0], [1.0, 1.0]], [[1.0, -1.0]]]
    b = [[-0.5, -1.5], [-0.5]]
    assert check_xor_network(lambda: (W, b)).passed
    assert check_xor_network(lambda: ([None, *W], [None, *b])).passed  # slot 0 unused


@pytest.mark.parametrize("network, fragment", [
    (([[[1.0, 1.0], [1.0, 1.0]], [[1.0], [-1.0]]], [[-0.5, -1.5], [-0.5]]),  # W2 transposed
     "these W and b do not make a network: W[2] must have shape"),
    (([[[1.0, 1.0]]], [[-0.5]]), "expected a 2-2-1 network"),  # one perceptron
    (([[[1.0, 1.0], [1.0, 1.0]], [[1.0, 1.0]]], [[-0.5, -1.5], [-0.5]]),  # computes OR
     "wrong output for input (1, 1)"),
    (([[[1.0, 1.0], [1.0, 1.0]], [[1.0, -1.0]]], [[0.5, 1.5], [0.5]]),  # b = +theta
     "wrong output for input"),
    (([[[1.0, 1.0], [1.0, 1.0]], [1.0, -1.0]], [[-0.5, -1.5], [-0.5]]),  # W2 1-D
     "W[2] must be 2-D"),
    ((np.eye(2), np.zeros(2)), "do not make a network"),
    (None, "returned None"),
])
def test_xor_network_mistakes(network, fragment):
    assert fragment in first_failure(check_xor_network(lambda: network)).message


def test_the_xor_network_of_the_solution_computes_xor_with_the_engine(ref):
    W, b = ref["xor_network"]()
    X, t = mc.datasets.logic_gate("XOR")
    y_hat, _ = mc.forward(mc.Network.from_weights(W, b, ["step", "step"]), X)
    np.testing.assert_array_equal(y_hat[:, 0], t)


def test_the_training_reference_agrees_with_the_engine_on_a_fixed_order():
    # the engine shuffles; on one sample per epoch its order is fixed, so both must agree
    X, t = np.array([[1.0, 0.5]]), np.array([1])
    w, theta, errors = lesson01._train(X, t, [-0.5, 0.25], 0.5, 0.25, 20)
    engine = mc.perceptron.train_perceptron(X, t, eta=0.25, epochs=20, w=[-0.5, 0.25], theta=0.5)
    np.testing.assert_array_equal(w, engine.w)
    assert theta == engine.theta and list(errors) == list(engine.errors)
