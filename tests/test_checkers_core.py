"""The comparison behind every check (mlpcourse.checkers.core): a wrong number names the classic
slip it looks like (sum for mean, g'(z) missing or twice, a transposed matrix, the wrong layer's
activations, an activation on a linear output, the sign of the update), never the expected values;
an answer of zero or an all-zero result gets no "largest difference" that would equal the answer.
Each test plants one slip in a student function and asserts the diagnosis."""

import numpy as np
import pytest

from mlpcourse.checkers import core, helpers
from mlpcourse.checkers.core import Case, Outcome, Slips, compare_numbers, compare_parts, judge

RNG = np.random.default_rng(2026)


def numbers_in(expected):
    """The expected values as a message might print them (several roundings)."""
    values = np.atleast_1d(np.asarray(expected, dtype=float)).ravel()
    texts = set()
    for v in values:
        if abs(v) < 1e-3:  # 0 and tiny values: "0" alone would match any message's digits
            continue
        texts |= {f"{v:.3g}", f"{v:.4f}", f"{v:.6f}", repr(float(v))}
    return texts


def run(fn, case):
    """The first (only) case's message, and a check that it reveals no expected number."""
    report = core.run_check("task", fn, [case])
    assert report.attempted and not report.passed, str(report)
    message = report.results[0].message
    for text in numbers_in(case.expected):
        assert text not in str(report), (text, str(report))
    return message


# ---------------------------------------------------------------- the slips, one by one

def test_a_sum_for_the_mean_is_n_times_too_large():
    y_hat, y = RNG.normal(size=(4, 3)), RNG.normal(size=(4, 3))
    case = Case("mean", (y_hat, y), (y_hat - y) / y.size, slips=Slips(n=y.size))
    message = run(lambda y_hat, y: y_hat - y, case)
    assert "a sum where the mean is wanted" in message and "N = 12 times too large" in message


def test_dividing_by_n_twice_is_n_times_too_small():
    delta, a = RNG.normal(size=(5, 2)) / 10, RNG.normal(size=(5, 3))
    case = Case("dW", (delta, a), delta.T @ a, slips=Slips(n=5))
    message = run(lambda delta, a: delta.T @ a / len(delta), case)
    assert "N = 5 times too small" in message and "once too often" in message


def test_a_missing_derivative_factor_is_named():
    back, a = RNG.normal(size=(3, 4)), 1 / (1 + np.exp(-RNG.normal(size=(3, 4))))
    case = Case("hidden δ", (back, a), back * a * (1 - a), slips=Slips(derivative=a * (1 - a)))
    assert "g'(z) is missing" in run(lambda back, a: back, case)


def test_a_derivative_factor_applied_twice_is_named():
    back, a = RNG.normal(size=(3, 4)), 1 / (1 + np.exp(-RNG.normal(size=(3, 4))))
    case = Case("hidden δ", (back, a), back * a * (1 - a), slips=Slips(derivative=a * (1 - a)))
    assert "applied twice" in run(lambda back, a: back * (a * (1 - a)) ** 2, case)


def test_a_transposed_gradient_is_named_by_its_shape_and_by_its_values():
    delta, a = RNG.normal(size=(5, 2)), RNG.normal(size=(5, 3))
    case = Case("dW (2, 3)", (delta, a), delta.T @ a)
    message = run(lambda delta, a: a.T @ delta, case)
    assert "expected an array of shape (2, 3); got shape (3, 2)" in message
    assert "transposed" in message
    square = RNG.normal(size=(5, 3))
    case = Case("dW (3, 3)", (square, a), square.T @ a)  # no Slips needed: the values show it
    message = run(lambda delta, a: a.T @ delta, case)
    assert "values are wrong" in message and "transposed" in message


def test_the_wrong_layers_activations_are_named_from_the_cases_alternatives():
    delta, a_prev, a_same = (RNG.normal(size=(4, 3)) for _ in range(3))
    slips = Slips(alternatives=(("the wrong layer's activations (a^(l), not a^(l-1))",
                                 delta.T @ a_same),))
    case = Case("dW", (delta, a_prev, a_same), delta.T @ a_prev, slips=slips)
    assert "the wrong layer's activations" in run(lambda d, p, s: d.T @ s, case)


def test_an_activation_applied_to_a_linear_output_is_named():
    z = RNG.normal(size=(6, 1))
    slips = Slips(alternatives=(("an activation applied to the linear output layer",
                                 np.tanh(z)),))
    case = Case("linear output", (z,), z.copy(), slips=slips)
    assert "applied to the linear output" in run(np.tanh, case)


def test_the_sign_of_the_update_and_a_flipped_sign_are_named():
    w, g = RNG.normal(size=(2, 3)), RNG.normal(size=(2, 3))
    slips = Slips(alternatives=(("the sign of the update: w - η·grad", w + 0.1 * g),))
    case = Case("step", (w, g, 0.1), w - 0.1 * g, slips=slips)
    assert "the sign of the update" in run(lambda w, g, eta: w + eta * g, case)
    y_hat, y = RNG.uniform(size=(3, 2)), RNG.integers(0, 2, size=(3, 2)) * 1.0
    case = Case("δ", (y_hat, y), (y_hat - y) / 6)  # a flipped sign needs no Slips
    assert "the sign is flipped" in run(lambda y_hat, y: (y - y_hat) / 6, case)


# ---------------------------------------------------------------- no false diagnosis, no leak

def test_a_wrong_answer_that_is_no_known_slip_gets_the_plain_message():
    back, a = RNG.normal(size=(3, 4)), 1 / (1 + np.exp(-RNG.normal(size=(3, 4))))
    expected = back * a * (1 - a)
    case = Case("hidden δ", (back, a), expected, slips=Slips(n=12, derivative=a * (1 - a)))
    message = run(lambda back, a: back * a, case)
    assert "looks like" not in message and "largest difference" in message


@pytest.mark.parametrize("slips", [Slips(n=1), Slips(derivative=np.ones((2, 2)))])
def test_a_slip_that_changes_nothing_is_never_reported(slips):
    x = RNG.normal(size=(2, 2)) + 5.0  # not symmetric, all positive: no transposed or sign match
    case = Case("x", (x,), x.copy(), slips=slips)
    message = run(lambda x: x + 1.0, case)
    assert "looks like" not in message


def test_a_zero_answer_is_judged_relatively_and_an_all_zero_result_says_so():
    y = RNG.normal(size=(3, 2))
    message = run(lambda y: 0.25, Case("a perfect prediction: the loss is 0", (y,), 0.0))
    assert "largest difference" not in message and "0.25" not in message
    assert "as large as your values" in message
    message = run(lambda y: y * 1e-3, Case("a zero gradient", (y,), np.zeros((3, 2))))
    assert "largest difference" not in message and "as large as your values" in message
    expected = RNG.normal(size=(4,))
    message = run(lambda x: np.zeros(4), Case("zeros", (expected,), expected))
    assert message == "values are wrong (not close: your result is all zeros)"
    message = run(lambda x: 0.0, Case("a loss", (expected,), 0.7))
    assert message == "values are wrong (not close: your result is 0)"


def test_slips_that_do_not_fit_the_result_give_no_diagnosis_and_no_crash():
    x = RNG.normal(size=(2, 3))
    case = Case("x", (x,), x.copy(), slips=Slips(derivative=np.ones(5), alternatives=(
        ("a slip of another shape", np.zeros(4)), ("not numbers", "abc"))))
    message = run(lambda x: x + 1.0, case)
    assert message.startswith("values are wrong (not close: largest difference")


def test_close_but_not_within_tolerance_is_still_reported_with_the_diagnosis():
    x = RNG.normal(size=(3,)) + 3.0
    case = Case("x", (x,), x / 1000.0, slips=Slips(n=1000))
    message = run(lambda x: x, case)
    assert message.startswith("values are wrong (not close); it looks like a sum")
    assert compare_numbers(x * (1 + 1e-3), x) == (
        f"values are wrong (close, but not within tolerance: largest difference "
        f"{np.max(np.abs(x * 1e-3)):.3g})")


# ---------------------------------------------------------------- tuples, custom compares, grader

def test_compare_parts_names_the_part_and_its_slip_in_the_given_order():
    a, b = RNG.normal(size=(2, 3)), RNG.normal(size=3)
    compare = compare_parts(["dW", "db"], order=(1, 0))
    slips = {"dW": Slips(n=4), "db": Slips(n=4)}
    message = compare((a * 4, b * 4), (a, b), slips=slips)
    assert message.startswith("the second value (db): values are wrong")
    assert "N = 4 times too large" in message
    assert compare((a, b), (a, b), slips=slips) is None
    assert "looks like" not in compare_parts(["dW", "db"])((a * 4, b), (a, b))


def test_judge_gives_the_grader_the_same_diagnosis_as_the_notebook_check():
    y_hat, y = RNG.uniform(size=(4, 2)), RNG.integers(0, 2, size=(4, 2)) * 1.0
    case = Case("δ", (y_hat, y), (y_hat - y) / 8, slips=Slips(n=8))
    in_kernel = core.run_check("delta", lambda y_hat, y: y_hat - y, [case])
    graded = judge("delta", [case], [Outcome("returned", y_hat - y)], time_limit=None)
    assert graded.summary() == in_kernel.summary()
    assert "N = 8 times too large" in graded.summary()


def test_a_custom_compare_receives_the_slips_only_when_the_case_has_some():
    seen = []

    def compare(got, expected, slips=None):
        seen.append(slips)
        return None

    core.run_check("t", lambda: 1.0, [Case("a", (), 1.0, compare=compare),
                                      Case("b", (), 1.0, compare=compare, slips=Slips(n=3))])
    assert seen[0] is None and seen[1].n == 3
    old_style = Case("c", (), 1.0, compare=lambda got, expected: None)  # two arguments only
    assert core.run_check("t", lambda: 1.0, [old_style]).passed


def test_diagnose_alone():
    x = RNG.normal(size=(3, 3))
    assert core.diagnose(x.T, x) == core.TRANSPOSED
    assert core.diagnose(-x, x) == core.FLIPPED_SIGN
    assert core.diagnose(x + 1.0, x) is None
    assert core.diagnose(x * 3, x, Slips(n=3)) == core.TOO_LARGE.format(n=3)


# ---------------------------------------------------------------- helpers: multiple choice

OPTIONS = {"a": "one", "b": "two", "c": "three"}
WHY_NOT = {"a": "one is too few", "c": "three is too many"}


@pytest.mark.parametrize("answer", ["b", "B", " b ", "(b)", "b."])
def test_a_choice_is_read_in_any_usual_spelling(answer):
    assert helpers.read_letter(answer, OPTIONS) == "b"
    assert helpers.choice_task("pick", OPTIONS, WHY_NOT, "b").check(lambda: answer).passed


@pytest.mark.parametrize(("answer", "message"), [
    ("a", "'a' is wrong here: one is too few"),  # the reason, never the right letter
    ("d", "'d' is not one of the options 'a', 'b', 'c'"),
    (2, "expected one letter as a string (one of 'a', 'b', 'c'); got 2 (int)"),
    (None, core.NO_RETURN),
])
def test_a_wrong_choice_says_why_without_the_right_letter(answer, message):
    task = helpers.choice_task("pick", OPTIONS, WHY_NOT, "b", verdict="is wrong here")
    report = task.check(lambda: answer)
    assert [r.message for r in report.results] == [message]


def test_a_choice_task_must_explain_every_wrong_option():
    with pytest.raises(ValueError, match="why_not must explain every option but the right one"):
        helpers.choice_task("pick", OPTIONS, {"a": "too few"}, "b")
    with pytest.raises(ValueError, match="why_not"):
        helpers.choice_task("pick", OPTIONS, WHY_NOT, "z")


def test_an_all_that_apply_answer_names_wrong_letters_and_counts_missing_ones():
    compare = helpers.compare_choices(OPTIONS, {"c": "not this one"}, "does not apply")
    assert compare("ab", {"a", "b"}) is None and compare(["B", "a"], {"a", "b"}) is None
    assert compare("abc", {"a", "b"}) == "'c' does not apply: not this one"
    assert "some are missing (1 chosen)" in compare("a", {"a", "b"})
    assert "expected the letters" in compare("ax", {"a", "b"})
