"""Slider plots: the live (blitted) figure and interactive_plot's two ways of drawing."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from PIL import Image  # noqa: E402

from mlpcourse.plots import outputs  # noqa: E402
from mlpcourse.widgets import LiveFigure, interactive_plot, live, slider  # noqa: E402


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def line_figure():
    """One line y = s x on fixed axes; update returns the line (blitted) or None (full redraw)."""
    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    x = np.linspace(-1, 1, 50)
    (line,) = ax.plot(x, x)
    ax.set_ylim(-3, 3)
    title = ax.set_title("s = 1.0")

    def update(s, full=False):
        line.set_ydata(s * x)
        title.set_text(f"s = {s:.1f}")
        return None if full else [line, title]

    return fig, update


def test_live_figure_renders_png_of_the_figure_size():
    fig, update = line_figure()
    png = live(fig, update)(s=1.0)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert pixels(png).shape == (100, 150, 3)  # 3 x 2 inches at 50 dpi


def test_live_figure_leaves_no_trails_when_moved_back():
    fig, update = line_figure()
    figure = live(fig, update)
    first = figure(s=1.0)
    moved = figure(s=2.5)
    assert not np.array_equal(pixels(first), pixels(moved))
    assert figure(s=1.0) == first  # the old line and title were painted over by the background


def test_live_figure_blit_matches_a_full_redraw():
    fig, update = line_figure()
    figure = live(fig, update)
    figure(s=1.0)
    blitted = pixels(figure(s=-2.0))
    full = pixels(figure(s=-2.0, full=True))  # None: every artist drawn the ordinary way
    assert np.abs(blitted.astype(int) - full.astype(int)).max() == 0


def test_live_figure_is_not_shown_again_by_pyplot():
    fig, update = line_figure()
    live(fig, update)
    assert fig.number not in plt.get_fignums()


def test_live_figure_rejects_an_update_that_is_not_callable():
    fig, _ = line_figure()
    with pytest.raises(TypeError, match="update must be a callable"):
        LiveFigure(fig, "not a function")


def test_interactive_plot_with_a_live_figure_redraws_on_a_slider_move():
    fig, update = line_figure()
    control = slider(1.0, -3.0, 3.0, 0.5, "s")
    box = interactive_plot(live(fig, update), s=control)
    image = next(child for child in box.children if child.__class__.__name__ == "Image")
    before = image.value
    assert before[:4] == b"\x89PNG"
    control.value = 2.0
    assert image.value != before
    control.value = 1.0
    assert image.value == before


@pytest.mark.parametrize("shell", [False, True], ids=["no IPython", "an IPython shell"])
def test_interactive_plot_shows_an_error_of_update_below_the_controls(shell):
    if shell:  # another test in this process may have started one: the error must still show
        from IPython.core.interactiveshell import InteractiveShell

        InteractiveShell.instance()
    fig, ax = plt.subplots(figsize=(2, 2), dpi=40)
    (line,) = ax.plot([0, 1], [0, 1])

    def update(s):
        if s > 1:
            raise ValueError("s is too large")
        line.set_ydata([0, s])
        return [line]

    control = slider(1.0, 0.0, 2.0, 0.5, "s")
    box = interactive_plot(live(fig, update), s=control)
    text = next(child for child in box.children if child.__class__.__name__ == "Output")
    control.value = 2.0  # the callback must not raise into the kernel's event loop
    shown = "".join(o.get("text", "") for o in text.outputs)
    assert "ValueError: s is too large" in shown


def test_softmax_explorer_live_matches_numpy():
    z = np.array([2.0, 1.0, 0.1, -1.0])
    fig, update = outputs.softmax_explorer_live(z, 1.0)
    figure = live(fig, update)
    figure(z=z, temperature=1.0)
    new = np.array([-4.0, 0.5, 3.0, 1.0])
    figure(z=new, temperature=2.0)
    ax_z, ax_p = fig.axes
    p = np.exp(new / 2) / np.exp(new / 2).sum()
    np.testing.assert_allclose([bar.get_height() for bar in ax_z.containers[0]], new)
    np.testing.assert_allclose([bar.get_height() for bar in ax_p.containers[0]], p)
    assert [t.get_text() for t in ax_p.texts] == [f"{v:.3f}" for v in p]
    assert [t.get_text() for t in ax_z.texts] == [f"{v:.2f}" for v in new]
    assert ax_z.texts[0].get_va() == "top"  # a negative bar's label sits below it
    assert "T = 2" in ax_p.get_title()


def test_softmax_explorer_live_rejects_the_wrong_number_of_logits():
    fig, update = outputs.softmax_explorer_live([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="z must have 3 logits"):
        update(np.array([1.0, 2.0]), 1.0)
    with pytest.raises(ValueError, match="z_range"):
        outputs.softmax_explorer_live([1.0, 2.0], z_range=(1.0, 5.0))


def test_live_figure_forgets_an_artist_that_update_removed():
    def build(with_label):
        fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
        (line,) = ax.plot([0, 1], [0, 1])
        ax.set_ylim(-2, 2)
        label = ax.text(0.5, 1.5, "removed later") if with_label else None

        def update(s):
            line.set_ydata([0, s])
            if s < 0 and label is not None and label.axes is not None:
                label.remove()
                return None  # the background changed
            return [line] if label is None or label.axes is None else [line, label]

        return live(fig, update)

    figure = build(with_label=True)
    figure(s=1.0)
    assert not np.array_equal(pixels(figure(s=1.0)), pixels(build(with_label=False)(s=1.0)))
    figure(s=-1.0)
    assert figure(s=0.5) == build(with_label=False)(s=0.5)


def test_a_live_plot_image_carries_the_figure_description_as_it_changes():
    """Below a slider image, as below every figure, its description, kept up with each move."""
    from mlpcourse.plots import describe

    fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    x = np.linspace(-1, 1, 50)
    (line,) = ax.plot(x, x)

    def update(s):
        line.set_ydata(s * x)
        describe(ax, f"The line y = {s:.1f} x")
        return [line]

    control = slider(1.0, -3.0, 3.0, 0.5, "s")
    box = interactive_plot(live(fig, update), s=control)
    caption = box.children[-1]
    assert "Figure description" in caption.value and "The line y = 1.0 x." in caption.value
    control.value = 2.0
    assert "The line y = 2.0 x." in caption.value
