"""Lesson 4's checks (output layers and losses): the classic mistakes fail with a message that
names the case and the slip without giving the answer away. What holds for every lesson (the
solution passes, the stub is not attempted, the notebook and the checker agree on tasks and
points) is in test_checkers_lessons.py."""

import numpy as np
import pytest
from checkers_helpers import first_message, namespace_fixture

import mlpcourse as mc
from mlpcourse.checkers import lesson04
from mlpcourse.checkers.lesson04 import (
    check_binary_cross_entropy,
    check_cross_entropy,
    check_mse,
    check_one_hot,
    check_output_layers,
    check_softmax,
    check_softmax_ce_gradient,
)

ref = namespace_fixture("04_output_layers")


def passes(report):
    return [r.passed for r in report.results]


# --- softmax and one-hot --------------------------------------------------------------------

def test_softmax_without_max_shift_overflows_and_fails():
    def naive(z):
        e = np.exp(np.asarray(z, dtype=float))
        return e / e.sum(axis=-1, keepdims=True)

    report = check_softmax(naive)
    assert passes(report) == [True, True, False, False, True]
    assert "numpy warned 'overflow encountered in exp'" in report.results[2].message


def test_softmax_with_one_maximum_for_the_whole_batch_fails():
    def global_shift(z):
        e = np.exp(np.asarray(z, dtype=float) - np.max(z))
        return e / e.sum(axis=-1, keepdims=True)

    report = check_softmax(global_shift)
    assert not report.passed and "very different size" in \
        [r for r in report.results if not r.passed][-1].description


def test_softmax_along_the_wrong_axis_fails():
    def axis0(z):
        z = np.asarray(z, dtype=float)
        e = np.exp(z - z.max(axis=0, keepdims=True))
        return e / e.sum(axis=0, keepdims=True)

    report = check_softmax(axis0)
    assert report.results[1].description.startswith("z of shape (3, 4)")
    assert not report.results[1].passed

    def whole_array(z):
        z = np.asarray(z, dtype=float)
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum()

    assert "values are wrong" in first_message(check_softmax(whole_array))

    def no_keepdims(z):
        z = np.asarray(z, dtype=float)
        e = np.exp(z - z.max(axis=-1))
        return e / e.sum(axis=-1)

    assert "raised ValueError" in first_message(check_softmax(no_keepdims))


def test_softmax_unnormalised_fails():
    assert "values are wrong" in first_message(check_softmax(lambda z: np.exp(z - np.max(z))))


def test_one_hot_classic_mistakes():
    def from_labels(y, k):
        return np.eye(np.max(y) + 1)[y]  # ignores k

    message = first_message(check_one_hot(from_labels))
    assert "expected an array of shape (4, 5); got shape (4, 3)" in message
    transposed = check_one_hot(lambda y, k: np.eye(k)[y].T)
    assert "expected an array of shape (4, 5); got shape (5, 4)" in transposed.results[1].message
    off_by_one = check_one_hot(lambda y, k: np.eye(k)[np.asarray(y) - 1])
    assert "values are wrong" in first_message(off_by_one)
    assert check_one_hot(lambda y, k: np.eye(k)[y]).passed  # a neat alternative
    assert check_one_hot(lambda y, k: np.eye(k, dtype=int)[y]).passed


# --- the losses -----------------------------------------------------------------------------

def test_mse_classic_mistakes():
    def mean_over_samples(y_hat, y):
        d = np.atleast_2d(np.asarray(y_hat) - np.asarray(y))
        return np.mean(np.sum(d**2, axis=-1))

    report = check_mse(mean_over_samples)
    assert report.results[1].description.startswith("y_hat, y of shape (4, 3)")
    assert not report.results[1].passed
    for wrong in (lambda a, b: np.sum((a - b) ** 2), lambda a, b: np.sqrt(np.mean((a - b) ** 2)),
                  lambda a, b: 0.5 * np.mean((a - b) ** 2), lambda a, b: np.mean(np.abs(a - b))):
        assert "values are wrong" in first_message(check_mse(wrong))


def test_mse_returning_an_array_fails():
    assert "expected a single number" in first_message(check_mse(lambda a, b: (a - b) ** 2))


def test_bce_expected_values():
    y_hat, y = np.array([0.766]), np.array([1.0])
    assert lesson04._bce_expected(y_hat, y) == pytest.approx(-np.log(0.766), rel=1e-12)
    exact = np.array([1.0, 0.0, 0.0, 1.0]), np.array([1.0, 0.0, 1.0, 0.0])
    assert lesson04._bce_expected(*exact) == pytest.approx(-np.log(1e-12) / 2, rel=1e-4)
    assert lesson04._bce_expected(*exact, eps=1e-7) == pytest.approx(-np.log(1e-7) / 2, rel=1e-4)


def test_bce_without_clipping_fails_because_log_0_warns():
    report = check_binary_cross_entropy(
        lambda y_hat, y, eps=1e-12: np.mean(-y * np.log(y_hat) - (1 - y) * np.log(1 - y_hat)))
    assert passes(report) == [True, True, True, False, False]
    assert "numpy warned 'divide by zero encountered in log'" in report.results[3].message


def test_bce_must_use_the_eps_argument():
    def own_eps(y_hat, y, eps=1e-12):
        p = np.clip(y_hat, 1e-7, 1 - 1e-7)
        return np.mean(-y * np.log(p) - (1 - y) * np.log(1 - p))

    assert passes(check_binary_cross_entropy(own_eps)) == [True, True, True, False, True]

    def only_one_side(y_hat, y, eps=1e-12):
        return np.mean(-y * np.log(np.clip(y_hat, eps, 1)) - (1 - y) * np.log(1 - y_hat))

    assert "numpy warned" in first_message(check_binary_cross_entropy(only_one_side))


def test_bce_with_log1p_or_a_separate_clip_of_1_minus_y_hat_passes():
    def separate(y_hat, y, eps=1e-12):
        return np.mean(-y * np.log(np.clip(y_hat, eps, None))
                       - (1 - y) * np.log(np.clip(1 - y_hat, eps, None)))

    assert check_binary_cross_entropy(separate).passed


def test_bce_classic_mistakes():
    def make(transform):
        def bce(y_hat, y, eps=1e-12):
            p = np.clip(y_hat, eps, 1 - eps)
            return transform(-y * np.log(p) - (1 - y) * np.log(1 - p), p, y)

        return bce

    log10 = make(lambda terms, p, y: np.mean(terms) / np.log(10))  # log10 instead of ln
    assert "values are wrong" in first_message(check_binary_cross_entropy(log10))
    total = make(lambda terms, p, y: np.sum(terms))
    assert "values are wrong" in first_message(check_binary_cross_entropy(total))
    per_sample = make(lambda terms, p, y: np.mean(np.sum(np.atleast_2d(terms), axis=-1)))
    report = check_binary_cross_entropy(per_sample)
    assert "two labels per sample" in [r for r in report.results if not r.passed][0].description
    no_negative_class = make(lambda terms, p, y: np.mean(-y * np.log(p)))
    assert "values are wrong" in first_message(check_binary_cross_entropy(no_negative_class))


def test_ce_expected_values_match_the_engine_on_labels():
    rng = np.random.default_rng(1)
    y_hat, y = mc.activations.softmax(rng.normal(size=(6, 4))), np.array([0, 3, 1, 1, 2, 0])
    assert lesson04._ce_expected(y_hat, y) == pytest.approx(mc.loss(y_hat, y, "ce"), rel=1e-12)
    assert lesson04._ce_expected(y_hat, y) == pytest.approx(
        -np.mean(np.log(y_hat[np.arange(6), y])), rel=1e-12)


def test_ce_classic_mistakes():
    def make(transform):
        def ce(y_hat, y, eps=1e-12):
            y_hat = np.clip(np.asarray(y_hat, dtype=float), eps, 1)
            return transform(y_hat, np.asarray(y))

        return ce

    m_ = np.arange
    over_all_entries = make(lambda p, y: -np.sum(np.log(p[m_(len(y)), y])) / p.size)
    report = check_cross_entropy(over_all_entries)
    assert passes(report)[0] is False and "values are wrong" in report.results[0].message
    wrong_index = make(lambda p, y: -np.mean(np.log(p[:, y])))
    assert "values are wrong" in first_message(check_cross_entropy(wrong_index))
    no_minus = make(lambda p, y: np.mean(np.log(p[m_(len(y)), y])))
    assert "values are wrong" in first_message(check_cross_entropy(no_minus))
    all_classes = make(lambda p, y: -np.mean(np.sum(np.log(p), axis=1)))
    assert "values are wrong" in first_message(check_cross_entropy(all_classes))
    no_clip = check_cross_entropy(
        lambda y_hat, y, eps=1e-12: -np.mean(np.log(y_hat[np.arange(len(y)), y])))
    assert passes(no_clip) == [True, True, True, False]
    assert "numpy warned" in no_clip.results[-1].message


def test_ce_with_one_hot_rows_computed_inside_passes():
    def via_one_hot(y_hat, y, eps=1e-12):
        Y = np.eye(y_hat.shape[1])[y]
        return -np.sum(Y * np.log(np.clip(y_hat, eps, 1))) / y_hat.shape[0]

    assert check_cross_entropy(via_one_hot).passed


# --- the choice of output layer -------------------------------------------------------------

def answers(**changes):
    chosen = {key: answer for key, (_, answer) in lesson04.SCENARIOS.items()}
    chosen.update(changes)
    return lambda: chosen


def test_every_wrong_choice_has_an_explanation():
    for key, (_, right) in lesson04.SCENARIOS.items():
        assert set(lesson04._WHY_NOT[key]) == set(lesson04.OUTPUT_OPTIONS) - {right}


def test_a_wrong_choice_is_explained_and_only_that_scenario_fails():
    report = check_output_layers(answers(photo_tags="b"))
    failed = [r for r in report.results if not r.passed]
    assert len(failed) == 1 and failed[0].description.startswith("photo_tags")
    assert failed[0].message == "'b' does not fit: " + lesson04._WHY_NOT["photo_tags"]["b"]
    assert "several tags can apply at once" in failed[0].message


def test_output_layer_answer_forms():
    assert check_output_layers(answers(digit=" B")).passed
    assert "expected a dict" in first_message(check_output_layers(lambda: ["c", "d"]))
    missing = answers()()
    del missing["spam"]
    assert "no entry 'spam'" in first_message(check_output_layers(lambda: missing))
    assert "'z' is not one of the options" in first_message(check_output_layers(answers(spam="z")))
    everything_c = check_output_layers(lambda: dict.fromkeys(lesson04.SCENARIOS, "c"))
    assert sum(passes(everything_c)) == 2


# --- the output gradient --------------------------------------------------------------------

def test_gradient_expected_values_are_the_derivative_of_the_engine_loss():
    rng = np.random.default_rng(2)
    z, y = rng.normal(size=(4, 3)), np.array([2, 0, 1, 1])

    def loss_of(z_flat):
        return mc.loss(mc.activations.softmax(z_flat.reshape(4, 3)), y, "cross_entropy")

    numeric = mc.numerical_gradient(loss_of, z.ravel()).reshape(4, 3)
    np.testing.assert_allclose(lesson04._gradient_expected(z, y), numeric, atol=1e-8)


def test_gradient_classic_mistakes(ref):
    softmax, one_hot = ref["softmax"], ref["one_hot"]
    no_mean = check_softmax_ce_gradient(lambda z, y: softmax(z) - one_hot(y, z.shape[1]))
    assert passes(no_mean)[:2] == [True, False]  # one sample: m = 1 hides it
    flipped = check_softmax_ce_gradient(
        lambda z, y: (one_hot(y, z.shape[1]) - softmax(z)) / z.shape[0])
    assert "values are wrong" in first_message(flipped)
    by_k = check_softmax_ce_gradient(
        lambda z, y: (softmax(z) - one_hot(y, z.shape[1])) / z.shape[1])
    assert "values are wrong" in first_message(by_k)

    def naive_softmax(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    naive = check_softmax_ce_gradient(
        lambda z, y: (naive_softmax(z) - one_hot(y, z.shape[1])) / z.shape[0])
    assert passes(naive) == [True, True, True, False]
    assert "numpy warned" in naive.results[-1].message
    transposed = check_softmax_ce_gradient(
        lambda z, y: ((softmax(z) - one_hot(y, z.shape[1])) / z.shape[0]).T)
    assert "expected an array of shape (1, 3); got shape (3, 1)" in first_message(transposed)


# --- checks that teach: the classic slips are named, the answer never shown ----------------------

def _softmax_rows(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _no_expected_number(report, task):
    for case in task.cases(None):
        for value in np.atleast_1d(np.asarray(case.expected, dtype=float)).ravel():
            if abs(value) > 1e-3:
                assert f"{value:.3g}" not in str(report), (value, str(report))


def test_a_summed_loss_is_named_and_the_answer_not_shown():
    report = check_mse(lambda y_hat, y: float(np.sum((y_hat - y) ** 2)))
    assert "a sum where the mean is wanted" in first_message(report)
    assert "N = 4 times too large" in first_message(report)
    _no_expected_number(report, lesson04.MSE)
    rows = check_mse(lambda y_hat, y: float(np.mean(np.sum((y_hat - y) ** 2, axis=-1))))
    assert "a mean over the samples only" in str(rows)


def test_a_cross_entropy_without_its_minus_sign_is_named():
    def positive_log(y_hat, y, eps=1e-12):
        p = np.clip(y_hat, eps, 1 - eps)
        return float(np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    report = check_binary_cross_entropy(positive_log)
    assert "the sign is flipped" in first_message(report)
    _no_expected_number(report, lesson04.BINARY_CROSS_ENTROPY)


def test_cross_entropy_sum_and_mean_over_all_entries_are_named():
    def summed(y_hat, y, eps=1e-12):
        return float(-np.sum(np.log(np.clip(y_hat[np.arange(len(y)), y], eps, 1.0))))

    def over_all(y_hat, y, eps=1e-12):
        return float(-np.mean(np.eye(y_hat.shape[1])[y] * np.log(np.clip(y_hat, eps, 1.0))))

    assert "N = 4 times too large" in first_message(check_cross_entropy(summed))
    assert "a mean over all m·k entries" in first_message(check_cross_entropy(over_all))


def test_softmax_ce_gradient_slips_are_named():
    def delta(z, y, *, scale=None, sign=1.0):
        m, k = z.shape
        d = sign * (_softmax_rows(z) - np.eye(k)[y])
        return d / (m if scale is None else scale(m, k))

    assert check_softmax_ce_gradient(delta).passed
    summed = check_softmax_ce_gradient(lambda z, y: delta(z, y, scale=lambda m, k: 1))
    assert "N = 4 times too large" in first_message(summed)
    over_all = check_softmax_ce_gradient(lambda z, y: delta(z, y, scale=lambda m, k: m * k))
    assert "a division by all m·k entries" in first_message(over_all)
    flipped = check_softmax_ce_gradient(lambda z, y: delta(z, y, sign=-1.0))
    assert "the sign is flipped" in first_message(flipped)
    _no_expected_number(summed, lesson04.SOFTMAX_CE_GRADIENT)
