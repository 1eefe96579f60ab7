"""Lesson 7's checks (vanishing gradients): the classic mistakes fail with a message that names the
case and the slip without giving the answer away. What holds for every lesson (the solution
passes, the stub is not attempted, the notebook and the checker agree on tasks and points) is in
test_checkers_lessons.py."""

import numpy as np
import pytest
from checkers_helpers import failed

import mlpcourse as mc
from mlpcourse.checkers import lesson07 as checks

# --- gradient_norms -----------------------------------------------------------------------------

def test_gradient_norms_mistakes():
    def with_slot0(grads, per_weight=False):
        return np.array([np.linalg.norm(g) for g in grads.W])  # norm(None) raises

    def biases(grads, per_weight=False):
        return np.array([np.linalg.norm(g) for g in grads.b[1:]])

    def largest_entry(grads, per_weight=False):
        return np.array([np.abs(g).max() for g in grads.W[1:]])

    def divide_by_size(grads, per_weight=False):
        norms = np.array([np.linalg.norm(g) for g in grads.W[1:]])
        return norms / np.array([g.size for g in grads.W[1:]]) if per_weight else norms

    def ignores_per_weight(grads, per_weight=False):
        return np.array([np.linalg.norm(g) for g in grads.W[1:]])

    def skips_output(grads, per_weight=False):
        return np.array([np.linalg.norm(g) for g in grads.W[1:-1]])

    def deltas(grads, per_weight=False):
        return np.array([np.linalg.norm(d) for d in grads.delta[1:]])

    def in_place(grads, per_weight=False):
        for g in grads.W[1:]:
            g **= 2
        return np.array([np.sqrt(g.sum()) for g in grads.W[1:]])

    assert "raised" in failed(checks.check_gradient_norms(with_slot0))
    for wrong in (biases, largest_entry, divide_by_size, ignores_per_weight, deltas):
        assert "values are wrong" in failed(checks.check_gradient_norms(wrong))
    assert "shape" in failed(checks.check_gradient_norms(skips_output))
    assert "modified grads.W in place" in failed(checks.check_gradient_norms(in_place))
    assert "forget `return`" in failed(checks.check_gradient_norms(lambda grads, **kw: None))


def test_gradient_norms_accepts_a_list():
    def as_list(grads, per_weight=False):
        return [float(np.linalg.norm(g) / (np.sqrt(g.size) if per_weight else 1))
                for g in grads.W[1:]]

    assert checks.check_gradient_norms(as_list).passed


# --- sigmoid_bound ------------------------------------------------------------------------------

def test_sigmoid_bound_mistakes():
    mistakes = {
        "times": lambda k: 0.25 * np.asarray(k, dtype=float),
        "half": lambda k: 0.5 ** np.asarray(k, dtype=float),
        "one more": lambda k: 0.25 ** (np.asarray(k, dtype=float) + 1),
        "one less": lambda k: 0.25 ** (np.asarray(k, dtype=float) - 1),
        "zero for large k": lambda k: np.where(np.asarray(k) > 15, 0.0, 0.25 ** np.asarray(
            k, dtype=float)),
    }
    for name, wrong in mistakes.items():
        assert "values are wrong" in failed(checks.check_sigmoid_bound(wrong)), name
    assert "raised ValueError" in failed(checks.check_sigmoid_bound(lambda k: 4 ** -np.asarray(k)))
    assert checks.check_sigmoid_bound(lambda k: np.power(4.0, -np.asarray(k))).passed


# --- saturated_fraction -------------------------------------------------------------------------

def _fraction(z, activation, threshold=0.01, *, absolute=False, relu_strict=False,
              rule_of_thumb=False, count=False):
    z = np.asarray(z, dtype=float)
    if rule_of_thumb:
        return float(np.mean(np.abs(z) > 3))
    with np.errstate(over="ignore"):
        s = 1 / (1 + np.exp(-z))
    g, top = {"sigmoid": (s * (1 - s), 0.25), "tanh": (1 - np.tanh(z) ** 2, 1.0),
              "relu": ((z >= 0 if relu_strict else z > 0).astype(float), 1.0)}[activation]
    hit = g < threshold * (1.0 if absolute else top)
    return int(hit.sum()) if count else float(hit.mean())


def test_saturated_fraction_mistakes():
    def variant(**kw):
        return lambda z, activation, threshold=0.01: _fraction(z, activation, threshold, **kw)

    assert checks.check_saturated_fraction(variant()).passed
    for kw in ({"absolute": True}, {"relu_strict": True}, {"rule_of_thumb": True},
               {"count": True}):
        assert "values are wrong" in failed(checks.check_saturated_fraction(variant(**kw))), kw
    assert "single number" in failed(checks.check_saturated_fraction(
        lambda z, activation, threshold=0.01: np.asarray(z) * 0))


def test_saturation_expectation_is_the_diagnostic_on_a_real_layer():
    """The checker's identity-network trick gives what diagnostics.saturation measures for the
    first hidden layer of an ordinary network."""
    net = mc.diagnostics.deep_network(3, width=6, activation="tanh", gain=3.0, rng=0)
    X = np.random.default_rng(0).normal(size=(20, 2))
    z = mc.forward(net, X)[1].z[1]
    expected = mc.diagnostics.saturation(net, X).fraction[0]
    assert checks._saturation_expected(z, "tanh", 0.01) == pytest.approx(expected)
    assert 0 < expected < 1


# --- first_last_ratio and delta_factors ---------------------------------------------------------

def _grads(net, X, y, loss):
    return mc.backward(net, mc.forward(net, X)[1], y, loss)


def test_first_last_ratio_mistakes():
    def inverted(net, X, y, loss):
        g = _grads(net, X, y, loss)
        return np.linalg.norm(g.W[net.L]) / np.linalg.norm(g.W[1])

    def deltas(net, X, y, loss):
        g = _grads(net, X, y, loss)
        return np.linalg.norm(g.delta[1]) / np.linalg.norm(g.delta[net.L])

    def biases(net, X, y, loss):
        g = _grads(net, X, y, loss)
        return np.linalg.norm(g.b[1]) / np.linalg.norm(g.b[net.L])

    def second_last(net, X, y, loss):
        g = _grads(net, X, y, loss)
        return np.linalg.norm(g.W[1]) / np.linalg.norm(g.W[net.L - 1])

    def per_weight(net, X, y, loss):
        g = _grads(net, X, y, loss)
        return (np.linalg.norm(g.W[1]) / np.sqrt(g.W[1].size)) / (
            np.linalg.norm(g.W[net.L]) / np.sqrt(g.W[net.L].size))

    def updates(net, X, y, loss):
        g = _grads(net, X, y, loss)
        net.W[1][...] = 0
        return np.linalg.norm(g.W[1]) / np.linalg.norm(g.W[net.L])

    for wrong in (inverted, deltas, biases, second_last, per_weight):
        assert "values are wrong" in failed(checks.check_first_last_ratio(wrong)), wrong.__name__
    assert "modified net.W[1]" in failed(checks.check_first_last_ratio(updates))


def test_delta_factors_mistakes():
    def norms(net, X, y, loss, of="delta"):
        return np.array([np.linalg.norm(d) for d in getattr(_grads(net, X, y, loss), of)[1:]])

    mistakes = {
        "inverted": lambda net, X, y, loss: (lambda n: n[1:] / n[:-1])(norms(net, X, y, loss)),
        "weights": lambda net, X, y, loss: (lambda n: n[:-1] / n[1:])(norms(net, X, y, loss,
                                                                             "W")),
        "per sample": lambda net, X, y, loss: (lambda n: n[:-1] / n[1:])(np.array(
            [np.linalg.norm(d[0]) for d in _grads(net, X, y, loss).delta[1:]])),
    }
    for name, wrong in mistakes.items():
        assert "values are wrong" in failed(checks.check_delta_factors(wrong)), name
    assert "shape" in failed(checks.check_delta_factors(
        lambda net, X, y, loss: norms(net, X, y, loss)))  # the norms, not their ratios
    assert "shape" in failed(checks.check_delta_factors(
        lambda net, X, y, loss: (lambda n: n[:-1] / n[1:])(norms(net, X, y, loss))[::-1][:1]))


def test_reference_factors_match_the_lesson_claim():
    """The lesson's "about a fifth per sigmoid layer": the deep sigmoid case really shrinks δ."""
    net, X, y, loss = checks._problems()["deep sigmoid"]
    assert np.all(checks._factors(net, X, y, loss) < 0.35)
    assert checks._ratio(net, X, y, loss) < 0.05


# --- the two questions --------------------------------------------------------------------------

@pytest.mark.parametrize(("check", "options", "right"), [
    (checks.check_answer_relu, checks.RELU_OPTIONS, "d"),
    (checks.check_answer_tanh, checks.TANH_OPTIONS, "c"),
])
def test_choice_answers(check, options, right):
    for letter in options:
        report = check(lambda letter=letter: letter)
        assert report.passed == (letter == right)
        if letter != right:
            message = failed(report)
            assert f"'{letter}' is not right" in message and f"'{right}'" not in message
        else:
            assert report.note.startswith("right")
    assert "'relu' is not one of the options" in failed(check(lambda: "relu"))
    assert "expected one letter as a string" in failed(check(lambda: 3))
