"""A student's own working folder: ``python -m mlpcourse start [FOLDER]`` and ``update [FOLDER]``.

The installed package carries the lessons (``notebooks/``) and the exercises (``exercises/``),
never the solutions (the wheel has them under ``mlpcourse/course/``; an editable install of a
clone reads them from the repository). ``start`` copies them into FOLDER (default
``mlpcourse-work``) and opens JupyterLab there; run again, it only reopens. ``update`` brings new
and changed notebooks into FOLDER and never overwrites a file the student changed, the way
nbgitpuller treats a student's changes:

- FOLDER/.mlpcourse.json (the manifest) records, for every file the course put there, the
  SHA-256 of the course's version of it and the course version it came with;
- a file whose bytes still match its record (or the new version) is the student's untouched
  copy: it is replaced by the new version;
- any other file (edited, run and saved, or there before the course) is kept as it is, and the
  new version is written beside it as ``NAME.new-<version>.ipynb``; the report says so;
- a file the course once put there and the student deleted comes back.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_FOLDER = "mlpcourse-work"
MANIFEST = ".mlpcourse.json"
FOLDERS = ("notebooks", "exercises")
FIRST_LESSON = "notebooks/01_perceptron.ipynb"


class StudentFolderError(RuntimeError):
    """The working folder or the course files cannot be used; the message says why and what to
    do."""


@dataclass
class Report:
    """What a :func:`sync` did, one relative path (``notebooks/01_perceptron.ipynb``) per entry;
    ``kept`` maps a file the student changed to the new version written beside it."""

    added: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    restored: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    kept: dict = field(default_factory=dict)

    def lines(self) -> list[str]:
        out = [f"added {p}" for p in self.added] + [f"updated {p}" for p in self.updated]
        out += [f"restored {p} (it had been deleted)" for p in self.restored]
        out += [f"kept your {p} (you changed it); the new version is beside it: {new}"
                for p, new in self.kept.items()]
        return out


def course_dir() -> Path:
    """The folder that holds ``notebooks/`` and ``exercises/``: ``mlpcourse/course`` inside an
    installed wheel, else the repository the package was installed from (``pip install -e``)."""
    package = Path(__file__).resolve().parent
    for base in (package / "course", package.parent):
        if all((base / folder).is_dir() for folder in FOLDERS):
            return base
    raise StudentFolderError(
        f"the course's lessons were not found: neither {package / 'course'} nor "
        f"{package.parent} has notebooks/ and exercises/ (reinstall the course: "
        "pip install --force-reinstall mlpcourse)")


def course_files(base: Path | None = None) -> dict[str, Path]:
    """Relative path -> file of every lesson and exercise (``*.ipynb`` of ``notebooks/`` and
    ``exercises/`` under ``base``, default :func:`course_dir`), in course order."""
    base = course_dir() if base is None else Path(base)
    files = {f"{folder}/{p.name}": p for folder in FOLDERS
             for p in sorted((base / folder).glob("*.ipynb"))}
    if not files:
        raise StudentFolderError(f"no lessons (*.ipynb) in {base}/notebooks or {base}/exercises")
    return files


def course_version() -> str:
    from . import __version__

    return __version__


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_folder(folder: Path, create: bool) -> Path:
    """``folder`` as a usable working folder (created if ``create`` and missing), or a
    StudentFolderError that names the problem."""
    folder = Path(folder).expanduser()
    if folder.exists() and not folder.is_dir():
        raise StudentFolderError(f"FOLDER {str(folder)!r} is a file, not a folder: give the name "
                                 f"of a folder (it is created if it does not exist)")
    if not folder.exists():
        if not create:
            raise StudentFolderError(f"FOLDER {str(folder)!r} does not exist: start the course "
                                     f"there first (python -m mlpcourse start {folder})")
        try:
            folder.mkdir(parents=True)
        except OSError as error:
            raise StudentFolderError(f"cannot create FOLDER {str(folder)!r}: "
                                     f"{error.strerror or error}") from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StudentFolderError(f"cannot write into FOLDER {str(folder)!r} (permission "
                                 "denied): choose a folder of your own")
    return folder


def read_manifest(folder: Path) -> dict | None:
    """The manifest of ``folder`` (None if it has none); a StudentFolderError if it is broken."""
    path = folder / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StudentFolderError(f"{path} cannot be read ({error}): move it away, then run "
                                 "`python -m mlpcourse update` again (every file you have is "
                                 "then treated as yours and kept)") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise StudentFolderError(f"{path} is not a course manifest (no 'files' mapping): move "
                                 "it away, then run `python -m mlpcourse update` again")
    return manifest


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _beside(target: Path, version: str, data: bytes) -> Path:
    """Where the new version of a file the student changed goes: ``NAME.new-<version>.ipynb``
    (with the new file's hash too, if that name already holds something else)."""
    candidate = target.with_name(f"{target.stem}.new-{version}{target.suffix}")
    if candidate.exists() and candidate.read_bytes() != data:
        candidate = target.with_name(f"{target.stem}.new-{version}-{digest(data)[:8]}"
                                     f"{target.suffix}")
    return candidate


def sync(folder, files: dict[str, Path] | None = None, version: str | None = None) -> Report:
    """Bring the course's ``files`` (relative path -> source file; default
    :func:`course_files`) of course ``version`` into ``folder`` without overwriting anything
    the student changed (see the module docstring), and record them in the manifest."""
    folder = Path(folder)
    files = course_files() if files is None else files
    version = course_version() if version is None else version
    manifest = read_manifest(folder) or {"course": "mlpcourse", "files": {}}
    records = manifest["files"]
    report = Report()
    try:
        for rel, source in files.items():
            data = Path(source).read_bytes()
            new = digest(data)
            target = folder / rel
            record = records.get(rel) if isinstance(records.get(rel), dict) else None
            if not target.exists():
                _write_atomic(target, data)
                (report.restored if record else report.added).append(rel)
            else:
                current = digest(target.read_bytes())
                if current == new:
                    report.unchanged.append(rel)
                elif record is not None and current == record.get("sha256"):
                    _write_atomic(target, data)
                    report.updated.append(rel)
                else:  # the student's file: keep it, put the new version beside it
                    beside = _beside(target, version, data)
                    if not beside.exists():
                        _write_atomic(beside, data)
                    report.kept[rel] = beside.relative_to(folder).as_posix()
            records[rel] = {"sha256": new, "version": version}
        manifest["version"] = version  # only once every file is there
    except OSError as error:  # a folder where a notebook should be, a read-only file, a full disk
        raise StudentFolderError(f"cannot bring {rel} into {folder}: "
                                 f"{error.strerror or error} ({error.filename or rel}); "
                                 "nothing of yours was changed") from None
    finally:  # what was written so far is recorded, even if a later file failed
        _write_atomic(folder / MANIFEST, (json.dumps(manifest, indent=1, sort_keys=True)
                                          + "\n").encode())
    return report


def lab_command(folder: Path, no_browser: bool = False, port: int | None = None,
                as_root: bool | None = None) -> list[str]:
    """The JupyterLab command that serves ``folder`` and opens the first lesson (``--allow-root``
    when running as root, which JupyterLab otherwise refuses, as ``make lab`` does)."""
    if as_root is None:
        as_root = hasattr(os, "geteuid") and os.geteuid() == 0
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}"]
    command += ["--allow-root"] if as_root else []
    command += ["--no-browser"] if no_browser else []
    command += [f"--port={port}"] if port is not None else []
    first = FIRST_LESSON if (folder / FIRST_LESSON).exists() else None
    return command + ([first] if first else [])


def start(folder=DEFAULT_FOLDER, no_browser=False, port=None, launch=True, out=None) -> list:
    """Copy the course into ``folder`` the first time (a folder with a manifest is only
    reopened), then replace this process by JupyterLab there (``launch=False``: return the
    command instead)."""
    out = out or sys.stdout
    folder = check_folder(Path(folder), create=True).resolve()
    manifest = read_manifest(folder)
    if manifest is None:
        report = sync(folder)
        print(f"copied {len(report.added)} notebooks of mlpcourse {course_version()} into "
              f"{folder}", file=out)
        for line in [f"kept your {p}; the course's version is {n}" for p, n in
                     report.kept.items()]:
            print(line, file=out)
    else:
        print(f"reopening {folder} (nothing copied)", file=out)
        if manifest.get("version") != course_version():
            print(f"the folder has mlpcourse {manifest.get('version')}, this is "
                  f"{course_version()}: `python -m mlpcourse update {folder}` brings the new "
                  "lessons and keeps every file you changed", file=out)
    command = lab_command(folder, no_browser, port)
    if "--allow-root" in command:
        print("running as root, so JupyterLab starts with --allow-root", file=out)
    if not launch:
        return command
    out.flush()
    os.chdir(folder)
    if os.name == "posix":  # JupyterLab takes over this process: Ctrl-C and signals reach it
        os.execv(command[0], command)
    import subprocess

    raise SystemExit(subprocess.call(command))


def update(folder=DEFAULT_FOLDER, out=None) -> Report:
    """Bring new and changed lessons and exercises into ``folder`` (made by :func:`start`),
    keeping every file the student changed; print what happened."""
    out = out or sys.stdout
    folder = check_folder(Path(folder), create=False)
    if read_manifest(folder) is None:
        raise StudentFolderError(f"{folder} has no {MANIFEST}, so it was not made by `python -m "
                                 f"mlpcourse start`: run `python -m mlpcourse start {folder}` "
                                 "(it copies the course and keeps any notebook already there)")
    report = sync(folder)
    for line in report.lines():
        print(line, file=out)
    print(f"{folder} has mlpcourse {course_version()}: {len(report.added)} added, "
          f"{len(report.updated)} updated, {len(report.restored)} restored, "
          f"{len(report.unchanged)} already up to date, {len(report.kept)} of yours kept",
          file=out)
    return report


def add_parsers(commands) -> None:
    """The ``start`` and ``update`` subcommands of ``python -m mlpcourse``."""
    st = commands.add_parser("start", help="copy the lessons and exercises into FOLDER (first "
                             "time only) and open JupyterLab there")
    st.add_argument("folder", nargs="?", default=DEFAULT_FOLDER, metavar="FOLDER",
                    help=f"your working folder (default: {DEFAULT_FOLDER} here)")
    st.add_argument("--no-browser", action="store_true", help="do not open a browser")
    st.add_argument("--port", type=int, default=None, help="JupyterLab's port")
    up = commands.add_parser("update", help="bring new and changed lessons into FOLDER; a file "
                             "you changed is kept and the new version put beside it")
    up.add_argument("folder", nargs="?", default=DEFAULT_FOLDER, metavar="FOLDER",
                    help=f"your working folder (default: {DEFAULT_FOLDER} here)")


def run(args) -> int:
    """Run ``start`` or ``update`` from parsed arguments; 2 and a message on a folder error."""
    try:
        if args.command == "start":
            start(args.folder, no_browser=args.no_browser, port=args.port)
        else:
            update(args.folder)
    except StudentFolderError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
