"""Run one untrusted program in a throw-away sandbox (bubblewrap), with limits, and always end it.

``run(argv, ...)`` starts ``argv`` inside ``bwrap`` (Debian's ``bubblewrap``):

- every namespace unshared (no network; loopback works, so a Jupyter kernel's ZMQ sockets do), its
  own PID namespace, ``--new-session``, ``--die-with-parent``, no nested user namespaces, and an
  unprivileged uid/gid (1000) inside;
- a read-only view of the system (``/usr`` and its ``/bin``, ``/lib`` links, ``ld.so.cache``), of
  the Python installation and virtual environment, and of the ``mlpcourse`` package folder only:
  not the repository, not ``solutions/``, not the grader's CSV, not other submissions;
- an empty root and ``/dev`` made read-only once set up, a 16 MiB ``/dev/shm``, and one
  size-limited tmpfs at ``/tmp`` as the only other writable place: the program's files are
  copied into it, and it holds a fresh HOME, IPython profile and Jupyter folders (no startup
  files, nothing kept from an earlier run); the program runs at niceness +10;
- an optional output folder (a host folder bound at ``/out``) for the files the grader reads back;
  its size is watched.

Limits (:mod:`.limits`). The grader runs as root here, and some kernel limits do not bind root
(``RLIMIT_NPROC`` counts per user and exempts uid 0, which a root-launched user namespace maps
to). So:

- set per process by the kernel (they bind root too): address space ``RLIMIT_AS``, file size
  ``RLIMIT_FSIZE``, CPU seconds ``RLIMIT_CPU``, open files ``RLIMIT_NOFILE``, no core files;
- when this machine lets us create cgroups (v1 ``pids``, ``memory``, ``cpuacct`` below the
  grader's own; v2 is not used yet), a cgroup per run enforces the process count and total
  memory in the kernel, and a limit it enforced ends the run at once;
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
import time
from pathlib import Path

from .limits import (
    STOP,
    Limits,
    RunResult,
    _cgroup_hits,
    _cgroup_names,
    _cgroups,
    _kill_all,
    _measure,
    _members,
    _namespace_of,
    _note_cgroup_hits,
    _remove_cgroups,
    _watch,
    cgroups_available,
    remove_tree,
)

__all__ = ["STOP", "Limits", "RunResult", "SandboxUnavailable", "cgroups_available",
           "find_bwrap", "preflight", "python_paths", "remove_tree", "run"]

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


def _sandbox_args(bwrap: str, limits: Limits, files: dict[str, Path], out_dir: Path | None,
                  read_only: list[Path], env: dict[str, str], cwd: str, info_fd: int,
                  file_fds: dict[str, int]) -> list[str]:
    args = [bwrap, "--unshare-all", "--unshare-user", "--uid", str(SANDBOX_UID),
            "--gid", str(SANDBOX_UID), "--disable-userns", "--die-with-parent", "--new-session",
            "--hostname", "sandbox", "--info-fd", str(info_fd), *_system_args()]
    args += ["--proc", "/proc", "--dev", "/dev", "--size", str(16 << 20), "--tmpfs", "/dev/shm",
             "--size", str(limits.scratch_bytes), "--perms", "0700", "--tmpfs", SCRATCH]
    # after the scratch tmpfs (bwrap mounts in argument order): a venv or a clone of the course
    # that lives under /tmp stays visible (read-only) instead of being hidden by the tmpfs
    for path in read_only:
        args += ["--ro-bind", str(path), str(path)]
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


def _run_plain(argv, files, out_dir, limits, env, cwd) -> RunResult:
    """No bubblewrap: a private temporary folder stands for /tmp (and out_dir for /out)."""
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mlpcourse-nosandbox-") as tmp:
        scratch = Path(tmp)
        # the grader's own Python and package stay where they are, even when they live under /tmp
        keep = [str(p) for p in python_paths()]

        def host(path: str) -> str:
            if any(path == k or path.startswith(k + "/") for k in keep):
                return path
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
