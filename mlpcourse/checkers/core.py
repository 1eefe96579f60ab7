"""The machinery behind every exercise check: call the student's function safely on a list of cases
and report honestly what ran.

A check never raises because of the student's code. It survives functions that raise, return
None or the wrong shape, modify their inputs, or never return (a time limit per call). Messages
say which case failed, with its input, the expected shape and type and what came back; for
numbers, whether they are close, without printing the expected answer.

The report is shown as text in the notebook and carries a JSON twin (MIME type
``application/vnd.mlpcourse.check+json``) that the class grader reads.
"""

from __future__ import annotations

import copy
import dataclasses
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

MIME = "application/vnd.mlpcourse.check+json"
TIME_LIMIT = 5.0  # seconds for one call of the student's function


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
    compare : optional callable(got, expected) -> message or None, replacing the default
    """

    description: str
    args: tuple
    expected: object
    kwargs: dict = field(default_factory=dict)
    rtol: float = 1e-6
    atol: float = 1e-8
    compare: Callable | None = None


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


def compare_numbers(got, expected, rtol=1e-6, atol=1e-8) -> str | None:
    """None if ``got`` matches ``expected`` in type, shape and value; otherwise a message that says
    what is wrong without revealing the expected values."""
    expected = np.asarray(expected) if not np.isscalar(expected) else expected
    if got is None:
        return "returned None (did you forget `return`?)"
    if isinstance(expected, np.ndarray) and expected.ndim > 0:
        if not isinstance(got, np.ndarray | list | tuple):
            return f"expected an array of shape {expected.shape}; got {describe_value(got)}"
        try:
            got = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return f"expected an array of numbers of shape {expected.shape}; got non-numbers"
        if got.shape != expected.shape:
            return f"expected an array of shape {expected.shape}; got shape {got.shape}"
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
    scale = float(np.max(np.abs(exp_arr))) or 1.0
    closeness = "close, but not within tolerance" if error < 0.05 * scale else "not close"
    return f"values are wrong ({closeness}: largest difference {error:.3g})"


ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth")


def compare_parts(names, rtol=1e-6, atol=1e-8):
    """A ``compare(got, expected)`` for functions that return a tuple: checks the count, then
    every part with :func:`compare_numbers`, and names the part that is wrong ("the second value
    (theta): ...")."""

    def compare(got, expected):
        if got is None:
            return "returned None (did you forget `return`?)"
        if not isinstance(got, tuple | list) or len(got) != len(names):
            return (f"expected a tuple of {len(names)} values ({', '.join(names)}); "
                    f"got {describe_value(got)}")
        for index, (name, part, want) in enumerate(zip(names, got, expected, strict=True)):
            message = compare_numbers(part, want, rtol, atol)
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


def run_check(task: str, fn, cases, time_limit: float = TIME_LIMIT) -> CheckReport:
    """Call ``fn`` on every case and collect the results.

    The function is "not attempted" when it is missing (None) or raises NotImplementedError (the
    generated exercise's placeholder). Each case gets deep copies of its arguments; a function that
    modifies them fails that case with a message saying so.
    """
    if fn is None:
        return CheckReport(task, attempted=False, note="the function is not defined")
    if not callable(fn):
        return CheckReport(task, [CaseResult("definition", False,
                                             f"expected a function; got {describe_value(fn)}")])
    report, timed_out = CheckReport(task), False
    for case in cases:
        args, kwargs = copy.deepcopy(case.args), copy.deepcopy(case.kwargs)
        originals = copy.deepcopy((args, kwargs))
        try:
            with _time_limit(time_limit):
                got = fn(*args, **kwargs)
        except NotImplementedError:
            if not report.results:
                return CheckReport(task, attempted=False,
                                   note="replace `raise NotImplementedError()` with your code")
            report.results.append(CaseResult(case.description, False,
                                             "raised NotImplementedError"))
            continue
        except _TimeLimit:
            report.results.append(CaseResult(
                case.description, False, f"did not return within {time_limit:g} s (endless loop?)"))
            timed_out = True
            break
        except Exception as error:  # noqa: BLE001 (any student error becomes a failed case)
            report.results.append(CaseResult(
                case.description, False, f"raised {type(error).__name__}: {error}"))
            continue
        if not _same((args, kwargs), originals):
            report.results.append(CaseResult(
                case.description, False, "modified its input arguments (work on a copy instead)"))
            continue
        try:
            compare = case.compare or (lambda g, e, c=case: compare_numbers(g, e, c.rtol, c.atol))
            message = compare(got, case.expected)
        except Exception as error:  # noqa: BLE001
            message = f"returned something that could not be checked ({type(error).__name__})"
        report.results.append(CaseResult(case.description, message is None, message or ""))
    if timed_out:  # one endless loop is enough: the remaining cases are reported, not run
        report.results += [CaseResult(c.description, False, "not run (an earlier case timed out)")
                           for c in cases[len(report.results):]]
    return report
