"""Build the course as a static website (``make site``; default output ``_site/``).

The pages come from the committed notebooks as they are (their outputs are the ones nbval checks
in CI); nothing is re-executed. One HTML page per lesson (``notebooks/NN_*.ipynb``, in order), an
index page with the course map (title and one-line summary from each lesson's first Markdown cell),
previous/next links and a "launch on Binder" link on every page.

Widgets need a kernel, so their views are dropped: a widget output with a static fallback (the
quizzes' Markdown) shows that fallback, any other widget output becomes one line pointing to Binder;
the plot next to it, the "static twin" every lesson has, shows the default values (a widget
cell stored without output, as tools/clean_notebooks.py leaves them, gets that line too). The saved
widget state is dropped too, so no page loads the widget manager or says "Loading widget...".

Links between lessons (``02_forward_pass.ipynb``) point to the pages; links to other files of the
repository (the exercises) open them on Binder (notebooks) or GitHub (anything else).

Accessibility (checked with axe-core in tests/test_site.py): a figure's ``alt`` is the description
stored with it (``metadata["image/png"]["alt"]``, IPython's convention, written where the figure is
made); the code highlighting uses colours with WCAG AA contrast (4.5:1) on the code background
(JupyterLab's own token colours fall below it); links inside text are underlined; the page has one
``main`` landmark and the two navigation bars, outside it, are ``nav`` landmarks with their own
labels.

Usage: ``python tools/build_site.py [--out DIR] [--mathjax-url URL]``
"""

from __future__ import annotations

import argparse
import copy
import html
import posixpath
import re
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# a cell that builds widgets (stored without its view: tools/clean_notebooks.py drops them)
WIDGET_CALL = re.compile(r"\binteractive_plot\(|\bplayground\(|\bwidgets\.\w+\(|\binteract\(")
# MathJax 2 straight from cdnjs (nbconvert's default goes through latest.js, which asks the CDN
# for the newest 2.x first); the browser test serves the same path from a local copy
MATHJAX_URL = ("https://cdnjs.cloudflare.com/ajax/libs/mathjax/2.7.7/MathJax.js"
               "?config=TeX-AMS_CHTML-full,Safe")
SUMMARY_CHARS = 60
# README.md's Binder links; used when README.md has none
DEFAULT_BINDER = "https://mybinder.org/v2/gh/mlpcourse/mlpcourse/HEAD"

# JupyterLab's light-theme token colours that fall below WCAG AA contrast (4.5:1 for normal text)
# on the code cells' background, darkened (same hue) to pass it; tests/test_site.py checks the ratio
CODE_BACKGROUND = "#f5f5f5"  # --jp-cell-editor-background (--md-grey-100)
TOKEN_COLORS = {
    "atom": "#5c5cd6",       # was #88f (2.8:1)
    "bracket": "#6b6b4b",    # was #997 (2.7:1)
    "comment": "#367676",    # was #408080 (4.2:1)
    "error": "#d40000",      # was #f00 (3.7:1)
    "hr": "#6b6b6b",         # was #999 (2.6:1)
    "meta": "#9417e0",       # was #a2f (4.4:1)
    "number": "#007a00",     # was #080 (4.3:1): every number in the code
    "operator": "#9417e0",   # was #a2f (4.4:1): `in`, `and`, `not`, `is`
    "quote": "#007a00",      # was #090 (3.5:1)
}

CSS = """
.mlp-nav { display: flex; flex-wrap: wrap; gap: 0.4em 1.5em; align-items: baseline;
  padding: 0.6em 1em; margin: 0 0 1em 0; border-bottom: 1px solid #ddd;
  font-family: var(--jp-ui-font-family, sans-serif); font-size: 14px; }
.mlp-nav.mlp-bottom { border-bottom: none; border-top: 1px solid #ddd; margin: 2em 0 0 0; }
.mlp-nav .mlp-spacer { flex: 1; }
.mlp-nav a { text-decoration: none; }
.mlp-binder { font-weight: bold; }
.mlp-widget-note { font-style: italic; color: #555; padding: 0.3em 0; }
.mlp-map td, .mlp-map th { vertical-align: top; text-align: left; }
.jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited { text-decoration: underline; }
:root {
""" + "".join(f"  --jp-mirror-editor-{name}-color: {color};\n"
              for name, color in TOKEN_COLORS.items()) + "}\n"

# the site's CSS after the theme's (its token colours win); the navigation bars outside <main>;
# a figure's alt from its output metadata (nbconvert's lab template leaves alt out, and nbconvert
# then writes "No description has been provided for this image")
TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{% block html_head_css %}<style type="text/css">{{ resources.mlp_css }}</style>{% endblock %}
{%- block body_header -%}
{{ super() | replace('<main>', resources.mlp_nav_top ~ '\\n<main>') }}
{%- endblock body_header -%}
{% block body_footer %}
{{ super() | replace('</main>', '</main>\\n' ~ resources.mlp_nav_bottom) }}
{% endblock body_footer %}
{% macro with_alt(html, output, mime) -%}
{%- set alt = output | get_metadata('alt', mime) -%}
{%- if alt -%}{{ html | replace('<img ', '<img alt="' ~ (alt | escape_html) ~ '" ', 1) }}
{%- else -%}{{ html }}{%- endif -%}
{%- endmacro %}
{% block data_png scoped %}{{ with_alt(super(), output, 'image/png') }}{% endblock data_png %}
{% block data_jpg scoped %}{{ with_alt(super(), output, 'image/jpeg') }}{% endblock data_jpg %}
"""


@dataclass
class Lesson:
    """One lesson page: source notebook, output file name, title and one-line summary."""

    source: Path
    page: str
    number: int
    title: str
    summary: str


def binder_base(readme: Path = REPO / "README.md") -> str:
    """The Binder launch URL up to the ref, as README.md's links use it (its launch pattern)."""
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    found = re.search(r"(https://mybinder\.org/v2/[^\s?)\"']+)\?urlpath=lab/tree/", text)
    return found.group(1) if found else DEFAULT_BINDER


def binder_link(path: str, base: str) -> str:
    """Binder URL that opens the repository file ``path`` (e.g. notebooks/01_x.ipynb) in Lab."""
    return f"{base}?urlpath=lab/tree/{path}"


def github_link(path: str, base: str) -> str:
    """GitHub URL of a repository file, derived from the Binder URL (gh/<owner>/<repo>/<ref>)."""
    found = re.match(r"https://mybinder\.org/v2/gh/([^/]+)/([^/]+)/(.+)$", base)
    if not found:
        return binder_link(path, base)
    owner, repo, ref = found.groups()
    return f"https://github.com/{owner}/{repo}/blob/{ref}/{path}"


def title_and_summary(notebook) -> tuple[str, str]:
    """Title (first heading, without "Lesson N:") and first sentence of the first paragraph."""
    first = next((c.source for c in notebook.cells if c.cell_type == "markdown"), "")
    lines = first.splitlines()
    heading = next((line for line in lines if line.startswith("#")), "")
    title = re.sub(r"^#+\s*", "", heading).strip()
    title = re.sub(r"^Lesson\s+\d+\s*[:·.\-–—]\s*", "", title).strip() or "Untitled"
    paragraphs, current = [], []
    for line in lines:
        if line.startswith("#"):
            continue
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    text = paragraphs[0] if paragraphs else ""
    # whole sentences (ends: ". " before a capital letter, not inside $...$ math) until the
    # summary says something: at least SUMMARY_CHARS characters
    masked = re.sub(r"\$[^$]*\$", lambda m: "x" * len(m.group()), text)
    ends = [m.end() for m in re.finditer(r"[.!?](?=\s+[A-Z(])", masked)] + [len(text)]
    end = next(e for e in ends if e >= SUMMARY_CHARS or e == len(text))
    return title, text[:end].strip()


def find_lessons(repo: Path = REPO) -> list[Lesson]:
    """Lessons in course order (notebooks/NN_*.ipynb)."""
    lessons = []
    for path in sorted((repo / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        notebook = nbformat.read(path, as_version=4)
        title, summary = title_and_summary(notebook)
        lessons.append(Lesson(source=path, page=path.with_suffix(".html").name,
                              number=int(path.name[:2]), title=title, summary=summary))
    return lessons


def static_notebook(notebook, binder_url: str):
    """A copy without widget views and widget state: fallbacks kept, a Binder note otherwise."""
    notebook = copy.deepcopy(notebook)
    notebook.metadata.pop("widgets", None)
    note = (f'<div class="mlp-widget-note">Interactive controls appear here when the notebook '
            f'runs: <a class="mlp-binder" href="{html.escape(binder_url)}">launch on Binder</a>. '
            f'The static plot beside this cell shows the default values.</div>')
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        outputs, noted = [], False
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if WIDGET_VIEW not in data:
                outputs.append(output)
                continue
            rich = {k: v for k, v in data.items() if k not in (WIDGET_VIEW, "text/plain")}
            if rich:
                output["data"] = rich
                outputs.append(output)
            elif not noted:
                outputs.append(nbformat.v4.new_output(
                    "display_data", data={"text/html": note}, metadata={}))
                noted = True
        code = "\n".join(line for line in cell.source.splitlines()
                         if not line.lstrip().startswith("#"))
        if not outputs and cell.get("execution_count") and WIDGET_CALL.search(code):
            outputs.append(nbformat.v4.new_output("display_data", data={"text/html": note},
                                                  metadata={}))
        cell["outputs"] = outputs
    return notebook


def rewrite_links(page: str, pages: dict[str, str], binder: str, out: Path,
                  source_dir: Path) -> str:
    """Point relative links of a lesson page at pages of the site, Binder or GitHub.

    ``pages`` maps repository paths (notebooks/01_x.ipynb) to page names; relative images that
    live beside the notebooks are copied into ``out``.
    """
    folder = source_dir.relative_to(REPO).as_posix()
    site_pages = {"index.html", *pages.values()}

    def target(url: str, kind: str) -> str:
        if re.match(r"^([a-z][a-z0-9+.\-]*:|#|//)", url, flags=re.IGNORECASE) or not url:
            return url
        path, _, fragment = url.partition("#")
        path = path.split("?")[0]
        if path in site_pages:  # the navigation bar's own links
            return url
        repo_path = posixpath.normpath(posixpath.join(folder, path))
        if repo_path in pages:
            return pages[repo_path] + (f"#{fragment}" if fragment else "")
        if kind == "src" and repo_path.startswith(folder + "/") and (REPO / repo_path).is_file():
            destination = out / posixpath.relpath(repo_path, folder)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / repo_path, destination)
            return posixpath.relpath(repo_path, folder)
        if repo_path.endswith(".ipynb"):
            return binder_link(repo_path, binder)
        return github_link(repo_path, binder).replace("/blob/", "/raw/") if kind == "src" \
            else github_link(repo_path, binder)

    def replace(match: re.Match) -> str:
        kind, quote, url = match.group(1), match.group(2), html.unescape(match.group(3))
        return f"{kind}={quote}{html.escape(target(url, kind), quote=True)}{quote}"

    return re.sub(r"\b(href|src)=([\"'])(.*?)\2", replace, page)


def nav(lessons: list[Lesson], index: int | None, binder: str, bottom: bool = False) -> str:
    """Navigation bar: course map, previous/next lesson, launch on Binder."""
    parts = ['<a class="mlp-home" href="index.html">Course map</a>']
    if index is not None:
        if index > 0:
            prev = lessons[index - 1]
            parts.append(f'<a class="mlp-prev" rel="prev" href="{prev.page}">&larr; '
                         f'{prev.number}. {html.escape(prev.title)}</a>')
        if index + 1 < len(lessons):
            nxt = lessons[index + 1]
            parts.append(f'<a class="mlp-next" rel="next" href="{nxt.page}">'
                         f'{nxt.number}. {html.escape(nxt.title)} &rarr;</a>')
        path = lessons[index].source.relative_to(REPO).as_posix()
        parts.append('<span class="mlp-spacer"></span>')
        parts.append(f'<a class="mlp-binder" href="{html.escape(binder_link(path, binder))}">'
                     'Launch on Binder</a>')
    cls = "mlp-nav mlp-bottom" if bottom else "mlp-nav"
    # two navigation landmarks on a page: each needs its own name (axe-core: landmark-unique)
    label = "Course navigation, end of page" if bottom else "Course navigation"
    return f'<nav class="{cls}" aria-label="{label}">' + "\n".join(parts) + "</nav>"


def exporter(mathjax_url: str):
    """nbconvert's JupyterLab HTML exporter with the site's navigation blocks."""
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter

    export = HTMLExporter(template_name="lab",
                          extra_loaders=[DictLoader({"mlp_site.html.j2": TEMPLATE})])
    export.template_file = "mlp_site.html.j2"
    export.mathjax_url = mathjax_url
    export.exclude_input_prompt = True
    export.exclude_output_prompt = True
    return export


def index_notebook(lessons: list[Lesson], binder: str):
    """The course map as a one-cell notebook (same look and MathJax as the lessons)."""
    rows = [f"| {lesson.number} | [{lesson.title}]({lesson.page}) | {lesson.summary} | "
            f"[Binder]({binder_link(lesson.source.relative_to(REPO).as_posix(), binder)}) |"
            for lesson in lessons]
    text = "\n".join([
        "# mlpcourse: feed-forward neural networks and backpropagation", "",
        "A Jupyter-first course on multi-layer perceptrons and backpropagation. These pages show "
        "the lessons with their checked outputs; the sliders work when a notebook runs "
        "(locally with `make lab`, or on Binder).", "",
        "## Course map", "",
        "| # | Lesson | What it is about | Launch |",
        "|---|--------|------------------|--------|",
        *rows])
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell(text)]
    notebook.metadata["title"] = "mlpcourse: course map"
    return notebook


def build(out: Path, mathjax_url: str = MATHJAX_URL, repo: Path = REPO) -> list[Path]:
    """Write the site into ``out`` (emptied first); return the pages written, index first."""
    lessons = find_lessons(repo)
    if not lessons:
        raise SystemExit(f"no lessons found in {repo / 'notebooks'}")
    binder = binder_base(repo / "README.md")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    export = exporter(mathjax_url)
    pages = {lesson.source.relative_to(repo).as_posix(): lesson.page for lesson in lessons}
    written = []

    body, _ = export.from_notebook_node(index_notebook(lessons, binder), resources={
        "metadata": {"name": "mlpcourse"}, "mlp_css": CSS,
        "mlp_nav_top": nav(lessons, None, binder), "mlp_nav_bottom": ""})
    (out / "index.html").write_text(body, encoding="utf-8")
    written.append(out / "index.html")

    for i, lesson in enumerate(lessons):
        path = lesson.source.relative_to(repo).as_posix()
        notebook = static_notebook(nbformat.read(lesson.source, as_version=4),
                                   binder_link(path, binder))
        body, _ = export.from_notebook_node(notebook, resources={
            "metadata": {"name": f"{lesson.number}. {lesson.title} - mlpcourse"},
            "mlp_css": CSS, "mlp_nav_top": nav(lessons, i, binder),
            "mlp_nav_bottom": nav(lessons, i, binder, bottom=True)})
        body = rewrite_links(body, pages, binder, out, lesson.source.parent)
        (out / lesson.page).write_text(body, encoding="utf-8")
        written.append(out / lesson.page)
    (out / ".nojekyll").write_text("")  # GitHub Pages: serve the files as they are
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "_site",
                        help="output folder (emptied first; default: _site/)")
    parser.add_argument("--mathjax-url", default=MATHJAX_URL,
                        help="MathJax 2 script URL (default: cdnjs)")
    args = parser.parse_args(argv)
    written = build(args.out.resolve(), mathjax_url=args.mathjax_url)
    print(f"{len(written)} pages in {args.out}: " + ", ".join(p.name for p in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
