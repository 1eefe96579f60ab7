"""Exercise notebooks generated from the solution notebooks (the single source), nbgrader-style.

Markers and metadata are nbgrader's, so a lecturer who uses nbgrader can take ``solutions/`` as a
source folder as it is:

- In code cells, the lines between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` become
  ``# YOUR CODE HERE`` and ``raise NotImplementedError()`` (same indentation).
- Blocks between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` are removed.
- Markdown answer cells (``metadata.nbgrader.solution``) become "YOUR ANSWER HERE" (only the marked
  region, if it has markers).
- Outputs, execution counts and widget state are cleared; ``metadata.nbgrader`` is kept.
- The launch cell (Colab and Binder links, :mod:`mlpcourse.launch`) links the exercise, never
  the solution it was made from.

A generated exercise records a checksum of its cells; if the file on disk no longer matches it,
somebody (a student) has edited it, and it is never overwritten: the edited file is kept and the
generator stops with a message (``force=True`` moves it aside to a backup first).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from pathlib import Path

import nbformat

from .launch import LAUNCH_TAG, has_tag, launch_source

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
CODE_STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
ANSWER_STUB = "YOUR ANSWER HERE"


class EditedExerciseError(RuntimeError):
    """An exercise file on disk was edited since it was generated; it was left untouched."""


def _replace_regions(source: str, begin: str, end: str, stub) -> str:
    """Replace every begin..end region (markers included) by ``stub(indent)`` lines."""
    lines, out, inside = source.split("\n"), [], False
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped == begin:
            if inside:
                raise ValueError(f"nested {begin!r} at line {number}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + s if s else s for s in stub)
        elif stripped == end:
            if not inside:
                raise ValueError(f"{end!r} without {begin!r} at line {number}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{begin!r} without {end!r}")
    return "\n".join(out)


def strip_solution(source: str, cell_type: str = "code") -> str:
    """The exercise version of one cell's source."""
    if cell_type == "markdown":
        if BEGIN in source:
            return _replace_regions(source, BEGIN, END, (ANSWER_STUB,))
        return ANSWER_STUB
    source = _replace_regions(source, BEGIN_HIDDEN, END_HIDDEN, ())
    return _replace_regions(source, BEGIN, END, CODE_STUB)


def _checksum(nb) -> str:
    cells = [{"cell_type": c.cell_type, "source": c.source} for c in nb.cells]
    return hashlib.sha256(json.dumps(cells, sort_keys=True).encode()).hexdigest()[:16]


def make_exercise(solution: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The exercise notebook for a solution notebook (a new object; the solution is unchanged)."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {k: v for k, v in solution.metadata.items() if k in ("kernelspec",
                                                                       "language_info")}
    for cell in solution.cells:
        grading = cell.metadata.get("nbgrader", {})
        source = cell.source
        if cell.cell_type == "code":
            source = strip_solution(source, "code")
            new = nbformat.v4.new_code_cell(source)
        elif cell.cell_type == "markdown":
            if grading.get("solution"):
                source = strip_solution(source, "markdown")
            elif has_tag(cell, LAUNCH_TAG):
                source = launch_source(f"exercises/{name}.ipynb")
            new = nbformat.v4.new_markdown_cell(source)
        else:
            new = nbformat.v4.new_raw_cell(source)
        if grading:
            new.metadata["nbgrader"] = dict(grading)
        if "tags" in cell.metadata:
            new.metadata["tags"] = list(cell.metadata["tags"])
        new.pop("id", None)
        nb.cells.append(new)
    nb.metadata["mlpcourse"] = {"assignment": name, "generated_from": f"solutions/{name}.ipynb"}
    nb.metadata["mlpcourse"]["checksum"] = _checksum(nb)
    return nb


def _text(nb) -> str:
    for cell in nb.cells:  # stable ids keep regeneration byte-identical
        cell.pop("id", None)
    nb.nbformat_minor = 4
    return nbformat.writes(nb) + "\n"


def is_edited(path: Path) -> bool:
    """True if the exercise at ``path`` no longer matches the checksum it was generated with."""
    try:
        nb = nbformat.read(str(path), as_version=4)
    except Exception:  # noqa: BLE001 (unreadable: treat as edited, never overwrite it)
        return True
    recorded = nb.metadata.get("mlpcourse", {}).get("checksum")
    return recorded is None or recorded != _checksum(nb)


def generate(solutions_dir="solutions", exercises_dir="exercises", force=False) -> list[Path]:
    """Write ``exercises/NAME.ipynb`` for every ``solutions/NAME.ipynb``; return the paths written.

    An existing exercise that was edited since it was generated is never overwritten: without
    ``force`` an EditedExerciseError names it; with ``force`` it is first renamed to
    ``NAME.edited-<time>.ipynb`` beside it.
    """
    solutions_dir, exercises_dir = Path(solutions_dir), Path(exercises_dir)
    sources = sorted(solutions_dir.glob("*.ipynb"))
    if not sources:
        raise FileNotFoundError(f"no solution notebooks (*.ipynb) in {solutions_dir}")
    exercises_dir.mkdir(parents=True, exist_ok=True)
    edited = [exercises_dir / s.name for s in sources
              if (exercises_dir / s.name).exists() and is_edited(exercises_dir / s.name)]
    if edited and not force:
        names = ", ".join(str(p) for p in edited)
        raise EditedExerciseError(
            f"{names} changed since it was generated (a student's work?); nothing was written. "
            "Move it away, or run with --force to keep it as a *.edited-<time>.ipynb backup.")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    for path in edited:
        path.rename(path.with_name(f"{path.stem}.edited-{stamp}.ipynb"))
    written = []
    for source in sources:
        exercise = make_exercise(nbformat.read(str(source), as_version=4), source.stem)
        target = exercises_dir / source.name
        text = _text(exercise)
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
        written.append(target)
    return written


def grade_cells(nb) -> list:
    """The graded cells of a notebook, in order: (grade_id, points, cell)."""
    out = []
    for cell in nb.cells:
        grading = cell.metadata.get("nbgrader", {})
        if grading.get("grade") and cell.cell_type == "code":
            out.append((grading["grade_id"], float(grading.get("points", 0)), cell))
    return out


def assignment_of(path: Path, known: list[str]) -> str | None:
    """The assignment a submission belongs to: from its metadata, else from its file name."""
    try:
        meta = json.loads(Path(path).read_text()).get("metadata", {})
        name = meta.get("mlpcourse", {}).get("assignment")
        if name in known:
            return name
    except Exception:  # noqa: BLE001 (invalid JSON: fall back to the file name)
        pass
    matches = [k for k in known if re.search(re.escape(k), Path(path).name)]
    return max(matches, key=len) if matches else None
