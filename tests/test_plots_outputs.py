"""Tests of the lesson-4 plots (mlpcourse.plots.outputs): what each plot shows (bar heights, the
numbers written on them, titles with the scores) and the errors for bad input."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from mlpcourse.activations import sigmoid, softmax  # noqa: E402
from mlpcourse.plots import outputs  # noqa: E402


def _bar_heights(ax):
    return np.array([patch.get_height() for patch in ax.patches])


def _texts(ax):
    return [t.get_text() for t in ax.texts]


# --- softmax_temperature_bars --------------------------------------------------------------

def test_softmax_explorer_shows_logits_probabilities_and_their_sum():
    z = np.array([2.0, 1.0, 0.1])
    ax_z, ax_p = outputs.softmax_explorer(z)
    np.testing.assert_allclose(_bar_heights(ax_z), z)
    assert _texts(ax_z) == ["2.00", "1.00", "0.10"]
    np.testing.assert_allclose(_bar_heights(ax_p), softmax(z))
    expected = [f"{v:.3f}" for v in softmax(z)]
    assert _texts(ax_p) == expected == ["0.659", "0.242", "0.099"]
    assert ax_p.get_title() == "softmax(z / T), T = 1:  sum = 1.0000"
    assert [t.get_text() for t in ax_p.get_xticklabels()] == ["class 0", "class 1", "class 2"]


def test_softmax_temperature_bars_divides_the_logits_by_t():
    z = np.array([2.0, 0.0, -1.0, 0.5])
    ax = outputs.softmax_temperature_bars(z, temperature=4.0, class_names="abcd")
    np.testing.assert_allclose(_bar_heights(ax), softmax(z / 4.0))
    assert ax.get_title() == "softmax(z / T), T = 4:  sum = 1.0000"
    assert outputs.softmax_temperature_bars(z, title="cold").get_title() == "cold:  sum = 1.0000"


def test_one_name_per_softmax_picture():
    # lesson 3's softmax_bars(z, ax, labels) and lesson 4's temperature bars have different
    # signatures: they have different names, so that neither is called with the other's arguments
    from mlpcourse.plots import activations

    assert not hasattr(outputs, "softmax_bars")
    assert activations.softmax_bars is not outputs.softmax_temperature_bars


def test_softmax_temperature_bars_shift_invariance_is_visible():
    z = np.array([3.0, 1.0, -2.0])
    bars = outputs.softmax_temperature_bars
    np.testing.assert_allclose(_bar_heights(bars(z)), _bar_heights(bars(z + 100.0)), rtol=1e-12)


def test_softmax_plots_draw_on_given_axes():
    _, axes = plt.subplots(1, 3)
    assert outputs.softmax_explorer([0.0, 1.0], axes=axes[:2]) == (axes[0], axes[1])
    assert outputs.softmax_temperature_bars([0.0, 1.0], ax=axes[2]) is axes[2]


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"z": [[1.0, 2.0]]}, ValueError, "z must be 1-D"),
    ({"z": [1.0, 2.0], "temperature": 0.0}, ValueError, "temperature must be a finite number > 0"),
    ({"z": [1.0, 2.0], "temperature": "hot"}, TypeError, "temperature must be a positive number"),
    ({"z": [1.0, 2.0], "class_names": ["a"]}, ValueError, "class_names must give 2 names"),
    ({"z": [1.0, np.nan]}, ValueError, "z must contain only finite numbers"),
])
@pytest.mark.parametrize("plot", [outputs.softmax_temperature_bars, outputs.softmax_explorer])
def test_softmax_plot_errors(plot, kwargs, error, match):
    with pytest.raises(error, match=match):
        plot(**kwargs)


# --- regression ----------------------------------------------------------------------------

def test_regression_scores_known_values():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    y_hat = np.array([1.0, 2.0, 3.0, 6.0])
    scores = outputs.regression_scores(y, y_hat)
    assert scores["rmse"] == pytest.approx(1.0)  # sqrt(4 / 4)
    assert scores["r2"] == pytest.approx(1 - 4 / 5)  # total sum of squares 5
    assert outputs.regression_scores(y, y) == {"r2": 1.0, "rmse": 0.0}
    # predicting the mean gives R² = 0
    assert outputs.regression_scores(y, np.full(4, 2.5))["r2"] == pytest.approx(0.0)


def test_regression_scores_accept_columns():
    y, y_hat = np.array([[1.0], [3.0]]), np.array([1.0, 2.0])
    assert outputs.regression_scores(y, y_hat)["rmse"] == pytest.approx(np.sqrt(0.5))


def test_regression_plot_scatter_line_and_title():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    y_hat = np.array([[1.0], [2.0], [3.0], [6.0]])
    ax = outputs.regression_plot(y, y_hat, title="diabetes", units=" points")
    np.testing.assert_allclose(ax.collections[0].get_offsets(), np.column_stack([y, y_hat[:, 0]]))
    line = ax.lines[0]
    np.testing.assert_allclose(line.get_xdata(), line.get_ydata())  # the y = x line
    assert ax.get_title() == "diabetes\nR² = 0.200, RMSE = 1.00 points"
    assert ax.get_xlabel() == "true y"


def test_regression_plot_errors():
    with pytest.raises(ValueError, match="y_hat must hold 3 values, one per sample"):
        outputs.regression_plot([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(ValueError, match=r"y must have shape \(m,\) or \(m, 1\)"):
        outputs.regression_plot(np.zeros((3, 2)), np.zeros(3))


# --- binary --------------------------------------------------------------------------------

def test_binary_probability_plot_sorts_and_marks_mistakes():
    p = np.array([0.9, 0.2, 0.6, 0.4, 0.7])
    y = np.array([1, 0, 0, 1, 1])  # 0.6 (true 0) and 0.4 (true 1) are wrong at 0.5
    ax = outputs.binary_probability_plot(p, y, class_names=["malignant", "benign"])
    assert ax.get_title() == "accuracy = 0.600 (3/5)"
    plotted = np.concatenate([c.get_offsets()[:, 1] for c in ax.collections])
    np.testing.assert_allclose(np.sort(plotted), np.sort(p))
    labels = ax.get_legend_handles_labels()[1]
    assert "true malignant, misclassified (1)" in labels
    assert "true benign, misclassified (1)" in labels
    assert ax.lines[0].get_ydata()[0] == 0.5


def test_binary_probability_plot_threshold_changes_accuracy():
    p, y = np.array([[0.9], [0.2], [0.6], [0.4]]), np.array([1, 0, 0, 1])
    ax = outputs.binary_probability_plot(p, y, threshold=0.3, title="test set")
    assert ax.get_title() == "test set: accuracy = 0.750 (3/4)"


@pytest.mark.parametrize(("p", "y", "kwargs", "match"), [
    ([0.5, 1.2], [0, 1], {}, r"p must hold probabilities in \[0, 1\]"),
    ([0.5, 0.2], [0, 2], {}, "y must hold labels 0 or 1"),
    ([0.5, 0.2], [0, 0.5], {}, "y must hold non-negative integer class labels"),
    ([0.5, 0.2], [0, 1, 1], {}, "y must hold 2 values"),
    ([0.5, 0.2], [0, 1], {"threshold": 1.0}, "threshold must lie strictly between 0 and 1"),
])
def test_binary_probability_plot_errors(p, y, kwargs, match):
    with pytest.raises(ValueError, match=match):
        outputs.binary_probability_plot(p, y, **kwargs)


# --- confusion matrix ----------------------------------------------------------------------

def test_confusion_matrix_counts():
    y = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    expected = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 2]])
    np.testing.assert_array_equal(outputs.confusion_matrix(y, y_pred), expected)
    assert outputs.confusion_matrix(y, y_pred, k=4).shape == (4, 4)
    assert outputs.confusion_matrix(y, y_pred).sum() == len(y)


def test_confusion_matrix_rejects_too_small_k_and_bad_labels():
    with pytest.raises(ValueError, match="k must be an int >= 3"):
        outputs.confusion_matrix([0, 2], [0, 1], k=2)
    with pytest.raises(ValueError, match="y_pred must hold non-negative integer class labels"):
        outputs.confusion_matrix([0, 1], [0, -1])
    with pytest.raises(ValueError, match="y_pred must hold 2 values"):
        outputs.confusion_matrix([0, 1], [0, 1, 1])


def test_confusion_matrix_plot_shows_counts_and_accuracy():
    y = np.array([0, 0, 1, 2, 2, 2])
    y_pred = np.array([0, 1, 1, 2, 0, 2])
    ax = outputs.confusion_matrix_plot(y, y_pred, class_names=["setosa", "versicolor",
                                                                "virginica"], title="iris")
    np.testing.assert_array_equal(ax.images[0].get_array(), outputs.confusion_matrix(y, y_pred))
    assert sorted(_texts(ax)) == sorted(["1", "1", "1", "1", "2"])  # zero cells stay blank
    assert ax.get_title() == "iris\naccuracy = 0.667 (4/6)"
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["setosa", "versicolor", "virginica"]


# --- multi-label ---------------------------------------------------------------------------

def test_multilabel_accuracy_bars_values_baseline_and_exact_match():
    Y = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0], [1, 0, 0]])
    Y_pred = np.array([[1, 0, 1], [0, 1, 1], [1, 1, 1], [0, 0, 0]])
    ax = outputs.multilabel_accuracy_bars(Y, Y_pred, label_names=["even", ">= 5", "loop"])
    np.testing.assert_allclose(_bar_heights(ax), [0.75, 0.75, 0.75])
    np.testing.assert_allclose(ax.collections[0].get_offsets()[:, 1], [0.75, 0.75, 0.5])
    assert "exact match (all 3 labels right) = 0.250" in ax.get_title()
    assert _texts(ax) == ["0.750", "0.750", "0.750"]


@pytest.mark.parametrize(("Y", "Y_pred", "match"), [
    (np.zeros((2, 3)), np.zeros((2, 2)), r"Y_pred must have the shape of Y \(2, 3\)"),
    (np.zeros((2, 3)), np.full((2, 3), 0.7), "Y_pred must hold labels 0 or 1"),
    (np.zeros(3), np.zeros(3), "Y must be 2-D"),
])
def test_multilabel_accuracy_bars_errors(Y, Y_pred, match):
    with pytest.raises(ValueError, match=match):
        outputs.multilabel_accuracy_bars(Y, Y_pred)


# --- loss pairing --------------------------------------------------------------------------

def test_sigmoid_loss_pairing_bce_delta_is_y_hat_minus_y():
    z = np.linspace(-6, 6, 25)
    ax_l, ax_g = outputs.sigmoid_loss_pairing(z, y=1)
    mse_line, bce_line = ax_g.lines
    np.testing.assert_allclose(bce_line.get_ydata(), sigmoid(z) - 1, atol=1e-12)
    s = sigmoid(z)
    np.testing.assert_allclose(mse_line.get_ydata(), 2 * (s - 1) * s * (1 - s), atol=1e-12)
    np.testing.assert_allclose(ax_l.lines[1].get_ydata(), -np.log(s), rtol=1e-10)


def test_sigmoid_loss_pairing_for_target_zero():
    z = np.linspace(-4, 4, 9)
    ax_l, ax_g = outputs.sigmoid_loss_pairing(z, y=0)
    np.testing.assert_allclose(ax_g.lines[1].get_ydata(), sigmoid(z), atol=1e-12)
    np.testing.assert_allclose(ax_l.lines[1].get_ydata(), -np.log(1 - sigmoid(z)), rtol=1e-10)
    with pytest.raises(ValueError, match="y must be 0 or 1"):
        outputs.sigmoid_loss_pairing(z, y=2)


def test_descriptions_follow_the_data():
    """Each plot's text description is built from what it draws: other data, other text."""
    from mlpcourse.plots.alt_text import description, undescribed_axes

    axes = outputs.softmax_explorer(np.array([2.0, 1.0, 0.1]), class_names=["a", "b", "c"])
    text = description(axes[0].figure)
    assert text.startswith("Left: bars of the logits z: a 2, b 1, c 0.1. Right: ")
    assert "probabilities a 0.659, b 0.242, c 0.0986 (they sum to 1); the largest is a" in text
    assert undescribed_axes(axes[0].figure) == []
    fig, update = outputs.softmax_explorer_live(np.array([0.0, 0.0]))
    update(np.array([0.0, 4.0]), 1.0)
    assert "logits z: class 0 0, class 1 4." in description(fig)
    assert "the largest is class 1" in description(fig)
    y = np.array([0, 1, 2, 2, 1])
    text = description(outputs.confusion_matrix_plot(y, np.array([0, 1, 2, 1, 1])).figure)
    assert "the diagonal holds the 4 correct of 5" in text
    assert "the most frequent mistake is true 2 predicted as 1 (1 sample)" in text
    perfect = description(outputs.confusion_matrix_plot(y, y).figure)
    assert "no sample is misclassified" in perfect
    text = description(outputs.regression_plot([1.0, 2.0, 3.0], [1.0, 2.0, 3.5]).figure)
    assert "3 samples, true y from 1 to 3" in text and "R² = 0.88" in text
    text = description(outputs.binary_probability_plot([0.2, 0.7, 0.9], [0, 0, 1]).figure)
    assert "1 sample of class 0 and 0 of class 1 on the wrong side" in text
    assert "target y = 0" in description(outputs.sigmoid_loss_pairing(y=0)[0].figure)
    bars = outputs.multilabel_accuracy_bars(np.array([[1, 0], [1, 1]]), np.array([[1, 0], [0, 1]]))
    assert "label 0 0.5, label 1 1" in description(bars.figure)
    plt.close("all")
