"""Tests of mlpcourse.plots.activations.saturation_live (lesson 3's slider on the input scale s):
the PNG it renders, that a move and a move back give the same picture (nothing left behind by
blitting), the numbers it shows against numpy, and its argument errors. Agg backend, no timing."""

import io

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from mlpcourse.plots import activations as pa  # noqa: E402
from mlpcourse.plots.style import setup  # noqa: E402
from mlpcourse.widgets import live  # noqa: E402

NAMES = ("sigmoid", "tanh")


@pytest.fixture(autouse=True)
def course_style():
    setup()  # figures are closed after each test by conftest.py


@pytest.fixture()
def panel():
    fig, update = pa.saturation_live(3.0, m=4000, rng=0)
    return fig, update, live(fig, update)


def derivative(name, z):
    """σ'(z) = σ(z)(1 - σ(z)), tanh'(z) = 1 - tanh(z)², written out with numpy."""
    if name == "sigmoid":
        s = 0.5 * (1.0 + np.tanh(0.5 * z))
        return s * (1.0 - s)
    return 1.0 - np.tanh(z) ** 2


def test_png_at_the_defaults_has_the_figure_size(panel):
    fig, _, live_figure = panel
    image = Image.open(io.BytesIO(live_figure(scale=3.0)))
    assert image.format == "PNG"
    assert image.size == fig.canvas.get_width_height()


def test_a_move_changes_the_picture_and_a_move_back_restores_it(panel):
    _, _, live_figure = panel
    first = live_figure(scale=3.0)
    moved = live_figure(scale=7.4)
    assert moved != first
    assert live_figure(scale=0.2) != moved
    assert live_figure(scale=3.0) == first


@pytest.mark.parametrize("scale", [0.2, 3.0, 12.0])
def test_titles_labels_and_histograms_match_numpy(panel, scale):
    fig, update, _ = panel
    update(scale=scale)
    z = scale * np.random.default_rng(0).standard_normal(4000)
    edges = np.linspace(-10.5, 10.5, 61)  # the default s = 3 fixes the z axis to ±3.5 s
    counts = np.histogram(z, bins=edges)[0]
    expected = counts / counts.max()
    centres = 0.5 * (edges[:-1] + edges[1:])
    for ax, name in zip(fig.axes[:2], NAMES, strict=True):
        peak = derivative(name, 0.0)
        percent = 100 * np.mean(derivative(name, z) < 0.01 * peak)
        assert ax.get_title() == f"{name}: {percent:.1f}% of z saturated"
        assert f"z = s·x (s = {scale:g})" in [t.get_text() for t in ax.texts]
        active, saturated = (patch.get_data() for patch in ax.patches)
        np.testing.assert_allclose(active.edges, edges)
        heights = np.where(np.isnan(active.values), saturated.values, active.values)
        np.testing.assert_allclose(heights, expected)
        np.testing.assert_array_equal(np.isnan(active.values),
                                      derivative(name, centres) < 0.01 * peak)


def test_the_live_figure_at_the_defaults_draws_what_the_static_plot_draws():
    fig, _ = pa.saturation_live(3.0, rng=0)
    static = pa.saturation(3.0, rng=0)
    for live_ax, static_ax in zip(fig.axes[:2], static, strict=True):
        assert live_ax.get_title() == static_ax.get_title()
        assert live_ax.get_xlim() == static_ax.get_xlim()
        assert live_ax.get_ylim() == static_ax.get_ylim()
        for a, b in zip(live_ax.patches, static_ax.patches, strict=True):
            np.testing.assert_array_equal(a.get_data().values, b.get_data().values)


def test_bad_input_is_refused_with_the_argument_named(panel):
    _, update, live_figure = panel
    with pytest.raises(ValueError, match="scale must be a finite number > 0; got 0"):
        update(scale=0.0)
    with pytest.raises(TypeError, match="scale must be a positive number"):
        live_figure(scale="big")
    with pytest.raises(ValueError, match="name must be an elementwise activation"):
        pa.saturation_live(names=("softmax",))
    with pytest.raises(ValueError, match="names must name at least one activation"):
        pa.saturation_live(names=())
    with pytest.raises(ValueError, match="threshold must be a fraction"):
        pa.saturation_live(threshold=1.5)
