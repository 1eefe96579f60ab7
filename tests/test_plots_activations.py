"""Tests of mlpcourse.plots.activations: what is drawn (curves, colours, jumps, titles, bars) and
the saturated fraction the lesson prints."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from mlpcourse import activations as A  # noqa: E402
from mlpcourse.plots import COLORS  # noqa: E402
from mlpcourse.plots import activations as pa  # noqa: E402


def line_colors(ax):
    return {to_hex(line.get_color()) for line in ax.get_lines()}


def test_curves_returns_function_and_derivative():
    z = np.linspace(-2, 2, 9)
    a, a_prime = pa.curves("tanh", z)
    np.testing.assert_allclose(a, np.tanh(z))
    np.testing.assert_allclose(a_prime, 1 - np.tanh(z) ** 2)
    a, a_prime = pa.curves("step", z, theta=0.5)
    np.testing.assert_array_equal(a, (z > 0.5).astype(float))
    np.testing.assert_array_equal(a_prime, 0.0)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "step", "linear", "leaky_relu"])
def test_function_and_derivative_draws_both_in_the_course_colours(name):
    ax_g, ax_d = pa.function_and_derivative(name)
    assert to_hex(COLORS["function"]) in line_colors(ax_g)
    assert to_hex(COLORS["derivative"]) in line_colors(ax_d)
    assert to_hex(COLORS["derivative"]) not in line_colors(ax_g)
    assert ax_g.get_xlabel() == "$z$" and ax_d.get_xlabel() == "$z$"
    assert name in ax_g.get_title()


def test_smooth_curves_are_plotted_exactly():
    z = np.linspace(-3, 3, 31)
    ax_g, ax_d = pa.function_and_derivative("sigmoid", z=z)
    (g_line,), (d_line,) = ax_g.get_lines()[:1], ax_d.get_lines()[:1]
    np.testing.assert_allclose(g_line.get_ydata(), A.sigmoid(z))
    np.testing.assert_allclose(d_line.get_ydata(), A.sigmoid_prime(z))


def test_step_is_drawn_in_two_pieces_with_the_value_used_at_theta():
    ax_g, _ = pa.function_and_derivative("step", theta=0.5)
    lines = ax_g.get_lines()
    blue = to_hex(COLORS["function"])
    pieces = [line for line in lines
              if len(line.get_xdata()) > 1 and to_hex(line.get_color()) == blue]
    assert len(pieces) == 2  # no vertical segment joining 0 and 1
    left, right = pieces
    assert np.max(left.get_xdata()) == 0.5 and np.all(left.get_ydata() == 0.0)
    assert np.min(right.get_xdata()) == 0.5 and np.all(right.get_ydata() == 1.0)
    dots = [line for line in lines if len(line.get_xdata()) == 1]
    filled = [d for d in dots if d.get_markerfacecolor() != "white"]
    assert [(d.get_xdata()[0], d.get_ydata()[0]) for d in filled] == [(0.5, 0.0)]


def test_relu_derivative_shows_the_convention_at_zero():
    _, ax_d = pa.function_and_derivative("relu")
    dots = [line for line in ax_d.get_lines() if len(line.get_xdata()) == 1]
    points = {(d.get_xdata()[0], d.get_ydata()[0], d.get_markerfacecolor() == "white")
              for d in dots}
    assert points == {(0.0, 0.0, False), (0.0, 1.0, True)}  # ReLU'(0) = 0 used; 1 is the limit


def test_function_and_derivative_draws_into_given_axes():
    fig, axes = plt.subplots(1, 2)
    assert pa.function_and_derivative("tanh", axes=axes) == tuple(axes)


def test_softmax_has_no_derivative_curve():
    with pytest.raises(ValueError, match="softmax_bars"):
        pa.function_and_derivative("softmax")


def test_unknown_name_lists_valid_names():
    with pytest.raises(ValueError, match="unknown activation 'sigmod'.*'sigmoid'"):
        pa.function_and_derivative("sigmod")


def test_grid_has_one_panel_per_activation():
    fig, axes = pa.activation_grid()
    assert [ax.get_title() for ax in axes] == list(pa.FOUR)
    for ax in axes:
        assert {to_hex(COLORS["function"]), to_hex(COLORS["derivative"])} <= line_colors(ax)
        assert len(ax.get_legend().get_texts()) == 2


def test_grid_hides_unused_panels():
    fig, axes = pa.activation_grid(["sigmoid", "tanh", "relu"], ncols=2)
    assert len(axes) == 3
    assert sum(ax.get_visible() for ax in fig.axes) == 3


@pytest.mark.parametrize("names", ["sigmoid", [], ["sigmoid", "softmax"]])
def test_grid_rejects_bad_names(names):
    with pytest.raises(ValueError, match="names|softmax"):
        pa.activation_grid(names)


def test_saturated_fraction_known_cases():
    z = np.array([-10.0, -0.5, 0.0, 0.5, 10.0])
    assert pa.saturated_fraction("sigmoid", z) == pytest.approx(2 / 5)
    assert pa.saturated_fraction("tanh", z) == pytest.approx(2 / 5)
    # ReLU: every z <= 0 gets no gradient at all (a "dead" unit for that input)
    assert pa.saturated_fraction("relu", z) == pytest.approx(3 / 5)
    assert pa.saturated_fraction("sigmoid", np.zeros(4)) == 0.0


def test_saturated_fraction_threshold_is_relative_to_the_peak():
    # σ'(z) < 0.01 · 0.25 ⇔ |z| > 5.99 ; tanh'(z) < 0.01 ⇔ |z| > 2.99
    z = np.array([5.9, 6.1, 2.9, 3.1])
    assert pa.saturated_fraction("sigmoid", z) == pytest.approx(1 / 4)
    assert pa.saturated_fraction("tanh", z) == pytest.approx(3 / 4)


def test_saturated_fraction_grows_with_the_input_scale():
    x = np.random.default_rng(0).standard_normal(5000)
    fractions = [pa.saturated_fraction("tanh", s * x) for s in (0.5, 1, 2, 4, 8)]
    assert fractions == sorted(fractions)
    assert fractions[0] == 0.0 and fractions[-1] > 0.6


@pytest.mark.parametrize("threshold", [0, 1, 1.5, -0.1])
def test_saturated_fraction_rejects_bad_threshold(threshold):
    with pytest.raises(ValueError, match="threshold"):
        pa.saturated_fraction("tanh", [0.0], threshold=threshold)


def test_saturation_title_prints_the_fraction_of_the_drawn_sample():
    axes = pa.saturation(4.0, m=3000, rng=7)
    z = 4.0 * np.random.default_rng(7).standard_normal(3000)
    for ax, name in zip(axes, ("sigmoid", "tanh"), strict=True):
        percent = 100 * pa.saturated_fraction(name, z)
        assert ax.get_title() == f"{name}: {percent:.1f}% of z saturated"


def test_saturation_draws_derivative_on_a_twin_axis_and_is_deterministic():
    first = [ax.get_title() for ax in pa.saturation(2.5, rng=1)]
    second = [ax.get_title() for ax in pa.saturation(2.5, rng=1)]
    assert first == second
    axes = pa.saturation(2.5, names="tanh", rng=1)
    fig = axes[0].figure
    assert len(axes) == 1 and len(fig.axes) == 2  # histogram + its g' twin
    twin = fig.axes[1]
    assert to_hex(COLORS["derivative"]) in line_colors(twin)


@pytest.mark.parametrize("scale", [0, -1.0, np.inf])
def test_saturation_rejects_bad_scale(scale):
    with pytest.raises(ValueError, match="scale"):
        pa.saturation(scale)


def test_softmax_bars_heights_are_the_probabilities():
    z = np.array([2.0, 1.0, 0.1])
    ax = pa.softmax_bars(z)
    heights = np.array([patch.get_height() for patch in ax.patches])
    np.testing.assert_allclose(heights, A.softmax(z))
    assert "sum = 1.0000" in ax.get_title()
    assert [t.get_text() for t in ax.texts] == [f"{p:.3f}" for p in A.softmax(z)]


def test_softmax_bars_labels():
    ax = pa.softmax_bars([0.0, 1.0], labels=["cat", "dog"])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]
    with pytest.raises(ValueError, match="labels must name the 2 entries"):
        pa.softmax_bars([0.0, 1.0], labels=["cat"])
    with pytest.raises(ValueError, match="z must be 1-D"):
        pa.softmax_bars(np.zeros((2, 2)))


def test_descriptions_follow_the_curves():
    """The text of each activation figure is computed from the curves it draws."""
    from mlpcourse.plots.alt_text import description, undescribed_axes

    text = description(pa.function_and_derivative("sigmoid")[0].figure)
    assert "Right: sigmoid's derivative for z from −4 to 4" in text
    assert "it peaks at 0.25 at z = 0" in text
    wide = description(pa.function_and_derivative("tanh", z=np.linspace(-6, 6, 101))[0].figure)
    assert "z from −6 to 6" in wide and "it peaks at 1 at z = 0" in wide
    step = description(pa.function_and_derivative("step", theta=0.5)[0].figure)
    assert "it jumps at z = 0.5" in step and "0 throughout (undefined at θ = 0.5" in step
    axes = pa.saturation(3.0, rng=0)
    low = pa.saturation(0.5, rng=0)
    assert "input scale s = 3" in description(axes[0].figure)
    assert description(low[0].figure) != description(axes[0].figure)
    assert undescribed_axes(axes[0].figure) == []  # the g' twin axis belongs to its panel
    fig, update = pa.saturation_live(3.0)
    update(1.0)
    assert "input scale s = 1:" in description(fig)
    plt.close("all")
