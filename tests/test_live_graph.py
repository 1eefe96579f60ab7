"""Lesson 8's slider plot as a live figure (mlpcourse.plots.graph.path_contributions_live): the
PNG, no trails after a move and back, the path terms against numpy, and bad input."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from mlpcourse import graph  # noqa: E402
from mlpcourse.plots import graph as graph_plots  # noqa: E402
from mlpcourse.widgets import live  # noqa: E402

PATHS = [("x1", "a", "c", "y"), ("x1", "a", "d", "y"), ("x1", "b", "d", "y"),
         ("x1", "a", "d", "e", "y"), ("x1", "b", "d", "e", "y")]


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def network(w_dy=None, activation="tanh"):
    net = graph.problem3(activation=activation, rng=0)
    return net if w_dy is None else net.with_weights({("d", "y"): w_dy})


def lesson_figure():
    """The figure and slider wrapper of lesson 8 (x2, the weight d -> y, the activation)."""
    fig, update = graph_plots.path_contributions_live(network(0.87), "x1", [0.5, -1.0])

    def update_paths(x2, w_dy, activation):
        return update(network(w_dy, activation), [0.5, x2], f"x2 = {x2:.1f}, g = {activation}")

    return fig, live(fig, update_paths)


def test_png_at_the_defaults_has_the_figure_size():
    fig, figure = lesson_figure()
    png = figure(x2=-1.0, w_dy=0.87, activation="tanh")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = fig.get_size_inches() * fig.dpi
    assert pixels(png).shape == (int(height), int(width), 3)  # Agg truncates to whole pixels


def test_a_move_changes_the_image_and_moving_back_restores_it_exactly():
    _, figure = lesson_figure()
    first = figure(x2=-1.0, w_dy=0.87, activation="tanh")
    for x2, w_dy, activation in [(2.0, 0.87, "tanh"), (2.0, -1.5, "tanh"), (-3.0, 0.0, "sigmoid")]:
        assert figure(x2=x2, w_dy=w_dy, activation=activation) != first
    assert figure(x2=-1.0, w_dy=0.87, activation="tanh") == first


def tanh_terms(net, X):
    """Each path's product of g'(z_q) w along its edges, with g' = 1 - tanh² read off the
    forward pass, and central finite differences of y in x1."""
    a = net.forward(X)
    terms = []
    for path in PATHS:
        term = np.ones(len(X))
        for source, target in zip(path[:-1], path[1:], strict=True):
            term *= (1 - a[target] ** 2) * net.weights[(source, target)]
        terms.append(term)
    h = np.array([1e-6, 0.0])
    numeric = (net.forward(X + h)["y"] - net.forward(X - h)["y"]) / 2e-6
    return terms, numeric


@pytest.mark.parametrize(("x2", "w_dy"), [(-1.0, 0.87), (2.3, -1.4), (0.0, 0.0)])
def test_curves_are_the_path_terms_and_their_sum_the_slope(x2, w_dy):
    fig, figure = lesson_figure()
    figure(x2=x2, w_dy=w_dy, activation="tanh")
    ax = fig.axes[0]
    *curves, total, marks, at_x, _ = ax.lines
    x1 = curves[0].get_xdata()
    X = np.column_stack([x1, np.full_like(x1, x2)])
    terms, numeric = tanh_terms(network(w_dy), X)
    assert [line.get_label() for line in curves] == ["→".join(p) for p in PATHS]
    for line, term in zip(curves, terms, strict=True):
        np.testing.assert_allclose(line.get_ydata(), term, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(total.get_ydata(), numeric, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(marks.get_ydata(), np.interp(marks.get_xdata(), x1, numeric),
                               rtol=1e-5, atol=1e-9)
    assert at_x.get_xdata()[0] == 0.5
    assert ax.get_title() == f"x2 = {x2:.1f}, g = tanh"
    low, high = ax.get_ylim()
    data = np.concatenate([*terms, [0.0]])
    assert low <= data.min() and data.max() <= high
    assert high - low < 1.3 * (data.max() - data.min())  # the axis follows the data


def test_the_axis_rescales_for_sigmoid_and_its_labels_stay_in_the_figure():
    fig, figure = lesson_figure()
    figure(x2=-1.0, w_dy=0.87, activation="tanh")
    tanh_span = np.ptp(fig.axes[0].get_ylim())
    for x2, w_dy in [(-3.0, -0.5), (3.0, 2.0), (0.4, -2.0)]:
        figure(x2=x2, w_dy=w_dy, activation="sigmoid")
        ax = fig.axes[0]
        assert np.ptp(ax.get_ylim()) < tanh_span / 20  # σ' <= 1/4 on every edge of a path
        assert ax.yaxis.get_tightbbox(fig.canvas.get_renderer()).x0 >= 0


def test_bad_input_names_the_argument():
    with pytest.raises(TypeError, match="net must be a GraphNetwork"):
        graph_plots.path_contributions_live("net", "x1", [0.5, -1.0])
    fig, update = graph_plots.path_contributions_live(network(), "x1", [0.5, -1.0])
    with pytest.raises(ValueError, match=r"x must have one value per input \['x1', 'x2'\]"):
        update(network(), [0.5])
    with pytest.raises(TypeError, match="net must be a GraphNetwork"):
        update(None, [0.5, 1.0])
    other = graph.GraphNetwork.from_edges([("x1", "a"), ("x2", "a"), ("a", "y")], ("x1", "x2"),
                                          "y", rng=0)
    with pytest.raises(ValueError, match="net must have the same paths from 'x1'"):
        update(other, [0.5, 1.0])
