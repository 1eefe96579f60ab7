"""Tests for mlpcourse.perceptron (the step output, the learning rule, linear separability) and
for its pictures in mlpcourse.plots.perceptron."""

import matplotlib

matplotlib.use("Agg")

import itertools  # noqa: E402
from fractions import Fraction  # noqa: E402

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mlpcourse as mc  # noqa: E402
from mlpcourse import datasets  # noqa: E402
from mlpcourse.perceptron import (  # noqa: E402
    PerceptronResult,
    perceptron_output,
    separating_weights,
    train_perceptron,
)
from mlpcourse.plots import perceptron as pp  # noqa: E402


def test_output_known_values_for_hand_set_weights():
    X, _ = datasets.logic_gate("AND")
    np.testing.assert_array_equal(perceptron_output(X, [1, 1], 1.5), [0, 0, 0, 1])  # AND
    np.testing.assert_array_equal(perceptron_output(X, [1, 1], 0.5), [0, 1, 1, 1])  # OR
    np.testing.assert_array_equal(perceptron_output(X, [-1, -1], -1.5), [1, 1, 1, 0])  # NAND
    assert perceptron_output(X, [1, 1]).dtype == np.int64


def test_output_is_zero_exactly_at_the_threshold():
    # lecture: o = 1 if h > theta, o = 0 if h <= theta
    np.testing.assert_array_equal(perceptron_output([[1.0, 0.0], [0.0, 1.0]], [0.5, 2.0], 0.5),
                                  [0, 1])


def test_output_single_sample_is_a_plain_int():
    o = perceptron_output([1.0, 1.0], [1.0, 1.0], 1.5)
    assert o == 1 and type(o) is int


@pytest.mark.parametrize("args, error, message", [
    (([[0, 1]], [1, 2, 3], 0.0), ValueError, r"w must have one weight per input \(shape \(2,\)\)"),
    (([[0, 1]], [[1, 2]], 0.0), ValueError, "w must be 1-D"),
    (([[0, 1]], [1, 2], "a"), TypeError, "theta must be a real number"),
    (([[0, 1]], [1, 2], np.nan), ValueError, "theta must be a finite number"),
    (([[[0, 1]]], [1, 2], 0.0), ValueError, "X must be 1-D or 2-D"),
    ((["a", "b"], [1, 2], 0.0), TypeError, "X must be a numeric array"),
])
def test_output_argument_errors(args, error, message):
    with pytest.raises(error, match=message):
        perceptron_output(*args)


def test_one_update_by_hand():
    # o = 0 but t = 1: w <- w + eta (t - o) x = (0.5, 0.5), theta <- theta - eta (t - o) = -0.5
    result = train_perceptron([[1.0, 1.0]], [1], eta=0.5, w=[0.0, 0.0], theta=0.0)
    assert isinstance(result, PerceptronResult)
    np.testing.assert_array_equal(result.w, [0.5, 0.5])
    assert result.theta == -0.5 and type(result.theta) is float
    np.testing.assert_array_equal(result.errors, [1, 0])
    np.testing.assert_array_equal(result.w_history, [[0, 0], [0.5, 0.5], [0.5, 0.5]])
    np.testing.assert_array_equal(result.theta_history, [0.0, -0.5, -0.5])
    assert result.converged and result.epochs_run == 2


def test_wrong_output_one_pushes_the_other_way():
    result = train_perceptron([[1.0, 2.0]], [0], eta=0.1, w=[1.0, 1.0], theta=0.0, epochs=1)
    np.testing.assert_allclose(result.w, [0.9, 0.8])
    assert result.theta == pytest.approx(0.1)
    assert not result.converged


@pytest.mark.parametrize("gate", ["AND", "OR"])
@pytest.mark.parametrize("seed", range(8))
def test_converges_on_linearly_separable_gates(gate, seed):
    X, y = datasets.logic_gate(gate)
    result = train_perceptron(X, y, rng=seed)
    assert result.converged
    assert result.errors[-1] == 0 and np.all(result.errors[:-1] > 0)
    np.testing.assert_array_equal(perceptron_output(X, result.w, result.theta), y)
    assert result.w_history.shape == (result.epochs_run + 1, 2)
    np.testing.assert_array_equal(result.w_history[-1], result.w)
    assert result.theta_history[-1] == result.theta


@pytest.mark.parametrize("seed", range(8))
def test_never_converges_on_xor(seed):
    X, y = datasets.logic_gate("XOR")
    result = train_perceptron(X, y, epochs=50, rng=seed)
    assert not result.converged
    assert result.epochs_run == 50 and np.all(result.errors >= 1)


def test_training_is_deterministic_per_seed_and_leaves_inputs_alone():
    X, y = datasets.logic_gate("AND")
    w0 = np.array([0.2, -0.3])
    a = train_perceptron(X, y, rng=4, w=w0)
    b = train_perceptron(X, y, rng=np.random.default_rng(4), w=w0)
    np.testing.assert_array_equal(a.w_history, b.w_history)
    np.testing.assert_array_equal(w0, [0.2, -0.3])
    assert a.theta_history[0] == 0.0
    c = train_perceptron(X, y, rng=5)
    assert not np.array_equal(a.w_history[0], c.w_history[0])


def test_default_initial_weights_are_small():
    X, y = datasets.logic_gate("OR")
    for seed in range(20):
        assert np.all(np.abs(train_perceptron(X, y, rng=seed).w_history[0]) <= 0.5)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"eta": 0}, ValueError, "eta must be a finite number > 0; got 0"),
    ({"epochs": 0}, ValueError, "epochs must be a positive integer; got 0"),
    ({"epochs": 2.0}, TypeError, "epochs must be a positive integer"),
    ({"y": [0, 1, 2, 1]}, ValueError, r"y must contain only 0 and 1; got values \[0, 1, 2\]"),
    ({"y": [0, 1]}, ValueError, r"y must have shape \(4,\), one target per row of X"),
    ({"w": [1.0]}, ValueError, r"w must have one weight per input \(shape \(2,\)\)"),
    ({"theta": None}, TypeError, "theta must be a real number; got None"),
    ({"rng": 1.5}, TypeError, "rng must be an int seed"),
    ({"X": [0, 1, 1, 0]}, ValueError, "X must be 2-D"),
])
def test_train_argument_errors(kwargs, error, message):
    X, y = datasets.logic_gate("AND")
    with pytest.raises(error, match=message):
        train_perceptron(**{"X": X, "y": y, **kwargs})


def test_separating_weights_finds_and_or_but_not_xor():
    for gate in ("AND", "OR"):
        X, y = datasets.logic_gate(gate)
        solutions = separating_weights(X, y)
        assert len(solutions) > 100 and solutions.shape[1] == 3
        for *w, theta in solutions[::25]:
            np.testing.assert_array_equal(perceptron_output(X, w, theta), y)
    X, y = datasets.logic_gate("XOR")
    fine = np.linspace(-2, 2, 81)
    assert separating_weights(X, y, values=fine).shape == (0, 3)


def _exact_solutions(X, y):
    """The grid -1, -0.9, ..., 1 searched in exact rational arithmetic (fractions.Fraction)."""
    values = [Fraction(k, 10) for k in range(-10, 11)]
    rows = [[int(v) for v in x] for x in X]
    samples = list(zip(rows, y, strict=True))
    return {s for s in itertools.product(values, repeat=3)
            if all((x1 * s[0] + x2 * s[1] > s[2]) == bool(t) for (x1, x2), t in samples)}


def test_separating_weights_default_grid_is_exact():
    for gate in ("AND", "OR", "XOR"):
        X, y = datasets.logic_gate(gate)
        rows = separating_weights(X, y)
        found = {tuple(Fraction(round(10 * v), 10) for v in row) for row in rows}
        assert found == _exact_solutions(X, y), gate
    # in floats 0.1 + 0.2 > 0.3, so a float grid counts (0.1, 0.2, 0.3) as an AND; exactly it is not
    X, y = datasets.logic_gate("AND")
    float_grid = separating_weights(X, y, values=np.round(np.linspace(-1, 1, 21), 10)).tolist()
    assert [0.1, 0.2, 0.3] in float_grid
    assert [0.1, 0.2, 0.3] not in separating_weights(X, y).tolist()
    assert len(float_grid) > len(separating_weights(X, y))


def test_separating_weights_contains_the_textbook_and():
    X, y = datasets.logic_gate("AND")
    solutions = separating_weights(X, y, values=[0.0, 0.5, 1.0, 1.5])
    assert [1.0, 1.0, 1.5] in solutions.tolist()
    assert [1.0, 1.0, 0.5] not in solutions.tolist()  # that one is OR


def test_separating_weights_refuses_huge_grids():
    X = np.zeros((2, 5))
    with pytest.raises(ValueError, match="the grid would have 21\\*\\*6 points"):
        separating_weights(X, [0, 1])


# ---- plots ---------------------------------------------------------------------------------

def _by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def test_decision_line_draws_points_line_region_and_mistakes():
    X, y = datasets.logic_gate("AND")
    ax = pp.decision_line([1.0, 1.0], 0.5, X, y)  # OR's line over AND's points: 2 wrong
    targets = _by_gid(ax, "targets")
    assert sum(len(c.get_offsets()) for c in targets) == 4
    assert len(_by_gid(ax, "misclassified")[0].get_offsets()) == 2
    np.testing.assert_array_equal(_by_gid(ax, "misclassified")[0].get_offsets(),
                                  [[0, 1], [1, 0]])
    (line,) = _by_gid(ax, "decision_line")
    x1, x2 = line.get_data()
    np.testing.assert_allclose(x1 + x2, 0.5)  # every point of the line has w . x = theta
    (region,) = _by_gid(ax, "region")
    data = region.get_array()
    assert data[0, 0] == 0 and data[-1, -1] == 1  # lower left o = 0, upper right o = 1
    assert ax.get_legend() is not None


def test_decision_line_without_mistakes_or_targets():
    X, y = datasets.logic_gate("AND")
    fig, ax = plt.subplots()
    assert pp.decision_line([1, 1], 1.5, X, y, ax=ax, legend=False) is ax
    assert _by_gid(ax, "misclassified") == [] and ax.get_legend() is None
    ax = pp.decision_line([1, 1], 1.5)
    assert len(_by_gid(ax, "targets")[0].get_offsets()) == 4


def test_decision_line_vertical_and_missing_lines():
    ax = pp.decision_line([2.0, 0.0], 1.0)
    x1, _ = _by_gid(ax, "decision_line")[0].get_data()
    np.testing.assert_allclose(x1, 0.5)
    ax = pp.decision_line([0.0, 0.0], -1.0)  # w = 0: no line, o = 1 everywhere
    assert _by_gid(ax, "decision_line") == []
    assert np.all(_by_gid(ax, "region")[0].get_array() == 1)


def test_gate_panels_with_one_line_and_with_trained_results():
    axes = pp.gate_panels(([1.0, 1.0], 0.5))
    assert len(axes) == 3
    assert [ax.get_title() for ax in axes] == ["AND: 2 of 4 wrong", "OR: all 4 right",
                                               "XOR: 1 of 4 wrong"]
    assert axes[-1].get_legend() is not None and axes[0].get_legend() is None
    results = {g: train_perceptron(*datasets.logic_gate(g)) for g in ("AND", "OR")}
    axes = pp.gate_panels(results, gates=("AND", "OR"))
    assert [ax.get_title() for ax in axes] == ["AND: all 4 right", "OR: all 4 right"]


def test_gate_panels_errors():
    with pytest.raises(ValueError, match=r"axes must hold one Axes per gate \(3\); got 1"):
        _, ax = plt.subplots()
        pp.gate_panels(([1, 1], 0.5), axes=[ax])
    with pytest.raises(TypeError, match="expected a PerceptronResult or a pair"):
        pp.gate_panels(3.0)


def test_errors_per_epoch_draws_one_curve_per_run():
    results = {g: train_perceptron(*datasets.logic_gate(g), rng=1) for g in ("AND", "XOR")}
    ax = pp.errors_per_epoch(results)
    curves = _by_gid(ax, "errors")
    assert len(curves) == 2
    for curve, result in zip(curves, results.values(), strict=True):
        np.testing.assert_array_equal(curve.get_ydata(), result.errors)
        np.testing.assert_array_equal(curve.get_xdata(), np.arange(1, result.epochs_run + 1))
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[1] == "XOR: mistakes in all 20 epochs"
    assert labels[0].startswith("AND: no mistakes in epoch")
    assert len(_by_gid(pp.errors_per_epoch(results["AND"]), "errors")) == 1


def test_line_history_draws_every_earlier_line():
    X, y = datasets.logic_gate("AND")
    result = train_perceptron(X, y, rng=0)
    ax = pp.line_history(result, X, y)
    assert len(_by_gid(ax, "weight_history")) == result.epochs_run
    with pytest.raises(TypeError, match="result must be a PerceptronResult"):
        pp.line_history(([1, 1], 0.5), X, y)


def test_step_plot_shows_the_jump_at_theta():
    ax = pp.step_plot(theta=0.5)
    assert ax.get_title() == "step function, $\\theta = 0.5$"
    first, second = ax.get_lines()[:2]
    np.testing.assert_array_equal(first.get_data(), [[-2.0, 0.5], [0, 0]])
    np.testing.assert_array_equal(second.get_data(), [[0.5, 2.0], [1, 1]])
    assert _by_gid(ax, "h_marker") == [] and ax.get_legend() is None
    ax = pp.step_plot(theta=0.5, h=0.5)  # exactly at theta: o = 0
    np.testing.assert_array_equal(_by_gid(ax, "h_marker")[0].get_data(), [[0.5], [0]])
    assert ax.get_legend().get_texts()[-1].get_text() == "$h = 0.5$: $o = 0$"


def _xor_network():
    return mc.Network.from_weights(W=[[[1.0, 1.0], [1.0, 1.0]], [[1.0, -1.0]]],
                                   b=[[-0.5, -1.5], [-0.5]], activations=["step", "step"])


def test_hidden_lines_draws_one_line_per_hidden_neuron_and_no_mistakes_for_xor():
    X, y = datasets.logic_gate("XOR")
    ax = pp.hidden_lines(_xor_network(), X, y)
    lines = _by_gid(ax, "hidden_line")
    assert len(lines) == 2
    for line, theta in zip(lines, (0.5, 1.5), strict=True):
        x1, x2 = line.get_data()
        np.testing.assert_allclose(x1 + x2, theta)
    assert _by_gid(ax, "misclassified") == []
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:2] == ["hidden 1: $x_1 + x_2 = 0.5$", "hidden 2: $x_1 + x_2 = 1.5$"]
    assert labels[-1] == "network output 1"
    region = _by_gid(ax, "region")[0].get_array()
    assert region[0, 0] == 0 and region[-1, -1] == 0 and region[0, -1] == 1


def test_hidden_lines_marks_mistakes_and_checks_the_network():
    X, y = datasets.logic_gate("AND")  # the XOR network gets (1, 1) and two more wrong
    ax = pp.hidden_lines(_xor_network(), X, y, legend=False)
    assert len(_by_gid(ax, "misclassified")[0].get_offsets()) == 3
    with pytest.raises(ValueError, match=r"2 inputs and 1 output.*\[3, 1\]"):
        pp.hidden_lines(mc.init_network([3, 1], ["step"]), X, y)
    with pytest.raises(TypeError, match="net must be a mlpcourse.Network"):
        pp.hidden_lines(([1, 1], 0.5), X, y)


@pytest.mark.parametrize("w, theta, text", [([1, -1], 0.5, "x_1 - x_2 = 0.5"),
                                            ([-2, 0], -1, "-2 x_1 = -1"),
                                            ([0, 0], 0, "0 = 0"),
                                            ([0.5, 1], 1, "0.5 x_1 + x_2 = 1")])
def test_equation_labels(w, theta, text):
    assert pp._equation(np.array(w, dtype=float), theta) == text
