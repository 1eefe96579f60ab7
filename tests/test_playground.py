"""Tests of ``mlpcourse.playground`` and its pictures (``mlpcourse.plots.playground``): the data
sets, the configuration, one training run, the static twin ``snapshot`` and the widget (built and
clicked without a browser)."""

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mlpcourse as mc  # noqa: E402
from mlpcourse import datasets  # noqa: E402
from mlpcourse import playground as pg  # noqa: E402
from mlpcourse.plots.playground import draw_run  # noqa: E402


def _same_weights(a, b):
    return all(np.array_equal(u, v) for u, v in zip(a.W[1:] + a.b[1:], b.W[1:] + b.b[1:],
                                                   strict=True))


# ---------------------------------------------------------------- data sets


@pytest.mark.parametrize("name", pg.DATASETS)
def test_make_dataset_gives_m_points_in_the_plane_with_integer_labels(name):
    X, y = pg.make_dataset(name, m=90, noise=0.1, rng=4)
    assert X.shape == (90, 2) and X.dtype == np.float64
    assert y.shape == (90,) and np.issubdtype(y.dtype, np.integer)
    classes = 3 if name == "blobs" else 2
    assert set(np.unique(y)) == set(range(classes))
    assert np.bincount(y).max() - np.bincount(y).min() <= 1  # balanced


@pytest.mark.parametrize("name", pg.DATASETS)
def test_make_dataset_is_reproducible_by_seed(name):
    a, b, c = (pg.make_dataset(name, 50, 0.2, rng=s) for s in (1, 1, 2))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_xor_without_noise_is_the_lecture_truth_table():
    X, y = pg.make_dataset("xor", m=40, noise=0.0, rng=0)
    gate_X, gate_y = datasets.logic_gate("XOR")
    for corner, label in zip(gate_X, gate_y, strict=True):
        at_corner = np.all(X == corner, axis=1)
        assert at_corner.sum() == 10 and np.all(y[at_corner] == label)


def test_xor_noise_is_the_standard_deviation_around_the_corners():
    X, _ = pg.make_dataset("xor", m=4000, noise=0.2, rng=0)
    offsets = X - np.round(X)  # noise 0.2 rarely crosses half way to the next corner
    assert np.std(offsets) == pytest.approx(0.2, rel=0.05)


def test_blobs_noise_scales_the_clouds():
    tight, _ = pg.make_dataset("blobs", 300, noise=0.05, rng=0)
    wide, _ = pg.make_dataset("blobs", 300, noise=0.5, rng=0)
    assert np.std(wide) > np.std(tight)
    X, _ = pg.make_dataset("blobs", 30, noise=0.0, rng=0)  # std floored at 0.01: no error
    assert np.all(np.isfinite(X))


def test_make_dataset_rejects_bad_arguments():
    with pytest.raises(ValueError, match=r"unknown name 'swiss'; expected one of"):
        pg.make_dataset("swiss")
    with pytest.raises(ValueError, match="noise must be a finite number >= 0; got -0.1"):
        pg.make_dataset("moons", noise=-0.1)
    with pytest.raises(TypeError, match="noise must be a number"):
        pg.make_dataset("xor", noise="high")
    with pytest.raises(ValueError, match="m must be a positive integer"):
        pg.make_dataset("xor", m=0)


# ---------------------------------------------------------------- configuration


@pytest.mark.parametrize(("text", "expected"),
                         [("8, 8", (8, 8)), ("16", (16,)), ("4 4 2", (4, 4, 2)), ("", ()),
                          ("0", ()), ((3, 5), (3, 5)), ([], ()), (6, (6,))])
def test_parse_hidden(text, expected):
    assert pg.parse_hidden(text) == expected


def test_parse_hidden_rejects_bad_widths():
    with pytest.raises(ValueError, match=r"hidden must list layer widths such as '8, 8'; got"):
        pg.parse_hidden("8, eight")
    with pytest.raises(ValueError, match=r"hidden\[1\] must be a positive integer; got 0"):
        pg.parse_hidden((4, 0))
    with pytest.raises(TypeError, match="hidden must be a tuple of layer widths"):
        pg.parse_hidden(4.5)


def test_config_normalises_hidden_and_is_frozen():
    config = pg.Config(hidden="4, 3")
    assert config.hidden == (4, 3)
    with pytest.raises(AttributeError):
        config.eta = 1.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"dataset": "iris"}, ValueError, "unknown dataset 'iris'"),
        ({"activation": "softmax"}, ValueError, "unknown activation 'softmax'"),
        ({"init": "orthogonal"}, ValueError, "unknown init 'orthogonal'"),
        ({"eta": 0.0}, ValueError, "eta must be a finite number > 0"),
        ({"epochs": 0}, ValueError, "epochs must be a positive integer"),
        ({"batch_size": 2.5}, TypeError, "batch_size must be a positive integer"),
        ({"noise": -1}, ValueError, "noise must be"),
        ({"early_stopping": 1}, TypeError, "early_stopping must be True or False"),
        ({"seed": None}, TypeError, "seed must be an int"),
    ],
)
def test_config_rejects_bad_values_naming_them(kwargs, error, match):
    with pytest.raises(error, match=match):
        pg.Config(**kwargs)


def test_train_run_accepts_a_dict_and_rejects_unknown_keys():
    with pytest.raises(ValueError, match=r"config has unknown keys \['learning_rate'\]"):
        pg.train_run({"learning_rate": 0.1})
    with pytest.raises(TypeError, match="config must be a Config, a dict or None"):
        pg.train_run([("eta", 0.1)])


# ---------------------------------------------------------------- network


def test_build_network_binary_gets_one_sigmoid_output():
    net = pg.build_network(pg.Config(hidden=(5, 3), activation="relu"), classes=2)
    assert net.sizes == [2, 5, 3, 1]
    assert net.activations == [None, "relu", "relu", "sigmoid"]
    assert pg.loss_name(net) == "binary_cross_entropy"


def test_build_network_multiclass_gets_a_softmax_output():
    net = pg.build_network(pg.Config(hidden=(), activation="tanh"), classes=3)
    assert net.sizes == [2, 3] and net.activations == [None, "softmax"]
    assert pg.loss_name(net) == "cross_entropy"


@pytest.mark.parametrize(("activation", "init", "method"),
                         [("relu", "auto", "he"), ("leaky_relu", "auto", "he"),
                          ("tanh", "auto", "xavier"), ("sigmoid", "uniform", "uniform"),
                          ("relu", "zeros", "zeros")])
def test_build_network_initialisation(activation, init, method):
    config = pg.Config(hidden=(6,), activation=activation, init=init, seed=3)
    expected = mc.init_network([2, 6, 1], [activation, "sigmoid"], method=method, rng=3)
    assert _same_weights(pg.build_network(config), expected)


# ---------------------------------------------------------------- training runs

SMALL = {"m": 120, "epochs": 40, "hidden": (6,), "eta": 0.5}


def test_train_run_is_deterministic():
    a = pg.train_run(SMALL)
    b = pg.train_run(pg.Config(**SMALL))
    assert _same_weights(a[0], b[0])
    assert a[1].train_loss == b[1].train_loss and a[2] == b[2]


def test_train_run_history_and_metrics():
    net, history, metrics = pg.train_run({**SMALL, "check_every": 4})
    assert len(history.train_loss) == history.stopped_epoch == metrics["epochs"] == 40
    assert history.val_epochs == list(range(4, 41, 4))
    assert len(history.val_loss) == 10
    assert history.best_epoch is None and metrics["best_epoch"] is None
    assert metrics["diverged"] is False
    data = pg.make_data(SMALL)
    assert metrics["test_accuracy"] == mc.accuracy(net, data.X_test, data.y_test)
    assert metrics["train_accuracy"] == mc.accuracy(net, data.X_train, data.y_train)


def test_train_run_validation_curve_is_the_validation_loss_of_the_network_at_that_epoch():
    config = pg.Config(**{**SMALL, "epochs": 8, "check_every": 8})
    net, history, _ = pg.train_run(config)
    data = pg.make_data(config)
    expected = mc.loss(mc.forward(net, data.X_val)[0], data.y_val, "binary_cross_entropy")
    assert history.val_loss == [pytest.approx(expected, rel=1e-12)]


def test_train_run_matches_fit_with_the_same_settings():
    config = pg.Config(**SMALL)
    data = pg.make_data(config)
    expected, _ = mc.fit(pg.build_network(config), data.X_train, data.y_train,
                         loss="binary_cross_entropy", eta=config.eta, epochs=config.epochs,
                         batch_size=config.batch_size, rng=config.seed)
    assert _same_weights(pg.train_run(config)[0], expected)


def test_train_run_learns_the_default_moons():
    _, history, metrics = pg.train_run()
    assert metrics["train_accuracy"] >= 0.9 and metrics["test_accuracy"] >= 0.9
    assert history.train_loss[-1] < 0.5 * history.train_loss[0]


def test_train_run_with_early_stopping_returns_the_best_check():
    config = pg.Config(dataset="spirals", m=80, noise=0.3, hidden=(32, 32), eta=0.3,
                       epochs=400, early_stopping=True, check_every=5, patience=3, seed=1)
    net, history, metrics = pg.train_run(config)
    assert history.stopped_early and metrics["epochs"] < 400
    assert metrics["best_epoch"] == history.best_epoch
    data = pg.make_data(config)
    rerun, _ = mc.fit(pg.build_network(config), data.X_train, data.y_train,
                      loss="binary_cross_entropy", eta=config.eta, epochs=history.best_epoch,
                      batch_size=config.batch_size, rng=config.seed)
    assert _same_weights(net, rerun)


def test_train_run_callback_every_k_epochs_and_at_the_end():
    calls = []
    pg.train_run({**SMALL, "epochs": 25}, every=10,
                 callback=lambda epoch, net, history, data: calls.append(
                     (epoch, len(history.train_loss), history.val_epochs[-1:])))
    assert calls == [(10, 10, [10]), (20, 20, [20]), (25, 25, [25])]


def test_train_run_zero_initialisation_keeps_hidden_neurons_identical():
    net, _, metrics = pg.train_run({**SMALL, "hidden": (5,), "init": "zeros"})
    assert np.allclose(net.W[1], net.W[1][0]) and np.allclose(net.b[1], net.b[1][0])
    assert np.allclose(net.W[2], net.W[2][0, 0])


def test_train_run_too_large_learning_rate_is_reported_as_diverged_without_warnings():
    # linear hidden layers and a huge η: the loss overflows in the first epoch
    config = {"dataset": "blobs", "hidden": (64, 64), "activation": "linear",
              "init": "uniform", "eta": 10.0}
    net, history, metrics = pg.train_run(config)  # warnings are errors in this suite
    assert metrics["diverged"] is True and history.diverged is True
    assert history.best_epoch is None and metrics["epochs"] == history.stopped_epoch == 1
    assert not np.isfinite(history.train_loss[-1])  # fit records the epoch that overflowed
    assert _same_weights(net, pg.build_network(config, 3))  # the weights from before it
    fig = draw_run(net, history, pg.make_data(config), metrics)
    assert fig.axes[0].get_title() == "diverged in epoch 1: η too large"
    assert pg._status(metrics).startswith("<b>diverged</b> in epoch 1")


def test_train_run_diverged_with_early_stopping_too():
    config = {"dataset": "blobs", "hidden": (64, 64), "activation": "linear",
              "init": "uniform", "eta": 10.0, "early_stopping": True}
    _, history, metrics = pg.train_run(config)
    assert metrics["diverged"] is True and history.val_loss == []


# ---------------------------------------------------------------- drawing


def test_draw_run_draws_regions_and_loss_curves():
    config = pg.Config(**SMALL)
    data = pg.make_data(config)
    net, history, metrics = pg.train_run(config, data=data)
    fig = draw_run(net, history, data, metrics, title="run")
    regions, curves = fig.axes[:2]
    assert regions.get_title().startswith(f"train {metrics['train_accuracy']:.0%}")
    assert curves.get_xlabel() == "epoch" and curves.get_title() == "epoch 40"
    assert len(curves.get_lines()) == 2  # training and validation loss
    assert fig.get_size_inches()[0] <= 10
    again = draw_run(net, history, data, metrics, fig=fig)  # redraw into the same figure
    assert again is fig and len(fig.axes) == 2


def test_the_run_logic_imports_no_matplotlib():
    # only plots/ draws: importing the playground's logic (data, network, training) in a fresh
    # process loads neither matplotlib nor ipywidgets
    import subprocess
    import sys

    code = ("import sys, mlpcourse.playground; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_snapshot_is_the_default_run():
    fig, metrics = pg.snapshot()
    _, _, expected = pg.train_run(pg.Config())
    assert metrics == expected
    assert fig._suptitle.get_text() == pg.describe_config(pg.Config())


def test_describe_config():
    assert pg.describe_config({"hidden": (4,), "eta": 0.05}) == (
        "moons, noise 0.2: 2-4-out tanh, init auto, η = 0.05, batch 16")


# ---------------------------------------------------------------- the widget


def _find(widget, kind):
    found = [widget] if type(widget).__name__ == kind else []
    for child in getattr(widget, "children", ()):
        found += _find(child, kind)
    return found


def test_playground_builds_controls_and_a_train_button():
    box = pg.playground()
    assert type(box).__name__ == "VBox"
    (button,) = _find(box, "Button")
    assert button.description == "Train"
    descriptions = {w.description for kind in ("Dropdown", "IntSlider", "FloatSlider",
                                               "FloatLogSlider", "Text", "Checkbox",
                                               "BoundedIntText") for w in _find(box, kind)}
    assert {"data set", "noise", "hidden layers", "activation", "learning rate η", "batch size",
            "epochs", "seed", "early stopping"} <= descriptions
    sliders = _find(box, "IntSlider") + _find(box, "FloatSlider") + _find(box, "FloatLogSlider")
    assert all(s.continuous_update is False for s in sliders)


def test_activation_dropdown_offers_the_registry_hidden_activations_by_label():
    (activation,) = [w for w in _find(pg.playground(), "Dropdown")
                     if w.description == "activation"]
    hidden = [name for name, act in mc.ACTIVATIONS.items() if act.hidden]
    assert [value for _, value in activation.options] == hidden == list(pg.hidden_activations())
    assert dict(activation.options)["ReLU"] == "relu"  # the registry's display name
    assert "softmax" not in hidden and "step" not in hidden
    with pytest.raises(ValueError, match="unknown activation 'softmax'"):
        pg.Config(activation="softmax")


def test_playground_trains_only_when_the_button_is_pressed(capsys):
    box = pg.playground({"epochs": 20, "m": 80}, redraw_every=10)
    (button,) = _find(box, "Button")
    (status,) = _find(box, "HTML")
    (noise,) = _find(box, "FloatSlider")
    noise.value = 0.3  # moving a control trains nothing
    assert status.value == "Press <b>Train</b>."
    button.click()
    assert status.value.startswith("20 epochs: train accuracy")
    assert button.disabled is False
    capsys.readouterr()  # outside a kernel the figure repr goes to stdout


def test_playground_reports_a_bad_hidden_text_instead_of_raising(capsys):
    box = pg.playground()
    (button,) = _find(box, "Button")
    (hidden,) = _find(box, "Text")
    hidden.value = "8, big"
    button.click()
    (status,) = _find(box, "HTML")
    assert "hidden must list layer widths" in status.value
    assert button.disabled is False
