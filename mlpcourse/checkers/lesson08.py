"""Checks for lesson 8 (the lecture's quiz): Q1 on the lesson's network, the written questions Q2,
Q3 and Q4 as choices, and Problem 3 (the chain rule on a network that is not layered).

Expected values come from the engine: ``forward``, ``backward`` and ``update`` for Q1 (on the
network the lesson defines, :func:`q1_network`), and :mod:`mlpcourse.graph` for Problem 3
(``GraphNetwork.backward`` by reverse accumulation, ``PathSum.evaluate``, ``GraphNetwork.paths``).
"""

from __future__ import annotations

import numpy as np

from .. import graph
from ..network import Network, backward, forward, init_network, update
from .core import Case, Task, compare_parts
from .helpers import FRESH, choice_task, compare_choices, describe_short

GRAPH = ("mlpcourse.graph",)

__all__ = [
    "check_find_paths",
    "check_problem3_gradient",
    "check_q1_forward",
    "check_q1_output_step",
    "check_quiz_q2",
    "check_quiz_q3",
    "check_quiz_q4a",
    "check_quiz_q4b",
]


# --- Q1: the lesson's network --------------------------------------------------------------------

def q1_network() -> Network:
    """The network of lesson 8's Q1 (the lecture's figure is lost; the lesson designed this one):
    inputs x_1, x_2; hidden sigmoid neurons h_1, h_2, h_3; one linear output.

    Returns
    -------
    Network with W[1] (3, 2), b[1] (3,), W[2] (1, 3), b[2] (1,), activations sigmoid, linear
    """
    return Network.from_weights(
        W=[[[0.5, -0.4], [0.3, 0.8], [-0.6, 0.2]], [[0.7, -0.5, 0.9]]],
        b=[[0.1, -0.2, 0.3], [0.2]],
        activations=["sigmoid", "linear"])


Q1_INPUTS = ((2.0, -1.0), (0.0, 0.0), (0.5, 0.1), (-3.0, 4.0))


def _q1_forward_cases(rng):
    net = q1_network()
    cases = []
    for x in Q1_INPUTS:
        y_hat, cache = forward(net, np.array(x))
        expected = (cache.a[1][1], cache.a[1][2], y_hat[0])
        note = " (the lecture's input)" if x == Q1_INPUTS[0] else ""
        cases.append(Case(f"x = ({x[0]:g}, {x[1]:g}){note}", (np.array(x),), expected,
                          compare=compare_parts(["h2", "h3", "y_hat"])))
    if rng is not None:
        for x in np.round(rng.uniform(-4, 4, size=(2, 2)), 2):
            y_hat, cache = forward(net, x)
            cases.append(Case(f"x = ({x[0]:g}, {x[1]:g}) {FRESH}", (x,),
                              (cache.a[1][1], cache.a[1][2], y_hat[0]),
                              compare=compare_parts(["h2", "h3", "y_hat"])))
    return cases


Q1_FORWARD = Task("q1_forward", _q1_forward_cases, call="errstate", references=())


def check_q1_forward(q1_forward):
    """Q1 a to c: h_2, h_3 (sigmoid hidden neurons, counted from 1 as in the lecture) and the linear
    output ŷ of the lesson's Q1 network. ``q1_forward(x)``: x (2,); returns (h2, h3, y_hat),
    three numbers."""
    return Q1_FORWARD.check(q1_forward)


def _q1_output_step_cases(rng):
    net = q1_network()
    cases = []
    for x, t, eta in [((2.0, -1.0), 1.0, 0.1), ((0.5, 0.1), 0.0, 0.5), ((-1.0, 2.0), -0.5, 0.01)]:
        x = np.array(x)
        stepped = update(net, backward(net, forward(net, x)[1], t, loss="mse"), eta=eta)
        note = " (the lesson's part d)" if eta == 0.1 else ""
        cases.append(Case(f"x = ({x[0]:g}, {x[1]:g}), t = {t:g}, eta = {eta:g}{note}",
                          (x, t, eta), (stepped.W[2][0], stepped.b[2][0]),
                          compare=compare_parts(["w2_new", "b2_new"])))
    if rng is not None:
        for _ in range(2):
            x, t = np.round(rng.uniform(-3, 3, size=2), 2), float(np.round(rng.normal(), 2))
            eta = float(np.round(rng.uniform(0.01, 0.5), 3))
            stepped = update(net, backward(net, forward(net, x)[1], t, loss="mse"), eta=eta)
            cases.append(Case(f"x = ({x[0]:g}, {x[1]:g}), t = {t:g}, eta = {eta:g} {FRESH}",
                              (x, t, eta), (stepped.W[2][0], stepped.b[2][0]),
                              compare=compare_parts(["w2_new", "b2_new"])))
    return cases


Q1_OUTPUT_STEP = Task("q1_output_step", _q1_output_step_cases, call="errstate", references=())


def check_q1_output_step(q1_output_step):
    """Q1 d (the lesson's addition): one gradient-descent step on L = (ŷ - t)^2 for the output
    layer of the Q1 network, δ^(2) = 2 (ŷ - t), w_1i^(2) ← w_1i^(2) - η δ^(2) h_i,
    b_1^(2) ← b_1^(2) - η δ^(2). ``q1_output_step(x, t, eta)`` returns (w2_new (3,), b2_new)."""
    return Q1_OUTPUT_STEP.check(q1_output_step)


# --- Q2, Q3, Q4: written questions as choices ----------------------------------------------------

Q2_QUESTION = "What is the primary purpose of the activation function in a neural network?"
Q2_OPTIONS = {
    "a": "To introduce non-linearity, so that the network can represent non-linear functions",
    "b": "To scale the inputs to zero mean and unit variance",
    "c": "To compute the loss between the prediction and the target",
    "d": "To choose the initial weights",
}
Q2_WHY_NOT = {
    "b": "that is standardisation of the data, done before training, not by the neurons",
    "c": "the loss function does that (MSE or cross-entropy), after the output layer",
    "d": "initialisation draws random weights (the lecture: between -1 and 1); no activation "
         "function is involved",
}

Q3_QUESTION = "In the context of neural networks, what is the chain rule used for?"
Q3_OPTIONS = {
    "a": "To compute the forward pass, layer after layer",
    "b": "To compute the gradient of the loss with respect to every weight and bias "
         "(backpropagation)",
    "c": "To choose the learning rate",
    "d": "To connect every neuron of a layer to every neuron of the next",
}
Q3_WHY_NOT = {
    "a": "the forward pass composes the layers; the chain rule differentiates that composition",
    "c": "the learning rate η is chosen by us (or tuned on validation data), not derived",
    "d": "that is full connectivity, a choice of architecture",
}

Q4A_QUESTION = "Which of these are activation functions? (all that apply)"
Q4A_OPTIONS = {
    "a": "ReLU", "b": "sigmoid (logistic)", "c": "mean squared error", "d": "tanh",
    "e": "softmax", "f": "gradient descent",
}
Q4A_WHY_NOT = {
    "c": "mean squared error is a loss function",
    "f": "gradient descent is the training algorithm",
}

Q4B_QUESTION = ("Which activation is zero-centred and often used instead of sigmoid to help with "
                "vanishing gradients?")
Q4B_OPTIONS = {"a": "sigmoid", "b": "tanh", "c": "ReLU", "d": "step"}
Q4B_WHY_NOT = {
    "a": "sigmoid outputs lie in (0, 1) with mean about 0.5, so it is not zero-centred, and "
         "σ'(z) <= 1/4 shrinks every gradient passing through it",
    "c": "ReLU mitigates vanishing gradients best (slope 1 for z > 0), but it is not zero-centred: "
         "its outputs are never negative",
    "d": "the step's derivative is 0 wherever it exists: no gradient at all",
}


QUIZ_Q2 = choice_task(
    "quiz_q2", Q2_OPTIONS, Q2_WHY_NOT, "a",
    "right: without a non-linear g every layer is linear, and W2 (W1 x + b1) + b2 = (W2 W1) x "
    "+ (W2 b1 + b2) is one linear layer", verdict="is not the primary purpose")


def check_quiz_q2(quiz_q2):
    """The lecture's Q2: "What is the primary purpose of the activation function in a neural
    network?" ``quiz_q2()`` returns one letter of :data:`Q2_OPTIONS`."""
    return QUIZ_Q2.check(quiz_q2)


QUIZ_Q3 = choice_task(
    "quiz_q3", Q3_OPTIONS, Q3_WHY_NOT, "b",
    "right: the network is a composition of functions; dL/dw is a product of local derivatives "
    "along it, computed from the output back", verdict="is not what the chain rule is used for")


def check_quiz_q3(quiz_q3):
    """The lecture's Q3: "In the context of neural networks, what is the chain rule used for?"
    ``quiz_q3()`` returns one letter of :data:`Q3_OPTIONS`."""
    return QUIZ_Q3.check(quiz_q3)


QUIZ_Q4A = Task("quiz_q4a", lambda rng: [
    Case("quiz_q4a()", (), {"a", "b", "d", "e"},
         compare=compare_choices(Q4A_OPTIONS, Q4A_WHY_NOT, "is not an activation function"))])


def check_quiz_q4a(quiz_q4a):
    """The lecture's Q4, first part ("Name 4 activation functions"): ``quiz_q4a()`` returns the
    letters of every activation function among :data:`Q4A_OPTIONS` (a string such as "ab" or a
    list of letters)."""
    return QUIZ_Q4A.check(quiz_q4a)


QUIZ_Q4B = choice_task(
    "quiz_q4b", Q4B_OPTIONS, Q4B_WHY_NOT, "b",
    "right, with a caveat: tanh is zero-centred and tanh'(0) = 1, four times σ'(0), so gradients "
    "shrink less than with sigmoid; but it still saturates for large |z| (the lecture also lists "
    "it under 'cause the problem'), and ReLU, which is not zero-centred, is the usual cure in "
    "deep networks", verdict="is not the expected answer")


def check_quiz_q4b(quiz_q4b):
    """The lecture's Q4, second part: the zero-centred activation often used against vanishing
    gradients. ``quiz_q4b()`` returns one letter of :data:`Q4B_OPTIONS`."""
    return QUIZ_Q4B.check(quiz_q4b)


# --- Problem 3: the path sum ---------------------------------------------------------------------

def _gradient_case(description, net, x):
    grads = net.backward(x)
    return Case(description, (net.local_derivatives(x),), (grads["x1"], grads["x2"]),
                compare=compare_parts(["dy/dx1", "dy/dx2"]))


def _problem3_gradient_cases(rng):
    fixed = np.random.default_rng(80)
    cases = [
        _gradient_case("sigmoid network (graph.problem3(rng=0)) at x = (2, -1)",
                       graph.problem3("sigmoid", rng=0), np.array([2.0, -1.0])),
        _gradient_case("tanh network (rng=1) at a random x", graph.problem3("tanh", rng=1),
                       fixed.normal(size=2)),
        _gradient_case("tanh network (rng=2) with a linear output at a random x",
                       graph.problem3("tanh", rng=2, output_activation="linear"),
                       fixed.normal(size=2)),
        _gradient_case("sigmoid network (rng=3), a batch of 5 points: (5,) arrays",
                       graph.problem3("sigmoid", rng=3), fixed.normal(size=(5, 2))),
    ]
    local = {edge: float(v) for edge, v in
             zip(graph.PROBLEM3_EDGES, fixed.normal(size=len(graph.PROBLEM3_EDGES)), strict=True)}
    net = graph.problem3()
    expected = tuple(net.path_sum("y", x).evaluate(local) for x in ("x1", "x2"))
    cases.append(Case("random numbers as local derivatives (any values must work)", (local,),
                      expected, compare=compare_parts(["dy/dx1", "dy/dx2"])))
    if rng is not None:
        for activation in ("sigmoid", "tanh"):
            x = rng.normal(size=(int(rng.integers(1, 4)), 2))
            seed = int(rng.integers(2**31))
            cases.append(_gradient_case(f"a {activation} network (rng={seed}) at random points "
                                        f"{FRESH}", graph.problem3(activation, rng=seed), x))
        local = {edge: float(v) for edge, v in
                 zip(graph.PROBLEM3_EDGES, rng.normal(size=len(graph.PROBLEM3_EDGES)),
                     strict=True)}
        expected = tuple(net.path_sum("y", x).evaluate(local) for x in ("x1", "x2"))
        cases.append(Case(f"random local derivatives {FRESH}", (local,), expected,
                          compare=compare_parts(["dy/dx1", "dy/dx2"])))
    return cases


PROBLEM3_GRADIENT = Task(
    "problem3_gradient", _problem3_gradient_cases, call="errstate", references=GRAPH)


def check_problem3_gradient(problem3_gradient):
    """Problem 3: ∂y/∂x1 and ∂y/∂x2 as sums over paths of products of local derivatives (the
    lecture's solutions 3a and 3b). ``problem3_gradient(local)``: ``local[(q2, q1)]`` is
    ∂q1/∂q2 along the edge q2 -> q1, as ``graph.problem3().local_derivatives(x)`` returns it;
    returns (dy_dx1, dy_dx2), numbers (or (m,) arrays when the local derivatives are)."""
    return PROBLEM3_GRADIENT.check(problem3_gradient)


# --- Problem 3: the paths themselves -------------------------------------------------------------

def _arrow(path) -> str:
    return "→".join(str(n) for n in path)


def _compare_paths(edges, source, target):
    edge_set = set(edges)

    def compare(got, expected):
        if not isinstance(got, list | tuple):
            return f"expected a list of paths (tuples of node names); got {describe_short(got)}"
        paths = []
        for path in got:
            if isinstance(path, str) or not isinstance(path, list | tuple) or len(path) < 2:
                return f"each path must be a tuple of at least two node names; got {path!r}"
            paths.append(tuple(path))
        for path in paths:
            if path[0] != source or path[-1] != target:
                return f"the path {_arrow(path)} does not lead from {source!r} to {target!r}"
            for step in zip(path[:-1], path[1:], strict=True):
                if step not in edge_set:
                    return (f"the path {_arrow(path)} uses {step[0]}→{step[1]}, which is not an "
                            f"edge of the graph")
        if len(set(paths)) != len(paths):
            twice = next(p for p in paths if paths.count(p) > 1)
            return f"the path {_arrow(twice)} is listed twice"
        if set(paths) != set(expected):
            return f"all {len(paths)} paths returned are right, but some paths are missing"
        return None

    return compare


def _paths_case(description, net, source, target, edges=None, order=None):
    edges = list(edges if edges is not None else net.edges)
    if order is not None:
        edges = [edges[i] for i in order]
    expected = [tuple(p) for p in net.paths(target, source)]
    return Case(description, (edges, source, target), expected,
                compare=_compare_paths(edges, source, target))


def _find_paths_cases(rng):
    fixed = np.random.default_rng(81)
    p3 = graph.problem3()
    layered = graph.GraphNetwork.from_network(init_network([2, 3, 2, 1], ["sigmoid"] * 3, rng=0),
                                              hidden="h")
    cases = [
        _paths_case("Problem 3's edges, from 'x1' to 'y'", p3, "x1", "y"),
        _paths_case("Problem 3's edges, from 'x2' to 'y'", p3, "x2", "y"),
        _paths_case("Problem 3's edges in shuffled order, from 'a' to 'y'", p3, "a", "y",
                    order=fixed.permutation(len(p3.edges))),
        _paths_case("a layered 2-3-2-1 network (hidden h1_1 ... h2_2), from 'x2' to 'y'",
                    layered, "x2", "y"),
        _paths_case("Problem 3's edges, from 'c' to 'd' (no path)", p3, "c", "d"),
    ]
    if rng is not None:
        sizes = [int(n) for n in rng.integers(1, 4, size=int(rng.integers(3, 5)))]
        sizes[-1] = 1
        layered = graph.GraphNetwork.from_network(
            init_network(sizes, ["sigmoid"] * (len(sizes) - 1), rng=0), hidden="h")
        source = f"x{int(rng.integers(1, sizes[0] + 1))}"
        cases.append(_paths_case(f"a layered {'-'.join(map(str, sizes))} network, edges in "
                                 f"shuffled order, from {source!r} to 'y' {FRESH}", layered,
                                 source, "y", order=rng.permutation(len(layered.edges))))
        start = str(rng.choice(["x1", "x2", "a", "b"]))
        cases.append(_paths_case(f"Problem 3's edges in shuffled order, from {start!r} to 'y' "
                                 f"{FRESH}", p3, start, "y",
                                 order=rng.permutation(len(p3.edges))))
    return cases


FIND_PATHS = Task("find_paths", _find_paths_cases, references=GRAPH)


def check_find_paths(find_paths):
    """Every directed path from ``source`` to ``target`` in a graph given by its edges (the
    lecture's Problem 3: "the sequences of partial derivatives along the edges").
    ``find_paths(edges, source, target)``: edges a list of (source, target) pairs; returns a list
    of paths, each a tuple (source, ..., target), in any order; [] if there is none."""
    return FIND_PATHS.check(find_paths)


TASKS = [Q1_FORWARD, Q1_OUTPUT_STEP, QUIZ_Q2, QUIZ_Q3, QUIZ_Q4A, QUIZ_Q4B, PROBLEM3_GRADIENT,
         FIND_PATHS]
