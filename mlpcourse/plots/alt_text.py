"""Text descriptions of the figures, written where each figure is drawn, and how a notebook shows
them: the PNG's ``alt`` text (read by nbconvert's HTML and the static site) and the same text in a
"Figure description" disclosure right below the image (JupyterLab shows no ``alt``, so a screen
reader finds it there).

Every plotting function of ``mlpcourse.plots`` calls :func:`describe` on the axes it draws into
(or on the figure it makes), with a sentence built from its arguments and data, so the text
follows the picture. A figure made in a lesson cell gets its sentence there:
``plots.describe(fig, "...")``. :func:`description` joins a figure's own sentence with those of its
panels ("Left: ...; right: ...").

:func:`register_display` (called by ``plots.setup()`` inside IPython) makes IPython show a figure
as a high-DPI PNG (twice the pixels, shown at the same size; a palette of at most 256 colours keeps
it about as small as the 1x image) with that description.
"""

from __future__ import annotations

import base64
import html
import io
import re
import sys

import numpy as np

ATTRIBUTE = "_mlpcourse_description"
# the pixel ratio of static figures: sharp on high-DPI screens; sliders keep 1x (speed)
SCALE = 2
PALETTE_COLOURS = 256


def describe(target, text: str):
    """Attach the text description ``text`` to a figure or axes (replacing an earlier one).

    Parameters
    ----------
    target : matplotlib Figure or Axes (a panel of a larger figure)
    text : one or more sentences saying what the figure shows, built from its data

    Returns
    -------
    None: as the last line of a notebook cell it must not display the figure a second time.
    """
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty description of the figure; got {text!r}")
    if not (hasattr(target, "get_figure") or hasattr(target, "axes")):
        raise TypeError(f"target must be a matplotlib Figure or Axes; got {type(target).__name__}")
    setattr(target, ATTRIBUTE, " ".join(text.split()))


def number(value, digits: int = 3, scale=None) -> str:
    """``value`` for a sentence: ``digits`` significant digits (few enough to be the same on every
    machine), a true minus sign (read as "minus"), and words for inf and nan. With ``scale``, a
    value below 10^-digits of it is "almost 0" (what is left of a loss that has converged is
    rounding, different on every machine)."""
    value = float(value)
    if np.isnan(value):
        return "not a number"
    if np.isinf(value):
        return "infinity" if value > 0 else "minus infinity"
    if scale is not None and abs(value) < 10.0 ** -digits * abs(float(scale)):
        return "almost 0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}×10^{int(exponent)}" if mantissa != "1" else f"10^{int(exponent)}"
    return text.replace("-", "−")


def numbers(values, digits: int = 3) -> str:
    """``(1.2, −3, 4.5)`` for a short vector."""
    return "(" + ", ".join(number(v, digits) for v in np.ravel(values)) + ")"


_TEX = {r"\eta": "η", r"\sigma": "σ", r"\theta": "θ", r"\delta": "δ", r"\partial": "∂",
        r"\hat": "", r"\mathrm": "", r"\,": " ", r"\prime": "′", r"\ell": "ℓ", r"\cdot": "·",
        r"\to": "→", r"\left": "", r"\right": "", r"\mid": "|", r"\times": "×",
        r"\|": "‖"}


def plain(label: str) -> str:
    """A plot label without TeX markup, for a sentence: ``"$w_1$"`` -> ``"w1"``,
    ``"$\\eta$"`` -> ``"η"``, ``"$\\hat{y}$"`` -> ``"y"``."""
    text = re.sub(r"\\hat\{?(\w)\}?", "\\1\u0302", str(label))  # ŷ
    for tex, char in _TEX.items():
        text = re.sub(re.escape(tex) + r"(?![A-Za-z])", char, text)
    text = re.sub(r"[_^]\{([^{}]*)\}", r"\1", text)
    text = re.sub(r"[_^](\S)", r"\1", text)
    return " ".join(text.replace("$", "").replace("{", "").replace("}", "").split())


def _sentence(text: str) -> str:
    return text if text.endswith((".", "!", "?")) else text + "."


def _panel_names(axes) -> list[str]:
    """'left', 'middle', 'right', 'top', 'bottom', or 'row r, column c' / 'panel k' per axes."""
    specs = [ax.get_subplotspec() for ax in axes]
    if any(spec is None for spec in specs):
        return [f"panel {k}" for k in range(1, len(axes) + 1)]
    rows, cols = specs[0].get_gridspec().get_geometry()
    places = [(spec.rowspan.start, spec.colspan.start) for spec in specs]
    if rows == 1 or len({r for r, _ in places}) == 1:
        names = {1: ["alone"], 2: ["left", "right"], 3: ["left", "middle", "right"]}
        columns = sorted({c for _, c in places})
        if len(columns) == len(axes) and len(axes) in names:
            return [names[len(axes)][columns.index(c)] for _, c in places]
        return [f"panel {columns.index(c) + 1} from the left" for _, c in places]
    if cols == 1 or len({c for _, c in places}) == 1:
        if len(axes) == 2:
            return ["top" if r == min(p[0] for p in places) else "bottom" for r, _ in places]
        return [f"panel {r + 1} from the top" for r, _ in places]
    return [f"row {r + 1}, column {c + 1}" for r, c in places]


def described_axes(fig) -> list:
    """The visible axes of ``fig`` that carry a description, in the figure's order."""
    return [ax for ax in fig.axes if getattr(ax, ATTRIBUTE, None) and ax.get_visible()]


def undescribed_axes(fig) -> list:
    """Visible axes with something drawn on them and no description (colour bars excepted): a
    figure whose own description does not cover them is missing part of its text."""
    missing = []
    for ax in fig.axes:
        if getattr(ax, ATTRIBUTE, None) or not ax.get_visible():
            continue
        if getattr(ax, "_colorbar", None) is not None:
            continue
        twins = ax.get_shared_x_axes().get_siblings(ax) + ax.get_shared_y_axes().get_siblings(ax)
        if any(getattr(twin, ATTRIBUTE, None) and twin.bbox.bounds == ax.bbox.bounds
               for twin in twins):
            continue  # the second y axis of a described panel (twinx) is part of it
        if ax.has_data() or ax.texts or ax.patches or ax.artists:
            missing.append(ax)
    return missing


def description(fig) -> str | None:
    """The full text description of ``fig``: its own sentence, then each described panel's,
    named by its place when there are several ("Left: ...; right: ..."). None if nothing is
    described."""
    own = getattr(fig, ATTRIBUTE, None)
    panels = described_axes(fig)
    parts = [_sentence(own)] if own else []
    if len(panels) == 1:
        parts.append(_sentence(getattr(panels[0], ATTRIBUTE)))
    elif panels:
        for name, ax in zip(_panel_names(panels), panels, strict=True):
            parts.append(f"{name[0].upper()}{name[1:]}: {_sentence(getattr(ax, ATTRIBUTE))}")
    return " ".join(parts) or None


# ----------------------------------------------------------------------------- showing figures


def figure_png(fig, scale: int = SCALE) -> tuple[bytes, int, int] | None:
    """``fig`` as a PNG with ``scale`` times the pixels per side, for a screen showing it at
    (width, height) CSS pixels. An opaque figure becomes a palette of at most 256 colours (see
    :func:`palette_image`) when that keeps every channel within 16 levels of the original (line
    plots and heat maps do, but for a handful of pixels: at most 0.1 % may be further off;
    photographs would not).

    Returns
    -------
    (png_bytes, width, height) or None for a figure with nothing drawn (IPython shows nothing).
    """
    from PIL import Image

    if not fig.axes and not fig.lines:
        return None
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi * scale, bbox_inches="tight",
                facecolor=fig.get_facecolor(), edgecolor=fig.get_edgecolor())
    image = Image.open(io.BytesIO(buffer.getvalue()))
    image.load()
    width, height = (round(n / scale) for n in image.size)
    rgba = np.asarray(image.convert("RGBA"))
    best = image
    if (rgba[..., 3] == 255).all():
        source = image.convert("RGB")
        small = palette_image(source)
        error = np.abs(np.asarray(small.convert("RGB"), dtype=np.int16)
                       - np.asarray(source, dtype=np.int16)).max(axis=2)
        best = small if np.mean(error > 16) <= 0.001 else source
    out = io.BytesIO()
    best.save(out, format="png", optimize=True)
    return out.getvalue(), width, height


def palette_image(image, exact: int = 96):
    """An RGB image as a palette image of at most 256 colours: its ``exact`` most frequent colours
    kept exactly (the white background, the axes' black, each line's colour), the rest of the
    palette from an octree of the whole image for the antialiased edges and colour maps; each
    pixel takes the nearest palette colour (computed here: Pillow's own mapping is approximate and
    would turn the white background light grey)."""
    from PIL import Image

    pixels = np.asarray(image, dtype=np.int32)
    codes = ((pixels[..., 0] << 16) | (pixels[..., 1] << 8) | pixels[..., 2]).ravel()
    colours = np.unique(codes)  # sorted; a sort of int32 is the fast part of np.unique
    inverse = np.searchsorted(colours, codes)  # each pixel's colour among them
    counts = np.bincount(inverse, minlength=len(colours))
    rgb = np.stack([colours >> 16, (colours >> 8) & 255, colours & 255], axis=1).astype(np.int64)
    if len(colours) <= PALETTE_COLOURS:  # few enough: lossless
        palette, index = rgb, np.arange(len(colours))
    else:
        kept = rgb[np.argsort(counts, kind="stable")[::-1][:exact]]
        octree = image.quantize(PALETTE_COLOURS - exact, method=Image.Quantize.FASTOCTREE,
                                dither=Image.Dither.NONE)
        rest = np.asarray(octree.getpalette()[:3 * (PALETTE_COLOURS - exact)]).reshape(-1, 3)
        palette = np.concatenate([kept, rest])
        index = np.empty(len(rgb), dtype=np.intp)
        for start in range(0, len(rgb), 4096):  # (4096, 256) distances at a time
            part = rgb[start:start + 4096, None, :] - palette[None, :, :]
            index[start:start + 4096] = np.argmin((part * part).sum(axis=2), axis=1)
    out = Image.fromarray(index[inverse].reshape(image.size[1], image.size[0]).astype(np.uint8),
                          mode="P")
    out.putpalette(np.pad(palette, ((0, PALETTE_COLOURS - len(palette)), (0, 0)))
                   .astype(np.uint8).ravel().tolist())
    return out


def details_html(text: str) -> str:
    """The "Figure description" disclosure shown below a figure (empty text: nothing)."""
    if not text:
        return ""
    return ("<details class=\"mlp-figure-description\"><summary>Figure description</summary>"
            f"<p>{html.escape(text)}</p></details>")


def display_figure(fig) -> None:
    """Show ``fig`` in the notebook: the high-DPI PNG with its description as ``alt``, then the
    description below it (a collapsed "Figure description"). A figure without a description is
    shown without one (``tests/test_figure_descriptions.py`` fails on it)."""
    from IPython.display import publish_display_data

    rendered = figure_png(fig)
    if rendered is None:
        return
    png, width, height = rendered
    text = description(fig)
    metadata = {"width": width, "height": height}
    if text:
        metadata["alt"] = text
    publish_display_data({"image/png": base64.b64encode(png).decode("ascii"),
                          "text/plain": repr(fig)}, metadata={"image/png": metadata})
    if text:
        publish_display_data({"text/html": details_html(text),
                              "text/plain": f"Figure description: {text}"})


def register_display(shell=None) -> bool:
    """Make IPython ``shell`` (the running one by default) show matplotlib figures with
    :func:`display_figure`; True if there is a shell to register with. Outside IPython (scripts,
    tests) nothing changes."""
    if shell is None:
        if "IPython" not in sys.modules:  # not inside IPython: never import it for nothing
            return False
        from IPython import get_ipython

        shell = get_ipython()
    formatter = getattr(getattr(shell, "display_formatter", None), "ipython_display_formatter",
                        None)
    if formatter is None:
        return False
    from matplotlib.figure import Figure

    formatter.for_type(Figure, display_figure)
    return True
