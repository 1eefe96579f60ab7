"""Checks for lesson 1 (the perceptron): the adder, the step output, the learning rule, logic
gates by hand, why XOR fails and a 2-2-1 step network that computes XOR.

Expected values come from :mod:`mlpcourse.perceptron`, :mod:`mlpcourse.activations` and
:func:`mlpcourse.forward`, or from the lecture's formulas. The learning-rule cases use dyadic
numbers (0.25, 0.5, ...) so every sum is exact in floating point and ``h > theta`` never depends
on how a student orders the additions.
"""

from __future__ import annotations

import numpy as np

from .. import activations, datasets, perceptron
from ..network import Network, forward
from .core import NO_RETURN, Case, Task, compare_parts, describe_value
from .helpers import choice_task

REFERENCES = ("mlpcourse.perceptron", "mlpcourse.activations.step")

__all__ = [
    "check_adder",
    "check_answer_xor",
    "check_gate_weights",
    "check_perceptron_output",
    "check_perceptron_update",
    "check_step_output",
    "check_train_perceptron",
    "check_xor_network",
]


# ---------------------------------------------------------------- the adder and the step


_X3 = np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 1.0], [0.0, 0.0, 0.0], [-2.0, 3.0, 0.25]])
_W3 = np.array([0.5, -1.5, 2.0])


def _adder(X, w):
    """h = Σ_i w_i x_i for each row (the lecture's adder)."""
    return np.sum(np.asarray(X, dtype=float) * np.asarray(w, dtype=float), axis=-1)


def _dyadic(rng, shape, low=-8, high=8):
    """Random multiples of 0.25: every sum of products of them is exact in floating point."""
    return rng.integers(low, high + 1, size=shape) / 4.0


def _adder_cases(rng):
    cases = [
        Case("one sample x = [1, 0], w = [0.6, 0.6]", ([1.0, 0.0], [0.6, 0.6]),
             _adder([1.0, 0.0], [0.6, 0.6])),
        Case("one sample x = [2, -1, 0.5], w = [0.5, -1.5, 2] (a number back)",
             (np.array([2.0, -1.0, 0.5]), _W3), _adder([2.0, -1.0, 0.5], _W3)),
        Case("a batch X of shape (4, 3) (one h per row, shape (4,))", (_X3, _W3), _adder(_X3, _W3)),
        Case("a batch X of shape (5, 1): one input", (np.arange(5.0).reshape(5, 1), [-0.5]),
             _adder(np.arange(5.0).reshape(5, 1), [-0.5])),
    ]
    if rng is not None:
        m, n = (int(k) for k in rng.integers(2, 7, size=2))
        X, w = rng.normal(size=(m, n)), rng.normal(size=n)
        cases.append(Case(f"a random batch X of shape ({m}, {n}) (fresh for this grading run)",
                          (X, w), _adder(X, w)))
        x = rng.normal(size=n)
        cases.append(Case(f"a random sample x of shape ({n},) (a number back)", (x, w),
                          _adder(x, w)))
    return cases


ADDER = Task("adder", _adder_cases, references=REFERENCES)


def check_adder(adder):
    """adder(X, w): h = Σ_i w_i x_i; X (n,) gives a number, X (m, n) gives (m,)."""
    return ADDER.check(adder)


def _step_output_cases(rng):
    h = np.array([-1.0, 0.25, 0.5, 0.75, 2.0])
    cases = [
        Case("h = 0.6, theta = 0.5 (a number)", (0.6, 0.5), activations.step(0.6, 0.5)),
        Case("h = 0.5, theta = 0.5 (h equal to theta)", (0.5, 0.5), activations.step(0.5, 0.5)),
        Case("h = [-1, 0.25, 0.5, 0.75, 2], theta = 0.5", (h, 0.5), activations.step(h, 0.5)),
        Case("h = [-1, 0.25, 0.5, 0.75, 2], theta = -1 (a negative threshold)", (h, -1.0),
             activations.step(h, -1.0)),
        Case("h of shape (2, 3), theta = 0", (_X3[:2], 0.0), activations.step(_X3[:2], 0.0)),
    ]
    if rng is not None:
        for shape in ((int(rng.integers(3, 9)),), tuple(int(k) for k in rng.integers(2, 5, 2))):
            theta = float(_dyadic(rng, ()))
            values = _dyadic(rng, shape)
            values.flat[0] = theta  # h equal to theta gives 0
            cases.append(Case(f"random h of shape {shape}, theta = {theta:g} (fresh for this "
                              "grading run)", (values, theta), activations.step(values, theta)))
    return cases


STEP_OUTPUT = Task("step_output", _step_output_cases, references=REFERENCES)


def check_step_output(step_output):
    """step_output(h, theta): o = 1 if h > theta else 0, elementwise (strict inequality)."""
    return STEP_OUTPUT.check(step_output)


def _perceptron_output_cases(rng):
    X_gate, _ = datasets.logic_gate("AND")
    cases = [
        Case(f"X = the four gate inputs (4, 2), w = [0.6, 0.6], theta = {theta}",
             (X_gate, [0.6, 0.6], theta), perceptron.perceptron_output(X_gate, [0.6, 0.6], theta))
        for theta in (0.5, 1.0)
    ]
    cases += [
        Case("X of shape (4, 3), w = [0.5, -1.5, 2], theta = 0.5", (_X3, _W3, 0.5),
             perceptron.perceptron_output(_X3, _W3, 0.5)),
        Case("X of shape (4, 3), theta = 0 (a row with h exactly 0)", (_X3, _W3, 0.0),
             perceptron.perceptron_output(_X3, _W3, 0.0)),
        Case("one sample x = [1, 1], w = [0.5, 0.5], theta = 0.75 (a number back)",
             (np.array([1.0, 1.0]), [0.5, 0.5], 0.75),
             perceptron.perceptron_output([1.0, 1.0], [0.5, 0.5], 0.75)),
    ]
    if rng is not None:
        m, n = int(rng.integers(3, 9)), int(rng.integers(2, 5))
        X, w, theta = _dyadic(rng, (m, n)), _dyadic(rng, n), float(_dyadic(rng, ()))
        cases.append(Case(f"random X of shape ({m}, {n}), w, theta = {theta:g} (fresh for this "
                          "grading run)", (X, w, theta), perceptron.perceptron_output(X, w, theta)))
        x = _dyadic(rng, n)
        cases.append(Case(f"a random sample x of shape ({n},) (a number back)", (x, w, theta),
                          perceptron.perceptron_output(x, w, theta)))
    return cases


PERCEPTRON_OUTPUT = Task("perceptron_output", _perceptron_output_cases, references=REFERENCES)


def check_perceptron_output(perceptron_output):
    """perceptron_output(X, w, theta): o = g(Σ_i w_i x_i) for one sample or each row of X."""
    return PERCEPTRON_OUTPUT.check(perceptron_output)


# ---------------------------------------------------------------- the learning rule


def _update(x, t, w, theta, eta):
    """One step of the perceptron learning rule (exact formula, using the engine's output)."""
    o = perceptron.perceptron_output(x, w, theta)
    w = np.asarray(w, dtype=float)
    return w + eta * (t - o) * np.asarray(x, dtype=float), theta - eta * (t - o)


def _update_cases(rng):
    specs = [
        ("output right (t = 1, o = 1): nothing changes",
         ([1.0, 0.5], 1, [0.5, 0.5], 0.25, 0.5)),
        ("o = 0 but t = 1, x = [1, -0.5], eta = 0.5",
         ([1.0, -0.5], 1, [0.25, 0.5], 0.5, 0.5)),
        ("o = 1 but t = 0, three inputs x = [1, 2, -1], eta = 0.25",
         ([1.0, 2.0, -1.0], 0, [0.5, 0.25, -0.5], -0.25, 0.25)),
        ("h exactly equal to theta (so o = 0) and t = 1",
         ([1.0, 0.0], 1, [0.5, 1.0], 0.5, 0.25)),
        ("x = [0, 0] with t = 1: only the threshold can move",
         ([0.0, 0.0], 1, [0.75, -0.25], 0.0, 0.5)),
    ]
    if rng is not None:
        for _ in range(3):
            n = int(rng.integers(2, 6))
            x, w = _dyadic(rng, n), _dyadic(rng, n)
            theta, t = float(_dyadic(rng, ())), int(rng.integers(0, 2))
            eta = float(rng.choice([0.125, 0.25, 0.5, 1.0]))
            specs.append((f"random x and w of shape ({n},), t = {t}, theta = {theta:g}, "
                          f"eta = {eta:g} (fresh for this grading run)", (x, t, w, theta, eta)))
    return [Case(text, (np.array(x), t, np.array(w), theta, eta), _update(x, t, w, theta, eta),
                 compare=compare_parts(("w_new", "theta_new")))
            for text, (x, t, w, theta, eta) in specs]


PERCEPTRON_UPDATE = Task("perceptron_update", _update_cases, references=REFERENCES)


def check_perceptron_update(perceptron_update):
    """perceptron_update(x, t, w, theta, eta) -> (w_new, theta_new):
    w <- w + eta (t - o) x and theta <- theta - eta (t - o), with o the perceptron's output."""
    return PERCEPTRON_UPDATE.check(perceptron_update)


def _train(X, t, w, theta, eta, max_epochs):
    """The perceptron rule over the rows of X in order, epoch after epoch, until an epoch makes
    no mistake or max_epochs epochs have run. Returns (w, theta, mistakes per epoch)."""
    X, w, errors = np.asarray(X, dtype=float), np.asarray(w, dtype=float), []
    for _ in range(max_epochs):
        mistakes = 0
        for x, target in zip(X, t, strict=True):  # sequential: each step uses the last update
            if target != perceptron.perceptron_output(x, w, theta):
                w, theta = _update(x, target, w, theta, eta)
                mistakes += 1
        errors.append(mistakes)
        if mistakes == 0:
            break
    return w, theta, np.array(errors)


_MAJORITY_X = np.array([[1.0, 0.0, 0.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0],
                        [1.0, 1.0, 1.0], [0.0, 1.0, 0.0]])
_MAJORITY_T = (_MAJORITY_X.sum(axis=1) >= 2).astype(int)


def _train_cases(rng):
    gates = {name: datasets.logic_gate(name) for name in ("AND", "OR", "XOR")}
    specs = [
        ("AND from w = [0, 0], theta = 0, eta = 0.5", *gates["AND"], [0.0, 0.0], 0.0, 0.5, 20),
        ("OR from w = [-0.5, 0.25], theta = 0.5, eta = 0.25", *gates["OR"], [-0.5, 0.25], 0.5,
         0.25, 20),
        ("XOR, max_epochs = 8 (never converges)", *gates["XOR"], [0.0, 0.0], 0.0, 0.5, 8),
        ("AND starting from a solution: one epoch, nothing changes", *gates["AND"], [1.0, 1.0],
         1.5, 0.5, 5),
        ("majority of 3 inputs, X of shape (6, 3), eta = 0.25", _MAJORITY_X, _MAJORITY_T,
         [0.0, 0.0, 0.0], 0.0, 0.25, 30),
    ]
    if rng is not None:
        for _ in range(2):
            m, n = int(rng.integers(4, 9)), int(rng.integers(2, 4))
            X = rng.integers(0, 2, size=(m, n)).astype(float)
            t = rng.integers(0, 2, size=m)
            epochs = int(rng.integers(3, 12))
            specs.append((f"random 0/1 inputs X of shape ({m}, {n}) with random targets, "
                          f"max_epochs = {epochs} (fresh for this grading run)", X, t,
                          list(_dyadic(rng, n)), float(_dyadic(rng, ())),
                          float(rng.choice([0.25, 0.5])), epochs))
    return [Case(text, (X, t, np.array(w), theta, eta, epochs),
                 _train(X, t, w, theta, eta, epochs),
                 compare=compare_parts(("w", "theta", "errors per epoch")))
            for text, X, t, w, theta, eta, epochs in specs]


TRAIN_PERCEPTRON = Task("train_perceptron", _train_cases, references=REFERENCES)


def check_train_perceptron(train_perceptron):
    """train_perceptron(X, t, w, theta, eta, max_epochs) -> (w, theta, errors): the learning
    rule over the rows of X in order, stopping after the first epoch without a mistake."""
    return TRAIN_PERCEPTRON.check(train_perceptron)


# ---------------------------------------------------------------- gates by hand


def _truth_table(gate):
    X, t = datasets.logic_gate("AND" if gate == "NAND" else gate)
    return X, 1 - t if gate == "NAND" else t


def _weights_and_threshold(got, n):
    """(w, theta) as arrays if ``got`` has that form, else a message saying what came back."""
    if got is None:
        return NO_RETURN
    if not isinstance(got, tuple | list) or len(got) != 2:
        return f"expected a tuple (w, theta); got {describe_value(got)}"
    try:
        w, theta = np.asarray(got[0], dtype=float), np.asarray(got[1], dtype=float)
    except (TypeError, ValueError):
        return "expected numbers in (w, theta); got something else"
    if w.ndim == 0 and theta.ndim == 0:
        return (f"expected a tuple (w, theta) with w an array of shape ({n},); got two numbers "
                f"(only w?)")
    if w.shape != (n,):
        return f"the first value (w) must have shape ({n},); got {describe_value(w)}"
    if theta.size != 1:
        return f"the second value (theta) must be one number; got {describe_value(theta)}"
    if not (np.all(np.isfinite(w)) and np.isfinite(theta)):
        return "w and theta must be finite numbers"
    return w, float(theta.reshape(-1)[0])


def _gate_compare(gate):
    X, t = _truth_table(gate)

    def compare(got, expected):
        parsed = _weights_and_threshold(got, X.shape[1])
        if isinstance(parsed, str):
            return parsed
        o = perceptron.perceptron_output(X, *parsed)
        wrong = [f"({x[0]:g}, {x[1]:g})" for x, oi, ti in zip(X, o, t, strict=True) if oi != ti]
        if wrong:
            return (f"the perceptron with these w and theta gives the wrong output for "
                    f"{'input' if len(wrong) == 1 else 'inputs'} {', '.join(wrong)}")
        return None

    return compare


GATE_WEIGHTS = Task(
    "gate_weights",
    lambda rng: [Case(f'gate = "{gate}", on its four inputs', (gate,), _truth_table(gate)[1],
                      compare=_gate_compare(gate)) for gate in ("AND", "OR", "NAND")],
    references=REFERENCES)


def check_gate_weights(gate_weights):
    """gate_weights(gate) -> (w, theta) for "AND", "OR" and "NAND"; any weights that compute
    the gate on its truth table pass."""
    return GATE_WEIGHTS.check(gate_weights)


# ---------------------------------------------------------------- XOR

_XOR_OPTIONS = "abcd"
_XOR_FEEDBACK = {
    "a": "η only scales the steps: if weights and a threshold that compute XOR existed, the rule "
         "would find them for any η > 0. Ask whether such weights exist at all.",
    "b": "the convergence theorem promises an end to the mistakes only when weights that "
         "compute the gate exist (try the lesson's training with epochs=1000). Ask whether such "
         "weights exist at all.",
    "d": "the perceptron rule uses no derivative: it adds η (t − o) x. The missing derivative "
         "matters for training hidden layers by backpropagation, not here.",
}


ANSWER_XOR = choice_task("answer_xor", _XOR_OPTIONS, _XOR_FEEDBACK, "c", description="your choice")


def check_answer_xor(answer_xor):
    """answer_xor() -> one of "a", "b", "c", "d": why no single perceptron computes XOR."""
    return ANSWER_XOR.check(answer_xor)


def _xor_network_compare(check_outputs):
    X, t = datasets.logic_gate("XOR")

    def compare(got, expected):
        if got is None:
            return NO_RETURN
        if not isinstance(got, tuple | list) or len(got) != 2:
            return f"expected a tuple (W, b) of two lists; got {describe_value(got)}"
        try:
            layers = sum(w is not None for w in got[0])  # a leading None (slot 0) is allowed
            net = Network.from_weights(got[0], got[1], ["step"] * layers)
        except (TypeError, ValueError) as error:
            return f"these W and b do not make a network: {error}"
        if net.sizes != [2, 2, 1]:
            return (f"expected a 2-2-1 network (W = [W1 of shape (2, 2), W2 of shape (1, 2)]); "
                    f"got layer sizes {'-'.join(map(str, net.sizes))}")
        if not check_outputs:
            return None
        y_hat, _ = forward(net, X)
        wrong = [f"({x[0]:g}, {x[1]:g})" for x, yi, ti in zip(X, y_hat[:, 0], t, strict=True)
                 if yi != ti]
        if wrong:
            return (f"the step network gives the wrong output for "
                    f"{'input' if len(wrong) == 1 else 'inputs'} {', '.join(wrong)}")
        return None

    return compare


XOR_NETWORK = Task("xor_network", lambda rng: [
    Case("W = [W1, W2] and b = [b1, b2] of a 2-2-1 network", (), None,
         compare=_xor_network_compare(check_outputs=False)),
    Case("run with mc.forward on (0, 0), (0, 1), (1, 0), (1, 1)", (), None,
         compare=_xor_network_compare(check_outputs=True)),
], references=REFERENCES)


def check_xor_network(xor_network):
    """xor_network() -> (W, b): W = [W1 (2, 2), W2 (1, 2)], b = [b1 (2,), b2 (1,)] of a 2-2-1
    network of step neurons (1 if z > 0) that computes XOR; any correct weights pass."""
    return XOR_NETWORK.check(xor_network)


TASKS = [ADDER, STEP_OUTPUT, PERCEPTRON_OUTPUT, PERCEPTRON_UPDATE, TRAIN_PERCEPTRON,
         GATE_WEIGHTS, ANSWER_XOR, XOR_NETWORK]
