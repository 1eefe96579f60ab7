"""Plots shared by the lessons that train networks: decision regions of a classifier over 2-D
inputs, and training / validation loss curves with the early-stopping point."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import ListedColormap

from ..network import Network, forward
from .alt_text import describe, number, plain
from .style import CLASS_MARKERS, COLORS


def _grid(X, resolution, margin=0.5):
    lo, hi = X.min(axis=0) - margin, X.max(axis=0) + margin
    xs, ys = np.linspace(lo[0], hi[0], resolution), np.linspace(lo[1], hi[1], resolution)
    gx, gy = np.meshgrid(xs, ys)
    return gx, gy, np.column_stack([gx.ravel(), gy.ravel()])


def decision_regions(net: Network, X, y, ax=None, resolution=150, title=None, margin=0.5, s=14):
    """Shade the input plane by the class ``net`` predicts and scatter the samples on top.

    Parameters
    ----------
    net : Network with 2 inputs; a single sigmoid output (binary) or a softmax output (classes)
    X : array of shape (m, 2)
    y : array of shape (m,), integer class labels
    ax : matplotlib Axes (a new one if None)
    resolution : grid points per axis
    title : optional axes title
    margin : space around the samples, in input units
    s : marker size of the samples (larger for a handful of points, e.g. the logic gates)

    Returns
    -------
    matplotlib Axes
    """
    X, y = np.asarray(X), np.asarray(y).reshape(-1).astype(int)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"X must have shape (m, 2) to be drawn in the plane; got {X.shape}")
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    gx, gy, grid = _grid(X, resolution, margin)
    y_hat, _ = forward(net, grid)
    k = max(int(y.max()) + 1, y_hat.shape[1] if y_hat.shape[1] > 1 else 2)
    colors = COLORS["classes"][:k] if k > 2 else [COLORS["negative"], COLORS["positive"]]
    if y_hat.shape[1] == 1:  # binary: shade by the probability of class 1
        ax.contourf(gx, gy, y_hat.reshape(gx.shape), levels=np.linspace(0, 1, 11),
                    cmap="RdBu", alpha=0.35, vmin=0, vmax=1)
        ax.contour(gx, gy, y_hat.reshape(gx.shape), levels=[0.5], colors="k", linewidths=1)
    else:
        labels = np.argmax(y_hat, axis=1).reshape(gx.shape)
        ax.contourf(gx, gy, labels, levels=np.arange(k + 1) - 0.5, cmap=ListedColormap(colors),
                    alpha=0.3)
    for c in range(k):
        mask = y == c
        if mask.any():
            ax.scatter(X[mask, 0], X[mask, 1], s=s, color=colors[c], edgecolor="white",
                       marker=CLASS_MARKERS[c % len(CLASS_MARKERS)], linewidth=0.4,
                       label=f"class {c}")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal", adjustable="box")
    ax.grid(False)
    if title:
        ax.set_title(title)
    predicted, _ = forward(net, X)
    predicted = ((predicted[:, 0] > 0.5).astype(int) if predicted.shape[1] == 1
                 else np.argmax(predicted, axis=1))
    right = int(np.sum(predicted == y))
    shading = ("shaded by the predicted probability of class 1, the 0.5 boundary drawn black"
               if y_hat.shape[1] == 1 else f"shaded by the predicted class (of {k})")
    describe(ax, f"{plain(title) + ': ' if title else ''}decision regions of the network over "
                 f"x1 from {number(gx.min(), 2)} to {number(gx.max(), 2)} and x2 from "
                 f"{number(gy.min(), 2)} to {number(gy.max(), 2)}, {shading}; {len(y)} samples "
                 f"marked by class, {right} of them in the region of their own class")
    return ax


def loss_curves(history, ax=None, title=None, log=False):
    """Training loss per epoch, validation loss at each check, and the early-stopping markers.

    Parameters
    ----------
    history : History from ``mlpcourse.fit``
    ax : matplotlib Axes (a new one if None)
    log : use a logarithmic loss axis

    Returns
    -------
    matplotlib Axes
    """
    if ax is None:
        _, ax = plt.subplots()
    epochs = np.arange(1, len(history.train_loss) + 1)
    ax.plot(epochs, history.train_loss, color=COLORS["train"], label="training loss")
    if history.val_loss:
        ax.plot(history.val_epochs, history.val_loss, "o--", color=COLORS["validation"],
                markersize=3, label="validation loss (at each check)")
    if history.best_epoch is not None:
        ax.axvline(history.best_epoch, color=COLORS["highlight"], linestyle="--",
                   label=f"best check: epoch {history.best_epoch} (weights returned)")
    if history.stopped_early:
        ax.axvline(history.stopped_epoch, color=COLORS["neutral"], linestyle=":",
                   label=f"stopped: epoch {history.stopped_epoch}")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("loss")
    ax.legend()
    if title:
        ax.set_title(title)
    train = np.asarray(history.train_loss, dtype=float)
    parts = [f"training loss over {len(train)} epochs, from {number(train[0], 2)} to "
             f"{number(train[-1], 2, scale=train[0])}"]
    if history.val_loss:
        val = np.asarray(history.val_loss, dtype=float)
        parts.append(f"validation loss at {len(val)} checks, lowest {number(val.min(), 2)}")
    if history.best_epoch is not None:
        parts.append(f"best check at epoch {history.best_epoch} (dashed line)")
    if history.stopped_early:
        parts.append(f"stopped early at epoch {history.stopped_epoch} (dotted line)")
    scale = " on a logarithmic axis" if log else ""
    describe(ax, f"{plain(title) + ': ' if title else ''}loss curves{scale}: {'; '.join(parts)}")
    return ax
