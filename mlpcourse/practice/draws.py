"""Numbers drawn from a seed: each kind of problem has its own generator, and the givens have one
decimal so that the problems can be done by hand.

Only ``rng.integers`` is used, whose output numpy keeps stable across versions: the same seed
gives the same problem.
"""

from __future__ import annotations

import numbers

import numpy as np

from .._validation import describe

KINDS = ("forward_pass", "backprop_step", "softmax", "loss", "chain_rule")


def problem_rng(kind: str, seed) -> np.random.Generator:
    """The problem's generator: an int seed, mixed with the kind (so kinds do not share numbers).

    Raises
    ------
    TypeError for a seed that is not an int, ValueError for a negative one
    """
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int (e.g. a student number); got {describe(seed)}")
    if seed < 0:
        raise ValueError(f"seed must be an int >= 0; got {seed}")
    return np.random.default_rng([int(seed), KINDS.index(kind)])


def pick(rng, options):
    """One of ``options``, uniformly."""
    return options[int(rng.integers(len(options)))]


def tenths(rng, low, high, size, nonzero=True) -> np.ndarray:
    """Numbers with one decimal in [low, high] (0 left out if ``nonzero``), shape ``size``."""
    grid = np.arange(round(10 * low), round(10 * high) + 1)
    grid = grid[grid != 0] if nonzero else grid
    return grid[rng.integers(len(grid), size=size)] / 10


def distinct(rng, n, k) -> list[int]:
    """k distinct indices out of range(n), drawn one at a time."""
    left = list(range(n))
    return [left.pop(int(rng.integers(len(left)))) for _ in range(k)]
