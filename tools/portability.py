"""Prove that the committed notebook outputs hold on other machines, on this one.

Floating-point results differ between machines in their last bits: OpenBLAS picks another CPU
kernel on another processor, and two threads sum a matrix product in another order. numpy's
wheels ship OpenBLAS with every kernel, so ``OPENBLAS_CORETYPE`` and ``OPENBLAS_NUM_THREADS``
reproduce "another machine" here. Each configuration is confirmed with threadpoolctl (a kernel
this CPU cannot run is skipped, not faked).

    python tools/portability.py nbval [PATH...]     every lesson and solution under nbval, once per
                                                    configuration (what `make test` runs)
    python tools/portability.py reexecute [PATH...] re-execute the notebooks as `make notebooks`
                                                    does, in a temporary copy, under another
                                                    configuration, and diff their text outputs
                                                    against the committed ones (PNGs may differ)
    python tools/portability.py configs             list the configurations and their kernels

Exit status 0 when everything matches; 1 with the differences otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PATHS = ["notebooks", "solutions"]
# (OpenBLAS kernel, BLAS threads, CPU flag the kernel needs): two kernels other than the usual
# Haswell/Zen ones, one of them with two threads
WANTED = [("SkylakeX", 2, "avx512f"), ("Prescott", 1, None), ("SandyBridge", 2, "avx")]
TEXT_MIMES = ("text/plain", "text/html", "text/latex", "text/markdown", "image/svg+xml")


def _cpu_flags() -> set[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:  # not Linux: no OpenBLAS kernel can be forced reliably
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def blas_info(env: dict | None = None) -> dict:
    """threadpoolctl's description of the BLAS numpy uses, in a fresh process with ``env``."""
    code = ("import json, numpy, threadpoolctl; "
            "print(json.dumps([i for i in threadpoolctl.threadpool_info() "
            "if i['user_api'] == 'blas']))")
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, **(env or {})},
                         capture_output=True, text=True, check=True)
    infos = json.loads(out.stdout)
    return infos[0] if infos else {}


def configs() -> list[tuple[str, dict]]:
    """The configurations this machine can run: (description, environment) pairs whose BLAS
    kernel or thread count differs from the default one (one thread, as `make test` runs)."""
    base = blas_info({"OPENBLAS_NUM_THREADS": "1"})
    if base.get("internal_api") != "openblas":
        # another BLAS (Accelerate, MKL): only the thread count can be varied
        env = {"OPENBLAS_NUM_THREADS": "2", "MKL_NUM_THREADS": "2", "OMP_NUM_THREADS": "2"}
        return [(f"{base.get('internal_api', 'BLAS')}, 2 threads", env)]
    flags, found = _cpu_flags(), []
    for kernel, threads, needs in WANTED:
        if needs is not None and needs not in flags:
            continue
        env = {"OPENBLAS_CORETYPE": kernel, "OPENBLAS_NUM_THREADS": str(threads),
               "OMP_NUM_THREADS": str(threads)}
        info = blas_info(env)
        if info.get("architecture") == base.get("architecture"):
            continue  # the request had no effect (or it is the default kernel)
        found.append((f"OpenBLAS {info['architecture']} kernel ({kernel}), {threads} thread"
                      + ("s" if threads > 1 else ""), env))
    return found


def run_nbval(paths, env: dict) -> int:
    """nbval over ``paths`` with ``env``; pytest's exit code."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2",
               "--dist", "loadfile", "--nbval", "--nbval-current-env",
               "--nbval-sanitize-with", str(ROOT / "tests" / "nbval_sanitize.cfg"), *paths]
    return subprocess.run(command, cwd=ROOT, env={**os.environ, **env}).returncode


def text_outputs(path: Path) -> list[tuple[int, str]]:
    """(cell index, text) for every code cell: the text of its outputs as nbval compares them
    (streams joined per name, text representations; images and widget views left out)."""
    nb = json.loads(path.read_text())
    cells = []
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        parts, streams = [], {}
        for output in cell.get("outputs", []):
            kind = output["output_type"]
            if kind == "stream":
                streams[output["name"]] = streams.get(output["name"], "") + "".join(output["text"])
            elif kind in ("execute_result", "display_data"):
                data = output.get("data", {})
                parts += [f"[{m}] " + "".join(data[m]) for m in TEXT_MIMES if m in data]
            elif kind == "error":
                parts.append(f"[error] {output.get('ename')}: {output.get('evalue')}")
        parts += [f"[{name}] {text}" for name, text in sorted(streams.items())]
        cells.append((index, "\n".join(parts)))
    return cells


def reexecute(paths, env: dict) -> list[str]:
    """Re-execute the notebooks under ``paths`` in a temporary folder with `make notebooks`
    (``NOTEBOOKS=`` the copies), with ``env``; return the differences in their text outputs."""
    notebooks = sorted(p for path in paths for p in
                       ([Path(path)] if str(path).endswith(".ipynb") else
                        sorted((ROOT / path).glob("*.ipynb"))))
    problems = []
    with tempfile.TemporaryDirectory(prefix="mlpcourse-reexecute-") as tmp:
        copies = []
        for nb in notebooks:
            copy = Path(tmp) / nb.parent.name / nb.name
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(nb, copy)
            copies.append((nb, copy))
        # the recipe of `make notebooks` itself (execute, clean), on the copies
        command = ["make", "-s", "--no-print-directory", "-C", str(ROOT), "notebooks",
                   "NOTEBOOKS=" + " ".join(str(c) for _, c in copies),
                   f"BLAS_THREADS={env.get('OPENBLAS_NUM_THREADS', '1')}"]
        result = subprocess.run(command, env={**os.environ, **env}, capture_output=True,
                                text=True)
        if result.returncode != 0:
            return [f"re-execution failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"]
        for original, copy in copies:
            for (index, want), (_, got) in zip(text_outputs(original), text_outputs(copy),
                                               strict=True):
                if want != got:
                    diff = "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(),
                                                          "committed", "re-executed",
                                                          lineterm=""))
                    name = f"{original.parent.name}/{original.name}"
                    problems.append(f"{name}, cell {index}:\n{diff}")
    return problems


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=["nbval", "reexecute", "configs"])
    parser.add_argument("paths", nargs="*", default=DEFAULT_PATHS)
    args = parser.parse_args(argv)
    found = configs()
    print("default:", blas_info({"OPENBLAS_NUM_THREADS": "1"}).get("architecture"),
          "kernel, 1 thread", flush=True)
    if not found:
        print("no other BLAS configuration can be forced on this machine", file=sys.stderr)
        return 1
    if args.command == "configs":
        for description, env in found:
            print(f"{description}: {' '.join(f'{k}={v}' for k, v in env.items())}")
        return 0
    failed = []
    if args.command == "nbval":
        for description, env in found[:2]:
            print(f"--- nbval under {description}", flush=True)
            if run_nbval(args.paths, env) != 0:
                failed.append(description)
    else:
        description, env = found[0]
        print(f"--- re-executing under {description}", flush=True)
        problems = reexecute(args.paths, env)
        for problem in problems:
            print(problem)
        if problems:
            failed.append(f"{description}: {len(problems)} cells changed their text")
        else:
            print("no text output changed")
    for item in failed:
        print(f"FAILED under {item}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
