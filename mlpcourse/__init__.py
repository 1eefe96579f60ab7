"""mlpcourse: a small numpy engine for a course on feed-forward networks and backpropagation.

The public contract (see the README): ``Network``, ``init_network``, ``forward``, ``backward``,
``loss``, ``update``, ``fit``, ``gradient_check``. The engine (``activations``, ``losses``,
``network``, ``train`` with its in-place step ``_fast``, ``gradcheck``) is imported here; lesson
helpers load on first use, and plotting (``mlpcourse.plots``, ``mlpcourse.diagrams``) and widgets
only when imported, so ``import mlpcourse`` imports numpy and nothing heavier.
"""

from . import activations, losses
from .activations import ACTIVATIONS, register_activation
from .gradcheck import gradient_check, numerical_gradient, relative_error
from .losses import LOSSES, loss, loss_gradient, register_loss
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
# mc.practice, mc.trace, mc.lecture, mc.graph, mc.pathsum; `from mlpcourse import datasets` too).
_LAZY = ("datasets", "diagnostics", "graph", "lecture", "pathsum", "perceptron", "practice",
         "trace")


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
    "register_activation",
    "register_loss",
    "relative_error",
    "update",
]
