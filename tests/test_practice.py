"""Tests for mlpcourse.practice: the same seed gives the same problem, different seeds different
problems, the expected answers are the engine's (recomputed here with mc.forward / mc.backward /
mc.loss and finite differences), and the checker grades without giving the answer away."""

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import sympy  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import mlpcourse as mc  # noqa: E402
from mlpcourse import graph, practice  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = st.integers(min_value=0, max_value=10**7)


# --- seeds ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", practice.KINDS)
def test_same_seed_same_problem(kind):
    a, b = practice.generate(kind, 2024017), practice.generate(kind, 2024017)
    assert a.question == b.question
    assert a.answers.keys() == b.answers.keys()
    for name in a.answers:
        if kind == "chain_rule":
            assert a.answers[name] == b.answers[name]
        else:
            np.testing.assert_array_equal(a.answers[name], b.answers[name])


@pytest.mark.parametrize("kind", practice.KINDS)
def test_fifty_seeds_give_mostly_distinct_problems(kind):
    questions = {practice.generate(kind, seed).question for seed in range(50)}
    assert len(questions) >= 45


@pytest.mark.parametrize("seed", ["7", 7.0, True, None, [7]])
def test_seed_must_be_an_int(seed):
    with pytest.raises(TypeError, match="seed must be an int"):
        practice.forward_pass(seed)


def test_negative_seed_is_refused():
    with pytest.raises(ValueError, match="seed must be an int >= 0; got -1"):
        practice.softmax_problem(-1)


def test_numpy_int_seed_and_student_numbers_work():
    assert practice.loss_problem(np.int64(12)).question == practice.loss_problem(12).question
    assert practice.chain_rule(20231234).seed == 20231234


def test_generate_dispatches_and_names_the_kinds():
    generators = {"forward_pass": practice.forward_pass, "backprop_step": practice.backprop_step,
                  "softmax": practice.softmax_problem, "loss": practice.loss_problem,
                  "chain_rule": practice.chain_rule}
    assert tuple(generators) == practice.KINDS
    for kind, generator in generators.items():
        problem = generator(5)
        assert practice.generate(kind, 5).question == problem.question
        assert f"`practice.{generator.__name__}(seed=5)`" in problem.question  # the call to copy
    with pytest.raises(ValueError, match="unknown kind 'quiz'; expected one of"):
        practice.generate("quiz", 1)


@pytest.mark.parametrize("generator", [practice.forward_pass, practice.backprop_step])
def test_hidden_activations_to_pick_from(generator):
    # the default draws from practice.HIDDEN; any hidden-layer activation of the registry works
    assert generator(9).question == generator(9, hidden=practice.HIDDEN).question
    for name in ("tanh", "leaky_relu"):
        p = generator(9, hidden=(name,))
        assert p.data["net"].activations[1] == name
        assert f"hidden={(name,)!r}" in p.question  # the call to copy names the choice
        assert p.check(**p.answers).correct
    for seed in range(20):  # no hidden pre-activation near leaky ReLU's kink (nor ReLU's)
        for name in ("leaky_relu", "relu"):
            p = generator(seed, hidden=(name,))
            _, cache = mc.forward(p.data["net"], p.data["x"])
            assert np.all(np.abs(cache.z[1]) > 0.05)
    with pytest.raises(ValueError, match="hidden must name activations for hidden layers.*"
                                         "'softmax'"):
        generator(9, hidden=("softmax",))
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        generator(9, hidden=("swish",))
    with pytest.raises(TypeError, match="hidden must be a non-empty tuple"):
        generator(9, hidden=())


@pytest.mark.parametrize(("old", "new", "engine"), [("softmax", "softmax_problem",
                                                      "mc.activations.softmax"),
                                                     ("loss", "loss_problem", "mc.loss")])
def test_generators_do_not_reuse_engine_names(old, new, engine):
    # practice.softmax / practice.loss were renamed: the old name says where to go
    assert callable(getattr(practice, new))
    with pytest.raises(AttributeError, match=f"practice.{old} was renamed practice.{new}.*"
                                             f"{re.escape(engine)}"):
        getattr(practice, old)
    with pytest.raises(AttributeError, match="has no attribute 'nonsense'"):
        practice.nonsense  # noqa: B018


@pytest.mark.parametrize("kind", practice.KINDS)
@given(seed=SEEDS)
def test_expected_answers_pass_their_own_check(kind, seed):
    problem = practice.generate(kind, seed)
    result = problem.check(**problem.answers)
    assert result.correct, result
    assert result.score == (len(problem.answers), len(problem.answers))
    assert problem.question.count("`") >= 2 * len(problem.answers)  # each name is listed


# --- the answers are the engine's -----------------------------------------------------------------

@given(seed=SEEDS)
def test_forward_pass_answers_are_the_engines(seed):
    p = practice.forward_pass(seed)
    net, x = p.data["net"], p.data["x"]
    assert net.sizes in ([2, 2, 1], [2, 3, 1], [3, 2, 1])
    assert np.all(np.round(net.W[1] * 10) == net.W[1] * 10)  # one decimal: doable by hand
    y_hat, cache = mc.forward(net, x)
    assert p.answers["y_hat"] == pytest.approx(y_hat[0], abs=1e-12)
    hidden = [n for n in p.answers if n != "y_hat"]
    assert 1 <= len(hidden) <= 2
    for name in hidden:
        assert p.answers[name] == pytest.approx(cache.a[1][int(name[1:]) - 1], abs=1e-12)


def _loss_of(net, x, y, loss):
    return mc.loss(mc.forward(net, x)[0], y, loss)


@given(seed=st.integers(0, 10**6))
def test_backprop_step_answers_match_backward_and_finite_differences(seed):
    p = practice.backprop_step(seed)
    d = p.data
    net, x, y, loss = d["net"], d["x"], d["y"], d["loss"]
    _, cache = mc.forward(net, x)
    grads = mc.backward(net, cache, y, loss)
    new = mc.update(net, grads, d["eta"])
    for name, value in p.answers.items():
        if name == "delta2":
            assert value == pytest.approx(grads.delta[2][0], abs=1e-12)
        elif name.startswith("delta1_"):
            assert value == pytest.approx(grads.delta[1][int(name[-1]) - 1], abs=1e-12)
        elif name.startswith("dw"):
            l, i, j = int(name[2]), int(name[4]) - 1, int(name[5]) - 1

            def loss_at(w, l=l, i=i, j=j):
                W = [m.copy() for m in net.W[1:]]
                W[l - 1][i, j] = w[0]
                changed = mc.Network.from_weights(W=W, b=net.b[1:], activations=net.activations[1:])
                return _loss_of(changed, x, y, loss)

            numeric = mc.numerical_gradient(loss_at, np.array([net.W[l][i, j]]))[0]
            assert value == pytest.approx(grads.W[l][i, j], abs=1e-12)
            assert value == pytest.approx(numeric, abs=1e-6)
        else:
            l, i, j = int(name[1]), int(name[3]) - 1, int(name[4]) - 1
            assert value == pytest.approx(new.W[l][i, j], abs=1e-12)
            assert value != net.W[l][i, j]


@given(seed=SEEDS)
def test_softmax_answers_are_the_engines(seed):
    p = practice.softmax_problem(seed)
    z, label = p.data["z"], p.data["label"]
    np.testing.assert_allclose(p.answers["p"], mc.activations.softmax(z), atol=1e-12)
    assert len(set(z.tolist())) == len(z)  # no ties: the predicted class is unambiguous
    if "predicted" in p.answers:
        assert p.answers["predicted"] == int(np.argmax(z)) + 1
    if "loss" in p.answers:
        onehot = np.eye(len(z))[[label - 1]]
        assert p.answers["loss"] == pytest.approx(
            mc.loss(mc.activations.softmax(z)[None], onehot, "cross_entropy"), abs=1e-12)
    assert {"predicted", "loss"} & set(p.answers)


@given(seed=SEEDS)
def test_loss_answers_are_the_engines(seed):
    p = practice.loss_problem(seed)
    d = p.data
    assert p.answers["L"] == pytest.approx(mc.loss(d["y_hat"], d["y"], d["name"]), abs=1e-12)
    per_sample = [mc.loss(d["y_hat"][i:i + 1], d["y"][i:i + 1], d["name"])
                  for i in range(len(d["y_hat"]))]
    np.testing.assert_allclose(p.answers["terms"], per_sample, atol=1e-12)
    if d["name"] == "cross_entropy":
        np.testing.assert_allclose(d["y_hat"].sum(axis=1), 1.0)
        assert np.all(d["y_hat"] > 0)


def test_every_loss_appears():
    assert {practice.loss_problem(s).data["name"] for s in range(30)} == {
        "mse", "binary_cross_entropy", "cross_entropy"}


@given(seed=st.integers(0, 10**6))
def test_chain_rule_answer_is_the_path_sum_and_equals_backpropagation(seed):
    p = practice.chain_rule(seed)
    d = p.data
    net, source = d["graph"], d["source"]
    (name, expr), = p.answers.items()
    assert name == f"dy_d{source}"
    assert 2 <= len(d["paths"]) <= 6
    assert sorted(graph.paths_from_expression(expr)) == sorted(net.paths("y", source))
    x = np.array([0.3, -0.7])
    local = net.local_derivatives(x)
    value = float(expr.subs({sym: local[edge] for edge, sym in d["path_sum"].symbols.items()}))
    assert value == pytest.approx(net.backward(x)[source], rel=1e-9, abs=1e-12)
    numeric = mc.numerical_gradient(lambda v: net.forward(v)["y"], x)[net.inputs.index(source)]
    assert value == pytest.approx(numeric, abs=1e-7)


# --- checking answers -----------------------------------------------------------------------------

def test_missing_and_unknown_names_are_reported():
    p = practice.lecture_q1()
    result = p.check(h2=p.answers["h2"], h_3=0.25)
    assert result["h2"].correct
    assert "No answer yet: pass h3=..." in result["h3"].message
    assert "'h_3' is not asked in this problem; the answer names are h2, h3, y_hat" in \
        result["h_3"].message
    assert not result.correct
    assert result.score == (1, 6)
    assert "✓ h2" in repr(result) and "✗ h3" in repr(result) and "1 of 6 correct" in repr(result)


def test_numbers_may_be_typed_as_text():
    p = practice.lecture_q1()
    text = f"{p.answers['h2']:.4f}".replace(".", ",")
    assert p.check(h2=text)["h2"].correct
    assert "Could not read 'abc'" in p.check(h2="abc")["h2"].message


def test_wrong_answers_never_show_the_expected_value():
    for kind in practice.KINDS:
        for seed in range(5):
            p = practice.generate(kind, seed)
            wrong = {n: _wrong(v) for n, v in p.answers.items()}
            for name, feedback in p.check(**wrong).items():
                assert not feedback.correct
                value = p.answers[name]
                for v in np.ravel(value) if not isinstance(value, sympy.Basic) else []:
                    for decimals in (2, 3, 4):
                        assert f"{float(v):.{decimals}f}" not in feedback.message


def _wrong(value):
    if isinstance(value, sympy.Basic):
        return "dy/dq"
    if isinstance(value, int):
        return 1 if value != 1 else 2
    return np.asarray(value) + 0.5


def test_sign_and_rounding_hints():
    p = practice.lecture_q1()
    delta = p.answers["delta2"]
    assert "Check the sign" in p.check(delta2=-delta)["delta2"].message
    assert "Close" in p.check(delta2=delta + 0.005)["delta2"].message
    assert "it is below the target" in p.check(delta2=3.0)["delta2"].message


def test_the_old_weight_never_passes_as_the_updated_one():
    for seed in range(40):
        p = practice.backprop_step(seed)
        name = next(n for n in p.answers if n.endswith("_new"))
        l, i, j = int(name[1]), int(name[3]) - 1, int(name[4]) - 1
        old = p.data["net"].W[l][i, j]
        assert p.tolerances[name] <= abs(p.answers[name] - old) / 4
        assert not p.check(**{name: old})[name].correct


def test_array_answers_need_the_right_shape():
    p = practice.softmax_problem(3)
    k = len(p.data["z"])
    message = p.check(p=[0.5, 0.5, 0.0, 0.0, 0.0][: k + 1])["p"].message
    assert f"Give {k} numbers (shape ({k},)); got shape ({k + 1},)" in message
    off = p.answers["p"].copy()
    off[0] += 0.1
    message = p.check(p=off)["p"].message
    assert f"1 of {k} entries are off by more than ±0.001 (entry 1)" in message


def test_class_answers_are_whole_numbers_in_range():
    p = next(q for q in map(practice.softmax_problem, range(20)) if "predicted" in q.answers)
    k = len(p.data["z"])
    assert "from 1 to" in p.check(predicted=k + 1)["predicted"].message
    assert "from 1 to" in p.check(predicted=1.5)["predicted"].message
    assert p.check(predicted=str(p.answers["predicted"]))["predicted"].correct


def _typed(path, d="d", times=" * "):
    """A path as the student types it: dy/dc * dc/da * da/dx1."""
    edges = list(zip(path[:-1], path[1:], strict=True))
    return times.join(f"{d}{t}/{d}{s}" for s, t in reversed(edges))


def test_chain_rule_accepts_text_in_any_equal_form():
    p = practice.chain_rule(7)
    name = next(iter(p.answers))
    paths = p.data["paths"]
    assert p.check(**{name: " + ".join(_typed(q) for q in paths)})[name].correct
    assert p.check(**{name: " + ".join(_typed(q, "∂", "·") for q in paths)})[name].correct
    assert p.check(**{name: " + ".join(_typed(q, times=" ") for q in paths)})[name].correct
    assert p.check(**{name: p.data["path_sum"].expanded})[name].correct  # a sympy expression
    assert p.check(**{name: p.data["path_sum"].factored})[name].correct


def test_chain_rule_messages_point_at_the_mistake():
    p = practice.chain_rule(7)  # paths from x2: via a, b, d, a-d, a-c-d
    name = next(iter(p.answers))
    first = _typed(p.data["paths"][0])
    assert "paths are missing" in p.check(**{name: first})[name].message
    assert "not a local derivative" in p.check(**{name: "dy/dx2"})[name].message
    assert "unknown node 'z'" in p.check(**{name: "dy/dz * dz/dx2"})[name].message
    assert "write each factor as dq1/dq2" in p.check(**{name: "dy/da + w"})[name].message
    assert "each path exactly once" in p.check(**{name: f"2 * {first}"})[name].message
    other = "dy/da * da/dx1"
    assert "which is not a path from x2 to y" in p.check(**{name: other})[name].message


# --- the lecture's Q1 as lesson 8 designs it ------------------------------------------------------

def test_lecture_q1_is_lesson_8s_network():
    p = practice.lecture_q1()
    net = p.data["net"]
    np.testing.assert_array_equal(net.W[1], [[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]])
    np.testing.assert_array_equal(net.b[1], [0.1, -0.2, 0.3])
    np.testing.assert_array_equal(net.W[2], [[0.7, -0.5, 0.9]])
    np.testing.assert_array_equal(net.b[2], [0.2])
    assert net.activations[1:] == ["sigmoid", "linear"]
    np.testing.assert_array_equal(p.data["x"], [2.0, -1.0])
    assert (p.data["eta"], p.data["y"], p.data["loss"]) == (0.1, 1.0, "mse")
    assert p.seed is None and p.kind == "lecture_q1"


def test_lecture_q1_gives_the_numbers_lesson_8_prints():
    # printed by notebooks/08_quizzes.ipynb, section 4 ("Check your work")
    printed = {"h2": 0.4013, "h3": 0.2497, "y_hat": 0.7964, "delta2": -0.4072,
               "w2_12_new": -0.4837, "b2_1_new": 0.2407}
    p = practice.lecture_q1()
    for name, value in printed.items():
        assert round(p.answers[name], 4) == value
    assert p.check(**printed).correct


LESSON8 = ROOT / "notebooks" / "08_quizzes.ipynb"


@pytest.mark.skipif(not LESSON8.exists(), reason="lesson 8 not in this checkout")
def test_lecture_q1_agrees_with_the_lesson_8_notebook_itself():
    cells = [c for c in json.loads(LESSON8.read_text())["cells"] if c["cell_type"] == "code"]
    source = next("".join(c["source"]) for c in cells
                  if "q1_net = mc.Network.from_weights(" in "".join(c["source"]))
    statement = next(node for node in ast.parse(source).body if isinstance(node, ast.Assign)
                     and node.targets[0].id == "q1_net")
    namespace = {"mc": mc, "np": np}
    exec(compile(ast.Module([statement], []), "lesson8", "exec"), namespace)  # noqa: S102
    lesson_net, net = namespace["q1_net"], practice.lecture_q1().data["net"]
    for l in (1, 2):
        np.testing.assert_array_equal(lesson_net.W[l], net.W[l])
        np.testing.assert_array_equal(lesson_net.b[l], net.b[l])
    assert lesson_net.activations == net.activations
    output = next("".join(o.get("text", "")) for c in cells for o in c["outputs"]
                  if "a) h_2 =" in "".join(o.get("text", "")))
    shown = {"h2": r"a\) h_2 = .* = (\S+)", "h3": r"b\) h_3 = σ\(\S+\) = (\S+)",
             "y_hat": r"c\) ŷ = (\S+)", "delta2": r"δ = 2\(ŷ - t\) = (\S+);",
             "b2_1_new": r"b2 after: (\S+)"}
    p = practice.lecture_q1()
    for name, pattern in shown.items():
        assert round(p.answers[name], 4) == float(re.search(pattern, output)[1]), name


# --- text, solutions, pictures --------------------------------------------------------------------

@pytest.mark.parametrize("kind", [*practice.KINDS, "lecture_q1"])
def test_question_repr_and_solution(kind):
    p = practice.lecture_q1() if kind == "lecture_q1" else practice.generate(kind, 11)
    assert p._repr_markdown_() == p.question
    assert p.question.startswith("**") and "problem.check(" in p.question
    assert repr(p).startswith(f"<Problem {kind}") and "answers" in repr(p)
    solution = p.solution()
    assert isinstance(solution, str) and solution._repr_markdown_() == solution
    assert solution.startswith("**Worked solution**") and "$$" in solution
    assert solution.count("$$") % 2 == 0
    if kind != "chain_rule":
        key = p.key()
        for name in p.answers:
            assert f"{name} = " in key


def test_repr_and_question_do_not_show_the_answers():
    p = practice.lecture_q1()
    for text in (repr(p), p.question):
        for value in p.answers.values():
            assert f"{value:.4f}" not in text and f"{value:.3f}" not in text


def test_backprop_solution_follows_the_trace_and_shows_only_the_asked_update():
    p = practice.backprop_step(7)
    solution = p.solution()
    for title in ("*Forward pass*", "*Loss*", "*Output delta*", "*Hidden deltas*", "*Gradients*",
                  "*Update (asked parameters)*"):
        assert title in solution
    updates = solution.split("*Update (asked parameters)*")[1]
    assert updates.count(r"\leftarrow") == 1
    assert "w_{12}^{(2)} &\\leftarrow" in updates


def test_solution_digits():
    p = practice.softmax_problem(7)
    assert "0.5488" in p.solution() and "0.548812" in p.solution(digits=6)
    with pytest.raises(ValueError, match="digits must be a positive integer"):
        p.solution(digits=0)


def test_chain_rule_solution_lists_every_path():
    p = practice.chain_rule(7)
    solution = p.solution()
    assert solution.count("\n- $x_") == len(p.data["paths"])
    assert p.data["path_sum"].to_latex("both") in solution


def _texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("kind", [*practice.KINDS, "lecture_q1"])
def test_draw_returns_axes_and_hides_the_answers_unless_asked(kind):
    p = practice.lecture_q1() if kind == "lecture_q1" else practice.generate(kind, 4)
    ax = p.draw()
    assert isinstance(ax, matplotlib.axes.Axes)
    if kind in ("forward_pass", "backprop_step", "lecture_q1"):
        assert not [t for t in ax.texts if t.get_gid() == "value"]
        ax = p.draw(solution=True)
        assert [t for t in ax.texts if t.get_gid() == "value"]
    fig, ax = plt.subplots()
    assert p.draw(ax=ax) is ax


def test_softmax_picture_shows_logits_then_probabilities():
    p = practice.softmax_problem(7)
    ax = p.draw()
    assert [round(b.get_height(), 6) for b in ax.patches] == [round(v, 6) for v in p.data["z"]]
    ax = p.draw(solution=True)
    np.testing.assert_allclose([b.get_height() for b in ax.patches], p.answers["p"])


def test_worksheet_questions_only_and_key():
    sheet = practice.worksheet("forward_pass", [101, 102, 103])
    assert sheet.startswith("## Practice sheet: forward pass")
    for seed in (101, 102, 103):
        assert practice.forward_pass(seed).question in sheet
        for value in practice.forward_pass(seed).answers.values():
            assert f"{value:.4f}" not in sheet
    key = practice.worksheet("forward_pass", [101, 102], key=True)
    assert key.startswith("## Answer key: forward pass")
    assert f"{practice.forward_pass(102).answers['y_hat']:.4f}" in key
    with pytest.raises(ValueError, match="at least one seed"):
        practice.worksheet("loss", [])
    assert "\\frac{\\partial y}" in practice.worksheet("chain_rule", [1], key=True)


def test_import_needs_neither_matplotlib_nor_sympy():
    code = ("import sys, mlpcourse.practice; "
            "print(sorted(m for m in ('matplotlib', 'sympy', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
