"""The chain rule on a small non-layered network (lecture: Problem 3): ∂y/∂x_l as a sum over
the paths from the input to the output, each path the product of the local derivatives along it.

The expected answer is ``GraphNetwork.path_sum``; answers are compared symbolically (any equal
form, factored or multiplied out, passes: :func:`.answers.grade_expression`).
"""

from __future__ import annotations

from ..graph import GraphNetwork
from .draws import distinct, pick, problem_rng
from .problem import Ask, Problem, make
from .render import math_block, node


def _random_graph_edges(rng):
    """Edges of a small non-layered network: inputs x1, x2; neurons a, b, c, ...; output y.

    Every neuron takes 1-2 earlier nodes as inputs, the output 2-3 neurons; neurons that feed
    nothing are wired to a later node, so every node lies on a path to y (lecture: Problem 3).
    """
    hidden = list("abcde"[:pick(rng, (3, 4, 5))])
    edges = []
    for k, q in enumerate(hidden):
        earlier = ["x1", "x2", *hidden[:k]]
        edges += [(earlier[i], q) for i in distinct(rng, len(earlier), 1 + int(rng.integers(2)))]
    edges += [(hidden[i], "y") for i in distinct(rng, len(hidden), 2 + int(rng.integers(2)))]
    for k, q in enumerate(hidden):
        if not any(s == q for s, _ in edges):
            later = [*hidden[k + 1:], "y"]
            edges.append((q, later[int(rng.integers(len(later)))]))
    for x in ("x1", "x2"):
        if not any(s == x for s, _ in edges):
            edges.append((x, hidden[int(rng.integers(len(hidden)))]))
    return edges


def chain_rule(seed) -> Problem:
    """∂y/∂x_l on a small non-layered network as a sum over paths (lecture: Problem 3).

    A random graph with inputs x1, x2, three to five neurons and the output y; asks for
    ∂y/∂x_l in terms of the local derivatives ∂q1/∂q2 along the edges. The answer is compared
    symbolically (any equal form, factored or multiplied out, passes).

    Parameters
    ----------
    seed : int >= 0

    Returns
    -------
    Problem with the answer "dy_dx1" or "dy_dx2" (a sympy expression); data "graph"
    (GraphNetwork with weights drawn from the seed), "source", "paths", "path_sum"
    """
    rng = problem_rng("chain_rule", seed)
    for _ in range(200):
        edges = _random_graph_edges(rng)
        source = pick(rng, ("x1", "x2"))
        net = GraphNetwork.from_edges(edges, ("x1", "x2"), "y", activation="sigmoid", rng=rng)
        paths = net.paths("y", source)
        if 2 <= len(paths) <= 6:
            break
    ps = net.path_sum("y", source)
    name, src = f"dy_d{source}", f"x_{source[1]}"
    ask = Ask(name, rf"\frac{{\partial y}}{{\partial {src}}}",
              rf"$\partial y / \partial {src}$ in terms of the local derivatives", ps.factored)
    listed = ", ".join(f"${node(s)} \\to {node(t)}$" for s, t in net.edges)
    body = ("Every neuron $q$ computes $g\\left(b + \\sum_l v_l x_l + \\sum_u w_u u\\right)$ "
            "from its direct inputs (lecture: Problem 3). This network has inputs $x_1, x_2$, "
            f"neurons {', '.join(f'${n}$' for n in net.nodes[2:-1])} and the output $y$, with "
            f"the edges\n\n{listed}.\n\nWrite $\\partial y / \\partial {src}$ in terms of the "
            "local derivatives $\\partial q_1 / \\partial q_2$ ($q_2$ a direct input of $q_1$); "
            "you need not multiply out brackets.")
    note = ("Type the answer as text, one `dq1/dq2` per local derivative, e.g. "
            "`problem.check(" + name + "=\"dy/dq * dq/dx1 + ...\")` for a path through a "
            "neuron $q$, or pass a sympy "
            "expression built with `mlpcourse.graph.partial_symbol(\"y\", \"a\")` for "
            "$\\partial y / \\partial a$.")
    return make("chain_rule", f"practice.chain_rule(seed={seed})",
                "Practice: the chain rule on a graph", body, [ask],
                {"graph": net, "source": source, "paths": tuple(paths), "path_sum": ps},
                _solve_chain_rule, note, seed=seed)


def _solve_chain_rule(problem, digits) -> str:
    ps = problem.data["path_sum"]
    arrow = " \\to "
    paths = "\n".join(f"- ${arrow.join(node(n) for n in p)}$" for p in ps.paths)
    return (f"The chain rule on a graph: $\\partial y / \\partial {node(ps.source)}$ is the sum, "
            "over every directed path from the input to $y$, of the product of the local "
            f"derivatives along it. The paths:\n\n{paths}\n\nOne product per path (first line); "
            "paths through a common node share the factors on either side of it (second line, "
            "the form the lecture writes):\n\n" + math_block(ps.to_latex("both")))
