"""Figure descriptions (mlpcourse/plots/alt_text.py): how a figure's text is attached, joined from
its panels and shown in a notebook (alt text of a high-DPI PNG, and a "Figure description" below
it), and that every figure the committed lessons show carries one."""

import base64
import io
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from PIL import Image

from mlpcourse.plots import alt_text as d

ROOT = Path(__file__).resolve().parent.parent
LESSONS = sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "solutions").glob("*.ipynb")])


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_one_panel_gives_its_text_and_several_are_named_by_place():
    fig, ax = plt.subplots()
    assert d.description(fig) is None
    d.describe(ax, "a rising line")
    assert d.description(fig) == "a rising line."
    fig, axes = plt.subplots(1, 3)
    for ax, text in zip(axes, ["one", "two", "three"], strict=True):
        d.describe(ax, text)
    d.describe(fig, "Three panels")
    assert d.description(fig) == "Three panels. Left: one. Middle: two. Right: three."
    fig, axes = plt.subplots(2, 2)
    for k, ax in enumerate(axes.flat):
        d.describe(ax, f"p{k}")
    assert d.description(fig) == ("Row 1, column 1: p0. Row 1, column 2: p1. Row 2, column 1: p2. "
                                  "Row 2, column 2: p3.")


def test_describe_replaces_normalises_and_refuses_empty_text():
    fig, ax = plt.subplots()
    d.describe(ax, "old")
    d.describe(ax, "  new\n  text  ")
    assert d.description(fig) == "new text."
    with pytest.raises(ValueError, match="non-empty"):
        d.describe(ax, "  ")
    with pytest.raises(TypeError, match="Figure or Axes"):
        d.describe("not a figure", "text")


def test_undescribed_axes_names_a_panel_with_content_and_skips_colour_bars():
    fig, (left, right) = plt.subplots(1, 2)
    image = left.imshow(np.eye(3))
    fig.colorbar(image, ax=left)
    d.describe(left, "an identity matrix")
    assert d.undescribed_axes(fig) == []
    right.plot([1, 2])
    assert d.undescribed_axes(fig) == [right]


def test_numbers_and_labels_read_as_text():
    assert d.number(-1.5) == "−1.5"
    assert d.number(2.5e17) == "2.5×10^17" and d.number(1e-44) == "10^−44"
    assert d.number(np.inf) == "infinity" and d.number(np.nan) == "not a number"
    assert d.number(3e-9, scale=2.0) == "almost 0" and d.number(0.01, scale=2.0) == "0.01"
    assert d.plain("loss $L(w_k)$ at $\\eta = 0.5$") == "loss L(wk) at η = 0.5"
    assert d.plain("$a^{(1)}_2$") == "a(1)2"
    assert d.plain(r"$\|\delta^{(l)}\|$") == "‖δ(l)‖"


def test_figure_png_is_high_dpi_at_the_same_size_and_no_larger_than_at_1x():
    fig, ax = plt.subplots(figsize=(4, 3), dpi=72)
    x = np.linspace(0, 6, 200)
    ax.plot(x, np.sin(x), label="sin")
    ax.plot(x, np.cos(x), "--", label="cos")
    ax.legend()
    png, width, height = d.figure_png(fig)
    image = Image.open(io.BytesIO(png))
    assert abs(image.size[0] - 2 * width) <= 1 and abs(image.size[1] - 2 * height) <= 1
    assert abs(width - 4 * 72) < 24 and abs(height - 3 * 72) < 24  # the tight box of 4 x 3 in
    assert image.mode == "P"  # a palette: a line plot needs no more than 256 colours
    colours = image.convert("RGB")
    assert colours.getpixel((1, 1)) == (255, 255, 255)  # the background stays exactly white
    original = io.BytesIO()
    fig.savefig(original, format="png", dpi=144, bbox_inches="tight")
    exact = np.asarray(Image.open(original).convert("RGB"), dtype=int)
    assert np.abs(np.asarray(colours, dtype=int) - exact).max() <= 16
    one_x = io.BytesIO()
    fig.savefig(one_x, format="png", dpi=72, bbox_inches="tight")
    assert len(png) < len(one_x.getvalue())
    assert d.figure_png(plt.figure()) is None  # nothing drawn: nothing shown


def test_a_photograph_like_figure_keeps_its_colours():
    fig, ax = plt.subplots(figsize=(3, 3), dpi=72)
    ax.imshow(np.random.default_rng(0).random((60, 60, 3)))
    png, _, _ = d.figure_png(fig)
    assert Image.open(io.BytesIO(png)).mode in ("RGB", "RGBA")


def test_a_notebook_shows_the_png_with_alt_text_and_the_description_below_it():
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.display import display
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    assert d.register_display(shell)
    fig, ax = plt.subplots()
    ax.plot([0, 1], [1, 0])
    d.describe(ax, "a falling line from (0, 1) to (1, 0)")
    with capture_output() as captured:
        display(fig)
    image, text = captured.outputs
    assert image.metadata["image/png"]["alt"] == "a falling line from (0, 1) to (1, 0)."
    width = image.metadata["image/png"]["width"]
    pixels = Image.open(io.BytesIO(base64.b64decode(image.data["image/png"]))).size
    assert pixels[0] >= 2 * width - 1
    assert text.data["text/plain"] == "Figure description: a falling line from (0, 1) to (1, 0)."
    assert "<summary>Figure description</summary>" in text.data["text/html"]
    undescribed, _ = plt.subplots()
    undescribed.axes[0].plot([1, 2])
    with capture_output() as captured:
        display(undescribed)
    (only,) = captured.outputs
    assert "alt" not in only.metadata["image/png"]


def test_register_display_outside_ipython_does_nothing():
    assert d.register_display(object()) is False


def _images(path):
    """(cell index, image output, the output after it) for every PNG a notebook shows."""
    cells = json.loads(path.read_text())["cells"]
    for index, cell in enumerate(cells):
        outputs = cell.get("outputs", [])
        for k, output in enumerate(outputs):
            if "image/png" in output.get("data", {}):
                yield index, output, outputs[k + 1] if k + 1 < len(outputs) else None


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_committed_figure_has_alt_text_and_a_description_below(path):
    missing = []
    for index, output, after in _images(path):
        metadata = output.get("metadata", {}).get("image/png", {})
        alt = metadata.get("alt", "")
        shown = "".join((after or {}).get("data", {}).get("text/plain", ""))
        if len(alt) < 20 or shown != f"Figure description: {alt}":
            missing.append(index)
        elif not metadata.get("width"):
            missing.append(index)  # a high-DPI PNG needs its display size
    assert not missing, f"{path.name}: figures without a description in cells {missing}"
