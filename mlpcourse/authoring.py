"""The lecturer's side of the exercises: add a graded task, and read a solution notebook's points.

``python -m mlpcourse new-task 05 softmax_delta --points 2`` calls :func:`new_task`. It adds, after
the last task of ``solutions/05_*.ipynb``:

- a Markdown heading ``## Task 10: ... (2 points)`` with a line to replace by the task's text,
- a solution cell (nbgrader ``solution``, grade id ``softmax_delta_code``) defining
  ``softmax_delta`` with its body between ``### BEGIN SOLUTION`` and ``### END SOLUTION``,
- a check cell (nbgrader ``grade``, grade id ``softmax_delta``, 2 points) calling
  ``check_softmax_delta(softmax_delta)``,

imports ``check_softmax_delta`` in the notebook's import cell, raises the total the introduction
states ("There are 10 tasks, 25 points in total"), and adds to ``mlpcourse/checkers/lesson05.py``
a task skeleton in the modules' style: ``_softmax_delta_cases(rng)`` (empty, for the lecturer to
fill), ``SOFTMAX_DELTA = Task(...)``, ``check_softmax_delta`` and its entries in ``__all__`` and
``TASKS``. It refuses, naming the argument, an unknown lesson, a name already used, a name that
is not a Python identifier and points that are not positive; it changes nothing unless every
edit can be made, and never replaces an existing cell or definition.

:func:`points_summary` reads what a solution notebook says about its points in three places (the
graded cells' metadata, the task headings and the introduction), so that tests can assert that
they agree with each other and with the checker module's ``TASKS``.
"""

from __future__ import annotations

import builtins
import hashlib
import keyword
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .assignments import BEGIN, END, grade_cells

HEADING = re.compile(r"^## Task (\d+):.*\((\d+(?:\.\d+)?) points?\)\s*$")
NUMBER = r"\d+(?:\.\d+)?"
STATED = (  # how an introduction states the totals (the words may wrap across lines)
    re.compile(rf"There are\s+(?P<tasks>\d+)\s+tasks,\s+(?P<points>{NUMBER})\s+points\s+in"
               r"\s+total"),
    re.compile(rf"Total:\s+(?P<points>{NUMBER})\s+points"))
IMPORT_CELL = re.compile(r"from mlpcourse\.checkers import \((?P<names>[^)]*)\)")
SCHEMA_VERSION = 3  # nbgrader's cell metadata schema, as in every solution notebook


class AuthoringError(ValueError):
    """A ``new-task`` request that cannot be carried out; nothing was written."""


@dataclass
class PointsSummary:
    """What one solution notebook says about its points.

    Attributes
    ----------
    tasks : [(grade_id, points)] of the graded cells, in notebook order (the nbgrader metadata)
    headings : {grade_id: (task number, points)} from the ``## Task k: ... (P points)`` heading
        above each graded cell (a graded cell without one is missing)
    stated_tasks, stated_points : the counts the introduction states, or None where it states none
    """

    tasks: list
    headings: dict
    stated_tasks: int | None
    stated_points: float | None

    @property
    def total(self) -> float:
        return sum(points for _, points in self.tasks)


def _number(text: str) -> float:
    value = float(text)
    return int(value) if value.is_integer() else value


def _stated_match(nb):
    """(Markdown cell, match) of the first statement of the totals (the introduction's), or
    (None, None)."""
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for pattern in STATED:
                match = pattern.search(cell.source)
                if match:
                    return cell, match
    return None, None


def _stated(nb) -> tuple:
    """(tasks, points) the introduction states, None where it does not."""
    _, match = _stated_match(nb)
    if match is None:
        return None, None
    tasks = match.groupdict().get("tasks")
    return (int(tasks) if tasks else None), _number(match["points"])


def points_summary(nb) -> PointsSummary:
    """The points of a solution notebook (an ``nbformat`` notebook) as its metadata, its task
    headings and its introduction state them (see :class:`PointsSummary`)."""
    headings, current = {}, None
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            match = HEADING.match(cell.source.split("\n", 1)[0])
            if match:
                current = (int(match[1]), _number(match[2]))
        grading = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and grading.get("grade") and current is not None:
            headings[grading["grade_id"]] = current
    tasks = [(grade_id, _number(str(points))) for grade_id, points, _ in grade_cells(nb)]
    return PointsSummary(tasks, headings, *_stated(nb))


def disagreements(nb, task_names) -> list[str]:
    """Where a solution notebook and its checker module's task list (``task_names``, the names of
    ``TASKS`` in order) disagree about the graded tasks; empty when they agree.

    They agree when the graded cells are exactly the tasks, in order, each a check cell
    ``check_<task>(<task>)`` after a solution cell ``<task>_code`` and under a heading
    ``## Task k: ... (P points)`` (k = 1, 2, ... in order) whose P is the cell's points (> 0), the
    import cell imports every ``check_<task>``, and the introduction states the number of tasks
    (if it does) and the points in total.
    """
    problems, summary = [], points_summary(nb)
    ids = [grade_id for grade_id, _ in summary.tasks]
    if ids != list(task_names):
        problems.append(f"graded cells {ids} are not the checker's tasks {list(task_names)}")
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): (i, c) for i, c in enumerate(nb.cells)
             if c.metadata.get("nbgrader", {}).get("grade_id")}
    imports = "\n".join(c.source for c in nb.cells if c.cell_type == "code"
                        and IMPORT_CELL.search(c.source))
    for number, (grade_id, points) in enumerate(summary.tasks, start=1):
        index, cell = cells[grade_id]
        before = cells.get(f"{grade_id}_code")
        if not points > 0:
            problems.append(f"{grade_id}: points must be positive; got {points}")
        if summary.headings.get(grade_id) != (number, points):
            problems.append(f"{grade_id}: the heading above says (task, points) = "
                            f"{summary.headings.get(grade_id)}; the metadata make it "
                            f"{(number, points)}")
        if cell.source.splitlines()[-1:] != [f"check_{grade_id}({grade_id})"]:
            problems.append(f"{grade_id}: the check cell must end in check_{grade_id}({grade_id})")
        if before is None or before[0] > index or not before[1].metadata["nbgrader"].get(
                "solution"):
            problems.append(f"{grade_id}: no solution cell {grade_id}_code before its check")
        if not re.search(rf"\bcheck_{grade_id}\b", imports):
            problems.append(f"{grade_id}: the import cell does not import check_{grade_id}")
    if summary.stated_points != summary.total:
        problems.append(f"the introduction states {summary.stated_points} points in total; the "
                        f"graded cells add up to {summary.total}")
    if summary.stated_tasks not in (None, len(summary.tasks)):
        problems.append(f"the introduction states {summary.stated_tasks} tasks; there are "
                        f"{len(summary.tasks)}")
    return problems


# ---------------------------------------------------------------- new-task: finding the files

def lesson_files(lesson: str, root=".") -> tuple[Path, Path]:
    """(solution notebook, checker module) of ``lesson`` ("05" or "5") under ``root``."""
    root = Path(root)
    checkers = root / "mlpcourse" / "checkers"
    if not checkers.is_dir():
        raise AuthoringError(f"--root must be the repository's top folder (with "
                             f"mlpcourse/checkers/); got {str(root)!r}")
    known = sorted(p.stem[len("lesson"):] for p in checkers.glob("lesson[0-9][0-9].py"))
    number = lesson.zfill(2) if lesson.isdigit() else lesson
    solutions = sorted((root / "solutions").glob(f"{number}_*.ipynb"))
    if number not in known or len(solutions) != 1:
        raise AuthoringError(f"LESSON must be a lesson with a solution notebook and a checker "
                             f"module, one of {', '.join(known)}; got {lesson!r}")
    return solutions[0], checkers / f"lesson{number}.py"


def _check_name(name: str, nb, checkers_dir: Path) -> None:
    if not name.isidentifier() or keyword.iskeyword(name) or not name.islower() \
            or name.startswith("_"):
        raise AuthoringError(f"NAME must be a lower-case Python identifier such as softmax_delta "
                             f"(the student's function); got {name!r}")
    defines = re.compile(rf"^(?:def\s+{name}\b|{name}\s*=[^=]|(?:from|import)\s.*\b{name}\b)", re.M)
    if hasattr(builtins, name) or any(defines.search(c.source) for c in nb.cells
                                      if c.cell_type == "code"):
        raise AuthoringError(f"NAME must be new: the notebook (or Python) already defines "
                             f"{name!r}; got {name!r}")
    ids = {c.metadata.get("nbgrader", {}).get("grade_id") for c in nb.cells}
    taken = {name, f"{name}_code"} & ids
    if taken:
        raise AuthoringError(f"NAME must be new: the notebook already has the grade id "
                             f"{sorted(taken)[0]!r}; got {name!r}")
    pattern = re.compile(rf"\b(check_{name}|_{name}_cases|{name.upper()})\b")
    for path in sorted(checkers_dir.glob("*.py")):
        match = pattern.search(path.read_text())
        if match:
            raise AuthoringError(f"NAME must be new: mlpcourse/checkers/{path.name} already "
                                 f"defines {match[1]}; got {name!r}")


def _check_points(points) -> float:
    try:
        value = float(points)
    except (TypeError, ValueError):
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise AuthoringError(f"--points must be a positive number; got {points!r}")
    return int(value) if value.is_integer() else value


# ---------------------------------------------------------------- new-task: the notebook


def _grading(grade_id: str, *, grade: bool, points=0) -> dict:
    """The nbgrader metadata of a solution cell (``grade`` False) or a check cell (True), with
    every key the existing cells carry."""
    return {"grade": grade, "grade_id": grade_id, "locked": grade, "points": points if grade else 0,
            "schema_version": SCHEMA_VERSION, "solution": not grade, "task": False}


def _cell_id(nb, name: str, kind: str) -> str:
    """A stable cell id, unique in ``nb`` (nbformat 4.5 notebooks need one per cell)."""
    ids = {c.get("id") for c in nb.cells}
    for salt in range(100):
        candidate = hashlib.sha1(f"{name}/{kind}/{salt}".encode()).hexdigest()[:8]
        if candidate not in ids:
            return candidate
    raise AuthoringError(f"no free cell id for {name}")  # pragma: no cover (100 collisions)


def _task_cells(nb, name: str, points, number: int, title: str, args: str) -> list:
    plural = "point" if points == 1 else "points"
    heading = nbformat.v4.new_markdown_cell(
        f"## Task {number}: {title} ({points} {plural})\n\n"
        f"*Replace this line with the task: what `{name}({args})` takes and returns, with "
        f"shapes, and the lecture's equation it implements.*")
    solution = nbformat.v4.new_code_cell(
        f"def {name}({args}):\n"
        f'    """What {name} returns, with shapes."""\n'
        f"    {BEGIN}\n"
        f'    raise NotImplementedError("the reference solution of {name} goes here")\n'
        f"    {END}")
    solution.metadata["nbgrader"] = _grading(f"{name}_code", grade=False)
    check = nbformat.v4.new_code_cell(f"check_{name}({name})")
    check.metadata["nbgrader"] = _grading(name, grade=True, points=points)
    for cell, kind in ((heading, "heading"), (solution, "solution"), (check, "check")):
        cell["id"] = _cell_id(nb, name, kind)
    return [heading, solution, check]


def _add_import(nb, name: str) -> bool:
    """Add ``check_<name>`` to the cell ``from mlpcourse.checkers import (...)``; False if the
    notebook has no such cell."""
    for cell in nb.cells:
        match = IMPORT_CELL.search(cell.source) if cell.cell_type == "code" else None
        if match:
            names = match["names"].rstrip()
            names += ("," if names and not names.endswith(",") else "") + f"\n    check_{name},\n"
            cell.source = cell.source[:match.start("names")] + names + \
                cell.source[match.end("names"):]
            return True
    return False


def _raise_stated_total(nb, points) -> bool:
    """Add one task and ``points`` to what the introduction states; False if it states nothing
    or something that did not match the notebook before (then it is left for the lecturer)."""
    summary = points_summary(nb)
    if summary.stated_points is None:
        return False
    if summary.stated_points != summary.total or summary.stated_tasks not in (None,
                                                                              len(summary.tasks)):
        return False
    cell, match = _stated_match(nb)
    numbers = {"points": str(_number(str(summary.total + points))),
               "tasks": str(len(summary.tasks) + 1)}
    # replace the numbers from the last one back, so that the earlier spans stay valid
    for group in sorted(match.groupdict(), key=match.start, reverse=True):
        start, end = match.span(group)
        cell.source = cell.source[:start] + numbers[group] + cell.source[end:]
    return True


# ---------------------------------------------------------------- new-task: the checker module

def _checker_skeleton(name: str, points, args: str) -> str:
    upper = name.upper()
    rule = f"# --- {name} (added by new-task: write its cases) "
    return f'''

{rule + "-" * max(3, 100 - len(rule))}

def _{name}_cases(rng):
    """The cases of {name}: the fixed ones the notebook's check runs and, when ``rng`` is a
    Generator, fresh random ones for the grader. Each is ``Case(description, args, expected)``,
    with ``expected`` computed from the course's engine or the lecture's formula, e.g.
    ``Case("x = [1, 2]", (np.array([1.0, 2.0]),), expected)``."""
    cases = []
    if rng is not None:
        pass  # e.g. x = rng.normal(size=3); cases.append(Case("a random x " + FRESH, (x,), ...))
    return cases


# references: the course's own implementation (dotted names); a graded function using it scores 0
{upper} = Task("{name}", _{name}_cases, references=())


def check_{name}({name}):
    """{name}({args}): what it computes ({points} {"point" if points == 1 else "points"})."""
    return {upper}.check({name})
'''


def _edit_checker(text: str, name: str, points, args: str, path: Path) -> str:
    all_match = re.search(r"^__all__ = \[\n(?P<body>(?:    .*\n)*?)\]", text, re.M)
    tasks_match = re.search(r"^TASKS = \[(?P<body>[^\]]*)\]", text, re.M)
    if not all_match or not tasks_match:
        raise AuthoringError(f"{path} must have an ``__all__ = [...]`` list (one name a line) and "
                             f"a ``TASKS = [...]`` list, as the other lesson modules do")
    names = re.findall(r'"([^"]+)"', all_match["body"]) + [f"check_{name}"]
    body = "".join(f'    "{n}",\n' for n in sorted(names))
    tasks_body = tasks_match["body"].rstrip().rstrip(",")
    tasks = (f"TASKS = [{tasks_body},\n         {name.upper()}]" if tasks_body.strip()
             else f"TASKS = [{name.upper()}]")
    if len(tasks.splitlines()[-1]) > 100:  # pragma: no cover (the wrapped line is short)
        raise AuthoringError(f"the TASKS list of {path} is too long to extend")
    skeleton = _checker_skeleton(name, points, args)
    text = (text[:tasks_match.start()].rstrip("\n") + "\n" + skeleton + "\n\n" + tasks
            + text[tasks_match.end():])
    all_match = re.search(r"^__all__ = \[\n(?P<body>(?:    .*\n)*?)\]", text, re.M)
    text = text[:all_match.start("body")] + body + text[all_match.end("body"):]
    return _import_task(text)


def _import_order(name: str):
    """isort's order-by-type, as ruff applies it: CONSTANTS, then Classes, then functions."""
    return (0 if name.isupper() and len(name) > 1 else 1 if name[0].isupper() else 2, name)


def _import_task(text: str) -> str:
    """``text`` with ``Task`` imported from ``.core`` (the skeleton's one name), in ruff's order."""
    match = re.search(r"^from \.core import (?:\((?P<block>[^)]*)\)|(?P<line>[^\n(]+))$", text,
                      re.M)
    if match is None:  # a module without imports from .core yet (a new lesson): before __all__
        return re.sub(r"^__all__ = ", "from .core import Task\n\n__all__ = ", text, count=1,
                      flags=re.M)
    names = [n.strip() for n in (match["block"] or match["line"]).split(",") if n.strip()]
    if "Task" in names:
        return text
    names = sorted([*names, "Task"], key=_import_order)
    line = f"from .core import {', '.join(names)}"
    if len(line) > 100:
        line = "from .core import (\n" + "".join(f"    {n},\n" for n in names) + ")"
    return text[:match.start()] + line + text[match.end():]


# ---------------------------------------------------------------- new-task


def _write_both(texts: dict) -> None:
    """Write every {path: text}: all to temporary files first, then each moved into place, so a
    failed write (a full disk, a read-only file) leaves the originals as they were."""
    written = {}
    try:
        for path, text in texts.items():
            temporary = path.with_name(f".{path.name}.new-task")
            temporary.write_text(text)
            written[path] = temporary
    except OSError:
        for temporary in written.values():
            temporary.unlink(missing_ok=True)
        raise
    for path, temporary in written.items():
        temporary.replace(path)


@dataclass
class NewTask:
    """What :func:`new_task` wrote: the two files, the task number and what else it updated."""

    solution: Path
    checker: Path
    number: int
    imported: bool
    total_updated: bool


def new_task(lesson: str, name: str, points, root=".", title: str | None = None,
             args: str = "x") -> NewTask:
    """Add the graded task ``name`` worth ``points`` to lesson ``lesson`` (see the module
    docstring); returns what was written. Raises :class:`AuthoringError` (nothing written) for an
    unknown lesson, a name in use, a name that is not an identifier, or non-positive points."""
    solution_path, checker_path = lesson_files(str(lesson), root)
    nb = nbformat.read(str(solution_path), as_version=4)
    checker_text = checker_path.read_text()
    _check_name(name, nb, checker_path.parent)
    points = _check_points(points)
    if not re.fullmatch(r"[A-Za-z_][\w ,=*.\-]*", args or ""):
        raise AuthoringError(f"--args must be the function's parameters, e.g. 'z, y'; got {args!r}")
    graded = [i for i, c in enumerate(nb.cells) if c.metadata.get("nbgrader", {}).get("grade")]
    numbers = [n for n, _ in points_summary(nb).headings.values()]
    number = max(numbers, default=0) + 1
    cells = _task_cells(nb, name, points, number, title or name.replace("_", " "), args)
    new_checker = _edit_checker(checker_text, name, points, args, checker_path)
    compile(new_checker, str(checker_path), "exec")  # a broken module is never written
    imported = _add_import(nb, name)
    if not imported:
        cells[2].source = f"from mlpcourse.checkers import check_{name}\n\n" + cells[2].source
    total_updated = _raise_stated_total(nb, points)
    at = graded[-1] + 1 if graded else len(nb.cells)
    nb.cells[at:at] = cells
    nbformat.validate(nb)
    _write_both({solution_path: nbformat.writes(nb) + "\n", checker_path: new_checker})
    return NewTask(solution_path, checker_path, number, imported, total_updated)
