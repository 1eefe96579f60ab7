"""The project's own files install everything: the pip and conda dependency lists agree, the
package imports fast and without its heavy optional dependencies."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def requirement(spec: str) -> tuple[str, str]:
    """('numpy', '>=2.0') from 'numpy>=2.0' (pip) or 'numpy>=2.0' / 'numpy=2.0' (conda)."""
    name, version = re.match(r"^\s*([A-Za-z0-9_.\-]+)\s*(.*)$", spec).groups()
    return name.lower().replace("_", "-"), version.replace(" ", "")


def test_environment_yml_lists_the_same_packages_as_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    pip = dict(requirement(s) for s in pyproject["project"]["dependencies"])
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert env["channels"] == ["conda-forge"]
    conda = dict(requirement(s) for s in env["dependencies"] if isinstance(s, str))
    assert conda.pop("python").startswith("=3.11"), "environment.yml must pin Python"
    conda.pop("pip", None)
    # Binder keeps nbval (a lecturer may run the notebook tests there); pip users get it from the
    # dev extra, at the same version
    dev = dict(requirement(s) for s in pyproject["project"]["optional-dependencies"]["dev"])
    assert conda.pop("nbval") == dev["nbval"]
    assert conda == pip


def test_every_import_of_the_package_is_declared():
    """Each third-party module that mlpcourse/ imports is a declared runtime dependency (pip
    names differ from import names for a few)."""
    import ast

    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = {requirement(s)[0] for s in pyproject["project"]["dependencies"]}
    pip_name = {"sklearn": "scikit-learn", "PIL": "pillow", "IPython": "ipython",
                "jupyter_client": "jupyter-client"}
    imported = set()
    for path in (ROOT / "mlpcourse").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"mlpcourse"}
    missing = sorted(m for m in third_party if pip_name.get(m, m).lower() not in declared)
    assert not missing, f"imported by mlpcourse/ but not in pyproject's dependencies: {missing}"
    assert "nbval" not in declared, "nbval is for the tests: it belongs in the dev extra"


def test_postbuild_installs_the_package_and_stops_on_errors():
    text = (ROOT / "postBuild").read_text()
    assert text.startswith("#!/bin/bash") and "set -e" in text
    assert "pip install --no-deps -e ." in text
    assert not (ROOT / "binder").exists(), "a binder/ folder makes Binder ignore top-level files"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    readme = (ROOT / "README.md").read_text()
    assert "make test" in readme and "make lab" in readme


def test_import_does_not_load_heavy_packages():
    code = ("import sys, mlpcourse; heavy = [m for m in ('matplotlib', 'sklearn', 'sympy', "
            "'ipywidgets', 'IPython', 'jupyter_core') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


ENGINE = ["mlpcourse", "mlpcourse._fast", "mlpcourse._forms", "mlpcourse._validation",
          "mlpcourse.activations", "mlpcourse.gradcheck", "mlpcourse.losses", "mlpcourse.network",
          "mlpcourse.train"]
LAZY = ["datasets", "diagnostics", "graph", "lecture", "pathsum", "perceptron", "practice", "trace"]


def test_import_loads_the_engine_and_numpy_only():
    """`import mlpcourse` imports the engine's modules, numpy and the standard library, nothing
    else; the other modules load on first use (mc.datasets, `from mlpcourse import perceptron`)."""
    code = (
        "import sys; before = set(sys.modules); import mlpcourse as mc; "
        "new = sorted(set(sys.modules) - before); "
        "print(sorted(m for m in new if m.startswith('mlpcourse'))); "
        "print(sorted({m.split('.')[0] for m in new} - set(sys.stdlib_module_names) "
        "- {'numpy', 'mlpcourse'} - {m for m in new if m.startswith('_')})); "
        f"print([n for n in {LAZY!r} if n not in dir(mc)], "
        "[n for n in ('datasets', 'diagnostics', 'perceptron') if n not in mc.__all__]); "
        "from mlpcourse import datasets; "
        "print(datasets.__name__, mc.diagnostics.__name__, mc.perceptron.__name__, "
        "'mlpcourse.perceptron' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    engine, others, unlisted, lazy = out.stdout.strip().splitlines()
    assert engine == repr(ENGINE)
    assert others == "[]"  # e.g. scipy, matplotlib, or a lesson module made eager again
    assert unlisted == "[] []"  # dir(mc) lists every lazy module, __all__ the three it always had
    assert lazy == "mlpcourse.datasets mlpcourse.diagnostics mlpcourse.perceptron True"


def test_readme_course_map_lists_every_lesson_with_its_binder_and_colab_links():
    readme = (ROOT / "README.md").read_text()
    lessons = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert lessons, "no lessons found"
    for name in lessons:
        assert f"](notebooks/{name})" in readme, f"{name} is missing from the course map"
        assert f"urlpath=lab/tree/notebooks/{name})" in readme, f"{name} has no Binder link"
        assert f"colab.research.google.com/github/mlpcourse/mlpcourse/blob/main/notebooks/{name})" \
            in readme, f"{name} has no Colab link"
    badge = re.search(r"\[!\[Binder\]\([^)]*\)\]\(([^)]*)\)", readme)
    assert badge and badge.group(1).endswith(f"urlpath=lab/tree/notebooks/{lessons[0]}")


def readme_layout() -> set[str]:
    """The package paths the README's "Repository layout" tree names (``plots/diagrams.py``,
    ``practice/``), read from its indentation."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Repository layout", 1)[1].split("\n## ", 1)[0]
    tree = section.split("```", 2)[1]
    paths, stack = set(), []
    for line in tree.splitlines():
        name = line.strip().split(" ", 1)[0] if line.strip() else ""
        if not name.endswith((".py", "/")) or name.startswith("#"):
            continue  # a comment, a continuation line or a top-level file
        depth = (len(line) - len(line.lstrip())) // 2
        if depth == 0:
            stack = [name] if name == "mlpcourse/" else []
            continue
        if not stack:
            continue
        stack = stack[:depth] + [name]
        paths.add("".join(stack[1:]))
    return paths


def test_readme_layout_lists_every_module_of_the_package():
    package = ROOT / "mlpcourse"
    modules = {p.relative_to(package).as_posix() for p in package.rglob("*.py")
               if "__pycache__" not in p.parts}
    packages = {p.relative_to(package).as_posix() + "/" for p in package.rglob("*")
                if p.is_dir() and (p / "__init__.py").exists()} - {"./"}
    listed = readme_layout()
    assert "activations.py" in listed and "plots/diagrams.py" in listed, listed  # the parser works
    assert sorted((modules | packages) - listed) == [], "modules missing from the README layout"
    assert sorted(listed - modules - packages) == [], "the README layout names missing modules"
