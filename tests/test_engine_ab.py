"""benchmarks/engine_ab.py (an engine change against a commit's engine, interleaved in one
process) keeps working: a smoke run against HEAD times every workload in both dtypes and says
whether old and new gave the same numbers. No timing is asserted."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                    reason="needs git and the repository's history")
def test_smoke_run_against_head_compares_every_workload():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "engine_ab.py"), "HEAD",
                           "--smoke"], capture_output=True, text=True, timeout=300, cwd="/")
    assert done.returncode == 0, done.stderr[-2000:]
    header, _, *rows = done.stdout.strip().splitlines()
    assert f"new: {ROOT / 'mlpcourse' / '__init__.py'}" in header  # this tree, not the venv's
    assert len(rows) == 8
    for dtype in ("float64", "float32"):
        names = [row.split()[1] for row in rows if row.startswith(dtype)]
        assert names == ["lecture", "fit", "the", "fit"]
    assert all(row.split()[-1] in ("yes", "NO") for row in rows)
