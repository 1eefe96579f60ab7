"""nbgrader's side of the grading benchmark, and the nbgrader course that
tests/test_nbgrader_roundtrip.py grades.

nbgrader (0.9) takes the course's ``solutions/`` as its source folder: every
``solutions/NN_name.ipynb`` becomes ``source/NN_name/NN_name.ipynb``, one assignment per lesson.
This module builds such a course in a folder, releases every lesson with
``nbgrader generate_assignment``, puts submissions under ``submitted/<student>/<lesson>/``, runs
``nbgrader autograde`` lesson by lesson (timed) and reads the scores back from
``nbgrader export``::

    .venv/bin/python benchmarks/grading_nbgrader.py                  # 3 students per lesson
    .venv/bin/python benchmarks/grading_nbgrader.py SUBMISSION.ipynb ...
    .venv/bin/python benchmarks/grading_nbgrader.py --out nbgrader.json --keep /tmp/course

The default submissions, for every lesson: ``untouched`` (the released exercise as generated),
``solution`` (``solutions/NN_name.ipynb`` itself) and ``partial`` (the released exercise with some
tasks solved, some left as generated and some wrong: :func:`partial_submission`). Given
notebooks are assigned to a lesson by :func:`mlpcourse.assignments.assignment_of` (metadata, else
file name); the benchmark of ``python -m mlpcourse grade`` (benchmarks/grading.py) can pass its
own submissions to :func:`benchmark`, so both graders are timed on the same notebooks.

nbgrader grades one notebook at a time in one process (its gradebook is one SQLite file), so its
notebooks per second are per core; the CPU seconds of nbgrader and its kernels are reported too.

Only for honest submissions: nbgrader runs the student's code in an ordinary kernel as the
grader's own user, without a sandbox. Never give it the attack submissions of the grader tests.
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
NBGRADER_CONFIG = """\
c = get_config()
c.CourseDirectory.course_id = "mlpcourse"
c.CourseDirectory.root = {root!r}
# seconds one cell may run before nbgrader interrupts it (and scores that cell 0)
c.Execute.timeout = {timeout}
"""
# The partial submission cycles through these states task by task; a task with a planted bug
# below is always "wrong".
STATES = ("solved", "untouched", "solved", "wrong")
# Realistic bugs that still pass some of their task's cases, by solution cell grade_id:
# (text in the solution, its wrong version). A check that passes 3 cases of 5 must still give 0.
PLANTED = {
    "step_output_code": ("(np.asarray(h) > theta)", "(np.asarray(h) >= theta)"),
    "relu_prime_code": ("(np.asarray(z) > 0)", "(np.asarray(z) >= 0)"),
    "softmax_code": ("np.exp(z - np.max(z, axis=-1, keepdims=True))", "np.exp(z)"),
}


@dataclass
class Task:
    """One graded task of a notebook: its grade cell and the solution cells before it."""

    grade_id: str
    points: float
    grade_cell: int
    solution_cells: list[int]


def tasks(nb) -> list[Task]:
    """The graded tasks of a notebook in order. A task owns the solution cells between the
    previous grade cell and its own (a cell that is both counts for its own task)."""
    found, pending = [], []
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader", {})
        if not isinstance(meta, dict) or cell.cell_type != "code":
            continue
        if meta.get("solution"):
            pending.append(index)
        if meta.get("grade"):
            found.append(Task(str(meta["grade_id"]), float(meta.get("points", 0)), index, pending))
            pending = []
    return found


def total_points(nb) -> float:
    """The sum of the points of a notebook's grade cells (its full marks)."""
    return sum(task.points for task in tasks(nb))


def partial_states(nb) -> dict[str, str]:
    """grade_id -> "solved", "untouched" or "wrong" for the partial submission: the cycle
    :data:`STATES` over the tasks in order, and "wrong" for every task with a planted bug."""
    states = {}
    for number, task in enumerate(tasks(nb)):
        ids = {nb.cells[i].metadata["nbgrader"]["grade_id"] for i in task.solution_cells}
        states[task.grade_id] = "wrong" if ids & set(PLANTED) else STATES[number % len(STATES)]
    return states


def wrong_version(source: str, grade_id: str) -> str:
    """A solution cell made wrong: its planted bug (:data:`PLANTED`), else every solution region
    replaced by ``return None`` (``pass`` outside a function), a "forgot to return" mistake."""
    if grade_id in PLANTED:
        right, wrong = PLANTED[grade_id]
        if right not in source:
            raise ValueError(f"solution cell {grade_id!r} no longer contains {right!r}: update "
                             "PLANTED in benchmarks/grading_nbgrader.py")
        return source.replace(right, wrong)
    out, inside = [], False
    for line in source.split("\n"):
        if line.strip() == BEGIN:
            indent = line[: len(line) - len(line.lstrip())]
            out.append(indent + ("return None" if indent else "pass"))
            inside = True
        elif line.strip() == END:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def partial_submission(release, solution, states: dict[str, str]):
    """The released exercise ``release`` (a notebook) as a student hands it in after working on
    some tasks: the solution cells of a "solved" task hold the solution's code, those of a
    "wrong" task :func:`wrong_version` of it, those of an "untouched" task stay as released."""
    nb = copy.deepcopy(release)
    answers = {task.grade_id: task for task in tasks(solution)}
    for task in tasks(nb):
        state = states[task.grade_id]
        if state not in ("solved", "wrong", "untouched"):
            raise ValueError(f"state of {task.grade_id!r} must be solved, wrong or untouched; "
                             f"got {state!r}")
        if state == "untouched":
            continue
        mine = answers[task.grade_id].solution_cells
        if len(mine) != len(task.solution_cells):
            raise ValueError(f"task {task.grade_id!r}: the solution has {len(mine)} solution "
                             f"cells, the release {len(task.solution_cells)}")
        for target, origin in zip(task.solution_cells, mine, strict=True):
            source = solution.cells[origin].source
            if state == "wrong":
                source = wrong_version(source, nb.cells[target].metadata["nbgrader"]["grade_id"])
            nb.cells[target].source = source
    return nb


# ----------------------------------------------------------------------------- running nbgrader


def nbgrader_env() -> dict:
    """The environment for nbgrader: this Python's bin folder first on PATH (nbgrader calls
    ``alembic`` from there), one BLAS thread, a non-interactive matplotlib, and no NBGRADER_*
    variables of our own (nbgrader sets them for its kernels)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NBGRADER_")}
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               MPLBACKEND="Agg", PYTHONWARNINGS="ignore::DeprecationWarning")
    return env


def run_nbgrader(course: Path, *args: str, timeout: float = 1800) -> str:
    """Run ``nbgrader ARGS`` in the course folder; return its log (stdout and stderr). Raises
    RuntimeError with the end of the log when nbgrader fails."""
    done = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course,
                          env=nbgrader_env(), capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    log = done.stdout + done.stderr
    if done.returncode != 0:
        raise RuntimeError(f"nbgrader {' '.join(args)} failed (exit {done.returncode}):\n"
                           + log[-4000:])
    return log


def nbgrader_version() -> str:
    """The installed nbgrader's version (from its package metadata)."""
    from importlib.metadata import version

    return version("nbgrader")


def make_course(course: Path, solutions: Path = SOLUTIONS, cell_timeout: int = 120) -> list[str]:
    """An nbgrader course in ``course`` with ``solutions/*.ipynb`` as its source, one assignment
    per notebook; return the assignment names (the notebook stems), sorted."""
    notebooks = sorted(Path(solutions).glob("*.ipynb"))
    if not notebooks:
        raise FileNotFoundError(f"no solution notebooks (*.ipynb) in {solutions}")
    course = Path(course)
    for notebook in notebooks:
        folder = course / "source" / notebook.stem
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(notebook, folder / notebook.name)
    (course / "nbgrader_config.py").write_text(
        NBGRADER_CONFIG.format(root=str(course.resolve()), timeout=int(cell_timeout)))
    return [notebook.stem for notebook in notebooks]


def generate(course: Path) -> str:
    """``nbgrader generate_assignment`` for every assignment of the course; return the log."""
    return run_nbgrader(course, "generate_assignment", "*", "--force")


def submit(course: Path, student: str, assignment: str, nb) -> Path:
    """Hand in ``nb`` (a notebook, or the path of one) as ``student``'s ``assignment``."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", student):
        raise ValueError(f"student must be letters, digits, '_', '.', '-'; got {student!r}")
    target = Path(course) / "submitted" / student / assignment / f"{assignment}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb, str | Path):
        shutil.copyfile(nb, target)
    else:
        nbformat.write(nb, str(target))
    return target


def released(course: Path, assignment: str):
    return nbformat.read(str(Path(course) / "release" / assignment / f"{assignment}.ipynb"),
                         as_version=4)


def source(course: Path, assignment: str):
    return nbformat.read(str(Path(course) / "source" / assignment / f"{assignment}.ipynb"),
                         as_version=4)


def submit_defaults(course: Path, assignments: list[str]) -> list[tuple[str, str]]:
    """The three default students for every assignment: untouched, solution, partial; return the
    (assignment, student) pairs."""
    pairs = []
    for assignment in assignments:
        release, solution = released(course, assignment), source(course, assignment)
        submit(course, "untouched", assignment, release)
        submit(course, "solution", assignment, Path(course) / "source" / assignment /
               f"{assignment}.ipynb")
        submit(course, "partial", assignment,
               partial_submission(release, solution, partial_states(solution)))
        pairs += [(assignment, s) for s in ("untouched", "solution", "partial")]
    return pairs


def submit_paths(course: Path, assignments: list[str], paths) -> list[tuple[str, str]]:
    """Hand in the given notebooks, each as its own student (``s001_<file stem>``...), to the
    lesson :func:`mlpcourse.assignments.assignment_of` recognises; unrecognised ones are skipped
    with a message on stderr. Return the (assignment, student) pairs."""
    from mlpcourse.assignments import assignment_of

    pairs = []
    for number, path in enumerate(map(Path, paths), start=1):
        assignment = assignment_of(path, assignments)
        if assignment is None:
            print(f"skipped {path}: not a submission of any of {', '.join(assignments)}",
                  file=sys.stderr)
            continue
        student = f"s{number:03d}_" + re.sub(r"[^A-Za-z0-9_.-]", "_", path.stem)[:40]
        submit(course, student, assignment, path)
        pairs.append((assignment, student))
    return pairs


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def autograde(course: Path, assignment: str) -> dict:
    """``nbgrader autograde ASSIGNMENT`` (every student who handed it in), timed: wall-clock and
    CPU seconds of nbgrader and its kernels."""
    cpu, start = _children_cpu(), time.perf_counter()
    log = run_nbgrader(course, "autograde", assignment, "--force")
    return {"assignment": assignment, "wall_s": time.perf_counter() - start,
            "cpu_s": _children_cpu() - cpu, "log": log}


def export(course: Path) -> dict[tuple[str, str], tuple[float, float]]:
    """``nbgrader export``: (assignment, student) -> (score, max_score) from its grades.csv (it
    lists every student for every assignment: 0 where nothing was handed in)."""
    run_nbgrader(course, "export", "--to", "grades.csv")
    with open(Path(course) / "grades.csv", newline="") as handle:
        return {(row["assignment"], row["student_id"]): (float(row["score"]),
                                                         float(row["max_score"]))
                for row in csv.DictReader(handle)}


_TASK_SCORES = """
import json, sys
from nbgrader.api import Gradebook
out = []
with Gradebook(sys.argv[1]) as gb:
    for assignment in gb.assignments:
        for submission in assignment.submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    out.append([assignment.name, submission.student.id, grade.name, grade.score,
                                grade.max_score])
print(json.dumps(out))
"""


def task_scores(course: Path) -> dict[tuple[str, str], dict[str, float]]:
    """(assignment, student) -> {grade_id: score} from the course's gradebook (nbgrader's API, in
    a child process)."""
    database = "sqlite:///" + str((Path(course) / "gradebook.db").resolve())
    done = subprocess.run([sys.executable, "-c", _TASK_SCORES, database], env=nbgrader_env(),
                          capture_output=True, text=True, timeout=120, check=True)
    scores: dict[tuple[str, str], dict[str, float]] = {}
    for assignment, student, grade_id, score, _ in json.loads(done.stdout):
        scores.setdefault((assignment, student), {})[grade_id] = score
    return scores


# ----------------------------------------------------------------------------- the benchmark


def benchmark(submissions=None, workdir: Path | None = None, cell_timeout: int = 120) -> dict:
    """Time ``nbgrader autograde`` on ``submissions`` (notebook paths; None: the three default
    students of every lesson) in a fresh course under ``workdir`` (a temporary folder when None).

    Returns a dict: nbgrader version, notebooks, wall and CPU seconds of the autograde commands
    (one per lesson, each with nbgrader's start-up), notebooks per second (nbgrader uses one core
    at a time, so this is per core) and per CPU second, one row per lesson, the exported
    scores, and the load average at the start and the end (above the core count the machine was
    busy and the numbers are not worth quoting).
    """
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="nbgrader-bench-") as scratch:
        course = Path(workdir) if workdir is not None else Path(scratch) / "course"
        assignments = make_course(course, cell_timeout=cell_timeout)
        generate(course)
        pairs = (submit_defaults(course, assignments) if submissions is None
                 else submit_paths(course, assignments, submissions))
        rows = []
        for assignment in sorted({a for a, _ in pairs}):
            row = autograde(course, assignment)
            row.pop("log")
            row["notebooks"] = sum(a == assignment for a, _ in pairs)
            rows.append(row)
        scores = export(course)
    wall, cpu = sum(r["wall_s"] for r in rows), sum(r["cpu_s"] for r in rows)
    count = sum(r["notebooks"] for r in rows)
    return {"grader": "nbgrader autograde", "nbgrader": nbgrader_version(), "jobs": 1,
            "notebooks": count, "wall_s": wall, "cpu_s": cpu,
            "notebooks_per_s": count / wall if wall else None,
            "notebooks_per_s_per_core": count / wall if wall else None,
            "notebooks_per_cpu_s": count / cpu if cpu else None,
            "per_lesson": rows, "cores": os.cpu_count(),
            "load_average": [load_start, os.getloadavg()[0]],
            "scores": {f"{a}/{s}": list(scores[(a, s)]) for a, s in sorted(pairs)}}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("submissions", nargs="*", type=Path,
                        help="notebooks to grade (default: 3 students per lesson)")
    parser.add_argument("--out", type=Path, help="write the results as JSON here")
    parser.add_argument("--keep", type=Path, help="build the course here and keep it")
    parser.add_argument("--cell-timeout", type=int, default=120, help="seconds per cell")
    args = parser.parse_args(argv)
    if args.keep is not None and args.keep.exists() and any(args.keep.iterdir()):
        parser.error(f"--keep {args.keep}: the folder must be empty or missing")
    results = benchmark(args.submissions or None, args.keep, args.cell_timeout)
    print(f"nbgrader {results['nbgrader']} autograde, one notebook at a time (1 core)")
    print(f"{'lesson':<24} {'notebooks':>9} {'wall s':>8} {'CPU s':>8} {'s/notebook':>10}")
    for row in results["per_lesson"]:
        print(f"{row['assignment']:<24} {row['notebooks']:>9} {row['wall_s']:>8.1f} "
              f"{row['cpu_s']:>8.1f} {row['wall_s'] / row['notebooks']:>10.2f}")
    print(f"{'all':<24} {results['notebooks']:>9} {results['wall_s']:>8.1f} "
          f"{results['cpu_s']:>8.1f} {results['wall_s'] / results['notebooks']:>10.2f}")
    print(f"{results['notebooks_per_s_per_core']:.3f} notebooks/s per core; "
          f"{results['notebooks_per_cpu_s']:.3f} notebooks per CPU second "
          "(nbgrader, its kernels, start-up included)")
    start, end = results["load_average"]
    print(f"load average {start:.1f} at the start, {end:.1f} at the end, {results['cores']} cores"
          + (" (a busy machine: do not quote these numbers)"
             if max(start, end) > results["cores"] else ""))
    if args.out:
        args.out.write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
