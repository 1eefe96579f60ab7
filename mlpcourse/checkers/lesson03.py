"""Checks for lesson 3 (activation functions): the student writes g(z), g'(z), the step with a
threshold, the collapse of two linear layers, and answers the lecture's quiz question Q2.

Every check runs the student's function with numpy's RuntimeWarnings turned into failures: a
formula that overflows (``np.exp(1000)``) fails the case even when the rounded result happens to
be right, as the house style asks ("no RuntimeWarning for any finite input").
"""

from __future__ import annotations

import numpy as np

from .. import activations
from ..network import Network, forward
from .core import Case, Task, compare_parts
from .helpers import choice_task

__all__ = [
    "check_answer_q2",
    "check_collapse_linear",
    "check_relu",
    "check_relu_prime",
    "check_sigmoid",
    "check_sigmoid_prime",
    "check_step",
    "check_tanh",
    "check_tanh_prime",
]

_Z = np.array([-3.0, -0.5, 0.0, 0.5, 3.0])
_Z2 = np.array([[-1.0, 2.0, 0.25], [4.0, -4.0, 0.0]])
_EXTREME = np.array([-1000.0, -40.0, 40.0, 1000.0])


ACTIVATION_REFERENCES = ("mlpcourse.activations", "mlpcourse.network", "mlpcourse.train")


def _random_shape(rng):
    return tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 3))))


def _random_z(rng, scale=4.0):
    """Fresh inputs for a grading run: normal numbers of a random shape (1-D or 2-D)."""
    return rng.normal(0.0, scale, size=_random_shape(rng))


def _cases(reference, extreme=True, rng=None):
    cases = [Case("z = 0 (a number)", (0.0,), reference(0.0)),
             Case("z = [-3, -0.5, 0, 0.5, 3]", (_Z,), reference(_Z)),
             Case("z of shape (2, 3)", (_Z2,), reference(_Z2))]
    if extreme:
        cases.append(Case("z = [-1000, -40, 40, 1000] (no overflow, no warning)", (_EXTREME,),
                          reference(_EXTREME)))
    if rng is not None:
        for scale in (2.0, 30.0 if extreme else 5.0):
            z = _random_z(rng, scale)
            cases.append(Case(f"random z of shape {z.shape}, spread {scale:g} (fresh for this "
                              "grading run)", (z,), reference(z)))
        number = float(rng.normal(0.0, 3.0))
        cases.append(Case("a random number z (a number back)", (number,), reference(number)))
    return cases


def _elementwise(name, reference, doc_extreme=True):
    return Task(name, lambda rng: _cases(reference, doc_extreme, rng), call="warnings",
                references=ACTIVATION_REFERENCES)


SIGMOID = _elementwise("sigmoid", activations.sigmoid)
SIGMOID_PRIME = _elementwise("sigmoid_prime", activations.sigmoid_prime)
TANH = _elementwise("tanh", activations.tanh)
TANH_PRIME = _elementwise("tanh_prime", activations.tanh_prime)


def check_sigmoid(sigmoid):
    """σ(z) = 1 / (1 + e^{-z}) elementwise, for numbers and arrays of any shape (lecture: "The
    Logistic Function"); stable at z = ±1000 (no NaN, no overflow warning)."""
    return SIGMOID.check(sigmoid)


def check_sigmoid_prime(sigmoid_prime):
    """σ'(z) = σ(z)(1 - σ(z)) (the lecture's y' = y(1 - y)), stable at z = ±1000."""
    return SIGMOID_PRIME.check(sigmoid_prime)


def check_tanh(tanh):
    """tanh(z) = (e^z - e^{-z}) / (e^z + e^{-z}) (lecture: "Hyperbolic Tangent"), stable at
    z = ±1000 where the formula as written gives inf / inf."""
    return TANH.check(tanh)


def check_tanh_prime(tanh_prime):
    """tanh'(z) = 1 - tanh(z)^2 (the lecture's identity)."""
    return TANH_PRIME.check(tanh_prime)


def _relu_cases(rng):
    cases = _cases(activations.relu, extreme=False, rng=rng)
    cases.append(Case("z = [-1000, -1e-9, 1e-9, 1000]", (np.array([-1e3, -1e-9, 1e-9, 1e3]),),
                      activations.relu(np.array([-1e3, -1e-9, 1e-9, 1e3])), atol=0.0))
    return cases


RELU = Task("relu", _relu_cases, call="warnings", references=ACTIVATION_REFERENCES)


def check_relu(relu):
    """max(0, z) elementwise (lecture: 0 if z <= 0, z if z > 0); the input is left unchanged."""
    return RELU.check(relu)


def _relu_prime_cases(rng):
    cases = _cases(activations.relu_prime, extreme=False, rng=rng)
    tiny = np.array([-1e-9, 1e-9, 1e3])
    cases.append(Case("z = [-1e-9, 1e-9, 1000]", (tiny,), activations.relu_prime(tiny)))
    return cases


RELU_PRIME = Task("relu_prime", _relu_prime_cases, call="warnings",
                  references=ACTIVATION_REFERENCES)


def check_relu_prime(relu_prime):
    """ReLU'(z) = 1 for z > 0 and 0 for z <= 0 (the lecture's case split puts z = 0 with the
    zero branch)."""
    return RELU_PRIME.check(relu_prime)


def _step_cases(rng):
    z = np.array([-1.0, 0.0, 0.25, 0.5, 0.75, 2.0])
    cases = [
        Case("z = [-1, 0, 0.25, 0.5, 0.75, 2], theta left at its default 0", (z,),
             activations.step(z)),
        Case("the same z, theta = 0.5 (z = θ itself must give 0)", (z,),
             activations.step(z, theta=0.5), kwargs={"theta": 0.5}),
        Case("z of shape (2, 3), theta = -0.5", (_Z2,), activations.step(_Z2, theta=-0.5),
             kwargs={"theta": -0.5}),
        Case("z = 3 (a number), theta = 3", (3.0,), activations.step(3.0, theta=3.0),
             kwargs={"theta": 3.0}),
    ]
    if rng is not None:
        for _ in range(2):
            theta = float(np.round(rng.normal(0.0, 1.0), 2))
            z = np.round(rng.normal(theta, 1.0, size=_random_shape(rng)), 1)
            z.flat[0] = theta  # z = θ itself gives 0
            cases.append(Case(f"random z of shape {z.shape}, theta = {theta:g} (fresh for this "
                              "grading run)", (z,), activations.step(z, theta=theta),
                              kwargs={"theta": theta}))
        z = _random_z(rng)
        cases.append(Case(f"random z of shape {z.shape}, theta left at its default", (z,),
                          activations.step(z)))
    return cases


STEP = Task("step", _step_cases, call="warnings", references=ACTIVATION_REFERENCES)


def check_step(step):
    """The perceptron's step g(z) = 1 if z > θ else 0 (lecture: "The Perceptron"), with the
    threshold θ as the keyword argument ``theta`` (default 0)."""
    return STEP.check(step)


def _collapsed(W1, b1, W2, b2):
    """The single linear layer equal to two linear layers, read off the engine's forward pass:
    b = f(0) and column j of W = f(e_j) - b."""
    net = Network.from_weights(W=[W1, W2], b=[b1, b2], activations=["linear", "linear"])
    n0 = W1.shape[1]
    b = forward(net, np.zeros(n0))[0]
    W = (forward(net, np.eye(n0))[0] - b).T
    return W, b


def _collapse_case(description, sizes, rng):
    n0, n1, n2 = sizes
    W1, b1 = rng.normal(size=(n1, n0)), rng.normal(size=n1)
    W2, b2 = rng.normal(size=(n2, n1)), rng.normal(size=n2)
    return Case(description, (W1, b1, W2, b2), _collapsed(W1, b1, W2, b2),
                compare=compare_parts(["W", "b"]))


def _collapse_cases(rng):
    fixed = np.random.default_rng(3)
    cases = [
        _collapse_case("W1 (3, 2), W2 (1, 3): the lesson's 2-3-1 shapes", (2, 3, 1), fixed),
        _collapse_case("W1 (3, 4), W2 (2, 3): no two sizes equal", (4, 3, 2), fixed),
        _collapse_case("W1 (5, 2), W2 (3, 5)", (2, 5, 3), fixed),
        _collapse_case("W1 (3, 3), W2 (3, 3): square", (3, 3, 3), fixed),
    ]
    if rng is not None:
        for _ in range(2):
            n0, n1, n2 = (int(n) for n in rng.integers(1, 7, size=3))
            cases.append(_collapse_case(f"random W1 ({n1}, {n0}), W2 ({n2}, {n1}) (fresh for "
                                        "this grading run)", (n0, n1, n2), rng))
    return cases


COLLAPSE_LINEAR = Task("collapse_linear", _collapse_cases, call="warnings",
                       references=ACTIVATION_REFERENCES)


def check_collapse_linear(collapse_linear):
    """Two linear layers a2 = W2 (W1 x + b1) + b2 are one: W = W2 W1, b = W2 b1 + b2 (lesson 3,
    "Why a non-linearity is needed"). W1 (n1, n0), W2 (n2, n1); returns (W (n2, n0), b (n2,))."""
    return COLLAPSE_LINEAR.check(collapse_linear)


Q2_OPTIONS = {
    "a": "To make training faster by normalising the inputs of every layer.",
    "b": "To introduce non-linearity, so that stacked layers can represent functions that no "
         "single linear map can.",
    "c": "To reduce the number of weights the network needs.",
    "d": "To turn the outputs of every layer into probabilities that sum to 1.",
}
Q2_WHY_NOT = {
    "a": "rescaling inputs is the job of input standardisation (and of a careful weight "
         "initialisation); an activation such as the sigmoid can even slow training down when "
         "it saturates",
    "c": "an activation function has no weights of its own and leaves the number of weights "
         "unchanged: that is fixed by the layer sizes",
    "d": "only softmax does that, and only in the output layer of a multi-class classifier; "
         "ReLU, tanh or sigmoid hidden units are not probabilities that sum to 1",
}


ANSWER_Q2 = choice_task(
    "answer_q2", Q2_OPTIONS, Q2_WHY_NOT, "b",
    "right: without a non-linear g, W2 (W1 x + b1) + b2 is again one linear map (what "
    "collapse_linear computes), and no straight line separates XOR",
    verdict="is not the primary purpose", call="warnings")


def check_answer_q2(answer_q2):
    """The lecture's quiz Q2: "What is the primary purpose of the activation function in a neural
    network?" ``answer_q2()`` returns one letter of :data:`Q2_OPTIONS`."""
    return ANSWER_Q2.check(answer_q2)


TASKS = [SIGMOID, SIGMOID_PRIME, TANH, TANH_PRIME, RELU, RELU_PRIME, STEP, COLLAPSE_LINEAR,
         ANSWER_Q2]
