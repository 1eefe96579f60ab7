"""Plots for the activation-function lesson (lecture: "Hidden Layer", "Rectified Linear Activation",
"The Logistic Function", "Hyperbolic Tangent", "Softmax function", "Vanishing gradient").

Each activation g is drawn with its derivative g' in the course colours (``COLORS["function"]``,
``COLORS["derivative"]``); jumps (the step at θ, ReLU' at 0) are drawn as two pieces with a filled
dot at the value the code uses and an open dot at the other one-sided limit. ``saturation`` shows
how many pre-activations z = s·x land where σ' or tanh' is about 0 (the lecture's "saturation").
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

from .._validation import as_array, as_generator, describe, positive_float, positive_int
from ..activations import get_activation, softmax, step
from .alt_text import describe as describe_plot
from .alt_text import number
from .style import COLORS

FOUR = ("step", "relu", "sigmoid", "tanh")  # the lecture's hidden-layer activations + the step

# (name, "function" or "derivative") -> where that curve jumps (None: at the threshold theta)
_JUMPS = {("step", "function"): None, ("relu", "derivative"): 0.0,
          ("leaky_relu", "derivative"): 0.0}

def _elementwise(name: str):
    """The Activation called ``name``; refuses softmax (not elementwise)."""
    act = get_activation(name)
    if act.derivative is None:
        raise ValueError(f"name must be an elementwise activation (softmax has a Jacobian, not a "
                         f"derivative curve: use softmax_bars); got {name!r}")
    return act


def curves(name: str, z, theta: float = 0.0):
    """g(z) and g'(z) for the activation called ``name`` (θ is used by the step only).

    Parameters
    ----------
    name : an elementwise name of ``ACTIVATIONS`` ("step", "relu", "sigmoid", "tanh", ...)
    z : array of shape (k,)
    theta : float, the step's threshold θ (lecture: g(h) = 1 if h > θ else 0)

    Returns
    -------
    a, a_prime : arrays of shape (k,)
    """
    act = _elementwise(name)
    z = as_array("z", z, ndim=1)
    a = step(z, theta) if name == "step" else act.function(z)
    return a, act.derivative(z)


def _draw(ax, name, which, z, values, theta, color, label, linestyle="-"):
    """One curve; at a known jump, two pieces with a filled dot (value used) and an open dot."""
    jump = _JUMPS.get((name, which), "none")
    if jump == "none":
        ax.plot(z, values, color=color, linestyle=linestyle, label=label)
        return
    at = theta if jump is None else jump
    left, right = z <= at, z > at
    g_at, g_right = curves(name, [at, np.nextafter(at, np.inf)], theta)[which == "derivative"]
    ax.plot(np.r_[z[left], at], np.r_[values[left], g_at], color=color, linestyle=linestyle,
            label=label)
    ax.plot(np.r_[at, z[right]], np.r_[g_right, values[right]], color=color, linestyle=linestyle)
    ax.plot([at], [g_at], "o", color=color, markersize=5)
    ax.plot([at], [g_right], "o", markerfacecolor="white", color=color, markersize=5)


def _curve_text(name, which, z, values, theta) -> str:
    """A sentence on one curve: its range over z, where it peaks, where it jumps."""
    label = f"{name}'s {'derivative' if which == 'derivative' else 'function'}"
    low, high = float(np.min(values)), float(np.max(values))
    text = f"{label} for z from {number(z[0])} to {number(z[-1])}, " + (
        f"between {number(low)} and {number(high)}" if low < high else f"{number(low)} throughout")
    if name == "step" and which == "derivative":
        text += f" (undefined at θ = {number(theta)}, where 0 is used)"
    top = z[values == high]
    if which == "derivative" and low < high and len(top) < len(z) / 4:
        text += f"; it peaks at {number(high)} at z = {number(np.median(top))}"
    jump = _JUMPS.get((name, which), "none")
    if jump != "none":
        text += f"; it jumps at z = {number(theta if jump is None else jump)}"
    return text


def _default_z(z, theta):
    if z is None:
        return np.linspace(min(-4.0, theta - 2.0), max(4.0, theta + 2.0), 401)
    return as_array("z", z, ndim=1)


def function_and_derivative(name: str, z=None, theta: float = 0.0, axes=None):
    """g(z) on the left and g'(z) on the right, for one activation (lecture: each activation slide
    with its derivative, e.g. y' = y(1 - y), d/dx tanh(x) = 1 - tanh(x)^2).

    Parameters
    ----------
    name : an elementwise activation name ("step", "relu", "sigmoid", "tanh", ...)
    z : array of shape (k,), the inputs drawn (default: 401 points on [-4, 4])
    theta : float, the step's threshold θ
    axes : two matplotlib Axes (a new figure if None)

    Returns
    -------
    (ax_function, ax_derivative)
    """
    z = _default_z(z, theta)
    a, a_prime = curves(name, z, theta)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8.0, 3.0))
    ax_g, ax_d = axes
    symbol = get_activation(name).symbol  # the registry's LaTeX symbol
    _draw(ax_g, name, "function", z, a, theta, COLORS["function"], f"${symbol}(z)$")
    _draw(ax_d, name, "derivative", z, a_prime, theta, COLORS["derivative"], f"${symbol}'(z)$")
    for ax, title in ((ax_g, f"{name}: $g(z)$"), (ax_d, f"{name}: derivative $g'(z)$")):
        ax.set_xlabel("$z$")
        ax.set_title(title)
        ax.axhline(0, color=COLORS["neutral"], linewidth=0.8)
        ax.legend(loc="upper left")
    ax_g.set_ylabel("$a = g(z)$")
    ax_d.set_ylabel("$g'(z)$")
    if name == "step":  # a flat 0 would hug the axis: show it on the function's scale
        ax_d.set_ylim(ax_g.get_ylim())
        ax_d.annotate(f"undefined at θ = {theta:g} (0 used)", (theta, 0.0), xytext=(0, 18),
                      textcoords="offset points", ha="center",
                      arrowprops={"arrowstyle": "->", "color": COLORS["neutral"]})
    describe_plot(ax_g, _curve_text(name, "function", z, a, theta))
    describe_plot(ax_d, _curve_text(name, "derivative", z, a_prime, theta))
    return ax_g, ax_d


def activation_grid(names=FOUR, z=None, theta: float = 0.0, ncols: int = 2):
    """A grid with one panel per activation, g(z) solid and g'(z) dashed (lecture: "Typical
    activation functions", plus the perceptron's step).

    Parameters
    ----------
    names : sequence of elementwise activation names (default: step, relu, sigmoid, tanh)
    z : array of shape (k,), inputs drawn (default: 401 points on [-4, 4])
    theta : float, the step's threshold θ
    ncols : panels per row

    Returns
    -------
    fig, axes (a flat array of Axes, one per name)
    """
    if isinstance(names, str) or len(names) == 0:
        raise ValueError(f"names must be a non-empty list of activation names; got "
                         f"{describe(names)}")
    ncols = positive_int("ncols", ncols)
    for name in names:
        _elementwise(name)
    z = _default_z(z, theta)
    nrows = -(-len(names) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(min(9.0, 4.2 * ncols), 2.8 * nrows),
                             squeeze=False)
    axes = axes.ravel()
    for ax, name in zip(axes, names, strict=False):
        a, a_prime = curves(name, z, theta)
        symbol = get_activation(name).symbol  # the registry's LaTeX symbol
        _draw(ax, name, "function", z, a, theta, COLORS["function"], f"${symbol}(z)$")
        _draw(ax, name, "derivative", z, a_prime, theta, COLORS["derivative"],
              f"${symbol}'(z)$", linestyle="--")
        ax.set_title(name)
        ax.set_xlabel("$z$")
        ax.legend(loc="upper left")
        describe_plot(ax, f"{_curve_text(name, 'function', z, a, theta)} (solid); "
                          f"{_curve_text(name, 'derivative', z, a_prime, theta)} (dashed)")
    for ax in axes[len(names):]:
        ax.set_visible(False)
    return fig, axes[:len(names)]


def _peak(name: str) -> float:
    """The largest g'(z): the registry's ``max_derivative`` (σ'(0) = 0.25, tanh'(0) = 1)."""
    return _elementwise(name).max_derivative


def saturated_fraction(name: str, z, threshold: float = 0.01) -> float:
    """Fraction of the inputs z where g'(z) < threshold · max g' (the unit is "saturated": almost
    no gradient flows back through it; lecture: "Vanishing gradient", saturation).

    Parameters
    ----------
    name : elementwise activation name ("sigmoid", "tanh", "relu", ...)
    z : array of any shape, pre-activations
    threshold : float in (0, 1), relative to the largest derivative (σ'(0) = 0.25, tanh'(0) = 1)

    Returns
    -------
    float in [0, 1]
    """
    act = _elementwise(name)
    threshold = positive_float("threshold", threshold)
    if threshold >= 1:
        raise ValueError(f"threshold must be a fraction of the largest derivative in (0, 1); "
                         f"got {threshold}")
    z = as_array("z", z)
    return float(np.mean(act.derivative(z) < threshold * _peak(name)))


def _saturation_values(name: str, z, reach: float, threshold: float):
    """The histogram of z on 60 bins over [-reach, reach], scaled so that its tallest bin is 1 (the
    shape, whatever s), split into the bins where g' is at least ``threshold`` · max g' and the
    saturated ones (NaN where a bin belongs to the other kind).

    Returns
    -------
    edges : array of shape (61,); active, saturated : arrays of shape (60,); limit : float
    """
    act = get_activation(name)
    limit = threshold * _peak(name)
    edges = np.linspace(-reach, reach, 61)
    counts = np.histogram(z, bins=edges)[0] / m if (m := np.size(z)) else np.zeros(60)
    counts = counts / max(float(np.max(counts)), 1e-300)
    flat = act.derivative(0.5 * (edges[:-1] + edges[1:])) < limit
    return edges, np.where(flat, np.nan, counts), np.where(flat, counts, np.nan), limit


def _saturation_panel(ax, name: str, z, scale: float, threshold: float) -> dict:
    """One panel of :func:`saturation` on ``ax`` (and a new twin axis); returns its artists by role
    (for :func:`saturation_live`)."""
    reach = max(6.0, 3.5 * scale)
    edges, active, saturated, limit = _saturation_values(name, z, reach, threshold)
    # two step patches (one artist each), not one bar per bin: same picture, fewer artists
    # the saturated bins hatched as well as coloured: colour does not carry the meaning alone
    bins = [ax.stairs(values, edges, fill=True, alpha=0.6, facecolor=COLORS[role],
                      edgecolor="none", hatch=hatch)
            for values, role, hatch in ((active, "neutral", None), (saturated, "negative", "///"))]
    ax.set_xlim(-reach, reach)
    ax.set_ylim(0, 1.4)  # the tallest bin is 1; the legend sits above it
    ax.set_xlabel(f"$z = s\\,x$ (s = {scale:g})")
    ax.set_ylabel("frequency of z (tallest bin = 1)")
    twin = ax.twinx()
    grid = np.linspace(-reach, reach, 401)
    (curve,) = twin.plot(grid, get_activation(name).derivative(grid), color=COLORS["derivative"],
                         label=f"{name}'(z)")
    level = twin.axhline(limit, color=COLORS["derivative"], linestyle=":", linewidth=1)
    twin.set_ylim(0, 1.1 * _peak(name))
    twin.set_ylabel(f"{name}'(z)", color=COLORS["derivative"])
    twin.grid(False)
    ax.set_title(f"{name}: {100 * saturated_fraction(name, z, threshold):.1f}% of z saturated")
    handles = [Patch(facecolor=COLORS["negative"], edgecolor="none", alpha=0.6, hatch="///",
                     label=f"z where g' < {threshold:g}·max g'"),
               *twin.get_legend_handles_labels()[0]]
    ax.legend(handles=handles, loc="upper left", fontsize=8)
    _describe_saturation(ax, name, z, scale, threshold, reach)
    return {"bins": bins, "curve": curve, "level": level}


def _describe_saturation(ax, name, z, scale, threshold, reach):
    share = 100 * saturated_fraction(name, z, threshold)
    describe_plot(ax, f"{name} at input scale s = {number(scale)}: the histogram of z = s·x for "
                      f"x drawn from N(0, 1), over z from {number(-reach)} to {number(reach)}, "
                      f"with {name}'(z) on a second axis; {share:.1f}% of z fall where {name}' is "
                      f"below {number(threshold)} of its peak (saturated: the hatched bins)")


def _check_saturation_args(scale, names, m, threshold):
    scale = positive_float("scale", scale)
    m = positive_int("m", m)
    if isinstance(names, str):
        names = (names,)
    if len(names) == 0:
        raise ValueError(f"names must name at least one activation; got {describe(names)}")
    for name in names:
        _elementwise(name)
    threshold = positive_float("threshold", threshold)
    if threshold >= 1:
        raise ValueError(f"threshold must be a fraction of the largest derivative in (0, 1); "
                         f"got {threshold}")
    return scale, tuple(names), m, threshold


def saturation(scale: float, names=("sigmoid", "tanh"), m: int = 20000, threshold: float = 0.01,
               rng=0, axes=None):
    """Where the pre-activations z = s·x land on g'(z), for x ~ N(0, 1) and input scale s
    (lecture: "Scaling: z = w·x shouldn't be too large ... roughly not much more than 1").

    Each panel: the histogram of z, scaled to a tallest bin of 1 (bins where g' < threshold ·
    max g' in the "negative" colour), g'(z) on a second y axis, and the saturated fraction in the
    title.

    Parameters
    ----------
    scale : float > 0, the input scale s
    names : elementwise activation names, one panel each
    m : number of samples x
    threshold : float in (0, 1), "saturated" means g'(z) < threshold · max g'
    rng : int seed or numpy.random.Generator for x
    axes : one matplotlib Axes per name (a new figure if None)

    Returns
    -------
    array of Axes (the histogram axes; each has its g' twin)
    """
    scale, names, m, threshold = _check_saturation_args(scale, names, m, threshold)
    z = scale * as_generator(rng).standard_normal(m)
    if axes is None:
        _, axes = plt.subplots(1, len(names), figsize=(4.6 * len(names), 3.2), squeeze=False)
    axes = np.ravel(axes)
    for ax, name in zip(axes, names, strict=True):
        _saturation_panel(ax, name, z, scale, threshold)
    return axes


def _freeze_layout(fig) -> None:
    """Lay ``fig`` out once (constrained layout) and keep those positions from now on."""
    fig.canvas.draw()
    fig.set_layout_engine("none")


def _label_as_text(axis):
    """Swap the label of ``axis`` (an XAxis or YAxis) for an ordinary Text of its Axes in the same
    place, which a LiveFigure can redraw alone or leave in the cached background (an axis label is
    drawn with its whole axis, ticks and all). Call :func:`_freeze_layout` first.

    Returns
    -------
    matplotlib Text
    """
    label = axis.label
    text = axis.axes.text(*label.get_position(), label.get_text())
    text.update_from(label)  # font, colour, rotation, alignment, transform, no clipping
    text.set_rotation_mode(label.get_rotation_mode())  # a y label turns about its anchor
    label.set_visible(False)
    return text


def saturation_live(scale: float = 3.0, names=("sigmoid", "tanh"), m: int = 20000,
                    threshold: float = 0.01, rng=0):
    """:func:`saturation` as a figure updated in place, for a slider on the input scale s (lecture:
    "Scaling: z = w·x shouldn't be too large").

    The samples x ~ N(0, 1) are drawn once and scaled on every move, so the picture changes only
    with s. The axes keep the ranges of the default s (z beyond them is off the picture but still
    counted in the saturated share), so a move redraws only the histograms, titles and x labels
    (see :class:`mlpcourse.widgets.LiveFigure`).

    Parameters
    ----------
    scale : float > 0, the input scale s at the slider's default
    names, m, threshold, rng : as in :func:`saturation`

    Returns
    -------
    (fig, update) where ``update(scale)`` redraws for the input scale ``scale`` (float > 0) and
    returns the artists it changed
    """
    scale, names, m, threshold = _check_saturation_args(scale, names, m, threshold)
    x = as_generator(rng).standard_normal(m)  # shape (m,), fixed: only s moves
    fig, axes = plt.subplots(1, len(names), figsize=(4.6 * len(names), 3.2), squeeze=False)
    axes = np.ravel(axes)
    panels = [_saturation_panel(ax, name, scale * x, scale, threshold)
              for ax, name in zip(axes, names, strict=True)]
    reach = max(6.0, 3.5 * scale)
    _freeze_layout(fig)
    labels = [_label_as_text(ax.xaxis) for ax in axes]

    def update(scale):
        scale = positive_float("scale", scale)
        z = scale * x
        changed = []
        for ax, name, panel, label in zip(axes, names, panels, labels, strict=True):
            edges, active, saturated, _ = _saturation_values(name, z, reach, threshold)
            for stairs, values in zip(panel["bins"], (active, saturated), strict=True):
                stairs.set_data(values, edges)
            label.set_text(f"z = s·x (s = {scale:g})")  # plain text: mathtext re-parses each move
            fraction = saturated_fraction(name, z, threshold)
            ax.title.set_text(f"{name}: {100 * fraction:.1f}% of z saturated")
            _describe_saturation(ax, name, z, scale, threshold, reach)
            # the g' curve and its threshold line are unchanged, but drawn over the histogram
            changed += [*panel["bins"], ax.title, label, panel["curve"], panel["level"]]
        return changed

    return fig, update


def softmax_bars(z, ax=None, labels=None):
    """softmax(z) of one vector as bars, each labelled with its probability (lecture: "Softmax
    function", e^{z_j} / Σ_i e^{z_i}).

    Parameters
    ----------
    z : array of shape (k,), the scores (logits)
    ax : matplotlib Axes (a new one if None)
    labels : k bar names (default "z_j = value")

    Returns
    -------
    matplotlib Axes
    """
    z = as_array("z", z, ndim=1)
    k = z.shape[0]
    if labels is None:
        labels = [f"$z_{{{j + 1}}}$ = {v:.3g}" for j, v in enumerate(z)]
    elif len(labels) != k:
        raise ValueError(f"labels must name the {k} entries of z; got {len(labels)} labels")
    s = softmax(z)
    if ax is None:
        _, ax = plt.subplots(figsize=(min(9.0, 1.0 + 0.9 * k), 3.0))
    bars = ax.bar(np.arange(k), s, color=COLORS["positive"])
    ax.bar_label(bars, labels=[f"{p:.3f}" for p in s], padding=2)
    ax.set_xticks(np.arange(k), labels)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("softmax$(z)_j$")
    ax.set_title(f"softmax: all positive, sum = {np.sum(s):.4f}")
    describe_plot(ax, "softmax of z = " + ", ".join(number(v) for v in z) + " as bars: "
                      + ", ".join(number(p) for p in s) + "; all positive and summing to 1")
    return ax
