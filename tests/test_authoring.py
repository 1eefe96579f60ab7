"""``python -m mlpcourse new-task``: on a temporary copy of solutions/, exercises/ and the checker
modules (the repository's files are never touched), it adds a task whose cells carry the metadata
nbgrader needs, whose exercise generates, whose points enter the computed totals, and it refuses
bad requests without writing anything."""

import hashlib
import importlib.util
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from checkers_helpers import stub

from mlpcourse import launch
from mlpcourse.__main__ import main
from mlpcourse.assignments import generate
from mlpcourse.authoring import AuthoringError, disagreements, new_task, points_summary

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture()
def course(tmp_path):
    """A copy of what new-task edits and reads, laid out as in the repository."""
    shutil.copytree(REPO / "solutions", tmp_path / "solutions")
    shutil.copytree(REPO / "exercises", tmp_path / "exercises")
    shutil.copytree(REPO / "mlpcourse" / "checkers", tmp_path / "mlpcourse" / "checkers",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def digest(root: Path) -> dict:
    return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and "__pycache__" not in p.parts}


def run(course, *args):
    """The command line in a process of its own, run from the repository (the course copy given
    as --root)."""
    return subprocess.run([sys.executable, "-m", "mlpcourse", "new-task", *args, "--root",
                           str(course)], cwd=REPO, capture_output=True, text=True, timeout=300)


def run_here(course, capsys, *args):
    """The command line in this process: (exit code, stdout, stderr)."""
    code = main(["new-task", *args, "--root", str(course)])
    out, err = capsys.readouterr()
    return code, out, err


def load_checker(path: Path, lesson: str):
    """The copied checker module, imported under a name of its own inside mlpcourse.checkers (so
    its relative imports resolve to the real package)."""
    name = f"mlpcourse.checkers._copy_of_lesson{lesson}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses defined in the module look themselves up here
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def read(course, notebook):
    return nbformat.read(str(course / "solutions" / f"{notebook}.ipynb"), as_version=4)


def test_new_task_adds_cells_metadata_checker_and_totals(course):
    repository_before = digest(REPO / "solutions") | digest(REPO / "mlpcourse" / "checkers")
    before = points_summary(read(course, "05_backprop"))
    result = run(course, "05", "softmax_delta", "--points", "2", "--args", "z, y")
    assert result.returncode == 0, result.stderr
    number = len(before.tasks) + 1
    assert f"added task {number}, softmax_delta" in result.stdout

    nb = read(course, "05_backprop")
    nbformat.validate(nb)
    lesson05 = load_checker(course / "mlpcourse" / "checkers" / "lesson05.py", "05")
    names = [task.name for task in lesson05.TASKS]
    assert names[-1] == "softmax_delta" and "check_softmax_delta" in lesson05.__all__
    # the notebook and the checker agree, and the totals include the new points
    assert disagreements(nb, names) == []
    after = points_summary(nb)
    assert after.total == before.total + 2 == after.stated_points
    assert after.stated_tasks == len(after.tasks) == len(before.tasks) + 1
    assert after.headings["softmax_delta"] == (number, 2)

    # the cells carry every nbgrader key an existing task's cells carry, with unique grade ids
    cells = {c.metadata["nbgrader"]["grade_id"]: c for c in nb.cells if "nbgrader" in c.metadata}
    solution, check = cells["softmax_delta_code"], cells["softmax_delta"]
    last, last_points = before.tasks[-1]  # the task that was last before
    assert check.metadata["nbgrader"] | {"points": last_points, "grade_id": last} == \
        cells[last].metadata["nbgrader"]
    assert solution.metadata["nbgrader"] | {"grade_id": f"{last}_code"} == \
        cells[f"{last}_code"].metadata["nbgrader"]
    assert "### BEGIN SOLUTION" in solution.source and "### END SOLUTION" in solution.source
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)) and len({c.id for c in nb.cells}) == len(nb.cells)

    # until the lecturer writes its cases, the check passes nothing and says why
    for function in (stub, lambda z, y: z):
        unwritten = lesson05.check_softmax_delta(function)
        assert not unwritten.passed and "lists no cases yet" in unwritten.summary()

    # the exercise regenerates with the new task (and only lesson 5's exercise changes)
    exercises_before = digest(course / "exercises")
    generate(course / "solutions", course / "exercises")
    changed = {k for k, v in digest(course / "exercises").items() if exercises_before[k] != v}
    assert changed == {"05_backprop.ipynb"}
    exercise = nbformat.read(str(course / "exercises" / "05_backprop.ipynb"), as_version=4)
    stubbed = next(c for c in exercise.cells
                   if c.metadata.get("nbgrader", {}).get("grade_id") == "softmax_delta_code")
    assert "# YOUR CODE HERE" in stubbed.source and "goes here" not in stubbed.source
    assert repository_before == digest(REPO / "solutions") | digest(REPO / "mlpcourse" /
                                                                     "checkers")


def test_nbgrader_accepts_the_new_cells(course):
    validator = pytest.importorskip("nbgrader.nbgraderformat").MetadataValidator()
    before = points_summary(read(course, "07_vanishing_gradients"))
    new_task("07", "relu_share", 1.5, root=course, title="The share of active ReLUs")
    nb = read(course, "07_vanishing_gradients")
    validator.validate_nb(nb)  # raises nbgrader's ValidationError on a bad cell
    number = len(before.tasks) + 1
    assert f"## Task {number}: The share of active ReLUs (1.5 points)" in nb.cells[-3].source
    assert points_summary(nb).stated_points == before.total + 1.5


def test_a_trailing_section_stays_last_and_a_stated_total_of_another_form_is_raised(course):
    nb = read(course, "01_perceptron")  # its introduction says "Total: N points."
    if not nb.cells[-1].source.startswith("## Done"):  # a closing section after the last task
        nb.cells.append(nbformat.v4.new_markdown_cell("## Done\n\nWell done."))
        nbformat.write(nb, str(course / "solutions" / "01_perceptron.ipynb"))
    before = points_summary(nb)
    done = new_task("1", "nand_network", 3, root=course)
    nb = read(course, "01_perceptron")
    assert done.number == len(before.tasks) + 1 and done.imported and done.total_updated
    assert nb.cells[-1].source.startswith("## Done")
    assert nb.cells[-2].source == "check_nand_network(nand_network)"
    assert f"Total: {before.total + 3} points." in nb.cells[0].source
    lesson01 = load_checker(course / "mlpcourse" / "checkers" / "lesson01.py", "01")
    assert disagreements(nb, [task.name for task in lesson01.TASKS]) == []
    second = new_task("01", "or_network", 1, root=course)  # a second one follows the first
    nb = read(course, "01_perceptron")
    assert second.number == done.number + 1
    assert f"Total: {before.total + 4} points." in nb.cells[0].source
    assert [c.source for c in nb.cells[-7:-1]][2::3] == ["check_nand_network(nand_network)",
                                                        "check_or_network(or_network)"]
    assert nb.cells[-1].source.startswith("## Done")


@pytest.mark.parametrize(("args", "argument", "given"), [
    (["42", "anything", "--points", "1"], "LESSON", "'42'"),
    (["05", "chain_deltas", "--points", "1"], "NAME must be new", "'chain_deltas'"),
    (["05", "chain_deltas_code", "--points", "1"], "NAME must be new", "'chain_deltas_code'"),
    (["06", "sigmoid", "--points", "1"], "NAME must be new", "'sigmoid'"),  # lesson 3's check
    (["05", "np", "--points", "1"], "NAME must be new", "'np'"),  # the notebook's numpy
    (["05", "2nd_delta", "--points", "1"], "NAME must be a lower-case Python identifier",
     "'2nd_delta'"),
    (["05", "Delta", "--points", "1"], "NAME must be a lower-case Python identifier", "'Delta'"),
    (["05", "lambda", "--points", "1"], "NAME must be a lower-case Python identifier",
     "'lambda'"),
    (["05", "delta", "--points", "0"], "--points must be a positive number", "'0'"),
    (["05", "delta", "--points", "-2"], "--points must be a positive number", "'-2'"),
    (["05", "delta", "--points", "two"], "--points must be a positive number", "'two'"),
])
def test_bad_requests_are_refused_and_nothing_is_written(course, capsys, args, argument, given):
    before = digest(course)
    code, out, err = run_here(course, capsys, *args)
    assert code == 2 and out == ""
    assert argument in err and f"got {given}" in err, err
    assert digest(course) == before


def test_a_folder_that_is_not_the_repository_is_refused(tmp_path):
    with pytest.raises(AuthoringError, match="--root must be the repository's top folder"):
        new_task("05", "delta", 1, root=tmp_path)


# ---------------------------------------------------------------- docs/lecturers.md

GUIDE = REPO / "docs" / "lecturers.md"


def test_the_guides_new_lesson_template_takes_tasks_and_passes_ruff(course):
    """The checker module and solution notebook the guide's "Add a lesson" shows, then new-task
    twice: the notebook and the module agree, and the module is lint-clean."""
    text = GUIDE.read_text()
    template = textwrap.dedent(re.search(
        r"<!-- template: mlpcourse/checkers/lessonNN.py -->\n *```python\n(.*?)\n *```", text,
        re.S)[1])
    import_cell = textwrap.dedent(re.search(
        r"```python\n( *import numpy as np\n\n *from mlpcourse.checkers import \(\n *\))\n",
        text)[1])
    (course / "mlpcourse" / "checkers" / "lesson10.py").write_text(template + "\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Exercises 10: A new lesson\n\nThere are 0 tasks, "
                                              "0 points in total."),
                nbformat.v4.new_code_cell(import_cell)]
    nbformat.write(nb, str(course / "solutions" / "10_new_lesson.ipynb"))
    launch.main([str(course / "solutions" / "10_new_lesson.ipynb")])  # the guide's next step
    new_task("10", "first_thing", 2, root=course, args="z")
    new_task("10", "second_thing", 1, root=course)
    nb = read(course, "10_new_lesson")
    lesson10 = load_checker(course / "mlpcourse" / "checkers" / "lesson10.py", "10")
    assert [task.name for task in lesson10.TASKS] == ["first_thing", "second_thing"]
    assert disagreements(nb, ["first_thing", "second_thing"]) == []
    assert "There are 2 tasks, 3 points in total." in nb.cells[0].source
    assert [launch.has_tag(c, launch.INSTALL_TAG) for c in nb.cells].count(True) == 1
    for cell in nb.cells:
        if cell.cell_type == "code" and not launch.has_tag(cell, launch.INSTALL_TAG):
            compile(cell.source, "cell", "exec")  # (the install cell's %pip is IPython's)
    ruff = subprocess.run([sys.executable, "-m", "ruff", "check", "--config",
                           str(REPO / "pyproject.toml"), "lesson10.py", "lesson05.py"],
                          cwd=course / "mlpcourse" / "checkers", capture_output=True, text=True)
    if "No module named ruff" in ruff.stderr:
        pytest.skip("ruff is not installed")
    new_task("05", "one_more", 1, root=course)  # an existing module stays lint-clean too
    ruff = subprocess.run(ruff.args, cwd=course / "mlpcourse" / "checkers", capture_output=True,
                          text=True)
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr


def test_every_command_target_and_path_the_guide_names_exists(capsys):
    text = GUIDE.read_text()
    targets = set(re.findall(r"^([\w-]+):", (REPO / "Makefile").read_text(), re.M))
    named = set(re.findall(r"(?:^|`)make ([\w-]+)", text, re.M))
    assert named and named <= targets, named - targets
    for command in set(re.findall(r"-m mlpcourse ([a-z][\w-]*)", text)):
        with pytest.raises(SystemExit) as leave:
            main([command, "--help"])
        assert leave.value.code == 0, command
    capsys.readouterr()
    paths = set(re.findall(r"`((?:mlpcourse|tests|tools|docs|benchmarks|notebooks|solutions|"
                           r"\.ci)/[\w./-]*)`", text))
    for path in paths - {p for p in paths if re.search(r"NN|10|<", p)}:
        assert (REPO / path).exists() or list(REPO.glob(path)), path
    for name in set(re.findall(r"`(\w+\.py)`", text)) - {"lesson05.py", "lessonNN.py"}:
        assert list((REPO / "mlpcourse").rglob(name)), name
    for module in set(re.findall(r"-m (mlpcourse\.\w+)", text)):
        assert importlib.util.find_spec(module), module


def test_a_write_that_fails_leaves_both_files_as_they_were(course, monkeypatch):
    before = digest(course)
    real_write = Path.write_text

    def write_text(self, text, *args, **kwargs):  # the second file cannot be written
        if self.name.endswith(".py.new-task"):
            raise OSError(f"{self}: no space left on device")
        return real_write(self, text, *args, **kwargs)

    monkeypatch.setattr(Path, "write_text", write_text)
    with pytest.raises(OSError, match="no space left"):
        new_task("05", "delta", 1, root=course)
    assert digest(course) == before  # the notebook unchanged, no temporary file left
