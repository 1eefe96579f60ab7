"""For the checker tests: the functions a solution notebook defines (its solution cells run in a
fresh namespace), or the stubs its generated exercise defines in their place."""

from pathlib import Path

import nbformat
import numpy as np

import mlpcourse as mc
from mlpcourse.assignments import strip_solution

SOLUTIONS = Path(__file__).resolve().parents[1] / "solutions"


def solution_namespace(name: str, stubs: bool = False) -> dict:
    """Run the solution cells of ``solutions/<name>.ipynb`` (as the exercise has them when
    ``stubs``) and return the names they define."""
    namespace = {"np": np, "mc": mc}
    for cell in nbformat.read(str(SOLUTIONS / f"{name}.ipynb"), as_version=4).cells:
        if cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("solution"):
            source = strip_solution(cell.source) if stubs else cell.source
            exec(source, namespace)  # noqa: S102 (our own notebook)
    return namespace
