"""How long every interactive plot of the lessons takes to redraw, kernel side.

A slider move runs ``draw(**values)`` in the kernel, then the inline backend renders each figure
to PNG (IPython's ``print_figure(fig, "png", bbox_inches="tight")``, base64) and sends it to the
browser. This script times exactly that: compute + draw + PNG, per call, without the front end.

It finds the plots by executing each lesson's code cells in-process (Agg backend, output
discarded) with ``mlpcourse.widgets.interactive_plot`` replaced by a recorder that keeps the
``draw`` function and its controls. Each plot is called once at the defaults (warm-up, not
counted), then ``--calls`` times with one control changed per call to a seeded random value of its
range (like a user moving one slider at a time). One extra profiled call says whether the plot
trains (``mlpcourse.train.fit`` runs) and where the time goes.

Goal: median under 50 ms for every plot that does not train.

Usage: ``python benchmarks/callbacks.py [notebooks ...] [--calls N] [--json PATH]``
(default: every notebooks/NN_*.ipynb). See benchmarks/README_callbacks.md for results.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import inspect
import io
import json
import os
import platform
import pstats
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402

from mlpcourse.widgets import LiveFigure  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
GOAL_MS = 50.0


@dataclass
class Plot:
    """One ``interactive_plot(draw, **controls)`` call found in a notebook."""

    notebook: str
    cell: int
    draw: object
    controls: dict
    name: str = ""
    times_ms: list[float] = field(default_factory=list)
    png_ms: list[float] = field(default_factory=list)
    trains: bool = False
    hot: list[str] = field(default_factory=list)
    continuous: bool = True
    error: str | None = None


# ----------------------------------------------------------------------------- finding the plots


def _code(cell_source: str) -> str:
    """A code cell with its IPython magics and shell escapes (not Python) turned into ``pass``
    (the install cell's ``%pip`` is the body of an ``if``)."""
    return "\n".join(line[: len(line) - len(line.lstrip())] + "pass"
                     if line.lstrip().startswith(("%", "!")) else line
                     for line in cell_source.splitlines())


def find_plots(path: Path) -> tuple[list[Plot], list[str]]:
    """Execute a notebook's code cells in-process; return its interactive plots and cell errors."""
    import mlpcourse.widgets as widgets_module

    plots, errors, current = [], [], {"cell": -1}
    rel = path.relative_to(REPO).as_posix() if path.is_relative_to(REPO) else str(path)

    def recorder(draw, columns=3, **controls):
        name = getattr(draw, "__name__", type(draw).__name__)
        if isinstance(draw, LiveFigure):
            name = f"live({getattr(draw.update, '__name__', 'update')})"
        continuous = all(getattr(c, "continuous_update", True) for c in controls.values())
        plots.append(Plot(notebook=rel, cell=current["cell"], draw=draw, controls=controls,
                          name=name, continuous=continuous))
        return None

    original = widgets_module.interactive_plot
    widgets_module.interactive_plot = recorder
    namespace = {"__name__": "__main__"}
    cwd = Path.cwd()
    try:
        os.chdir(path.parent)  # as the kernel does: the notebook's folder
        notebook = nbformat.read(path, as_version=4)
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            current["cell"] = index
            try:
                with _quiet():
                    exec(compile(_code(cell.source), f"{rel}[{index}]", "exec"), namespace)
            except Exception as error:  # noqa: BLE001 - a broken cell is reported, not fatal
                errors.append(f"{rel} cell {index}: {type(error).__name__}: {error}")
            finally:
                plt.close("all")
    finally:
        os.chdir(cwd)
        widgets_module.interactive_plot = original
    return plots, errors


@contextlib.contextmanager
def _quiet():
    """Discard printed output and warnings (plt.show() on Agg warns that it cannot show)."""
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


# ----------------------------------------------------------------------------- control values


def control_values(control) -> list:
    """The values a control can take: a slider's grid, a dropdown's options, a checkbox's bools."""
    if hasattr(control, "min") and hasattr(control, "max") and hasattr(control, "step"):
        step = control.step or (control.max - control.min) / 100
        grid = np.arange(control.min, control.max + step / 2, step)
        if isinstance(control.value, int | np.integer) and not isinstance(control.value, bool):
            return sorted({int(round(v)) for v in grid})
        return [float(v) for v in grid]
    if hasattr(control, "options") and hasattr(control, "index"):
        values, keep = [], control.index
        for i in range(len(control.options)):
            control.index = i
            values.append(control.value)
        control.index = keep
        return values
    if isinstance(control.value, bool):
        return [False, True]
    return [control.value]


def call_sequence(plot: Plot, calls: int, rng) -> list[dict]:
    """Default values, then ``calls`` calls each moving one control (round robin) elsewhere."""
    values = {name: control.value for name, control in plot.controls.items()}
    choices = {name: control_values(control) for name, control in plot.controls.items()}
    movable = [name for name, options in choices.items() if len(options) > 1]
    sequence = [dict(values)]
    for k in range(calls):
        if movable:
            name = movable[k % len(movable)]
            options = [v for v in choices[name] if v != values[name]]
            values[name] = options[int(rng.integers(len(options)))]
        sequence.append(dict(values))
    return sequence


# ----------------------------------------------------------------------------- timing


# the inline backend's InlineBackend.print_figure_kwargs; --bbox none measures the alternative
PRINT_KWARGS = {"bbox_inches": "tight"}


def render_png(draw=None) -> float:
    """The PNG part of the last call, in ms: for a LiveFigure what its ``png`` took (see
    :func:`_time_live_png`); otherwise what the inline backend does after ``draw()``: every open
    figure to PNG (base64)."""
    from IPython.core.pylabtools import print_figure

    if isinstance(draw, LiveFigure):
        return draw.png.spent_ms
    start = time.perf_counter()
    for number in plt.get_fignums():
        print_figure(plt.figure(number), "png", base64=True, **PRINT_KWARGS)
    plt.close("all")
    return (time.perf_counter() - start) * 1000


def time_plot(plot: Plot, calls: int, budget_s: float, rng) -> None:
    """Fill plot.times_ms / png_ms (total per call and its PNG part), trains and hot spots."""
    sequence = call_sequence(plot, calls, rng)
    if isinstance(plot.draw, LiveFigure):
        _time_live_png(plot.draw)
    started = time.perf_counter()
    try:
        for k, values in enumerate(sequence):
            with _quiet():
                t0 = time.perf_counter()
                plot.draw(**values)
                png = render_png(plot.draw)
                total = (time.perf_counter() - t0) * 1000
            if k == 0:
                continue  # warm-up: the first draw when the widget is displayed
            plot.times_ms.append(total)
            plot.png_ms.append(png)
            if time.perf_counter() - started > budget_s and len(plot.times_ms) >= 5:
                break
        profile = cProfile.Profile()
        with _quiet():
            profile.enable()
            plot.draw(**sequence[-1])
            render_png(plot.draw)
            profile.disable()
        plot.trains, plot.hot = _read_profile(profile)
    except Exception as error:  # noqa: BLE001 - reported in the table
        plot.error = f"{type(error).__name__}: {error}"
    finally:
        plt.close("all")


def _time_live_png(figure: LiveFigure) -> None:
    """Wrap the figure's ``png`` (its last step) so the time of the latest call is kept."""
    original = figure.png

    def png():
        start = time.perf_counter()
        data = original()
        png.spent_ms = (time.perf_counter() - start) * 1000
        return data

    png.spent_ms = 0.0
    figure.png = png  # the instance attribute shadows the method that __call__ looks up


# where a redraw spends its time: inclusive (nested) shares of one profiled call
_CATEGORIES = {
    "mathtext parsing": lambda f, fn, line: f.endswith("matplotlib/mathtext.py") and fn == "parse",
    # Text.draw only: Annotation.draw calls it through a decorator, and would count it twice
    "text drawing": lambda f, fn, line: f.endswith("matplotlib/text.py") and fn == "draw"
    and line == _TEXT_DRAW_LINE,
    "text layout": lambda f, fn, line: f.endswith("matplotlib/text.py") and fn == "_get_layout",
    "constrained layout": lambda f, fn, line: f.endswith("matplotlib/_constrained_layout.py")
    and fn == "do_constrained_layout",
    "Agg drawing": lambda f, fn, line: f.endswith("matplotlib/backends/backend_agg.py")
    and fn == "draw",
    "mlpcourse compute": lambda f, fn, line: "/mlpcourse/" in f and not any(
        part in f for part in ("/mlpcourse/plots/", "/mlpcourse/diagrams", "/mlpcourse/widgets")),
}


_TEXT_DRAW_LINE = inspect.unwrap(matplotlib.text.Text.draw).__code__.co_firstlineno


def reference_plot(calls: int, rng) -> Plot:
    """The same pipeline on a minimal figure (one line in one axes, 6.4 x 4.8 in): the floor of
    what any redraw costs on this machine, to read the other rows against."""

    def line(slope):
        _fig, ax = plt.subplots()
        ax.plot([0.0, 1.0], [0.0, slope])

    class Control:  # a slider-like stand-in: a 0..2 grid
        min, max, step, value, continuous_update = 0.0, 2.0, 0.1, 1.0, True

    plot = Plot(notebook="(reference)", cell=-1, draw=line, controls={"slope": Control()},
                name="one line")
    time_plot(plot, calls, 60.0, rng)
    return plot


def reference_live_plot(calls: int, rng) -> Plot:
    """The same one-line figure as a LiveFigure (built once, the line blitted): the floor of a
    live redraw."""
    fig, ax = plt.subplots()
    (line,) = ax.plot([0.0, 1.0], [0.0, 1.0])
    ax.set_ylim(0.0, 2.0)

    def update(slope):
        line.set_ydata([0.0, slope])
        return [line]

    class Control:  # a slider-like stand-in: a 0..2 grid
        min, max, step, value, continuous_update = 0.0, 2.0, 0.1, 1.0, True

    plot = Plot(notebook="(reference, live)", cell=-2, draw=LiveFigure(fig, update),
                controls={"slope": Control()}, name="live(one line)")
    time_plot(plot, calls, 60.0, rng)
    return plot


def _read_profile(profile) -> tuple[bool, list[str]]:
    """Whether mlpcourse.train.fit ran, and the three largest inclusive cost categories."""
    stats = pstats.Stats(profile).stats
    total = max(sum(row[2] for row in stats.values()), 1e-9)
    trains = any(f.endswith("mlpcourse/train.py") and fn == "fit" for f, _, fn in stats)
    shares = {}
    for category, matches in _CATEGORIES.items():
        # entry points only (callers outside the category), so nested calls count once
        shares[category] = sum(
            row[3] for (f, line, fn), row in stats.items() if matches(f, fn, line)
            and not any(matches(cf, cfn, cl) for cf, cl, cfn in row[4])) / total
    top = sorted(shares.items(), key=lambda kv: -kv[1])[:3]
    return trains, [f"{name} {100 * share:.0f}%" for name, share in top if share >= 0.01]


# ----------------------------------------------------------------------------- report


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def table(plots: list[Plot]) -> str:
    """Markdown table: one row per plot."""
    lines = ["| notebook | cell | draw | controls | calls | median ms | p95 ms | PNG part "
             "(median) | x reference | trains | goal < 50 ms | where the time goes (one profiled "
             "call, nested) |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    floor = percentile(plots[0].times_ms, 50) if plots and plots[0].cell == -1 else float("nan")
    # the x reference column: a new figure per move against the first reference row
    for plot in plots:
        controls = ", ".join(plot.controls)
        if plot.error:
            lines.append(f"| {plot.notebook} | {plot.cell} | `{plot.name}` | {controls} | - | - "
                         f"| - | - | - | - | error | {plot.error} |")
            continue
        median = percentile(plot.times_ms, 50)
        verdict = "n/a (trains)" if plot.trains else ("yes" if median < GOAL_MS else "**no**")
        if plot.cell < 0:
            verdict = "(floor)"
        update = "" if plot.continuous else " (continuous_update=False)"
        lines.append(
            f"| {Path(plot.notebook).stem} | {plot.cell} | `{plot.name}` | {controls}{update} | "
            f"{len(plot.times_ms)} | {median:.1f} | {percentile(plot.times_ms, 95):.1f} | "
            f"{percentile(plot.png_ms, 50):.1f} | {median / floor:.1f} | "
            f"{'yes' if plot.trains else 'no'} | {verdict} | "
            f"{'; '.join(plot.hot)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path,
                        help="notebooks to measure (default: notebooks/NN_*.ipynb)")
    parser.add_argument("--calls", type=int, default=30, help="timed calls per plot (default 30)")
    parser.add_argument("--budget", type=float, default=20.0,
                        help="seconds per plot after which timing stops (at least 5 calls)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the control values")
    parser.add_argument("--json", type=Path, help="also write the raw times here")
    parser.add_argument("--bbox", choices=["tight", "none"], default="tight",
                        help="bbox_inches of the PNG: tight is what the inline backend does; "
                             "none measures the cost without the extra layout pass")
    args = parser.parse_args(argv)
    PRINT_KWARGS["bbox_inches"] = "tight" if args.bbox == "tight" else None

    paths = [p.resolve() for p in args.notebooks] or sorted(
        (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    rng = np.random.default_rng(args.seed)
    plots, errors = [reference_plot(args.calls, rng), reference_live_plot(args.calls, rng)], []
    for path in paths:
        started = time.perf_counter()
        found, failed = find_plots(path)
        errors += failed
        for plot in found:
            time_plot(plot, args.calls, args.budget, rng)
        plots += found
        print(f"{path.name}: {len(found)} interactive plot(s), "
              f"{time.perf_counter() - started:.1f} s", file=sys.stderr)

    print(f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
          f"numpy {np.__version__}, {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.1f}, PNG bbox_inches={PRINT_KWARGS['bbox_inches']}")
    print()
    print(table(plots))
    lessons = [p for p in plots if p.cell >= 0]
    missed = [p for p in lessons if not p.error and not p.trains
              and percentile(p.times_ms, 50) >= GOAL_MS]
    print()
    print(f"{len(lessons)} plots; {len(missed)} miss the {GOAL_MS:.0f} ms median goal"
          + (": " + ", ".join(f"{Path(p.notebook).stem}[{p.cell}] {p.name}" for p in missed)
             if missed else ""))
    for error in errors:
        print(f"cell error (plots after it may be missing): {error}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([{
            "notebook": p.notebook, "cell": p.cell, "draw": p.name,
            "controls": list(p.controls), "continuous_update": p.continuous,
            "times_ms": p.times_ms, "png_ms": p.png_ms, "trains": p.trains, "hot": p.hot,
            "error": p.error} for p in plots], indent=1))
    return 1 if errors or any(p.error for p in plots) else 0


if __name__ == "__main__":
    sys.exit(main())
