"""Plots for the lessons: the only place (with ``mlpcourse.diagrams``) that imports matplotlib.

``setup()`` gives every notebook the same look and print precision; each topic has its own
submodule (``plots.perceptron``, ``plots.activations``, ...).
"""

from . import training
from .style import COLORS, new_axes, setup

__all__ = ["COLORS", "new_axes", "setup", "training"]
