"""The two cells at the top of every lesson, solution and exercise: where to run the notebook
online (Colab, Binder) and a code cell that installs the course only where it is missing.

- The launch cell (tag ``mlpcourse-launch``) links the notebook's own repository path on Colab
  and on Binder; a solution's links open its exercise (:func:`launch_target`): the solutions are
  the source nbgrader releases to students, and what a student gets must never open the
  solution. Exercise generation writes the same cell (:func:`mlpcourse.assignments.make_exercise`).
- The install cell (tag ``mlpcourse-install``, source exactly :data:`INSTALL_SOURCE`) runs
  ``%pip install`` only if ``mlpcourse`` cannot be found: on Colab. In JupyterLab, on Binder
  and under nbval the course is installed, so it prints nothing and changes nothing. The grader
  skips this cell, and only this cell (:func:`is_install_cell`), when it looks for shell
  commands and dynamic code: the same source anywhere else, or an altered one, is still flagged.
"""

from __future__ import annotations

REPOSITORY = "mlpcourse/mlpcourse"
COLAB = f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/"
BINDER = f"https://mybinder.org/v2/gh/{REPOSITORY}/HEAD?urlpath=lab/tree/"
INSTALL_URL = f"git+https://github.com/{REPOSITORY}"
LAUNCH_TAG, INSTALL_TAG = "mlpcourse-launch", "mlpcourse-install"

INSTALL_SOURCE = (
    "# On Colab (or wherever the course is not installed) this installs it; elsewhere it does "
    "nothing.\n"
    "import importlib.util\n"
    "\n"
    'if importlib.util.find_spec("mlpcourse") is None:\n'
    f'    %pip install --quiet "mlpcourse @ {INSTALL_URL}"'
)


def colab_url(path: str) -> str:
    """Colab URL that opens the repository file ``path`` (e.g. ``notebooks/01_perceptron.ipynb``)
    from GitHub's main branch."""
    return COLAB + path


def binder_url(path: str) -> str:
    """Binder URL that opens the repository file ``path`` in JupyterLab."""
    return BINDER + path


def launch_target(path: str) -> str:
    """The repository path the launch cell of the notebook at ``path`` opens: the notebook itself,
    except that ``solutions/NN_name.ipynb`` opens ``exercises/NN_name.ipynb``."""
    folder, _, name = path.rpartition("/")
    return f"exercises/{name}" if folder == "solutions" else path


def launch_source(path: str) -> str:
    """Markdown of the launch cell for the notebook at repository path ``path``."""
    return (f"**Run this notebook online:** [Open in Colab]({colab_url(path)}) · "
            f"[Open on Binder]({binder_url(path)}). On Colab, run the next cell first: it "
            "installs the course (elsewhere it does nothing).")


def has_tag(cell, tag: str) -> bool:
    """True if the cell (a NotebookNode or the notebook JSON's dict) carries ``tag``."""
    metadata = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    tags = metadata.get("tags", []) if isinstance(metadata, dict) else []
    return isinstance(tags, list) and tag in tags


def cell_text(cell) -> str:
    """A cell's source as text, from a NotebookNode or untrusted notebook JSON (a list of lines
    is joined; anything that is not text counts as empty)."""
    source = cell.get("source", "")
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source if isinstance(source, str) else ""


def is_install_cell(cell) -> bool:
    """True for the course's own install cell: a code cell tagged ``mlpcourse-install`` whose
    source is exactly :data:`INSTALL_SOURCE` (trailing whitespace aside)."""
    return isinstance(cell, dict) and cell.get("cell_type") == "code" and \
        has_tag(cell, INSTALL_TAG) and cell_text(cell).rstrip() == INSTALL_SOURCE


def add_launch_cells(nb, path: str) -> bool:
    """Put the launch and install cells after ``nb``'s first Markdown cell (its title), or bring
    existing ones up to date for the notebook at repository path ``path`` (links: see
    :func:`launch_target`); return True if ``nb`` changed."""
    import nbformat

    launch = next((c for c in nb.cells if has_tag(c, LAUNCH_TAG)), None)
    install = next((c for c in nb.cells if has_tag(c, INSTALL_TAG)), None)
    changed = False
    if launch is None:
        at = next((i + 1 for i, c in enumerate(nb.cells) if c.cell_type == "markdown"), 0)
        launch = nbformat.v4.new_markdown_cell("", metadata={"tags": [LAUNCH_TAG]})
        nb.cells.insert(at, launch)
        changed = True
    if install is None:
        at = nb.cells.index(launch) + 1
        install = nbformat.v4.new_code_cell("", metadata={"tags": [INSTALL_TAG]})
        nb.cells.insert(at, install)
        changed = True
    for cell, source in ((launch, launch_source(launch_target(path))), (install, INSTALL_SOURCE)):
        if cell.source != source:
            cell.source = source
            changed = True
    return changed


def main(paths) -> int:
    """``python -m mlpcourse.launch notebooks/10_new.ipynb ...``: add or update the two cells in
    lessons and solutions (then regenerate the exercises: ``make exercises``)."""
    from pathlib import Path

    import nbformat

    for name in paths:
        path = Path(name)
        rel = f"{path.resolve().parent.name}/{path.name}"
        nb = nbformat.read(str(path), as_version=4)
        if add_launch_cells(nb, rel):
            nbformat.write(nb, str(path))
            print(f"{name}: launch and install cells written (links for {rel})")
    return 0


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv[1:]))
