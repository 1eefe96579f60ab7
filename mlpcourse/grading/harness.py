"""Run one submission inside the sandbox and write the student's outputs for the grader's inputs.

``python -m mlpcourse.grading.harness NOTEBOOK --calls CALLS --out RESULTS --progress PROGRESS
--cell-timeout SECONDS``

1. Reads CALLS (from :func:`mlpcourse.grading.tasks.write_calls`) into memory and deletes the
   file, so the student's code never sees the planned arguments before they are used.
2. Starts a fresh IPython kernel (jupyter_client, the kernel of this Python) in the notebook's
   folder and runs the notebook's code cells in order, skipping the graded check cells (their
   verdicts are worthless to the grader). Before each cell it appends ``cell <index>`` to
   PROGRESS (flushed). A cell that runs longer than ``--cell-timeout`` ends its kernel (killed,
   not interrupted: loops that ignore or catch KeyboardInterrupt exist), and a fresh kernel runs
   the cells again without that one (``restart`` in PROGRESS; at most MAX_RESTARTS times).
   Outputs are never kept (only a cell's error name and message, from the execute reply), so a
   cell that prints without end costs time, not memory.
3. For each task it appends ``task <name>`` to PROGRESS and asks the kernel
   (:func:`mlpcourse.grading.runner.run_task`) to call the student's function on the planned
   arguments (per-call time limit ``--call-timeout``; a task that hangs the kernel is stopped
   the same way as a cell, and a fresh kernel runs the cells again for the remaining tasks).
4. In the sandbox, ends every process the notebook left behind (see :func:`_end_strays`).
   Writes RESULTS (JSON; see :func:`mlpcourse.grading.tasks.score` for how it is read) and
   appends ``done``. The exit code is 0 whenever RESULTS was written, whatever the student's code
   did.

No expected value, reference result or solution is ever needed here. The notebook is read as
plain JSON (nbformat is not imported: its schema machinery costs seconds per notebook).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import pickle
import queue
import secrets
import signal
import stat
import sys
import time
from pathlib import Path

FORMAT = "mlpcourse-results-1"
MAX_TASK_RESULT = 32 * 2**20   # bytes of one task's result file
MAX_NOTEBOOK = 64 * 2**20      # bytes of the notebook
MAX_RESTARTS = 3               # fresh kernels after cells or tasks that ran out of time
STARTUP = 60.0                 # seconds for a kernel to start


class _Progress:
    def __init__(self, path):
        self.handle = open(path, "a", buffering=1)  # noqa: SIM115 (kept open for the run)

    def write(self, line: str) -> None:
        self.handle.write(line + "\n")
        self.handle.flush()
        os.fsync(self.handle.fileno())

    def close(self) -> None:
        self.handle.close()


def is_graded_cell(cell) -> bool:
    """A check cell of nbgrader (``metadata.nbgrader.grade`` true), read defensively."""
    metadata = cell.get("metadata") if isinstance(cell, dict) else None
    grading = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return isinstance(grading, dict) and grading.get("grade") is True


def code_cells(nb) -> list[tuple[int, str]]:
    """(index, source) of the cells to run: code cells with text sources, not graded."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise ValueError("no list of cells (an nbformat 4 notebook was expected)")
    found = []
    for index, cell in enumerate(cells):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code" or is_graded_cell(cell):
            continue
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if isinstance(source, str):
            found.append((index, source))
    return found


def _read_notebook(path) -> dict:
    data = read_capped(Path(path), MAX_NOTEBOOK)
    if data is None:
        raise ValueError(f"larger than {MAX_NOTEBOOK // 2**20} MiB")
    return json.loads(data)


def _end_strays() -> None:
    """Inside the sandbox (its own PID namespace, where the harness is pid 2) end every process
    the notebook may have left behind, so nothing rewrites RESULTS after it is written. Never
    outside: there kill(-1) would reach the whole machine."""
    if os.environ.get("MLPCOURSE_SANDBOX") == "bwrap" and os.getpid() == 2:
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass


class _Kernel:
    """One kernel for one submission, killed when a request runs out of time or at the end."""

    def __init__(self, workdir: Path):
        from jupyter_client.manager import KernelManager

        self.dead = None  # why the kernel is gone, once it is
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(workdir))
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=STARTUP)
        except RuntimeError:
            self.close()
            raise

    def run(self, code: str, label: str, timeout: float, history: bool = True) -> dict:
        """Execute ``code``; {"status": "ok"/"error"/"timeout"/"dead", "error": ...}."""
        if self.dead:
            return {"status": "dead", "error": self.dead}
        msg_id = self.kc.execute(code, store_history=history, allow_stdin=False,
                                 stop_on_error=False)
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.dead = f"{label} ran longer than {timeout:g} s: the kernel was stopped"
                self.close()
                return {"status": "timeout", "error": f"ran longer than {timeout:g} s"}
            try:
                reply = self.kc.get_shell_msg(timeout=min(1.0, remaining))
            except queue.Empty:
                if not self.km.is_alive():
                    self.dead = f"the kernel died in {label} (the code crashed Python or was " \
                                "killed)"
                    return {"status": "dead", "error": self.dead}
                continue
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            content = reply.get("content", {})
            if content.get("status") == "ok":
                return {"status": "ok"}
            error = f"{content.get('ename', 'error')}: {content.get('evalue', '')}"
            return {"status": "error", "error": error[:500]}

    def close(self) -> None:
        try:
            self.kc.stop_channels()
        except Exception:  # noqa: BLE001 (already stopped)
            pass
        try:
            self.km.shutdown_kernel(now=True)
        except Exception:  # noqa: BLE001 (already gone)
            pass


def _task_source(request: dict, out_path: Path) -> str:
    payload = base64.b64encode(pickle.dumps(request)).decode("ascii")
    return ("from mlpcourse.grading.runner import run_task as __mlpcourse_run_task\n"
            f"__mlpcourse_run_task(globals(), {payload!r}, {str(out_path)!r})\n"
            "del __mlpcourse_run_task\n")


def read_capped(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file (never through a symlink), or None if it is larger than
    ``limit``; OSError if it cannot be opened."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path.name} is not a regular file")
        data = handle.read(limit + 1)
    return None if len(data) > limit else data


def _read_task_result(path: Path):
    try:
        data = read_capped(path, MAX_TASK_RESULT)
        if data is None:
            return {"state": "too_large"}
        return json.loads(data)
    except (OSError, ValueError, RecursionError):
        return None
    finally:
        try:
            path.unlink()
        except OSError:
            pass


def run(notebook, calls_path, out_path, progress_path, cell_timeout=60.0, call_timeout=5.0,
        task_timeout=60.0) -> dict:
    """Everything the command does (see the module docstring); returns what it wrote."""
    with open(calls_path, "rb") as handle:
        calls = pickle.load(handle)  # noqa: S301 (written by the grader: the trusted direction)
    try:
        os.unlink(calls_path)
    except OSError:
        pass
    progress = _Progress(progress_path)
    results = {"format": FORMAT, "assignment": calls.get("assignment"), "cells": [],
               "stopped": None, "tasks": {}}
    try:
        cells = code_cells(_read_notebook(notebook))
    except Exception as error:  # noqa: BLE001 (not a notebook: nothing can run)
        results["stopped"] = f"not a valid notebook ({type(error).__name__}: {error})"[:500]
        cells = None
    if cells is not None:
        workdir = Path(notebook).resolve().parent
        try:
            _run_kernel(cells, workdir, calls, results, progress, cell_timeout, call_timeout,
                        task_timeout)
        except Exception as error:  # noqa: BLE001 (a harness failure still leaves its results)
            results["stopped"] = f"the harness failed: {type(error).__name__}: {error}"[:500]
    _end_strays()
    _write(results, out_path)
    progress.write("done")
    progress.close()
    return results


def _run_cells(kernel, cells, progress, cell_timeout, record, skip) -> int | None:
    """Run the cells not in ``skip``; the index of the cell that cost the kernel, or None."""
    for index, source in cells:
        if index in skip:
            continue
        progress.write(f"cell {index}")
        status = kernel.run(source, f"cell {index}", cell_timeout)
        record[index] = status
        if kernel.dead:
            return index
    return None


def _run_kernel(cells, workdir, calls, results, progress, cell_timeout, call_timeout,
                task_timeout) -> None:
    """Run the cells, then the tasks. A cell or task that hangs the kernel (it had to be killed)
    costs only itself: a fresh kernel runs the cells again without the hung cells, and the
    remaining tasks go on (at most MAX_RESTARTS times)."""
    pending = list(enumerate(calls["tasks"]))
    token = secrets.token_hex(8)
    skip, statuses = set(), {}
    for attempt in range(MAX_RESTARTS + 1):
        if attempt:
            progress.write("restart")
        kernel = _Kernel(workdir)
        try:
            lost = _run_cells(kernel, cells, progress, cell_timeout, statuses, skip)
            if lost is not None:
                skip.add(lost)
                results["stopped"] = kernel.dead
                continue
            while pending:
                number, task = pending.pop(0)
                progress.write(f"task {task['task']}")
                results["tasks"][task["task"]] = _run_one_task(
                    kernel, workdir / f".mlpcourse-{token}-{number}.json", task, call_timeout,
                    task_timeout)
                if kernel.dead:
                    break
        finally:
            kernel.close()
            results["cells"] = [{"index": i, **statuses[i]} for i in sorted(statuses)]
        if not pending:
            return
    reason = results.get("stopped") or "the kernel had to be restarted too often"
    for _, task in pending:
        results["tasks"][task["task"]] = {"state": "not_run", "reason": reason}


def _run_one_task(kernel, path: Path, task: dict, call_timeout, task_timeout) -> dict:
    request = {**task, "time_limit": call_timeout}
    limit = min(task_timeout, call_timeout * max(1, len(task["calls"])) + 15.0)
    status = kernel.run(_task_source(request, path), f"task {task['task']}", limit,
                        history=False)
    got = _read_task_result(path)
    if status["status"] == "timeout":
        return {"state": "hung", "reason": f"its calls ran longer than {limit:g} s in all"}
    if status["status"] == "dead":
        return {"state": "hung", "reason": "the kernel died while calling it"}
    if got is None:
        return {"state": "no_result", "reason": status.get("error", "")}
    return got


def _write(results: dict, out_path) -> None:
    out_path = Path(out_path)
    temporary = out_path.with_name(out_path.name + ".part")
    with open(temporary, "w") as handle:
        json.dump(results, handle)
    os.replace(temporary, out_path)


def main(argv=None) -> int:
    # `python -m` put the working folder first on sys.path: files the notebook writes there
    # (a json.py, a queue.py) must never be imported by the harness itself
    here = os.getcwd()
    sys.path[:] = [entry for entry in sys.path if entry not in ("", here)]
    import jupyter_client.manager  # noqa: F401 (imported now, before any notebook code runs)

    parser = argparse.ArgumentParser(prog="python -m mlpcourse.grading.harness",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("notebook")
    parser.add_argument("--calls", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--progress", required=True)
    parser.add_argument("--cell-timeout", type=float, default=60.0)
    parser.add_argument("--call-timeout", type=float, default=5.0)
    parser.add_argument("--task-timeout", type=float, default=60.0)
    args = parser.parse_args(argv)
    run(args.notebook, args.calls, args.out, args.progress, args.cell_timeout,
        args.call_timeout, args.task_timeout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
