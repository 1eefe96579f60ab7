"""The grader's side of every graded task: plan the calls, then score what the kernel returned.

Every graded task (the nbgrader ``grade_id`` of a check cell in ``solutions/NN_*.ipynb``) has one
definition, a :class:`mlpcourse.checkers.core.Task` in its lesson's checker module: the name of
the student's function, the cases (fixed ones, plus fresh random ones when given a Generator),
how the function is called, and the course names that are its reference implementation. The
notebook's ``check_<task>`` runs the fixed cases in the student's kernel; the grader uses the
same definition this way::

    p = plan("03_activations", seed)          # cases built here, expected values included
    write_calls(p, "calls.pkl")               # only the arguments go to the sandbox
    # python -m mlpcourse.grading.harness submission.ipynb --calls calls.pkl --out results.json ...
    rows = score(p, "results.json", notebook="submission.ipynb")

The expected values never leave this process; the kernel returns the student's outputs, which
are read back with :mod:`mlpcourse.grading.wire` (JSON, whitelisted types, size caps) and judged
by the same comparison the notebook's check uses (:func:`mlpcourse.checkers.core.judge`).

A task whose function uses the course's own implementation (found by reading the source in this
process, :mod:`mlpcourse.grading.source_check`, and by what the kernel reports about the
function) scores 0 with a ``reference-use`` flag.
"""

from __future__ import annotations

import json
import pickle
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..assignments import grade_cells
from ..checkers import core
from . import source_check, wire

SOLUTIONS = Path(__file__).resolve().parents[2] / "solutions"
LESSONS = {
    "01_perceptron": "lesson01",
    "02_forward_pass": "lesson02",
    "03_activations": "lesson03",
    "04_output_layers": "lesson04",
    "05_backprop": "lesson05",
    "06_training": "lesson06",
    "07_vanishing_gradients": "lesson07",
    "08_quizzes": "lesson08",
}
ALWAYS_REFERENCES = ("mlpcourse.checkers", "mlpcourse.grading")  # never part of an answer
MAX_RESULTS = 64 * 2**20   # bytes of a results file the grader reads
MAX_PROGRESS = 2**20
OUTCOME_KINDS = {"returned", "raised", "not_implemented", "timeout", "modified"}
CALLS_FORMAT = "mlpcourse-calls-1"
RESULTS_FORMAT = "mlpcourse-results-1"


@dataclass
class TaskResult:
    """One row of the grade: points earned, the most there are, what the student reads, and
    flags for the lecturer (``reference-use: ...``, ``dynamic-code: ...``, ``tampering: ...``)."""

    task: str
    points: float
    max_points: float
    message: str
    flags: list = field(default_factory=list)


def lesson_tasks(assignment: str) -> list:
    """The :class:`~mlpcourse.checkers.core.Task` definitions of one assignment, by name order
    of its checker module."""
    import importlib

    if assignment not in LESSONS:
        raise ValueError(f"assignment must be one of {sorted(LESSONS)}; got {assignment!r}")
    module = importlib.import_module(f"mlpcourse.checkers.{LESSONS[assignment]}")
    return list(module.TASKS)


def _task_rng(seed: int, name: str) -> np.random.Generator:
    """One Generator per task, so a task's cases depend only on the seed and its own name."""
    return np.random.default_rng([int(seed) % 2**63, zlib.crc32(name.encode())])


class Plan:
    """What one submission is graded on: the assignment, the seed, the tasks with their points,
    and (built on first use, never pickled) the cases with their expected values.

    Pickles as (assignment, seed, points): the cases are rebuilt from the seed, identically.
    """

    def __init__(self, assignment: str, seed: int, points: dict):
        self.assignment, self.seed, self.points = assignment, int(seed), dict(points)
        self._tasks = {task.name: task for task in lesson_tasks(assignment)}
        self._cases = None

    @property
    def tasks(self) -> list[str]:
        """Task names in notebook order."""
        return list(self.points)

    @property
    def max_points(self) -> dict:
        return dict(self.points)

    def task(self, name: str):
        return self._tasks[name]

    @property
    def cases(self) -> dict:
        """{task: [Case, ...]}: the fixed cases and this seed's random ones."""
        if self._cases is None:
            self._cases = {name: self._tasks[name].cases(_task_rng(self.seed, name))
                           for name in self.points}
        return self._cases

    def __getstate__(self):
        return {"assignment": self.assignment, "seed": self.seed, "points": self.points}

    def __setstate__(self, state):
        self.__init__(state["assignment"], state["seed"], state["points"])

    def __repr__(self) -> str:
        return f"Plan({self.assignment!r}, seed={self.seed}, {len(self.points)} tasks)"


def plan(assignment: str, seed: int, solutions_dir=None) -> Plan:
    """The plan for grading one submission of ``assignment`` with random cases from ``seed``.

    Points come from the graded cells of ``solutions_dir/<assignment>.ipynb`` (the repository's
    solutions by default); every graded cell must have a task definition and vice versa.
    """
    import nbformat

    known = lesson_tasks(assignment)
    path = Path(solutions_dir or SOLUTIONS) / f"{assignment}.ipynb"
    graded = grade_cells(nbformat.read(str(path), as_version=4))
    points = {grade_id: value for grade_id, value, _ in graded}
    names = {task.name for task in known}
    if set(points) != names:
        raise ValueError(f"{path.name}: graded cells {sorted(points)} do not match the task "
                         f"definitions {sorted(names)}")
    return Plan(assignment, seed, points)


def write_calls(plan: Plan, path) -> None:
    """Write the file the harness reads: for each task, the function's name, how to call it and
    the arguments of every case (never an expected value)."""
    tasks = []
    for name in plan.tasks:
        task = plan.task(name)
        tasks.append({"task": name, "function": name, "call": task.call,
                      "calls": [(case.args, case.kwargs) for case in plan.cases[name]]})
    with open(path, "wb") as handle:
        pickle.dump({"format": CALLS_FORMAT, "assignment": plan.assignment, "seed": plan.seed,
                     "tasks": tasks}, handle, protocol=4)


# ---------------------------------------------------------------- reading what came back


def _read_json(path, limit: int):
    """The JSON at ``path`` if it is a regular file within ``limit`` bytes, else (None, why)."""
    from .harness import read_capped

    path = Path(path)
    if not path.exists() and not path.is_symlink():
        return None, "no results were written"
    try:
        data = read_capped(path, limit)
        if data is None:
            return None, f"the results file is larger than {limit // 2**20} MiB"
        return json.loads(data), None
    except (OSError, ValueError, RecursionError) as error:
        return None, f"the results could not be read ({type(error).__name__})"


def _last_progress(progress_path) -> str | None:
    if progress_path is None:
        return None
    try:
        with open(progress_path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - MAX_PROGRESS))
            lines = handle.read().decode("utf-8", "replace").splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        kind, _, what = line.strip().partition(" ")
        if kind in ("cell", "task") and what:
            return f"it was stopped while running {kind} {what.split()[0][:100]}"
        if kind == "done":
            return None
    return None


def _outcomes(entry: dict, n_cases: int) -> list:
    raw = entry.get("outcomes")
    if not isinstance(raw, list) or len(raw) > n_cases:
        raise wire.WireError("the outcomes are not a list of at most one per case")
    outcomes = []
    for item in raw:
        if not isinstance(item, dict) or item.get("kind") not in OUTCOME_KINDS:
            raise wire.WireError("an outcome of an unknown kind")
        error = item.get("error", "")
        if not isinstance(error, str):
            raise wire.WireError("an error message that is not text")
        value = wire.decode(item.get("value")) if item["kind"] == "returned" else None
        outcomes.append(core.Outcome(item["kind"], value, error[:500]))
    return outcomes


def _names(value) -> list[str]:
    if not isinstance(value, list):
        return []
    return [v for v in value if isinstance(v, str) and len(v) < 300][:1000]


def reference_use(task, static: source_check.SourceFacts | None, entry: dict | None) -> list:
    """Why the task's function counts as the course's own implementation (empty if it does not):
    from the source (names it depends on, course names the code replaces) and from the kernel's
    facts (course objects the function reaches; course functions replaced by notebook code)."""
    references = tuple(task.references) + ALWAYS_REFERENCES
    reasons = []

    def hit(name):
        return any(source_check.matches(name, r) for r in references)

    if static is not None:
        used = sorted(n for n in static.uses.get(task.name, ()) if hit(n))
        if used:
            path = source_check.route(static, task.name, hit)
            through = f" through {' -> '.join(path[1:4])}" if len(path) > 1 else ""
            reasons.append(f"{task.name} uses {', '.join(used[:3])}{through} (in the source)")
        patched = sorted(n for n in static.patched if hit(n))
        if patched:
            reasons.append(f"the notebook replaces {', '.join(patched[:3])}")
    facts = entry.get("facts", {}) if isinstance(entry, dict) else {}
    if isinstance(facts, dict):
        reached = sorted(n for n in _names(facts.get("reaches")) if hit(n))
        if reached:
            reasons.append(f"{task.name} reaches {', '.join(reached[:3])} (in the kernel)")
        origin = facts.get("origin")
        if isinstance(origin, str) and hit(origin):
            reasons.append(f"{task.name} is {origin[:100]}")
        called = sorted(n for n in _names(facts.get("called")) if hit(n))
        if called:
            reasons.append(f"{task.name} called {', '.join(called[:3])} (at run time)")
        if facts.get("tracing_intact") is False:
            reasons.append(f"{task.name} switched off the grader's call tracing")
        replaced = sorted(n for n in _names(facts.get("replaced")) if hit(n))
        if replaced:
            reasons.append(f"the kernel's {', '.join(replaced[:3])} was replaced by notebook "
                           "code")
    return list(dict.fromkeys(reasons))


def _static_facts(notebook):
    if notebook is None:
        return None
    if isinstance(notebook, dict):
        return source_check.analyse(notebook)
    data, _ = _read_json(notebook, MAX_RESULTS)
    return source_check.analyse(data if isinstance(data, dict) else {})


def _notebook_flags(static, results) -> tuple[list, list]:
    """(flags that cost every task its points, informational flags) for the whole notebook."""
    zero, info = [], []
    if static is not None:
        zero += [f"dynamic-code: {d}" for d in dict.fromkeys(static.dynamic)][:5]
        info += [f"tampering: {t}" for t in dict.fromkeys(static.tampering)][:5]
    replaced = set()
    for entry in (results or {}).get("tasks", {}).values() if isinstance(results, dict) else ():
        if isinstance(entry, dict) and isinstance(entry.get("facts"), dict):
            replaced.update(_names(entry["facts"].get("replaced")))
    if replaced:
        info.append(f"tampering: notebook code replaced {', '.join(sorted(replaced)[:5])}")
    return zero, info


def _cell_note(results) -> str:
    """A hint about cells that stopped (time-outs, a killed kernel) for messages."""
    cells = results.get("cells") if isinstance(results, dict) else None
    if not isinstance(cells, list):
        return ""
    for cell in cells:
        if isinstance(cell, dict) and cell.get("status") in ("timeout", "dead"):
            index = cell.get("index")
            return (f" (cell {index if isinstance(index, int) else '?'} ran out of time or "
                    "crashed, so later definitions may be missing)")
    return ""


def score(plan: Plan, results_path, notebook=None, progress_path=None) -> list[TaskResult]:
    """Judge the harness's results (untrusted) against this plan's expected values.

    Parameters
    ----------
    plan : the :class:`Plan` the calls were written from
    results_path : RESULTS written by the harness; read with a size cap, as JSON, values rebuilt
        by :func:`mlpcourse.grading.wire.decode` (never unpickled)
    notebook : the submission as the grader read it (a path, or the notebook as a dict /
        NotebookNode), for the static reference-use check; None skips that check
    progress_path : the harness's PROGRESS file, to say where a run that wrote no results stopped

    Returns
    -------
    list of TaskResult, one per task in notebook order; never raises for a bad submission.
    """
    results, problem = _read_json(results_path, MAX_RESULTS)
    if results is not None and (not isinstance(results, dict) or
                                results.get("format") != RESULTS_FORMAT or
                                not isinstance(results.get("tasks"), dict)):
        results, problem = None, "the results are not in the expected format"
    static = _static_facts(notebook)
    zero_flags, info_flags = _notebook_flags(static, results)
    rows = []
    for name in plan.tasks:
        task, most = plan.task(name), plan.points[name]
        if results is None:
            where = _last_progress(progress_path)
            message = f"{name}: no result: {problem}" + (f"; {where}" if where else "")
            rows.append(TaskResult(name, 0.0, most, message, list(info_flags)))
            continue
        entry = results["tasks"].get(name)
        message, fraction, flags = _judge_entry(plan, task, entry, results)
        reasons = reference_use(task, static, entry)
        flags += [f"reference-use: {r}" for r in reasons] + zero_flags + info_flags
        if reasons or zero_flags:
            fraction = 0.0
            why = reasons[0] if reasons else zero_flags[0]
            message = f"{name}: no points: {why} ({message})"
        rows.append(TaskResult(name, round(most * fraction, 2), most, message, flags))
    return rows


def _judge_entry(plan: Plan, task, entry, results) -> tuple[str, float, list]:
    name = task.name
    if not isinstance(entry, dict):
        stopped = results.get("stopped")
        reason = stopped if isinstance(stopped, str) else "the task was not run"
        return f"{name}: no result: {reason[:300]}", 0.0, []
    state = entry.get("state")
    if state == "missing":
        report = core.CheckReport(name, attempted=False, note="the function is not defined")
        return report.summary() + _cell_note(results), 0.0, []
    if state == "not_callable":
        shown = entry.get("describe") if isinstance(entry.get("describe"), str) else "something"
        return f"{name}: expected a function; got {shown[:100]}", 0.0, []
    if state in ("hung", "not_run", "no_result", "too_large"):
        reason = entry.get("reason") if isinstance(entry.get("reason"), str) else ""
        text = {"hung": "calling the function did not end (endless loop?)",
                "not_run": "not run", "no_result": "the kernel wrote no result",
                "too_large": "the result was too large"}[state]
        return f"{name}: {text}" + (f": {reason[:300]}" if reason else ""), 0.0, []
    if state != "ok":
        return f"{name}: the results of this task could not be read", 0.0, ["bad-results"]
    cases = plan.cases[name]
    try:
        outcomes = _outcomes(entry, len(cases))
    except wire.WireError as error:
        return (f"{name}: the results of this task could not be read ({error})", 0.0,
                ["bad-results"])
    if not outcomes:
        return f"{name}: no case was run", 0.0, []
    report = core.judge(name, cases, outcomes, time_limit=None)
    if report.passed and task.note:
        report.note = task.note
    return report.summary(), report.fraction, []
