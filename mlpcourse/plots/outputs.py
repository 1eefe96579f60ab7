"""Plots for lesson 4, "The output layer": one picture per task of the lecture's slide
(regression, binary, multi-label and multi-class classification), the softmax explorer, and why
each output activation is paired with its loss.

Every function draws on ``ax`` (or ``axes``) when given, else on a new figure, and returns the
axes, so a lesson can place several plots side by side.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._validation import as_array, describe, positive_float
from ..activations import sigmoid, sigmoid_prime, softmax
from ..losses import loss_gradient
from .alt_text import describe as describe_plot
from .alt_text import number, plain
from .style import CLASS_MARKERS, COLORS


def _flat(name, values, m=None):
    """values as a 1-D float array (an (m, 1) column is accepted), optionally of length m."""
    values = as_array(name, values, ndim=(1, 2))
    if values.ndim == 2:
        if values.shape[1] != 1:
            raise ValueError(f"{name} must have shape (m,) or (m, 1); got {describe(values)}")
        values = values[:, 0]
    if m is not None and len(values) != m:
        raise ValueError(f"{name} must hold {m} values, one per sample; got {describe(values)}")
    return values


def _labels(name, values, m=None):
    """values as a 1-D array of non-negative integer labels."""
    values = _flat(name, values, m)
    if not np.all(values == np.round(values)) or (values.size and values.min() < 0):
        raise ValueError(f"{name} must hold non-negative integer class labels; got values from "
                         f"{values.min():.4g} to {values.max():.4g}")
    return values.astype(np.intp)


def _names(name, names, k, default):
    if names is None:
        return [f"{default} {i}" for i in range(k)]
    names = [str(n) for n in names]
    if len(names) != k:
        raise ValueError(f"{name} must give {k} names; got {len(names)}")
    return names


def _class_colors(k):
    return [COLORS["classes"][i % len(COLORS["classes"])] for i in range(k)]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _listing(names, values, digits=3) -> str:
    return ", ".join(f"{name} {number(v, digits)}" for name, v in zip(names, values, strict=True))


def _describe_softmax(ax, names, p, temperature, title):
    top = int(np.argmax(p))
    head = plain(title) if title else f"softmax(z / T), T = {number(temperature)}"
    describe_plot(ax, f"{head}: bars of the probabilities {_listing(names, p)} (they sum to 1); "
                      f"the largest is {names[top]}")


def _describe_logits(ax, names, z):
    describe_plot(ax, f"bars of the logits z: {_listing(names, z)}")


def _new_axes(ax, figsize):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


# --- softmax ------------------------------------------------------------------------------

def softmax_temperature_bars(z, temperature=1.0, ax=None, class_names=None, title=None):
    """Bars of the softmax probabilities softmax(z / T), each labelled, their sum in the title.

    Lecture: "Softmax function", softmax(x_j) = e^{x_j} / Σ_i e^{x_i}; T (the temperature) divides
    the logits before the softmax (T = 1 is the lecture's formula).
    (Lesson 3's picture of softmax as an activation, one vector and no temperature, is
    :func:`mlpcourse.plots.activations.softmax_bars`.)

    Parameters
    ----------
    z : array of shape (k,), the logits (the output layer's weighted sums)
    temperature : float > 0
    ax : matplotlib Axes (a new one if None)
    class_names : k names for the x axis (default "class 0", ...)
    title : title text (default "softmax(z / T), T = ...") before the sum

    Returns
    -------
    matplotlib Axes
    """
    z = as_array("z", z, ndim=1)
    temperature = positive_float("temperature", temperature)
    names = _names("class_names", class_names, len(z), "class")
    p = softmax(z / temperature)
    ax = _new_axes(ax, (4.2, 3.2))
    bars = ax.bar(names, p, color=_class_colors(len(z)))
    ax.bar_label(bars, fmt="%.3f", padding=2)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("probability $\\hat{y}_j$")
    ax.set_title(f"{title or f'softmax(z / T), T = {temperature:g}'}:  sum = {p.sum():.4f}")
    _describe_softmax(ax, names, p, temperature, title)
    return ax


def softmax_explorer(z, temperature=1.0, axes=None, class_names=None):
    """Logits z (left) next to their softmax probabilities (right,
    :func:`softmax_temperature_bars`).

    Lecture: "Softmax function": raw scores (logits) in, a probability distribution out.

    Parameters
    ----------
    z : array of shape (k,), the logits
    temperature : float > 0, divides the logits before the softmax
    axes : pair of matplotlib Axes (logits, probabilities), or None for a new figure
    class_names : k names for the x axes (default "class 0", ...)

    Returns
    -------
    (ax_logits, ax_probabilities)
    """
    z = as_array("z", z, ndim=1)
    names = _names("class_names", class_names, len(z), "class")
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    ax_z, ax_p = axes
    bars = ax_z.bar(names, z, color=_class_colors(len(z)))
    ax_z.bar_label(bars, fmt="%.2f", padding=2)
    ax_z.axhline(0, color="k", linewidth=0.8)
    low, high = min(0.0, z.min()), max(0.0, z.max())
    pad = 0.15 * max(high - low, 1.0)
    ax_z.set_ylim(low - pad, high + pad)
    ax_z.set_ylabel("logit $z_j$")
    ax_z.set_title("logits z (any real numbers)")
    softmax_temperature_bars(z, temperature, ax=ax_p, class_names=names)
    _describe_logits(ax_z, names, z)
    return ax_z, ax_p


def softmax_explorer_live(z, temperature=1.0, class_names=None, z_range=(-5.0, 5.0)):
    """:func:`softmax_explorer` as a figure updated in place, for a slider per logit.

    The logits' axis is fixed to ``z_range`` (the sliders' range), so a move redraws only the bars,
    their labels and the title, not the axes (see :class:`mlpcourse.widgets.LiveFigure`).

    Parameters
    ----------
    z : array of shape (k,), the logits at the sliders' defaults
    temperature : float > 0, at its slider's default
    class_names : k names for the x axes
    z_range : (low, high), the range the logits' sliders cover

    Returns
    -------
    (fig, update) where ``update(z, temperature)`` returns the artists it changed
    """
    z = as_array("z", z, ndim=1)
    low, high = (float(v) for v in z_range)
    if not low < 0 < high:
        raise ValueError(f"z_range must be (low, high) with low < 0 < high, got {z_range!r}")
    fig, axes = plt.subplots(1, 2, figsize=(8, 3.2))
    ax_z, ax_p = softmax_explorer(z, temperature, axes=axes, class_names=class_names)
    pad = 0.15 * (high - low)
    ax_z.set_ylim(low - pad, high + pad)  # fixed: the axes are drawn once

    z_bars, z_labels = ax_z.containers[0], list(ax_z.texts)  # bar_label's annotations
    names = [tick.get_text() for tick in ax_z.get_xticklabels()]
    p_bars, p_labels = ax_p.containers[0], list(ax_p.texts)

    def update(z, temperature):
        z = as_array("z", z, ndim=1)
        if len(z) != len(z_bars):
            raise ValueError(f"z must have {len(z_bars)} logits (one per bar), got {len(z)}")
        temperature = positive_float("temperature", temperature)
        p = softmax(z / temperature)
        for bar, label, value in zip(z_bars, z_labels, z, strict=True):
            bar.set_height(value)
            label.set_text(f"{value:.2f}")
            label.xy = (label.xy[0], value)  # above a positive bar, below a negative one
            label.xyann = (0, 2 if value >= 0 else -2)
            label.set_va("bottom" if value >= 0 else "top")
        for bar, label, value in zip(p_bars, p_labels, p, strict=True):
            bar.set_height(value)
            label.set_text(f"{value:.3f}")
            label.xy = (label.xy[0], value)
        ax_p.title.set_text(f"softmax(z / T), T = {temperature:g}:  sum = {p.sum():.4f}")
        _describe_logits(ax_z, names, z)
        _describe_softmax(ax_p, names, p, temperature, None)
        return [*z_bars, *z_labels, *p_bars, *p_labels, ax_p.title]

    return fig, update


# --- regression ---------------------------------------------------------------------------

def regression_scores(y, y_hat) -> dict:
    """R² = 1 - Σ(y - ŷ)² / Σ(y - ȳ)² and RMSE = sqrt(mean (y - ŷ)²) of a single-output regression.

    Parameters
    ----------
    y, y_hat : arrays of shape (m,) or (m, 1)

    Returns
    -------
    dict with float entries "r2" and "rmse"
    """
    y = _flat("y", y)
    y_hat = _flat("y_hat", y_hat, len(y))
    residual = np.sum((y - y_hat) ** 2)
    total = np.sum((y - y.mean()) ** 2)
    r2 = 1.0 - residual / total if total > 0 else float("nan")
    return {"r2": float(r2), "rmse": float(np.sqrt(residual / len(y)))}


def regression_plot(y, y_hat, ax=None, title=None, units=""):
    """Predicted against true values with the line ŷ = y; R² and RMSE in the title.

    Lecture: "Regression": one output neuron, no activation (linear), trained with MSE.

    Parameters
    ----------
    y : array of shape (m,) or (m, 1), the true targets
    y_hat : array of shape (m,) or (m, 1), the network's outputs
    ax : matplotlib Axes (a new one if None)
    title : text before the scores in the title
    units : appended to the RMSE (e.g. " points")

    Returns
    -------
    matplotlib Axes
    """
    y = _flat("y", y)
    y_hat = _flat("y_hat", y_hat, len(y))
    scores = regression_scores(y, y_hat)
    ax = _new_axes(ax, (4.4, 4.0))
    ax.scatter(y, y_hat, s=14, color=COLORS["positive"], alpha=0.7, edgecolor="white",
               linewidth=0.4, label="samples")
    low, high = min(y.min(), y_hat.min()), max(y.max(), y_hat.max())
    ax.plot([low, high], [low, high], color=COLORS["neutral"], linestyle="--",
            label="perfect: $\\hat{y} = y$")
    ax.set_xlabel("true y")
    ax.set_ylabel("predicted $\\hat{y}$")
    ax.set_aspect("equal", adjustable="datalim")
    ax.legend(loc="upper left")
    scores_text = f"R² = {scores['r2']:.3f}, RMSE = {scores['rmse']:.2f}{units}"
    ax.set_title(f"{title}\n{scores_text}" if title else scores_text)
    describe_plot(ax, f"{plain(title) + ': ' if title else ''}predicted against true values of "
                      f"{len(y)} samples, true y from {number(y.min())} to {number(y.max())}, "
                      f"with the dashed line of perfect predictions; R² = {number(scores['r2'], 2)}"
                      f", RMSE = {number(scores['rmse'], 2)}{units}")
    return ax


# --- binary classification ----------------------------------------------------------------

def binary_probability_plot(p, y, ax=None, threshold=0.5, class_names=None, title=None):
    """Each sample's predicted probability of class 1, sorted, coloured by its true class.

    Lecture: "Binary classification": one sigmoid output ŷ = P(class 1 | x); the prediction is
    class 1 when ŷ > threshold. Misclassified samples are drawn as crosses.

    Parameters
    ----------
    p : array of shape (m,) or (m, 1), probabilities in [0, 1]
    y : array of shape (m,) or (m, 1), true labels 0 or 1
    ax : matplotlib Axes (a new one if None)
    threshold : float in (0, 1)
    class_names : two names (default "class 0", "class 1")
    title : text before the accuracy in the title

    Returns
    -------
    matplotlib Axes
    """
    p = _flat("p", p)
    y = _labels("y", y, len(p))
    if p.min() < 0 or p.max() > 1:
        raise ValueError(f"p must hold probabilities in [0, 1]; got values from {p.min():.4g} "
                         f"to {p.max():.4g}")
    if y.max() > 1:
        raise ValueError(f"y must hold labels 0 or 1; got labels up to {y.max()}")
    if not 0 < threshold < 1:
        raise ValueError(f"threshold must lie strictly between 0 and 1; got {threshold}")
    names = _names("class_names", class_names, 2, "class")
    order = np.argsort(p, kind="stable")
    p, y = p[order], y[order]
    rank = np.arange(len(p))
    right = (p > threshold) == (y == 1)
    ax = _new_axes(ax, (6.4, 3.4))
    for c, color in ((0, COLORS["negative"]), (1, COLORS["positive"])):
        ok, wrong = (y == c) & right, (y == c) & ~right
        ax.scatter(rank[ok], p[ok], s=12, color=color, marker=CLASS_MARKERS[c],
                   label=f"true {names[c]}")
        ax.scatter(rank[wrong], p[wrong], s=40, marker=("x", "+")[c], color=color,
                   label=f"true {names[c]}, misclassified ({wrong.sum()})")
    ax.axhline(threshold, color="k", linestyle="--", linewidth=1,
               label=f"threshold {threshold:g}")
    ax.set_xlabel("sample (sorted by predicted probability)")
    ax.set_ylabel(f"$\\hat{{y}}$ = P({names[1]})")
    ax.set_ylim(-0.05, 1.05)
    ax.legend(loc="upper left", fontsize=8)
    accuracy = f"accuracy = {right.mean():.3f} ({right.sum()}/{len(p)})"
    ax.set_title(f"{title}: {accuracy}" if title else accuracy)
    wrong = [int(((y == c) & ~right).sum()) for c in (0, 1)]
    describe_plot(ax, f"{plain(title) + ': ' if title else ''}the predicted probability of "
                      f"{names[1]} for each of {len(p)} samples, sorted from lowest to highest and "
                      f"marked by true class, with the threshold {number(threshold)} dashed; "
                      f"{_count(wrong[0], 'sample')} of {names[0]} and {wrong[1]} of "
                      f"{names[1]} on the wrong side (crosses); {accuracy}")
    return ax


# --- multi-class --------------------------------------------------------------------------

def confusion_matrix(y, y_pred, k=None):
    """Counts C[i, j] of samples of true class i predicted as class j.

    Parameters
    ----------
    y, y_pred : arrays of shape (m,), integer labels
    k : number of classes (default: 1 + the largest label seen)

    Returns
    -------
    array of shape (k, k), int; rows are true classes, columns predictions, the trace counts the
    correct ones.
    """
    y = _labels("y", y)
    y_pred = _labels("y_pred", y_pred, len(y))
    seen = int(max(y.max(initial=0), y_pred.max(initial=0))) + 1
    if k is None:
        k = seen
    elif isinstance(k, bool) or not isinstance(k, int | np.integer) or k < seen:
        raise ValueError(f"k must be an int >= {seen} (the largest label + 1); got {k!r}")
    return np.bincount(y * k + y_pred, minlength=k * k).reshape(k, k)


def confusion_matrix_plot(y, y_pred, k=None, ax=None, class_names=None, title=None):
    """The confusion matrix as a grid of counts (rows: true class, columns: predicted class).

    Lecture: "Multi class classification": the prediction is the class with the largest
    softmax output; the diagonal holds the correct predictions.

    Parameters
    ----------
    y, y_pred : arrays of shape (m,), integer labels
    k : number of classes (default: 1 + the largest label seen)
    ax : matplotlib Axes (a new one if None)
    class_names : k names for the ticks (default 0..k-1)
    title : text before the accuracy in the title

    Returns
    -------
    matplotlib Axes
    """
    counts = confusion_matrix(y, y_pred, k)
    k = len(counts)
    names = [str(i) for i in range(k)] if class_names is None else _names(
        "class_names", class_names, k, "class")
    ax = _new_axes(ax, (0.38 * k + 1.8, 0.38 * k + 1.4))
    ax.imshow(counts, cmap="Blues", vmin=0, vmax=max(int(counts.max()), 1))
    for (i, j), c in np.ndenumerate(counts):  # one label per cell (drawing, not computing)
        if c:
            ax.text(j, i, str(c), ha="center", va="center", fontsize=9,
                    color="white" if c > 0.6 * counts.max() else "black")
    ax.set_xticks(range(k), names)
    ax.set_yticks(range(k), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    ax.grid(False)
    total = counts.sum()
    correct = int(np.trace(counts))
    accuracy = f"accuracy = {correct / max(total, 1):.3f} ({correct}/{total})"
    ax.set_title(f"{title}\n{accuracy}" if title else accuracy)
    off = counts - np.diag(np.diag(counts))
    worst = np.unravel_index(np.argmax(off), off.shape)
    confusion = ("no sample is misclassified" if not off.any() else
                 f"the most frequent mistake is true {names[worst[0]]} predicted as "
                 f"{names[worst[1]]} ({_count(int(off[worst]), 'sample')})")
    describe_plot(ax, f"{plain(title) + ': ' if title else ''}confusion matrix of {k} classes, "
                      f"rows the true class and columns the predicted one, darker for more "
                      f"samples; the diagonal holds the {correct} correct of {total} ({accuracy}); "
                      f"{confusion}")
    return ax


# --- multi-label --------------------------------------------------------------------------

def multilabel_accuracy_bars(Y, Y_pred, label_names=None, ax=None, title=None):
    """Accuracy of each label of a multi-label classifier, against always guessing the majority.

    Lecture: "Multi label classification": several sigmoid outputs, each a yes/no answer of its
    own. The title gives the exact-match ratio (samples with every label right).

    Parameters
    ----------
    Y : array of shape (m, q), true labels 0 or 1
    Y_pred : array of shape (m, q), predicted labels 0 or 1
    label_names : q names (default "label 0", ...)
    ax : matplotlib Axes (a new one if None)
    title : text before the exact-match ratio in the title

    Returns
    -------
    matplotlib Axes
    """
    Y = as_array("Y", Y, ndim=2)
    Y_pred = as_array("Y_pred", Y_pred, ndim=2)
    if Y_pred.shape != Y.shape:
        raise ValueError(f"Y_pred must have the shape of Y {Y.shape}; got {describe(Y_pred)}")
    for name, values in (("Y", Y), ("Y_pred", Y_pred)):
        if not np.all((values == 0) | (values == 1)):
            raise ValueError(f"{name} must hold labels 0 or 1 (threshold probabilities first)")
    q = Y.shape[1]
    names = _names("label_names", label_names, q, "label")
    per_label = np.mean(Y == Y_pred, axis=0)
    majority = np.maximum(Y.mean(axis=0), 1 - Y.mean(axis=0))
    ax = _new_axes(ax, (max(4.0, 1.3 * q + 1.5), 3.4))
    bars = ax.bar(names, per_label, color=COLORS["positive"], label="network")
    ax.bar_label(bars, fmt="%.3f", padding=2)
    ax.scatter(names, majority, marker="_", s=900, linewidths=2.5, color=COLORS["negative"],
               zorder=3, label="always the majority answer")
    ax.set_ylim(0, 1.3)
    ax.set_yticks(np.linspace(0, 1, 6))
    ax.set_ylabel("accuracy of the label")
    ax.legend(loc="upper center", ncol=2)
    exact = f"exact match (all {q} labels right) = {np.mean(np.all(Y == Y_pred, axis=1)):.3f}"
    ax.set_title(f"{title}\n{exact}" if title else exact)
    describe_plot(ax, f"{plain(title) + ': ' if title else ''}accuracy of each label as a bar "
                      f"({_listing(names, per_label)}) against always answering the majority "
                      f"({_listing(names, majority)}); {exact}")
    return ax


# --- pairing of output activation and loss ------------------------------------------------

def sigmoid_loss_pairing(z=None, y=1, axes=None):
    """Loss and dL/dz of one sigmoid output for MSE and for binary cross-entropy, against z.

    Lecture: Example 3, δ = ∂L/∂z = ŷ - y for sigmoid with cross-entropy. With MSE the same δ
    carries the factor σ'(z), which vanishes when the neuron is confidently wrong.

    Parameters
    ----------
    z : array of shape (n,), the output neuron's weighted sums (default: -8..8)
    y : the target, 0 or 1
    axes : pair of matplotlib Axes (loss, gradient), or None for a new figure

    Returns
    -------
    (ax_loss, ax_gradient)
    """
    z = np.linspace(-8, 8, 321) if z is None else as_array("z", z, ndim=1)
    if y not in (0, 1):
        raise ValueError(f"y must be 0 or 1; got {y!r}")
    y_hat = sigmoid(z).reshape(-1, 1)
    target = np.full(len(z), float(y))
    # delta = dL/dŷ · σ'(z); loss_gradient differentiates the mean over len(z) samples: undo 1/n
    dL_dy_hat = {name: len(z) * loss_gradient(y_hat, target, name)[:, 0] for name in ("mse", "bce")}
    curves = {
        "MSE $(\\hat{y} - y)^2$": ((y_hat[:, 0] - y) ** 2, dL_dy_hat["mse"] * sigmoid_prime(z)),
        "BCE $-y\\ln\\hat{y} - (1-y)\\ln(1-\\hat{y})$": (
            np.logaddexp(0.0, -z if y == 1 else z),  # -ln σ(z) or -ln(1 - σ(z)), stably
            dL_dy_hat["bce"] * sigmoid_prime(z)),
    }
    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(8.4, 3.2))
    ax_l, ax_g = axes
    for (label, (value, grad)), color, style in zip(curves.items(),
                                                    (COLORS["derivative"], COLORS["function"]),
                                                    ("--", "-"), strict=True):
        ax_l.plot(z, value, color=color, linestyle=style, label=label)
        ax_g.plot(z, grad, color=color, linestyle=style, label=label.split(" ")[0])
    ax_l.set_ylim(-0.2, min(6.0, float(max(v.max() for v, _ in curves.values())) + 0.2))
    ax_l.set_xlabel("z (output neuron's weighted sum)")
    ax_l.set_ylabel(f"loss for y = {y}")
    ax_l.legend(loc="upper center" if y == 1 else "upper left", fontsize=8)
    ax_l.set_title(f"loss of $\\hat{{y}} = \\sigma(z)$, target y = {y}")
    ax_g.set_xlabel("z")
    ax_g.set_ylabel("$\\delta = \\partial L / \\partial z$")
    ax_g.legend(fontsize=8)
    ax_g.set_title("gradient reaching z: BCE gives $\\hat{y} - y$")
    wrong_side = "negative" if y == 1 else "positive"
    (_, g_mse), (bce, g_bce) = curves.values()
    describe_plot(ax_l, f"the loss of one sigmoid output ŷ = σ(z) with target y = {y} for z from "
                        f"{number(z.min())} to {number(z.max())}: MSE stays below 1, binary "
                        f"cross-entropy grows without bound for large {wrong_side} z (up to "
                        f"{number(bce.max(), 2)} here)")
    describe_plot(ax_g, f"the gradient δ = ∂L/∂z reaching z: for binary cross-entropy it is "
                        f"ŷ − y, largest in size ({number(np.abs(g_bce).max(), 2)}) where the "
                        f"neuron is confidently wrong; for MSE it carries σ′(z) and falls to "
                        f"{number(abs(g_mse[0 if y == 1 else -1]), 1)} there")
    return ax_l, ax_g
