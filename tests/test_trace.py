"""Tests for mlpcourse.trace: the lecture's Example 3 written out with numbers.

Expected Example 3 values are computed here with plain ``math`` (not with the engine)."""

import dataclasses
import math
import re

import numpy as np
import pytest

import mlpcourse as mc
from mlpcourse import trace
from mlpcourse.trace import STAGES, Step


def sigma(t):
    return 1.0 / (1.0 + math.exp(-t))


def example3_by_hand():
    """Every value of one training step of Example 3, by hand (symbol -> value)."""
    x1, x2, y, eta = 0.5, 0.1, 1.0, 0.01
    w1 = {(1, 1): 0.2, (1, 2): 0.4, (2, 1): 0.3, (2, 2): 0.7}
    b1 = {1: 0.1, 2: 0.2}
    w2 = {(1, 1): 0.6, (1, 2): 0.9}
    b2 = 0.3
    z1 = w1[1, 1] * x1 + w1[1, 2] * x2 + b1[1]
    z2 = w1[2, 1] * x1 + w1[2, 2] * x2 + b1[2]
    a1, a2 = sigma(z1), sigma(z2)
    z = w2[1, 1] * a1 + w2[1, 2] * a2 + b2
    y_hat = sigma(z)
    loss = -y * math.log(y_hat) - (1 - y) * math.log(1 - y_hat)
    d = y_hat - y
    s1, s2 = a1 * (1 - a1), a2 * (1 - a2)
    d1, d2 = d * w2[1, 1] * s1, d * w2[1, 2] * s2
    grads = {"w_{11}^{(2)}": d * a1, "w_{12}^{(2)}": d * a2, "b_1^{(2)}": d,
             "w_{11}^{(1)}": d1 * x1, "w_{12}^{(1)}": d1 * x2,
             "w_{21}^{(1)}": d2 * x1, "w_{22}^{(1)}": d2 * x2, "b_1^{(1)}": d1, "b_2^{(1)}": d2}
    old = {"w_{11}^{(2)}": w2[1, 1], "w_{12}^{(2)}": w2[1, 2], "b_1^{(2)}": b2,
           "w_{11}^{(1)}": w1[1, 1], "w_{12}^{(1)}": w1[1, 2], "w_{21}^{(1)}": w1[2, 1],
           "w_{22}^{(1)}": w1[2, 2], "b_1^{(1)}": b1[1], "b_2^{(1)}": b1[2]}
    values = {"z_1^{(1)}": z1, "z_2^{(1)}": z2, "a_1^{(1)}": a1, "a_2^{(1)}": a2,
              "z_1^{(2)}": z, "\\hat{y}": y_hat, "L": loss, "\\delta^{(2)}": d,
              "\\sigma'(z_1^{(1)})": s1, "\\sigma'(z_2^{(1)})": s2,
              "\\delta_1^{(1)}": d1, "\\delta_2^{(1)}": d2}
    values |= {f"\\frac{{\\partial L}}{{\\partial {k}}}": g for k, g in grads.items()}
    values |= {k: old[k] - eta * g for k, g in grads.items()}
    return values


@pytest.fixture(scope="module")
def steps():
    net, x, y = trace.example3()
    return trace.backprop_trace(net, x, y)


def evaluate(latex):
    """Evaluate a substituted LaTeX string made of numbers, \\cdot, + - and parentheses."""
    text = re.sub(r" \\times 10\^\{(-?\d+)\}", r"e\1", latex)
    text = text.replace("\\left(", "(").replace("\\right)", ")").replace("\\cdot", "*")
    assert re.fullmatch(r"[\d.e\s*+\-()]+", text), latex
    return eval(text)  # only digits and arithmetic, checked above


# --- Example 3 ---------------------------------------------------------------------------------


def test_example3_network_is_the_lectures():
    net, x, y = trace.example3()
    assert net.sizes == [2, 2, 1]
    assert net.activations[1:] == ["sigmoid", "sigmoid"]
    np.testing.assert_array_equal(net.W[1], [[0.2, 0.4], [0.3, 0.7]])
    np.testing.assert_array_equal(net.b[1], [0.1, 0.2])
    np.testing.assert_array_equal(net.W[2], [[0.6, 0.9]])
    np.testing.assert_array_equal(net.b[2], [0.3])
    np.testing.assert_array_equal(x, [0.5, 0.1])
    assert y == 1


def test_example3_every_value_to_full_precision(steps):
    expected = example3_by_hand()
    got = trace.values(steps)
    assert set(got) == set(expected)
    for symbol, value in expected.items():
        assert got[symbol] == pytest.approx(value, rel=1e-13, abs=1e-16), symbol


def test_example3_known_values(steps):
    v = trace.values(steps)
    assert v["z_1^{(1)}"] == pytest.approx(0.24)  # the lecture prints 0.25
    assert v["z_2^{(1)}"] == pytest.approx(0.42)  # the lecture prints 0.41
    assert v["\\hat{y}"] == pytest.approx(0.7647613177655476, rel=1e-14)
    assert v["L"] == pytest.approx(0.26819149675949183, rel=1e-14)
    assert v["w_{11}^{(2)}"] == pytest.approx(0.6013166630128225, rel=1e-14)


def test_example3_step_counts_and_stages(steps):
    stages = [s.stage for s in steps]
    assert len(steps) == 30
    assert stages == (["forward"] * 6 + ["loss"] + ["output delta"]
                      + ["gradient"] * 3 + ["hidden delta"] * 4 + ["gradient"] * 6
                      + ["update"] * 9)
    assert set(stages) == set(STAGES)
    symbols = [s.symbol for s in steps]
    assert len(set(symbols)) == len(symbols)
    assert symbols[:6] == ["z_1^{(1)}", "z_2^{(1)}", "a_1^{(1)}", "a_2^{(1)}", "z_1^{(2)}",
                           "\\hat{y}"]
    # the lecture's order on the "Weight Updates" slide
    assert [plain for plain in symbols[-9:]] == [
        "w_{11}^{(2)}", "w_{12}^{(2)}", "b_1^{(2)}", "w_{11}^{(1)}", "w_{12}^{(1)}",
        "w_{21}^{(1)}", "w_{22}^{(1)}", "b_1^{(1)}", "b_2^{(1)}"]


def test_step_is_frozen_and_values_are_floats(steps):
    with pytest.raises(dataclasses.FrozenInstanceError):
        steps[0].value = 1.0
    assert all(type(s.value) is float for s in steps)
    assert isinstance(steps[0], Step)


def test_forward_trace_is_the_first_part_of_backprop_trace(steps):
    net, x, _ = trace.example3()
    forward = trace.forward_trace(net, x)
    assert forward == steps[:6]
    assert all(s.stage == "forward" for s in forward)


# --- LaTeX -------------------------------------------------------------------------------------


def test_expressions_and_substitutions_use_the_lecture_notation(steps):
    by = {s.symbol: s for s in steps}
    z1 = by["z_1^{(1)}"]
    assert z1.expression == "w_{11}^{(1)} \\cdot x_1 + w_{12}^{(1)} \\cdot x_2 + b_1^{(1)}"
    assert z1.substituted == "0.2 \\cdot 0.5 + 0.4 \\cdot 0.1 + 0.1"
    assert by["a_1^{(1)}"].substituted == "\\frac{1}{1 + e^{-0.24}}"
    assert by["z_1^{(2)}"].substituted == "0.6 \\cdot 0.5597 + 0.9 \\cdot 0.6035 + 0.3"
    assert by["\\delta^{(2)}"].substituted == "0.7648 - 1"
    assert by["\\delta_1^{(1)}"].expression == (
        "\\delta^{(2)} \\cdot w_{11}^{(2)} \\cdot \\sigma'(z_1^{(1)})")
    assert by["\\delta_1^{(1)}"].substituted == "(-0.2352) \\cdot 0.6 \\cdot 0.2464"
    assert by["w_{11}^{(2)}"].substituted == "0.6 - 0.01 \\cdot (-0.1317)"
    assert by["\\frac{\\partial L}{\\partial w_{12}^{(1)}}"].substituted == (
        "(-0.03478) \\cdot 0.1")
    assert "\\ln 0.7648" in by["L"].substituted


def test_to_latex_block_has_every_number(steps):
    latex = trace.to_latex(steps)
    assert latex.startswith("\\begin{aligned}") and latex.endswith("\\end{aligned}")
    assert latex.count("\\\\\n") == len(steps) - 1
    for text in ("= 0.24 \\\\", "= 0.42 \\\\", "\\approx 0.5597", "\\approx 0.7648",
                 "\\approx 0.2682", "\\approx -0.2352", "\\approx -0.1317", "\\approx 0.2464",
                 "\\approx -0.03478", "\\approx -0.05066", "\\approx 0.601317",
                 "\\approx 0.40003478", "w_{11}^{(2)} &\\leftarrow"):
        assert text in latex, text


def test_to_latex_digits_and_line_list(steps):
    latex = trace.to_latex(steps[:6], digits=3)
    assert "\\approx 0.560" in latex and "\\approx 0.765" in latex
    lines = trace.to_latex(steps, block=False)
    assert len(lines) == len(steps)
    assert all(line.startswith("$$") and line.endswith("$$") for line in lines)
    assert lines[0] == ("$$z_1^{(1)} = w_{11}^{(1)} \\cdot x_1 + w_{12}^{(1)} \\cdot x_2 + "
                        "b_1^{(1)} = 0.2 \\cdot 0.5 + 0.4 \\cdot 0.1 + 0.1 = 0.24$$")


def test_bias_gradient_line_does_not_repeat_itself(steps):
    line = trace.to_latex([s for s in steps if s.symbol.endswith("b_1^{(1)}}")])
    assert "\\frac{\\partial L}{\\partial b_1^{(1)}} &= \\delta_1^{(1)} \\approx -0.03478" in line


@pytest.mark.parametrize("stage", ["forward", "gradient", "update"])
def test_substituted_numbers_reproduce_the_value(stage):
    """At 17 digits, the arithmetic written in `substituted` gives the step's value."""
    net = mc.init_network([3, 4, 2], ["tanh", "sigmoid"], rng=1)
    x = np.array([0.3, -1.2, 2.0])
    for s in trace.backprop_trace(net, x, [1.0, 0.0], loss="mse", eta=0.1):
        if s.stage == stage and s.template and "e^" not in s.template and "\\tanh" not in \
                s.template and "\\frac" not in s.template:
            assert evaluate(s.substitute(17)) == pytest.approx(s.value, rel=1e-12, abs=1e-15)


def test_number_formatting():
    assert trace._number(0.24000000000000002) == "0.24"
    assert trace._number(-0.141963) == "-0.1420"  # rounded: the trailing zero is kept
    assert trace._number(1.0) == "1"
    assert trace._number(3.46e-7) == "3.46 \\times 10^{-7}"
    assert trace._number(3.46e-7, latex=False) == "3.46e-07"
    assert trace._number(12345.678) == "12346"


def test_plain_symbols_and_table(steps):
    assert trace.plain("\\frac{\\partial L}{\\partial w_{11}^{(2)}}") == "dL/dw_11^(2)"
    assert trace.plain("\\sigma'(z_1^{(1)})") == "σ'(z_1^(1))"
    assert trace.plain("\\hat{y}") == "ŷ"
    table = trace.to_table(steps)
    lines = table.splitlines()
    assert len(lines) == len(steps) + 1
    assert lines[0].split() == ["stage", "quantity", "value"]
    assert "dL/dw_11^(2)" in table and "-0.131666" in table
    assert "w_11^(2) (new)" in table and "0.601317" in table


# --- other networks ----------------------------------------------------------------------------


def numeric_gradients(net, x, y, loss):
    """dL/dW and dL/db by central differences of mc.loss(forward(...)), independent of backward."""
    result = {}
    for kind, params in (("w", net.W), ("b", net.b)):
        for l in range(1, net.L + 1):
            def f(p, params=params, l=l):
                saved, params[l] = params[l], p
                try:
                    return mc.loss(mc.forward(net, x)[0], y, loss)
                finally:
                    params[l] = saved
            result[kind, l] = mc.numerical_gradient(f, params[l])
    return result


def gradient_values(steps, net):
    v = trace.values(steps, stage="gradient")
    names = trace._Names(net)
    return {("w", l): np.array([[v[trace._d(names.w(l, i, j))] for j in range(net.sizes[l - 1])]
                                for i in range(net.sizes[l])]) for l in range(1, net.L + 1)} | {
        ("b", l): np.array([v[trace._d(names.b(l, i))] for i in range(net.sizes[l])])
        for l in range(1, net.L + 1)}


@pytest.mark.parametrize("activations, loss, y", [
    (["sigmoid", "softmax"], "cross_entropy", 1),
    (["tanh", "linear"], "mse", [0.5, -1.0]),
    (["relu", "sigmoid"], "binary_cross_entropy", [1.0, 0.0]),
    (["softmax", "sigmoid"], "mse", [0.2, 0.9]),
])
def test_other_networks_agree_with_backward_and_finite_differences(activations, loss, y):
    net = mc.init_network([2, 3, 2], activations, rng=3)
    x = np.array([0.7, -0.4])
    steps = trace.backprop_trace(net, x, y, loss=loss, eta=0.05)
    assert [s.stage for s in steps[:10]] == ["forward"] * 10
    grads = mc.backward(net, mc.forward(net, x)[1], y, loss)
    got = gradient_values(steps, net)
    numeric = numeric_gradients(net, x, y, loss)
    for l in (1, 2):
        np.testing.assert_allclose(got["w", l], grads.W[l], rtol=1e-14, atol=1e-16)
        np.testing.assert_allclose(got["w", l], numeric["w", l], rtol=1e-6, atol=1e-9)
        np.testing.assert_allclose(got["b", l], numeric["b", l], rtol=1e-6, atol=1e-9)
    assert mc.gradient_check(net, x, y, loss) < 1e-7
    new = mc.update(net, grads, 0.05)
    updates = trace.values(steps, "update")
    assert updates["w_{32}^{(1)}"] == new.W[1][2, 1]
    assert updates["b_2^{(2)}"] == new.b[2][1]


def test_softmax_cross_entropy_delta_is_y_hat_minus_one_hot():
    net = mc.init_network([2, 3, 2], ["sigmoid", "softmax"], rng=0)
    x = np.array([0.2, 0.9])
    steps = trace.backprop_trace(net, x, 1, loss="cross_entropy")
    y_hat = mc.forward(net, x)[0]
    deltas = [s for s in steps if s.stage == "output delta"]
    assert [s.symbol for s in deltas] == ["\\delta_1^{(2)}", "\\delta_2^{(2)}"]
    assert [s.expression for s in deltas] == ["\\hat{y}_1 - y_1", "\\hat{y}_2 - y_2"]
    np.testing.assert_allclose([s.value for s in deltas], y_hat - [0, 1], rtol=1e-14)
    loss = next(s for s in steps if s.stage == "loss")
    assert loss.value == pytest.approx(-math.log(y_hat[1]))
    softmax = next(s for s in steps if s.symbol == "\\hat{y}_1")
    assert softmax.expression == "\\frac{e^{z_1^{(2)}}}{e^{z_1^{(2)}} + e^{z_2^{(2)}}}"


def test_hidden_delta_sums_over_every_next_neuron():
    net = mc.init_network([2, 3, 2], ["tanh", "linear"], rng=2)
    steps = trace.backprop_trace(net, [0.5, -0.5], [1.0, 2.0], loss="mse")
    delta = next(s for s in steps if s.symbol == "\\delta_1^{(1)}")
    assert delta.expression == ("\\left(\\delta_1^{(2)} \\cdot w_{11}^{(2)} + \\delta_2^{(2)} "
                                "\\cdot w_{21}^{(2)}\\right) \\cdot \\tanh'(z_1^{(1)})")
    assert evaluate(delta.substitute(17)) == pytest.approx(delta.value, rel=1e-12)
    prime = next(s for s in steps if s.symbol == "\\tanh'(z_1^{(1)})")
    assert prime.expression == "1 - (a_1^{(1)})^2"
    # the chain-rule output delta for MSE: dL/dŷ_i · g'(z_i), g' = 1 for a linear output
    out = [s.symbol for s in steps if s.stage == "output delta"]
    assert out[:3] == ["\\frac{\\partial L}{\\partial \\hat{y}_1}", "g'(z_1^{(2)})",
                       "\\delta_1^{(2)}"]


def test_chain_rule_form_of_the_output_delta_gives_the_shortcut():
    net, x, y = trace.example3()
    steps = trace.backprop_trace(net, x, y, shortcut=False)
    out = {s.symbol: s for s in steps if s.stage == "output delta"}
    y_hat = example3_by_hand()["\\hat{y}"]
    dy = out["\\frac{\\partial L}{\\partial \\hat{y}}"]
    assert dy.value == pytest.approx(-1 / y_hat, rel=1e-12)  # -y/ŷ + (1 - y)/(1 - ŷ) at y = 1
    assert out["\\sigma'(z_1^{(2)})"].value == pytest.approx(y_hat * (1 - y_hat), rel=1e-13)
    assert out["\\delta^{(2)}"].value == pytest.approx(y_hat - 1, rel=1e-13)
    assert dy.value * out["\\sigma'(z_1^{(2)})"].value == pytest.approx(y_hat - 1, rel=1e-12)
    assert len(steps) == 32


def test_three_layer_network_and_relu():
    net = mc.init_network([2, 3, 2, 1], ["relu", "leaky_relu", "sigmoid"], rng=4)
    x = np.array([1.0, -0.5])
    steps = trace.backprop_trace(net, x, 0.0)
    got = gradient_values(steps, net)
    numeric = numeric_gradients(net, x, 0.0, "binary_cross_entropy")
    for l in (1, 2, 3):
        np.testing.assert_allclose(got["w", l], numeric["w", l], rtol=1e-5, atol=1e-9)
    assert sum(s.stage == "hidden delta" for s in steps) == 2 * (3 + 2)
    assert len(trace.forward_trace(net, x)) == 2 * (3 + 2 + 1)


def test_bad_input():
    net, x, y = trace.example3()
    with pytest.raises(ValueError, match="x must be one sample"):
        trace.forward_trace(net, np.ones((2, 2)))
    with pytest.raises(ValueError, match="x must have 2 features"):
        trace.backprop_trace(net, [1.0, 2.0, 3.0], y)
    with pytest.raises(TypeError, match="net must be a mlpcourse Network"):
        trace.forward_trace("net", x)
    with pytest.raises(ValueError, match="unknown loss"):
        trace.backprop_trace(net, x, y, loss="hinge")
    with pytest.raises(ValueError, match="eta must be a finite number > 0"):
        trace.backprop_trace(net, x, y, eta=0)
    linear = mc.init_network([2, 1], ["linear"], rng=0)
    with pytest.raises(ValueError, match="needs probabilities"):
        trace.backprop_trace(linear, x, y)
    assert len(trace.forward_trace(net, np.array([[0.5, 0.1]]))) == 6  # (1, n_0) is one sample


def test_import_mlpcourse_trace_stays_light():
    import subprocess
    import sys

    code = ("import sys, mlpcourse.trace; "
            "print(any(m in sys.modules for m in ('matplotlib', 'ipywidgets', 'sympy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_softmax_hidden_layer_writes_dL_da():
    net = mc.init_network([2, 3, 2], ["softmax", "sigmoid"], rng=3)
    x = np.array([0.7, -0.4])
    steps = trace.backprop_trace(net, x, [0.2, 0.9], loss="mse")
    grads = mc.backward(net, mc.forward(net, x)[1], [0.2, 0.9], "mse")
    dL_da = [s for s in steps if s.symbol.startswith("\\frac{\\partial L}{\\partial a_")]
    np.testing.assert_allclose([s.value for s in dL_da], grads.delta[2] @ net.W[2], rtol=1e-14)
    for s in dL_da:
        assert evaluate(s.substitute(17)) == pytest.approx(s.value, rel=1e-12)
    dy = next(s for s in steps if s.symbol == "\\frac{\\partial L}{\\partial \\hat{y}_1}")
    assert dy.expression == "\\hat{y}_1 - y_1"  # MSE over 2 outputs: 2/2 (ŷ_1 - y_1)


def test_latex_lines_parse():
    """Every line is valid math for matplotlib's mathtext (MathJax-only commands swapped)."""
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    seen = set()  # lines that differ only in digits parse alike: parse one of each (it is slow)
    nets = [(trace.example3(), "binary_cross_entropy"),
            ((mc.init_network([2, 3, 2], ["softmax", "tanh"], rng=3), [0.7, -0.4], [0.2, 0.9]),
             "mse"),
            ((mc.init_network([2, 2, 2], ["leaky_relu", "softmax"], rng=3), [0.7, -0.4], 1),
             "cross_entropy"),
            ((mc.init_network([2, 2, 2, 1], ["relu", "step", "linear"], rng=3), [0.7, -0.4], 1),
             "mse")]
    for (net, x, y), loss in nets:
        for shortcut in (True, False):
            for line in trace.to_latex(trace.backprop_trace(net, x, y, loss=loss,
                                                            shortcut=shortcut), block=False):
                text = line.strip("$").replace("\\left(", "(").replace("\\right)", ")")
                text = text.replace("\\left[", "[").replace("\\right]", "]")
                shape = re.sub(r"\(?-?[\d.]+\)?( \\times 10\^\{-?\d+\})?", "N", text)
                if shape not in seen:
                    seen.add(shape)
                    parser.parse("$" + text.replace("\\mathbb{1}", "\\mathbf{1}") + "$")
    assert len(seen) > 30


def test_update_with_zero_gradient_shows_the_old_value():
    net = mc.Network.from_weights(W=[[[-0.8, 0.5]], [[0.6]]], b=[[-1.0], [0.3]],
                                  activations=["relu", "sigmoid"])
    steps = trace.backprop_trace(net, [0.5, 0.1], 1.0)  # z^(1) < 0: ReLU passes no gradient
    latex = trace.to_latex([s for s in steps if s.stage == "update"])
    assert "w_{11}^{(1)} - \\eta \\cdot \\frac{\\partial L}{\\partial w_{11}^{(1)}} = " \
           "-0.8 - 0.01 \\cdot 0 = -0.8" in latex
    with pytest.raises(ValueError, match="digits must be a positive integer"):
        trace.to_latex(steps, digits=0)
