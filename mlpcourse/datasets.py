"""Data for the lessons: the logic gates of the perceptron recap, seeded 2-D toy sets, a few
small real data sets bundled with scikit-learn, and a train/validation/test split.

Every generator takes ``rng`` (an int seed or a ``numpy.random.Generator``): the same seed gives
the same points. Samples are rows: ``X`` has shape (m, n), ``y`` shape (m,).
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from ._validation import as_array, as_generator, describe, positive_float, positive_int

GATES = {
    "AND": np.array([0, 0, 0, 1]),
    "OR": np.array([0, 1, 1, 1]),
    "XOR": np.array([0, 1, 1, 0]),
}

DATASETS = ("breast_cancer", "diabetes", "digits", "iris")


def logic_gate(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The four input pairs of a two-input logic gate and its truth table (perceptron recap).

    Parameters
    ----------
    name : "AND", "OR" or "XOR" (any letter case)

    Returns
    -------
    X : (4, 2) float64, rows (0, 0), (0, 1), (1, 0), (1, 1)
    y : (4,) int, the gate's output for each row
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, one of {sorted(GATES)}; got {describe(name)}")
    if name.upper() not in GATES:
        raise ValueError(f"unknown name {name!r}; expected one of {sorted(GATES)}")
    X = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
    return X, GATES[name.upper()].copy()


def _noise(value) -> float:
    """Check a noise level: a finite number >= 0."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"noise must be a number >= 0; got {describe(value)}")
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"noise must be a finite number >= 0; got {value}")
    return float(value)


def _class_sizes(m: int, classes: int) -> np.ndarray:
    """Split m samples into ``classes`` near-equal counts (the first m % classes get one more)."""
    if m < classes:
        raise ValueError(f"m must be at least the number of classes ({classes}); got {m}")
    return np.full(classes, m // classes) + (np.arange(classes) < m % classes)


def _shuffle(X, y, rng):
    """Shuffle rows of X and y together (so the classes are not in blocks)."""
    order = rng.permutation(len(y))
    return X[order], y[order]


def moons(m: int = 200, noise: float = 0.1, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: a set no single line separates (cf. XOR).

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half circle shifted to
    (1, 0.5); Gaussian noise of standard deviation ``noise`` is added to both coordinates.

    Returns
    -------
    X : (m, 2) float64
    y : (m,) int, 0 or 1, balanced (sizes differ by at most one)
    """
    m, noise, rng = positive_int("m", m), _noise(noise), as_generator(rng)
    n0, n1 = _class_sizes(m, 2)
    t0, t1 = rng.uniform(0, np.pi, n0), rng.uniform(0, np.pi, n1)
    X = np.concatenate([np.column_stack([np.cos(t0), np.sin(t0)]),
                        np.column_stack([1 - np.cos(t1), 0.5 - np.sin(t1)])])
    y = np.repeat([0, 1], [n0, n1])
    return _shuffle(X + noise * rng.standard_normal(X.shape), y, rng)


def circles(m: int = 200, noise: float = 0.1, factor: float = 0.5,
            rng=0) -> tuple[np.ndarray, np.ndarray]:
    """A ring around a disc: class 0 on the unit circle, class 1 on a circle of radius ``factor``.

    Returns
    -------
    X : (m, 2) float64, the circles plus Gaussian noise of standard deviation ``noise``
    y : (m,) int, 0 (outer) or 1 (inner), balanced
    """
    m, noise, rng = positive_int("m", m), _noise(noise), as_generator(rng)
    factor = positive_float("factor", factor)
    if factor >= 1:
        raise ValueError(f"factor must be between 0 and 1 (inner radius / outer); got {factor}")
    sizes = _class_sizes(m, 2)
    radius = np.repeat([1.0, factor], sizes)
    t = rng.uniform(0, 2 * np.pi, m)
    X = radius[:, None] * np.column_stack([np.cos(t), np.sin(t)])
    y = np.repeat([0, 1], sizes)
    return _shuffle(X + noise * rng.standard_normal(X.shape), y, rng)


def spirals(m: int = 200, noise: float = 0.05, rng=0,
            classes: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class: hard for a line, easy for a hidden layer.

    Arm k is the Archimedean spiral r = s, angle = 2 pi s + 2 pi k / classes for s in [0.1, 1]
    (one turn), plus Gaussian noise of standard deviation ``noise`` on both coordinates, as in
    the other sets (the arms are closer than the moons: noise 0.1 already blurs them).

    Parameters
    ----------
    classes : number of arms (2 to 10)

    Returns
    -------
    X : (m, 2) float64 in about [-1, 1]^2
    y : (m,) int in 0..classes-1, balanced
    """
    m, noise, rng = positive_int("m", m), _noise(noise), as_generator(rng)
    classes = positive_int("classes", classes)
    if not 2 <= classes <= 10:
        raise ValueError(f"classes must be between 2 and 10; got {classes}")
    sizes = _class_sizes(m, classes)
    y = np.repeat(np.arange(classes), sizes)
    s = rng.uniform(0.1, 1.0, m)
    angle = 2 * np.pi * (s + y / classes)
    X = s[:, None] * np.column_stack([np.cos(angle), np.sin(angle)])
    return _shuffle(X + noise * rng.standard_normal(X.shape), y, rng)


def blobs(m: int = 200, centers=3, std: float = 1.0, rng=0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian clouds around a few centres (linearly separable when ``std`` is small).

    Parameters
    ----------
    centers : int k (centres on a circle of radius 4, turned by a random angle) or an array of
        shape (k, 2) of centres
    std : standard deviation of each cloud

    Returns
    -------
    X : (m, 2) float64
    y : (m,) int in 0..k-1, balanced
    """
    m, std, rng = positive_int("m", m), positive_float("std", std), as_generator(rng)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = positive_int("centers", centers)
        angle = rng.uniform(0, 2 * np.pi) + 2 * np.pi * np.arange(k) / k
        centres = 4.0 * np.column_stack([np.cos(angle), np.sin(angle)])
    else:
        centres = as_array("centers", centers, ndim=2, dtype=np.float64)
        if centres.shape[1] != 2 or len(centres) == 0:
            raise ValueError(f"centers must be an int or an array of shape (k, 2); "
                             f"got {describe(centres)}")
    y = np.repeat(np.arange(len(centres)), _class_sizes(m, len(centres)))
    X = centres[y] + std * rng.standard_normal((m, 2))
    return _shuffle(X, y, rng)


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    """A small real data set bundled with scikit-learn (no download).

    Parameters
    ----------
    name : "digits" (8x8 images, 10 classes), "iris" (3 classes), "breast_cancer" (2 classes)
        or "diabetes" (regression; raw, unscaled features)

    Returns
    -------
    X : (m, n) float64
    y : (m,) int class labels, or float64 targets for "diabetes"
    """
    if not isinstance(name, str):
        raise TypeError(f"name must be a string, one of {list(DATASETS)}; got {describe(name)}")
    if name not in DATASETS:
        raise ValueError(f"unknown name {name!r}; expected one of {list(DATASETS)}")
    from sklearn import datasets as sk  # imported here: `import mlpcourse` must stay light

    if name == "diabetes":
        X, y = sk.load_diabetes(return_X_y=True, scaled=False)
        return X.astype(np.float64), y.astype(np.float64)
    X, y = getattr(sk, f"load_{name}")(return_X_y=True)
    return X.astype(np.float64), y.astype(np.int64)


@dataclass(frozen=True, eq=False)
class Split:
    """Training, validation and test parts of a data set, standardised with training statistics.

    ``X_*`` are (m_part, n) arrays, ``y_*`` (m_part, ...) arrays; ``mean`` and ``scale`` are (n,)
    arrays such that each part is (X_raw - mean) / scale (zeros and ones when not standardised).
    """

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    mean: np.ndarray
    scale: np.ndarray

    def transform(self, X) -> np.ndarray:
        """Standardise new samples X (m, n) with the training statistics: (X - mean) / scale."""
        X = as_array("X", X, ndim=2)
        if X.shape[1] != len(self.mean):
            raise ValueError(f"X must have {len(self.mean)} columns; got {describe(X)}")
        return (X - self.mean) / self.scale


def _fraction(name: str, value) -> float:
    """Check a fraction of the data: a real number in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number in [0, 1); got {describe(value)}")
    if not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1); got {value}")
    return float(value)


def split(X, y, validation: float = 0.2, test: float = 0.2, rng=0,
          standardise: bool = True) -> Split:
    """Shuffle and cut (X, y) into training, validation and test parts.

    Standardisation uses the mean and standard deviation of the training part only (a feature
    with zero spread there gets scale 1), so no information leaks from validation or test data.
    Early stopping needs the validation part; the test part is looked at once, at the end.

    Parameters
    ----------
    X : (m, n) features
    y : (m,) or (m, k) targets
    validation, test : fractions of m in [0, 1) (rounded; at least one sample if > 0)
    rng : int seed or numpy.random.Generator for the shuffle
    standardise : whether to rescale every feature to mean 0, standard deviation 1

    Returns
    -------
    Split
    """
    X = as_array("X", X, ndim=2)
    y = np.asarray(y)
    if y.ndim == 0 or len(y) != len(X):
        raise ValueError(f"y must have one entry per row of X ({len(X)}); got {describe(y)}")
    validation, test = _fraction("validation", validation), _fraction("test", test)
    if not isinstance(standardise, bool):
        raise TypeError(f"standardise must be True or False; got {describe(standardise)}")
    m = len(X)
    n_val, n_test = (max(int(f * m + 0.5), 1) if f > 0 else 0 for f in (validation, test))
    if m - n_val - n_test < 1:
        raise ValueError(f"validation + test must leave at least one training sample; got "
                         f"validation={validation}, test={test} for m={m} samples")
    order = as_generator(rng).permutation(m)
    test_rows, val_rows, train_rows = np.split(order, [n_test, n_test + n_val])
    mean, scale = np.zeros(X.shape[1]), np.ones(X.shape[1])
    if standardise:
        mean = X[train_rows].mean(axis=0)
        spread = X[train_rows].std(axis=0)
        scale = np.where(spread > 0, spread, 1.0)
    parts = [((X[rows] - mean) / scale, y[rows]) for rows in (train_rows, val_rows, test_rows)]
    return Split(*parts[0], *parts[1], *parts[2], mean=mean, scale=scale)
