"""Exercise generation from solutions, on a small solution notebook. (The class grader, which
grades only tasks the course defines, is tested in test_grader.py and test_grader_attacks.py.)"""

import nbformat
import pytest

from mlpcourse import assignments
from mlpcourse.__main__ import main

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


def test_the_exercise_links_itself_not_its_solution():
    from mlpcourse import launch

    solution = solution_notebook()
    assert launch.add_launch_cells(solution, "solutions/99_practice.ipynb")
    assert not launch.add_launch_cells(solution, "solutions/99_practice.ipynb")  # idempotent
    assert [c.cell_type for c in solution.cells[:3]] == ["markdown", "markdown", "code"]
    exercise = assignments.make_exercise(solution, "99_practice")
    text = exercise.cells[1].source
    assert "exercises/99_practice.ipynb" in text and "solutions/" not in text
    assert launch.is_install_cell(exercise.cells[2])
