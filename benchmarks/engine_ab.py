"""An engine change against the engine of a commit, interleaved in one process: as fast, and the
same numbers?

    .venv/bin/python benchmarks/engine_ab.py HEAD          # the working tree against HEAD
    .venv/bin/python benchmarks/engine_ab.py a3e9668 --rounds 15
    .venv/bin/python benchmarks/engine_ab.py HEAD --smoke  # tiny sizes, one round (seconds)

The commit's package is exported with ``git archive`` into a temporary folder and imported as
``mlpcourse_old`` (its imports are relative, so it is self-contained), next to the working tree's
``mlpcourse``. Each workload runs old and new in alternating order, round after round, after a
warm-up, with the BLAS on one thread and timed in thread CPU time, which a busy machine disturbs
far less than wall-clock time. Printed: the medians, new / old, the range of the per-round ratios
and whether the two gave the same weights and losses, bit for bit. See README.md beside this file.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from statistics import median

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this tree's mlpcourse, whatever the venv has installed


def export(commit: str, folder: Path):
    """Import the package of ``commit`` as ``mlpcourse_old`` (from a ``git archive`` in
    ``folder``)."""
    archive = subprocess.run(["git", "archive", commit, "mlpcourse"], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive, check=True)
    (folder / "mlpcourse").rename(folder / "mlpcourse_old")
    sys.path.insert(0, str(folder))
    return importlib.import_module("mlpcourse_old")


def fit_case(mc, sizes, X, y, **kwargs):
    """A call of ``mc.fit`` on a fresh He-initialised ReLU/softmax network (same seed for both
    engines); returns the call."""
    activations = ["relu"] * (len(sizes) - 2) + ["softmax"]
    net = mc.init_network(sizes, activations, method="he", rng=0, dtype=X.dtype)
    return lambda: mc.fit(net, X, y, loss="cross_entropy", rng=0, **kwargs)


def lecture_case(mc, dtype, steps):
    """``steps`` forward + backward + update steps on the lecture's Example 3 (2-2-1 sigmoid,
    binary cross-entropy); returns the call."""
    net = mc.Network.from_weights(
        W=[np.array([[0.1, 0.2], [0.3, 0.4]], dtype), np.array([[0.5, 0.6]], dtype)],
        b=[np.array([0.1, 0.2], dtype), np.array([0.3], dtype)],
        activations=["sigmoid", "sigmoid"])
    x = np.array([0.5, 0.1], dtype)

    def run():
        current = net
        for _ in range(steps):
            y_hat, cache = mc.forward(current, x)
            current = mc.update(current, mc.backward(current, cache, 1.0,
                                                     "binary_cross_entropy"), 0.1)
        return current, None
    return run


def same(a, b) -> bool:
    """Same weights (bit for bit) and, for fit, the same History."""
    (net_a, history_a), (net_b, history_b) = a, b
    weights = all(np.array_equal(u, v) for u, v in
                  zip(net_a.W[1:] + net_a.b[1:], net_b.W[1:] + net_b.b[1:], strict=True))
    return weights and repr(history_a) == repr(history_b)


def workloads(mc, dtype, smoke: bool) -> dict:
    rng = np.random.default_rng(0)
    m_digits, m_mnist = (64, 256) if smoke else (1347, 12000)
    X_digits = rng.normal(size=(m_digits, 64)).astype(dtype)
    y_digits = rng.integers(0, 10, m_digits)
    X_val, y_val = X_digits[: m_digits // 3], y_digits[: m_digits // 3]
    X_mnist = rng.normal(size=(m_mnist, 784)).astype(dtype)
    y_mnist = rng.integers(0, 10, m_mnist)
    epochs = 2 if smoke else 10
    return {
        "lecture step 2-2-1 (public functions)": lecture_case(mc, dtype, 20 if smoke else 2000),
        f"fit 64-128-10, {m_digits} samples, batch 32, {epochs} epochs":
            fit_case(mc, [64, 128, 10], X_digits, y_digits, eta=0.1, epochs=epochs,
                     batch_size=32),
        "  the same with a validation set": fit_case(
            mc, [64, 128, 10], X_digits, y_digits, eta=0.1, epochs=epochs, batch_size=32,
            validation=(X_val, y_val), patience=1000),
        f"fit 784-256-128-10, {m_mnist} samples, batch 128, 1 epoch":
            fit_case(mc, [784, 256, 128, 10], X_mnist, y_mnist, eta=0.01, epochs=1,
                     batch_size=128),
    }


def compare(old_case, new_case, rounds: int):
    """Warm up, then time old and new alternately (thread CPU seconds); return (old times, new
    times, same results)."""
    identical = same(old_case(), new_case())
    times = {"old": [], "new": []}
    for r in range(rounds):
        for name in (("old", "new") if r % 2 == 0 else ("new", "old")):
            case = old_case if name == "old" else new_case
            start = time.thread_time()
            case()
            times[name].append(time.thread_time() - start)
    return times["old"], times["new"], identical


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("commit", help="the commit whose engine is the reference (e.g. HEAD)")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--dtypes", nargs="+", choices=["float64", "float32"],
                        default=["float64", "float32"])
    args = parser.parse_args(argv)
    rounds = 1 if args.smoke else args.rounds
    import mlpcourse as new
    try:
        from threadpoolctl import threadpool_limits
        limits = threadpool_limits(1)
    except ImportError:  # timed in thread CPU time anyway; BLAS threads then go uncounted
        limits = None
    with tempfile.TemporaryDirectory() as folder:
        old = export(args.commit, Path(folder))
        print(f"old: {args.commit} ({old.__file__}); new: {new.__file__}; {rounds} rounds, "
              "thread CPU time, BLAS on 1 thread" + ("" if limits else " (no threadpoolctl)"))
        print(f"{'dtype':8} {'workload':58} {'old':>10} {'new':>10} {'new/old':>8}  "
              f"{'rounds':>13}  same")
        for dtype in args.dtypes:
            cases = zip(workloads(old, np.dtype(dtype), args.smoke).items(),
                        workloads(new, np.dtype(dtype), args.smoke).values(), strict=True)
            for (name, old_case), new_case in cases:
                t_old, t_new, identical = compare(old_case, new_case, rounds)
                ratios = sorted(n / o for n, o in zip(t_new, t_old, strict=True) if o > 0)
                spread = f"{ratios[0]:.3f}-{ratios[-1]:.3f}" if ratios else "-"
                ratio = median(t_new) / median(t_old) if median(t_old) > 0 else float("nan")
                print(f"{dtype:8} {name:58} {median(t_old):9.4f}s {median(t_new):9.4f}s "
                      f"{ratio:8.3f}  {spread:>13}  {'yes' if identical else 'NO'}",
                      flush=True)
    if limits is not None:
        limits.restore_original_limits()
    return 0


if __name__ == "__main__":
    sys.exit(main())
