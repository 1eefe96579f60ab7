"""The student's way in, as a student gets it: the wheel built from this repository, installed
into a fresh venv (its dependencies from the package registry or pip's cache). It carries the
lessons and the exercises and never the solutions; `python -m mlpcourse start` copies them and
JupyterLab serves the first lesson; an exercise the student edited survives `update` to a newer
course version; the installed lessons pass nbval. Slow (minutes): marked `wheel`, run by
`make test-wheel` (`make test` leaves it out)."""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from lab_server import free_port, jupyter_env, serves_first_lesson

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parents[1]
EDITED = "exercises/03_activations.ipynb"
CHANGED = "notebooks/02_forward_pass.ipynb"
NEXT_VERSION = "99.0.0"


def run(command, **kwargs):
    """Run ``command``; on failure the test fails with its output."""
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited with {done.returncode}:\n"
                    f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    return done.stdout


def build_wheel(source: Path, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, source])
    (wheel,) = out.glob("mlpcourse-*.whl")
    return wheel


def dev_requirement(name: str) -> str:
    """``name`` with the version range of pyproject's dev extra (e.g. 'nbval>=0.11')."""
    dev = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"][
        "optional-dependencies"]["dev"]
    return next(spec for spec in dev if re.match(rf"{name}\b", spec))


def next_release(tmp: Path) -> Path:
    """A copy of the course as its next version would ship: version NEXT_VERSION, one lesson and
    one exercise changed (a Markdown cell added at the end)."""
    copy = tmp / "next"
    copy.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, copy / name)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints")
    for name in ("mlpcourse", "notebooks", "exercises"):
        shutil.copytree(ROOT / name, copy / name, ignore=ignore)
    for path, key in ((copy / "pyproject.toml", "version"),
                      (copy / "mlpcourse" / "__init__.py", "__version__")):
        text, count = re.subn(rf'(?m)^{key} = "[^"]+"', f'{key} = "{NEXT_VERSION}"',
                              path.read_text())
        assert count == 1, f"no {key} line in {path}"
        path.write_text(text)
    for rel in (EDITED, CHANGED):
        nb = json.loads((copy / rel).read_text())
        nb["cells"].append({"cell_type": "markdown", "metadata": {},
                            "source": ["A paragraph added in the next version."]})
        (copy / rel).write_text(json.dumps(nb, indent=1) + "\n")
    return copy


def start_serves_first_lesson(python: Path, folder: Path, tmp: Path) -> None:
    """`python -m mlpcourse start FOLDER --no-browser --port P` serves the first lesson."""
    port, token = free_port(), secrets.token_hex(16)
    text = serves_first_lesson([python, "-m", "mlpcourse", "start", folder, "--no-browser",
                                "--port", str(port)], cwd=tmp, port=port, token=token,
                               env=jupyter_env(tmp, JUPYTER_TOKEN=token), log=tmp / "start.log")
    count = sum(1 for kind in ("notebooks", "exercises") for _ in (ROOT / kind).glob("*.ipynb"))
    assert f"copied {count} notebooks" in text


@pytest.fixture
def scratch():
    """A folder of this test's own, not under pytest's tmp_path: on a machine where other pytest
    runs of the same user start meanwhile, pytest removes older tmp_path folders, and this test
    runs for minutes."""
    path = Path(tempfile.mkdtemp(prefix="mlpcourse-wheel-"))
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_the_wheel_installs_starts_updates_and_its_lessons_pass_nbval(scratch):
    tmp_path = scratch
    timings, clock = {}, time.monotonic()

    def lap(name):
        nonlocal clock
        timings[name] = round(time.monotonic() - clock, 1)
        clock = time.monotonic()

    wheel = build_wheel(ROOT, tmp_path / "dist")
    lap("build")
    names = zipfile.ZipFile(wheel).namelist()
    course = sorted(n for n in names if n.startswith("mlpcourse/course/"))
    expected = sorted(f"mlpcourse/course/{folder}/{p.name}" for folder in ("notebooks",
                                                                             "exercises")
                      for p in (ROOT / folder).glob("*.ipynb"))
    assert course == expected, "the wheel's course files are not exactly lessons + exercises"
    assert not any("solutions" in n for n in names)

    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv])
    python = venv / "bin" / "python"
    run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", wheel,
         dev_requirement("nbval"), dev_requirement("pytest")])
    lap("install")
    where = Path(run([python, "-c", "import mlpcourse.student as s; print(s.course_dir())"],
                     cwd=tmp_path).strip())
    assert where.parts[-2:] == ("mlpcourse", "course") and where.is_relative_to(venv.resolve())

    folder = tmp_path / "mlpcourse-work"
    start_serves_first_lesson(python, folder, tmp_path)
    lap("start")
    assert sorted(p.name for p in (folder / "exercises").glob("*.ipynb")) == sorted(
        p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert not (folder / "solutions").exists()

    # nbval on the installed lessons, in the student's folder, with the student's Python
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")  # as make test
    shutil.copy2(ROOT / "tests" / "nbval_sanitize.cfg", tmp_path / "sanitize.cfg")
    run([python, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "--nbval",
         "--nbval-current-env", "--nbval-sanitize-with", tmp_path / "sanitize.cfg",
         "--rootdir", folder, folder / "notebooks"], cwd=folder, env=env)  # -x: the first diff
    lap("nbval")

    # the student works on an exercise; the course moves to its next version
    edited = folder / EDITED
    work = json.loads(edited.read_text())
    work["cells"].append({"cell_type": "code", "execution_count": None, "metadata": {},
                          "outputs": [], "source": ["# my own notes"]})
    edited.write_text(json.dumps(work, indent=1))
    mine = edited.read_bytes()
    new_wheel = build_wheel(next_release(tmp_path), tmp_path / "dist-next")
    run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
         "--disable-pip-version-check", new_wheel])
    out = run([python, "-m", "mlpcourse", "update", folder], cwd=tmp_path)
    lap("update")
    beside = f"exercises/03_activations.new-{NEXT_VERSION}.ipynb"
    assert f"kept your {EDITED} (you changed it)" in out and beside in out
    assert f"updated {CHANGED}" in out
    assert edited.read_bytes() == mine  # the student's work is untouched
    for rel in (beside, CHANGED):
        assert "A paragraph added in the next version." in (folder / rel).read_text()
    manifest = json.loads((folder / ".mlpcourse.json").read_text())
    assert manifest["version"] == NEXT_VERSION
    print(f"test_wheel timings (s): {timings}")
