"""What the lesson checkers share besides the machinery of :mod:`.core`: multiple-choice answers
(one letter, or every letter that applies), networks as plain case data, and short descriptions
of what came back.

A lesson module imports from here and from :mod:`.core`, never from another lesson module.
"""

from __future__ import annotations

import numpy as np

from .core import NO_RETURN, Case, Modified, Task

FRESH = "(fresh for this grading run)"  # ends the description of a grader-only random case
UPHILL = ("the sign of the update: w + η·grad climbs the loss; gradient descent steps against "
          "the gradient, w - η·grad")  # a slip of lessons 5 and 6


def describe_short(value) -> str:
    """What came back, in a few words: "None (did you forget `return`?)", "a tuple of length 3",
    "one array of shape (2, 3)", "a dict"."""
    if value is None:
        return "None (did you forget `return`?)"
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of length {len(value)}"
    if isinstance(value, np.ndarray):
        return f"one array of shape {value.shape}"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


# ---------------------------------------------------------------- networks as case data

def network_spec(net) -> tuple:
    """A network as plain data, (W list, b list, activation names), for a Case's arguments (the
    ``"network"`` call mode of :func:`.core.wrap` builds the Network again for each call)."""
    return ([w.copy() for w in net.W[1:]], [v.copy() for v in net.b[1:]],
            list(net.activations[1:]))


def describe_network(net) -> str:
    """'a 2-3-1 network (tanh hidden, sigmoid output)' for case descriptions."""
    hidden = list(dict.fromkeys(net.activations[1:-1]))
    layers = (f"{'/'.join(hidden)} hidden, " if hidden else "") + f"{net.activations[-1]} output"
    return f"a {'-'.join(map(str, net.sizes))} network ({layers})"


def guarded(compare):
    """``compare`` preceded by a check that fails results flagged :class:`.core.Modified` (the
    student's function changed the network it was given)."""

    def check(got, expected, **slips):
        if isinstance(got, Modified):
            return got.message()
        return compare(got, expected, **slips)

    return check


# ---------------------------------------------------------------- multiple choice

def _listed(options) -> str:
    return ", ".join(repr(k) for k in options)


def _shown(got) -> str:
    text = f"{got!r}" if isinstance(got, str) else f"{got!r} ({type(got).__name__})"
    return text if len(text) <= 40 else text[:37] + "..."


def read_letter(got, options) -> str | None:
    """The option letter a student's answer names, or None: case, surrounding spaces, brackets
    and a full stop are forgiven (``"c"``, ``" C "``, ``"(c)"``, ``"c."`` all read as "c")."""
    if not isinstance(got, str):
        return None
    letter = got.strip().strip("().").strip().lower()
    return letter if letter in options else None


def compare_choice(options, why_not, verdict="is not right"):
    """A ``compare(got, expected)`` for a one-letter answer among ``options`` (a dict or string of
    letters).

    A valid but wrong letter gets ``"'<letter>' <verdict>: <why_not[letter]>"``, the reason that
    option is wrong; a message never names the right letter. Anything that is not one of the
    letters says what was expected and what came back.
    """

    def compare(got, expected):
        if got is None:
            return NO_RETURN
        if not isinstance(got, str):
            return f"expected one letter as a string (one of {_listed(options)}); got {_shown(got)}"
        letter = read_letter(got, options)
        if letter is None:
            return f"{_shown(got)} is not one of the options {_listed(options)}"
        if letter == expected:
            return None
        return f"'{letter}' {verdict}: {why_not.get(letter, 'read the options again')}"

    return compare


def read_letters(got, options) -> set | None:
    """The set of option letters in an all-that-apply answer ("abd", "a, b, d", ["a", "b"],
    {"a"}), or None if it is empty or names something that is not an option."""
    if isinstance(got, str):
        items = [c for c in got.lower() if not c.isspace() and c not in ",;"]
    elif isinstance(got, list | tuple | set | frozenset):
        items = [g.strip().lower() if isinstance(g, str) else g for g in got]
    else:
        return None
    if not items or not all(isinstance(i, str) and i in options for i in items):
        return None
    return set(items)


def compare_choices(options, why_not, verdict="is not right"):
    """A ``compare(got, expected)`` for an all-that-apply answer (``expected`` a set of letters):
    each wrong letter is named with its reason; missing right letters are counted, never named."""

    def compare(got, expected):
        chosen = read_letters(got, options)
        if chosen is None:
            return (f"expected the letters of every right option, e.g. 'ab' or ['a', 'b'], from "
                    f"{_listed(options)}; got {_shown(got)}")
        wrong = sorted(chosen - expected)
        if wrong:
            return "; ".join(f"'{w}' {verdict}: {why_not.get(w, 'read the options again')}"
                             for w in wrong)
        if chosen != expected:
            return (f"every letter you chose is right, but some are missing ({len(chosen)} "
                    "chosen)")
        return None

    return compare


def choice_task(name, options, why_not, correct, note="", *, verdict="is not right",
                description=None, call="plain") -> Task:
    """A graded multiple-choice task: the student's ``name()`` returns one letter of ``options``.

    Parameters
    ----------
    name : the task (and function) name, e.g. "answer_q2"
    options : dict {letter: option text}
    why_not : dict {letter: why it is wrong} for every letter but ``correct``
    correct : the right letter
    note : shown under the report when the answer is right
    verdict : the words between a wrong letter and its reason ("'a' is not right: ...")
    description : the case's description in the report (default ``"name()"``)
    call : how the function is called (a key of :data:`.core.CALL_MODES`)
    """
    if correct not in options or set(why_not) != set(options) - {correct}:
        raise ValueError(f"{name}: why_not must explain every option but the right one "
                         f"({sorted(set(options) - {correct})}); got {sorted(why_not)}")
    compare = compare_choice(options, why_not, verdict)
    return Task(name, lambda rng: [Case(description or f"{name}()", (), correct, compare=compare)],
                call=call, note=note)
