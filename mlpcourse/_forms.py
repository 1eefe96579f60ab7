"""LaTeX forms with slots: an activation or a loss writes its formula once, and the trace fills it
with symbols (z_1^{(1)}) or with numbers (0.25).

A form is LaTeX with slots in angle brackets: ``<z>`` the pre-activation z, ``<-z>`` minus it,
``<a>`` the activation a = g(z), ``<y>`` a target y and ``<h>`` a prediction ŷ. Examples: the
sigmoid ``\\frac{1}{1 + e^{<-z>}}`` and its derivative ``<a> \\cdot (1 - <a>)``; binary
cross-entropy ``-<y> \\ln <h> - (1 - <y>) \\ln(1 - <h>)``.

Filled with numbers, a negative number goes in parentheses, except where it stands alone right
after ``(``, ``[``, ``{`` or ``,`` (and is not raised to a power): ``\\max(0, -0.3)``,
``1 - (-0.3)^2``. A number or a closing parenthesis right before a function (``\\ln``,
``\\exp``, ...) or ``(`` gets a ``\\cdot``: ``1 \\cdot \\ln 0.7``, ``(1 - 1) \\cdot \\ln(1 - 0.7)``.
"""

from __future__ import annotations

import re

SLOT = re.compile(r"<(-?[a-z])>")
SLOT_NAMES = {"z": "the pre-activation z", "-z": "minus z", "a": "the activation a = g(z)",
              "y": "the target y", "h": "the prediction ŷ"}
_FUNCTION = r"\\(?:ln|log|exp|sigma|tanh|sinh|cosh|max|min|frac|sqrt|mathrm|operatorname)\b|\("
_OPEN = "([{,"


def check(field: str, form, allowed: tuple[str, ...]) -> str:
    """``form`` if it is a string whose slots are all in ``allowed``; else a ValueError that names
    the field, what was expected and what was given."""
    expected = ", ".join(f"<{s}>" for s in allowed)
    if not isinstance(form, str):
        raise ValueError(f"{field} must be a LaTeX string with slots {expected}; "
                         f"got {type(form).__name__} {form!r}")
    unknown = sorted({s for s in SLOT.findall(form) if s not in allowed})
    if unknown:
        raise ValueError(f"{field} may only use the slots {expected}; got "
                         f"{', '.join(f'<{s}>' for s in unknown)} in {form!r}")
    return form


def slots(form: str) -> list[str]:
    """The slot names of ``form`` in order of first appearance ("z", "-z", "a", "y", "h")."""
    return list(dict.fromkeys(SLOT.findall(form)))


def with_symbols(form: str, **symbols: str) -> str:
    """``form`` with every slot replaced by its LaTeX symbol (``<-z>`` by minus the z symbol).

    A symbol raised to a power goes in parentheses: ``1 - <a>^2`` gives ``1 - (a_1^{(1)})^2``.

    Parameters
    ----------
    form : LaTeX with slots
    symbols : slot name -> LaTeX symbol, e.g. ``z="z_1^{(1)}", a="a_1^{(1)}"``
    """
    def one(match):
        name = match.group(1)
        text = "-" + symbols["z"] if name == "-z" else symbols[name]
        if form.startswith("^", match.end()):
            text = f"({text})"
        return text

    return SLOT.sub(one, form)


def with_numbers(form: str) -> tuple[str, list[str]]:
    """``form`` as a trace template: slot k (in order of first appearance) becomes ``$k`` (the
    number bare) or ``@k`` (in parentheses when negative), with ``\\cdot`` where a number stands
    right before a function or a parenthesis.

    Returns
    -------
    template : str, e.g. ``"\\frac{1}{1 + e^{$0}}"`` for ``"\\frac{1}{1 + e^{<-z>}}"``
    names : list of slot names; operand k of the template is the value of names[k]
    """
    names = slots(form)
    form = re.sub(rf"(>|\)) (?={_FUNCTION})", r"\1 \\cdot ", form)  # 2 \ln 3 -> 2 \cdot \ln 3

    def one(match):
        before = form[:match.start()].rstrip()
        bare = (not before or before[-1] in _OPEN) and not form.startswith("^", match.end())
        return ("$" if bare else "@") + str(names.index(match.group(1)))

    return SLOT.sub(one, form), names
