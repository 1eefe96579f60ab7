"""Network diagrams: neurons in columns, one edge per weight (lecture: "Feed-forward network
structure"), with the forward-pass values or the backpropagated gradients written on them.

``draw_network(net)`` draws every neuron of every layer as a circle and every weight
``W[l][i, j]`` (the lecture's w_ij^(l), from neuron j of layer l-1 into neuron i of layer l) as a
line coloured by its sign and as wide as its size. Small networks get their numbers written on the
picture; large ones (up to e.g. 64-16-10) stay readable as thin lines without labels.

The artists carry a ``gid`` so that tests and lessons can find them: ``"neurons"`` (one
PatchCollection, a circle per neuron), ``"edges"`` (one LineCollection, a segment per weight),
and texts ``"symbol"``, ``"value"``, ``"bias"``, ``"edge_label"``, ``"layer_title"``.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Circle

from .._validation import as_array, describe, positive_int
from ..network import Gradients, Network, forward
from .alt_text import describe as describe_plot
from .alt_text import numbers, plain
from .style import COLORS

MAX_EDGE_LABELS = 40  # more edges than this: no numbers on the edges (they would overlap)
MAX_LABELLED_LAYER = 10  # wider layers: no symbols or values inside the neurons
RADIUS = 0.38  # neuron radius in data units (neighbours in a column are >= 1 unit apart)
PIXELS_PER_UNIT = 80  # figure scale when draw_network makes its own figure
MIN_LABEL_SCALE = 0.6  # below this fraction of PIXELS_PER_UNIT, edge labels are dropped
MIN_FONT_SCALE = 0.75  # text never shrinks below 75 % of its size (9 pt edge labels: 6.75 pt)
_LABEL_BOX = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.85}


def layer_titles(L: int) -> list[str]:
    """Column titles "input", "hidden 1", ..., "hidden L-1", "output" for a network of L layers."""
    L = positive_int("L", L)
    return ["input", *(f"hidden {l}" for l in range(1, L)), "output"]


def network_layout(sizes, dx=None, spacing=1.0) -> list[np.ndarray]:
    """Centres of the neurons: layer l in the column x = l * dx, neurons spread vertically.

    Parameters
    ----------
    sizes : [n_0, n_1, ..., n_L], the width of each layer (``net.sizes``)
    dx : horizontal distance between layers; default grows with the widest layer so that large
        networks come out roughly 1.4 times wider than tall
    spacing : vertical distance between neighbouring neurons of a layer

    Returns
    -------
    list of L + 1 arrays; entry l has shape (n_l, 2) (x, y), neuron 1 at the top, each column
    centred on y = 0
    """
    if isinstance(sizes, str) or not hasattr(sizes, "__len__") or len(sizes) < 2:
        raise ValueError(f"sizes must list at least two layer widths; got {describe(sizes)}")
    sizes = [positive_int(f"sizes[{l}]", n) for l, n in enumerate(sizes)]
    L = len(sizes) - 1
    if dx is None:
        dx = max(2.6, 1.4 * spacing * (max(sizes) - 1) / L)
    return [np.column_stack([np.full(n, l * dx), spacing * ((n - 1) / 2 - np.arange(n))])
            for l, n in enumerate(sizes)]


_SUB = str.maketrans("0123456789()", "₀₁₂₃₄₅₆₇₈₉₍₎")
_SUP = str.maketrans("0123456789()", "⁰¹²³⁴⁵⁶⁷⁸⁹⁽⁾")


def neuron_symbol(l: int, i: int, sizes=None) -> str:
    """The lecture's name of neuron i (counted from 1) of layer l: x_i for l = 0, a_i^(l) for a
    hidden layer, and ŷ (one output) or ŷ_i for the output layer when ``sizes`` is given.

    Written with Unicode sub- and superscripts ("a₁⁽¹⁾") rather than mathtext: mathtext is parsed
    again for every new figure (about 10 ms a symbol), too slow for slider callbacks.
    """
    if l == 0:
        return "x" + str(i).translate(_SUB)
    if sizes is not None and l == len(sizes) - 1:
        return "ŷ" if sizes[-1] == 1 else "ŷ" + str(i).translate(_SUB)
    return "a" + str(i).translate(_SUB) + f"({l})".translate(_SUP)


def _single_sample_activations(net: Network, x):
    """a[0..L] for one sample (1-D arrays), from ``forward``; None when x is None."""
    if x is None:
        return None
    x_arr = as_array("x", x)
    n_in = net.sizes[0]
    if x_arr.shape not in ((n_in,), (1, n_in)):
        raise ValueError(f"x must be one sample of shape ({n_in},) for this network; got "
                         f"{describe(x_arr)}")
    _, cache = forward(net, x_arr.reshape(n_in))
    return cache.a


def _check_grads(net: Network, grads):
    if grads is None:
        return
    if not isinstance(grads, Gradients):
        raise TypeError(f"grads must be a mlpcourse.Gradients from backward(); got "
                        f"{describe(grads)}")
    for l in range(1, net.L + 1):
        if len(grads.W) != net.L + 1 or np.shape(grads.W[l]) != net.W[l].shape:
            got = [np.shape(g) for g in grads.W[1:]]
            want = [w.shape for w in net.W[1:]]
            raise ValueError(f"grads do not belong to this network: expected grads.W shapes "
                             f"{want}; got {got}")


def _fmt(value, digits):
    text = f"{value:.{digits}g}"
    return "0" if text in ("-0", "0") else text


def _sign_colors(values):
    """COLORS["positive"] for v > 0, COLORS["negative"] for v < 0, COLORS["neutral"] for 0."""
    palette = np.array([COLORS["negative"], COLORS["neutral"], COLORS["positive"]])
    return palette[np.sign(values).astype(int) + 1]


def _extent(sizes, label_edges, labelled, bias_line, has_values, legend):
    """Layout and data extent: (pos, r, (x_lo, x_hi, y_lo, y_hi)) for one labelling choice."""
    L = len(sizes) - 1
    spacing = 1.0 + (0.32 if bias_line else 0.0) + (0.12 if has_values and labelled else 0.0)
    # labels of edges from different sources sit in different columns: give them room
    dx = max(2.6, 1.6 * (max(sizes[:-1]) - 1) + 0.2) if label_edges else None
    pos = network_layout(sizes, dx=dx, spacing=spacing)
    dx = pos[1][0, 0]
    top = spacing * (max(sizes) - 1) / 2
    r = RADIUS if labelled else min(RADIUS, 0.4 * spacing)
    margin = r + max(0.5, 0.07 * L * dx)  # room for the column titles
    y_lo = -top - r - (0.4 if bias_line else 0.15) - (0.35 if legend else 0.0)
    return pos, r, (-margin, L * dx + margin, y_lo, top + r + 0.45)


def _new_axes(extent, scale, titled):
    """A figure exactly the size of the drawing (no layout engine: it is fast to redraw)."""
    head = 0.3 if titled else 0.0  # inches for the title
    width = (extent[1] - extent[0]) * scale / 72
    height = (extent[3] - extent[2]) * scale / 72
    fig = plt.figure(figsize=(width, height + head), layout="none")
    return fig.add_axes((0.0, 0.0, 1.0, height / (height + head)))


def _points_per_unit(ax, extent, max_width=9.0, max_height=5.5):
    """Scale of the drawing in points per data unit: the course scale, or less if the drawing
    would not fit a laptop-sized figure (ax None) or the given Axes."""
    width, height = extent[1] - extent[0], extent[3] - extent[2]
    if ax is None:
        return min(PIXELS_PER_UNIT, 72 * max_width / width, 72 * max_height / height)
    box = ax.get_position(original=True)  # the room given, before an aspect shrank it
    fig_w, fig_h = ax.figure.get_size_inches()
    return min(72 * box.width * fig_w / width, 72 * box.height * fig_h / height)


def draw_network(net: Network, x=None, grads=None, ax=None, edge_labels=True, title=None, *,
                 show_bias=True, legend=True, digits=3, max_edge_labels=MAX_EDGE_LABELS):
    """Draw a feed-forward network: neurons in layers, every weight an edge.

    Lecture: "Feed-forward network structure" (each neuron is connected to every neuron of the
    next layer) and "Going forward" (with ``x``, the value a_i^(l) of every neuron is shown).

    Parameters
    ----------
    net : Network
    x : optional input of shape (n_0,) (or (1, n_0)); runs ``forward`` and writes each neuron's
        activation a_i^(l) (x_j for the inputs) inside its circle (layers of more than 10
        neurons: the circles are shaded by the value instead)
    grads : optional ``Gradients`` from ``backward``; the edges then show dL/dw (colour by the
        gradient's sign, width by its size) and the biases dL/db, instead of w and b
    ax : matplotlib Axes to draw into (a new figure sized to the network if None). Text shrinks
        with the Axes; a labelled 2-2-1 diagram needs about 4.2 x 2.2 inches of Axes, so put
        several diagrams in rows rather than side by side
    edge_labels : write the value on each edge. Skipped automatically when the network has more
        than ``max_edge_labels`` weights or the labels would not fit at a readable size
    title : optional axes title
    show_bias : write b_i^(l) (or dL/db_i^(l)) under each neuron of layers 1..L
    legend : add a legend for the edge colours
    digits : significant digits of the numbers written on the diagram
    max_edge_labels : largest number of weights that still get edge labels

    Returns
    -------
    matplotlib Axes. Neuron circles are one PatchCollection (gid "neurons", sum(net.sizes)
    circles, layer 0 first, neuron 1 of each layer at the top), the edges one LineCollection
    (gid "edges", one segment per weight in the order of ``W[l].ravel()``, l = 1..L).
    """
    if not isinstance(net, Network):
        raise TypeError(f"net must be a mlpcourse.Network; got {describe(net)}")
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None; got {describe(ax)}")
    if not isinstance(edge_labels, bool | np.bool_):
        raise TypeError(f"edge_labels must be True or False; got {describe(edge_labels)}")
    digits = positive_int("digits", digits)
    max_edge_labels = positive_int("max_edge_labels", max_edge_labels)
    a = _single_sample_activations(net, x)
    _check_grads(net, grads)

    sizes, L = net.sizes, net.L
    n_edges = sum(w.size for w in net.W[1:])
    labelled = max(sizes) <= MAX_LABELLED_LAYER
    label_edges = bool(edge_labels) and n_edges <= max_edge_labels
    bias_line = show_bias and labelled
    plan = (sizes, label_edges, labelled, bias_line, a is not None, legend)
    max_size = (9.0, 5.5) if labelled else (6.0, 3.8)  # inches; big nets: small PNGs
    pos, r, extent = _extent(*plan)
    scale = _points_per_unit(ax, extent, *max_size)
    if label_edges and scale < MIN_LABEL_SCALE * PIXELS_PER_UNIT:  # too small to read: drop
        label_edges = False
        pos, r, extent = _extent(sizes, False, *plan[2:])
        scale = _points_per_unit(ax, extent, *max_size)
    # text shrinks with the drawing (it must fit the circles and the gaps), but stays readable
    font = max(min(1.0, scale / PIXELS_PER_UNIT), MIN_FONT_SCALE)
    if ax is None:
        ax = _new_axes(extent, scale, bool(title))

    edge_values = grads.W if grads is not None else net.W
    ring = 1.2 if labelled else 0.6  # points
    # edges end 2 pt outside each circle's ring (half the ring's width beyond r), so that not
    # even their antialiased ends share a pixel with a neuron (at 72 dpi 1 pt would)
    _draw_edges(ax, pos, edge_values, L, label_edges or n_edges <= MAX_EDGE_LABELS,
                trim=r + (ring / 2 + 2.0) / scale)
    circles = PatchCollection([Circle(tuple(c), r) for c in np.vstack(pos)], zorder=3,
                              linewidths=ring, edgecolors="#333333")
    circles.set_facecolor(_node_colors(a, labelled, sum(sizes)))
    circles.set_gid("neurons")
    ax.add_collection(circles)

    for l, (centres, name) in enumerate(zip(pos, layer_titles(L), strict=True)):
        label = name if labelled else f"{name} ({sizes[l]})"
        ax.text(centres[0, 0], extent[3] - 0.1, label, ha="center", va="top",
                fontsize=11 * max(font, 0.8), fontweight="bold", gid="layer_title")
        if labelled:
            _draw_node_texts(ax, l, centres, a, r, digits, font, sizes)
        if bias_line and l >= 1:
            bias = grads.b[l] if grads is not None else net.b[l]
            name_b = "∂L/∂b" if grads is not None else "b"
            for (cx, cy), v in zip(centres, np.ravel(bias), strict=True):
                ax.text(cx, cy - r - 0.06, f"{name_b} = {_fmt(v, digits)}", ha="center",
                        va="top", fontsize=9 * font, color="#444444", zorder=4, gid="bias",
                        bbox=_LABEL_BOX)
    if label_edges:
        _draw_edge_labels(ax, pos, edge_values, L, digits, font)

    if legend:
        symbol = "∂L/∂w" if grads is not None else "w"
        handles = [Line2D([], [], color=COLORS["positive"], lw=2, label=f"{symbol} > 0"),
                   Line2D([], [], color=COLORS["negative"], lw=2, linestyle=_dashes(2),
                          label=f"{symbol} < 0")]
        ax.legend(handles=handles, loc="lower center", ncols=2, fontsize=9 * max(font, 0.8),
                  handlelength=1.5, borderaxespad=0.0)
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    _describe_network(ax, net, a, grads, title, digits, labelled and n_edges <= max_edge_labels)
    return ax


def draw_network_live(net: Network, x=None, grads=None, ax=None, title=None, *, below=None,
                      **options):
    """:func:`draw_network` as a diagram that is updated in place, for a slider per weight or
    input (lessons 2, 5 and 9; lecture: "Going forward", "Backpropagation").

    The diagram is drawn once; ``update`` then only changes the edges' colours and widths, the
    numbers on the edges, in the neurons and under them, and the title. When the new network has
    other layer sizes (or ``x`` / ``grads`` appear or disappear) the Axes is cleared and drawn
    again, and ``update`` returns None (see :class:`mlpcourse.widgets.LiveFigure`).

    Parameters
    ----------
    net : Network drawn first (at the sliders' defaults)
    x : optional input of shape (n_0,), as in :func:`draw_network`
    grads : optional ``Gradients`` of ``net``, as in :func:`draw_network`
    ax : matplotlib Axes to draw into (a new figure sized to the network if None)
    title : optional title; give one here if ``update`` will set one (a new figure makes room
        for it only then)
    below : an Axes returned by an earlier ``draw_network_live(ax=None)``: its figure grows by
        its own height and this diagram goes in the new space underneath, at the same scale
        (two live diagrams in one figure, as lesson 5 shows the gradients and the step)
    **options : the other keywords of :func:`draw_network` (``digits``, ``edge_labels``,
        ``show_bias``, ``legend``, ``max_edge_labels``), kept for every update

    Returns
    -------
    (ax, update). ``ax.figure`` is the figure to pass to ``mlpcourse.widgets.live``.
    ``update(net, x=None, grads=None, title=None)`` shows another network (``x`` of shape
    (n_0,), ``grads`` a ``Gradients`` of it; ``title`` None keeps the current title) and returns
    the list of artists it changed, or None when it had to redraw the whole Axes.
    """
    unknown = set(options) - {"digits", "edge_labels", "show_bias", "legend", "max_edge_labels"}
    if unknown:
        raise TypeError(f"draw_network_live got unexpected keywords {sorted(unknown)}; expected "
                        "digits, edge_labels, show_bias, legend or max_edge_labels")
    if below is not None:
        if ax is not None:
            raise TypeError("give ax or below, not both")
        if not isinstance(below, Axes):
            raise TypeError(f"below must be a matplotlib Axes; got {describe(below)}")
        ax = _axes_below(below)
    ax = draw_network(net, x=x, grads=grads, ax=ax, title=title, **options)
    digits = options.get("digits", 3)
    state = {}

    def collect(net, x, grads):
        texts = {gid: [t for t in ax.texts if t.get_gid() == gid]
                 for gid in ("symbol", "value", "bias", "edge_label")}
        n_edges = sum(w.size for w in net.W[1:])
        state["listed"] = (max(net.sizes) <= MAX_LABELLED_LAYER
                           and n_edges <= options.get("max_edge_labels", MAX_EDGE_LABELS))
        state.update(texts, key=(tuple(net.sizes), x is None, grads is None),
                     edges=next(c for c in ax.collections if c.get_gid() == "edges"),
                     neurons=next(c for c in ax.collections if c.get_gid() == "neurons"))

    def update(net, x=None, grads=None, title=None):
        if not isinstance(net, Network):
            raise TypeError(f"net must be a mlpcourse.Network; got {describe(net)}")
        if (tuple(net.sizes), x is None, grads is None) != state["key"]:
            title = ax.get_title() if title is None else title
            ax.clear()
            draw_network(net, x=x, grads=grads, ax=ax, title=title, **options)
            collect(net, x, grads)
            return None
        a = _single_sample_activations(net, x)
        _check_grads(net, grads)
        values = grads.W if grads is not None else net.W
        n_edges = sum(w.size for w in net.W[1:])
        bold = bool(state["edge_label"]) or n_edges <= MAX_EDGE_LABELS
        colors, widths, styles = _edge_style(values, net.L, bold)
        state["edges"].set_color(colors)
        state["edges"].set_linestyles(styles)
        state["edges"].set_linewidths(widths)
        flat = np.concatenate([np.ravel(values[l]) for l in range(1, net.L + 1)])
        for text, v in zip(state["edge_label"], flat, strict=False):  # none if unlabelled
            text.set_text(_fmt(v, digits))
            text.set_color(_sign_colors(np.array([v]))[0])
        if a is not None:
            for text, v in zip(state["value"], np.concatenate(a), strict=False):
                text.set_text(_fmt(v, digits))
            state["neurons"].set_facecolor(_node_colors(a, bool(state["symbol"]),
                                                        sum(net.sizes)))
        bias_values = grads.b if grads is not None else net.b
        biases = np.concatenate([np.ravel(bias_values[l]) for l in range(1, net.L + 1)])
        for text, v in zip(state["bias"], biases, strict=False):
            text.set_text(text.get_text().split(" = ")[0] + f" = {_fmt(v, digits)}")
        changed = [state["edges"], *state["value"], *state["bias"], *state["edge_label"]]
        if not state["symbol"]:  # unlabelled neurons are shaded by a (labelled ones stay white
            changed.append(state["neurons"])  # and, like their symbols, in the background)
        if title is not None:
            ax.title.set_text(title)
            changed.append(ax.title)
        _describe_network(ax, net, a, grads, ax.get_title(), digits, state["listed"])
        return changed

    collect(net, x, grads)
    return ax, update


def _describe_network(ax, net, a, grads, title, digits, listed):
    """The diagram's sentence: layer sizes and activations, then (for a network small enough to
    have its numbers on the edges) every weight or gradient, bias and activation, by layer."""
    sizes = "-".join(map(str, net.sizes))
    layers = ", ".join(f"layer {l} {net.activations[l]}" for l in range(1, net.L + 1))
    text = (f"{plain(title) + ': ' if title else ''}network diagram of a {sizes} network "
            f"({layers}), every weight an edge, solid if positive and dashed if negative")
    w, b = ("∂L/∂W", "∂L/∂b") if grads is not None else ("W", "b")
    if listed:
        weights, biases = (grads.W, grads.b) if grads is not None else (net.W, net.b)
        for l in range(1, net.L + 1):
            rows = ", ".join(numbers(row, digits) for row in np.atleast_2d(weights[l]))
            text += f"; {w}({l}) rows {rows}, {b}({l}) = {numbers(biases[l], digits)}"
    else:
        text += f"; {sum(w_.size for w_ in net.W[1:])} weights, too many to list"
    if a is not None:
        text += f"; for the input x = {numbers(a[0], digits)} the activations are " + ", ".join(
            f"a({l}) = {numbers(a[l], digits)}" for l in range(1, net.L + 1))
    describe_plot(ax, text)


def _axes_below(ax):
    """Double the figure's height, move its Axes to the top half and return a new Axes placed
    like ``ax`` in the bottom half (same size in inches, so a diagram has the same scale)."""
    fig = ax.figure
    width, height = fig.get_size_inches()
    boxes = [a.get_position(original=True) for a in fig.axes]
    fig.set_size_inches(width, 2 * height)
    for a, box in zip(fig.axes, boxes, strict=True):
        a.set_position((box.x0, 0.5 + box.y0 / 2, box.width, box.height / 2))
    box = boxes[fig.axes.index(ax)]
    return fig.add_axes((box.x0, box.y0 / 2, box.width, box.height / 2))


def _draw_edges(ax, pos, edge_values, L, bold, trim):
    """One LineCollection: segment (layer l, neuron i <- neuron j) in W[l].ravel() order, from
    circle to circle: ``trim`` (data units) is cut off both ends, so an edge never passes under
    a neuron and a live diagram can redraw its edges without redrawing the neurons."""
    segments = []
    for l in range(1, L + 1):
        src, dst = pos[l - 1], pos[l]
        n_out, n_in = len(dst), len(src)
        seg = np.stack([np.broadcast_to(src[None, :, :], (n_out, n_in, 2)),
                        np.broadcast_to(dst[:, None, :], (n_out, n_in, 2))], axis=2)
        segments.append(seg.reshape(-1, 2, 2))
    segments = np.concatenate(segments)
    direction = segments[:, 1] - segments[:, 0]
    direction /= np.linalg.norm(direction, axis=1, keepdims=True)  # layers never share an x
    segments = segments + trim * np.stack([direction, -direction], axis=1)
    colors, widths, styles = _edge_style(edge_values, L, bold)
    edges = LineCollection(segments, colors=colors, linewidths=widths, linestyles=styles,
                           alpha=0.9 if bold else 0.45, zorder=1, capstyle="butt")
    edges.set_gid("edges")
    ax.add_collection(edges)


def _dashes(width):
    """Dash pattern of a negative weight's edge of this width (points): dashes 4 pt + 1.5 widths
    long, gaps 2.5 pt + 0.6 widths. matplotlib multiplies a pattern by the line width, so it is
    divided out here: thin edges keep visible dashes, thick ones do not turn into dots."""
    return (0, ((4.0 + 1.5 * width) / width, (2.5 + 0.6 * width) / width))


def _edge_style(edge_values, L, bold):
    """Colour and line style (by sign: negative weights dashed, so the sign does not rest on
    colour alone) and width (by size, relative to the largest) of every edge, in W[l].ravel()
    order for l = 1..L."""
    values = np.concatenate([np.ravel(edge_values[l]) for l in range(1, L + 1)]).astype(float)
    size = np.abs(values) / max(np.abs(values).max(), np.finfo(float).tiny)
    widths = (0.6 + 3.4 * size) if bold else (0.1 + 0.8 * size)
    styles = [_dashes(w) if v < 0 else "solid" for v, w in zip(values, widths, strict=True)]
    return _sign_colors(values), widths, styles


def _edge_label_fraction(n_in):
    """Where along an edge its label sits, per source neuron j: sources get distinct fractions
    so that labels of crossing edges land in different columns and never on one spot."""
    if n_in == 1:
        return np.array([0.5])
    return 0.3 + 0.35 * np.arange(n_in) / (n_in - 1)


def _draw_edge_labels(ax, pos, edge_values, L, digits, font):
    for l in range(1, L + 1):
        src, dst = pos[l - 1], pos[l]
        t = _edge_label_fraction(len(src))
        values = np.asarray(edge_values[l], dtype=float)
        for i in range(len(dst)):
            points = src + t[:, None] * (dst[i] - src)
            for j, (px, py) in enumerate(points):
                v = values[i, j]
                ax.text(px, py, _fmt(v, digits), ha="center", va="center", fontsize=9 * font,
                        color=_sign_colors(np.array([v]))[0], zorder=4, gid="edge_label",
                        bbox=_LABEL_BOX)


def _draw_node_texts(ax, l, centres, a, r, digits, font, sizes):
    """Symbol (x_j, a_i^(l) or ŷ_i) inside each circle; the value underneath when x is given."""
    for i, (cx, cy) in enumerate(centres, start=1):
        symbol = neuron_symbol(l, i, sizes)
        if a is None:
            ax.text(cx, cy, symbol, ha="center", va="center", fontsize=13 * font, zorder=5,
                    gid="symbol")
            continue
        ax.text(cx, cy + 0.33 * r, symbol, ha="center", va="center", fontsize=12 * font, zorder=5,
                gid="symbol")
        ax.text(cx, cy - 0.38 * r, _fmt(a[l][i - 1], digits), ha="center", va="center",
                fontsize=10 * font, fontweight="bold", zorder=5, gid="value")


def _node_colors(a, labelled, n_nodes):
    """White circles when the numbers are written inside; otherwise, with x, shade by a."""
    if a is None or labelled:
        return ["white"] * n_nodes
    values = np.concatenate([np.ravel(v) for v in a])
    vmax = max(np.abs(values).max(), np.finfo(float).tiny)
    cmap = mpl.colormaps["RdBu_r"]
    return cmap(0.5 + 0.5 * values / vmax)
