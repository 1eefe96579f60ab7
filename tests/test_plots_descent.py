"""Gradient descent and its pictures (mlpcourse.plots.descent, lesson 5 "Gradient descent")."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from mlpcourse.plots import descent

C = 1.7  # curvature of the 1-D parabola below


def parabola(w):
    return 0.5 * C * (np.asarray(w) - 1.0) ** 2


def parabola_gradient(w):
    return C * (w - 1.0)


H = np.array([[2.0, 0.6], [0.6, 0.5]])  # an elongated bowl: eigenvalues about 2.2 and 0.3
W_STAR = np.array([1.0, -1.0])


def bowl(w):
    d = np.asarray(w) - W_STAR
    return 0.5 * np.einsum("...i,ij,...j->...", d, H, d)


def bowl_gradient(w):
    return H @ (w - W_STAR)


def test_descend_is_the_update_rule():
    path = descent.descend(bowl_gradient, [-2.0, 2.0], eta=0.3, steps=5)
    assert path.shape == (6, 2)
    w = np.array([-2.0, 2.0])
    for k in range(5):
        w = w - 0.3 * bowl_gradient(w)
        np.testing.assert_allclose(path[k + 1], w, rtol=0, atol=1e-15)
    one = descent.descend(parabola_gradient, 3.0, eta=0.1, steps=3)
    assert one.shape == (4,)
    # on a parabola each step multiplies the distance to the minimum by 1 - η C
    np.testing.assert_allclose(one - 1.0, 2.0 * (1 - 0.1 * C) ** np.arange(4), rtol=1e-14)


@pytest.mark.parametrize("eta, falls", [(0.1, True), (1.1, True), (1.0 / C - 0.1, True),
                                        (2.0 / C + 0.05, False)])
def test_the_loss_falls_exactly_when_eta_is_below_two_over_the_curvature(eta, falls):
    path = descent.descend(parabola_gradient, 3.0, eta=eta, steps=10)
    losses = parabola(path)
    assert bool(np.all(np.diff(losses) < 0)) == falls
    # below 1/C the weight never passes the minimum; between 1/C and 2/C it overshoots
    assert bool(np.all(path > 1.0)) == (eta < 1.0 / C)


def test_descend_keeps_a_diverging_run_without_warnings():
    with np.errstate(all="raise"):
        path = descent.descend(bowl_gradient, [-2.0, 2.0], eta=5.0, steps=800)
    assert not np.all(np.isfinite(path[-1]))
    assert abs(path[10, 0]) > 1e3


def test_descend_checks_its_arguments():
    with pytest.raises(TypeError, match="gradient must be a function"):
        descent.descend(np.zeros(2), [0.0, 0.0], 0.1)
    with pytest.raises(ValueError, match="eta"):
        descent.descend(bowl_gradient, [0.0, 0.0], -0.1)
    with pytest.raises(ValueError, match="steps"):
        descent.descend(bowl_gradient, [0.0, 0.0], 0.1, steps=0)
    with pytest.raises(ValueError, match=r"gradient must return the shape of w0, \(2,\)"):
        descent.descend(lambda w: np.zeros(3), [0.0, 0.0], 0.1)


def test_descent_1d_draws_curve_tangent_and_steps():
    path = descent.descend(parabola_gradient, -1.0, eta=0.2, steps=6)
    ax = descent.descent_1d(parabola, path, w_range=(-2, 3), gradient=parabola_gradient,
                            title="t")
    curve, tangent, steps, start = ax.lines
    np.testing.assert_allclose(steps.get_xdata(), path)
    np.testing.assert_allclose(steps.get_ydata(), parabola(path))
    # the tangent at w0 has the slope L'(w0) and touches the curve there
    (t0, t1), (l0, l1) = tangent.get_xdata(), tangent.get_ydata()
    assert (l1 - l0) / (t1 - t0) == pytest.approx(parabola_gradient(-1.0))
    assert l0 + parabola_gradient(-1.0) * (-1.0 - t0) == pytest.approx(parabola(-1.0))
    assert start.get_xdata()[0] == -1.0 and ax.get_title() == "t"
    assert ax.get_xlim() == (-2, 3)


def test_descent_1d_skips_overflowed_points():
    path = np.array([0.0, 2.0, np.inf, np.nan])
    ax = descent.descent_1d(parabola, path, ylim=(0, 5))
    assert len(ax.lines[-2].get_xdata()) == 2 and ax.get_ylim() == (0, 5)


def test_descent_2d_path_contours_and_minimum():
    path = descent.descend(bowl_gradient, [-2.0, 2.0], eta=0.3, steps=8)
    ax = descent.descent_2d(bowl, path, extent=(-3, 3, -3, 3), minimum=W_STAR)
    star, steps, start = ax.lines
    np.testing.assert_allclose(np.column_stack([steps.get_xdata(), steps.get_ydata()]), path)
    assert (star.get_xdata()[0], star.get_ydata()[0]) == (1.0, -1.0)
    assert ax.collections  # the contours
    with pytest.raises(ValueError, match=r"path must have shape \(k, 2\)"):
        descent.descent_2d(bowl, np.zeros((3, 3)))
    with pytest.raises(ValueError, match="extent must be"):
        descent.descent_2d(bowl, path, extent=(1, 0, 0, 1))


def test_a_diverging_path_is_drawn_without_overflow():
    path = descent.descend(bowl_gradient, [-2.0, 2.0], eta=5.0, steps=800)
    ax = descent.descent_2d(bowl, path, extent=(-3, 3, -3, 3))
    ax.figure.canvas.draw()
    shown = np.column_stack([ax.lines[-2].get_xdata(), ax.lines[-2].get_ydata()])
    assert np.nanmax(np.abs(shown)) <= 6e6


def test_live_update_matches_a_fresh_figure():
    fig, update = descent.descent_live(bowl, bowl_gradient, [-2.0, 2.0], eta=0.3, steps=10,
                                       extent=(-3, 3, -3, 3), minimum=W_STAR)
    ax_w, ax_l = fig.axes
    assert ax_l.get_ylim() == (0, pytest.approx(1.5 * bowl(np.array([-2.0, 2.0]))))
    assert "η = 0.3" in ax_l.get_title() and "diverges" not in ax_l.get_title()
    changed = update(eta=0.9)
    assert len(changed) == 3 and ax_l.title in changed
    path = descent.descend(bowl_gradient, [-2.0, 2.0], 0.9, 10)
    path_line = ax_w.lines[-2]
    np.testing.assert_allclose(path_line.get_xdata(), path[:, 0])
    np.testing.assert_allclose(ax_l.lines[0].get_ydata(), bowl(path))
    update(eta=1.5)  # beyond 2 / 2.2: the loss grows
    assert "diverges" in ax_l.get_title()
    eta_max = 2 / np.linalg.eigvalsh(H)[-1]
    update(eta=eta_max * 1.01)  # just beyond: the loss grows, slowly (still below the start)
    assert "diverges" in ax_l.get_title() and ax_l.lines[0].get_ydata()[-1] < 1.5 * bowl(
        np.array([-2.0, 2.0]))
    update(eta=eta_max * 0.99)
    assert "diverges" not in ax_l.get_title()
    fig.canvas.draw()
    with pytest.raises(ValueError, match="w0 must hold two weights"):
        descent.descent_live(bowl, bowl_gradient, [0.0], eta=0.1)


def test_blitted_moves_leave_nothing_behind():
    """A move and a move back give the same PNG (the path and loss curve of the first move are
    not left in the cached background); a diverging move renders too."""
    from mlpcourse.widgets import live

    fig, update = descent.descent_live(bowl, bowl_gradient, [-2.0, 2.0], eta=0.3, steps=10,
                                       extent=(-3, 3, -3, 3), minimum=W_STAR)
    live_figure = live(fig, update)
    first = live_figure(eta=0.3)
    moved = live_figure(eta=0.8)
    assert moved != first
    assert live_figure(eta=5.0) != moved  # diverges: the path leaves the axes
    assert live_figure(eta=0.3) == first


def test_descriptions_follow_the_data():
    """The text a figure carries is built from its path: another learning rate, another text."""
    import matplotlib.pyplot as plt

    from mlpcourse.plots.alt_text import description

    slow = descent.descent_1d(parabola, descent.descend(parabola_gradient, -1.0, 0.1, 10))
    text = description(slow.figure)
    assert "10 steps of gradient descent from w0 = −1 to 0.69;" in text, text
    assert "the loss falls at every step, from 3.4 to" in text
    wild = descent.descent_1d(parabola, descent.descend(parabola_gradient, -1.0, 1.3, 10))
    assert "the loss grows at every step" in description(wild.figure)
    fig, update = descent.descent_live(bowl, bowl_gradient, [-2.0, 2.0], eta=0.3,
                                       minimum=W_STAR)
    assert description(fig).startswith("Gradient descent with learning rate η = 0.3. Left: ")
    assert "the minimum (a star) at (1, −1)" in description(fig)
    update(eta=1.0)
    assert "η = 1." in description(fig) and "η = 0.3" not in description(fig)
    plt.close("all")
