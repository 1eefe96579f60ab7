"""Tests for mlpcourse.plots.diagrams: one circle per neuron, one edge per weight, labels only where
they fit, and the forward-pass values / gradients written where the lessons expect them."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.collections import LineCollection, PatchCollection  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

import mlpcourse as mc  # noqa: E402
from mlpcourse.plots.diagrams import (  # noqa: E402
    draw_network,
    layer_titles,
    network_layout,
    neuron_symbol,
)
from mlpcourse.plots.style import COLORS  # noqa: E402


@pytest.fixture
def example3():
    """The lecture's Example 3 network (2-2-1, sigmoid) and its input x = (0.5, 0.1)."""
    net = mc.Network.from_weights(W=[[[0.2, 0.4], [0.3, 0.7]], [[0.6, 0.9]]],
                                  b=[[0.1, 0.2], [0.3]], activations=["sigmoid", "sigmoid"])
    return net, np.array([0.5, 0.1])


def test_the_old_module_name_is_the_same_module():
    # mlpcourse.diagrams (the README's name before the move into plots/) is plots.diagrams itself
    import mlpcourse.diagrams as old
    import mlpcourse.plots.diagrams as new

    assert old is new
    assert old.draw_network is draw_network
    from mlpcourse.diagrams import draw_network_live

    assert draw_network_live is new.draw_network_live


def by_gid(ax, gid):
    return [a for a in ax.get_children() if a.get_gid() == gid]


def texts(ax, gid):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def neurons(ax):
    (collection,) = by_gid(ax, "neurons")
    assert isinstance(collection, PatchCollection)
    return collection


def edges(ax):
    (collection,) = by_gid(ax, "edges")
    assert isinstance(collection, LineCollection)
    return collection


@pytest.mark.parametrize("sizes", [[2, 2, 1], [2, 3, 1], [4, 5, 3], [3, 4, 4, 2], [64, 16, 10]])
def test_one_circle_per_neuron_and_one_edge_per_weight(sizes):
    net = mc.init_network(sizes, ["sigmoid"] * (len(sizes) - 1), rng=0)
    ax = draw_network(net)
    assert isinstance(ax, matplotlib.axes.Axes)
    assert len(neurons(ax).get_paths()) == sum(sizes)
    n_weights = sum(w.size for w in net.W[1:])
    assert len(edges(ax).get_segments()) == n_weights
    assert texts(ax, "layer_title")[0].startswith("input")
    assert texts(ax, "layer_title")[-1].startswith("output")


def test_edges_join_the_right_neurons_and_follow_w_ravel_order(example3):
    net, _ = example3
    ax = draw_network(net)
    # circle centres in drawing order: x_1, x_2, a_1^(1), a_2^(1), a_1^(2)
    boxes = [path.get_extents().get_points() for path in neurons(ax).get_paths()]
    centres = [box.mean(axis=0) for box in boxes]
    r = (boxes[0][1, 0] - boxes[0][0, 0]) / 2
    segments = edges(ax).get_segments()

    def joins(segment, source, target):
        """The segment lies on the line source -> target and runs from just outside the source
        circle to just outside the target circle (never under a neuron)."""
        direction = (target - source) / np.linalg.norm(target - source)
        start, end = segment
        for point in (start, end):  # no component across the line
            offset = point - source
            assert abs(offset[0] * direction[1] - offset[1] * direction[0]) < 1e-9
        gaps = np.dot(start - source, direction), np.dot(target - end, direction)
        assert all(r < gap < 1.2 * r for gap in gaps), (gaps, r)

    # second weight of layer 1 is W[1][0, 1] = w_12: from x_2 (source) into a_1 (target)
    joins(segments[1], centres[1], centres[2])
    # the last segment is W[2][0, 1]: from a_2^(1) into the output neuron
    joins(segments[-1], centres[3], centres[4])


def test_small_network_gets_weight_labels_and_biases(example3):
    net, _ = example3
    ax = draw_network(net)
    assert sorted(texts(ax, "edge_label")) == sorted(["0.2", "0.4", "0.3", "0.7", "0.6", "0.9"])
    assert texts(ax, "bias") == ["b = 0.1", "b = 0.2", "b = 0.3"]
    assert texts(ax, "symbol") == ["x₁", "x₂", "a₁⁽¹⁾", "a₂⁽¹⁾", "ŷ"]
    assert texts(ax, "layer_title") == ["input", "hidden 1", "output"]
    assert texts(ax, "value") == []


def test_edge_colour_follows_sign_and_width_follows_size():
    net = mc.Network.from_weights(W=[[[0.5, -1.0]]], b=[[0.0]], activations=["linear"])
    collection = edges(draw_network(net))
    colours = [to_hex(c) for c in collection.get_colors()]
    assert colours == [COLORS["positive"].lower(), COLORS["negative"].lower()]
    widths = collection.get_linewidths()
    assert widths[1] > widths[0]


def test_labels_switched_off_by_argument_and_for_large_networks(example3):
    net, _ = example3
    assert texts(draw_network(net, edge_labels=False), "edge_label") == []
    big = mc.init_network([64, 16, 10], ["relu", "softmax"], rng=0)
    ax = draw_network(big, x=np.zeros(64))
    assert texts(ax, "edge_label") == []
    assert texts(ax, "symbol") == [] and texts(ax, "value") == []
    assert texts(ax, "layer_title") == ["input (64)", "hidden 1 (16)", "output (10)"]
    many = mc.init_network([3, 6, 6, 3], ["tanh", "tanh", "sigmoid"], rng=0)  # 72 weights
    assert texts(draw_network(many), "edge_label") == []
    assert len(texts(draw_network(net, max_edge_labels=5), "edge_label")) == 0


def test_values_shown_when_x_given_match_forward(example3):
    net, x = example3
    ax = draw_network(net, x=x)
    _, cache = mc.forward(net, x)
    # z^(1) = (0.24, 0.42) (the lecture prints 0.25, 0.41); a = sigmoid(z)
    expected = [f"{v:.3g}" for v in np.concatenate([cache.a[0], cache.a[1], cache.a[2]])]
    assert texts(ax, "value") == expected
    assert texts(ax, "value") == ["0.5", "0.1", "0.56", "0.603", "0.765"]
    assert texts(draw_network(net, x=x[None, :]), "value") == expected  # (1, n_0) accepted


def test_gradients_replace_weights_on_edges(example3):
    net, x = example3
    _, cache = mc.forward(net, x)
    grads = mc.backward(net, cache, np.array([1.0]), loss="binary_cross_entropy")
    ax = draw_network(net, x=x, grads=grads, digits=3)
    labels = texts(ax, "edge_label")
    expected = [f"{v:.3g}" for l in (1, 2) for v in grads.W[l].ravel()]
    assert labels == expected
    assert "-0.132" in labels  # dL/dw_11^(2) = delta^(2) a_1^(1) = -0.2353 * 0.5597
    assert texts(ax, "bias")[-1] == f"∂L/∂b = {grads.b[2][0]:.3g}"
    colours = {to_hex(c) for c in edges(ax).get_colors()}
    assert colours == {COLORS["negative"].lower()}  # every gradient is negative here


def test_draws_into_given_axes_and_sets_title(example3):
    net, x = example3
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3))
    out = draw_network(net, x=x, ax=ax2, title="forward pass")
    assert out is ax2
    assert ax2.get_title() == "forward pass"
    assert not ax1.texts


def test_bad_arguments_raise_clear_errors(example3):
    net, x = example3
    with pytest.raises(TypeError, match="net must be a mlpcourse.Network"):
        draw_network([[0.2]])
    with pytest.raises(ValueError, match="x must be one sample of shape \\(2,\\)"):
        draw_network(net, x=np.zeros((3, 2)))
    with pytest.raises(ValueError, match="x must be one sample of shape \\(2,\\)"):
        draw_network(net, x=[1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="x must be a numeric array"):
        draw_network(net, x=["a", "b"])
    with pytest.raises(TypeError, match="grads must be a mlpcourse.Gradients"):
        draw_network(net, grads=net.W)
    other = mc.init_network([2, 3, 1], ["sigmoid", "sigmoid"], rng=0)
    _, cache = mc.forward(other, x)
    wrong = mc.backward(other, cache, np.array([1.0]), loss="mse")
    with pytest.raises(ValueError, match="grads do not belong to this network"):
        draw_network(net, grads=wrong)
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        draw_network(net, ax="left")
    with pytest.raises(TypeError, match="edge_labels must be True or False"):
        draw_network(net, edge_labels="yes")
    with pytest.raises(ValueError, match="digits must be a positive integer"):
        draw_network(net, digits=0)


def test_layout_titles_and_symbols():
    pos = network_layout([2, 3, 1], dx=2.0)
    assert [p.shape for p in pos] == [(2, 2), (3, 2), (1, 2)]
    np.testing.assert_allclose(pos[1][:, 1], [1.0, 0.0, -1.0])  # neuron 1 at the top, centred
    np.testing.assert_allclose(pos[2][0], [4.0, 0.0])
    assert layer_titles(3) == ["input", "hidden 1", "hidden 2", "output"]
    assert neuron_symbol(0, 12) == "x₁₂" and neuron_symbol(10, 3) == "a₃⁽¹⁰⁾"
    assert neuron_symbol(2, 1, [2, 2, 1]) == "ŷ" and neuron_symbol(2, 3, [4, 5, 3]) == "ŷ₃"
    assert neuron_symbol(1, 2, [4, 5, 3]) == "a₂⁽¹⁾"
    with pytest.raises(ValueError, match="sizes must list at least two layer widths"):
        network_layout([3])
    with pytest.raises(ValueError, match="sizes\\[1\\] must be a positive integer"):
        network_layout([3, 0])


@pytest.mark.parametrize("sizes", [[2, 2, 1], [2, 3, 1], [3, 3, 1], [2, 2, 2, 1]])
def test_texts_of_small_networks_do_not_overlap(sizes):
    """Edge labels, biases, symbols and values: no two text boxes share a pixel."""
    net = mc.init_network(sizes, ["sigmoid"] * (len(sizes) - 1), rng=3)
    _, cache = mc.forward(net, np.full(sizes[0], 0.5))
    grads = mc.backward(net, cache, np.ones(sizes[-1]), loss="binary_cross_entropy")
    for kwargs in ({}, {"x": np.full(sizes[0], 0.5)}, {"x": np.full(sizes[0], 0.5),
                                                        "grads": grads}):
        ax = draw_network(net, **kwargs)
        ax.figure.canvas.draw()
        renderer = ax.figure.canvas.get_renderer()
        boxes = [t.get_window_extent(renderer) for t in ax.texts]
        assert len(texts(ax, "edge_label")) == sum(w.size for w in net.W[1:])
        for k, first in enumerate(boxes):
            for second in boxes[k + 1:]:
                assert not first.overlaps(second), (ax.texts[k].get_text(), kwargs.keys())
        plt.close(ax.figure)


def test_labels_dropped_when_the_given_axes_is_too_small(example3):
    net, x = example3
    fig, ax = plt.subplots(figsize=(3.0, 1.8))
    draw_network(net, x=x, ax=ax)
    assert texts(ax, "edge_label") == []  # they would be unreadably small
    assert texts(ax, "value") == ["0.5", "0.1", "0.56", "0.603", "0.765"]
    fig, ax = plt.subplots(figsize=(8.0, 4.0))
    draw_network(net, x=x, ax=ax)
    assert len(texts(ax, "edge_label")) == 6
