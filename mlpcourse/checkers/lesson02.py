"""Checks for lesson 2 (feed-forward networks and the forward pass): one neuron's weighted sum,
one layer for a sample and for a batch, the forward pass, parameter counts and Example 3.

Expected values come from the engine (:func:`mlpcourse.forward` on small networks built with
``Network.from_weights``, :func:`mlpcourse.init_network`, :mod:`mlpcourse.trace`). Weight
matrices are mostly non-square, so a transposed W shows up as a wrong shape, and the square cases
are not symmetric, so it shows up as wrong values.
"""

from __future__ import annotations

import numpy as np

from .. import trace
from ..activations import ACTIVATIONS
from ..network import Network, forward, init_network
from .core import NO_RETURN, Case, Slips, Task, compare_numbers, describe_value
from .helpers import FRESH

REFERENCES = ("mlpcourse.network", "mlpcourse.trace", "mlpcourse.train", "mlpcourse.graph",
              "mlpcourse.diagnostics")

__all__ = [
    "check_example3_hidden",
    "check_forward_pass",
    "check_layer_forward",
    "check_layer_z",
    "check_layer_z_batch",
    "check_n_parameters",
    "check_weighted_sum",
]


def _rng_array(seed, shape, low=-1.0, high=1.0):
    """Fixed test inputs: uniform numbers rounded to 2 decimals (short to read, never random)."""
    return np.round(np.random.default_rng(seed).uniform(low, high, shape), 2)


def _layer(W, b, g, A):
    """g(A W^T + b) (or g(W a + b) for 1-D a), computed by the engine's forward pass."""
    return forward(Network.from_weights([W], [b], [g]), A)[0]


_NET3, _X3, _ = trace.example3()  # the lecture's Example 3: 2-2-1, sigmoid, x = (0.5, 0.1)
_W1, _B1 = _NET3.W[1], _NET3.b[1]


# ---------------------------------------------------------------- one neuron, one layer


def _weighted_sum_cases(rng):
    specs = [
        ("w = [0.2, 0.4], a = [0.5, 0.1], b = 0.1 (Example 3, hidden neuron 1)",
         _W1[0], _X3, _B1[0]),
        ("three inputs w = [1, -2, 0.5], a = [0.3, 0.2, -1], b = -0.25",
         np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.2, -1.0]), -0.25),
        ("all weights 0, b = 0.7", np.zeros(4), np.array([1.0, 2.0, 3.0, 4.0]), 0.7),
        ("one input w = [3], a = [-2], b = 1", np.array([3.0]), np.array([-2.0]), 1.0),
    ]
    if rng is not None:
        for _ in range(2):
            n = int(rng.integers(2, 8))
            specs.append((f"random w, a of shape ({n},) and b {FRESH}", rng.normal(size=n),
                          rng.normal(size=n), float(rng.normal())))
    return [Case(text, (w, a, b), _layer(w[None, :], [b], "linear", a)[0])
            for text, w, a, b in specs]


WEIGHTED_SUM = Task("weighted_sum", _weighted_sum_cases, references=REFERENCES)


def check_weighted_sum(weighted_sum):
    """weighted_sum(w, a, b): z = Σ_j w_j a_j + b for one neuron; w, a (n,), b a number."""
    return WEIGHTED_SUM.check(weighted_sum)


def _layer_z_cases(rng):
    specs = [
        ("Example 3 layer 1: W (2, 2), a = x = [0.5, 0.1]", _W1, _X3, _B1),
        ("W (3, 2), a (2,), b (3,)", _rng_array(1, (3, 2)), np.array([0.5, -1.0]),
         _rng_array(2, 3)),
        ("W (1, 4): one neuron, four inputs", _rng_array(3, (1, 4)), _rng_array(4, 4),
         np.array([0.25])),
        ("W (2, 5), a (5,), b = [0, 0]", _rng_array(5, (2, 5)), _rng_array(6, 5), np.zeros(2)),
    ]
    if rng is not None:
        for _ in range(2):
            n_l, n_prev = (int(k) for k in rng.integers(1, 7, size=2))
            specs.append((f"random W ({n_l}, {n_prev}), a ({n_prev},), b ({n_l},) {FRESH}",
                          rng.normal(size=(n_l, n_prev)), rng.normal(size=n_prev),
                          rng.normal(size=n_l)))
    return [Case(text, (W, a, b), _layer(W, b, "linear", a)) for text, W, a, b in specs]


LAYER_Z = Task("layer_z", _layer_z_cases, references=REFERENCES)


def check_layer_z(layer_z):
    """layer_z(W, a, b): z = W a + b for one sample; W (n_l, n_{l-1}), a (n_{l-1},), b (n_l,)."""
    return LAYER_Z.check(layer_z)


def _layer_z_batch_cases(rng):
    specs = [
        ("A (1, 2): Example 3's x as one row, W (2, 2)", _W1, _X3[None, :], _B1),
        ("A (4, 2), W (3, 2), b (3,)", _rng_array(7, (3, 2)), _rng_array(8, (4, 2)),
         _rng_array(9, 3)),
        ("A (5, 3), W (1, 3): one output neuron", _rng_array(10, (1, 3)), _rng_array(11, (5, 3)),
         np.array([-0.5])),
        ("A (3, 2), W (3, 2): m equals n_l (is Z transposed?)", _rng_array(12, (3, 2)),
         _rng_array(13, (3, 2)), _rng_array(14, 3)),
        ("A (2, 3), W (3, 3) square, not symmetric", _rng_array(15, (3, 3)),
         _rng_array(16, (2, 3)), _rng_array(17, 3)),
    ]
    if rng is not None:
        for _ in range(2):
            m, n_l, n_prev = (int(k) for k in rng.integers(1, 7, size=3))
            specs.append((f"random A ({m}, {n_prev}), W ({n_l}, {n_prev}), b ({n_l},) {FRESH}",
                          rng.normal(size=(n_l, n_prev)), rng.normal(size=(m, n_prev)),
                          rng.normal(size=n_l)))
    return [Case(text, (W, A, b), _layer(W, b, "linear", A)) for text, W, A, b in specs]


LAYER_Z_BATCH = Task("layer_z_batch", _layer_z_batch_cases, references=REFERENCES)


def check_layer_z_batch(layer_z_batch):
    """layer_z_batch(W, A, b): Z = A W^T + b; A (m, n_{l-1}) one sample per row, Z (m, n_l)."""
    return LAYER_Z_BATCH.check(layer_z_batch)


_NAMED = ("sigmoid", "relu", "tanh", "softmax", "linear")


def _layer_forward_cases(rng):
    specs = [
        ('A (4, 2), W (3, 2), g = "sigmoid"', _rng_array(20, (3, 2)), _rng_array(21, (4, 2)),
         _rng_array(22, 3), "sigmoid", "sigmoid"),
        ('A (5, 3), W (2, 3), g = "relu" (z of both signs)', _rng_array(25, (2, 3)),
         _rng_array(26, (5, 3)), _rng_array(27, 2), "relu", "relu"),
        ("A (3, 2), W (4, 2), g = np.tanh (a function, not a name)", _rng_array(26, (4, 2)),
         _rng_array(27, (3, 2)), _rng_array(28, 4), np.tanh, "tanh"),
        ('one sample a = x of Example 3 (1-D), W (2, 2), g = "sigmoid"', _W1, _X3, _B1,
         "sigmoid", "sigmoid"),
        ('A (3, 4), W (3, 4), g = "softmax" (per row)', _rng_array(29, (3, 4), -2, 2),
         _rng_array(30, (3, 4)), _rng_array(31, 3), "softmax", "softmax"),
    ]
    if rng is not None:
        for _ in range(2):
            m, n_l, n_prev = (int(k) for k in rng.integers(1, 6, size=3))
            name = str(rng.choice(["sigmoid", "relu", "softmax"]))
            specs.append((f'random A ({m}, {n_prev}), W ({n_l}, {n_prev}), g = "{name}" {FRESH}',
                          rng.normal(size=(n_l, n_prev)), rng.normal(size=(m, n_prev)),
                          rng.normal(size=n_l), name, name))
    return [Case(text, (W, A, b, g), _layer(W, b, name, A))
            for text, W, A, b, g, name in specs]


LAYER_FORWARD = Task("layer_forward", _layer_forward_cases, references=REFERENCES)


def check_layer_forward(layer_forward):
    """layer_forward(W, A, b, g): g(A W^T + b) with g a name ("sigmoid", "relu", ...) or a
    function; A (m, n_{l-1}) gives (m, n_l), a 1-D sample a (n_{l-1},) gives (n_l,)."""
    return LAYER_FORWARD.check(layer_forward)


# ---------------------------------------------------------------- the whole network


def _forward_compare(got, expected, slips=None):
    """(y_hat, [a0, ..., aL]): check the tuple, then every a[l] in order (so the message names
    the first wrong layer), then y_hat. ``slips``: {l: Slips} for the layers (see
    :func:`_layer_slips`)."""
    slips = slips or {}
    y_hat, a = expected
    if got is None:
        return NO_RETURN
    if not isinstance(got, tuple | list) or len(got) != 2:
        return f"expected a tuple (y_hat, a) of two values; got {describe_value(got)}"
    got_y, got_a = got
    if not isinstance(got_a, list | tuple):
        return f"the second value (a) must be a list of arrays; got {describe_value(got_a)}"
    L = len(a) - 1
    if len(got_a) != len(a):
        return (f"the second value (a) must hold L + 1 = {L + 1} arrays (a[0] = X, then one "
                f"per layer); got {len(got_a)}")
    for l, (got_l, want_l) in enumerate(zip(got_a, a, strict=True)):
        message = compare_numbers(got_l, want_l, slips=slips.get(l))
        if message is not None:
            what = "the input X" if l == 0 else f"the output of layer {l}"
            return f"a[{l}] ({what}): {message}"
    message = compare_numbers(got_y, y_hat, slips=slips.get(L))
    if message is not None:
        return f"the first value (y_hat, which is a[{L}]): {message}"
    return None


ON_LINEAR = ("an activation applied to a linear layer's weighted sums: a \"linear\" layer "
             "passes z on unchanged, a = z")
NOT_APPLIED = "the weighted sums z^(l): this layer's activation g is not applied (a = g(z))"


def _layer_slips(net, cache):
    """{l: Slips} of a forward pass: z^(l) for a^(l) (g not applied) and, on a linear layer, the
    course's other activations applied to z^(l) (computed from the engine's z, never shown)."""
    slips = {}
    for l in range(1, net.L + 1):
        z, name = cache.z[l], net.activations[l]
        if name == "linear":
            others = [ACTIVATIONS[other].function(z) for other in ("sigmoid", "tanh", "relu")]
            slips[l] = Slips(alternatives=tuple((ON_LINEAR, value) for value in others))
        else:
            slips[l] = Slips(alternatives=((NOT_APPLIED, z),))
    return slips


def _network_case(text, W, b, g, X, names=None):
    """A forward_pass case: layers [(W[l], b[l], g[l]), ...] and the engine's (y_hat, a)."""
    net = Network.from_weights(W, b, names or g)
    y_hat, cache = forward(net, X)
    layers = [(net.W[l], net.b[l], g[l - 1]) for l in range(1, net.L + 1)]
    return Case(text, (layers, X), (y_hat, list(cache.a)), compare=_forward_compare,
                slips=_layer_slips(net, cache))


def _forward_pass_cases(rng):
    cases = [
        _network_case("Example 3 (2-2-1, sigmoid), one sample x = (0.5, 0.1)", _NET3.W[1:],
                      _NET3.b[1:], ["sigmoid", "sigmoid"], _X3),
        _network_case('3-4-2, "relu" then "sigmoid", a batch X (5, 3)',
                      [_rng_array(40, (4, 3)), _rng_array(41, (2, 4))],
                      [_rng_array(42, 4), _rng_array(43, 2)], ["relu", "sigmoid"],
                      _rng_array(44, (5, 3))),
        _network_case('2-3-4-1, g = np.tanh, np.tanh (functions), then "linear", X (6, 2)',
                      [_rng_array(45, (3, 2)), _rng_array(46, (4, 3)), _rng_array(47, (1, 4))],
                      [_rng_array(48, 3), _rng_array(49, 4), _rng_array(50, 1)],
                      [np.tanh, np.tanh, "linear"], _rng_array(51, (6, 2)),
                      names=["tanh", "tanh", "linear"]),
        _network_case('4-5-3, "tanh" then "softmax", X (3, 4)',
                      [_rng_array(52, (5, 4)), _rng_array(53, (3, 5))],
                      [_rng_array(54, 5), _rng_array(55, 3)], ["tanh", "softmax"],
                      _rng_array(56, (3, 4))),
    ]
    if rng is not None:
        for _ in range(2):
            sizes = [int(k) for k in rng.integers(1, 6, size=int(rng.integers(3, 5)))]
            names = [str(rng.choice(_NAMED)) for _ in sizes[1:]]
            W = [rng.normal(size=(n_out, n_in)) for n_in, n_out in zip(sizes[:-1], sizes[1:],
                                                                     strict=True)]
            b = [rng.normal(size=n_out) for n_out in sizes[1:]]
            m = int(rng.integers(1, 6))
            cases.append(_network_case(f"a random {'-'.join(map(str, sizes))} network "
                                       f"({', '.join(names)}), X ({m}, {sizes[0]}) {FRESH}",
                                       W, b, names, rng.normal(size=(m, sizes[0]))))
    return cases


FORWARD_PASS = Task("forward_pass", _forward_pass_cases, references=REFERENCES)


def check_forward_pass(forward_pass):
    """forward_pass(layers, X) -> (y_hat, a): layers is a list of (W, b, g), one per layer;
    a = [a0, a1, ..., aL] with a0 = X and y_hat = aL."""
    return FORWARD_PASS.check(forward_pass)


def _n_parameters_cases(rng):
    specs = [[2, 2, 1], [4, 5, 3], [3, 1], [784, 100, 10], [2, 3, 3, 3, 1]]
    if rng is not None:
        specs += [[int(k) for k in rng.integers(1, 300, size=int(rng.integers(2, 6)))]
                  for _ in range(2)]
    cases = []
    for sizes in specs:
        net = init_network(sizes, ["linear"] * (len(sizes) - 1), method="zeros")
        count = sum(W.size + b.size for W, b in zip(net.W[1:], net.b[1:], strict=True))
        cases.append(Case(f"sizes = {sizes}", (list(sizes),), count, rtol=0, atol=0.5))
    return cases


N_PARAMETERS = Task("n_parameters", _n_parameters_cases, references=REFERENCES)


def check_n_parameters(n_parameters):
    """n_parameters(sizes) = Σ_l n_l (n_{l-1} + 1) for sizes = [n_0, n_1, ..., n_L]."""
    return N_PARAMETERS.check(n_parameters)


def _example3_compare(got, expected):
    """Example 3's a^(1), with a pointer for two known mix-ups: the lecture's printed values and
    z^(1) instead of a^(1)."""
    message = compare_numbers(got, expected, rtol=0, atol=1e-6)
    if message is None:
        return None
    try:
        values = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return message
    if values.shape != np.shape(expected):
        return message
    printed = {row.symbol: row.lecture for row in trace.lecture_comparison()}
    if np.allclose(values, [printed["a_1^{(1)}"], printed["a_2^{(1)}"]], atol=5e-4):
        return ("these are the lecture's printed values, which inherit its slip in z^(1); "
                "compute a^(1) from W^(1), x and b^(1) with your functions")
    if np.allclose(values, forward(_NET3, _X3)[1].z[1], atol=1e-6):
        return "these are the weighted sums z^(1): the hidden outputs apply the sigmoid to them"
    return message


EXAMPLE3_HIDDEN = Task("example3_hidden", lambda rng: [
    Case("a^(1) of Example 3 for x = (0.5, 0.1)", (), forward(_NET3, _X3)[1].a[1],
         compare=_example3_compare)], references=REFERENCES)


def check_example3_hidden(example3_hidden):
    """example3_hidden() -> a^(1) (2,): Example 3's hidden outputs for x = (0.5, 0.1)."""
    return EXAMPLE3_HIDDEN.check(example3_hidden)


TASKS = [WEIGHTED_SUM, LAYER_Z, LAYER_Z_BATCH, LAYER_FORWARD, FORWARD_PASS, N_PARAMETERS,
         EXAMPLE3_HIDDEN]
