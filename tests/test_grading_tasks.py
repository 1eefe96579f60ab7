"""The grader computes expected answers in its own process (issue 11): one task definition per
graded cell, fresh random cases per seed, the kernel returns only outputs (read back safely), and
the cheats that targeted in-kernel checking earn nothing.

Most tests run the kernel's side (:func:`mlpcourse.grading.runner.run_task`) in this process on
a namespace built like a notebook's; a few run the real harness (a fresh kernel per notebook).
"""

import base64
import json
import pickle
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from notebook_code import SOLUTIONS, solution_namespace

from mlpcourse.assignments import grade_cells, strip_solution
from mlpcourse.checkers import core
from mlpcourse.grading import source_check, tasks, wire
from mlpcourse.grading.runner import run_task
from mlpcourse.grading.tasks import plan, score, write_calls

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(tasks.LESSONS)


def results_in_process(p, namespace, folder: Path) -> Path:
    """What the harness would write for a kernel whose namespace is ``namespace`` (all cells
    already run): the kernel's side of every task, called here."""
    write_calls(p, folder / "calls.pkl")
    with open(folder / "calls.pkl", "rb") as handle:
        calls = pickle.load(handle)
    results = {"format": tasks.RESULTS_FORMAT, "cells": [], "stopped": None, "tasks": {}}
    for number, task in enumerate(calls["tasks"]):
        out = folder / f"task{number}.json"
        payload = base64.b64encode(pickle.dumps({**task, "time_limit": 5.0})).decode()
        run_task(namespace, payload, str(out))
        results["tasks"][task["task"]] = json.loads(out.read_text())
    (folder / "results.json").write_text(json.dumps(results))
    return folder / "results.json"


def notebook_with(name: str, replace: dict | None = None, append: str = "") -> dict:
    """The solution notebook of ``name`` with some solution cells' sources replaced
    ({grade_id of the code cell: new source}) and a cell of code appended."""
    nb = nbformat.read(str(SOLUTIONS / f"{name}.ipynb"), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if replace and grade_id in replace:
            cell.source = replace[grade_id]
    if append:
        nb.cells.append(nbformat.v4.new_code_cell(append))
    return nb


def namespace_of(nb) -> dict:
    """Run a notebook's code cells (not the check cells) in a fresh namespace, like a kernel."""
    import mlpcourse as mc

    namespace = {"np": np, "mc": mc, "__name__": "__main__"}
    for cell in nb.cells:
        if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade"):
            exec(compile(cell.source, "<ipython-input>", "exec"), namespace)  # noqa: S102
    return namespace


def grade_in_process(name, nb, folder, seed=1):
    p = plan(name, seed)
    return score(p, results_in_process(p, namespace_of(nb), folder), notebook=nb)


# ---------------------------------------------------------------- one definition per task


@pytest.mark.parametrize("name", LESSONS)
def test_every_graded_cell_has_one_task_definition(name):
    graded = [grade_id for grade_id, _, _ in grade_cells(
        nbformat.read(str(SOLUTIONS / f"{name}.ipynb"), as_version=4))]
    defined = [task.name for task in tasks.lesson_tasks(name)]
    assert sorted(graded) == sorted(defined)
    assert plan(name, 0).tasks == graded


@pytest.mark.parametrize("name", LESSONS)
def test_the_solution_gets_full_marks_with_no_flags(name, tmp_path):
    rows = score(*_solution_run(name, tmp_path), notebook=SOLUTIONS / f"{name}.ipynb")
    assert [r.points for r in rows] == [r.max_points for r in rows], [r.message for r in rows]
    assert all(not r.flags for r in rows), [r.flags for r in rows if r.flags]


def _solution_run(name, folder, seed=7):
    p = plan(name, seed)
    return p, results_in_process(p, solution_namespace(name), folder)


@pytest.mark.parametrize("name", LESSONS)
def test_an_untouched_exercise_gets_nothing_and_says_not_attempted(name, tmp_path):
    p = plan(name, 3)
    rows = score(p, results_in_process(p, solution_namespace(name, stubs=True), tmp_path))
    assert all(r.points == 0 and "not attempted" in r.message for r in rows), \
        [r.message for r in rows]


@pytest.mark.parametrize("name", LESSONS)
def test_the_random_cases_depend_on_the_seed_and_only_on_it(name):
    for task in tasks.lesson_tasks(name):
        fixed = task.cases(None)
        first = plan(name, 11).cases[task.name]
        again = plan(name, 11).cases[task.name]
        other = plan(name, 12).cases[task.name]
        planned = [c.description for c in first]
        assert all(c.description in planned for c in fixed)
        assert pickle.dumps([(c.args, c.kwargs) for c in first]) == \
            pickle.dumps([(c.args, c.kwargs) for c in again])
        if len(first) > len(fixed):  # a task with random cases (not a multiple choice)
            assert pickle.dumps([c.args for c in first]) != pickle.dumps([c.args for c in other])


def test_the_calls_file_holds_no_expected_value(tmp_path):
    p = plan("03_activations", 5)
    write_calls(p, tmp_path / "calls.pkl")
    with open(tmp_path / "calls.pkl", "rb") as handle:
        calls = pickle.load(handle)
    text = repr(calls)
    for name in p.tasks:
        for case in p.cases[name]:
            if isinstance(case.expected, np.ndarray) and case.expected.size > 2 and \
                    not np.isin(case.expected, [0.0, 1.0]).all():
                assert repr(case.expected) not in text
    assert set(calls) == {"format", "assignment", "seed", "tasks"}
    assert set(calls["tasks"][0]) == {"task", "function", "call", "calls"}


def test_a_plan_pickles_small_and_rebuilds_the_same_cases():
    p = plan("05_backprop", 99)
    copy = pickle.loads(pickle.dumps(p))
    assert len(pickle.dumps(p)) < 1000
    assert copy.tasks == p.tasks and copy.seed == 99
    for name in p.tasks:
        assert [c.description for c in copy.cases[name]] == [c.description for c in p.cases[name]]
