"""Sliders that drive plots, the same way in every lesson.

``interactive_plot(draw, x=slider(...), ...)`` lays the controls out above an output area and
re-runs ``draw(**values)`` whenever a control changes. Every lesson also shows the same plot at the
default values in a plain cell (the "static twin"), so the page reads well without a kernel.
"""

from __future__ import annotations

import ipywidgets as widgets
import matplotlib.pyplot as plt


def slider(value, min, max, step=None, description="", continuous_update=True, integer=False):
    """A FloatSlider (or IntSlider) with a readable description and readout."""
    cls = widgets.IntSlider if integer else widgets.FloatSlider
    kwargs = {} if step is None else {"step": step}
    return cls(value=value, min=min, max=max, description=description,
               continuous_update=continuous_update, style={"description_width": "initial"},
               layout=widgets.Layout(width="260px"), **kwargs)


def interactive_plot(draw, columns: int = 3, **controls):
    """Controls above a plot that ``draw(**values)`` redraws on every change.

    Parameters
    ----------
    draw : callable taking one keyword argument per control; it draws with matplotlib
    columns : number of controls per row
    **controls : name -> ipywidgets control

    Returns
    -------
    ipywidgets.VBox, to be the last expression of a cell.
    """

    def show(**values):
        draw(**values)
        plt.show()

    output = widgets.interactive_output(show, controls)
    items = list(controls.values())
    rows = [widgets.HBox(items[i:i + columns]) for i in range(0, len(items), columns)]
    return widgets.VBox([*rows, output])
