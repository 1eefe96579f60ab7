"""Problems on a small network: a forward pass (lecture: "Going forward", Quiz Q1), one
backpropagation step (lecture: Example 3, Steps 1-4) and the lecture's Quiz Q1 itself.

The expected answers are the engine's (``forward``, ``backward``, ``update``); the worked
solutions are the lesson traces (``trace.forward_trace``, ``trace.backprop_trace``).
"""

from __future__ import annotations

import re

import numpy as np

from .._validation import describe
from ..activations import get_activation
from ..network import Network, backward, forward, update
from ..trace import backprop_trace, forward_trace, to_latex
from .answers import tolerance
from .draws import distinct, pick, problem_rng, tenths
from .problem import Ask, Problem, make
from .render import activation_plain, activation_text, math_block, network_table, num, vector

HIDDEN = ("sigmoid", "tanh", "relu")  # the hidden activations a problem picks from by default
SIZES = ((2, 2, 1), (2, 3, 1), (3, 2, 1))


def check_hidden(hidden) -> tuple[str, ...]:
    """The hidden activations to pick from: names of ``ACTIVATIONS`` entries offered for hidden
    layers (``hidden=True``, with a derivative), e.g. ("sigmoid", "tanh") or ("softplus",)."""
    if isinstance(hidden, str):
        hidden = (hidden,)
    if not isinstance(hidden, tuple | list) or not hidden:
        raise TypeError(f"hidden must be a non-empty tuple of activation names such as "
                        f"{HIDDEN}; got {describe(hidden)}")
    for name in hidden:
        act = get_activation(name)
        if not act.hidden or act.derivative is None:
            raise ValueError(f"hidden must name activations for hidden layers (hidden=True in "
                             f"ACTIVATIONS, with a derivative); got {name!r}")
    return tuple(hidden)


def _call(function, seed, hidden) -> str:
    extra = "" if hidden == HIDDEN else f", hidden={hidden!r}"
    return f"practice.{function}(seed={seed}{extra})"


def _random_net(rng, sizes, activations) -> Network:
    W = [tenths(rng, -1, 1, (n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:],
                                                                    strict=True)]
    b = [tenths(rng, -1, 1, n_out, nonzero=False) for n_out in sizes[1:]]
    return Network.from_weights(W=W, b=b, activations=list(activations))


def _kink_and_dead_zone(name) -> tuple[bool, bool]:
    """Whether g' jumps at z = 0 (ReLU, leaky ReLU: g'(0) is ambiguous by hand), and whether
    g' is 0 for z < 0 (ReLU: a neuron there is dead), read off the registry's derivative."""
    derivative = get_activation(name).derivative
    left, right, negative = derivative(np.array([-1e-9, 1e-9, -1.0]))
    return bool(abs(right - left) > 1e-3), bool(negative == 0 and right > 0)


def _draw_network_and_input(rng, sizes, activations, tries=200):
    """A network and an input with no hidden pre-activation at (or very near) a kink of g, and
    at least one active neuron where g has a dead zone (a dead layer makes a dull problem)."""
    kink, dead_zone = _kink_and_dead_zone(activations[0])
    for _ in range(tries):
        net = _random_net(rng, sizes, activations)
        # whole or one-decimal inputs, never 0 (so that every weight of layer 1 matters)
        x = (np.array([-2.0, -1.0, 1.0, 2.0])[rng.integers(4, size=sizes[0])]
             if rng.integers(2) else tenths(rng, -2, 2, sizes[0]))
        _, cache = forward(net, x)
        z = cache.z[1]
        if (not kink or np.all(np.abs(z) > 0.05)) and (not dead_zone or np.any(z > 0)):
            return net, x, cache
    raise RuntimeError("no suitable network found")  # pragma: no cover - never for 200 tries


def _hidden_asks(rng, net, cache):
    n1, g = net.sizes[1], net.activations[1]
    count = 1 + int(rng.integers(2)) if n1 > 2 else 1
    chosen = sorted(int(j) for j in distinct(rng, n1, count))
    asks = []
    for j in chosen:
        name, symbol = f"a{j + 1}", f"a_{j + 1}^{{(1)}}"
        asks.append(Ask(name, symbol, f"the output ${symbol}$ of hidden neuron {j + 1}",
                        float(cache.a[1][j]), tolerance(cache.a[1][j]),
                        f"Row a_{j + 1} of the table: z = Σ_k w_{j + 1}k x_k + b_{j + 1}, then "
                        f"a = {g}(z)."))
    return asks


def _output_ask(net, y_hat):
    g = net.activations[net.L]
    how = "no activation: ŷ = z" if g == "linear" else f"then ŷ = {g}(z)"
    return Ask("y_hat", r"\hat y", r"the network output $\hat y$", float(y_hat[0]),
               tolerance(y_hat[0]), f"You need every hidden output first; z = Σ_i w_1i a_i + "
               f"b_1, {how}.")


def forward_pass(seed, hidden=HIDDEN) -> Problem:
    """A forward pass through a small drawn network (lecture: "Going forward", Quiz Q1).

    A 2-2-1, 2-3-1 or 3-2-1 network with one-decimal weights and biases, a hidden layer with one
    of ``hidden`` (sigmoid, tanh or ReLU) and a linear or sigmoid output; asks for one or two
    hidden outputs a_j^(1) and the output ŷ at a given input.

    Parameters
    ----------
    seed : int >= 0 (e.g. a student number)
    hidden : the hidden activations to pick from (any registered ones for hidden layers)

    Returns
    -------
    Problem with answers "a<j>" and "y_hat"; data "net", "x"
    """
    rng = problem_rng("forward_pass", seed)
    hidden = check_hidden(hidden)
    sizes = pick(rng, SIZES)
    activations = (pick(rng, hidden), pick(rng, ("linear", "sigmoid")))
    net, x, cache = _draw_network_and_input(rng, sizes, activations)
    asks = [*_hidden_asks(rng, net, cache), _output_ask(net, cache.a[net.L])]
    body = (f"A {'-'.join(map(str, sizes))} network: hidden layer "
            f"{activation_text(activations[0])}, output {activation_text(activations[1])}. "
            f"Each neuron computes $a = g(z)$ from its weighted input $z$:\n\n"
            f"{network_table(net)}\n\nThe input is $x = {vector(x)}$. Keep at least 4 "
            f"decimals in intermediate results.")
    return make("forward_pass", _call("forward_pass", seed, hidden), "Practice: forward pass",
                body, asks, {"net": net, "x": x}, _solve_forward, seed=seed)


def _solve_forward(problem, digits) -> str:
    net, x = problem.data["net"], problem.data["x"]
    steps = forward_trace(net, x)
    return ("Layer by layer, $z_i^{(l)} = \\sum_j w_{ij}^{(l)} a_j^{(l-1)} + b_i^{(l)}$ and "
            "$a_i^{(l)} = g(z_i^{(l)})$ (lecture: Example 3, Step 1):\n\n"
            + math_block(to_latex(steps, digits)))


# --- one backpropagation step ---------------------------------------------------------------------

_LOSS_TEXT = {
    "binary_cross_entropy": r"binary cross-entropy $L = -y \ln \hat y - (1 - y) \ln(1 - \hat y)$",
    "mse": r"squared error $L = (\hat y - y)^2$ (the engine's MSE for one sample, no factor "
           r"$\frac12$)",
}


def _w(l, i, j):
    return f"w_{{{i + 1}{j + 1}}}^{{({l})}}"


def _backprop_asks(rng, net, x, y, loss, eta):
    """δ^(2), one δ_j^(1), ∂L/∂w_1j^(2), ∂L/∂w_jk^(1) and one updated weight."""
    _, cache = forward(net, x)
    grads = backward(net, cache, y, loss)
    new = update(net, grads, eta)
    delta1 = grads.delta[1]
    active = [j for j in range(net.sizes[1]) if delta1[j] != 0] or [0]
    j = pick(rng, active)
    k = int(rng.integers(net.sizes[0]))
    g1 = activation_plain(net.activations[1])
    asks = [
        Ask("delta2", r"\delta^{(2)}", r"the output delta $\delta^{(2)} = \partial L / "
            r"\partial z^{(2)}$", float(grads.delta[2][0]), tolerance(grads.delta[2][0]),
            "δ⁽²⁾ = ∂L/∂ŷ · g'(z⁽²⁾); for sigmoid with cross-entropy this is ŷ - y."),
        Ask(f"dw2_1{j + 1}", rf"\frac{{\partial L}}{{\partial {_w(2, 0, j)}}}",
            rf"the gradient $\partial L / \partial {_w(2, 0, j)}$", float(grads.W[2][0, j]),
            tolerance(grads.W[2][0, j]), f"∂L/∂w = δ⁽²⁾ times the input of that weight, "
            f"a_{j + 1}⁽¹⁾."),
        Ask(f"delta1_{j + 1}", rf"\delta_{j + 1}^{{(1)}}",
            rf"the hidden delta $\delta_{j + 1}^{{(1)}}$", float(delta1[j]),
            tolerance(delta1[j]), f"δ_{j + 1}⁽¹⁾ = δ⁽²⁾ · w_1{j + 1}⁽²⁾ · {g1}'(z_{j + 1}⁽¹⁾)."),
        Ask(f"dw1_{j + 1}{k + 1}", rf"\frac{{\partial L}}{{\partial {_w(1, j, k)}}}",
            rf"the gradient $\partial L / \partial {_w(1, j, k)}$", float(grads.W[1][j, k]),
            tolerance(grads.W[1][j, k]), f"∂L/∂w = δ_{j + 1}⁽¹⁾ · x_{k + 1}."),
    ]
    l, (i, jj) = (2, (0, j)) if rng.integers(2) else (1, (j, k))
    old, value = net.W[l][i, jj], new.W[l][i, jj]
    asks.append(Ask(f"w{l}_{i + 1}{jj + 1}_new", _w(l, i, jj),
                    f"the new ${_w(l, i, jj)}$ after the step", float(value),
                    tolerance(value, value - old), "w_new = w_old - η · ∂L/∂w."))
    return asks, abs(value - old)


def backprop_step(seed, hidden=HIDDEN) -> Problem:
    """One backpropagation step on one sample (lecture: Example 3, Steps 1-4).

    A 2-2-1, 2-3-1 or 3-2-1 network (a hidden layer with one of ``hidden``: sigmoid, tanh or
    ReLU), a sigmoid output with binary cross-entropy, or a linear or sigmoid output with the
    squared error; asks for the output delta δ^(2), a hidden delta δ_j^(1), two weight gradients
    and one updated weight.

    Parameters
    ----------
    seed : int >= 0
    hidden : the hidden activations to pick from (any registered ones for hidden layers)

    Returns
    -------
    Problem; data "net", "x", "y", "loss", "eta"
    """
    rng = problem_rng("backprop_step", seed)
    hidden = check_hidden(hidden)
    sizes = pick(rng, SIZES)
    output, loss = pick(rng, (("sigmoid", "binary_cross_entropy"), ("linear", "mse"),
                              ("sigmoid", "mse")))
    activations = (pick(rng, hidden), output)
    for _ in range(100):  # until the asked weight moves visibly (saturated nets barely do)
        net, x, _ = _draw_network_and_input(rng, sizes, activations)
        y = (float(rng.integers(2)) if loss == "binary_cross_entropy" else
             float(tenths(rng, 0, 1, ()) if output == "sigmoid" else tenths(rng, -1, 2, ())))
        eta = pick(rng, (0.1, 0.5, 1.0))
        asks, change = _backprop_asks(rng, net, x, y, loss, eta)
        if change >= 4e-4:
            break
    body = (f"A {'-'.join(map(str, sizes))} network: hidden layer "
            f"{activation_text(activations[0])}, output {activation_text(output)}:\n\n"
            f"{network_table(net)}\n\nOne training sample: input $x = {vector(x)}$, target "
            f"$y = {num(y)}$. Loss: {_LOSS_TEXT[loss]}. Learning rate $\\eta = {num(eta)}$. "
            f"Here $\\delta^{{(l)}} = \\partial L / \\partial z^{{(l)}}$, and one step of "
            f"gradient descent is $w \\leftarrow w - \\eta \\, \\partial L / \\partial w$. Keep "
            f"at least 5 decimals in intermediate results.")
    return make("backprop_step", _call("backprop_step", seed, hidden),
                "Practice: one backpropagation step", body, asks,
                {"net": net, "x": x, "y": y, "loss": loss, "eta": eta}, _solve_backprop,
                seed=seed)


_STAGE_TITLES = {"forward": "Forward pass", "loss": "Loss", "output delta": "Output delta",
                 "hidden delta": "Hidden deltas", "gradient": "Gradients",
                 "update": "Update (asked parameters)"}


def _symbol_key(latex: str) -> str:
    return re.sub(r"[{}]", "", latex)


def _solve_backprop(problem, digits) -> str:
    d = problem.data
    steps = backprop_trace(d["net"], d["x"], d["y"], loss=d["loss"], eta=d["eta"])
    asked = {_symbol_key(problem.symbols[n]) for n in problem.answers if n.endswith("_new")}
    steps = [s for s in steps if s.stage != "update" or _symbol_key(s.symbol) in asked]
    parts, stage, block = [], None, []
    for s in [*steps, None]:
        if s is None or s.stage != stage:
            if block:
                parts.append(f"*{_STAGE_TITLES[stage]}*\n\n" + math_block(to_latex(block, digits)))
            stage, block = (None, []) if s is None else (s.stage, [])
        if s is not None:
            block.append(s)
    note = ("Lecture: Example 3. The output delta is $\\delta^{(2)} = \\hat y - y$ for sigmoid "
            "with cross-entropy, otherwise $\\frac{\\partial L}{\\partial \\hat y}\\, "
            "g'(z^{(2)})$; then $\\delta_j^{(1)} = \\delta^{(2)} w_{1j}^{(2)} g'(z_j^{(1)})$, "
            "$\\partial L/\\partial w_{ij}^{(l)} = \\delta_i^{(l)} a_j^{(l-1)}$ and $w "
            "\\leftarrow w - \\eta\\, \\partial L / \\partial w$.")
    if problem.kind == "lecture_q1":
        note += " The equations write $h_i$ as $a_i^{(1)}$."
    return note + "\n\n" + "\n\n".join(parts)


# --- the lecture's Q1 -----------------------------------------------------------------------------

def lecture_q1() -> Problem:
    """The lecture's Quiz Q1, as lesson 8 (``notebooks/08_quizzes.ipynb``) designs it.

    The lecture's figure is lost; lesson 8's network: inputs x_1, x_2, hidden sigmoid neurons
    h_1, h_2, h_3 with W^(1) = [[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]], b^(1) = [0.1, -0.2, 0.3],
    a linear output with W^(2) = [[0.7, -0.5, 0.9]], b^(2) = [0.2]; input (2, -1). Parts a-c
    ask h_2, h_3 and ŷ; lesson 8's part d one gradient step with η = 0.1 for the target t = 1
    and L = (ŷ - t)^2: δ^(2), the new w_12^(2) and the new b_1^(2).

    Returns
    -------
    Problem (seed None) with answers "h2", "h3", "y_hat", "delta2", "w2_12_new", "b2_1_new"
    """
    net = Network.from_weights(W=[[[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]], [[0.7, -0.5, 0.9]]],
                               b=[[0.1, -0.2, 0.3], [0.2]], activations=["sigmoid", "linear"])
    x, t, eta = np.array([2.0, -1.0]), 1.0, 0.1
    y_hat, cache = forward(net, x)
    grads = backward(net, cache, t, "mse")
    new = update(net, grads, eta)
    h = cache.a[1]
    asks = [
        Ask("h2", "h_2", "a) the output of $h_2$", float(h[1]), tolerance(h[1]),
            "z = 0.3·x_1 + 0.8·x_2 - 0.2, then σ(z) = 1 / (1 + e^(-z))."),
        Ask("h3", "h_3", "b) the output of $h_3$", float(h[2]), tolerance(h[2]),
            "z = -0.6·x_1 + 0.2·x_2 + 0.3, then σ(z)."),
        Ask("y_hat", r"\hat y", r"c) the final output $\hat y$ (no activation at the output)",
            float(y_hat[0]), tolerance(y_hat[0]),
            "You need h_1 too; then ŷ = 0.7 h_1 - 0.5 h_2 + 0.9 h_3 + 0.2, no σ."),
        Ask("delta2", r"\delta^{(2)}", r"d) the output error $\delta^{(2)} = 2(\hat y - t)$",
            float(grads.delta[2][0]), tolerance(grads.delta[2][0]),
            "Use your ŷ from part c; it is below the target, so δ < 0."),
        Ask("w2_12_new", _w(2, 0, 1), r"d) the new $w_{12}^{(2)}$ (from $h_2$ to the output)",
            float(new.W[2][0, 1]), tolerance(new.W[2][0, 1], new.W[2][0, 1] - net.W[2][0, 1]),
            "w_new = -0.5 - 0.1 · δ · h_2."),
        Ask("b2_1_new", "b_1^{(2)}", r"d) the new output bias $b_1^{(2)}$", float(new.b[2][0]),
            tolerance(new.b[2][0], new.b[2][0] - net.b[2][0]), "b_new = 0.2 - 0.1 · δ."),
    ]
    body = ("The lecture's Quiz Q1: learning rate $\\eta = 0.1$, input $(x_1, x_2) = (2, -1)$, "
            "activation function sigmoid. The lecture's figure is lost; this is lesson 8's "
            "network (our design): hidden neurons $h_1, h_2, h_3$ (the $a_i^{(1)}$ of the "
            "lecture's notation) and an output with no activation:\n\n"
            + network_table(net, ["h_1", "h_2", "h_3"])
            + "\n\nPart d (lesson 8's, the lecture asks nothing that uses $\\eta$): one gradient "
            "step for the target $t = 1$ with $L = (\\hat y - t)^2$. Keep at least 4 decimals "
            "in intermediate results.")
    return make("lecture_q1", "practice.lecture_q1()", "Lecture Quiz Q1", body, asks,
                {"net": net, "x": x, "y": t, "loss": "mse", "eta": eta}, _solve_backprop)
