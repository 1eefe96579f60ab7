"""Colour never carries a meaning alone (WCAG 1.4.1): where a plot tells classes, curves or signs
apart by colour, they differ in marker shape or line style too (a student who cannot tell the
colours apart, or prints in grey, still can)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import PathCollection

import mlpcourse as mc
from mlpcourse.datasets import logic_gate
from mlpcourse.perceptron import train_perceptron
from mlpcourse.plots import perceptron as pplots
from mlpcourse.plots.style import CLASS_MARKERS
from mlpcourse.plots.training import decision_regions, loss_curves


def marker_shape(collection, i: int = 0) -> bytes:
    """The i-th marker outline of a scatter (its path's vertices and codes), to compare shapes."""
    paths = collection.get_paths()
    path = paths[i % len(paths)]
    codes = b"" if path.codes is None else path.codes.tobytes()
    return np.round(path.vertices, 6).tobytes() + codes


def test_marker_shape_tells_apart_what_matplotlib_draws_differently():
    fig, ax = plt.subplots()
    circles = ax.scatter([0, 1], [0, 1], marker="o")
    squares = ax.scatter([0, 1], [1, 0], marker="s")
    more_circles = ax.scatter([2], [2], marker="o", color="red")
    assert marker_shape(circles) != marker_shape(squares)
    assert marker_shape(circles) == marker_shape(more_circles)
    plt.close(fig)


def test_class_markers_are_distinct():
    assert len(set(CLASS_MARKERS)) == len(CLASS_MARKERS) >= 6


def test_decision_regions_mark_each_class_with_its_own_shape():
    X, y = logic_gate("XOR")
    net = mc.init_network([2, 3, 1], ["tanh", "sigmoid"], rng=0)
    ax = decision_regions(net, X, y)
    scatters = [c for c in ax.collections if c.get_label().startswith("class ")]
    assert [c.get_label() for c in scatters] == ["class 0", "class 1"]
    assert marker_shape(scatters[0]) != marker_shape(scatters[1])
    # three classes (softmax output): three shapes
    X3 = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y3 = np.array([0, 1, 2, 1])
    net3 = mc.init_network([2, 4, 3], ["relu", "softmax"], rng=0)
    scatters = [c for c in decision_regions(net3, X3, y3).collections
                if c.get_label().startswith("class ")]
    assert len({marker_shape(c) for c in scatters}) == 3
    plt.close("all")


def test_training_and_validation_curves_differ_in_line_style():
    X, y = logic_gate("XOR")
    net = mc.init_network([2, 4, 1], ["tanh", "sigmoid"], rng=0)
    _, history = mc.fit(net, X, y, loss="binary_cross_entropy", eta=0.5, epochs=10,
                        batch_size=4, rng=0, validation=(X, y))
    lines = {line.get_label(): line for line in loss_curves(history).lines}
    train = lines["training loss"]
    validation = next(v for k, v in lines.items() if k.startswith("validation loss"))
    assert train.get_linestyle() != validation.get_linestyle()
    plt.close("all")


def test_perceptron_targets_have_one_shape_per_target_static_and_live():
    X, y = logic_gate("AND")
    ax = pplots.decision_line(np.array([1.0, 1.0]), 1.5, X, y)
    targets = [c for c in ax.collections if c.get_gid() == "targets"]
    assert len(targets) == 2 and marker_shape(targets[0]) != marker_shape(targets[1])
    # the slider version draws all targets as one scatter: a shape per point, by target
    fig, _update = pplots.gate_panels_live(np.array([1.0, 1.0]), 1.5)
    ax = fig.axes[0]
    live = [c for c in ax.collections if c.get_gid() == "targets" and c.get_visible()]
    assert len(live) == 1
    X, y = logic_gate("AND")
    shapes = [marker_shape(live[0], i) for i in range(len(y))]
    by_target = {t: {s for s, yt in zip(shapes, y, strict=True) if yt == t} for t in (0, 1)}
    assert len(by_target[0]) == len(by_target[1]) == 1 and by_target[0] != by_target[1]
    plt.close("all")


def test_several_runs_and_hidden_lines_differ_in_line_style():
    X, y = logic_gate("AND")
    results = {f"η = {eta}": train_perceptron(X, y, eta=eta, epochs=10, rng=0)
               for eta in (0.1, 1.0)}
    ax = pplots.errors_per_epoch(results)
    runs = [line for line in ax.lines if line.get_gid() == "errors"]
    assert len(runs) == 2
    assert len({(r.get_linestyle(), r.get_marker()) for r in runs}) == 2
    X, y = logic_gate("XOR")
    net = mc.Network.from_weights(W=[[[1.0, 1.0], [1.0, 1.0]], [[1.0, -1.0]]],
                                  b=[[-0.5, -1.5], [-0.5]], activations=["step", "step"])
    ax = pplots.hidden_lines(net, X, y)
    hidden = [line for line in ax.lines if line.get_gid() == "hidden_line"]
    assert len(hidden) == 2 and hidden[0].get_linestyle() != hidden[1].get_linestyle()
    plt.close("all")


def _edge_dashes(ax) -> list:
    """Each edge's dash pattern (None: solid), in W[l].ravel() order."""
    edges = next(c for c in ax.collections if c.get_gid() == "edges")
    return [dashes for _offset, dashes in edges.get_linestyles()]


def test_network_diagram_edges_of_opposite_sign_differ_in_line_style():
    from mlpcourse.plots.diagrams import draw_network, draw_network_live

    net = mc.Network.from_weights(W=[[[1.0, -2.0], [0.5, -0.1]], [[1.0, -1.0]]],
                                  b=[[0.0, 0.0], [0.0]], activations=["tanh", "sigmoid"])
    signs = np.concatenate([np.ravel(w) for w in net.W[1:]]) < 0
    ax = draw_network(net, x=np.array([0.5, 0.2]))
    dashes = _edge_dashes(ax)
    assert [d is not None for d in dashes] == list(signs)  # negative weights dashed, others solid
    legend = {t.get_text(): h for t, h in zip(ax.get_legend().get_texts(),
                                              ax.get_legend().legend_handles, strict=True)}
    assert legend["w > 0"].get_linestyle() != legend["w < 0"].get_linestyle()
    # the live diagram (sliders) restyles the edges when a weight changes sign
    live_ax, update = draw_network_live(net, x=np.array([0.5, 0.2]))
    flipped = mc.Network.from_weights(W=[[[-1.0, 2.0], [0.5, -0.1]], [[1.0, -1.0]]],
                                      b=[[0.0, 0.0], [0.0]], activations=["tanh", "sigmoid"])
    update(flipped, x=np.array([0.5, 0.2]))
    signs = np.concatenate([np.ravel(w) for w in flipped.W[1:]]) < 0
    assert [d is not None for d in _edge_dashes(live_ax)] == list(signs)
    plt.close("all")


def test_playground_test_points_have_one_shape_per_class():
    from mlpcourse.playground import Config, snapshot

    fig, _metrics = snapshot(Config(epochs=5))
    ax_regions = fig.axes[0]
    rings = [c for c in ax_regions.collections if isinstance(c, PathCollection)
             and not c.get_label().startswith("class ") and len(c.get_facecolor()) == 0]
    filled = [c for c in ax_regions.collections if c.get_label().startswith("class ")]
    assert len(rings) == len(filled) == 2
    assert marker_shape(rings[0]) != marker_shape(rings[1])
    # a class's test points have the shape of its training points
    assert [marker_shape(c) for c in rings] == [marker_shape(c) for c in filled]
    plt.close("all")


def test_binary_probability_plot_and_loss_pairing_do_not_rest_on_colour():
    from mlpcourse.plots.outputs import binary_probability_plot, sigmoid_loss_pairing

    p = np.array([0.1, 0.4, 0.6, 0.9, 0.2, 0.8])
    y = np.array([0, 1, 0, 1, 0, 1])  # one mistake per class
    ax = binary_probability_plot(p, y)
    shapes = {c.get_label(): marker_shape(c) for c in ax.collections}
    assert len(set(shapes.values())) == 4, shapes  # right/wrong x class 0/1: four shapes
    axes = sigmoid_loss_pairing()
    for panel in axes:
        styles = [line.get_linestyle() for line in panel.lines if line.get_label()[0] != "_"]
        assert len(styles) == 2 and styles[0] != styles[1]
    plt.close("all")


def test_path_terms_differ_in_line_style():
    from mlpcourse import graph
    from mlpcourse.plots import graph as graph_plots

    net = graph.problem3(rng=1)
    ax = graph_plots.path_contributions(net, "x1", [0.5, -1.0], values=np.linspace(-1, 1, 21))
    terms = [line for line in ax.get_lines() if "→" in line.get_label()]
    assert len(terms) == 5
    dashes = [(line.get_linestyle(), str(line._unscaled_dash_pattern)) for line in terms]
    assert len(set(dashes)) == len(terms), dashes
    plt.close("all")


def test_vanishing_gradient_curves_differ_in_marker():
    from mlpcourse.plots.vanishing import layer_norms

    norms = {"sigmoid": np.array([1e-3, 1e-2, 1e-1]), "relu": np.array([0.5, 0.6, 0.7]),
             "tanh": np.array([0.1, 0.2, 0.3])}
    ax = layer_norms(norms)
    markers = [line.get_marker() for line in ax.lines if line.get_label() in norms]
    assert len(markers) == 3 and len(set(markers)) == 3
    plt.close("all")


def test_saturated_bins_are_hatched_not_only_coloured():
    from mlpcourse.plots.activations import saturation

    ax = saturation(3.0, names=("tanh",)).flat[0]
    stairs = [p for p in ax.patches if p.get_fill()]
    assert [bool(p.get_hatch()) for p in stairs] == [False, True]  # active, saturated
    legend_patch = ax.get_legend().get_patches()[0]
    assert legend_patch.get_hatch() == stairs[1].get_hatch()
    plt.close("all")
