"""The course as students see it: every notebook run in JupyterLab in a real (headless) browser.

One JupyterLab server serves a temporary copy of the course for the whole session (fresh free
port, random token, its own HOME and Jupyter config/data/runtime folders, so nothing touches the
user's Jupyter settings). Headless Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright)
opens each lesson (``notebooks/*.ipynb``) and each solution (``solutions/*.ipynb``, whatever exists
when the session starts), runs all cells, and checks what a student would see:

- every code cell ran and none shows an error (nor a traceback inside a widget's output area);
- no widget is left at "Loading widget..." or shows "Error displaying widget";
- every slider renders (a visible track with a handle and a readout);
- every ``interactive_plot`` redraws: moving each of its sliders changes the plot image;
- every slider has a text label and every button a text (what it does, said in words).

One more test works a lesson's slider from the keyboard alone, as a student who does not use a
mouse would: Tab reaches the slider's handle, ArrowRight moves it, and the plot changes.

Screenshots of every notebook after its run go to ``tests/browser/screenshots/<folder>/<name>/``
(git-ignored; the path is printed, and named in every failure message). Every kernel and the server
are shut down at the end, also when a test fails. Without ``/usr/bin/chromium`` the module is
skipped (``.ci/run`` installs it from Debian's packages).
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
COURSE_FOLDERS = ("notebooks", "solutions")
RUN_TIMEOUT_S = 240        # one notebook, all cells (lesson 6 trains: 15-60 s by machine load)
REDRAW_TIMEOUT_S = 60      # one slider move -> a new plot image
WIDGET_TEXT_PROBLEMS = ("Loading widget", "Error displaying widget")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"browser tests need Debian's Chromium at {CHROMIUM} "
           "(apt-get install chromium; .ci/run installs it)")


def course_notebooks() -> list[str]:
    """Lesson and solution notebooks that exist now, as paths relative to the repository."""
    found = []
    for folder in COURSE_FOLDERS:
        found += sorted(p.relative_to(REPO).as_posix() for p in (REPO / folder).glob("*.ipynb"))
    return found


# ---------------------------------------------------------------------------------------------
# the JupyterLab server


@dataclass
class Lab:
    url: str
    token: str
    root: Path
    log: Path

    def api(self, method: str, path: str, timeout: float = 10.0):
        """Call the server's REST API; return the decoded JSON body (or None)."""
        request = urllib.request.Request(f"{self.url}{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, lines: int = 40) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _write_lab_settings(config_dir: Path) -> None:
    """User settings of the throw-away JupyterLab: every cell in the DOM, no autosave, no news."""
    settings = config_dir / "lab" / "user-settings" / "@jupyterlab"
    files = {
        "notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        "docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
        "apputils-extension/notification.jupyterlab-settings": {
            "fetchNews": "false", "checkForUpdates": False, "doNotDisturbMode": True},
    }
    for name, values in files.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


def _copy_course(target: Path) -> None:
    """The notebooks and what they read, so the server (and any autosave) never touches the repo."""
    for folder in COURSE_FOLDERS:
        source = REPO / folder
        if source.is_dir():
            shutil.copytree(source, target / folder,
                            ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        else:
            (target / folder).mkdir()


def _stop(process: subprocess.Popen, lab: Lab | None) -> None:
    """Shut down every kernel, then the server; kill the server's process group if it lingers."""
    if lab is not None and process.poll() is None:
        try:
            for kernel in lab.api("GET", "/api/kernels") or []:
                lab.api("DELETE", f"/api/kernels/{kernel['id']}", timeout=30)
        except (OSError, urllib.error.URLError):
            pass
        try:
            lab.api("POST", "/api/shutdown")
        except (OSError, urllib.error.URLError):
            pass
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture(scope="session")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a temporary copy of the course."""
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "course"
    _copy_course(root)
    dirs = {name: base / name for name in ("home", "config", "data", "runtime", "ipython", "mpl")}
    for path in dirs.values():
        path.mkdir()
    _write_lab_settings(dirs["config"])
    env = dict(os.environ, HOME=str(dirs["home"]), JUPYTER_CONFIG_DIR=str(dirs["config"]),
               JUPYTER_DATA_DIR=str(dirs["data"]), JUPYTER_RUNTIME_DIR=str(dirs["runtime"]),
               IPYTHONDIR=str(dirs["ipython"]), MPLCONFIGDIR=str(dirs["mpl"]),
               JUPYTER_PLATFORM_DIRS="1", PYDEVD_DISABLE_FILE_VALIDATION="1")
    env.pop("MPLBACKEND", None)
    # matplotlib builds its font cache on first import and says so on stderr: do it now, not in
    # the first lesson's kernel
    subprocess.run([sys.executable, "-c", "import matplotlib.pyplot"], env=env | {
        "MPLBACKEND": "Agg"}, check=True, capture_output=True, timeout=120)
    port, token = _free_port(), secrets.token_hex(24)
    log = base / "jupyterlab.log"
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--port-retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.open_browser=False", "--ServerApp.terminals_enabled=False"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # CI containers run as root
        command.append("--allow-root")
    with open(log, "w") as log_file:
        process = subprocess.Popen(command, env=env, cwd=root, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = Lab(url=f"http://127.0.0.1:{port}", token=token, root=root, log=log)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                pytest.fail(f"jupyter lab exited with {process.returncode}:\n{server.log_tail()}")
            try:
                server.api("GET", "/api/status", timeout=2)
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    pytest.fail(f"jupyter lab did not answer within 90 s:\n{server.log_tail()}")
                time.sleep(0.3)
        yield server
    finally:
        _stop(process, server)


@pytest.fixture(scope="session")
def page(lab):
    """One Chromium tab with JupyterLab loaded, shared by the notebooks (they run in sequence)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1280, "height": 1100})
            tab.set_default_timeout(60_000)
            tab.goto(f"{lab.url}/lab?reset&token={lab.token}")
            tab.wait_for_function("() => window.jupyterapp !== undefined", timeout=90_000)
            # the file browser closed: the notebook gets the width of the screenshots
            tab.evaluate("async () => { await window.jupyterapp.restored;"
                         " window.jupyterapp.shell.collapseLeft(); }")
            yield tab
        finally:
            browser.close()


@pytest.fixture(scope="session")
def screenshot_root():
    print(f"\nbrowser screenshots: {SCREENSHOTS}")
    return SCREENSHOTS


# ---------------------------------------------------------------------------------------------
# JavaScript run inside JupyterLab (window.jupyterapp, exposed by --LabApp.expose_app_in_browser)

OPEN = """async (path) => {
  const app = window.jupyterapp;
  const panel = await app.commands.execute('docmanager:open', {path, factory: 'Notebook'});
  await panel.context.ready;
  await panel.sessionContext.ready;
  app.shell.activateById(panel.id);
  window.__mlp = {panel, done: false, result: null};
  return panel.id;
}"""

KERNEL_READY = """() => {
  const kernel = window.__mlp.panel.sessionContext.session?.kernel;
  return kernel !== undefined && kernel !== null && kernel.status === 'idle';
}"""

RUN_ALL = """() => {
  const app = window.jupyterapp;
  window.__mlp.done = false;
  app.commands.execute('notebook:run-all-cells').then(
    (ok) => { window.__mlp.result = ok; window.__mlp.done = true; },
    (err) => { window.__mlp.result = String(err); window.__mlp.done = true; });
}"""

FINISHED = """() => {
  const m = window.__mlp;
  if (!m.done) return false;
  const kernel = m.panel.sessionContext.session?.kernel;
  if (!kernel || kernel.status !== 'idle') return false;
  const busy = [...m.panel.content.node.querySelectorAll('.jp-InputPrompt')]
    .some((p) => p.textContent.includes('*'));
  return !busy;
}"""

# per code cell: index, whether it ran, its error outputs, whether it shows a widget view
CELLS = """() => {
  const nb = window.__mlp.panel.content;
  return nb.widgets.map((cell, index) => {
    const model = cell.model;
    if (model.type !== 'code') return null;
    const outputs = model.outputs.toJSON();
    return {
      index,
      source: model.sharedModel.getSource(),
      count: model.executionCount,
      errors: outputs.filter((o) => o.output_type === 'error')
                     .map((o) => `${o.ename}: ${o.evalue}`),
      widgets: outputs.filter((o) => o.data && o.data['application/vnd.jupyter.widget-view+json'])
                      .length,
    };
  }).filter((c) => c !== null);
}"""

NOTEBOOK_TEXT = "() => window.__mlp.panel.content.node.textContent"

# tracebacks shown inside widgets' Output areas (an interactive_plot's draw() that raised)
WIDGET_TRACEBACKS = """() => [...window.__mlp.panel.content.node.querySelectorAll(
    '.widget-output [data-mime-type="application/vnd.jupyter.stderr"]')]
  .map((n) => n.textContent).filter((t) => /Traceback|Error/.test(t))
  .map((t) => t.slice(0, 600))"""

SLIDERS = """() => [...window.__mlp.panel.content.node.querySelectorAll('.widget-slider')]
  .map((s) => {
    const box = s.getBoundingClientRect();
    const handle = s.querySelector('.noUi-handle');
    const hbox = handle ? handle.getBoundingClientRect() : null;
    const readout = s.querySelector('.widget-readout');
    const label = s.querySelector('.widget-label');
    return {
      label: label ? label.textContent : '',
      width: box.width, height: box.height,
      handle: hbox ? hbox.width * hbox.height : 0,
      readout: readout ? readout.textContent.trim() : null,
    };
  })"""

# every button of the notebook's widgets: its text, or the name a screen reader would read
BUTTONS = """() => [...window.__mlp.panel.content.node.querySelectorAll('button.jupyter-button')]
  .map((b) => (b.textContent.trim() || b.getAttribute('aria-label') || b.title || '').trim())"""

# widget outputs of one cell that did render (a .jupyter-widgets element inside the output area)
RENDERED_WIDGETS = """(index) => {
  const cell = window.__mlp.panel.content.widgets[index];
  return cell.node.querySelectorAll('.jp-OutputArea-output > .jupyter-widgets, '
    + '.jp-OutputArea-output .widget-vbox, .jp-OutputArea-output .widget-box').length;
}"""

# the plot images of one cell's widgets (Output or Image), as one string (a draw function may
# make several figures, and a slider may change only the last); null while one has no src yet
PLOT_SRC = """(index) => {
  const cell = window.__mlp.panel.content.widgets[index];
  const imgs = [...cell.node.querySelectorAll('.widget-output img, img.widget-image')];
  if (imgs.length === 0 || imgs.some((img) => !img.getAttribute('src'))) return null;
  return imgs.map((img) => img.getAttribute('src')).join('|');
}"""

SLIDER_STATE = """([index, k]) => {
  const cell = window.__mlp.panel.content.widgets[index];
  const handle = cell.node.querySelectorAll('.widget-slider .noUi-handle')[k];
  return {now: Number(handle.getAttribute('aria-valuenow')),
          max: Number(handle.getAttribute('aria-valuemax'))};
}"""

SCROLL_TO = """(fraction) => {
  const nb = window.__mlp.panel.content;
  let scroller = null;
  for (let n = nb.node.querySelector('.jp-Cell'); n; n = n.parentElement) {
    if (n.scrollHeight > n.clientHeight + 4) { scroller = n; break; }
  }
  if (!scroller) return {top: 0, height: 0, view: 0};
  scroller.scrollTop = fraction;
  return {top: scroller.scrollTop, height: scroller.scrollHeight, view: scroller.clientHeight};
}"""

# after a slider move: as many plot images as before, all loaded, and not the same ones, or the
# output area shows a traceback
REDRAWN = """([index, before]) => {
  const cell = window.__mlp.panel.content.widgets[index];
  const out = cell.node.querySelector('.widget-output');
  if (!out) return false;
  const err = [...out.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]')]
    .some((n) => /Traceback|Error/.test(n.textContent));
  if (err) return 'traceback';
  const imgs = [...cell.node.querySelectorAll('.widget-output img, img.widget-image')];
  if (imgs.length !== before.split('|').length
      || imgs.some((img) => !img.getAttribute('src'))) return false;
  const now = imgs.map((img) => img.getAttribute('src')).join('|');
  return now !== before ? 'changed' : false;
}"""

CLOSE = """async () => {
  const m = window.__mlp;
  if (!m || !m.panel || m.panel.isDisposed) return;
  try { await m.panel.sessionContext.shutdown(); } catch (e) { /* the test says what failed */ }
  m.panel.context.model.dirty = false;
  m.panel.dispose();
}"""


def _is_interactive_plot_call(source: str) -> bool:
    """A cell that displays an interactive_plot (not one that only imports or defines it)."""
    code = [line for line in source.splitlines() if not line.lstrip().startswith(("#", "from ",
                                                                                   "import "))]
    return re.search(r"\binteractive_plot\(", "\n".join(code)) is not None


def _screenshots(page, folder: Path) -> int:
    """Viewport screenshots from the top of the notebook to its end; returns how many."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    top, shots = 0, 0
    while shots < 60:
        state = page.evaluate(SCROLL_TO, top)
        page.wait_for_timeout(100)
        page.screenshot(path=str(folder / f"{shots:02d}.png"))
        shots += 1
        if state["view"] == 0 or state["top"] + state["view"] >= state["height"] - 1:
            break
        top = state["top"] + state["view"] - 40
    return shots


def _cell(page, index: int):
    """Locator of the index-th cell of the open notebook."""
    panel_id = page.evaluate("() => window.__mlp.panel.id")
    return page.locator(f"[id='{panel_id}'] .jp-Notebook .jp-Cell").nth(index)


def _move_slider_and_wait(page, index: int, k: int, before: str) -> str:
    """Press an arrow key on the k-th slider handle of cell ``index`` and wait for the redraw.

    Returns "changed", "traceback" (the draw function raised) or "timeout".
    """
    state = page.evaluate(SLIDER_STATE, [index, k])
    key = "ArrowLeft" if state["now"] >= state["max"] else "ArrowRight"
    handle = _cell(page, index).locator(".widget-slider .noUi-handle").nth(k)
    handle.scroll_into_view_if_needed()
    handle.focus()
    page.keyboard.press(key)
    try:
        outcome = page.wait_for_function(REDRAWN, arg=[index, before],
                                         timeout=REDRAW_TIMEOUT_S * 1000, polling=100)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError
        return "timeout"
    return outcome.json_value()


def _check_outputs(page, cells: list[dict]) -> list[str]:
    """Errors, cells that did not run, widgets that did not render, sliders without a handle."""
    problems = []
    for cell in cells:
        if cell["source"].strip() and cell["count"] is None:
            problems.append(f"cell {cell['index']} did not run")
        for error in cell["errors"]:
            problems.append(f"cell {cell['index']} shows an error: {error}")
    # give the front end time to create every widget view, then look for leftovers
    try:
        page.wait_for_function(
            "(probs) => !probs.some((p) => window.__mlp.panel.content.node.textContent"
            ".includes(p))", arg=list(WIDGET_TEXT_PROBLEMS), timeout=30_000)
    except Exception:  # noqa: BLE001 - Playwright's TimeoutError; reported from the text below
        pass
    text = page.evaluate(NOTEBOOK_TEXT)
    problems += [f"a widget shows {phrase!r}" for phrase in WIDGET_TEXT_PROBLEMS if phrase in text]
    for cell in cells:
        if cell["widgets"] and page.evaluate(RENDERED_WIDGETS, cell["index"]) == 0:
            problems.append(f"cell {cell['index']}: widget output did not render")
    problems += [f"a widget's output shows a traceback: {t}" for t in page.evaluate(
        WIDGET_TRACEBACKS)]
    for slider in page.evaluate(SLIDERS):
        if min(slider["width"], slider["height"], slider["handle"]) <= 0 or not slider["readout"]:
            problems.append(f"slider {slider['label']!r} does not render: {slider}")
        if not slider["label"].strip():
            problems.append(f"a slider has no text label (its description is empty): {slider}")
    problems += ["a button has no text (its description is empty)"
                 for text in page.evaluate(BUTTONS) if not text]
    return problems


def _check_interactive_plots(page, cells: list[dict]) -> tuple[list[str], int]:
    """Move every slider of every interactive_plot once; each move must give a new plot image."""
    problems, moved = [], 0
    for cell in cells:
        if not _is_interactive_plot_call(cell["source"]):
            continue
        index = cell["index"]
        try:
            page.wait_for_function(f"(i) => ({PLOT_SRC})(i) !== null", arg=index, timeout=60_000)
        except Exception:  # noqa: BLE001 - Playwright's TimeoutError
            problems.append(f"cell {index}: interactive_plot shows no plot image")
            continue
        n_sliders = _cell(page, index).locator(".widget-slider .noUi-handle").count()
        if n_sliders == 0:
            problems.append(f"cell {index}: interactive_plot has no slider")
        for k in range(n_sliders):
            before = page.wait_for_function(f"(i) => ({PLOT_SRC})(i)", arg=index,
                                            timeout=60_000).json_value()
            outcome = _move_slider_and_wait(page, index, k, before)
            moved += 1
            if outcome == "traceback":
                problems.append(f"cell {index}: moving slider {k + 1} of {n_sliders} made the "
                                "plot's draw function raise")
            elif outcome != "changed":
                problems.append(f"cell {index}: moving slider {k + 1} of {n_sliders} did not "
                                f"change the plot within {REDRAW_TIMEOUT_S} s")
    problems += [f"after the slider moves, a widget's output shows: {t}"
                 for t in page.evaluate(WIDGET_TRACEBACKS)]
    return problems, moved


@pytest.mark.parametrize("notebook", course_notebooks())
def test_notebook_in_jupyterlab(notebook, lab, page, screenshot_root):
    """Run all cells in JupyterLab: no errors, widgets render, every interactive plot redraws."""
    shots = screenshot_root / Path(notebook).with_suffix("")
    clock = [time.monotonic()]

    def lap() -> float:
        clock.append(time.monotonic())
        return clock[-1] - clock[-2]

    try:
        page.evaluate(OPEN, notebook)
        page.wait_for_function(KERNEL_READY, timeout=90_000)
        t_open = lap()
        page.evaluate(RUN_ALL)
        page.wait_for_function(FINISHED, timeout=RUN_TIMEOUT_S * 1000, polling=250)
        t_run = lap()
        cells = page.evaluate(CELLS)
        problems = _check_outputs(page, cells)
        more, moved = _check_interactive_plots(page, cells)
        problems += more
        t_check = lap()
        n_shots = _screenshots(page, shots)
        t_shots = lap()
        print(f"\n{notebook}: open {t_open:.1f} s, run all {t_run:.1f} s, checks and {moved} "
              f"slider moves {t_check:.1f} s, {n_shots} screenshots {t_shots:.1f} s -> {shots}")
    except Exception:
        try:
            _screenshots(page, shots)
        except Exception:  # noqa: BLE001 - the original failure matters more
            pass
        raise
    finally:
        try:
            page.evaluate(CLOSE)
        except Exception:  # noqa: BLE001 - the session fixture shuts every kernel down anyway
            pass
    assert not problems, (f"{notebook} in JupyterLab (screenshots: {shots}):\n  - "
                          + "\n  - ".join(dict.fromkeys(problems)))


def test_every_course_notebook_is_collected():
    """The parametrisation found the lessons (a wrong glob would silently test nothing)."""
    lessons = [p for p in course_notebooks() if p.startswith("notebooks/")]
    assert len(lessons) == len(list((REPO / "notebooks").glob("*.ipynb"))) > 0
    for path in course_notebooks():
        nbformat.read(REPO / path, as_version=4)


KEYBOARD_LESSON = "notebooks/03_activations.ipynb"  # one slider, redrawn in place: quick
FOCUSED_HANDLE = """(index) => {
  const cell = window.__mlp.panel.content.widgets[index];
  const handle = cell.node.querySelector('.widget-slider .noUi-handle');
  return document.activeElement === handle;
}"""


def test_a_slider_works_from_the_keyboard(lab, page, screenshot_root):
    """Click the slider's label, Tab to its handle, press ArrowRight: the value goes up one step
    and the plot changes (JupyterLab's own keyboard handling, no mouse drag)."""
    shots = screenshot_root / "keyboard"
    try:
        page.evaluate(OPEN, KEYBOARD_LESSON)
        page.wait_for_function(KERNEL_READY, timeout=90_000)
        page.evaluate(RUN_ALL)
        page.wait_for_function(FINISHED, timeout=RUN_TIMEOUT_S * 1000, polling=250)
        cells = page.evaluate(CELLS)
        index = next(c["index"] for c in cells if _is_interactive_plot_call(c["source"]))
        page.wait_for_function(f"(i) => ({PLOT_SRC})(i) !== null", arg=index, timeout=60_000)
        slider = _cell(page, index).locator(".widget-slider").first
        label = slider.locator(".widget-label").inner_text().strip()
        assert label, f"{KEYBOARD_LESSON}: the slider has no text label"
        slider.scroll_into_view_if_needed()
        slider.locator(".widget-label").click()  # a mouse-free student lands here by Tab too
        tabs = 0
        while not page.evaluate(FOCUSED_HANDLE, index):
            assert tabs < 10, (f"{KEYBOARD_LESSON}: 10 Tabs after the label {label!r} never "
                               "reached the slider's handle")
            page.keyboard.press("Tab")
            tabs += 1
        handle = slider.locator(".noUi-handle")
        assert handle.get_attribute("role") == "slider"
        value = float(handle.get_attribute("aria-valuenow"))
        before = page.evaluate(f"(i) => ({PLOT_SRC})(i)", index)
        page.keyboard.press("ArrowRight")
        outcome = page.wait_for_function(REDRAWN, arg=[index, before],
                                         timeout=REDRAW_TIMEOUT_S * 1000, polling=100)
        assert outcome.json_value() == "changed"
        assert float(handle.get_attribute("aria-valuenow")) > value, \
            f"ArrowRight did not move the slider {label!r} up from {value}"
        print(f"\n{KEYBOARD_LESSON}: slider {label!r} reached with {tabs} Tab(s), moved with "
              f"ArrowRight from {value:g} to {handle.get_attribute('aria-valuenow')}")
    except Exception:
        try:
            _screenshots(page, shots)
        except Exception:  # noqa: BLE001 - the original failure matters more
            pass
        raise
    finally:
        try:
            page.evaluate(CLOSE)
        except Exception:  # noqa: BLE001 - the session fixture shuts every kernel down anyway
            pass
