"""The text of the practice problems: numbers as a question writes them, the network as a table
of equations, the activations and answers in LaTeX, and Markdown for the notebook.

Only strings are built here; the numbers come from the engine and :mod:`.draws`.
"""

from __future__ import annotations

import math
import numbers
import re

import numpy as np

from ..activations import get_activation
from ..trace import plain


class MarkdownText(str):
    """A str that a notebook shows as Markdown (solutions, answer keys, worksheets)."""

    def _repr_markdown_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return str(self)


def num(v) -> str:
    """A given number as written in a question: 0.5, -1, 2.5 (no trailing zeros)."""
    text = np.format_float_positional(float(v), precision=6, trim="-")
    return "0" if text == "-0" else text


def paren(v) -> str:
    """A number in brackets when it is negative: (-0.5), 0.5."""
    return f"({num(v)})" if v < 0 else num(v)


def vector(values) -> str:
    """(0.5, -1, 2): the numbers of a 1-D array as a tuple."""
    return "(" + ", ".join(num(v) for v in values) + ")"


def decimals(tolerance) -> int:
    """Decimals to show for an answer accepted within ±``tolerance`` (at least 4)."""
    return max(round(-math.log10(tolerance)) + 1, 4)


def node(name: str) -> str:
    """A graph node's name in LaTeX: x1 -> x_1; neurons (a, b, ...) and y unchanged."""
    return f"x_{name[1]}" if re.fullmatch(r"x\d", name) else name


def math_block(latex: str) -> str:
    """Display maths in Markdown."""
    return f"$$\n{latex}\n$$"


def table(header, rows) -> str:
    """A Markdown table with centred columns; ``header`` and each row are lists of cell texts."""
    lines = ["| " + " | ".join(header) + " |", "|" + ":-:|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(r) + " |" for r in rows])


def activation_text(name: str) -> str:
    """An activation as a question names it, from its registry entry (``ACTIVATIONS[name]``):
    its display name and formula, e.g. "sigmoid $\\sigma(z) = \\frac{1}{1 + e^{-z}}$",
    "ReLU $\\max(0, z)$", "$\\tanh(z)$"; the identity is "none (linear, $\\hat y = z$)"."""
    act = get_activation(name)
    formula = act.formula()
    if formula == "z":
        return f"none ({act.label}, $\\hat y = z$)"
    if formula == f"{act.symbol}(z)":  # the formula is the name itself: tanh
        return f"${formula}$"
    if act.symbol == "g" or plain(act.symbol) == act.label:  # no symbol of its own: ReLU
        return f"{act.label} ${formula}$"
    return f"{act.label} ${act.symbol}(z) = {formula}$"


def activation_plain(name: str) -> str:
    """The symbol of an activation as plain text, for hints: σ, tanh, ReLU."""
    return plain(get_activation(name).symbol)


def linear_form(weights, inputs, bias) -> str:
    """0.5\\,x_1 - 0.4\\,x_2 + 0.1 (lecture: z = Σ_j w_ij a_j + b_i)."""
    terms = [f"{num(abs(w))}\\,{s}" for w, s in zip(weights, inputs, strict=True)]
    negative = [w < 0 for w in weights] + [bias < 0]
    text = ("-" if negative[0] else "") + terms[0]
    for minus, term in zip(negative[1:], [*terms[1:], num(abs(bias))], strict=True):
        text += f" {'-' if minus else '+'} {term}"
    return text


def network_table(net, hidden_names=None) -> str:
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
            form = linear_form(net.W[l][i], names(l - 1), net.b[l][i])
            rows.append(f"| ${name}$ | $z = {form}$ | {net.activations[l]} |")
    return "\n".join(rows)


def answer_plain(problem, name, digits) -> str:
    """The expected answer ``name`` of ``problem`` as plain text (the answer key)."""
    value, tolerance = problem.answers[name], problem.tolerances[name]
    if problem.kind == "chain_rule":
        return str(problem.data["path_sum"].to_latex(lhs=False))
    if isinstance(value, np.ndarray):
        return "(" + ", ".join(f"{v:.{decimals(tolerance)}f}" for v in value) + ")"
    if isinstance(value, numbers.Integral):
        return str(value)
    return f"{value:.{max(decimals(tolerance), digits)}f}"


def answer_latex(problem, name, digits) -> str:
    """``= ...`` or ``\\approx ...``: the expected answer ``name`` as the solution writes it."""
    if problem.kind == "chain_rule":
        return "= " + problem.data["path_sum"].to_latex(lhs=False)
    text = answer_plain(problem, name, digits)
    return ("= " if isinstance(problem.answers[name], numbers.Integral) else r"\approx ") + text
