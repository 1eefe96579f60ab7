"""Checks for lesson 5 (backpropagation, worked): the student builds one training step by hand.

Conventions, as in the engine (``mlpcourse.network.backward``): samples are rows, every gradient is
a gradient of the MEAN loss over the N terms it averages (N = m·n_L elements for mean squared
error and binary cross-entropy), ``W[l]`` has shape (n_l, n_{l-1}). Expected values come from the
engine (``forward``, ``backward``, ``update``, the ``ACTIVATIONS`` table) or from exact
derivatives, never from numbers printed in the lecture.

Every case also carries its :class:`~.core.Slips`: what the classic mistakes (a sum for the mean,
g'(z) missing or twice, W used transposed, the wrong layer's activations, the step's sign) would
return, computed here from the reference, so that a wrong answer is named, never shown.

Every student call runs with numpy's floating-point errors (division by zero, overflow, invalid
values) raised as errors, so a formula that divides by ŷ (1 - ŷ) at a saturated output fails
its case with a message instead of returning inf silently.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..activations import ACTIVATIONS
from ..network import Network, backward, forward, update
from ..trace import example3
from .core import Case, Slips, Task, compare_numbers, compare_parts
from .helpers import FRESH, UPHILL

# The course's backpropagation, derivatives, gradients, updates and gradient checks; its forward
# computations (mc.forward, mc.activations.sigmoid, mc.loss) stay allowed.
REFERENCES = (
    "mlpcourse.network.backward", "mlpcourse.network._backward", "mlpcourse.network.update",
    "mlpcourse.network._update", "mlpcourse.network.Gradients",
    "mlpcourse.losses.mse_gradient", "mlpcourse.losses.binary_cross_entropy_gradient",
    "mlpcourse.losses.cross_entropy_gradient", "mlpcourse.losses.loss_gradient",
    "mlpcourse.losses.Loss", "mlpcourse.losses.get_loss", "mlpcourse.losses.LOSSES",
    "mlpcourse.losses._SPECS", "mlpcourse.activations.derivative",
    "mlpcourse.activations.Activation", "mlpcourse.activations.get_activation",
    "mlpcourse.activations.ACTIVATIONS", "mlpcourse.activations.sigmoid_prime",
    "mlpcourse.activations.tanh_prime", "mlpcourse.activations.relu_prime",
    "mlpcourse.activations.softmax_jacobian", "mlpcourse.gradcheck",
    "mlpcourse.trace", "mlpcourse.train", "mlpcourse.diagnostics", "mlpcourse.graph")

__all__ = [
    "check_backward_pass",
    "check_chain_deltas",
    "check_example3_w11",
    "check_gradient_step",
    "check_hidden_delta",
    "check_layer_gradients",
    "check_numerical_gradient",
    "check_output_delta_bce",
    "check_output_delta_mse",
]


# --- shared helpers ------------------------------------------------------------------------------

def _output_layer(z, y, activation, loss):
    """ŷ and the engine's δ^(L) = dL/dz^(L) for outputs with pre-activations ``z`` (m, n): a
    one-layer network with W = I and b = 0 fed with z gives z^(1) = z exactly."""
    n = z.shape[1]
    net = Network.from_weights([np.eye(n)], [np.zeros(n)], [activation])
    y_hat, cache = forward(net, z)
    return y_hat, backward(net, cache, y, loss=loss).delta[1]


def _example3_batch():
    """Example 3 as a batch of one: (net, X (1, 2), Y (1, 1))."""
    net, x, y = example3()
    return net, x.reshape(1, -1), np.array([[y]])


def _random_sigmoid_net(sizes, rng, scale=1.0):
    """A sigmoid-sigmoid network with normal weights and biases (``scale`` times N(0, 1))."""
    W = [scale * rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:],
                                                                         strict=True)]
    b = [scale * rng.normal(size=n_out) for n_out in sizes[1:]]
    return Network.from_weights(W, b, ["sigmoid"] * (len(sizes) - 1))


def _network_cases(build, specs, fixed, rng):
    """Cases from ``build(description, net, X, Y)`` for random sigmoid networks with binary targets:
    one per ``(description, sizes, m)`` of ``specs`` from the ``fixed`` generator, and two with
    fresh random sizes (as many layers as the specs) and batch sizes from ``rng`` when given."""
    def case(description, sizes, m, generator):
        net = _random_sigmoid_net(sizes, generator)
        X = generator.normal(size=(m, sizes[0]))
        Y = generator.integers(0, 2, size=(m, sizes[-1])).astype(float)
        return build(description, net, X, Y)

    cases = [case(description, sizes, m, fixed) for description, sizes, m in specs]
    if rng is not None:
        for _ in range(2):
            sizes = [int(k) for k in rng.integers(1, 6, size=len(specs[0][1]))]
            m = int(rng.integers(1, 7))
            cases.append(case(f"a random {'-'.join(map(str, sizes))} network, a batch of {m} "
                              f"{FRESH}", sizes, m, rng))
    return cases


MEAN_OVER_SAMPLES = ("a mean over the samples only: the loss averages all N = m·n_L terms, so "
                     "divide by y_hat.size, not by the number of rows")


def _output_slips(y_hat, y, delta, activation="sigmoid"):
    """The slips of an output delta δ^(L) (m, n_L) of a mean over N = m·n_L terms: a sum (N times
    too large), a mean over the rows only, g'(z^(L)) = ŷ (1 - ŷ) applied (once more, for the
    cross-entropy, where it cancels) or missing (squared error)."""
    m, n = y_hat.shape
    alternatives = (((MEAN_OVER_SAMPLES, delta * n),) if m > 1 and n > 1 else ())
    derivative = y_hat * (1.0 - y_hat) if activation == "sigmoid" else None
    return Slips(n=y_hat.size, derivative=derivative, alternatives=alternatives)


# --- Task: output delta, sigmoid + binary cross-entropy ------------------------------------------

def _output_delta_bce_cases(rng):
    fixed = np.random.default_rng(50)
    cases = []
    net, X, Y = _example3_batch()
    z3 = forward(net, X)[1].z[2]
    for description, z, y in [
        ("Example 3: ŷ of shape (1, 1), y = [[1]]", z3, Y),
        ("a batch: ŷ of shape (4, 1), y = [[1], [0], [0], [1]]", fixed.normal(size=(4, 1)),
         np.array([[1.0], [0.0], [0.0], [1.0]])),
        ("multi-label: ŷ of shape (3, 2) (N = 6 terms)", fixed.normal(size=(3, 2)),
         fixed.integers(0, 2, size=(3, 2)).astype(float)),
        ("saturated outputs: ŷ = σ(±40) of shape (2, 2) (ŷ rounds to exactly 1)",
         np.array([[40.0, -40.0], [-40.0, 40.0]]), np.array([[0.0, 1.0], [1.0, 1.0]])),
    ]:
        y_hat, delta = _output_layer(z, y, "sigmoid", "binary_cross_entropy")
        cases.append(Case(description, (y_hat, y), delta, slips=_output_slips(y_hat, y, delta)))
    if rng is not None:
        for _ in range(2):
            m, n = int(rng.integers(1, 7)), int(rng.integers(1, 4))
            z, y = rng.normal(0.0, 3.0, size=(m, n)), rng.integers(0, 2, size=(m, n)) * 1.0
            y_hat, delta = _output_layer(z, y, "sigmoid", "binary_cross_entropy")
            cases.append(Case(f"random ŷ, y of shape ({m}, {n}) {FRESH}", (y_hat, y), delta,
                              slips=_output_slips(y_hat, y, delta)))
    return cases


OUTPUT_DELTA_BCE = Task(
    "output_delta_bce", _output_delta_bce_cases, call="errstate", references=REFERENCES)


def check_output_delta_bce(output_delta_bce):
    """δ^(L) = (ŷ - y) / N for a sigmoid output with the mean binary cross-entropy (lecture:
    Example 3, "the gradient at the output layer is simply ŷ - y", for N = 1). ``y_hat`` and ``y``
    (m, n_L), N = m·n_L; returns (m, n_L)."""
    return OUTPUT_DELTA_BCE.check(output_delta_bce)


# --- Task: output delta, mean squared error ------------------------------------------------------

MISSING_TWO = "the factor 2 of the square's derivative is missing (d(ŷ - y)²/dŷ = 2 (ŷ - y))"


def _mse_slips(y_hat, y, delta, activation):
    slips = _output_slips(y_hat, y, delta, activation)
    slips.alternatives = ((MISSING_TWO, delta / 2.0), *slips.alternatives)
    return slips


def _output_delta_mse_cases(rng):
    fixed = np.random.default_rng(51)
    net, X, Y = _example3_batch()
    z3 = forward(net, X)[1].z[2]
    cases = []
    for description, z, y, activation in [
        ("linear output, a batch: ŷ of shape (5, 1)", fixed.normal(size=(5, 1)),
         fixed.normal(size=(5, 1)), "linear"),
        ("linear output, ŷ of shape (3, 2) (N = 6 terms)", fixed.normal(size=(3, 2)),
         fixed.normal(size=(3, 2)), "linear"),
        ("sigmoid output, Example 3 with squared error: ŷ of shape (1, 1), y = [[1]]", z3, Y,
         "sigmoid"),
        ("sigmoid output, ŷ of shape (4, 2)", fixed.normal(size=(4, 2)),
         fixed.uniform(size=(4, 2)), "sigmoid"),
    ]:
        y_hat, delta = _output_layer(z, y, activation, "mse")
        cases.append(Case(f"{description}, activation = {activation!r}", (y_hat, y, activation),
                          delta, slips=_mse_slips(y_hat, y, delta, activation)))
    if rng is not None:
        for activation in ("linear", "sigmoid"):
            m, n = int(rng.integers(1, 7)), int(rng.integers(1, 4))
            z, y = rng.normal(0.0, 2.0, size=(m, n)), rng.uniform(size=(m, n))
            y_hat, delta = _output_layer(z, y, activation, "mse")
            cases.append(Case(f"random ŷ, y of shape ({m}, {n}), activation = {activation!r} "
                              f"{FRESH}", (y_hat, y, activation), delta,
                              slips=_mse_slips(y_hat, y, delta, activation)))
    return cases


OUTPUT_DELTA_MSE = Task(
    "output_delta_mse", _output_delta_mse_cases, call="errstate", references=REFERENCES)


def check_output_delta_mse(output_delta_mse):
    """δ^(L) = dL/dŷ ⊙ g'(z^(L)) with dL/dŷ = 2 (ŷ - y) / N for the mean squared error; g' = 1 for
    a linear output, ŷ (1 - ŷ) for a sigmoid output (the chain rule; nothing cancels here).
    ``output_delta_mse(y_hat, y, activation)``, y_hat and y (m, n_L), activation "linear" or
    "sigmoid"; returns (m, n_L)."""
    return OUTPUT_DELTA_MSE.check(output_delta_mse)


# --- Task: hidden delta --------------------------------------------------------------------------

def _hidden_delta(delta_next, W_next, z):
    """The engine's backward step for a sigmoid layer with pre-activations z: its vjp turns
    dL/da = δ^(l+1) W^(l+1) into δ^(l) = dL/dz. Returns (a, δ^(l))."""
    sigmoid = ACTIVATIONS["sigmoid"]
    a = sigmoid.function(z)
    return a, sigmoid.vjp(z, a, delta_next @ W_next)


SIGMOID_OF_A = ("σ' evaluated at a instead of z: σ'(z^(l)) = a^(l) (1 - a^(l)) uses the "
                "activation as it is, without applying the sigmoid again")
W_TRANSPOSED = ("W^(l+1) used transposed: δ_j^(l) sums δ_i^(l+1) w_ij^(l+1) over i, the "
                "neurons of the next layer, which is δ^(l+1) W^(l+1) (no transpose)")


def _hidden_slips(delta_next, W_next, a):
    """The slips of δ^(l) = (δ^(l+1) W^(l+1)) ⊙ a (1 - a): g' missing or twice, σ'(a) for σ'(z),
    and (for a square W) W transposed."""
    s = 1.0 / (1.0 + np.exp(-a))
    alternatives = [(SIGMOID_OF_A, (delta_next @ W_next) * s * (1.0 - s))]
    if W_next.shape[0] == W_next.shape[1]:
        alternatives.append((W_TRANSPOSED, (delta_next @ W_next.T) * a * (1.0 - a)))
    return Slips(derivative=a * (1.0 - a), alternatives=tuple(alternatives))


def _hidden_delta_cases(rng):
    fixed = np.random.default_rng(52)
    net, X, Y = _example3_batch()
    _, cache = forward(net, X)
    grads = backward(net, cache, Y, loss="binary_cross_entropy")
    cases = [Case("Example 3: δ^(2) (1, 1), W^(2) (1, 2), a^(1) (1, 2)",
                  (grads.delta[2], net.W[2], cache.a[1]), grads.delta[1],
                  slips=_hidden_slips(grads.delta[2], net.W[2], cache.a[1]))]
    for description, m, n_next, n in [
        ("a batch: δ^(l+1) (4, 2), W^(l+1) (2, 3), a^(l) (4, 3)", 4, 2, 3),
        ("one sample: δ^(l+1) (1, 3), W^(l+1) (3, 5), a^(l) (1, 5)", 1, 3, 5),
        ("square weights: δ^(l+1) (3, 3), W^(l+1) (3, 3), a^(l) (3, 3)", 3, 3, 3),
    ]:
        delta_next, W_next = fixed.normal(size=(m, n_next)), fixed.normal(size=(n_next, n))
        a, delta = _hidden_delta(delta_next, W_next, 2.0 * fixed.normal(size=(m, n)))
        cases.append(Case(description, (delta_next, W_next, a), delta,
                          slips=_hidden_slips(delta_next, W_next, a)))
    if rng is not None:
        for _ in range(2):
            m, n_next, n = (int(k) for k in rng.integers(1, 6, size=3))
            delta_next, W_next = rng.normal(size=(m, n_next)), rng.normal(size=(n_next, n))
            a, delta = _hidden_delta(delta_next, W_next, 2.0 * rng.normal(size=(m, n)))
            cases.append(Case(f"random δ^(l+1) ({m}, {n_next}), W^(l+1) ({n_next}, {n}), "
                              f"a^(l) ({m}, {n}) {FRESH}", (delta_next, W_next, a), delta,
                              slips=_hidden_slips(delta_next, W_next, a)))
    return cases


HIDDEN_DELTA = Task("hidden_delta", _hidden_delta_cases, call="errstate", references=REFERENCES)


def check_hidden_delta(hidden_delta):
    """δ^(l) = (δ^(l+1) W^(l+1)) ⊙ a^(l) ⊙ (1 - a^(l)) for a sigmoid hidden layer (lecture:
    δ_j^(1) = δ^(2) w_1j^(2) σ'(z_j^(1)), with σ' = a (1 - a)). ``hidden_delta(delta_next,
    W_next, a)``: delta_next (m, n_{l+1}), W_next (n_{l+1}, n_l), a (m, n_l); returns (m, n_l)."""
    return HIDDEN_DELTA.check(hidden_delta)


# --- Task: weight and bias gradients of one layer ------------------------------------------------

def _gradient_slips(delta):
    """dW and db of a layer divided by m once more (δ already holds the 1/N), or db a mean."""
    return {"dW": Slips(n=delta.shape[0]), "db": Slips(n=delta.shape[0])}


def _layer_gradients_cases(rng):
    fixed = np.random.default_rng(53)
    compare = compare_parts(["dW", "db"])
    cases = []
    net, X, Y = _example3_batch()
    _, cache = forward(net, X)
    grads = backward(net, cache, Y, loss="binary_cross_entropy")
    cases.append(Case("Example 3, layer 2: δ^(2) (1, 1), a^(1) (1, 2)",
                      (grads.delta[2], cache.a[1]), (grads.W[2], grads.b[2]), compare=compare,
                      slips=_gradient_slips(grads.delta[2])))
    cases.append(Case("Example 3, layer 1: δ^(1) (1, 2), x (1, 2)",
                      (grads.delta[1], cache.a[0]), (grads.W[1], grads.b[1]), compare=compare,
                      slips=_gradient_slips(grads.delta[1])))
    net = _random_sigmoid_net([3, 4, 2], fixed)
    X = fixed.normal(size=(5, 3))
    Y = fixed.integers(0, 2, size=(5, 2)).astype(float)
    _, cache = forward(net, X)
    grads = backward(net, cache, Y, loss="binary_cross_entropy")
    cases.append(Case("a batch of 5, layer 2: δ^(2) (5, 2), a^(1) (5, 4)",
                      (grads.delta[2], cache.a[1]), (grads.W[2], grads.b[2]), compare=compare,
                      slips=_gradient_slips(grads.delta[2])))
    cases.append(Case("a batch of 5, layer 1: δ^(1) (5, 4), x (5, 3)",
                      (grads.delta[1], cache.a[0]), (grads.W[1], grads.b[1]), compare=compare,
                      slips=_gradient_slips(grads.delta[1])))
    if rng is not None:
        sizes = [int(k) for k in rng.integers(1, 6, size=3)]
        m = int(rng.integers(1, 8))
        net = _random_sigmoid_net(sizes, rng)
        X = rng.normal(size=(m, sizes[0]))
        Y = rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
        _, cache = forward(net, X)
        grads = backward(net, cache, Y, loss="binary_cross_entropy")
        for l in (2, 1):
            cases.append(Case(f"a random {'-'.join(map(str, sizes))} network, m = {m}, layer {l} "
                              f"{FRESH}", (grads.delta[l], cache.a[l - 1]),
                              (grads.W[l], grads.b[l]), compare=compare,
                              slips=_gradient_slips(grads.delta[l])))
    return cases


LAYER_GRADIENTS = Task(
    "layer_gradients", _layer_gradients_cases, call="errstate", references=REFERENCES)


def check_layer_gradients(layer_gradients):
    """dL/dW^(l) = δ^(l)ᵀ a^(l-1) and dL/db^(l) = Σ_samples δ^(l) (lecture: ∂L/∂w_ij = δ_i a_j,
    ∂L/∂b_i = δ_i, summed over the batch; δ already carries the 1/N of the mean).
    ``layer_gradients(delta, a_prev)``: delta (m, n_l), a_prev (m, n_{l-1}); returns
    (dW (n_l, n_{l-1}), db (n_l,))."""
    return LAYER_GRADIENTS.check(layer_gradients)


# --- Task: the update rule -----------------------------------------------------------------------

NO_ETA = "the learning rate η is missing (the step is η times the gradient)"


def _step_case(description, w, grad, eta, expected, **tolerances):
    slips = Slips(alternatives=((UPHILL, w + eta * grad), (NO_ETA, w - grad)))
    return Case(description, (w, grad, eta), expected, slips=slips, **tolerances)


def _gradient_step_cases(rng):
    fixed = np.random.default_rng(54)
    net, X, Y = _example3_batch()
    grads = backward(net, forward(net, X)[1], Y, loss="binary_cross_entropy")
    stepped = update(net, grads, eta=0.01)
    W, dW = fixed.normal(size=(2, 3)), fixed.normal(size=(2, 3))
    b, db = fixed.normal(size=3), fixed.normal(size=3)
    cases = [
        _step_case("Example 3's W^(2) (1, 2) and its gradient, eta = 0.01", net.W[2], grads.W[2],
                   0.01, stepped.W[2], rtol=1e-12, atol=1e-14),
        _step_case("Example 3's b^(1) (2,) and its gradient, eta = 0.01", net.b[1], grads.b[1],
                   0.01, stepped.b[1], rtol=1e-12, atol=1e-14),
        _step_case("W (2, 3), eta = 0.5", W, dW, 0.5, W - 0.5 * dW, rtol=1e-12),
        _step_case("b (3,), eta = 2.0", b, db, 2.0, b - 2.0 * db, rtol=1e-12),
    ]
    if rng is not None:
        for _ in range(2):
            shape = tuple(int(k) for k in rng.integers(1, 5, size=int(rng.integers(1, 3))))
            w, grad, eta = rng.normal(size=shape), rng.normal(size=shape), float(rng.uniform(0, 2))
            cases.append(_step_case(f"random w of shape {shape}, eta = {eta:.3g} {FRESH}",
                                    w, grad, eta, w - eta * grad, rtol=1e-12))
    return cases


GRADIENT_STEP = Task("gradient_step", _gradient_step_cases, call="errstate", references=REFERENCES)


def check_gradient_step(gradient_step):
    """w_new = w_old - η ∂L/∂w (lecture: "Step 4: Update Weights"), elementwise for an array of
    any shape; returns a NEW array and leaves its inputs unchanged.
    ``gradient_step(w, grad, eta)``."""
    return GRADIENT_STEP.check(gradient_step)


# --- Task: the full backward pass of a 2-layer network -------------------------------------------

_BACKWARD_NAMES = ["dW1", "db1", "dW2", "db2"]


WRONG_LAYER = ("the gradient built from the wrong layer's activations: dL/dW^(l) = δ^(l)ᵀ "
               "a^(l-1), the activations that go INTO layer l (the input x for layer 1)")
DELTA1_NO_DERIVATIVE = ("δ^(1) without the derivative factor σ'(z^(1)) = a^(1) (1 - a^(1)) "
                        "(δ^(1) = (δ^(2) W^(2)) ⊙ σ'(z^(1)))")
ACTIVATION_AS_DERIVATIVE = ("δ^(1) multiplied by a^(1) instead of σ'(z^(1)) = a^(1) (1 - a^(1))")


def _backward_slips(net, X, Y):
    """{part: Slips} for (dW1, db1, dW2, db2) of a sigmoid-sigmoid network with the mean BCE: a sum
    for the mean (every part N times too large), σ' missing or a^(1) for σ' in δ^(1), dW from the
    wrong layer's activations (when the shapes allow it)."""
    y_hat, cache = forward(net, X)
    a0, a1 = cache.a[0], cache.a[1]
    N = y_hat.size
    delta2 = (y_hat - Y) / N
    back = delta2 @ net.W[2]
    no_derivative, times_a = back, back * a1
    slips = {name: Slips(n=N) for name in _BACKWARD_NAMES}
    slips["dW1"].alternatives = ((DELTA1_NO_DERIVATIVE, no_derivative.T @ a0),
                                 (ACTIVATION_AS_DERIVATIVE, times_a.T @ a0))
    slips["db1"].alternatives = ((DELTA1_NO_DERIVATIVE, no_derivative.sum(axis=0)),
                                 (ACTIVATION_AS_DERIVATIVE, times_a.sum(axis=0)))
    delta1 = back * a1 * (1.0 - a1)
    if a1.shape == a0.shape:  # n1 = n0: the wrong layer gives the right shape
        slips["dW1"].alternatives += ((WRONG_LAYER, delta1.T @ a1),)
        slips["dW2"].alternatives += ((WRONG_LAYER, delta2.T @ a0),)
    return slips


def _backward_case(description, net, X, Y):
    grads = backward(net, forward(net, X)[1], Y, loss="binary_cross_entropy")
    args = (X, Y, net.W[1], net.b[1], net.W[2], net.b[2])
    return Case(description, args, (grads.W[1], grads.b[1], grads.W[2], grads.b[2]),
                compare=compare_parts(_BACKWARD_NAMES), slips=_backward_slips(net, X, Y))


def _backward_pass_cases(rng):
    fixed = np.random.default_rng(55)
    net, X, Y = _example3_batch()
    cases = [_backward_case("Example 3: X (1, 2), y = [[1]], a 2-2-1 network", net, X, Y)]
    return cases + _network_cases(_backward_case, [
        ("a 3-4-1 network, a batch of 6", [3, 4, 1], 6),
        ("a 2-5-3 network (multi-label), a batch of 4", [2, 5, 3], 4),
        ("a 4-3-2 network, one sample X (1, 4)", [4, 3, 2], 1),
    ], fixed, rng)


BACKWARD_PASS = Task("backward_pass", _backward_pass_cases, call="errstate", references=REFERENCES)


def check_backward_pass(backward_pass):
    """Backpropagation through a 2-layer network, sigmoid in both layers, mean binary
    cross-entropy (lecture: Example 3, steps 1 to 3, for a batch).
    ``backward_pass(X, y, W1, b1, W2, b2)``: X (m, n0), y (m, n2), W1 (n1, n0), b1 (n1,),
    W2 (n2, n1), b2 (n2,); returns (dW1, db1, dW2, db2) shaped like (W1, b1, W2, b2)."""
    return BACKWARD_PASS.check(backward_pass)


# --- Task: numerical gradient --------------------------------------------------------------------

def _cubic(x):
    return float(np.sum(x**3))


@dataclass(eq=False)
class WeightedTanh:
    """f(A) = Σ tanh(A) ⊙ C (a class rather than a closure: the grader sends it to the kernel;
    a dataclass, so the runner can tell that a call left it unchanged)."""

    C: np.ndarray

    def __call__(self, A):
        return float(np.sum(np.tanh(A) * self.C))


@dataclass(eq=False)
class Example3Loss:
    """L(W^(1)) for Example 3 (mean binary cross-entropy), the other weights fixed."""

    def __call__(self, W1):
        net, X, Y = _example3_batch()
        probe = Network.from_weights([W1, net.W[2]], [net.b[1], net.b[2]], ["sigmoid", "sigmoid"])
        y_hat = forward(probe, X)[0]
        return float(np.mean(-Y * np.log(y_hat) - (1 - Y) * np.log(1 - y_hat)))


def _example3_loss_of_W1():
    """L(W^(1)) for Example 3 (binary cross-entropy), and the engine's dL/dW^(1)."""
    net, X, Y = _example3_batch()
    grads = backward(net, forward(net, X)[1], Y, loss="binary_cross_entropy")
    return Example3Loss(), net.W[1], grads.W[1]


def _numerical_gradient_cases(rng):
    fixed = np.random.default_rng(56)
    x = np.array([1.0, -2.0, 0.5, 3.0])
    A, C = fixed.normal(size=(3, 4)), fixed.normal(size=(3, 4))
    f_loss, W1, dW1 = _example3_loss_of_W1()
    cases = [
        Case("f(x) = Σ x³ at x = [1, -2, 0.5, 3]", (_cubic, x), 3 * x**2),
        Case("f(A) = Σ tanh(A) ⊙ C, A of shape (3, 4)", (WeightedTanh(C), A),
             C * (1 - np.tanh(A) ** 2)),
        Case("f(W1) = Example 3's loss as a function of W^(1) (2, 2)", (f_loss, W1), dW1),
        Case("f(x) = Σ x³ at x = [2.5] (one entry)", (_cubic, np.array([2.5])),
             np.array([3 * 2.5**2])),
    ]
    if rng is not None:
        x = rng.uniform(-2.0, 2.0, size=int(rng.integers(2, 6)))
        cases.append(Case(f"f(x) = Σ x³ at a random x of shape {x.shape} {FRESH}", (_cubic, x),
                          3 * x**2))
        shape = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        A, C = rng.normal(size=shape), rng.normal(size=shape)
        cases.append(Case(f"f(A) = Σ tanh(A) ⊙ C at a random A of shape {shape} {FRESH}",
                          (WeightedTanh(C), A), C * (1 - np.tanh(A) ** 2)))
    for case in cases:
        case.kwargs, case.rtol, case.atol = {"h": 1e-5}, 1e-6, 1e-9
    return cases


NUMERICAL_GRADIENT = Task(
    "numerical_gradient", _numerical_gradient_cases, call="errstate", references=REFERENCES)


def check_numerical_gradient(numerical_gradient):
    """Central differences, ∂f/∂x_i ≈ (f(x + h e_i) - f(x - h e_i)) / 2h for every entry of x
    (lesson 5, "Gradient check"). ``numerical_gradient(f, x, h=1e-5)``: f maps an array shaped
    like x to a number; returns an array shaped like x; x is left unchanged. Compared with exact
    derivatives (a forward difference is not accurate enough)."""
    return NUMERICAL_GRADIENT.check(numerical_gradient)


# --- Task: Example 3's updated w_11^(2) ----------------------------------------------------------

LECTURE_GRADIENT_W11 = -0.131  # the slides' rounded ∂L/∂w_11^(2), only to recognise its use


def _example3_w11(eta):
    net, x, y = example3()
    grads = backward(net, forward(net, x)[1], y, loss="binary_cross_entropy")
    return float(update(net, grads, eta=eta).W[2][0, 0])


def _compare_w11(eta):
    def compare(got, expected):
        message = compare_numbers(got, expected, rtol=1e-9, atol=1e-12)
        if message and not isinstance(got, str):
            lecture = 0.6 - eta * LECTURE_GRADIENT_W11
            try:
                if abs(float(np.asarray(got, dtype=float).reshape(-1)[0]) - lecture) < 1e-12:
                    return ("that is the lecture's value, computed from its rounded gradient "
                            "-0.131 (itself from rounded inputs); compute the gradient from the "
                            "network's numbers instead")
            except (TypeError, ValueError, IndexError):
                pass
        return message

    return compare


def _example3_w11_cases(rng):
    etas = [0.01, 0.1, 1.0]
    if rng is not None:
        etas += [float(np.round(rng.uniform(0.001, 3.0), 4)) for _ in range(2)]
    return [Case(f"eta = {eta}", (eta,), _example3_w11(eta), compare=_compare_w11(eta))
            for eta in etas]


EXAMPLE3_W11 = Task(
    "example3_w11", _example3_w11_cases, call="errstate", references=REFERENCES,
    note=(f"right: w_11^(2) = {_example3_w11(0.01):.6f} at η = 0.01. The lecture prints 0.60131: "
          "its gradient -0.131 carries the slips of its forward pass (lesson 5, section 11)"))


def check_example3_w11(example3_w11):
    """w_11^(2) after one gradient-descent step on Example 3 (2-2-1 sigmoid network, x = (0.5,
    0.1), y = 1, binary cross-entropy): w_11^(2) - η ∂L/∂w_11^(2). ``example3_w11(eta)`` returns
    a number; checked for several η (the lecture uses η = 0.01)."""
    return EXAMPLE3_W11.check(example3_w11)


# --- Task: the deltas of a 3-layer chain --------------------------------------------------------

_CHAIN_NAMES = ["delta1", "delta2", "delta3"]
DELTA3_DERIVATIVE = ("δ^(3) passed through σ'(z^(3)) once more: for a sigmoid output with the "
                     "cross-entropy, δ^(3) = (ŷ - y) / N already holds it")
WRONG_LAYER_DERIVATIVE = ("g' of the wrong layer: δ^(l) takes σ'(z^(l)) = a^(l) (1 - a^(l)) of "
                          "its own layer l")
CHAIN_BROKEN = ("δ^(1) built from a δ^(2) that lacks σ'(z^(2)): pass the finished δ^(2) back "
                "through W^(2)")


def _sigmoid_prime(a):
    return a * (1.0 - a)


def _delta_slips(N, back, a, wrong, W_next, delta_next):
    """Slips of a hidden δ = back ⊙ σ'(z) with back = δ_next W_next and a = σ(z): the sum for the
    mean, σ' missing or twice, σ'(a) for σ'(z), σ' of another layer's activations (``wrong``,
    where the shapes agree), W_next transposed (when square)."""
    s = 1.0 / (1.0 + np.exp(-a))
    alternatives = [(SIGMOID_OF_A, back * s * (1.0 - s))]
    alternatives += [(WRONG_LAYER_DERIVATIVE, back * _sigmoid_prime(other))
                     for other in wrong if other.shape == a.shape]
    if W_next.shape[0] == W_next.shape[1]:
        alternatives.append((W_TRANSPOSED, (delta_next @ W_next.T) * _sigmoid_prime(a)))
    return Slips(n=N, derivative=_sigmoid_prime(a), alternatives=tuple(alternatives))


def _chain_case(description, net, X, Y):
    """A 3-layer sigmoid network: the arguments (a1, a2, ŷ, y, W2, W3), the engine's (δ^(1),
    δ^(2), δ^(3)), and the slips of each part."""
    y_hat, cache = forward(net, X)
    grads = backward(net, cache, Y, loss="binary_cross_entropy")
    a1, a2 = cache.a[1], cache.a[2]
    d1, d2, d3 = grads.delta[1], grads.delta[2], grads.delta[3]
    N = y_hat.size
    slips = {
        "delta3": Slips(n=N, derivative=_sigmoid_prime(y_hat),
                        alternatives=((DELTA3_DERIVATIVE, d3 * _sigmoid_prime(y_hat)),)),
        "delta2": _delta_slips(N, d3 @ net.W[3], a2, (a1, y_hat), net.W[3], d3),
        "delta1": _delta_slips(N, d2 @ net.W[2], a1, (a2, y_hat), net.W[2], d2),
    }
    broken = ((d3 @ net.W[3]) @ net.W[2]) * _sigmoid_prime(a1)
    slips["delta1"].alternatives = ((CHAIN_BROKEN, broken), *slips["delta1"].alternatives)
    args = (a1, a2, y_hat, Y, net.W[2], net.W[3])
    return Case(description, args, (d1, d2, d3),
                compare=compare_parts(_CHAIN_NAMES, order=(2, 1, 0)), slips=slips)


def _chain_deltas_cases(rng):
    fixed = np.random.default_rng(57)
    return _network_cases(_chain_case, [
        ("a 2-3-2-1 network, one sample", [2, 3, 2, 1], 1),
        ("a 4-5-3-2 network (multi-label), a batch of 4", [4, 5, 3, 2], 4),
        ("a 3-3-3-3 network (square weights), a batch of 3", [3, 3, 3, 3], 3),
        ("a 3-4-4-1 network, a batch of 6", [3, 4, 4, 1], 6),
    ], fixed, rng)


CHAIN_DELTAS = Task("chain_deltas", _chain_deltas_cases, call="errstate", references=REFERENCES)


def check_chain_deltas(chain_deltas):
    """The deltas of a 3-layer sigmoid network with the mean binary cross-entropy, from the
    forward pass's activations (lesson 5, "Where the backward equations come from"):
    δ^(3) = (ŷ - y) / N, δ^(2) = (δ^(3) W^(3)) ⊙ a^(2) (1 - a^(2)),
    δ^(1) = (δ^(2) W^(2)) ⊙ a^(1) (1 - a^(1)).
    ``chain_deltas(a1, a2, y_hat, y, W2, W3)``: a1 (m, n1), a2 (m, n2), y_hat and y (m, n3),
    W2 (n2, n1), W3 (n3, n2); returns (delta1, delta2, delta3) shaped like (a1, a2, y_hat)."""
    return CHAIN_DELTAS.check(chain_deltas)


TASKS = [OUTPUT_DELTA_BCE, OUTPUT_DELTA_MSE, HIDDEN_DELTA, LAYER_GRADIENTS, GRADIENT_STEP,
         BACKWARD_PASS, NUMERICAL_GRADIENT, EXAMPLE3_W11, CHAIN_DELTAS]
