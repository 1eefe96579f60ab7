"""The static site (tools/build_site.py): every lesson page, in order, readable without a kernel.

The site is built once into a temporary folder. Without a browser: one page per lesson, the course
map lists them in order with their titles, previous/next and Binder links are right, no widget
leftovers. In headless Chromium (Debian's /usr/bin/chromium; those tests are skipped without it):
every page loads with its figures, equations are typeset by MathJax where the notebook has them
(MathJax's CDN path is served from Debian's libjs-mathjax when installed, as the machine has no
internet; otherwise the test checks the TeX source and the MathJax script instead), and every
relative link resolves to a file of the site.

Accessibility: axe-core (the copy bundled in axe-playwright-python) runs on every page after
MathJax; no violation may be serious or critical, nor any landmark rule; the failure lists the rules
with their counts and an example. Without a browser: the site's code colours keep WCAG AA contrast,
figures carry the description stored with them as their ``alt``, and the navigation landmarks are
labelled and outside ``main``.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL_MATHJAX = Path("/usr/share/javascript/mathjax")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"site browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium)")


def _load_builder():
    spec = importlib.util.spec_from_file_location("build_site", REPO / "tools" / "build_site.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_site", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


build_site = _load_builder()
LESSONS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site") / "_site"
    build_site.build(out)
    return out


class _Anchors(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.found.append(dict(attrs))


def anchors(text: str, cls: str) -> list[str]:
    """hrefs of the <a> elements with the class ``cls``."""
    parser = _Anchors()
    parser.feed(text)
    return [a.get("href") for a in parser.found if cls in (a.get("class") or "").split()]


def _has_math(notebook) -> bool:
    """Markdown with $...$ / $$...$$, or a LaTeX output (IPython.display.Math)."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown" and re.search(r"\$[^$]+\$", cell.source):
            return True
        for output in cell.get("outputs", []):
            if "text/latex" in output.get("data", {}):
                return True
    return False


# ------------------------------------------------------------------------------ without a browser


def test_one_page_per_lesson_and_an_index(site):
    names = sorted(p.name for p in site.glob("*.html"))
    assert names == sorted(["index.html", *(p.with_suffix(".html").name for p in LESSONS)])


def test_course_map_lists_lessons_in_order_with_titles_and_summaries(site):
    index = (site / "index.html").read_text(encoding="utf-8")
    positions = [index.find(f'href="{p.with_suffix(".html").name}"') for p in LESSONS]
    assert all(pos > 0 for pos in positions) and positions == sorted(positions)
    for lesson in build_site.find_lessons():
        assert lesson.title and lesson.title != "Untitled", lesson.source
        assert len(lesson.summary) > 20, f"{lesson.source.name}: no summary sentence"
        assert "Lesson" not in lesson.title.split(":")[0], lesson.title
    first = build_site.find_lessons()[0]
    assert first.title in index


def test_title_and_summary_come_from_the_first_markdown_cell():
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_markdown_cell(
        "# Lesson 3 · Activation functions\n\nEvery neuron of a network computes $z = w \\cdot "
        "x + b$. Then\nmore. And more.\n\nSecond paragraph.")]
    title, summary = build_site.title_and_summary(notebook)
    assert title == "Activation functions"
    # whole sentences, at least 60 characters, lines joined
    assert summary == "Every neuron of a network computes $z = w \\cdot x + b$. Then more."


def test_previous_next_and_binder_links(site):
    pages = [p.with_suffix(".html").name for p in LESSONS]
    binder = build_site.binder_base()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for i, (lesson, page) in enumerate(zip(LESSONS, pages, strict=True)):
        text = (site / page).read_text(encoding="utf-8")
        assert anchors(text, "mlp-prev") == ([pages[i - 1]] * 2 if i > 0 else []), page
        assert anchors(text, "mlp-next") == ([pages[i + 1]] * 2 if i + 1 < len(pages) else []), \
            page
        assert anchors(text, "mlp-home") == ["index.html"] * 2, page
        launch = f"{binder}?urlpath=lab/tree/notebooks/{lesson.name}"
        binder_links = anchors(text, "mlp-binder")
        assert binder_links[0] == binder_links[-1] == launch, page
        if f"urlpath=lab/tree/notebooks/{lesson.name}" in readme:
            assert launch in readme, "the site's Binder link differs from README.md's"


def test_no_widget_leftovers(site):
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Loading widget" not in text, page.name
        assert "application/vnd.jupyter.widget" not in text, page.name
        assert "VBox(children=" not in text, page.name


def test_widget_outputs_become_a_binder_note_or_their_fallback():
    notebook = nbformat.v4.new_notebook()
    view = {"application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2,
                                                         "version_minor": 0},
            "text/plain": "VBox(children=...)"}
    quiz = dict(view, **{"text/markdown": "**Q1.** Why?"})
    notebook.cells = [
        nbformat.v4.new_code_cell("interactive_plot(draw, a=slider(1, 0, 2))", execution_count=1,
                                  outputs=[nbformat.v4.new_output("execute_result", data=view,
                                                                  execution_count=1)]),
        nbformat.v4.new_code_cell("q1", execution_count=2, outputs=[
            nbformat.v4.new_output("display_data", data=quiz)]),
        nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nplayground()", execution_count=3),
        nbformat.v4.new_code_cell("x = 1", execution_count=4),
    ]
    notebook.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {}}
    static = build_site.static_notebook(notebook, "https://binder/x")
    assert "widgets" not in static.metadata
    assert "launch on Binder" in static.cells[0].outputs[0]["data"]["text/html"]
    assert dict(static.cells[1].outputs[0]["data"]) == {"text/markdown": "**Q1.** Why?"}
    assert "https://binder/x" in static.cells[2].outputs[0]["data"]["text/html"]
    assert static.cells[3].outputs == []


def test_links_to_repository_files_leave_the_site(site):
    """Lesson-to-lesson links stay in the site; exercises open on Binder, other files on GitHub."""
    binder = build_site.binder_base()
    pages = {"notebooks/02_b.ipynb": "02_b.html"}
    page = ('<a href="02_b.ipynb#Part-1">x</a><a href="../exercises/01_a.ipynb">e</a>'
            '<a href="../README.md">r</a><a href="#top">t</a><a href="index.html">i</a>'
            '<a href="https://example.org/a.ipynb">w</a>')
    out = build_site.rewrite_links(page, pages, binder, site, REPO / "notebooks")
    assert 'href="02_b.html#Part-1"' in out
    assert f'href="{binder}?urlpath=lab/tree/exercises/01_a.ipynb"' in out
    assert 'href="https://github.com/' in out and "/README.md" in out
    assert 'href="#top"' in out and 'href="index.html"' in out
    assert 'href="https://example.org/a.ipynb"' in out


def _contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two sRGB colours '#rrggbb': (L1 + 0.05) / (L2 + 0.05)."""
    def luminance(color: str) -> float:
        channels = [int(color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_wcag_examples():
    assert _contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert _contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # WCAG's near miss
    assert _contrast("#408080", "#f5f5f5") < 4.5  # JupyterLab's comment colour: axe flagged it


def test_code_colours_have_wcag_aa_contrast(site):
    """Every token colour the site sets reads at 4.5:1 or more on the code background."""
    low = {name: round(_contrast(color, build_site.CODE_BACKGROUND), 2)
           for name, color in build_site.TOKEN_COLORS.items()
           if _contrast(color, build_site.CODE_BACKGROUND) < 4.5}
    assert not low, f"token colours below 4.5:1 on {build_site.CODE_BACKGROUND}: {low}"
    page = (site / LESSONS[0].with_suffix(".html").name).read_text(encoding="utf-8")
    # the site's values are the last ones set, so they win over JupyterLab's theme
    for name, color in build_site.TOKEN_COLORS.items():
        values = re.findall(rf"--jp-mirror-editor-{name}-color:\s*([^;]+);", page)
        assert values and values[-1].strip() == color, (name, values)


def test_navigation_landmarks_are_labelled_and_outside_main(site):
    for page in site.glob("*.html"):
        text = page.read_text(encoding="utf-8")
        navs = re.findall(r"<nav\b[^>]*>", text)
        labels = [re.search(r'aria-label="([^"]+)"', nav) for nav in navs]
        assert navs and all(labels), f"{page.name}: a <nav> without aria-label"
        names = [label.group(1) for label in labels]
        assert len(set(names)) == len(names), f"{page.name}: two <nav> share a label {names}"
        assert text.count("<main") == 1, f"{page.name}: not exactly one <main>"
        main = text[text.index("<main"):text.index("</main>")]
        assert "<nav" not in main, f"{page.name}: a navigation bar inside <main>"


def test_figure_alt_comes_from_the_output_metadata(tmp_path):
    """IPython's convention (Image(alt=...), metadata['image/png']['alt']) becomes the img's alt."""
    import base64

    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell("f()", execution_count=1, outputs=[
        nbformat.v4.new_output("display_data", data={"image/png": png},
                               metadata={"image/png": {"alt": 'Loss "L" falls <fast>'}}),
        nbformat.v4.new_output("display_data", data={"image/png": png})])]
    body, _ = build_site.exporter(build_site.MATHJAX_URL).from_notebook_node(
        notebook, resources={"metadata": {"name": "t"}, "mlp_css": build_site.CSS,
                             "mlp_nav_top": "", "mlp_nav_bottom": ""})
    alts = [dict(attrs).get("alt") for tag, attrs in _tags(body) if tag == "img"]
    assert alts == ['Loss "L" falls <fast>', "No description has been provided for this image"]


def _tags(text: str) -> list[tuple[str, list]]:
    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, attrs))

    Parser().feed(text)
    return found


def test_every_figure_of_the_site_has_a_description(site):
    """No figure keeps nbconvert's placeholder: each says what it shows (made with the figure)."""
    missing = {}
    for page in sorted(site.glob("*.html")):
        alts = [dict(attrs).get("alt") or "" for tag, attrs in
                _tags(page.read_text(encoding="utf-8")) if tag == "img"]
        bad = [alt for alt in alts if len(alt.strip()) < 20 or alt.startswith("No description")]
        if bad:
            missing[page.name] = f"{len(bad)} of {len(alts)}"
    assert not missing, f"figures without a description (page: count): {missing}"


# ------------------------------------------------------------------------------ in Chromium

PAGE_FACTS = """() => {
  const imgs = [...document.querySelectorAll('img')].map((i) => ({
    src: (i.getAttribute('src') || '').slice(0, 40), complete: i.complete,
    width: i.naturalWidth}));
  const hrefs = [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'));
  const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
  const math = document.querySelectorAll('.MathJax_CHTML, .MathJax, mjx-container').length;
  const mathErrors = document.querySelectorAll('.mjx-merror, .MathJax_Error').length;
  const markdown = [...document.querySelectorAll('.jp-RenderedMarkdown')]
    .map((n) => n.innerText).join('\\n');
  return {imgs, hrefs, ids, math, mathErrors, markdown, title: document.title,
          mathjaxScript: [...document.scripts].some((s) => /MathJax/.test(s.src))};
}"""


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _route_offline(page) -> None:
    """Serve MathJax's CDN path from the local copy; refuse every other network request."""
    prefix = build_site.MATHJAX_URL.split("MathJax.js")[0]

    def handle(route):
        url = route.request.url
        if url.startswith(prefix) and LOCAL_MATHJAX.is_dir():
            rel = urllib.parse.urlparse(url[len(prefix):]).path
            local = (LOCAL_MATHJAX / rel).resolve()
            if local.is_file() and local.is_relative_to(LOCAL_MATHJAX.resolve()):
                ctype = "application/javascript" if local.suffix == ".js" else None
                route.fulfill(path=str(local), content_type=ctype)
                return
        route.abort()

    page.route(re.compile(r"^https?://"), handle)


PAGES = ["index", *(p.stem for p in LESSONS)]


def _source_notebook(name: str):
    if name == "index":  # the course map page is built from a notebook too
        return build_site.index_notebook(build_site.find_lessons(), build_site.binder_base())
    return nbformat.read(REPO / "notebooks" / f"{name}.ipynb", as_version=4)


def _open_page(browser, site: Path, name: str, notebook):
    """A new tab with the page loaded, offline, and its equations typeset (the caller closes it)."""
    page = browser.new_page()
    try:
        _route_offline(page)
        page.goto((site / f"{name}.html").as_uri(), wait_until="load")
        if _has_math(notebook) and LOCAL_MATHJAX.is_dir():
            # MathJax 2 signals the end of typesetting through its message queue
            page.wait_for_function(
                "() => window.MathJax && MathJax.Hub && MathJax.Hub.queue && "
                "MathJax.Hub.queue.pending === 0 && MathJax.Hub.queue.running === 0 && "
                "document.querySelectorAll('.MathJax_CHTML').length > 0", timeout=60_000)
    except Exception:
        page.close()
        raise
    return page


# axe-core's impact levels that fail the test; a moderate rule fails it too when it is about the
# page's landmarks (the duplicate navigation landmark axe-core reported on every page)
FAILING_IMPACTS = ("serious", "critical")


def axe_problems(page) -> list[str]:
    """Run axe-core on the loaded page; one line per failing rule: id, impact, count, an example."""
    from axe_playwright_python.sync_playwright import Axe

    violations = Axe().run(page).response["violations"]
    problems = []
    for rule in sorted(violations, key=lambda v: -len(v["nodes"])):
        if rule["impact"] in FAILING_IMPACTS or rule["id"].startswith(("landmark-", "region")):
            node = rule["nodes"][0]
            why = next((c["message"] for c in node.get("any", []) + node.get("all", [])
                        + node.get("none", [])), rule["help"])
            problems.append(f"{rule['id']} ({rule['impact']}): {len(rule['nodes'])} elements, "
                            f"e.g. {node['html'][:100]!r}: {why[:160]}")
    return problems


@needs_chromium
@pytest.mark.parametrize("name", PAGES)
def test_page_in_chromium(site, browser, name):
    """Figures, equations and links work, and axe-core finds nothing serious on the page."""
    notebook = _source_notebook(name)
    page = _open_page(browser, site, name, notebook)
    try:
        facts = page.evaluate(PAGE_FACTS)
        accessibility = axe_problems(page)
    finally:
        page.close()

    assert facts["title"], f"{name}: no <title>"
    # figures: every image decoded (data: URIs from the stored outputs)
    figures = [0 for c in notebook.cells for o in c.get("outputs", [])
               if "image/png" in o.get("data", {})]
    assert len(facts["imgs"]) >= len(figures), f"{name}: fewer <img> than stored figures"
    for img in facts["imgs"]:
        assert img["src"] and img["complete"] and img["width"] > 0, f"{name}: broken image {img}"
    # equations
    if _has_math(notebook):
        assert facts["mathjaxScript"], f"{name}: has equations but loads no MathJax"
        if LOCAL_MATHJAX.is_dir():
            assert facts["math"] > 0, f"{name}: MathJax typeset nothing"
            assert facts["mathErrors"] == 0, f"{name}: MathJax reports TeX errors"
            assert "$$" not in facts["markdown"], f"{name}: untypeset $$ left in the text"
        else:
            assert "$" in facts["markdown"], f"{name}: the TeX source of the equations is missing"
    # links: every relative href is a file of the site, every #anchor an element of its page
    ids = set(facts["ids"])
    for href in facts["hrefs"]:
        if re.match(r"^[a-z][a-z0-9+.\-]*:", href, flags=re.IGNORECASE) or href.startswith("//"):
            continue
        path, _, fragment = href.partition("#")
        if path:
            target = (site / urllib.parse.unquote(path.split("?")[0])).resolve()
            assert target.is_file() and target.is_relative_to(site.resolve()), \
                f"{name}: broken link {href!r}"
        elif fragment:
            # browsers try the fragment as written, then percent-decoded (nbconvert's heading
            # ids keep the percent-encoding of characters such as \\ and ·)
            assert fragment in ids or urllib.parse.unquote(fragment) in ids, \
                f"{name}: broken anchor {href!r}"
    # accessibility (axe-core after MathJax, so the typeset equations are checked too)
    assert not accessibility, (f"{name}.html, axe-core rules violated:\n  "
                               + "\n  ".join(accessibility))
