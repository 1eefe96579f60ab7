"""Grade a class: run every submitted notebook in a fresh kernel and collect the check results.

``python -m mlpcourse grade PATH... --csv grades.csv``

For each submission (a notebook, or every notebook under a folder) the grader:

1. works on a copy in a temporary folder (the submission itself is never modified);
2. recognises the assignment (notebook metadata, else the file name) and takes the graded cells
   from the solution notebook: a student cannot change what a check does, and a deleted check
   cell still runs (appended at the end);
3. executes the notebook cell by cell in a fresh kernel with a time limit per cell (a cell that
   runs too long is interrupted and the rest still runs; a dead kernel is reported);
4. reads each check's JSON result and writes one CSV row per task: ``notebook, task, points,
   max_points, message``, and prints a total per notebook.
"""

from __future__ import annotations

import csv
import json
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from .assignments import assignment_of, grade_cells
from .checkers.core import MIME

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


@dataclass
class Row:
    notebook: str
    task: str
    points: float
    max_points: float
    message: str


def find_notebooks(paths) -> list[Path]:
    """Notebooks named by ``paths``: files as given, folders searched recursively (checkpoints
    skipped), in a stable order."""
    found = []
    for path in map(Path, paths):
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"PATH {path} does not exist")
    return found


def _check_result(cell) -> tuple[dict | None, str | None]:
    """The check's JSON result in a cell's outputs, or the error the cell raised."""
    result, error = None, None
    for output in cell.get("outputs", []):
        data = output.get("data", {})
        if MIME in data:
            result = data[MIME]
            if isinstance(result, str):
                result = json.loads(result)
        if output.get("output_type") == "error":
            error = f"{output.get('ename')}: {output.get('evalue')}"
    return result, error


def _execute(nb, workdir: Path, cell_timeout: float) -> dict:
    """Run every code cell; return {cell index: problem message} for timeouts and a dead kernel."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
                            interrupt_on_timeout=True, record_timing=False,
                            resources={"metadata": {"path": str(workdir)}})
    problems = {}
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except CellTimeoutError:
                problems[index] = f"a cell ran longer than {cell_timeout:g} s and was stopped"
            except DeadKernelError:
                for later in range(index, len(nb.cells)):
                    problems[later] = "the kernel died (the notebook crashed Python)"
                break
    return problems


def grade_notebook(path: Path, solutions_dir=SOLUTIONS, cell_timeout: float = 60.0) -> list[Row]:
    """Grade one submission; never raises for a broken submission (its rows say what happened)."""
    path = Path(path)
    known = sorted(p.stem for p in Path(solutions_dir).glob("*.ipynb"))
    name = assignment_of(path, known)
    if name is None:
        return [Row(str(path), "(unknown)", 0.0, 0.0,
                    f"cannot tell which assignment this is (expected one of {known})")]
    source = nbformat.read(str(Path(solutions_dir) / f"{name}.ipynb"), as_version=4)
    tasks = grade_cells(source)
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception as error:  # noqa: BLE001 (invalid JSON, not a notebook...)
        reason = f"not a valid notebook ({type(error).__name__}); nothing could run"
        return [Row(str(path), task, 0.0, points, reason) for task, points, _ in tasks]

    # the checks as the solution defines them; a deleted check cell is appended at the end
    by_id = {grade_id: cell for grade_id, _, cell in grade_cells(nb)}
    missing = []
    for grade_id, _, cell in tasks:
        if grade_id in by_id:
            by_id[grade_id].source = cell.source
            by_id[grade_id].outputs = []
        else:
            copy = nbformat.v4.new_code_cell(cell.source)
            copy.metadata["nbgrader"] = dict(cell.metadata["nbgrader"])
            nb.cells.append(copy)
            missing.append(grade_id)
    with tempfile.TemporaryDirectory(prefix="mlpcourse-grade-") as tmp:
        workdir = Path(tmp)
        shutil.copy2(path, workdir / path.name)  # the student's folder is never written to
        problems = _execute(nb, workdir, cell_timeout)

    rows = []
    cells = {c.metadata.get("nbgrader", {}).get("grade_id"): (i, c) for i, c in enumerate(nb.cells)}
    for grade_id, points, _ in tasks:
        index, cell = cells[grade_id]
        result, error = _check_result(cell)
        if index in problems:
            message, score = problems[index], 0.0
        elif result is not None:
            score = round(points * float(result.get("fraction", 0.0)), 2)
            message = result.get("summary", "")
        elif error and error.startswith("NotImplementedError"):
            message, score = f"{grade_id}: not attempted yet", 0.0
        elif error:
            message, score = f"the check could not run: {error}", 0.0
        else:
            message, score = "the check produced no result", 0.0
        if grade_id in missing:
            message += " (the check cell was missing from the submission and was restored)"
        rows.append(Row(str(path), grade_id, score, points, message))
    return rows


def grade(paths, csv_path=None, solutions_dir=SOLUTIONS, cell_timeout=60.0, out=None):
    """Grade every submission under ``paths``; write the CSV; print progress and totals to
    ``out`` (standard output by default)."""
    out = out or sys.stdout
    notebooks = find_notebooks(paths)
    all_rows = []
    for number, path in enumerate(notebooks, start=1):
        print(f"[{number}/{len(notebooks)}] {path} ...", file=out, flush=True)
        rows = grade_notebook(path, solutions_dir, cell_timeout)
        got = sum(r.points for r in rows)
        total = sum(r.max_points for r in rows)
        print(f"    total {got:g} / {total:g}", file=out, flush=True)
        all_rows += rows
    if csv_path is not None:
        with open(csv_path, "w", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["notebook", "task", "points", "max_points", "message"])
            for r in all_rows:
                writer.writerow([r.notebook, r.task, f"{r.points:g}", f"{r.max_points:g}",
                                 r.message])
    return all_rows
