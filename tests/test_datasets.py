"""Tests for mlpcourse.datasets: gates, seeded toy sets, bundled data and the split."""

import numpy as np
import pytest

from mlpcourse import datasets

GENERATORS = [datasets.moons, datasets.circles, datasets.spirals, datasets.blobs]


@pytest.mark.parametrize("name, expected", [("AND", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]),
                                            ("XOR", [0, 1, 1, 0]), ("xor", [0, 1, 1, 0]),
                                            ("and", [0, 0, 0, 1])])
def test_logic_gate_truth_tables(name, expected):
    X, y = datasets.logic_gate(name)
    assert X.dtype == np.float64 and X.shape == (4, 2)
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    assert np.issubdtype(y.dtype, np.integer) and y.shape == (4,)
    np.testing.assert_array_equal(y, expected)


def test_logic_gate_returns_fresh_arrays():
    _, y = datasets.logic_gate("AND")
    y[:] = 7
    np.testing.assert_array_equal(datasets.logic_gate("AND")[1], [0, 0, 0, 1])


def test_logic_gate_errors():
    with pytest.raises(ValueError, match="unknown name 'NAND'.*'AND', 'OR', 'XOR'"):
        datasets.logic_gate("NAND")
    with pytest.raises(TypeError, match="name must be a string"):
        datasets.logic_gate(1)


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_shapes_dtypes_and_balance(make):
    X, y = make(101, rng=3)
    assert X.shape == (101, 2) and X.dtype == np.float64
    assert y.shape == (101,) and np.issubdtype(y.dtype, np.integer)
    counts = np.bincount(y)
    assert counts.max() - counts.min() <= 1
    assert np.all(np.isfinite(X))


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_are_deterministic_per_seed(make):
    X1, y1 = make(50, rng=7)
    X2, y2 = make(50, rng=np.random.default_rng(7))
    X3, _ = make(50, rng=8)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.allclose(X1, X3)


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_do_not_touch_numpys_global_generator(make):
    state = np.random.get_state()[1].copy()  # noqa: NPY002 (the point of the test)
    make(20, rng=0)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


@pytest.mark.parametrize("make", GENERATORS)
def test_generators_shuffle_the_classes(make):
    _, y = make(200, rng=0)
    assert np.any(y[:100] != 0) and np.any(y[:100] == 0)


def test_noise_free_geometry():
    X, y = datasets.circles(100, noise=0, factor=0.3, rng=0)
    radius = np.hypot(*X.T)
    np.testing.assert_allclose(radius[y == 0], 1.0)
    np.testing.assert_allclose(radius[y == 1], 0.3)
    X, y = datasets.moons(100, noise=0.0, rng=0)
    np.testing.assert_allclose(np.hypot(*X[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1.0)
    X, _ = datasets.spirals(90, noise=0, rng=0, classes=3)
    assert np.all(np.hypot(*X.T) <= 1 + 1e-12)


def test_spirals_classes_and_blob_centres():
    _, y = datasets.spirals(100, rng=0, classes=5)
    np.testing.assert_array_equal(np.bincount(y), [20] * 5)
    X, y = datasets.blobs(400, centers=[[0, 0], [10, 10]], std=0.5, rng=1)
    np.testing.assert_allclose(X[y == 1].mean(axis=0), [10, 10], atol=0.15)
    np.testing.assert_allclose(X[y == 0].mean(axis=0), [0, 0], atol=0.15)
    assert np.bincount(datasets.blobs(60, centers=4)[1]).tolist() == [15] * 4


@pytest.mark.parametrize("call, error, message", [
    (lambda: datasets.moons(0), ValueError, "m must be a positive integer; got 0"),
    (lambda: datasets.moons(2.5), TypeError, "m must be a positive integer"),
    (lambda: datasets.moons(10, noise=-1), ValueError, "noise must be a finite number >= 0"),
    (lambda: datasets.moons(10, noise=np.inf), ValueError, "noise must be a finite number"),
    (lambda: datasets.moons(10, noise="a"), TypeError, "noise must be a number >= 0"),
    (lambda: datasets.circles(10, factor=1.5), ValueError, "factor must be between 0 and 1"),
    (lambda: datasets.spirals(10, classes=1), ValueError, "classes must be between 2 and 10"),
    (lambda: datasets.spirals(3, classes=4), ValueError, "m must be at least the number of"),
    (lambda: datasets.blobs(10, centers=[1, 2, 3]), ValueError, "centers must be 2-D"),
    (lambda: datasets.blobs(10, centers=[[1, 2, 3]]), ValueError, r"shape \(k, 2\)"),
    (lambda: datasets.blobs(10, std=0), ValueError, "std must be a finite number > 0"),
    (lambda: datasets.moons(10, rng="seed"), TypeError, "rng must be an int seed"),
])
def test_generator_argument_errors(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize("name, shape, classes", [("digits", (1797, 64), 10),
                                                  ("iris", (150, 4), 3),
                                                  ("breast_cancer", (569, 30), 2)])
def test_load_classification_sets(name, shape, classes):
    X, y = datasets.load(name)
    assert X.shape == shape and X.dtype == np.float64
    assert y.shape == (shape[0],) and np.issubdtype(y.dtype, np.integer)
    assert sorted(np.unique(y)) == list(range(classes))


def test_load_diabetes_is_regression_with_raw_features():
    X, y = datasets.load("diabetes")
    assert X.shape == (442, 10) and y.shape == (442,)
    assert X.dtype == np.float64 and y.dtype == np.float64
    assert 19 <= X[:, 0].min() and X[:, 0].max() <= 79  # age in years, not pre-scaled


def test_load_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match="unknown name 'mnist'.*'digits'.*'iris'"):
        datasets.load("mnist")
    with pytest.raises(TypeError, match="name must be a string"):
        datasets.load(None)


def _data(m=100, n=3):
    rng = np.random.default_rng(0)
    return rng.normal(5.0, 3.0, (m, n)), np.arange(m)


def test_split_sizes_and_disjoint_shuffled_parts():
    X, y = _data()
    parts = datasets.split(X, y, validation=0.2, test=0.1, rng=0)
    assert (len(parts.y_train), len(parts.y_val), len(parts.y_test)) == (70, 20, 10)
    assert parts.X_train.shape == (70, 3) and parts.X_val.shape == (20, 3)
    rows = np.concatenate([parts.y_train, parts.y_val, parts.y_test])
    np.testing.assert_array_equal(np.sort(rows), y)
    assert not np.array_equal(parts.y_train, np.sort(parts.y_train))


def test_split_keeps_rows_together():
    X, y = _data()
    parts = datasets.split(X, y, standardise=False, rng=2)
    for Xp, yp in [(parts.X_train, parts.y_train), (parts.X_test, parts.y_test)]:
        np.testing.assert_array_equal(Xp, X[yp])
    np.testing.assert_array_equal(parts.mean, 0)
    np.testing.assert_array_equal(parts.scale, 1)


def test_split_standardises_with_training_statistics_only():
    X, y = _data()
    parts = datasets.split(X, y, rng=1)
    np.testing.assert_allclose(parts.X_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(parts.X_train.std(axis=0), 1)
    np.testing.assert_allclose(parts.mean, X[parts.y_train].mean(axis=0))
    np.testing.assert_allclose(parts.X_val, (X[parts.y_val] - parts.mean) / parts.scale)
    np.testing.assert_allclose(parts.X_test, parts.transform(X[parts.y_test]))
    assert abs(parts.X_val.mean()) > 1e-6  # not re-centred on its own statistics


def test_split_constant_feature_gets_scale_one():
    X, y = _data()
    X[:, 1] = 4.0
    parts = datasets.split(X, y)
    assert parts.scale[1] == 1.0
    np.testing.assert_array_equal(parts.X_train[:, 1], 0.0)


def test_split_is_deterministic_per_seed_and_accepts_one_hot_targets():
    X, y = _data()
    a, b, c = (datasets.split(X, y, rng=r) for r in (5, 5, 6))
    np.testing.assert_array_equal(a.y_train, b.y_train)
    assert not np.array_equal(a.y_train, c.y_train)
    parts = datasets.split(X, np.eye(4)[y % 4], validation=0, test=0.25)
    assert parts.y_train.shape == (75, 4) and parts.y_val.shape == (0, 4)
    assert parts.X_val.shape == (0, 3)


def test_split_small_fraction_gives_at_least_one_sample():
    X, y = _data(m=10)
    parts = datasets.split(X, y, validation=0.01, test=0.01)
    assert (len(parts.y_val), len(parts.y_test), len(parts.y_train)) == (1, 1, 8)


@pytest.mark.parametrize("kwargs, error, message", [
    ({"validation": 1.0}, ValueError, r"validation must be a number in \[0, 1\); got 1.0"),
    ({"test": -0.1}, ValueError, r"test must be a number in \[0, 1\)"),
    ({"test": "half"}, TypeError, "test must be a number"),
    ({"validation": 0.5, "test": 0.5}, ValueError, "must leave at least one training sample"),
    ({"standardise": "yes"}, TypeError, "standardise must be True or False"),
    ({"y": np.arange(5)}, ValueError, r"y must have one entry per row of X \(100\)"),
    ({"X": np.arange(5.0)}, ValueError, "X must be 2-D"),
])
def test_split_argument_errors(kwargs, error, message):
    X, y = _data()
    arguments = {"X": X, "y": y, **kwargs}
    with pytest.raises(error, match=message):
        datasets.split(**arguments)


def test_transform_checks_columns():
    X, y = _data()
    with pytest.raises(ValueError, match="X must have 3 columns"):
        datasets.split(X, y).transform(np.ones((2, 4)))
