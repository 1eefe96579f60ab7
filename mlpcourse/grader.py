"""Grade a class: every submitted notebook runs sandboxed; the grader compares its answers.

``python -m mlpcourse grade PATH... --csv grades.csv [--jobs N] [--shard i/n] [--resume]``

For each submission (a notebook, or every notebook under a folder; symlinks are never followed):

1. the file is read once (size-capped, ``O_NOFOLLOW``: a symlink is refused and flagged) and
   hashed (sha256); a structurally broken notebook (invalid JSON, ``metadata.nbgrader`` not a
   mapping, ``grade_id`` not a string, ``source`` not text) becomes rows with a message, and the
   cells that can run still run;
2. the assignment comes from ``--assignment`` (the lecturer's word), else from the file name
   and the notebook's metadata; when those two disagree the rows are flagged
   ``assignment-mismatch`` (graded as the file name says);
3. :func:`mlpcourse.grading.tasks.plan` draws fresh cases from a seed per submission (recorded
   in the CSV); only the call arguments go into the sandbox;
4. :func:`mlpcourse.grading.sandbox.run` runs :mod:`mlpcourse.grading.harness` in bubblewrap:
   the student's code runs in a fresh kernel and its outputs for those arguments come back as
   data, under a hard time limit per notebook (the rows name the cell that ran out of time);
5. :func:`mlpcourse.grading.tasks.score` computes the expected values here, in the grader, and
   gives points, messages and flags (use of the reference implementation: no points);
6. the rows of that notebook are appended to the CSV and flushed at once; the file is hashed
   again and a change is flagged.

Columns: ``notebook, task, points, max_points, message, flags, seed, sandbox, sha256, shard``.
``--resume`` skips notebooks already in the CSV; ``--shard i/n`` grades one n-th of the class
(by a hash of the notebook's path) and :func:`merge` joins the shard CSVs, checking that nothing
is missing or doubled. ``--report DIR`` writes a Markdown (or HTML) page per submission.

The parts live in :mod:`mlpcourse.grading`: ``submissions`` (reading, sanitizing, assignment,
seed, shard), ``sandbox`` and ``limits`` (bubblewrap and the watchdog), ``rows`` (the CSV and
merge), ``reports``; this module runs a class and re-exports their public names.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import json
import os
import secrets
import stat
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .grading import sandbox as sandboxing
from .grading.reports import write_reports
from .grading.rows import COLUMNS, Row, graded_in, merge, read_rows, write_header, write_rows
from .grading.submissions import (
    MAX_NOTEBOOK_BYTES,
    Refused,
    assignment_from_name,
    choose_assignment,
    find_notebooks,
    known_assignments,
    parse_shard,
    read_submission,
    sanitize,
    seed_for,
    shard_of,
)

# the grader's public names, re-exported from the modules that hold them
__all__ = ["COLUMNS", "MAX_NOTEBOOK_BYTES", "SOLUTIONS", "Refused", "Row", "Settings",
           "assignment_from_name", "choose_assignment", "find_notebooks", "grade",
           "grade_notebook", "graded_in", "known_assignments", "merge", "parse_shard",
           "read_rows", "read_submission", "sanitize", "seed_for", "shard_of", "write_reports"]

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"
INSIDE_NOTEBOOK = "/tmp/work/submission.ipynb"
INSIDE_CALLS = "/tmp/calls.pkl"
MAX_RESULTS_BYTES = 64 << 20  # what tasks.score reads at most


@dataclass
class Settings:
    """How a run grades (one object shared by every notebook of the run)."""

    solutions_dir: Path = SOLUTIONS
    cell_timeout: float = 60.0
    notebook_timeout: float = 600.0
    assignment: str | None = None
    sandbox: bool = True
    seed: int | None = None
    limits: sandboxing.Limits | None = None
    max_bytes: int = MAX_NOTEBOOK_BYTES
    shard: tuple[int, int] = (1, 1)


def _last_progress(path: Path) -> str | None:
    try:
        with open(path, "rb") as handle:
            handle.seek(max(0, os.fstat(handle.fileno()).st_size - 4096))
            lines = handle.read().decode(errors="replace").splitlines()
    except OSError:
        return None
    lines = [line.strip() for line in lines if line.strip()]
    return lines[-1] if lines else None


def _limit_message(run: sandboxing.RunResult, settings: Settings, where: str | None) -> str:
    """What a limit did to the run, naming the cell (or task) that was running (``where``: the
    last line of the harness's progress file)."""
    if where and where.startswith("cell "):
        where = f"in cell {where.split()[1]}"
    elif where and where.startswith("task "):
        where = f"while calling the functions of task {where.split(maxsplit=1)[1]}"
    elif where == "done":
        where = "after the last cell"
    else:
        where = "before the first cell"
    limits = settings.limits or sandboxing.Limits()
    reasons = {
        "time": f"the notebook ran out of time ({settings.notebook_timeout:g} s in all)",
        "memory": f"the notebook used more than {limits.memory_bytes / 2**20:.0f} MiB of memory",
        "tasks": f"the notebook started more than {limits.tasks} processes or threads",
        "output": f"the notebook wrote more than {limits.output_bytes / 2**20:.0f} MiB of output",
        "out-folder": "the notebook wrote too much into the grader's output folder",
    }
    return f"{reasons.get(run.ended_by, run.ended_by)} {where} and was stopped"


def grade_notebook(path: Path, solutions_dir=None, cell_timeout: float | None = None, *,
                   settings: Settings | None = None, key: str | None = None,
                   base_seed: int | None = None) -> list[Row]:
    """Grade one submission; never raises for a broken submission (its rows say what happened).

    ``settings`` holds every option of the run (default :class:`Settings`); ``solutions_dir``
    and ``cell_timeout`` override it. ``key`` names the notebook in the rows (default its
    path); ``base_seed`` is the run's (default ``settings.seed``, else a fresh one).
    """
    settings = settings or Settings()
    if solutions_dir is not None:
        settings = _replace(settings, solutions_dir=Path(solutions_dir))
    if cell_timeout is not None:
        settings = _replace(settings, cell_timeout=cell_timeout)
    path = Path(path)
    key = key or str(path)
    base = base_seed if base_seed is not None else (settings.seed or secrets.randbits(48))
    seed = seed_for(key, base)
    shard = f"{settings.shard[0]}/{settings.shard[1]}"
    sandbox_name = "bwrap" if settings.sandbox else "none"
    known = known_assignments(settings.solutions_dir)

    def rows_for(assignment, message, flags, sha=""):
        try:
            points = _max_points(assignment, settings) if assignment else {}
        except Exception as error:  # noqa: BLE001 (an unreadable solution: still a row)
            flags = [*flags, f"grader-error: cannot read the tasks of {assignment}: {error}"]
            points = {}
        if not points:
            return [Row(key, "(unknown)", 0.0, 0.0, message, flags, seed, sandbox_name, sha,
                        shard)]
        return [Row(key, task, 0.0, most, message, flags, seed, sandbox_name, sha, shard)
                for task, most in points.items()]

    try:
        data = read_submission(path, settings.max_bytes)
    except Refused as refused:
        assignment, flags = choose_assignment(path, None, settings.assignment, known)
        return rows_for(assignment, str(refused), [refused.flag, *flags])
    sha = hashlib.sha256(data).hexdigest()
    try:
        notebook, problems = sanitize(data)
    except Refused as refused:
        assignment, flags = choose_assignment(path, None, settings.assignment, known)
        return rows_for(assignment, str(refused), [refused.flag, *flags], sha)
    assignment, flags = choose_assignment(path, notebook, settings.assignment, known)
    if assignment is None:
        return rows_for(None, f"cannot tell which assignment this is (file name and metadata "
                              f"name none of {known}); use --assignment", flags, sha)
    from .grading import tasks

    try:
        tasks.lesson_tasks(assignment)
    except ValueError as error:
        return rows_for(assignment, f"this grader has no task definitions for {assignment} "
                                    f"(mlpcourse.grading.tasks: {error}); nothing was run",
                        [*flags, "no-task-definitions"], sha)
    if problems:
        flags.append("malformed: " + "; ".join(problems[:5])
                     + (f"; and {len(problems) - 5} more" if len(problems) > 5 else ""))
    try:
        results, run, where = _run_and_score(notebook, assignment, seed, settings)
    except sandboxing.SandboxUnavailable:
        raise
    except Exception as error:  # noqa: BLE001 (a grader bug must not end the class's run)
        return rows_for(assignment, f"the grader failed on this notebook ({type(error).__name__}:"
                                    f" {str(error)[:200]}); please report it",
                        [*flags, "grader-error"], sha)
    rows = []
    limit = _limit_message(run, settings, where) if run.ended_by else None
    for result in results:
        message, task_flags = result.message, [*flags, *result.flags]
        if limit:
            message = f"{limit}; {message}" if message else limit
            task_flags.append(f"limit: {run.ended_by}")
        if run.error:
            task_flags.append("sandbox-error")
            message += f" (sandbox: {run.error[:200]})"
        rows.append(Row(key, result.task, float(result.points), float(result.max_points),
                        message, task_flags, seed, run.sandbox, sha, shard))
    try:
        after = hashlib.sha256(read_submission(path, settings.max_bytes)).hexdigest()
    except Refused:
        after = "(gone)"
    if after != sha:
        for row in rows:
            row.flags.append(f"submission-changed: sha256 was {sha[:12]}, now {after[:12]}")
    return rows


def _replace(settings: Settings, **changes) -> Settings:
    from dataclasses import replace

    return replace(settings, **changes)


_POINTS_CACHE: dict[tuple[str, str], dict[str, float]] = {}
_POINTS_LOCK = threading.Lock()


def _max_points(assignment: str, settings: Settings) -> dict[str, float]:
    """{task: points} of an assignment, from its solution notebook (grader side)."""
    cache_key = (str(settings.solutions_dir), assignment)
    with _POINTS_LOCK:
        if cache_key not in _POINTS_CACHE:
            import nbformat

            from .assignments import grade_cells

            source = nbformat.read(str(Path(settings.solutions_dir) / f"{assignment}.ipynb"),
                                   as_version=4)
            _POINTS_CACHE[cache_key] = {grade_id: points
                                        for grade_id, points, _ in grade_cells(source)}
        return dict(_POINTS_CACHE[cache_key])


def _run_and_score(notebook: dict, assignment: str, seed: int, settings: Settings):
    """Plan, run the harness sandboxed, score: (task results, run result, last progress line)."""
    from .grading import tasks

    plan = tasks.plan(assignment, seed, solutions_dir=settings.solutions_dir)
    limits = _replace(settings.limits or sandboxing.Limits(),
                      wall_seconds=settings.notebook_timeout)
    with tempfile.TemporaryDirectory(prefix="mlpcourse-grade-", ignore_cleanup_errors=True) as tmp:
        tmp = Path(tmp)
        try:
            return _run_in(tmp, notebook, plan, limits, settings)
        finally:  # the sandbox may have nested folders too deep for shutil.rmtree in out/
            sandboxing.remove_tree(tmp / "out")


def _run_in(tmp: Path, notebook: dict, plan, limits: sandboxing.Limits, settings: Settings):
    import nbformat

    from .grading import tasks

    (tmp / "submission.ipynb").write_text(json.dumps(notebook))
    tasks.write_calls(plan, tmp / "calls.pkl")
    out = tmp / "out"
    out.mkdir(mode=0o700)
    argv = [sys.executable, "-m", "mlpcourse.grading.harness", INSIDE_NOTEBOOK,
            "--calls", INSIDE_CALLS, "--out", f"{sandboxing.OUT}/results.json",
            "--progress", f"{sandboxing.OUT}/progress", "--cell-timeout",
            f"{settings.cell_timeout:g}"]
    run = sandboxing.run(argv, files={INSIDE_NOTEBOOK: tmp / "submission.ipynb",
                                      INSIDE_CALLS: tmp / "calls.pkl"},
                         out_dir=out, limits=limits, sandbox=settings.sandbox)
    # the sandbox could write anything into out/: take only regular files, never through a
    # symlink, never blocking on a FIFO, size-capped, into a folder it never saw
    safe = tmp / "safe"
    safe.mkdir()
    for name in ("results.json", "progress"):
        _copy_regular(out / name, safe / name, MAX_RESULTS_BYTES)
    results = tasks.score(plan, safe / "results.json", notebook=nbformat.from_dict(notebook),
                          progress_path=safe / "progress")
    return results, run, _last_progress(safe / "progress")


def _copy_regular(source: Path, target: Path, cap: int) -> None:
    """Copy ``source`` to ``target`` if it is a regular file (not a symlink, FIFO or device),
    at most ``cap`` bytes (more: nothing is copied, as if it were missing)."""
    try:
        fd = os.open(source, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > cap:
            return
        data = handle.read(cap + 1)
    if len(data) <= cap:
        target.write_bytes(data)


def grade(paths, csv_path=None, solutions_dir=SOLUTIONS, cell_timeout=60.0, out=None, *,
          jobs: int = 1, resume: bool = False, shard: str | tuple | None = None,
          assignment: str | None = None, sandbox: bool = True, notebook_timeout: float = 600.0,
          limits: sandboxing.Limits | None = None, seed: int | None = None,
          report_dir=None, report_format: str = "md", report_by: str = "notebook",
          overwrite: bool = True) -> list[Row]:
    """Grade every submission under ``paths``; append each notebook's rows to ``csv_path`` as
    soon as it is graded; print progress and totals to ``out`` (standard output by default).

    Parameters
    ----------
    jobs : int
        Notebooks graded at once (each in its own sandbox).
    resume : bool
        Keep ``csv_path`` and skip the notebooks it already has rows for.
    shard : "i/n", optional
        Grade only the notebooks of shard i of n (see :func:`shard_of`); merge the CSVs with
        :func:`merge`.
    assignment : str, optional
        Grade every notebook against this assignment (name of a solution notebook).
    sandbox : bool
        False runs without bubblewrap (the CSV says ``sandbox: none``).
    report_dir, report_format, report_by : optional
        Write :func:`write_reports` pages (``"md"`` or ``"html"``; a page per ``"notebook"`` or
        per student ``"folder"``) for every row of the CSV into ``report_dir``.
    overwrite : bool
        False refuses to replace an existing, non-empty ``csv_path`` (unless ``resume``).

    Raises
    ------
    SandboxUnavailable
        ``sandbox`` is True but bubblewrap cannot run here (nothing is graded).
    ValueError
        A bad ``jobs``, ``shard``, ``assignment`` or ``report_format``.
    """
    out = out or sys.stdout
    if not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"jobs must be an int >= 1, got {jobs!r}")
    shard = parse_shard(f"{shard[0]}/{shard[1]}" if isinstance(shard, tuple) else shard or "1/1")
    known = known_assignments(solutions_dir)
    if assignment is not None and assignment not in known:
        raise ValueError(f"--assignment must be one of {known}, got {assignment!r}")
    if report_format not in ("md", "html"):
        raise ValueError(f"report_format must be 'md' or 'html', got {report_format!r}")
    if report_by not in ("notebook", "folder"):
        raise ValueError(f"report_by must be 'notebook' or 'folder', got {report_by!r}")
    if sandbox and sandboxing.find_bwrap() is None:
        raise sandboxing.SandboxUnavailable(
            "bubblewrap (bwrap) is missing or cannot create namespaces here, so the grader will "
            "not run student code: install Debian's `bubblewrap` package, or pass --no-sandbox "
            "to run it unconfined (the CSV then says sandbox: none)")
    if sandbox:
        sandboxing.preflight()
    settings = Settings(Path(solutions_dir), cell_timeout, notebook_timeout, assignment, sandbox,
                        seed, limits, shard=shard)
    base_seed = seed if seed is not None else secrets.randbits(48)
    notebooks = [p for p in find_notebooks(paths) if shard_of(str(p), shard[1]) == shard[0]]
    done: set[str] = set()
    if csv_path is not None:
        csv_path = Path(csv_path)
        if resume:
            done = graded_in(csv_path, f"{shard[0]}/{shard[1]}")
        elif csv_path.exists() and csv_path.stat().st_size and not overwrite:
            raise FileExistsError(f"{csv_path} exists: --resume continues it, or give another "
                                  "--csv")
    todo = [p for p in notebooks if str(p) not in done]
    if done:
        print(f"resuming: {len(notebooks) - len(todo)} notebooks already in {csv_path}",
              file=out, flush=True)
    handle = None
    if csv_path is not None:
        fresh = not (resume and csv_path.exists() and csv_path.stat().st_size)
        handle = open(csv_path, "w" if fresh else "a", newline="")  # noqa: SIM115
        if fresh:
            write_header(handle)
    all_rows: list[Row] = []
    lock = threading.Lock()

    def grade_and_write(path: Path) -> None:
        if sandboxing.STOP.is_set():
            return
        rows = grade_notebook(path, settings=settings, key=str(path), base_seed=base_seed)
        with lock:  # each notebook's rows reach the disk before the next notebook starts
            if sandboxing.STOP.is_set():  # cut short by Ctrl-C: graded again on --resume
                return
            if handle is not None:
                write_rows(handle, rows)
            all_rows.extend(rows)
            got = sum(r.points for r in rows)
            total = sum(r.max_points for r in rows)
            flagged = sum(1 for r in rows if r.flags)
            note = f", {flagged} rows flagged" if flagged else ""
            count = len({r.notebook for r in all_rows})
            print(f"[{count}/{len(todo)}] {path}: {got:g} / {total:g}{note}", file=out,
                  flush=True)

    sandboxing.STOP.clear()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=jobs)
    try:
        for future in [pool.submit(grade_and_write, p) for p in todo]:
            future.result()
    except BaseException:  # Ctrl-C (or a bug): end every sandbox now, keep what was written
        sandboxing.STOP.set()
        pool.shutdown(wait=True, cancel_futures=True)
        print("stopped: the notebooks graded so far are in the CSV; --resume continues",
              file=out, flush=True)
        raise
    finally:
        pool.shutdown(wait=True)
        if handle is not None:
            handle.close()
    if report_dir is not None:
        report_rows = all_rows
        if csv_path is not None:
            report_rows = read_rows(csv_path)
        write_reports(report_rows, report_dir, report_format, report_by)
    return all_rows
