"""What holds for every lesson's checks: the solution notebook's functions pass, the exercise's
untouched stubs are "not attempted", a function returning None fails, every check is exported once,
and the solution notebook agrees with the checker module on the tasks and their points (computed
from the nbgrader metadata, the task headings and the introduction: never a number typed here)."""

import importlib
from pathlib import Path

import pytest
from checkers_helpers import solution_notebook
from notebook_code import SOLUTIONS, solution_namespace

from mlpcourse import checkers
from mlpcourse.authoring import disagreements, points_summary
from mlpcourse.grading.tasks import LESSONS, plan

NOTEBOOKS = sorted(path.stem for path in SOLUTIONS.glob("*.ipynb"))
KNOWN = [notebook for notebook in NOTEBOOKS if notebook in LESSONS]  # the first test names others
TASKS = [(notebook, task.name) for notebook in KNOWN
         for task in importlib.import_module(f"mlpcourse.checkers.{LESSONS[notebook]}").TASKS]


def module(notebook):
    return importlib.import_module(f"mlpcourse.checkers.{LESSONS[notebook]}")


@pytest.fixture(scope="module")
def namespaces():
    return {}


def functions(namespaces, notebook, stubs=False):
    if (notebook, stubs) not in namespaces:
        namespaces[notebook, stubs] = solution_namespace(notebook, stubs=stubs)
    return namespaces[notebook, stubs]


def check(notebook, task):
    return getattr(module(notebook), f"check_{task}")


def test_every_solution_notebook_has_a_checker_module_and_the_grader_knows_it():
    assert NOTEBOOKS == sorted(LESSONS), "add the lesson to LESSONS in mlpcourse/grading/tasks.py"
    assert len(TASKS) == len(set(task for _, task in TASKS))


@pytest.mark.parametrize(("notebook", "task"), TASKS)
def test_the_reference_solution_passes(namespaces, notebook, task):
    report = check(notebook, task)(functions(namespaces, notebook)[task])
    assert report.passed and report.fraction == 1.0 and report.results, str(report)


@pytest.mark.parametrize(("notebook", "task"), TASKS)
def test_the_exercise_stub_and_a_missing_function_are_not_attempted(namespaces, notebook, task):
    report = check(notebook, task)(functions(namespaces, notebook, stubs=True)[task])
    assert not report.attempted and not report.passed and report.fraction == 0.0
    assert "NotImplementedError" in report.summary()
    assert check(notebook, task)(None).attempted is False


@pytest.mark.parametrize(("notebook", "task"), TASKS)
def test_returning_none_fails_and_says_so(notebook, task):
    report = check(notebook, task)(lambda *args, **kwargs: None)
    assert report.attempted and not report.passed
    assert "None" in next(r.message for r in report.results if not r.passed)


@pytest.mark.parametrize("notebook", KNOWN)
def test_every_check_is_exported_once_by_the_package(notebook):
    lesson = module(notebook)
    assert sorted(lesson.__all__) == sorted(f"check_{task.name}" for task in lesson.TASKS)
    for name in lesson.__all__:
        assert getattr(checkers, name) is getattr(lesson, name), f"{name} is shadowed"


def test_no_lesson_module_imports_another_lessons_helpers():
    for notebook in KNOWN:
        source = Path(module(notebook).__file__).read_text()
        assert "from .lesson" not in source and "checkers.lesson" not in source, notebook


@pytest.mark.parametrize("notebook", KNOWN)
def test_the_solution_notebook_and_the_checker_agree_on_tasks_and_points(notebook):
    nb = solution_notebook(notebook)
    assert disagreements(nb, [task.name for task in module(notebook).TASKS]) == []
    summary = points_summary(nb)
    # what the lecturer reads in the introduction is what the grader gives at most
    assert plan(notebook, seed=0).max_points == dict(summary.tasks)
    assert sum(plan(notebook, seed=0).max_points.values()) == summary.stated_points


def test_a_disagreement_is_found():
    nb = solution_notebook("03_activations")
    names = [task.name for task in module("03_activations").TASKS]
    graded = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    graded.metadata["nbgrader"]["points"] += 1
    problems = disagreements(nb, names)
    assert any("heading" in p for p in problems) and any("introduction" in p for p in problems)
    assert any("checker's tasks" in p for p in disagreements(nb, names[::-1]))
