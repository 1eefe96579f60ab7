"""Lesson 8's checks (the lecture's quiz): the classic mistakes fail with a message that names the
case and the slip without giving the answer away, and the Q1 network the checks use is the one
the lesson defines. What holds for every lesson (the solution passes, the stub is not attempted,
the notebook and the checker agree on tasks and points) is in test_checkers_lessons.py."""

from pathlib import Path

import nbformat
import numpy as np
from checkers_helpers import assert_fails, namespace_fixture, solution_notebook

import mlpcourse as mc
from mlpcourse import graph
from mlpcourse.checkers import lesson08

LESSON = Path(__file__).resolve().parents[1] / "notebooks" / "08_quizzes.ipynb"
ref = namespace_fixture("08_quizzes")


def check(task, fn):
    return getattr(lesson08, f"check_{task}")(fn)


def test_solution_notebook_lists_the_checkers_options():
    nb = solution_notebook("08_quizzes")
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    for options in (lesson08.Q2_OPTIONS, lesson08.Q3_OPTIONS, lesson08.Q4A_OPTIONS,
                    lesson08.Q4B_OPTIONS):
        for letter, option in options.items():
            assert f"**({letter})** {option}" in text


def test_q1_network_is_the_one_the_lesson_defines():
    """Run the lesson's cell that builds ``q1_net`` and compare every weight."""
    nb = nbformat.read(str(LESSON), as_version=4)
    source = next(c.source for c in nb.cells if c.cell_type == "code" and "q1_net =" in c.source
                  and "from_weights" in c.source)
    namespace = {"np": np, "mc": mc, "display": lambda *a: None, "Markdown": str}
    exec(source, namespace)  # noqa: S102 (our own lesson notebook)
    lesson_net, ours = namespace["q1_net"], lesson08.q1_network()
    assert lesson_net.activations == ours.activations == [None, "sigmoid", "linear"]
    for l in (1, 2):
        np.testing.assert_array_equal(lesson_net.W[l], ours.W[l])
        np.testing.assert_array_equal(lesson_net.b[l], ours.b[l])
    np.testing.assert_array_equal(namespace["x_q1"], lesson08.Q1_INPUTS[0])


# --- Q1 ------------------------------------------------------------------------------------------

def _q1(x, *, first=1, output_sigmoid=False, bias=True):
    net = lesson08.q1_network()
    h = 1 / (1 + np.exp(-(net.W[1] @ x + (net.b[1] if bias else 0))))
    y_hat = net.W[2][0] @ h + (net.b[2][0] if bias else 0)
    if output_sigmoid:
        y_hat = 1 / (1 + np.exp(-y_hat))
    return h[first], h[first + 1], y_hat


def test_q1_forward_mistakes():
    assert check("q1_forward", _q1).passed
    assert_fails(check("q1_forward", lambda x: _q1(x, first=0)), "the first value (h2)",
                 case="x = (2, -1)")  # counted from 0 like numpy: h1 and h2
    output = assert_fails(check("q1_forward", lambda x: _q1(x, output_sigmoid=True)),
                          "the third value (y_hat)")
    assert "h2" not in output.message
    assert_fails(check("q1_forward", lambda x: _q1(x, bias=False)), "the first value (h2)")
    assert_fails(check("q1_forward", lambda x: _q1(x)[:2]), "expected a tuple of 3 values")


def test_q1_output_step_mistakes(ref):
    net = lesson08.q1_network()

    def step(x, t, eta, factor=2.0, sign=1.0, sigmoid_derivative=False):
        h = 1 / (1 + np.exp(-(net.W[1] @ x + net.b[1])))
        y_hat = net.W[2][0] @ h + net.b[2][0]
        delta = factor * (y_hat - t) * (y_hat * (1 - y_hat) if sigmoid_derivative else 1.0)
        return net.W[2][0] - sign * eta * delta * h, net.b[2][0] - sign * eta * delta

    assert check("q1_output_step", step).passed
    assert_fails(check("q1_output_step", lambda *a: step(*a, factor=1.0)), "the first value")
    assert_fails(check("q1_output_step", lambda *a: step(*a, sign=-1.0)), "values are wrong")
    assert_fails(check("q1_output_step", lambda *a: step(*a, sigmoid_derivative=True)),
                 "values are wrong", case="the lesson's part d")
    lesson_values = ref["q1_output_step"](np.array([2.0, -1.0]), 1.0, 0.1)
    assert "0.7333" not in str(check("q1_output_step", lambda *a: step(*a, factor=1.0)))
    np.testing.assert_allclose(lesson_values[0], [0.7333, -0.4837, 0.9102], atol=5e-5)


# --- Q2, Q3, Q4 ----------------------------------------------------------------------------------

def test_single_choice_questions_explain_a_wrong_choice():
    for task, right, wrong, reason in [("quiz_q2", "a", "b", "standardisation"),
                                       ("quiz_q3", "b", "a", "differentiates"),
                                       ("quiz_q4b", "b", "c", "not zero-centred")]:
        assert check(task, lambda r=right: r).passed
        assert check(task, lambda r=right: f" {r.upper()} ").passed  # case and spaces forgiven
        assert_fails(check(task, lambda w=wrong: w), reason)
        assert_fails(check(task, lambda: "z"), "'z' is not one of the options")
        assert_fails(check(task, lambda: 1), "expected one letter", "got 1 (int)")


def test_q4b_note_states_the_caveat():
    report = check("quiz_q4b", lambda: "b")
    assert "saturates" in report.note and "ReLU" in report.note
    assert check("quiz_q4b", lambda: "a").note == ""


def test_q4a_accepts_any_spelling_of_the_set_and_names_wrong_letters():
    for answer in ("abde", "a, b, d, e", ["a", "b", "d", "e"], {"e", "d", "b", "a"}, "EDBA"):
        assert check("quiz_q4a", lambda v=answer: v).passed, answer
    assert_fails(check("quiz_q4a", lambda: "abcde"), "'c' is not an activation function",
                 "loss function")
    missing = assert_fails(check("quiz_q4a", lambda: "abd"), "missing")
    assert "'e'" not in missing.message  # does not say which one
    assert_fails(check("quiz_q4a", lambda: "abx"), "expected the letters")
    assert_fails(check("quiz_q4a", lambda: ""), "expected the letters")


# --- Problem 3: path sums ------------------------------------------------------------------------

def _gradient(local, *, skip=None, reverse_keys=False, swap=False):
    def d(top, bottom):
        return local[(top, bottom) if reverse_keys else (bottom, top)]

    terms = {
        ("x1", "a", "c", "y"): lambda: d("y", "c") * d("c", "a") * d("a", "x1"),
        ("x1", "a", "d", "y"): lambda: d("y", "d") * d("d", "a") * d("a", "x1"),
        ("x1", "b", "d", "y"): lambda: d("y", "d") * d("d", "b") * d("b", "x1"),
        ("x1", "a", "d", "e", "y"): lambda: d("y", "e") * d("e", "d") * d("d", "a") * d("a", "x1"),
        ("x1", "b", "d", "e", "y"): lambda: d("y", "e") * d("e", "d") * d("d", "b") * d("b", "x1"),
    }
    dy_dx1 = sum(term() for path, term in terms.items() if path != skip)
    dy_dx2 = (d("y", "c") * d("c", "x2") + d("y", "d") * d("d", "x2")
              + d("y", "e") * d("e", "d") * d("d", "x2"))
    return (dy_dx2, dy_dx1) if swap else (dy_dx1, dy_dx2)


def test_problem3_gradient_mistakes():
    assert check("problem3_gradient", _gradient).passed
    missing = check("problem3_gradient",
                    lambda local: _gradient(local, skip=("x1", "b", "d", "e", "y")))
    assert_fails(missing, "the first value (dy/dx1)")
    assert_fails(check("problem3_gradient", lambda local: _gradient(local, reverse_keys=True)),
                 "KeyError")
    assert_fails(check("problem3_gradient", lambda local: _gradient(local, swap=True)),
                 "the first value (dy/dx1)")

    def scalars_only(local):
        return tuple(float(v) for v in _gradient(local))

    batch = assert_fails(check("problem3_gradient", scalars_only), case="a batch of 5")
    assert "raised TypeError" in batch.message


def test_problem3_gradient_cases_agree_with_finite_differences():
    """The expected values (graph backward) are the true derivatives of the forward pass."""
    net, x = graph.problem3("tanh", rng=1), np.array([0.3, -0.7])
    numeric = mc.numerical_gradient(lambda v: net.forward(v)["y"], x)
    exact = net.backward(x)
    np.testing.assert_allclose([exact["x1"], exact["x2"]], numeric, rtol=1e-6)
    np.testing.assert_allclose(_gradient(net.local_derivatives(x)), numeric, rtol=1e-6)


# --- Problem 3: paths ----------------------------------------------------------------------------

def _paths(edges, source, target, *, visited=None, reverse=False, lists=False):
    """A depth-first search; with ``visited`` it never enters a node twice (a classic bug: paths
    that share a node are lost)."""
    children = {}
    for s, t in edges:
        children.setdefault(s, []).append(t)
    found = []

    def walk(path):
        node = path[-1]
        if node == target:
            found.append(path)
            return
        for child in children.get(node, []):
            if visited is not None:
                if child in visited:
                    continue
                visited.add(child)
            walk(path + (child,))

    walk((source,))
    if reverse:
        found = [p[::-1] for p in found]
    return [list(p) for p in found] if lists else found


def test_find_paths_mistakes(ref):
    assert check("find_paths", _paths).passed
    assert check("find_paths", lambda *a: _paths(*a, lists=True)).passed  # lists are fine too
    first = assert_fails(check("find_paths", lambda *a: _paths(*a, visited=set())),
                         "some paths are missing", case="from 'x1' to 'y'")
    assert "x1→b→d→e→y" not in first.message
    assert_fails(check("find_paths", lambda *a: _paths(*a, reverse=True)),
                 "does not lead from 'x1' to 'y'")
    assert_fails(check("find_paths", lambda *a: _paths(*a) * 2), "is listed twice")
    assert_fails(check("find_paths", lambda *a: [*_paths(*a), ("x1", "c", "y")]),
                 "x1→c, which is not an edge")
    assert_fails(check("find_paths", lambda *a: ["x1", "a", "c", "y"]),
                 "each path must be a tuple")
    no_path = check("find_paths", lambda edges, s, t: [(s, t)])
    assert any("not an edge" in r.message for r in no_path.results if "no path" in r.description)


def test_find_paths_expected_paths_match_the_lectures_solution():
    """Problem 3's paths from x1 and x2 are those of the lecture's solutions 3a and 3b."""
    lecture = graph.problem3_solution()
    for source in ("x1", "x2"):
        net = graph.problem3()
        assert set(net.paths("y", source)) == set(graph.paths_from_expression(lecture[source]))
