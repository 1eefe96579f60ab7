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
"""

from __future__ import annotations

import concurrent.futures
import csv
import hashlib
import html
import io
import json
import os
import re
import secrets
import stat
import sys
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from .grading import sandbox as sandboxing

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"
COLUMNS = ["notebook", "task", "points", "max_points", "message", "flags", "seed", "sandbox",
           "sha256", "shard"]
MAX_NOTEBOOK_BYTES = 32 << 20
INSIDE_NOTEBOOK = "/tmp/work/submission.ipynb"
INSIDE_CALLS = "/tmp/calls.pkl"
MAX_RESULTS_BYTES = 64 << 20  # what tasks.score reads at most


@dataclass
class Row:
    """One CSV row: a task of a submission (``flags`` is a list of short strings)."""

    notebook: str
    task: str
    points: float
    max_points: float
    message: str
    flags: list[str] = field(default_factory=list)
    seed: int | None = None
    sandbox: str = ""
    sha256: str = ""
    shard: str = "1/1"

    def csv_fields(self) -> list[str]:
        return [_one_line(self.notebook), _one_line(self.task), f"{self.points:g}",
                f"{self.max_points:g}", _one_line(self.message),
                _one_line("; ".join(self.flags)), "" if self.seed is None else str(self.seed),
                self.sandbox, self.sha256, self.shard]


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


# --------------------------------------------------------------------------------------------
# finding and reading submissions
# --------------------------------------------------------------------------------------------

def find_notebooks(paths) -> list[Path]:
    """Notebooks named by ``paths``: files as given (a symlink too: it is refused, with a row),
    folders searched recursively without following symlinked folders (checkpoints skipped), in
    a stable order."""
    found = []
    for path in map(Path, paths):
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                found += [Path(root) / f for f in sorted(files) if f.endswith(".ipynb")]
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise FileNotFoundError(f"PATH {path} does not exist")
    return found


class Refused(Exception):
    """A submission that cannot be graded at all (its rows say why)."""

    def __init__(self, message: str, flag: str):
        super().__init__(message)
        self.flag = flag


def read_submission(path: Path, max_bytes: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of a submitted file, never through a symlink, at most ``max_bytes``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if os.path.islink(path):
            target = os.readlink(path)
            raise Refused(f"the submission is a symbolic link (to {target}): not graded",
                          f"symlink: {target}") from None
        raise Refused(f"cannot open the submission: {error.strerror}", "unreadable") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused("the submission is not a regular file: not graded", "not-a-file")
        if info.st_size > max_bytes:
            raise Refused(f"the submission is {info.st_size / 2**20:.0f} MiB, more than the "
                          f"{max_bytes / 2**20:.0f} MiB a notebook may have: not graded",
                          "too-large")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Refused("the submission grew past the size limit while it was read", "too-large")
    return data


def _text(value, where: str, problems: list[str]) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    problems.append(f"{where} is {type(value).__name__}, not text")
    return None


def sanitize(data: bytes) -> tuple[dict, list[str]]:
    """A well-formed nbformat-4 notebook built from a submission's bytes, same cell indexes,
    and the list of problems found (malformed parts are dropped, never trusted).

    Raises
    ------
    Refused
        The bytes are not a JSON notebook at all.
    """
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise Refused(f"not a valid notebook (invalid JSON: {str(error)[:80]}); nothing could "
                      "run", "invalid-json") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise Refused("not a notebook (no list of cells); nothing could run", "not-a-notebook")
    problems: list[str] = []
    meta = raw.get("metadata")
    if not isinstance(meta, dict):
        problems.append(f"the notebook's metadata is {type(meta).__name__}, not a mapping")
        meta = {}
    cells = []
    for index, cell in enumerate(raw["cells"]):
        where = f"cell {index}"
        if not isinstance(cell, dict):
            problems.append(f"{where} is {type(cell).__name__}, not a cell")
            cells.append(_markdown("", index))
            continue
        cell_type = cell.get("cell_type")
        source = _text(cell.get("source", ""), f"{where}: source", problems)
        if cell_type != "code" or source is None:
            if cell_type not in ("markdown", "raw", "code"):
                problems.append(f"{where}: cell_type {cell_type!r} is unknown")
            cells.append(_markdown("" if source is None or cell_type == "code" else source, index))
            continue
        cells.append(_code(source, _nbgrader(cell.get("metadata"), where, problems), index))
    notebook = {"cells": cells, "metadata": _notebook_metadata(meta, problems),
                "nbformat": 4, "nbformat_minor": 5}
    return notebook, problems


def _nbgrader(meta, where: str, problems: list[str]) -> dict | None:
    if meta is None:
        return None
    if not isinstance(meta, dict):
        problems.append(f"{where}: metadata is {type(meta).__name__}, not a mapping: ignored")
        return None
    grading = meta.get("nbgrader")
    if grading is None:
        return None
    if not isinstance(grading, dict):
        problems.append(f"{where}: metadata.nbgrader is {type(grading).__name__}, not a "
                        "mapping: ignored")
        return None
    clean = {}
    for key, kind in (("grade", bool), ("solution", bool), ("locked", bool), ("task", bool),
                      ("grade_id", str), ("points", (int, float)), ("schema_version", int)):
        if key not in grading:
            continue
        value = grading[key]
        if isinstance(value, kind) and not (kind is not bool and isinstance(value, bool)):
            clean[key] = value
        else:
            problems.append(f"{where}: metadata.nbgrader.{key} is {type(value).__name__}, "
                            f"not {getattr(kind, '__name__', 'a number')}: ignored")
    return clean


def _notebook_metadata(meta: dict, problems: list[str]) -> dict:
    clean: dict = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}}
    course = meta.get("mlpcourse")
    if isinstance(course, dict) and isinstance(course.get("assignment"), str):
        clean["mlpcourse"] = {"assignment": course["assignment"]}
    elif course is not None:
        problems.append("metadata.mlpcourse is malformed: ignored")
    return clean


def _markdown(source: str, index: int) -> dict:
    return {"cell_type": "markdown", "id": f"cell-{index}", "metadata": {}, "source": source}


def _code(source: str, grading: dict | None, index: int) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": f"cell-{index}",
            "metadata": {"nbgrader": grading} if grading else {}, "outputs": [],
            "source": source}


# --------------------------------------------------------------------------------------------
# assignment, seed, shard
# --------------------------------------------------------------------------------------------

def known_assignments(solutions_dir) -> list[str]:
    return sorted(p.stem for p in Path(solutions_dir).glob("*.ipynb"))


def assignment_from_name(path: Path, known: list[str]) -> str | None:
    """The assignment a file name names (the longest known name it contains, or its NN_ prefix
    when that number belongs to exactly one assignment)."""
    name = Path(path).name
    matches = [k for k in known if k in name]
    if matches:
        return max(matches, key=len)
    number = re.search(r"(?<!\d)(\d\d)(?!\d)", name)
    if number:
        same = [k for k in known if k.startswith(number.group(1) + "_")]
        if len(same) == 1:
            return same[0]
    return None


def choose_assignment(path: Path, notebook: dict | None, settings: Settings,
                      known: list[str]) -> tuple[str | None, list[str]]:
    """(assignment to grade against, flags). ``--assignment`` wins; else the file name; else
    the metadata; a disagreement between name and metadata is flagged."""
    by_name = assignment_from_name(path, known)
    by_meta = None
    if notebook is not None:
        by_meta = notebook["metadata"].get("mlpcourse", {}).get("assignment")
    flags = []
    chosen = settings.assignment or by_name or (by_meta if by_meta in known else None)
    if by_meta is not None and by_meta != chosen:
        said = f"file name says {by_name}" if by_name else "file name names no assignment"
        flags.append(f"assignment-mismatch: {said}, notebook metadata says {by_meta}; graded "
                     f"as {chosen}" + (" (--assignment)" if settings.assignment else ""))
    elif settings.assignment and by_name and by_name != settings.assignment:
        flags.append(f"assignment-mismatch: file name says {by_name}; graded as "
                     f"{settings.assignment} (--assignment)")
    return chosen, flags


def seed_for(key: str, base: int) -> int:
    """The submission's seed: from the run's base seed and the notebook's path (48 bits)."""
    digest = hashlib.sha256(f"{base}\0{key}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def shard_of(key: str, count: int) -> int:
    """Which of ``count`` shards (1-based) grades the notebook ``key``: a hash of its path, so
    every machine agrees without listing the class the same way."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` -> (i, n) with 1 <= i <= n."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"--shard must be i/n with 1 <= i <= n (e.g. 2/8), got {text!r}")
    return int(match.group(1)), int(match.group(2))


# --------------------------------------------------------------------------------------------
# grading one notebook
# --------------------------------------------------------------------------------------------

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


def grade_notebook(path: Path, settings: Settings | None = None, key: str | None = None,
                   base_seed: int | None = None, solutions_dir=None,
                   cell_timeout: float | None = None) -> list[Row]:
    """Grade one submission; never raises for a broken submission (its rows say what happened).

    ``solutions_dir`` and ``cell_timeout`` override ``settings`` (kept for old callers).
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

    def rows_for(assignment, message, flags, sha="", max_points=None):
        if assignment is None:
            return [Row(key, "(unknown)", 0.0, 0.0, message, flags, seed, sandbox_name, sha,
                        shard)]
        points = max_points or _max_points(assignment, settings)
        return [Row(key, task, 0.0, most, message, flags, seed, sandbox_name, sha, shard)
                for task, most in points.items()]

    try:
        data = read_submission(path, settings.max_bytes)
    except Refused as refused:
        assignment, flags = choose_assignment(path, None, settings, known)
        return rows_for(assignment, str(refused), [refused.flag, *flags])
    sha = hashlib.sha256(data).hexdigest()
    try:
        notebook, problems = sanitize(data)
    except Refused as refused:
        assignment, flags = choose_assignment(path, None, settings, known)
        return rows_for(assignment, str(refused), [refused.flag, *flags], sha)
    assignment, flags = choose_assignment(path, notebook, settings, known)
    if assignment is None:
        return rows_for(None, f"cannot tell which assignment this is (file name and metadata "
                              f"name none of {known}); use --assignment", flags, sha)
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


# --------------------------------------------------------------------------------------------
# the class: CSV, resume, jobs, shards, reports
# --------------------------------------------------------------------------------------------

def graded_in(csv_path: Path, shard: str | None = None) -> set[str]:
    """Notebooks that already have rows in ``csv_path`` (a half-written last line is cut; every
    row is one line). With ``shard`` ("i/n"), rows of another shard are an error."""
    csv_path = Path(csv_path)
    if not csv_path.exists() or csv_path.stat().st_size == 0:
        return set()
    data = csv_path.read_bytes()
    if not data.endswith(b"\n"):  # the run was killed in the middle of a write
        data = data[: data.rfind(b"\n") + 1]
        csv_path.write_bytes(data)
    reader = csv.DictReader(io.StringIO(data.decode()))
    if reader.fieldnames != COLUMNS:
        raise ValueError(f"{csv_path} has columns {reader.fieldnames}, expected {COLUMNS}: "
                         "not a CSV of this grader (or an older one); give another --csv")
    rows = list(reader)
    other = sorted({row["shard"] for row in rows} - {shard}) if shard else []
    if other:
        raise ValueError(f"{csv_path} holds rows of shard {', '.join(other)}, not {shard}: "
                         "resume each shard with its own CSV")
    return {row["notebook"] for row in rows}


def _one_line(text: str) -> str:
    return " ".join(str(text).split("\n")).replace("\r", " ")


def _write_rows(handle, rows: list[Row]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row.csv_fields())
    handle.write(buffer.getvalue())
    handle.flush()
    os.fsync(handle.fileno())


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
            _write_rows_header(handle)
    all_rows: list[Row] = []
    lock = threading.Lock()

    def grade_and_write(path: Path) -> None:
        if sandboxing.STOP.is_set():
            return
        rows = grade_notebook(path, settings, str(path), base_seed)
        with lock:  # each notebook's rows reach the disk before the next notebook starts
            if sandboxing.STOP.is_set():  # cut short by Ctrl-C: graded again on --resume
                return
            if handle is not None:
                _write_rows(handle, rows)
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


def _write_rows_header(handle) -> None:
    csv.writer(handle).writerow(COLUMNS)
    handle.flush()


def read_rows(csv_path) -> list[Row]:
    """The rows of a grader CSV."""
    with open(csv_path, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{csv_path} has columns {reader.fieldnames}, expected {COLUMNS}")
        return [Row(r["notebook"], r["task"], float(r["points"]), float(r["max_points"]),
                    r["message"], [f for f in r["flags"].split("; ") if f],
                    int(r["seed"]) if r["seed"] else None, r["sandbox"], r["sha256"], r["shard"])
                for r in reader]


def merge(csv_paths, merged_path, paths=None) -> list[Row]:
    """Join shard CSVs into one, checking that nothing is missing or doubled.

    Every shard i/n of the same n must be there exactly once; a notebook must appear in one
    shard only (the one :func:`shard_of` names) and a (notebook, task) pair once; with
    ``paths`` (the submissions) every notebook found there must have rows.

    Raises
    ------
    ValueError
        Naming what is missing or doubled (nothing is written then).
    """
    rows, seen_shards, owner = [], {}, {}
    for csv_path in map(Path, csv_paths):
        shard_rows = read_rows(csv_path)
        labels = {r.shard for r in shard_rows}
        if len(labels) > 1:
            raise ValueError(f"{csv_path} mixes shards {sorted(labels)}")
        if not labels:
            raise ValueError(f"{csv_path} has no rows; which shard is it?")
        label = labels.pop()
        if label in seen_shards:
            raise ValueError(f"shard {label} twice: {seen_shards[label]} and {csv_path}")
        seen_shards[label] = csv_path
        for row in shard_rows:
            if owner.setdefault(row.notebook, label) != label:
                raise ValueError(f"{row.notebook} is in shard {owner[row.notebook]} and {label}")
        rows += shard_rows
    counts = {int(label.split("/")[1]) for label in seen_shards}
    if len(counts) != 1:
        raise ValueError(f"shards of different counts: {sorted(seen_shards)}")
    count = counts.pop()
    missing = sorted(set(range(1, count + 1)) - {int(s.split("/")[0]) for s in seen_shards})
    if missing:
        raise ValueError(f"shard(s) {', '.join(f'{i}/{count}' for i in missing)} missing")
    pairs: dict[tuple[str, str], int] = {}
    for row in rows:
        pairs[(row.notebook, row.task)] = pairs.get((row.notebook, row.task), 0) + 1
        if shard_of(row.notebook, count) != int(row.shard.split("/")[0]):
            raise ValueError(f"{row.notebook} belongs to shard {shard_of(row.notebook, count)}"
                             f"/{count}, found in {row.shard}")
    doubled = sorted(pair for pair, n in pairs.items() if n > 1)
    if doubled:
        raise ValueError(f"doubled rows: {doubled[:5]}")
    if paths is not None:
        absent = sorted(str(p) for p in find_notebooks(paths) if str(p) not in owner)
        if absent:
            raise ValueError(f"{len(absent)} notebook(s) have no rows: {absent[:5]}")
    with open(merged_path, "w", newline="") as handle:
        _write_rows_header(handle)
        _write_rows(handle, sorted(rows, key=lambda r: r.notebook))
    return rows


def _report_name(notebook: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", notebook.strip("/")).strip("_") or "notebook"


def write_reports(rows: list[Row], folder, fmt: str = "md", by: str = "notebook") -> list[Path]:
    """A page per submission (``by="notebook"``) or per student folder (``by="folder"``: the
    notebooks of one folder, e.g. ``submissions/alice/*.ipynb``, on one page), with each task's
    points, message and flags; and an index page. Returns [index, pages...]."""
    if by not in ("notebook", "folder"):
        raise ValueError(f"report by must be 'notebook' or 'folder', got {by!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    groups: dict[str, dict[str, list[Row]]] = {}
    for row in rows:
        key = row.notebook if by == "notebook" else str(Path(row.notebook).parent)
        groups.setdefault(key, {}).setdefault(row.notebook, []).append(row)
    written, index, names = [], [], set()
    for key, notebooks in sorted(groups.items()):
        its_rows = [r for nb_rows in notebooks.values() for r in nb_rows]
        got = sum(r.points for r in its_rows)
        total = sum(r.max_points for r in its_rows)
        flagged = sorted({f.split(":")[0] for r in its_rows for f in r.flags})
        name = _report_name(key)
        if name.lower() in names or name.lower() == "index":  # two paths, one file name
            name += "-" + hashlib.sha256(key.encode()).hexdigest()[:8]
        names.add(name.lower())
        page = folder / f"{name}.{fmt}"
        page.write_text(_page(key, notebooks, got, total, fmt))
        written.append(page)
        index.append((key, page.name, got, total, flagged))
    index_page = folder / f"index.{fmt}"
    index_page.write_text(_index(index, fmt))
    return [index_page, *written]


def _md(text: str) -> str:
    """Text for a Markdown table cell: student-made text (messages quote their outputs) can
    neither break the table nor bring HTML or links into the lecturer's viewer."""
    text = html.escape(" ".join(str(text).split()), quote=False)
    for char in "\\|[]`*_":
        text = text.replace(char, "\\" + char)
    return text


def _page(title: str, notebooks: dict[str, list[Row]], got: float, total: float,
          fmt: str) -> str:
    header = ["task", "points", "max", "message", "flags"]
    parts = []
    for notebook, rows in sorted(notebooks.items()):
        first = rows[0]
        facts = (f"points {sum(r.points for r in rows):g} / "
                 f"{sum(r.max_points for r in rows):g}; sandbox {first.sandbox or '?'}; "
                 f"seed {first.seed}; sha256 {first.sha256[:16] or '?'}")
        cells = [[r.task, f"{r.points:g}", f"{r.max_points:g}", r.message, "; ".join(r.flags)]
                 for r in rows]
        parts.append((notebook, facts, cells))
    if fmt == "md":
        lines = [f"# {_md(title)}", "", f"points {got:g} / {total:g}"]
        for notebook, facts, cells in parts:
            lines += ["", f"## {_md(notebook)}", "", facts, "",
                      "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    head = "".join(f"<th>{h}</th>" for h in header)
    sections = "".join(
        f"<h2>{html.escape(notebook)}</h2>\n<p>{html.escape(facts)}</p>\n<table>\n"
        f"<tr>{head}</tr>\n"
        + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n"
                  for row in cells) + "</table>\n"
        for notebook, facts, cells in parts)
    return (f"<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>\n<h1>{html.escape(title)}</h1>\n"
            f"<p>points {got:g} / {total:g}</p>\n{sections}</html>\n")


def _index(entries, fmt: str) -> str:
    if fmt == "md":
        lines = ["# Grades", "", "| submission | points | flags |", "|---|---|---|"]
        lines += [f"| [{_md(nb)}]({name}) | {got:g} / {total:g} | {_md(', '.join(flags))} |"
                  for nb, name, got, total, flags in entries]
        return "\n".join(lines) + "\n"
    rows = "".join(f"<tr><td><a href=\"{html.escape(name)}\">{html.escape(nb)}</a></td>"
                   f"<td>{got:g} / {total:g}</td><td>{html.escape(', '.join(flags))}</td></tr>\n"
                   for nb, name, got, total, flags in entries)
    return ("<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\"><title>Grades</title>\n"
            "<h1>Grades</h1>\n<table>\n<tr><th>submission</th><th>points</th><th>flags</th></tr>\n"
            f"{rows}</table>\n</html>\n")
