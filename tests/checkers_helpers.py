"""What the checker tests share: the solution notebook's functions as a fixture, a stub like the
exercise's, and short ways to read a failed report."""

from pathlib import Path

import nbformat
import pytest
from notebook_code import SOLUTIONS, solution_namespace

__all__ = ["assert_fails", "failed", "failures", "first_failure", "first_message",
           "namespace_fixture", "solution_notebook", "stub"]


def stub(*args, **kwargs):
    """What an untouched exercise cell defines."""
    raise NotImplementedError()


def namespace_fixture(notebook: str, name: str = "ref", stubs: bool = False):
    """A module-scoped fixture ``name`` with the functions ``solutions/<notebook>.ipynb`` defines
    (``stubs``: as its generated exercise defines them)."""

    @pytest.fixture(scope="module", name=name)
    def fixture():
        return solution_namespace(notebook, stubs=stubs)

    return fixture


def solution_notebook(notebook: str):
    return nbformat.read(str(Path(SOLUTIONS) / f"{notebook}.ipynb"), as_version=4)


def failures(report):
    """The failed case results of a report."""
    return [r for r in report.results if not r.passed]


def first_failure(report):
    """The first failed case result (the report must have run and failed)."""
    assert report.attempted and not report.passed, str(report)
    return failures(report)[0]


def first_message(report) -> str:
    return first_failure(report).message


def failed(report) -> str:
    """The messages of every failed case, joined (the report must have run and failed)."""
    assert report.attempted and not report.passed, str(report)
    return " | ".join(r.message for r in failures(report))


def assert_fails(report, *fragments, case=None):
    """The report failed, and its first failure's message (and case, if given) contains the
    fragments; returns that failure."""
    first = first_failure(report)
    for fragment in fragments:
        assert fragment in first.message, first.message
    if case is not None:
        assert case in first.description, first.description
    return first
