"""Attacks on the grader, planted one by one (issue 11): each must gain nothing, change no file
outside the sandbox's scratch folder, and end within its time limit.

The first half attacks the sandbox itself with small programs (fast); the second half grades
notebooks that carry the attacks, through ``python -m mlpcourse grade``'s ``grade()``, with canary
files in a temporary folder. Keep the exact attacks here: new kinds are added, none removed.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import pytest

from mlpcourse.grading import sandbox

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable
needs_bwrap = pytest.mark.skipif(sandbox.find_bwrap() is None,
                                 reason="bubblewrap (bwrap) is not installed or cannot run here")
FAST = dict(wall_seconds=2.0, grace=0.5, memory_bytes=512 << 20, tasks=64,
            file_bytes=16 << 20, scratch_bytes=64 << 20, output_bytes=1 << 20)


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
    assert sorted(seen[str(ROOT)]) == [".venv", "mlpcourse"]  # only what python needs


@needs_bwrap
def test_writes_outside_scratch_fail_and_scratch_is_fresh(tmp_path):
    canary = tmp_path / "canary.txt"
    canary.write_text("intact")
    before = tree_digest(ROOT / "mlpcourse") | tree_digest(tmp_path)
    attack = f"""
import os, sys
results = []
for path in [{str(canary)!r}, "/canary-in-root", {str(ROOT / "mlpcourse" / "evil.py")!r},
             {str(ROOT / "mlpcourse" / "__init__.py")!r}, "/usr/evil", "/etc/evil"]:
    try:
        with open(path, "w") as handle:
            handle.write("owned")
        results.append("wrote " + path)
    except OSError as error:
        results.append(type(error).__name__)
with open("/tmp/scratch-ok", "w") as handle:
    handle.write("scratch is writable")
print(results, os.getuid(), os.environ["HOME"], sorted(os.listdir(os.environ["IPYTHONDIR"])))
"""
    result = sandbox.run([PY, "-c", attack], limits=limits())
    assert result.returncode == 0, result.stderr
    assert b"wrote" not in result.stdout
    assert b"1000 /tmp/home []" in result.stdout  # unprivileged uid, fresh HOME and profile
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
    bomb = "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"
    start = time.monotonic()
    result = sandbox.run([PY, "-c", bomb], limits=limits(cgroups=cgroups))
    assert time.monotonic() - start < FAST["wall_seconds"] + FAST["grace"] + 4
    assert "tasks" in result.hits
    assert result.peak_tasks <= 4 * FAST["tasks"]
    assert result.leftover == 0


@needs_bwrap
@pytest.mark.parametrize("cgroups", [True, False], ids=["cgroups-if-any", "watchdog-only"])
def test_a_memory_bomb_is_stopped(cgroups):
    bomb = "import os\nos.fork()\nx = []\nwhile True:\n    x.append(bytearray(32 << 20))"
    result = sandbox.run([PY, "-c", bomb], limits=limits(cgroups=cgroups))
    assert result.returncode != 0
    assert result.ended_by == "memory" or b"MemoryError" in result.stderr
    assert result.seconds < FAST["wall_seconds"]


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
def test_an_output_flood_is_cut_off():
    flood = "import os\nwhile True:\n    os.write(1, b'x' * 65536)"
    result = sandbox.run([PY, "-c", flood], limits=limits())
    assert result.ended_by == "output"
    assert len(result.stdout) <= sandbox.Limits().keep_output
    assert result.seconds < FAST["wall_seconds"]


@needs_bwrap
@pytest.mark.parametrize("loop", [
    "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
    "while True:\n    try:\n        while True:\n            pass\n    except BaseException:\n"
    "        pass",
], ids=["ignores-SIGINT", "catches-everything"])
def test_endless_loops_end_at_the_wall_clock_limit(loop):
    start = time.monotonic()
    result = sandbox.run([PY, "-c", loop], limits=limits())
    took = time.monotonic() - start
    assert result.ended_by == "time" and result.interrupted
    assert FAST["wall_seconds"] <= took < FAST["wall_seconds"] + FAST["grace"] + 3
    assert result.leftover == 0


def test_without_sandbox_the_process_group_is_still_killed(tmp_path):
    loop = ("import signal, subprocess\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "subprocess.Popen(['sleep', '876543'])\nwhile True:\n    pass")
    result = sandbox.run([PY, "-c", loop], limits=limits(), sandbox=False)
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

