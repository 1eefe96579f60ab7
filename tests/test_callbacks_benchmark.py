"""benchmarks/callbacks.py (the slider-callback benchmark of issue 5) keeps working: it finds a
lesson's interactive plot, times it as a live (blitted) figure and writes its results. No timing
is asserted; the measured numbers live in benchmarks/README_callbacks.md."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_callbacks_benchmark_times_the_live_plot_of_lesson_4(tmp_path):
    out = tmp_path / "callbacks.json"
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "callbacks.py"),
         "notebooks/04_output_layers.ipynb", "--calls", "3", "--json", str(out)],
        capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    rows = {row["draw"]: row for row in json.loads(out.read_text())}
    assert {"one line", "live(one line)", "live(draw_softmax)"} <= set(rows)
    softmax = rows["live(draw_softmax)"]
    assert softmax["controls"] == ["z1", "z2", "z3", "z4", "T"]
    assert len(softmax["times_ms"]) == 3 and softmax["error"] is None
    # the PNG part of a live plot is its own encoding step, a share of the whole call
    assert all(0 < png < total for png, total in zip(softmax["png_ms"], softmax["times_ms"],
                                                      strict=True))
    assert "| 04_output_layers | 36 | `live(draw_softmax)` |" in done.stdout
