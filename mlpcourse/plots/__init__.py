"""Plots for the lessons: with ``mlpcourse.widgets``, the only place that imports matplotlib.

``setup()`` gives every notebook the same look and print precision; each topic has its own
submodule (``plots.perceptron``, ``plots.activations``, ...); ``plots.diagrams`` draws networks
as neurons and weighted edges (``mlpcourse.diagrams`` is its old name and still works);
``plots.practice`` and ``plots.playground`` draw lesson 9's problems and lesson 6's runs.
``plots.describe(fig_or_ax, text)`` gives a figure drawn in a lesson cell its text description
(every plotting function here writes its own: ``mlpcourse.plots.alt_text``).
"""

from . import (
    activations,
    descent,
    diagrams,
    graph,
    outputs,
    perceptron,
    playground,
    practice,
    training,
    vanishing,
)
from .alt_text import describe
from .style import COLORS, setup

__all__ = ["COLORS", "activations", "descent", "describe", "diagrams", "graph", "outputs",
           "perceptron", "playground", "practice", "setup", "training", "vanishing"]
