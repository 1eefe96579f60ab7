"""The practice problem: its question, expected answers, checker, worked solution and picture.

A generator (``forward_pass``, ``softmax_problem``, ...) lists what it asks as :class:`Ask`
entries and hands them to :func:`make`, which writes the question's "Find:" table and builds
the :class:`Problem`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from .._validation import positive_int
from .answers import CheckResult, check_answers
from .render import MarkdownText, answer_latex, answer_plain


@dataclass(frozen=True)
class Ask:
    """One asked quantity: keyword ``name``, LaTeX ``symbol``, table ``text``, expected ``value``,
    ``tolerance`` (None: exact or symbolic) and a ``hint`` shown with a wrong answer."""

    name: str
    symbol: str
    text: str
    value: object
    tolerance: float | None = None
    hint: str = ""


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
    symbols : dict name -> LaTeX symbol of the answer (in the solution)
    hints : dict name -> hint shown with a wrong answer
    call : the call that makes this problem, e.g. "practice.softmax_problem(seed=7)"
    solve : callable(problem, digits) -> the worked solution's Markdown body
    """

    kind: str
    seed: int | None
    question: str
    answers: dict = field(repr=False)
    tolerances: dict = field(repr=False)
    data: dict = field(repr=False)
    symbols: dict = field(repr=False)
    hints: dict = field(repr=False)
    call: str = field(repr=False)
    solve: Callable = field(repr=False)

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
        return check_answers(self, given)

    def key(self, digits: int = 4) -> str:
        """The expected answers as one line of plain text (for the lecturer)."""
        return ", ".join(f"{n} = {answer_plain(self, n, digits)}" for n in self.answers)

    def solution(self, digits: int = 4) -> MarkdownText:
        """The worked solution, step by step, as Markdown with LaTeX (numbers from the engine).

        Parameters
        ----------
        digits : significant digits of intermediate numbers (answers get at least the decimals
            their tolerance needs)
        """
        digits = positive_int("digits", digits)
        body = self.solve(self, digits)
        answers = ", ".join(f"${self.symbols[n]} {answer_latex(self, n, digits)}$"
                            for n in self.answers)
        return MarkdownText(f"**Worked solution** (`{self.call}`)\n\n{body}\n\n"
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
        from ..plots.practice import draw_problem

        return draw_problem(self, ax, solution)


def make(kind, call, title, body, asks, data, solve, note="", seed=None) -> Problem:
    """The Problem of a generator: the question (title, ``body`` with the givens, the "Find:"
    table of ``asks``, ``note``, how to check) and the expected answers.

    Parameters
    ----------
    kind : the problem's kind
    call : the call that makes it, shown in the question ("practice.forward_pass(seed=7)")
    title, body, note : Markdown
    asks : list of Ask
    data : dict of the givens
    solve : callable(problem, digits) -> the worked solution's body
    seed : the int seed, or None (the lecture's Q1)
    """
    rows = ["| answer | quantity | accepted error |", "|:-|:-|:-:|"]
    for a in asks:
        if kind == "chain_rule":
            error = "any equal expression"
        elif a.tolerance is None:
            error = "exact"
        else:
            error = f"±{a.tolerance:g}" + (" each" if isinstance(a.value, np.ndarray) else "")
        rows.append(f"| `{a.name}` | {a.text} | {error} |")
    names = ", ".join(f"{a.name}=..." for a in asks)
    question = "\n\n".join(part for part in [
        f"**{title}** (`{call}`)", body, "Find:", "\n".join(rows), note,
        f"Check your answers with `problem.check({names})`; `problem.solution()` shows the "
        f"worked solution."] if part)
    return Problem(kind, None if seed is None else int(seed), question,
                   {a.name: a.value for a in asks}, {a.name: a.tolerance for a in asks}, data,
                   {a.name: a.symbol for a in asks}, {a.name: a.hint for a in asks}, call, solve)


def draw_live(problem: Problem, solution: bool = False):
    """:meth:`Problem.draw` as one figure that shows problem after problem (lesson 9's kind and
    seed controls): :func:`mlpcourse.plots.practice.draw_live`, where the pictures live.

    Returns
    -------
    (fig, update): ``update(problem)`` shows another Problem and returns the list of artists it
    changed, or None when the figure has to be drawn whole.
    """
    from ..plots.practice import draw_live as draw

    return draw(problem, solution)
