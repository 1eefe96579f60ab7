"""The benchmark suite (benchmarks/run.py, `make bench`) keeps working: a smoke run on tiny sizes
writes a complete results file and prints the table. No timing is asserted (a shared machine's
times are noise); the full suite's numbers live in benchmarks/README.md."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN = ROOT / "benchmarks" / "run.py"


@pytest.fixture(scope="module")
def smoke(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "smoke.json"
    done = subprocess.run([sys.executable, str(RUN), "--smoke", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, json.loads(out.read_text())


def test_smoke_run_covers_every_workload_in_both_dtypes(smoke):
    _, results = smoke
    sections = {(row["section"].split()[0], row["dtype"]) for row in results["rows"]}
    for dtype in ("float64", "float32"):
        for section in ("lecture", "digits", "MNIST-sized", "memory,"):
            assert (section, dtype) in sections
    assert ("import", "-") in sections


def test_smoke_run_times_mlpcourse_against_its_references(smoke):
    _, results = smoke
    rows = {(r["section"].split()[0], r["dtype"], r["name"]): r for r in results["rows"]}
    for dtype in ("float64", "float32"):
        lecture = rows[("lecture", dtype, "mlpcourse forward/backward/update")]
        assert lecture["value"] > 0 and lecture["unit"] == "us/step" and lecture["ratio"] > 0
        assert rows[("lecture", dtype, "numpy, leanest (textbook sigmoid)")]["reference"]
        mnist = rows[("MNIST-sized", dtype, "mlpcourse fit")]
        assert mnist["unit"] == "s/epoch" and mnist["extra"]["gflops"] > 0
        assert rows[("MNIST-sized", dtype, "GEMM floor (matrix products only)")]["reference"]
        digits = rows[("digits", dtype, "mlpcourse fit")]
        assert 0.0 <= digits["extra"]["test_accuracy"] <= 1.0
        memory = rows[("memory,", dtype, "mlpcourse fit (peak / required)")]
        assert memory["value"] > 0 and memory["extra"]["required_bytes"] > 0


def test_smoke_run_skips_missing_peers_with_a_reason(smoke):
    _, results = smoke
    peers = [r for r in results["rows"] if r["name"].startswith(("PyTorch", "scikit-learn"))]
    assert peers
    for row in peers:
        assert row["value"] is not None or "not installed" in row["note"]


def test_smoke_run_describes_the_machine_and_prints_the_table(smoke):
    stdout, results = smoke
    machine = results["machine"]
    for key in ("cpu", "cores", "numpy", "blas", "blas_env", "python", "load_average_at_start"):
        assert key in machine
    assert "OPENBLAS_CORETYPE" in machine["blas_env"]
    assert results["smoke"] is True
    assert "mlpcourse fit" in stdout and "vs reference" in stdout


def test_readme_summary_replaces_only_its_marked_block(smoke, tmp_path, monkeypatch):
    """`run.py --readme` writes the full table into benchmarks/README.md and a summary of the same
    run between the markers of the main README, leaving every other line alone; a README without
    the markers is not touched."""
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    import run
    from harness import Row

    _, results = smoke
    rows = [Row(**row) for row in results["rows"]]
    info = {**results["machine"], "load_average_at_end": [0.5, 0.5, 0.5]}
    main = tmp_path / "README.md"
    main.write_text(f"# Title\n\ntext before\n\n{run.MAIN_START}\nold summary\n{run.MAIN_END}\n\n"
                    "## After\ntext after\n")
    full = tmp_path / "full.md"
    full.write_text("# Benchmarks\n\nmethod\n")
    run.write_readme(rows, [{"goal": "a goal", "measured": 2.0, "met": False, "detail": ""}],
                     info, "run.py --readme", readme=full, main_readme=main)
    text = main.read_text()
    assert text.startswith("# Title\n\ntext before\n\n" + run.MAIN_START)
    assert text.endswith(run.MAIN_END + "\n\n## After\ntext after\n")
    assert "old summary" not in text and info["cpu"] in text and "load average" in text
    assert "| lecture step 2-2-1 | float32 |" in text and "| import (fresh process) |" in text
    assert " ms) |" in text.split("| import (fresh process) |")[1].splitlines()[0]  # what it adds
    assert "missed: a goal (measured 2.0)" in text
    assert full.read_text().startswith("# Benchmarks\n\nmethod\n\n" + run.START)
    assert "mlpcourse forward/backward/update" in full.read_text()
    unmarked = tmp_path / "plain.md"
    unmarked.write_text("# No markers\n")
    run.write_readme(rows, [], info, "run.py", readme=full, main_readme=unmarked)
    assert unmarked.read_text() == "# No markers\n"
