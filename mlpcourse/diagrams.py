"""The old home of the network diagrams, kept so that ``mlpcourse.diagrams`` (the README's
public name, and code written before the move) keeps working.

The diagrams live in :mod:`mlpcourse.plots.diagrams`, with the other plots. This module is that
module under its old name (the same object, so its constants and functions are shared):
``from mlpcourse.diagrams import draw_network`` and ``from mlpcourse.plots.diagrams import
draw_network`` give the same function.
"""

import sys

from .plots import diagrams as _diagrams

sys.modules[__name__] = _diagrams
