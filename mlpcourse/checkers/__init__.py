"""Checks for the exercise notebooks: ``check_<task>(student_function)`` returns a report that
says which cases ran and which passed (see :mod:`mlpcourse.checkers.core`).

Each lesson's checks live in ``lessonNN.py`` and list themselves in that module's ``__all__``;
they are all re-exported here, so ``from mlpcourse.checkers import check_sigmoid`` works. What
the lesson modules share lives in :mod:`.core` (running and judging cases) and :mod:`.helpers`
(multiple choice, networks as case data); a lesson module never imports another lesson module.
``python -m mlpcourse new-task`` adds a task to a lesson (:mod:`mlpcourse.authoring`).

Under nbgrader
--------------
nbgrader gives a grade cell 0 points only when it raises (or writes to stderr); a check that
merely prints its report would earn full points for an untouched exercise. So every exported
``check_*`` is wrapped here, in one place (the lesson module's attribute is replaced too, so
``lessonNN.check_x is check_x`` and every import route gets the same function):

- in a student's own session nothing changes: the report is returned and shown as before;
- while ``nbgrader autograde`` runs the notebook (the kernel sees ``NBGRADER_EXECUTION=autograde``)
  or ``nbgrader validate`` does (``NBGRADER_VALIDATING=1``, ``NBGRADER_EXECUTION=validate``), a
  check whose task is not fully right first displays its report, then raises
  :class:`CheckFailed`, so nbgrader scores that cell 0 and validate lists it as failed. A task
  that is fully right displays its report and returns None (nbgrader then gives the cell's
  points; a returned report would be read as a would-be partial score, with a warning per cell).

The unwrapped check stays reachable as ``check_x.__wrapped__``.
"""

import functools
import importlib
import os
import pkgutil

from .core import Case, CheckReport, compare_numbers, run_check

__all__ = ["Case", "CheckFailed", "CheckReport", "compare_numbers", "grading_mode", "run_check"]


class CheckFailed(AssertionError):
    """Raised by a check under nbgrader when its task is not fully right (after showing the
    report), so that nbgrader's autograder gives the cell 0 points."""


def grading_mode() -> str | None:
    """``"autograde"`` or ``"validate"`` when nbgrader is running this kernel, else None.

    Read from the environment nbgrader sets around the kernel it starts (``NBGRADER_EXECUTION``,
    and ``NBGRADER_VALIDATING=1`` for validate), at every call: the same kernel process never
    switches, but tests may.
    """
    execution = os.environ.get("NBGRADER_EXECUTION", "")
    if execution == "autograde":
        return "autograde"
    if execution == "validate" or os.environ.get("NBGRADER_VALIDATING", "") == "1":
        return "validate"
    return None


def _show(report) -> None:
    """Display the report as a notebook output (text and its JSON twin), or print it."""
    try:
        from IPython import get_ipython
    except ImportError:  # plain Python without IPython
        shell = None
    else:
        shell = get_ipython()
    if shell is None:
        print(report)
    else:
        from IPython.display import display

        display(report)


def _graded(check):
    """``check`` unchanged for students; under nbgrader it raises when the task is not right."""
    if getattr(check, "_nbgrader_aware", False):
        return check

    @functools.wraps(check)
    def graded_check(*args, **kwargs):
        report = check(*args, **kwargs)
        if grading_mode() is None:
            return report
        _show(report)  # shown, not returned: nbgrader reads a returned value as a score
        if getattr(report, "passed", None) is True:
            return None
        summary = report.summary() if hasattr(report, "summary") else repr(report)
        raise CheckFailed(f"{summary} (0 points for this task under nbgrader)")

    graded_check._nbgrader_aware = True
    return graded_check


for _info in sorted(pkgutil.iter_modules(__path__), key=lambda info: info.name):
    if _info.name.startswith("lesson"):
        _module = importlib.import_module(f".{_info.name}", __name__)
        for _name in _module.__all__:
            _value = getattr(_module, _name)
            if _name.startswith("check_") and callable(_value):
                _value = _graded(_value)
                setattr(_module, _name, _value)
            if _name in globals() and globals()[_name] is not _value:
                raise ImportError(f"{_name} is defined by two lesson checkers ({_info.name})")
            globals()[_name] = _value
            __all__.append(_name)
