"""Notebook diffs in git are readable: .gitattributes routes *.ipynb to the "jupyternotebook"
diff driver, and `make test` (its dev install) configures that driver with the venv's nbdime."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _git(*args, cwd):
    env = {"GIT_CONFIG_NOSYSTEM": "1", "HOME": str(cwd), "PATH": "/usr/bin:/bin"}
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True,
                          env=env)


def test_gitattributes_routes_notebooks_to_nbdime():
    lines = (ROOT / ".gitattributes").read_text().splitlines()
    assert "*.ipynb diff=jupyternotebook merge=jupyternotebook" in lines


def test_git_diff_of_a_notebook_shows_the_changed_cell_not_json(tmp_path):
    """The driver the Makefile configures (this venv's nbdime), in a fresh repository with the
    project's .gitattributes."""
    driver = f"{Path(sys.executable).parent / 'git-nbdiffdriver'} diff"
    assert "git-nbdiffdriver diff" in (ROOT / "Makefile").read_text()  # what `make` configures
    repo = tmp_path / "repo"
    repo.mkdir()
    shutil.copy(ROOT / ".gitattributes", repo)
    shutil.copy(ROOT / "notebooks" / "01_perceptron.ipynb", repo / "lesson.ipynb")
    _git("init", "-q", cwd=repo)
    _git("config", "diff.jupyternotebook.command", driver, cwd=repo)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "add", ".", cwd=repo)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "lesson", cwd=repo)
    nb = json.loads((repo / "lesson.ipynb").read_text())
    code = next(i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code")
    nb["cells"][code]["source"] = "print('changed by the test')\n"
    (repo / "lesson.ipynb").write_text(json.dumps(nb, indent=1))
    diff = _git("diff", cwd=repo).stdout
    assert f"modified /cells/{code}/source" in diff  # nbdime names the cell ...
    assert "changed by the test" in diff
    assert '"source": [' not in diff and '"cell_type"' not in diff  # ... instead of JSON lines
    raw = _git("diff", "--no-ext-diff", cwd=repo).stdout
    assert '"source"' in raw  # the JSON diff is still there when asked for


def test_this_clone_diffs_notebooks_with_an_existing_nbdime(tmp_path):
    """Where `make` configured this clone, the driver it names exists (a moved or deleted venv
    would make every `git diff` of a notebook fail)."""
    if not (ROOT / ".git").exists():
        pytest.skip("not a git clone")
    found = subprocess.run(["git", "config", "--get", "diff.jupyternotebook.command"], cwd=ROOT,
                           capture_output=True, text=True)
    if found.returncode != 0:
        pytest.skip("this clone has no nbdime driver configured (make git-nbdime)")
    program = found.stdout.split()[0]
    assert Path(program).is_file(), f"{program} is gone: run make git-nbdime again"
