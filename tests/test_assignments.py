"""Exercise generation from solutions, and the class grader, on a small solution notebook."""

import csv
import hashlib
import json

import nbformat
import pytest

from mlpcourse import assignments
from mlpcourse.__main__ import main
from mlpcourse.grader import grade, grade_notebook

SIGMOID_SOLUTION = '''import numpy as np

def sigmoid(z):
    """σ(z) = 1 / (1 + e^{-z})."""
    ### BEGIN SOLUTION
    z = np.asarray(z, dtype=float)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0, e) / (1.0 + e)
    ### END SOLUTION'''

RELU_SOLUTION = '''def relu(z):
    ### BEGIN SOLUTION
    return np.maximum(np.asarray(z, dtype=float), 0.0)
    ### END SOLUTION'''


def solution_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}

    def graded(source, grade_id, points=0, solution=False, grade=False, kind="code"):
        cell = (nbformat.v4.new_code_cell if kind == "code" else nbformat.v4.new_markdown_cell)(
            source)
        cell.metadata["nbgrader"] = {"grade_id": grade_id, "points": points,
                                     "solution": solution, "grade": grade, "locked": not solution,
                                     "schema_version": 3}
        return cell

    nb.cells = [
        nbformat.v4.new_markdown_cell("# Practice\nWrite sigmoid and relu."),
        graded(SIGMOID_SOLUTION, "sigmoid_solution", solution=True),
        graded("from mlpcourse.checkers import check_sigmoid\ncheck_sigmoid(sigmoid)",
               "sigmoid", points=2, grade=True),
        graded(RELU_SOLUTION, "relu_solution", solution=True),
        graded("from mlpcourse.checkers import check_relu\n"
               "### BEGIN HIDDEN TESTS\nassert relu(-1.0) == 0\n### END HIDDEN TESTS\n"
               "check_relu(relu)", "relu", points=3, grade=True),
        graded("Why is ReLU cheap?\n\n### BEGIN SOLUTION\nOne comparison.\n### END SOLUTION",
               "why_relu", solution=True, kind="markdown"),
    ]
    return nb


@pytest.fixture
def course(tmp_path):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    nbformat.write(solution_notebook(), str(solutions / "99_practice.ipynb"))
    return tmp_path


def test_strip_solution_keeps_indentation_and_removes_hidden_tests():
    assert assignments.strip_solution(RELU_SOLUTION) == (
        "def relu(z):\n    # YOUR CODE HERE\n    raise NotImplementedError()")
    src = "x = 1\n### BEGIN HIDDEN TESTS\nassert x\n### END HIDDEN TESTS\ncheck(x)"
    assert assignments.strip_solution(src) == "x = 1\ncheck(x)"
    with pytest.raises(ValueError, match="without"):
        assignments.strip_solution("### BEGIN SOLUTION\nx = 1")


def test_generate_exercises(course):
    written = assignments.generate(course / "solutions", course / "exercises")
    assert [p.name for p in written] == ["99_practice.ipynb"]
    nb = nbformat.read(str(written[0]), as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "np.exp" not in text and "BEGIN" not in text and "assert relu" not in text
    assert text.count("raise NotImplementedError()") == 2
    assert "YOUR ANSWER HERE" in text and "One comparison" not in text
    assert nb.cells[2].metadata["nbgrader"]["points"] == 2
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    before = written[0].read_bytes()
    assignments.generate(course / "solutions", course / "exercises")
    assert written[0].read_bytes() == before  # regeneration is byte-identical


def test_an_edited_exercise_is_never_overwritten(course, capsys):
    path = assignments.generate(course / "solutions", course / "exercises")[0]
    nb = nbformat.read(str(path), as_version=4)
    nb.cells[1].source = nb.cells[1].source.replace("raise NotImplementedError()",
                                                    "return 1 / (1 + np.exp(-z))")
    nbformat.write(nb, str(path))
    edited = path.read_bytes()
    with pytest.raises(assignments.EditedExerciseError, match="99_practice.ipynb changed"):
        assignments.generate(course / "solutions", course / "exercises")
    assert path.read_bytes() == edited
    assert main(["exercises", "--solutions", str(course / "solutions"),
                 "--exercises", str(course / "exercises")]) == 2
    assert "nothing was written" in capsys.readouterr().err
    assignments.generate(course / "solutions", course / "exercises", force=True)
    backups = list((course / "exercises").glob("99_practice.edited-*.ipynb"))
    assert len(backups) == 1 and backups[0].read_bytes() == edited
    assert not assignments.is_edited(path)


def submission(course, name, replace=None, drop_cell=None, raw=None):
    """An exercise notebook 'filled in' by a student."""
    source = course / "exercises" / "99_practice.ipynb"
    if not source.exists():
        assignments.generate(course / "solutions", course / "exercises")
    target = course / "submissions" / name
    target.parent.mkdir(exist_ok=True)
    if raw is not None:
        target.write_text(raw)
        return target
    nb = nbformat.read(str(source), as_version=4)
    for index, code in (replace or {}).items():
        nb.cells[index].source = code
    if drop_cell is not None:
        del nb.cells[drop_cell]
    nbformat.write(nb, str(target))
    return target


def test_grader_gives_full_points_to_the_solution_and_zero_to_the_untouched_exercise(course):
    solution = course / "solutions" / "99_practice.ipynb"
    rows = grade_notebook(solution, course / "solutions", cell_timeout=30)
    assert [(r.task, r.points, r.max_points) for r in rows] == [("sigmoid", 2, 2), ("relu", 3, 3)]
    rows = grade_notebook(submission(course, "untouched.ipynb"), course / "solutions", 30)
    assert [r.points for r in rows] == [0, 0]
    assert all("not attempted" in r.message for r in rows)


def test_grader_handles_broken_submissions_and_never_modifies_them(course, tmp_path):
    wrong_relu = "def relu(z):\n    return np.abs(np.asarray(z, dtype=float))"  # wrong for z < 0
    looping = "import numpy as np\ndef sigmoid(z):\n    while True:\n        pass"
    subs = [
        submission(course, "alice.ipynb", replace={1: SIGMOID_SOLUTION, 3: wrong_relu}),
        submission(course, "bob_99_practice.ipynb", raw="{not json"),
        submission(course, "carol.ipynb", replace={1: SIGMOID_SOLUTION}, drop_cell=4),
        submission(course, "dave.ipynb", replace={1: looping, 3: "def relu(z):\n    return 1/0"}),
        submission(course, "erin.ipynb", replace={1: "import os\nos._exit(1)"}),
    ]
    digests = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in subs}
    out = tmp_path / "grades.csv"
    with open(tmp_path / "log.txt", "w") as log:
        grade([course / "submissions"], out, course / "solutions", cell_timeout=8, out=log)
    assert all(hashlib.sha256(p.read_bytes()).hexdigest() == digests[p] for p in subs)
    with open(out) as handle:
        rows = {(r["notebook"].split("/")[-1], r["task"]): r for r in csv.DictReader(handle)}
    assert len(rows) == 10
    alice = rows["alice.ipynb", "sigmoid"], rows["alice.ipynb", "relu"]
    assert alice[0]["points"] == "2" and alice[1]["points"] == "0"  # a task is right or not
    assert "AssertionError" in alice[1]["message"]  # the solution's hidden test caught it
    assert rows["bob_99_practice.ipynb", "relu"]["points"] == "0"
    assert "not a valid notebook" in rows["bob_99_practice.ipynb", "relu"]["message"]
    carol = rows["carol.ipynb", "relu"]
    assert carol["points"] == "0" and "missing" in carol["message"]
    assert rows["carol.ipynb", "sigmoid"]["points"] == "2"
    assert "did not return" in rows["dave.ipynb", "sigmoid"]["message"]
    assert "ZeroDivisionError" in rows["dave.ipynb", "relu"]["message"]
    assert "kernel died" in rows["erin.ipynb", "sigmoid"]["message"]
    log = (tmp_path / "log.txt").read_text()
    assert "[1/5]" in log and "[5/5]" in log and "total 2 / 5" in log


def test_grade_command_line(course, tmp_path, capsys):
    target = submission(course, "x.ipynb")
    assert main(["grade", str(target), "--csv", str(tmp_path / "g.csv"),
                 "--solutions", str(course / "solutions"), "--timeout", "30"]) == 0
    assert "total 0 / 5" in capsys.readouterr().out
    assert main(["grade", str(tmp_path / "nope")]) == 2
    assert json.loads(target.read_text())["metadata"]["mlpcourse"]["assignment"] == "99_practice"
