"""The grader computes expected answers in its own process (issue 11): one task definition per
graded cell, fresh random cases per seed, the kernel returns only outputs (read back safely), and
the cheats that targeted in-kernel checking earn nothing.

Most tests run the kernel's side (:func:`mlpcourse.grading.runner.run_task`) in this process on
a namespace built like a notebook's; a few run the real harness (a fresh kernel per notebook).
"""

import base64
import json
import pickle
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
from notebook_code import SOLUTIONS, solution_namespace

from mlpcourse.assignments import grade_cells
from mlpcourse.checkers import core
from mlpcourse.grading import source_check, tasks, wire
from mlpcourse.grading.runner import run_task
from mlpcourse.grading.tasks import plan, score, write_calls
from mlpcourse.launch import is_install_cell

ROOT = Path(__file__).resolve().parents[1]
LESSONS = sorted(tasks.LESSONS)


def results_in_process(p, namespace, folder: Path) -> Path:
    """What the harness would write for a kernel whose namespace is ``namespace`` (all cells
    already run): the kernel's side of every task, called here."""
    folder.mkdir(parents=True, exist_ok=True)
    write_calls(p, folder / "calls.pkl")
    with open(folder / "calls.pkl", "rb") as handle:
        calls = pickle.load(handle)
    results = {"format": tasks.RESULTS_FORMAT, "cells": [], "stopped": None, "tasks": {}}
    for number, task in enumerate(calls["tasks"]):
        out = folder / f"task{number}.json"
        payload = base64.b64encode(pickle.dumps({**task, "time_limit": 5.0})).decode()
        run_task(namespace, payload, str(out))
        results["tasks"][task["task"]] = json.loads(out.read_text())
    (folder / "results.json").write_text(json.dumps(results))
    return folder / "results.json"


def notebook_with(name: str, replace: dict | None = None, append: str = "") -> dict:
    """The solution notebook of ``name`` with some solution cells' sources replaced
    ({grade_id of the code cell: new source}) and a cell of code appended."""
    nb = nbformat.read(str(SOLUTIONS / f"{name}.ipynb"), as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if replace and grade_id in replace:
            cell.source = replace[grade_id]
    if append:
        nb.cells.append(_new_cell(nb, append))
    return nb


def _new_cell(nb, source):
    cell = nbformat.v4.new_code_cell(source)
    if nb.nbformat_minor < 5:
        cell.pop("id", None)
    return cell


def namespace_of(nb) -> dict:
    """Run a notebook's code cells (not the check cells) in a fresh namespace, like a kernel."""
    import mlpcourse as mc

    namespace = {"np": np, "mc": mc, "__name__": "__main__"}
    for cell in nb.cells:
        if is_install_cell(cell):  # %pip only where the course is missing: a kernel skips it
            continue
        if cell.cell_type == "code" and not cell.metadata.get("nbgrader", {}).get("grade"):
            exec(compile(cell.source, "<ipython-input>", "exec"), namespace)  # noqa: S102
    return namespace


def grade_in_process(name, nb, folder, seed=1):
    p = plan(name, seed)
    return score(p, results_in_process(p, namespace_of(nb), folder), notebook=nb)


# ---------------------------------------------------------------- one definition per task


@pytest.mark.parametrize("name", LESSONS)
def test_every_graded_cell_has_one_task_definition(name):
    graded = [grade_id for grade_id, _, _ in grade_cells(
        nbformat.read(str(SOLUTIONS / f"{name}.ipynb"), as_version=4))]
    defined = [task.name for task in tasks.lesson_tasks(name)]
    assert sorted(graded) == sorted(defined)
    assert plan(name, 0).tasks == graded
    cells = grade_cells(nbformat.read(str(SOLUTIONS / f"{name}.ipynb"), as_version=4))
    # the grader reads the function the check cell passes: check_<task>(<task>)
    assert all(cell.source.strip() == f"check_{grade_id}({grade_id})"
               for grade_id, _, cell in cells)


@pytest.mark.parametrize("name", LESSONS)
def test_the_solution_gets_full_marks_with_no_flags(name, tmp_path):
    rows = score(*_solution_run(name, tmp_path), notebook=SOLUTIONS / f"{name}.ipynb")
    assert [r.points for r in rows] == [r.max_points for r in rows], [r.message for r in rows]
    assert all(not r.flags for r in rows), [r.flags for r in rows if r.flags]


def _solution_run(name, folder, seed=7):
    p = plan(name, seed)
    return p, results_in_process(p, solution_namespace(name), folder)


@pytest.mark.parametrize("name", LESSONS)
def test_an_untouched_exercise_gets_nothing_and_says_not_attempted(name, tmp_path):
    p = plan(name, 3)
    rows = score(p, results_in_process(p, solution_namespace(name, stubs=True), tmp_path))
    assert all(r.points == 0 and "not attempted" in r.message for r in rows), \
        [r.message for r in rows]


@pytest.mark.parametrize("name", LESSONS)
def test_the_random_cases_depend_on_the_seed_and_only_on_it(name):
    for task in tasks.lesson_tasks(name):
        fixed = task.cases(None)
        first = plan(name, 11).cases[task.name]
        again = plan(name, 11).cases[task.name]
        other = plan(name, 12).cases[task.name]
        planned = [c.description for c in first]
        assert all(c.description in planned for c in fixed)
        assert pickle.dumps([(c.args, c.kwargs) for c in first]) == \
            pickle.dumps([(c.args, c.kwargs) for c in again])
        if len(first) > len(fixed):  # a task with random cases (not a multiple choice)
            assert pickle.dumps([c.args for c in first]) != pickle.dumps([c.args for c in other])


def test_the_calls_file_holds_no_expected_value(tmp_path):
    p = plan("03_activations", 5)
    write_calls(p, tmp_path / "calls.pkl")
    with open(tmp_path / "calls.pkl", "rb") as handle:
        calls = pickle.load(handle)
    text = repr(calls)
    for name in p.tasks:
        for case in p.cases[name]:
            if isinstance(case.expected, np.ndarray) and case.expected.size > 2 and \
                    not np.isin(case.expected, [0.0, 1.0]).all():
                assert repr(case.expected) not in text
    assert set(calls) == {"format", "assignment", "seed", "tasks"}
    assert set(calls["tasks"][0]) == {"task", "function", "call", "calls"}


def test_a_plan_pickles_small_and_rebuilds_the_same_cases():
    p = plan("05_backprop", 99)
    copy = pickle.loads(pickle.dumps(p))
    assert len(pickle.dumps(p)) < 1000
    assert copy.tasks == p.tasks and copy.seed == 99
    for name in p.tasks:
        assert [c.description for c in copy.cases[name]] == [c.description for c in p.cases[name]]


# ---------------------------------------------------------------- running the real harness


def run_harness(nb, folder: Path, name="03_activations", seed=1, timeout=120, **options):
    """Grade ``nb`` through the harness in a fresh kernel; returns (rows, results dict)."""
    env = options.pop("env", None)
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.from_dict(nb) if isinstance(nb, dict) else nb,
                   str(folder / "submission.ipynb"))
    p = plan(name, seed)
    write_calls(p, folder / "calls.pkl")
    argv = [sys.executable, "-m", "mlpcourse.grading.harness", str(folder / "submission.ipynb"),
            "--calls", str(folder / "calls.pkl"), "--out", str(folder / "results.json"),
            "--progress", str(folder / "progress.txt")]
    options.setdefault("cell_timeout", 30)
    for key, value in options.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = score(p, folder / "results.json", notebook=folder / "submission.ipynb",
                 progress_path=folder / "progress.txt")
    return rows, json.loads((folder / "results.json").read_text())


EXERCISE_03 = ROOT / "exercises" / "03_activations.ipynb"


def exercise_with(cheat: str, name="03_activations") -> dict:
    """The untouched exercise of ``name`` with one cell of cheating code at the end."""
    nb = nbformat.read(str(ROOT / "exercises" / f"{name}.ipynb"), as_version=4)
    nb.cells.append(_new_cell(nb, cheat))
    return nb


def test_the_harness_gives_the_solution_full_marks_and_the_exercise_nothing(tmp_path):
    rows, results = run_harness(
        nbformat.read(str(SOLUTIONS / "03_activations.ipynb"), as_version=4), tmp_path / "s")
    assert all(r.points == r.max_points and not r.flags for r in rows), [r.message for r in rows]
    assert not (tmp_path / "s" / "calls.pkl").exists()  # read, then deleted before the kernel
    progress = (tmp_path / "s" / "progress.txt").read_text().split("\n")
    assert progress[0].startswith("cell ") and "task sigmoid" in progress and progress[-2] == "done"
    rows, _ = run_harness(nbformat.read(str(EXERCISE_03), as_version=4), tmp_path / "e")
    assert all(r.points == 0 and "not attempted" in r.message for r in rows)


WRONG_SIGMOID = "def sigmoid(z):\n    return np.asarray(z, dtype=float) * 0.0 + 0.5\n"
CHEATS_IN_THE_KERNEL = {
    "redefine_check": WRONG_SIGMOID + (
        "from mlpcourse.checkers.core import CheckReport, CaseResult\n"
        "def check_sigmoid(fn):\n"
        "    return CheckReport('sigmoid', [CaseResult('all', True)])\n"),
    "patch_checkreport": WRONG_SIGMOID + (
        "import mlpcourse.checkers.core as core\n"
        "core.CheckReport.passed = property(lambda self: True)\n"
        "core.CheckReport.fraction = property(lambda self: 1.0)\n"
        "core.compare_numbers = lambda *args, **kwargs: None\n"),
    "patch_allclose": WRONG_SIGMOID + (
        "np.allclose = lambda *args, **kwargs: True\n"
        "np.array_equal = lambda *args, **kwargs: True\n"),
    "patch_sum": WRONG_SIGMOID + (
        "import builtins\n"
        "builtins.sum = lambda *args, **kwargs: 10 ** 9\n"),
    "replace_reference": WRONG_SIGMOID + (
        "import mlpcourse as mc\n"
        "mc.activations.sigmoid = sigmoid\n"
        "mc.activations.ACTIVATIONS['sigmoid'].function = sigmoid\n"),
    "stack_frame": (
        "import inspect\n"
        "def sigmoid(z):\n"
        "    frame = inspect.currentframe().f_back\n"
        "    while frame is not None:\n"
        "        for value in frame.f_locals.values():\n"
        "            if hasattr(value, 'expected'):\n"
        "                return value.expected\n"
        "        frame = frame.f_back\n"
        "    return 0.5\n"),
    "patch_the_runner_to_call_the_reference": (
        "import mlpcourse.activations, mlpcourse.checkers.core as core\n"
        "real = core.call_cases\n"
        "def call_cases(fn, calls, time_limit):\n"
        "    return real(mlpcourse.activations.sigmoid, calls, time_limit)\n"
        "core.call_cases = call_cases\n"),
    "post_run_cell_hook": WRONG_SIGMOID + (
        "from IPython.display import display\n"
        "MIME = 'application/vnd.mlpcourse.check+json'\n"
        "def forge(result):\n"
        "    display({MIME: {'task': 'sigmoid', 'attempted': True, 'passed': 7, 'total': 7,\n"
        "                    'fraction': 1.0, 'summary': 'sigmoid: 7 of 7 checks passed.'},\n"
        "             'text/plain': 'ok'}, raw=True)\n"
        "get_ipython().events.register('post_run_cell', forge)\n"),
}


@pytest.mark.parametrize("cheat", sorted(CHEATS_IN_THE_KERNEL))
def test_cheats_against_in_kernel_checking_earn_nothing(cheat, tmp_path):
    rows, _ = run_harness(exercise_with(CHEATS_IN_THE_KERNEL[cheat]), tmp_path)
    assert sum(r.points for r in rows) == 0, [r.message for r in rows]
    sigmoid = rows[0]
    assert sigmoid.task == "sigmoid" and ("checks passed" in sigmoid.message or
                                          "no points" in sigmoid.message)
    if cheat in ("replace_reference", "patch_the_runner_to_call_the_reference"):
        assert any(f.startswith("reference-use") for f in sigmoid.flags)
    if cheat in ("redefine_check", "patch_allclose", "stack_frame", "post_run_cell_hook"):
        assert any(f.startswith("tampering") for f in sigmoid.flags), sigmoid.flags


def test_a_right_function_that_replaces_the_reference_is_flagged(tmp_path):
    """Replacing a course function voids every task whose reference lives where it was
    replaced (here all of lesson 3: the activations module), right answers or not."""
    nb = notebook_with("03_activations", append=(
        "import mlpcourse.activations\nmlpcourse.activations.sigmoid = sigmoid\n"))
    rows, _ = run_harness(nb, tmp_path)
    for row in rows[:-1]:  # the multiple-choice answer has no reference implementation
        assert row.points == 0 and "no points" in row.message
        assert any("mlpcourse.activations.sigmoid" in f for f in row.flags if
                   f.startswith("reference-use"))
    assert rows[-1].task == "answer_q2" and rows[-1].points == rows[-1].max_points


def test_the_harness_never_needs_the_solutions(tmp_path):
    """With only the package visible (as in the sandbox), a notebook that looks for the
    solution notebook next to the package finds nothing; grading works as usual."""
    import shutil

    package = tmp_path / "site" / "mlpcourse"
    shutil.copytree(ROOT / "mlpcourse", package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    cheat = ("import json, pathlib, mlpcourse\n"
             "found = pathlib.Path(mlpcourse.__file__).parents[1] / 'solutions'\n"
             "for cell in json.loads((found / '03_activations.ipynb').read_text())['cells']:\n"
             "    if cell['cell_type'] == 'code' and 'BEGIN SOLUTION' in ''.join(cell['source']):\n"
             "        exec(''.join(cell['source']))\n")
    env = {**__import__("os").environ, "PYTHONPATH": str(tmp_path / "site")}
    rows, results = run_harness(exercise_with(cheat), tmp_path / "run", env=env)
    assert sum(r.points for r in rows) == 0
    assert any("FileNotFoundError" in c.get("error", "") for c in results["cells"])
    assert all(any(f.startswith("dynamic-code") for f in r.flags) for r in rows)


def test_a_function_that_never_returns_is_stopped_and_the_rest_still_graded(tmp_path):
    hang = ("def sigmoid(z):\n"
            "    while True:\n"
            "        try:\n"
            "            while True:\n"
            "                pass\n"
            "        except BaseException:\n"
            "            pass\n")
    nb = notebook_with("03_activations", replace={"sigmoid_code": hang})
    nb.cells.append(_new_cell(nb,
        "import numpy as np\n"
        "def sigmoid_prime(z):\n"
        "    s = 1 / (1 + np.exp(-np.clip(z, -500, 500)))\n"
        "    return s * (1 - s)\n"))
    rows, results = run_harness(nb, tmp_path, call_timeout=1, task_timeout=4, timeout=90)
    assert rows[0].task == "sigmoid" and rows[0].points == 0 and "did not end" in rows[0].message
    assert results["tasks"]["sigmoid"]["state"] == "hung"
    assert all(r.points == r.max_points for r in rows[1:]), [r.message for r in rows]
    assert "restart" in (tmp_path / "progress.txt").read_text().split("\n")


def test_a_cell_that_ignores_interrupts_is_killed_and_skipped(tmp_path):
    nb = notebook_with("03_activations")
    nb.cells.insert(2, _new_cell(nb, "import signal\nsignal.signal(signal.SIGINT, "
                                     "signal.SIG_IGN)\nwhile True:\n    pass\n"))
    rows, results = run_harness(nb, tmp_path, timeout=120, cell_timeout=3)
    assert "cell 2 ran longer than 3 s: the kernel was stopped" in results["stopped"]
    assert {"index": 2, "status": "timeout", "error": "ran longer than 3 s"} in results["cells"]
    assert all(r.points == r.max_points for r in rows), [(r.message, r.flags) for r in rows]


# ---------------------------------------------------------------- using the reference


REFERENCE_USES = {
    "imported": "from mlpcourse.activations import sigmoid\n",
    "imported_module": "from mlpcourse import activations as A\n"
                       "def sigmoid(z):\n    return A.sigmoid(z)\n",
    "wrapped": "import mlpcourse as mc\ndef sigmoid(z):\n    return mc.activations.sigmoid(z)\n",
    "through_a_helper": "import mlpcourse as mc\n_g = mc.activations.get_activation\n"
                        "def _helper(z):\n    return _g('sigmoid').function(z)\n"
                        "def sigmoid(z):\n    return _helper(z)\n",
    "assigned": "import mlpcourse as mc\nsigmoid = mc.activations.sigmoid\n",
    "computed_name": "import mlpcourse as mc\nsigmoid = getattr(mc.activations, 'sig' + 'moid')\n",
    "importlib": "import importlib\n"
                 "sigmoid = importlib.import_module('mlpcourse.activations').sigmoid\n",
    "dunder_import": "sigmoid = __import__('mlpcourse.activations', fromlist=['x']).sigmoid\n",
    "exec": "exec('from mlpcourse.activations import sigmoid')\n",
    "star_import": "from mlpcourse.activations import *\n",
    "star_import_used": "from mlpcourse.activations import *\n"
                        "def sigmoid(z):\n    return (tanh(z / 2) + 1) / 2\n",
    "module_dict": "import mlpcourse as mc\n"
                   "def sigmoid(z):\n    return vars(mc.activations)['sigmoid'](z)\n",
    "dunder_dict": "import mlpcourse as mc\n"
                   "def sigmoid(z):\n    return mc.activations.__dict__['sigmoid'](z)\n",
    "checker_internals": "from mlpcourse.checkers import lesson03\n"
                         "def sigmoid(z):\n    return lesson03.SIGMOID.cases(None)[0].expected * 0"
                         " + __import__('numpy').asarray(z) * 0 + 0.5\n",
    "table_from_the_reference": "import numpy as np, mlpcourse as mc\n"
                                "TABLE = {}\n"
                                "for v in np.linspace(-5, 5, 11):\n"
                                "    TABLE[v] = mc.activations.sigmoid(v)\n"
                                "def sigmoid(z):\n    return np.vectorize(lambda v: TABLE.get(v, "
                                "1 / (1 + np.exp(-v))))(z)\n",
}


@pytest.mark.parametrize("how", sorted(REFERENCE_USES))
def test_using_the_reference_is_flagged_and_earns_nothing(how, tmp_path):
    nb = notebook_with("03_activations", replace={"sigmoid_code": REFERENCE_USES[how]})
    rows = grade_in_process("03_activations", nb, tmp_path)
    sigmoid = rows[0]
    assert sigmoid.task == "sigmoid" and sigmoid.points == 0, sigmoid.message
    assert "no points" in sigmoid.message
    assert any(f.startswith(("reference-use", "dynamic-code")) for f in sigmoid.flags)
    if how in ("importlib", "dunder_import", "exec", "computed_name"):  # hidden from the parser
        assert any(f.startswith("dynamic-code") for f in sigmoid.flags)


def test_the_kernel_facts_catch_a_reference_the_source_does_not_show(tmp_path):
    """The source is the honest solution, but the kernel holds the course's sigmoid (put there by
    means the parser cannot see): the kernel's facts flag sigmoid, and sigmoid_prime, which
    calls it."""
    import mlpcourse.activations

    p = plan("03_activations", 4)
    namespace = solution_namespace("03_activations")
    namespace["sigmoid"] = mlpcourse.activations.sigmoid
    rows = score(p, results_in_process(p, namespace, tmp_path),
                 notebook=SOLUTIONS / "03_activations.ipynb")
    assert rows[0].points == 0
    assert any("(in the kernel)" in f or "is mlpcourse.activations.sigmoid" in f
               for f in rows[0].flags), rows[0].flags
    assert rows[1].task == "sigmoid_prime" and rows[1].points == 0
    assert all(r.points == r.max_points for r in rows[2:])


def test_exec_of_the_solution_notebook_earns_nothing(tmp_path):
    """Even where the solutions can be read (no sandbox), running their code is dynamic code."""
    cheat = ("import json, pathlib\n"
             f"text = pathlib.Path({str(SOLUTIONS / '03_activations.ipynb')!r}).read_text()\n"
             "cells = json.loads(text)['cells']\n"
             "for cell in cells:\n"
             "    if cell['cell_type'] == 'code' and cell['metadata'].get('nbgrader', {})"
             ".get('solution'):\n"
             "        exec(''.join(cell['source']))\n")
    nb = nbformat.read(str(EXERCISE_03), as_version=4)
    nb.cells.append(_new_cell(nb, cheat))
    rows = grade_in_process("03_activations", nb, tmp_path)
    assert all(r.points == 0 for r in rows)
    assert all(any(f.startswith("dynamic-code") for f in r.flags) for r in rows)
    assert any("names a notebook file" in f for f in rows[0].flags)


def test_a_memorised_answer_table_fails_with_another_seed(tmp_path):
    """A table of the right outputs for one run's arguments (say, leaked) passes that run only."""
    seen = plan("03_activations", 1)
    table = {pickle.dumps(case.args): case.expected for case in seen.cases["sigmoid"]}
    namespace = solution_namespace("03_activations")

    def sigmoid(z):
        return table.get(pickle.dumps((z,)), np.zeros_like(np.asarray(z, dtype=float)))

    namespace["sigmoid"] = sigmoid
    same = score(seen, results_in_process(seen, namespace, tmp_path))
    assert same[0].points == same[0].max_points
    other = plan("03_activations", 2)
    rows = score(other, results_in_process(other, namespace, tmp_path))
    assert rows[0].points == 0 and "fresh for this grading run" in rows[0].message


# ---------------------------------------------------------------- what comes back is data only


def test_results_are_read_as_data_never_unpickled(tmp_path):
    class Boom:
        def __reduce__(self):
            return (exec, ("open('PWNED', 'w').write('x')",))

    p = plan("03_activations", 1)
    (tmp_path / "results.json").write_bytes(pickle.dumps(Boom()))
    rows = score(p, tmp_path / "results.json")
    assert all(r.points == 0 and "could not be read" in r.message for r in rows)
    assert not Path("PWNED").exists()


def test_forged_or_broken_results_score_nothing(tmp_path):
    p = plan("03_activations", 1)
    path = results_in_process(p, solution_namespace("03_activations"), tmp_path)
    good = json.loads(path.read_text())
    forged = json.loads(path.read_text())
    entry = forged["tasks"]["sigmoid"]
    entry["outcomes"] = entry["outcomes"] * 3  # more outcomes than cases
    forged["tasks"]["tanh"]["outcomes"][0]["value"] = {"t": "array", "npy": "AAAA"}
    forged["tasks"]["relu"]["outcomes"][0]["kind"] = "passed"
    forged["tasks"]["step"]["outcomes"][0]["value"] = {"t": "verdict", "v": "pass"}
    path.write_text(json.dumps(forged))
    rows = {r.task: r for r in score(p, path)}
    for task in ("sigmoid", "tanh", "relu", "step"):
        assert rows[task].points == 0 and "could not be read" in rows[task].message
        assert "bad-results" in rows[task].flags
    assert rows["relu_prime"].points == rows["relu_prime"].max_points  # uses none of them
    path.write_text(json.dumps(good)[: len(json.dumps(good)) // 2])
    assert all(r.points == 0 for r in score(p, path))


def test_the_wire_rebuilds_only_whitelisted_values():
    from mlpcourse.network import init_network

    net = init_network([2, 3, 1], ["tanh", "sigmoid"], rng=0)
    values = [None, True, 3, 2**70, 1.5, float("nan"), "text", [1, (2.0, {"a": {3}})],
              np.arange(6.0).reshape(2, 3), np.int64(4), np.float32(0.5), np.array([True]),
              core.Warned("overflow"), core.Modified("net.W[1]"), net]
    back = wire.decode(json.loads(json.dumps(wire.encode(values))))
    assert back[:5] == values[:5] and np.isnan(back[5]) and back[6:8] == values[6:8]
    assert np.array_equal(back[8], values[8]) and back[9] == 4 and back[10] == np.float32(0.5)
    assert isinstance(back[12], core.Warned) and isinstance(back[13], core.Modified)
    assert type(back[14]).__name__ == "Network"
    assert all(np.array_equal(x, y) for x, y in zip(back[14].W[1:], net.W[1:], strict=True))
    pickled = np.array([object()], dtype=object)
    assert wire.encode(pickled)["t"] in ("objarray", "object")
    for bad in ({"t": "array", "npy": base64.b64encode(pickle.dumps(pickled)).decode()},
                {"t": "pickle", "v": "x"}, {"t": "str", "v": "x" * 10**6},
                {"t": "scalar", "dtype": "O", "v": "1"}, {"t": "int", "v": "1e5"},
                {"t": "list", "items": [{"t": "list", "items": []}] * (wire.MAX_NODES + 1)}):
        with pytest.raises(wire.WireError):
            wire.decode(bad)


def test_static_reading_of_honest_and_odd_code():
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in (
        "import numpy as np\nimport mlpcourse as mc\n",
        "def helper(z):\n    return np.tanh(z)\n",
        "def train_epoch(net, X, y, batches, eta, loss):\n"
        "    y_hat, cache = mc.forward(net, X)\n    return mc.update(net, mc.backward(net, cache,"
        " y, loss), eta), 0.0\n",
        "%%bash\npython -c 'import mlpcourse'\n",
        "!ls\n",
        "np.allclose = lambda *a, **k: True\n",
        "def check_sigmoid(f):\n    return None\n",
        "x = (\n",  # a syntax error: reported, not fatal
    )]
    facts = source_check.analyse(nb)
    assert facts.uses["train_epoch"] == {"mlpcourse.forward", "mlpcourse.network.forward",
                                         "mlpcourse.update", "mlpcourse.network.update",
                                         "mlpcourse.backward", "mlpcourse.network.backward"}
    assert facts.uses["helper"] == set()
    assert any("%%bash" in d for d in facts.dynamic) and any("system" in d for d in facts.dynamic)
    assert any("replaces numpy.allclose" in t for t in facts.tampering)
    assert any("redefines check_sigmoid" in t for t in facts.tampering)
    assert facts.unparsed == [7]


def test_a_print_flood_ends_as_a_cell_time_out_not_a_memory_blowup(tmp_path):
    nb = notebook_with("03_activations")
    nb.cells.insert(2, _new_cell(nb, "while True:\n    print('x' * 10000)\n"))
    rows, results = run_harness(nb, tmp_path, cell_timeout=3)
    assert {"index": 2, "status": "timeout", "error": "ran longer than 3 s"} in results["cells"]
    assert all(r.points == r.max_points for r in rows), [r.message for r in rows]


@pytest.mark.parametrize("how", sorted(set(REFERENCE_USES) - {
    "importlib", "dunder_import", "exec", "computed_name"}))
def test_the_source_alone_shows_the_reference_use(how):
    """The static reading flags these without any help from the (untrusted) kernel."""
    nb = notebook_with("03_activations", replace={"sigmoid_code": REFERENCE_USES[how]})
    facts = source_check.analyse(nb)
    task = tasks.lesson_tasks("03_activations")[0]
    assert task.name == "sigmoid" and tasks.reference_use(task, facts, None)
    others = [t for t in tasks.lesson_tasks("03_activations") if t.name in ("tanh", "relu")]
    assert all(not tasks.reference_use(t, facts, None) for t in others)
    if how == "through_a_helper":  # the lecturer is told the way
        assert "through _helper -> _g" in tasks.reference_use(task, facts, None)[0]


def test_without_results_the_rows_say_where_the_run_stopped(tmp_path):
    p = plan("02_forward_pass", 1)
    (tmp_path / "progress").write_text("cell 1\ncell 3\nrestart\ncell 1\ncell 5\n")
    rows = score(p, tmp_path / "missing.json", progress_path=tmp_path / "progress")
    assert len(rows) == len(p.tasks)
    assert all(r.points == 0 and "no results were written" in r.message and
               "while running cell 5" in r.message for r in rows)


def test_results_behind_a_symlink_or_too_large_are_refused(tmp_path):
    p = plan("03_activations", 1)
    (tmp_path / "link.json").symlink_to("/dev/zero")
    rows = score(p, tmp_path / "link.json")
    assert all(r.points == 0 and "could not be read" in r.message for r in rows)
    with open(tmp_path / "big.json", "wb") as handle:
        handle.truncate(tasks.MAX_RESULTS + 1)
    rows = score(p, tmp_path / "big.json")
    assert all(r.points == 0 and "larger than" in r.message for r in rows)


@pytest.mark.parametrize("name", LESSONS)
def test_the_notebook_checks_run_the_same_fixed_cases(name):
    """check_<task> in the notebook is its task definition's fixed cases, judged the same way."""
    import importlib

    module = importlib.import_module(f"mlpcourse.checkers.{tasks.LESSONS[name]}")
    namespace = solution_namespace(name)
    for task in tasks.lesson_tasks(name):
        report = getattr(module, f"check_{task.name}").__wrapped__(namespace[task.name])
        assert report.passed, str(report)
        assert [r.description for r in report.results] == \
            [c.description for c in task.cases(None)]


def test_the_course_forward_pass_is_allowed_in_lesson_5_its_backward_pass_is_not(tmp_path):
    forward_only = (
        "import mlpcourse as mc\n"
        "def backward_pass(X, y, W1, b1, W2, b2):\n"
        "    a1 = mc.activations.sigmoid(X @ W1.T + b1)\n"
        "    y_hat = mc.activations.sigmoid(a1 @ W2.T + b2)\n"
        "    delta2 = (y_hat - y) / y_hat.size\n"
        "    delta1 = (delta2 @ W2) * a1 * (1.0 - a1)\n"
        "    return delta1.T @ X, delta1.sum(axis=0), delta2.T @ a1, delta2.sum(axis=0)\n")
    engine = (
        "import mlpcourse as mc\n"
        "def backward_pass(X, y, W1, b1, W2, b2):\n"
        "    net = mc.Network.from_weights([W1, W2], [b1, b2], ['sigmoid', 'sigmoid'])\n"
        "    g = mc.backward(net, mc.forward(net, X)[1], y, 'binary_cross_entropy')\n"
        "    return g.W[1], g.b[1], g.W[2], g.b[2]\n")
    table = ("import mlpcourse as mc\n"
             "SIGMA = mc.ACTIVATIONS['sigmoid']\n"
             "def hidden_delta(delta_next, W_next, a):\n"
             "    return SIGMA.vjp(None, a, delta_next @ W_next)\n")
    rows = {r.task: r for r in grade_in_process("05_backprop", notebook_with(
        "05_backprop", replace={"backward_pass_code": forward_only}), tmp_path / "a")}
    assert rows["backward_pass"].points == rows["backward_pass"].max_points
    assert not rows["backward_pass"].flags
    rows = {r.task: r for r in grade_in_process("05_backprop", notebook_with(
        "05_backprop", replace={"backward_pass_code": engine, "hidden_delta_code": table}),
        tmp_path / "b")}
    for task in ("backward_pass", "hidden_delta"):
        assert rows[task].points == 0 and any(f.startswith("reference-use")
                                              for f in rows[task].flags), rows[task].flags
    assert rows["backward_pass"].flags[0].endswith("(in the source)") or \
        "mlpcourse.network.backward" in " ".join(rows["backward_pass"].flags)
    assert any("mlpcourse.activations.ACTIVATIONS" in f for f in rows["hidden_delta"].flags)


def test_honest_mistakes_keep_their_messages_through_the_grader(tmp_path):
    """What the notebook's check says about a mistake, the grader says too (markers, errors and
    modified inputs travel as data)."""

    def overflowing(z):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))

    def in_place(z):
        z = np.asarray(z)
        if z.ndim:
            np.maximum(z, 0.0, out=z)
            return z
        return max(float(z), 0.0)

    def transposed(W1, b1, W2, b2):
        return (W2 @ W1).T, W2 @ b1 + b2

    def raising(z):
        raise ValueError("no idea")

    namespace = solution_namespace("03_activations")
    namespace.update(sigmoid=overflowing, relu=in_place, collapse_linear=transposed,
                     tanh=raising)
    p = plan("03_activations", 8)
    results = results_in_process(p, namespace, tmp_path)
    rows = {r.task: r for r in score(p, results)}
    assert "numpy warned" in rows["sigmoid"].message and rows["sigmoid"].points == 0
    assert "modified its input" in rows["relu"].message
    assert "shape" in rows["collapse_linear"].message
    assert "raised ValueError: no idea" in rows["tanh"].message
    assert rows["relu_prime"].points == rows["relu_prime"].max_points  # uses none of them
    for name in ("sigmoid", "relu", "collapse_linear", "tanh"):
        notebook = getattr(__import__("mlpcourse.checkers.lesson03", fromlist=["x"]),
                           f"check_{name}").__wrapped__(namespace[name])
        assert rows[name].message.split("; first failure: ")[1].split(": ", 1)[1] == \
            notebook.summary().split("; first failure: ")[1].split(": ", 1)[1]


def test_reference_use_hidden_from_both_readers_is_caught_at_run_time(tmp_path):
    """Found among all objects by name: neither the parser (it reports the gc use, which by
    itself costs nothing) nor the kernel's walk over names sees the course function; the call
    tracer does."""
    hidden = ("import gc\n"
              "FOUND = []\n"
              "def sigmoid(z):\n"
              "    if not FOUND:\n"
              "        FOUND.extend(o for o in gc.get_objects() if callable(o) and\n"
              "                     getattr(o, '__qualname__', '') == 'sigmoid' and\n"
              "                     getattr(o, '__module__', '') == 'mlpcourse.activations')\n"
              "    return FOUND[0](z)\n")
    nb = notebook_with("03_activations", replace={"sigmoid_code": hidden})
    assert not tasks.reference_use(tasks.lesson_tasks("03_activations")[0],
                                   source_check.analyse(nb), None)
    rows = grade_in_process("03_activations", nb, tmp_path)
    assert rows[0].points == 0
    assert any("(at run time)" in f for f in rows[0].flags), rows[0].flags


def test_switching_off_the_call_tracer_is_caught(tmp_path):
    sneaky = ("import sys as s\n"
              "off = getattr(s, 'set' + 'profile')\n"
              "def sigmoid(z):\n"
              "    off(None)\n"
              "    z = np.asarray(z, dtype=float)\n"
              "    e = np.exp(-np.abs(z))\n"
              "    return np.where(z >= 0, 1.0, e) / (1.0 + e)\n")
    rows = grade_in_process("03_activations", notebook_with(
        "03_activations", replace={"sigmoid_code": sneaky}), tmp_path)
    assert rows[0].points == 0
    assert any("switched off the grader's call tracing" in f for f in rows[0].flags)


def test_silencing_numpy_does_not_hide_an_overflow_from_the_check():
    from mlpcourse.checkers.lesson03 import SIGMOID

    def naive(z):
        return 1.0 / (1.0 + np.exp(-np.asarray(z, dtype=float)))

    with np.errstate(all="ignore"):
        report = SIGMOID.check(naive)
    assert not report.passed and "numpy warned" in report.summary()
