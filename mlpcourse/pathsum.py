"""The chain rule on a graph as a sum over paths (lecture: Problem 3, solutions 3a and 3b).

The derivative of a node with respect to an earlier one is the sum, over every directed path
between them, of the product of the local derivatives ∂q1/∂q2 along the path,

    ∂y/∂x = Σ_paths Π_edges ∂q1/∂q2.

:class:`PathSum` holds that sum for one pair of nodes: its paths, the plain and the factored form
(sympy, imported only when asked for), its LaTeX as the lecture writes it and its value for given
local derivatives. The graph itself (nodes, weights, the numbers) is
:class:`mlpcourse.graph.GraphNetwork`, whose ``path_sum`` builds one; this module only needs the
graph's wiring as a map node -> children.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ._validation import choice

# --- paths ----------------------------------------------------------------------------------------

def reaching(children, target):
    """The set of nodes from which ``target`` can be reached (``target`` included)."""
    parents = {}
    for source, targets in children.items():
        for t in targets:
            parents.setdefault(t, []).append(source)
    found, stack = {target}, [target]
    while stack:
        for p in parents.get(stack.pop(), ()):
            if p not in found:
                found.add(p)
                stack.append(p)
    return found


def sorted_paths(paths, index):
    """Paths sorted from the output side, as the lecture orders ∂y/∂c..., ∂y/∂d..., ∂y/∂e..."""
    return sorted(paths, key=lambda p: [index[n] for n in reversed(p)])


def all_paths(children, source, target, removed=frozenset()):
    """Every directed path source -> target avoiding ``removed``, as tuples of nodes, in the
    lexicographic order of the children lists."""
    if source in removed or target in removed:
        return []
    useful = reaching({n: [c for c in cs if c not in removed] for n, cs in children.items()
                        if n not in removed}, target)
    found, stack = [], [(source,)]
    while stack:
        path = stack.pop()
        if path[-1] == target:
            found.append(path)
            continue
        stack.extend(path + (c,) for c in reversed(children[path[-1]])
                     if c in useful and c not in removed)
    return found


# --- symbols --------------------------------------------------------------------------------------

def latex_node(node: str) -> str:
    """LaTeX for a node name: a trailing number becomes a subscript ("x1" -> "x_{1}")."""
    match = re.fullmatch(r"([A-Za-z]+)_?(\d+)", node)
    return f"{match[1]}_{{{match[2]}}}" if match else node


def partial_latex(top: str, bottom: str) -> str:
    r"""The lecture's \frac{\partial q_1}{\partial q_2} for nodes ``top`` and ``bottom``."""
    return rf"\frac{{\partial {latex_node(top)}}}{{\partial {latex_node(bottom)}}}"


def partial_symbol(top: str, bottom: str):
    r"""A sympy Symbol standing for ∂top/∂bottom, named by its LaTeX (``\frac{\partial y}{...}``).

    ``partial_symbol("c", "a")`` is the local derivative ∂c/∂a along the edge a -> c.
    """
    import sympy

    return sympy.Symbol(partial_latex(top, bottom))


# --- the sum as a tree: ("sum" | "prod", items) or ("edge", (source, target)) -------------------

def _product(path):
    """A path (source, ..., target) as a product of edges, output side first."""
    edges = tuple(("edge", (path[i], path[i + 1])) for i in range(len(path) - 1))
    return edges[0] if len(edges) == 1 else ("prod", edges[::-1])


def _join(kind, terms):
    """A "sum" or "prod" node, splicing in nested nodes of the same kind."""
    flat = []
    for t in terms:
        flat.extend(t[1] if t[0] == kind else (t,))
    return flat[0] if len(flat) == 1 else (kind, tuple(flat))


def factor(children, index, source, target, removed=frozenset()):
    """The sum over all paths source -> target (avoiding ``removed``) with shared nodes factored.

    ``children`` maps each node to the nodes it feeds, ``index`` each node to its topological
    position; the result is a tree of ("sum" | "prod", items) and ("edge", (source, target)).

    The interior node v on most paths splits them: paths through v give (Σ v -> target) ·
    (Σ source -> v), exactly, since any path to v joins any path from v in an acyclic graph; the
    paths avoiding v are factored the same way with v removed. Ties go to the node nearer the
    output. This reproduces the lecture's ((a + b)c + ...) groupings.
    """
    paths = all_paths(children, source, target, removed)
    if len(paths) == 1:
        return _product(paths[0])
    counts = {}
    for path in paths:
        for node in path[1:-1]:
            counts[node] = counts.get(node, 0) + 1
    if not counts or max(counts.values()) < 2:
        return _join("sum", [_product(p) for p in sorted_paths(paths, index)])
    v = max(counts, key=lambda n: (counts[n], index[n]))
    through = _join("prod", [factor(children, index, v, target, removed),
                             factor(children, index, source, v, removed)])
    if counts[v] == len(paths):
        return through
    return _join("sum", [factor(children, index, source, target, removed | {v}), through])


def _tree_latex(tree, inside_product=False):
    kind, items = tree
    if kind == "edge":
        return partial_latex(items[1], items[0])
    if kind == "prod":
        return " ".join(_tree_latex(t, inside_product=True) for t in items)
    text = " + ".join(_tree_latex(t) for t in items)
    return rf"\left({text}\right)" if inside_product else text


def _tree_sympy(tree):
    import sympy

    kind, items = tree
    if kind == "edge":
        return partial_symbol(items[1], items[0])
    parts = [_tree_sympy(t) for t in items]
    return sympy.Mul(*parts) if kind == "prod" else sympy.Add(*parts)


def _tree_value(tree, local):
    kind, items = tree
    if kind == "edge":
        return np.asarray(local[items], dtype=np.float64)
    values = [_tree_value(t, local) for t in items]
    return np.prod(values, axis=0) if kind == "prod" else np.sum(values, axis=0)


@dataclass(frozen=True)
class PathSum:
    """∂output/∂source as the chain rule over paths (lecture: Problem 3, solutions 3a and 3b).

    Attributes
    ----------
    output, source : node names
    paths : tuple of paths (source, ..., output)
    tree : the factored form as nested ("sum" | "prod", items) / ("edge", (source, target))
    """

    output: str
    source: str
    paths: tuple
    tree: tuple

    @property
    def expanded(self):
        """The plain sum over paths of products of ∂q1/∂q2 (a sympy expression)."""
        return _tree_sympy(_join("sum", [_product(p) for p in self.paths]))

    @property
    def factored(self):
        """The same sum with shared nodes factored out, e.g. (∂y/∂d + ∂y/∂e ∂e/∂d)(...) (sympy)."""
        return _tree_sympy(self.tree)

    @property
    def symbols(self) -> dict:
        """Mapping edge (source, target) -> sympy Symbol ∂target/∂source, for every edge used."""
        return {(p[i], p[i + 1]): partial_symbol(p[i + 1], p[i])
                for p in self.paths for i in range(len(p) - 1)}

    def to_latex(self, form="factored", lhs=True) -> str:
        r"""LaTeX with factors in chain order, output side first, as the lecture writes them.

        Parameters
        ----------
        form : "factored", "expanded" or "both" (an aligned block: lhs = expanded = factored)
        lhs : prefix with \frac{\partial output}{\partial source} =
        """
        choice("form", form, {"factored": 0, "expanded": 0, "both": 0})
        expanded = _tree_latex(_join("sum", [_product(p) for p in self.paths]))
        factored = _tree_latex(self.tree)
        head = partial_latex(self.output, self.source)
        if form == "both":
            return (rf"\begin{{aligned}} {head} &= {expanded} \\ &= {factored} \end{{aligned}}"
                    if lhs else rf"\begin{{aligned}} &{expanded} \\ = &{factored} \end{{aligned}}")
        body = factored if form == "factored" else expanded
        return f"{head} = {body}" if lhs else body

    def evaluate(self, local):
        """The numeric value of the sum, given ``local`` = ``net.local_derivatives(x)``.

        Returns
        -------
        float for scalar local derivatives, array of shape (m,) for a batch
        """
        value = _tree_value(self.tree, local)
        return float(value) if value.ndim == 0 else value

    def contributions(self, local) -> dict:
        """Each path's product of local derivatives: dict path -> float (or (m,) array)."""
        out = {}
        for path in self.paths:
            value = _tree_value(_product(path), local)
            out[path] = float(value) if value.ndim == 0 else value
        return out


_PARTIAL = re.compile(r"\\frac\{\\partial (.+)\}\{\\partial (.+)\}")


def _node_from_latex(text):
    return re.sub(r"_\{(\d+)\}", r"\1", text)


def paths_from_expression(expr) -> list:
    r"""Read a chain-rule expression back into the paths it sums over (the inverse of path_sum).

    The expression is multiplied out; every term must be a product of distinct local derivatives
    ∂q1/∂q2 (symbols from :func:`partial_symbol`) that chain into one path. This is how the wiring
    of Problem 3 is recovered from the lecture's solution: each term is a path, each factor an
    edge.

    Parameters
    ----------
    expr : sympy expression in ``partial_symbol`` symbols

    Returns
    -------
    list of paths (source, ..., output), one per term
    """
    import sympy

    found = []
    for term in sympy.Add.make_args(sympy.expand(expr)):
        coefficient, factors = term.as_coeff_mul()
        if coefficient != 1:
            raise ValueError(f"each term must be one path with coefficient 1; got {term}")
        step = {}
        for factor in factors:
            match = _PARTIAL.fullmatch(getattr(factor, "name", ""))
            if match is None:
                raise ValueError(f"{factor} is not a local derivative ∂q1/∂q2 symbol")
            top, bottom = (_node_from_latex(g) for g in match.groups())
            if bottom in step:
                raise ValueError(f"term {term} leaves {bottom} twice: not a single path")
            step[bottom] = top
        start = set(step) - set(step.values())
        if len(start) != 1:
            raise ValueError(f"the factors of {term} do not chain into one path")
        path = [start.pop()]
        while path[-1] in step:
            path.append(step[path[-1]])
        if len(path) != len(factors) + 1:
            raise ValueError(f"the factors of {term} do not chain into one path")
        found.append(tuple(path))
    return found


__all__ = ["PathSum", "all_paths", "factor", "latex_node", "partial_latex", "partial_symbol",
           "paths_from_expression", "reaching", "sorted_paths"]
