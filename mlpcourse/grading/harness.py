"""Run one submission inside the sandbox and write the student's outputs for the grader's inputs.

``python -m mlpcourse.grading.harness NOTEBOOK --calls CALLS --out RESULTS --progress PROGRESS
--cell-timeout SECONDS``

1. Reads CALLS (from :func:`mlpcourse.grading.tasks.write_calls`) into memory and deletes the
   file, so the student's code never sees the planned arguments before they are used.
2. Starts a fresh kernel (nbclient) in the notebook's folder and runs the notebook's code cells
   in order, skipping the graded check cells (their verdicts are worthless to the grader). Before
   each cell it appends ``cell <index>`` to PROGRESS (flushed). A cell that runs longer than
   ``--cell-timeout`` ends its kernel (killed, not interrupted: loops that ignore or catch
   KeyboardInterrupt exist), and a fresh kernel runs the cells again without that one
   (``restart`` in PROGRESS; at most MAX_RESTARTS times). RESULTS lists every cell run with its
   status.
3. For each task it appends ``task <name>`` to PROGRESS and asks the kernel
   (:func:`mlpcourse.grading.runner.run_task`) to call the student's function on the planned
   arguments (per-call time limit ``--call-timeout``; a task that hangs the kernel is stopped
   the same way as a cell, and a fresh kernel runs the cells again for the remaining tasks).
4. In the sandbox, ends every process the notebook left behind (see :func:`_end_strays`).
   Writes RESULTS (JSON; see :func:`mlpcourse.grading.tasks.score` for how it is read) and
   appends ``done``. The exit code is 0 whenever RESULTS was written, whatever the student's code
   did.

No expected value, reference result or solution is ever needed here.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import pickle
import secrets
import signal
import sys
from pathlib import Path

FORMAT = "mlpcourse-results-1"
MAX_TASK_RESULT = 32 * 2**20   # bytes of one task's result file
MAX_RESTARTS = 3               # fresh kernels after cells or tasks that ran out of time


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
    grading = cell.get("metadata", {}).get("nbgrader", {})
    return isinstance(grading, dict) and grading.get("grade") is True


def _read_notebook(path):
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if not isinstance(cell.get("source", ""), str):
            raise ValueError("a cell's source is not text")
    return nb


def _client_class():
    from nbclient import NotebookClient

    class QuietClient(NotebookClient):
        """Keeps only error outputs: the grader needs none of the others, and a cell that
        prints without end must not fill the harness's memory."""

        def output(self, outs, msg, display_id, cell_index):
            if msg.get("msg_type") != "error":
                return None
            return super().output(outs, msg, display_id, cell_index)

    return QuietClient


def _end_strays() -> None:
    """Inside the sandbox (its own PID namespace, where the harness is pid 2) end every process
    the notebook may have left behind, so nothing rewrites RESULTS after it is written. Never
    outside: there kill(-1) would reach the whole machine."""
    if os.environ.get("MLPCOURSE_SANDBOX") == "bwrap" and os.getpid() == 2:
        try:
            os.kill(-1, signal.SIGKILL)
        except OSError:
            pass


class _Session:
    """One kernel for one submission, with the stop-and-kill rules for cells that hang."""

    def __init__(self, nb, workdir: Path, cell_timeout: float):
        self.client = _client_class()(nb, timeout=cell_timeout, kernel_name="python3",
                                     allow_errors=True, interrupt_on_timeout=False,
                                     record_timing=False,
                                     resources={"metadata": {"path": str(workdir)}})
        self.cell_timeout = cell_timeout
        self.dead = None  # why the kernel is gone, once it is

    def run(self, cell, index: int, timeout: float) -> dict:
        """Execute one cell; returns {"status": "ok"/"error"/"timeout"/"dead", "error": ...}."""
        from nbclient.exceptions import CellTimeoutError, DeadKernelError

        if self.dead:
            return {"status": "dead", "error": self.dead}
        self.client.timeout = timeout
        try:
            self.client.execute_cell(cell, index)
        except CellTimeoutError:
            self._recover(index, timeout)
            return {"status": "timeout", "error": f"ran longer than {timeout:g} s"}
        except DeadKernelError:
            self.dead = f"the kernel died in cell {index} (the code crashed Python or was killed)"
            return {"status": "dead", "error": self.dead}
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if errors:
            return {"status": "error",
                    "error": f"{errors[-1].get('ename', '')}: {errors[-1].get('evalue', '')}"[:500]}
        return {"status": "ok"}

    def _recover(self, index: int, timeout: float) -> None:
        """After a time-out: kill the kernel (an interrupt is not enough for a loop that ignores
        or catches KeyboardInterrupt, and a cell that printed without end leaves a backlog of
        messages that takes minutes to drain); the caller starts a fresh one without the cell."""
        from jupyter_core.utils import run_sync

        self.dead = f"cell {index} ran longer than {timeout:g} s: the kernel was stopped"
        try:
            run_sync(self.client.km.shutdown_kernel)(now=True)
        except Exception:  # noqa: BLE001 (already gone)
            pass


def _task_source(request: dict, out_path: Path) -> str:
    payload = base64.b64encode(pickle.dumps(request)).decode("ascii")
    return ("from mlpcourse.grading.runner import run_task as __mlpcourse_run_task\n"
            f"__mlpcourse_run_task(globals(), {payload!r}, {str(out_path)!r})\n"
            "del __mlpcourse_run_task\n")


def _read_task_result(path: Path):
    try:
        if path.stat().st_size > MAX_TASK_RESULT:
            return {"state": "too_large"}
        with open(path) as handle:
            return json.load(handle)
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
        nb = _read_notebook(notebook)
    except Exception as error:  # noqa: BLE001 (not a notebook: nothing can run)
        results["stopped"] = f"not a valid notebook ({type(error).__name__}: {error})"[:500]
        _write(results, out_path)
        progress.write("done")
        progress.close()
        return results
    workdir = Path(notebook).resolve().parent
    try:
        _run_kernel(nb, workdir, calls, results, progress, cell_timeout, call_timeout,
                    task_timeout)
    except Exception as error:  # noqa: BLE001 (a harness failure still leaves its results)
        results["stopped"] = f"the harness failed: {type(error).__name__}: {error}"[:500]
    _end_strays()
    _write(results, out_path)
    progress.write("done")
    progress.close()
    return results


def _run_cells(session, cells, progress, cell_timeout, record, skip) -> int | None:
    """Run the notebook's code cells (not the check cells, not those in ``skip``); the index of
    the cell that cost the kernel, or None."""
    for index, cell in enumerate(cells):
        if cell.cell_type != "code" or is_graded_cell(cell) or index in skip:
            continue
        progress.write(f"cell {index}")
        status = session.run(cell, index, cell_timeout)
        if record is not None:
            record.append({"index": index, **status})
        if session.dead:
            return index
    return None


def _run_kernel(nb, workdir, calls, results, progress, cell_timeout, call_timeout,
                task_timeout) -> None:
    """Run the cells, then the tasks. A cell or task that hangs the kernel (it had to be killed)
    costs only itself: a fresh kernel runs the cells again without the hung cells, and the
    remaining tasks go on (at most MAX_RESTARTS times)."""
    cells = list(nb.cells)
    pending = list(enumerate(calls["tasks"]))
    token = secrets.token_hex(8)
    skip = set()
    for attempt in range(MAX_RESTARTS + 1):
        if attempt:
            progress.write("restart")
        session = _Session(nb, workdir, cell_timeout)
        try:
            with session.client.setup_kernel():
                lost = _run_cells(session, cells, progress, cell_timeout, results["cells"], skip)
                if lost is not None:
                    skip.add(lost)
                    results["stopped"] = session.dead
                    continue
                while pending:
                    number, task = pending.pop(0)
                    progress.write(f"task {task['task']}")
                    results["tasks"][task["task"]] = _run_one_task(
                        session, nb, workdir / f".mlpcourse-{token}-{number}.json", task,
                        call_timeout, task_timeout)
                    if session.dead:
                        break
        except Exception:  # noqa: BLE001 (shutting down a killed kernel may complain)
            if not session.dead:
                raise
        if not pending:
            return
    reason = results.get("stopped") or "the kernel had to be restarted too often"
    for _, task in pending:
        results["tasks"][task["task"]] = {"state": "not_run", "reason": reason}


def _run_one_task(session, nb, path: Path, task: dict, call_timeout, task_timeout) -> dict:
    import nbformat

    request = {**task, "time_limit": call_timeout}
    limit = min(task_timeout, call_timeout * max(1, len(task["calls"])) + 15.0)
    cell = nbformat.v4.new_code_cell(_task_source(request, path))
    nb.cells.append(cell)
    status = session.run(cell, len(nb.cells) - 1, limit)
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
