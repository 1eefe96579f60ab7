"""Under nbgrader a check raises when its task is not fully right (so nbgrader's autograder gives
the cell 0 points), after showing its report; in a student's own session it returns the report
and never raises. The whole round trip with nbgrader itself is tests/test_nbgrader_roundtrip.py.
"""

import importlib
import pkgutil

import numpy as np
import pytest

from mlpcourse import checkers
from mlpcourse.checkers import CheckFailed, grading_mode


def right_sigmoid(z):
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)


def overflowing_sigmoid(z):  # right for moderate z, NaN or a warning for large |z|
    return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))


def not_attempted(z):
    raise NotImplementedError()


@pytest.fixture
def student(monkeypatch):
    """A student's own session: no nbgrader variables."""
    for name in ("NBGRADER_EXECUTION", "NBGRADER_VALIDATING"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


@pytest.mark.parametrize("variables, mode", [
    ({}, None),
    ({"NBGRADER_EXECUTION": "autograde"}, "autograde"),
    ({"NBGRADER_VALIDATING": "1", "NBGRADER_EXECUTION": "validate"}, "validate"),
    ({"NBGRADER_VALIDATING": "1"}, "validate"),
    ({"NBGRADER_VALIDATING": "0"}, None),
    ({"NBGRADER_EXECUTION": ""}, None),
])
def test_grading_mode_reads_the_variables_nbgrader_sets(student, variables, mode):
    for name, value in variables.items():
        student.setenv(name, value)
    assert grading_mode() == mode


@pytest.mark.parametrize("function", [not_attempted, overflowing_sigmoid, None],
                         ids=["not attempted", "partly right", "not defined"])
def test_a_student_session_gets_the_report_and_no_exception(student, capsys, function):
    report = checkers.check_sigmoid(function)
    assert not report.passed
    assert capsys.readouterr().out == ""  # shown by the notebook as the cell's value, not printed


@pytest.mark.parametrize("variables", [{"NBGRADER_EXECUTION": "autograde"},
                                       {"NBGRADER_VALIDATING": "1",
                                        "NBGRADER_EXECUTION": "validate"}])
@pytest.mark.parametrize("function", [not_attempted, overflowing_sigmoid, None],
                         ids=["not attempted", "partly right", "not defined"])
def test_under_nbgrader_a_task_not_fully_right_shows_its_report_then_raises(
        student, capsys, variables, function):
    for name, value in variables.items():
        student.setenv(name, value)
    friendly = checkers.check_sigmoid.__wrapped__(function)
    with pytest.raises(CheckFailed) as raised:
        checkers.check_sigmoid(function)
    assert capsys.readouterr().out.strip() == str(friendly).strip()  # the same report, shown
    assert friendly.summary() in str(raised.value)
    assert isinstance(raised.value, AssertionError)


def test_under_nbgrader_a_right_task_shows_its_report_and_returns_nothing(student, capsys):
    student.setenv("NBGRADER_EXECUTION", "autograde")
    assert checkers.check_sigmoid(right_sigmoid) is None  # a returned value would be a score
    shown = capsys.readouterr().out
    assert shown.strip() == str(checkers.check_sigmoid.__wrapped__(right_sigmoid)).strip()
    assert "FAIL" not in shown


def test_every_exported_check_is_wrapped_once_and_is_the_lesson_modules_own(student):
    names = [name for name in checkers.__all__ if name.startswith("check_")]
    assert len(names) >= 40
    for info in pkgutil.iter_modules(checkers.__path__):
        if info.name.startswith("lesson"):
            module = importlib.import_module(f"mlpcourse.checkers.{info.name}")
            for name in module.__all__:
                check = getattr(checkers, name)
                assert getattr(module, name) is check
                assert check.__name__ == name and check.__doc__ == check.__wrapped__.__doc__
                assert not hasattr(check.__wrapped__, "__wrapped__"), f"{name} wrapped twice"


def test_every_check_raises_under_autograde_for_a_missing_function(student, capsys):
    student.setenv("NBGRADER_EXECUTION", "autograde")
    for name in (n for n in checkers.__all__ if n.startswith("check_")):
        with pytest.raises(CheckFailed):
            getattr(checkers, name)(None)
    assert capsys.readouterr().out.count("not attempted") >= 40
