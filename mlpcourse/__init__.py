"""mlpcourse: a small numpy engine for a course on feed-forward networks and backpropagation.

The public contract (see the README): ``Network``, ``init_network``, ``forward``, ``backward``,
``loss``, ``update``, ``fit``, ``gradient_check``. Plotting lives in ``mlpcourse.plots`` and
``mlpcourse.diagrams``, imported only when asked for, so ``import mlpcourse`` stays fast.
"""

from . import activations, losses
from .activations import ACTIVATIONS
from .checks import gradient_check, numerical_gradient, relative_error
from .losses import LOSSES, loss, loss_gradient
from .network import (
    INIT_METHODS,
    Cache,
    Gradients,
    Network,
    accuracy,
    backward,
    forward,
    init_network,
    predict,
    update,
)
from .train import History, fit, minibatches

__version__ = "0.1.0"

# Modules outside the engine load on first use (mc.datasets, mc.diagnostics, mc.perceptron,
# mc.practice, mc.trace, mc.graph; `from mlpcourse import datasets` too), so `import mlpcourse`
# stays within a few milliseconds of `import numpy`.
_LAZY = ("datasets", "diagnostics", "graph", "perceptron", "practice", "trace")


def __getattr__(name):
    if name in _LAZY:
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'mlpcourse' has no attribute {name!r}")


def __dir__():
    return sorted({*globals(), *_LAZY})  # dir(mc) lists the lazy modules before their first use

__all__ = [
    "ACTIVATIONS",
    "INIT_METHODS",
    "LOSSES",
    "Cache",
    "Gradients",
    "History",
    "Network",
    "accuracy",
    "activations",
    "datasets",
    "diagnostics",
    "backward",
    "fit",
    "forward",
    "gradient_check",
    "init_network",
    "loss",
    "loss_gradient",
    "losses",
    "minibatches",
    "numerical_gradient",
    "perceptron",
    "predict",
    "relative_error",
    "update",
]
