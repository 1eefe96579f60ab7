"""Timing and reporting helpers for the benchmark suite (see README.md beside this file).

Absolute times on a shared machine drift by tens of percent between runs, so every workload is
timed in the same process as its reference, in interleaved rounds after a warm-up, and reported
as the median of the rounds and as a ratio to the reference's median.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import median

import numpy as np

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    """One line of the results table."""

    section: str
    dtype: str
    name: str
    value: float | None  # in ``unit``; None when skipped
    unit: str
    ratio: float | None = None  # median time / the section's reference median time
    reference: bool = False
    note: str = ""
    extra: dict = field(default_factory=dict)


def interleaved(cases: dict, rounds: int, warmup: int = 1) -> dict[str, list[float]]:
    """Call every case ``warmup`` times untimed, then ``rounds`` times each, interleaved (the
    order rotates every round so no case always runs after the same neighbour); return the
    wall-clock seconds of every timed call, per case."""
    names = list(cases)
    for _ in range(warmup):
        for name in names:
            cases[name]()
    times = {name: [] for name in names}
    for r in range(rounds):
        order = names[r % len(names):] + names[:r % len(names)]
        for name in order:
            start = time.perf_counter()
            cases[name]()
            times[name].append(time.perf_counter() - start)
    return times


def medians(times: dict[str, list[float]]) -> dict[str, float]:
    return {name: median(values) for name, values in times.items()}


def load_average() -> list[float] | None:
    try:
        return [round(v, 2) for v in os.getloadavg()]
    except OSError:
        return None


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def _blas() -> list | dict:
    """The BLAS numpy runs (library, version, kernel, threads) from threadpoolctl if installed,
    else numpy's build configuration."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        try:
            return np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        except Exception as error:  # the layout of show_config is not guaranteed
            return {"unknown": repr(error)}
    return [{k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads",
                                      "threading_layer", "filepath")}
            for info in threadpool_info()]


def _version(module: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(module)
    except PackageNotFoundError:
        return None


def _git_commit() -> str | None:
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


BLAS_ENV = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS",
            "MKL_NUM_THREADS")


def machine() -> dict:
    """What the numbers were measured on."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = os.cpu_count()
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "memory_gib": _memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "executable": sys.executable,
        "numpy": np.__version__,
        "blas": _blas(),
        "blas_env": {name: os.environ.get(name) for name in BLAS_ENV},
        "versions": {name: _version(name) for name in ("mlpcourse", "scikit-learn", "torch",
                                                        "threadpoolctl")},
        "git_commit": _git_commit(),
        "load_average_at_start": load_average(),
    }


def coretype_warning(info: dict) -> str | None:
    """OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE force an older kernel on some machines (set there
    because old OpenBLAS builds crash on the newest cores); they slow a current numpy."""
    forced = {k: v for k, v in info["blas_env"].items()
              if k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") and v}
    if not forced:
        return None
    settings = ", ".join(f"{k}={v}" for k, v in forced.items())
    return (f"note: {settings} is set, so OpenBLAS runs a forced kernel; to measure the machine's "
            f"own kernel run `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE make bench` (this "
            f"command only; tests and CI keep the setting)")


def format_value(value: float | None, unit: str) -> str:
    if value is None:
        return "skipped"
    if unit in ("us/step", "ms"):
        return f"{value:,.1f} {unit}"
    if unit == "s/epoch":
        return f"{value:.4f} {unit}" if value < 0.1 else f"{value:.3f} {unit}"
    if unit == "s":
        return f"{value:.1f} {unit}"
    if unit == "x":
        return f"{value:.2f}x"
    return f"{value:.4g} {unit}"


def table(rows: list[Row], markdown: bool = False) -> str:
    """The results as a text table (or a Markdown table for the README)."""
    header = ["workload", "dtype", "implementation", "time", "vs reference", "notes"]
    lines = []
    for row in rows:
        ratio = ("reference" if row.reference else
                 "" if row.ratio is None else f"{row.ratio:.2f}x")
        lines.append([row.section, row.dtype, row.name, format_value(row.value, row.unit),
                      ratio, row.note or ""])
    if markdown:
        out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        out += ["| " + " | ".join(cell.replace("|", "/") for cell in line) + " |"
                for line in lines]
        return "\n".join(out)
    widths = [max(len(h), *(len(line[i]) for line in lines)) if lines else len(h)
              for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [fmt.format(*header), fmt.format(*("-" * w for w in widths))]
    previous = None
    for line in lines:
        if previous is not None and line[0] != previous:
            out.append("")
        previous = line[0]
        out.append(fmt.format(*line).rstrip())
    return "\n".join(out)


def write_json(path: Path, payload: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {**payload, "rows": [asdict(r) if isinstance(r, Row) else r
                                   for r in payload.get("rows", [])]}
    path.write_text(json.dumps(payload, indent=2, default=str) + "\n")
