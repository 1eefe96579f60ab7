"""Sliders that drive plots, the same way in every lesson.

``interactive_plot(draw, x=slider(...), ...)`` lays the controls out above the plot and redraws it
whenever a control changes. ``draw`` is either

- a function ``draw(**values)`` that draws a new figure with matplotlib each time (simple; every
  move pays for a whole new figure: layout, text, rasterising), or
- a :class:`LiveFigure`, ``live(fig, update)``: one figure built once, whose ``update(**values)``
  changes a few artists and returns them. Only those artists are redrawn, over a cached picture of
  the rest (axes, ticks, labels: matplotlib's "blitting"), and the result is sent as a PNG to an
  ``ipywidgets.Image``. This is what keeps a slider drag smooth.

Every lesson also shows the same plot at the default values in a plain cell (the "static twin"), so
the page reads well without a kernel (static site, nbviewer).
"""

from __future__ import annotations

import io
import traceback

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .plots import alt_text


def slider(value, min, max, step=None, description="", continuous_update=True, integer=False):
    """A FloatSlider (or IntSlider) with a readable description and readout.

    ``description`` is required: it is the slider's text label, shown beside it (what the slider
    changes, e.g. "learning rate η"), for every student and not only those who see the plot.
    """
    if not isinstance(description, str) or not description.strip():
        raise ValueError("description must be the slider's text label (what it changes, e.g. "
                         f"'learning rate η'); got {description!r}")
    cls = widgets.IntSlider if integer else widgets.FloatSlider
    kwargs = {} if step is None else {"step": step}
    return cls(value=value, min=min, max=max, description=description,
               continuous_update=continuous_update, style={"description_width": "initial"},
               layout=widgets.Layout(width="260px"), **kwargs)


class LiveFigure:
    """A figure that is built once and then updated in place, rendered to PNG bytes.

    Parameters
    ----------
    fig : matplotlib Figure, drawn at the controls' default values. Its layout (constrained or
        not) is computed once, on the first render, and then kept, so the axes do not jump.
    update : callable ``update(**values) -> list of artists or None``. It changes the figure's
        artists (``set_data``, ``set_height``, ``set_text``, ...) and returns the ones it changed.
        Those become "animated": drawn on every call over a cached background of everything else.
        Returning ``None`` means "the background changed too" (axis limits, ticks, an artist
        added or removed): it is drawn again once, and the animated artists over it.

    Calling the object, ``live_figure(**values)``, runs ``update`` and returns the PNG bytes.
    """

    def __init__(self, fig, update):
        if not callable(update):
            raise TypeError(f"update must be a callable update(**values), got {type(update)!r}")
        self.fig = fig
        self.update = update
        self._animated: list = []
        self._background = None
        plt.close(fig)  # ours now: pyplot must not display it again at the end of the cell
        FigureCanvasAgg(fig)  # closing left it a bare canvas; Agg can rasterise and blit

    def __call__(self, **values) -> bytes:
        changed = self.update(**values)
        canvas = self.fig.canvas
        if changed is None:
            self._background = None  # the background changed: draw it again, blit as before
            changed = []
        fresh = [a for a in changed if a not in self._animated]
        if fresh or self._background is None:
            for artist in fresh:
                artist.set_animated(True)
            alive = set(self.fig.findobj())  # forget artists that update removed or replaced
            self._animated = sorted((a for a in self._animated + fresh if a in alive),
                                    key=lambda a: a.get_zorder())
            canvas.draw()  # everything that is not animated; the layout engine runs here
            self.fig.set_layout_engine("none")  # keep the positions it found from now on
            self._background = canvas.copy_from_bbox(self.fig.bbox)
        else:
            canvas.restore_region(self._background)
        for artist in self._animated:
            if artist.get_visible() and (artist.axes is None or artist.axes.get_visible()):
                self.fig.draw_artist(artist)
        return self.png()

    def png(self) -> bytes:
        """The canvas as it is now, as PNG (fast compression: it is sent, not stored)."""
        from PIL import Image

        rgba = np.asarray(self.fig.canvas.buffer_rgba())
        buffer = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buffer, format="png", compress_level=1)
        return buffer.getvalue()


def live(fig, update) -> LiveFigure:
    """``LiveFigure(fig, update)``: pass it to :func:`interactive_plot` as ``draw``."""
    return LiveFigure(fig, update)


def interactive_plot(draw, columns: int = 3, **controls):
    """Controls above a plot that ``draw`` redraws on every change.

    Parameters
    ----------
    draw : callable ``draw(**values)`` drawing a new figure with matplotlib, or a
        :class:`LiveFigure` (see :func:`live`), which updates one figure in place and is much
        faster. Anything ``draw`` prints, and any error it raises, is shown below the controls.
    columns : number of controls per row
    **controls : name -> ipywidgets control

    Returns
    -------
    ipywidgets.VBox, to be the last expression of a cell.
    """
    items = list(controls.values())
    rows = [widgets.HBox(items[i:i + columns]) for i in range(0, len(items), columns)]
    if not isinstance(draw, LiveFigure):
        def show(**values):
            draw(**values)
            plt.show()

        return widgets.VBox([*rows, widgets.interactive_output(show, controls)])

    width, height = (int(round(v)) for v in draw.fig.canvas.get_width_height())
    image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width}px",
                                                              height=f"{height}px"))
    text = widgets.Output()
    caption = widgets.HTML()

    def redraw(change=None):
        text.clear_output(wait=True)
        with text:  # in a kernel, what draw prints or displays goes here
            # caught here, not outside: with an IPython shell running, Output's __exit__ would
            # swallow the error into that shell's traceback display instead of the widget
            try:
                image.value = draw(**{name: c.value for name, c in controls.items()})
                # the figure's description follows the slider, below it as for every figure
                caption.value = alt_text.details_html(alt_text.description(draw.fig) or "")
            except Exception:  # noqa: BLE001 - shown to the student instead of lost in a log
                text.append_stderr(traceback.format_exc())

    for control in items:
        control.observe(redraw, names="value")
    redraw()
    return widgets.VBox([*rows, text, image, caption])
