"""Checks for lesson 6 (training in practice): the student standardises inputs with training-set
statistics, computes the Xavier and He scales, cuts shuffled minibatches, writes one epoch of
minibatch gradient descent, the lecture's early-stopping rule and a whole training loop with early
stopping, and answers why zero weights fail and what "z shouldn't be much more than 1" is for.

Expected values come from the engine (``mlpcourse.fit``, ``mlpcourse.minibatches``,
``mlpcourse.datasets.split``) or from the exact formulas; the early-stopping rule is the one
``fit`` applies (a test checks that the two agree on real runs).

Students' functions receive ``Network`` objects. The core runner detects modified inputs by
comparing deep copies, which a ``Network`` (compared by identity) never passes, so the cases here
carry plain lists of arrays (:func:`.helpers.network_spec`) and the ``"network"`` call mode of
:func:`.core.wrap` builds the network for each call and checks afterwards that the student left
its arrays alone.
"""

from __future__ import annotations

import numpy as np

from .. import datasets
from ..network import Network
from ..train import fit, minibatches
from .core import NO_RETURN, ORDINALS, Case, Slips, Task, compare_numbers, compare_parts
from .helpers import (
    FRESH,
    UPHILL,
    choice_task,
    describe_network,
    describe_short,
    guarded,
    network_spec,
)

TRAINING = ("mlpcourse.train",)

__all__ = [
    "check_answer_zero_init",
    "check_answer_scaling",
    "check_early_stopping",
    "check_fit_early_stopping",
    "check_init_scales",
    "check_minibatches",
    "check_standardise",
    "check_train_epoch",
]


# --- helpers of this lesson ------------------------------------------------------------------

def _whole_number(value):
    """``value`` as an int if it is a whole number (int, numpy integer, integral float), else
    None."""
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return int(value)
    return None


def compare_indices(names, offset=0):
    """A ``compare(got, expected)`` for tuples whose parts ``offset``, ``offset + 1``, ... are
    whole numbers (indices, epochs): a wrong one is named with the value returned, never with a
    difference that would give the expected one away."""

    def compare(got, expected):
        for index, name in enumerate(names, start=offset):
            value = _whole_number(got[index])
            if value is None:
                return (f"the {ORDINALS[index]} value ({name}) must be a whole number; got "
                        f"{describe_short(got[index])}")
            if value != expected[index]:
                return f"the {ORDINALS[index]} value ({name}) is wrong (you returned {value})"
        return None

    return compare


def compare_network(got, expected: Network, what="the network", slips=None) -> str | None:
    """None if ``got`` is a network with the weights and biases of ``expected``; else which layer
    differs (without the values) and, with ``slips`` ({"W[1]": Slips, ...}), which slip it looks
    like."""
    slips = slips or {}
    W, b = getattr(got, "W", None), getattr(got, "b", None)
    if not isinstance(W, list | tuple) or not isinstance(b, list | tuple):
        return f"{what}: expected a Network (with .W and .b); got {describe_short(got)}"
    if len(W) != len(expected.W) or len(b) != len(expected.b):
        return (f"{what}: expected {expected.L} layers ({describe_network(expected)}); "
                f"got {len(W) - 1}")
    for l in range(1, expected.L + 1):
        for name, g, e in ((f"W[{l}]", W[l], expected.W[l]), (f"b[{l}]", b[l], expected.b[l])):
            message = compare_numbers(g, e, slips=slips.get(name))
            if message:
                return f"{what}, {name}: {message}"
    return None


# --- Task 1: standardising inputs -------------------------------------------------------------

def _training_statistics(X_train):
    """Mean and scale of each feature as ``datasets.split`` computes them (training rows only;
    a feature with zero spread gets scale 1)."""
    whole = datasets.split(X_train, np.zeros(len(X_train)), validation=0, test=0, rng=0)
    return whole.mean, whole.scale


def _compare_standardised(got, expected):
    message = compare_parts(["the standardised X_train", "the standardised X_val"])(got, expected)
    if message and "NaN or inf" in message:
        return (message.split(":")[0] + ": contains NaN or inf (a feature with zero spread on the "
                "training set divided by 0? take s_j = 1 for it)")
    return message


def _standardise_case(description, X_train, X_val):
    mean, scale = _training_statistics(X_train)
    expected = ((X_train - mean) / scale, (X_val - mean) / scale)
    return Case(description, (X_train, X_val), expected, compare=_compare_standardised)


def _standardise_cases(rng):
    fixed = np.random.default_rng(6)
    pixels = fixed.integers(0, 17, size=(42, 10)).astype(float)
    pixels[:, 0] = 0.0  # a border pixel: always 0, zero spread
    constant = fixed.normal(size=(7, 4))
    constant[:, 2] = 7.0
    cases = [
        _standardise_case("X_train (5, 2), X_val (3, 2)", fixed.normal(2.0, 3.0, size=(5, 2)),
                          fixed.normal(2.0, 3.0, size=(3, 2))),
        _standardise_case("pixel values 0..16, X_train (30, 10), X_val (12, 10), pixel 0 always 0",
                          pixels[:30], pixels[30:]),
        _standardise_case("X_val from a different distribution than X_train (4, 3)",
                          fixed.normal(0.0, 1.0, size=(4, 3)), fixed.normal(5.0, 4.0, size=(6, 3))),
        _standardise_case("X_train (6, 4) with a column of 7s, one validation sample (1, 4)",
                          constant[:6], constant[6:]),
    ]
    if rng is not None:
        for _ in range(2):
            m, m_val, n = int(rng.integers(2, 9)), int(rng.integers(1, 6)), int(rng.integers(1, 5))
            X_train = rng.normal(rng.normal(0, 3), rng.uniform(0.5, 4), size=(m, n))
            X_train[:, int(rng.integers(n))] = float(np.round(rng.normal(), 1))  # zero spread
            cases.append(_standardise_case(
                f"random X_train ({m}, {n}) with a constant column, X_val ({m_val}, {n}) {FRESH}",
                X_train, rng.normal(size=(m_val, n))))
    return cases


STANDARDISE = Task("standardise", _standardise_cases,
                   references=("mlpcourse.datasets.split", "mlpcourse.datasets.Split"))


def check_standardise(standardise):
    """x_j <- (x_j - μ_j) / s_j with μ_j, s_j the mean and standard deviation (np.std, ddof 0) of
    feature j on the training set, applied to both sets (lesson 6, "Scaling the inputs"); a
    feature with s_j = 0 is only centred (s_j taken as 1). Returns (X_train_s, X_val_s)."""
    return STANDARDISE.check(standardise)


# --- Task 2: Xavier and He scales -------------------------------------------------------------

def _init_scales_cases(rng):
    cases = [Case(f"n_in = {n_in}, n_out = {n_out}", (n_in, n_out),
                  (np.sqrt(6.0 / (n_in + n_out)), np.sqrt(2.0 / n_in)),
                  compare=compare_parts(["the Xavier limit", "the He standard deviation"]))
             for n_in, n_out in ((2, 2), (64, 32), (1, 10), (784, 100))]
    if rng is not None:
        for n_in, n_out in rng.integers(1, 1000, size=(2, 2)):
            cases.append(Case(f"n_in = {n_in}, n_out = {n_out} {FRESH}", (int(n_in), int(n_out)),
                              (np.sqrt(6.0 / (n_in + n_out)), np.sqrt(2.0 / n_in)),
                              compare=compare_parts(["the Xavier limit",
                                                     "the He standard deviation"])))
    return cases


INIT_SCALES = Task(
    "init_scales", _init_scales_cases, references=("mlpcourse.network.init_network",))


def check_init_scales(init_scales):
    """The Xavier (Glorot) uniform limit sqrt(6 / (n_in + n_out)) and the He standard deviation
    sqrt(2 / n_in) (lesson 6, "How large should the random weights be?"). Returns (limit, std)."""
    return INIT_SCALES.check(init_scales)


# --- Task 3: minibatches ----------------------------------------------------------------------

def _batches_problem(batches, m, batch_size) -> str | None:
    """What is wrong with ``batches`` as a minibatch split of 0..m-1, or None."""
    if batches is None:
        return NO_RETURN
    if isinstance(batches, np.ndarray) and batches.ndim != 2:
        return f"expected a list of index arrays; got {describe_short(batches)}"
    try:
        parts = [np.asarray(batch) for batch in batches]
    except TypeError:
        return f"expected a list of index arrays; got {describe_short(batches)}"
    if any(p.ndim != 1 for p in parts):
        return "expected every batch to be a 1-D array of indices"
    if any(p.size and not np.issubdtype(p.dtype, np.integer) for p in parts):
        return "expected integer indices (usable as X[batch]); got non-integers"
    sizes = [p.size for p in parts]
    want = [batch_size] * (m // batch_size) + ([m % batch_size] if m % batch_size else [])
    if sizes != want:
        shown = sizes if len(sizes) <= 8 else sizes[:8] + ["..."]
        return (f"the batch sizes are {shown}: expected full batches of batch_size, and only the "
                "last one smaller")
    every = np.concatenate(parts) if parts else np.array([], dtype=int)
    if not np.array_equal(np.sort(every), np.arange(m)):
        return "the batches together must hold every index 0..m-1 exactly once"
    return None


def _compare_minibatches(got, expected):
    m, batch_size = expected
    first, again, other = got
    problem = _batches_problem(first, m, batch_size)
    if problem:
        return problem
    order = np.concatenate([np.asarray(p) for p in first])
    if _batches_problem(again, m, batch_size) or not np.array_equal(
            order, np.concatenate([np.asarray(p) for p in again])):
        return ("two calls with Generators made from the same seed gave different batches: "
                "draw the random order from `rng` only")
    if m >= 20:
        if np.array_equal(order, np.arange(m)):
            return "the indices are in their original order: shuffle them with `rng`"
        if not _batches_problem(other, m, batch_size) and np.array_equal(
                order, np.concatenate([np.asarray(p) for p in other])):
            return ("a Generator with a different seed gave the same batches: the order must "
                    "come from the `rng` argument")
    return None


def _minibatches_cases(rng):
    cases = [Case(f"m = {m}, batch_size = {batch_size}{note}", (m, batch_size, seed),
                  (m, batch_size), compare=_compare_minibatches)
             for m, batch_size, seed, note in (
                 (10, 3, 0, " (last batch smaller)"),
                 (12, 4, 1, " (batches of equal size)"),
                 (5, 8, 2, " (batch_size > m: one batch)"),
                 (50, 16, 3, ""),
                 (100, 1, 4, " (one sample per step)"))]
    if rng is not None:
        for _ in range(2):
            m, batch_size = int(rng.integers(20, 120)), int(rng.integers(1, 40))
            seed = int(rng.integers(2**31))
            cases.append(Case(f"m = {m}, batch_size = {batch_size} {FRESH}",
                              (m, batch_size, seed), (m, batch_size),
                              compare=_compare_minibatches))
    return cases


MINIBATCHES = Task("minibatches", _minibatches_cases, call="three_calls", references=TRAINING)


def check_minibatches(minibatches):
    """Shuffle 0..m-1 with the Generator ``rng`` and cut the order into consecutive batches of
    ``batch_size``, the last one possibly smaller (lesson 6, "The learning rate and minibatches").
    Checked: a partition of 0..m-1, the sizes, the same batches for the same seed, a different
    order for a different seed."""
    return MINIBATCHES.check(minibatches)


# --- Task 4: one epoch ------------------------------------------------------------------------

def _problem(kind, m, rng):
    """Small deterministic problems: a network, X, y, the loss name."""
    from ..network import init_network

    if kind == "bce":
        X, y = datasets.moons(m, noise=0.2, rng=rng)
        net = init_network([2, 3, 1], ["sigmoid", "sigmoid"], method="uniform", rng=rng)
        return net, X, y, "binary_cross_entropy"
    if kind == "mse":
        X = rng.normal(size=(m, 3))
        y = np.column_stack([np.sin(X[:, 0]), X[:, 1] * X[:, 2]])
        net = init_network([3, 4, 2], ["tanh", "linear"], method="xavier", rng=rng)
        return net, X, y, "mse"
    X, y = datasets.blobs(m, centers=3, std=3.0, rng=rng)  # overlapping: it overfits
    net = init_network([2, 5, 3], ["relu", "softmax"], method="he", rng=rng)
    return net, X, y, "cross_entropy"




def _uphill_epoch(net, X, y, loss, batches, eta):
    """The epoch with every step's sign flipped (w + η grad), for the slip "the sign of the
    update": {"W[l]"/"b[l]": Slips} of the network it gives."""
    from ..losses import prepare_targets
    from ..network import backward, forward

    Y = prepare_targets(loss, y, (X.shape[0], net.sizes[-1]), net.dtype)
    for batch in batches:
        grads = backward(net, forward(net, X[batch])[1], Y[batch], loss=loss)
        net = Network.from_weights([net.W[l] + eta * grads.W[l] for l in range(1, net.L + 1)],
                                   [net.b[l] + eta * grads.b[l] for l in range(1, net.L + 1)],
                                   net.activations[1:])
    slips = {}
    for l in range(1, net.L + 1):
        slips[f"W[{l}]"] = Slips(alternatives=((UPHILL, net.W[l]),))
        slips[f"b[{l}]"] = Slips(alternatives=((UPHILL, net.b[l]),))
    return slips


def _compare_epoch(got, expected, slips=None):
    if not isinstance(got, tuple | list) or len(got) != 2:
        return f"expected a tuple (new network, epoch loss); got {describe_short(got)}"
    message = compare_network(got[0], expected[0], "the first value (the new network)", slips)
    if message:
        return message
    message = compare_numbers(got[1], expected[1])
    if message:
        return f"the second value (the epoch's loss): {message}"
    return None


def _epoch_case(kind, m, batch_size, eta, seed, note=""):
    rng = np.random.default_rng(seed)
    net, X, y, loss = _problem(kind, m, rng)
    batches = minibatches(m, batch_size, seed)  # the batches fit draws in its first epoch
    trained, history = fit(net, X, y, loss=loss, eta=eta, epochs=1, batch_size=batch_size,
                           rng=seed)
    sizes = ", ".join(str(len(batch)) for batch in batches)
    description = (f"{describe_network(net)}, {loss}, eta = {eta}, m = {m} in batches of "
                   f"{sizes}{note}")
    return Case(description, (network_spec(net), X, y, batches),
                (trained, history.train_loss[0]), kwargs={"eta": eta, "loss": loss},
                compare=guarded(_compare_epoch),
                slips=_uphill_epoch(net, X, y, loss, batches, eta))


def _train_epoch_cases(rng):
    cases = [
        _epoch_case("bce", 8, 3, 0.5, 0),
        _epoch_case("mse", 10, 4, 0.1, 1),
        _epoch_case("ce", 15, 5, 0.2, 2),
        _epoch_case("bce", 12, 12, 1.0, 3, " (one batch: full-batch gradient descent)"),
    ]
    if rng is not None:
        for kind in rng.permutation(["bce", "mse", "ce"])[:2]:
            m = int(rng.integers(6, 16))
            cases.append(_epoch_case(str(kind), m, int(rng.integers(2, m + 1)),
                                     float(np.round(rng.uniform(0.05, 1.0), 2)),
                                     int(rng.integers(2**31)), f" {FRESH}"))
    return cases


TRAIN_EPOCH = Task("train_epoch", _train_epoch_cases, call="network", references=TRAINING)


def check_train_epoch(train_epoch):
    """One epoch of minibatch gradient descent over the given batches: for each batch B in
    order, the loss of the current network on B, then one step with mc.backward and mc.update
    (lesson 6, the minibatch update rule). Returns (new network, Σ_B |B| L_B / m), the epoch's
    loss as ``mc.fit`` records it; compared with ``mc.fit(..., epochs=1)``."""
    return TRAIN_EPOCH.check(train_epoch)


# --- Task 5: the early-stopping rule ----------------------------------------------------------

def early_stopping_reference(val_losses, patience):
    """The rule ``fit`` applies: a check improves when its loss is below the best so far; stop at
    the check where ``patience`` checks in a row have not improved. Returns (index of the last
    check, index of the best check), or (last index, best) when the rule never fires."""
    best, best_loss, bad = 0, np.inf, 0
    for index, value in enumerate(val_losses):
        if value < best_loss:
            best, best_loss, bad = index, value, 0
        else:
            bad += 1
            if bad >= patience:
                return index, best
    return len(val_losses) - 1, best


def _compare_checks(got, expected):
    if not isinstance(got, tuple | list) or len(got) != 2:
        return f"expected a tuple (stop, best) of two indices; got {describe_short(got)}"
    return compare_indices(["the stopping check", "the best check"])(got, expected)


def _early_stopping_cases(rng):
    noisy = [1.0, 0.8, 0.85, 0.7, 0.72, 0.75, 0.71, 0.74, 0.69, 0.8]
    sequences = [
        ("always decreasing, patience 1", [0.9, 0.7, 0.5, 0.4, 0.35], 1),
        ("decreases then rises, patience 1", [0.9, 0.6, 0.5, 0.55, 0.7, 0.8], 1),
        ("noisy, patience 1", noisy, 1),
        ("the same noisy losses, patience 3", noisy, 3),
        ("never improves after the first check, patience 2", [0.5, 0.6, 0.7, 0.8, 0.9], 2),
        ("equal losses (a tie is no improvement), patience 2", [0.5, 0.4, 0.4, 0.4, 0.3], 2),
        ("patience longer than the run", [0.5, 0.6, 0.55, 0.7], 10),
    ]
    cases = [Case(f"{description}: {losses}", (list(losses), patience),
                  early_stopping_reference(losses, patience), compare=_compare_checks)
             for description, losses, patience in sequences]
    if rng is not None:
        for _ in range(3):
            losses = [float(v) for v in np.round(rng.uniform(0.3, 1.0, size=int(
                rng.integers(3, 12))), 1)]  # one decimal: ties happen
            patience = int(rng.integers(1, 5))
            cases.append(Case(f"random losses {losses}, patience {patience} {FRESH}",
                              (list(losses), patience),
                              early_stopping_reference(losses, patience),
                              compare=_compare_checks))
    return cases


EARLY_STOPPING = Task("early_stopping", _early_stopping_cases, references=TRAINING)


def check_early_stopping(early_stopping):
    """The lecture's early stopping as a rule on the validation losses at the checks: stop once
    ``patience`` checks in a row did not beat the best loss so far (a tie is no improvement);
    return (index of the check where training stops, index of the best check), 0-based; the
    lecture's "stop when it starts to increase" is patience 1."""
    return EARLY_STOPPING.check(early_stopping)


# --- Task 6: a training loop with early stopping ----------------------------------------------

def _compare_fit(got, expected):
    if not isinstance(got, tuple | list) or len(got) != 3:
        return (f"expected a tuple (best network, stopped_epoch, best_epoch); "
                f"got {describe_short(got)}")
    message = compare_indices(["the epoch where training stopped", "the best epoch"],
                              offset=1)(got, expected)
    if message:
        return message
    return compare_network(got[0], expected[0], "the first value (the best check's network)")


def _fit_case(description, kind, m, seed, **settings):
    rng = np.random.default_rng(seed)
    net, X, y, loss = _problem(kind, 2 * m, rng)
    X_train, y_train, X_val, y_val = X[:m], y[:m], X[m:], y[m:]
    best, history = fit(net, X_train, y_train, loss=loss, validation=(X_val, y_val), rng=seed,
                        **settings)
    shown = ", ".join(f"{k} = {v}" for k, v in settings.items())
    return Case(f"{description}: {describe_network(net)}, {loss}, {shown}",
                (network_spec(net), X_train, y_train, X_val, y_val),
                (best, history.stopped_epoch, history.best_epoch),
                kwargs={"loss": loss, "rng": seed, **settings}, compare=guarded(_compare_fit))


def _fit_early_stopping_cases(rng):
    cases = [
        _fit_case("stops early", "bce", 30, 0, eta=2.0, epochs=200, batch_size=10,
                  check_every=5, patience=2),
        _fit_case("a check every epoch", "bce", 30, 1, eta=2.0, epochs=100, batch_size=8,
                  check_every=1, patience=3),
        _fit_case("the lecture's rule", "ce", 24, 0, eta=0.1, epochs=100, batch_size=6,
                  check_every=2, patience=1),
        _fit_case("never stops early, the best check is not the last", "mse", 20, 0, eta=0.05,
                  epochs=30, batch_size=5, check_every=3, patience=4),
    ]
    if rng is not None:
        kind = str(rng.choice(["bce", "ce", "mse"]))
        eta = {"bce": 2.0, "ce": 0.1, "mse": 0.05}[kind]
        cases.append(_fit_case(f"random data and start {FRESH}", kind, int(rng.integers(12, 30)),
                               int(rng.integers(2**31)), eta=eta, epochs=int(rng.integers(10, 60)),
                               batch_size=int(rng.integers(4, 12)),
                               check_every=int(rng.integers(1, 4)),
                               patience=int(rng.integers(1, 4))))
    return cases


FIT_EARLY_STOPPING = Task(
    "fit_early_stopping", _fit_early_stopping_cases, call="network", references=TRAINING)


def check_fit_early_stopping(fit_early_stopping):
    """Minibatch gradient descent with the lecture's early stopping (a check every
    ``check_every`` epochs, stop after ``patience`` checks without a new best) that returns the
    best check's weights (lesson 6, "Early stopping with a validation set"). Compared with
    ``mc.fit`` for the same seed: the same stopping epoch, the same best epoch, the same weights."""
    return FIT_EARLY_STOPPING.check(fit_early_stopping)


# --- Tasks 7 and 8: the lecture's warnings ----------------------------------------------------

ZERO_INIT_OPTIONS = {
    "a": "With all weights 0 every gradient is exactly 0, so no weight ever changes.",
    "b": "All neurons of a layer compute the same z, receive the same δ and the same update, so "
         "they stay identical: the layer acts like a single neuron (symmetry).",
    "c": "Zero weights make the loss infinite (log 0) at the first step.",
    "d": "Zero weights put every sigmoid unit on its flat part, where σ'(z) ≈ 0.",
}
ZERO_INIT_WHY_NOT = {
    "a": "that holds only when g(0) = 0 (tanh, ReLU); with sigmoid hidden units a[l] = 0.5, the "
         "weight gradients are not zero and the weights do move (lesson 6, section 1), yet every "
         "neuron of the layer moves in the same way",
    "c": "with zero weights the output is g(0), e.g. σ(0) = 0.5, and the loss is finite "
         "(ln 2 for binary cross-entropy)",
    "d": "z = 0 is where σ'(z) is largest (1/4); zero weights are the least saturated start "
         "there is",
}


ANSWER_ZERO_INIT = choice_task(
    "answer_zero_init", ZERO_INIT_OPTIONS, ZERO_INIT_WHY_NOT, "b",
    "right: identical neurons get identical gradients, so nothing tells them apart; random "
    "weights (or anything that makes the neurons differ) break the symmetry")


def check_answer_zero_init(answer_zero_init):
    """The lecture: weights "should not be initialized to 0". ``answer_zero_init()`` returns one
    letter of :data:`ZERO_INIT_OPTIONS`."""
    return ANSWER_ZERO_INIT.check(answer_zero_init)


SCALING_OPTIONS = {
    "a": "Overflow: np.exp(z) overflows once z is a little larger than 1.",
    "b": "Outputs above 1, which cannot be read as probabilities.",
    "c": "Saturation: for large |z| sigmoid and tanh are flat, g'(z) ≈ 0, and since every δ is "
         "multiplied by g'(z) the unit passes back almost nothing and its weights hardly learn.",
    "d": "Dead ReLUs: a ReLU unit outputs 0 once z is larger than 1.",
}
SCALING_WHY_NOT = {
    "a": "np.exp overflows only beyond z ≈ 709 in float64, and a stable formula avoids even that; "
         "the problem at z = 5 is not numerical",
    "b": "sigmoid and tanh outputs stay within (0, 1) and (-1, 1) for every z; large z pushes "
         "them towards the bounds, it does not exceed them",
    "d": "ReLU(z) = z for z > 0, with derivative 1: large positive z is where ReLU passes the "
         "gradient best; a dead ReLU has z <= 0 for every input",
}


ANSWER_SCALING = choice_task(
    "answer_scaling", SCALING_OPTIONS, SCALING_WHY_NOT, "c",
    "right: tanh'(z) < 0.01 once |z| > 3 and σ'(z) < 0.01 once |z| > 4.6; standardised "
    "inputs and width-scaled weights keep z of order 1")


def check_answer_scaling(answer_scaling):
    """The lecture's "Scaling": z = w · x "shouldn't be too large ... roughly z shouldn't be much
    more than 1". ``answer_scaling()`` returns one letter of :data:`SCALING_OPTIONS`."""
    return ANSWER_SCALING.check(answer_scaling)


TASKS = [STANDARDISE, INIT_SCALES, MINIBATCHES, TRAIN_EPOCH, EARLY_STOPPING, FIT_EARLY_STOPPING,
         ANSWER_ZERO_INIT, ANSWER_SCALING]
