"""The nbgrader round trip (issue 11), run with nbgrader itself: an nbgrader course with
``solutions/`` as its source, ``nbgrader generate_assignment`` for every lesson, ``nbgrader
autograde`` of three students per lesson, ``nbgrader export``:

- the untouched exercise (released as generated) scores 0;
- the solution scores full marks, the sum of the points in its grade cells' metadata;
- a partly done exercise (some tasks solved, some left as generated, some wrong, a few with bugs
  that pass some of their cases) scores exactly the points of its correct tasks. A solved task is
  correct when every task whose functions it uses (read from the code) is correct too;
- ``nbgrader validate`` lists exactly its other tasks as failed, and the same notebook run in a
  student's own session shows no traceback and the same verdicts.

Slow (two to three minutes: 26 notebooks autograded, 8 validated, 8 run as a student would):
marked ``nbgrader`` (``make test-nbgrader``). The course helpers live in
benchmarks/grading_nbgrader.py, which also times nbgrader for the grading benchmark.
"""

import ast
import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import nbformat
import pytest
from nbclient import NotebookClient

pytest.importorskip("nbgrader", reason="nbgrader is not installed (pip install nbgrader)")
try:  # `make test` deselects the marker; until pyproject.toml registers it, run unmarked
    pytestmark = pytest.mark.nbgrader
except pytest.fail.Exception:  # --strict-markers: "'nbgrader' not found in `markers`"
    pytestmark = []

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(p.stem for p in (ROOT / "solutions").glob("*.ipynb"))


def _load_course_tools():
    spec = importlib.util.spec_from_file_location("mlpcourse_bench_grading_nbgrader",
                                                  ROOT / "benchmarks" / "grading_nbgrader.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


tools = _load_course_tools()


def solution(lesson):
    return nbformat.read(str(ROOT / "solutions" / f"{lesson}.ipynb"), as_version=4)


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    root = tmp_path_factory.mktemp("nbgrader") / "course"
    assignments = tools.make_course(root)
    assert assignments == LESSONS
    tools.generate(root)
    tools.submit_defaults(root, assignments)
    tools.autograde(root, "*")  # every lesson in one nbgrader run
    return SimpleNamespace(root=root, totals=tools.export(root), tasks=tools.task_scores(root))


# ----------------------------------------------------------------------------- the oracle


def _names(source: str) -> tuple[set, set]:
    """(names a cell defines at top level, names it reads anywhere)."""
    tree = ast.parse(source)
    defined = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return defined, read


def correct_tasks(nb, states) -> set:
    """The tasks of the partial submission that are right: solved, and every task whose solution
    defines a name they read (in their solution cells or their check cell) is right too."""
    tasks = tools.tasks(nb)
    defines, reads = {}, {}
    for task in tasks:
        defines[task.grade_id], reads[task.grade_id] = set(), set()
        for index in [*task.solution_cells, task.grade_cell]:
            defined, read = _names(nb.cells[index].source)
            reads[task.grade_id] |= read
            if index != task.grade_cell:
                defines[task.grade_id] |= defined
    depends = {t.grade_id: {o.grade_id for o in tasks if o.grade_id != t.grade_id
                            and defines[o.grade_id] & reads[t.grade_id]} for t in tasks}
    correct = {t.grade_id for t in tasks if states[t.grade_id] == "solved"}
    while True:  # the largest set closed under "my dependencies are correct"
        keep = {t for t in correct if depends[t] <= correct}
        if keep == correct:
            return correct
        correct = keep


def test_the_oracle_follows_dependencies():
    nb = solution("01_perceptron")
    states = dict.fromkeys((t.grade_id for t in tools.tasks(nb)), "solved")
    assert correct_tasks(nb, states) == set(states)
    states["step_output"] = "untouched"  # perceptron_output calls it, the update and training too
    assert {"perceptron_output", "perceptron_update", "train_perceptron", "step_output"}.isdisjoint(
        correct_tasks(nb, states))
    assert {"adder", "gate_weights", "answer_xor"} <= correct_tasks(nb, states)


def expectations(lesson):
    nb = solution(lesson)
    states = tools.partial_states(nb)
    points = {t.grade_id: t.points for t in tools.tasks(nb)}
    return nb, states, points, correct_tasks(nb, states)


# ----------------------------------------------------------------------------- the round trip


def why(course, lesson, student) -> dict:
    """What nbgrader saw in each check cell that scored 0 (its error or stderr): for messages."""
    path = course.root / "autograded" / student / lesson / f"{lesson}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    reasons = {}
    for task in tools.tasks(nb):
        for output in nb.cells[task.grade_cell].outputs:
            if output.output_type == "error":
                reasons[task.grade_id] = f"{output.ename}: {output.evalue}"[:300]
            elif output.get("name") == "stderr":
                reasons[task.grade_id] = "stderr: " + output.text[:300]
    return reasons


@pytest.mark.parametrize("lesson", LESSONS)
def test_nbgrader_releases_exactly_the_committed_exercise(course, lesson):
    released = tools.released(course.root, lesson)
    committed = nbformat.read(str(ROOT / "exercises" / f"{lesson}.ipynb"), as_version=4)
    assert [c.source for c in released.cells] == [c.source for c in committed.cells]
    grading = [c.metadata.get("nbgrader", {}).get("grade_id") for c in released.cells]
    assert grading == [c.metadata.get("nbgrader", {}).get("grade_id") for c in committed.cells]


@pytest.mark.parametrize("lesson", LESSONS)
def test_an_untouched_exercise_scores_zero(course, lesson):
    full = tools.total_points(solution(lesson))
    assert course.totals[(lesson, "untouched")] == (0.0, full)
    assert set(course.tasks[(lesson, "untouched")].values()) == {0.0}


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_solution_scores_full_marks(course, lesson):
    full = tools.total_points(solution(lesson))
    assert full > 0
    assert course.totals[(lesson, "solution")] == (full, full), why(course, lesson, "solution")
    assert course.tasks[(lesson, "solution")] == {t.grade_id: t.points
                                                  for t in tools.tasks(solution(lesson))}


@pytest.mark.parametrize("lesson", LESSONS)
def test_a_partly_done_exercise_scores_exactly_its_correct_tasks(course, lesson):
    _, states, points, correct = expectations(lesson)
    assert correct and set(points) - correct, "the partial submission must be partly right"
    assert {"untouched", "wrong"} <= set(states.values())
    got = course.tasks[(lesson, "partial")]
    assert {task for task, score in got.items() if score > 0} == correct, \
        why(course, lesson, "partial")
    assert all(got[task] == points[task] for task in correct)
    expected = sum(points[task] for task in correct)
    assert course.totals[(lesson, "partial")] == (expected, sum(points.values()))


_VALIDATE = """
import json, sys
from nbgrader.validator import Validator
print(json.dumps({path: [cell["source"] for cell in Validator().validate(path).get("failed", [])]
                  for path in sys.argv[1:]}))
"""


def test_nbgrader_validate_fails_exactly_the_tasks_that_are_not_right(course):
    paths = [str(course.root / "submitted" / "partial" / lesson / f"{lesson}.ipynb")
             for lesson in LESSONS]
    done = subprocess.run([sys.executable, "-c", _VALIDATE, *paths], env=tools.nbgrader_env(),
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    failed = json.loads(done.stdout.strip().splitlines()[-1])
    for lesson, path in zip(LESSONS, paths, strict=True):
        nb, _, points, correct = expectations(lesson)
        check_source = {t.grade_id: nb.cells[t.grade_cell].source.strip() for t in tools.tasks(nb)}
        not_right = set(points) - correct
        assert sorted(failed[path]) == sorted(check_source[t] for t in not_right), lesson


_VERDICTS = """\
import json as _json
print(_json.dumps({n: [bool(r.passed), getattr(r, "n_passed", None)]
                   for n, r in Out.items() if hasattr(r, "passed")}))"""


@pytest.mark.parametrize("lesson", LESSONS)
def test_the_partial_submission_is_friendly_in_a_students_session(course, lesson, tmp_path,
                                                                   monkeypatch):
    """No NBGRADER_* variables: no cell raises, and the checks' verdicts are nbgrader's."""
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    nb = nbformat.read(str(course.root / "submitted" / "partial" / lesson / f"{lesson}.ipynb"),
                       as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_VERDICTS))
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(tmp_path)}}).execute()  # raises on error
    verdicts = json.loads(nb.cells[-1].outputs[0]["text"])
    _, states, _, correct = expectations(lesson)
    seen = {}
    for task in tools.tasks(nb):
        cell = nb.cells[task.grade_cell]
        assert not any(o.get("name") == "stderr" for o in cell.outputs), (lesson, task.grade_id)
        seen[task.grade_id] = verdicts[str(cell.execution_count)]
    assert {task for task, (passed, _) in seen.items() if passed} == correct
    planted = [task for task in tools.tasks(nb) if any(
        nb.cells[i].metadata["nbgrader"]["grade_id"] in tools.PLANTED for i in task.solution_cells)]
    for task in planted:  # a bug that passes some cases still earns nothing under nbgrader
        assert states[task.grade_id] == "wrong" and seen[task.grade_id][1], task.grade_id


def test_the_benchmark_grades_given_notebooks_by_their_lesson(tmp_path):
    out = tmp_path / "nbgrader.json"
    given = [ROOT / "exercises" / "08_quizzes.ipynb", ROOT / "solutions" / "03_activations.ipynb"]
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "grading_nbgrader.py"),
                           *map(str, given), "--out", str(out)],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads(out.read_text())
    assert results["notebooks"] == 2 and results["jobs"] == 1
    assert [row["assignment"] for row in results["per_lesson"]] == ["03_activations", "08_quizzes"]
    assert results["notebooks_per_s_per_core"] > 0 and results["cpu_s"] > 0
    full = tools.total_points(solution("03_activations"))
    assert results["scores"] == {
        "03_activations/s002_03_activations": [full, full],
        "08_quizzes/s001_08_quizzes": [0.0, tools.total_points(solution("08_quizzes"))]}
    assert "notebooks/s per core" in done.stdout
