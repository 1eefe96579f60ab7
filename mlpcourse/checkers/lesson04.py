"""Checks for lesson 4 (output layers and losses): softmax, one-hot targets, the three losses, the
choice of output layer per task, and the output gradient of softmax with cross-entropy.

Like lesson 3's checks, these count a numpy RuntimeWarning (overflow, log of 0) as a failure.

What the loss checks require (stated in the exercise notebook too): natural logarithms; MSE and
binary cross-entropy are means over all elements, cross-entropy a mean over the samples; the
cross-entropies clip the probabilities into [eps, 1 - eps] (``eps`` a keyword argument, default
1e-12) before taking logs, so predictions of exactly 0 or 1 give a large but finite loss.
"""

from __future__ import annotations

import numpy as np

from .. import activations, losses
from .core import NO_RETURN, Case, Slips, Task
from .helpers import FRESH, compare_choice, describe_short

__all__ = [
    "check_binary_cross_entropy",
    "check_cross_entropy",
    "check_mse",
    "check_one_hot",
    "check_output_layers",
    "check_softmax",
    "check_softmax_ce_gradient",
]

REFERENCES = ("mlpcourse.activations", "mlpcourse.losses", "mlpcourse.network",
              "mlpcourse.train")
EPS = 1e-12  # the default clip of the exercise's cross-entropies


def _one_hot(y, k):
    """Integer labels (m,) as one-hot rows (m, k), via the engine's target preparation."""
    y = np.asarray(y)
    return losses.prepare_targets("cross_entropy", y, (y.shape[0], k))


def _softmax_cases(rng):
    fixed = np.random.default_rng(4)
    z1 = np.array([2.0, 1.0, 0.1])
    batch = fixed.normal(size=(3, 4)) * 2
    large = np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -1002.0]])
    mixed = np.array([[800.0, 799.0, 790.0], [-5.0, -4.0, -3.0]])
    cases = [
        Case("z = [2, 1, 0.1] (one sample, shape (3,))", (z1,), activations.softmax(z1)),
        Case("z of shape (3, 4) (3 samples, 4 classes)", (batch,), activations.softmax(batch)),
        Case("z = [[1000, 1001, 1002], [-1000, -1001, -1002]] (no overflow)", (large,),
             activations.softmax(large)),
        Case("z = [[800, 799, 790], [-5, -4, -3]] (rows of very different size)", (mixed,),
             activations.softmax(mixed)),
        Case("z = [[7, 7, 7, 7]] (one sample as a row, equal scores)", (np.full((1, 4), 7.0),),
             activations.softmax(np.full((1, 4), 7.0))),
    ]
    if rng is not None:
        for offset in (0.0, float(rng.choice([-700.0, 600.0]))):
            m, k = (int(n) for n in rng.integers(1, 6, size=2))
            z = rng.normal(0.0, 3.0, size=(m, k)) + offset
            cases.append(Case(f"random z of shape ({m}, {k}), shifted by {offset:g} {FRESH}",
                              (z,), activations.softmax(z)))
        z = rng.normal(0.0, 3.0, size=int(rng.integers(2, 7)))
        cases.append(Case(f"a random score vector z of shape {z.shape}", (z,),
                          activations.softmax(z)))
    return cases


SOFTMAX = Task("softmax", _softmax_cases, call="warnings",
               references=REFERENCES)


def check_softmax(softmax):
    """softmax(z)_j = e^{z_j} / Σ_i e^{z_i} along the last axis (lecture: "Softmax function"), for
    one score vector (k,) or a batch (m, k); stable for logits like 1000 (max-shifted)."""
    return SOFTMAX.check(softmax)


def _one_hot_cases(rng):
    cases = [
        Case("y = [0, 2, 1], k = 3", (np.array([0, 2, 1]), 3), _one_hot([0, 2, 1], 3)),
        Case("y = [1, 1, 0, 2], k = 5 (classes 3 and 4 never occur)", (np.array([1, 1, 0, 2]), 5),
             _one_hot([1, 1, 0, 2], 5)),
        Case("y = [9], k = 10 (a single sample)", (np.array([9]), 10), _one_hot([9], 10)),
        Case("y = [3, 0, 1, 2, 3, 0, 1], k = 4", (np.array([3, 0, 1, 2, 3, 0, 1]), 4),
             _one_hot([3, 0, 1, 2, 3, 0, 1], 4)),
    ]
    if rng is not None:
        for _ in range(2):
            k, m = int(rng.integers(2, 12)), int(rng.integers(1, 10))
            y = rng.integers(0, k, size=m)
            cases.append(Case(f"random labels y of shape ({m},), k = {k} {FRESH}", (y, k),
                              _one_hot(y, k)))
    return cases


ONE_HOT = Task("one_hot", _one_hot_cases, call="warnings",
               references=REFERENCES)


def check_one_hot(one_hot):
    """one_hot(y, k): integer labels y (m,) in 0..k-1 -> (m, k) with a single 1 per row (the
    one-hot target of the lecture's multi-class output)."""
    return ONE_HOT.check(one_hot)


MEAN_OVER_ROWS = ("a mean over the samples only: this loss averages all N = m·n elements, so "
                  "divide by the number of elements, not by the number of rows")
MEAN_OVER_ALL = ("a mean over all m·k entries of the one-hot matrix: cross-entropy sums over "
                 "the k classes of a sample and averages over the m samples only")


def _mean_slips(y_hat, expected):
    """Slips of a loss that is the mean over all N elements: the sum (N times too large) and, for
    several outputs per sample, the mean over the rows only."""
    shape = np.shape(y_hat)
    several = len(shape) == 2 and shape[1] > 1
    return Slips(n=int(np.size(y_hat)),
                 alternatives=((MEAN_OVER_ROWS, expected * shape[1]),) if several else ())


def _mean_case(description, args, expected, **options):
    """A case of a loss averaged over all elements (MSE, BCE), with its slips."""
    return Case(description, args, expected, slips=_mean_slips(args[0], expected), **options)


def _ce_case(description, args, expected, **options):
    """A cross-entropy case: a mean over the m samples; its slips are the sum over the samples
    and the mean over all m·k entries."""
    m, k = np.shape(args[0])
    slips = Slips(n=m, alternatives=((MEAN_OVER_ALL, expected / k),))
    return Case(description, args, expected, slips=slips, **options)


def _mse_cases(rng):
    fixed = np.random.default_rng(5)
    y_hat2, y2 = fixed.normal(size=(4, 3)), fixed.normal(size=(4, 3))
    y_hat1, y1 = np.array([2.5, 0.0, 2.0, 8.0]), np.array([3.0, -0.5, 2.0, 7.0])
    column = fixed.normal(size=(5, 1)) + 2.0
    cases = [
        _mean_case("y_hat = [2.5, 0, 2, 8], y = [3, -0.5, 2, 7] (shape (4,))", (y_hat1, y1),
                   losses.mse(y_hat1, y1)),
        _mean_case("y_hat, y of shape (4, 3) (3 outputs per sample)", (y_hat2, y2),
                   losses.mse(y_hat2, y2)),
        _mean_case("y_hat = y (a perfect prediction)", (y2, y2.copy()), losses.mse(y2, y2)),
        _mean_case("y_hat, y of shape (5, 1) (one output)", (column, np.arange(5.0)[:, None]),
                   losses.mse(column, np.arange(5.0)[:, None])),
    ]
    if rng is not None:
        for _ in range(2):
            shape = tuple(int(n) for n in rng.integers(1, 6, size=int(rng.integers(1, 3))))
            y_hat, y = rng.normal(size=shape), rng.normal(size=shape)
            cases.append(_mean_case(f"random y_hat, y of shape {shape} {FRESH}", (y_hat, y),
                                    losses.mse(y_hat, y)))
    return cases


MSE = Task("mse", _mse_cases, call="warnings",
           references=REFERENCES)


def check_mse(mse):
    """MSE L = (1/N) Σ (ŷ - y)^2, the mean over all N elements (regression output), as a number."""
    return MSE.check(mse)


def _bce_expected(y_hat, y, eps=EPS):
    return losses.binary_cross_entropy(np.clip(y_hat, eps, 1.0 - eps), y)


def _binary_cross_entropy_cases(rng):
    fixed = np.random.default_rng(6)
    slide = (np.array([0.766]), np.array([1.0]))
    batch = (fixed.uniform(0.05, 0.95, size=(4, 1)), np.array([[1.0], [0.0], [0.0], [1.0]]))
    labels = (fixed.uniform(0.05, 0.95, size=(3, 2)),
              np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]))
    exact = (np.array([1.0, 0.0, 0.0, 1.0]), np.array([1.0, 0.0, 1.0, 0.0]))
    cases = [
        _mean_case("the lecture's y_hat = [0.766], y = [1]", slide, _bce_expected(*slide)),
        _mean_case("y_hat, y of shape (4, 1)", batch, _bce_expected(*batch)),
        _mean_case("y_hat, y of shape (3, 2) (two labels per sample)", labels,
                   _bce_expected(*labels)),
        _mean_case("y_hat = [1, 0, 0, 1], y = [1, 0, 1, 0] (exact 0 and 1: finite, clipped)",
                   exact, _bce_expected(*exact), rtol=1e-4),
        _mean_case("the same with eps = 1e-7", exact, _bce_expected(*exact, eps=1e-7),
                   kwargs={"eps": 1e-7}, rtol=1e-4),
    ]
    if rng is not None:
        for _ in range(2):
            shape = (int(rng.integers(1, 7)), int(rng.integers(1, 4)))
            pair = (rng.uniform(0.02, 0.98, size=shape),
                    rng.integers(0, 2, size=shape).astype(float))
            cases.append(_mean_case(f"random y_hat, y of shape {shape} {FRESH}", pair,
                                    _bce_expected(*pair)))
    return cases


BINARY_CROSS_ENTROPY = Task("binary_cross_entropy", _binary_cross_entropy_cases, call="warnings",
                            references=REFERENCES)


def check_binary_cross_entropy(binary_cross_entropy):
    """BCE L = -y ln ŷ - (1 - y) ln(1 - ŷ) (lecture, Example 3, Step 2), mean over all elements,
    with ŷ clipped into [eps, 1 - eps] (keyword ``eps``, default 1e-12)."""
    return BINARY_CROSS_ENTROPY.check(binary_cross_entropy)


def _ce_expected(y_hat, y, eps=EPS):
    y_hat = np.asarray(y_hat, dtype=float)
    return losses.cross_entropy(np.clip(y_hat, eps, 1.0), _one_hot(y, y_hat.shape[1]))


def _cross_entropy_cases(rng):
    fixed = np.random.default_rng(7)
    one = (np.array([[0.2, 0.7, 0.1]]), np.array([1]))
    batch = (activations.softmax(fixed.normal(size=(4, 3))), np.array([0, 2, 1, 2]))
    wide = (activations.softmax(fixed.normal(size=(5, 6))), np.array([5, 0, 3, 3, 1]))
    zero = (np.array([[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]]), np.array([0, 0]))
    cases = [
        _ce_case("y_hat = [[0.2, 0.7, 0.1]], y = [1] (one sample)", one, _ce_expected(*one)),
        _ce_case("y_hat (4, 3) from a softmax, y = [0, 2, 1, 2]", batch, _ce_expected(*batch)),
        _ce_case("y_hat (5, 6), y = [5, 0, 3, 3, 1]", wide, _ce_expected(*wide)),
        _ce_case("y_hat = [[1, 0, 0], [0, 0.5, 0.5]], y = [0, 0] (a true class with "
                 "probability 0)",
                 zero, _ce_expected(*zero), rtol=1e-4),
    ]
    if rng is not None:
        for _ in range(2):
            m, k = int(rng.integers(1, 7)), int(rng.integers(2, 7))
            pair = (activations.softmax(rng.normal(0.0, 2.0, size=(m, k))),
                    rng.integers(0, k, size=m))
            cases.append(_ce_case(f"random y_hat ({m}, {k}) from a softmax, random labels "
                                  f"{FRESH}",
                                  pair, _ce_expected(*pair)))
    return cases


CROSS_ENTROPY = Task("cross_entropy", _cross_entropy_cases, call="warnings",
                     references=REFERENCES)


def check_cross_entropy(cross_entropy):
    """Cross-entropy L = -Σ_j y_j ln ŷ_j = -ln ŷ_c for the true class c, mean over the m samples;
    y holds integer labels (m,); ŷ is clipped below at eps (keyword, default 1e-12)."""
    return CROSS_ENTROPY.check(cross_entropy)


OUTPUT_OPTIONS = {
    "a": "several sigmoid outputs, binary cross-entropy",
    "b": "softmax outputs, cross-entropy",
    "c": "linear outputs (no activation), mean squared error",
    "d": "one sigmoid output, binary cross-entropy",
    "e": "softmax outputs, mean squared error",
}
SCENARIOS = {
    "house_price": ("the selling price of a house, from 12 features", "c"),
    "tumour": ("whether a tumour is malignant or benign", "d"),
    "photo_tags": ("which of 20 tags (beach, dog, sunset, ...) apply to a photo; several can "
                   "apply at once", "a"),
    "digit": ("which digit, 0 to 9, a handwritten image shows", "b"),
    "weather": ("tomorrow's temperature and humidity", "c"),
    "spam": ("whether an e-mail is spam", "d"),
}
_WHY_NOT = {
    "house_price": {
        "a": "sigmoids squash the output into (0, 1), but a price is an unbounded number",
        "b": "softmax outputs are probabilities of classes, but a price is a number, not a class",
        "d": "a sigmoid gives a probability in (0, 1), but a price is an unbounded number",
        "e": "softmax outputs are probabilities of classes, but a price is a number, not a class",
    },
    "tumour": {
        "a": "two classes need one probability, P(malignant); several sigmoids answer several "
             "independent questions",
        "b": "softmax over two outputs computes the same probability with twice the output "
             "weights; for two classes the lecture uses a smaller output layer",
        "c": "a linear output is not a probability (it can be below 0 or above 1)",
        "e": "softmax with MSE: a class probability trained with MSE learns slowly when it is "
             "confidently wrong (the gradient vanishes)",
    },
    "photo_tags": {
        "b": "softmax makes the outputs compete and sum to 1, but several tags can apply at once",
        "c": "linear outputs are not probabilities, and MSE is the regression loss",
        "d": "one output can answer only one yes/no question, not 20",
        "e": "softmax makes the outputs compete and sum to 1, but several tags can apply at once",
    },
    "digit": {
        "a": "independent sigmoids can say yes to several digits (or to none) and do not sum to "
             "1: that is one vs. rest, not a distribution over the 10 classes",
        "c": "linear outputs are not probabilities, and MSE is the regression loss",
        "d": "one output can separate two classes, not ten",
        "e": "softmax is right, but MSE on class probabilities learns slowly when confidently "
             "wrong: pair it with the cross-entropy",
    },
    "weather": {
        "a": "sigmoids squash the outputs into (0, 1), but temperature and humidity are measured "
             "numbers",
        "b": "softmax outputs are probabilities of classes that sum to 1, but these are two "
             "measured numbers",
        "d": "one sigmoid output gives one probability, but there are two numbers to predict",
        "e": "softmax outputs are probabilities of classes that sum to 1, but these are two "
             "measured numbers",
    },
    "spam": {
        "a": "spam or not is one yes/no question: one probability is enough",
        "b": "softmax over two outputs computes the same probability with twice the output "
             "weights; for two classes the lecture uses a smaller output layer",
        "c": "a linear output is not a probability (it can be below 0 or above 1)",
        "e": "softmax with MSE: a class probability trained with MSE learns slowly when it is "
             "confidently wrong (the gradient vanishes)",
    },
}


def _scenario_compare(key):
    choose = compare_choice(OUTPUT_OPTIONS, _WHY_NOT[key], "does not fit")

    def compare(got, expected):
        if got is None:
            return NO_RETURN
        if not isinstance(got, dict):
            return f"expected a dict from scenario names to letters; got {describe_short(got)}"
        if key not in got:
            return f"the dict has no entry '{key}'"
        return choose(got[key], expected)

    return compare


OUTPUT_LAYERS = Task("output_layers", lambda rng: [
    Case(f"{key}: {text}", (), answer, compare=_scenario_compare(key))
    for key, (text, answer) in SCENARIOS.items()], call="warnings")


def check_output_layers(output_layers):
    """The lecture's "The output layer": ``output_layers()`` returns a dict mapping each scenario
    of :data:`SCENARIOS` to a letter of :data:`OUTPUT_OPTIONS` (output activation and loss)."""
    return OUTPUT_LAYERS.check(output_layers)


def _gradient_expected(z, y):
    """dL/dz of the mean cross-entropy of softmax(z): (ŷ - y) / m (ŷ from the engine's softmax)."""
    y_hat = activations.softmax(z)
    return (y_hat - _one_hot(y, z.shape[1])) / z.shape[0]


MEAN_OVER_ALL_DELTA = ("a division by all m·k entries: the cross-entropy averages over the m "
                       "samples only, so δ = (ŷ - y) / m")


def _delta_case(description, args, expected):
    """A softmax + cross-entropy δ = (ŷ - y) / m case; its slips: no 1/m (the sum), 1/(m k) (the
    mean over all entries), the flipped sign."""
    m, k = np.shape(args[0])
    slips = Slips(n=m, alternatives=((MEAN_OVER_ALL_DELTA, expected / k),))
    return Case(description, args, expected, slips=slips)


def _softmax_ce_gradient_cases(rng):
    fixed = np.random.default_rng(8)
    one = (np.array([[2.0, 1.0, 0.1]]), np.array([0]))
    batch = (fixed.normal(size=(4, 3)), np.array([2, 0, 1, 1]))
    wide = (fixed.normal(size=(5, 4)) * 3, np.array([3, 3, 0, 1, 2]))
    large = (np.array([[1000.0, 0.0, -1000.0], [0.0, 1000.0, 999.0]]), np.array([2, 1]))
    cases = [
        _delta_case("z = [[2, 1, 0.1]], y = [0] (one sample)", one, _gradient_expected(*one)),
        _delta_case("z (4, 3), y = [2, 0, 1, 1]", batch, _gradient_expected(*batch)),
        _delta_case("z (5, 4), y = [3, 3, 0, 1, 2]", wide, _gradient_expected(*wide)),
        _delta_case("z = [[1000, 0, -1000], [0, 1000, 999]], y = [2, 1] (no overflow)", large,
                    _gradient_expected(*large)),
    ]
    if rng is not None:
        for scale in (1.0, 50.0):
            m, k = int(rng.integers(1, 7)), int(rng.integers(2, 7))
            pair = (rng.normal(0.0, scale, size=(m, k)), rng.integers(0, k, size=m))
            cases.append(_delta_case(f"random z ({m}, {k}) of spread {scale:g}, random labels "
                                     f"{FRESH}", pair, _gradient_expected(*pair)))
    return cases


SOFTMAX_CE_GRADIENT = Task("softmax_ce_gradient", _softmax_ce_gradient_cases, call="warnings",
                           references=REFERENCES)


def check_softmax_ce_gradient(softmax_ce_gradient):
    """δ = ∂L/∂z = (softmax(z) - y) / m for L the mean cross-entropy over m samples, z (m, k)
    logits and y (m,) integer labels; returns (m, k)."""
    return SOFTMAX_CE_GRADIENT.check(softmax_ce_gradient)


TASKS = [SOFTMAX, ONE_HOT, MSE, BINARY_CROSS_ENTROPY, CROSS_ENTROPY, OUTPUT_LAYERS,
         SOFTMAX_CE_GRADIENT]
