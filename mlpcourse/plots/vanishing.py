"""Plots for the lecture's "Vanishing gradient" slides: gradient norms per layer (log scale) for
several activations, the first layer's gradient against depth, pre-activation histograms over g'
(saturation), a two-panel explorer for the sliders, and a short training comparison.

The numbers come from :mod:`mlpcourse.diagnostics`; these functions only draw them. Each hidden
activation keeps one colour in every plot (sigmoid vermillion, tanh orange, ReLU blue, softmax
pink), its ``color`` in the activation registry (``mlpcourse.activations``).
"""

from __future__ import annotations

from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.ticker import FuncFormatter, LogLocator, NullLocator

from .. import diagnostics
from .._validation import choice, describe, positive_float, positive_int
from ..activations import ACTIVATIONS, column
from .activations import _freeze_layout, _label_as_text
from .alt_text import describe as describe_plot
from .alt_text import number, plain
from .style import CLASS_MARKERS, COLORS, LINE_STYLES

ACTIVATION_COLORS = column("color")  # {name: colour}, read live from the activation registry

_GRADIENT_LABELS = {
    "W": r"$\|\partial L / \partial W^{(l)}\|$",
    "b": r"$\|\partial L / \partial b^{(l)}\|$",
    "delta": r"$\|\delta^{(l)}\|$",
}


def _marker(i: int) -> str:
    """Marker of the i-th curve: curves differ in shape too, not only in colour."""
    return CLASS_MARKERS[i % len(CLASS_MARKERS)]


def _color(label: str, i: int) -> str:
    """The activation's colour when ``label`` starts with an activation name, else the i-th class
    colour."""
    head = str(label).replace("(", " ").split()[0] if str(label).strip() else ""
    return ACTIVATION_COLORS.get(head, COLORS["classes"][i % len(COLORS["classes"])])


def _check_mapping(name: str, value) -> Mapping:
    if not isinstance(value, Mapping) or len(value) == 0:
        raise TypeError(f"{name} must be a non-empty dict label -> values; got {describe(value)}")
    return value


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _decade_label(value, _position=None) -> str:
    """"10⁻³" for a tick at 0.001, "" between decades: plain Unicode, as cheap to draw as any label
    (the default "$10^{-3}$" is mathtext, parsed again on every redraw)."""
    exponent = np.log10(value) if value > 0 else np.nan
    if not np.isfinite(exponent) or abs(exponent - round(exponent)) > 1e-6:
        return ""
    return "10" + str(round(exponent)).translate(_SUPERSCRIPTS)


def _log_y(ax) -> None:
    """A log y axis with major ticks only: minor ticks over many decades cost much drawing time."""
    ax.set_yscale("log")
    ax.yaxis.set_major_locator(LogLocator(numticks=8))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.yaxis.set_major_formatter(FuncFormatter(_decade_label))


def _positive(values):
    """Values as floats with zeros (not drawable on a log axis) turned into NaN gaps."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(values > 0, values, np.nan)


def _ends(values, unit: str) -> str:
    """'from 3×10^−5 at layer 1 to 0.02 at layer 10' over the finite positive values."""
    values = np.asarray(values, dtype=float)
    index = np.flatnonzero(np.isfinite(values) & (values > 0))
    if index.size == 0:
        return "no positive value"
    first, last = index[0], index[-1]
    return (f"from {number(values[first], 2)} at {unit} {first + 1} to {number(values[last], 2)} "
            f"at {unit} {last + 1}")


def _describe_norms(ax, norms, title):
    lines = "; ".join(f"{plain(label)} {_ends(values, 'layer')}" for label, values in norms.items())
    describe_plot(ax, f"{plain(title) + ': ' if title else ''}gradient size per layer on a "
                      f"logarithmic axis, layer 1 next to the input: {lines}")


def layer_norms(norms, ax=None, ylabel=_GRADIENT_LABELS["W"], title=None, reference=None):
    """Gradient norm of every layer l = 1..L on a log scale, one line per network (lecture:
    "Vanishing gradient": the gradients shrink from the output back to the input).

    Parameters
    ----------
    norms : dict label -> array of shape (L,) (entry l - 1 is layer l), e.g. from
        ``diagnostics.gradient_norms``; labels starting with an activation name get its colour
    ax : matplotlib Axes (a new one if None)
    ylabel, title : axis label and optional title
    reference : optional dict label -> array of shape (L,), drawn as dashed grey lines (a bound)

    Returns
    -------
    matplotlib Axes
    """
    _check_mapping("norms", norms)
    if ax is None:
        _, ax = plt.subplots()
    for i, (label, values) in enumerate(norms.items()):
        values = _positive(values)
        ax.plot(np.arange(1, values.size + 1), values, marker=_marker(i), markersize=4,
                color=_color(label, i), label=label)
    for j, (label, values) in enumerate((reference or {}).items()):
        values = _positive(values)
        ax.plot(np.arange(1, values.size + 1), values, linestyle=("--", ":", "-.")[j % 3],
                color="#000000", linewidth=1.2, label=label)
    _log_y(ax)
    ax.set_xlabel("layer $l$ (1 = next to the input, $L$ = output)")
    ax.set_ylabel(ylabel)
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend(fontsize=9)
    if title:
        ax.set_title(title)
    _describe_norms(ax, norms, title)
    return ax


def depth_curves(sweeps, ax=None, which="first", ylabel=None, title=None):
    """The first layer's gradient norm against the depth L, log scale, one line per activation
    (lecture: "as the network's depth increases").

    Parameters
    ----------
    sweeps : dict label -> ``diagnostics.DepthSweep``
    ax : matplotlib Axes (a new one if None)
    which : "first" (layer 1) or "last" (the output layer L)
    ylabel, title : optional axis label and title

    Returns
    -------
    matplotlib Axes
    """
    _check_mapping("sweeps", sweeps)
    if which not in ("first", "last"):
        raise ValueError(f"which must be 'first' or 'last'; got {which!r}")
    if ax is None:
        _, ax = plt.subplots()
    for i, (label, sweep) in enumerate(sweeps.items()):
        if not isinstance(sweep, diagnostics.DepthSweep):
            raise TypeError(f"sweeps[{label!r}] must be a DepthSweep; got {describe(sweep)}")
        ax.plot(sweep.depths, _positive(getattr(sweep, which)), marker=_marker(i), markersize=4,
                color=_color(label, i), label=label)
    _log_y(ax)
    ax.set_xlabel("depth $L$ (layers with weights)")
    ax.set_ylabel(ylabel or (r"$\|\partial L / \partial W^{(1)}\|$" if which == "first"
                             else r"$\|\partial L / \partial W^{(L)}\|$"))
    ax.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    ax.legend(fontsize=9)
    if title:
        ax.set_title(title)
    where = "first layer" if which == "first" else "output layer"
    lines = "; ".join(
        f"{plain(label)} from {number(getattr(sweep, which)[0], 2)} at depth {sweep.depths[0]} "
        f"to {number(getattr(sweep, which)[-1], 2)} at depth {sweep.depths[-1]}"
        for label, sweep in sweeps.items())
    describe_plot(ax, f"{plain(title) + ': ' if title else ''}the {where}'s gradient size against "
                      f"the depth L on a logarithmic axis: {lines}")
    return ax


def _ramp(base, k: int) -> list:
    """k shades of ``base`` from light (mixed with white) to dark (mixed with black)."""
    rgb = np.array(to_rgb(base))
    t = np.linspace(-0.55, 0.45, k) if k > 1 else np.zeros(1)
    return [tuple(rgb + (1 - rgb) * -s if s < 0 else rgb * (1 - s)) for s in t]


def _default_layers(n_hidden: int) -> list[int]:
    return sorted({1, (n_hidden + 1) // 2, n_hidden})


_JACOBIAN = "softmax: g' is a Jacobian\n(no curve of z alone)"


def _z_range(sat, layers) -> tuple[float, float]:
    """Symmetric, covering 99.5% of the layers' pre-activations, at least [-5, 5]."""
    values = np.concatenate([np.ravel(sat.z[l - 1]) for l in layers])
    edge = max(5.0, float(np.percentile(np.abs(values), 99.5)) * 1.05)
    return (-edge, edge)


def _layer_colors(sat, layers) -> list:
    """Shades of the activation's colour, light for the first layer drawn, dark for the last."""
    base = ACTIVATION_COLORS.get(sat.activations[layers[0] - 1], COLORS["positive"])
    return _ramp(base, len(layers))


def _histograms(sat, layers, bins, z_range) -> list:
    """(height, edges) of each layer's pre-activations, arrays of shape (bins,) and (bins + 1,);
    densities scaled so that the tallest bin of all the layers is 1 (a fixed y axis)."""
    drawn = [np.histogram(np.ravel(sat.z[l - 1]), bins=bins, range=z_range, density=True)
             for l in layers]
    tallest = max(max(float(np.max(density)) for density, _ in drawn), 1e-300)
    return [(density / tallest, edges) for density, edges in drawn]


def _layer_label(sat, l: int) -> str:
    return f"layer {l}: {100 * sat.fraction[l - 1]:.0f}% saturated"


def saturation_histograms(sat, layers=None, ax=None, bins=50, z_range=None, title=None):
    """Histograms of the pre-activations z of some hidden layers, drawn over g'(z) (lecture,
    Sigmoid: "saturation, where gradients are almost zero for large positive or negative inputs").
    Densities are scaled so that the tallest bin is 1: the shapes matter here, not the units.

    Parameters
    ----------
    sat : ``diagnostics.Saturation``
    layers : hidden layer numbers to draw (default: the first, middle and last hidden layer)
    ax : matplotlib Axes for the histograms (a new one if None); g' goes on a twin axis
    bins : histogram bins
    z_range : (low, high) of the z axis (default: symmetric, covering 99% of the values, at
        least [-5, 5])
    title : optional title

    Returns
    -------
    matplotlib Axes (the histogram axes)
    """
    if not isinstance(sat, diagnostics.Saturation):
        raise TypeError(f"sat must be a Saturation from diagnostics.saturation; got "
                        f"{describe(sat)}")
    n_hidden = len(sat.z)
    layers = _default_layers(n_hidden) if layers is None else [int(l) for l in layers]
    if not layers or min(layers) < 1 or max(layers) > n_hidden:
        raise ValueError(f"layers must be hidden layer numbers from 1 to {n_hidden}; got {layers}")
    if ax is None:
        _, ax = plt.subplots()
    if z_range is None:
        z_range = _z_range(sat, layers)
    for color, l, (density, edges) in zip(_layer_colors(sat, layers), layers,
                                          _histograms(sat, layers, bins, z_range), strict=True):
        ax.stairs(density, edges, fill=True, alpha=0.25, color=color)
        ax.stairs(density, edges, linewidth=1.4, color=color, label=_layer_label(sat, l))
    ax.set_xlim(z_range)
    ax.set_ylim(0, 1.5)  # the tallest bin is 1; the legend sits above it
    ax.set_xlabel("pre-activation $z$")
    ax.set_ylabel("frequency of $z$ (tallest bin = 1)")
    name = sat.activations[layers[0] - 1]
    twin = ax.twinx()
    twin.grid(False)
    twin.spines["right"].set_visible(True)
    if ACTIVATIONS[name].derivative is not None:
        grid = np.linspace(*z_range, 801)
        twin.plot(grid, ACTIVATIONS[name].derivative(grid), color=COLORS["derivative"]
                  if name != "softmax" else "#000000", linewidth=2, label=f"{name}'(z)")
        twin.set_ylabel(f"{name}'(z)", color=COLORS["derivative"])
        twin.set_ylim(0, diagnostics.MAX_DERIVATIVE[name] * 1.1 or 1.0)
    else:  # softmax: ∂a_i/∂z_i depends on the whole layer, not on z_i alone
        twin.set_yticks([])
        twin.text(0.98, 0.95, _JACOBIAN, transform=twin.transAxes, ha="right", va="top",
                  fontsize=8)
    handles, labels = ax.get_legend_handles_labels()
    handles2, labels2 = twin.get_legend_handles_labels()
    ax.legend(handles + handles2, labels + labels2, fontsize=9, loc="upper left")
    if title:
        ax.set_title(title)
    _describe_histograms(ax, sat, layers, z_range, name, title)
    return ax


def _describe_histograms(ax, sat, layers, z_range, name, title):
    shares = ", ".join(f"layer {l} {100 * sat.fraction[l - 1]:.0f}%" for l in layers)
    over = (f"drawn over {name}'(z)" if ACTIVATIONS[name].derivative is not None
            else "(softmax has a Jacobian, no curve g'(z))")
    describe_plot(ax, f"{plain(title) + ': ' if title else ''}histograms of the pre-activations z "
                      f"of hidden layers {', '.join(map(str, layers))} over z from "
                      f"{number(z_range[0], 2)} to {number(z_range[1], 2)}, {over}; saturated "
                      f"share: {shares}")


def _panel_title(activation, init, gain, depth, w) -> str:
    ratio = w[0] / w[-1] if w[-1] > 0 else np.nan
    return f"{activation}, {init} x {gain:g}, L = {depth}: layer 1 / layer L = {ratio:.1e}"


def _describe_panel(fig, activation, init, gain, depth, w):
    ratio = w[0] / w[-1] if w[-1] > 0 else np.nan
    describe_plot(fig, f"A freshly initialised network of depth L = {depth} with {activation} "
                       f"hidden layers, {init} initialisation times {number(gain)}: the first "
                       f"layer's gradient is {number(ratio, 2)} times the last layer's.")


def vanishing_panel(X, y, depth=10, activation="sigmoid", gain=1.0, init="xavier", width=32,
                    rng=0, loss="binary_cross_entropy", figsize=(9.5, 3.6)):
    """The sliders' figure: for one freshly initialised deep network, the per-layer gradient
    norms (left) and the saturation histograms of its hidden layers (right).

    Parameters
    ----------
    X : array of shape (m, n_0); y : targets (one sigmoid output)
    depth, activation, gain, init, width, rng : as in ``diagnostics.deep_network``
    loss : loss name
    figsize : figure size in inches

    Returns
    -------
    matplotlib Figure
    """
    X = np.asarray(X)
    net = diagnostics.deep_network(depth, width, activation, init, gain, n_in=X.shape[-1],
                                   rng=rng)
    w = diagnostics.gradient_norms(net, X, y, loss=loss, per_weight=True)
    d = diagnostics.gradient_norms(net, X, y, loss=loss, of="delta", per_weight=True)
    fig, (left, right) = plt.subplots(1, 2, figsize=figsize)
    layer_norms({r"RMS of $\partial L/\partial W^{(l)}$": w, r"RMS of $\delta^{(l)}$": d},
                ax=left, ylabel="gradient size (root mean square)")
    left.lines[0].set_color(ACTIVATION_COLORS.get(activation, COLORS["positive"]))
    left.lines[1].set_color(COLORS["neutral"])
    left.legend(fontsize=9)
    left.set_title(_panel_title(activation, init, gain, depth, w), fontsize=10)
    if depth > 1:
        saturation_histograms(diagnostics.saturation(net, X), ax=right,
                              title="pre-activations of hidden layers")
    else:
        right.set_axis_off()
        right.text(0.5, 0.5, "no hidden layer (L = 1)", ha="center", va="center")
        describe_plot(right, "no hidden layer (L = 1): no histogram")
    _describe_panel(fig, activation, init, gain, depth, w)
    return fig


def vanishing_panel_live(X, y, depth=10, activation="sigmoid", gain=1.0, init="xavier", width=32,
                         rng=0, loss="binary_cross_entropy", figsize=(9.5, 3.6), max_depth=20):
    """:func:`vanishing_panel` as a figure updated in place, for sliders on the depth, the
    activation, the initialisation and its gain (lecture: "Vanishing gradient").

    The layer axis covers 1..``max_depth`` (the depth slider's range) so that it stays put. A move
    recomputes the network (same seed) and redraws the norms and their log axis, the histograms,
    their z axis and legend, g' and the titles, over a cached picture of the rest (see
    :class:`mlpcourse.widgets.LiveFigure`). A new activation (the g' axis) or other legend entries
    (L = 2 or 3, softmax) come with new artists, so the cached picture is made again once.

    Parameters
    ----------
    X : array of shape (m, n_0); y : targets (one sigmoid output)
    depth : int in [2, max_depth] (the panel shows hidden layers), the depth slider's default
    activation, gain, init : the defaults of their controls, as in ``diagnostics.deep_network``
    width, rng, loss, figsize : as in :func:`vanishing_panel`, fixed for every move
    max_depth : int, the largest depth the slider gives

    Returns
    -------
    (fig, update) where ``update(depth, activation, init, gain)`` returns the artists it changed
    """
    X = np.asarray(X)
    max_depth = _check_live_depth(max_depth, "max_depth", 10**6)
    _check_live_depth(depth, "depth", max_depth)
    fig = vanishing_panel(X, y, depth, activation, gain, init, width, rng, loss, figsize)
    left, right, twin = fig.axes
    left.set_xlim(0.5, max_depth + 0.5)
    line_w, line_d = left.lines
    # three (filled, outline) histogram slots: first, middle and last hidden layer
    slots = list(zip(right.patches[0::2], right.patches[1::2], strict=True))
    while len(slots) < 3:
        slots.append((right.stairs([0.0], [0.0, 1.0], fill=True, alpha=0.25, visible=False),
                      right.stairs([0.0], [0.0, 1.0], linewidth=1.4, visible=False)))
    curve = twin.lines[0] if twin.lines else twin.plot([], [], linewidth=2, visible=False)[0]
    jacobian = twin.texts[0] if twin.texts else twin.text(
        0.98, 0.95, _JACOBIAN, transform=twin.transAxes, ha="right", va="top", fontsize=8,
        visible=False)
    _freeze_layout(fig)
    for axis in (left.yaxis, right.xaxis):
        _label_as_text(axis)  # a static label: only the ticks move
    # the g' axis changes with the activation only: it stays in the cached picture, and a new
    # label (a new artist) makes the LiveFigure draw that picture again
    state = {"entries": _legend_entries(depth, activation), "activation": activation,
             "label": _label_as_text(twin.yaxis)}

    def update(depth, activation, init, gain):
        depth = _check_live_depth(depth, "depth", max_depth)
        choice("activation", activation, ACTIVATIONS)
        gain = positive_float("gain", gain)
        net = diagnostics.deep_network(depth, width, activation, init, gain, n_in=X.shape[-1],
                                       rng=rng)
        w = diagnostics.gradient_norms(net, X, y, loss=loss, per_weight=True)
        d = diagnostics.gradient_norms(net, X, y, loss=loss, of="delta", per_weight=True)
        sat = diagnostics.saturation(net, X)
        layer = np.arange(1, depth + 1)
        line_w.set_data(layer, _positive(w))
        line_w.set_color(ACTIVATION_COLORS.get(activation, COLORS["positive"]))
        line_d.set_data(layer, _positive(d))
        left.relim()
        left.autoscale_view(scalex=False)  # the log axis follows the norms, as in the static plot
        left.title.set_text(_panel_title(activation, init, gain, depth, w))
        _describe_panel(fig, activation, init, gain, depth, w)
        _describe_norms(left, {"RMS of ∂L/∂W(l)": w, "RMS of δ(l)": d}, None)

        layers = _default_layers(depth - 1)
        z_range = _z_range(sat, layers)
        drawn = zip(layers, _layer_colors(sat, layers), _histograms(sat, layers, 50, z_range),
                    strict=True)
        for (filled, outline), (l, color, (height, edges)) in zip(slots, drawn, strict=False):
            for stairs in (filled, outline):
                stairs.set_data(height, edges)
                stairs.set_color(color)
                stairs.set_visible(True)
            outline.set_label(_layer_label(sat, l))
        for slot in slots[len(layers):]:
            for stairs in slot:
                stairs.set_visible(False)
        right.set_xlim(z_range)
        _describe_histograms(right, sat, layers, z_range, activation,
                             "pre-activations of hidden layers")

        has_curve = ACTIVATIONS[activation].derivative is not None
        curve.set_visible(has_curve)
        jacobian.set_visible(not has_curve)
        if has_curve:
            grid = np.linspace(*z_range, 801)
            curve.set_data(grid, ACTIVATIONS[activation].derivative(grid))
            curve.set_color(COLORS["derivative"])
            curve.set_label(f"{activation}'(z)")
        if activation != state["activation"]:
            state["activation"] = activation
            if has_curve:
                twin.yaxis.set_major_locator(plt.AutoLocator())
                twin.set_ylim(0, diagnostics.MAX_DERIVATIVE[activation] * 1.1)
            else:
                twin.set_yticks([])
            old = state["label"]
            state["label"] = twin.text(*old.get_position(), f"{activation}'(z)" * has_curve)
            state["label"].update_from(old)
            state["label"].set_rotation_mode(old.get_rotation_mode())
            old.remove()
            old.set_visible(False)  # the LiveFigure still lists it: hidden, it is skipped
            left.get_legend().legend_handles[0].set_color(line_w.get_color())

        entries = [outline for _, outline in slots if outline.get_visible()]
        entries += [curve] * has_curve
        legend = right.get_legend()
        if _legend_entries(depth, activation) != state["entries"]:  # a new legend
            state["entries"] = _legend_entries(depth, activation)
            legend.set_visible(False)  # as above
            legend = right.legend(entries, [e.get_label() for e in entries], fontsize=9,
                                  loc="upper left")
        for text, handle, entry in zip(legend.texts, legend.legend_handles, entries, strict=True):
            text.set_text(entry.get_label())
            handle.set_color(entry.get_edgecolor() if entry is not curve else curve.get_color())
        return [line_w, line_d, left.title, left.yaxis, *[s for slot in slots for s in slot],
                right.xaxis, legend, curve, jacobian, state["label"]]

    return fig, update


def _check_live_depth(depth, name: str, most: int) -> int:
    depth = positive_int(name, depth)
    if not 2 <= depth <= most:
        raise ValueError(f"{name} must be from 2 (the panel shows hidden layers) to {most}; "
                         f"got {depth}")
    return depth


def _legend_entries(depth: int, activation: str) -> tuple[int, bool]:
    """What the histogram legend lists: how many layers, and whether there is a g' curve."""
    return len(_default_layers(depth - 1)), ACTIVATIONS[activation].derivative is not None


def training_comparison(runs, axes=None, figsize=(9.5, 3.4)):
    """Training loss per epoch (left) and how far each layer's weights moved (right) for a few
    networks trained the same way (lecture: vanishing gradients make "it difficult for the network
    to learn effectively").

    Parameters
    ----------
    runs : dict label -> (net_before, net_after, history) with ``history`` from ``mlpcourse.fit``
    axes : two matplotlib Axes (new ones if None)
    figsize : figure size when new axes are made

    Returns
    -------
    the two Axes
    """
    _check_mapping("runs", runs)
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=figsize)
    left, right = axes
    for i, (label, run) in enumerate(runs.items()):
        if not isinstance(run, tuple | list) or len(run) != 3:
            raise TypeError(f"runs[{label!r}] must be (net_before, net_after, history); got "
                            f"{describe(run)}")
        before, after, history = run
        color = _color(label, i)
        left.plot(np.arange(1, len(history.train_loss) + 1), history.train_loss, color=color,
                  linestyle=LINE_STYLES[i % len(LINE_STYLES)], label=label)
        change = _positive(diagnostics.weight_change(before, after))
        right.plot(np.arange(1, change.size + 1), change, marker=_marker(i), markersize=4,
                   color=color, label=label)
    left.set_xlabel("epoch")
    left.set_ylabel("training loss")
    left.legend(fontsize=9)
    _log_y(right)
    right.set_xlabel("layer $l$")
    right.set_ylabel("relative change of $W^{(l)}$")
    right.xaxis.set_major_locator(plt.MaxNLocator(integer=True))
    right.legend(fontsize=9)
    losses, changes = [], []
    for label, (before, after, history) in runs.items():
        loss = np.asarray(history.train_loss, dtype=float)
        losses.append(f"{plain(label)} from {number(loss[0], 2)} to {number(loss[-1], 2)}")
        changes.append(f"{plain(label)} {_ends(diagnostics.weight_change(before, after), 'layer')}")
    describe_plot(left, f"training loss per epoch: {'; '.join(losses)}")
    describe_plot(right, f"relative change of each layer's weights during training, logarithmic "
                         f"axis: {'; '.join(changes)}")
    return axes
