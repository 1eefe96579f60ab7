"""Pictures for lesson 1, the perceptron: the step function, the decision line
w_1 x_1 + w_2 x_2 = theta over the logic-gate points, and how the learning rule moves it.

Artists carry a ``gid`` so that tests can find them: ``"region"`` (the shaded o = 1 side),
``"decision_line"``, ``"targets"`` (one scatter per class), ``"misclassified"``,
``"weight_history"``, ``"hidden_line"`` and ``"errors"``.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap
from matplotlib.markers import MarkerStyle
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from ..datasets import logic_gate
from ..network import Network, forward
from ..perceptron import PerceptronResult, _check_weights, perceptron_output
from .alt_text import describe, number, numbers, plain
from .style import CLASS_MARKERS, COLORS, LINE_STYLES

GATE_NAMES = ("AND", "OR", "XOR")
# Shared by the static plots and gate_panels_live, which may have to add these artists itself.
_LINE_STYLE = {"color": "black", "linewidth": 1.5, "gid": "decision_line",
               "label": "$w_1 x_1 + w_2 x_2 = \\theta$"}
_TARGET_STYLE = {"s": 70, "edgecolor": "white", "zorder": 3, "gid": "targets"}
_WRONG_STYLE = {"s": 260, "facecolors": "none", "edgecolors": "black", "linewidths": 1.5,
                "zorder": 4, "gid": "misclassified", "label": "wrong output"}


def _w_theta(solution):
    """(w, theta) from a PerceptronResult or a (w, theta) pair."""
    if isinstance(solution, PerceptronResult):
        return solution.w, solution.theta
    try:
        w, theta = solution
    except (TypeError, ValueError) as error:
        raise TypeError(f"expected a PerceptronResult or a pair (w, theta); got "
                        f"{type(solution).__name__}") from error
    return _check_weights(w, theta, 2)


def step_plot(theta=0.0, ax=None, h_range=(-2.0, 2.0), h=None):
    """The perceptron's activation o = g(h): 0 up to and including theta, 1 above it (lecture
    slide "The Perceptron", item 4).

    Parameters
    ----------
    theta : float, the threshold θ
    ax : matplotlib Axes (a new one if None)
    h_range : (low, high) interval of h drawn
    h : optional value of the adder to mark on the curve, with its output

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 2.8))
    lo, hi = h_range
    color = COLORS["function"]
    ax.plot([lo, theta], [0, 0], color=color, linewidth=2, label="$o = g(h)$")
    ax.plot([theta, hi], [1, 1], color=color, linewidth=2)
    ax.plot([theta, theta], [0, 1], color=color, linewidth=1, linestyle=":")
    ax.plot([theta], [0], "o", color=color, markersize=7)  # g(theta) = 0: the filled end
    ax.plot([theta], [1], "o", markerfacecolor="white", markeredgecolor=color, markersize=7)
    ax.text(theta, 0.5, "  $\\theta$", ha="left", va="center", color=color)
    if h is not None:
        o = int(h > theta)
        ax.plot([h], [o], "D", color=COLORS["highlight"], markersize=7, zorder=4, gid="h_marker",
                label=f"$h = {h:g}$: $o = {o}$")
        ax.legend(loc="upper left")
    ax.set_xlim(lo, hi)
    ax.set_ylim(-0.2, 1.25)
    ax.set_yticks([0, 1])
    ax.set_xlabel("adder output $h = \\sum_i w_i x_i$")
    ax.set_ylabel("output $o$")
    ax.set_title(f"step function, $\\theta = {theta:g}$")
    marked = "" if h is None else f"; the marked adder output h = {number(h)} gives o = {o}"
    describe(ax, f"The step function o = g(h) for h from {number(lo)} to {number(hi)} with "
                 f"threshold θ = {number(theta)}: o = 0 up to and including θ, o = 1 above it"
                 f"{marked}")
    return ax


def decision_line(w, theta, X=None, y=None, ax=None, title=None, lim=(-0.5, 1.5), legend=True):
    """The line w_1 x_1 + w_2 x_2 = theta, its o = 1 side shaded, and the samples coloured by
    their target t, wrong outputs circled in black.

    Parameters
    ----------
    w : (2,) weights
    theta : float, the threshold θ
    X : (m, 2) samples (default: the four logic-gate inputs)
    y : (m,) targets 0/1 (default: none, points drawn neutral)
    ax : matplotlib Axes (a new one if None)
    title : axes title
    lim : (low, high) limits of both axes
    legend : whether to draw a legend

    Returns
    -------
    matplotlib Axes
    """
    w, theta = _check_weights(w, theta, 2)
    X = logic_gate("AND")[0] if X is None else np.asarray(X, dtype=np.float64)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.2, 3.2))
    lo, hi = lim
    _shade(ax, lambda P: P @ w > theta, lo, hi)
    line = _line_points(w, theta, lo, hi)
    if line is not None:
        ax.plot(*line, **_LINE_STYLE)
    o = perceptron_output(X, w, theta)
    _points(ax, X, y, o)
    _finish(ax, lo, hi, title, legend)
    _describe_plane(ax, title, f"the decision line {_said(w, theta)}"
                    if line is not None else "no decision line (both weights are 0)", X, y, o)
    return ax


def _point_list(X) -> str:
    return ", ".join(numbers(x, 2) for x in X) or "none"


def _describe_plane(ax, title, lines, X, y, o, side="o = 1"):
    """The sentence of a plane plot: its lines, the shaded side, the points and the mistakes."""
    head = f"{plain(title)}: " if title else ""
    if y is None:
        points = f"the points {_point_list(X)}"
        mistakes = ""
    else:
        y = np.asarray(y)
        points = (f"points with target 1 at {_point_list(X[y == 1])} and with target 0 at "
                  f"{_point_list(X[y == 0])}")
        wrong = X[np.asarray(o) != y]
        mistakes = ("; every output is right" if len(wrong) == 0
                    else f"; wrong output at {_point_list(wrong)}")
    describe(ax, f"{head}{lines} in the plane x1, x2, the side where {side} shaded; "
                 f"{points}{mistakes}")


def _region(output, lo, hi, resolution=201):
    """output(P) (True/1 = the o = 1 side) on a resolution x resolution grid over [lo, hi]^2."""
    grid = np.linspace(lo, hi, resolution)
    gx, gy = np.meshgrid(grid, grid)
    region = np.asarray(output(np.column_stack([gx.ravel(), gy.ravel()])), dtype=float)
    return region.reshape(gx.shape)


def _shade(ax, output, lo, hi, resolution=201):
    """Shade the square [lo, hi]^2 by output(P) (True/1 = the o = 1 side) for grid points P."""
    ax.imshow(_region(output, lo, hi, resolution), extent=(lo, hi, lo, hi), origin="lower",
              interpolation="nearest", vmin=0, vmax=1, alpha=0.15, gid="region", aspect="equal",
              cmap=ListedColormap([COLORS["negative"], COLORS["positive"]]))


def _points(ax, X, y, o):
    """Samples coloured by target t (neutral if y is None); outputs o != t circled in black."""
    if y is None:
        ax.scatter(X[:, 0], X[:, 1], s=60, color=COLORS["neutral"], zorder=3, gid="targets")
        return
    y = np.asarray(y)
    for t, role in ((1, "positive"), (0, "negative")):
        mask = y == t
        ax.scatter(X[mask, 0], X[mask, 1], color=COLORS[role], label=f"target $t = {t}$",
                   marker=CLASS_MARKERS[t], **_TARGET_STYLE)
    wrong = o != y
    if wrong.any():
        ax.scatter(X[wrong, 0], X[wrong, 1], **_WRONG_STYLE)


def _finish(ax, lo, hi, title, legend, region_label="side where $o = 1$"):
    """Square limits, 0/1 ticks, labels, title and the legend outside on the right."""
    ax.set_xlim(lo, hi)
    ax.set_ylim(lo, hi)
    ax.set_xticks([0, 1])
    ax.set_yticks([0, 1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.grid(False)
    if title:
        ax.set_title(title)
    if legend:
        handles, _ = ax.get_legend_handles_labels()
        handles.append(Patch(color=COLORS["positive"], alpha=0.3, label=region_label))
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=9)


def _line_points(w, theta, lo, hi):
    """Two end points of w_1 x_1 + w_2 x_2 = theta across [lo, hi] (None if w = 0: no line)."""
    if abs(w[1]) >= abs(w[0]) and w[1] != 0:
        x1 = np.array([lo, hi])
        return x1, (theta - w[0] * x1) / w[1]
    if w[0] != 0:
        x2 = np.array([lo, hi])
        return (theta - w[1] * x2) / w[0], x2
    return None


def _equation(w, theta) -> str:
    """LaTeX of w_1 x_1 + w_2 x_2 = theta without "1 x" and "+ -" (e.g. "x_1 - x_2 = 0.5")."""
    text = ""
    for i, wi in enumerate(w, start=1):
        if wi == 0:
            continue
        size = "" if abs(wi) == 1 else f"{abs(wi):g} "
        sign = ("-" if wi < 0 else "") if not text else (" - " if wi < 0 else " + ")
        text += f"{sign}{size}x_{i}"
    return f"{text or '0'} = {theta:g}"


def _said(w, theta) -> str:
    """w_1 x_1 + w_2 x_2 = theta for a sentence: 3 significant digits, true minus signs."""
    return plain(_equation([float(f"{v:.3g}") for v in w], float(f"{theta:.3g}"))).replace(
        "-", "−")


def _verdict(wrong: int) -> str:
    return "all 4 right" if wrong == 0 else f"{wrong} of 4 wrong"


def gate_panels(solutions, gates=GATE_NAMES, axes=None):
    """One panel per logic gate with its points and a decision line.

    Parameters
    ----------
    solutions : a pair (w, theta) drawn over every gate (one line, which gates does it solve?),
        or a dict gate -> (w, theta) or PerceptronResult (one line per gate)
    gates : gate names, one panel each
    axes : sequence of len(gates) Axes (a new row of panels if None)

    Returns
    -------
    array of matplotlib Axes
    """
    if axes is None:
        _, axes = plt.subplots(1, len(gates), figsize=(2.9 * len(gates) + 1.6, 3.3))
    axes = np.atleast_1d(axes)
    if len(axes) != len(gates):
        raise ValueError(f"axes must hold one Axes per gate ({len(gates)}); got {len(axes)}")
    shared = not isinstance(solutions, dict)
    for i, (gate, ax) in enumerate(zip(gates, axes, strict=True)):
        w, theta = _w_theta(solutions if shared else solutions[gate])
        X, y = logic_gate(gate)
        wrong = int(np.sum(perceptron_output(X, w, theta) != y))
        decision_line(w, theta, X, y, ax=ax, title=f"{gate.upper()}: {_verdict(wrong)}",
                      legend=i == len(gates) - 1)
        if not shared:
            ax.set_xlabel(f"$x_1$\n$w = ({w[0]:.2f}, {w[1]:.2f})$, $\\theta = {theta:.2f}$")
    if shared:
        w, theta = _w_theta(solutions)
        axes[0].figure.suptitle(f"one perceptron: $w_1 = {w[0]:.2f}$, $w_2 = {w[1]:.2f}$, "
                                f"$\\theta = {theta:.2f}$")
        describe(axes[0].figure, f"One perceptron, w1 = {number(w[0])}, w2 = {number(w[1])}, "
                                 f"θ = {number(theta)}, over the gates {', '.join(gates)}.")
    else:
        describe(axes[0].figure, f"A perceptron per gate: {', '.join(gates)}.")
    return axes


def _marker_path(marker):
    """The Path that ``scatter(marker=marker)`` draws (a collection can take one per point)."""
    style = MarkerStyle(marker)
    return style.get_path().transformed(style.get_transform())


def _by_gid(artists, gid):
    """The first artist with this gid, or None."""
    return next((a for a in artists if a.get_gid() == gid), None)


def gate_panels_live(w, theta, gates=GATE_NAMES):
    """:func:`gate_panels` for one perceptron (w, theta), as a figure updated in place by sliders.

    Lecture: the perceptron's decision line w_1 x_1 + w_2 x_2 = θ (slide "The Perceptron"), the
    same line over every gate. A move redraws only the shading, the points above it, the lines,
    the circles around wrong outputs and the titles, over a cached picture of the rest (see
    :class:`mlpcourse.widgets.LiveFigure`). The title is plain Unicode (w₁, θ) instead of the
    static plot's mathtext, which would be parsed anew on every move. The legend is the one drawn
    at the defaults.

    Parameters
    ----------
    w : array of shape (2,), the weights at the sliders' defaults
    theta : float, the threshold θ at its slider's default
    gates : gate names, one panel each

    Returns
    -------
    (fig, update) where ``update(w, theta)`` (w of shape (2,), theta a float) redraws the panels
    and returns the artists it changed
    """
    w, theta = _check_weights(w, theta, 2)
    axes = gate_panels((w, theta), gates)
    fig = axes[0].figure
    panels = []
    for gate, ax in zip(gates, axes, strict=True):
        X, y = logic_gate(gate)
        line = _by_gid(ax.lines, "decision_line")
        wrong = _by_gid(ax.collections, "misclassified")
        if line is None or wrong is None:  # not drawn at the defaults: added, hidden until needed
            if line is None:
                (line,) = ax.plot([], [], **_LINE_STYLE)
            if wrong is None:
                wrong = ax.scatter(X[:, 0], X[:, 1], **_WRONG_STYLE)
            if ax.get_legend() is not None:  # the last panel: the legend must list them too
                _finish(ax, *ax.get_xlim(), ax.get_title(), legend=True)
        # The targets lie above the shading, so they are redrawn after it on every move: as one
        # scatter (per-point colours), drawn faster than the two of the static plot (by class).
        for scatter in ax.collections:
            if scatter.get_gid() == "targets":
                scatter.set_visible(False)
        colors = [COLORS["positive" if t == 1 else "negative"] for t in y]
        targets = ax.scatter(X[:, 0], X[:, 1], color=colors, **_TARGET_STYLE)
        targets.set_paths([_marker_path(CLASS_MARKERS[int(t)]) for t in y])  # shape by target
        panels.append((gate, X, y, _by_gid(ax.images, "region"), line, wrong, targets, ax.title))
    lo, hi = axes[0].get_xlim()
    resolution = panels[0][3].get_array().shape[0]
    shades = panels[0][3].to_rgba(np.array([0.0, 1.0]), bytes=True)  # o = 0, o = 1 as RGBA
    suptitle = fig.suptitle(fig.get_suptitle())  # the Text object, to change in place
    ax_of = dict(zip(gates, axes, strict=True))

    def update(w, theta):
        w, theta = _check_weights(w, theta, 2)
        # coloured here once, not by each image on every draw: the same pixels, 15 % faster
        region = shades[_region(lambda P: P @ w > theta, lo, hi, resolution).astype(np.intp)]
        ends = _line_points(w, theta, lo, hi)
        changed = []
        for gate, X, y, image, line, wrong, targets, title in panels:
            image.set_data(region)
            line.set_visible(ends is not None)
            if ends is not None:
                line.set_data(*ends)
            o = perceptron_output(X, w, theta)
            mistakes = o != y
            wrong.set_offsets(X[mistakes])
            wrong.set_visible(bool(mistakes.any()))
            title.set_text(f"{gate.upper()}: {_verdict(int(mistakes.sum()))}")
            _describe_plane(ax_of[gate], title.get_text(),
                            f"the decision line {_said(w, theta)}" if ends is not None
                            else "no decision line (both weights are 0)", X, y, o)
            changed += [image, line, wrong, targets, title]
        text = f"one perceptron: w₁ = {w[0]:.2f}, w₂ = {w[1]:.2f}, θ = {theta:.2f}"
        suptitle.set_text(text.replace("-", "\N{MINUS SIGN}"))  # as mathtext writes it
        describe(fig, f"One perceptron, w1 = {number(w[0])}, w2 = {number(w[1])}, "
                      f"θ = {number(theta)}, over the gates {', '.join(gates)}.")
        return [*changed, suptitle]

    return fig, update


def errors_per_epoch(results, ax=None, title="Perceptron learning rule"):
    """Mistakes made in each epoch of ``train_perceptron`` (0 means converged).

    Parameters
    ----------
    results : a PerceptronResult or a dict label -> PerceptronResult
    ax : matplotlib Axes (a new one if None)
    title : axes title

    Returns
    -------
    matplotlib Axes
    """
    if isinstance(results, PerceptronResult):
        results = {"training": results}
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 3.2))
    for i, ((label, result), color) in enumerate(zip(results.items(), COLORS["classes"],
                                                     strict=False)):
        epochs = np.arange(1, result.epochs_run + 1)
        note = (f"no mistakes in epoch {result.epochs_run}" if result.converged
                else f"mistakes in all {result.epochs_run} epochs")
        ax.plot(epochs, result.errors, marker=CLASS_MARKERS[i % len(CLASS_MARKERS)],
                linestyle=LINE_STYLES[i % len(LINE_STYLES)], markersize=4, color=color,
                gid="errors", label=f"{label}: {note}")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=-0.2)
    ax.set_xlabel("epoch")
    ax.set_ylabel("mistakes in the epoch")
    ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0))
    if title:
        ax.set_title(title)
    runs = "; ".join(
        f"{label}: {', '.join(str(int(e)) for e in result.errors)}"
        + (f" (no mistakes in epoch {result.epochs_run})" if result.converged
           else " (never without mistakes)")
        for label, result in results.items())
    describe(ax, f"{plain(title) + ': ' if title else ''}mistakes in each epoch of the perceptron "
                 f"learning rule, {runs}")
    return ax


def line_history(result: PerceptronResult, X, y, ax=None, title=None):
    """The decision line before training and after every epoch (light to dark), over the samples.

    Parameters
    ----------
    result : PerceptronResult from ``train_perceptron`` on 2-input data
    X : (m, 2) the training samples
    y : (m,) their targets 0/1
    ax : matplotlib Axes (a new one if None)
    title : axes title

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(result, PerceptronResult):
        raise TypeError(f"result must be a PerceptronResult; got {type(result).__name__}")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 3.6))
    ax = decision_line(result.w, result.theta, X, y, ax=ax, title=title, legend=False)
    lo, hi = ax.get_xlim()
    n = len(result.theta_history)
    for k, (w, theta) in enumerate(zip(result.w_history[:-1], result.theta_history[:-1],
                                       strict=True)):
        line = _line_points(w, theta, lo, hi)
        if line is not None:
            ax.plot(*line, color=COLORS["highlight"], alpha=0.3 + 0.6 * k / max(n - 1, 1),
                    linewidth=1.3, linestyle="--", gid="weight_history",
                    label="earlier epochs" if k == 0 else None)
    _finish(ax, lo, hi, title, legend=True)
    _describe_plane(ax, title, f"the decision line before training and after each of "
                               f"{n - 1} epochs (dashed, lighter for earlier ones), ending at "
                               f"{_said(result.w, result.theta)}", np.asarray(X),
                    y, perceptron_output(np.asarray(X), result.w, result.theta))
    return ax


def hidden_lines(net: Network, X, y, ax=None, title=None, lim=(-0.5, 1.5), legend=True):
    """A network with 2 inputs and one output: its o = 1 region shaded, one line per neuron of
    the first hidden layer (W[1][i] . x + b[1][i] = 0, i.e. w . x = theta with theta = -b), and
    the samples by target, wrong outputs circled.

    Parameters
    ----------
    net : Network with 2 inputs and 1 output (output > 0.5 counts as 1)
    X : (m, 2) samples
    y : (m,) targets 0/1
    ax : matplotlib Axes (a new one if None)
    title : axes title
    lim : (low, high) limits of both axes
    legend : whether to draw a legend

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a mlpcourse.Network; got {type(net).__name__}")
    if net.sizes[0] != 2 or net.sizes[-1] != 1:
        raise ValueError(f"net must have 2 inputs and 1 output to be drawn in the plane; got "
                         f"sizes {net.sizes}")
    X = np.asarray(X, dtype=np.float64)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.4, 3.4))
    lo, hi = lim

    def output(P):
        return forward(net, P)[0][:, 0] > 0.5

    _shade(ax, output, lo, hi)
    for i, (w, b) in enumerate(zip(net.W[1], net.b[1], strict=True)):
        line = _line_points(w, -b, lo, hi)
        if line is not None:
            ax.plot(*line, color=COLORS["classes"][2 + i % 8], linewidth=1.8, gid="hidden_line",
                    linestyle=LINE_STYLES[i % len(LINE_STYLES)],
                    label=f"hidden {i + 1}: ${_equation(w, -b)}$")
    o = output(X).astype(int)
    _points(ax, X, y, o)
    _finish(ax, lo, hi, title, legend, region_label="network output 1")
    lines = "; ".join(f"hidden neuron {i + 1}'s line {_said(w, -b)}"
                      for i, (w, b) in enumerate(zip(net.W[1], net.b[1], strict=True)))
    _describe_plane(ax, title, lines, X, y, o, side="the network outputs 1")
    return ax
