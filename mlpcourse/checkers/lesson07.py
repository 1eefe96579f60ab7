"""Checks for lesson 7 (vanishing gradients): the student measures the gradient of every layer,
the (1/4)^k ceiling on a product of sigmoid derivatives, the share of saturated units, the ratio
of the first layer's gradient to the last layer's, and the factor by which each layer shrinks δ,
and answers the lecture's two activation questions (why ReLU helps; tanh's mixed record).

Every expected value comes from the engine: :mod:`mlpcourse.diagnostics` (``gradient_norms``,
``saturation``, ``backward_factors``, ``MAX_DERIVATIVE``) on the same networks and data.
"""

from __future__ import annotations

import numpy as np

from .. import datasets, diagnostics
from ..network import Network, backward, forward, init_network
from .core import Case, Task, compare_numbers
from .helpers import FRESH, choice_task, describe_network, guarded, network_spec

REFERENCES = ("mlpcourse.diagnostics",)

__all__ = [
    "check_answer_relu",
    "check_answer_tanh",
    "check_delta_factors",
    "check_first_last_ratio",
    "check_gradient_norms",
    "check_saturated_fraction",
    "check_sigmoid_bound",
]


def _problems():
    """Small networks with their data: (network, X, y, loss name), non-square weights throughout
    so that a transposed matrix cannot pass by accident."""
    rng = np.random.default_rng(7)
    X2, y2 = datasets.moons(12, noise=0.1, rng=7)
    X3 = rng.normal(size=(9, 3))
    y3 = np.column_stack([X3[:, 0] - X3[:, 1], X3[:, 2] ** 2])
    X4, y4 = rng.normal(size=(10, 4)), rng.integers(0, 3, size=10)
    return {
        "small": (init_network([2, 3, 1], ["sigmoid", "sigmoid"], method="uniform", rng=1),
                  X2, y2, "binary_cross_entropy"),
        "deep sigmoid": (diagnostics.deep_network(6, width=8, activation="sigmoid",
                                                  init="xavier", rng=2), X2, y2,
                         "binary_cross_entropy"),
        "relu mse": (init_network([3, 6, 5, 2], ["relu", "relu", "linear"], method="he", rng=3),
                     X3, y3, "mse"),
        "tanh softmax": (init_network([4, 5, 7, 3], ["tanh", "tanh", "softmax"],
                                      method="xavier", rng=4), X4, y4, "cross_entropy"),
        "one layer": (init_network([2, 1], ["sigmoid"], method="uniform", rng=5), X2, y2,
                      "binary_cross_entropy"),
    }


def _describe(net, X, loss):
    return f"{describe_network(net)}, {loss}, m = {len(X)}"


# --- Task 1: per-layer gradient norms ---------------------------------------------------------

def _random_problem(rng):
    """A fresh small network and batch: sigmoid or tanh hidden layers, and one of the three
    output layers with its loss."""
    kind = str(rng.choice(["bce", "mse", "ce"]))
    out, last, loss = {"bce": (1, "sigmoid", "binary_cross_entropy"), "mse": (2, "linear", "mse"),
                       "ce": (3, "softmax", "cross_entropy")}[kind]
    hidden = [int(n) for n in rng.integers(2, 7, size=int(rng.integers(1, 5)))]
    sizes = [int(rng.integers(2, 5)), *hidden, out]
    activation = str(rng.choice(["sigmoid", "tanh"]))
    net = init_network(sizes, [activation] * len(hidden) + [last], method="xavier",
                       rng=int(rng.integers(2**31)))
    m = int(rng.integers(3, 12))
    X = rng.normal(size=(m, sizes[0]))
    y = {"bce": lambda: rng.integers(0, 2, size=m).astype(float),
         "mse": lambda: rng.normal(size=(m, 2)),
         "ce": lambda: rng.integers(0, 3, size=m)}[kind]()
    return net, X, y, loss


def _norms_case(key, per_weight, problems):
    net, X, y, loss = problems[key]
    grads = backward(net, forward(net, X)[1], y, loss)
    parts = ([w for w in grads.W[1:]], [v for v in grads.b[1:]], [d for d in grads.delta[1:]])
    expected = diagnostics.gradient_norms(net, X, y, loss=loss, per_weight=per_weight)
    shapes = ", ".join(f"W[{l}] {net.W[l].shape}" for l in range(1, net.L + 1))
    shapes = f" ({shapes})" if net.L <= 3 else ""
    return Case(f"the gradients of {describe_network(net)}{shapes}, per_weight={per_weight}",
                (parts,), expected, kwargs={"per_weight": per_weight},
                compare=guarded(_relative))


def _relative(got, expected):
    """compare_numbers with a relative tolerance only: the norms here span many decades, and an
    absolute tolerance of 1e-8 would accept 0 for a vanished gradient."""
    return compare_numbers(got, expected, rtol=1e-6, atol=0.0)


def _gradient_norms_cases(rng):
    problems = _problems()
    cases = [_norms_case("small", False, problems),
             _norms_case("relu mse", False, problems),
             _norms_case("tanh softmax", True, problems),
             _norms_case("deep sigmoid", True, problems),
             _norms_case("one layer", False, problems)]
    if rng is not None:
        for per_weight in (False, True):
            cases.append(_norms_case("random", per_weight, {"random": _random_problem(rng)}))
            cases[-1].description += f" {FRESH}"
    return cases


GRADIENT_NORMS = Task(
    "gradient_norms", _gradient_norms_cases, call="gradients", references=REFERENCES)


def check_gradient_norms(gradient_norms):
    """||dL/dW^(l)|| (Frobenius) for l = 1..L from an ``mc.Gradients``, as an array of shape (L,);
    with ``per_weight=True`` each divided by sqrt(number of entries of W^(l)), the root mean
    square entry (lesson 7, section 1)."""
    return GRADIENT_NORMS.check(gradient_norms)


# --- Task 2: the (1/4)^k ceiling --------------------------------------------------------------

def _sigmoid_bound_cases(rng):
    top = diagnostics.MAX_DERIVATIVE["sigmoid"]
    ks = np.array([1, 2, 5, 9, 20])
    cases = [Case("k = 1", (1,), top ** 1, atol=0.0),
             Case("k = 9 (a 10-layer network)", (9,), top ** 9, atol=0.0),
             Case("k = 0 (no layer in between)", (0,), top ** 0, atol=0.0),
             Case("k = [1, 2, 5, 9, 20] (an array)", (ks,), top ** ks.astype(float), atol=0.0),
             Case("k = 40", (40,), top ** 40, atol=0.0)]
    if rng is not None:
        k = int(rng.integers(3, 60))
        cases.append(Case(f"k = {k} {FRESH}", (k,), top ** k, atol=0.0))
        ks = rng.integers(0, 40, size=int(rng.integers(2, 7)))
        cases.append(Case(f"k = {list(map(int, ks))} (an array) {FRESH}", (ks,),
                          top ** ks.astype(float), atol=0.0))
    return cases


SIGMOID_BOUND = Task("sigmoid_bound", _sigmoid_bound_cases, references=REFERENCES)


def check_sigmoid_bound(sigmoid_bound):
    """The largest possible product of k sigmoid derivatives, (max σ')^k = (1/4)^k, for an int k
    >= 0 or an array of them (lesson 7, section 2)."""
    return SIGMOID_BOUND.check(sigmoid_bound)


# --- Task 3: saturation -----------------------------------------------------------------------

def _saturation_expected(z, activation, threshold):
    """diagnostics.saturation on a network whose first hidden layer reproduces ``z`` exactly
    (identity weights, zero biases)."""
    z2 = np.atleast_2d(z).astype(float)
    n = z2.shape[1]
    net = Network.from_weights([np.eye(n), np.ones((1, n))], [np.zeros(n), np.zeros(1)],
                               [activation, "linear"])
    return float(diagnostics.saturation(net, z2, threshold=threshold).fraction[0])


def _saturation_case(description, z, activation, threshold=None):
    kwargs = {} if threshold is None else {"threshold": threshold}
    expected = _saturation_expected(z, activation, 0.01 if threshold is None else threshold)
    return Case(f"{description}, activation = {activation!r}"
                + ("" if threshold is None else f", threshold = {threshold}"),
                (z, activation), expected, kwargs=kwargs)


def _saturated_fraction_cases(rng):
    fixed = np.random.default_rng(17)
    grid = np.array([-10.0, -5.0, 0.0, 5.0, 10.0])
    cases = [
        _saturation_case("z = [-10, -5, 0, 5, 10]", grid, "sigmoid"),
        _saturation_case("z of shape (6, 4), spread 3", fixed.normal(0, 3, size=(6, 4)), "tanh"),
        _saturation_case("z = [-2, 0, 1e-9, 3] (ReLU at z = 0)",
                         np.array([-2.0, 0.0, 1e-9, 3.0]), "relu"),
        _saturation_case("z = [-10, -5, 0, 5, 10]", grid, "sigmoid", threshold=0.1),
        _saturation_case("z = [-1000, -3, 0.5, 2.5, 1000] (no overflow)",
                         np.array([-1000.0, -3.0, 0.5, 2.5, 1000.0]), "tanh"),
        _saturation_case("z of shape (5, 3), spread 6", fixed.normal(0, 6, size=(5, 3)),
                         "sigmoid", threshold=0.05),
    ]
    if rng is not None:
        for activation in ("sigmoid", "tanh", "relu"):
            z = rng.normal(0.0, float(rng.uniform(1, 8)),
                           size=tuple(int(n) for n in rng.integers(1, 8, size=2)))
            threshold = None if rng.uniform() < 0.5 else float(np.round(rng.uniform(0.01, 0.3), 2))
            cases.append(_saturation_case(f"random z of shape {z.shape} {FRESH}", z, activation,
                                          threshold))
    return cases


SATURATED_FRACTION = Task("saturated_fraction", _saturated_fraction_cases, references=REFERENCES)


def check_saturated_fraction(saturated_fraction):
    """The share of entries of z with g'(z) < threshold x max g' (default threshold 0.01; max g'
    is 1/4 for sigmoid, 1 for tanh and ReLU), for z of any shape (lesson 7, section 5)."""
    return SATURATED_FRACTION.check(saturated_fraction)


# --- Tasks 4 and 5: measured on whole networks ------------------------------------------------

def _network_case(key, problems, expected_of):
    net, X, y, loss = problems[key]
    return Case(_describe(net, X, loss), (network_spec(net), X, y, loss),
                expected_of(net, X, y, loss), compare=guarded(_relative))


def _ratio(net, X, y, loss):
    norms = diagnostics.gradient_norms(net, X, y, loss=loss)
    return norms[0] / norms[-1]


def _measured_cases(measure, rng):
    """Cases for a function measured on the fixed problems, plus two fresh random problems."""
    problems = _problems()
    cases = [_network_case(key, problems, measure)
             for key in ("small", "deep sigmoid", "relu mse", "tanh softmax")]
    if rng is not None:
        for _ in range(2):
            cases.append(_network_case("random", {"random": _random_problem(rng)}, measure))
            cases[-1].description += f" {FRESH}"
    return cases


def _first_last_ratio_cases(rng):
    return _measured_cases(_ratio, rng)


FIRST_LAST_RATIO = Task(
    "first_last_ratio", _first_last_ratio_cases, call="network", references=REFERENCES)


def check_first_last_ratio(first_last_ratio):
    """||dL/dW^(1)|| / ||dL/dW^(L)|| for a network and a batch, via mc.forward and mc.backward
    (lesson 7, section 1: "layer 1 / layer 10")."""
    return FIRST_LAST_RATIO.check(first_last_ratio)


def _factors(net, X, y, loss):
    return diagnostics.backward_factors(net, X, y, loss=loss).measured


def _delta_factors_cases(rng):
    return _measured_cases(_factors, rng)


DELTA_FACTORS = Task("delta_factors", _delta_factors_cases, call="network", references=REFERENCES)


def check_delta_factors(delta_factors):
    """The factor each hidden layer multiplies the error signal by on its way back,
    ||δ^(l)|| / ||δ^(l+1)|| for l = 1..L-1 (norms over the whole batch), as an array of shape
    (L - 1,) (lesson 7, section 2)."""
    return DELTA_FACTORS.check(delta_factors)


# --- Tasks 6 and 7: the lecture's activations -------------------------------------------------

RELU_OPTIONS = {
    "a": "Sigmoid, because its outputs stay between 0 and 1, so gradients can never grow.",
    "b": "Softmax in the hidden layers, because it normalises every layer's outputs.",
    "c": "Tanh, because its derivative is 1 for every z.",
    "d": "ReLU, because its derivative is exactly 1 for every z > 0, so an active unit passes δ "
         "back without shrinking it.",
}
RELU_WHY_NOT = {
    "a": "σ'(z) <= 1/4 everywhere, so every sigmoid layer multiplies δ by at most a quarter: "
         "sigmoid is the lecture's first example of an activation that causes the problem",
    "b": "a softmax layer of n units has outputs near 1/n and shrinks δ by about 1/n per layer "
         "(lesson 7, section 4); the lecture warns against it in hidden layers",
    "c": "tanh'(z) = 1 - tanh(z)^2 equals 1 only at z = 0 and falls towards 0 for large |z|",
}


ANSWER_RELU = choice_task(
    "answer_relu", RELU_OPTIONS, RELU_WHY_NOT, "d",
    "right: ReLU'(z) = 1 for z > 0, so the factors g'(z) along an active path are all 1; "
    "with He initialisation the weights keep δ the same size too. (A unit with z <= 0 for "
    "every input passes nothing: a dead ReLU.)")


def check_answer_relu(answer_relu):
    """The lecture's "Solve the problem" slide: which activation mitigates the vanishing gradient,
    and why? ``answer_relu()`` returns one letter of :data:`RELU_OPTIONS`."""
    return ANSWER_RELU.check(answer_relu)


TANH_OPTIONS = {
    "a": "Tanh never saturates, because its outputs are centred around 0.",
    "b": "Tanh is a rescaled sigmoid, tanh(z) = 2σ(2z) - 1, so its gradients vanish exactly as "
         "fast as the sigmoid's.",
    "c": "Tanh is zero-centred and its slope at 0 is 1 (four times the sigmoid's 1/4), so for "
         "small z it passes δ back well; but tanh'(z) = 1 - tanh(z)^2 → 0 for large |z|, so it "
         "saturates like the sigmoid.",
    "d": "Tanh's derivative is 1 for every z > 0, like ReLU's.",
}
TANH_WHY_NOT = {
    "a": "being zero-centred says where the outputs lie, not how flat the curve is: "
         "tanh'(3) ≈ 0.0099, and lesson 7 shows large shares of saturated tanh units once the "
         "weights are large",
    "b": "the identity is right, but differentiating it gives tanh'(z) = 4σ'(2z): at z = 0 the "
         "slope is 1, not 1/4, and with Xavier weights a 10-layer tanh network keeps its "
         "gradient (lesson 7, section 3)",
    "d": "tanh'(z) = 1 - tanh(z)^2 is 1 only at z = 0; tanh(1) ≈ 0.76 already gives "
         "tanh'(1) ≈ 0.42",
}


ANSWER_TANH = choice_task(
    "answer_tanh", TANH_OPTIONS, TANH_WHY_NOT, "c",
    "right: tanh is the zero-centred answer to the lecture's quiz Q4, and it helps when z "
    "stays small (Xavier weights, scaled inputs); ReLU, the usual remedy, is not zero-centred")


def check_answer_tanh(answer_tanh):
    """The lecture's tanh slide: listed under "Cause the problem", yet "centers its output around
    0 (which can be better for gradient flow than sigmoid)". ``answer_tanh()`` returns one letter
    of :data:`TANH_OPTIONS`."""
    return ANSWER_TANH.check(answer_tanh)


TASKS = [GRADIENT_NORMS, SIGMOID_BOUND, SATURATED_FRACTION, FIRST_LAST_RATIO, DELTA_FACTORS,
         ANSWER_RELU, ANSWER_TANH]
