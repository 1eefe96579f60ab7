"""Tests for mlpcourse.plots.vanishing: what each plot draws (data on the lines, log scales,
labels, colours) and its argument errors. Agg backend, every figure closed."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import mlpcourse as mc
from mlpcourse import diagnostics as dg
from mlpcourse.plots import vanishing as pv


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(64, 2))
    return X, (X[:, 0] > 0).astype(float)


def test_layer_norms_draws_one_line_per_network_on_a_log_axis():
    norms = {"sigmoid": np.array([1e-6, 1e-4, 1e-2]), "relu (he)": np.array([0.1, 0.2, 0.3])}
    ax = pv.layer_norms(norms, reference={"(1/4)^(L-l)": 0.25 ** np.arange(2, -1, -1)},
                        title="t")
    assert ax.get_yscale() == "log"
    assert len(ax.lines) == 3
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), norms["sigmoid"])
    assert ax.lines[0].get_color() == pv.ACTIVATION_COLORS["sigmoid"]
    assert ax.lines[1].get_color() == pv.ACTIVATION_COLORS["relu"]
    assert ax.lines[2].get_linestyle() == "--"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "sigmoid", "relu (he)", "(1/4)^(L-l)"]
    assert ax.get_title() == "t" and "layer" in ax.get_xlabel()


def test_layer_norms_leaves_gaps_for_zero_norms():
    ax = pv.layer_norms({"step": np.array([0.0, 1.0])})
    y = ax.lines[0].get_ydata()
    assert np.isnan(y[0]) and y[1] == 1.0


def test_layer_norms_refuses_a_non_mapping():
    with pytest.raises(TypeError, match="norms must be a non-empty dict label -> values"):
        pv.layer_norms([1.0, 2.0])


def test_depth_curves_plot_the_first_layer_against_depth(data):
    X, y = data
    sweep = dg.depth_sweep([2, 4, 6], X, y, width=8, rng=0)
    ax = pv.depth_curves({"sigmoid": sweep})
    assert ax.get_yscale() == "log"
    np.testing.assert_array_equal(ax.lines[0].get_xdata(), [2, 4, 6])
    np.testing.assert_allclose(ax.lines[0].get_ydata(), sweep.first)
    ax = pv.depth_curves({"sigmoid": sweep}, which="last")
    np.testing.assert_allclose(ax.lines[0].get_ydata(), sweep.last)
    with pytest.raises(ValueError, match="which must be 'first' or 'last'; got 'middle'"):
        pv.depth_curves({"sigmoid": sweep}, which="middle")
    with pytest.raises(TypeError, match=r"sweeps\['x'\] must be a DepthSweep"):
        pv.depth_curves({"x": [1, 2]})


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "relu", "softmax"])
def test_saturation_histograms_label_each_layer_with_its_saturation(data, activation):
    X, _ = data
    net = dg.deep_network(6, width=8, activation=activation, rng=0)
    sat = dg.saturation(net, X)
    ax = pv.saturation_histograms(sat)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == [f"layer {l}: {100 * sat.fraction[l - 1]:.0f}% saturated"
                          for l in (1, 3, 5)]
    assert ax.get_xlabel() == "pre-activation $z$"
    twin = [a for a in ax.figure.axes if a is not ax][0]
    if activation == "softmax":
        assert len(twin.lines) == 0 and "Jacobian" in twin.texts[0].get_text()
    else:
        grid, values = twin.lines[0].get_data()
        np.testing.assert_allclose(values, mc.activations.derivative(activation, grid))


def test_saturation_histograms_layers_and_range(data):
    X, _ = data
    sat = dg.saturation(dg.deep_network(4, width=5, activation="tanh", rng=0), X)
    ax = pv.saturation_histograms(sat, layers=[2], z_range=(-3, 3))
    assert ax.get_xlim() == (-3, 3)
    assert len([t for t in ax.get_legend().get_texts() if "saturated" in t.get_text()]) == 1
    with pytest.raises(ValueError, match=r"layers must be hidden layer numbers from 1 to 3"):
        pv.saturation_histograms(sat, layers=[4])
    with pytest.raises(TypeError, match="sat must be a Saturation"):
        pv.saturation_histograms(np.ones((3, 3)))


def test_vanishing_panel_shows_norms_and_histograms(data):
    X, y = data
    fig = pv.vanishing_panel(X, y, depth=5, activation="relu", init="he", width=8)
    left = fig.axes[0]
    net = dg.deep_network(5, 8, "relu", "he", 1.0, n_in=2, rng=0)
    np.testing.assert_allclose(left.lines[0].get_ydata(),
                               dg.gradient_norms(net, X, y, per_weight=True))
    assert "relu, he x 1, L = 5" in left.get_title()
    assert fig.get_size_inches()[0] <= 10
    assert fig.axes[1].get_xlabel() == "pre-activation $z$"


def test_vanishing_panel_without_hidden_layers(data):
    X, y = data
    fig = pv.vanishing_panel(X, y, depth=1)
    assert not fig.axes[1].axison


def test_training_comparison_plots_losses_and_weight_changes(data):
    X, y = data
    net = dg.deep_network(3, width=4, rng=0)
    trained, history = mc.fit(net, X, y, loss="bce", eta=0.1, epochs=3, rng=0)
    left, right = pv.training_comparison({"sigmoid": (net, trained, history)})
    np.testing.assert_allclose(left.lines[0].get_ydata(), history.train_loss)
    np.testing.assert_allclose(right.lines[0].get_ydata(), dg.weight_change(net, trained))
    assert right.get_yscale() == "log"
    with pytest.raises(TypeError, match=r"runs\['a'\] must be \(net_before, net_after, history\)"):
        pv.training_comparison({"a": (net, trained)})


def test_descriptions_follow_the_data(data):
    """The panel's text is computed from the network it shows: another depth, another text."""
    import matplotlib.pyplot

    from mlpcourse.plots.alt_text import description, undescribed_axes

    X, y = data
    fig = pv.vanishing_panel(X, y, depth=6, activation="sigmoid")
    text = description(fig)
    assert text.startswith("A freshly initialised network of depth L = 6 with sigmoid hidden "
                           "layers, xavier initialisation times 1: the first layer's gradient is ")
    assert "Left: gradient size per layer on a logarithmic axis" in text
    assert "at layer 1 to" in text and "at layer 6" in text
    assert "Right: pre-activations of hidden layers: histograms of the pre-activations z of " \
           "hidden layers 1, 3, 5" in text
    assert undescribed_axes(fig) == []
    fig, update = pv.vanishing_panel_live(X, y, depth=6, activation="sigmoid")
    update(depth=4, activation="tanh", init="xavier", gain=2.0)
    live = description(fig)
    assert "depth L = 4 with tanh hidden layers, xavier initialisation times 2" in live
    assert "at layer 4" in live and "drawn over tanh'(z)" in live
    norms = {"relu": np.array([1e-3, 1e-2, 0.5])}
    assert "relu from 0.001 at layer 1 to 0.5 at layer 3" in description(
        pv.layer_norms(norms).figure)
    matplotlib.pyplot.close("all")
