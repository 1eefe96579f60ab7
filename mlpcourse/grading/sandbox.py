"""Run one untrusted program in a throw-away sandbox (bubblewrap), with limits, and always end it.

``run(argv, ...)`` starts ``argv`` inside ``bwrap`` (Debian's ``bubblewrap``):

- every namespace unshared (no network; loopback works, so a Jupyter kernel's ZMQ sockets do), its
  own PID namespace, ``--new-session``, ``--die-with-parent``, no nested user namespaces, and an
  unprivileged uid/gid (1000) inside;
- a read-only view of the system (``/usr`` and its ``/bin``, ``/lib`` links, ``ld.so.cache``), of
  the Python installation and virtual environment, and of the ``mlpcourse`` package folder only:
  not the repository, not ``solutions/``, not the grader's CSV, not other submissions;
- an empty root made read-only once set up, and one size-limited tmpfs at ``/tmp`` as the only
  writable place: the program's files are copied into it, and it holds a fresh HOME, IPython
  profile and Jupyter folders (no startup files, nothing kept from an earlier run);
- an optional output folder (a host folder bound at ``/out``) for the files the grader reads back;
  its size is watched.

Limits. The grader runs as root here, and some kernel limits do not bind root (``RLIMIT_NPROC``
counts per user and exempts uid 0, which a root-launched user namespace maps to). So:

- set per process by the kernel (they bind root too): address space ``RLIMIT_AS``, file size
  ``RLIMIT_FSIZE``, CPU seconds ``RLIMIT_CPU``, open files ``RLIMIT_NOFILE``, no core files;
- when this machine lets us create cgroups (v1 ``pids``/``memory`` or v2), a cgroup per run
  enforces the process count and total memory in the kernel;
- always, a watchdog polls the sandbox's processes (everything in its PID namespace) every
  ``poll`` seconds: too many tasks (threads count), too much resident memory in total, a too large
  output folder, or more than ``output_bytes`` written to stdout/stderr end the run;
- a wall-clock limit that always ends: SIGINT to the program (pid 2 of the sandbox), ``grace``
  seconds, then SIGKILL of the namespace's init, which makes the kernel kill every process in the
  namespace (double-forked and ``nohup`` children included); a last sweep kills anything left.

Without bubblewrap (``sandbox=False``, the grader's ``--no-sandbox``) the program runs in a new
session in a temporary folder with the same rlimits and watchdog (its process group), and is
killed by process group: it can read and write whatever the grader's user can.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

SANDBOX_UID = 1000
SCRATCH = "/tmp"
OUT = "/out"
PASSWD = "student:x:1000:1000:student:/tmp/home:/bin/sh\n"
GROUP = "student:x:1000:\n"
# set inside the launcher process just before it execs bwrap (or the program, without sandbox):
# rlimits are inherited by everything the sandbox starts; cgroups are joined before any fork
_LAUNCHER = """\
import json, os, resource, sys
spec = json.loads(sys.argv[1])
os.nice(spec["nice"])
for name, value in spec["rlimits"].items():
    if hasattr(resource, name):
        try:
            resource.setrlimit(getattr(resource, name), (value, value))
        except (ValueError, OSError):  # above the hard limit (macOS RLIMIT_AS...): lower it
            soft, hard = resource.getrlimit(getattr(resource, name))
            if hard != resource.RLIM_INFINITY:
                resource.setrlimit(getattr(resource, name), (min(value, hard), hard))
for procs in spec["cgroups"]:
    with open(procs, "w") as handle:
        handle.write(str(os.getpid()))
os.execv(sys.argv[2], sys.argv[2:])
"""


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


class SandboxUnavailable(RuntimeError):
    """bubblewrap is missing or cannot create namespaces here."""


_PROBED: dict[str, str | None] = {}


def find_bwrap() -> str | None:
    """The path of a working ``bwrap``, or None (missing, or it cannot create namespaces here);
    the answer is cached for the process."""
    if "bwrap" in _PROBED:
        return _PROBED["bwrap"]
    path = shutil.which("bwrap")
    if path is not None:
        try:
            probe = subprocess.run([path, "--unshare-all", "--unshare-user", "--die-with-parent",
                                    *_system_args(), "--", "/bin/true"],
                                   capture_output=True, timeout=30)
            path = path if probe.returncode == 0 else None
        except (OSError, subprocess.TimeoutExpired):
            path = None
    _PROBED["bwrap"] = path
    return path


def preflight() -> None:
    """Check once per process that a sandboxed Python can import what the harness needs (the
    course, nbclient, ipykernel): otherwise every notebook would get rows of zeros.

    Raises
    ------
    SandboxUnavailable
        With what the sandboxed Python said.
    """
    if _PROBED.get("preflight") == "ok":
        return
    check = run([sys.executable, "-c", "import mlpcourse.grading.harness, nbclient, ipykernel"],
                limits=Limits(wall_seconds=120))
    if check.returncode != 0:
        said = (check.error or check.stderr.decode(errors="replace"))[-600:]
        raise SandboxUnavailable(
            "inside the sandbox, Python cannot import the grader's packages (the sandbox shows "
            f"only {', '.join(map(str, python_paths()))} and /usr; install the course in a "
            f"virtual environment, not with pip --user): {said}")
    _PROBED["preflight"] = "ok"


def _system_args() -> list[str]:
    """Read-only system folders (merged-/usr links kept as links) and the loader's cache."""
    args = ["--ro-bind", "/usr", "/usr"]
    for top in ("/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"):
        if os.path.islink(top):
            args += ["--symlink", os.readlink(top), top]
        elif os.path.isdir(top):
            args += ["--ro-bind", top, top]
    for etc in ("/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/localtime",
                "/etc/fonts"):
        if os.path.exists(etc):
            args += ["--ro-bind", etc, etc]
    return args


def python_paths() -> list[Path]:
    """Folders a Python program of this environment needs: the interpreter's installation, the
    virtual environment, and the mlpcourse package folder (only that folder of the repository)."""
    import mlpcourse

    paths = [Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve(),
             Path(mlpcourse.__file__).resolve().parent]
    executable = Path(sys.executable)
    paths += [executable.parent, executable.resolve().parent]
    kept: list[Path] = []
    for path in paths:
        if path == Path("/usr") or path.is_relative_to(Path("/usr")):
            continue
        if not any(path == k or path.is_relative_to(k) for k in kept):
            kept = [k for k in kept if not k.is_relative_to(path)] + [path]
    return kept


def _matplotlib_cache() -> dict[str, Path]:
    """The grader's matplotlib font list, copied into the sandbox's fresh MPLCONFIGDIR, so a
    notebook that plots does not rebuild it (about a second per notebook)."""
    folder = os.environ.get("MPLCONFIGDIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "matplotlib")
    found = sorted(Path(folder).glob("fontlist-v*.json")) if os.path.isdir(folder) else []
    return {f"{SCRATCH}/matplotlib/{path.name}": path for path in found
            if path.is_file() and not path.is_symlink() and path.stat().st_size < 16 << 20}


def _environment(extra: dict[str, str] | None) -> dict[str, str]:
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": f"{SCRATCH}/home", "USER": "student", "LOGNAME": "student",
        "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "TMPDIR": SCRATCH,
        "IPYTHONDIR": f"{SCRATCH}/ipython",
        "JUPYTER_CONFIG_DIR": f"{SCRATCH}/jupyter/config",
        "JUPYTER_DATA_DIR": f"{SCRATCH}/jupyter/data",
        "JUPYTER_RUNTIME_DIR": f"{SCRATCH}/jupyter/runtime",
        "JUPYTER_PLATFORM_DIRS": "1",
        "MPLCONFIGDIR": f"{SCRATCH}/matplotlib", "MPLBACKEND": "Agg",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONNOUSERSITE": "1", "PYTHONHASHSEED": "0",
        "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
        "MLPCOURSE_SANDBOX": "bwrap",
    }
    env.update(extra or {})
    return env


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


def _sandbox_args(bwrap: str, limits: Limits, files: dict[str, Path], out_dir: Path | None,
                  read_only: list[Path], env: dict[str, str], cwd: str, info_fd: int,
                  file_fds: dict[str, int]) -> list[str]:
    args = [bwrap, "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID),
            "--gid", str(SANDBOX_UID), "--disable-userns", "--die-with-parent", "--new-session",
            "--hostname", "sandbox", "--info-fd", str(info_fd), *_system_args()]
    for path in read_only:
        args += ["--ro-bind", str(path), str(path)]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(16 << 20), "--tmpfs", "/dev/shm",
             "--size", str(limits.scratch_bytes), "--perms", "0700", "--tmpfs", SCRATCH]
    for sub in ("home", "ipython", "jupyter", "jupyter/config", "jupyter/data",
                "jupyter/runtime", "matplotlib", "work"):
        args += ["--dir", f"{SCRATCH}/{sub}"]
    for dest in files:
        args += ["--file", str(file_fds[dest]), dest]
    if out_dir is not None:
        args += ["--bind", str(out_dir), OUT]
    args += ["--perms", "0644", "--ro-bind-data", str(file_fds["/etc/passwd"]), "/etc/passwd"]
    args += ["--perms", "0644", "--ro-bind-data", str(file_fds["/etc/group"]), "/etc/group"]
    # the root and /dev are tmpfs folders bwrap made: read-only once set up (/dev/shm and the
    # scratch folder are separate, size-limited mounts and stay writable)
    args += ["--remount-ro", "/dev", "--remount-ro", "/", "--chdir", cwd, "--clearenv"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    return args


def run(argv: list[str], *, files: dict[str, Path] | None = None, out_dir: Path | None = None,
        limits: Limits | None = None, env: dict[str, str] | None = None,
        cwd: str = f"{SCRATCH}/work", sandbox: bool = True,
        read_only: list[Path] | None = None) -> RunResult:
    """Run ``argv`` in a sandbox and return once every process it started is gone.

    Parameters
    ----------
    argv : list of str
        The program and its arguments, as paths inside the sandbox.
    files : dict, optional
        ``{path inside the sandbox (under /tmp): host file}``: copied in before the start.
    out_dir : Path, optional
        A host folder bound writable at ``/out`` (its size is watched); None for none.
    limits : Limits, optional
        Resource limits (defaults: :class:`Limits`).
    env : dict, optional
        Extra environment variables (the environment starts empty apart from HOME, PATH, the
        Jupyter/IPython folders in scratch and one BLAS thread).
    cwd : str
        Working folder inside the sandbox.
    sandbox : bool
        False runs without bubblewrap (rlimits, watchdog and process-group kill only); paths
        under /tmp and /out are then mapped to a private temporary folder and ``out_dir``.
    read_only : list of Path, optional
        Host folders visible read-only at the same path; default :func:`python_paths`.

    Raises
    ------
    SandboxUnavailable
        ``sandbox`` is True but bubblewrap is missing or does not work here.
    """
    if not argv or not all(isinstance(a, str) for a in argv):
        raise ValueError(f"argv must be a non-empty list of str, got {argv!r}")
    limits = limits or Limits()
    files = {k: Path(v) for k, v in (files or {}).items()}
    for dest in files:
        if not dest.startswith(SCRATCH + "/"):
            raise ValueError(f"files: destination {dest!r} must be under {SCRATCH}/")
    out_dir = Path(out_dir) if out_dir is not None else None
    files = {**_matplotlib_cache(), **files}
    if sandbox:
        bwrap = find_bwrap()
        if bwrap is None:
            raise SandboxUnavailable(
                "bubblewrap (bwrap) is missing or cannot create namespaces here: install Debian's "
                "`bubblewrap` package, or run without a sandbox (--no-sandbox) at your own risk")
        return _run_bwrap(bwrap, argv, files, out_dir, limits, _environment(env), cwd,
                          read_only if read_only is not None else python_paths())
    return _run_plain(argv, files, out_dir, limits, env, cwd)


def _launch(command: list[str], limits: Limits, cgroups: list[Path], pass_fds, env=None,
            cwd=None) -> subprocess.Popen:
    spec = json.dumps({"rlimits": limits.rlimits(), "nice": limits.nice,
                       "cgroups": [str(c / "cgroup.procs") for c in cgroups]})
    return subprocess.Popen([sys.executable, "-I", "-S", "-c", _LAUNCHER, spec, *command],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, pass_fds=pass_fds, start_new_session=True,
                            env=env, cwd=cwd)


def _run_bwrap(bwrap, argv, files, out_dir, limits, env, cwd, read_only) -> RunResult:
    start = time.monotonic()
    info_read, info_write = os.pipe()
    opened: dict[str, int] = {}
    try:
        for dest, host in files.items():
            opened[dest] = os.open(host, os.O_RDONLY | os.O_NOFOLLOW)
        for dest, text in (("/etc/passwd", PASSWD), ("/etc/group", GROUP)):
            read_end, write_end = os.pipe()
            os.write(write_end, text.encode())
            os.close(write_end)
            opened[dest] = read_end
        args = _sandbox_args(bwrap, limits, files, out_dir, read_only, env, cwd, info_write,
                             opened)
        cgroups = _cgroups(limits)
        try:
            process = _launch([*args, "--", *argv], limits, cgroups,
                              pass_fds=(info_write, *opened.values()))
        except OSError as error:
            _remove_cgroups(cgroups)
            return RunResult(None, sandbox="bwrap", error=f"could not start bwrap: {error}")
    finally:
        os.close(info_write)
        for fd in opened.values():
            os.close(fd)
    info = _read_info(info_read)
    init = info.get("child-pid")
    namespace = _namespace_of(init) if init else None

    def members():
        return _members(namespace, None) if namespace else []

    try:
        result = _watch(process, limits, lambda: _measure(members, cgroups), out_dir, start,
                        init, interrupt=lambda: _interrupt_program(namespace),
                        kernel_hits=lambda: _cgroup_hits(cgroups))
    except BaseException:  # a bug here (or Ctrl-C) must not leave the sandbox running
        _kill_all(members, init) if namespace else process.kill()
        _remove_cgroups(cgroups)
        raise
    result.sandbox = "bwrap"
    result.limits_by = ["rlimits", "watchdog", *_cgroup_names(cgroups)]
    if init is None and result.returncode not in (0, None):
        result.error = "bwrap failed to start: " + result.stderr.decode(errors="replace")[-500:]
    result.leftover = _kill_all(members, init) if namespace else 0
    _note_cgroup_hits(result, cgroups)
    result.seconds = time.monotonic() - start
    return result


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


def _read_info(fd: int) -> dict:
    chunks = []
    with os.fdopen(fd, "rb") as handle:
        while chunk := handle.read(4096):
            chunks.append(chunk)
            if sum(map(len, chunks)) > 1 << 16:
                break
    try:
        return json.loads(b"".join(chunks) or b"{}")
    except ValueError:
        return {}


def _interrupt_program(namespace: str | None) -> None:
    """SIGINT the sandbox's program: the process that is pid 2 inside its namespace (pid 1 is
    bwrap's init)."""
    if namespace is None:
        return
    for pid in _members(namespace, None):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("NSpid:") and line.split()[-1] == "2":
                try:
                    os.kill(pid, signal.SIGINT)
                except ProcessLookupError:
                    pass


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


def _run_plain(argv, files, out_dir, limits, env, cwd) -> RunResult:
    """No bubblewrap: a private temporary folder stands for /tmp (and out_dir for /out)."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mlpcourse-nosandbox-") as tmp:
        scratch = Path(tmp)

        def host(path: str) -> str:
            if path == SCRATCH or path.startswith(SCRATCH + "/"):
                return str(scratch) + path[len(SCRATCH):]
            if out_dir is not None and (path == OUT or path.startswith(OUT + "/")):
                return str(out_dir) + path[len(OUT):]
            return path

        environment = {k: host(v) for k, v in _environment(env).items()}
        environment["MLPCOURSE_SANDBOX"] = "none"
        for sub in ("home", "ipython", "jupyter/config", "jupyter/data", "jupyter/runtime",
                    "matplotlib", "work"):
            (scratch / sub).mkdir(parents=True, exist_ok=True)
        for dest, source in files.items():
            target = Path(host(dest))
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target, follow_symlinks=False)
        cgroups = _cgroups(limits)
        try:
            process = _launch([host(a) for a in argv], limits, cgroups, pass_fds=(),
                              env=environment, cwd=host(cwd))
        except OSError as error:
            _remove_cgroups(cgroups)
            return RunResult(None, sandbox="none", error=f"could not start {argv[0]}: {error}")
        group = process.pid

        def members():
            return _members(None, group)

        def interrupt():
            try:
                os.killpg(group, signal.SIGINT)
            except ProcessLookupError:
                pass

        try:
            result = _watch(process, limits, lambda: _measure(members, cgroups), out_dir, start,
                            None, interrupt, kernel_hits=lambda: _cgroup_hits(cgroups))
        except BaseException:
            _kill_all(members, None)
            _remove_cgroups(cgroups)
            raise
        result.leftover = _kill_all(members, None)
        _note_cgroup_hits(result, cgroups)
    result.sandbox = "none"
    result.limits_by = ["rlimits", "watchdog", *_cgroup_names(cgroups)]
    result.seconds = time.monotonic() - start
    return result
