"""One place per concept: an activation or a loss added with one register_* call works in every
helper of the course (engine, trace, diagnostics, plots, practice, playground), and a bad entry
is refused with an error that names the field, what was expected and what was given.

The new activation is softplus, g(z) = ln(1 + e^z) with g'(z) = σ(z); the new loss is log-cosh,
L = mean ln cosh(ŷ - y) with dL/dŷ = tanh(ŷ - y) / N. Both are removed again after each test,
so the other test files see the original tables.
"""

import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import mlpcourse as mc  # noqa: E402
from mlpcourse import _forms, diagnostics, trace  # noqa: E402
from mlpcourse import activations as A  # noqa: E402
from mlpcourse import losses as Ls  # noqa: E402
from mlpcourse.plots import activations as pa  # noqa: E402
from mlpcourse.plots import vanishing as pv  # noqa: E402


def softplus(z):
    return np.logaddexp(0.0, np.asarray(z, dtype=np.float64))


def log_cosh(y_hat, y):
    d = y_hat - y
    return float(np.mean(np.abs(d) + np.log1p(np.exp(-2 * np.abs(d))) - math.log(2.0)))


def log_cosh_gradient(y_hat, y):
    return np.tanh(y_hat - y) / y_hat.size


@pytest.fixture
def registered():
    """softplus and log_cosh in the tables for one test; the tables as before afterwards."""
    before_a, before_l = dict(A.ACTIVATIONS), dict(Ls.LOSSES)
    A.register_activation("softplus", softplus, A.sigmoid, latex="\\ln(1 + e^{<z>})",
                          latex_derivative="\\frac{1}{1 + e^{<-z>}}", max_derivative=1.0)
    Ls.register_loss("log_cosh", log_cosh, log_cosh_gradient, label="log-cosh",
                     latex="\\ln\\cosh(<h> - <y>)", latex_gradient="\\tanh(<h> - <y>)",
                     aliases=("lc",))
    yield
    A.unregister_activation("softplus")
    Ls.unregister_loss("log_cosh")
    assert A.ACTIVATIONS == before_a and Ls.LOSSES == before_l
    assert "lc" not in Ls.ALIASES


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 2))
    return X, (X[:, 0] * X[:, 1] > 0).astype(float)


# --- the LaTeX forms say what the functions compute ---------------------------------------------


def latex_value(latex: str) -> float:
    """The number a filled-in form stands for; knows the LaTeX the registry's forms use."""
    text = latex.replace("\\left", "").replace("\\right", "").replace("\\cdot", "*")
    text = re.sub(r"\\mathbb\{1\}\[([^\]]*)\]", r"(1 if (\1) else 0)", text)
    for _ in range(5):  # innermost first: \frac{..}{..} and e^{..} without nested braces
        text = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", text)
        text = re.sub(r"e\^\{([^{}]*)\}", r"math.exp(\1)", text)
    text = text.replace("\\ln\\cosh", "lncosh").replace("\\ln", "math.log")
    text = text.replace("\\tanh", "math.tanh").replace("\\max", "max").replace("\\leq", "<=")
    text = text.replace("^", "**").replace("lncosh", "(lambda t: math.log(math.cosh(t)))")
    text = re.sub(r"math\.log ([\d.]+)", r"math.log(\1)", text)
    text = re.sub(r"(\d)\(", r"\1*(", text)  # 2(0.3 - 1): a product
    assert "\\" not in text and "{" not in text, (latex, text)
    return eval(text, {"math": math})  # only numbers and the functions above


def filled(form: str, **values: float) -> str:
    """A form with numbers in its slots, as the trace writes them (6 significant digits)."""
    template, slots = _forms.with_numbers(form)
    operands = [values[name] for name in slots]
    return trace._fill(template, operands, 6) if slots else template


def test_forms_fill_slots_as_the_lecture_writes_numbers():
    # bare after an opening bracket or a comma, else in parentheses when negative; powers too
    assert _forms.with_numbers("\\max(0.01 \\cdot <z>, <z>)") == (
        "\\max(0.01 \\cdot @0, $0)", ["z"])
    assert _forms.with_numbers("1 - <a>^2") == ("1 - @0^2", ["a"])
    assert _forms.with_numbers("\\frac{1}{1 + e^{<-z>}}") == ("\\frac{1}{1 + e^{$0}}", ["-z"])
    # a product written by juxtaposition gets its \cdot once numbers stand there
    assert _forms.with_numbers("-<y> \\ln <h> - (1 - <y>) \\ln(1 - <h>)")[0] == (
        "-@0 \\cdot \\ln @1 - (1 - @0) \\cdot \\ln(1 - @1)")
    assert trace._fill("1 - @0^2", (-0.5,), 4) == "1 - (-0.5)^2"
    assert _forms.with_symbols("1 - <a>^2", a="a_1^{(1)}") == "1 - (a_1^{(1)})^2"
    assert _forms.with_symbols("e^{<-z>}", z="z_2") == "e^{-z_2}"


@pytest.mark.parametrize("z", [-1.7, -0.3, 0.4, 2.1])
def test_every_activation_form_computes_its_function_and_derivative(registered, z):
    for name, act in A.ACTIVATIONS.items():
        if act.derivative is None:
            continue
        g, g_prime = float(act.function(np.array([z]))[0]), float(act.derivative(np.array([z]))[0])
        assert latex_value(filled(act.latex, z=z, **{"-z": -z})) == pytest.approx(
            g, rel=1e-5, abs=1e-6), name
        assert latex_value(filled(act.latex_derivative, z=z, a=g, **{"-z": -z})) == pytest.approx(
            g_prime, rel=1e-5, abs=1e-6), name


@pytest.mark.parametrize("y_hat, y", [(0.3, 1.0), (0.8, 0.0), (0.6, 0.25)])
def test_every_loss_form_computes_the_loss_and_its_gradient(registered, y_hat, y):
    for name, spec in Ls.LOSSES.items():
        h, t = np.array([[y_hat]]), np.array([[y]])
        assert latex_value(filled(spec.latex, h=y_hat, y=y)) == pytest.approx(
            spec.function(h, t), rel=1e-5), name
        assert latex_value(filled(spec.latex_gradient, h=y_hat, y=y)) == pytest.approx(
            spec.gradient(h, t)[0, 0], rel=1e-5), name


# --- the engine ---------------------------------------------------------------------------------


def test_engine_forward_backward_fit_gradient_check(registered, data):
    X, y = data
    net = mc.init_network([2, 5, 1], ["softplus", "sigmoid"], rng=1)
    y_hat, cache = mc.forward(net, X)
    np.testing.assert_allclose(cache.a[1], softplus(cache.z[1]))
    assert mc.gradient_check(net, X, y, loss="bce") < 1e-6
    grads = mc.backward(net, cache, y, loss="bce")
    assert grads.W[1].shape == (5, 2)
    _, history = mc.fit(net, X, y, loss="bce", epochs=30, eta=0.5, batch_size=8, rng=0)
    assert history.train_loss[-1] < history.train_loss[0]
    # the new loss with a linear output, by its name and by its alias
    reg = mc.init_network([2, 4, 1], ["softplus", "linear"], rng=2)
    assert mc.gradient_check(reg, X, X[:, 0], loss="log_cosh") < 1e-6
    assert mc.loss(mc.forward(reg, X)[0], X[:, 0], "lc") == pytest.approx(
        np.mean(np.log(np.cosh(mc.forward(reg, X)[0][:, 0] - X[:, 0]))), rel=1e-12)


def test_defaults_of_a_short_entry(registered):
    act = A.ACTIVATIONS["softplus"]
    assert act.label == "softplus" and act.symbol == "\\mathrm{softplus}"
    assert act.color.startswith("#") and act.color not in {
        a.color for n, a in A.ACTIVATIONS.items() if n != "softplus"}
    assert act.linestyle == "-" and act.hidden
    assert act.formula() == "\\ln(1 + e^{z})"
    assert act.formula_derivative() == "\\frac{1}{1 + e^{-z}}"
    shortest = A.register_activation("half", lambda z: 0.5 * np.asarray(z),
                                     lambda z: np.full(np.shape(z), 0.5))
    try:
        assert shortest.max_derivative == pytest.approx(0.5)  # estimated on a grid
        assert shortest.latex == "\\mathrm{half}(<z>)"
        assert shortest.latex_derivative == "\\mathrm{half}'(<z>)"
        np.testing.assert_allclose(shortest.vjp(np.ones((2, 2)), None, np.ones((2, 2))), 0.5)
    finally:
        A.unregister_activation("half")
    spec = Ls.get_loss("lc")
    assert spec.name == "log_cosh" and spec.outputs == "mean" and spec.shortcut_activation is None
    assert spec.formula() == "\\ln\\cosh(\\hat{y} - y)"


# --- the trace ----------------------------------------------------------------------------------


def test_trace_writes_the_new_activation_and_loss(registered):
    net = mc.Network.from_weights(W=[[[0.2, -0.4], [0.3, 0.7]], [[0.6, -0.9]]],
                                  b=[[0.1, -0.2], [0.3]], activations=["softplus", "linear"])
    x, y = np.array([0.5, 0.1]), 0.4
    steps = trace.backprop_trace(net, x, y, loss="log_cosh", eta=0.1)
    by = {s.symbol: s for s in steps}
    a1 = by["a_1^{(1)}"]
    assert a1.expression == "\\mathrm{softplus}(z_1^{(1)})"
    assert a1.substituted == "\\ln(1 + e^{0.16})"  # z_1 = 0.2 * 0.5 - 0.4 * 0.1 + 0.1 = 0.16
    assert a1.value == pytest.approx(math.log1p(math.exp(0.16)), rel=1e-14)
    prime = by["\\mathrm{softplus}'(z_2^{(1)})"]
    z2 = 0.3 * 0.5 + 0.7 * 0.1 - 0.2
    assert prime.substitute(6) == "\\frac{1}{1 + e^{-0.02}}" and math.isclose(z2, 0.02)
    assert prime.value == pytest.approx(1 / (1 + math.exp(-z2)), rel=1e-14)
    loss = by["L"]
    assert loss.expression == "\\ln\\cosh(\\hat{y} - y)"
    assert loss.substituted.startswith("\\ln\\cosh(") and loss.substituted.endswith(" - 0.4)")
    y_hat = by["\\hat{y}"].value
    assert loss.value == pytest.approx(math.log(math.cosh(y_hat - y)), rel=1e-12)
    gradient = by["\\frac{\\partial L}{\\partial \\hat{y}}"]
    assert gradient.expression == "\\tanh(\\hat{y} - y)"
    assert gradient.value == pytest.approx(math.tanh(y_hat - y), rel=1e-12)
    # every value is the engine's
    grads = mc.backward(net, mc.forward(net, x)[1], np.array([y]), loss="log_cosh")
    assert by["\\frac{\\partial L}{\\partial w_{12}^{(1)}}"].value == pytest.approx(
        grads.W[1][0, 1], rel=1e-12)
    latex = trace.to_latex(steps)
    assert "\\mathrm{softplus}'(z_1^{(1)}) &= \\frac{1}{1 + e^{-z_1^{(1)}}}" in latex
    assert len(trace.to_latex(trace.forward_trace(net, x), block=False)) == 6
    assert "softplus'(z_1^(1))" in trace.to_table(steps)


def test_trace_of_the_new_loss_over_two_outputs(registered):
    net = mc.init_network([2, 3, 2], ["softplus", "linear"], rng=4)
    x, y = np.array([0.3, -0.8]), np.array([0.5, -1.0])
    steps = trace.backprop_trace(net, x, y, loss="log_cosh")
    by = {s.symbol: s for s in steps}
    assert by["L"].expression == "\\frac{1}{2} \\sum_{i=1}^{2} \\ln\\cosh(\\hat{y}_i - y_i)"
    assert by["L"].value == pytest.approx(mc.loss(mc.forward(net, x)[0], y, "log_cosh"))
    d1 = by["\\frac{\\partial L}{\\partial \\hat{y}_1}"]
    assert d1.expression == "\\frac{1}{2}\\left(\\tanh(\\hat{y}_1 - y_1)\\right)"


# --- diagnostics --------------------------------------------------------------------------------


def test_every_diagnostics_function(registered, data):
    X, y = data
    net = diagnostics.deep_network(4, width=6, activation="softplus", rng=0)
    assert net.activations[1:] == ["softplus"] * 3 + ["sigmoid"]
    assert diagnostics.gradient_norms(net, X, y).shape == (4,)
    sat = diagnostics.saturation(net, X)
    assert sat.activations == ["softplus"] * 3
    np.testing.assert_allclose(sat.derivative[0], A.sigmoid(sat.z[0]))
    factors = diagnostics.backward_factors(net, X, y)
    np.testing.assert_array_equal(factors.max_derivative, [1.0, 1.0, 1.0])
    assert np.all(factors.measured <= factors.bound * (1 + 1e-12))
    assert diagnostics.MAX_DERIVATIVE["softplus"] == 1.0
    sweep = diagnostics.depth_sweep([2, 3], X, y, activation="softplus", width=4, rng=0)
    assert [len(n) for n in sweep.norms] == [2, 3]
    after, _ = mc.fit(net, X, y, loss="bce", epochs=2, eta=0.1, rng=0)
    assert diagnostics.weight_change(net, after).shape == (4,)


# --- plots --------------------------------------------------------------------------------------


def test_activation_plots(registered):
    a, a_prime = pa.curves("softplus", np.linspace(-2, 2, 5))
    np.testing.assert_allclose(a_prime, A.sigmoid(np.linspace(-2, 2, 5)))
    ax_g, ax_d = pa.function_and_derivative("softplus")
    assert ax_g.get_legend_handles_labels()[1] == ["$\\mathrm{softplus}(z)$"]
    fig, axes = pa.activation_grid(["softplus", "relu"])
    assert axes[0].get_title() == "softplus"
    assert 0 < pa.saturated_fraction("softplus", np.linspace(-10, 10, 101)) < 1
    pa.saturation(2.0, names=("softplus", "sigmoid"), m=500)
    pa.saturation_live(2.0, names=("softplus",), m=500)
    plt.close("all")


def test_vanishing_plots(registered, data):
    X, y = data
    colour = A.ACTIVATIONS["softplus"].color
    assert pv.ACTIVATION_COLORS["softplus"] == colour
    ax = pv.layer_norms({"softplus": np.array([1e-3, 1e-2, 1e-1])})
    assert ax.lines[0].get_color() == colour
    sweeps = {"softplus": diagnostics.depth_sweep([2, 3], X, y, activation="softplus", width=4,
                                                  rng=0)}
    pv.depth_curves(sweeps)
    net = diagnostics.deep_network(3, width=4, activation="softplus", rng=0)
    pv.saturation_histograms(diagnostics.saturation(net, X))
    pv.vanishing_panel(X, y, depth=4, activation="softplus", width=4)
    pv.vanishing_panel_live(X, y, depth=4, activation="softplus", width=4, max_depth=6)
    after, history = mc.fit(net, X, y, loss="bce", epochs=2, eta=0.1, rng=0)
    pv.training_comparison({"softplus": (net, after, history)})
    plt.close("all")


# --- practice and playground --------------------------------------------------------------------


def test_practice_and_playground(registered):
    from mlpcourse import playground as pg
    from mlpcourse import practice

    # every practice generator that picks a hidden activation takes the new one
    for generator in (practice.forward_pass, practice.backprop_step):
        p = generator(3, hidden=("softplus",))
        assert p.data["net"].activations[1] == "softplus"
        assert "hidden layer softplus $\\ln(1 + e^{z})$" in p.question  # label and formula
        assert "\\mathrm{softplus}(z_1^{(1)})" in p.solution()
        assert p.check(**p.answers).correct
        assert p.draw(solution=True).texts
    hints = practice.backprop_step(3, hidden=("softplus",)).hints.values()
    assert any("softplus'(z_" in hint for hint in hints)  # the symbol as plain text
    # the playground offers it (by its label) and trains with it
    assert "softplus" in pg.hidden_activations()

    def widgets_of(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from widgets_of(child)

    dropdown = next(w for w in widgets_of(pg.playground())
                    if getattr(w, "description", "") == "activation")
    assert ("softplus", "softplus") in dropdown.options
    net, _, metrics = pg.train_run({"activation": "softplus", "hidden": (4,), "epochs": 3,
                                    "m": 60})
    assert net.activations[1] == "softplus" and not metrics["diverged"]
    plt.close("all")


# --- bad entries --------------------------------------------------------------------------------


@pytest.mark.parametrize("fields, message", [
    ({"color": "red"}, "color must be a hex colour '#RRGGBB'; got 'red'"),
    ({"linestyle": "dotted"}, "linestyle must be one of"),
    ({"latex": "\\ln(1 + e^{<x>})"}, "latex may only use the slots <z>, <-z>; got <x>"),
    ({"latex_derivative": 3}, "latex_derivative must be a LaTeX string"),
    ({"max_derivative": -1.0}, "max_derivative must be a finite number >= 0"),
    ({"max_derivative": float("nan")}, "max_derivative must be a finite number >= 0"),
    ({"hidden": "yes"}, "hidden must be True or False; got 'yes'"),
    ({"label": None}, "label must be a string; got None"),
])
def test_a_bad_activation_field_is_named(fields, message):
    before = dict(A.ACTIVATIONS)
    with pytest.raises(ValueError, match=re.escape(message)):
        A.register_activation("softplus", softplus, A.sigmoid, **fields)
    assert A.ACTIVATIONS == before


def test_bad_activations_are_refused():
    with pytest.raises(ValueError, match="name must be a new activation name; got 'sigmoid'"):
        A.register_activation("sigmoid", softplus, A.sigmoid)
    with pytest.raises(ValueError, match="name must be a non-empty name"):
        A.register_activation("soft plus", softplus, A.sigmoid)
    with pytest.raises(ValueError, match="function must be a function; got 3"):
        A.register_activation("softplus", 3, A.sigmoid)
    with pytest.raises(ValueError, match="vjp must be a function .* when derivative is None"):
        A.register_activation("softplus", softplus)
    with pytest.raises(TypeError, match="unknown fields \\['colour'\\]"):
        A.register_activation("softplus", softplus, A.sigmoid, colour="#000000")
    with pytest.raises(ValueError, match="not a built-in one"):
        A.unregister_activation("relu")
    assert "softplus" not in A.ACTIVATIONS


def test_bad_losses_are_refused():
    with pytest.raises(ValueError, match="name and aliases must be new loss names; got 'bce'"):
        Ls.register_loss("log_cosh", log_cosh, log_cosh_gradient, aliases=("bce",))
    with pytest.raises(ValueError, match="outputs must be one of \\['mean', 'sum'\\]; got 'max'"):
        Ls.register_loss("log_cosh", log_cosh, log_cosh_gradient, outputs="max")
    with pytest.raises(ValueError, match="targets must be one of"):
        Ls.register_loss("log_cosh", log_cosh, log_cosh_gradient, targets="labels")
    with pytest.raises(ValueError, match="latex may only use the slots <h>, <y>; got <z>"):
        Ls.register_loss("log_cosh", log_cosh, log_cosh_gradient, latex="\\cosh(<z>)")
    with pytest.raises(ValueError, match="unknown shortcut_activation 'softplus'"):
        Ls.register_loss("log_cosh", log_cosh, log_cosh_gradient, shortcut_activation="softplus")
    with pytest.raises(ValueError, match="gradient must be a function"):
        Ls.register_loss("log_cosh", log_cosh, None)
    with pytest.raises(ValueError, match="not a built-in one"):
        Ls.unregister_loss("mse")
    assert "log_cosh" not in Ls.LOSSES and "lc" not in Ls.ALIASES


def test_a_trace_refuses_a_non_elementwise_activation_other_than_softmax():
    A.register_activation("rowmax", lambda z: np.max(z, axis=-1, keepdims=True) + 0 * z, None,
                          vjp=lambda z, a, g: g, max_derivative=1.0)
    try:
        net = mc.init_network([2, 2, 1], ["rowmax", "sigmoid"], rng=0)
        with pytest.raises(ValueError, match="activation 'rowmax' has no elementwise derivative"):
            trace.forward_trace(net, [0.1, 0.2])
    finally:
        A.unregister_activation("rowmax")
