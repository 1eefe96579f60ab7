"""The text descriptions of lesson 1's pictures (mlpcourse.plots.perceptron) follow their data."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from mlpcourse.datasets import logic_gate
from mlpcourse.perceptron import train_perceptron
from mlpcourse.plots import perceptron as pplots
from mlpcourse.plots.alt_text import description, undescribed_axes


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_gate_panels_say_the_line_and_the_mistakes_per_gate():
    axes = pplots.gate_panels(([1.0, 1.0], 0.5))
    text = description(axes[0].figure)
    assert text.startswith("One perceptron, w1 = 1, w2 = 1, θ = 0.5, over the gates AND, OR, XOR.")
    assert "Left: AND: 2 of 4 wrong: the decision line x1 + x2 = 0.5" in text
    assert "wrong output at (0, 1), (1, 0)" in text and "Middle: OR: all 4 right" in text
    other = description(pplots.gate_panels(([1.0, -1.0], 0.2))[0].figure)
    assert "x1 − x2 = 0.2" in other and other != text
    assert undescribed_axes(axes[0].figure) == []


def test_the_live_panels_describe_the_state_after_each_move():
    fig, update = pplots.gate_panels_live(np.array([1.0, 1.0]), 1.5)
    assert "x1 + x2 = 1.5" in description(fig) and "Left: AND: all 4 right" in description(fig)
    update(np.array([1.0, 1.0]), 0.5)
    assert "x1 + x2 = 0.5" in description(fig) and "Left: AND: 2 of 4 wrong" in description(fig)


def test_step_errors_and_history_describe_their_numbers():
    assert "threshold θ = 0.3" in description(pplots.step_plot(0.3).figure)
    marked = description(pplots.step_plot(0.3, h=0.2).figure)
    assert "h = 0.2 gives o = 0" in marked
    result = train_perceptron(*logic_gate("AND"), eta=0.1, epochs=20, rng=0)
    errors = ", ".join(str(int(e)) for e in result.errors)
    text = description(pplots.errors_per_epoch(result).figure)
    assert f"training: {errors} (no mistakes in epoch {result.epochs_run})" in text
    history = description(pplots.line_history(result, *logic_gate("AND")).figure)
    assert f"after each of {result.epochs_run} epochs" in history
    assert "every output is right" in history
