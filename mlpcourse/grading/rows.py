"""The grader's CSV: one row per notebook and task, appended and flushed as each notebook is
graded, read back for ``--resume`` and for reports, and merged from shards (:func:`merge` checks
that no shard, notebook or row is missing or doubled)."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

from .submissions import find_notebooks, shard_of

COLUMNS = ["notebook", "task", "points", "max_points", "message", "flags", "seed", "sandbox",
           "sha256", "shard"]


@dataclass
class Row:
    """One CSV row: a task of a submission (``flags`` is a list of short strings)."""

    notebook: str
    task: str
    points: float
    max_points: float
    message: str
    flags: list[str] = field(default_factory=list)
    seed: int | None = None
    sandbox: str = ""
    sha256: str = ""
    shard: str = "1/1"

    def csv_fields(self) -> list[str]:
        return [_one_line(self.notebook), _one_line(self.task), f"{self.points:g}",
                f"{self.max_points:g}", _one_line(self.message),
                _one_line("; ".join(self.flags)), "" if self.seed is None else str(self.seed),
                self.sandbox, self.sha256, self.shard]


def _one_line(text: str) -> str:
    return " ".join(str(text).split("\n")).replace("\r", " ")


def graded_in(csv_path: Path, shard: str | None = None) -> set[str]:
    """Notebooks that already have rows in ``csv_path`` (a half-written last line is cut; every
    row is one line). With ``shard`` ("i/n"), rows of another shard are an error."""
    csv_path = Path(csv_path)
    if not csv_path.exists() or csv_path.stat().st_size == 0:
        return set()
    data = csv_path.read_bytes()
    if not data.endswith(b"\n"):  # the run was killed in the middle of a write
        data = data[: data.rfind(b"\n") + 1]
        csv_path.write_bytes(data)
    reader = csv.DictReader(io.StringIO(data.decode()))
    if reader.fieldnames != COLUMNS:
        raise ValueError(f"{csv_path} has columns {reader.fieldnames}, expected {COLUMNS}: "
                         "not a CSV of this grader (or an older one); give another --csv")
    rows = list(reader)
    other = sorted({row["shard"] for row in rows} - {shard}) if shard else []
    if other:
        raise ValueError(f"{csv_path} holds rows of shard {', '.join(other)}, not {shard}: "
                         "resume each shard with its own CSV")
    return {row["notebook"] for row in rows}


def write_rows(handle, rows: list[Row]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow(row.csv_fields())
    handle.write(buffer.getvalue())
    handle.flush()
    os.fsync(handle.fileno())


def write_header(handle) -> None:
    csv.writer(handle).writerow(COLUMNS)
    handle.flush()


def read_rows(csv_path) -> list[Row]:
    """The rows of a grader CSV."""
    with open(csv_path, newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != COLUMNS:
            raise ValueError(f"{csv_path} has columns {reader.fieldnames}, expected {COLUMNS}")
        return [Row(r["notebook"], r["task"], float(r["points"]), float(r["max_points"]),
                    r["message"], [f for f in r["flags"].split("; ") if f],
                    int(r["seed"]) if r["seed"] else None, r["sandbox"], r["sha256"], r["shard"])
                for r in reader]


def merge(csv_paths, merged_path, paths=None) -> list[Row]:
    """Join shard CSVs into one, checking that nothing is missing or doubled.

    Every shard i/n of the same n must be there exactly once; a notebook must appear in one
    shard only (the one :func:`shard_of` names) and a (notebook, task) pair once; with
    ``paths`` (the submissions) every notebook found there must have rows. A CSV without rows is
    a shard that no notebook hashed into (a small class on many machines): it stands for one of
    the shards the others do not name, and there must be exactly as many of those.

    Raises
    ------
    ValueError
        Naming what is missing or doubled (nothing is written then).
    """
    rows, seen_shards, owner, empty = [], {}, {}, []
    for csv_path in map(Path, csv_paths):
        shard_rows = read_rows(csv_path)
        labels = {r.shard for r in shard_rows}
        if len(labels) > 1:
            raise ValueError(f"{csv_path} mixes shards {sorted(labels)}")
        if not labels:  # a shard no notebook hashed into
            empty.append(csv_path)
            continue
        label = labels.pop()
        if label in seen_shards:
            raise ValueError(f"shard {label} twice: {seen_shards[label]} and {csv_path}")
        seen_shards[label] = csv_path
        for row in shard_rows:
            if owner.setdefault(row.notebook, label) != label:
                raise ValueError(f"{row.notebook} is in shard {owner[row.notebook]} and {label}")
        rows += shard_rows
    counts = {int(label.split("/")[1]) for label in seen_shards}
    if len(counts) > 1:
        raise ValueError(f"shards of different counts: {sorted(seen_shards)}")
    count = counts.pop() if counts else len(empty)
    missing = sorted(set(range(1, count + 1)) - {int(s.split("/")[0]) for s in seen_shards})
    if len(missing) != len(empty):
        named = ", ".join(f"{i}/{count}" for i in missing) or "none"
        if not empty:
            raise ValueError(f"shard(s) {named} missing")
        raise ValueError(f"shard(s) missing: {named}; but {len(empty)} CSV(s) without rows, each "
                         f"standing for one missing shard: {[str(p) for p in empty]}")
    pairs: dict[tuple[str, str], int] = {}
    for row in rows:
        pairs[(row.notebook, row.task)] = pairs.get((row.notebook, row.task), 0) + 1
        if shard_of(row.notebook, count) != int(row.shard.split("/")[0]):
            raise ValueError(f"{row.notebook} belongs to shard {shard_of(row.notebook, count)}"
                             f"/{count}, found in {row.shard}")
    doubled = sorted(pair for pair, n in pairs.items() if n > 1)
    if doubled:
        raise ValueError(f"doubled rows: {doubled[:5]}")
    if paths is not None:
        absent = sorted(str(p) for p in find_notebooks(paths) if str(p) not in owner)
        if absent:
            raise ValueError(f"{len(absent)} notebook(s) have no rows: {absent[:5]}")
    with open(merged_path, "w", newline="") as handle:
        write_header(handle)
        write_rows(handle, sorted(rows, key=lambda r: r.notebook))
    return rows
