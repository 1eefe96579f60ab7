"""Pictures of the practice problems (lesson 9): the network, the logits, the predictions and
targets, or the graph of a :class:`mlpcourse.practice.Problem`.

``draw_problem(problem)`` is what :meth:`Problem.draw` shows; ``draw_live(problem)`` is one figure
that shows problem after problem (lesson 9's kind and seed controls). The numbers come from the
problem (its givens, its expected answers) and the engine (``forward``, ``backward``).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Patch

from .._validation import describe
from ..activations import softmax
from ..network import backward, forward
from ..practice import Problem
from ..practice.render import num, vector
from .alt_text import describe as describe_plot
from .alt_text import number
from .diagrams import draw_network, draw_network_live
from .graph import draw_graph
from .style import COLORS

NETWORK_KINDS = ("forward_pass", "backprop_step", "lecture_q1")


def network_view(problem: Problem, solution: bool) -> dict:
    """The keywords of ``draw_network`` (net, x, grads, title) for a network problem: the givens
    only, or with ``solution`` the neuron values (forward pass) or the gradients dL/dw on the
    edges (backprop step, lecture: Example 3, Step 3)."""
    d = problem.data
    x = d["x"]
    if problem.seed is None:
        title = f"Q1: x = {vector(x)}; h₁, h₂, h₃ are a₁⁽¹⁾, a₂⁽¹⁾, a₃⁽¹⁾"
    else:
        target = f", y = {num(d['y'])}" if "y" in d else ""
        title = f"seed {problem.seed}: x = {vector(x)}{target}"
    if solution and problem.kind == "backprop_step":
        _, cache = forward(d["net"], x)
        return {"net": d["net"], "x": x, "grads": backward(d["net"], cache, d["y"], d["loss"]),
                "title": title + " (edges: ∂L/∂w)"}
    return {"net": d["net"], "x": x if solution else None, "grads": None, "title": title}


def _draw_network_problem(problem, ax, solution):
    return draw_network(**network_view(problem, solution), ax=ax)


def _new_axes(ax, size):
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _draw_softmax(problem, ax, solution):
    """The logits z_j as bars, or with ``solution`` the probabilities softmax(z)_j (lecture:
    "Softmax function"); the true class hatched when the loss is asked."""
    z, label = problem.data["z"], problem.data["label"]
    k = len(z)
    ax = _new_axes(ax, (4.6, 3.0))
    names = [f"class {j + 1}" for j in range(k)]
    colors = [COLORS["classes"][j] for j in range(k)]
    values = softmax(z) if solution else z
    bars = ax.bar(names, values, color=colors)
    if "loss" in problem.answers:
        bars[label - 1].set_hatch("//")
        bars[label - 1].set_edgecolor("black")
    ax.bar_label(bars, fmt="%.3f" if solution else "%.1f", padding=2)
    ax.axhline(0, color="black", lw=0.8)
    low, high = min(0.0, values.min()), max(0.0, values.max())
    ax.set_ylim(low - 0.15 * (high - low) - 0.05 * (low < 0), high + 0.18 * (high - low))
    ax.set_ylabel("probability $\\hat{y}_j$" if solution else "logit $z_j$")
    true = f", true class {label} hatched" if "loss" in problem.answers else ""
    ax.set_title(("softmax probabilities" if solution else "logits z") + true, fontsize=10)
    shown = ", ".join(f"{name} {number(v)}" for name, v in zip(names, values, strict=True))
    what = "the softmax probabilities" if solution else "the logits z"
    describe_plot(ax, f"{what} of {k} classes as bars: {shown}"
                      + (f"; the true class {label} is hatched" if true else ""))
    return ax


def _draw_loss(problem, ax, solution):
    """Each sample's prediction next to its target (or the class probabilities, the true class
    hatched); with ``solution`` each sample's loss ℓ_i under it (lecture: "Step 2")."""
    d = problem.data
    y_hat, y = d["y_hat"], d["y"]
    m = len(y_hat)
    ax = _new_axes(ax, (5.6, 3.0))
    samples = np.arange(1, m + 1)
    if d["name"] == "cross_entropy":
        width, colors = 0.26, COLORS["classes"][:3]
        for j in range(3):
            bars = ax.bar(samples + (j - 1) * width, y_hat[:, j], width, color=colors[j])
            ax.bar_label(bars, fmt="%.1f", padding=2, fontsize=9)
            for i in np.flatnonzero(y == j):
                bars[i].set_hatch("//")
                bars[i].set_edgecolor("black")
        handles = [Patch(color=colors[j], label=f"class {j + 1}") for j in range(3)]
        handles.append(Patch(facecolor="white", edgecolor="black", hatch="//",
                             label="true class"))
        ax.set_ylim(0, 1.1)
        ax.set_ylabel("probability $\\hat{y}_{ij}$")
        ax.set_title("cross-entropy: predicted probabilities", fontsize=10)
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    else:
        for shift, values, color, label in [(-0.18, y_hat[:, 0], COLORS["positive"],
                                             "prediction $\\hat{y}_i$"),
                                            (0.18, y[:, 0], COLORS["neutral"], "target $y_i$")]:
            bars = ax.bar(samples + shift, values, 0.36, color=color, label=label)
            ax.bar_label(bars, fmt="%.1f", padding=2, fontsize=9)
        ax.axhline(0, color="black", lw=0.8)
        low, high = min(0.0, y_hat.min(), y.min()), max(0.0, y_hat.max(), y.max())
        ax.set_ylim(low - 0.15 * (high - low) * (low < 0), high + 0.15 * (high - low))
        ax.set_ylabel("value")
        name = "squared error" if d["name"] == "mse" else "binary cross-entropy"
        ax.set_title(f"{name}: predictions and targets", fontsize=10)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=9)
    labels = [f"sample {i}" for i in samples]
    if solution:
        labels = [f"{text}\nℓ = {t:.3f}" for text, t in zip(labels, problem.answers["terms"],
                                                            strict=True)]
    ax.set_xticks(samples, labels)
    if d["name"] == "cross_entropy":
        rows = "; ".join(f"sample {i + 1}: " + ", ".join(number(v, 2) for v in y_hat[i])
                         + f" (true class {int(y[i]) + 1})" for i in range(m))
        text = f"cross-entropy problem, the predicted probabilities of 3 classes per sample: {rows}"
    else:
        rows = "; ".join(f"sample {i + 1}: prediction {number(y_hat[i, 0], 2)}, target "
                         f"{number(y[i, 0], 2)}" for i in range(m))
        text = f"{name} problem, predictions beside targets: {rows}"
    if solution:
        text += "; the loss of each sample: " + ", ".join(
            number(t, 3) for t in problem.answers["terms"])
    describe_plot(ax, text)
    return ax


def _draw_chain_rule(problem, ax, solution):
    """The graph with ∂q1/∂q2 on its edges; with ``solution`` the paths from the input to y
    highlighted (lecture: Problem 3)."""
    d = problem.data
    title = f"seed {problem.seed}: ∂y/∂{d['source']}" + (
        f", its {len(d['paths'])} paths highlighted" if solution else "")
    return draw_graph(d["graph"], ax=ax, highlight=d["source"] if solution else None,
                      edge_labels="partials", title=title)


_DRAWERS = {"forward_pass": _draw_network_problem, "backprop_step": _draw_network_problem,
            "lecture_q1": _draw_network_problem, "softmax": _draw_softmax, "loss": _draw_loss,
            "chain_rule": _draw_chain_rule}


def draw_problem(problem: Problem, ax=None, solution: bool = False):
    """The problem's picture (what :meth:`Problem.draw` shows): the network (forward pass,
    backprop, Q1), the graph (chain rule), the logits (softmax) or the predictions and targets
    (loss).

    Parameters
    ----------
    problem : a practice Problem
    ax : matplotlib Axes (a new figure if None)
    solution : also show what the question asks for (the neuron values, the probabilities,
        the paths); False draws only the givens

    Returns
    -------
    matplotlib Axes
    """
    _check_problem(problem)
    return _DRAWERS[problem.kind](problem, ax, bool(solution))


def draw_live(problem: Problem, solution: bool = False):
    """:meth:`Problem.draw` as one figure that shows problem after problem, for lesson 9's kind
    and seed controls (the figure is updated in place: see :class:`mlpcourse.widgets.LiveFigure`).

    The figure keeps the size of the first problem's picture and keeps one Axes per kind of
    picture (a network of given layer sizes, the logits, the losses, the graph), hidden while
    another is shown, so that going back to it does not build it again. A network diagram with
    the same layer sizes as the one shown is updated in place (its numbers, edge colours and
    title change); bars and graphs are drawn anew in their Axes.

    Parameters
    ----------
    problem : Problem drawn first (at the controls' defaults); the figure looks like its
        ``problem.draw(solution=solution)``
    solution : as in :meth:`Problem.draw`, for every problem shown

    Returns
    -------
    (fig, update): ``update(problem)`` shows another Problem and returns the list of artists it
    changed, or None when the figure has to be drawn whole.
    """
    _check_problem(problem)
    solution = bool(solution)
    views = {}  # picture -> (Axes, the network diagram's update or None)

    def picture(problem):
        if problem.kind not in NETWORK_KINDS:
            return problem.kind
        view = network_view(problem, solution)
        return (tuple(view["net"].sizes), view["x"] is None, view["grads"] is None)

    def show(problem, ax):
        if problem.kind in NETWORK_KINDS:
            ax, network_update = draw_network_live(**network_view(problem, solution), ax=ax)
            views[picture(problem)] = (ax, network_update)
        else:
            ax = draw_problem(problem, ax=ax, solution=solution)
            views[picture(problem)] = (ax, None)
        return ax

    current = {"picture": picture(problem)}
    fig = show(problem, None).figure

    def update(problem):
        _check_problem(problem)
        key = picture(problem)
        ax, network_update = views.get(key, (None, None))
        if network_update is not None:
            changed = network_update(**network_view(problem, solution))
            if key == current["picture"]:
                return changed
        elif ax is not None:
            ax.clear()
            draw_problem(problem, ax=ax, solution=solution)
        else:
            ax = show(problem, _fresh_axes(fig, problem.kind))
        for other, _ in views.values():
            other.set_visible(other is ax)
        current["picture"] = key
        return None

    return fig, update


def _check_problem(problem):
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a practice Problem (from generate(kind, seed)); got "
                        f"{describe(problem)}")


def _fresh_axes(fig, kind):
    """Axes in a cleared figure for a picture of ``kind``: diagrams fill it below a title line;
    bar charts keep margins for their labels and (loss) the legend on the right."""
    width, height = fig.get_size_inches()
    if kind not in ("softmax", "loss"):
        return fig.add_axes((0.0, 0.0, 1.0, 1.0 - 0.3 / height))  # 0.3 in: the title
    left, right, bottom, top = 0.9, 2.0 if kind == "loss" else 0.4, 0.75, 0.45  # inches
    return fig.add_axes((left / width, bottom / height, 1.0 - (left + right) / width,
                         1.0 - (bottom + top) / height))


__all__ = ["NETWORK_KINDS", "draw_live", "draw_problem", "network_view"]
