"""A training playground in the spirit of TensorFlow Playground: pick a 2-D data set, a network
and the training settings, press "Train", and watch the decision boundary and the loss curves.

Lecture: "Some things to keep in mind" (initialisation, early stopping, scaling) and the whole
backpropagation algorithm (Steps 1-4) run on data you can see.

The logic is in plain functions (``make_dataset``, ``make_data``, ``build_network``,
``train_run``, ``snapshot``) that the tests and the static notebook cells call; the pictures are
:mod:`mlpcourse.plots.playground` (``draw_run``); only ``playground()`` touches ipywidgets. The
plots and ipywidgets are imported inside the functions that draw, and ``mlpcourse/__init__.py``
does not import this module at all: ``from mlpcourse.playground import playground``.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass, field, fields, replace

import numpy as np

from . import datasets
from ._validation import as_generator, choice, describe, positive_float, positive_int
from .activations import ACTIVATIONS
from .losses import get_loss, prepare_targets
from .network import Network, accuracy, forward, init_network
from .train import History, fit

DATASETS = ("moons", "circles", "spirals", "blobs", "xor")
INITS = ("auto", "uniform", "xavier", "he", "zeros")
BATCH_SIZES = [("1", 1), ("4", 4), ("8", 8), ("16", 16), ("32", 32), ("64", 64),
               ("full batch", 100_000)]


def hidden_activations() -> tuple[str, ...]:
    """The activations the playground offers for hidden layers: every ``ACTIVATIONS`` entry with
    ``hidden=True``, in the table's order (one registered with ``register_activation`` too)."""
    return tuple(name for name, act in ACTIVATIONS.items() if act.hidden)


def xor(m: int = 200, noise: float = 0.2, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """XOR-like data: noisy clouds around the four inputs of the lecture's XOR gate.

    Corner (x_1, x_2) in {0, 1}^2 gets the label x_1 XOR x_2 (``datasets.logic_gate("XOR")``); the
    m points are spread evenly over the corners, with Gaussian noise of standard deviation
    ``noise``. No single line separates the classes (the perceptron recap).

    Returns
    -------
    X : (m, 2) float64
    y : (m,) int, 0 or 1
    """
    m, rng = positive_int("m", m), as_generator(rng)
    noise = _noise(noise)
    corners, labels = datasets.logic_gate("XOR")
    k = rng.permutation(np.arange(m) % 4)
    X = corners[k] + noise * rng.standard_normal((m, 2))
    return X, labels[k].astype(np.int64)


def _noise(value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"noise must be a number >= 0; got {describe(value)}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"noise must be a finite number >= 0; got {value}")
    return float(value)


def make_dataset(name: str, m: int = 200, noise: float = 0.2, rng=0):
    """One of the playground's 2-D data sets.

    Parameters
    ----------
    name : "moons", "circles", "spirals" (2 arms), "blobs" (3 classes) or "xor"
    m : number of samples
    noise : standard deviation of the Gaussian noise on both coordinates; for "blobs" (centres on
        a circle of radius 4) each cloud has standard deviation 4 * noise (at least 0.01)
    rng : int seed or numpy.random.Generator

    Returns
    -------
    X : (m, 2) float64
    y : (m,) int class labels
    """
    choice("name", name, dict.fromkeys(DATASETS))
    noise = _noise(noise)
    if name == "moons":
        return datasets.moons(m, noise, rng=rng)
    if name == "circles":
        return datasets.circles(m, noise, factor=0.5, rng=rng)
    if name == "spirals":
        return datasets.spirals(m, noise, rng=rng, classes=2)
    if name == "blobs":
        return datasets.blobs(m, centers=3, std=max(4.0 * noise, 0.01), rng=rng)
    return xor(m, noise, rng=rng)


@dataclass(frozen=True)
class Config:
    """Everything one playground run depends on (the defaults are the static twin's run).

    Attributes
    ----------
    dataset : one of ``DATASETS``
    m : number of samples (split into training, validation and test parts)
    noise : noise level of ``make_dataset``
    hidden : hidden layer widths, e.g. (8, 8); () is no hidden layer (a linear classifier)
    activation : hidden activation, one of ``hidden_activations()``
    init : weight initialisation: "auto" (He for ReLU-like, Xavier otherwise), "uniform" (the
        lecture's U(-1, 1)), "xavier", "he" or "zeros"
    eta : learning rate η
    batch_size : samples per gradient step (>= the training set size: full batch)
    epochs : maximum number of epochs
    early_stopping : stop on the validation loss (lecture) and keep the best weights
    check_every : the lecture's k: validation loss every k epochs
    patience : checks without improvement before stopping (with ``early_stopping``)
    validation, test : fractions of m held out
    standardise : rescale both inputs to mean 0, standard deviation 1 (training statistics)
    seed : one seed for the data, the split, the weights and the shuffle
    """

    dataset: str = "moons"
    m: int = 200
    noise: float = 0.2
    hidden: tuple = field(default=(8, 8))
    activation: str = "tanh"
    init: str = "auto"
    eta: float = 0.3
    batch_size: int = 16
    epochs: int = 150
    early_stopping: bool = False
    check_every: int = 5
    patience: int = 5
    validation: float = 0.2
    test: float = 0.2
    standardise: bool = True
    seed: int = 0

    def __post_init__(self):
        choice("dataset", self.dataset, dict.fromkeys(DATASETS))
        choice("activation", self.activation, dict.fromkeys(hidden_activations()))
        choice("init", self.init, dict.fromkeys(INITS))
        object.__setattr__(self, "hidden", parse_hidden(self.hidden))
        for name in ("m", "batch_size", "epochs", "check_every", "patience"):
            positive_int(name, getattr(self, name))
        positive_float("eta", self.eta)
        _noise(self.noise)
        for name in ("early_stopping", "standardise"):
            value = getattr(self, name)
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be True or False; got {describe(value)}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, numbers.Integral):
            raise TypeError(f"seed must be an int; got {describe(self.seed)}")


def parse_hidden(hidden) -> tuple[int, ...]:
    """Hidden layer widths from a tuple/list of ints or a text such as "8, 8" ("" or "0": none)."""
    if isinstance(hidden, str):
        parts = [p for p in hidden.replace(",", " ").split() if p]
        try:
            hidden = [int(p) for p in parts]
        except ValueError:
            raise ValueError(f"hidden must list layer widths such as '8, 8'; got {hidden!r}") \
                from None
        if hidden == [0]:
            hidden = []
    if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
        hidden = [hidden]
    if not isinstance(hidden, tuple | list):
        raise TypeError(f"hidden must be a tuple of layer widths; got {describe(hidden)}")
    return tuple(positive_int(f"hidden[{i}]", n) for i, n in enumerate(hidden))


def _as_config(config) -> Config:
    if config is None:
        return Config()
    if isinstance(config, dict):
        unknown = sorted(set(config) - {f.name for f in fields(Config)})
        if unknown:
            raise ValueError(f"config has unknown keys {unknown}; expected some of "
                             f"{[f.name for f in fields(Config)]}")
        return Config(**config)
    if not isinstance(config, Config):
        raise TypeError(f"config must be a Config, a dict or None; got {describe(config)}")
    return config


def make_data(config=None) -> datasets.Split:
    """The data of a run: ``make_dataset`` then ``datasets.split`` (train / validation / test,
    standardised with training statistics when ``config.standardise``)."""
    config = _as_config(config)
    X, y = make_dataset(config.dataset, config.m, config.noise, rng=config.seed)
    return datasets.split(X, y, validation=config.validation, test=config.test,
                          rng=config.seed, standardise=config.standardise)


def build_network(config=None, classes: int = 2) -> Network:
    """The network of a run: 2 inputs, ``config.hidden`` layers, then one sigmoid output for two
    classes or a softmax output for more (lecture: "The output layer", binary / multi-class)."""
    config = _as_config(config)
    classes = positive_int("classes", classes)
    relu_like = config.activation in ("relu", "leaky_relu")
    method = ("he" if relu_like else "xavier") if config.init == "auto" else config.init
    out_size, output = (1, "sigmoid") if classes <= 2 else (classes, "softmax")
    sizes = [2, *config.hidden, out_size]
    activations = [config.activation] * len(config.hidden) + [output]
    return init_network(sizes, activations, method=method, rng=config.seed)


def loss_name(net: Network) -> str:
    """The loss that matches the output layer: binary or categorical cross-entropy."""
    return "binary_cross_entropy" if net.activations[net.L] == "sigmoid" else "cross_entropy"


def train_run(config=None, callback=None, every: int = 10, data=None):
    """Train the network of ``config`` on its data; return (net, history, metrics).

    The validation loss is recorded every ``config.check_every`` epochs in ``history`` in both
    modes; only with ``config.early_stopping`` does it stop training (and the weights of the best
    check are returned, as ``fit`` does). A run whose loss becomes inf or NaN (η too large) is
    stopped by ``fit`` in that epoch, without warnings: ``metrics["diverged"]`` is True and the
    network returned is the one from before that epoch.

    Parameters
    ----------
    config : Config, dict of Config fields, or None (the defaults)
    callback : optional callable(epoch, net, history, data), called every ``every`` epochs and at
        the last epoch (to redraw a live plot)
    every : int, epochs between two callback calls
    data : the ``datasets.Split`` to use (default ``make_data(config)``)

    Returns
    -------
    net : the trained Network
    history : train.History (train_loss per epoch, val_loss at each check)
    metrics : dict with "train_accuracy", "val_accuracy", "test_accuracy" (floats), "epochs"
        (epochs run), "best_epoch" and "diverged"
    """
    config = _as_config(config)
    every = positive_int("every", every)
    data = make_data(config) if data is None else data
    classes = int(max(data.y_train.max(), data.y_val.max(initial=0), data.y_test.max(initial=0)))
    net = build_network(config, classes + 1)
    loss = loss_name(net)
    own = History()  # validation curve recorded here when fit does not do it (no early stopping)

    def view(history):
        if config.early_stopping:
            return history
        return replace(own, train_loss=history.train_loss, stopped_epoch=history.stopped_epoch,
                       stopped_early=history.stopped_early, diverged=history.diverged)

    def on_epoch(epoch, current, history):
        if not config.early_stopping and epoch % config.check_every == 0 and len(data.y_val):
            own.val_loss.append(_val_loss(current, data, loss))
            own.val_epochs.append(epoch)
        if callback is not None and (epoch % every == 0 or epoch == config.epochs):
            callback(epoch, current, view(history), data)

    validation = (data.X_val, data.y_val) if config.early_stopping and len(data.y_val) else None
    with np.errstate(all="ignore"):  # huge weights just before a divergence may overflow here
        net, history = fit(net, data.X_train, data.y_train, loss=loss, eta=config.eta,
                           epochs=config.epochs, batch_size=config.batch_size,
                           validation=validation, check_every=config.check_every,
                           patience=config.patience, rng=config.seed, callback=on_epoch)
        history = view(history)
        metrics = {
            f"{part}_accuracy": _accuracy(net, getattr(data, f"X_{part}"),
                                          getattr(data, f"y_{part}"))
            for part in ("train", "val", "test")
        }
    metrics.update(epochs=history.stopped_epoch, best_epoch=history.best_epoch,
                   diverged=bool(history.diverged) or not is_finite(net))
    return net, history, metrics


def _val_loss(net, data, loss):
    spec = get_loss(loss)
    y_hat, _ = forward(net, data.X_val)
    return spec.function(y_hat, prepare_targets(loss, data.y_val, y_hat.shape, y_hat.dtype))


def is_finite(net: Network) -> bool:
    """True when every weight and bias of ``net`` is finite (a diverged run's are not)."""
    return all(np.all(np.isfinite(w)) for w in net.W[1:] + net.b[1:])


def _accuracy(net, X, y) -> float:
    if len(y) == 0:
        return float("nan")
    return accuracy(net, X, y)


def live_metrics(net, data) -> dict:
    """Train and test accuracy of a network in the middle of a run (for the live plot)."""
    return {"train_accuracy": _accuracy(net, data.X_train, data.y_train),
            "test_accuracy": _accuracy(net, data.X_test, data.y_test)}


def describe_config(config) -> str:
    """One line naming the network and the settings of ``config`` (a figure title)."""
    config = _as_config(config)
    layers = "-".join(str(n) for n in (2, *config.hidden, "out"))
    return (f"{config.dataset}, noise {config.noise:g}: {layers} {config.activation}, "
            f"init {config.init}, η = {config.eta:g}, batch {config.batch_size}")


def snapshot(config=None):
    """The static twin of ``playground()``: train ``config`` (default: ``Config()``) and draw it.

    Returns
    -------
    fig : matplotlib Figure (decision regions and loss curves)
    metrics : dict from ``train_run``
    """
    from .plots.playground import draw_run

    config = _as_config(config)
    data = make_data(config)
    net, history, metrics = train_run(config, data=data)
    return draw_run(net, history, data, metrics, title=describe_config(config)), metrics


def playground(config=None, redraw_every: int | None = None):
    """The interactive playground: controls, a "Train" button, and a live plot.

    Nothing trains while a control moves; the button trains ``Config`` built from the controls and
    redraws the decision regions and loss curves every ``redraw_every`` epochs (default: about ten
    redraws per run) through ``fit``'s callback.

    Returns
    -------
    ipywidgets.VBox (the last expression of a cell shows it)
    """
    import ipywidgets as widgets
    from IPython.display import display

    from .plots.playground import draw_run, run_figure

    config = _as_config(config)
    style = {"description_width": "initial"}
    layout = widgets.Layout(width="240px")

    def dropdown(options, value, description):
        return widgets.Dropdown(options=options, value=value, description=description,
                                style=style, layout=layout)

    def int_slider(value, lo, hi, step, description):
        return widgets.IntSlider(value=value, min=lo, max=hi, step=step, description=description,
                                 continuous_update=False, style=style, layout=layout)

    controls = {
        "dataset": dropdown(list(DATASETS), config.dataset, "data set"),
        "noise": widgets.FloatSlider(value=config.noise, min=0.0, max=0.5, step=0.05,
                                     description="noise", continuous_update=False, style=style,
                                     layout=layout),
        "m": int_slider(config.m, 40, 1000, 20, "samples m"),
        "hidden": widgets.Text(value=", ".join(map(str, config.hidden)),
                               description="hidden layers", placeholder="e.g. 8, 8",
                               style=style, layout=layout),
        "activation": dropdown([(ACTIVATIONS[name].label, name) for name in hidden_activations()],
                               config.activation, "activation"),
        "init": dropdown(list(INITS), config.init, "init"),
        "eta": widgets.FloatLogSlider(value=config.eta, base=10, min=-3, max=1, step=0.25,
                                      description="learning rate η", continuous_update=False,
                                      style=style, layout=layout),
        "batch_size": dropdown(BATCH_SIZES, config.batch_size if config.batch_size in
                               dict(BATCH_SIZES).values() else 16, "batch size"),
        "epochs": int_slider(config.epochs, 10, 1000, 10, "epochs"),
        "early_stopping": widgets.Checkbox(value=config.early_stopping,
                                           description="early stopping", indent=False,
                                           layout=layout),
        "seed": widgets.BoundedIntText(value=config.seed, min=0, max=10**6, description="seed",
                                       style=style, layout=layout),
    }
    button = widgets.Button(description="Train", button_style="primary", icon="play")
    status = widgets.HTML(value="Press <b>Train</b>.")
    output = widgets.Output()
    fig = run_figure(closed=True)  # drawn only through display() below, never by the inline backend

    def show(net, history, data, metrics):
        draw_run(net, history, data, metrics, fig=fig)
        with output:
            output.clear_output(wait=True)
            display(fig)

    def on_click(_button):
        button.disabled = True
        try:
            values = {name: control.value for name, control in controls.items()}
            run = replace(config, **values)
        except (TypeError, ValueError) as error:
            status.value = f"<span style='color:#D55E00'>{error}</span>"
            button.disabled = False
            return
        def progress(epoch, net, history, data):
            status.value = f"training... epoch {epoch} of {run.epochs}"
            if epoch < run.epochs:  # the last epoch is drawn below, with the final metrics
                show(net, history, data, live_metrics(net, data))

        status.value = "training..."
        try:
            data = make_data(run)
            net, history, metrics = train_run(
                run, every=redraw_every or max(run.epochs // 10, 1), data=data,
                callback=progress)
            show(net, history, data, metrics)
            status.value = _status(metrics)
        finally:
            button.disabled = False

    button.on_click(on_click)
    items = list(controls.values())
    rows = [widgets.HBox(items[i:i + 4]) for i in range(0, len(items), 4)]
    return widgets.VBox([*rows, widgets.HBox([button, status]), output])


def _status(metrics) -> str:
    """The line under the button after a run."""
    if metrics["diverged"]:
        return f"<b>diverged</b> in epoch {metrics['epochs']}: lower the learning rate η"
    text = (f"{metrics['epochs']} epochs: train accuracy {metrics['train_accuracy']:.1%}, "
            f"test accuracy {metrics['test_accuracy']:.1%}")
    if metrics["best_epoch"] is not None:
        text += f" (weights of epoch {metrics['best_epoch']})"
    return text
