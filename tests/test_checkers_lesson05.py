"""Lesson 5's checks (backpropagation by hand): the classic mistakes fail with a message that names
the case and the slip without giving the answer away. What holds for every lesson (the solution
passes, the stub is not attempted, the notebook and the checker agree on tasks and points) is in
test_checkers_lessons.py."""

import numpy as np
from checkers_helpers import assert_fails, failures, namespace_fixture

from mlpcourse.checkers import lesson05

ref = namespace_fixture("05_backprop")


def check(task, fn):
    return getattr(lesson05, f"check_{task}")(fn)


# --- Task 1: output delta, sigmoid + BCE ---------------------------------------------------------

def test_output_delta_bce_mistakes():
    assert_fails(check("output_delta_bce", lambda y_hat, y: y_hat - y),
                 "values are wrong", "a sum where the mean is wanted", "N = 4 times too large",
                 case="a batch")  # the lecture's one-sample δ, no 1/N
    assert_fails(check("output_delta_bce", lambda y_hat, y: (y - y_hat) / y_hat.size),
                 "values are wrong", "the sign is flipped", case="Example 3")
    assert_fails(check("output_delta_bce", lambda y_hat, y: (y_hat - y) / y_hat.shape[0]),
                 "values are wrong", "a mean over the samples only",
                 case="multi-label")  # mean over samples only
    assert_fails(check("output_delta_bce",  # σ' once more, though it cancels
                       lambda y_hat, y: (y_hat - y) / y_hat.size * y_hat * (1 - y_hat)),
                 "g'(z) is applied twice", case="Example 3")

    def chain_rule(y_hat, y):  # dL/dŷ · σ'(z): divides by 0 where ŷ rounds to 1
        return (y_hat - y) / (y_hat * (1 - y_hat)) / y_hat.size * y_hat * (1 - y_hat)

    first = assert_fails(check("output_delta_bce", chain_rule), "FloatingPointError",
                         case="saturated")
    assert "divide" in first.message


def test_output_delta_bce_message_does_not_reveal_the_answer():
    report = check("output_delta_bce", lambda y_hat, y: y_hat - y)
    assert "0.2352" not in str(report) and "-0.2352" not in str(report)


# --- Task 2: output delta, MSE -------------------------------------------------------------------

def test_output_delta_mse_mistakes():
    def no_two(y_hat, y, activation):
        d = (y_hat - y) / y_hat.size
        return d * y_hat * (1 - y_hat) if activation == "sigmoid" else d

    def no_derivative(y_hat, y, activation):  # forgets g' of the sigmoid output
        return 2 * (y_hat - y) / y_hat.size

    def summed(y_hat, y, activation):  # the sum of squares, not the mean
        d = 2 * (y_hat - y)
        return d * y_hat * (1 - y_hat) if activation == "sigmoid" else d

    assert_fails(check("output_delta_mse", no_two), "values are wrong", "the factor 2",
                 case="linear output")
    report = check("output_delta_mse", no_derivative)
    assert_fails(report, "values are wrong", "g'(z) is missing", case="sigmoid output")
    assert all(r.passed for r in report.results if "'linear'" in r.description)
    assert_fails(check("output_delta_mse", summed), "not close", "N = 5 times too large",
                 case="linear output, a batch")


# --- Task 3: hidden delta ------------------------------------------------------------------------

def test_hidden_delta_mistakes():
    assert_fails(check("hidden_delta", lambda d, W, a: d @ W), "values are wrong",
                 "g'(z) is missing")
    assert_fails(check("hidden_delta", lambda d, W, a: (d @ W) * (a * (1 - a)) ** 2),
                 "g'(z) is applied twice")

    def sigmoid_of_a(d, W, a):  # σ'(a) instead of σ'(z) = a (1 - a)
        s = 1 / (1 + np.exp(-a))
        return (d @ W) * s * (1 - s)

    assert_fails(check("hidden_delta", sigmoid_of_a), "values are wrong",
                 "σ' evaluated at a instead of z")
    transposed = check("hidden_delta", lambda d, W, a: (d @ W.T) * a * (1 - a))
    assert not transposed.passed
    assert any("ValueError" in r.message for r in failures(transposed))
    square = transposed.results[-1]  # square weights: no error, wrong values
    assert not square.passed and "W^(l+1) used transposed" in square.message

    def in_place(d, W, a):
        a *= 1 - a
        return (d @ W) * a

    assert_fails(check("hidden_delta", in_place), "modified its input")


# --- Task 4: layer gradients ---------------------------------------------------------------------

def test_layer_gradients_mistakes():
    first = assert_fails(check("layer_gradients", lambda d, a: (a.T @ d, d.sum(axis=0))),
                         "the first value (dW)", "shape (1, 2)", case="Example 3, layer 2")
    assert "got shape (2, 1)" in first.message and "transposed" in first.message
    assert_fails(check("layer_gradients", lambda d, a: (d.T @ a, d.mean(axis=0))),
                 "the second value (db)", "N = 5 times too small", case="a batch of 5")
    assert_fails(check("layer_gradients", lambda d, a: (d.T @ a, d.sum(axis=0, keepdims=True))),
                 "the second value (db)", "shape (1, 1)")
    assert_fails(check("layer_gradients", lambda d, a: (d.T @ a / len(d), d.sum(axis=0))),
                 "the first value (dW)", "once too often",
                 case="a batch of 5")  # divides by m a second time
    assert_fails(check("layer_gradients", lambda d, a: d.T @ a), "expected a tuple of 2 values")


# --- Task 5: the update rule ---------------------------------------------------------------------

def test_gradient_step_mistakes():
    assert_fails(check("gradient_step", lambda w, g, eta: w + eta * g), "values are wrong",
                 "the sign of the update")
    assert_fails(check("gradient_step", lambda w, g, eta: w - g), "values are wrong",
                 "the learning rate η is missing")

    def in_place(w, g, eta):
        w -= eta * g
        return w

    report = check("gradient_step", in_place)
    assert report.n_passed == 0
    assert all("modified its input" in r.message for r in report.results)


def test_gradient_step_fails_a_tiny_step_against_the_tight_tolerance():
    # eta = 0.01 changes W^(2) in the third decimal: a step with eta rounded away must not pass
    report = check("gradient_step", lambda w, g, eta: w - round(eta, 1) * g)
    assert_fails(report, "values are wrong", case="Example 3")


# --- Task 6: the backward pass -------------------------------------------------------------------

def _backward(X, y, W1, b1, W2, b2, *, mean=True, sign=1.0, derivative=True, transpose=False,
              activation_as_derivative=False, wrong_layer=False):
    a1 = 1 / (1 + np.exp(-(X @ W1.T + b1)))
    y_hat = 1 / (1 + np.exp(-(a1 @ W2.T + b2)))
    delta2 = sign * (y_hat - y) / (y_hat.size if mean else 1)
    factor = a1 if activation_as_derivative else a1 * (1 - a1) if derivative else 1
    delta1 = (delta2 @ W2) * factor
    dW2 = a1.T @ delta2 if transpose else delta2.T @ a1
    dW1 = delta1.T @ (a1 if wrong_layer else X)
    return dW1, delta1.sum(axis=0), dW2, delta2.sum(axis=0)


def test_backward_pass_names_the_wrong_part(ref):
    def run(**options):
        return check("backward_pass", lambda *args: _backward(*args, **options))

    assert run().passed
    summed = run(mean=False)  # the sum of the losses: right for one sample, wrong for a batch
    assert summed.results[0].passed
    assert_fails(summed, "the first value (dW1)", "values are wrong", "N = 6 times too large",
                 case="a batch of 6")
    assert_fails(run(sign=-1.0), "values are wrong", "the sign is flipped", case="Example 3")
    no_derivative = assert_fails(run(derivative=False), "the first value (dW1)",
                                 "without the derivative factor σ'(z^(1))")
    assert "dW2" not in no_derivative.message  # layer 2 is right; the message says which is not
    assert_fails(run(transpose=True), "the third value (dW2)", "expected an array of shape (1, 2)",
                 "transposed")
    assert_fails(run(activation_as_derivative=True), "multiplied by a^(1) instead of σ'")
    assert_fails(run(wrong_layer=True), "the first value (dW1)", "the wrong layer's activations",
                 case="Example 3")

    def three_parts(*args):
        return ref["backward_pass"](*args)[:3]

    assert_fails(check("backward_pass", three_parts), "expected a tuple of 4 values",
                 "dW1, db1, dW2, db2")


# --- Task 7: numerical gradient ------------------------------------------------------------------

def _numerical(f, x, h=1e-5, *, forward=False, denominator=2.0, copy=True, flat=False):
    x = np.array(x, dtype=float) if copy else x
    grad = np.zeros_like(x)
    f0 = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f0 if forward else f(x)
        if copy:
            x[i] = old
        grad[i] = (plus - minus) / ((1.0 if forward else denominator) * h)
    return grad.reshape(-1) if flat else grad


def test_numerical_gradient_mistakes():
    def run(**options):
        return check("numerical_gradient", lambda f, x, h=1e-5: _numerical(f, x, h, **options))

    assert run().passed
    assert_fails(run(forward=True), "close, but not within tolerance")
    assert_fails(run(denominator=1.0), "not close")
    assert_fails(run(copy=False), "modified its input")
    assert_fails(run(flat=True), "expected an array of shape (3, 4)", "got shape (12,)",
                 case="A of shape (3, 4)")


def test_numerical_gradient_is_called_with_h():
    report = check("numerical_gradient", lambda f, x: _numerical(f, x))
    assert_fails(report, "TypeError", "'h'")


# --- Task 8: Example 3's updated weight ----------------------------------------------------------

def test_example3_w11_recognises_the_lectures_number_and_other_mistakes():
    lecture = check("example3_w11", lambda eta: 0.6 - eta * -0.131)
    first = assert_fails(lecture, "the lecture's value", case="eta = 0.01")
    assert "0.60131" not in first.message and "0.6013" not in str(lecture)
    assert_fails(check("example3_w11", lambda eta: 0.6 + eta * -0.1316663), "values are wrong")
    assert_fails(check("example3_w11", lambda eta: np.array([[0.6013, 0.9014]])),
                 "expected a single number")


def test_example3_w11_note_tells_the_correct_value_only_after_passing(ref):
    report = check("example3_w11", ref["example3_w11"])
    assert report.passed and "0.601317" in report.note and "0.60131:" in report.note
    wrong = check("example3_w11", lambda eta: 0.5)
    assert wrong.note == "" and "0.6013" not in str(wrong)


# --- Task 9: the deltas of a 3-layer chain -------------------------------------------------------

def _chain(a1, a2, y_hat, y, W2, W3, *, mean=True, sign=1.0, d2_derivative=True, twice=False,
           sigmoid_of_a=False, transpose=False, own_layer=True, broken=False):
    def prime(a):
        if sigmoid_of_a:
            s = 1 / (1 + np.exp(-a))
            return s * (1 - s)
        return a * (1 - a)

    delta3 = sign * (y_hat - y) / (y_hat.size if mean else 1)
    if twice:
        delta3 = delta3 * y_hat * (1 - y_hat)
    back2 = delta3 @ (W3.T if transpose else W3)
    delta2 = back2 * prime(a2) if d2_derivative else back2
    delta1 = ((back2 if broken else delta2) @ W2) * prime(a1 if own_layer else a2)
    return delta1, delta2, delta3


def test_chain_deltas_names_the_slip(ref):
    def run(**options):
        return check("chain_deltas", lambda *args: _chain(*args, **options))

    assert run().passed and check("chain_deltas", ref["chain_deltas"]).passed
    summed = run(mean=False)
    assert summed.results[0].passed  # one sample, one output: N = 1
    assert_fails(summed, "the third value (delta3)", "N = 8 times too large", case="a batch of 4")
    assert_fails(run(sign=-1.0), "the third value (delta3)", "the sign is flipped")
    assert_fails(run(twice=True), "the third value (delta3)", "σ'(z^(3)) once more")
    assert_fails(run(d2_derivative=False), "the second value (delta2)", "g'(z) is missing")
    assert_fails(run(sigmoid_of_a=True), "the second value (delta2)", "σ' evaluated at a")
    assert_fails(run(broken=True), "the first value (delta1)", "lacks σ'(z^(2))")
    own = run(own_layer=False)  # σ'(z^(2)) in δ^(1): a shape error, unless the widths agree
    assert "ValueError" in failures(own)[0].message
    square = [r for r in own.results if "square" in r.description][0]
    assert "the first value (delta1)" in square.message
    assert "g' of the wrong layer" in square.message
    transposed = run(transpose=True)
    square = [r for r in transposed.results if "square" in r.description][0]
    assert "W^(l+1) used transposed" in square.message


def test_chain_deltas_messages_never_show_the_expected_deltas():
    report = check("chain_deltas", lambda *args: _chain(*args, mean=False))
    for case in lesson05.CHAIN_DELTAS.cases(None):
        for part in case.expected:
            for value in part.ravel():
                if abs(value) > 1e-3:
                    assert f"{value:.3g}" not in str(report) and f"{value:.4f}" not in str(report)


def test_chain_deltas_grading_adds_fresh_cases_with_slips():
    cases = lesson05.CHAIN_DELTAS.cases(np.random.default_rng(3))
    assert len(cases) == 6 and all("fresh" in c.description for c in cases[4:])
    assert all(set(c.slips) == {"delta1", "delta2", "delta3"} for c in cases)


def test_chain_deltas_graded_the_engine_is_reference_use_and_a_slip_is_named(tmp_path):
    from test_grading_tasks import grade_in_process, notebook_with

    engine = ("import mlpcourse as mc\n"
              "def chain_deltas(a1, a2, y_hat, y, W2, W3):\n"
              "    raise RuntimeError('never called: the source already shows mc.backward')\n"
              "    return mc.backward(None, None, y)\n")
    summed = ("def chain_deltas(a1, a2, y_hat, y, W2, W3):\n"
              "    delta3 = y_hat - y\n"
              "    delta2 = (delta3 @ W3) * a2 * (1 - a2)\n"
              "    return (delta2 @ W2) * a1 * (1 - a1), delta2, delta3\n")
    rows = {r.task: r for r in grade_in_process("05_backprop", notebook_with(
        "05_backprop", replace={"chain_deltas_code": engine}), tmp_path / "a")}
    assert rows["chain_deltas"].points == 0 and rows["chain_deltas"].max_points == 3
    assert any(f.startswith("reference-use") and "mlpcourse.network.backward" in f
               for f in rows["chain_deltas"].flags), rows["chain_deltas"].flags
    assert rows["backward_pass"].points == rows["backward_pass"].max_points
    rows = {r.task: r for r in grade_in_process("05_backprop", notebook_with(
        "05_backprop", replace={"chain_deltas_code": summed}), tmp_path / "b")}
    assert rows["chain_deltas"].points == 0 and not rows["chain_deltas"].flags
    assert "a sum where the mean is wanted" in rows["chain_deltas"].message
