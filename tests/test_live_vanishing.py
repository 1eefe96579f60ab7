"""Tests of mlpcourse.plots.vanishing.vanishing_panel_live (lesson 7's sliders on depth,
activation, initialisation and gain): the PNG it renders, that moves and moves back give the same
picture (nothing left behind by blitting, also across a new legend), the numbers it shows against
numpy, and its argument errors. Agg backend, no timing."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

import mlpcourse as mc  # noqa: E402
from mlpcourse import diagnostics as dg  # noqa: E402
from mlpcourse.plots import vanishing as pv  # noqa: E402
from mlpcourse.plots.style import setup  # noqa: E402
from mlpcourse.widgets import live  # noqa: E402

DEFAULTS = {"depth": 6, "activation": "sigmoid", "init": "xavier", "gain": 1.0}


@pytest.fixture(autouse=True)
def course_style():
    setup()  # figures are closed after each test by conftest.py


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    return X, (X[:, 0] > 0).astype(float)


@pytest.fixture()
def panel(data):
    X, y = data
    fig, update = pv.vanishing_panel_live(X, y, **DEFAULTS, width=8, max_depth=12)
    return fig, update, live(fig, update)


def rms_gradients(X, y, depth, activation, init, gain):
    """RMS entry of dL/dW[l] and of δ[l] per layer, from forward/backward and plain numpy."""
    net = dg.deep_network(depth, 8, activation, init, gain, n_in=2, rng=0)
    _, cache = mc.forward(net, X)
    grads = mc.backward(net, cache, y, loss="binary_cross_entropy")
    w = np.array([np.sqrt(np.mean(grads.W[l] ** 2)) for l in range(1, depth + 1)])
    d = np.array([np.sqrt(np.mean(grads.delta[l] ** 2)) for l in range(1, depth + 1)])
    return net, cache, w, d


def test_png_at_the_defaults_has_the_figure_size(panel):
    fig, _, live_figure = panel
    image = Image.open(io.BytesIO(live_figure(**DEFAULTS)))
    assert image.format == "PNG"
    assert image.size == fig.canvas.get_width_height()


@pytest.mark.parametrize("move", [{"gain": 2.5}, {"init": "he"}, {"activation": "tanh"},
                                  {"depth": 3}, {"depth": 12}, {"activation": "softmax"}])
def test_a_move_changes_the_picture_and_a_move_back_restores_it(panel, move):
    _, _, live_figure = panel
    first = live_figure(**DEFAULTS)
    assert live_figure(**{**DEFAULTS, **move}) != first
    assert live_figure(**DEFAULTS) == first


@pytest.mark.parametrize("values", [DEFAULTS,
                                    {"depth": 3, "activation": "tanh", "init": "uniform",
                                     "gain": 2.0},
                                    {"depth": 9, "activation": "relu", "init": "he", "gain": 0.5}])
def test_norms_title_and_histograms_match_numpy(panel, data, values):
    fig, update, _ = panel
    X, y = data
    update(**values)
    left, right, twin = fig.axes
    net, cache, w, d = rms_gradients(X, y, **values)
    depth = values["depth"]
    for line, expected in zip(left.lines, (w, d), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, depth + 1))
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-10)
    assert left.get_title().endswith(f"L = {depth}: layer 1 / layer L = {w[0] / w[-1]:.1e}")
    assert left.get_ylim()[0] <= min(w.min(), d.min())
    assert left.get_ylim()[1] >= max(w.max(), d.max())

    layers = sorted({1, depth // 2, depth - 1})
    g_prime = mc.ACTIVATIONS[values["activation"]].derivative
    z = [cache.z[l] for l in layers]
    percent = [100 * np.mean(g_prime(z_l) < 0.01 * dg.MAX_DERIVATIVE[values["activation"]])
               for z_l in z]
    labels = [t.get_text() for t in right.get_legend().get_texts()]
    assert labels == [f"layer {l}: {p:.0f}% saturated" for l, p in zip(layers, percent,
                                                                          strict=True)] + [
        f"{values['activation']}'(z)"]
    low, high = right.get_xlim()
    shown = [p for p in right.patches if p.get_visible()]
    assert len(shown) == 2 * len(layers)
    densities = [np.histogram(z_l, bins=50, range=(low, high), density=True)[0] for z_l in z]
    tallest = max(density.max() for density in densities)
    for (filled, outline), density in zip(zip(shown[0::2], shown[1::2], strict=True), densities,
                                          strict=True):
        np.testing.assert_allclose(outline.get_data().values, density / tallest)
        np.testing.assert_allclose(filled.get_data().values, density / tallest)
    grid, values_g = twin.lines[0].get_data()
    np.testing.assert_allclose(values_g, g_prime(grid))


def test_softmax_hides_the_curve_and_shows_why(panel):
    fig, update, _ = panel
    update(**{**DEFAULTS, "activation": "softmax"})
    twin = fig.axes[2]
    assert not twin.lines[0].get_visible()
    jacobian = [t for t in twin.texts if "Jacobian" in t.get_text()]
    assert jacobian and jacobian[0].get_visible()
    assert not any("'(z)" in t.get_text() for t in fig.axes[1].get_legend().get_texts())


def test_the_live_figure_at_the_defaults_draws_what_the_static_plot_draws(data):
    X, y = data
    fig, _ = pv.vanishing_panel_live(X, y, **DEFAULTS, width=8)
    static = pv.vanishing_panel(X, y, **DEFAULTS, width=8)
    for live_ax, static_ax in zip(fig.axes, static.axes, strict=True):
        assert live_ax.get_title() == static_ax.get_title()
        for a, b in zip(live_ax.lines, static_ax.lines, strict=True):
            np.testing.assert_array_equal(a.get_ydata(), b.get_ydata())
        for a, b in zip(live_ax.patches, static_ax.patches, strict=True):
            np.testing.assert_array_equal(a.get_data().values, b.get_data().values)
    assert fig.axes[0].get_ylim() == static.axes[0].get_ylim()
    assert fig.axes[1].get_xlim() == static.axes[1].get_xlim()


def test_log_ticks_are_plain_unicode():
    assert pv._decade_label(1e-3) == "10⁻³"
    assert pv._decade_label(1.0) == "10⁰"
    assert pv._decade_label(1e12) == "10¹²"
    assert pv._decade_label(3e-3) == ""


def test_bad_input_is_refused_with_the_argument_named(panel, data):
    _, update, live_figure = panel
    X, y = data
    with pytest.raises(ValueError, match="depth must be from 2 .* to 12; got 1"):
        update(**{**DEFAULTS, "depth": 1})
    with pytest.raises(ValueError, match="depth must be from 2 .* to 12; got 13"):
        update(**{**DEFAULTS, "depth": 13})
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        live_figure(**{**DEFAULTS, "activation": "swish"})
    with pytest.raises(ValueError, match="gain must be a finite number > 0"):
        update(**{**DEFAULTS, "gain": 0.0})
    with pytest.raises(ValueError, match="unknown init"):
        update(**{**DEFAULTS, "init": "glorot"})
    with pytest.raises(ValueError, match="depth must be from 2"):
        pv.vanishing_panel_live(X, y, depth=1)
