"""Attacks on the grader, planted one by one (issue 11): each must gain nothing, change no file
outside the sandbox's scratch folder, and end within its time limit.

The first half attacks the sandbox itself with small programs (fast); the second half grades
notebooks that carry the attacks, through ``python -m mlpcourse grade``'s ``grade()``, with canary
files in a temporary folder. Keep the exact attacks here: new kinds are added, none removed.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import time
from pathlib import Path

import pytest

from mlpcourse import grader
from mlpcourse.grading import sandbox

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
needs_bwrap = pytest.mark.skipif(sandbox.find_bwrap() is None,
                                 reason="bubblewrap (bwrap) is not installed or cannot run here")
# small limits; the wall-clock limit is generous (a busy machine is slow) except where it is what
# the test is about (SHORT)
FAST = dict(wall_seconds=60.0, grace=0.5, memory_bytes=512 << 20, tasks=64,
            file_bytes=16 << 20, scratch_bytes=64 << 20, output_bytes=1 << 20)
SHORT = 2.0


def limits(**changes) -> sandbox.Limits:
    return sandbox.Limits(**{**FAST, **changes})


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (symlinks by their target), to prove nothing
    changed."""
    digests = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink():
            digests[str(path)] = "link:" + os.readlink(path)
        elif path.is_file():
            digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def processes_matching(text: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if text.encode() in Path(f"/proc/{entry}/cmdline").read_bytes():
                    found.append(int(entry))
            except OSError:
                pass
    return found


# --------------------------------------------------------------------------------------------
# the sandbox, attacked with small programs
# --------------------------------------------------------------------------------------------

@needs_bwrap
def test_the_sandbox_sees_only_the_system_python_and_the_package(tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("intact")
    probe = f"""
import os, json
seen = {{}}
for path in {[str(canary), str(ROOT / "solutions"), str(ROOT / "tests"), str(ROOT / "README.md"),
              "/root/.ipython", "/home", str(ROOT)]!r}:
    seen[path] = os.path.exists(path) and (os.listdir(path) if os.path.isdir(path) else "file")
print(json.dumps(seen))
"""
    result = sandbox.run([PY, "-c", probe], limits=limits())
    assert result.returncode == 0, result.stderr
    seen = __import__("json").loads(result.stdout)
    assert seen[str(canary)] is False and seen[str(ROOT / "solutions")] is False
    assert seen[str(ROOT / "tests")] is False and seen[str(ROOT / "README.md")] is False
    assert seen["/root/.ipython"] is False and seen["/home"] is False
    # only what python needs: the package folder, and the venv if it lives in the repository
    needed = {p.relative_to(ROOT).parts[0] for p in sandbox.python_paths()
              if p.is_relative_to(ROOT)}
    assert sorted(seen[str(ROOT)]) == sorted(needed) and "mlpcourse" in needed


@needs_bwrap
def test_a_course_or_venv_under_tmp_stays_visible_and_read_only(tmp_path):
    """CI may clone the course (and make its .venv) under /tmp, where the sandbox mounts its own
    scratch tmpfs: the read-only folders must be mounted after it, not hidden by it."""
    package = tmp_path / "clone" / "pkg"
    package.mkdir(parents=True)
    (package / "module.py").write_text("VALUE = 42\n")
    (tmp_path / "clone" / "secret.txt").write_text("not bound")
    probe = f"""
import json, os, sys
sys.path.insert(0, {str(package)!r})
import module
try:
    open({str(package / "module.py")!r}, "a").write("x")
    wrote = True
except OSError:
    wrote = False
print(json.dumps([module.VALUE, wrote, os.path.exists({str(tmp_path / "clone" / "secret.txt")!r})]))
"""
    assert str(tmp_path).startswith(sandbox.SCRATCH + "/"), "pytest's tmp_path is under /tmp"
    result = sandbox.run([PY, "-c", probe], limits=limits(),
                         read_only=[*sandbox.python_paths(), package])
    assert result.returncode == 0, result.stderr
    assert __import__("json").loads(result.stdout) == [42, False, False]


@needs_bwrap
def test_writes_outside_scratch_fail_and_scratch_is_fresh(tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("intact")
    before = tree_digest(ROOT / "mlpcourse") | tree_digest(tmp_path)
    attack = f"""
import os, sys
results = []
for path in [{str(canary)!r}, "/canary-in-root", {str(ROOT / "mlpcourse" / "evil.py")!r},
             {str(ROOT / "mlpcourse" / "__init__.py")!r}, "/usr/evil", "/etc/evil",
             "/dev/evil", "/work/evil", "/proc/evil"]:
    try:
        with open(path, "w") as handle:
            handle.write("owned")
        results.append("wrote " + path)
    except OSError as error:
        results.append(type(error).__name__)
with open("/tmp/scratch-ok", "w") as handle:
    handle.write("scratch is writable")
try:
    with open("/dev/shm/big", "wb") as handle:
        handle.write(b"0" * (32 << 20))
    results.append("wrote 32 MiB into /dev/shm")
except OSError as error:
    results.append(type(error).__name__)
print(results, os.getuid(), os.environ["HOME"], sorted(os.listdir(os.environ["IPYTHONDIR"])),
      os.environ["MLPCOURSE_SANDBOX"], os.getpid())
"""
    result = sandbox.run([PY, "-c", attack], limits=limits())
    assert result.returncode == 0, result.stderr
    assert b"wrote" not in result.stdout
    # unprivileged uid, fresh HOME and profile; the program is pid 2 of its own namespace
    assert b"1000 /tmp/home [] bwrap 2\n" in result.stdout
    assert canary.read_text() == "intact"
    assert tree_digest(ROOT / "mlpcourse") | tree_digest(tmp_path) == before


@needs_bwrap
def test_no_network_but_loopback_works():
    program = """
import socket
server = socket.socket(); server.bind(("127.0.0.1", 0)); server.listen()
client = socket.create_connection(server.getsockname(), timeout=2)
print("loopback ok")
try:
    socket.create_connection(("1.1.1.1", 80), timeout=2)
    print("network reachable")
except OSError as error:
    print("no network:", type(error).__name__)
"""
    result = sandbox.run([PY, "-c", program], limits=limits())
    assert b"loopback ok" in result.stdout and b"no network" in result.stdout, result.stderr
    assert b"network reachable" not in result.stdout


@needs_bwrap
def test_background_processes_die_with_the_sandbox():
    marker = f"98765{os.getpid() % 1000}"
    program = (f"nohup sleep {marker}1 >/dev/null 2>&1 & (setsid sleep {marker}2 &) ; "
               f"sh -c 'sleep {marker}3 &' ; echo started")
    result = sandbox.run(["/bin/sh", "-c", program], limits=limits())
    assert result.stdout.strip() == b"started"
    assert processes_matching(f"sleep {marker}") == []
    assert result.leftover == 0


@needs_bwrap
@pytest.mark.parametrize("cgroups", [True, False], ids=["cgroups-if-any", "watchdog-only"])
def test_a_fork_bomb_is_stopped(cgroups):
    # cgroups: a real fork bomb (the kernel refuses the 65th task); watchdog only: a bomb bounded
    # at 512 processes (an unbounded one on a busy shared machine grows for as long as the
    # watchdog is not scheduled)
    bomb = ("import os, time\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n"
            "        pass") if cgroups else (
            "import os, time\nfor _ in range(9):\n    try:\n        os.fork()\n"
            "    except OSError:\n        pass\ntime.sleep(60)")
    start = time.monotonic()
    result = sandbox.run([PY, "-c", bomb], limits=limits(cgroups=cgroups, memory_bytes=8 << 30))
    assert time.monotonic() - start < 30
    assert result.ended_by == "tasks" and "tasks" in result.hits
    if "cgroup-pids" in result.limits_by:  # the kernel refuses the fork itself
        assert result.peak_tasks <= FAST["tasks"]
    assert result.leftover == 0


@needs_bwrap
@pytest.mark.parametrize("cgroups", [True, False], ids=["cgroups-if-any", "watchdog-only"])
def test_a_memory_bomb_is_stopped(cgroups):
    bomb = "import os\nos.fork()\nx = []\nwhile True:\n    x.append(bytearray(32 << 20))"
    result = sandbox.run([PY, "-c", bomb], limits=limits(cgroups=cgroups))
    assert result.returncode != 0
    assert result.ended_by == "memory" or b"MemoryError" in result.stderr


@needs_bwrap
def test_a_two_gib_file_is_refused_and_leaves_nothing(tmp_path):
    writer = ("f = open('/tmp/work/big', 'wb')\nblock = b'0' * (1 << 20)\n"
              "for _ in range(2048):\n    f.write(block)\n")
    out = tmp_path / "out"
    out.mkdir()
    result = sandbox.run([PY, "-c", writer], limits=limits(), out_dir=out)
    assert b"File too large" in result.stderr
    writer_out = writer.replace("/tmp/work/big", "/out/big")
    result = sandbox.run([PY, "-c", writer_out], limits=limits(), out_dir=out)
    assert b"File too large" in result.stderr
    assert (out / "big").stat().st_size <= FAST["file_bytes"]


@needs_bwrap
def test_many_files_in_the_out_folder_end_the_run(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    writer = ("import itertools\nblock = b'0' * (1 << 20)\nfor i in itertools.count():\n"
              "    open(f'/out/f{i}', 'wb').write(block * 8)\n")
    result = sandbox.run([PY, "-c", writer], limits=limits(out_bytes=64 << 20), out_dir=out)
    assert result.ended_by == "out-folder"
    assert sum(p.stat().st_size for p in out.iterdir()) < 512 << 20


@needs_bwrap
def test_a_deep_nest_of_folders_in_the_out_folder_ends_the_run_and_is_removed(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    nester = ("import os\nos.chdir('/out')\nwhile True:\n    os.mkdir('d')\n    os.chdir('d')\n"
              "    open('f', 'w').close()\n")
    result = sandbox.run([PY, "-c", nester], limits=limits(), out_dir=out)
    assert result.ended_by == "out-folder"
    sandbox.remove_tree(out)
    assert not out.exists()


@needs_bwrap
def test_an_output_flood_is_cut_off():
    flood = "import os\nwhile True:\n    os.write(1, b'x' * 65536)"
    result = sandbox.run([PY, "-c", flood], limits=limits())
    assert result.ended_by == "output"
    assert len(result.stdout) <= sandbox.Limits().keep_output


@needs_bwrap
@pytest.mark.parametrize("loop", [
    "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
    "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n"
    "        pass",
], ids=["ignores-SIGINT", "catches-everything"])
def test_endless_loops_end_at_the_wall_clock_limit(loop):
    start = time.monotonic()
    result = sandbox.run([PY, "-c", loop], limits=limits(wall_seconds=SHORT))
    took = time.monotonic() - start
    assert result.ended_by == "time" and result.interrupted
    assert SHORT <= took < SHORT + FAST["grace"] + 5
    assert result.leftover == 0


def test_without_sandbox_a_python_under_tmp_is_not_remapped(tmp_path, monkeypatch):
    """--no-sandbox maps the sandbox's /tmp paths to a private folder, but never the grader's own
    Python (a CI clone with its venv under /tmp)."""
    program = tmp_path / "venv" / "bin" / "prog"
    program.parent.mkdir(parents=True)
    program.write_text("#!/bin/sh\necho ran\n")
    program.chmod(0o755)
    monkeypatch.setattr(sandbox, "python_paths", lambda: [tmp_path / "venv"])
    result = sandbox.run([str(program)], sandbox=False, limits=limits())
    assert result.returncode == 0, (result.error, result.stderr)
    assert result.stdout == b"ran\n"


def test_without_sandbox_the_process_group_is_still_killed(tmp_path):
    loop = ("import signal, subprocess\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "subprocess.Popen(['sleep', '876543'])\nwhile True:\n    pass")
    result = sandbox.run([PY, "-c", loop], limits=limits(wall_seconds=SHORT), sandbox=False)
    assert result.sandbox == "none" and result.ended_by == "time"
    assert processes_matching("sleep 876543") == []


def test_a_missing_bwrap_is_refused(monkeypatch):
    monkeypatch.setitem(sandbox._PROBED, "bwrap", None)
    with pytest.raises(sandbox.SandboxUnavailable, match="--no-sandbox"):
        sandbox.run(["/bin/true"])


def test_limits_are_validated():
    with pytest.raises(ValueError, match="Limits.tasks must be a positive int, got 0"):
        sandbox.Limits(tasks=0)
    with pytest.raises(ValueError, match="wall_seconds must be > 0"):
        sandbox.Limits(wall_seconds=0)
    with pytest.raises(ValueError, match="must be under /tmp/"):
        sandbox.run(["/bin/true"], files={"/etc/x": Path(__file__)}, sandbox=False)



# --------------------------------------------------------------------------------------------
# notebooks that attack the grader (lesson 3), graded in one run
# --------------------------------------------------------------------------------------------

LESSON = "03_activations"
SOLUTION = ROOT / "solutions" / f"{LESSON}.ipynb"
# the lesson's tasks and points, read from its solution's nbgrader metadata (never typed in here:
# a lecturer's `new-task 03 ...` changes them)
MAX_POINTS = grader._max_points(LESSON, grader.Settings())
TOTAL, N_TASKS = sum(MAX_POINTS.values()), len(MAX_POINTS)
CELL_TIMEOUT, NOTEBOOK_TIMEOUT = 4.0, 45.0  # an honest notebook takes 5-10 s (more when busy)
STARTUP = Path.home() / ".ipython" / "profile_default" / "startup"  # the grader's own profile
ATTACK_LIMITS = dict(memory_bytes=1 << 30, file_bytes=64 << 20, scratch_bytes=256 << 20,
                     output_bytes=4 << 20)


def _notebook(cells_after=(), wrong=True, cells_before=()):
    """Lesson 3's solution; with ``wrong`` every function returns None (worth 0 points); extra
    code cells before the first and after the last cell."""
    import nbformat

    nb = nbformat.read(str(SOLUTION), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
            if wrong and "### BEGIN SOLUTION" in cell.source:
                head, rest = cell.source.split("### BEGIN SOLUTION", 1)
                cell.source = head + "return None" + rest.split("### END SOLUTION", 1)[1]
    nb.cells[1:1] = [nbformat.v4.new_code_cell(src) for src in cells_before]
    nb.cells += [nbformat.v4.new_code_cell(src) for src in cells_after]
    return nb


ATTACKS = {
    "redefine_checks": ["""
from mlpcourse import checkers
def check_sigmoid(f):
    print("sigmoid: 7 of 7 checks passed.")
for name in dir(checkers):
    if name.startswith("check_"):
        globals()[name] = check_sigmoid
        setattr(checkers, name, check_sigmoid)
"""],
    "patch_checkreport": ["""
import mlpcourse.checkers.core as core
core.CheckReport.fraction = property(lambda self: 1.0)
core.CheckReport.passed = property(lambda self: True)
core.run_check = lambda *a, **k: None
"""],
    "patch_numpy_allclose": ["""
import numpy
numpy.allclose = lambda *a, **k: True
numpy.isclose = lambda a, b, *r, **k: numpy.ones(numpy.shape(a), bool)
numpy.array_equal = lambda *a, **k: True
numpy.testing.assert_allclose = lambda *a, **k: None
"""],
    "patch_builtins_sum": ["""
import builtins
builtins.sum = lambda *a, **k: 0
builtins.all = lambda *a, **k: True
builtins.isinstance = lambda *a, **k: True
"""],
    "replace_reference_sigmoid": ["""
import mlpcourse.activations as activations
activations.sigmoid = sigmoid
activations.tanh = tanh
activations.relu = relu
import mlpcourse
mlpcourse.sigmoid = sigmoid
"""],
    "import_reference": ["""
from mlpcourse.activations import sigmoid, tanh, relu, step
import mlpcourse.activations as _a
def sigmoid_prime(z):
    return _a.sigmoid_prime(z)
tanh_prime = _a.tanh_prime
"""],
    "exec_solution_from_disk": [f"""
import json
for path in [{str(SOLUTION)!r}, "../solutions/{LESSON}.ipynb",
             "/work/main/solutions/{LESSON}.ipynb"]:
    try:
        cells = json.load(open(path))["cells"]
    except OSError as error:
        print("cannot read", path, error)
        continue
    for cell in cells:
        if cell["cell_type"] == "code" and "check_" not in "".join(cell["source"]):
            exec("".join(cell["source"]), globals())
"""],
    "stack_frame_expected": ["""
import inspect
def _peek(*args):
    for frame in inspect.stack()[1:]:
        for name, value in frame.frame.f_locals.items():
            if "expect" in name or name in ("want", "reference", "answer"):
                return value
    return None
sigmoid = sigmoid_prime = tanh = tanh_prime = relu = relu_prime = step = _peek
collapse_linear = _peek
def answer_q2():
    return _peek()
"""],
    "post_run_cell_forgery": ["""
from IPython import get_ipython
from IPython.display import display
from mlpcourse.checkers.core import MIME
def _forge(result):
    display({MIME: {"fraction": 1.0, "passed": 7, "total": 7, "summary": "all passed",
                    "attempted": True}, "text/plain": "all 7 checks passed"}, raw=True)
get_ipython().events.register("post_run_cell", _forge)
get_ipython().events.register("pre_run_cell", lambda *a: None)
"""],
}


@pytest.fixture(scope="module")
def attacked_class(tmp_path_factory):
    """A class folder with an honest solution, a wrong submission, each attack, the malformed
    notebooks, a mislabelled lesson, a symlink to the solution, resource abusers and vandals;
    graded once (2 jobs), with canary files around it."""
    import nbformat

    if sandbox.find_bwrap() is None:
        pytest.skip("bubblewrap (bwrap) is not installed or cannot run here")
    tmp = tmp_path_factory.mktemp("attacked")
    subs = tmp / "submissions"
    subs.mkdir()
    canary = tmp / "canary.txt"
    canary.write_text("canary")
    csv_path = tmp / "grades.csv"
    marker = f"7654{os.getpid() % 1000}"

    def save(name, nb):
        nbformat.write(nb, str(subs / f"{name}_{LESSON}.ipynb"))

    save("honest", _notebook(wrong=False))
    save("wrong", _notebook())
    for name, cells in ATTACKS.items():
        save(name, _notebook(cells))
    classmate = subs / f"honest_{LESSON}.ipynb"
    save("vandal", _notebook([f"""
import os, glob
targets = [{str(classmate)!r}, {str(subs / f"vandal_{LESSON}.ipynb")!r}, {str(csv_path)!r},
           {str(canary)!r}, {str(SOLUTION)!r}, os.path.expanduser("~/.bashrc")]
targets += glob.glob("/tmp/*") + glob.glob("/tmp/*/*")
for path in targets:
    try:
        with open(path, "w") as handle:
            handle.write("vandalised")
        print("wrote", path)
    except OSError as error:
        print("refused", path, type(error).__name__)
"""]))
    save("background_rewriter", _notebook([f"""
import os, subprocess
script = "sleep 3; echo 'x,sigmoid,2,2,hacked' >> {csv_path}; echo hacked > {canary}"
subprocess.Popen(["nohup", "sh", "-c", script + "; sleep {marker}1"], start_new_session=True,
                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        os.execvp("sh", ["sh", "-c", script + "; sleep {marker}2"])
    os._exit(0)
os.system("(" + script + "; sleep {marker}3) &")
"""]))
    save("startup_file", _notebook([f"""
import os
from mlpcourse.checkers.core import MIME
forged = '''
from IPython import get_ipython
import builtins
builtins.FULL_MARKS = True
'''
for folder in [os.environ.get("IPYTHONDIR", ""), os.path.expanduser("~/.ipython"),
               "/root/.ipython", {str(tmp / "ipython")!r}]:
    try:
        os.makedirs(folder + "/profile_default/startup", exist_ok=True)
        with open(folder + "/profile_default/startup/00-forge.py", "w") as handle:
            handle.write(forged)
        print("planted", folder)
    except OSError as error:
        print("refused", folder, type(error).__name__)
"""]))
    forged = tmp / "forged.json"
    forged.write_text('{"format": "mlpcourse-results-1", "tasks": {}}')
    save("out_folder_traps", _notebook([f"""
import os
for name in ("results.json", "progress"):
    try:
        os.remove("/out/" + name)
    except OSError:
        pass
os.symlink({str(forged)!r}, "/out/results.json")  # the grader must not follow it on its side
os.mkfifo("/out/progress")  # nor block on reading a FIFO
os.mkfifo("/out/results.json.tmp")
"""]))
    save("two_gib_file", _notebook(["""
block = b"0" * (1 << 20)
try:
    with open("big.bin", "wb") as handle:
        for _ in range(2048):
            handle.write(block)
except OSError as error:
    print("stopped:", error)
"""], wrong=False))
    save("memory_bomb", _notebook(["x = [bytearray(64 << 20) for _ in range(1000)]"],
                                  wrong=False))
    # without a pids cgroup only the watchdog stops it: keep the bomb bounded on a shared machine
    forever = "while True:" if "pids" in sandbox.cgroups_available() else "for _ in range(9):"
    save("process_bomb", _notebook([f"""
import os
{forever}
    try:
        os.fork()
    except OSError:
        pass
"""], wrong=False))
    save("output_flood", _notebook(["""
import os, sys
for _ in range(10**6):
    os.write(1, b"x" * 65536)
"""], wrong=False))
    save("print_flood", _notebook(["while True:\n    print('x' * 10000)"], wrong=False))
    save("kernel_suicide", _notebook(["import os\nos._exit(1)"], wrong=False))
    no_checks = _notebook(wrong=False)  # check cells deleted: they never counted
    no_checks.cells = [c for c in no_checks.cells
                       if not c.metadata.get("nbgrader", {}).get("grade")]
    save("deleted_check_cells", no_checks)
    edited = _notebook()  # check cells edited to claim success: they never counted either
    for cell in edited.cells:
        if cell.metadata.get("nbgrader", {}).get("grade"):
            cell.source = "print('all checks passed')"
    save("edited_check_cells", edited)
    save("sigint_ignoring", _notebook(["""
import signal
signal.signal(signal.SIGINT, signal.SIG_IGN)
while True:
    pass
"""], wrong=False))
    save("catch_everything", _notebook(["""
while True:
    try:
        while True:
            pass
    except BaseException:
        pass
"""], wrong=False))
    save("slow_cells", _notebook(["import time\ntime.sleep(2.5)"] * 24, wrong=False))
    broken = _notebook(wrong=False)
    broken.cells[5].metadata["nbgrader"] = "solution"  # sigmoid_code
    save("malformed_nbgrader_string", broken)
    broken = _notebook(wrong=False)
    broken.cells[6].metadata["nbgrader"]["grade_id"] = ["sigmoid"]  # sigmoid's check
    save("malformed_grade_id_list", broken)
    save("malformed_source_int", _notebook(wrong=False))
    path = subs / f"malformed_source_int_{LESSON}.ipynb"
    raw = __import__("json").loads(path.read_text())
    raw["cells"][11]["source"] = 42  # tanh_code
    path.write_text(__import__("json").dumps(raw))
    lesson4 = sorted((ROOT / "exercises").glob("04_*.ipynb"))[0]
    (subs / f"carol_{LESSON}.ipynb").write_bytes(lesson4.read_bytes())
    (subs / f"dave_{LESSON}.ipynb").symlink_to(SOLUTION)
    (subs / "linked_folder").symlink_to(ROOT / "solutions")
    (subs / f"invalid_json_{LESSON}.ipynb").write_text('{"cells": [')

    watched = {p: hashlib.sha256(p.read_bytes()).hexdigest()
               for p in [*subs.glob("*.ipynb"), canary, SOLUTION] if not p.is_symlink()}
    host_ipython = tree_digest(STARTUP)
    start = time.monotonic()
    log = tmp / "log.txt"
    with open(log, "w") as handle:
        rows = grade_class([subs], csv_path, out=handle, jobs=2, cell_timeout=CELL_TIMEOUT,
                           notebook_timeout=NOTEBOOK_TIMEOUT,
                           limits=sandbox.Limits(**ATTACK_LIMITS))
    took = time.monotonic() - start
    csv_digest = hashlib.sha256(csv_path.read_bytes()).hexdigest()
    time.sleep(4)  # the background rewriter would strike now
    by_notebook: dict[str, list] = {}
    for row in rows:
        by_notebook.setdefault(Path(row.notebook).name.replace(f"_{LESSON}.ipynb", ""),
                               []).append(row)
    return dict(rows=by_notebook, took=took, csv=csv_path, csv_digest=csv_digest,
                watched=watched, canary=canary, marker=marker, tmp=tmp, subs=subs,
                host_ipython=host_ipython, log=log.read_text())


def grade_class(paths, csv_path, **options):
    from mlpcourse.grader import grade

    return grade(paths, csv_path, **options)


def points(rows) -> float:
    return sum(r.points for r in rows)


def flags(rows) -> str:
    return " ".join(f for r in rows for f in r.flags)


def messages(rows) -> str:
    return " ".join(r.message for r in rows)


def test_every_submission_has_its_rows_and_the_run_ends_in_time(attacked_class):
    rows = attacked_class["rows"]
    expected = {"honest", "wrong", *ATTACKS, "vandal", "background_rewriter", "startup_file",
                "two_gib_file", "memory_bomb", "process_bomb", "output_flood", "print_flood",
                "sigint_ignoring", "catch_everything", "slow_cells", "malformed_nbgrader_string",
                "malformed_grade_id_list", "malformed_source_int", "carol", "dave",
                "invalid_json", "out_folder_traps", "kernel_suicide", "deleted_check_cells",
                "edited_check_cells"}
    assert set(rows) == expected, attacked_class["log"]
    assert all(len(r) == N_TASKS for r in rows.values()), {k: len(v) for k, v in rows.items()}
    # 33 notebooks on 2 jobs: bounded by the per-notebook limit, never by an attack
    assert attacked_class["took"] < 33 / 2 * NOTEBOOK_TIMEOUT
    assert points(rows["honest"]) == TOTAL and points(rows["wrong"]) == 0
    assert points(rows["deleted_check_cells"]) == TOTAL and points(rows["edited_check_cells"]) == 0


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_cheats_earn_nothing(attacked_class, attack):
    rows = attacked_class["rows"][attack]
    assert points(rows) == 0, [(r.task, r.points, r.message) for r in rows]


@pytest.mark.parametrize("attack", ["import_reference", "replace_reference_sigmoid"])
def test_reference_use_is_flagged(attacked_class, attack):
    assert "reference-use" in flags(attacked_class["rows"][attack])


def test_reading_the_solution_from_disk_finds_nothing_and_is_flagged(attacked_class):
    rows = attacked_class["rows"]["exec_solution_from_disk"]
    assert "dynamic-code" in flags(rows) or "tampering" in flags(rows)


def test_nothing_outside_the_sandbox_changed(attacked_class):
    for path, digest in attacked_class["watched"].items():
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path
    assert attacked_class["canary"].read_text() == "canary"
    assert hashlib.sha256(attacked_class["csv"].read_bytes()).hexdigest() \
        == attacked_class["csv_digest"]  # the background rewriter never struck
    assert b"hacked" not in attacked_class["csv"].read_bytes()
    assert processes_matching(f"sleep {attacked_class['marker']}") == []
    assert not (attacked_class["tmp"] / "ipython").exists()
    assert tree_digest(STARTUP) == attacked_class["host_ipython"]
    assert not list(attacked_class["subs"].rglob("big.bin"))


def test_a_startup_file_does_not_reach_the_next_notebook(attacked_class, tmp_path):
    later = tmp_path / f"later_{LESSON}.ipynb"
    import nbformat

    nbformat.write(_notebook(["import builtins\nassert not hasattr(builtins, 'FULL_MARKS')"]),
                   str(later))
    with open(tmp_path / "log.txt", "w") as log:
        rows = grade_class([later], tmp_path / "later.csv", out=log,
                           cell_timeout=CELL_TIMEOUT, notebook_timeout=NOTEBOOK_TIMEOUT)
    assert points(rows) == 0
    assert "AssertionError" not in messages(rows)


def test_symlinks_are_refused_and_never_followed(attacked_class):
    rows = attacked_class["rows"]["dave"]
    assert points(rows) == 0 and all(r.flags and r.flags[0].startswith("symlink") for r in rows)
    assert not any("linked_folder" in r.notebook for v in attacked_class["rows"].values()
                   for r in v)


@pytest.mark.parametrize("name", ["malformed_nbgrader_string", "malformed_grade_id_list",
                                  "malformed_source_int"])
def test_malformed_notebooks_become_rows(attacked_class, name):
    rows = attacked_class["rows"][name]
    assert "malformed" in flags(rows)
    # what could run still earns its points; the damaged tasks (one or two) do not crash the run
    assert TOTAL - 2 * max(MAX_POINTS.values()) <= points(rows) <= TOTAL


def test_invalid_json_becomes_rows(attacked_class):
    rows = attacked_class["rows"]["invalid_json"]
    assert points(rows) == 0 and "invalid JSON" in messages(rows)


def test_a_lesson_4_notebook_under_the_lesson_3_name_is_flagged(attacked_class):
    rows = attacked_class["rows"]["carol"]
    assert points(rows) == 0
    assert all("assignment-mismatch" in " ".join(r.flags) for r in rows)
    assert {r.task for r in rows} == {r.task for r in attacked_class["rows"]["honest"]}


def test_traps_in_the_out_folder_neither_hang_nor_fool_the_grader(attacked_class):
    rows = attacked_class["rows"]["out_folder_traps"]
    assert points(rows) == 0 and len(rows) == N_TASKS


@pytest.mark.parametrize("name", ["two_gib_file", "memory_bomb", "process_bomb",
                                  "output_flood", "print_flood", "sigint_ignoring",
                                  "catch_everything", "kernel_suicide"])
def test_resource_abuse_ends_and_keeps_its_rows(attacked_class, name):
    rows = attacked_class["rows"][name]
    assert len(rows) == N_TASKS
    assert points(rows) <= TOTAL


def test_the_hard_notebook_limit_names_the_cell(attacked_class):
    rows = attacked_class["rows"]["slow_cells"]
    assert all("limit: time" in r.flags for r in rows)
    assert all(re.search(rf"ran out of time \({NOTEBOOK_TIMEOUT:g} s in all\) in cell \d+",
                         r.message) for r in rows), rows[0].message
