"""Pages a lecturer can act on: per submission (or per student folder) each task's points,
message and flags, and an index, in Markdown or HTML. Student-made text (messages quote what
the student's code returned or raised) is escaped."""

from __future__ import annotations

import hashlib
import html
import re
from pathlib import Path

from .rows import Row


def _report_name(notebook: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", notebook.strip("/")).strip("_") or "notebook"


def write_reports(rows: list[Row], folder, fmt: str = "md", by: str = "notebook") -> list[Path]:
    """A page per submission (``by="notebook"``) or per student folder (``by="folder"``: the
    notebooks of one folder, e.g. ``submissions/alice/*.ipynb``, on one page), with each task's
    points, message and flags; and an index page. Returns [index, pages...]."""
    if by not in ("notebook", "folder"):
        raise ValueError(f"report by must be 'notebook' or 'folder', got {by!r}")
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    groups: dict[str, dict[str, list[Row]]] = {}
    for row in rows:
        key = row.notebook if by == "notebook" else str(Path(row.notebook).parent)
        groups.setdefault(key, {}).setdefault(row.notebook, []).append(row)
    written, index, names = [], [], set()
    for key, notebooks in sorted(groups.items()):
        its_rows = [r for nb_rows in notebooks.values() for r in nb_rows]
        got = sum(r.points for r in its_rows)
        total = sum(r.max_points for r in its_rows)
        flagged = sorted({f.split(":")[0] for r in its_rows for f in r.flags})
        name = _report_name(key)
        if name.lower() in names or name.lower() == "index":  # two paths, one file name
            name += "-" + hashlib.sha256(key.encode()).hexdigest()[:8]
        names.add(name.lower())
        page = folder / f"{name}.{fmt}"
        page.write_text(_page(key, notebooks, got, total, fmt))
        written.append(page)
        index.append((key, page.name, got, total, flagged))
    index_page = folder / f"index.{fmt}"
    index_page.write_text(_index(index, fmt))
    return [index_page, *written]


def _md(text: str) -> str:
    """Text for a Markdown table cell: student-made text (messages quote their outputs) can
    neither break the table nor bring HTML or links into the lecturer's viewer."""
    text = html.escape(" ".join(str(text).split()), quote=False)
    for char in "\\|[]`*_":
        text = text.replace(char, "\\" + char)
    return text


def _page(title: str, notebooks: dict[str, list[Row]], got: float, total: float,
          fmt: str) -> str:
    header = ["task", "points", "max", "message", "flags"]
    parts = []
    for notebook, rows in sorted(notebooks.items()):
        first = rows[0]
        facts = (f"points {sum(r.points for r in rows):g} / "
                 f"{sum(r.max_points for r in rows):g}; sandbox {first.sandbox or '?'}; "
                 f"seed {first.seed}; sha256 {first.sha256[:16] or '?'}")
        cells = [[r.task, f"{r.points:g}", f"{r.max_points:g}", r.message, "; ".join(r.flags)]
                 for r in rows]
        parts.append((notebook, facts, cells))
    if fmt == "md":
        lines = [f"# {_md(title)}", "", f"points {got:g} / {total:g}"]
        for notebook, facts, cells in parts:
            lines += ["", f"## {_md(notebook)}", "", facts, "",
                      "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
            lines += ["| " + " | ".join(_md(c) for c in row) + " |" for row in cells]
        return "\n".join(lines) + "\n"
    head = "".join(f"<th>{h}</th>" for h in header)
    sections = "".join(
        f"<h2>{html.escape(notebook)}</h2>\n<p>{html.escape(facts)}</p>\n<table>\n"
        f"<tr>{head}</tr>\n"
        + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>\n"
                  for row in cells) + "</table>\n"
        for notebook, facts, cells in parts)
    return (f"<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title>\n<h1>{html.escape(title)}</h1>\n"
            f"<p>points {got:g} / {total:g}</p>\n{sections}</html>\n")


def _index(entries, fmt: str) -> str:
    if fmt == "md":
        lines = ["# Grades", "", "| submission | points | flags |", "|---|---|---|"]
        lines += [f"| [{_md(nb)}]({name}) | {got:g} / {total:g} | {_md(', '.join(flags))} |"
                  for nb, name, got, total, flags in entries]
        return "\n".join(lines) + "\n"
    rows = "".join(f"<tr><td><a href=\"{html.escape(name)}\">{html.escape(nb)}</a></td>"
                   f"<td>{got:g} / {total:g}</td><td>{html.escape(', '.join(flags))}</td></tr>\n"
                   for nb, name, got, total, flags in entries)
    return ("<!doctype html>\n<html lang=\"en\"><meta charset=\"utf-8\"><title>Grades</title>\n"
            "<h1>Grades</h1>\n<table>\n<tr><th>submission</th><th>points</th><th>flags</th></tr>\n"
            f"{rows}</table>\n</html>\n")
