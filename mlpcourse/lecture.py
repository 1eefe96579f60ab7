"""The slides' numbers and their verdicts: every number the lecture prints for Example 3 (lesson 5)
next to the correct value, labelled "right", "inherited" (computed correctly from earlier printed
numbers that were off) or "slip" (the line's own arithmetic or formula is wrong).

The correct values come from the engine through :func:`mlpcourse.trace.backprop_trace`; this
module holds only the lecture's printed numbers, its formulas and the rule that labels them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .trace import _d, _Names, backprop_trace, example3, plain, values

__all__ = ["VERDICTS", "LectureValue", "comparison_table", "lecture_comparison", "verdict"]

VERDICTS = ("slip", "inherited", "right")
"""The three labels of the lecture comparison (see :func:`verdict`)."""


@dataclass(frozen=True)
class LectureValue:
    """One number printed in the lecture's Example 3, beside the correct value.

    Attributes
    ----------
    symbol : LaTeX symbol, as in the trace (updates: the parameter after the step)
    printed : the lecture's number as printed, e.g. "0.25"
    lecture : float(printed)
    correct : the engine's value (full precision)
    own : what the lecture's formula gives from the lecture's own printed inputs
    difference : |lecture - correct|
    verdict : "slip", "inherited" or "right" (see :func:`verdict`)
    cause : why it is not right ("" when right)
    """

    symbol: str
    printed: str
    lecture: float
    correct: float
    own: float
    difference: float
    verdict: str
    cause: str


def _places(printed: str) -> int:
    return len(printed.split(".")[1]) if "." in printed else 0


def verdict(printed: str, correct: float, own: float) -> str:
    """Label one printed number. With u = one unit in the last printed digit:

    - "right": the printed number is the correct value rounded as printed, |p - c| <= u/2;
    - "slip": not right, and the line's own arithmetic (or formula) is wrong: redoing the lecture's
      formula on the lecture's own printed inputs does not give the printed number,
      |p - own| > u/2;
    - "inherited": not right, but computed correctly from the lecture's earlier printed numbers:
      the error comes from those (a slip further up, or the rounding of earlier numbers).
    """
    p, u, tol = float(printed), 10.0 ** -_places(printed), 1e-12
    if abs(p - correct) <= u / 2 + tol:
        return "right"
    if abs(p - own) > u / 2 + tol:
        return "slip"
    return "inherited"


def _lecture_rows(net, x, y, eta):
    """(symbol, printed, input symbols, formula) for every number of Example 3 the lecture prints,
    in the lecture's order. The formulas are the lecture's; the printed strings are its numbers."""
    W1, b1, W2, b2 = net.W[1], net.b[1], net.W[2], net.b[2]
    n = _Names(net)
    z1, z2, a1, a2, z, h = n.z(1, 0), n.z(1, 1), n.a(1, 0), n.a(1, 1), n.z(2, 0), n.a(2, 0)
    d, d1, d2 = n.delta(2, 0), n.delta(1, 0), n.delta(1, 1)
    s1, s2 = f"\\sigma'({z1})", f"\\sigma'({z2})"
    g = {(l, i, j): _d(n.w(l, i, j)) for l in (1, 2) for i in range(2) for j in range(2)}
    gb1, gb2 = _d(n.b(1, 0)), _d(n.b(1, 1))

    def sigma(t):
        return 1.0 / (1.0 + math.exp(-t))

    return [
        (z1, "0.25", (), lambda v: W1[0, 0] * x[0] + W1[0, 1] * x[1] + b1[0]),
        (z2, "0.41", (), lambda v: W1[1, 0] * x[0] + W1[1, 1] * x[1] + b1[1]),
        (a1, "0.562", (z1,), lambda v: sigma(v[z1])),
        (a2, "0.601", (z2,), lambda v: sigma(v[z2])),
        (z, "1.185", (a1, a2), lambda v: W2[0, 0] * v[a1] + W2[0, 1] * v[a2] + b2[0]),
        (h, "0.766", (z,), lambda v: sigma(v[z])),
        ("L", "0.267", (h,), lambda v: -y * math.log(v[h]) - (1 - y) * math.log(1 - v[h])),
        (_d(h), "-0.234", (h,), lambda v: -y / v[h] + (1 - y) / (1 - v[h])),
        (d, "-0.234", (h,), lambda v: v[h] - y),
        (g[2, 0, 0], "-0.131", (d, a1), lambda v: v[d] * v[a1]),
        (g[2, 0, 1], "-0.141", (d, a2), lambda v: v[d] * v[a2]),
        (s1, "0.247", (a1,), lambda v: v[a1] * (1 - v[a1])),
        (d1, "-0.0346", (d, s1), lambda v: v[d] * W2[0, 0] * v[s1]),
        (s2, "0.240", (a2,), lambda v: v[a2] * (1 - v[a2])),
        (d2, "-0.0505", (d, s2), lambda v: v[d] * W2[0, 1] * v[s2]),
        (g[1, 0, 0], "-0.0173", (d1,), lambda v: v[d1] * x[0]),
        (g[1, 0, 1], "-0.00346", (d1,), lambda v: v[d1] * x[1]),
        (g[1, 1, 0], "-0.0253", (d2,), lambda v: v[d2] * x[0]),
        (g[1, 1, 1], "-0.00505", (d2,), lambda v: v[d2] * x[1]),
        (gb1, "-0.0346", (d1,), lambda v: v[d1]),
        (gb2, "-0.0505", (d2,), lambda v: v[d2]),
        # "Weight Updates" slide; b_1^(2) is updated with δ^(2) (its gradient is never printed)
        (n.w(2, 0, 0), "0.60131", (g[2, 0, 0],), lambda v: W2[0, 0] - eta * v[g[2, 0, 0]]),
        (n.w(2, 0, 1), "0.90141", (g[2, 0, 1],), lambda v: W2[0, 1] - eta * v[g[2, 0, 1]]),
        (n.b(2, 0), "0.30234", (d,), lambda v: b2[0] - eta * v[d]),
        (n.w(1, 0, 0), "0.200173", (g[1, 0, 0],), lambda v: W1[0, 0] - eta * v[g[1, 0, 0]]),
        (n.w(1, 0, 1), "0.400035", (g[1, 0, 1],), lambda v: W1[0, 1] - eta * v[g[1, 0, 1]]),
        (n.w(1, 1, 0), "0.300253", (g[1, 1, 0],), lambda v: W1[1, 0] - eta * v[g[1, 1, 0]]),
        (n.w(1, 1, 1), "0.700051", (g[1, 1, 1],), lambda v: W1[1, 1] - eta * v[g[1, 1, 1]]),
        (n.b(1, 0), "0.100346", (gb1,), lambda v: b1[0] - eta * v[gb1]),
        (n.b(1, 1), "0.200505", (gb2,), lambda v: b1[1] - eta * v[gb2]),
    ]


_NOTES = {  # causes that are a wrong formula rather than wrong arithmetic
    _d("\\hat{y}"): "wrong formula: ŷ - y is dL/dz_1^(2) = δ^(2); dL/dŷ = -y/ŷ + (1 - y)/(1 - ŷ)",
}


def lecture_comparison() -> list[LectureValue]:
    """Every number the lecture prints for Example 3 against the correct value.

    The correct values come from the engine (``backprop_trace``; dL/dŷ from the chain-rule trace).
    ``own`` re-does the lecture's formula on the lecture's own printed inputs, which separates a
    slip in a line (``own`` disagrees with the printed number) from an error inherited from an
    earlier line (an input is not right). Labels follow :func:`verdict`; a slip that also carries
    earlier errors is labelled "slip", and its cause names both.

    Returns
    -------
    list of LectureValue, in the lecture's order (30 numbers)
    """
    net, x, y = example3()
    eta = 0.01
    correct = values(backprop_trace(net, x, y, eta=eta))
    for name, value in values(backprop_trace(net, x, y, eta=eta, shortcut=False)).items():
        correct.setdefault(name, value)
    printed, verdicts, rows = {}, {}, []
    for symbol, text, inputs, formula in _lecture_rows(net, x, y, eta):
        own = float(formula({k: float(printed[k]) for k in inputs}))
        c = correct[symbol]
        wrong_inputs = [k for k in inputs if verdicts[k] != "right"]
        verdicts[symbol] = verdict(text, c, own)
        printed[symbol] = text
        rows.append(LectureValue(symbol, text, float(text), c, own, abs(float(text) - c),
                                 verdicts[symbol], _cause(symbol, text, own, verdicts[symbol],
                                                          wrong_inputs)))
    return rows


def _cause(symbol, text, own, judged, wrong_inputs) -> str:
    if judged == "right":
        return ""
    parts = []
    if judged == "slip":
        if symbol in _NOTES:
            parts.append(_NOTES[symbol])
        else:
            shown = np.format_float_positional(own, precision=_places(text) + 2, unique=True,
                                               fractional=True, trim="-")
            parts.append(f"slip: its own inputs give {shown}")
    if wrong_inputs:
        parts.append("carries the error of " + ", ".join(plain(k) for k in wrong_inputs))
    return "; ".join(parts) or "computed from rounded earlier numbers"


def comparison_table(rows=None) -> str:
    """The lecture comparison as a plain-text table (quantity, lecture, correct, |difference|,
    verdict, cause); ``rows`` defaults to :func:`lecture_comparison`."""
    rows = lecture_comparison() if rows is None else rows
    cells = [("quantity", "lecture", "correct", "|diff|", "verdict", "cause")]
    for r in rows:
        places = _places(r.printed) + 2
        cells.append((plain(r.symbol) + (" (new)" if r.symbol[0] in "wb" else ""), r.printed,
                      f"{r.correct:.{places}f}", f"{r.difference:.1e}", r.verdict, r.cause))
    widths = [max(len(row[k]) for row in cells) for k in range(5)]
    return "\n".join(
        ("  ".join(f"{c:<{w}}" if k in (0, 4) else f"{c:>{w}}" for k, (c, w) in
                   enumerate(zip(row[:5], widths, strict=True))) + "  " + row[5]).rstrip()
        for row in cells)
