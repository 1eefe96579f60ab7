"""Lesson 1's slider plot as a live figure (mlpcourse.plots.perceptron.gate_panels_live): the PNG,
no trails after a move and back, the numbers it shows against numpy, and bad input."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from mlpcourse.plots import perceptron as pp  # noqa: E402
from mlpcourse.widgets import live  # noqa: E402

X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
TRUTH = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "XOR": [0, 1, 1, 0]}


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def by_gid(artists, gid):
    return [a for a in artists if a.get_gid() == gid]


def test_png_at_the_defaults_has_the_figure_size():
    fig, update = pp.gate_panels_live([1.0, 1.0], 0.5)
    png = live(fig, update)(w=[1.0, 1.0], theta=0.5)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = fig.get_size_inches() * fig.dpi
    assert pixels(png).shape == (int(height), int(width), 3)  # Agg truncates to whole pixels


def test_a_move_changes_the_image_and_moving_back_restores_it_exactly():
    fig, update = pp.gate_panels_live([1.0, 1.0], 0.5)
    figure = live(fig, update)
    first = figure(w=[1.0, 1.0], theta=0.5)
    for w, theta in [([-1.0, 0.5], -0.3), ([0.0, 0.0], 0.5), ([2.0, -2.0], 1.9)]:
        assert figure(w=w, theta=theta) != first
    assert figure(w=[1.0, 1.0], theta=0.5) == first


@pytest.mark.parametrize(("w", "theta"), [([1.0, 1.0], 0.5), ([-1.0, 0.5], -0.3),
                                          ([1.0, 1.0], 1.5), ([0.3, -1.7], -2.0)])
def test_titles_circles_line_and_shading_match_numpy(w, theta):
    fig, update = pp.gate_panels_live([1.0, 1.0], 0.5)
    live(fig, update)(w=w, theta=theta)
    w = np.array(w)
    o = (X @ w > theta).astype(int)
    for ax, gate in zip(fig.axes, ("AND", "OR", "XOR"), strict=True):
        wrong = o != np.array(TRUTH[gate])
        verdict = "all 4 right" if not wrong.any() else f"{wrong.sum()} of 4 wrong"
        assert ax.get_title() == f"{gate}: {verdict}"
        (circles,) = by_gid(ax.collections, "misclassified")
        assert circles.get_visible() == wrong.any()
        np.testing.assert_array_equal(circles.get_offsets(), X[wrong])
        (line,) = by_gid(ax.lines, "decision_line")
        ends = np.column_stack(line.get_data())
        np.testing.assert_allclose(ends @ w, theta, atol=1e-12)  # both ends on w . x = theta
        (image,) = by_gid(ax.images, "region")
        lo, hi = ax.get_xlim()
        grid = np.linspace(lo, hi, image.get_array().shape[0])
        gx, gy = np.meshgrid(grid, grid)
        colors = image.to_rgba(np.array([0.0, 1.0]), bytes=True)  # o = 0, o = 1
        np.testing.assert_array_equal(image.get_array(), colors[(w[0] * gx + w[1] * gy > theta)
                                                                .astype(int)])
    expected = f"one perceptron: w₁ = {w[0]:.2f}, w₂ = {w[1]:.2f}, θ = {theta:.2f}"
    assert fig.get_suptitle() == expected.replace("-", "−")


def test_zero_weights_hide_the_line_and_a_line_not_drawn_at_the_start_appears():
    fig, update = pp.gate_panels_live([0.0, 0.0], 0.5)  # w = 0: the static plot has no line
    figure = live(fig, update)
    first = figure(w=[0.0, 0.0], theta=0.5)
    ax_and, _, ax_xor = fig.axes
    assert not by_gid(ax_and.lines, "decision_line")[0].get_visible()
    legend = [text.get_text() for text in ax_xor.get_legend().get_texts()]
    assert "$w_1 x_1 + w_2 x_2 = \\theta$" in legend and "wrong output" in legend
    figure(w=[1.0, 1.0], theta=1.5)  # the AND solution
    assert by_gid(ax_and.lines, "decision_line")[0].get_visible()
    assert ax_and.get_title() == "AND: all 4 right"
    assert not by_gid(ax_and.collections, "misclassified")[0].get_visible()
    assert figure(w=[0.0, 0.0], theta=0.5) == first


def test_circles_appear_in_a_panel_that_had_none_at_the_start():
    fig, update = pp.gate_panels_live([1.0, 1.0], 0.5)  # OR: all 4 right, no circles drawn
    figure = live(fig, update)
    first = figure(w=[1.0, 1.0], theta=0.5)
    ax_or = fig.axes[1]
    assert not by_gid(ax_or.collections, "misclassified")[0].get_visible()
    figure(w=[1.0, 1.0], theta=-0.5)  # every output 1: OR wrong at (0, 0) only
    np.testing.assert_array_equal(by_gid(ax_or.collections, "misclassified")[0].get_offsets(),
                                  [[0.0, 0.0]])
    assert ax_or.get_title() == "OR: 1 of 4 wrong"
    assert figure(w=[1.0, 1.0], theta=0.5) == first


def test_bad_input_names_the_argument():
    with pytest.raises(ValueError, match=r"w must have one weight per input \(shape \(2,\)\)"):
        pp.gate_panels_live([1.0, 1.0, 1.0], 0.5)
    with pytest.raises(TypeError, match="theta must be a real number"):
        pp.gate_panels_live([1.0, 1.0], "0.5")
    fig, update = pp.gate_panels_live([1.0, 1.0], 0.5)
    with pytest.raises(ValueError, match="theta must be a finite number"):
        update([1.0, 1.0], np.inf)
    with pytest.raises(ValueError, match="w must be 1-D"):
        update([[1.0, 1.0]], 0.5)
