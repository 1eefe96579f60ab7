"""Feed-forward networks that are not layered (lecture: Quiz, Problem 3).

Every neuron q computes g(b + Σ_l v_l x_l + Σ_u w_u u) from any earlier nodes, so a network is a
directed acyclic graph whose edges carry weights. The derivative of the output y with respect to
an input x is the chain rule summed over every directed path from x to y,

    ∂y/∂x = Σ_paths Π_edges ∂q1/∂q2,

which :meth:`GraphNetwork.path_sum` writes out symbolically (sympy, imported only there) and
:meth:`GraphNetwork.backward` computes numerically by reverse accumulation (backpropagation).

Nodes are strings; an edge is a pair ``(source, target)``: the weight w (or v for an input) with
which ``source`` enters ``target``. Internally W[i, j] is the weight from node j into node i, with
nodes numbered in topological order (inputs first), as ``Network.W[l][i, j]`` is for layers.
"""

from __future__ import annotations

import heapq
import numbers
import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._validation import as_array, as_generator, choice, describe
from .activations import ACTIVATIONS

PROBLEM3_EDGES = (
    ("x1", "a"), ("x1", "b"),
    ("a", "c"), ("x2", "c"),
    ("a", "d"), ("b", "d"), ("x2", "d"),
    ("d", "e"),
    ("c", "y"), ("d", "y"), ("e", "y"),
)
"""The wiring of Problem 3, inferred from the lecture's solutions 3a and 3b (figure lost)."""


# --- structure ----------------------------------------------------------------------------------

def _check_name(what, name):
    if not isinstance(name, str) or not name:
        raise TypeError(f"{what} must be a non-empty string naming a node; got {describe(name)}")
    return name


def _parse_edges(edges):
    """Split edges into [(source, target)] and {edge: weight} for (source, target, weight)."""
    if isinstance(edges, str | bytes | Mapping) or not hasattr(edges, "__iter__"):
        raise TypeError(f"edges must be a sequence of (source, target) or (source, target, weight) "
                        f"tuples; got {describe(edges)}")
    pairs, weights = [], {}
    for item in edges:
        if isinstance(item, str) or not hasattr(item, "__len__") or len(item) not in (2, 3):
            raise TypeError(f"each edge must be (source, target) or (source, target, weight); "
                            f"got {describe(item)}")
        edge = (_check_name("edge source", item[0]), _check_name("edge target", item[1]))
        if edge in weights or edge in pairs:
            raise ValueError(f"edge {edge[0]} -> {edge[1]} is listed twice")
        pairs.append(edge)
        if len(item) == 3:
            weights[edge] = _number(f"weight of edge {edge[0]} -> {edge[1]}", item[2])
    if not pairs:
        raise ValueError("edges must hold at least one edge; got none")
    return pairs, weights


def _number(what, value) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise TypeError(f"{what} must be a finite real number; got {describe(value)}")
    return float(value)


def _find_cycle(stuck, parents):
    """A cycle among the nodes Kahn's algorithm could not order, as [n0, n1, ..., n0]."""
    node, seen = next(iter(stuck)), []
    while node not in seen:  # every stuck node has a stuck parent: walking back must repeat
        seen.append(node)
        node = next(p for p in parents[node] if p in stuck)
    cycle = seen[seen.index(node):]
    return [*reversed(cycle), cycle[-1]]


def topological_order(edges, inputs=()):
    """Nodes sorted so that every edge points forward, grouped by level.

    The level of a node is the length of the longest path from any input to it (inputs are level
    0); nodes are sorted by level, then by first appearance (``inputs`` first, then ``edges``).

    Parameters
    ----------
    edges : sequence of (source, target) pairs (a weight as third entry is ignored)
    inputs : node names listed first (in this order) among level 0

    Returns
    -------
    order : tuple of node names
    levels : dict node -> level

    Raises
    ------
    ValueError naming a cycle if the graph is not acyclic.
    """
    pairs, _ = _parse_edges(edges)
    rank = {}
    for node in [*inputs, *(n for edge in pairs for n in edge)]:
        rank.setdefault(node, len(rank))
    parents = {n: [] for n in rank}
    children = {n: [] for n in rank}
    for source, target in pairs:
        parents[target].append(source)
        children[source].append(target)
    waiting = {n: len(parents[n]) for n in rank}
    level = dict.fromkeys(rank, 0)
    ready = [(rank[n], n) for n in rank if waiting[n] == 0]
    heapq.heapify(ready)
    done = []
    while ready:
        _, node = heapq.heappop(ready)
        done.append(node)
        for child in children[node]:
            level[child] = max(level[child], level[node] + 1)
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (rank[child], child))
    if len(done) < len(rank):
        cycle = _find_cycle({n for n in rank if waiting[n] > 0}, parents)
        raise ValueError(f"the graph has a cycle {' -> '.join(cycle)}; a feed-forward network "
                         f"must be acyclic")
    order = tuple(sorted(rank, key=lambda n: (level[n], rank[n])))
    return order, {n: level[n] for n in order}


def _reaching(children, target):
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


def _sorted_paths(paths, index):
    """Paths sorted from the output side, as the lecture orders ∂y/∂c..., ∂y/∂d..., ∂y/∂e..."""
    return sorted(paths, key=lambda p: [index[n] for n in reversed(p)])


def _all_paths(children, source, target, removed=frozenset()):
    """Every directed path source -> target avoiding ``removed``, as tuples of nodes, in the
    lexicographic order of the children lists."""
    if source in removed or target in removed:
        return []
    useful = _reaching({n: [c for c in cs if c not in removed] for n, cs in children.items()
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


# --- the network --------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class GraphNetwork:
    """A feed-forward network on a directed acyclic graph (lecture: Problem 3, equation (1)).

    Attributes
    ----------
    nodes : tuple of node names in topological order; the inputs come first
    inputs : tuple of input names x_l (in the order of the input vector x)
    output : name of the single output neuron y
    edges : tuple of (source, target) pairs, sorted by (target, source) position in ``nodes``
    W : array of shape (n, n), n = len(nodes); W[i, j] is the weight of edge nodes[j] -> nodes[i]
        (the lecture's v_l for an input, w_u for a neuron); 0 where there is no edge
    b : array of shape (n,); the bias of each neuron (0 for inputs)
    activations : tuple of n activation names (None for inputs)
    levels : tuple of n ints, the longest path from an input to each node
    """

    nodes: tuple
    inputs: tuple
    output: str
    edges: tuple
    W: np.ndarray
    b: np.ndarray
    activations: tuple
    levels: tuple

    @classmethod
    def from_edges(cls, edges, inputs, output, activation="sigmoid", weights=None, biases=None,
                   rng=0, output_activation=None) -> GraphNetwork:
        """Build a network from its edges.

        Parameters
        ----------
        edges : sequence of (source, target) or (source, target, weight) tuples of node names
        inputs : sequence of input names (x_1, x_2, ...), the order of the input vector x
        output : name of the output neuron (the only node without outgoing edges)
        activation : activation name for every neuron, or a mapping neuron -> name
        weights : optional mapping (source, target) -> weight; edges given no weight (here or as a
            third tuple entry) get one drawn from U(-1, 1) (lecture: "Initializing the weights")
        biases : optional mapping neuron -> bias; missing biases are drawn from U(-1, 1)
        rng : int seed or numpy.random.Generator for the weights and biases not given
        output_activation : activation of the output neuron if different (e.g. "linear")

        Returns
        -------
        GraphNetwork
        """
        pairs, given = _parse_edges(edges)
        if isinstance(inputs, str) or not hasattr(inputs, "__iter__"):
            raise TypeError(f"inputs must be a sequence of node names; got {describe(inputs)}")
        inputs = tuple(_check_name("each input", x) for x in inputs)
        if not inputs or len(set(inputs)) != len(inputs):
            raise ValueError(f"inputs must list distinct node names; got {list(inputs)}")
        output = _check_name("output", output)
        order, levels = topological_order(pairs, inputs)
        _check_wiring(pairs, inputs, output, order)
        index = {n: i for i, n in enumerate(order)}
        pairs = sorted(pairs, key=lambda e: (index[e[1]], index[e[0]]))
        neurons = [n for n in order if n not in inputs]
        names = _activation_names(activation, output_activation, neurons, output)

        rng = as_generator(rng)
        drawn_w = rng.uniform(-1.0, 1.0, size=len(pairs))  # drawn in full: same values whatever
        drawn_b = rng.uniform(-1.0, 1.0, size=len(neurons))  # subset is given explicitly
        for edge, w in _mapping("weights", weights, set(pairs), "an edge").items():
            if edge in given:
                raise ValueError(f"edge {edge[0]} -> {edge[1]} has a weight both in edges and in "
                                 f"weights; give it once")
            given[edge] = _number(f"weights[{edge!r}]", w)
        bias = _mapping("biases", biases, set(neurons), "a neuron (inputs have no bias)")
        n = len(order)
        W, b = np.zeros((n, n)), np.zeros(n)
        for k, (source, target) in enumerate(pairs):
            W[index[target], index[source]] = given.get((source, target), drawn_w[k])
        for k, node in enumerate(neurons):
            b[index[node]] = _number(f"biases[{node!r}]", bias[node]) if node in bias \
                else drawn_b[k]
        acts = tuple(names.get(node) for node in order)
        return cls(order, inputs, output, tuple(pairs), W, b, acts,
                   tuple(levels[node] for node in order))

    @classmethod
    def from_network(cls, net, inputs=None, hidden="h", output="y") -> GraphNetwork:
        """The layered ``Network`` with one output as a graph (every layer fully connected).

        Parameters
        ----------
        net : mlpcourse.Network with n_L = 1
        inputs : input names (default x1, x2, ...)
        hidden : prefix of hidden names: layer l, neuron i is f"{hidden}{i}" for one hidden layer,
            f"{hidden}{l}_{i}" for several (numbered from 1 as the lecture does)
        output : name of the output neuron
        """
        if net.sizes[-1] != 1:
            raise ValueError(f"net must have one output neuron to become a GraphNetwork; got "
                             f"{net.sizes[-1]} outputs")
        n0 = net.sizes[0]
        inputs = tuple(inputs) if inputs is not None else tuple(f"x{j + 1}" for j in range(n0))
        if len(inputs) != n0:
            raise ValueError(f"inputs must name the {n0} inputs of net; got {list(inputs)}")
        layers = [list(inputs)]
        for l in range(1, net.L):
            stem = hidden if net.L == 2 else f"{hidden}{l}_"
            layers.append([f"{stem}{i + 1}" for i in range(net.sizes[l])])
        layers.append([output])
        edges, biases, acts = [], {}, {}
        for l in range(1, net.L + 1):
            for i, target in enumerate(layers[l]):
                edges += [(s, target, float(net.W[l][i, j])) for j, s in enumerate(layers[l - 1])]
                biases[target], acts[target] = float(net.b[l][i]), net.activations[l]
        return cls.from_edges(edges, inputs, output, activation=acts, biases=biases)

    # --- views ---------------------------------------------------------------------------------

    @property
    def topological_order(self) -> tuple:
        """The nodes in topological order (every edge points forward); same as ``nodes``."""
        return self.nodes

    @property
    def weights(self) -> dict:
        """Mapping (source, target) -> weight, for every edge."""
        index = self._index
        return {e: float(self.W[index[e[1]], index[e[0]]]) for e in self.edges}

    @property
    def biases(self) -> dict:
        """Mapping neuron -> bias."""
        return {n: float(self.b[i]) for i, n in enumerate(self.nodes) if n not in self.inputs}

    @property
    def _index(self) -> dict:
        return {n: i for i, n in enumerate(self.nodes)}

    def children(self, node) -> list:
        """The nodes ``node`` feeds directly, in topological order."""
        return [t for s, t in sorted(self.edges, key=lambda e: self._index[e[1]]) if s == node]

    def parents(self, node) -> list:
        """The nodes feeding ``node`` directly, in topological order."""
        return [s for s, t in self.edges if t == node]

    def with_weights(self, weights=None, biases=None) -> GraphNetwork:
        """A copy with some weights ({(source, target): w}) and biases ({node: b}) replaced."""
        new_w = {**self.weights, **dict(weights or {})}
        new_b = {**self.biases, **dict(biases or {})}
        acts = {n: a for n, a in zip(self.nodes, self.activations, strict=True) if a is not None}
        unknown = set(new_w) - set(self.edges)
        if unknown:
            raise ValueError(f"weights names edges that are not in the network: {sorted(unknown)}")
        return GraphNetwork.from_edges(self.edges, self.inputs, self.output, activation=acts,
                                       weights=new_w, biases=new_b)

    def __repr__(self) -> str:
        return (f"GraphNetwork(inputs={list(self.inputs)}, output={self.output!r}, "
                f"{len(self.nodes) - len(self.inputs)} neurons, {len(self.edges)} edges)")

    # --- numbers ---------------------------------------------------------------------------------

    def _check_x(self, x):
        x = as_array("x", x, ndim=(1, 2), dtype=np.float64)
        k = len(self.inputs)
        if x.shape[-1] != k:
            raise ValueError(f"x must hold one value per input {list(self.inputs)}: shape ({k},) "
                             f"or (m, {k}); got {describe(x)}")
        return x

    def _forward(self, x):
        """z, a: arrays of shape (m, n) for a (m, k) batch; one level of neurons at a time."""
        X = np.atleast_2d(x)
        n, k = len(self.nodes), len(self.inputs)
        z, a = np.zeros((X.shape[0], n)), np.zeros((X.shape[0], n))
        a[:, :k] = X
        levels = np.asarray(self.levels)
        for level in range(1, levels[-1] + 1):  # nodes are sorted by level: each is a slice
            idx = np.flatnonzero(levels == level)
            z[:, idx] = a @ self.W[idx].T + self.b[idx]
            for name in set(self.activations[i] for i in idx):
                cols = [i for i in idx if self.activations[i] == name]
                a[:, cols] = ACTIVATIONS[name].function(z[:, cols])
        return z, a

    def _unpack(self, values, x, keys):
        """Dict key -> float for a 1-D x, key -> (m,) array for a batch."""
        if x.ndim == 1:
            return {key: float(v) for key, v in zip(keys, values[0], strict=True)}
        return {key: values[:, i].copy() for i, key in enumerate(keys)}

    def forward(self, x) -> dict:
        """Every node's activation, in topological order (lecture: equation (1)).

        Parameters
        ----------
        x : array of shape (k,) (one value per input, in the order of ``inputs``) or (m, k)

        Returns
        -------
        dict node -> activation: floats for one sample, arrays of shape (m,) for a batch; the
        inputs map to their own values.
        """
        x = self._check_x(x)
        return self._unpack(self._forward(x)[1], x, self.nodes)

    def _jacobian(self, x):
        """J of shape (m, n, n): J[:, i, j] = ∂node_i/∂node_j = g'(z_i) W[i, j] along each edge."""
        z, _ = self._forward(x)
        g_prime = np.ones_like(z)
        for name in set(self.activations) - {None}:
            cols = [i for i, a in enumerate(self.activations) if a == name]
            g_prime[:, cols] = ACTIVATIONS[name].derivative(z[:, cols])
        return g_prime[:, :, None] * self.W[None]

    def local_derivatives(self, x) -> dict:
        """∂target/∂source along every edge at x: g'(z_target) times the edge's weight.

        These are the lecture's ∂q1/∂q2 (q2 a direct input of q1) and ∂q/∂x_l.

        Parameters
        ----------
        x : array of shape (k,) or (m, k)

        Returns
        -------
        dict (source, target) -> float (or (m,) array for a batch)
        """
        x = self._check_x(x)
        J, index = self._jacobian(x), self._index
        values = np.stack([J[:, index[t], index[s]] for s, t in self.edges], axis=1)
        return self._unpack(values, x, self.edges)

    def backward(self, x) -> dict:
        """dy/d(node) for every node by reverse accumulation (backpropagation on a graph).

        In reverse topological order, dy/du = Σ_{q: u -> q} dy/dq · ∂q/∂u, starting from
        dy/dy = 1; for the inputs this gives dy/dx_l. Nodes of one level are done together.

        Parameters
        ----------
        x : array of shape (k,) or (m, k)

        Returns
        -------
        dict node -> dy/d(node): floats for one sample, (m,) arrays for a batch
        """
        x = self._check_x(x)
        J = self._jacobian(x)
        grad = np.zeros(J.shape[:2])
        grad[:, self._index[self.output]] = 1.0
        levels = np.asarray(self.levels)
        for level in range(levels[-1] - 1, -1, -1):  # the output alone has the top level
            idx = np.flatnonzero(levels == level)
            grad[:, idx] = np.einsum("mq,mqi->mi", grad, J[:, :, idx])
        return self._unpack(grad, x, self.nodes)

    def gradient(self, x):
        """dy/dx as an array of shape (k,) (or (m, k)), in the order of ``inputs``."""
        x = self._check_x(x)
        grads = self.backward(x)
        return np.stack([np.asarray(grads[n]) for n in self.inputs], axis=-1)

    # --- paths and the chain rule ----------------------------------------------------------------

    def _children_map(self):
        index = self._index
        children = {n: [] for n in self.nodes}
        for s, t in sorted(self.edges, key=lambda e: (index[e[0]], index[e[1]])):
            children[s].append(t)
        return children

    def _check_node(self, what, node):
        if node not in self._index:
            raise ValueError(f"unknown {what} {node!r}; nodes are {list(self.nodes)}")
        return node

    def paths(self, output, source) -> list:
        """Every directed path from ``source`` to ``output`` (lecture: "sequences of partial
        derivatives along the edges").

        Parameters
        ----------
        output, source : node names (usually the output y and an input x_l)

        Returns
        -------
        list of tuples (source, ..., output), sorted output side first (by the topological
        position of the node before the output, then the one before it, ...), the order in which
        the lecture writes its sums
        """
        output, source = self._check_node("output", output), self._check_node("source", source)
        return _sorted_paths(_all_paths(self._children_map(), source, output), self._index)

    def path_sum(self, output, source) -> PathSum:
        """The chain rule for ∂output/∂source as a sum over paths (lecture: Problem 3).

        Parameters
        ----------
        output, source : node names

        Returns
        -------
        PathSum: ``.expanded`` and ``.factored`` sympy expressions in symbols ∂q1/∂q2, ``.paths``,
        ``.to_latex()``, ``.evaluate(local_derivatives)``.
        """
        paths = self.paths(output, source)
        if not paths:
            raise ValueError(f"there is no path from {source!r} to {output!r}: "
                             f"∂{output}/∂{source} = 0")
        tree = _factor(self._children_map(), self._index, source, output, frozenset())
        return PathSum(output, source, tuple(paths), tree)


def _check_wiring(pairs, inputs, output, order):
    targets = {t for _, t in pairs}
    sources = {s for s, _ in pairs}
    if output not in targets:
        raise ValueError(f"unknown output {output!r}: no edge ends there; nodes are {list(order)}")
    if output in sources:
        child = next(t for s, t in pairs if s == output)
        raise ValueError(f"output {output!r} must have no outgoing edges; got {output} -> {child}")
    for x in inputs:
        if x in targets:
            parent = next(s for s, t in pairs if t == x)
            raise ValueError(f"input {x!r} cannot have incoming edges; got {parent} -> {x}")
        if x not in sources:
            raise ValueError(f"unknown input {x!r}: no edge starts there; nodes are {list(order)}")
    for node in order:
        if node not in inputs and node not in targets:
            raise ValueError(f"node {node!r} has no incoming edges: list it in inputs if it is a "
                             f"network input; inputs are {list(inputs)}")
    children = {n: [] for n in order}
    for s, t in pairs:
        children[s].append(t)
    feeding = _reaching(children, output)
    dead = [n for n in order if n not in feeding]
    if dead:
        raise ValueError(f"node {dead[0]!r} has no path to the output {output!r}; every node of "
                         f"a feed-forward network must feed the output")


def _mapping(name, values, allowed, what):
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise TypeError(f"{name} must be a mapping or None; got {describe(values)}")
    for key in values:
        if key not in allowed:
            raise ValueError(f"{name} has an entry for {key!r}, which is not {what} of the "
                             f"network")
    return dict(values)


def _activation_names(activation, output_activation, neurons, output):
    def check(what, name):
        choice(what, name, ACTIVATIONS)
        if name == "softmax":
            raise ValueError(f"{what} cannot be 'softmax': it normalises a whole layer, and a "
                             f"graph neuron is a single unit")
        return name

    if isinstance(activation, Mapping):
        names = _mapping("activation", activation, set(neurons), "a neuron")
        missing = [n for n in neurons if n not in names and not (n == output and output_activation)]
        if missing:
            raise ValueError(f"activation has no entry for the neurons {missing}")
    else:
        names = dict.fromkeys(neurons, activation)
    if output_activation is not None:
        names[output] = output_activation
    return {n: check(f"activation of {n!r}", names[n]) for n in neurons}


# --- symbolic path sums -------------------------------------------------------------------------

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


def _factor(children, index, source, target, removed):
    """The sum over all paths source -> target (avoiding ``removed``) with shared nodes factored.

    The interior node v on most paths splits them: paths through v give (Σ v -> target) ·
    (Σ source -> v), exactly, since any path to v joins any path from v in an acyclic graph; the
    paths avoiding v are factored the same way with v removed. Ties go to the node nearer the
    output. This reproduces the lecture's ((a + b)c + ...) groupings.
    """
    paths = _all_paths(children, source, target, removed)
    if len(paths) == 1:
        return _product(paths[0])
    counts = {}
    for path in paths:
        for node in path[1:-1]:
            counts[node] = counts.get(node, 0) + 1
    if not counts or max(counts.values()) < 2:
        return _join("sum", [_product(p) for p in _sorted_paths(paths, index)])
    v = max(counts, key=lambda n: (counts[n], index[n]))
    through = _join("prod", [_factor(children, index, v, target, removed),
                             _factor(children, index, source, v, removed)])
    if counts[v] == len(paths):
        return through
    return _join("sum", [_factor(children, index, source, target, removed | {v}), through])


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


# --- the lecture's network ----------------------------------------------------------------------

def problem3(activation="sigmoid", weights=None, biases=None, rng=0,
             output_activation=None) -> GraphNetwork:
    """The network of the lecture's Problem 3: inputs x1, x2; neurons a, b, c, d, e; output y.

    The figure is lost; the edges ``PROBLEM3_EDGES`` are the only wiring consistent with the
    lecture's solutions 3a and 3b (every edge appears in one of their path products, and any extra
    edge would add a path they do not have). Weights and biases not given are drawn from U(-1, 1).
    """
    return GraphNetwork.from_edges(PROBLEM3_EDGES, ("x1", "x2"), "y", activation=activation,
                                   weights=weights, biases=biases, rng=rng,
                                   output_activation=output_activation)


def problem3_solution() -> dict:
    """The lecture's final expressions for Problem 3 as sympy expressions, typed from the slides.

    Returns
    -------
    dict "x2" -> solution 3a (last line), "x1" -> solution 3b (last line)
    """
    D = partial_symbol
    return {
        "x2": D("y", "c") * D("c", "x2") + D("y", "d") * D("d", "x2")
        + D("y", "e") * D("e", "d") * D("d", "x2"),
        "x1": D("y", "c") * D("c", "a") * D("a", "x1")
        + (D("y", "d") + D("y", "e") * D("e", "d"))
        * (D("d", "a") * D("a", "x1") + D("d", "b") * D("b", "x1")),
    }
