"""Grading a student's answers to a practice problem: numbers within a tolerance, arrays entry by
entry, a class number, and a chain-rule expression compared symbolically with the path sum.

A wrong answer's message never shows the expected value; it names the likely slip (a sign, too
few decimals, a missing path) or gives the problem's hint.
"""

from __future__ import annotations

import numbers
import re

import numpy as np

from .._validation import describe
from ..quiz import Feedback, parse_number
from .render import decimals


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


def tolerance(value, change=None) -> float:
    """Accepted error: ±0.001 (±0.0001 for |value| < 0.1); for an updated parameter also at
    most a quarter of its change, so that the old value never passes."""
    k = 3 if abs(value) >= 0.1 else 4
    while change is not None and 10.0**-k > abs(change) / 4 and k < 7:
        k += 1
    return 10.0**-k


def check_answers(problem, given: dict) -> CheckResult:
    """Grade the answers ``given`` (name -> answer) to ``problem``; see :meth:`Problem.check`."""
    result = CheckResult()
    result.expected = tuple(problem.answers)
    for name, expected in problem.answers.items():
        if name not in given or given[name] is None:
            result[name] = Feedback(False, f"No answer yet: pass {name}=... to check().")
        else:
            result[name] = grade(problem, name, given[name], expected)
    for name in given:
        if name not in problem.answers:
            result[name] = Feedback(False, f"{name!r} is not asked in this problem; the "
                                    f"answer names are {', '.join(problem.answers)}.")
    return result


def grade(problem, name, given, expected) -> Feedback:
    """The verdict on one answer, by the type of the expected value."""
    hint = problem.hints.get(name, "")
    if problem.kind == "chain_rule":
        return grade_expression(problem, given, expected)
    if isinstance(expected, np.ndarray):
        return grade_array(given, expected, problem.tolerances[name], hint)
    if isinstance(expected, numbers.Integral):
        return grade_class(given, int(expected), len(problem.data["z"]))
    return grade_number(given, float(expected), problem.tolerances[name], hint)


def _not_yet(*parts) -> Feedback:
    return Feedback(False, " ".join(["Not yet.", *(p for p in parts if p)]))


def grade_number(given, expected, tolerance, hint) -> Feedback:
    """One number: right within ±``tolerance``; a flipped sign and a near miss are named."""
    try:
        value = parse_number(given)
    except (TypeError, ValueError):
        return Feedback(False, f"Could not read {given!r} as a number; give a number such as "
                        f"0.25.")
    if not np.isfinite(value):
        return Feedback(False, f"{value} is not a finite number.")
    error = abs(value - expected)
    if error <= tolerance:
        return Feedback(True, f"Correct ({expected:.{decimals(tolerance)}f}).")
    if expected != 0 and abs(value + expected) <= tolerance:
        return _not_yet("Check the sign.")
    if error <= 10 * tolerance:
        return _not_yet(f"Close, but off by more than ±{tolerance:g}: keep more decimals in "
                        f"the intermediate results.")
    return _not_yet(hint)


def grade_array(given, expected, tolerance, hint) -> Feedback:
    """An array of the expected shape, each entry within ±``tolerance``; wrong entries named."""
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
        shown = ", ".join(f"{v:.{decimals(tolerance)}f}" for v in expected.ravel())
        return Feedback(True, f"Correct ({shown}).")
    entries = ", ".join(str(i + 1) for i in wrong)
    return _not_yet(f"{wrong.size} of {expected.size} entries are off by more than "
                    f"±{tolerance:g} (entr{'y' if wrong.size == 1 else 'ies'} {entries}).", hint)


def grade_class(given, expected, k) -> Feedback:
    """A class number from 1 to k."""
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


def parse_path_sum(text, net):
    """Read a chain-rule expression typed as text into sympy (``pathsum.partial_symbol`` symbols).

    Each local derivative is written ``dq1/dq2`` (or ``∂q1/∂q2``), e.g.
    ``"dy/dc * dc/dx1 + (dy/dd + dy/de de/dd) dd/dx1"``; products with ``*``, ``·`` or a space.

    Parameters
    ----------
    text : str, the student's expression
    net : GraphNetwork whose nodes and edges the derivatives must use

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

    from ..pathsum import partial_symbol

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


def grade_expression(problem, given, expected) -> Feedback:
    """A chain-rule answer: right when it equals the path sum (any form); otherwise the first
    term that is not a path, or how many paths are missing (lecture: Problem 3)."""
    import sympy

    from ..pathsum import paths_from_expression

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
