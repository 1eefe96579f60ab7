"""Tests for mlpcourse.pathsum, the path-sum algebra split off mlpcourse.graph: it works on a bare
map node -> children (no GraphNetwork needed), and mlpcourse.graph re-exports the same objects."""

import subprocess
import sys

import sympy

from mlpcourse import graph, pathsum

D = pathsum.partial_symbol


def problem3_children():
    """Problem 3's wiring (lecture: solutions 3a, 3b) as children lists, in topological order."""
    order = ["x1", "x2", "a", "b", "c", "d", "e", "y"]
    children = {n: [] for n in order}
    for s, t in graph.PROBLEM3_EDGES:
        children[s].append(t)
    return children, {n: i for i, n in enumerate(order)}


def test_paths_and_reaching_on_a_children_map():
    children, index = problem3_children()
    paths = pathsum.sorted_paths(pathsum.all_paths(children, "x2", "y"), index)
    assert paths == [("x2", "c", "y"), ("x2", "d", "y"), ("x2", "d", "e", "y")]
    assert pathsum.all_paths(children, "x2", "y", removed=frozenset({"d"})) == [("x2", "c", "y")]
    assert pathsum.reaching(children, "e") == {"e", "d", "a", "b", "x1", "x2"}


def test_factor_gives_the_lecture_solution_3b():
    children, index = problem3_children()
    tree = pathsum.factor(children, index, "x1", "y")
    paths = tuple(pathsum.sorted_paths(pathsum.all_paths(children, "x1", "y"), index))
    ps = pathsum.PathSum("y", "x1", paths, tree)
    assert sympy.expand(ps.factored - graph.problem3_solution()["x1"]) == 0
    assert ps.factored == (D("y", "c") * D("c", "a") * D("a", "x1")
                           + (D("y", "d") + D("y", "e") * D("e", "d"))
                           * (D("d", "a") * D("a", "x1") + D("d", "b") * D("b", "x1")))
    assert pathsum.paths_from_expression(ps.expanded) == list(paths)


def test_graph_reexports_the_same_objects():
    for name in ("PathSum", "latex_node", "partial_latex", "partial_symbol",
                 "paths_from_expression"):
        assert getattr(graph, name) is getattr(pathsum, name)
    assert isinstance(graph.problem3().path_sum("y", "x2"), pathsum.PathSum)


def test_import_needs_neither_the_graph_nor_sympy():
    code = ("import sys, mlpcourse.pathsum; print(sorted(m for m in ('mlpcourse.graph', 'sympy', "
            "'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
