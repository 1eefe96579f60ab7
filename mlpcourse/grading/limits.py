"""Limits of a sandboxed run, and the watchdog that enforces them (used by :mod:`.sandbox`).

Per process, set by the kernel: rlimits (they bind root too). In total, when this machine lets
us create cgroups (v1 ``pids``, ``memory``, ``cpuacct``): a cgroup per run, so the kernel refuses
the fork past the task limit and reclaims or kills past the memory limit. Always: a watchdog
that polls the run (its PID namespace, or its process group) for tasks, memory, output and the
size of its output folder, and ends it at the wall-clock limit; :func:`_kill_all` then makes
sure nothing the run started is left.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Limits:
    """Resource limits of one sandboxed run.

    Parameters
    ----------
    wall_seconds : float
        Wall-clock time before the run is interrupted (SIGINT), then killed after ``grace``.
    grace : float
        Seconds between the SIGINT and the SIGKILL of the whole sandbox.
    memory_bytes : int
        Total resident memory of all the sandbox's processes (cgroup, and the watchdog).
    address_space_bytes : int
        Virtual memory of each process (``RLIMIT_AS``).
    tasks : int
        Processes plus threads at any time (cgroup ``pids.max``, and the watchdog).
    file_bytes : int
        Largest file any process may write (``RLIMIT_FSIZE``).
    scratch_bytes : int
        Size of the writable tmpfs; ``out_bytes`` is the budget of the output folder.
    out_bytes : int
        Total size of the files in the output folder.
    out_entries : int
        Files and folders the output folder may hold (the host's disk has no quota for it).
    output_bytes : int
        Bytes the program may write to stdout plus stderr; the first ``keep_output`` are kept.
    keep_output : int
        How much of stdout and of stderr is kept for the caller.
    cpu_seconds : int
        CPU seconds per process (``RLIMIT_CPU``); by default a little more than the wall limit.
    open_files : int
        Open files per process (``RLIMIT_NOFILE``).
    poll : float
        Seconds between two watchdog checks.
    cgroups : bool
        Use cgroups when this machine allows it (False: rlimits and the watchdog only).
    nice : int
        Added to the sandbox's niceness, so the grader and its watchdog always get the CPU
        before the student's code does.
    """

    wall_seconds: float = 300.0
    grace: float = 2.0
    memory_bytes: int = 3 << 30
    address_space_bytes: int = 6 << 30
    tasks: int = 256
    file_bytes: int = 256 << 20
    scratch_bytes: int = 512 << 20
    out_bytes: int = 320 << 20
    out_entries: int = 64
    output_bytes: int = 8 << 20
    keep_output: int = 64 << 10
    cpu_seconds: int | None = None
    open_files: int = 1024
    poll: float = 0.05
    cgroups: bool = True
    nice: int = 10

    def __post_init__(self):
        for name in ("wall_seconds", "grace", "poll"):
            if not getattr(self, name) > 0:
                raise ValueError(f"Limits.{name} must be > 0, got {getattr(self, name)!r}")
        for name in ("memory_bytes", "address_space_bytes", "tasks", "file_bytes",
                     "scratch_bytes", "out_bytes", "out_entries", "output_bytes", "keep_output",
                     "open_files"):
            value = getattr(self, name)
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"Limits.{name} must be a positive int, got {value!r}")

    def rlimits(self) -> dict[str, int]:
        cpu = self.cpu_seconds or int(self.wall_seconds * 2 + 10)
        return {"RLIMIT_AS": self.address_space_bytes, "RLIMIT_FSIZE": self.file_bytes,
                "RLIMIT_CPU": cpu, "RLIMIT_NOFILE": self.open_files, "RLIMIT_CORE": 0}


@dataclass
class RunResult:
    """What happened to a sandboxed run.

    ``returncode`` is the program's exit status (negative: killed by that signal; None: never
    started). ``ended_by`` is None for a normal exit, else why the sandbox ended it: ``"time"``,
    ``"memory"``, ``"tasks"``, ``"output"``, ``"out-folder"``, ``"stopped"`` (:data:`STOP`).
    ``interrupted`` says a SIGINT was sent first. ``hits`` lists the limits that were reached
    (``"tasks"``: a fork was refused, ``"memory"``), even when the run went on. ``leftover``
    counts processes that outlived the namespace's init and had to be killed one by one: it
    should always be 0. ``cpu_seconds``: CPU time of every process of the run, when a cpuacct
    cgroup counted it (else None).
    """

    returncode: int | None
    stdout: bytes = b""
    stderr: bytes = b""
    ended_by: str | None = None
    interrupted: bool = False
    seconds: float = 0.0
    sandbox: str = "bwrap"
    peak_tasks: int = 0
    peak_memory: int = 0
    leftover: int = 0
    limits_by: list[str] = field(default_factory=list)
    hits: list[str] = field(default_factory=list)
    cpu_seconds: float | None = None
    error: str | None = None


STOP = threading.Event()  # set by the grader on Ctrl-C: every running sandbox is killed at once


def _cgroups(limits: Limits) -> list[Path]:
    """Fresh cgroups for one run (pids and memory), below this process's own cgroups, when this
    machine lets us write there; [] otherwise (the watchdog still enforces both)."""
    made: list[Path] = []
    if not limits.cgroups:
        return made
    name = f"mlpcourse-sandbox-{os.getpid()}-{uuid.uuid4().hex[:12]}"
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return made
    for line in lines:
        _, controllers, path = line.split(":", 2)
        wanted = (("pids", {"pids.max": str(limits.tasks)}),
                  ("memory", {"memory.limit_in_bytes": str(limits.memory_bytes)}),
                  ("cpuacct", {}))
        for controller, settings in wanted:
            if controller not in controllers.split(","):
                continue
            folder = Path("/sys/fs/cgroup", controller, path.lstrip("/"), name)
            for stale in folder.parent.glob("mlpcourse-sandbox-*"):
                owner = stale.name.split("-")[2]
                if owner.isdigit() and not os.path.exists(f"/proc/{owner}"):
                    try:  # left by a grader that was killed; one still in use stays (EBUSY)
                        stale.rmdir()
                    except OSError:
                        pass
            try:
                folder.mkdir()
            except OSError:
                continue
            try:
                for key, value in settings.items():
                    (folder / key).write_text(value)
            except OSError:
                folder.rmdir()
                continue
            made.append(folder)
    return made


def cgroups_available() -> list[str]:
    """The cgroup controllers a run gets here (e.g. ``["pids", "memory", "cpuacct"]``); [] when
    only rlimits and the watchdog limit it."""
    made = _cgroups(Limits())
    _remove_cgroups(made)
    return [folder.parts[4] for folder in made]


def _cgroup_names(folders: list[Path]) -> list[str]:
    return [f"cgroup-{folder.parts[4]}" for folder in folders]


def _cgroup_hits(folders: list[Path]) -> list[str]:
    """The limits a run's cgroups enforced (the kernel refused a fork, or killed for memory)."""
    hits = []
    for folder in folders:
        for key, label in (("pids.events", "tasks"), ("memory.oom_control", "memory")):
            try:
                lines = (folder / key).read_text().split("\n")
            except OSError:
                continue
            for line in lines:
                words = line.split()
                if len(words) == 2 and words[0] in ("max", "oom_kill") and int(words[1]) > 0:
                    hits.append(label)
    return hits


def _remove_cgroups(folders: list[Path]) -> None:
    for folder in folders:
        for _ in range(50):
            try:
                folder.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:  # still busy for a moment after its last process died
                time.sleep(0.02)


class _Capped(threading.Thread):
    """Drain a pipe, keeping its first ``keep`` bytes and counting all of them."""

    def __init__(self, stream, keep: int):
        super().__init__(daemon=True)
        self.stream, self.keep, self.data, self.total = stream, keep, bytearray(), 0

    def run(self):
        while chunk := self.stream.read1(1 << 16):
            self.total += len(chunk)
            if len(self.data) < self.keep:
                self.data += chunk[: self.keep - len(self.data)]
        self.stream.close()


def _namespace_of(pid: int) -> str | None:
    try:
        return os.readlink(f"/proc/{pid}/ns/pid")
    except OSError:
        return None


def _members(namespace: str | None, group: int | None) -> list[int]:
    """Pids of the processes in PID namespace ``namespace`` (sandbox), or in process group
    ``group`` (no sandbox)."""
    found = []
    if not os.path.isdir("/proc"):  # not Linux (--no-sandbox only): rlimits alone then
        return found
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if namespace is not None:
            if _namespace_of(pid) == namespace:
                found.append(pid)
        else:
            try:
                stat = Path(f"/proc/{pid}/stat").read_bytes()
                fields = stat[stat.rindex(b")") + 2:].split()
                if int(fields[2]) == group:  # fields: state ppid pgrp session ...
                    found.append(pid)
            except (OSError, ValueError, IndexError):
                pass
    return found


def _usage(pids: list[int]) -> tuple[int, int]:
    """(tasks, resident bytes) of these processes."""
    tasks = memory = 0
    page = os.sysconf("SC_PAGE_SIZE")
    for pid in pids:
        try:
            memory += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * page
            tasks += len(os.listdir(f"/proc/{pid}/task"))
        except (OSError, ValueError, IndexError):
            pass
    return tasks, memory


def _measure(members, cgroups: list[Path]) -> tuple[int, int]:
    """(tasks, memory) of a run: from its cgroups when it has them (exact, and cheap), else by
    summing its processes' threads and resident memory (shared pages counted once per process,
    so forks overstate it)."""
    counted: dict[str, int] = {}
    for folder in cgroups:
        for key, label in (("pids.current", "tasks"), ("memory.usage_in_bytes", "memory")):
            try:
                counted[label] = int((folder / key).read_text())
            except (OSError, ValueError):
                pass
    if len(counted) < 2:
        tasks, memory = _usage(members())
        counted = {"tasks": tasks, "memory": memory, **counted}
    return counted["tasks"], counted["memory"]


def _folder_over(folder: Path | None, max_bytes: int, max_entries: int) -> bool:
    """True when ``folder`` holds more than ``max_bytes`` in files or more than ``max_entries``
    files and folders (counted without recursion: a deep nest of folders cannot break it)."""
    if folder is None:
        return False
    total, entries, stack = 0, 0, [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as listing:
                for entry in listing:
                    entries += 1
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif entry.is_file(follow_symlinks=False):
                        total += entry.stat(follow_symlinks=False).st_size
                    if total > max_bytes or entries > max_entries:
                        return True
        except OSError:
            pass
    return False


def remove_tree(folder: Path) -> None:
    """Delete a folder the sandbox wrote into, however deep it nested folders (``rm -rf``, which
    does not recurse on the stack as shutil.rmtree does)."""
    if os.path.lexists(folder):
        subprocess.run(["rm", "-rf", "--one-file-system", "--", str(folder)],
                       stdin=subprocess.DEVNULL, capture_output=True, timeout=600)


def _is_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return True
    return stat[stat.rindex(b")") + 2:][:1] in (b"Z", b"X")


def _kill_all(pids_of, first: int | None) -> int:
    """SIGKILL ``first``, give the kernel half a second to end its namespace, then SIGKILL every
    process ``pids_of()`` still finds until none is left (at most 5 s); return how many had to be
    killed that way (0 when the namespace took everything with it)."""
    if first is not None:
        try:
            os.kill(first, signal.SIGKILL)
        except ProcessLookupError:
            pass
    settle = time.monotonic() + 0.5  # the kernel tears a PID namespace down after its init
    while time.monotonic() < settle and any(not _is_zombie(p) for p in pids_of() if p != first):
        time.sleep(0.01)
    found: set[int] = set()
    deadline = time.monotonic() + 5.0
    while time.monotonic() < deadline:
        alive = [p for p in pids_of() if p != first and not _is_zombie(p)]
        if not alive:
            break
        found.update(alive)
        for pid in alive:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)
    return len(found)


def _note_cgroup_hits(result: RunResult, cgroups: list[Path]) -> None:
    result.hits = sorted(set(result.hits) | set(_cgroup_hits(cgroups)))
    for folder in cgroups:
        try:
            result.cpu_seconds = int((folder / "cpuacct.usage").read_text()) / 1e9
        except (OSError, ValueError):
            pass
    if result.ended_by is None and "memory" in result.hits:
        result.ended_by = "memory"
    _remove_cgroups(cgroups)


def _watch(process, limits: Limits, meter, out_dir, start, init, interrupt,
           kernel_hits) -> RunResult:
    """Enforce the limits while ``process`` runs; return its result (the caller kills what is
    left). A limit the kernel enforced (a cgroup refused a fork or killed for memory) ends the
    run at once too: an honest notebook never reaches one."""
    out = _Capped(process.stdout, limits.keep_output)
    err = _Capped(process.stderr, limits.keep_output)
    out.start()
    err.start()
    ended_by, interrupted, peak_tasks, peak_memory, hits = None, False, 0, 0, []
    deadline = start + limits.wall_seconds
    kill_at = None
    while process.poll() is None:
        now = time.monotonic()
        if kill_at is not None and now >= kill_at:
            break
        if kill_at is None:
            tasks, memory = meter()
            peak_tasks, peak_memory = max(peak_tasks, tasks), max(peak_memory, memory)
            if now >= deadline:
                ended_by, interrupted = "time", True
                interrupt()
                kill_at = now + limits.grace
            elif STOP.is_set():
                ended_by = "stopped"
            elif hit := kernel_hits():
                ended_by = hit[0]
            elif tasks > limits.tasks:
                ended_by = "tasks"
            elif memory > limits.memory_bytes:
                ended_by = "memory"
            elif out.total + err.total > limits.output_bytes:
                ended_by = "output"
            elif _folder_over(out_dir, limits.out_bytes, limits.out_entries):
                ended_by = "out-folder"
            if ended_by is not None and ended_by != "time":
                hits.append(ended_by)
                break
        try:
            process.wait(limits.poll)
        except subprocess.TimeoutExpired:
            pass
    if process.poll() is None:
        if init is not None:
            try:
                os.kill(init, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
    returncode = process.wait()
    out.join(5)
    err.join(5)
    if ended_by == "output" or (ended_by is None and out.total + err.total > limits.output_bytes):
        ended_by = "output"
    return RunResult(returncode, bytes(out.data), bytes(err.data), ended_by, interrupted,
                     peak_tasks=peak_tasks, peak_memory=peak_memory, hits=hits)
