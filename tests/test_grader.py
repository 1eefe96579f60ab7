"""The grader's orchestration: reading submissions defensively, choosing the assignment, the CSV
(flushed per notebook, resumable), shards and merge, reports, the command line.

Most tests replace the sandboxed run by a stand-in (``_run_and_score``) so they take
milliseconds; a few grade real notebooks end to end (sandboxed, and with --no-sandbox)."""

from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import nbformat
import pytest

from mlpcourse import __main__ as cli
from mlpcourse import grader
from mlpcourse.grading import sandbox
from mlpcourse.grading.tasks import TaskResult

ROOT = Path(__file__).resolve().parents[1]
LESSON = "03_activations"
SOLUTION = ROOT / "solutions" / f"{LESSON}.ipynb"
TASKS = grader._max_points(LESSON, grader.Settings())
TOTAL = f"{sum(TASKS.values()):g}"  # from the solution's metadata, never typed in
needs_bwrap = pytest.mark.skipif(sandbox.find_bwrap() is None,
                                 reason="bubblewrap (bwrap) is not installed or cannot run here")


def fake_run(calls=None, points=1.0):
    """A stand-in for the sandboxed run: every task gets ``points`` (capped), and ``calls``
    records the notebooks it saw."""

    def run(notebook, assignment, seed, settings):
        if calls is not None:
            calls.append((notebook, assignment, seed))
        results = [TaskResult(task, min(points, most), most, "stand-in", [])
                   for task, most in grader._max_points(assignment, settings).items()]
        return results, sandbox.RunResult(0, sandbox="bwrap" if settings.sandbox else "none"), \
            "done"

    return run


@pytest.fixture
def stand_in(monkeypatch):
    calls = []
    monkeypatch.setattr(grader, "_run_and_score", fake_run(calls))
    monkeypatch.setitem(sandbox._PROBED, "bwrap", "/usr/bin/bwrap")
    monkeypatch.setitem(sandbox._PROBED, "preflight", "ok")
    return calls


def submission(folder: Path, name: str, source: Path = SOLUTION) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(source.read_bytes())
    return path


def read_csv(path) -> list[dict]:
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


# --------------------------------------------------------------------------------------------
# reading submissions
# --------------------------------------------------------------------------------------------

def test_find_notebooks_never_follows_symlinked_folders(tmp_path):
    submission(tmp_path, f"b/x_{LESSON}.ipynb")
    submission(tmp_path, f"a/y_{LESSON}.ipynb")
    submission(tmp_path, f"a/.ipynb_checkpoints/y_{LESSON}-checkpoint.ipynb")
    (tmp_path / "c").symlink_to(ROOT / "solutions")
    (tmp_path / "a" / f"z_{LESSON}.ipynb").symlink_to(SOLUTION)
    found = [p.relative_to(tmp_path).as_posix() for p in grader.find_notebooks([tmp_path])]
    assert found == [f"a/y_{LESSON}.ipynb", f"a/z_{LESSON}.ipynb", f"b/x_{LESSON}.ipynb"]
    with pytest.raises(FileNotFoundError, match="PATH .*nothing does not exist"):
        grader.find_notebooks([tmp_path / "nothing"])


def test_read_submission_refuses_symlinks_huge_files_and_fifos(tmp_path):
    link = tmp_path / "link.ipynb"
    link.symlink_to(SOLUTION)
    with pytest.raises(grader.Refused, match="symbolic link") as refused:
        grader.read_submission(link)
    assert refused.value.flag == f"symlink: {SOLUTION}"
    big = tmp_path / "big.ipynb"
    big.write_bytes(b" " * 2048)
    with pytest.raises(grader.Refused, match="more than") as refused:
        grader.read_submission(big, max_bytes=1024)
    assert refused.value.flag == "too-large"
    fifo = tmp_path / "fifo.ipynb"
    os.mkfifo(fifo)
    with pytest.raises(grader.Refused, match="not a regular file"):
        grader.read_submission(fifo)
    assert grader.read_submission(SOLUTION) == SOLUTION.read_bytes()


def test_sanitize_keeps_cell_indexes_and_lists_every_problem():
    raw = json.loads(SOLUTION.read_text())
    raw["cells"][5]["metadata"]["nbgrader"] = "solution"
    raw["cells"][6]["metadata"]["nbgrader"]["grade_id"] = ["sigmoid"]
    raw["cells"][11]["source"] = 42
    raw["cells"][14]["metadata"] = ["not", "a", "mapping"]
    raw["cells"][4] = "not a cell"
    raw["metadata"]["mlpcourse"] = "03"
    clean, problems = grader.sanitize(json.dumps(raw).encode())
    assert len(clean["cells"]) == len(raw["cells"])
    assert problems == [
        "cell 4 is str, not a cell",
        "cell 5: metadata.nbgrader is str, not a mapping: ignored",
        "cell 6: metadata.nbgrader.grade_id is list, not str: ignored",
        "cell 11: source is int, not text",
        "cell 14: metadata is list, not a mapping: ignored",
        "metadata.mlpcourse is malformed: ignored",
    ]
    assert clean["cells"][11] == {"cell_type": "markdown", "id": "cell-11", "metadata": {},
                                 "source": ""}
    assert clean["cells"][6]["metadata"]["nbgrader"] == {
        "grade": True, "locked": True, "points": 2, "schema_version": 3, "solution": False,
        "task": False}
    assert clean["cells"][5]["metadata"] == {}
    nbformat.validate(nbformat.from_dict(clean))  # the harness gets a valid notebook


@pytest.mark.parametrize("data, message", [
    (b'{"cells": [', "invalid JSON"),
    (b"[1, 2]", "no list of cells"),
    (b'{"cells": 3}', "no list of cells"),
    (b"[" * 100000 + b"]" * 100000, "invalid JSON"),
])
def test_sanitize_refuses_what_is_not_a_notebook(data, message):
    with pytest.raises(grader.Refused, match=message):
        grader.sanitize(data)


# --------------------------------------------------------------------------------------------
# which assignment
# --------------------------------------------------------------------------------------------

KNOWN = grader.known_assignments(ROOT / "solutions")


def test_the_file_name_names_the_assignment():
    assert grader.assignment_from_name(Path(f"alice_{LESSON}.ipynb"), KNOWN) == LESSON
    assert grader.assignment_from_name(Path("alice-03.ipynb"), KNOWN) == LESSON
    assert grader.assignment_from_name(Path("alice.ipynb"), KNOWN) is None


def test_a_disagreement_between_name_and_metadata_is_flagged():
    meta = {"metadata": {"mlpcourse": {"assignment": "04_output_layers"}}}
    chosen, flags = grader.choose_assignment(Path(f"bob_{LESSON}.ipynb"), meta, None, KNOWN)
    assert chosen == LESSON
    assert flags == [f"assignment-mismatch: file name says {LESSON}, notebook metadata says "
                     f"04_output_layers; graded as {LESSON}"]
    chosen, flags = grader.choose_assignment(Path("bob.ipynb"), meta, None, KNOWN)
    assert chosen == "04_output_layers" and flags == []
    chosen, flags = grader.choose_assignment(Path(f"bob_{LESSON}.ipynb"), meta,
                                             "04_output_layers", KNOWN)
    assert chosen == "04_output_layers"
    assert flags == [f"assignment-mismatch: file name says {LESSON}; graded as "
                     "04_output_layers (--assignment)"]


def test_the_assignment_option_grades_every_notebook_against_it(tmp_path, stand_in):
    submission(tmp_path, "alice.ipynb")
    submission(tmp_path, f"bob_{LESSON}.ipynb", ROOT / "exercises" / "04_output_layers.ipynb")
    with open(tmp_path / "log", "w") as log:
        rows = grader.grade([tmp_path], tmp_path / "g.csv", out=log, assignment=LESSON)
    assert {assignment for _, assignment, _ in stand_in} == {LESSON}
    bob = [r for r in rows if "bob" in r.notebook]
    assert all("04_output_layers" in " ".join(r.flags) for r in bob)
    assert not any(r.flags for r in rows if "alice" in r.notebook)
    with pytest.raises(ValueError, match="--assignment must be one of"):
        grader.grade([tmp_path], assignment="99_nothing")


def test_an_unknown_assignment_is_one_row(tmp_path, stand_in):
    path = submission(tmp_path, "mystery.ipynb", ROOT / "notebooks" / "09_practice.ipynb")
    rows = grader.grade_notebook(path)
    assert [(r.task, r.points, r.max_points) for r in rows] == [("(unknown)", 0.0, 0.0)]
    assert "--assignment" in rows[0].message and stand_in == []


# --------------------------------------------------------------------------------------------
# the CSV: columns, flushed per notebook, resume, hashes, errors
# --------------------------------------------------------------------------------------------

def test_rows_are_flushed_as_each_notebook_is_graded(tmp_path, monkeypatch):
    for name in ("a", "b", "c"):
        submission(tmp_path / "subs", f"{name}_{LESSON}.ipynb")
    csv_path = tmp_path / "g.csv"
    seen_before = []
    real = fake_run()

    def run(notebook, assignment, seed, settings):
        seen_before.append({r["notebook"] for r in read_csv(csv_path)})
        if len(seen_before) == 2:
            raise RuntimeError("a grader bug")
        return real(notebook, assignment, seed, settings)

    monkeypatch.setattr(grader, "_run_and_score", run)
    with open(tmp_path / "log", "w") as log:
        grader.grade([tmp_path / "subs"], csv_path, out=log, seed=7)
    assert [len(notebooks) for notebooks in seen_before] == [0, 1, 2]
    rows = read_csv(csv_path)
    assert list(rows[0]) == grader.COLUMNS
    assert len(rows) == 3 * len(TASKS)
    bug = [r for r in rows if "grader-error" in r["flags"]]
    assert len(bug) == len(TASKS) and "a grader bug" in bug[0]["message"]
    assert {r["sandbox"] for r in rows} == {"bwrap"} and all(len(r["sha256"]) == 64 for r in rows)


def test_resume_skips_what_the_csv_has_and_cuts_a_half_written_line(tmp_path, stand_in):
    subs = tmp_path / "subs"
    for name in ("a", "b", "c"):
        submission(subs, f"{name}_{LESSON}.ipynb")
    csv_path = tmp_path / "g.csv"
    with open(tmp_path / "log", "w") as log:
        grader.grade([subs / f"a_{LESSON}.ipynb"], csv_path, out=log)
    with open(csv_path, "a") as handle:
        handle.write(f"{subs / f'b_{LESSON}.ipynb'},sigmoid,1")  # killed in the middle
    stand_in.clear()
    with open(tmp_path / "log", "w") as log:
        grader.grade([subs], csv_path, out=log, resume=True)
    assert len(stand_in) == 2  # b (its half line was cut) and c
    rows = read_csv(csv_path)
    assert sorted({Path(r["notebook"]).name for r in rows}) == [
        f"{name}_{LESSON}.ipynb" for name in ("a", "b", "c")]
    assert len(rows) == 3 * len(TASKS)
    stand_in.clear()
    with open(tmp_path / "log", "w") as log:
        grader.grade([subs], csv_path, out=log, resume=True)
    assert stand_in == []  # nothing left to do


def test_every_row_is_one_line_and_resume_keeps_to_its_shard(tmp_path, monkeypatch):
    path = submission(tmp_path, f"a_{LESSON}.ipynb")
    real = fake_run()

    def run(notebook, assignment, seed, settings):
        results, result, where = real(notebook, assignment, seed, settings)
        results[0].message = "line one\nline two\r\nline three"
        return results, result, where

    monkeypatch.setattr(grader, "_run_and_score", run)
    monkeypatch.setitem(sandbox._PROBED, "bwrap", "/usr/bin/bwrap")
    monkeypatch.setitem(sandbox._PROBED, "preflight", "ok")
    csv_path = tmp_path / "g.csv"
    with open(tmp_path / "log", "w") as log:
        grader.grade([path], csv_path, out=log, shard="1/1")
    assert len(csv_path.read_text().splitlines()) == 1 + len(TASKS)
    assert read_csv(csv_path)[0]["message"] == "line one line two  line three"
    with pytest.raises(ValueError, match="holds rows of shard 1/1, not 2/3"):
        grader.grade([path], csv_path, shard="2/3", resume=True)


def test_an_existing_csv_is_kept_unless_told(tmp_path, stand_in):
    path = submission(tmp_path, f"a_{LESSON}.ipynb")
    csv_path = tmp_path / "g.csv"
    csv_path.write_text("precious grades\n")
    with pytest.raises(FileExistsError, match="--resume continues it"):
        grader.grade([path], csv_path, overwrite=False)
    assert csv_path.read_text() == "precious grades\n"
    with pytest.raises(ValueError, match="not a CSV of this grader"):
        grader.grade([path], csv_path, resume=True)
    assert cli.main(["grade", str(path), "--csv", str(csv_path)]) == 2
    assert csv_path.read_text() == "precious grades\n"


def test_a_submission_changed_during_grading_is_flagged(tmp_path, monkeypatch):
    path = submission(tmp_path, f"a_{LESSON}.ipynb")
    real = fake_run()

    def run(notebook, assignment, seed, settings):
        path.write_text(path.read_text() + " ")
        return real(notebook, assignment, seed, settings)

    monkeypatch.setattr(grader, "_run_and_score", run)
    rows = grader.grade_notebook(path)
    assert all(any(f.startswith("submission-changed") for f in r.flags) for r in rows)


def test_seeds_are_recorded_per_submission_and_reproducible(tmp_path, stand_in):
    for name in ("a", "b"):
        submission(tmp_path, f"{name}_{LESSON}.ipynb")
    with open(tmp_path / "log", "w") as log:
        first = grader.grade([tmp_path], out=log, seed=123)
        again = grader.grade([tmp_path], out=log, seed=123)
        other = grader.grade([tmp_path], out=log)
    seeds = {r.notebook: r.seed for r in first}
    assert len(set(seeds.values())) == 2
    assert seeds == {r.notebook: r.seed for r in again}
    assert seeds != {r.notebook: r.seed for r in other}
    assert [s for _, _, s in stand_in[:2]] == [seeds[r.notebook] for r in first[::len(TASKS)]]


# --------------------------------------------------------------------------------------------
# shards and merge
# --------------------------------------------------------------------------------------------

def test_shards_split_the_class_and_merge_checks_the_parts(tmp_path, stand_in):
    subs = tmp_path / "subs"
    count = 0  # 12 notebooks, more if the hash of these paths left a shard empty
    while count < 12 or len({grader.shard_of(str(p), 3)
                             for p in grader.find_notebooks([subs])}) < 3:
        submission(subs, f"s{count:02d}_{LESSON}.ipynb")
        count += 1
    parts = []
    for index in (1, 2, 3):
        part = tmp_path / f"part{index}.csv"
        with open(tmp_path / "log", "w") as log:
            grader.grade([subs], part, out=log, shard=f"{index}/3", seed=1)
        parts.append(part)
    graded = [set(r["notebook"] for r in read_csv(p)) for p in parts]
    assert sum(map(len, graded)) == count and set.union(*graded) == {
        str(p) for p in grader.find_notebooks([subs])}
    assert all(graded)  # every shard graded its notebooks

    merged = tmp_path / "all.csv"
    assert cli.main(["merge", *map(str, parts), "--csv", str(merged),
                     "--submissions", str(subs)]) == 0
    assert len(read_csv(merged)) == count * len(TASKS)

    with pytest.raises(ValueError, match="shard\\(s\\) 3/3 missing"):
        grader.merge(parts[:2], tmp_path / "x.csv")
    with pytest.raises(ValueError, match="shard 1/3 twice"):
        grader.merge([parts[0], parts[0], *parts[1:]], tmp_path / "x.csv")
    submission(subs, f"late_{LESSON}.ipynb")
    with pytest.raises(ValueError, match="1 notebook\\(s\\) have no rows"):
        grader.merge(parts, tmp_path / "x.csv", paths=[subs])
    doubled = tmp_path / "doubled.csv"
    doubled.write_text(parts[0].read_text() + parts[0].read_text().split("\n", 1)[1])
    with pytest.raises(ValueError, match="doubled rows"):
        grader.merge([doubled, *parts[1:]], tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_a_shard_that_no_notebook_hashed_into_still_merges(tmp_path, stand_in):
    subs = tmp_path / "subs"
    submission(subs, f"only_{LESSON}.ipynb")
    home = grader.shard_of(str(grader.find_notebooks([subs])[0]), 2)
    parts = {}
    for index in (1, 2):
        parts[index] = tmp_path / f"part{index}.csv"
        with open(tmp_path / "log", "w") as log:
            grader.grade([subs], parts[index], out=log, shard=f"{index}/2", seed=1)
    assert read_csv(parts[3 - home]) == []  # the other shard graded nothing
    merged = tmp_path / "all.csv"
    rows = grader.merge([parts[1], parts[2]], merged, paths=[subs])
    assert len(rows) == len(TASKS) == len(read_csv(merged))
    with pytest.raises(ValueError, match=f"shard\\(s\\) {3 - home}/2 missing"):
        grader.merge([parts[home]], tmp_path / "x.csv")
    with pytest.raises(ValueError, match=f"missing: {3 - home}/2; but 2 CSV"):
        grader.merge([parts[home], parts[3 - home], parts[3 - home]], tmp_path / "x.csv")
    assert not (tmp_path / "x.csv").exists()


def test_parse_shard_names_the_expected_form():
    assert grader.parse_shard("2/8") == (2, 8)
    for bad in ("0/3", "4/3", "1-3", "a/b"):
        with pytest.raises(ValueError, match="--shard must be i/n"):
            grader.parse_shard(bad)


# --------------------------------------------------------------------------------------------
# reports
# --------------------------------------------------------------------------------------------

def test_reports_show_points_messages_and_flags(tmp_path):
    rows = [grader.Row("subs/alice|x_03.ipynb", "sigmoid", 1, 2, "half <b>right</b>",
                       ["reference-use: sigmoid"], 5, "bwrap", "ab" * 32),
            grader.Row("subs/alice|x_03.ipynb", "tanh", 1, 1, "ok", [], 5, "bwrap", "ab" * 32)]
    pages = grader.write_reports(rows, tmp_path / "md")
    text = pages[1].read_text()
    assert "points 2 / 3" in text and "alice\\|x\\_03" in text
    assert "| sigmoid | 1 | 2 | half &lt;b&gt;right&lt;/b&gt; | reference-use: sigmoid |" in text
    assert "reference-use" in pages[0].read_text()
    pages = grader.write_reports(rows, tmp_path / "html", "html")
    assert "half &lt;b&gt;right&lt;/b&gt;" in pages[1].read_text()
    assert pages[0].name == "index.html"
    by_student = [grader.Row(f"subs/{who}/{lesson}.ipynb", "t", 1, 2, "m")
                  for who in ("alice", "bob") for lesson in ("01", "02")]
    pages = grader.write_reports(by_student, tmp_path / "students", by="folder")
    assert [p.name for p in pages] == ["index.md", "subs_alice.md", "subs_bob.md"]
    assert "points 2 / 4" in pages[1].read_text()
    assert pages[1].read_text().count("## subs/alice/") == 2
    twins = [grader.Row(name, "t", 0, 1, "m\n[link](javascript:x)") for name in ("a b", "a_b")]
    pages = grader.write_reports(twins, tmp_path / "twins")
    assert len({p.name for p in pages}) == 3
    assert "\\[link\\](javascript:x)" in pages[1].read_text()


# --------------------------------------------------------------------------------------------
# the sandbox requirement and real runs
# --------------------------------------------------------------------------------------------

def test_without_bwrap_the_grader_refuses_unless_told(tmp_path, monkeypatch, capsys):
    path = submission(tmp_path, f"a_{LESSON}.ipynb")
    monkeypatch.setitem(sandbox._PROBED, "bwrap", None)
    with pytest.raises(sandbox.SandboxUnavailable, match="--no-sandbox"):
        grader.grade([path])
    assert cli.main(["grade", str(path), "--csv", str(tmp_path / "g.csv")]) == 2
    assert "bubblewrap" in capsys.readouterr().err and not (tmp_path / "g.csv").exists()
    monkeypatch.setattr(grader, "_run_and_score", fake_run())
    assert cli.main(["grade", str(path), "--csv", str(tmp_path / "g.csv"), "--no-sandbox"]) == 0
    assert {r["sandbox"] for r in read_csv(tmp_path / "g.csv")} == {"none"}


@needs_bwrap
def test_a_sandbox_that_cannot_import_the_course_is_refused_before_grading(monkeypatch):
    monkeypatch.setattr(sandbox, "python_paths", lambda: [])  # only /usr: no venv, no course
    monkeypatch.delitem(sandbox._PROBED, "preflight", raising=False)
    with pytest.raises(sandbox.SandboxUnavailable, match="cannot import the grader's packages"):
        sandbox.preflight()


@needs_bwrap
def test_the_command_line_grades_a_class_in_parallel_with_a_report(tmp_path, capsys):
    subs = tmp_path / "subs"
    submission(subs, f"alice_{LESSON}.ipynb")
    submission(subs, f"bob_{LESSON}.ipynb", ROOT / "exercises" / f"{LESSON}.ipynb")
    csv_path, report = tmp_path / "grades.csv", tmp_path / "report"
    assert cli.main(["grade", str(subs), "--csv", str(csv_path), "--jobs", "2",
                     "--report", str(report), "--timeout", "20"]) == 0
    out = capsys.readouterr().out
    assert f"alice_03_activations.ipynb: {TOTAL} / {TOTAL}" in out
    assert f"bob_03_activations.ipynb: 0 / {TOTAL}" in out
    rows = read_csv(csv_path)
    assert {r["sandbox"] for r in rows} == {"bwrap"} and len(rows) == 2 * len(TASKS)
    index = (report / "index.md").read_text()
    assert f"{TOTAL} / {TOTAL}" in index and f"0 / {TOTAL}" in index
    assert len(list(report.glob("*.md"))) == 3


def test_no_sandbox_mode_still_grades(tmp_path):
    path = submission(tmp_path, f"alice_{LESSON}.ipynb")
    with open(tmp_path / "log", "w") as log:
        rows = grader.grade([path], out=log, sandbox=False, cell_timeout=20)
    assert sum(r.points for r in rows) == sum(TASKS.values())
    assert {r.sandbox for r in rows} == {"none"}


@needs_bwrap
def test_ctrl_c_stops_every_sandbox_and_keeps_what_was_graded(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    subs = tmp_path / "subs"
    submission(subs, f"a_{LESSON}.ipynb")
    marker = f"4321{os.getpid() % 1000}"
    slow = nbformat.read(str(SOLUTION), as_version=4)
    slow.cells.insert(2, nbformat.v4.new_code_cell(
        f"import subprocess\nsubprocess.run(['sleep', '{marker}'])"))
    for name in ("b", "c"):
        nbformat.write(slow, str(subs / f"{name}_{LESSON}.ipynb"))
    csv_path = tmp_path / "g.csv"
    grader_process = subprocess.Popen(
        [sys.executable, "-m", "mlpcourse", "grade", str(subs), "--csv", str(csv_path),
         "--timeout", "600"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and not (
            csv_path.exists() and len(read_csv(csv_path)) == len(TASKS)
            and any(marker in line for line in _cmdlines())):
        time.sleep(0.2)
    grader_process.send_signal(signal.SIGINT)
    start = time.monotonic()
    _, err = grader_process.communicate(timeout=60)
    assert time.monotonic() - start < 30, err  # not the 600 s the running notebook had left
    assert grader_process.returncode == 130 and b"--resume continues" in err
    assert {Path(r["notebook"]).name for r in read_csv(csv_path)} == {f"a_{LESSON}.ipynb"}
    assert not any(marker in line for line in _cmdlines())


def _cmdlines() -> list[str]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                found.append(Path(f"/proc/{entry}/cmdline").read_bytes().decode(errors="replace"))
            except OSError:
                pass
    return found


@needs_bwrap
def test_the_benchmark_runs_and_reports_per_core_speed(tmp_path, capsys):
    import importlib.util
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location("grading_bench",
                                                      ROOT / "benchmarks" / "grading.py")
        bench = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bench)
        assert bench.main(["--students", "solution", "untouched", "--lessons", "03",
                           "--jobs", "1", "--out", str(tmp_path / "b.json")]) == 0
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    result = json.loads((tmp_path / "b.json").read_text())["results"][0]
    assert result["notebooks"] == 2 and result["notebooks_per_s_per_core"] > 0
    full = sum(TASKS.values())
    assert result["scores"] == {f"solution_{LESSON}": full, f"untouched_{LESSON}": 0.0}
    assert "nb/s/core" in capsys.readouterr().out


def test_an_assignment_without_task_definitions_is_rows_not_a_run(tmp_path, stand_in):
    solutions = tmp_path / "solutions"
    submission(solutions, "99_practice.ipynb")
    path = submission(tmp_path / "subs", "x_99_practice.ipynb")
    with open(tmp_path / "log", "w") as log:
        rows = grader.grade([path], solutions_dir=solutions, out=log)
    assert stand_in == [] and len(rows) == len(TASKS)
    assert all("no-task-definitions" in r.flags and "nothing was run" in r.message for r in rows)


def test_an_unreadable_solution_still_gives_a_row(tmp_path, stand_in):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    (solutions / f"{LESSON}.ipynb").write_text("not a notebook")
    path = tmp_path / f"x_{LESSON}.ipynb"
    path.write_text("{broken")
    rows = grader.grade_notebook(path, solutions)
    assert [r.task for r in rows] == ["(unknown)"]
    assert rows[0].flags[0] == "invalid-json" and "grader-error" in rows[0].flags[1]
