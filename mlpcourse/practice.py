"""Practice problems drawn from a seed (lecture: the Quiz, Q1, Problem 3 and Example 3).

``practice.forward_pass(seed)`` and its siblings return a :class:`Problem`: a small network (or
logits, or a batch of predictions, or a graph) drawn from the seed, a question in the lecture's
notation, a checker for the student's answers and a worked solution on request. The same seed
gives the same problem (with the same numpy version), so a lecturer can give each student their
own, e.g. ``practice.forward_pass(seed=student_number)``.

Given numbers have one decimal, so that the problems can be done by hand; the expected answers are
computed by the engine (``forward``, ``backward``, ``update``, ``loss``, ``GraphNetwork``), never
typed. Only numpy is imported here; sympy for the chain rule. The pictures (:meth:`Problem.draw`,
:func:`draw_live`) are :mod:`mlpcourse.plots.practice`.
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass, field

import numpy as np

from ._validation import choice, describe, positive_int
from .activations import softmax as _softmax
from .graph import GraphNetwork
from .losses import loss as loss_value
from .network import Network, backward, forward, update
from .quiz import Feedback, parse_number
from .trace import backprop_trace, forward_trace, to_latex

KINDS = ("forward_pass", "backprop_step", "softmax", "loss", "chain_rule")
HIDDEN = ("sigmoid", "tanh", "relu")
SIZES = ((2, 2, 1), (2, 3, 1), (3, 2, 1))
_ACTIVATION_TEXT = {"sigmoid": r"sigmoid $\sigma(z) = \frac{1}{1 + e^{-z}}$",
                    "tanh": r"$\tanh(z)$", "relu": r"ReLU $\max(0, z)$",
                    "linear": "none (linear, $\\hat y = z$)"}


class MarkdownText(str):
    """A str that a notebook shows as Markdown (solutions, answer keys, worksheets)."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)


# --- seeds and numbers ----------------------------------------------------------------------------

def _rng(kind: str, seed) -> np.random.Generator:
    """The problem's generator: an int seed, mixed with the kind (so kinds do not share numbers)."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int (e.g. a student number); got {describe(seed)}")
    if seed < 0:
        raise ValueError(f"seed must be an int >= 0; got {seed}")
    return np.random.default_rng([int(seed), KINDS.index(kind)])


def _pick(rng, options):
    """One of ``options``, uniformly (only ``rng.integers`` is used: stable across numpy)."""
    return options[int(rng.integers(len(options)))]


def _tenths(rng, low, high, size, nonzero=True) -> np.ndarray:
    """Numbers with one decimal in [low, high] (0 left out if ``nonzero``), shape ``size``."""
    grid = np.arange(round(10 * low), round(10 * high) + 1)
    grid = grid[grid != 0] if nonzero else grid
    return grid[rng.integers(len(grid), size=size)] / 10


def _num(v) -> str:
    """A given number as written in a question: 0.5, -1, 2.5 (no trailing zeros)."""
    text = np.format_float_positional(float(v), precision=6, trim="-")
    return "0" if text == "-0" else text


def _tolerance(value, change=None) -> float:
    """Accepted error: ±0.001 (±0.0001 for |value| < 0.1); for an updated parameter also at
    most a quarter of its change, so that the old value never passes."""
    k = 3 if abs(value) >= 0.1 else 4
    while change is not None and 10.0**-k > abs(change) / 4 and k < 7:
        k += 1
    return 10.0**-k


def _decimals(tolerance) -> int:
    return max(round(-math.log10(tolerance)) + 1, 4)


# --- the problem ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Ask:
    """One asked quantity: keyword ``name``, LaTeX ``symbol``, table ``text``, expected ``value``,
    ``tolerance`` (None: exact or symbolic) and a ``hint`` shown with a wrong answer."""

    name: str
    symbol: str
    text: str
    value: object
    tolerance: float | None = None
    hint: str = ""


class CheckResult(dict):
    """The verdict on each answer: name -> :class:`~mlpcourse.quiz.Feedback` (lines ✓ / ✗)."""

    expected: tuple = ()

    @property
    def correct(self) -> bool:
        """True when every asked answer is right and no unknown name was given."""
        return all(f.correct for f in self.values())

    @property
    def score(self) -> tuple[int, int]:
        """(right answers, asked answers)."""
        return sum(self[n].correct for n in self.expected), len(self.expected)

    def __repr__(self) -> str:
        lines = [f"{'✓' if f.correct else '✗'} {name}: {f.message}" for name, f in self.items()]
        right, asked = self.score
        return "\n".join([*lines, f"{right} of {asked} correct"])

    __str__ = __repr__

    def _repr_pretty_(self, p, cycle):
        p.text(repr(self))


@dataclass(frozen=True, eq=False)
class Problem:
    """A practice problem: its question, expected answers, checker, solution and diagram.

    Attributes
    ----------
    kind : one of ``KINDS`` or "lecture_q1"
    seed : the int it was drawn from (None for the lecture's Q1)
    question : Markdown with LaTeX, lecture notation; lists the answer names and tolerances
    answers : dict name -> expected value (float, int class, array, or sympy expression); used
        by :meth:`check`, never shown by ``repr`` or the question
    tolerances : dict name -> accepted absolute error (None: exact or symbolic)
    data : the givens (network, input, target, loss, eta, logits, graph ...), for tests and plots
    """

    kind: str
    seed: int | None
    question: str
    answers: dict = field(repr=False)
    tolerances: dict = field(repr=False)
    data: dict = field(repr=False)
    symbols: dict = field(repr=False)
    hints: dict = field(repr=False)

    def __repr__(self) -> str:
        seed = "" if self.seed is None else f" seed={self.seed}"
        return f"<Problem {self.kind}{seed}: answers {', '.join(self.answers)}>"

    def _repr_markdown_(self) -> str:
        return self.question

    def check(self, **given) -> CheckResult:
        """Grade the answers given as keywords (names as listed in the question).

        Numbers may be typed as text ("0.25", "-1,5", "1/4"); arrays must have the asked shape;
        the chain rule accepts a sympy expression or text such as ``"dy/dc * dc/dx1"``. A wrong
        answer's message never shows the expected value.

        Returns
        -------
        CheckResult: dict name -> Feedback for every asked name (missing ones say so) and for any
        unknown name; ``.correct``, ``.score``
        """
        result = CheckResult()
        result.expected = tuple(self.answers)
        for name, expected in self.answers.items():
            if name not in given or given[name] is None:
                result[name] = Feedback(False, f"No answer yet: pass {name}=... to check().")
            else:
                result[name] = _grade(self, name, given[name], expected)
        for name in given:
            if name not in self.answers:
                result[name] = Feedback(False, f"{name!r} is not asked in this problem; the "
                                        f"answer names are {', '.join(self.answers)}.")
        return result

    def key(self, digits: int = 4) -> str:
        """The expected answers as one line of plain text (for the lecturer)."""
        return ", ".join(f"{n} = {_plain(self, n, digits)}" for n in self.answers)

    def solution(self, digits: int = 4) -> MarkdownText:
        """The worked solution, step by step, as Markdown with LaTeX (numbers from the engine).

        Parameters
        ----------
        digits : significant digits of intermediate numbers (answers get at least the decimals
            their tolerance needs)
        """
        digits = positive_int("digits", digits)
        body = _SOLVERS[self.kind](self, digits)
        answers = ", ".join(f"${self.symbols[n]} {_latex_value(self, n, digits)}$"
                            for n in self.answers)
        return MarkdownText(f"**Worked solution** ({self._call()})\n\n{body}\n\n"
                            f"**Answers:** {answers}.")

    def draw(self, ax=None, solution=False):
        """The problem's picture: the network (forward pass, backprop, Q1), the graph (chain
        rule), the logits (softmax) or the predictions and targets (loss).

        Parameters
        ----------
        ax : matplotlib Axes (a new figure if None)
        solution : also show what the question asks for (the neuron values, the probabilities,
            the paths); False draws only the givens

        Returns
        -------
        matplotlib Axes (drawn by :func:`mlpcourse.plots.practice.draw_problem`)
        """
        from .plots.practice import draw_problem

        return draw_problem(self, ax, solution)

    def _call(self) -> str:
        return ("`practice.lecture_q1()`" if self.seed is None
                else f"`practice.{self.kind}(seed={self.seed})`")


def _make(kind, seed, title, body, asks, data, note="") -> Problem:
    rows = ["| answer | quantity | accepted error |", "|:-|:-|:-:|"]
    for a in asks:
        if kind == "chain_rule":
            error = "any equal expression"
        elif a.tolerance is None:
            error = "exact"
        else:
            error = f"±{a.tolerance:g}" + (" each" if isinstance(a.value, np.ndarray) else "")
        rows.append(f"| `{a.name}` | {a.text} | {error} |")
    call = ", ".join(f"{a.name}=..." for a in asks)
    call_kind = "`practice.lecture_q1()`" if seed is None else f"`practice.{kind}(seed={seed})`"
    head = f"**{title}** ({call_kind})"
    question = "\n\n".join(part for part in [
        head, body, "Find:", "\n".join(rows), note,
        f"Check your answers with `problem.check({call})`; `problem.solution()` shows the "
        f"worked solution."] if part)
    return Problem(kind, None if seed is None else int(seed), question,
                   {a.name: a.value for a in asks}, {a.name: a.tolerance for a in asks}, data,
                   {a.name: a.symbol for a in asks}, {a.name: a.hint for a in asks})


# --- grading --------------------------------------------------------------------------------------

def _grade(problem, name, given, expected) -> Feedback:
    hint = problem.hints.get(name, "")
    if problem.kind == "chain_rule":
        return _grade_expression(problem, given, expected)
    if isinstance(expected, np.ndarray):
        return _grade_array(given, expected, problem.tolerances[name], hint)
    if isinstance(expected, numbers.Integral):
        return _grade_class(given, int(expected), len(problem.data["z"]))
    return _grade_number(given, float(expected), problem.tolerances[name], hint)


def _not_yet(*parts) -> Feedback:
    return Feedback(False, " ".join(["Not yet.", *(p for p in parts if p)]))


def _grade_number(given, expected, tolerance, hint) -> Feedback:
    try:
        value = parse_number(given)
    except (TypeError, ValueError):
        return Feedback(False, f"Could not read {given!r} as a number; give a number such as "
                        f"0.25.")
    if not np.isfinite(value):
        return Feedback(False, f"{value} is not a finite number.")
    error = abs(value - expected)
    if error <= tolerance:
        return Feedback(True, f"Correct ({expected:.{_decimals(tolerance)}f}).")
    if expected != 0 and abs(value + expected) <= tolerance:
        return _not_yet("Check the sign.")
    if error <= 10 * tolerance:
        return _not_yet(f"Close, but off by more than ±{tolerance:g}: keep more decimals in "
                        f"the intermediate results.")
    return _not_yet(hint)


def _grade_array(given, expected, tolerance, hint) -> Feedback:
    try:
        values = np.array([parse_number(v) for v in np.ravel(np.asarray(given, dtype=object))])
        values = values.reshape(np.shape(given))
    except (TypeError, ValueError):
        return Feedback(False, f"Could not read {given!r} as numbers; give a list such as "
                        f"[0.2, 0.3, 0.5].")
    if values.shape != expected.shape:
        return Feedback(False, f"Give {expected.size} numbers (shape {expected.shape}); got "
                        f"shape {values.shape}.")
    wrong = np.flatnonzero(~(np.abs(values - expected) <= tolerance))
    if wrong.size == 0:
        shown = ", ".join(f"{v:.{_decimals(tolerance)}f}" for v in expected.ravel())
        return Feedback(True, f"Correct ({shown}).")
    entries = ", ".join(str(i + 1) for i in wrong)
    return _not_yet(f"{wrong.size} of {expected.size} entries are off by more than "
                    f"±{tolerance:g} (entr{'y' if wrong.size == 1 else 'ies'} {entries}).", hint)


def _grade_class(given, expected, k) -> Feedback:
    try:
        value = parse_number(given)
    except (TypeError, ValueError):
        return Feedback(False, f"Could not read {given!r} as a class number 1..{k}.")
    if value != round(value) or not 1 <= value <= k:
        return Feedback(False, f"Give the class as a whole number from 1 to {k}; got {given!r}.")
    if int(value) == expected:
        return Feedback(True, f"Correct (class {expected}).")
    return _not_yet("The predicted class is the one with the largest probability (the largest "
                    "logit).")


# --- the chain rule's expressions -----------------------------------------------------------------

_PARTIAL_TEXT = re.compile(r"[d∂]\s*([A-Za-z]\w*?)\s*/\s*[d∂]\s*([A-Za-z]\w*)")


def parse_path_sum(text, net: GraphNetwork):
    """Read a chain-rule expression typed as text into sympy (``graph.partial_symbol`` symbols).

    Each local derivative is written ``dq1/dq2`` (or ``∂q1/∂q2``), e.g.
    ``"dy/dc * dc/dx1 + (dy/dd + dy/de de/dd) dd/dx1"``; products with ``*``, ``·`` or a space.

    Raises
    ------
    ValueError naming what could not be read (unknown node, not an edge, stray text).
    """
    import sympy
    from sympy.parsing.sympy_parser import (
        implicit_multiplication,
        parse_expr,
        standard_transformations,
    )

    from .graph import partial_symbol

    if not isinstance(text, str):
        raise TypeError(f"an expression must be text or a sympy expression; got "
                        f"{describe(text)}")
    local, edges = {}, set(net.edges)

    def replace(match):
        top, bottom = match.groups()
        for node in (top, bottom):
            if node not in net.nodes:
                raise ValueError(f"unknown node {node!r} in d{top}/d{bottom}; the nodes are "
                                 f"{', '.join(net.nodes)}")
        if (bottom, top) not in edges:
            raise ValueError(f"d{top}/d{bottom} is not a local derivative: {bottom} is not a "
                             f"direct input of {top}")
        key = f"PD{len(local)}"
        local[key] = partial_symbol(top, bottom)
        return f" {key} "

    cleaned = _PARTIAL_TEXT.sub(replace, text.replace("·", "*").replace("⋅", "*"))
    if re.search(r"[A-Za-z]", re.sub(r"PD\d+", "", cleaned)) or not local:
        raise ValueError(f"could not read {text!r}: write each factor as dq1/dq2, e.g. "
                         f"dy/dc * dc/dx1")
    try:
        expr = parse_expr(cleaned, local_dict=local,
                          transformations=(*standard_transformations, implicit_multiplication))
    except (SyntaxError, TypeError, sympy.SympifyError):
        raise ValueError(f"could not read {text!r}: check the brackets and operators") from None
    return expr


def _grade_expression(problem, given, expected) -> Feedback:
    import sympy

    from .graph import paths_from_expression

    net = problem.data["graph"]
    if not isinstance(given, sympy.Basic):
        try:
            given = parse_path_sum(given, net)
        except (TypeError, ValueError) as error:
            return Feedback(False, f"Could not use this answer: {error}.")
    if sympy.expand(given - expected) == 0:
        return Feedback(True, "Correct: every path from the input to y appears once.")
    try:
        paths = paths_from_expression(given)
    except ValueError:
        return _not_yet("Multiplied out, every term should be one path: the product of the "
                        "local derivatives along it, each path exactly once.")
    true_paths = set(problem.data["paths"])
    extra = [p for p in paths if p not in true_paths]
    if extra:
        return _not_yet(f"Your sum has a term for {'→'.join(extra[0])}, which is not a path "
                        f"from {problem.data['source']} to {net.output}.")
    missing = len(true_paths - set(paths))
    return _not_yet(f"{missing} path{'s are' if missing > 1 else ' is'} missing.")


# --- shared text ----------------------------------------------------------------------------------

def _linear_form(weights, inputs, bias) -> str:
    """0.5\\,x_1 - 0.4\\,x_2 + 0.1 (lecture: z = Σ_j w_ij a_j + b_i)."""
    terms = [f"{_num(abs(w))}\\,{s}" for w, s in zip(weights, inputs, strict=True)]
    negative = [w < 0 for w in weights] + [bias < 0]
    text = ("-" if negative[0] else "") + terms[0]
    for minus, term in zip(negative[1:], [*terms[1:], _num(abs(bias))], strict=True):
        text += f" {'-' if minus else '+'} {term}"
    return text


def _network_table(net, hidden_names=None) -> str:
    """The network as one equation per neuron (the weights and biases of the question)."""
    def names(l):
        if l == 0:
            return [f"x_{j + 1}" for j in range(net.sizes[0])]
        if l == net.L:
            return [r"\hat y"]
        return hidden_names or [f"a_{j + 1}^{{({l})}}" for j in range(net.sizes[l])]

    rows = ["| neuron | weighted input $z$ | activation $g$ |", "|:-:|:-|:-:|"]
    for l in range(1, net.L + 1):
        for i, name in enumerate(names(l)):
            form = _linear_form(net.W[l][i], names(l - 1), net.b[l][i])
            rows.append(f"| ${name}$ | $z = {form}$ | {net.activations[l]} |")
    return "\n".join(rows)


def _vector(values) -> str:
    return "(" + ", ".join(_num(v) for v in values) + ")"


def _plain(problem, name, digits) -> str:
    value, tolerance = problem.answers[name], problem.tolerances[name]
    if problem.kind == "chain_rule":
        return str(problem.data["path_sum"].to_latex(lhs=False))
    if isinstance(value, np.ndarray):
        return "(" + ", ".join(f"{v:.{_decimals(tolerance)}f}" for v in value) + ")"
    if isinstance(value, numbers.Integral):
        return str(value)
    return f"{value:.{max(_decimals(tolerance), digits)}f}"


def _latex_value(problem, name, digits) -> str:
    if problem.kind == "chain_rule":
        return "= " + problem.data["path_sum"].to_latex(lhs=False)
    text = _plain(problem, name, digits)
    return ("= " if isinstance(problem.answers[name], numbers.Integral) else r"\approx ") + text


def _math(latex: str) -> str:
    return f"$$\n{latex}\n$$"


# --- forward pass ---------------------------------------------------------------------------------

def _random_net(rng, sizes, activations) -> Network:
    W = [_tenths(rng, -1, 1, (n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:],
                                                                     strict=True)]
    b = [_tenths(rng, -1, 1, n_out, nonzero=False) for n_out in sizes[1:]]
    return Network.from_weights(W=W, b=b, activations=list(activations))


def _draw_network_and_input(rng, sizes, activations, tries=200):
    """A network and an input with no ReLU pre-activation at (or very near) its kink, and at
    least one active ReLU neuron (a dead layer makes a dull problem)."""
    for _ in range(tries):
        net = _random_net(rng, sizes, activations)
        # whole or one-decimal inputs, never 0 (so that every weight of layer 1 matters)
        x = (np.array([-2.0, -1.0, 1.0, 2.0])[rng.integers(4, size=sizes[0])]
             if rng.integers(2) else _tenths(rng, -2, 2, sizes[0]))
        _, cache = forward(net, x)
        z = cache.z[1]
        if activations[0] != "relu" or (np.all(np.abs(z) > 0.05) and np.any(z > 0)):
            return net, x, cache
    raise RuntimeError("no suitable network found")  # pragma: no cover - never for 200 tries


def _hidden_asks(rng, net, cache):
    n1, g = net.sizes[1], net.activations[1]
    count = 1 + int(rng.integers(2)) if n1 > 2 else 1
    chosen = sorted(int(j) for j in _distinct(rng, n1, count))
    asks = []
    for j in chosen:
        name, symbol = f"a{j + 1}", f"a_{j + 1}^{{(1)}}"
        asks.append(_Ask(name, symbol, f"the output ${symbol}$ of hidden neuron {j + 1}",
                         float(cache.a[1][j]), _tolerance(cache.a[1][j]),
                         f"Row a_{j + 1} of the table: z = Σ_k w_{j + 1}k x_k + b_{j + 1}, then "
                         f"a = {g}(z)."))
    return asks


def _distinct(rng, n, k):
    """k distinct indices out of range(n), drawn one at a time with ``rng.integers``."""
    left = list(range(n))
    return [left.pop(int(rng.integers(len(left)))) for _ in range(k)]


def _output_ask(net, y_hat):
    g = net.activations[net.L]
    how = "no activation: ŷ = z" if g == "linear" else f"then ŷ = {g}(z)"
    return _Ask("y_hat", r"\hat y", r"the network output $\hat y$", float(y_hat[0]),
                _tolerance(y_hat[0]), f"You need every hidden output first; z = Σ_i w_1i a_i + "
                f"b_1, {how}.")


def forward_pass(seed) -> Problem:
    """A forward pass through a small drawn network (lecture: "Going forward", Quiz Q1).

    A 2-2-1, 2-3-1 or 3-2-1 network with one-decimal weights and biases, a sigmoid, tanh or ReLU
    hidden layer and a linear or sigmoid output; asks for one or two hidden outputs a_j^(1) and
    the output ŷ at a given input.

    Parameters
    ----------
    seed : int >= 0 (e.g. a student number)

    Returns
    -------
    Problem with answers "a<j>" and "y_hat"; data "net", "x"
    """
    rng = _rng("forward_pass", seed)
    sizes = _pick(rng, SIZES)
    activations = (_pick(rng, HIDDEN), _pick(rng, ("linear", "sigmoid")))
    net, x, cache = _draw_network_and_input(rng, sizes, activations)
    asks = [*_hidden_asks(rng, net, cache), _output_ask(net, cache.a[net.L])]
    body = (f"A {'-'.join(map(str, sizes))} network: hidden layer "
            f"{_ACTIVATION_TEXT[activations[0]]}, output {_ACTIVATION_TEXT[activations[1]]}. "
            f"Each neuron computes $a = g(z)$ from its weighted input $z$:\n\n"
            f"{_network_table(net)}\n\nThe input is $x = {_vector(x)}$. Keep at least 4 "
            f"decimals in intermediate results.")
    return _make("forward_pass", seed, "Practice: forward pass", body, asks,
                 {"net": net, "x": x})


def _solve_forward(problem, digits) -> str:
    net, x = problem.data["net"], problem.data["x"]
    steps = forward_trace(net, x)
    return ("Layer by layer, $z_i^{(l)} = \\sum_j w_{ij}^{(l)} a_j^{(l-1)} + b_i^{(l)}$ and "
            "$a_i^{(l)} = g(z_i^{(l)})$ (lecture: Example 3, Step 1):\n\n"
            + _math(to_latex(steps, digits)))


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
    j = _pick(rng, active)
    k = int(rng.integers(net.sizes[0]))
    g1 = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU"}[net.activations[1]]
    asks = [
        _Ask("delta2", r"\delta^{(2)}", r"the output delta $\delta^{(2)} = \partial L / "
             r"\partial z^{(2)}$", float(grads.delta[2][0]), _tolerance(grads.delta[2][0]),
             "δ⁽²⁾ = ∂L/∂ŷ · g'(z⁽²⁾); for sigmoid with cross-entropy this is ŷ - y."),
        _Ask(f"dw2_1{j + 1}", rf"\frac{{\partial L}}{{\partial {_w(2, 0, j)}}}",
             rf"the gradient $\partial L / \partial {_w(2, 0, j)}$", float(grads.W[2][0, j]),
             _tolerance(grads.W[2][0, j]), f"∂L/∂w = δ⁽²⁾ times the input of that weight, "
             f"a_{j + 1}⁽¹⁾."),
        _Ask(f"delta1_{j + 1}", rf"\delta_{j + 1}^{{(1)}}",
             rf"the hidden delta $\delta_{j + 1}^{{(1)}}$", float(delta1[j]),
             _tolerance(delta1[j]), f"δ_{j + 1}⁽¹⁾ = δ⁽²⁾ · w_1{j + 1}⁽²⁾ · {g1}'(z_{j + 1}⁽¹⁾)."),
        _Ask(f"dw1_{j + 1}{k + 1}", rf"\frac{{\partial L}}{{\partial {_w(1, j, k)}}}",
             rf"the gradient $\partial L / \partial {_w(1, j, k)}$", float(grads.W[1][j, k]),
             _tolerance(grads.W[1][j, k]), f"∂L/∂w = δ_{j + 1}⁽¹⁾ · x_{k + 1}."),
    ]
    l, (i, jj) = (2, (0, j)) if rng.integers(2) else (1, (j, k))
    old, value = net.W[l][i, jj], new.W[l][i, jj]
    asks.append(_Ask(f"w{l}_{i + 1}{jj + 1}_new", _w(l, i, jj),
                     f"the new ${_w(l, i, jj)}$ after the step", float(value),
                     _tolerance(value, value - old), "w_new = w_old - η · ∂L/∂w."))
    return asks, abs(value - old)


def backprop_step(seed) -> Problem:
    """One backpropagation step on one sample (lecture: Example 3, Steps 1-4).

    A 2-2-1, 2-3-1 or 3-2-1 network (sigmoid, tanh or ReLU hidden layer), a sigmoid output with
    binary cross-entropy, or a linear or sigmoid output with the squared error; asks for the
    output delta δ^(2), a hidden delta δ_j^(1), two weight gradients and one updated weight.

    Parameters
    ----------
    seed : int >= 0

    Returns
    -------
    Problem; data "net", "x", "y", "loss", "eta"
    """
    rng = _rng("backprop_step", seed)
    sizes = _pick(rng, SIZES)
    output, loss = _pick(rng, (("sigmoid", "binary_cross_entropy"), ("linear", "mse"),
                               ("sigmoid", "mse")))
    activations = (_pick(rng, HIDDEN), output)
    for _ in range(100):  # until the asked weight moves visibly (saturated nets barely do)
        net, x, _ = _draw_network_and_input(rng, sizes, activations)
        y = (float(rng.integers(2)) if loss == "binary_cross_entropy" else
             float(_tenths(rng, 0, 1, ()) if output == "sigmoid" else _tenths(rng, -1, 2, ())))
        eta = _pick(rng, (0.1, 0.5, 1.0))
        asks, change = _backprop_asks(rng, net, x, y, loss, eta)
        if change >= 4e-4:
            break
    body = (f"A {'-'.join(map(str, sizes))} network: hidden layer "
            f"{_ACTIVATION_TEXT[activations[0]]}, output {_ACTIVATION_TEXT[output]}:\n\n"
            f"{_network_table(net)}\n\nOne training sample: input $x = {_vector(x)}$, target "
            f"$y = {_num(y)}$. Loss: {_LOSS_TEXT[loss]}. Learning rate $\\eta = {_num(eta)}$. "
            f"Here $\\delta^{{(l)}} = \\partial L / \\partial z^{{(l)}}$, and one step of "
            f"gradient descent is $w \\leftarrow w - \\eta \\, \\partial L / \\partial w$. Keep "
            f"at least 5 decimals in intermediate results.")
    return _make("backprop_step", seed, "Practice: one backpropagation step", body, asks,
                 {"net": net, "x": x, "y": y, "loss": loss, "eta": eta})


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
                parts.append(f"*{_STAGE_TITLES[stage]}*\n\n" + _math(to_latex(block, digits)))
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
        _Ask("h2", "h_2", "a) the output of $h_2$", float(h[1]), _tolerance(h[1]),
             "z = 0.3·x_1 + 0.8·x_2 - 0.2, then σ(z) = 1 / (1 + e^(-z))."),
        _Ask("h3", "h_3", "b) the output of $h_3$", float(h[2]), _tolerance(h[2]),
             "z = -0.6·x_1 + 0.2·x_2 + 0.3, then σ(z)."),
        _Ask("y_hat", r"\hat y", r"c) the final output $\hat y$ (no activation at the output)",
             float(y_hat[0]), _tolerance(y_hat[0]),
             "You need h_1 too; then ŷ = 0.7 h_1 - 0.5 h_2 + 0.9 h_3 + 0.2, no σ."),
        _Ask("delta2", r"\delta^{(2)}", r"d) the output error $\delta^{(2)} = 2(\hat y - t)$",
             float(grads.delta[2][0]), _tolerance(grads.delta[2][0]),
             "Use your ŷ from part c; it is below the target, so δ < 0."),
        _Ask("w2_12_new", _w(2, 0, 1), r"d) the new $w_{12}^{(2)}$ (from $h_2$ to the output)",
             float(new.W[2][0, 1]), _tolerance(new.W[2][0, 1], new.W[2][0, 1] - net.W[2][0, 1]),
             "w_new = -0.5 - 0.1 · δ · h_2."),
        _Ask("b2_1_new", "b_1^{(2)}", r"d) the new output bias $b_1^{(2)}$", float(new.b[2][0]),
             _tolerance(new.b[2][0], new.b[2][0] - net.b[2][0]), "b_new = 0.2 - 0.1 · δ."),
    ]
    body = ("The lecture's Quiz Q1: learning rate $\\eta = 0.1$, input $(x_1, x_2) = (2, -1)$, "
            "activation function sigmoid. The lecture's figure is lost; this is lesson 8's "
            "network (our design): hidden neurons $h_1, h_2, h_3$ (the $a_i^{(1)}$ of the "
            "lecture's notation) and an output with no activation:\n\n"
            + _network_table(net, ["h_1", "h_2", "h_3"])
            + "\n\nPart d (lesson 8's, the lecture asks nothing that uses $\\eta$): one gradient "
            "step for the target $t = 1$ with $L = (\\hat y - t)^2$. Keep at least 4 decimals "
            "in intermediate results.")
    return _make("lecture_q1", None, "Lecture Quiz Q1", body, asks,
                 {"net": net, "x": x, "y": t, "loss": "mse", "eta": eta})


# --- softmax --------------------------------------------------------------------------------------

def softmax(seed) -> Problem:
    """Logits into probabilities (lecture: "Softmax function"), the predicted class and/or the
    cross-entropy loss for a given label.

    Parameters
    ----------
    seed : int >= 0

    Returns
    -------
    Problem with answers "p" (array of shape (k,)) and "predicted" (class 1..k) and/or "loss";
    data "z" (logits, shape (k,)), "label" (1..k)
    """
    rng = _rng("softmax", seed)
    k = _pick(rng, (3, 4))
    z = np.array(_distinct(rng, 51, k)) / 10 - 2.0  # distinct logits in [-2, 3]: no ties
    label = int(rng.integers(k)) + 1
    p = _softmax(z)
    mode = int(rng.integers(3))  # 0: predicted class, 1: loss, 2: both
    asks = [_Ask("p", r"\hat y", r"the probabilities $\hat y = (\hat y_1, \dots, \hat y_"
                 f"{k})$ as a list", p, 1e-3,
                 "ŷ_j = e^(z_j) / Σ_i e^(z_i); the probabilities sum to 1.")]
    if mode != 1:
        asks.append(_Ask("predicted", r"\text{predicted class}", "the predicted class $j$ "
                         f"(1 to {k})", int(np.argmax(p)) + 1))
    if mode != 0:
        value = loss_value(p[None, :], np.array([label - 1]), "cross_entropy")
        asks.append(_Ask("loss", "L", f"the cross-entropy loss $L$ for the true class {label}",
                         value, _tolerance(value), f"L = -ln ŷ_{label}: minus the log of the "
                         f"probability of the true class {label}."))
    body = (f"The output layer of a {k}-class network gives the logits "
            f"$z = {_vector(z)}$. The softmax turns them into probabilities,\n\n"
            r"$$\hat y_j = \mathrm{softmax}(z)_j = \frac{e^{z_j}}{\sum_{i=1}^{" f"{k}" r"} "
            r"e^{z_i}}.$$" + (f"\n\nThe true class is {label}: the one-hot target has "
                              f"$y_{label} = 1$, and the cross-entropy is "
                              r"$L = -\sum_j y_j \ln \hat y_j$." if mode else ""))
    return _make("softmax", seed, "Practice: softmax", body, asks, {"z": z, "label": label})


def _solve_softmax(problem, digits) -> str:
    z, label = problem.data["z"], problem.data["label"]
    e = np.exp(z)
    f = f".{digits}f"
    lines = [rf"e^{{z_{j + 1}}} &= e^{{{_num(v)}}} \approx {e[j]:{f}}" for j, v in enumerate(z)]
    lines.append(r"\textstyle\sum_i e^{z_i} &\approx " + " + ".join(f"{v:{f}}" for v in e)
                 + rf" = {e.sum():{f}}")
    lines += [rf"\hat y_{j + 1} &= \frac{{{e[j]:{f}}}}{{{e.sum():{f}}}} \approx "
              rf"{e[j] / e.sum():{f}}" for j in range(len(z))]
    text = ("Exponentiate each logit, add them up, divide (lecture: \"Softmax function\"):\n\n"
            + _math(r"\begin{aligned}" + " \\\\\n".join(lines) + r"\end{aligned}"))
    if "predicted" in problem.answers:
        text += (f"\n\nThe predicted class is the largest probability (the largest logit, "
                 f"$z_{problem.answers['predicted']} = {_num(z.max())}$): class "
                 f"{problem.answers['predicted']}.")
    if "loss" in problem.answers:
        p = e[label - 1] / e.sum()
        text += ("\n\nOnly the true class counts in the cross-entropy:\n\n"
                 + _math(rf"L = -\ln \hat y_{label} = -\ln {p:{f}} \approx "
                         rf"{problem.answers['loss']:{f}}"))
    return text


# --- losses on a tiny batch -----------------------------------------------------------------------

def loss(seed) -> Problem:
    """A loss on a tiny batch (lecture: "Step 2: Calculate the Loss"): mean squared error,
    binary cross-entropy or cross-entropy over m = 2 or 3 samples, as the engine averages them.

    Parameters
    ----------
    seed : int >= 0

    Returns
    -------
    Problem with answers "terms" (array of shape (m,), each sample's loss) and "L" (their mean);
    data "name", "y_hat" (shape (m, 1) or (m, 3)), "y" (shape (m, 1), or labels (m,) 0-based)
    """
    rng = _rng("loss", seed)
    name = _pick(rng, ("mse", "binary_cross_entropy", "cross_entropy"))
    m = _pick(rng, (2, 3))
    if name == "mse":
        y_hat, y = _tenths(rng, -1, 2, (m, 1), False), _tenths(rng, -1, 2, (m, 1), False)
        terms = ((y_hat - y) ** 2)[:, 0]
    elif name == "binary_cross_entropy":
        y_hat = rng.integers(1, 10, (m, 1)) / 10
        y = rng.integers(0, 2, (m, 1)).astype(float)
        terms = (-y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat))[:, 0]
    else:
        cut = np.sort(np.array([_distinct(rng, 9, 2) for _ in range(m)]) + 1, axis=1)
        y_hat = np.diff(np.column_stack([np.zeros(m), cut, np.full(m, 10)]), axis=1) / 10
        y = rng.integers(0, 3, m)
        terms = -np.log(y_hat[np.arange(m), y])
    value = loss_value(y_hat, y, name)
    asks = [_Ask("terms", r"\ell", r"each sample's loss $(\ell_1, \dots, \ell_" f"{m})$ as a "
                 "list", terms, 1e-3, "Compute the loss of each sample on its own first."),
            _Ask("L", "L", "the batch loss $L$ (the mean)", value, _tolerance(value),
                 "The engine averages over the samples: L = (ℓ_1 + ... + ℓ_m) / m.")]
    body = f"{_loss_body(name, y_hat, y)}\n\nThe batch loss is the mean over the {m} samples, " \
           r"$L = \frac{1}{m}\sum_{i=1}^{m} \ell_i$ (as `mc.loss` computes it)."
    return _make("loss", seed, "Practice: loss on a batch", body, asks,
                 {"name": name, "y_hat": y_hat, "y": y})


def _table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + ":-:|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def _loss_body(name, y_hat, y) -> str:
    """The givens of a loss problem: what the numbers are, the per-sample loss, the table."""
    rows = [(str(i + 1), *(_num(v) for v in y_hat[i]),
             str(y[i] + 1) if name == "cross_entropy" else _num(y[i, 0]))
            for i in range(len(y_hat))]
    if name == "cross_entropy":
        header = ["sample $i$", r"$\hat y_{i1}$", r"$\hat y_{i2}$", r"$\hat y_{i3}$",
                  "true class $c_i$"]
        text = ("A 3-class classifier (softmax output) gives each sample the probabilities "
                "$\\hat y_{i1}, \\hat y_{i2}, \\hat y_{i3}$. With one-hot targets the "
                "cross-entropy of sample $i$ is $\\ell_i = -\\sum_j y_{ij} \\ln \\hat y_{ij} "
                "= -\\ln \\hat y_{i,c_i}$, $c_i$ its true class.")
    elif name == "mse":
        header = ["sample $i$", r"$\hat y_i$", "$y_i$"]
        text = ("A regression network (one linear output) predicts $\\hat y_i$ for samples "
                "with targets $y_i$. Each sample's squared error is "
                "$\\ell_i = (\\hat y_i - y_i)^2$.")
    else:
        header = ["sample $i$", r"$\hat y_i$", "$y_i$"]
        text = ("A binary classifier (sigmoid output) gives the probabilities $\\hat y_i$ of "
                "class 1. Each sample's binary cross-entropy is $\\ell_i = -y_i \\ln \\hat y_i "
                "- (1 - y_i) \\ln(1 - \\hat y_i)$ (natural logarithm).")
    return text + "\n\n" + _table(header, rows)


def _solve_loss(problem, digits) -> str:
    d, f = problem.data, f".{digits}f"
    y_hat, y, terms = d["y_hat"], d["y"], problem.answers["terms"]
    m = len(terms)
    lines = []
    for i in range(m):
        if d["name"] == "mse":
            rhs = rf"({_num(y_hat[i, 0])} - {_paren(y[i, 0])})^2"
        elif d["name"] == "binary_cross_entropy":
            rhs = (rf"-\ln {_num(y_hat[i, 0])}" if y[i, 0] == 1
                   else rf"-\ln(1 - {_num(y_hat[i, 0])})")
        else:
            rhs = rf"-\ln \hat y_{{{i + 1},{y[i] + 1}}} = -\ln {_num(y_hat[i, y[i]])}"
        relation = "=" if np.isclose(terms[i], round(terms[i], digits), rtol=0, atol=1e-12) \
            else r"\approx"
        lines.append(rf"\ell_{i + 1} &= {rhs} {relation} {terms[i]:{f}}")
    lines.append(rf"L &= \tfrac{{1}}{{{m}}}\left(" + " + ".join(f"{t:{f}}" for t in terms)
                 + rf"\right) \approx {problem.answers['L']:{f}}")
    note = {"mse": "Each sample's squared error, then the mean:",
            "binary_cross_entropy": "For $y_i = 1$ only $-\\ln \\hat y_i$ is left, for "
                                    "$y_i = 0$ only $-\\ln(1 - \\hat y_i)$; then the mean:",
            "cross_entropy": "Only the probability of the true class counts; then the mean:"}
    return note[d["name"]] + "\n\n" + _math(r"\begin{aligned}" + " \\\\\n".join(lines)
                                            + r"\end{aligned}")


def _paren(v) -> str:
    return f"({_num(v)})" if v < 0 else _num(v)


# --- the chain rule on a graph --------------------------------------------------------------------

def _random_graph_edges(rng):
    """Edges of a small non-layered network: inputs x1, x2; neurons a, b, c, ...; output y.

    Every neuron takes 1-2 earlier nodes as inputs, the output 2-3 neurons; neurons that feed
    nothing are wired to a later node, so every node lies on a path to y (lecture: Problem 3).
    """
    hidden = list("abcde"[:_pick(rng, (3, 4, 5))])
    edges = []
    for k, q in enumerate(hidden):
        earlier = ["x1", "x2", *hidden[:k]]
        edges += [(earlier[i], q) for i in _distinct(rng, len(earlier), 1 + int(rng.integers(2)))]
    edges += [(hidden[i], "y") for i in _distinct(rng, len(hidden), 2 + int(rng.integers(2)))]
    for k, q in enumerate(hidden):
        if not any(s == q for s, _ in edges):
            later = [*hidden[k + 1:], "y"]
            edges.append((q, later[int(rng.integers(len(later)))]))
    for x in ("x1", "x2"):
        if not any(s == x for s, _ in edges):
            edges.append((x, hidden[int(rng.integers(len(hidden)))]))
    return edges


def chain_rule(seed) -> Problem:
    """∂y/∂x_l on a small non-layered network as a sum over paths (lecture: Problem 3).

    A random graph with inputs x1, x2, three to five neurons and the output y; asks for
    ∂y/∂x_l in terms of the local derivatives ∂q1/∂q2 along the edges. The answer is compared
    symbolically (any equal form, factored or multiplied out, passes).

    Parameters
    ----------
    seed : int >= 0

    Returns
    -------
    Problem with the answer "dy_dx1" or "dy_dx2" (a sympy expression); data "graph"
    (GraphNetwork with weights drawn from the seed), "source", "paths", "path_sum"
    """
    rng = _rng("chain_rule", seed)
    for _ in range(200):
        edges = _random_graph_edges(rng)
        source = _pick(rng, ("x1", "x2"))
        net = GraphNetwork.from_edges(edges, ("x1", "x2"), "y", activation="sigmoid", rng=rng)
        paths = net.paths("y", source)
        if 2 <= len(paths) <= 6:
            break
    ps = net.path_sum("y", source)
    name, src = f"dy_d{source}", f"x_{source[1]}"
    ask = _Ask(name, rf"\frac{{\partial y}}{{\partial {src}}}",
               rf"$\partial y / \partial {src}$ in terms of the local derivatives", ps.factored)
    listed = ", ".join(f"${_node(s)} \\to {_node(t)}$" for s, t in net.edges)
    body = ("Every neuron $q$ computes $g\\left(b + \\sum_l v_l x_l + \\sum_u w_u u\\right)$ "
            "from its direct inputs (lecture: Problem 3). This network has inputs $x_1, x_2$, "
            f"neurons {', '.join(f'${n}$' for n in net.nodes[2:-1])} and the output $y$, with "
            f"the edges\n\n{listed}.\n\nWrite $\\partial y / \\partial {src}$ in terms of the "
            "local derivatives $\\partial q_1 / \\partial q_2$ ($q_2$ a direct input of $q_1$); "
            "you need not multiply out brackets.")
    note = ("Type the answer as text, one `dq1/dq2` per local derivative, e.g. "
            "`problem.check(" + name + "=\"dy/dq * dq/dx1 + ...\")` for a path through a "
            "neuron $q$, or pass a sympy "
            "expression built with `mlpcourse.graph.partial_symbol(\"y\", \"a\")` for "
            "$\\partial y / \\partial a$.")
    return _make("chain_rule", seed, "Practice: the chain rule on a graph", body, [ask],
                 {"graph": net, "source": source, "paths": tuple(paths), "path_sum": ps}, note)


def _node(name: str) -> str:
    return f"x_{name[1]}" if re.fullmatch(r"x\d", name) else name


def _solve_chain_rule(problem, digits) -> str:
    ps = problem.data["path_sum"]
    arrow = " \\to "
    paths = "\n".join(f"- ${arrow.join(_node(n) for n in p)}$" for p in ps.paths)
    return (f"The chain rule on a graph: $\\partial y / \\partial {_node(ps.source)}$ is the sum, "
            "over every directed path from the input to $y$, of the product of the local "
            f"derivatives along it. The paths:\n\n{paths}\n\nOne product per path (first line); "
            "paths through a common node share the factors on either side of it (second line, "
            "the form the lecture writes):\n\n" + _math(ps.to_latex("both")))


_SOLVERS = {"forward_pass": _solve_forward, "backprop_step": _solve_backprop,
            "lecture_q1": _solve_backprop, "softmax": _solve_softmax, "loss": _solve_loss,
            "chain_rule": _solve_chain_rule}
_GENERATORS = {"forward_pass": forward_pass, "backprop_step": backprop_step, "softmax": softmax,
               "loss": loss, "chain_rule": chain_rule}


def draw_live(problem: Problem, solution: bool = False):
    """:meth:`Problem.draw` as one figure that shows problem after problem (lesson 9's kind and
    seed controls): :func:`mlpcourse.plots.practice.draw_live`, where the pictures live.

    Returns
    -------
    (fig, update): ``update(problem)`` shows another Problem and returns the list of artists it
    changed, or None when the figure has to be drawn whole.
    """
    from .plots.practice import draw_live as draw

    return draw(problem, solution)


# --- dispatch and sheets --------------------------------------------------------------------------

def generate(kind: str, seed) -> Problem:
    """The problem of ``kind`` (one of ``KINDS``) for ``seed``: ``generate("softmax", 7)`` is
    ``softmax(7)``."""
    choice("kind", kind, _GENERATORS)
    return _GENERATORS[kind](seed)


def worksheet(kind: str, seeds, key: bool = False, digits: int = 4) -> MarkdownText:
    """A problem sheet for a class: one problem per seed (e.g. per student number).

    Parameters
    ----------
    kind : one of ``KINDS``
    seeds : iterable of ints
    key : False gives the questions only; True gives the lecturer's answer key instead (a table,
        one row per seed)
    digits : decimals of the key's numbers

    Returns
    -------
    MarkdownText (a str that a notebook shows as Markdown)
    """
    choice("kind", kind, _GENERATORS)
    problems = [generate(kind, seed) for seed in seeds]
    if not problems:
        raise ValueError("seeds must hold at least one seed; got none")
    title = kind.replace("_", " ")
    if not key:
        return MarkdownText(f"## Practice sheet: {title}\n\n"
                            + "\n\n---\n\n".join(p.question for p in problems))
    names = list(problems[0].answers)  # a kind's answer names can differ between seeds
    for p in problems[1:]:
        names += [n for n in p.answers if n not in names]
    rows = [[str(p.seed), *(_key_cell(p, n, digits) for n in names)] for p in problems]
    return MarkdownText(f"## Answer key: {title}\n\n"
                        + _table(["seed", *(f"`{n}`" for n in names)], rows))


def _key_cell(problem, name, digits) -> str:
    if name not in problem.answers:
        return ""
    if problem.kind == "chain_rule":
        return f"${problem.data['path_sum'].to_latex(lhs=False)}$"
    return _plain(problem, name, digits)


__all__ = ["KINDS", "CheckResult", "MarkdownText", "Problem", "backprop_step", "chain_rule",
           "draw_live", "forward_pass", "generate", "lecture_q1", "loss", "parse_path_sum",
           "softmax", "worksheet"]
