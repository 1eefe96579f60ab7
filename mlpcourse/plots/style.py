"""One look for the whole course: figure size for a laptop screen, a fixed colour per role, fixed
print precision, and figures shown sharp on high-DPI screens with their text descriptions."""

from __future__ import annotations

import matplotlib as mpl
import numpy as np

from .alt_text import register_display

# Colour-blind-safe roles (Okabe-Ito), used by every plot and diagram of the course. Every pair
# drawn together stays apart (CIEDE2000 >= 10) for protanopia, deuteranopia and tritanopia too
# (tests/test_palette.py simulates them): neutral is a darker grey than Okabe-Ito's (#999999 is
# too close to the derivative's pink for deuteranopes, and has 2.8:1 contrast on white), and the
# first six class colours leave out orange, which tritanopes confuse with the pink.
COLORS = {
    "positive": "#0072B2",  # class 1, positive weights
    "negative": "#D55E00",  # class 0, negative weights
    "neutral": "#6E6E6E",
    "train": "#0072B2",
    "validation": "#E69F00",
    "highlight": "#009E73",
    "function": "#0072B2",
    "derivative": "#CC79A7",
    "classes": ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#000000", "#E69F00",
                "#F0E442", "#6E6E6E", "#882255"],
}
# colour never carries a meaning alone: class k's samples also get marker CLASS_MARKERS[k], and
# the second of two curves a dashed line (tests/test_colour_meaning.py)
CLASS_MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*", "h", "p")
# line styles of several curves told apart by colour (series i: LINE_STYLES[i % 6]): solid,
# dashed, dash-dot, dotted, dash-dot-dot, long dash-short dash
LINE_STYLES = ("-", "--", "-.", ":", (0, (3, 1, 1, 1, 1, 1)), (0, (8, 2, 3, 2)))

RC = {
    "figure.figsize": (6.4, 3.6),
    # 72 pixels per inch on the canvas: slider images (LiveFigure) stay fast; a static figure is
    # shown at twice that (plots.alt_text.figure_png), sharp on high-DPI screens
    "figure.dpi": 72,
    "savefig.dpi": 72,
    "figure.constrained_layout.use": True,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=COLORS["classes"]),
    "font.size": 10,
    "legend.frameon": False,
    "image.cmap": "RdBu_r",
}


def setup(precision: int = 4) -> None:
    """Apply the course style to matplotlib and fix numpy's print precision (for stable outputs);
    inside IPython, show figures as high-DPI PNGs with their text descriptions
    (:func:`mlpcourse.plots.alt_text.register_display`)."""
    mpl.rcParams.update(RC)
    register_display()
    np.set_printoptions(precision=precision, suppress=True, floatmode="fixed", legacy=False)
