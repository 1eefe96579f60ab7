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
    # the row names the cell that builds the slider plot, counted as nbformat counts cells
    cells = json.loads((ROOT / "notebooks" / "04_output_layers.ipynb").read_text())["cells"]
    cell = next(i for i, c in enumerate(cells) if "interactive_plot(" in "".join(c["source"])
                and "draw_softmax" in "".join(c["source"]))
    assert f"| 04_output_layers | {cell} | `live(draw_softmax)` |" in done.stdout


def test_time_shares_count_nested_draws_once():
    """An Annotation draws through Text.draw: the "text drawing" share counts that once, so no
    share of one profiled call is above 100 % (lesson 4 showed 109 % before)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import cProfile

        import callbacks
        import matplotlib.pyplot as plt
    finally:
        sys.path.pop(0)
    fig, ax = plt.subplots()
    ax.annotate("an annotation", (0.5, 0.5))
    ax.text(0.1, 0.1, "a text")
    fig.canvas.draw()
    profile = cProfile.Profile()
    profile.enable()
    for artist in ax.texts:
        for _ in range(20):
            fig.draw_artist(artist)
    profile.disable()
    plt.close(fig)
    _, hot = callbacks._read_profile(profile)
    shares = dict(entry.rsplit(" ", 1) for entry in hot)
    assert 50 < int(shares["text drawing"].rstrip("%")) <= 100, hot
