"""Reading submissions defensively, and deciding what each one is graded as.

- :func:`find_notebooks` lists notebooks without following symlinked folders;
  :func:`read_submission` reads one (never through a symlink, size-capped) and :func:`sanitize`
  turns its bytes into a well-formed notebook with the same cell indexes, listing every
  malformed part it dropped (a :class:`Refused` submission cannot be graded at all);
- :func:`choose_assignment` takes the lecturer's ``--assignment``, else the file name, and flags
  a notebook whose metadata names another lesson;
- :func:`seed_for` and :func:`shard_of` derive a submission's seed and shard from its path.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from pathlib import Path

from ..launch import INSTALL_TAG, is_install_cell

MAX_NOTEBOOK_BYTES = 32 << 20


def find_notebooks(paths) -> list[Path]:
    """Notebooks named by ``paths``: files as given (a symlink too: it is refused, with a row),
    folders searched recursively without following symlinked folders (checkpoints skipped), in
    a stable order."""
    found = []
    for path in map(Path, paths):
        if path.is_dir() and not path.is_symlink():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d != ".ipynb_checkpoints")
                found += [Path(root) / f for f in sorted(files) if f.endswith(".ipynb")]
        elif path.exists() or path.is_symlink():
            found.append(path)
        else:
            raise FileNotFoundError(f"PATH {path} does not exist")
    return found


class Refused(Exception):
    """A submission that cannot be graded at all (its rows say why)."""

    def __init__(self, message: str, flag: str):
        super().__init__(message)
        self.flag = flag


def read_submission(path: Path, max_bytes: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of a submitted file, never through a symlink, at most ``max_bytes``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as error:
        if os.path.islink(path):
            target = os.readlink(path)
            raise Refused(f"the submission is a symbolic link (to {target}): not graded",
                          f"symlink: {target}") from None
        raise Refused(f"cannot open the submission: {error.strerror}", "unreadable") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise Refused("the submission is not a regular file: not graded", "not-a-file")
        if info.st_size > max_bytes:
            raise Refused(f"the submission is {info.st_size / 2**20:.0f} MiB, more than the "
                          f"{max_bytes / 2**20:.0f} MiB a notebook may have: not graded",
                          "too-large")
        data = handle.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise Refused("the submission grew past the size limit while it was read", "too-large")
    return data


def _text(value, where: str, problems: list[str]) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "".join(value)
    problems.append(f"{where} is {type(value).__name__}, not text")
    return None


def sanitize(data: bytes) -> tuple[dict, list[str]]:
    """A well-formed nbformat-4 notebook built from a submission's bytes, same cell indexes,
    and the list of problems found (malformed parts are dropped, never trusted).

    Raises
    ------
    Refused
        The bytes are not a JSON notebook at all.
    """
    try:
        raw = json.loads(data)
    except (ValueError, RecursionError) as error:
        raise Refused(f"not a valid notebook (invalid JSON: {str(error)[:80]}); nothing could "
                      "run", "invalid-json") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list):
        raise Refused("not a notebook (no list of cells); nothing could run", "not-a-notebook")
    problems: list[str] = []
    meta = raw.get("metadata")
    if not isinstance(meta, dict):
        problems.append(f"the notebook's metadata is {type(meta).__name__}, not a mapping")
        meta = {}
    cells = []
    for index, cell in enumerate(raw["cells"]):
        where = f"cell {index}"
        if not isinstance(cell, dict):
            problems.append(f"{where} is {type(cell).__name__}, not a cell")
            cells.append(_markdown("", index))
            continue
        cell_type = cell.get("cell_type")
        source = _text(cell.get("source", ""), f"{where}: source", problems)
        if cell_type != "code" or source is None:
            if cell_type not in ("markdown", "raw", "code"):
                problems.append(f"{where}: cell_type {cell_type!r} is unknown")
            cells.append(_markdown("" if source is None or cell_type == "code" else source, index))
            continue
        cells.append(_code(source, _nbgrader(cell.get("metadata"), where, problems), index))
        if is_install_cell(cell):  # its tag lets source_check recognise the course's own cell
            cells[-1]["metadata"]["tags"] = [INSTALL_TAG]
    notebook = {"cells": cells, "metadata": _notebook_metadata(meta, problems),
                "nbformat": 4, "nbformat_minor": 5}
    return notebook, problems


def _nbgrader(meta, where: str, problems: list[str]) -> dict | None:
    if meta is None:
        return None
    if not isinstance(meta, dict):
        problems.append(f"{where}: metadata is {type(meta).__name__}, not a mapping: ignored")
        return None
    grading = meta.get("nbgrader")
    if grading is None:
        return None
    if not isinstance(grading, dict):
        problems.append(f"{where}: metadata.nbgrader is {type(grading).__name__}, not a "
                        "mapping: ignored")
        return None
    clean = {}
    for key, kind in (("grade", bool), ("solution", bool), ("locked", bool), ("task", bool),
                      ("grade_id", str), ("points", (int, float)), ("schema_version", int)):
        if key not in grading:
            continue
        value = grading[key]
        if isinstance(value, kind) and not (kind is not bool and isinstance(value, bool)):
            clean[key] = value
        else:
            problems.append(f"{where}: metadata.nbgrader.{key} is {type(value).__name__}, "
                            f"not {getattr(kind, '__name__', 'a number')}: ignored")
    return clean


def _notebook_metadata(meta: dict, problems: list[str]) -> dict:
    clean: dict = {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                  "language": "python"}}
    course = meta.get("mlpcourse")
    if isinstance(course, dict) and isinstance(course.get("assignment"), str):
        clean["mlpcourse"] = {"assignment": course["assignment"]}
    elif course is not None:
        problems.append("metadata.mlpcourse is malformed: ignored")
    return clean


def _markdown(source: str, index: int) -> dict:
    return {"cell_type": "markdown", "id": f"cell-{index}", "metadata": {}, "source": source}


def _code(source: str, grading: dict | None, index: int) -> dict:
    return {"cell_type": "code", "execution_count": None, "id": f"cell-{index}",
            "metadata": {"nbgrader": grading} if grading else {}, "outputs": [],
            "source": source}


def known_assignments(solutions_dir) -> list[str]:
    return sorted(p.stem for p in Path(solutions_dir).glob("*.ipynb"))


def assignment_from_name(path: Path, known: list[str]) -> str | None:
    """The assignment a file name names (the longest known name it contains, or its NN_ prefix
    when that number belongs to exactly one assignment)."""
    name = Path(path).name
    matches = [k for k in known if k in name]
    if matches:
        return max(matches, key=len)
    number = re.search(r"(?<!\d)(\d\d)(?!\d)", name)
    if number:
        same = [k for k in known if k.startswith(number.group(1) + "_")]
        if len(same) == 1:
            return same[0]
    return None


def choose_assignment(path: Path, notebook: dict | None, lecturer: str | None,
                      known: list[str]) -> tuple[str | None, list[str]]:
    """(assignment to grade against, flags). ``--assignment`` wins; else the file name; else
    the metadata; a disagreement between name and metadata is flagged."""
    by_name = assignment_from_name(path, known)
    by_meta = None
    if notebook is not None:
        by_meta = notebook["metadata"].get("mlpcourse", {}).get("assignment")
    flags = []
    chosen = lecturer or by_name or (by_meta if by_meta in known else None)
    if by_meta is not None and by_meta != chosen:
        said = f"file name says {by_name}" if by_name else "file name names no assignment"
        flags.append(f"assignment-mismatch: {said}, notebook metadata says {by_meta}; graded "
                     f"as {chosen}" + (" (--assignment)" if lecturer else ""))
    elif lecturer and by_name and by_name != lecturer:
        flags.append(f"assignment-mismatch: file name says {by_name}; graded as "
                     f"{lecturer} (--assignment)")
    return chosen, flags


def seed_for(key: str, base: int) -> int:
    """The submission's seed: from the run's base seed and the notebook's path (48 bits)."""
    digest = hashlib.sha256(f"{base}\0{key}".encode()).digest()
    return int.from_bytes(digest[:6], "big")


def shard_of(key: str, count: int) -> int:
    """Which of ``count`` shards (1-based) grades the notebook ``key``: a hash of its path, so
    every machine agrees without listing the class the same way."""
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % count + 1


def parse_shard(text: str) -> tuple[int, int]:
    """``"i/n"`` -> (i, n) with 1 <= i <= n."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", str(text))
    if not match or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise ValueError(f"--shard must be i/n with 1 <= i <= n (e.g. 2/8), got {text!r}")
    return int(match.group(1)), int(match.group(2))
