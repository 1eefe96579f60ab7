"""Pictures of non-layered networks (lecture: Problem 3) and of the chain rule's path sums.

``draw_graph(net)`` puts every node in the column of its level (the longest path from an input),
inputs on the left and the output on the right, with an arrow per edge; edges that would cross a
node are drawn as arcs, two arcs that would leave a node on top of each other are bent apart, and
each edge label sits at the first spot along its edge where it overlaps no other label.
``path_contributions`` plots each path's product of local derivatives,
whose sum is ∂y/∂x, as one input varies.

Artists carry a ``gid`` for tests: "node" (circles), "edge" (arrows), "highlight" (arrows on a
highlighted path), "edge_label", "value".
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.patches import Circle, FancyArrowPatch
from matplotlib.ticker import FixedLocator

from .._validation import as_array, describe
from ..graph import GraphNetwork
from ..pathsum import latex_node
from .alt_text import describe as describe_plot
from .alt_text import number, plain
from .style import COLORS, LINE_STYLES

RADIUS = 0.3  # node radius in data units (nodes of a column are 1.2 apart, columns 2 apart)
DX, DY = 2.0, 1.2
POINTS_PER_UNIT = 70
MIN_ARC_ANGLE = 12.0  # degrees: edges that share a node leave it at least this far apart
_LABEL_BOX = {"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.9}


def graph_layout(net: GraphNetwork) -> dict:
    """Node centres: column = level (longest path from an input), rows ordered to cut crossings.

    Within a column nodes are sorted by the mean height of their parents (a barycentre sweep)
    and spread evenly around y = 0.

    Returns
    -------
    dict node -> array of shape (2,) (x, y)
    """
    levels = dict(zip(net.nodes, net.levels, strict=True))
    columns = [[n for n in net.nodes if levels[n] == k] for k in range(max(net.levels) + 1)]
    y = {}
    for k, column in enumerate(columns):
        if k > 0:
            column.sort(key=lambda n: -np.mean([y[p] for p in net.parents(n)]))
        for i, n in enumerate(column):
            y[n] = DY * ((len(column) - 1) / 2 - i)
    return {n: np.array([DX * levels[n], y[n]]) for n in net.nodes}


def _bend(start, end, pos, skip):
    """arc3 radius that steers the edge start -> end around any node lying close to it (0: none)."""
    d = end - start
    length = np.hypot(*d)
    normal = np.array([d[1], -d[0]]) / length  # arc3 bends towards +normal for rad > 0
    for node, p in pos.items():
        if node in skip:
            continue
        t = np.dot(p - start, d) / length**2
        gap = np.dot(p - start, normal)
        if 0.05 < t < 0.95 and abs(gap) < 1.6 * RADIUS:
            side = 1.0 if gap > 0 else -1.0  # bend to the side away from the node
            clearance = max(2.2 * RADIUS - abs(gap), 0.3)  # the arc's middle moves this far
            return -side * 2 * clearance / length
    return 0.0


def _arc_point(start, end, rad, t=0.5):
    """A point at parameter t on matplotlib's arc3 curve (a quadratic Bezier)."""
    mid, d = (start + end) / 2, end - start
    control = mid + rad * np.array([d[1], -d[0]])
    return (1 - t) ** 2 * start + 2 * (1 - t) * t * control + t**2 * end


def _tangent_angle(pos, edge, rad, node):
    """The direction (radians) in which the arc3 curve of ``edge`` leaves ``node``, one of its ends:
    towards the curve's control point."""
    start, end = pos[edge[0]], pos[edge[1]]
    d = end - start
    control = (start + end) / 2 + rad * np.array([d[1], -d[0]])
    v = control - pos[node]
    return np.arctan2(v[1], v[0])


def _separate_arcs(net, pos, rads, step=0.04, most=15):
    """Bend apart arcs that share a node and would leave it on top of each other.

    :func:`_bend` may bend two edges from (or into) the same node to the same side (both around
    nodes in their way); then they run on top of each other near that node and their labels
    collide. For every such pair of arcs whose directions at the shared node are less than
    ``MIN_ARC_ANGLE`` degrees apart, the longer arc is bent further, ``step`` at a time (at most
    ``most`` times), until they are or until it would run into another node. Straight edges and
    all other arcs keep their shape.

    Returns
    -------
    dict edge -> arc3 radius
    """
    rads = dict(rads)
    edges = list(net.edges)
    for i, first in enumerate(edges):
        for second in edges[i + 1:]:
            shared = [n for n in first if n in second]
            if not shared or rads[first] * rads[second] <= 0:  # a straight edge or two sides
                continue
            longer = max((first, second), key=lambda e: np.hypot(*(pos[e[1]] - pos[e[0]])))
            shorter = second if longer == first else first
            for _ in range(most):
                diff = (_tangent_angle(pos, longer, rads[longer], shared[0])
                        - _tangent_angle(pos, shorter, rads[shorter], shared[0]))
                if abs((diff + np.pi) % (2 * np.pi) - np.pi) >= np.radians(MIN_ARC_ANGLE):
                    break
                bent = rads[longer] + np.sign(rads[longer]) * step
                if _near_node(pos, longer, bent):  # the arc would run into a node: keep it
                    break
                rads[longer] = bent
    return rads


def _near_node(pos, edge, rad):
    """Whether the arc3 curve of ``edge`` passes within 1.3 node radii of a node other than its
    ends."""
    points = np.array([_arc_point(pos[edge[0]], pos[edge[1]], rad, t)
                       for t in np.linspace(0.05, 0.95, 37)])
    return any(np.min(np.hypot(*(points - p).T)) < 1.3 * RADIUS
               for node, p in pos.items() if node not in edge)


LABEL_SPOTS = (0.45, 0.37, 0.53, 0.3, 0.6, 0.25, 0.65)  # where along an edge a label may sit
_LABEL_HEIGHT_PT = 15.0  # a 10 pt label with its box


def _label_width_pt(text: str) -> float:
    """The width in points of an edge label at 10 pt (about 6 pt a character, subscripts less)."""
    plain = text.replace("\\partial ", "∂")
    plain = "".join(c for c in plain if c not in "${}_")
    digits = sum(c.isdigit() for c in plain) if "∂" in plain else 0
    return 6.0 * len(plain) - 2.0 * digits + 4.0


def _label_spots(pos, edges, rads, texts, scale):
    """A point on each edge for its label: the first of ``LABEL_SPOTS`` whose box does not overlap
    a label placed before (the first spot if none is free).

    Parameters
    ----------
    pos : dict node -> (x, y); edges : list of (source, target); rads : dict edge -> arc3 radius
    texts : dict edge -> label text; scale : points per data unit of the figure

    Returns
    -------
    dict edge -> array of shape (2,)
    """
    placed, spots = [], {}
    height = _LABEL_HEIGHT_PT / scale
    for edge in edges:
        width = _label_width_pt(texts[edge]) / scale
        candidates = [_arc_point(pos[edge[0]], pos[edge[1]], rads[edge], t) for t in LABEL_SPOTS]
        free = [c for c in candidates
                if all(abs(c[0] - q[0]) >= (width + w) / 2 or abs(c[1] - q[1]) >= height
                       for q, w in placed)]
        spots[edge] = (free or candidates)[0]
        placed.append((spots[edge], width))
    return spots


def _highlighted_edges(net, highlight):
    if highlight is None:
        return set()
    if isinstance(highlight, str):
        paths = net.paths(net.output, highlight)
    else:
        paths = [tuple(p) for p in highlight]
    edges = {e for p in paths for e in zip(p[:-1], p[1:], strict=True)}
    unknown = edges - set(net.edges)
    if unknown:
        raise ValueError(f"highlight names edges that are not in the network: {sorted(unknown)}")
    return edges


def draw_graph(net: GraphNetwork, ax=None, highlight=None, edge_labels=None, x=None,
               title=None):
    """Draw a GraphNetwork: labelled nodes in columns by level and an arrow per edge.

    Lecture: Problem 3 ("This task is about the sequences of partial derivatives along the edges").

    Parameters
    ----------
    net : GraphNetwork
    ax : matplotlib Axes (a new figure sized to the graph if None)
    highlight : an input name (every path from it to the output is coloured) or a list of paths
        (tuples of nodes)
    edge_labels : None, "weights" (each edge's w) or "partials" (each edge's ∂target/∂source)
    x : optional input of shape (k,): each node's activation is written under it
    title : optional axes title

    Returns
    -------
    matplotlib Axes
    """
    if not isinstance(net, GraphNetwork):
        raise TypeError(f"net must be a GraphNetwork; got {describe(net)}")
    if ax is not None and not isinstance(ax, Axes):
        raise TypeError(f"ax must be a matplotlib Axes or None; got {describe(ax)}")
    if edge_labels not in (None, "weights", "partials"):
        raise ValueError(f"edge_labels must be None, 'weights' or 'partials'; got "
                         f"{edge_labels!r}")
    marked = _highlighted_edges(net, highlight)
    values = net.forward(x) if x is not None else None
    pos = graph_layout(net)
    rads = _separate_arcs(net, pos, {e: _bend(pos[e[0]], pos[e[1]], pos, set(e))
                                     for e in net.edges})
    arcs = [_arc_point(pos[s], pos[t], rads[(s, t)]) for s, t in net.edges]
    xs, ys = np.array(list(pos.values())).T
    arc_y = np.array(arcs)[:, 1]
    lo = min(ys.min() - RADIUS - (0.55 if x is not None else 0.2), arc_y.min() - 0.25)
    hi = max(ys.max() + RADIUS + 0.2, arc_y.max() + 0.25)
    extent = (xs.min() - 0.6, xs.max() + 0.6, lo, hi)
    scale = min(POINTS_PER_UNIT, 72 * 9 / (extent[1] - extent[0]))  # points per data unit
    if ax is None:
        fig = plt.figure(figsize=((extent[1] - extent[0]) * scale / 72,
                                  (extent[3] - extent[2]) * scale / 72 + (0.3 if title else 0)),
                         layout="constrained")
        ax = fig.add_subplot()

    circles = {}
    for node, centre in pos.items():
        is_input, is_output = node in net.inputs, node == net.output
        face = "#E8E8E8" if is_input else ("#FFF4D6" if is_output else "white")
        circles[node] = Circle(tuple(centre), RADIUS, fc=face, ec="#333333", lw=1.2, zorder=3,
                               gid="node")
        ax.add_patch(circles[node])
        ax.text(*centre, f"${latex_node(node)}$", ha="center", va="center", fontsize=13,
                zorder=4)
        if values is not None:
            ax.text(centre[0], centre[1] - RADIUS - 0.05, f"{values[node]:.3f}", ha="center",
                    va="top", fontsize=9, zorder=4, gid="value", bbox=_LABEL_BOX)

    weights = net.weights
    if edge_labels is not None:
        texts = {e: (f"{weights[e]:.2f}" if edge_labels == "weights" else
                     rf"$\partial {latex_node(e[1])}/\partial {latex_node(e[0])}$")
                 for e in net.edges}
        spots = _label_spots(pos, list(net.edges), rads, texts, scale)
    for source, target in net.edges:
        start, end = pos[source], pos[target]
        rad = rads[(source, target)]
        on = (source, target) in marked
        color = COLORS["highlight"] if on else ("#777777" if not marked else "#C8C8C8")
        ax.add_patch(FancyArrowPatch(
            tuple(start), tuple(end), patchA=circles[source], patchB=circles[target],
            arrowstyle="-|>", mutation_scale=13, lw=2.4 if on else 1.3, color=color,
            connectionstyle=f"arc3,rad={rad:.3f}", shrinkA=0, shrinkB=1, zorder=2 if on else 1,
            gid="highlight" if on else "edge"))
        if edge_labels is not None:
            px, py = spots[(source, target)]
            ax.text(px, py, texts[(source, target)], ha="center", va="center", fontsize=10,
                    zorder=4,
                    color=COLORS["highlight"] if on else "#333333", gid="edge_label",
                    bbox=_LABEL_BOX)

    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    _describe_graph(ax, net, marked, highlight, edge_labels, values, title)
    return ax


def _describe_graph(ax, net, marked, highlight, edge_labels, values, title):
    inner = [n for n in net.nodes if n not in net.inputs and n != net.output]
    weights = net.weights
    edges = ", ".join(f"{s}→{t}" + (f" (w = {number(weights[(s, t)], 2)})"
                                    if edge_labels == "weights" else "")
                      for s, t in net.edges)
    text = (f"{plain(title) + ': ' if title else ''}computation graph with inputs "
            f"{', '.join(net.inputs)}, inner nodes {', '.join(inner) or 'none'} and output "
            f"{net.output}; edges {edges}")
    if edge_labels == "partials":
        text += "; each edge is labelled with its local derivative ∂target/∂source"
    if marked:
        what = (f"the {len(net.paths(net.output, highlight))} paths from {highlight} to "
                f"{net.output}" if isinstance(highlight, str) else f"{len(marked)} edges")
        text += f"; {what} highlighted"
    if values is not None:
        text += "; node values " + ", ".join(f"{n} = {number(values[n])}" for n in net.nodes)
    describe_plot(ax, text)


def _path_label(path):
    return "→".join(path)


def _sampled(values):
    """The points of the sweep where finite differences are marked (about 12)."""
    return slice(0, len(values), max(1, len(values) // 12))


def _terms(net, source, x, values, vary):
    """Path terms of ∂y/∂source along the sweep of input ``vary`` over ``values``, their sum,
    central finite differences at ``_sampled(values)``, and the value of ``vary`` in x.

    Returns
    -------
    (list of arrays of shape (p,) in ``net.paths`` order, array (p,), array (~12,), float)
    """
    x = as_array("x", x, ndim=1, dtype=np.float64)
    if len(x) != len(net.inputs):
        raise ValueError(f"x must have one value per input {list(net.inputs)}; got "
                         f"{describe(x)}")
    if vary not in net.inputs:
        raise ValueError(f"vary must be one of the inputs {list(net.inputs)}; got {vary!r}")
    j = net.inputs.index(vary)
    X = np.repeat(x[None, :], len(values), axis=0)
    X[:, j] = values
    ps = net.path_sum(net.output, source)
    local = net.local_derivatives(X)
    terms = list(ps.contributions(local).values())
    h, i = 1e-5, net.inputs.index(source)
    step = np.zeros_like(x)
    step[i] = h
    sample = X[_sampled(values)]
    numeric = (net.forward(sample + step)[net.output]
               - net.forward(sample - step)[net.output]) / (2 * h)
    return terms, ps.evaluate(local), numeric, float(x[j])


def path_contributions(net: GraphNetwork, source, x, values=None, vary=None, ax=None):
    """Each path's term of ∂y/∂source, and their sum, as one input sweeps a range.

    The chain rule on a graph: ∂y/∂x = Σ_paths Π_edges ∂q1/∂q2 (lecture: Problem 3). Central
    finite differences of the forward pass are marked on the sum.

    Parameters
    ----------
    net : GraphNetwork
    source : the input x_l whose derivative is shown
    x : array of shape (k,), the point; the input ``vary`` is replaced by ``values``
    values : array of shape (p,), the values of ``vary`` (default 161 points in [-4, 4])
    vary : the input that sweeps (default: ``source``); a dashed line marks its value in x
    ax : matplotlib Axes (new if None)

    Returns
    -------
    matplotlib Axes; one line per path (in ``net.paths`` order), then the sum
    """
    vary = source if vary is None else vary
    values = np.linspace(-4, 4, 161) if values is None else as_array("values", values, ndim=1)
    ps = net.path_sum(net.output, source)
    terms, total, numeric, at = _terms(net, source, x, values, vary)
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 3.6))
    for k, (path, term) in enumerate(zip(ps.paths, terms, strict=True)):
        ax.plot(values, term, color=COLORS["classes"][k % 10], lw=1.5,
                linestyle=LINE_STYLES[k % len(LINE_STYLES)], label=_path_label(path))
    ax.plot(values, total, color="black", lw=2.6, label=f"sum = ∂{net.output}/∂{source}")
    ax.plot(values[_sampled(values)], numeric, "o", color=COLORS["highlight"], ms=6, mfc="none",
            mew=1.5, label="finite differences")
    ax.axvline(at, color=COLORS["neutral"], ls="--", lw=1)
    ax.axhline(0, color="#555555", lw=0.8)
    ax.set_xlabel(f"input {vary}")
    ax.set_ylabel(f"term of ∂{net.output}/∂{source}")
    ax.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9)
    _describe_terms(ax, net, source, vary, ps.paths, values, total, at)
    return ax


def _describe_terms(ax, net, source, vary, paths, values, total, at):
    value = float(np.interp(at, values, total))
    describe_plot(ax, f"the term of ∂{net.output}/∂{source} of each of the {len(paths)} paths "
                      f"({', '.join(map(_path_label, paths))}) and their sum (black), as input "
                      f"{vary} goes from {number(values[0])} to {number(values[-1])}; finite "
                      f"differences (circles) lie on the sum; at {vary} = {number(at)} (dashed) "
                      f"the sum is {number(value)}")


def path_contributions_live(net: GraphNetwork, source, x, values=None, vary=None, title=None):
    """:func:`path_contributions` as a figure updated in place, for sliders that change the
    network (a weight, the activation) or the point ``x``.

    Lecture: Problem 3, ∂y/∂x = Σ_paths Π_edges ∂q1/∂q2, each path's term as the input moves. A
    move redraws the curves, the finite differences, the marks at 0 and x and the title over a
    cached picture of the rest (see :class:`mlpcourse.widgets.LiveFigure`). The terms' scale
    changes a hundredfold between tanh and sigmoid, so the y axis follows the data as in the
    static plot: it is redrawn with the curves (its tick labels, at most 6 characters wide, fit
    the room set aside for them once; the axis label stays where that room puts it).

    Parameters
    ----------
    net : GraphNetwork at the sliders' defaults
    source : the input x_l whose derivative is shown
    x : array of shape (k,), the point at the defaults
    values : array of shape (p,), the values of ``vary`` (default 161 points in [-4, 4])
    vary : the input that sweeps (default: ``source``)
    title : the axes title at the defaults (default: none, but room for a one-line title that
        ``update`` sets)

    Returns
    -------
    (fig, update) where ``update(net, x, title=None)`` draws the terms of another network with
    the same paths from ``source`` to its output, at the point x of shape (k,), and returns the
    artists it changed (``title=None`` keeps the title)
    """
    if not isinstance(net, GraphNetwork):
        raise TypeError(f"net must be a GraphNetwork; got {describe(net)}")
    ax = path_contributions(net, source, x, values=values, vary=vary)
    ax.set_title("Title" if title is None else title)  # for the layout
    fig = ax.figure
    vary = source if vary is None else vary
    paths = net.paths(net.output, source)
    *curves, total, numeric, at_x, zero = ax.lines
    ax.yaxis.get_major_formatter().set_powerlimits((-2, 4))  # below 0.01: "1e−3" above the axis
    limits, locator = ax.get_ylim(), ax.yaxis.get_major_locator()
    ax.set_ylim(-0.2, 0.2)
    ax.yaxis.set_major_locator(FixedLocator([-0.125, 0.125]))  # the widest labels it can give
    fig.draw_without_rendering()  # the layout, once, with room for them
    fig.set_layout_engine("none")
    label_x = (ax.yaxis.label.get_position()[0] - ax.bbox.x0) / ax.bbox.width
    ax.yaxis.set_label_coords(label_x, 0.5)  # fixed: no jumps, no measuring labels on each move
    ax.yaxis.set_major_locator(locator)
    ax.set_ylim(limits)
    ax.set_autoscaley_on(True)  # set_ylim turned it off; update rescales y like the static plot
    if title is None:
        ax.set_title("")
    xs = curves[0].get_xdata()

    def update(net, x, title=None):
        if not isinstance(net, GraphNetwork):
            raise TypeError(f"net must be a GraphNetwork; got {describe(net)}")
        if source not in net.inputs or net.paths(net.output, source) != paths:
            raise ValueError(f"net must have the same paths from {source!r} to its output as the "
                             f"network drawn ({len(paths)} paths); got a different network")
        terms, sum_, sampled, at = _terms(net, source, x, xs, vary)
        for line, term in zip(curves, terms, strict=True):
            line.set_ydata(term)
        total.set_ydata(sum_)
        numeric.set_ydata(sampled)
        at_x.set_xdata([at, at])
        if title is not None:
            ax.title.set_text(title)
        _describe_terms(ax, net, source, vary, paths, xs, sum_, at)
        ax.relim()
        ax.autoscale_view(scalex=False)  # the x axis stays: it is part of the cached picture
        return [*curves, total, numeric, at_x, zero, ax.yaxis, ax.title]

    return fig, update
