"""The machinery behind every exercise check: call the student's function safely on a list of cases
and report honestly what ran.

A check never raises because of the student's code. It survives functions that raise, return
None or the wrong shape, modify their inputs, or never return (a time limit per call). Messages
say which case failed, with its input, the expected shape and type and what came back; for
numbers, whether they are close, without printing the expected answer, and, when the wrong
values match one of the classic slips (a sum for a mean, g'(z) missing or applied twice, a
transposed matrix, the wrong layer's activations, a flipped sign...), which slip it looks like
(:func:`diagnose`; the case supplies what the slips would give, computed from the reference in the
checker's own process and never shown).

The report is shown as text in the notebook and carries a JSON twin (MIME type
``application/vnd.mlpcourse.check+json``) that the class grader reads.
"""

from __future__ import annotations

import copy
import dataclasses
import signal
import threading
import warnings
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

MIME = "application/vnd.mlpcourse.check+json"
TIME_LIMIT = 5.0  # seconds for one call of the student's function
NO_RETURN = "returned None (did you forget `return`?)"  # the message for a result of None


class _TimeLimit(Exception):
    pass


@contextmanager
def _time_limit(seconds: float):
    """Interrupt the block after ``seconds`` (SIGALRM; in the main thread of a Unix process, which
    is where a notebook runs its cells). Elsewhere the block runs without a limit."""
    usable = hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()
    if not usable:
        yield
        return

    def handler(signum, frame):
        raise _TimeLimit

    previous = signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Case:
    """One call of the student's function.

    Attributes
    ----------
    description : str, shown in messages (e.g. "z = [-2, 0, 3]")
    args : tuple of positional arguments (deep-copied for every call)
    expected : the reference answer (never printed)
    kwargs : dict of keyword arguments
    rtol, atol : tolerances for numbers
    compare : optional callable(got, expected) -> message or None, replacing the default; it is
        called as ``compare(got, expected, slips=slips)`` when the case has slips
    slips : optional :class:`Slips` (for a single result) or dict {part name: Slips} (for the
        parts of a tuple, see :func:`compare_parts`): what the classic mistakes would return,
        so that a wrong answer is named ("looks like g'(z) is missing")
    """

    description: str
    args: tuple
    expected: object
    kwargs: dict = field(default_factory=dict)
    rtol: float = 1e-6
    atol: float = 1e-8
    compare: Callable | None = None
    slips: object = None


@dataclass
class Slips:
    """What the classic slips would give for one expected result, for :func:`diagnose`.

    Everything here is computed from the reference in the checker's (or grader's) own process and
    is never shown; a message only names the slip.

    Attributes
    ----------
    n : the number of terms a mean averages over (N = m for a mean over samples, m·n for a mean
        over elements): a result N times too large is a sum where the mean is wanted, N times too
        small divides by N once too often
    derivative : g'(z) of the layer the result belongs to, shaped like the result (elementwise):
        a result times g'(z) equal to the answer has g'(z) missing; the answer times g'(z)
        applies it twice
    alternatives : ((explanation, value), ...): what specific slips return (e.g. "the gradient
        was built from the wrong layer's activations", the dW from a^(l) instead of a^(l-1));
        the first match names the slip
    """

    n: int | None = None
    derivative: object = None
    alternatives: tuple = ()


@dataclass
class CaseResult:
    description: str
    passed: bool
    message: str = ""


@dataclass
class CheckReport:
    """The outcome of one check: which cases ran and which passed."""

    task: str
    results: list = field(default_factory=list)
    attempted: bool = True
    note: str = ""

    @property
    def n_passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def passed(self) -> bool:
        return self.attempted and bool(self.results) and self.n_passed == len(self.results)

    @property
    def fraction(self) -> float:
        """1.0 when every case passed, else 0.0: a task earns its points only when it is right."""
        return 1.0 if self.passed else 0.0

    def summary(self) -> str:
        if not self.attempted:
            return f"{self.task}: not attempted yet{': ' + self.note if self.note else ''}"
        head = f"{self.task}: {self.n_passed} of {len(self.results)} checks passed"
        if self.passed:
            return head + "."
        if not self.results:  # a new task whose definition is not written yet
            return head + "; its definition lists no cases yet"
        failed = [r for r in self.results if not r.passed]
        return head + "; first failure: " + f"{failed[0].description}: {failed[0].message}"

    def __str__(self) -> str:
        if not self.attempted:
            return self.summary()
        lines = [f"{self.task}: {self.n_passed} of {len(self.results)} checks passed"]
        for r in self.results:
            mark = "ok  " if r.passed else "FAIL"
            lines.append(f"  {mark} {r.description}" + ("" if r.passed else f": {r.message}"))
        if self.note:
            lines.append(f"  note: {self.note}")
        return "\n".join(lines)

    def to_json(self) -> dict:
        return {"task": self.task, "attempted": self.attempted, "passed": self.n_passed,
                "total": len(self.results), "fraction": self.fraction, "summary": self.summary()}

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/plain": str(self), MIME: self.to_json()}

    def __repr__(self) -> str:
        return str(self)


def describe_value(value) -> str:
    """What came back, in words: type, and shape and dtype for arrays."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}, dtype {value.dtype}"
    if isinstance(value, int | float | np.number):
        return f"a number ({type(value).__name__})"
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of length {len(value)}"
    return f"a {type(value).__name__}"


def compare_numbers(got, expected, rtol=1e-6, atol=1e-8, slips=None) -> str | None:
    """None if ``got`` matches ``expected`` in type, shape and value; otherwise a message that says
    what is wrong without revealing the expected values: the shape, or how far off the values are
    and, if ``slips`` (a :class:`Slips`) or the shape shows it, which classic slip it looks like
    (:func:`diagnose`). For an answer that is zero or tiny, or a result of all zeros, it gives no
    "largest difference" (it would equal the answer)."""
    expected = np.asarray(expected) if not np.isscalar(expected) else expected
    if got is None:
        return NO_RETURN
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(got, np.ndarray | list | tuple):
            return f"expected an array of shape {expected.shape}; got {describe_value(got)}"
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return f"expected an array of numbers of shape {expected.shape}; got non-numbers"
        if got.shape != expected.shape:
            message = f"expected an array of shape {expected.shape}; got shape {got.shape}"
            if expected.ndim == 2 and got.shape == expected.shape[::-1]:
                message += f"; it looks like {TRANSPOSED}"
            return message
    else:
        try:
            number = float(np.asarray(got, dtype=float).reshape(-1)[0]) if np.size(got) == 1 \
                else None
        except (TypeError, ValueError):
            number = None
        if number is None:
            return "expected a single number; got " + describe_value(got)
        got = number
    got_arr, exp_arr = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if not np.all(np.isfinite(got_arr)) and np.all(np.isfinite(exp_arr)):
        return "the result contains NaN or inf (an overflow? try a numerically stable form)"
    if np.allclose(got_arr, exp_arr, rtol=rtol, atol=atol):
        return None
    error = float(np.max(np.abs(got_arr - exp_arr)))
    scale = float(np.max(np.abs(exp_arr))) if exp_arr.size else 0.0
    closeness = "close, but not within tolerance" if error < 0.05 * scale else "not close"
    try:
        hint = diagnose(got_arr, exp_arr, slips, rtol, atol)
    except (TypeError, ValueError):  # slips that do not fit this result: no diagnosis
        hint = None
    if hint is not None:
        return f"values are wrong ({closeness}); it looks like {hint}"
    size = float(np.max(np.abs(got_arr))) if got_arr.size else 0.0
    if size == 0.0:  # the largest difference would be the answer itself
        zero = "0" if got_arr.ndim == 0 else "all zeros"
        return f"values are wrong (not close: your result is {zero})"
    if scale < TINY:  # a difference here equals the student's own values: say it relatively
        return ("values are wrong (not close: the difference is as large as your values "
                f"themselves, {min(error / size, 9.99):.0%} of their size)")
    return f"values are wrong ({closeness}: largest difference {error:.3g})"


TINY = 1e-6  # expected values below this in size are "zero or tiny": differences are relative

# How each slip is named (a message says "values are wrong (...); it looks like <this>").
TRANSPOSED = ("the transposed matrix (rows and columns swapped: a weight gradient is "
              "δᵀ a^(l-1), shaped like W (n_out, n_in))")
TOO_LARGE = ("a sum where the mean is wanted: your values are N = {n} times too large (divide "
             "by the number of terms N)")
TOO_SMALL = ("a division by N once too often: your values are N = {n} times too small (a mean "
             "where the sum is wanted, or 1/N applied twice)")
MISSING_DERIVATIVE = "the derivative factor g'(z) is missing (δ = dL/da ⊙ g'(z))"
DOUBLE_DERIVATIVE = "the derivative factor g'(z) is applied twice"
FLIPPED_SIGN = ("the sign is flipped (a minus sign missing or one too many: e.g. ŷ - y, not "
                "y - ŷ; -ln ŷ, not ln ŷ)")


def _close(a, b, rtol, atol) -> bool:
    try:
        b = np.asarray(b, dtype=float)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def diagnose(got, expected, slips=None, rtol=1e-6, atol=1e-8) -> str | None:
    """Which classic slip a wrong result looks like, in words (None if none fits).

    Parameters
    ----------
    got, expected : arrays (or numbers) of the same shape; ``got`` is wrong
    slips : :class:`Slips` of this case, or None (then only the slips that need no extra
        information are tried: transposed values of a square matrix and a flipped sign)
    rtol, atol : the case's tolerances (a slip matches within ten times them)

    Returns
    -------
    str or None : e.g. "the derivative factor g'(z) is missing (...)": names the slip, never a
        number of the answer. A slip whose value equals the answer itself (g' = 1 for a linear
        layer, N = 1, a symmetric matrix) is never reported.
    """
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    rtol, atol = 10 * max(rtol, 1e-9), 10 * max(atol, 1e-12)
    slips = slips if isinstance(slips, Slips) else Slips()

    def looks_like(value) -> bool:
        return _close(got, value, rtol, atol) and not _close(expected, value, rtol, atol)

    for explanation, value in slips.alternatives:
        if looks_like(value):
            return explanation
    if expected.ndim == 2 and expected.shape[0] == expected.shape[1] and looks_like(expected.T):
        return TRANSPOSED
    if slips.n is not None and slips.n > 1:
        if looks_like(expected * slips.n):
            return TOO_LARGE.format(n=slips.n)
        if looks_like(expected / slips.n):
            return TOO_SMALL.format(n=slips.n)
    if slips.derivative is not None:
        derivative = np.broadcast_to(np.asarray(slips.derivative, dtype=float), expected.shape)
        if looks_like(expected * derivative):
            return DOUBLE_DERIVATIVE
        # got ⊙ g' = answer (a g' near 0 would make any result fit: tried only where g' is not)
        if (np.min(np.abs(derivative), initial=np.inf) > 1e-6
                and not np.allclose(derivative, 1.0, rtol=rtol, atol=atol)
                and _close(got * derivative, expected, rtol, atol)):
            return MISSING_DERIVATIVE
    if np.any(np.abs(expected) > atol) and looks_like(-expected):
        return FLIPPED_SIGN
    return None


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def compare_parts(names, rtol=1e-6, atol=1e-8, order=None):
    """A ``compare(got, expected)`` for functions that return a tuple: checks the count, then
    every part with :func:`compare_numbers`, and names the part that is wrong ("the second value
    (theta): ..."). The case's slips, if any, are a dict {part name: :class:`Slips`}. ``order``:
    the part indices in the order they are checked (default: as returned), e.g. the last part
    first when the others are computed from it, so that the message names the root slip."""
    order = range(len(names)) if order is None else order

    def compare(got, expected, slips=None):
        if got is None:
            return NO_RETURN
        if not isinstance(got, tuple | list) or len(got) != len(names):
            return (f"expected a tuple of {len(names)} values ({', '.join(names)}); "
                    f"got {describe_value(got)}")
        for index in order:
            name, part, want = names[index], got[index], expected[index]
            part_slips = slips.get(name) if isinstance(slips, dict) else None
            message = compare_numbers(part, want, rtol, atol, part_slips)
            if message is not None:
                return f"the {ORDINALS[index]} value ({name}): {message}"
        return None

    return compare


def _same(a, b) -> bool:
    try:
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and \
                a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))
        if isinstance(a, list | tuple):
            return type(a) is type(b) and len(a) == len(b) and all(map(_same, a, b))
        if isinstance(a, dict):
            return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
        if dataclasses.is_dataclass(a) and not isinstance(a, type):  # a Network, Gradients...
            return type(a) is type(b) and all(_same(getattr(a, f.name), getattr(b, f.name))
                                              for f in dataclasses.fields(a))
        return bool(a == b) or a is b
    except Exception:  # noqa: BLE001 (an odd object: treat as changed only if identity differs)
        return a is b


@dataclass
class Outcome:
    """What one call of the student's function did (the kernel's side of a check: no verdict).

    Attributes
    ----------
    kind : "returned", "raised", "not_implemented", "timeout" or "modified" (the call changed
        its arguments)
    value : what the call returned (kind "returned")
    error : "TypeName: message" (kind "raised")
    """

    kind: str
    value: object = None
    error: str = ""


def call_cases(fn, calls, time_limit: float = TIME_LIMIT) -> list[Outcome]:
    """Call ``fn(*args, **kwargs)`` for every ``(args, kwargs)`` in ``calls`` and record what
    happened, without judging it.

    Every call gets deep copies of its arguments (compared afterwards: a function that changed
    them gives kind "modified") and ``time_limit`` seconds. Like the check it serves, it stops at
    a NotImplementedError in the first call (the exercise's placeholder) and after a time-out.
    """
    outcomes = []
    for args, kwargs in calls:
        args, kwargs = copy.deepcopy(args), copy.deepcopy(kwargs)
        originals = copy.deepcopy((args, kwargs))
        try:
            with _time_limit(time_limit):
                got = fn(*args, **kwargs)
        except NotImplementedError:
            outcomes.append(Outcome("not_implemented"))
            if len(outcomes) == 1:
                break
            continue
        except _TimeLimit:
            outcomes.append(Outcome("timeout"))
            break
        except Exception as error:  # noqa: BLE001 (any student error becomes a failed case)
            outcomes.append(Outcome("raised", error=f"{type(error).__name__}: {error}"))
            continue
        if not _same((args, kwargs), originals):
            outcomes.append(Outcome("modified"))
            continue
        outcomes.append(Outcome("returned", got))
    return outcomes


class Warned:
    """What a call returns when numpy warned inside it (the warning's text is kept)."""

    def __init__(self, message: str):
        self.message = message


class Modified:
    """What a wrapped call returns when the student's function changed the network (or gradients)
    it was given."""

    def __init__(self, what: str):
        self.what = what

    def message(self) -> str:
        return (f"modified {self.what} in place (work on copies: mc.update returns a new "
                "network)")


def _marker_message(got) -> str | None:
    if isinstance(got, Warned):
        return (f"numpy warned '{got.message}' while computing it: the formula overflows or "
                "divides by zero for this input; use a numerically stable form (see the hint)")
    if isinstance(got, Modified):
        return got.message()
    return None


def _compare(case, got) -> str | None:
    """``case.compare`` (given the case's slips when it has some) or :func:`compare_numbers`."""
    if case.compare is None:
        return compare_numbers(got, case.expected, case.rtol, case.atol, case.slips)
    if case.slips is not None:
        return case.compare(got, case.expected, slips=case.slips)
    return case.compare(got, case.expected)


def judge(task: str, cases, outcomes, time_limit: float | None = TIME_LIMIT) -> CheckReport:
    """The report for ``outcomes`` (from :func:`call_cases`) of ``cases``: each returned value is
    compared with its case's expected value (``case.compare`` or :func:`compare_numbers`).

    This is the half of a check that knows the answers: in the notebook it runs right after
    :func:`call_cases`; the class grader runs it in its own process on what the kernel returned.
    """
    if outcomes and outcomes[0].kind == "not_implemented":
        return CheckReport(task, attempted=False,
                           note="replace `raise NotImplementedError()` with your code")
    report = CheckReport(task)
    for case, outcome in zip(cases, outcomes, strict=False):
        if outcome.kind == "not_implemented":
            report.results.append(CaseResult(case.description, False,
                                             "raised NotImplementedError"))
        elif outcome.kind == "timeout":
            within = f"within {time_limit:g} s" if time_limit else "in time"
            report.results.append(CaseResult(
                case.description, False, f"did not return {within} (endless loop?)"))
        elif outcome.kind == "raised":
            report.results.append(CaseResult(case.description, False, f"raised {outcome.error}"))
        elif outcome.kind == "modified":
            report.results.append(CaseResult(
                case.description, False, "modified its input arguments (work on a copy instead)"))
        else:
            try:
                message = _marker_message(outcome.value)
                if message is None:
                    message = _compare(case, outcome.value)
            except Exception as error:  # noqa: BLE001
                message = f"returned something that could not be checked ({type(error).__name__})"
            report.results.append(CaseResult(case.description, message is None, message or ""))
    if len(outcomes) < len(cases):  # one endless loop is enough: the rest are reported, not run
        reason = ("not run (an earlier case timed out)" if outcomes and
                  outcomes[-1].kind == "timeout" else "not run")
        report.results += [CaseResult(c.description, False, reason)
                           for c in cases[len(outcomes):]]
    return report


def run_check(task: str, fn, cases, time_limit: float = TIME_LIMIT) -> CheckReport:
    """Call ``fn`` on every case and collect the results (:func:`call_cases`, then :func:`judge`).

    The function is "not attempted" when it is missing (None) or raises NotImplementedError (the
    generated exercise's placeholder). Each case gets deep copies of its arguments; a function that
    modifies them fails that case with a message saying so.
    """
    if fn is None:
        return CheckReport(task, attempted=False, note="the function is not defined")
    if not callable(fn):
        return CheckReport(task, [CaseResult("definition", False,
                                             f"expected a function; got {describe_value(fn)}")])
    outcomes = call_cases(fn, [(case.args, case.kwargs) for case in cases], time_limit)
    return judge(task, cases, outcomes, time_limit)


# ---------------------------------------------------------------- how a task calls the function

def _no_runtime_warnings(fn):
    """``fn`` with numpy's RuntimeWarnings (overflow, invalid value, division by zero) caught and
    returned as a :class:`Warned` marker."""

    def strict(*args, **kwargs):
        # np.seterr(all="ignore") in the notebook must not hide an overflow from the check
        with warnings.catch_warnings(), np.errstate(divide="warn", over="warn", invalid="warn"):
            warnings.simplefilter("error", RuntimeWarning)
            try:
                return fn(*args, **kwargs)
            except RuntimeWarning as warning:
                return Warned(str(warning))

    return strict


def _float_errors_raise(fn):
    """``fn`` with numpy's divide/overflow/invalid warnings raised as FloatingPointError (which
    the runner reports as a failed case)."""

    def strict(*args, **kwargs):
        with np.errstate(divide="raise", over="raise", invalid="raise"):
            return fn(*args, **kwargs)

    return strict


def _with_network(fn):
    """``fn(net, *rest)`` callable as ``call(spec, *rest)`` with ``spec = (W list, b list,
    activation names)``; returns :class:`Modified` if ``fn`` changed the network's arrays."""
    from ..network import Network

    def call(spec, *args, **kwargs):
        W, b, names = spec
        net = Network.from_weights(W, b, names)  # private copies of W and b
        result = fn(net, *args, **kwargs)
        for l in range(1, len(W) + 1):
            same_W = net.W[l] is not None and np.array_equal(net.W[l], W[l - 1])
            same_b = net.b[l] is not None and np.array_equal(net.b[l], b[l - 1])
            if not (same_W and same_b):
                return Modified(f"net.W[{l}] or net.b[{l}]")
        return result

    return call


def _with_gradients(fn):
    """``fn(grads, ...)`` callable as ``call((W, b, delta), ...)`` with plain lists; returns
    :class:`Modified` if ``fn`` changed the gradients."""
    from ..network import Gradients

    def call(parts, *args, **kwargs):
        W, b, delta = parts
        grads = Gradients([None, *(w.copy() for w in W)], [None, *(v.copy() for v in b)],
                          [None, *(d.copy() for d in delta)])
        result = fn(grads, *args, **kwargs)
        for name, given, kept in (("grads.W", grads.W, W), ("grads.b", grads.b, b),
                                  ("grads.delta", grads.delta, delta)):
            if len(given) != len(kept) + 1 or any(
                    not isinstance(g, np.ndarray) or not np.array_equal(g, k)
                    for g, k in zip(given[1:], kept, strict=False)):
                return Modified(name)
        return result

    return call


def _three_calls(fn):
    """Call ``fn(m, batch_size, rng)`` with Generators seeded ``seed``, ``seed`` and ``seed + 1``;
    return the three results (to check the partition, determinism and the use of ``rng``)."""

    def call(m, batch_size, seed):
        return tuple(fn(m, batch_size, np.random.default_rng(s)) for s in (seed, seed, seed + 1))

    return call


CALL_MODES = {
    "plain": None,
    "warnings": _no_runtime_warnings,     # numpy RuntimeWarnings fail the case (lessons 3, 4)
    "errstate": _float_errors_raise,      # numpy float errors raise (lessons 5, 8)
    "network": _with_network,             # the first argument arrives as a Network (6, 7)
    "gradients": _with_gradients,         # the first argument arrives as Gradients (7)
    "three_calls": _three_calls,          # three calls with seeded Generators (6)
}


def wrap(mode: str, fn):
    """The student's ``fn`` as the task calls it (see :data:`CALL_MODES`); None and
    non-callables pass through unchanged (the runner reports them)."""
    if mode not in CALL_MODES:
        raise ValueError(f"mode must be one of {sorted(CALL_MODES)}; got {mode!r}")
    if fn is None or not callable(fn) or CALL_MODES[mode] is None:
        return fn
    return CALL_MODES[mode](fn)


@dataclass(frozen=True)
class Task:
    """One graded task: the single definition both the notebook's ``check_<name>`` and the class
    grader use.

    Attributes
    ----------
    name : the task's nbgrader grade_id, also the name of the student's function
    cases : ``cases(rng)`` -> list of :class:`Case`; ``rng`` None gives the fixed cases the
        notebook's check runs, a ``numpy.random.Generator`` adds fresh random cases (the grader)
    call : how the function is called, a key of :data:`CALL_MODES`
    references : dotted names (prefixes) of the course's own implementation of this task: a
        graded function that uses one earns no points (the grader flags it)
    note : shown under the report when every case passed
    """

    name: str
    cases: Callable
    call: str = "plain"
    references: tuple = ()
    note: str = ""

    def check(self, fn) -> CheckReport:
        """The notebook's check: the fixed cases, called and judged in this process."""
        report = run_check(self.name, wrap(self.call, fn), self.cases(None))
        if report.passed and self.note:
            report.note = self.note
        return report
