"""The committed exercises are exactly what the solutions generate; an untouched exercise runs to
the end and every check says "not attempted"; the grader gives a submission with planted bugs
exactly the points of the tasks it got right."""

import csv
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from mlpcourse import assignments
from mlpcourse import launch as launch_cells
from mlpcourse.checkers.core import MIME
from mlpcourse.grader import grade
from mlpcourse.grading import sandbox

# the class grader runs every submission in bubblewrap (.ci/run installs Debian's package)
needs_bwrap = pytest.mark.skipif(sandbox.find_bwrap() is None,
                                 reason="the grader needs bubblewrap (apt-get install bubblewrap)")

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = sorted((ROOT / "solutions").glob("*.ipynb"))


def test_every_lesson_has_a_solution_and_an_exercise():
    lessons = {p.stem for p in (ROOT / "notebooks").glob("*.ipynb")}
    solutions = {p.stem for p in SOLUTIONS}
    assert lessons - {"09_practice"} == solutions  # lesson 9's problems are its own exercise
    assert {p.stem for p in (ROOT / "exercises").glob("*.ipynb")} == solutions


def test_committed_exercises_are_exactly_what_the_solutions_generate(tmp_path):
    assignments.generate(ROOT / "solutions", tmp_path)
    for generated in sorted(tmp_path.glob("*.ipynb")):
        committed = ROOT / "exercises" / generated.name
        assert committed.read_bytes() == generated.read_bytes(), (
            f"exercises/{generated.name} differs from its solution: run `make exercises`")


@pytest.mark.parametrize("solution", SOLUTIONS, ids=[p.stem for p in SOLUTIONS])
def test_solution_notebooks_follow_the_nbgrader_conventions(solution):
    nb = nbformat.read(str(solution), as_version=4)
    tasks = assignments.grade_cells(nb)
    assert 5 <= len(tasks) <= 10, f"{solution.name}: {len(tasks)} graded tasks"
    ids = [grade_id for grade_id, _, _ in tasks]
    assert len(set(ids)) == len(ids) and all(points > 0 for _, points, _ in tasks)
    solution_cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert all(assignments.BEGIN in c.source for c in solution_cells if c.cell_type == "code")


@pytest.mark.parametrize("name", [p.name for p in SOLUTIONS])
def test_an_untouched_exercise_runs_to_the_end_and_says_not_attempted(name, tmp_path):
    nb = nbformat.read(str(ROOT / "exercises" / name), as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on error
    reports = [o["data"][MIME] for c in nb.cells for o in c.get("outputs", [])
               if MIME in o.get("data", {})]
    assert len(reports) == len(assignments.grade_cells(nb))
    assert all(not r["attempted"] and "not attempted" in r["summary"] for r in reports)


@needs_bwrap
def test_planted_bugs_cost_exactly_the_tasks_they_break(tmp_path):
    """Lesson 5 filled in from its solution, with three classic mistakes planted: an off-by-one
    output delta (no 1/N), a missing activation derivative, a wrong sign in the update. The
    Example 3 task calls the student's own update, so it fails too; every other task scores."""
    nb = nbformat.read(str(ROOT / "solutions" / "05_backprop.ipynb"), as_version=4)
    plants = {
        "output_delta_bce_code": ("return (y_hat - y) / y_hat.size", "return y_hat - y"),
        "hidden_delta_code": ("return (delta_next @ W_next) * a * (1.0 - a)",
                              "return delta_next @ W_next"),
        "gradient_step_code": ("return w - eta * grad", "return w + eta * grad"),
    }
    for cell in nb.cells:
        plant = plants.get(cell.metadata.get("nbgrader", {}).get("grade_id"))
        if plant:
            assert plant[0] in cell.source
            cell.source = cell.source.replace(*plant)
        if cell.cell_type == "code":
            cell.outputs = []
    submission = tmp_path / "student_05_backprop.ipynb"
    nbformat.write(nb, str(submission))
    with open(tmp_path / "log.txt", "w") as log:
        rows = grade([submission], tmp_path / "grades.csv", cell_timeout=60, out=log)
    points = {r.task: (r.points, r.max_points) for r in rows}
    broken = {"output_delta_bce", "hidden_delta", "gradient_step", "example3_w11"}
    assert {t for t, (got, most) in points.items() if got == 0} == broken
    assert all(got == most for t, (got, most) in points.items() if t not in broken)
    with open(tmp_path / "grades.csv") as handle:
        assert len(list(csv.DictReader(handle))) == len(points)


@needs_bwrap
def test_the_grader_gives_the_solution_full_points_and_the_exercise_none(tmp_path):
    pair = [ROOT / "solutions" / "05_backprop.ipynb", ROOT / "exercises" / "05_backprop.ipynb"]
    with open(tmp_path / "log.txt", "w") as log:
        rows = grade(pair, cell_timeout=60, out=log)
    solution = [r for r in rows if "solutions" in r.notebook]
    exercise = [r for r in rows if "exercises" in r.notebook]
    assert all(r.points == r.max_points > 0 for r in solution)
    assert all(r.points == 0 and "not attempted" in r.message for r in exercise)


NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb")) + SOLUTIONS + \
    sorted((ROOT / "exercises").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[f"{p.parent.name}/{p.stem}" for p in NOTEBOOKS])
def test_every_notebook_links_itself_on_colab_and_binder_and_installs_only_where_missing(path):
    nb = nbformat.read(str(path), as_version=4)
    rel = f"{path.parent.name}/{path.name}"
    launch = [c for c in nb.cells if launch_cells.has_tag(c, launch_cells.LAUNCH_TAG)]
    install = [c for c in nb.cells if launch_cells.is_install_cell(c)]
    assert len(launch) == 1 and len(install) == 1, (
        f"{rel}: launch/install cells missing: `python -m mlpcourse.launch {rel}` adds them")
    # its own path; a solution's opens its exercise (nbgrader releases the solution's cells)
    target = rel.replace("solutions/", "exercises/")
    assert launch[0].source == launch_cells.launch_source(target)
    assert f"blob/main/{target})" in launch[0].source and f"lab/tree/{target})" in launch[0].source
    assert "solutions/" not in launch[0].source
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code is install[0] and not first_code.outputs, f"{rel}: install cell not first"
    assert nb.cells.index(launch[0]) < nb.cells.index(first_code)


def _facts(cells):
    from mlpcourse.grading import source_check

    nb = nbformat.v4.new_notebook()
    nb.cells = cells
    return source_check.analyse(nb)


def _install(source=launch_cells.INSTALL_SOURCE, tagged=True):
    cell = nbformat.v4.new_code_cell(source)
    if tagged:
        cell.metadata["tags"] = [launch_cells.INSTALL_TAG]
    return cell


def _check_cell():
    cell = nbformat.v4.new_code_cell("check_sigmoid(sigmoid)")
    cell.metadata["nbgrader"] = {"grade": True, "grade_id": "sigmoid", "points": 1}
    return cell


def test_the_grader_skips_the_courses_own_install_cell_and_flags_any_other():
    body = nbformat.v4.new_code_cell("def sigmoid(z):\n    return z")
    assert _facts([_install(), body, _check_cell()]).dynamic == []
    # a student's own cell above it changes nothing
    assert _facts([nbformat.v4.new_code_cell("x = 1"), _install(), body]).dynamic == []
    altered = launch_cells.INSTALL_SOURCE.replace("--quiet", "--quiet numpy==1.0")
    for cells in ([_install(altered), body],              # altered
                  [_install(tagged=False), body],         # not the course's cell
                  [_install(), _check_cell(), _install()],  # a second copy after a task
                  [_check_cell(), _install()]):           # only after a task
        dynamic = _facts(cells).dynamic
        assert any("importlib" in d for d in dynamic) and any("pip" in d for d in dynamic), cells


def test_the_submission_reader_keeps_the_install_tag_only_on_the_exact_cell():
    import json

    from mlpcourse.grading.submissions import sanitize

    nb = nbformat.v4.new_notebook()
    nb.cells = [_install(), _install(launch_cells.INSTALL_SOURCE + "\nimport os")]
    clean, problems = sanitize(json.dumps(nb).encode())
    assert problems == []
    assert [launch_cells.is_install_cell(c) for c in clean["cells"]] == [True, False]
