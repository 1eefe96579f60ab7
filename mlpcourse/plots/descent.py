"""Gradient descent on a loss surface (lecture: "Step 4: Update Weights (Gradient Descent)").

``descend`` runs the update w <- w - η dL/dw from a start point and returns every point it
visits; ``descent_1d`` draws a loss curve L(w) with the steps on it (and the tangent that explains
why a small step downhill lowers the loss); ``descent_2d`` draws the contours of a loss of two
weights with the path; ``descent_live`` is the 2-D picture with the loss per step, updated in
place for a learning-rate slider (see :class:`mlpcourse.widgets.LiveFigure`).

The loss and its gradient are plain functions of the weights: ``loss(w)`` must accept an array
whose last axis holds the weights (shape (..., d)) and return the loss for each, so a whole grid
is evaluated in one call; ``gradient(w)`` takes one point of shape (d,) (a float for d = 1).
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from .._validation import as_array, describe, positive_float, positive_int
from .alt_text import describe as describe_plot
from .alt_text import number, numbers, plain
from .style import COLORS


def _check_callable(name, f):
    if not callable(f):
        raise TypeError(f"{name} must be a function of the weights; got {describe(f)}")
    return f


def descend(gradient, w0, eta, steps=20):
    """Gradient descent: w_{k+1} = w_k - η gradient(w_k), ``steps`` times from w0.

    Parameters
    ----------
    gradient : function of the weights: a float for a float, shape (d,) for shape (d,)
    w0 : float or array of shape (d,), the start
    eta : learning rate η > 0
    steps : number of updates

    Returns
    -------
    array of shape (steps + 1,) for a float w0, else (steps + 1, d): w_0, w_1, ..., w_steps.
    A diverging run (η too large) is kept as it goes: its entries grow without bound (inf or nan
    once they overflow), and no warning is raised for that.
    """
    gradient = _check_callable("gradient", gradient)
    eta, steps = positive_float("eta", eta), positive_int("steps", steps)
    w = as_array("w0", w0, ndim=(0, 1), dtype=np.float64)
    path = np.empty((steps + 1, *w.shape))
    path[0] = w
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            g = np.asarray(gradient(path[k]), dtype=np.float64)
            if g.shape != w.shape:
                raise ValueError(f"gradient must return the shape of w0, {w.shape}; got shape "
                                 f"{g.shape}")
            path[k + 1] = path[k] - eta * g
    return path


def _losses(loss, points):
    """loss at each point (last axis the weights), non-finite where a run has diverged."""
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(loss(points), dtype=np.float64)


def _trend(losses) -> str:
    """How the loss moves along a path, in words (for the figure's description)."""
    finite = np.isfinite(losses)
    if not finite.all():
        return f"the loss grows without bound: the run diverges after {int(finite.sum())} points"
    steps = np.diff(losses)
    if len(steps) and (steps <= 0).all():
        how = "falls at every step"
    elif len(steps) and (steps >= 0).all():
        how = "grows at every step: the run diverges"
    else:
        how = "goes up and down"
    return f"the loss {how}, from {number(losses[0])} to {number(losses[-1], scale=losses[0])}"


def _range(name, value):
    low, high = (float(v) for v in value)
    if not low < high:
        raise ValueError(f"{name} must be (low, high) with low < high; got {value!r}")
    return low, high


def descent_1d(loss, path, ax=None, w_range=(-3.0, 3.0), gradient=None, title=None,
               ylim=None, color=None):
    """A loss curve L(w) of one weight with the steps of gradient descent drawn on it.

    Parameters
    ----------
    loss : function of the weight, vectorised (an array of w gives an array of L)
    path : array of shape (k,), from :func:`descend`
    ax : matplotlib Axes (a new one if None)
    w_range : (low, high) of the w axis
    gradient : if given, the tangent L(w_0) + L'(w_0)(w - w_0) at the start is drawn too
        (the first-order Taylor approximation behind the update)
    title : axes title
    ylim : (low, high) of the loss axis (default: the curve's range over w_range)
    color : colour of the steps (default: the course's highlight colour)

    Returns
    -------
    matplotlib Axes
    """
    loss = _check_callable("loss", loss)
    path = as_array("path", path, ndim=1, finite=False)
    low, high = _range("w_range", w_range)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.2))
    w = np.linspace(low, high, 301)
    curve = _losses(loss, w)
    ax.plot(w, curve, color=COLORS["function"], linewidth=1.5, label="loss L(w)")
    color = COLORS["highlight"] if color is None else color
    if gradient is not None:
        w0, g0 = float(path[0]), float(gradient(float(path[0])))
        span = 0.25 * (high - low)
        t = np.array([w0 - span, w0 + span])
        ax.plot(t, float(loss(w0)) + g0 * (t - w0), "--", color=COLORS["derivative"],
                linewidth=1, label="tangent at $w_0$")
    shown = path[np.isfinite(path)]
    ax.plot(shown, _losses(loss, shown), "o-", color=color, markersize=3.5, linewidth=1,
            label="steps")
    ax.plot(path[:1], _losses(loss, path[:1]), "o", color="k", markersize=5, label="start $w_0$")
    ax.set_xlim(low, high)
    ax.set_ylim(*(ylim if ylim is not None else _padded(curve)))
    ax.set_xlabel("weight $w$")
    ax.set_ylabel("loss $L$")
    if title:
        ax.set_title(title)
    tangent = " and the dashed tangent at the start" if gradient is not None else ""
    describe_plot(ax, f"{plain(title) + ': ' if title else ''}the loss L(w) for w from "
                      f"{number(low)} to {number(high)}, with {len(path) - 1} steps of gradient "
                      f"descent from w0 = {number(path[0])} to {number(path[-1])}{tangent}; "
                      f"{_trend(_losses(loss, path))}")
    return ax


def _padded(values):
    finite = values[np.isfinite(values)]
    low, high = float(finite.min()), float(finite.max())
    pad = 0.05 * (high - low or 1.0)
    return low - pad, high + pad


def _grid(loss, extent, resolution):
    x0, x1, y0, y1 = extent
    gx, gy = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    return gx, gy, _losses(loss, np.stack([gx, gy], axis=-1))


def _check_extent(extent):
    extent = tuple(float(v) for v in extent)
    if len(extent) != 4 or not (extent[0] < extent[1] and extent[2] < extent[3]):
        raise ValueError(f"extent must be (w1_low, w1_high, w2_low, w2_high) with low < high; got "
                         f"{extent!r}")
    return extent


def _check_path2(path):
    path = as_array("path", path, ndim=2, finite=False)
    if path.shape[1] != 2:
        raise ValueError(f"path must have shape (k, 2), one point of two weights per row; got "
                         f"shape {path.shape}")
    return path


def _drawable(path, extent):
    """The path as drawn: far-away points pulled in to a box a million times the extent (the
    visible segments keep their direction), overflowed ones dropped (nan breaks the line)."""
    x0, x1, y0, y1 = extent
    reach = 1e6 * max(x1 - x0, y1 - y0)
    with np.errstate(invalid="ignore"):
        shown = np.where(np.isfinite(path), path, np.nan)
        return np.clip(shown, -reach, reach)


def descent_2d(loss, path, ax=None, extent=(-3.0, 3.0, -3.0, 3.0), minimum=None, title=None,
               levels=12, resolution=121, color=None):
    """Contours of a loss of two weights with the path of gradient descent drawn over them.

    Parameters
    ----------
    loss : function of the weights, vectorised over a last axis of length 2
    path : array of shape (k, 2), from :func:`descend`
    ax : matplotlib Axes (a new one if None)
    extent : (w1_low, w1_high, w2_low, w2_high)
    minimum : optional point (w1, w2) to mark as the minimum
    title : axes title
    levels : number of contour levels (spaced by the square root of the loss, so the levels near
        the minimum are not all squeezed together)
    resolution : grid points per axis
    color : colour of the path

    Returns
    -------
    matplotlib Axes
    """
    loss = _check_callable("loss", loss)
    path, extent = _check_path2(path), _check_extent(extent)
    if ax is None:
        _, ax = plt.subplots(figsize=(4.2, 3.6))
    gx, gy, values = _grid(loss, extent, positive_int("resolution", resolution))
    low, high = float(np.nanmin(values)), float(np.nanmax(values))
    ladder = low + (high - low) * np.linspace(0, 1, positive_int("levels", levels) + 1)[1:] ** 2
    ax.contour(gx, gy, values, levels=ladder, colors=COLORS["neutral"], linewidths=0.8)
    if minimum is not None:
        m = as_array("minimum", minimum, ndim=1)
        ax.plot(m[0], m[1], "*", color="k", markersize=9, label="minimum")
    color = COLORS["highlight"] if color is None else color
    shown = _drawable(path, extent)
    ax.plot(shown[:, 0], shown[:, 1], "o-", color=color, markersize=3, linewidth=1, label="steps")
    ax.plot(path[0, 0], path[0, 1], "o", color="k", markersize=5, label="start $w_0$")
    ax.set_xlim(extent[0], extent[1])
    ax.set_ylim(extent[2], extent[3])
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.set_aspect("equal", adjustable="box")
    ax.grid(False)
    if title:
        ax.set_title(title)
    _describe_2d(ax, loss, path, extent, minimum, title)
    return ax


def _describe_2d(ax, loss, path, extent, minimum, title):
    star = "" if minimum is None else f", the minimum (a star) at {numbers(minimum)}"
    end = path[-1]
    inside = (np.isfinite(end).all() and extent[0] <= end[0] <= extent[1]
              and extent[2] <= end[1] <= extent[3])
    where = f"at {numbers(end)}" if inside else "outside the plotted area"
    describe_plot(ax, f"{plain(title) + ': ' if title else ''}contour lines of the loss over w1 "
                      f"from {number(extent[0])} to {number(extent[1])} and w2 from "
                      f"{number(extent[2])} to {number(extent[3])}{star}; {len(path) - 1} steps "
                      f"of gradient descent from w0 = {numbers(path[0])} end {where}; "
                      f"{_trend(_losses(loss, path))}")


def _loss_per_step(ax, losses, ceiling):
    steps = np.arange(len(losses))
    (line,) = ax.plot(steps, np.minimum(losses, 10 * ceiling), "o-", color=COLORS["highlight"],
                      markersize=3, linewidth=1)
    ax.set_xlim(-0.5, len(losses) - 0.5)
    ax.set_ylim(0, ceiling)
    ax.set_xlabel("step $k$")
    ax.set_ylabel("loss $L(w_k)$")
    return line


def _title(eta, losses):
    """η and the loss from the first step to the last, or "diverges" when the last step raised
    the loss (on a bowl the loss falls at every step for η below 2 / the steepest curvature)."""
    last = losses[-1]
    if not np.isfinite(last) or (len(losses) > 1 and last > losses[-2]):
        state = "the loss grows: diverges"
    else:
        state = f"L: {losses[0]:.3g} → {last:.3g}"
    return f"η = {eta:g}: {state}"


def descent_live(loss, gradient, w0, eta, steps=20, extent=(-3.0, 3.0, -3.0, 3.0), minimum=None,
                 levels=12):
    """:func:`descent_2d` beside the loss per step, as a figure updated in place for an η slider.

    Only the path, the loss curve and the title change with η; the contours are drawn once. The
    loss axis is fixed from 0 to 1.5 L(w_0): a diverging run leaves it at the top. The title
    says "diverges" when the last step raised the loss.

    Parameters
    ----------
    loss, gradient : the loss of two weights (vectorised) and its gradient
    w0 : array of shape (2,), the start
    eta : the slider's default learning rate
    steps : number of updates drawn
    extent, minimum, levels : as for :func:`descent_2d`

    Returns
    -------
    (fig, update) where ``update(eta)`` returns the artists it changed
    """
    w0, extent = as_array("w0", w0, ndim=1), _check_extent(extent)
    if w0.shape != (2,):
        raise ValueError(f"w0 must hold two weights, shape (2,); got {describe(w0)}")
    steps = positive_int("steps", steps)
    fig, (ax_w, ax_l) = plt.subplots(1, 2, figsize=(8.0, 3.4))
    path = descend(gradient, w0, eta, steps)
    descent_2d(loss, path, ax=ax_w, extent=extent, minimum=minimum, levels=levels)
    path_line = ax_w.lines[-2]  # the steps; the last line is the start marker
    ceiling = 1.5 * float(loss(w0))
    losses = _losses(loss, path)
    loss_line = _loss_per_step(ax_l, losses, ceiling)
    ax_l.set_title(_title(eta, losses))
    ax_w.set_title("the path on the loss surface")

    def describe_state(eta, path, losses):
        describe_plot(fig, f"Gradient descent with learning rate η = {number(eta)}.")
        _describe_2d(ax_w, loss, path, extent, minimum, "the path on the loss surface")
        describe_plot(ax_l, f"the loss after each of the {steps} steps (axis from 0 to "
                            f"{number(ceiling)}): {_trend(losses)}")

    describe_state(eta, path, losses)

    def update(eta):
        eta = positive_float("eta", eta)
        path = descend(gradient, w0, eta, steps)
        losses = _losses(loss, path)
        shown = _drawable(path, extent)
        path_line.set_data(shown[:, 0], shown[:, 1])
        with np.errstate(invalid="ignore"):
            loss_line.set_ydata(np.minimum(losses, 10 * ceiling))
        ax_l.title.set_text(_title(eta, losses))
        describe_state(eta, path, losses)
        return [path_line, loss_line, ax_l.title]

    return fig, update
