"""Pictures of a playground run (lesson 6): the decision regions over the training points (test
points as rings) next to the loss curves, redrawn while the network trains.

The run itself (data, network, training) is :mod:`mlpcourse.playground`; this module only draws.
"""

from __future__ import annotations

import matplotlib.pyplot as plt

from ..playground import is_finite
from .alt_text import describe, plain
from .style import CLASS_MARKERS, COLORS, RC
from .training import decision_regions, loss_curves

FIGSIZE = (9.5, 3.8)  # inches: decision regions and loss curves side by side


def run_figure(closed: bool = False):
    """An empty figure of the playground's size and style, for :func:`draw_run` to fill.

    Parameters
    ----------
    closed : True closes it in pyplot at once, so that the inline backend never shows it (the
        interactive playground shows it only through ``display``)

    Returns
    -------
    matplotlib Figure
    """
    with plt.rc_context(RC):
        fig = plt.figure(figsize=FIGSIZE)
    if closed:
        plt.close(fig)
    return fig


def draw_run(net, history, data, metrics, fig=None, title=None):
    """Draw a run: the decision regions over the training points (test points as rings) and the
    loss curves (``plots.training``; lecture: "Some things to keep in mind", early stopping).

    Parameters
    ----------
    net, history, metrics : from ``playground.train_run``
    data : the run's ``datasets.Split`` (X_train (m, 2), y_train (m,), X_test, y_test)
    fig : matplotlib Figure to draw into (cleared first), or None for a new one
    title : optional figure title (``playground.describe_config``)

    Returns
    -------
    matplotlib Figure with two axes
    """
    if fig is None:
        fig = run_figure()
    fig.clear()
    ax_regions, ax_loss = fig.subplots(1, 2, width_ratios=[1, 1.3])
    if is_finite(net):
        decision_regions(net, data.X_train, data.y_train, ax=ax_regions)
        k = max(int(data.y_train.max()) + 1, 2)
        colors = COLORS["classes"][:k] if k > 2 else [COLORS["negative"], COLORS["positive"]]
        for c in range(k):
            mask = data.y_test == c
            ax_regions.scatter(data.X_test[mask, 0], data.X_test[mask, 1], s=22,
                               marker=CLASS_MARKERS[c % len(CLASS_MARKERS)], facecolor="none",
                               edgecolor=colors[c], linewidth=1.0)
        ax_regions.set_title(f"train {metrics['train_accuracy']:.0%}, "
                             f"test {metrics['test_accuracy']:.0%} (rings)")
        ax_regions.legend(loc="upper right", fontsize=8, handletextpad=0.1)
    else:
        ax_regions.set_axis_off()
        describe(ax_regions, "no decision regions: the weights are no longer finite numbers")
    if metrics.get("diverged"):
        ax_regions.set_title(f"diverged in epoch {history.stopped_epoch}: η too large",
                             color=COLORS["negative"])
    loss_curves(history, ax=ax_loss)
    ax_loss.legend(fontsize=8)
    ax_loss.set_title(f"epoch {history.stopped_epoch}")
    if title:
        fig.suptitle(title)
    result = (f"diverged in epoch {history.stopped_epoch} (η too large)" if metrics.get("diverged")
              else f"after {history.stopped_epoch} epochs train accuracy "
                   f"{metrics['train_accuracy']:.0%}, test accuracy {metrics['test_accuracy']:.0%}"
                   f" (test points drawn as rings)")
    describe(fig, f"{plain(title) + ': ' if title else ''}a training run, {result}.")
    return fig


__all__ = ["FIGSIZE", "draw_run", "run_figure"]
