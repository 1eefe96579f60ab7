"""The perceptron of the lecture's "Recap on Perceptron": inputs x_i, weights w_i, the adder
h = sum_i w_i x_i and a step function with threshold theta, o = g(h) = 1 if h > theta else 0;
and Rosenblatt's learning rule, which nudges w and theta after every mistake.

Samples are rows: ``X`` has shape (m, n) (the lecture calls the number of inputs m; here n is the
number of inputs and m the number of samples, as in the rest of the course).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ._validation import as_array, as_generator, describe, positive_float, positive_int


def perceptron_output(X, w, theta=0.0):
    """The perceptron's output o = g(h): 1 if h = sum_i w_i x_i > theta, else 0 (lecture slide
    "The Perceptron", items 3 and 4).

    Parameters
    ----------
    X : (m, n) samples as rows, or (n,) one sample
    w : (n,) weights
    theta : float, the threshold θ

    Returns
    -------
    o : (m,) int array of 0/1, or an int for a single sample
    """
    X = as_array("X", X, ndim=(1, 2))
    w, theta = _check_weights(w, theta, X.shape[-1])
    o = (X @ w > theta).astype(np.int64)
    return int(o) if X.ndim == 1 else o


def _check_weights(w, theta, n):
    """Validate a weight vector of n entries and a real threshold; return (w float64, theta)."""
    w = as_array("w", w, ndim=1, dtype=np.float64)
    if len(w) != n:
        raise ValueError(f"w must have one weight per input (shape ({n},)); got {describe(w)}")
    if isinstance(theta, bool) or not np.isscalar(theta) or not np.isreal(theta):
        raise TypeError(f"theta must be a real number; got {describe(theta)}")
    if not np.isfinite(theta):
        raise ValueError(f"theta must be a finite number; got {theta}")
    return w, float(theta)


@dataclass(frozen=True, eq=False)
class PerceptronResult:
    """What ``train_perceptron`` learned and how it got there.

    Attributes
    ----------
    w : (n,) final weights
    theta : float, final threshold
    errors : (epochs_run,) int, mistakes (= updates) made during each epoch
    w_history : (epochs_run + 1, n), the weights before training (row 0) and after each epoch
    theta_history : (epochs_run + 1,), the threshold likewise
    converged : True if an epoch had no mistakes (then nothing changes any more: training stops)
    """

    w: np.ndarray
    theta: float
    errors: np.ndarray
    w_history: np.ndarray
    theta_history: np.ndarray
    converged: bool

    @property
    def epochs_run(self) -> int:
        """Number of epochs that were run (fewer than asked for when training converged)."""
        return len(self.errors)


def train_perceptron(X, y, eta=0.1, epochs=20, rng=0, w=None, theta=0.0) -> PerceptronResult:
    """Rosenblatt's perceptron learning rule, one sample at a time in a shuffled order per epoch.

    After each sample with output o and target t:
    w_i <- w_i + eta (t - o) x_i and theta <- theta - eta (t - o).
    A correct output (t = o) changes nothing. If some line separates the two classes, the rule
    finds one after finitely many mistakes (perceptron convergence theorem). XOR has no such line:
    its four inequalities 0 <= theta, w_2 > theta, w_1 > theta, w_1 + w_2 <= theta contradict each
    other (adding the middle two gives w_1 + w_2 > 2 theta >= theta), so on XOR every epoch makes
    at least one mistake and ``converged`` stays False.

    Parameters
    ----------
    X : (m, n) samples as rows
    y : (m,) targets t, each 0 or 1
    eta : learning rate η > 0
    epochs : maximum number of passes over the data
    rng : int seed or numpy.random.Generator (initial weights if w is None, and sample order)
    w : (n,) initial weights; None draws them uniformly from [-0.5, 0.5]
    theta : initial threshold θ

    Returns
    -------
    PerceptronResult
    """
    X = as_array("X", X, ndim=2, dtype=np.float64)
    t = _check_targets(y, len(X))
    eta, epochs, rng = positive_float("eta", eta), positive_int("epochs", epochs), as_generator(rng)
    if w is None:
        w = rng.uniform(-0.5, 0.5, X.shape[1])
    w, theta = _check_weights(w, theta, X.shape[1])
    w = w.copy()
    w_history, theta_history, errors = [w.copy()], [theta], []
    for _ in range(epochs):
        mistakes = 0
        for i in rng.permutation(len(X)):  # sequential by nature: each step uses the last update
            error = int(t[i]) - int(X[i] @ w > theta)
            if error:
                w += eta * error * X[i]
                theta -= eta * error
                mistakes += 1
        w_history.append(w.copy())
        theta_history.append(theta)
        errors.append(mistakes)
        if mistakes == 0:
            break
    return PerceptronResult(w=w, theta=theta, errors=np.array(errors, dtype=np.int64),
                            w_history=np.array(w_history), theta_history=np.array(theta_history),
                            converged=errors[-1] == 0)


def _check_targets(y, m):
    """Targets must be m values, each 0 or 1; return them as an int array."""
    y = np.asarray(y)
    if y.shape != (m,):
        raise ValueError(f"y must have shape ({m},), one target per row of X; got {describe(y)}")
    if not np.all(np.isin(y, (0, 1))):
        raise ValueError(f"y must contain only 0 and 1; got values {np.unique(y).tolist()}")
    return y.astype(np.int64)


def separating_weights(X, y, values=None) -> np.ndarray:
    """All (w_1, ..., w_n, theta) on a grid for which the perceptron gets every sample right.

    A brute-force companion to the linear-separability argument: for AND and OR many grid points
    work, for XOR none does.

    Parameters
    ----------
    X : (m, n) samples as rows (keep n small: the grid has len(values) ** (n + 1) points)
    y : (m,) targets, 0 or 1
    values : 1-D grid of values tried for every weight and for theta (default: -1 to 1 in steps
        of 0.1, compared in integer tenths: the output of a perceptron does not change when w and
        theta are multiplied by 10, and for integer inputs the sums are then exact, whereas in
        floats 0.1 + 0.2 > 0.3 would count (0.1, 0.2, 0.3) as a solution of AND)

    Returns
    -------
    (k, n + 1) array; each row is (w_1, ..., w_n, theta) of one solution, k may be 0
    """
    X = as_array("X", X, ndim=2, dtype=np.float64)
    t = _check_targets(y, len(X))
    if values is None:  # integer tenths, divided by 10 only in the result
        return separating_weights(X, t, values=np.arange(-10.0, 11.0)) / 10
    values = as_array("values", values, ndim=1, dtype=np.float64)
    if len(values) ** (X.shape[1] + 1) > 10**6:
        raise ValueError(f"the grid would have {len(values)}**{X.shape[1] + 1} points (more than "
                         f"10**6); use fewer values or fewer inputs")
    grid = np.array(list(itertools.product(values, repeat=X.shape[1] + 1)))  # (k, n + 1)
    o = X @ grid[:, :-1].T > grid[:, -1]  # (m, k): the output of every sample for every setting
    return grid[np.all(o == t[:, None].astype(bool), axis=0)]
