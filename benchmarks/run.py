"""mlpcourse benchmark suite: speed and memory as ratios against references timed in the same run.

    .venv/bin/python benchmarks/run.py              # the full suite (a few minutes), = make bench
    .venv/bin/python benchmarks/run.py --smoke      # tiny sizes, one round: checks the scripts
    .venv/bin/python benchmarks/run.py --notebooks  # also time the notebook suite under nbval
    .venv/bin/python benchmarks/run.py --readme     # also write the tables into the READMEs

Prints a table, writes benchmarks/results/latest.json (git-ignored). See README.md beside this
file for what each workload measures and how.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from contextlib import nullcontext
from pathlib import Path
from statistics import median

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # the sibling modules, when run as a script from anywhere
sys.path.insert(1, str(HERE.parent))  # this tree's mlpcourse, whatever the venv has installed

import harness  # noqa: E402
import numpy as np  # noqa: E402
import peers  # noqa: E402
import workloads  # noqa: E402
from harness import Row, format_value  # noqa: E402

DTYPES = ("float64", "float32")
DIGITS_SIZES = [64, 128, 10]
MNIST_SIZES = [784, 256, 128, 10]

# what "fast enough" means here (the goals); checked at the end of every run
LECTURE_GOAL = 1.5  # public forward + backward + update within 1.5x of the leanest numpy
MNIST_GOAL = {"float32": 1.3, "float64": 1.5}  # one fit epoch within this many GEMM floors
MEMORY_GOAL = 1.5  # peak memory of that epoch within 1.5x of the arrays it must hold
IMPORT_GOAL_MS = 30.0  # `import mlpcourse` adds less than this to `import numpy`
SAME_ACCURACY = 0.02  # digits test accuracy within 2 percentage points of each peer


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- lecture step

def bench_lecture(dtype: str, smoke: bool, rounds: int, torch_missing: str | None) -> list[Row]:
    have_torch = torch_missing is None
    steps = 20 if smoke else 2000
    cases = {
        "numpy, leanest (textbook sigmoid)": workloads.lecture_numpy_lean(dtype, steps),
        "numpy, overflow-safe sigmoid": workloads.lecture_numpy_stable(dtype, steps),
        "mlpcourse forward/backward/update": workloads.lecture_mlpcourse(dtype, steps),
    }
    if workloads.has_unchecked_path():  # (older versions of the engine had none)
        cases["mlpcourse arithmetic only (no checks)"] = workloads.lecture_mlpcourse_unchecked(
            dtype, steps)
    if have_torch:
        cases["PyTorch (autograd, optim.SGD)"] = peers.torch_lecture_runner(dtype, steps)
    times = harness.medians(harness.interleaved(cases, rounds))
    reference = times["numpy, leanest (textbook sigmoid)"]
    rows = [Row("lecture step 2-2-1", dtype, name, t / steps * 1e6, "us/step",
                ratio=t / reference, reference=name.startswith("numpy, leanest"))
            for name, t in times.items()]
    if not have_torch:
        rows.append(Row("lecture step 2-2-1", dtype, "PyTorch", None, "us/step",
                        note=torch_missing))
    return rows


# ---------------------------------------------------------------- minibatch training

def bench_training(section, data, sizes, dtype, eta, epochs, batch_size, rounds, available,
                   reference) -> list[Row]:
    """Time one training workload (``epochs`` epochs) for every implementation, interleaved;
    the reference is "GEMM floor" or "numpy loop"."""
    args = (data, sizes, dtype, eta, epochs, batch_size)
    cases = {
        "GEMM floor (matrix products only)": workloads.gemm_floor_runner(data, sizes, dtype,
                                                                         epochs, batch_size),
        "numpy loop (plain, as a learner writes it)": workloads.numpy_loop_runner(*args),
        "mlpcourse fit": workloads.fit_runner(*args),
    }
    if available["sklearn"] is None:
        cases["scikit-learn MLPClassifier"] = peers.sklearn_runner(*args)
    if available["torch"] is None:
        cases["PyTorch CPU"] = peers.torch_runner(*args)

    results = {}

    def recorded(name, run):
        def call():
            results[name] = run()
        return call

    # the page faults of fit's epochs: each call of fit gets its own count
    faults = []

    def fit_with_faults(run=cases["mlpcourse fit"]):
        before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
        results["mlpcourse fit"] = run()
        faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)

    timed = {name: (fit_with_faults if name == "mlpcourse fit" else recorded(name, run))
             for name, run in cases.items()}
    raw = harness.interleaved(timed, rounds)
    times = harness.medians(raw)
    ref_name = next(name for name in times if name.startswith(reference))
    flops = workloads.flops_per_epoch(len(data[0]), sizes)
    rows = []
    for name, t in times.items():
        per_epoch = t / epochs
        notes, extra = [], {"gflops": flops / per_epoch / 1e9, "rounds_s": raw[name]}
        if results.get(name) is not None:
            extra["test_accuracy"] = results[name]
            notes.append(f"test accuracy {results[name]:.4f}")
        notes.append(f"{extra['gflops']:.1f} GFLOP/s")
        if name == "mlpcourse fit" and faults:
            extra["page_faults_per_epoch"] = median(faults[1:] or faults) / epochs
            notes.append(f"{extra['page_faults_per_epoch']:,.0f} page faults/epoch")
        info = getattr(cases[name], "info", {})
        extra.update(info)
        if info.get("weights_dtype") and info["weights_dtype"] != dtype:
            notes.append(f"computes in {info['weights_dtype']}")
        rows.append(Row(section, dtype, name, per_epoch, "s/epoch", ratio=t / times[ref_name],
                        reference=name == ref_name, note="; ".join(notes), extra=extra))
    for module, label in (("sklearn", "scikit-learn MLPClassifier"), ("torch", "PyTorch CPU")):
        if available[module] is not None:
            rows.append(Row(section, dtype, label, None, "s/epoch", note=available[module]))
    return rows


def bench_digits(dtype, smoke, rounds, available) -> list[Row]:
    reason = peers.missing("sklearn")
    if reason is not None:  # the digits come with scikit-learn
        return [Row("digits 64-128-10", dtype, "all", None, "s/epoch",
                    note=f"skipped: the data set needs scikit-learn; {reason}")]
    data = workloads.digits(dtype, smoke)
    epochs = 2 if smoke else 30
    return bench_training("digits 64-128-10", data, DIGITS_SIZES, dtype, eta=0.1, epochs=epochs,
                          batch_size=32, rounds=rounds, available=available,
                          reference="numpy loop")


def bench_mnist(dtype, smoke, rounds, available) -> list[Row]:
    m = 512 if smoke else 60_000
    data = workloads.mnist_sized(dtype, m=m)
    return bench_training("MNIST-sized 784-256-128-10", data, MNIST_SIZES, dtype, eta=0.01,
                          epochs=1, batch_size=128, rounds=rounds, available=available,
                          reference="GEMM floor")


# ---------------------------------------------------------------- memory (own process)

def memory_probe(dtype: str, m: int) -> dict:
    """Run in a fresh process: one fit epoch of the MNIST-sized workload under tracemalloc.

    Peak = the highest traced memory (numpy reports its array buffers to tracemalloc), with the
    data and the network allocated after tracing started, so it counts them too. Required =
    what any implementation must hold: X and y, the weights and biases, and one batch's
    activations (a[0..L] and z[1..L]). Also the peak resident set (VmHWM) at the end minus
    the resident set before the data was made."""
    import tracemalloc

    import mlpcourse as mc

    batch = 128
    rss_before = _resident_bytes()
    tracemalloc.start()
    X, y, _, _ = workloads.mnist_sized(dtype, m=m)
    net = workloads.initial_network(MNIST_SIZES, dtype)
    tracemalloc.reset_peak()
    mc.fit(net, X, y, loss="cross_entropy", eta=0.01, epochs=1, batch_size=batch, rng=0)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = _resident_bytes("VmHWM")
    itemsize = np.dtype(dtype).itemsize
    weights = sum(w.nbytes for w in net.W[1:]) + sum(v.nbytes for v in net.b[1:])
    activations = min(batch, m) * (MNIST_SIZES[0] + 2 * sum(MNIST_SIZES[1:])) * itemsize
    required = X.nbytes + y.nbytes + weights + activations
    return {"peak_bytes": peak, "required_bytes": required, "data_bytes": X.nbytes + y.nbytes,
            "weights_bytes": weights, "batch_activation_bytes": activations,
            "maxrss_growth_bytes": rss_after - rss_before}


def _resident_bytes(field: str = "VmRSS") -> int:
    """The resident set size now ("VmRSS") or its peak ("VmHWM") of this process (Linux; the
    peak in ru_maxrss would include a parent's: Linux carries it across fork and exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def bench_memory(dtype: str, smoke: bool) -> Row:
    m = 512 if smoke else 60_000
    command = [sys.executable, str(Path(__file__).resolve()), "--memory-probe", dtype, str(m)]
    out = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        return Row("memory, MNIST-sized epoch", dtype, "mlpcourse fit", None, "x",
                   note=f"probe failed: {out.stderr.strip().splitlines()[-1:]}")
    probe = json.loads(out.stdout)
    ratio = probe["peak_bytes"] / probe["required_bytes"]
    rss_ratio = probe["maxrss_growth_bytes"] / probe["required_bytes"]
    mib = 2**20
    peak, need = probe["peak_bytes"] / mib, probe["required_bytes"] / mib
    note = (f"tracemalloc peak {peak:,.0f} MiB vs {need:,.0f} MiB required (data "
            f"{probe['data_bytes'] / mib:,.0f}, weights {probe['weights_bytes'] / mib:.1f}, one "
            f"batch {probe['batch_activation_bytes'] / mib:.2f}); max-RSS growth {rss_ratio:.2f}x")
    return Row("memory, MNIST-sized epoch", dtype, "mlpcourse fit (peak / required)", ratio, "x",
               note=note, extra={**probe, "maxrss_ratio": rss_ratio})


# ---------------------------------------------------------------- import time, notebooks

def bench_import(rounds: int) -> list[Row]:
    """Fresh interpreters importing numpy or mlpcourse, interleaved. Bytecode is cached (in a
    temporary PYTHONPYCACHEPREFIX, so nothing is written into the repository) and the warm-up
    round fills that cache: the steady state a learner sees after the first import, even where
    PYTHONDONTWRITEBYTECODE is set.

    What mlpcourse adds is timed inside a third kind of fresh process, which imports numpy and
    then times ``import mlpcourse`` alone: the difference of two whole-process times carries the
    interpreter's start-up noise (+-20 ms here), this does not."""
    import tempfile

    added_s = []
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "PYTHONPYCACHEPREFIX": cache}
        env.pop("PYTHONDONTWRITEBYTECODE", None)

        def runner(code):
            def run():
                out = subprocess.run([sys.executable, "-c", code], check=True,
                                     capture_output=True, text=True, env=env)
                if out.stdout:
                    added_s.append(float(out.stdout))
            return run

        timed = ("import numpy, time; t = time.perf_counter(); import mlpcourse; "
                 "print(time.perf_counter() - t)")
        times = harness.medians(harness.interleaved(
            {"import numpy": runner("import numpy"), "import mlpcourse": runner("import mlpcourse"),
             "added": runner(timed)}, rounds))
    added = statistics.median(added_s[1:]) * 1e3  # the first is the warm-up
    return [
        Row("import (fresh process)", "-", "python -c 'import numpy'",
            times["import numpy"] * 1e3, "ms", ratio=1.0, reference=True),
        Row("import (fresh process)", "-", "python -c 'import mlpcourse'",
            times["import mlpcourse"] * 1e3, "ms", ratio=times["import mlpcourse"] /
            times["import numpy"], note=f"adds {added:.1f} ms (timed in-process after numpy)",
            extra={"added_ms": added}),
    ]


def bench_notebooks() -> Row:
    """The lesson notebooks under nbval as `make test` runs them, with the project's own
    environment (.venv, which has nbval) when there is one."""
    venv = harness.ROOT / ".venv" / "bin" / "python"
    python = str(venv) if venv.exists() else sys.executable
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
               "--dist", "loadfile", "--nbval", "--nbval-current-env", "--nbval-sanitize-with",
               "tests/nbval_sanitize.cfg", "notebooks"]
    start = time.perf_counter()
    out = subprocess.run(command, cwd=harness.ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    summary = next((line.strip("= ") for line in reversed(out.stdout.splitlines())
                    if " in " in line and ("passed" in line or "failed" in line)), "no summary")
    problems = sorted({line.split("::")[0].split()[-1] for line in out.stdout.splitlines()
                       if line.startswith(("FAILED", "ERROR"))})
    if problems:
        summary += f" (in {', '.join(problems)})"
    return Row("notebook suite (nbval, -n 2)", "-", "pytest --nbval notebooks/", seconds, "s",
               note=summary, extra={"returncode": out.returncode, "python": python,
                                    "problems": problems})


# ---------------------------------------------------------------- goals

def _find(rows, section, dtype, name):
    return next((r for r in rows if r.section.startswith(section) and r.dtype == dtype
                 and r.name.startswith(name) and r.value is not None), None)


def goals(rows: list[Row]) -> list[dict]:
    out = []

    def goal(text, measured, met, detail=""):
        out.append({"goal": text, "measured": measured, "met": bool(met), "detail": detail})

    for dtype in DTYPES:
        public = _find(rows, "lecture", dtype, "mlpcourse forward")
        if public:
            goal(f"lecture step {dtype}: within {LECTURE_GOAL}x of the leanest numpy",
                 round(public.ratio, 2), public.ratio <= LECTURE_GOAL)
            torch = _find(rows, "lecture", dtype, "PyTorch")
            if torch:
                goal(f"lecture step {dtype}: well ahead of PyTorch (at least 2x faster)",
                     round(torch.value / public.value, 2), torch.value >= 2 * public.value,
                     "PyTorch time / mlpcourse time")
        ours = _find(rows, "digits", dtype, "mlpcourse fit")
        for peer in ("scikit-learn", "PyTorch"):
            other = _find(rows, "digits", dtype, peer)
            if ours and other:
                same = (abs(ours.extra["test_accuracy"] - other.extra["test_accuracy"])
                        <= SAME_ACCURACY)
                goal(f"digits {dtype}: faster than {peer} at the same accuracy",
                     round(other.value / ours.value, 2), other.value > ours.value and same,
                     f"{peer} time / mlpcourse time; accuracy {ours.extra['test_accuracy']:.4f}"
                     f" vs {other.extra['test_accuracy']:.4f}")
        fit = _find(rows, "MNIST", dtype, "mlpcourse fit")
        if fit:
            goal(f"MNIST-sized {dtype}: within {MNIST_GOAL[dtype]}x of the GEMM floor",
                 round(fit.ratio, 2), fit.ratio <= MNIST_GOAL[dtype])
            for peer in ("scikit-learn", "PyTorch"):
                other = _find(rows, "MNIST", dtype, peer)
                if other:
                    goal(f"MNIST-sized {dtype}: faster than {peer}",
                         round(other.value / fit.value, 2), other.value > fit.value,
                         f"{peer} time / mlpcourse time")
        memory = _find(rows, "memory", dtype, "mlpcourse")
        if memory:
            goal(f"MNIST-sized {dtype}: peak memory within {MEMORY_GOAL}x of what it must hold",
                 round(memory.value, 3), memory.value <= MEMORY_GOAL, "tracemalloc")
    imported = _find(rows, "import", "-", "python -c 'import mlpcourse'")
    if imported:
        goal(f"import mlpcourse adds less than {IMPORT_GOAL_MS:.0f} ms to import numpy",
             round(imported.extra["added_ms"], 1), imported.extra["added_ms"] < IMPORT_GOAL_MS)
    return out


def goals_text(results: list[dict]) -> str:
    return "\n".join(f"[{'met' if g['met'] else 'MISSED'}] {g['goal']}: {g['measured']}"
                     + (f" ({g['detail']})" if g["detail"] else "") for g in results)


# ---------------------------------------------------------------- README

README = HERE / "README.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
# the main README shows a summary of the same run between these markers (placed there by hand)
MAIN_README = HERE.parent / "README.md"
MAIN_START, MAIN_END = "<!-- bench:start -->", "<!-- bench:end -->"


def machine_line(info: dict) -> str:
    blas = info["blas"]
    if isinstance(blas, list) and blas:
        def one(b):
            where = Path(b.get("filepath") or "?").parent
            kernel = f"{b['architecture']} kernel, " if b.get("architecture") else ""
            return (f"{b['internal_api']} {b.get('version') or ''} ({kernel}{b['num_threads']} "
                    f"threads, from {where.parent.name}/{where.name})").replace("  ", " ")
        blas = "; ".join(one(b) for b in blas)
    forced = {k: v for k, v in info["blas_env"].items() if v}
    versions = ", ".join(f"{k} {v}" for k, v in info["versions"].items() if v)
    return (f"{info['cpu']}, {info['usable_cores']} cores, {info['memory_gib']} GiB; "
            f"{info['platform']}; Python {info['python']}, numpy {info['numpy']}; thread pools: "
            f"{blas}; "
            f"{versions}; BLAS environment: {forced or 'none set'}; load average "
            f"{info['load_average_at_start']} at the start, {info['load_average_at_end']} at "
            f"the end; commit {info['git_commit']}")


def short_machine_line(info: dict) -> str:
    """CPU, cores, memory, Python, numpy and numpy's BLAS, load average and commit: the machine
    line of the main README's summary."""
    blas = info["blas"]
    ours = [b for b in blas if "numpy" in str(b.get("filepath"))] if isinstance(blas, list) else []
    blas = (f"{ours[0]['internal_api']} {ours[0].get('version') or ''} with "
            f"{ours[0]['num_threads']} threads".replace("  ", " ") if ours else "BLAS unknown")
    return (f"{info['cpu']}, {info['usable_cores']} cores, {info['memory_gib']} GiB; Python "
            f"{info['python']}, numpy {info['numpy']} ({blas}); load average "
            f"{info['load_average_at_start']} at the start, {info['load_average_at_end']} at the "
            f"end; commit {info['git_commit']}")


def summary_table(rows: list[Row]) -> str:
    """One line per mlpcourse result: its time, its reference, the ratio, and how many times
    longer each peer took (a Markdown table for the main README)."""
    out = ["| workload | dtype | mlpcourse | reference | ratio | peers: their time / mlpcourse's |",
           "|---|---|---|---|---|---|"]
    for row in rows:
        if not (row.name.startswith("mlpcourse") or row.name.endswith("'import mlpcourse'")):
            continue
        if row.value is None or row.name.startswith("mlpcourse arithmetic"):
            continue
        same = [r for r in rows if r.section == row.section and r.dtype == row.dtype]
        reference = next((r for r in same if r.reference), None)
        if row.section.startswith("memory"):
            ref, ratio = "the arrays it must hold", f"{row.value:.2f}x"
            value = "peak memory"
        else:
            ref = "" if reference is None else (
                f"{reference.name.split(' (')[0]}: {format_value(reference.value, reference.unit)}")
            ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
            if "added_ms" in row.extra:  # the import goal is about what mlpcourse adds
                ratio += f" (adds {row.extra['added_ms']:.1f} ms)"
            value = format_value(row.value, row.unit)
        peers = "; ".join(f"{r.name.split(' (')[0].split(' CPU')[0]} {r.value / row.value:.1f}x"
                          for r in same if r.value is not None
                          and r.name.startswith(("PyTorch", "scikit-learn")))
        out.append(f"| {row.section} | {row.dtype} | {value} | {ref} | {ratio} | {peers} |")
    return "\n".join(out)


def replace_block(path: Path, start: str, end: str, block: str, append: bool) -> bool:
    """Put ``block`` (which starts with ``start`` and ends with ``end``) in place of the text
    between the markers in ``path``; without markers, append it (``append``) or leave the file
    alone and return False."""
    text = path.read_text() if path.exists() else ""
    if start not in text or end not in text:
        if not append:
            return False
        text = text.rstrip() + f"\n\n{start}\n{end}\n" if text else f"{start}\n{end}\n"
    text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _: block, text, flags=re.S)
    path.write_text(text)
    return True


def main_readme_block(rows, goal_results, info, command) -> str:
    missed = [g for g in goal_results if not g["met"]]
    goals_line = (f"Goals of issue 6: {len(goal_results) - len(missed)} of {len(goal_results)} "
                  f"met" + ("." if not missed else "; missed: " + "; ".join(
                      f"{g['goal']} (measured {g['measured']})" for g in missed) + "."))
    return "\n".join([
        MAIN_START,
        f"Latest run ({time.strftime('%Y-%m-%d')}, `{command}`), on "
        f"{short_machine_line(info)}. Ratios are "
        f"medians from one process; on a shared machine they move between runs (the "
        f"MNIST-sized ratios by up to 30%). "
        f"Full table, method and what each row means: "
        f"[benchmarks/README.md](benchmarks/README.md).",
        "",
        summary_table(rows),
        "",
        goals_line,
        MAIN_END,
    ])


def write_readme(rows, goal_results, info, command, readme=README,
                 main_readme=MAIN_README) -> None:
    """The full table into benchmarks/README.md and a summary into the main README.md."""
    if not replace_block(main_readme, MAIN_START, MAIN_END,
                         main_readme_block(rows, goal_results, info, command),
                         append=False):
        log(f"note: {main_readme} has no {MAIN_START} ... {MAIN_END} markers: summary not written")
    block = "\n".join([
        START,
        f"Measured {time.strftime('%Y-%m-%d')} with `{command}` on: {machine_line(info)}.",
        "",
        harness.table(rows, markdown=True),
        "",
        "Goals:",
        "",
        *(f"- {'met' if g['met'] else '**missed**'}: {g['goal']}: {g['measured']}"
          + (f" ({g['detail']})" if g["detail"] else "") for g in goal_results),
        END,
    ])
    replace_block(readme, START, END, block, append=True)


# ---------------------------------------------------------------- main

def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true",
                        help="tiny sizes and one round: checks that every script runs (seconds)")
    parser.add_argument("--rounds", type=int, default=None,
                        help="timed rounds per workload (default 5, lecture step 15; smoke 1)")
    parser.add_argument("--only", nargs="+", choices=["lecture", "digits", "mnist", "memory",
                                                      "import"],
                        help="run only these sections")
    parser.add_argument("--dtypes", nargs="+", choices=DTYPES, default=list(DTYPES))
    parser.add_argument("--no-peers", action="store_true",
                        help="skip scikit-learn and PyTorch even when installed")
    parser.add_argument("--threads", type=int, default=None,
                        help="limit BLAS (and PyTorch) threads; default: as the machine sets")
    parser.add_argument("--notebooks", action="store_true",
                        help="also time the whole notebook suite under nbval (slow)")
    parser.add_argument("--out", type=Path, default=HERE / "results" / "latest.json")
    parser.add_argument("--readme", action="store_true",
                        help="write the table into benchmarks/README.md and a summary "
                             "into README.md")
    parser.add_argument("--memory-probe", nargs=2, metavar=("DTYPE", "M"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_probe:
        print(json.dumps(memory_probe(args.memory_probe[0], int(args.memory_probe[1]))))
        return 0

    rounds = args.rounds or (1 if args.smoke else 5)
    sections = set(args.only or ["lecture", "digits", "mnist", "memory", "import"])
    available = {module: ("disabled with --no-peers" if args.no_peers else peers.missing(module))
                 for module in ("sklearn", "torch")}
    info = harness.machine()
    warning = harness.coretype_warning(info)
    if warning:
        log(warning)
    limits = nullcontext()
    if args.threads:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(args.threads)
        if available["torch"] is None:
            import torch
            torch.set_num_threads(args.threads)

    rows: list[Row] = []
    start = time.perf_counter()
    with limits:
        for dtype in args.dtypes:
            if "lecture" in sections:
                log(f"lecture step, {dtype} ...")
                rows += bench_lecture(dtype, args.smoke, rounds * 3, available["torch"])
            if "digits" in sections:
                log(f"digits, {dtype} ...")
                rows += bench_digits(dtype, args.smoke, rounds, available)
            if "mnist" in sections:
                log(f"MNIST-sized, {dtype} ...")
                rows += bench_mnist(dtype, args.smoke, rounds, available)
            if "memory" in sections:
                log(f"memory, {dtype} ...")
                rows.append(bench_memory(dtype, args.smoke))
        if "import" in sections:
            log("import time ...")
            rows += bench_import(rounds if args.smoke else max(rounds, 25))  # 0.3 s a round; noisy
        if args.notebooks:
            log("notebook suite under nbval ...")
            rows.append(bench_notebooks())
    info["load_average_at_end"] = harness.load_average()
    info["seconds"] = round(time.perf_counter() - start, 1)
    goal_results = [] if args.smoke else goals(rows)

    print(harness.table(rows))
    if goal_results:
        print()
        print(goals_text(goal_results))
    if warning:
        print(warning)
    command = " ".join([sys.executable, "benchmarks/run.py",
                        *(argv if argv is not None else sys.argv[1:])])
    harness.write_json(args.out, {"command": command, "smoke": args.smoke, "rounds": rounds,
                                  "threads": args.threads, "machine": info, "rows": rows,
                                  "goals": goal_results})
    log(f"wrote {args.out}")
    if args.readme:
        write_readme(rows, goal_results, info, command)
        log(f"wrote the table into {README} and its summary into {MAIN_README}")
    return 0


if __name__ == "__main__":
    os.chdir(harness.ROOT)
    sys.exit(main())
