"""Backpropagation written out: every equation of one training step with its numbers substituted
(lecture: "Backpropagation, Example 3").

The numbers come from the engine (``forward``, ``backward``, ``update``, ``loss``,
``loss_gradient``); this module only writes them into the lecture's equations. A trace is a list of
:class:`Step`, in the order the lecture works through them: the forward pass layer by layer, the
loss, the output delta, then going backward layer by layer the gradients of that layer and the
deltas of the layer below, and finally every updated weight and bias (layer L first, as on the
lecture's "Weight Updates" slide).

Notation as in the lecture: inputs x_j, hidden activations a_j^(l), the output ŷ (ŷ_i for several
outputs), z_i^(l), w_ij^(l) (i = neuron, j = input, counted from 1), b_i^(l), δ_i^(l) (δ^(L) for a
single output). Loops here run over neurons to write one equation per neuron; the arithmetic is the
engine's, vectorised.

How each activation and loss is written comes from its registry entry (``symbol``, ``latex``,
``latex_derivative`` in ``mlpcourse.activations``; ``latex``, ``latex_gradient``, ``outputs`` in
``mlpcourse.losses``), so a newly registered one is traced like the built-in ones.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from . import _forms
from ._validation import as_array, describe, positive_float, positive_int
from .activations import derivative, get_activation
from .losses import check_output_activation, get_loss, loss_gradient, prepare_targets
from .losses import loss as loss_value
from .network import Network, backward, forward, update

STAGES = ("forward", "loss", "output delta", "hidden delta", "gradient", "update")


@dataclass(frozen=True)
class Step:
    """One equation of a trace: ``symbol = expression = substituted ≈ value``.

    Attributes
    ----------
    stage : one of ``STAGES``
    symbol : LaTeX, lecture notation, e.g. ``z_1^{(1)}``,
        ``\\frac{\\partial L}{\\partial w_{11}^{(2)}}`` (for the "update" stage: the weight or
        bias after the step)
    expression : LaTeX in symbols, e.g.
        ``w_{11}^{(1)} \\cdot x_1 + w_{12}^{(1)} \\cdot x_2 + b_1^{(1)}``
    substituted : LaTeX with the numbers (4 significant digits; ``""`` when it would only repeat
        the value); :meth:`substitute` writes it with other precisions
    value : the engine's value, full float64 precision
    template, operands : ``substituted`` before the numbers are written in: ``@k`` is operand k
        (in parentheses when negative), ``$k`` operand k bare
    """

    stage: str
    symbol: str
    expression: str
    substituted: str
    value: float
    template: str = field(default="", repr=False)
    operands: tuple = field(default=(), repr=False)

    def substitute(self, digits: int = 4) -> str:
        """``substituted`` with every number rounded to ``digits`` significant digits."""
        return _fill(self.template, self.operands, positive_int("digits", digits))


def _number(v: float, digits: int = 4, latex: bool = True) -> str:
    """v to ``digits`` significant digits, positional (0.5597), no trailing zeros (0.2, 1).

    Tiny numbers are written in scientific form: 3.46 \\times 10^{-7} (plain: 3.46e-07).
    """
    v = float(v)
    if v != 0 and abs(v) < 1e-5:
        mantissa, exponent = f"{v:.{max(digits - 1, 0)}e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}" if latex else f"{mantissa}e{exponent}"
    text = np.format_float_positional(v, precision=digits, unique=True, fractional=False,
                                      trim="-")
    if not math.isclose(float(text), v, rel_tol=1e-12):  # rounded: keep its trailing zeros
        text = f"{v:#.{digits}g}".rstrip(".")
        text = f"{v:.0f}" if "e" in text else text  # large numbers: no exponent
    return "0" if text == "-0" else text


def _fill(template: str, operands, digits: int) -> str:
    def one(match):
        v = operands[int(match.group(2))]
        text = _number(v, digits)
        return f"({text})" if match.group(1) == "@" and v < 0 else text

    return re.sub(r"([@$])(\d+)", one, template)


def _step(stage, symbol, expression, template, operands, value) -> Step:
    operands = tuple(float(v) for v in operands)
    return Step(stage, symbol, expression, _fill(template, operands, 4), float(value), template,
                operands)


def _decimals(v: float, digits: int) -> int:
    """Decimal places that show v to ``digits`` significant digits."""
    return max(digits - 1 - math.floor(math.log10(abs(v))), 0) if v != 0 else 0


def _format_value(step: Step, digits: int) -> tuple[str, str]:
    """(relation, number) for the right-hand end of a line: "=" when the number is exact."""
    v = step.value
    change = v - step.operands[0] if step.stage == "update" and step.operands else 0.0
    if change and abs(v) >= 1e-5:  # an update: show the digits the step changed (at most 12)
        text = f"{v:.{min(max(_decimals(change, digits), _decimals(v, digits)), 12)}f}"
    else:
        text = _number(v, digits)
    try:
        exact = math.isclose(float(text), v, rel_tol=1e-12, abs_tol=1e-15)
    except ValueError:  # scientific LaTeX form
        exact = False
    return ("=" if exact else "\\approx"), text


# --- names in the lecture's notation ----------------------------------------------------------


class _Names:
    """LaTeX symbols of one network, lecture notation (indices from 1)."""

    def __init__(self, net: Network):
        self.L, self.sizes = net.L, net.sizes
        self.sep = "," if max(self.sizes) >= 10 else ""

    def a(self, l, j):
        if l == 0:
            return f"x{_sub(j + 1)}"
        if l == self.L:
            return "\\hat{y}" if self.sizes[l] == 1 else f"\\hat{{y}}{_sub(j + 1)}"
        return f"a{_sub(j + 1)}^{{({l})}}"

    def z(self, l, i):
        return f"z{_sub(i + 1)}^{{({l})}}"

    def w(self, l, i, j):
        return f"w{_sub(f'{i + 1}{self.sep}{j + 1}')}^{{({l})}}"

    def b(self, l, i):
        return f"b{_sub(i + 1)}^{{({l})}}"

    def delta(self, l, i):
        if l == self.L and self.sizes[l] == 1:
            return f"\\delta^{{({l})}}"
        return f"\\delta{_sub(i + 1)}^{{({l})}}"

    def y(self, i):
        return "y" if self.sizes[self.L] == 1 else f"y{_sub(i + 1)}"


def _sub(index) -> str:
    """A LaTeX subscript as the lecture writes it: x_1, w_{11}."""
    index = str(index)
    return f"_{index}" if len(index) == 1 else f"_{{{index}}}"


def _d(symbol: str) -> str:
    return f"\\frac{{\\partial L}}{{\\partial {symbol}}}"


def _form(form: str, values: dict) -> tuple[str, tuple]:
    """A registry form (``mlpcourse._forms``) as (template, operands); a form that is just one
    number or holds none would only repeat the value, so it gives ("", ())."""
    template, slots = _forms.with_numbers(form)
    if not slots or template == "$0":
        return "", ()
    return template, tuple(values[name] for name in slots)


def _elementwise(name: str):
    act = get_activation(name)
    if act.derivative is None and name != "softmax":
        raise ValueError(f"a trace writes elementwise activations and softmax; activation {name!r} "
                         f"has no elementwise derivative")
    return act


def _activation_step(name, z_symbol, z_all, z_values, i):
    """a = g(z) for one neuron; softmax needs the whole layer (z_all symbols, z_values).

    Written ``symbol(z) = latex with numbers`` (σ(z) = 1 / (1 + e^{-0.25})), or ``latex`` with
    symbols when the activation has no name of its own (symbol "g": the step, linear)."""
    z = z_values[i]
    act = _elementwise(name)
    if name == "softmax":
        denominator = " + ".join(f"e^{{{s}}}" for s in z_all)
        template = " + ".join(f"e^{{${k}}}" for k in range(len(z_all)))
        expression = f"\\frac{{e^{{{z_symbol}}}}}{{{denominator}}}"
        template = f"\\frac{{e^{{${i}}}}}{{{template}}}"
        return expression, template, tuple(z_values)
    expression = (_forms.with_symbols(act.latex, z=z_symbol) if act.symbol == "g" else
                  f"{act.symbol}({z_symbol})")
    return (expression, *_form(act.latex, {"z": z, "-z": -z}))


def _one_sample(net, x, name="x"):
    if not isinstance(net, Network):
        raise TypeError(f"net must be a mlpcourse Network; got {describe(net)}")
    x = as_array(name, x, ndim=(1, 2), dtype=np.float64)
    if x.ndim == 2 and x.shape[0] != 1:
        raise ValueError(f"{name} must be one sample, shape ({net.sizes[0]},); a trace writes out "
                         f"one sample's equations; got {describe(x)}")
    x = x.reshape(-1)
    if x.shape != (net.sizes[0],):
        raise ValueError(f"{name} must have {net.sizes[0]} features for this network, shape "
                         f"({net.sizes[0]},); got {describe(x)}")
    return x


def _forward_steps(net, cache, names) -> list[Step]:
    steps = []
    for l in range(1, net.L + 1):
        n_out, n_in = net.W[l].shape
        a_prev, z = cache.a[l - 1], cache.z[l]
        for i in range(n_out):  # z_i = Σ_j w_ij a_j + b_i, one line per neuron as in the lecture
            expression = " + ".join(f"{names.w(l, i, j)} \\cdot {names.a(l - 1, j)}"
                                    for j in range(n_in)) + f" + {names.b(l, i)}"
            template = " + ".join(f"@{2 * j} \\cdot @{2 * j + 1}" for j in range(n_in))
            operands = [v for j in range(n_in) for v in (net.W[l][i, j], a_prev[j])]
            steps.append(_step("forward", names.z(l, i), expression,
                               template + f" + @{2 * n_in}", [*operands, net.b[l][i]], z[i]))
        z_symbols = [names.z(l, i) for i in range(n_out)]
        for i in range(n_out):
            expression, template, operands = _activation_step(
                net.activations[l], names.z(l, i), z_symbols, z, i)
            steps.append(_step("forward", names.a(l, i), expression, template, operands,
                               cache.a[l][i]))
    return steps


def example3():
    """The lecture's Example 3: a 2-2-1 sigmoid network, one sample and its target.

    Returns
    -------
    net : Network with W[1] = [[0.2, 0.4], [0.3, 0.7]], b[1] = [0.1, 0.2], W[2] = [[0.6, 0.9]],
        b[2] = [0.3], sigmoid in both layers
    x : array of shape (2,), (0.5, 0.1)
    y : float, 1.0
    """
    net = Network.from_weights(W=[[[0.2, 0.4], [0.3, 0.7]], [[0.6, 0.9]]],
                               b=[[0.1, 0.2], [0.3]], activations=["sigmoid", "sigmoid"])
    return net, np.array([0.5, 0.1]), 1.0


def forward_trace(net: Network, x) -> list[Step]:
    """The forward pass of one sample as equations (lecture: Example 3, "Step 1: Forward Pass").

    For every layer l and neuron i: z_i^(l) = Σ_j w_ij^(l) a_j^(l-1) + b_i^(l), then
    a_i^(l) = g(z_i^(l)), each with its numbers substituted.

    Parameters
    ----------
    net : Network (any sizes and activations)
    x : array of shape (n_0,), one sample

    Returns
    -------
    list of 2 * (n_1 + ... + n_L) Steps, stage "forward"
    """
    x = _one_sample(net, x)
    _, cache = forward(net, x)
    return _forward_steps(net, cache, _Names(net))


def _targets(spec, net, y):
    """The engine's target vector for one sample, shape (n_L,) (class labels become one-hot)."""
    n = net.sizes[-1]
    y = np.asarray(y)
    y = y.reshape(1) if (y.ndim == 0 and n > 1) else y.reshape(1, -1)
    return prepare_targets(spec.name, y, (1, n))[0]


def _top_level(form: str):
    """Indices of the + and - signs of ``form`` outside every bracket (a sign after a space)."""
    depth = 0
    for k, c in enumerate(form):
        depth += (c in "([{") - (c in ")]}")
        if depth == 0 and k > 0 and c in "+-" and form[k - 1] == " ":
            yield k


def _compound(form: str) -> bool:
    """True if the form is a sum or difference of terms: ``-y \\ln h - (1 - y) \\ln(1 - h)``."""
    return any(True for _ in _top_level(form))


def _negated(form: str) -> str:
    """-(form) for a form that starts with a minus: ``-A - B`` gives ``A + B``."""
    signs = set(_top_level(form))
    return "".join({"+": "-", "-": "+"}[c] if k in signs else c for k, c in enumerate(form))[1:]


def _renumber(template: str, offset: int) -> str:
    return re.sub(r"([@$])(\d+)", lambda m: f"{m.group(1)}{int(m.group(2)) + offset}", template)


def _loss_step(spec, names, y_hat, Y, value) -> Step:
    """L for one sample: the loss's one-output form, or for n outputs their mean (or sum) written
    ``(1/n) Σ_i term_i``, a leading minus taken out in front: ``-(1/n) Σ_i [y_i ln ŷ_i + ...]``."""
    n = len(y_hat)
    if n == 1:
        expression = _forms.with_symbols(spec.latex, h=names.a(names.L, 0), y=names.y(0))
        template, operands = _form(spec.latex, {"y": Y[0], "h": y_hat[0]})
        return _step("loss", "L", expression, template, operands, value)
    body, sign = spec.latex, ""
    if body.startswith("-"):
        body, sign = _negated(body), "-"
    term = _forms.with_symbols(body, h="\\hat{y}_i", y="y_i")
    if _compound(body):
        term = f"\\left[{term}\\right]"
    scale = f"\\frac{{1}}{{{n}}} " if spec.outputs == "mean" else ""
    expression = f"{sign}{scale}\\sum_{{i=1}}^{{{n}}} {term}"
    form, slots = _forms.with_numbers(body)
    later = _forms.with_numbers("0 + " + body)[0][4:]  # a term after a +: negatives in ()
    joined = " + ".join(_renumber(form if i == 0 else later, len(slots) * i) for i in range(n))
    if scale:
        template = f"{sign}{scale}\\left[{joined}\\right]"
    else:
        template = f"{sign}({joined})" if sign else joined
    operands = [{"y": Y[i], "h": y_hat[i]}[name] for i in range(n) for name in slots]
    return _step("loss", "L", expression, template, operands, value)


def _scaled(form: str, n: int) -> str:
    """(1/n) · form, as the mean over n outputs: ``2(ŷ - y)`` becomes ``\\frac{2}{n}(ŷ - y)``
    (just ``ŷ - y`` for n = 2), anything else ``\\frac{1}{n}\\left(form\\right)``."""
    match = re.fullmatch(r"(\d+)\((.*)\)", form)
    if match and _balanced(match.group(2)):
        k, inner = int(match.group(1)), match.group(2)
        return inner if k == n else f"\\frac{{{k}}}{{{n}}}({inner})"
    return f"\\frac{{1}}{{{n}}}\\left({form}\\right)"


def _balanced(text: str) -> bool:
    depth = 0
    for c in text:
        depth += (c == "(") - (c == ")")
        if depth < 0:
            return False
    return depth == 0


def _loss_gradient_step(spec, names, i, n, y_hat, Y, value) -> Step:
    """dL/dŷ_i of the engine's loss: the loss's gradient form, over n for a mean over outputs."""
    h, y = names.a(names.L, i), names.y(i)
    expression = _forms.with_symbols(spec.latex_gradient, h=h, y=y)
    template, operands = _form(spec.latex_gradient, {"y": Y[i], "h": y_hat[i]})
    if spec.outputs == "mean" and n > 1:
        expression = _scaled(expression, n)
        template = _scaled(template, n) if template else template
    return _step("output delta", _d(h), expression, template, operands, value)


def _prime_step(stage, name, z_symbol, a_symbol, z, a, value) -> Step:
    """g'(z) for an elementwise activation, written with a = g(z) where the lecture does."""
    act = _elementwise(name)
    expression = _forms.with_symbols(act.latex_derivative, z=z_symbol, a=a_symbol)
    return _step(stage, f"{act.symbol}'({z_symbol})", expression,
                 *_form(act.latex_derivative, {"z": z, "-z": -z, "a": a}), value)


def _softmax_delta_step(stage, names, l, j, a, grad_a_symbols, grad_a, value) -> Step:
    """δ_j = a_j (∂L/∂a_j - Σ_k a_k ∂L/∂a_k): softmax's Jacobian applied without forming it."""
    n = len(a)
    a_symbols = [names.a(l, k) for k in range(n)]
    total = " + ".join(f"{a_symbols[k]} {grad_a_symbols[k]}" for k in range(n))
    expression = f"{a_symbols[j]} \\left({grad_a_symbols[j]} - ({total})\\right)"
    total = " + ".join(f"${2 * k} \\cdot @{2 * k + 1}" for k in range(n))
    template = f"${2 * j} \\cdot \\left(@{2 * j + 1} - ({total})\\right)"
    operands = [v for k in range(n) for v in (a[k], grad_a[k])]
    return _step(stage, names.delta(l, j), expression, template, operands, value)


def _output_delta_steps(spec, net, names, cache, grads, y_hat, Y, shortcut) -> list[Step]:
    L, n = net.L, net.sizes[-1]
    name = net.activations[L]
    delta = grads.delta[L]
    steps = []
    if shortcut and name == spec.shortcut_activation:
        # σ + BCE and softmax + CE: g'(z) cancels against dL/dŷ, leaving ŷ - y (over n for BCE)
        scale = n if spec.outputs == "mean" and n > 1 else 1
        for i in range(n):
            h, y = names.a(L, i), names.y(i)
            expression = f"{h} - {y}" if scale == 1 else f"\\frac{{{h} - {y}}}{{{scale}}}"
            template = "$0 - @1" if scale == 1 else f"\\frac{{$0 - @1}}{{{scale}}}"
            steps.append(_step("output delta", names.delta(L, i), expression, template,
                               (y_hat[i], Y[i]), delta[i]))
        return steps
    grad_y_hat = loss_gradient(y_hat, Y, spec.name).reshape(-1)  # one sample: (n_L,)
    if name == "softmax":
        steps += [_loss_gradient_step(spec, names, i, n, y_hat, Y, grad_y_hat[i])
                  for i in range(n)]
        symbols = [_d(names.a(L, k)) for k in range(n)]
        steps += [_softmax_delta_step("output delta", names, L, i, y_hat, symbols, grad_y_hat,
                                      delta[i]) for i in range(n)]
        return steps
    prime = derivative(name, cache.z[L])
    for i in range(n):  # the chain rule: δ = dL/dŷ · g'(z)
        steps.append(_loss_gradient_step(spec, names, i, n, y_hat, Y, grad_y_hat[i]))
        g = _prime_step("output delta", name, names.z(L, i), names.a(L, i), cache.z[L][i],
                        y_hat[i], prime[i])
        steps.append(g)
        steps.append(_step("output delta", names.delta(L, i), f"{_d(names.a(L, i))} \\cdot "
                           f"{g.symbol}", "@0 \\cdot @1", (grad_y_hat[i], prime[i]), delta[i]))
    return steps


def _hidden_delta_steps(net, names, cache, grads, l) -> list[Step]:
    """δ_j^(l) = (Σ_i δ_i^(l+1) w_ij^(l+1)) g'(z_j^(l)) for every neuron j of layer l."""
    name, n_next, n = net.activations[l], net.sizes[l + 1], net.sizes[l]
    delta_next, W_next = grads.delta[l + 1], net.W[l + 1]
    grad_a = delta_next @ W_next  # ∂L/∂a_j^(l) for every j at once
    steps = []

    def back_sum(j):
        terms = [f"{names.delta(l + 1, i)} \\cdot {names.w(l + 1, i, j)}" for i in range(n_next)]
        slots = [f"@{2 * i} \\cdot @{2 * i + 1}" for i in range(n_next)]
        operands = [v for i in range(n_next) for v in (delta_next[i], W_next[i, j])]
        return " + ".join(terms), " + ".join(slots), operands

    if name == "softmax":
        symbols = [_d(names.a(l, k)) for k in range(n)]
        steps += [_step("hidden delta", symbols[j], *back_sum(j), grad_a[j]) for j in range(n)]
        steps += [_softmax_delta_step("hidden delta", names, l, j, cache.a[l], symbols, grad_a,
                                      grads.delta[l][j]) for j in range(n)]
        return steps
    prime = derivative(name, cache.z[l])
    for j in range(n):
        g = _prime_step("hidden delta", name, names.z(l, j), names.a(l, j), cache.z[l][j],
                        cache.a[l][j], prime[j])
        expression, template, operands = back_sum(j)
        if n_next > 1:
            expression, template = (f"\\left({expression}\\right)",
                                    f"\\left({template}\\right)")
        k = len(operands)
        steps += [g, _step("hidden delta", names.delta(l, j), f"{expression} \\cdot {g.symbol}",
                           f"{template} \\cdot @{k}", [*operands, prime[j]], grads.delta[l][j])]
    return steps


def _gradient_steps(net, names, cache, grads, l) -> list[Step]:
    """∂L/∂w_ij^(l) = δ_i^(l) a_j^(l-1) and ∂L/∂b_i^(l) = δ_i^(l) for layer l."""
    n_out, n_in = net.W[l].shape
    delta, a_prev = grads.delta[l], cache.a[l - 1]
    steps = [_step("gradient", _d(names.w(l, i, j)),
                   f"{names.delta(l, i)} \\cdot {names.a(l - 1, j)}", "@0 \\cdot @1",
                   (delta[i], a_prev[j]), grads.W[l][i, j])
             for i in range(n_out) for j in range(n_in)]
    steps += [_step("gradient", _d(names.b(l, i)), names.delta(l, i), "", (), grads.b[l][i])
              for i in range(n_out)]
    return steps


def _update_steps(net, new, names, grads, eta, l) -> list[Step]:
    """w_new = w_old - η ∂L/∂w (lecture: "Step 4: Update Weights") for layer l."""
    n_out, n_in = net.W[l].shape
    params = [(names.w(l, i, j), net.W[l][i, j], grads.W[l][i, j], new.W[l][i, j])
              for i in range(n_out) for j in range(n_in)]
    params += [(names.b(l, i), net.b[l][i], grads.b[l][i], new.b[l][i]) for i in range(n_out)]
    return [_step("update", symbol, f"{symbol} - \\eta \\cdot {_d(symbol)}", "$0 - $1 \\cdot @2",
                  (old, eta, g), value) for symbol, old, g, value in params]


def backprop_trace(net: Network, x, y, loss="binary_cross_entropy", eta=0.01,
                   shortcut=True) -> list[Step]:
    """One full training step on one sample as equations (lecture: Example 3, Steps 1-4).

    Forward pass; the loss; the output delta (δ = ŷ - y for sigmoid + binary cross-entropy and
    softmax + cross-entropy, else the chain rule dL/dŷ · g'(z)); going backward, each layer's
    weight and bias gradients ∂L/∂w_ij^(l) = δ_i^(l) a_j^(l-1), ∂L/∂b_i^(l) = δ_i^(l) and the
    deltas of the layer below, δ_j^(l) = (Σ_i δ_i^(l+1) w_ij^(l+1)) g'(z_j^(l)) (each g' its own
    step, as the lecture prints σ'); then every updated parameter w - η ∂L/∂w, layer L first.

    Parameters
    ----------
    net : Network
    x : array of shape (n_0,), one sample
    y : its target: a number for one output, shape (n_L,), or a class label for cross_entropy
    loss : a name of ``LOSSES``: "binary_cross_entropy" ("bce"), "mse", "cross_entropy" ("ce")
        or a registered one (BCE and MSE are means over the n_L outputs, as the engine computes
        them)
    eta : learning rate η
    shortcut : False writes the output delta by the chain rule even where ŷ - y holds:
        ∂L/∂ŷ, then g'(z), then their product (to show why the shortcut is right)

    Returns
    -------
    list of Step; every value is the engine's (``forward``, ``loss``, ``backward``, ``update``)
    """
    x = _one_sample(net, x)
    spec = get_loss(loss)
    check_output_activation(spec.name, net.activations[net.L])
    eta = positive_float("eta", eta)
    names = _Names(net)
    y_hat, cache = forward(net, x)
    Y = _targets(spec, net, y)
    grads = backward(net, cache, Y, spec.name)
    new = update(net, grads, eta)
    steps = _forward_steps(net, cache, names)
    steps.append(_loss_step(spec, names, y_hat, Y, loss_value(y_hat, Y, spec.name)))
    steps += _output_delta_steps(spec, net, names, cache, grads, y_hat, Y, shortcut)
    for l in range(net.L, 0, -1):
        if l < net.L:
            steps += _hidden_delta_steps(net, names, cache, grads, l)
        steps += _gradient_steps(net, names, cache, grads, l)
    for l in range(net.L, 0, -1):
        steps += _update_steps(net, new, names, grads, eta, l)
    return steps


# --- output ------------------------------------------------------------------------------------


def _line(step: Step, digits: int) -> tuple[str, str]:
    relation, number = _format_value(step, digits)
    sign = "\\leftarrow" if step.stage == "update" else "="
    parts = [] if step.expression == number else [step.expression]  # "g' = 1", not "1 = 1"
    substituted = step.substitute(digits)
    if substituted and substituted != number:
        parts.append(substituted)
    right = " = ".join(p for p in parts if p and p != step.symbol)
    right = f"{right} {relation} {number}" if right else number
    return step.symbol, f"{sign} {right}"


def to_latex(steps, digits: int = 4, block: bool = True):
    """The steps as LaTeX: ``symbol = expression = numbers ≈ value``, updates written with ←.

    Parameters
    ----------
    steps : list of Step
    digits : significant digits of every number (updated weights get the digits their change needs)
    block : True gives one ``\\begin{aligned} ... \\end{aligned}`` string (for
        ``IPython.display.Math``); False a list of ``$$ ... $$`` strings, one per step (for
        Markdown)

    "=" ends a line when the number shown is exact, "\\approx" when it is rounded.
    """
    digits = positive_int("digits", digits)
    lines = [_line(s, digits) for s in steps]
    if not block:
        return [f"$${symbol} {right}$$" for symbol, right in lines]
    body = " \\\\\n".join(f"{symbol} &{right}" for symbol, right in lines)
    return f"\\begin{{aligned}}\n{body}\n\\end{{aligned}}"


_PLAIN = [
    (r"\\frac\{\\partial L\}\{\\partial (.+)\}$", r"dL/d\1"),
    (r"\\hat\{y\}", "ŷ"), (r"\\delta", "δ"), (r"\\sigma", "σ"), (r"\\eta", "η"),
    (r"\\tanh", "tanh"), (r"\\mathrm\{([^{}]+)\}", r"\1"), (r"\^\{\((\d+)\)\}", r"^(\1)"),
    (r"_\{([\d,]+)\}", r"_\1"), (r"[{}\\]", ""),
]


def plain(symbol: str) -> str:
    """A LaTeX symbol of a trace as plain text: ``\\frac{\\partial L}{\\partial w_{11}^{(2)}}`` ->
    ``dL/dw_11^(2)``."""
    for pattern, replacement in _PLAIN:
        symbol = re.sub(pattern, replacement, symbol)
    return symbol


def values(steps, stage=None) -> dict[str, float]:
    """{symbol: value} of the steps (of one stage if given); symbols are unique within a trace."""
    return {s.symbol: s.value for s in steps if stage is None or s.stage == stage}


def to_table(steps, digits: int = 6) -> str:
    """A plain-text table: stage, quantity (plain symbol), value (``digits`` significant digits)."""
    digits = positive_int("digits", digits)
    rows = [(s.stage, plain(s.symbol) + (" (new)" if s.stage == "update" else ""),
             _number(s.value, digits, latex=False)) for s in steps]
    widths = [max(len(r[k]) for r in [("stage", "quantity", "value"), *rows]) for k in range(3)]
    lines = [f"{'stage':<{widths[0]}}  {'quantity':<{widths[1]}}  {'value':>{widths[2]}}"]
    lines += [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c:>{widths[2]}}" for a, b, c in rows]
    return "\n".join(lines)


# The lecture comparison of lesson 5 lives in mlpcourse.lecture; its names stay reachable here.
_LECTURE = ("VERDICTS", "LectureValue", "verdict", "lecture_comparison", "comparison_table")


def __getattr__(name):
    if name in _LECTURE:
        from . import lecture

        return getattr(lecture, name)
    raise AttributeError(f"module 'mlpcourse.trace' has no attribute {name!r}")
