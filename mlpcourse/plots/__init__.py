"""Plots for the lessons: the only place (with ``mlpcourse.diagrams``) that imports matplotlib.

``setup()`` gives every notebook the same look and print precision; each topic has its own
submodule (``plots.perceptron``, ``plots.activations``, ...).
"""

from . import activations, descent, graph, outputs, perceptron, training, vanishing
from .style import COLORS, setup

__all__ = ["COLORS", "activations", "descent", "graph", "outputs", "perceptron", "setup",
           "training", "vanishing"]
