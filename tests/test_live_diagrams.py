"""Tests for the live network diagrams (lessons 2, 5 and 9): ``diagrams.draw_network_live`` and
``practice.draw_live`` render through ``widgets.LiveFigure``; moving a control changes the image,
moving it back gives the same bytes (no trails from blitting), and the numbers shown are the
engine's."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402
from PIL import Image  # noqa: E402

import mlpcourse as mc  # noqa: E402
from mlpcourse import practice  # noqa: E402
from mlpcourse.plots.diagrams import draw_network, draw_network_live  # noqa: E402
from mlpcourse.plots.style import COLORS, RC  # noqa: E402
from mlpcourse.widgets import live  # noqa: E402


@pytest.fixture
def net():
    """The lecture's Example 3 (a 2-2-1 sigmoid network)."""
    return mc.Network.from_weights(W=[[[0.2, 0.4], [0.3, 0.7]], [[0.6, 0.9]]],
                                   b=[[0.1, 0.2], [0.3]], activations=["sigmoid", "sigmoid"])


def example3(net, w11=0.2, x1=0.5):
    changed = net.copy()
    changed.W[1][0, 0] = w11
    return {"net": changed, "x": [x1, 0.1], "title": f"w11 = {w11:.2f}, x1 = {x1:.2f}"}


def pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def static_pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3]


def texts(ax, gid):
    return [t.get_text() for t in ax.texts if t.get_gid() == gid]


def edges(ax):
    return next(c for c in ax.collections if c.get_gid() == "edges")


# --- draw_network_live (lesson 2) -----------------------------------------------------------

def test_png_at_defaults_has_the_figure_size_and_matches_the_static_diagram(net):
    ax, update = draw_network_live(**example3(net), digits=4)
    figure = live(ax.figure, lambda w11, x1: update(**example3(net, w11, x1)))
    image = pixels(figure(w11=0.2, x1=0.5))
    width, height = ax.figure.canvas.get_width_height()
    assert image.shape == (height, width, 3)
    static = draw_network(**example3(net), digits=4).figure
    assert np.array_equal(image, static_pixels(static))


def test_moving_a_slider_changes_the_image_and_moving_back_restores_it(net):
    ax, update = draw_network_live(**example3(net), digits=4)
    figure = live(ax.figure, lambda w11, x1: update(**example3(net, w11, x1)))
    first = figure(w11=0.2, x1=0.5)
    assert figure(w11=-2.5, x1=0.5) != first
    assert figure(w11=-2.5, x1=1.7) != first
    assert figure(w11=0.2, x1=0.5) == first


@pytest.mark.parametrize("style", [{}, RC], ids=["matplotlib defaults", "course style, 72 dpi"])
def test_blitted_image_equals_a_full_redraw_of_the_same_state(net, style):
    """Neurons and their symbols stay in the cached background, the edges are blitted: an edge
    must end far enough from a circle that not even an antialiased pixel is shared (at 72 dpi,
    the notebooks' resolution, a 1 pt gap was not enough)."""
    with matplotlib.rc_context(style):
        check_blitted_equals_full_redraw(net)


def check_blitted_equals_full_redraw(net):
    ax, update = draw_network_live(**example3(net), digits=4)
    figure = live(ax.figure, lambda w11, x1: update(**example3(net, w11, x1)))
    figure(w11=0.2, x1=0.5)
    moved = pixels(figure(w11=-1.3, x1=2.2))
    static = draw_network(**example3(net, -1.3, 2.2), digits=4).figure
    assert np.array_equal(moved, static_pixels(static))


def test_update_writes_the_engines_numbers(net):
    ax, update = draw_network_live(**example3(net), digits=4)
    changed = update(**example3(net, -1.3, 0.8))
    assert changed is not None and ax.title in changed
    new = example3(net, -1.3, 0.8)["net"]
    _, cache = mc.forward(new, [0.8, 0.1])
    values = np.concatenate(cache.a)
    assert [float(t) for t in texts(ax, "value")] == pytest.approx(values, abs=5e-4)
    weights = np.concatenate([new.W[1].ravel(), new.W[2].ravel()])
    assert [float(t) for t in texts(ax, "edge_label")] == pytest.approx(weights)
    assert texts(ax, "bias") == ["b = 0.1", "b = 0.2", "b = 0.3"]
    lines = edges(ax)
    want = [COLORS["positive"] if w > 0 else COLORS["negative"] for w in weights]
    assert [to_hex(c) for c in lines.get_colors()] == [to_hex(c) for c in want]
    size = np.abs(weights) / np.abs(weights).max()
    assert np.asarray(lines.get_linewidths()) == pytest.approx(0.6 + 3.4 * size)
    label_colors = [to_hex(t.get_color()) for t in ax.texts if t.get_gid() == "edge_label"]
    assert label_colors == [to_hex(c) for c in want]
    assert ax.get_title() == "w11 = -1.30, x1 = 0.80"


def test_update_shows_gradients(net):
    x, y = np.array([0.5, 0.1]), 1.0
    grads = mc.backward(net, mc.forward(net, x)[1], y, loss="binary_cross_entropy")
    ax, update = draw_network_live(net, x=x, grads=grads)
    other = mc.backward(net, mc.forward(net, [-1.0, 2.0])[1], 0.0, loss="binary_cross_entropy")
    assert update(net, x=[-1.0, 2.0], grads=other) is not None
    dW = np.concatenate([other.W[1].ravel(), other.W[2].ravel()])
    assert [float(t) for t in texts(ax, "edge_label")] == pytest.approx(dW, rel=1e-2)
    db = np.concatenate([other.b[1], other.b[2]])
    assert [float(t.split(" = ")[1]) for t in texts(ax, "bias")] == pytest.approx(db, rel=1e-2)
    assert all(t.startswith("∂L/∂b = ") for t in texts(ax, "bias"))


def test_other_layer_sizes_redraw_the_axes(net):
    ax, update = draw_network_live(net, x=[0.5, 0.1], title="first")
    bigger = mc.init_network([3, 4, 2], ["tanh", "sigmoid"], rng=0)
    assert update(bigger, x=[1.0, 0.0, -1.0]) is None
    circles = next(c for c in ax.collections if c.get_gid() == "neurons")
    assert len(circles.get_paths()) == 9
    assert ax.get_title() == "first"  # kept when update gives no title
    assert update(bigger, x=[0.0, 0.5, 0.5], title="second") is not None  # in place again
    assert ax.get_title() == "second"
    assert update(net, x=None) is None  # no values: another layout


def test_large_network_without_labels_updates_edges_and_shading():
    big = mc.init_network([64, 16, 10], ["relu", "softmax"], rng=0)
    ax, update = draw_network_live(big, x=np.linspace(0, 1, 64))
    assert texts(ax, "edge_label") == []
    figure = live(ax.figure, lambda scale: update(big, x=scale * np.linspace(0, 1, 64)))
    first = figure(scale=1.0)
    assert figure(scale=-2.0) != first
    assert figure(scale=1.0) == first


def test_bad_input_raises_clear_errors(net):
    ax, update = draw_network_live(net, x=[0.5, 0.1])
    with pytest.raises(ValueError, match=r"x must be one sample of shape \(2,\)"):
        update(net, x=[0.5, 0.1, 0.2])
    with pytest.raises(TypeError, match="net must be a mlpcourse.Network"):
        update("2-2-1", x=[0.5, 0.1])
    other = mc.init_network([2, 3, 1], ["sigmoid", "sigmoid"], rng=0)
    grads = mc.backward(other, mc.forward(other, [0.5, 0.1])[1], 1.0)
    with pytest.raises(ValueError, match="grads do not belong to this network"):
        draw_network_live(net, x=[0.5, 0.1], grads=grads)
    with pytest.raises(TypeError, match="unexpected keywords"):
        draw_network_live(net, colour="red")
    with pytest.raises(TypeError, match="give ax or below, not both"):
        draw_network_live(net, ax=ax, below=ax)
    with pytest.raises(TypeError, match="below must be a matplotlib Axes"):
        draw_network_live(net, below="top")


# --- two diagrams in one figure (lesson 5) --------------------------------------------------

def lesson5(net, x1, x2, y, eta):
    x = np.array([x1, x2])
    grads = mc.backward(net, mc.forward(net, x)[1], y, loss="binary_cross_entropy")
    return x, grads, mc.update(net, grads, eta)


def test_two_diagrams_one_above_the_other(net):
    x, grads, new = lesson5(net, 0.5, 0.1, 1.0, 0.01)
    top, update_grads = draw_network_live(net, x=x, grads=grads, title="gradients")
    height = top.figure.get_size_inches()[1]
    bottom, update_new = draw_network_live(new, x=x, below=top)
    assert top.figure is bottom.figure
    assert top.figure.get_size_inches()[1] == pytest.approx(2 * height)
    box_top, box_bottom = top.get_position(original=True), bottom.get_position(original=True)
    assert box_bottom.height == pytest.approx(box_top.height)
    assert box_bottom.y1 <= box_top.y0 + 1e-9

    def show(x1, x2, y, eta):
        x, grads, new = lesson5(net, x1, x2, y, eta)
        return update_grads(net, x, grads) + update_new(new, x, title=f"η = {eta:g}")

    figure = live(top.figure, show)
    first = figure(x1=0.5, x2=0.1, y=1.0, eta=0.01)
    width, height_px = top.figure.canvas.get_width_height()
    assert pixels(first).shape == (height_px, width, 3)
    assert figure(x1=0.5, x2=0.1, y=1.0, eta=4.0) != first  # the step: title and new weights
    _, _, new = lesson5(net, 0.5, 0.1, 1.0, 4.0)
    weights = np.concatenate([new.W[1].ravel(), new.W[2].ravel()])
    shown = [float(t) for t in texts(bottom, "edge_label")]
    assert shown == pytest.approx(weights, rel=6e-3)  # 3 significant digits
    assert bottom.get_title() == "η = 4"
    assert figure(x1=0.5, x2=0.1, y=1.0, eta=0.01) == first


# --- practice.draw_live (lesson 9) ----------------------------------------------------------

def practice_figure():
    fig, update = practice.draw_live(practice.generate("forward_pass", 1))
    return fig, live(fig, lambda kind, seed: update(practice.generate(kind, seed)))


def test_practice_live_at_defaults_matches_the_static_picture():
    fig, figure = practice_figure()
    image = pixels(figure(kind="forward_pass", seed=1))
    static = practice.generate("forward_pass", 1).draw().figure
    assert np.array_equal(image, static_pixels(static))


def test_practice_live_updates_in_place_or_redraws():
    fig, update = practice.draw_live(practice.generate("forward_pass", 1))
    sizes = practice.generate("forward_pass", 1).data["net"].sizes
    same = next(s for s in range(2, 200)
                if practice.generate("forward_pass", s).data["net"].sizes == sizes)
    other = next(s for s in range(2, 200)
                 if practice.generate("forward_pass", s).data["net"].sizes != sizes)
    problem = practice.generate("forward_pass", same)
    assert update(problem) is not None  # same layer sizes: in place
    ax = fig.axes[0]
    net = problem.data["net"]
    weights = np.concatenate([net.W[l].ravel() for l in range(1, net.L + 1)])
    assert [float(t) for t in texts(ax, "edge_label")] == pytest.approx(weights)
    assert ax.get_title().startswith(f"seed {same}: ")
    assert update(practice.generate("forward_pass", other)) is None  # other sizes
    assert update(practice.generate("softmax", 3)) is None  # another kind
    shown = [a for a in fig.axes if a.get_visible()]
    assert len(shown) == 1 and shown[0].get_ylabel() == "logit $z_j$"


def test_practice_live_every_kind_then_back_gives_the_same_image():
    fig, figure = practice_figure()
    first = figure(kind="forward_pass", seed=1)
    size = fig.canvas.get_width_height()
    for kind in practice.KINDS:
        png = figure(kind=kind, seed=7)
        assert png != first
        assert pixels(png).shape == (size[1], size[0], 3)
    assert figure(kind="forward_pass", seed=1) == first


def test_practice_live_rejects_what_is_not_a_problem():
    with pytest.raises(TypeError, match="problem must be a practice Problem"):
        practice.draw_live("forward_pass")
    _, update = practice.draw_live(practice.generate("softmax", 1))
    with pytest.raises(TypeError, match="problem must be a practice Problem"):
        update(1)
