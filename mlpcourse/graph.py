"""Feed-forward networks that are not layered (lecture: Quiz, Problem 3).

Every neuron q computes g(b + Σ_l v_l x_l + Σ_u w_u u) from any earlier nodes, so a network is a
directed acyclic graph whose edges carry weights. The derivative of the output y with respect to
an input x is the chain rule summed over every directed path from x to y,

    ∂y/∂x = Σ_paths Π_edges ∂q1/∂q2,

which :meth:`GraphNetwork.path_sum` writes out symbolically (a :class:`~mlpcourse.pathsum.PathSum`;
sympy, imported only there) and :meth:`GraphNetwork.backward` computes numerically by reverse
accumulation (backpropagation). The path-sum algebra lives in :mod:`mlpcourse.pathsum`; its names
(``PathSum``, ``partial_symbol``, ``paths_from_expression``, ...) are importable from here too.

Nodes are strings; an edge is a pair ``(source, target)``: the weight w (or v for an input) with
which ``source`` enters ``target``. Internally W[i, j] is the weight from node j into node i, with
nodes numbered in topological order (inputs first), as ``Network.W[l][i, j]`` is for layers.
"""

from __future__ import annotations

import heapq
import numbers
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._validation import as_array, as_generator, choice, describe
from .activations import ACTIVATIONS
from .pathsum import (  # the path-sum algebra; re-exported here, where the lessons look for it
    PathSum,
    all_paths,
    factor,
    latex_node,
    partial_latex,
    partial_symbol,
    paths_from_expression,
    reaching,
    sorted_paths,
)

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
        return sorted_paths(all_paths(self._children_map(), source, output), self._index)

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
        tree = factor(self._children_map(), self._index, source, output)
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
    feeding = reaching(children, output)
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


__all__ = ["PROBLEM3_EDGES", "GraphNetwork", "PathSum", "latex_node", "partial_latex",
           "partial_symbol", "paths_from_expression", "problem3", "problem3_solution",
           "topological_order"]
